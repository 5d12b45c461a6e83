"""Stage 4 (send) — the request goes over the wire through botocore.

A compiled command spec says everything botocore's service model says about its operation, so
the client is botocore's own, built from a model made from the spec: :func:`service_model`
gives the ``service-2`` dict (metadata, the one operation, its shapes), and a small loader hands
it to a botocore Session together with the pagination config and, when botocore ships the
service, its endpoint ruleset. Serializing, signing, endpoint resolution, retries, TLS and
timeouts are therefore botocore's. Services botocore does not know get its legacy endpoint
routing: ``https://<endpointPrefix>.<region>.amazonaws.com``.

botocore is imported only inside functions here (and in ``paginate``/``debuglog`` helpers), so
parsing, help and validation never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from cli_core.errors import CLIError, ConfigError, EndpointError, ParamError, ServiceError
from cli_core.program import ENGINE_VERSION as __version__
from cli_core.send.deferred import collection_paused, defer_unused_imports
from cli_core.send.paginate import (
    MAX_ITEMS_WARNING,
    merge_pages,
    pagination_config,
    paginator_config,
    should_paginate,
    unshadow,
)
from cli_core.settings import SendSettings, check_endpoint_url

NO_CREDENTIALS = (
    "Unable to locate credentials. You can configure credentials by running "
    '"aws configure" or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
)
NO_REGION = (
    "You must specify a region. Use --region or set the AWS_REGION environment variable "
    '(or "region" in your AWS config file).'
)
NO_VERIFY_WARNING = (
    "warning: TLS certificate verification is turned off (--no-verify-ssl); "
    "the endpoint's identity is not checked."
)
# Keys of a compiled operation that are clishape's, not botocore's.
_CLI_OPERATION_KEYS = {"name", "input", "output", "errors", "documentation", "pagination", "handler"}
_CLI_REF_KEYS = {"cli_name", "cli_aliases", "documentation"}


# -- the response ------------------------------------------------------------------------------


@dataclass
class Response:
    """What the service answered: pages as they come, or the merged result.

    Pages are fetched lazily (the first one already by :func:`send`) and kept, so ``pages()``
    and ``result()`` may both be used. ``resume_token`` is set once all pages are read and
    ``--max-items`` cut the listing short; ``metadata`` holds each page's ResponseMetadata.
    """

    operation: str
    paginated: bool = False
    _source: Iterator | None = None
    _page_iterator: object | None = None
    _pages: list = field(default_factory=list)
    metadata: list = field(default_factory=list)
    resume_token: str | None = None
    _secrets: frozenset = frozenset()  # never repeated in an error message
    _error_members: dict = field(default_factory=dict)  # error code -> its shape's members

    def _next_page(self) -> dict | None:
        if self._source is None:
            return None
        with translated_errors(self._secrets, self._error_members):
            try:
                page = next(self._source)
            except StopIteration:
                self._source = None
                if self._page_iterator is not None:
                    self.resume_token = self._page_iterator.resume_token
                return None
        page = dict(page)
        self.metadata.append(page.pop("ResponseMetadata", None))
        self._pages.append(page)
        return page

    def pages(self) -> Iterator[dict]:
        """Each page without ResponseMetadata, in order (one page when not paginated)."""
        index = 0
        while True:
            if index < len(self._pages):
                yield self._pages[index]
                index += 1
            elif self._next_page() is None:
                return

    @property
    def result_key_names(self) -> tuple[str, ...]:
        """The top-level members a paginated listing gathers across pages (``Contents``,
        ``CommonPrefixes``), or () when the answer is not paginated."""
        if not self.paginated or self._page_iterator is None:
            return ()
        names = (key.expression for key in self._page_iterator.result_keys)
        return tuple(name for name in names if name.isidentifier())

    def result(self) -> dict:
        """The whole result: all pages merged when paginated, else the one response."""
        pages = list(self.pages())
        if not self.paginated:
            return pages[0] if pages else {}
        iterator = self._page_iterator
        return merge_pages(
            pages, iterator.result_keys, iterator.non_aggregate_part, self.resume_token
        )


# -- a payload to a file (outfile) ------------------------------------------------------------

PAYLOAD_CHUNK = 64 * 1024  # bytes read from the response body and written at a time


def write_payload(response: Response, member: str, path: str) -> None:
    """Write the response's ``member`` (its payload: a stream, bytes or events) to the file
    ``path`` chunk by chunk, and take it out of the response, which is then printed as usual.

    As in the AWS CLI the file is opened only once the service has answered (an error answer
    creates no file), and a response without the member writes nothing. A file that cannot be
    written is an error naming it (exit 255).
    """
    pages = list(response.pages())
    if not pages or member not in pages[0]:
        return
    body = pages[0].pop(member)
    try:
        try:
            out = open(path, "wb")  # noqa: SIM115 - closed below
        except (OSError, ValueError) as exc:
            raise _write_error(path, exc) from None
        with out, translated_errors(response._secrets):
            for chunk in _chunks(body):
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _write_error(path, exc) from None
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _chunks(body) -> Iterator[bytes]:
    """The payload's bytes as they arrive: a blob, a stream read in chunks, or an event stream
    (each event's blob payload, in order; events without one, such as progress, are skipped)."""
    if isinstance(body, (bytes, bytearray)):
        yield bytes(body)
    elif hasattr(body, "read"):
        yield from iter(lambda: body.read(PAYLOAD_CHUNK), b"")
    elif body is not None:
        for event in body:
            for fields in event.values():
                for value in fields.values() if isinstance(fields, dict) else ():
                    if isinstance(value, (bytes, bytearray)):
                        yield bytes(value)


def _write_error(path: str, exc: Exception) -> CLIError:
    from cli_core.shapes.codecs import shown_value

    reason = getattr(exc, "strerror", None) or "not a valid file name"
    return CLIError(f"cannot write the output file '{shown_value(path, 300)}': {reason}")


# -- sending -----------------------------------------------------------------------------------


@collection_paused
def send(
    command, params: dict, settings: SendSettings, *, stderr, make_client=None, before_send=None
) -> Response:
    """Call the command's operation with ``params``; the first page is fetched before returning.

    ``make_client``: a callable returning the ``(session, client)`` to call through, for many
    calls sharing one client (a batch); by default :func:`build_client` makes a new one.
    A plain HTTP API (``cli_core.send.http``) is sent unsigned with its own additions.
    ``before_send`` is registered last on botocore's ``before-send`` event (the wire dry run
    stops there).
    """
    http = None
    if command.raw.get("service_http") is not None:
        from cli_core.send.http import plan

        http = plan(command, settings)
        settings = http.settings
    params, pagination = unshadow(command, params, settings.paginate, settings.pagination)
    paging = should_paginate(command, params, settings.paginate, pagination)
    if settings.endpoint_url is not None:
        check_endpoint_url(settings.endpoint_url)
    max_items = pagination.get("MaxItems")
    if paging and max_items is not None and int(max_items) <= 0:
        stderr.write(MAX_ITEMS_WARNING + "\n")
    if settings.verify is False:
        stderr.write(NO_VERIFY_WARNING + "\n")
    secrets = env_secrets(settings.environ)
    members = error_members(command)
    with translated_errors(secrets, members):
        try:
            session, client = (make_client or build_client)(command, settings)
        except ValueError as exc:  # only settings go in: one botocore refused without a class
            from cli_core.settings import redact_text, shown

            problem = shown(redact_text(str(exc), secrets), 200)
            raise ConfigError(f"A setting was refused while preparing the request: {problem}") from None
        secrets |= credential_secrets(session, settings)
        if http is not None:
            if not getattr(client, "_clishape_http_attached", False):  # once per shared client
                http.attach(client.meta.events)
                client._clishape_http_attached = True
            secrets |= http.secrets
        if settings.debug:
            from cli_core.send.debuglog import DebugLog

            credentials = session.get_credentials if settings.sign else None
            DebugLog(command, stderr, credentials, f"{settings.prog}: ", secrets).attach(
                client.meta.events
            )
        if before_send is not None:
            client.meta.events.register("before-send", before_send)
        from botocore import xform_name

        method = xform_name(command.operation)
        if paging:
            paginator = client.get_paginator(method)
            page_iterator = paginator.paginate(
                **params, PaginationConfig=pagination_config(pagination)
            )
            response = Response(command.operation, True, iter(page_iterator), page_iterator)
        else:
            call = getattr(client, method)
            response = Response(command.operation, False, _once(call, params))
    response._secrets = frozenset(secrets)
    response._error_members = members
    response._next_page()
    return response


def _once(call, params: dict) -> Iterator[dict]:
    yield call(**params)


def env_secrets(environ: Mapping[str, str]) -> set[str]:
    from cli_core.settings import SECRET_ENV

    return {environ[name] for name in SECRET_ENV if environ.get(name)}


def credential_secrets(session, settings: SendSettings) -> set[str]:
    """The secret key and token a signed call will use, after checking a header can carry them.

    A value with a line break or control character would otherwise end in an error message
    from the HTTP layer that quotes the whole header (exit 255, secret printed).
    """
    if not settings.sign:
        return set()
    if settings.credentials is not None:
        access_key, secret_key = settings.credentials
        parts = {"access key id": access_key, "secret access key": secret_key}
    else:
        creds = session.get_credentials()
        frozen = creds.get_frozen_credentials() if creds is not None else None
        if frozen is None:
            return set()
        parts = {
            "access key id": frozen.access_key,
            "secret access key": frozen.secret_key,
            "session token": frozen.token,
        }
    for label, value in parts.items():
        if label == "secret access key":
            continue  # only signs, never sent: any text will do (and fail to sign, if wrong)
        if value and not (value.isascii() and value.isprintable() and " " not in value):
            raise ConfigError(
                f"The AWS {label} in use contains a space, a line break or another character "
                "a request header cannot carry; check where it is set (the AWS_* environment "
                "variables or the credentials file)"
            )
    return {v for k, v in parts.items() if v and k != "access key id"}


def build_client(command, settings: SendSettings):
    """A botocore (session, client) for the command's service, configured by ``settings``."""
    from botocore import UNSIGNED
    from botocore.config import Config

    _use_crt_as_the_aws_cli_does()
    session = _session_class()(settings.environ, profile=settings.profile or None)
    session.user_agent_name = "clishape"
    session.user_agent_version = __version__
    session.register_component("data_loader", _spec_loader(session, command, settings.cache_dir))
    _keep_wire_timestamps(session, settings.timestamp_format)
    if settings.verify is False:
        _silence_insecure_warnings()

    config: dict = {"proxies": _proxies(settings.environ)}
    if not settings.sign:
        config["signature_version"] = UNSIGNED
    if settings.read_timeout is not None:
        config["read_timeout"] = settings.read_timeout or None
    if settings.connect_timeout is not None:
        config["connect_timeout"] = settings.connect_timeout or None
    # AWS CLI v2's default mode is 'standard' (3 attempts, backoff with jitter, throttling and
    # transient errors retried); botocore's own default would be 'legacy' (5 attempts)
    retries: dict = {"mode": settings.retry_mode or "standard"}
    if settings.max_attempts is not None:
        retries["total_max_attempts"] = settings.max_attempts
    config["retries"] = retries
    keys: dict = {}
    if settings.credentials is not None and settings.sign:
        keys = {
            "aws_access_key_id": settings.credentials[0],
            "aws_secret_access_key": settings.credentials[1],
        }
    verify = None if settings.verify is True else settings.verify
    # botocore itself reads AWS_DEFAULT_REGION and the config file, not AWS_REGION
    region = settings.region or settings.environ.get("AWS_REGION") or None

    def create():
        return session.create_client(
            command.service,
            region_name=region,
            endpoint_url=settings.endpoint_url,
            verify=verify,
            config=Config(**config),
            **keys,
        )

    client = create()
    if config["proxies"] and _bypasses_proxy(client.meta.endpoint_url, settings.environ):
        config["proxies"] = {}  # the endpoint is one NO_PROXY names: again, without proxies
        client = create()
    return session, client


def _use_crt_as_the_aws_cli_does() -> None:
    """Use the AWS Common Runtime (awscrt) where AWS CLI v2 uses it, and only there.

    Checksums: botocore computes a request checksum for the operations that take one (S3
    uploads, delete-objects, tagging, ...) with CRC32 by default; AWS CLI v2 uses CRC64NVME,
    which only the CRT computes, so the request headers and the checksum members of answers
    (``ChecksumCRC64NVME``, ``ChecksumAlgorithm``) would differ. Signing: with the CRT present
    botocore signs SigV4 with it too, where AWS CLI v2 keeps botocore's own signer (the CRT only
    for SigV4a). Without awscrt nothing changes (CRC32 checksums).
    """
    from botocore import auth, httpchecksum
    from botocore.compat import HAS_CRT

    if not HAS_CRT:
        return
    if "crc64nvme" in getattr(httpchecksum, "_CHECKSUM_CLS", {}):
        httpchecksum.DEFAULT_CHECKSUM_ALGORITHM = "CRC64NVME"
    python_signers = {
        "v4": auth.SigV4Auth,
        "v4-query": auth.SigV4QueryAuth,
        "s3v4": auth.S3SigV4Auth,
        "s3v4-query": auth.S3SigV4QueryAuth,
    }
    auth.AUTH_TYPE_MAPS.update(python_signers)


def _keep_wire_timestamps(session, timestamp_format: str) -> None:
    """With ``cli_timestamp_format = wire``, the response parser leaves every timestamp as it
    came on the wire: the epoch number of the JSON protocols, the text of the XML ones."""
    if timestamp_format != "wire":
        return
    factory = session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=_as_sent)


def _as_sent(value):
    return value


def _proxies(environ: Mapping[str, str]) -> dict:
    """``http``/``https`` proxies from ``*_proxy`` variables (lower case wins), like urllib."""
    proxies: dict = {}
    for name, value in environ.items():
        lower = name.lower()
        if value and lower in ("http_proxy", "https_proxy") and name.isupper():
            proxies[lower[: -len("_proxy")]] = value
    for name, value in environ.items():
        if value and name in ("http_proxy", "https_proxy"):
            proxies[name[: -len("_proxy")]] = value
    return proxies


def _bypasses_proxy(url: str, environ: Mapping[str, str]) -> bool:
    from urllib.parse import urlsplit
    from urllib.request import proxy_bypass_environment

    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY")
    if not no_proxy:
        return False
    try:
        host = urlsplit(url).netloc
    except ValueError:
        return False
    return bool(proxy_bypass_environment(host, {"no": no_proxy}))


_SESSION_CLASS = None


def _session_class():
    """A botocore Session that reads a given environment mapping instead of ``os.environ``.

    botocore looks up its settings (region, config and credentials file paths, retries, ...)
    and the environment credentials through providers that take the mapping they read; this
    session hands them the run's environment, so a run never depends on, or changes, the
    process's environment.
    """
    global _SESSION_CLASS
    if _SESSION_CLASS is not None:
        return _SESSION_CLASS
    from botocore import configprovider as cp
    from botocore import hooks
    from botocore.session import Session

    class EnvironSession(Session):
        def __init__(self, environ, **kwargs):
            self._clishape_environ = environ
            super().__init__(event_hooks=_QuickEmitter(), **kwargs)

        def _register_builtin_handlers(self, events):
            self._events = _QuickAliaser(self._original_handler)
            super()._register_builtin_handlers(self._events)

        def _register_config_store(self):
            chains = cp.ConfigChainFactory(session=self, environ=self._clishape_environ)
            mapping = cp._create_config_chain_mapping(chains, cp.BOTOCORE_DEFAUT_SESSION_VARIABLES)
            for section, variables in (
                ("s3", cp.DEFAULT_S3_CONFIG_VARS),
                ("proxies_config", cp.DEFAULT_PROXIES_CONFIG_VARS),
            ):
                mapping[section] = cp.SectionConfigProvider(
                    section, self, cp._create_config_chain_mapping(chains, variables)
                )
            self._components.register_component(
                "config_store", cp.ConfigValueStore(mapping=mapping)
            )

        def _create_credential_resolver(self):
            resolver = super()._create_credential_resolver()
            environ = self._clishape_environ
            for provider in resolver.providers:
                for name in ("environ", "_environ"):
                    if hasattr(provider, name):
                        setattr(provider, name, environ)
                fetcher = getattr(provider, "_role_fetcher", None)
                if fetcher is not None and hasattr(fetcher, "_disabled"):
                    fetcher._disabled = (
                        environ.get("AWS_EC2_METADATA_DISABLED", "false").lower() == "true"
                    )
            return resolver

        def _add_configured_endpoint_provider(self, client_name, config_store):
            chain = cp.ConfiguredEndpointProvider(
                full_config=self.full_config,
                scoped_config=self.get_scoped_config(),
                client_name=client_name,
                environ=self._clishape_environ,
            )
            config_store.set_config_provider(logical_name="endpoint_url", provider=chain)

    class _QuickEmitter(hooks.HierarchicalEmitter):
        """botocore's own handlers are known to take ``**kwargs``: only others are inspected
        (``inspect.signature`` for each of some 150 handlers is ~2 ms of every call)."""

        def _verify_accept_kwargs(self, func):
            if not str(getattr(func, "__module__", None)).startswith("botocore."):
                super()._verify_accept_kwargs(func)

    class _QuickAliaser(hooks.EventAliaser):
        """botocore's renaming of old event names, skipped for a name none of them occurs in:
        the same names as botocore gives, without trying every alias on every name (~4 ms)."""

        def _alias_event_name(self, event_name):
            known = self._alias_name_cache.get(event_name)
            if known is not None:
                return known
            # botocore renames a part equal to an alias without a dot, or the text of one with
            if self._event_aliases is not hooks.EVENT_ALIASES or (
                not _ALIAS_PARTS.isdisjoint(event_name.split("."))
                or any(alias in event_name for alias in _DOTTED_ALIASES)
            ):
                return super()._alias_event_name(event_name)
            self._alias_name_cache[event_name] = event_name
            return event_name

    _ALIAS_PARTS = frozenset(alias for alias in hooks.EVENT_ALIASES if "." not in alias)
    _DOTTED_ALIASES = tuple(alias for alias in hooks.EVENT_ALIASES if "." in alias)

    _SESSION_CLASS = EnvironSession
    return EnvironSession


def _silence_insecure_warnings() -> None:
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    warnings.simplefilter("ignore", InsecureRequestWarning)


# -- the model botocore reads ------------------------------------------------------------------


def service_model(command) -> dict:
    """The botocore ``service-2`` model of the command: metadata, one operation, its shapes."""
    raw = command.raw
    metadata = dict(raw["metadata"])
    metadata.setdefault("serviceId", command.service)
    metadata.setdefault("endpointPrefix", command.service)
    metadata.setdefault("protocol", "json")
    op = raw["operation"]
    operation: dict = {"name": op["name"], "http": {"method": "POST", "requestUri": "/"}}
    if op.get("input"):
        operation["input"] = {"shape": op["input"]}
    if op.get("output"):
        operation["output"] = {"shape": op["output"]}
    operation["errors"] = [{"shape": name} for name in op.get("errors", ())]
    for key, value in op.items():
        if key not in _CLI_OPERATION_KEYS and key != "wire":
            operation[key] = value
    for key, value in (op.get("wire") or {}).items():
        if key in ("input", "output") and isinstance(value, dict):
            # extra keys of the reference (resultWrapper, locationName, xmlNamespace, ...)
            # go beside its ``shape``, never instead of it
            if key in operation:
                operation[key].update(_wire_ref(value))
        else:
            operation[key] = value
    shapes = {name: _wire_shape(data) for name, data in raw["shapes"].items()}
    model = {
        "version": "2.0",
        "metadata": metadata,
        "operations": {op["name"]: operation},
        "shapes": shapes,
    }
    model.update(raw.get("service_wire") or {})  # service-level keys (clientContextParams)
    return model


def _wire_shape(data: dict) -> dict:
    out = {k: v for k, v in data.items() if k not in ("documentation", "members")}
    if data.get("type") == "document":
        out["type"] = "structure"
        out["document"] = True
        out.setdefault("members", {})
    if "members" in data:
        out["members"] = {name: _wire_ref(ref) for name, ref in data["members"].items()}
    for part in ("member", "key", "value"):
        if part in data:
            out[part] = _wire_ref(data[part])
    return out


def _wire_ref(ref: dict) -> dict:
    return {k: v for k, v in ref.items() if k not in _CLI_REF_KEYS}


def _shipped_ruleset_path(base_paths: list[str], names: list[str], api_version: str | None):
    """Path (without extension) of botocore's endpoint ruleset for the first known name."""
    for name in names:
        for base in base_paths:
            folder = os.path.join(base, name)
            try:
                versions = sorted(os.listdir(folder), reverse=True)
            except OSError:
                continue
            if api_version in versions:
                versions.remove(api_version)
                versions.insert(0, api_version)
            for version in versions:
                path = os.path.join(folder, version, "endpoint-rule-set-1")
                if os.path.exists(path + ".json") or os.path.exists(path + ".json.gz"):
                    return path
    return None


def _spec_loader(session, command, cache_dir=None):
    """A botocore data loader that serves the spec's model under the service's name."""
    from botocore.exceptions import DataNotFoundError, UnknownServiceError
    from botocore.loaders import Loader

    name = command.service
    model = service_model(command)
    paginators = {}
    config = paginator_config(command)
    if config:
        paginators[command.operation] = config
    service_id = str(model["metadata"].get("serviceId", ""))
    candidates = [name, service_id.lower().replace(" ", "-")]

    class SpecLoader(Loader):
        def load_service_model(self, service_name, type_name, api_version=None):
            if service_name != name:
                return super().load_service_model(service_name, type_name, api_version)
            if type_name == "service-2":
                return model
            if type_name == "paginators-1":
                return {"pagination": paginators}
            if type_name == "endpoint-rule-set-1":
                path = _shipped_ruleset_path(
                    list(self.search_paths), candidates, model["metadata"].get("apiVersion")
                )
                if path is None:
                    raise UnknownServiceError(
                        service_name=name, known_service_names="(from the spec)"
                    )
                return self.file_loader.load_file(path)
            raise DataNotFoundError(data_path=f"{name}/{type_name}")

        def load_data_with_path(self, data_name):
            if data_name != "endpoints":
                return super().load_data_with_path(data_name)
            found: list = []

            def load_all():
                data, path = super(SpecLoader, self).load_data_with_path(data_name)
                found.append(path)
                return data

            prefix = model["metadata"].get("endpointPrefix", name)
            return _endpoints_for(prefix, load_all, cache_dir), (found[0] if found else "endpoints")

    data_path = session.get_config_variable("data_path") or ""
    extra = [os.path.expanduser(p) for p in data_path.split(os.pathsep) if p]
    return SpecLoader(extra_search_paths=extra)


def _endpoints_for(prefix: str, load_all, cache_dir=None) -> dict:
    """botocore's endpoints.json cut down to one service, cached in ``cache_dir`` when given.

    botocore parses the whole file (about 1 MB) for every client; the partitions' own data is
    all a client of one service needs, so later runs read a few kilobytes instead. The entry is
    keyed by botocore's version and location (the file is botocore's own data).
    """
    import botocore

    from cli_core import cache

    folder = cache.private_folder(cache_dir, "botocore")
    key = cache.content_key("endpoints-1", botocore.__version__, botocore.__file__, prefix)
    slot = cache.slot_name(f"endpoints-{prefix}", prefix)
    cached = cache.read_entry(folder, slot, key)
    if isinstance(cached, dict) and isinstance(cached.get("partitions"), list):
        return cached
    data = load_all()
    trimmed = dict(data)
    trimmed["partitions"] = [
        {**part, "services": {k: v for k, v in part.get("services", {}).items() if k == prefix}}
        for part in data.get("partitions", ())
    ]
    cache.write_entry(folder, slot, key, trimmed)
    return trimmed


# -- errors ------------------------------------------------------------------------------------


# botocore's errors about a setting (the environment or the config file): exit 253. Looked up
# by name, so a botocore without one of them still works.
_CONFIG_ERRORS = (
    "ProfileNotFound", "PartialCredentialsError", "InvalidConfigError", "ConfigParseError",
    "ConfigNotFound", "InvalidRegionError", "CredentialRetrievalError", "UnknownCredentialError",
    "InfiniteLoopConfigError", "InvalidChecksumConfigError", "InvalidDefaultsMode",
    "InvalidEndpointConfigurationError", "InvalidEndpointDiscoveryConfigurationError",
    "InvalidIMDSEndpointError", "InvalidIMDSEndpointModeError", "InvalidMaxRetryAttemptsError",
    "InvalidProxiesConfigError", "InvalidRetryConfigurationError", "InvalidRetryModeError",
    "InvalidS3AddressingStyleError", "InvalidS3UsEast1RegionalEndpointConfigError",
    "InvalidSTSRegionalEndpointsConfigError", "UnsupportedSignatureVersionError",
)  # fmt: skip


def _config_errors(bx) -> tuple:
    return tuple(getattr(bx, name) for name in _CONFIG_ERRORS if hasattr(bx, name))


HEADER_PROBLEM = (
    "A request header could not be sent: one of its values holds a line break or another "
    "character HTTP does not allow (check --region, the credentials and the AWS_* variables)"
)


@contextmanager
def translated_errors(secrets=(), members=None):
    """Turn botocore's exceptions into clishape's error hierarchy (no traceback reaches users).

    No message repeats a value of ``secrets`` (the secret key, the session token).
    ``members`` (``error_members``) tells a service error which of its fields are modeled.
    """
    defer_unused_imports()  # the first botocore import of a call (send or wait) comes next
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    def clean(text) -> str:  # one line, no secret
        from cli_core.settings import one_line, redact_text

        return one_line(redact_text(str(text), secrets))

    try:
        yield
    except bx.ClientError as exc:
        raise _service_error(exc, clean, members or {}) from None
    except bx.NoCredentialsError:
        raise ConfigError(NO_CREDENTIALS, code="NoCredentials") from None
    except bx.NoRegionError:
        raise ConfigError(NO_REGION, code="NoRegion") from None
    except _config_errors(bx) as exc:
        raise ConfigError(clean(exc)) from None
    except (bx.HTTPClientError, bx.ConnectionError) as exc:
        raise EndpointError(clean(exc)) from None
    except bx.ParamValidationError as exc:  # one problem a line, as the request stage's
        raise ParamError("\n".join(clean(line) for line in str(exc).splitlines())) from None
    except (bx.BotoCoreError, ResponseParserError) as exc:  # an answer botocore cannot read
        raise CLIError(clean(exc)) from None
    except CLIError as exc:
        exc.message = clean(exc.message)
        raise
    except ValueError as exc:
        text = str(exc)
        if text.startswith("Invalid endpoint"):
            raise EndpointError(clean(text)) from None
        if "header" in text.lower():
            raise EndpointError(HEADER_PROBLEM) from None
        exc.args = tuple(clean(a) if isinstance(a, str) else a for a in exc.args)
        raise
    except Exception as exc:  # a bug below us: keep it, but never with a secret in it
        exc.args = tuple(clean(a) if isinstance(a, str) else a for a in exc.args)
        raise


def _service_error(exc, clean=str, members=None) -> ServiceError:
    response = getattr(exc, "response", None) or {}
    error = dict(response.get("Error") or {})
    details = dict(error)
    for key, value in response.items():
        if key not in ("Error", "ResponseMetadata"):
            details[key] = value
    code = error.get("Code")
    modeled = (members or {}).get(code)
    # botocore 1.44 says "(reached max retries: 0)" when one attempt was all that was allowed:
    # no retry was made, so there is nothing to report
    message = clean(exc).replace(" (reached max retries: 0)", "")
    return ServiceError(message, code=code, details=details, modeled=modeled)


def error_members(command) -> dict:
    """Error code -> the member names of its error shape, for the operation's listed errors.

    The code is the shape's ``error.code`` when the model gives one, else the shape's name
    (as botocore matches them).
    """
    raw = getattr(command, "raw", None) or {}
    shapes = raw.get("shapes") or {}
    found: dict = {}
    for name in (raw.get("operation") or {}).get("errors", ()):
        shape = shapes.get(name)
        if not isinstance(shape, dict):
            continue
        fields = frozenset(shape.get("members") or ())
        found[name] = fields
        code = (shape.get("error") or {}).get("code")
        if code:
            found[code] = fields
    return found
