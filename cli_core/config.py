"""The profile's CLI settings from the AWS config file (``output``, ``cli_binary_format``, ...).

Read with configparser only when a setting is needed; botocore is not involved. The file is
``AWS_CONFIG_FILE`` or ``~/.aws/config``; the profile is ``--profile``, ``AWS_PROFILE`` or
``default`` (``[default]`` or ``[profile NAME]`` sections).
"""

from __future__ import annotations

import os

from cli_core.errors import ConfigError


class ProfileConfig:
    """One profile's settings: ``path`` of the config file, ``profile`` name, ``values``."""

    __slots__ = ("path", "profile", "values")

    def __init__(self, path: str, profile: str, values: dict | None = None):
        self.path, self.profile, self.values = path, profile, values or {}

    def get(self, key: str, default=None):
        return self.values.get(key, default)


def config_path(environ) -> str:
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def load_profile_config(profile: str | None, environ) -> ProfileConfig:
    """The settings of one profile; an explicitly named profile that does not exist is a 253."""
    import configparser

    path = config_path(environ)
    explicit = profile or environ.get("AWS_PROFILE")
    name = explicit or "default"
    if not os.path.isfile(path):
        return ProfileConfig(path, name)
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"Unable to parse config file {path}: {exc}") from None
    section = "default" if name == "default" else f"profile {name}"
    if not parser.has_section(section):
        if parser.has_section(name):
            section = name
        else:
            return ProfileConfig(path, name)
    return ProfileConfig(path, name, dict(parser.items(section)))
