"""notes — a small command line built on clishape: the example of README's "Build your own
command line". Its commands are specs (``notes_cli/specs``) run by Python handlers
(``notes_cli.handlers``), plus two Voice ID commands sent through botocore."""

__version__ = "0.1.0"
