"""Beside the stages — settings: the global options, the environment and the profile's config
file, resolved once into one immutable value that the stages receive.

    settings = resolve_settings(global_args, environ)

The driver builds it right after the global options are split off. Values that need nothing but
the command line and the environment are plain fields; values that may come from the config
file are computed on first use and then kept (``functools.cached_property``), so help pages
never open the file (a command line that neither ``--cli-auto-prompt`` nor
``AWS_CLI_AUTO_PROMPT`` decides looks there for ``cli_auto_prompt``; an unreadable file then
means off, and is reported only where the run needs it). ``check_request()`` and
``check_send()`` resolve every value a request (or a call) needs, so a bad setting stops the run
before anything is read or sent.

Precedence, each first-found wins:

* output: ``--output`` > ``AWS_DEFAULT_OUTPUT`` > config ``output`` > json
* binary format: ``--cli-binary-format`` > config ``cli_binary_format`` > base64
* timestamp format: config ``cli_timestamp_format`` > iso8601
* error format: ``--cli-error-format`` > ``AWS_CLI_ERROR_FORMAT`` > config ``cli_error_format``
  > enhanced (the environment and config values in any case)
* pager: ``--no-cli-pager`` > ``AWS_PAGER`` > config ``cli_pager`` > ``PAGER`` > less
* auto-prompt: ``--no-cli-auto-prompt`` (off) > ``--cli-auto-prompt`` (on) >
  ``AWS_CLI_AUTO_PROMPT`` > config ``cli_auto_prompt`` > off (values on, on-partial, off)
* input merge: ``--cli-input-merge`` > config ``cli_input_merge`` > replace
* region: ``--region`` > ``AWS_REGION`` > ``AWS_DEFAULT_REGION`` > config ``region``
* CA bundle: ``--no-verify-ssl`` > ``--ca-bundle`` > ``AWS_CA_BUNDLE`` > config ``ca_bundle``
* retries: ``AWS_MAX_ATTEMPTS`` > config ``max_attempts``; ``AWS_RETRY_MODE`` > ``retry_mode``
* input size limit: ``CLISHAPE_MAX_INPUT_BYTES`` > config ``cli_max_input_bytes`` > 256 MiB
* file encoding: ``AWS_CLI_FILE_ENCODING`` > utf-8
* a plain HTTP API's secret (``http.auth`` of its spec; ``http_auth``): for each entry in
  order, its environment variable > its key in the profile of the app's config file; never
  the command line
* spec roots: ``CLISHAPE_SPEC_PATH`` entries, then the shipped specs (``spec_roots``)
* cache folder: ``CLISHAPE_CACHE_DIR`` (empty: none) > ``$XDG_CACHE_HOME/clishape`` >
  ``~/.cache/clishape`` (``cache_root``)

A bad value from the command line is a ParamError (252), from the environment or a config file
a ConfigError (253); messages name the source and never repeat a secret.

This module (with ``cli_core.config``, which reads the files for it) is the only place that
looks at the environment; the driver hands it over as a mapping.
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from cli_core.errors import ConfigError, ParamError
from cli_core.frozen import Frozen
from cli_core.options import (
    AUTO_PROMPT_MODES,
    BINARY_FORMATS,
    DEFAULT_ERROR_FORMAT,
    ERROR_FORMATS,
    INPUT_MERGE_MODES,
    OUTPUT_FORMATS,
    RETRY_MODES,
    TIMESTAMP_FORMATS,
)

# What a local-service hook yields: where to send, and as whom.
LocalEndpoint = namedtuple("LocalEndpoint", "url access_key secret_key region")

# The app's own variables are PREFIX_SUFFIX (cli_core.app): CLISHAPE_LOCAL for clishape.
LOCAL_SUFFIX = "LOCAL"
LOCAL_HOME_SUFFIX = "LOCAL_HOME"
MAX_INPUT_SUFFIX = "MAX_INPUT_BYTES"
LOCAL_ENV = "CLISHAPE_LOCAL"
LOCAL_HOME_ENV = "CLISHAPE_LOCAL_HOME"
MAX_INPUT_ENV = "CLISHAPE_MAX_INPUT_BYTES"
MAX_INPUT_KEY = "cli_max_input_bytes"
MAX_SHOWN = 80  # characters of a bad value shown in a message
MAX_PATH = 4096  # characters: longer is no path on any system we run on
# Environment variables whose values are secrets: never printed, redacted in --debug.
SECRET_ENV = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "CLISHAPE_LOCAL_SECRET_KEY",
)
_TRUE = ("1", "true", "yes", "on")
# Environment variables holding a URL besides AWS_ENDPOINT_URL* (botocore fails on bad ones).
URL_ENV = ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
# Environment variables that name a file or folder (the spec path is checked by entry).
PATH_ENV = (
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE",
    "CLISHAPE_CACHE_DIR",
    "CLISHAPE_LOCAL_HOME",
)


def _path_env(app) -> tuple[str, ...]:
    """The variables naming a file or folder for ``app`` (its own prefix, the AWS ones if AWS)."""
    own = (app.env("CACHE_DIR"), app.env(LOCAL_HOME_SUFFIX))
    files = (app.setting_env("config_file"), app.setting_env("credentials_file"))
    return files + (("AWS_CA_BUNDLE",) if app.aws else ()) + own


def _app(app):
    if app is None:
        from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

        return DEFAULT_APP
    return app


class SendSettings(Frozen):
    """How to send: the send stage's part of ``cli_core.settings.Settings``, values checked.

    ``environ`` is the environment botocore sees (credentials, config file paths, ...): the
    run's own mapping, never the process's ``os.environ``.
    """

    __slots__ = _fields = (
        "endpoint_url", "region", "profile", "sign", "verify", "read_timeout", "connect_timeout",
        "paginate", "pagination", "debug", "credentials", "max_attempts", "retry_mode", "environ",
        "cache_dir", "timestamp_format", "prog", "profile_config",
    )  # fmt: skip

    def __init__(
        self,
        endpoint_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        sign: bool = True,
        verify: bool | str = True,
        read_timeout: int | None = None,  # seconds; 0 = no timeout; None = botocore's default
        connect_timeout: int | None = None,
        paginate: bool = True,
        pagination: dict | None = None,  # StartingToken, PageSize, MaxItems (None: {})
        debug: bool = False,
        credentials: tuple[str, str] | None = None,  # (access key, secret) override
        max_attempts: int | None = None,  # total attempts; None = botocore's default
        retry_mode: str | None = None,
        environ: Mapping[str, str] | None = None,  # None: {}
        cache_dir: Path | None = None,  # where the trimmed endpoints file is kept; None = nowhere
        timestamp_format: str = "iso8601",  # "wire": timestamps are kept as the response had them
        prog: str = "clishape",  # the program's name, starting each --debug line
        profile_config: object = None,  # the profile's ``ProfileConfig`` (read on first use)
    ):
        if pagination is None:
            pagination = {}
        if environ is None:
            environ = {}
        self._init(locals())


class Settings(Frozen):
    """Everything a run may consult besides the command's own options."""

    # no __slots__: the values read on first use are kept in the instance's __dict__
    _fields = (
        "environ", "debug", "query", "color", "dry_run", "dry_run_http", "paginate", "no_pager",
        "local", "local_home", "spec_roots", "cache_dir", "file_encoding", "app", "args",
    )  # fmt: skip

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,  # None: an empty mapping
        debug: bool = False,
        query: str | None = None,
        color: str = "auto",
        dry_run: bool = False,
        dry_run_http: bool = False,  # ``--cli-dry-run http``: the HTTP request, not the parameters
        paginate: bool = True,
        no_pager: bool = False,
        local: bool = False,
        local_home: str | None = None,
        spec_roots: tuple[Path, ...] = (),
        cache_dir: Path | None = None,
        file_encoding: str = "utf-8",
        app: object = None,  # the cli_core.app.App this run belongs to (None: the engine's own)
        # the global options as given (None when not given); read by the lazy values below
        args: tuple = (),
    ):
        if environ is None:
            environ = MappingProxyType({})
        if app is None:
            app = _app(None)
        self._init(locals())

    # -- from the config file (read on first use) ------------------------------------------

    @cached_property
    def config(self):
        from cli_core.config import load_profile_config

        return load_profile_config(self._arg("profile"), self.environ, self.app)

    @cached_property
    def output(self) -> str:
        given = self._arg("output")
        if given:
            return given
        for value, where in (
            (self.environ.get(self._env("output")), f"the environment variable {self._env('output')}"),
            (self.config.get("output"), self._config_where("output")),
        ):
            if value:
                if value not in OUTPUT_FORMATS:
                    raise ConfigError(
                        f"Unknown output type '{shown(value)}' from {where}; "
                        f"valid values are {', '.join(OUTPUT_FORMATS)}"
                    )
                return value
        return OUTPUT_FORMATS[0]

    @cached_property
    def binary_format(self) -> str:
        given = self._arg("cli_binary_format")
        if given:
            return given
        return binary_format_from_config(self.config.values, self.config.path) or BINARY_FORMATS[0]

    @cached_property
    def timestamp_format(self) -> str:
        value = self.config.get("cli_timestamp_format")
        if value is None:
            return TIMESTAMP_FORMATS[0]
        value = str(value).strip()
        if value not in TIMESTAMP_FORMATS:
            raise ConfigError(
                f"Unknown cli_timestamp_format value: {shown(value)} in "
                f"{self._config_where('cli_timestamp_format')}, "
                f'valid values are "wire" or "iso8601"'
            )
        return value

    @cached_property
    def error_format(self) -> str:
        """How errors are written (``options.ERROR_FORMATS``); a bad value is a ConfigError."""
        given = self._arg("cli_error_format")
        if given:
            return given
        value, where = self._env_or_config(self._env("error_format"), "cli_error_format")
        if not value or not value.strip():
            return DEFAULT_ERROR_FORMAT
        if value.strip().lower() not in ERROR_FORMATS:
            raise ConfigError(
                f"Unknown error format '{shown(value)}' from {where}; "
                f"valid values are {', '.join(ERROR_FORMATS)}"
            )
        return value.strip().lower()

    @cached_property
    def auto_prompt(self) -> str:
        """The auto-prompt mode (``options.AUTO_PROMPT_MODES``); a bad value is a ConfigError."""
        if self._arg("no_cli_auto_prompt"):
            return "off"
        if self._arg("cli_auto_prompt"):
            return "on"
        try:
            value, where = self._env_or_config(self._env("auto_prompt"), "cli_auto_prompt")
        except ConfigError:  # an unreadable config file: reported where the run needs it
            return "off"
        return _mode(value, where, AUTO_PROMPT_MODES, "auto-prompt mode") or "off"

    @cached_property
    def input_merge(self) -> str:
        """How command-line values meet an input document (``options.INPUT_MERGE_MODES``)."""
        given = self._arg("cli_input_merge")
        if given:
            return given
        value = self.config.get("cli_input_merge")
        where = self._config_where("cli_input_merge") if value is not None else ""
        return _mode(value, where, INPUT_MERGE_MODES, "input merge mode") or INPUT_MERGE_MODES[0]

    @cached_property
    def pager(self) -> list[str] | None:
        """The pager command as an argv list, or None (only looked at on a terminal)."""

        return pager_command(
            no_pager=self.no_pager,
            environ=self.environ,
            config=self.config,
            pager_env=self._env("pager"),
        )

    @cached_property
    def max_input_bytes(self) -> int:
        from cli_core.shapes.codecs import DEFAULT_MAX_INPUT_BYTES

        limit = self._checked(
            self.app.env(MAX_INPUT_SUFFIX), MAX_INPUT_KEY, _positive_number,
            "a whole number of bytes, 1 or more",
        )
        return DEFAULT_MAX_INPUT_BYTES if limit is None else limit

    @cached_property
    def files(self):
        """How parameter files and input documents are read (``codecs.FileReading``)."""
        import codecs

        from cli_core.shapes.codecs import FileReading

        try:
            codecs.lookup(self.file_encoding)
        except LookupError:
            raise ConfigError(
                f"Unknown encoding '{shown(self.file_encoding)}' from the environment variable "
                f"{self._env('file_encoding')}"
            ) from None
        return FileReading(encoding=self.file_encoding, max_bytes=self.max_input_bytes)

    # -- sending ---------------------------------------------------------------------------

    @cached_property
    def region(self) -> str | None:
        for value, where, error in (
            (self._arg("region"), "--region", ParamError),
            (self.environ.get("AWS_REGION"), "the environment variable AWS_REGION", ConfigError),
            (
                self.environ.get("AWS_DEFAULT_REGION"),
                "the environment variable AWS_DEFAULT_REGION",
                ConfigError,
            ),
            (self.config.get("region"), self._config_where("region"), ConfigError),
        ):
            if value:
                return check_region(value, where, error)
        return None

    @cached_property
    def endpoint_url(self) -> str | None:
        """``--endpoint-url``, checked; the URLs botocore reads itself are checked too."""
        given = self._arg("endpoint_url")
        if given is not None:
            check_endpoint_url(given)
        for name in sorted(self.environ):
            if name.startswith("AWS_ENDPOINT_URL") or name in URL_ENV:
                value = self.environ[name]
                if value:
                    check_endpoint_url(value, f"the environment variable {name}", ConfigError)
        for key in ("endpoint_url", "ec2_metadata_service_endpoint"):
            value = self.config.get(key)
            if value:
                check_endpoint_url(value, self._config_where(key), ConfigError)
        return given

    @cached_property
    def verify(self) -> bool | str:
        if self._arg("no_verify_ssl"):
            return False
        for value, where, error in (
            (self._arg("ca_bundle"), "--ca-bundle", ParamError),
            (self.environ.get("AWS_CA_BUNDLE"), "the environment variable AWS_CA_BUNDLE",
             ConfigError),
            (self.config.get("ca_bundle"), self._config_where("ca_bundle"), ConfigError),
        ):  # fmt: skip
            if value:
                import os

                from cli_core.config import expand_user

                path = expand_user(check_path(value, where, error), self.environ)
                if not os.path.exists(path):
                    raise error(f"The CA bundle '{shown(value)}' from {where} does not exist")
                return path
        return True

    @cached_property
    def max_attempts(self) -> int | None:
        return self._checked(
            "AWS_MAX_ATTEMPTS", "max_attempts", _positive_number,
            "a whole number of attempts, 1 or more",
        )  # fmt: skip

    @cached_property
    def retry_mode(self) -> str | None:
        return self._checked(
            "AWS_RETRY_MODE", "retry_mode", lambda v: v.strip() if v.strip() in RETRY_MODES else None,
            f"one of {', '.join(RETRY_MODES)}",
        )  # fmt: skip

    def timeout(self, dest: str) -> int | None:
        """A timeout option's seconds (the argv stage checked its range), or None."""
        return self._arg(dest)

    def send_settings(self, pagination: dict | None = None, *, local: LocalEndpoint | None = None):
        """The send stage's part (``transport.SendSettings``), every value checked."""

        self.check_send()
        values = dict(
            endpoint_url=self.endpoint_url,
            region=self.region,
            profile=self._arg("profile"),
            sign=not self._arg("no_sign_request"),
            verify=self.verify,
            read_timeout=self.timeout("cli_read_timeout"),
            connect_timeout=self.timeout("cli_connect_timeout"),
            paginate=self.paginate,
            pagination=dict(pagination or {}),
            debug=self.debug,
            max_attempts=self.max_attempts,
            retry_mode=self.retry_mode,
            environ=self.environ,
            cache_dir=self.cache_dir,
            timestamp_format=self.timestamp_format,
            prog=self.app.name,
            profile_config=self.config,
        )
        if local is not None:
            url, access_key, secret_key, region = local
            values.update(
                endpoint_url=url,
                credentials=(access_key, secret_key),
                region=self._arg("region") and self.region or region,
            )
        return SendSettings(**values)

    # -- checks ----------------------------------------------------------------------------

    def check_request(self) -> None:
        """Check the settings a request uses, and the global values given, before files are read."""
        self.output  # noqa: B018 - resolving raises on a bad value
        self.binary_format  # noqa: B018
        self.timestamp_format  # noqa: B018
        self.error_format  # noqa: B018
        self.input_merge  # noqa: B018
        self.endpoint_url  # noqa: B018
        self.max_input_bytes  # noqa: B018
        if self.query is not None:
            check_text(self.query, "--query")

    def check_send(self) -> None:
        """Resolve what a call needs (before anything is sent)."""
        self.check_request()
        self.region  # noqa: B018
        self.endpoint_url  # noqa: B018
        self.verify  # noqa: B018
        self.max_attempts  # noqa: B018
        self.retry_mode  # noqa: B018
        if self._arg("no_sign_request") is not True and self.app.aws:
            from cli_core.config import credentials_path, parse_file

            parse_file(credentials_path(self.environ, self.app), "credentials file")

    def check_profile(self) -> None:
        """A profile named by ``--profile`` or the environment must exist (a handler command
        checks here; botocore checks it for a command that is sent)."""
        named = self._arg("profile") or self.environ.get(self._env("profile"))
        if not named or named == "default":
            return
        from cli_core.config import config_path, credentials_path, has_profile

        if has_profile(config_path(self.environ, self.app), named):
            return
        if self.app.aws and has_profile(
            credentials_path(self.environ, self.app), named, "credentials file"
        ):
            return
        raise ConfigError(f"The config profile ({shown(named)}) could not be found")

    # -- secrets ---------------------------------------------------------------------------

    def secrets(self) -> set[str]:
        """The secret values this run knows of from its environment (never to be printed)."""
        return {self.environ[name] for name in SECRET_ENV if self.environ.get(name)}

    # -- helpers ---------------------------------------------------------------------------

    def _env(self, key: str) -> str:
        """The environment variable of a CLI setting for this app (``AWS_*`` for AWS apps)."""
        return self.app.setting_env(key)

    def _arg(self, dest: str):
        return getattr(self.args, dest, None) if self.args else None

    def _config_where(self, key: str) -> str:
        return f"'{key}' in profile '{self.config.profile}' of {self.config.path}"

    def _checked(self, env_name: str, key: str, parse, expected: str):
        """The environment variable ``env_name``, else config ``key``, through ``parse`` (None
        when neither is set); a value ``parse`` refuses (returns None for) is a ConfigError."""
        value, where = self._env_or_config(env_name, key)
        if value is None:
            return None
        parsed = parse(value)
        if parsed is None:
            raise ConfigError(f"Bad value '{shown(value)}' for {where}: expected {expected}")
        return parsed

    def _env_or_config(self, env_name: str, key: str):
        value = self.environ.get(env_name)
        if value is not None:
            return value, f"the environment variable {env_name}"
        value = self.config.get(key)
        if value is not None:
            return str(value), self._config_where(key)
        return None, ""


def resolve_settings(args, environ: Mapping[str, str], app=None) -> Settings:
    """The settings of one run of ``app``: the global options (``GlobalArgs``) over ``environ``."""

    app = _app(app)
    env = MappingProxyType(dict(environ))
    for name in _path_env(app):
        if env.get(name):
            check_path(env[name], f"the environment variable {name}")
    roots = tuple(spec_roots(env, app))
    for root in roots:
        check_path(str(root), f"an entry of {app.env('SPEC_PATH')}")
    return Settings(
        environ=env,
        debug=bool(args.debug),
        query=args.query,
        color=args.color or "auto",
        dry_run=bool(args.cli_dry_run),
        dry_run_http=args.cli_dry_run == "http",
        paginate=not args.no_paginate,
        no_pager=bool(args.no_cli_pager),
        local=env.get(app.env(LOCAL_SUFFIX), "").lower() in _TRUE,
        local_home=env.get(app.env(LOCAL_HOME_SUFFIX)) or None,
        spec_roots=roots,
        cache_dir=cache_root(env, app),
        file_encoding=env.get(app.setting_env("file_encoding")) or "utf-8",
        app=app,
        args=args,
    )


# -- checks of single values ----------------------------------------------------------------


def shown(text, limit: int = MAX_SHOWN) -> str:
    """A value for a one-line message: control characters escaped, long text cut short."""
    text = str(text)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _mode(value, where: str, modes: tuple[str, ...], what: str) -> str | None:
    """A mode from the environment or a config file, lower-cased; None when unset or empty."""
    if value is None or not str(value).strip():
        return None
    mode = str(value).strip().lower()
    if mode not in modes:
        raise ConfigError(
            f"Unknown {what} '{shown(str(value))}' from {where}; "
            f"valid values are {', '.join(modes)}"
        )
    return mode


def binary_format_from_config(config, config_path: str) -> str | None:
    """The profile's ``cli_binary_format``, or None; an invalid value is a ConfigError."""
    value = config.get("cli_binary_format")
    if value is None:
        return None
    value = str(value).strip()
    if value not in BINARY_FORMATS:
        raise ConfigError(
            f"{config_path}: cli_binary_format = '{shown(value)}' is not valid; "
            f"expected one of: {', '.join(BINARY_FORMATS)}"
        )
    return value


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def check_path(value: str, where: str, error=ConfigError) -> str:
    """``value`` if it can name a file or folder: no NUL character, at most ``MAX_PATH`` long."""
    if "\x00" in value:
        raise error(f"Bad path from {where}: it contains a NUL character")
    if len(value) > MAX_PATH:
        raise error(
            f"Bad path from {where}: it is too long to name a file or folder: {shown(value)}"
        )
    return value


def check_text(value: str, where: str) -> str:
    if "\x00" in value:
        raise ParamError(f"Bad value for {where}: it contains a NUL character")
    return value


def _whole_number(value) -> int | None:
    text = str(value).strip()
    if not text or len(text) > 18 or not text.lstrip("-+").isdigit():
        return None
    return int(text)


def _positive_number(value) -> int | None:
    """A whole number of 1 or more, or None."""
    number = _whole_number(value)
    return number if number is not None and number >= 1 else None


def check_region(value: str, where: str, error=ConfigError) -> str:
    """``value`` if it can be a region name (letters, digits, inner hyphens, 1-63 characters)."""
    inner = value[1:-1]
    if (
        len(value) <= 63
        and value.isascii()
        and value[0].isalnum()
        and value[-1].isalnum()
        and all(ch.isalnum() or ch == "-" for ch in inner)
    ):
        return value
    raise error(
        f"Bad region '{shown(value)}' from {where}: a region name has only letters, digits and "
        "hyphens (like us-east-1)"
    )


def check_endpoint_url(url: str, where: str = "--endpoint-url", error=ParamError) -> str:
    """``url`` if it is an http(s) URL with a host and a valid port; ``error`` otherwise.

    Stricter than the AWS CLI, which takes ``localhost:8000`` as a URL with the scheme
    ``localhost`` and only fails later, inside botocore, with exit 255.
    """
    from urllib.parse import urlsplit

    problem = None
    if not url.isprintable() or " " in url:
        problem = "it contains a space or a control character"
    else:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            text = str(exc)
            if "IPv6" in text:
                problem = "its IPv6 address is not written as [address]"
            elif "Port" in text or "port" in text:
                problem = "its port is not a number from 1 to 65535"
            else:
                problem = "it is not a URL"
        else:
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problem = "scheme is missing" if "://" not in url else "it is not an http(s) URL"
            elif not parts.hostname:
                problem = "it has no host name"
            elif port == 0:
                problem = "its port is not a number from 1 to 65535"
    if problem is None:
        return url
    subject = "--endpoint-url" if where == "--endpoint-url" else f"the URL from {where}"
    raise error(
        f'Bad value for {subject} "{shown(url)}": {problem}. '
        "Must be of the form http://<hostname>/ or https://<hostname>/"
    )


MIN_REDACTED = 6  # shorter secrets are not searched for inside text (``y`` in ``Type``)


def redact_environ_secrets(text: str, environ: Mapping[str, str]) -> str:
    """``text`` with the values of the secret variables (``SECRET_ENV``) of ``environ`` as ``***``."""
    return redact_text(text, {environ[n] for n in SECRET_ENV if environ.get(n)})


def redact_text(text: str, secrets) -> str:
    """``text`` with every secret value (of ``MIN_REDACTED`` characters or more) as ``***``."""
    for secret in sorted((s for s in secrets if len(s) >= MIN_REDACTED), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


# -- the secret of a plain HTTP API ------------------------------------------------------------

# How a plain HTTP API (a service spec with ``http:``) is authenticated: ``kind`` bearer, basic
# or api-key; an api key goes ``placement`` header or query under ``name``; ``secret`` is the
# token, ``user:password`` or key; ``source`` says where it was found (never the secret itself).
HttpAuth = namedtuple("HttpAuth", "kind placement name secret source")
HTTP_AUTH_KINDS = ("bearer", "basic", "api-key")


def http_auth(entries, environ: Mapping[str, str], config=None):
    """The first usable entry of a service's ``http.auth`` list as an ``HttpAuth``, or None.

    An entry is usable when its secret is set: the environment variable ``env`` (first), else
    the key ``config`` in the run's profile of the app's config file (``config``: the
    ``ProfileConfig`` of ``--profile``, the profile variable or default). A secret never comes
    from the command line. A secret a header cannot carry, or a basic one without
    ``user:password``, is a ConfigError naming where it was found.
    """
    for entry in entries or ():
        if not isinstance(entry, dict):
            continue
        value, source = None, ""
        env_name = entry.get("env")
        if env_name and environ.get(env_name):
            value, source = environ[env_name], f"the environment variable {env_name}"
        elif entry.get("config") and config is not None:
            found = config.get(entry["config"])
            if found:
                value = str(found)
                source = f"'{entry['config']}' in profile '{config.profile}' of {config.path}"
        if value is None:
            continue
        kind = entry.get("type")
        if kind not in HTTP_AUTH_KINDS:
            raise ConfigError(
                f"The service's http.auth entry for {source} has the type '{shown(kind)}'; "
                f"expected one of {', '.join(HTTP_AUTH_KINDS)}"
            )
        value = value.strip()
        if not (value.isascii() and value.isprintable()):
            raise ConfigError(
                f"The secret from {source} contains a line break, a non-ASCII or another "
                "character a request cannot carry"
            )
        if kind == "basic" and ":" not in value:
            raise ConfigError(f"The credentials from {source} must be written user:password")
        placement = entry.get("in", "header") if kind == "api-key" else "header"
        name = entry.get("name") or "Authorization"
        return HttpAuth(kind, placement, name, value, source)
    return None


def http_auth_places(entries) -> list[str]:
    """Where ``http_auth`` looks for a secret, for a hint when none was found."""
    places = []
    for entry in entries or ():
        if isinstance(entry, dict):
            if entry.get("env"):
                places.append(entry["env"])
            if entry.get("config"):
                places.append(f"'{entry['config']}' in the profile")
    return places


# -- where specs and derived files live ----------------------------------------------------

# The specs that ship with clishape (the folder specs/ beside cli_core/).
SHIPPED_SPECS = Path(__file__).resolve().parents[1] / "specs"


def spec_roots(environ=None, app=None) -> list[Path]:
    """Spec roots in search order: the entries of the app's ``PREFIX_SPEC_PATH``
    (``CLISHAPE_SPEC_PATH``) in ``environ``, then the app's own spec folders (for clishape, the
    shipped specs; without an environment, only those).

    An entry that does not exist is skipped (as in ``PATH``); one that exists but is not a
    readable folder (a file, a loop of symbolic links, a name too long) is a ConfigError (253).
    """
    app = _app(app)
    variable = app.env("SPEC_PATH")
    extra = (environ or {}).get(variable, "")
    roots = []
    for entry in extra.split(os.pathsep):
        if not entry:
            continue
        problem = _root_problem(entry)
        if problem:
            shown = entry if len(entry) <= 80 else f"{entry[:60]}... ({len(entry)} characters)"
            raise ConfigError(f"{variable} entry {shown!r}: {problem}")
        roots.append(Path(entry))
    roots.extend(app.spec_folders())
    return roots


def _root_problem(entry: str) -> str | None:
    import errno
    import stat

    try:
        st = os.stat(entry)
    except ValueError:
        return "not a valid path"
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        return exc.strerror or "cannot be read"
    if not stat.S_ISDIR(st.st_mode):
        return "not a folder"
    if not os.access(entry, os.R_OK | os.X_OK):
        return "permission denied"
    return None


def cache_root(environ=None, app=None) -> Path | None:
    """Where derived files are kept, from ``environ``: ``PREFIX_CACHE_DIR`` (``CLISHAPE_CACHE_DIR``;
    empty turns the cache off), else ``$XDG_CACHE_HOME/NAME``, else ``~/.cache/NAME`` (the home
    folder from ``HOME``). Without an environment there is no cache."""
    if environ is None:
        return None
    app = _app(app)
    variable = app.env("CACHE_DIR")
    if variable in environ:
        value = environ[variable]
        return Path(value) if value else None
    base = environ.get("XDG_CACHE_HOME")
    if not base:
        home = environ.get("HOME") or _home_from_passwd()
        if not home:
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / app.name


def _home_from_passwd() -> str | None:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return None


# -- the pager ----------------------------------------------------------------------------

DEFAULT_PAGER = "less"


def pager_command(
    *, no_pager: bool, environ: Mapping[str, str], config, pager_env: str = "AWS_PAGER"
) -> list[str] | None:
    """The pager command as an argv list, or None when there is no pager.

    ``config`` is anything with ``get`` (the profile's settings), consulted only when
    ``AWS_PAGER`` is not set.
    """
    if no_pager:
        return None
    if pager_env in environ:
        text, source = environ[pager_env], pager_env
    elif config.get("cli_pager") is not None:
        text, source = str(config.get("cli_pager")), "cli_pager"
    elif "PAGER" in environ:
        text, source = environ["PAGER"], "PAGER"
    else:
        text, source = DEFAULT_PAGER, "default"
    import shlex

    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise ConfigError(f"Cannot use the pager {source}={text!r}: {error}") from None
    return argv or None
