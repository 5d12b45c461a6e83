"""The local service — starting it: in a background thread (embedded) or in the foreground.

``local_endpoint(home, environ)`` is the hook the clishape app hands the driver; it uses
``start_embedded(state_dir)``: it binds 127.0.0.1 on an ephemeral port
and returns a ``RunningService`` with the endpoint ``url``, the credentials it accepts and a
``stop()`` function. State lives in ``<state_dir>/voiceid.sqlite3`` and survives restarts; the
fake S3 folder is ``<state_dir>/s3`` unless ``s3_root`` says otherwise.

Operations the service does not implement are refused (``NotImplementedException``). With
``CLISHAPE_LOCAL_SAMPLES=1`` (or ``fallback=spec_fallback()``) they are answered with the spec's
sample response instead, marked by the ``x-clishape-local-sample`` response header (which
``clishape --debug`` shows).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCESS_KEY = "AKIDLOCALCLISHAPE"
DEFAULT_SECRET_KEY = "clishape-local-secret"
HOME_ENV = "CLISHAPE_LOCAL_HOME"
ACCESS_KEY_ENV = "CLISHAPE_LOCAL_ACCESS_KEY"
SECRET_KEY_ENV = "CLISHAPE_LOCAL_SECRET_KEY"
SAMPLES_ENV = "CLISHAPE_LOCAL_SAMPLES"
_ON = ("1", "true", "yes", "on")
_OFF = ("", "0", "false", "no", "off")


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$CLISHAPE_LOCAL_HOME``, else ``~/.local/share/clishape/local``.

    ``environ`` is the environment to look in (the process's when None).
    """
    environ = os.environ if environ is None else environ
    home = environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    return Path.home() / ".local" / "share" / "clishape" / "local"


def default_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The credentials the service accepts: env overrides, else the built-in local pair."""
    environ = os.environ if environ is None else environ
    return (
        environ.get(ACCESS_KEY_ENV) or DEFAULT_ACCESS_KEY,
        environ.get(SECRET_KEY_ENV) or DEFAULT_SECRET_KEY,
    )


def samples_wanted(environ: Mapping[str, str]) -> bool:
    """Whether ``CLISHAPE_LOCAL_SAMPLES`` asks for sample answers; a value that is neither on
    nor off is a configuration error naming the variable."""
    value = environ.get(SAMPLES_ENV, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    from cli_core.errors import ConfigError

    shown = value if len(value) <= 40 and value.isprintable() else value[:40] + "..."
    raise ConfigError(f"{SAMPLES_ENV} must be 1/true/yes/on or 0/false/no/off, not {shown!r}")


@contextmanager
def local_endpoint(home: str | None, environ: Mapping[str, str]):
    """The clishape app's local-service hook (``cli_core.driver.main(local_endpoint=...)``).

    Starts the embedded service over ``home`` (else ``CLISHAPE_LOCAL_HOME`` of ``environ``, else
    the default folder) with the keys ``environ`` names, yields ``(url, access_key,
    secret_key, region)`` and stops it afterwards. Sample answers for operations the service
    does not implement only with ``CLISHAPE_LOCAL_SAMPLES=1`` in ``environ``.
    """
    fallback = None
    if samples_wanted(environ):
        from cli_core.settings import spec_roots
        from clishape_local.fallback import spec_fallback

        fallback = spec_fallback(roots=spec_roots(environ))
    state = Path(home).expanduser() if home else default_state_dir(environ)
    access_key, secret_key = default_credentials(environ)
    from clishape_local.store import NewerStateError

    try:
        started = start_embedded(
            state, fallback=fallback, access_key=access_key, secret_key=secret_key
        )
    except NewerStateError as error:
        from cli_core.errors import ConfigError

        raise ConfigError(f"{error} (set CLISHAPE_LOCAL_HOME to use another folder)") from None
    with started as service:
        yield (service.url, service.access_key, service.secret_key, service.region)


@dataclass
class RunningService:
    """A started local service. ``stop()`` may be called more than once."""

    url: str
    stop: Callable[[], None]
    state_dir: Path
    s3_root: Path
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    app: object = field(default=None, repr=False)

    def client_kwargs(self) -> dict:
        """Keyword arguments for ``boto3.client('voice-id', **kwargs)`` aimed at this service."""
        return {
            "endpoint_url": self.url,
            "region_name": self.region,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
        }

    def __enter__(self) -> RunningService:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def open_service(
    state_dir: str | Path | None = None,
    s3_root: str | Path | None = None,
    *,
    processing_steps: int = 3,
    step_seconds: float | None = None,
    clock: Callable[[], float] | None = None,
):
    """The ``VoiceIdService`` over the state folder (created when missing), without a server."""
    from clishape_local.store import Store
    from clishape_local.voiceid import ServiceConfig, VoiceIdService

    state = Path(state_dir) if state_dir is not None else default_state_dir()
    s3 = Path(s3_root) if s3_root is not None else state / "s3"
    s3.mkdir(parents=True, exist_ok=True)
    options = {"processing_steps": processing_steps, "step_seconds": step_seconds}
    if clock is not None:
        options["clock"] = clock
    return VoiceIdService(Store(state), ServiceConfig(s3_root=s3.resolve(), **options))


def build_server(
    host: str = "127.0.0.1",
    port: int = 0,
    state_dir: str | Path | None = None,
    s3_root: str | Path | None = None,
    *,
    fallback=None,
    access_key: str | None = None,
    secret_key: str | None = None,
    allow_unsigned: bool = False,
    log_requests: bool = False,
    max_body_bytes: int | None = None,
    read_timeout: float | None = None,
    **service_options,
):
    """A bound, not yet serving ``LocalServer`` over a state folder.

    ``read_timeout`` is how many seconds a request's body may take to arrive (default 5).
    """
    from clishape_local.server import MAX_BODY_BYTES, READ_TIMEOUT_SECONDS, LocalApp, LocalServer

    default_key, default_secret = default_credentials()
    access_key = access_key or default_key
    secret_key = secret_key or default_secret
    service = open_service(state_dir, s3_root, **service_options)
    app = LocalApp(
        service,
        {access_key: secret_key},
        fallback,
        allow_unsigned,
        max_body_bytes or MAX_BODY_BYTES,
    )
    try:
        server = LocalServer(
            (host, port),
            app,
            log_requests,
            READ_TIMEOUT_SECONDS if read_timeout is None else read_timeout,
        )
    except BaseException:
        service.store.close()
        raise
    return server


def start_embedded(
    state_dir: str | Path | None = None,
    *,
    s3_root: str | Path | None = None,
    fallback=None,
    access_key: str | None = None,
    secret_key: str | None = None,
    **service_options,
) -> RunningService:
    """Serve Voice ID on 127.0.0.1 (ephemeral port) from a background thread.

    ``fallback(operation, params) -> dict`` answers operations without local state (when None,
    they are refused with ``NotImplementedException``);
    ``service_options`` are ``processing_steps``, ``step_seconds`` and ``clock`` (see voiceid),
    and ``allow_unsigned``, ``max_body_bytes``, ``read_timeout`` (see server).
    """
    server = build_server(
        "127.0.0.1",
        0,
        state_dir,
        s3_root,
        fallback=fallback,
        access_key=access_key,
        secret_key=secret_key,
        **service_options,
    )
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="clishape-local",
        daemon=True,
    )
    thread.start()
    stopped = threading.Event()
    service = server.app.service

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join()
        service.store.close()

    key = next(iter(server.app.secrets))
    return RunningService(
        url=server.url,
        stop=stop,
        state_dir=service.store.state_dir,
        s3_root=service.config.s3_root,
        access_key=key,
        secret_key=server.app.secrets[key],
        app=server.app,
    )
