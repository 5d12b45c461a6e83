"""clishape's engine: declarative command specs in, a complete command line out.

Public API:

* ``cli_core.driver.main(argv, io=None) -> int`` — run one command line;
* ``cli_core.testing.run(argv, ...) -> Result`` — the same, in-process, for tests;
* ``cli_core.specs.load_command(service, command)`` — a compiled command spec.
"""

__version__ = "0.1.0"
