"""Stage 4 (send), the author's own code — a command whose spec names ``handler:`` runs it.

    handler: mypkg.handlers:create_note        # in the command's spec

    def create_note(request: dict, context: cli_core.Context) -> dict: ...

The engine has parsed, merged and validated the request (``request``: the parameters as they
would be sent; blobs as bytes, timestamps as datetimes). The handler returns the response
document, which the driver checks against the output shape and prints like any service answer.
The module is imported only when its command runs, so help, skeletons and validation of an app
with many handler commands cost what they cost without handlers.

A paginated command (``pagination:`` in its spec) is paged here as botocore pages a service:
the handler is called again with the page's output token as input token until it returns none;
``--page-size`` sets the limit member, ``--max-items`` cuts the listing and leaves a
``NextToken`` that ``--starting-token`` resumes from.

Errors: ``cli_core.CommandError(code, message)`` from a handler is an error answer (exit 254,
like a service's); a handler that cannot be imported is a configuration error (253); any other
exception is a one-line error naming the handler (255; the traceback under ``--debug``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from cli_core.errors import CLIError, CommandError, ConfigError, ParamError


class HandlerFailure(CLIError):
    """A handler raised something other than ``CommandError`` (exit 255)."""

    kind = "HandlerFailure"


@dataclass(frozen=True)
class Context:
    """What a handler gets besides its request.

    ``settings``: the run's ``cli_core.settings.Settings`` (``settings.environ``, its config
    profile as ``settings.config.get(key)``, ``settings.debug``); ``stdout``/``stderr``/``stdin``:
    the run's streams (print results by returning them, not on stdout); ``log``: a
    ``logging.Logger`` that writes to stderr, at DEBUG level under ``--debug`` and WARNING
    otherwise; ``app``, ``service``, ``command``, ``operation``: where the call comes from.
    """

    app: object
    service: str
    command: str
    operation: str
    settings: object
    stdin: object
    stdout: object
    stderr: object
    log: object

    @property
    def environ(self):
        return self.settings.environ

    @property
    def debug(self) -> bool:
        return self.settings.debug


def load_handler(reference: str, command_name: str):
    """The function ``module:attr.path`` names (its module imported now); ConfigError if not."""
    import importlib

    module_name, _, attr_path = reference.partition(":")
    try:
        target = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"The handler '{reference}' of the command '{command_name}' cannot be imported: {exc}"
        ) from exc
    for part in attr_path.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ConfigError(
                f"The handler '{reference}' of the command '{command_name}': the module "
                f"'{module_name}' has no '{attr_path}'"
            )
    if not callable(target):
        raise ConfigError(
            f"The handler '{reference}' of the command '{command_name}' is not a function"
        )
    return target


def make_context(command, settings, io) -> Context:
    import logging

    app = settings.app
    log = logging.getLogger(f"{app.name}.{command.service}.{command.name}")
    log.propagate = False
    for old in list(log.handlers):
        log.removeHandler(old)
    stream = logging.StreamHandler(io.stderr)
    stream.setFormatter(logging.Formatter(f"{app.name}: %(levelname)s: %(message)s"))
    log.addHandler(stream)
    log.setLevel(logging.DEBUG if settings.debug else logging.WARNING)
    return Context(
        app=app,
        service=command.service,
        command=command.name,
        operation=command.operation,
        settings=settings,
        stdin=io.stdin,
        stdout=io.stdout,
        stderr=io.stderr,
        log=log,
    )


def call_handler(command, params: dict, context: Context, paginate: bool, pagination: dict):
    """Run the command's handler (every page of it when paginated): a ``HandlerResponse``."""
    function = load_handler(command.handler, command.name)
    config = command.pagination or {}
    paged = bool(config) and paginate and not _model_paging_given(config, params)
    response = HandlerResponse(operation=command.operation)
    if not paged:
        response._pages.append(_run(function, dict(params), context, command))
        return response
    response.paginated = True
    response.result_keys = tuple(_names(config.get("result_key")))
    response.non_aggregate_keys = tuple(_names(config.get("non_aggregate_keys")))
    response._source = _pages(function, params, context, command, config, pagination, response)
    return response


@dataclass
class HandlerResponse:
    """A handler's answer, read like ``transport.Response``: ``pages()``, ``result()``,
    ``resume_token``, ``result_key_names``."""

    operation: str
    paginated: bool = False
    result_keys: tuple = ()
    non_aggregate_keys: tuple = ()
    resume_token: str | None = None
    _source: Iterator | None = None
    _pages: list = field(default_factory=list)

    @property
    def result_key_names(self) -> tuple[str, ...]:
        return self.result_keys if self.paginated else ()

    def pages(self) -> Iterator[dict]:
        yield from self._pages
        if self._source is not None:
            for page in self._source:
                self._pages.append(page)
                yield page
            self._source = None

    def result(self) -> dict:
        pages = list(self.pages())
        if not self.paginated:
            return pages[0] if pages else {}
        merged: dict = {}
        for page in pages:
            for key in self.result_keys:
                if key in page and page[key] is not None:
                    value = page[key]
                    if isinstance(value, list):
                        merged.setdefault(key, []).extend(value)
                    else:
                        merged[key] = value
            for key in self.non_aggregate_keys:
                if key in page and key not in merged:
                    merged[key] = page[key]
        if self.resume_token is not None:
            merged["NextToken"] = self.resume_token
        return merged


# -- paging ----------------------------------------------------------------------------------


def _names(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _model_paging_given(config: dict, params: dict) -> bool:
    members = _names(config.get("input_token")) + _names(config.get("limit_key"))
    return any(params.get(name) is not None for name in members)


def _pages(function, params, context, command, config, pagination, response) -> Iterator[dict]:
    (input_token,) = _names(config["input_token"])[:1]
    (output_token,) = _names(config["output_token"])[:1]
    result_keys = response.result_keys
    limit_key = config.get("limit_key")
    max_items = pagination.get("MaxItems")
    token, skip = _starting(pagination.get("StartingToken"))
    given = 0
    seen = set()
    while True:
        request = dict(params)
        if token is not None:
            request[input_token] = token
        if limit_key and pagination.get("PageSize") is not None:
            request[limit_key] = pagination["PageSize"]
        page = _run(function, request, context, command)
        next_token = page.get(output_token)
        page = {k: v for k, v in page.items() if k != output_token}
        if skip:
            page = {k: (v[skip:] if k in result_keys and isinstance(v, list) else v)
                    for k, v in page.items()}  # fmt: skip
            base, skip = skip, 0
        else:
            base = 0
        if max_items is not None:
            count = _count(page, result_keys)
            if given + count >= max_items:
                keep = max_items - given
                left = count - keep
                page = {k: (v[:keep] if k in result_keys and isinstance(v, list) else v)
                        for k, v in page.items()}  # fmt: skip
                if left > 0:
                    response.resume_token = _encode(token, base + keep)
                elif next_token:
                    response.resume_token = _encode(next_token, 0)
                yield page
                return
            given += count
        yield page
        if not next_token or next_token in seen:
            return
        seen.add(next_token)
        token = next_token


def _count(page: dict, result_keys) -> int:
    lists = [page[k] for k in result_keys if isinstance(page.get(k), list)]
    return len(lists[0]) if lists else 0


def _encode(token, skip: int) -> str:
    text = json.dumps({"token": token, "skip": skip}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _starting(text):
    if text is None:
        return None, 0
    try:
        value = json.loads(base64.urlsafe_b64decode(text.encode()))
        return value["token"], int(value.get("skip", 0))
    except (ValueError, KeyError, TypeError):
        raise ParamError(
            "not a token this command printed as NextToken", "--starting-token"
        ) from None


# -- one call --------------------------------------------------------------------------------


def _run(function, request: dict, context: Context, command) -> dict:
    try:
        answer = function(request, context)
    except CommandError as error:
        if not error.operation:
            error.operation = command.operation
        raise
    except CLIError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
        hint = "" if context.debug else " (run again with --debug to see the traceback)"
        raise HandlerFailure(f"the handler {command.handler} failed: {text}{hint}") from exc
    if answer is None:
        return {}
    if not isinstance(answer, dict):
        raise HandlerFailure(
            f"the handler {command.handler} returned {type(answer).__name__}, "
            "expected a mapping (the response document)"
        )
    return answer
