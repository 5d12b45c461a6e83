"""clishape's engine: declarative command specs in, a complete command line out.

Public API (what an app's author imports):

* ``cli_core.App`` — one command line: name, version, spec folders, option families, config
  file and environment prefix; ``app.main`` is its console-script entry point;
* ``cli_core.CommandError(code, message, **fields)`` — what a ``handler:`` raises to answer
  with an error (exit 254);
* ``cli_core.Context`` — what a handler gets besides its request (settings, streams, logger);
* ``cli_core.testing.run(argv, app=..., ...) -> Result`` — run a command line in-process, for
  tests (``Result.stdout``, ``.stderr``, ``.exit_code``, ``.exception``);
* ``cli_core.driver.main(argv, io=None, app=None) -> int`` — run one command line;
* ``cli_core.specs.load_command(service, command)`` — a compiled command spec.
"""

from cli_core.errors import CommandError  # light, and loaded by every run
from cli_core.program import ENGINE_VERSION as __version__

__all__ = ["App", "CommandError", "Context", "__version__"]


def __getattr__(name: str):
    # App and Context are imported when asked for: importing the package stays cheap
    if name == "App":
        from cli_core.app import App

        return App
    if name == "Context":
        from cli_core.send.handler import Context

        return Context
    raise AttributeError(f"module 'cli_core' has no attribute {name!r}")
