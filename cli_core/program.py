"""Beneath the stages — the program: what a command line is called and where it reads from.

A ``Program`` is data: its name (usage lines, errors, help pages, ``--version``), its version,
where its specs come from, which families of global options it offers, its config file and the
prefix of its environment variables. The settings, the config files and the help pages read it;
``cli_core.App`` (``cli_core/app.py``, above the driver) is a Program that can also run:
``app.main``. ``DEFAULT_PROGRAM`` is the engine's own: ``clishape`` over the shipped specs.

Option families: ``core`` (output, query, colour, pager, profile, input and error formats, dry
run, debug: every app has them), ``http`` (endpoint URL, TLS, timeouts: apps that send
requests) and ``aws`` (region and unsigned requests: apps that send through botocore; an app with
``aws`` reads the AWS config and credentials files and the ``AWS_*`` variables of the AWS CLI).

Environment (``PREFIX`` is ``env_prefix``, by default the name in upper case with ``_`` for
``-``): ``PREFIX_SPEC_PATH`` (more spec folders, searched first), ``PREFIX_CACHE_DIR``,
``PREFIX_MAX_INPUT_BYTES``, ``PREFIX_LOCAL`` / ``PREFIX_LOCAL_HOME`` (the local service hook), and,
for an app without the ``aws`` family, ``PREFIX_CONFIG_FILE``, ``PREFIX_PROFILE``,
``PREFIX_DEFAULT_OUTPUT``, ``PREFIX_PAGER``, ``PREFIX_CLI_ERROR_FORMAT``,
``PREFIX_CLI_AUTO_PROMPT``, ``PREFIX_CLI_FILE_ENCODING`` where the AWS CLI has ``AWS_*``.
"""

from __future__ import annotations

import os
from pathlib import Path

from cli_core.frozen import Frozen

ENGINE_VERSION = "0.1.0"  # the engine's version (``cli_core.__version__``)
FAMILIES = ("core", "http", "aws")

# The settings the AWS CLI reads from AWS_* variables; an app of its own reads PREFIX_* instead.
_AWS_NAMED = {
    "config_file": "AWS_CONFIG_FILE",
    "credentials_file": "AWS_SHARED_CREDENTIALS_FILE",
    "profile": "AWS_PROFILE",
    "output": "AWS_DEFAULT_OUTPUT",
    "pager": "AWS_PAGER",
    "error_format": "AWS_CLI_ERROR_FORMAT",
    "auto_prompt": "AWS_CLI_AUTO_PROMPT",
    "file_encoding": "AWS_CLI_FILE_ENCODING",
}
_OWN_NAMED = {
    "config_file": "CONFIG_FILE",
    "credentials_file": "CREDENTIALS_FILE",
    "profile": "PROFILE",
    "output": "DEFAULT_OUTPUT",
    "pager": "PAGER",
    "error_format": "CLI_ERROR_FORMAT",
    "auto_prompt": "CLI_AUTO_PROMPT",
    "file_encoding": "CLI_FILE_ENCODING",
}


class Program(Frozen):
    """What one command line is (see the module's documentation).

    ``specs``: spec folders, each a path or ``"package:folder"`` (a folder of an installed
    package, found without importing it). ``config_file``: the config file (``~`` is the
    user's home); by default ``~/.aws/config`` for a program with the ``aws`` family, else
    ``~/.NAME/config``. ``default_service``: a service whose commands also run without its
    name (``notes create-note`` for ``notes notes create-note``); the top help page lists them.
    """

    __slots__ = _fields = ("name", "version", "specs", "description", "families", "env_prefix",
                           "config_file", "default_service")  # fmt: skip

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
    ):
        self._init(locals())
        self.__post_init__()

    def __post_init__(self):
        name = self.name
        if not name or not all(ch.isalnum() or ch in "-_." for ch in name):
            raise ValueError(f"App name {name!r}: use letters, digits, '-', '_' or '.'")
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"App families {unknown}: choose from {', '.join(FAMILIES)}")
        families = set(self.families) | {"core"}
        if "aws" in families:
            families.add("http")
        object.__setattr__(self, "families", tuple(f for f in FAMILIES if f in families))
        object.__setattr__(self, "specs", tuple(self.specs))
        if self.env_prefix is None:
            prefix = "".join(ch if ch.isalnum() else "_" for ch in name.upper())
            object.__setattr__(self, "env_prefix", prefix)

    # -- what the settings read --------------------------------------------------------------

    @property
    def aws(self) -> bool:
        return "aws" in self.families

    def env(self, suffix: str) -> str:
        """The app's environment variable ``PREFIX_SUFFIX`` (``SPEC_PATH``, ``CACHE_DIR``, ...)."""
        return f"{self.env_prefix}_{suffix}"

    def setting_env(self, key: str) -> str:
        """The variable of a CLI setting (``output``, ``pager``, ...): AWS_* for an AWS app."""
        return _AWS_NAMED[key] if self.aws else self.env(_OWN_NAMED[key])

    def default_config_file(self) -> str:
        if self.config_file:
            return self.config_file
        return "~/.aws/config" if self.aws else f"~/.{self.name}/config"

    def default_credentials_file(self) -> str:
        return "~/.aws/credentials" if self.aws else f"~/.{self.name}/credentials"

    def spec_folders(self) -> list[Path]:
        """The app's own spec folders, in order (after those of ``PREFIX_SPEC_PATH``)."""
        return [_folder(entry) for entry in self.specs]

    def version_line(self) -> str:
        import platform

        return (
            f"{self.name}/{self.version} Python/{platform.python_version()} "
            f"{platform.system()}/{platform.release()}"
        )


def _folder(entry) -> Path:
    """A spec folder: a path, or ``package:folder`` inside an installed package (not imported)."""
    text = os.fspath(entry)
    if isinstance(entry, str) and ":" in text and not os.path.isabs(text) and len(text) > 2:
        package, _, inner = text.partition(":")
        from importlib.util import find_spec

        try:
            found = find_spec(package)
        except (ImportError, ValueError):
            found = None
        if found is None or not found.submodule_search_locations:
            from cli_core.errors import ConfigError

            raise ConfigError(f"spec folder {text!r}: no installed package named {package!r}")
        return Path(list(found.submodule_search_locations)[0]) / inner
    return Path(text)


# The engine's defaults when no app is given: the program ``clishape`` over the specs shipped
# beside the engine (the app ``clishape_commands.app.app`` adds its local service).
SHIPPED_SPECS = Path(__file__).resolve().parents[1] / "specs"
DEFAULT_PROGRAM = Program(
    name="clishape",
    version=ENGINE_VERSION,
    specs=(SHIPPED_SPECS,),
    env_prefix="CLISHAPE",
    description=(
        "clishape is a command line for web services, driven by declarative command specs: "
        "every service and command it knows is read from a spec file."
    ),
)
