"""The app — the ``clishape`` program: the engine over the shipped specs and any in CLISHAPE_SPEC_PATH,
with the embedded local Voice ID service behind ``CLISHAPE_LOCAL=1``."""

from __future__ import annotations

import sys

from cli_core.driver import main as run


def local_endpoint(home, environ):
    """The local-service hook: ``clishape_local``'s embedded service (imported when used)."""
    from clishape_local.embedded import local_endpoint as start

    return start(home, environ)


def main(argv: list[str] | None = None, io=None) -> int:
    """Console-script entry point (``io``: the streams and environment, for tests)."""
    return run(sys.argv[1:] if argv is None else argv, io, local_endpoint=local_endpoint)


if __name__ == "__main__":
    sys.exit(main())
