"""Beside the stages — the config files, read for the settings (``cli_core.settings``) only.

A profile's settings (``output``, ``cli_binary_format``, ``max_attempts``, ...) come from the
app's config file: for an AWS app ``AWS_CONFIG_FILE`` or ``~/.aws/config``, else
``PREFIX_CONFIG_FILE`` or ``~/.NAME/config`` (``cli_core.app``); the profile is ``--profile``,
``AWS_PROFILE`` (``PREFIX_PROFILE``) or ``default`` (``[default]`` or ``[profile NAME]``). The file is read
with configparser on the first ``get`` only, so a run that needs none of its values never opens
it. botocore is not involved.

Errors never quote the file's lines (a credentials file holds secrets): they give the path, the
line number and what is wrong there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cli_core.errors import ConfigError


def expand_user(path: str, environ: Mapping[str, str]) -> str:
    """``~`` at the start of ``path`` as the ``HOME`` of ``environ`` (else the user's home)."""
    if path == "~" or path.startswith("~/"):
        home = environ.get("HOME")
        if home:
            return home + path[1:]
    return os.path.expanduser(path)


def config_path(environ: Mapping[str, str], app=None) -> str:
    """The app's config file (``AWS_CONFIG_FILE`` or ``~/.aws/config`` for an AWS app)."""
    app = _app(app)
    default = app.default_config_file()
    return expand_user(environ.get(app.setting_env("config_file")) or default, environ)


def credentials_path(environ: Mapping[str, str], app=None) -> str:
    app = _app(app)
    default = app.default_credentials_file()
    return expand_user(environ.get(app.setting_env("credentials_file")) or default, environ)


def _app(app):
    if app is None:
        from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

        return DEFAULT_APP
    return app


class ProfileConfig:
    """One profile's settings: ``path`` of the config file, ``profile`` name, ``values``.

    ``values`` (and ``get``) read the file on first use; a file that cannot be decoded or
    parsed is a ConfigError (253) then.
    """

    __slots__ = ("path", "profile", "_values")

    def __init__(self, path: str, profile: str, values: dict | None = None):
        self.path, self.profile = path, profile
        self._values = values

    @property
    def values(self) -> dict:
        if self._values is None:
            self._values = read_profile(self.path, self.profile)
        return self._values

    def get(self, key: str, default=None):
        return self.values.get(key, default)


def load_profile_config(
    profile: str | None, environ: Mapping[str, str], app=None
) -> ProfileConfig:
    """The settings of one profile of the app's config file (read lazily)."""
    name = profile or environ.get(_app(app).setting_env("profile")) or "default"
    return ProfileConfig(config_path(environ, app), name)


def read_profile(path: str, name: str) -> dict:
    """The keys of profile ``name`` in the config file at ``path`` ({} when there is none)."""
    parser = parse_file(path, "config file")
    if parser is None:
        return {}
    section = "default" if name == "default" else f"profile {name}"
    if not parser.has_section(section):
        if not parser.has_section(name):
            return {}
        section = name
    return dict(parser.items(section))


def has_profile(path: str, name: str, what: str = "config file") -> bool:
    """Whether the file at ``path`` has a section for profile ``name``."""
    parser = parse_file(path, what)
    if parser is None:
        return False
    return any(parser.has_section(s) for s in (name, f"profile {name}"))


def parse_file(path: str, what: str):
    """A RawConfigParser over the file, or None when it does not exist; ConfigError if broken."""
    if not os.path.isfile(path):
        return None  # before importing configparser: most runs of a skeleton or help have none
    import configparser

    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh, source=path)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Unable to read the {what} {path}: it is not UTF-8 text "
            f"(byte {exc.start} cannot be decoded)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"Unable to read the {what} {path}: {exc.strerror}") from None
    except configparser.Error as exc:
        raise ConfigError(f"Unable to parse the {what} {path}: {_describe(exc)}") from None
    return parser


def _describe(exc) -> str:
    """What is wrong in a config file, with its line number but none of its text."""
    import configparser

    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno} comes before any [section] header"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"line {exc.lineno}: the section [{_short(exc.section)}] is given twice"
    if isinstance(exc, configparser.DuplicateOptionError):
        return (
            f"line {exc.lineno}: the key '{_short(exc.option)}' is given twice in "
            f"[{_short(exc.section)}]"
        )
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(lineno) for lineno, _ in exc.errors[:5])
        more = f" and {len(exc.errors) - 5} more" if len(exc.errors) > 5 else ""
        return f"line {lines}{more} is not 'key = value', a [section] or a comment"
    return type(exc).__name__


def _short(text: str, limit: int = 60) -> str:
    text = repr(text)[1:-1]
    return text if len(text) <= limit else text[:limit] + "…"
