"""The app — the ``clishape`` program: the engine over the shipped specs and any in
CLISHAPE_SPEC_PATH, with the embedded local Voice ID service behind ``CLISHAPE_LOCAL=1``.

It is built the way any user's command line is: one ``cli_core.App`` value.
"""

from __future__ import annotations

import sys

from cli_core import __version__
from cli_core.app import App
from cli_core.program import DEFAULT_PROGRAM


def local_endpoint(home, environ):
    """The local-service hook: ``clishape_local``'s embedded service (imported when used)."""
    from clishape_local.embedded import local_endpoint as start

    return start(home, environ)


app = App(
    name="clishape",
    version=__version__,
    specs=DEFAULT_PROGRAM.specs,
    description=DEFAULT_PROGRAM.description,
    families=("core", "http", "aws"),
    env_prefix="CLISHAPE",
    local_endpoint=local_endpoint,
)


def main(argv: list[str] | None = None, io=None) -> int:
    """Console-script entry point (``io``: the streams and environment, for tests)."""
    return app.main(sys.argv[1:] if argv is None else argv, io)


if __name__ == "__main__":
    sys.exit(main())
