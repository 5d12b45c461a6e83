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

        if argv is None and io is None:
            _prepare_process(self)
        code = run(sys.argv[1:] if argv is None else argv, io, app=self)
        if argv is None and io is None:
            import gc

            gc.freeze()  # the process ends: no last walk of every object it made (~10 ms)
            _end_process(code, self.name)
            sys.exit(code)
        return code


def _prepare_process(app: App) -> None:
    """What a program run does before its command line (``tools/bench.py`` does the same)."""
    import gc
    import os

    from cli_core.cache import private_folder
    from cli_core.regex_cache import keep_compiled_patterns
    from cli_core.settings import cache_root

    # start-up makes tens of thousands of objects that live as long as the process (modules,
    # classes, the spec): the collector need not look at young objects every 700 of them
    # (~2 ms of a real call); it still runs, every 100,000
    gc.set_threshold(100_000, *gc.get_threshold()[1:])
    # the process's regular expressions come from (and go to) the app's cache folder
    keep_compiled_patterns(private_folder(cache_root(os.environ, app), "regex"))


def _end_process(code: int, name: str) -> None:
    """End the process as Python's own exit would, without then taking apart every module and
    object one by one (~5 ms of a real call, ~2 ms of a skeleton): the exit functions run
    (``atexit``: logging's flush, ...) and stdout and stderr are flushed, then the process
    ends with ``code``. Returns (for a plain ``sys.exit``) when another thread still runs or
    this Python has no way to run the exit functions."""
    import atexit
    import os
    import sys

    threading = sys.modules.get("threading")
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None or (threading is not None and threading.active_count() > 1):
        return
    run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # the reader went away (`| head`), as the driver treats it: not an error
        except OSError as exc:  # what was written did not all arrive (disk full, ...)
            if stream is sys.stdout:
                try:
                    sys.stderr.write(f"{name}: error: the output could not be written: "
                                     f"{exc.strerror or exc}\n")  # fmt: skip
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
            code = code or 255
    os._exit(code)
