"""Stage 1 — specs: find the one spec an argv names, check and compile it (cached), load it.

The public names live in ``cli_core.specs.loader``; the common ones are re-exported here.
"""

from cli_core.specs.loader import (
    SERVICE_FILE,
    WAIT_COMMAND,
    compile_command,
    list_commands,
    list_services,
    load_command,
    load_compiled,
    load_service_doc,
    load_waiter,
    load_waiters,
    parse_yaml,
    read_yaml,
    service_dir,
)

__all__ = [
    "SERVICE_FILE",
    "WAIT_COMMAND",
    "compile_command",
    "list_commands",
    "list_services",
    "load_command",
    "load_compiled",
    "load_service_doc",
    "load_waiter",
    "load_waiters",
    "parse_yaml",
    "read_yaml",
    "service_dir",
]
