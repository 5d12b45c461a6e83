"""Above the driver — the app: what makes one command line out of the engine.

    from cli_core import App

    app = App(name="mytool", version="1.2.0", specs=["mypkg:specs"], families=("core",))
    # pyproject.toml:  [project.scripts]  mytool = "mypkg.cli:app.main"

An app is a ``cli_core.program.Program`` (name, version, spec folders, option families, config
file, environment prefix: see that module for what each means) that can run: ``app.main`` is
its console-script entry point. It may also carry the hook of a local service. ``clishape``
itself is one app (``clishape_commands.app``).
"""

from __future__ import annotations

from cli_core.driver import main as run
from cli_core.program import FAMILIES, Program

__all__ = ["App", "FAMILIES"]


class App(Program):
    """A program that runs (``main``). ``local_endpoint``: the hook of a local service (see
    ``cli_core.driver.main``), or None."""

    __slots__ = ("local_endpoint",)
    _fields = (*Program._fields, "local_endpoint")
    _uncompared = frozenset({"local_endpoint"})

    def __init__(
        self,
        name: str,
        version: str = "0.0.0",
        specs: tuple = (),
        description: str = "",
        families: tuple[str, ...] = ("core", "http", "aws"),
        env_prefix: str | None = None,
        config_file: str | None = None,
        default_service: str | None = None,
        local_endpoint: object = None,
    ):
        self._init(locals())
        self.__post_init__()

    def main(self, argv: list[str] | None = None, io=None) -> int:
        """Run one command line (``sys.argv[1:]`` by default); the console-script entry point.

        Used as ``mytool = "mypkg.cli:app.main"`` (no arguments), it exits the process with the
        exit code; given ``argv`` or ``io``, it returns the code.
        """
        import sys

        code = run(sys.argv[1:] if argv is None else argv, io, app=self)
        if argv is None and io is None:
            import gc

            gc.freeze()  # the process ends: no last walk of every object it made (~10 ms)
            sys.exit(code)
        return code
