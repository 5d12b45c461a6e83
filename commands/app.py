"""The ``clishape`` program: the engine over the shipped specs and any in CLISHAPE_SPEC_PATH."""

from __future__ import annotations

import sys

from cli_core.driver import main as run


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
