"""Stage 4 (send) — plain HTTP APIs: what botocore's rest-json machinery lacks, and only that.

A service whose spec has ``http:`` (an imported OpenAPI document) is no AWS service: its
requests are sent unsigned to its own base URL. botocore still does the wire work (the URI,
query string, headers and JSON body by the rest-json serializer; the response by the rest-json
parser; retries, timeouts, proxies, TLS), through the same client as every other service. This
module adds around it, on the client's events:

* the base URL: ``--endpoint-url``, else ``http.endpoint`` of the spec; a path in it is kept
  (``https://api.example.com/v1`` + ``/pets`` is ``https://api.example.com/v1/pets``);
* authentication from ``http.auth`` (``cli_core.settings.http_auth``): ``Authorization: Bearer``,
  ``Authorization: Basic`` (``user:password``, base64), or an API key in a header or the query
  string; the secret comes from an environment variable or the config profile, and is kept
  out of every message and of ``--debug``;
* ``Accept: application/json`` unless the answer is one blob or text payload;
* a payload member that is a list, a map or a document is the JSON body itself (botocore's
  serializer writes only structure, blob and string payloads as the body);
* form bodies: an operation whose ``http.mediaType`` is ``application/x-www-form-urlencoded``
  sends its body members form-encoded (nested structures as ``key[member]``, list items of
  structures as ``key[0][member]``, lists of scalars as the key repeated); any other media type
  is the Content-Type of the body botocore made (JSON for ``+json`` types, a payload's bytes or
  text otherwise);
* retries: botocore's, except that a POST or PATCH is sent once unless ``max_attempts`` (or
  its environment variable) asks for more, since such an API has no idempotency tokens;
* a redirect (3xx) is not followed: it is an error naming where it points;
* the AWS SDK's bookkeeping headers (``amz-sdk-invocation-id``, ``amz-sdk-request``) are left
  out;
* errors: an answer outside 2xx becomes ``Error`` {Code: the status, Message: the reason and
  what the body says}, an RFC 7807 ``application/problem+json`` body read for its ``title`` and
  ``detail``, so the run ends with exit 254 and one line such as
  ``An error occurred (404) when calling the FindPetById operation: Not Found: no pet 7``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from http import HTTPStatus
from urllib.parse import urlencode

from cli_core.errors import ConfigError
from cli_core.settings import (
    HttpAuth,
    SendSettings,
    check_endpoint_url,
    http_auth,
    http_auth_places,
    one_line,
)

FORM = "application/x-www-form-urlencoded"
MAX_MESSAGE = 300  # characters of an error body shown in the message
# A region botocore needs to build a client; a plain HTTP API has none and it is never sent.
PLACEHOLDER_REGION = "us-east-1"
# Methods whose request is sent once unless a retry setting asks for more attempts: an API that
# is not AWS has no idempotency tokens, and a retried POST may create a second resource.
NOT_IDEMPOTENT = ("POST", "PATCH")
# Headers botocore adds for AWS (retry and invocation bookkeeping), not sent to other APIs.
SDK_HEADERS = ("amz-sdk-invocation-id", "amz-sdk-request")


def http_api(command) -> dict | None:
    """The service's ``http:`` table when the command belongs to a plain HTTP API, else None."""
    raw = getattr(command, "raw", None) or {}
    api = raw.get("service_http")
    return api if isinstance(api, dict) else None


@dataclass(frozen=True)
class HttpPlan:
    """How one call of a plain HTTP API is sent: the send settings to build the client with
    (unsigned, the base URL), the authentication found, and the operation's media type."""

    settings: SendSettings
    auth: HttpAuth | None
    media_type: str | None
    places: tuple[str, ...] = ()  # where a secret was looked for (for a 401/403 hint)

    @property
    def secrets(self) -> set[str]:
        """The values never to print: the secret, and for basic auth its password and header."""
        if self.auth is None:
            return set()
        found = {self.auth.secret}
        if self.auth.kind == "basic":
            found |= {self.auth.secret.partition(":")[2], basic_token(self.auth.secret)}
        return {s for s in found if s}

    @property
    def secret_headers(self) -> set[str]:
        """Header names (lower case) that carry an API key (``Authorization`` is redacted by
        the dry run's own rule, keeping its scheme)."""
        if self.auth is None or self.auth.kind != "api-key" or self.auth.placement != "header":
            return set()
        return {self.auth.name.lower()}

    @property
    def secret_query(self) -> set[str]:
        """Query parameter names (lower case) that carry the secret."""
        if self.auth is None or self.auth.placement != "query":
            return set()
        return {self.auth.name.lower()}

    def attach(self, events) -> None:
        """Register the additions on a botocore client's event system."""
        events.register("before-call", self.on_before_call)
        events.register("before-send", self.on_before_send)
        events.register("before-parse", self.on_before_parse)

    # botocore events

    def on_before_call(self, params=None, model=None, **_kwargs):
        """The request dict is serialised: write a list/map/document payload as the JSON
        value itself, re-encode a form body, add the credentials."""
        if params is None:
            return None
        if model is not None and params.get("body") and _json_value_payload(model):
            params["body"] = unwrapped_payload(params["body"])
        if model is not None and _answers_json(model):
            params["headers"].setdefault("Accept", "application/json")
        if self.media_type:
            if self.media_type == FORM:
                params["body"] = form_body(params.get("body"))
            if params.get("body"):
                params["headers"]["Content-Type"] = self.media_type
        auth = self.auth
        if auth is not None:
            if auth.kind == "bearer":
                params["headers"][auth.name] = f"Bearer {auth.secret}"
            elif auth.kind == "basic":
                params["headers"][auth.name] = f"Basic {basic_token(auth.secret)}"
            elif auth.placement == "query":
                url = params["url"]
                joiner = "&" if "?" in url else "?"
                params["url"] = url + joiner + urlencode({auth.name: auth.secret})
            else:
                params["headers"][auth.name] = auth.secret
        return None

    def on_before_send(self, request=None, **_kwargs):
        """The AWS SDK's own bookkeeping headers are no business of another API."""
        if request is not None:
            for name in SDK_HEADERS:
                if name in request.headers:
                    del request.headers[name]

    def on_before_parse(self, response_dict=None, customized_response_dict=None, **_kwargs):
        """An answer outside 2xx: its status and problem as the ``Error`` the parser reports."""
        if response_dict is None or customized_response_dict is None:
            return
        status = response_dict.get("status_code") or 0
        if 200 <= status < 300:
            return
        headers = response_dict.get("headers") or {}
        body = response_dict.get("body")
        message = problem_message(status, headers, body if isinstance(body, bytes) else b"")
        location = next((v for k, v in headers.items() if k.lower() == "location"), None)
        if 300 <= status < 400 and location:
            message += f" (to {_short(str(location))})"
        if status in (401, 403) and self.auth is None and self.places:
            message += f" (no credentials were found; set {' or '.join(self.places)})"
        customized_response_dict["Error"] = {"Code": str(status), "Message": message}


def plan(command, settings: SendSettings) -> HttpPlan:
    """The plan of a call of ``command`` (a plain HTTP API) under ``settings``."""
    api = http_api(command) or {}
    base = settings.endpoint_url
    if base is None:
        base = api.get("endpoint")
        if not base:
            raise ConfigError(
                f"The service '{command.service}' names no base URL (http.endpoint in its "
                "spec); give one with --endpoint-url"
            )
        check_endpoint_url(str(base), f"http.endpoint of the service '{command.service}'",
                           ConfigError)  # fmt: skip
    entries = api.get("auth") or ()
    config = settings.profile_config
    if config is None:
        from cli_core.config import load_profile_config

        config = load_profile_config(settings.profile, settings.environ)
    auth = http_auth(entries, settings.environ, config)
    operation = (getattr(command, "raw", None) or {}).get("operation") or {}
    media_type = (operation.get("http") or {}).get("mediaType") or None
    method = str((operation.get("http") or {}).get("method", "POST")).upper()
    attempts = settings.max_attempts
    if attempts is None and method in NOT_IDEMPOTENT:
        attempts = 1  # a retried POST may do its work twice: only when the user asks for it
    plain = replace(
        settings,
        endpoint_url=str(base),
        sign=False,
        credentials=None,
        region=settings.region or PLACEHOLDER_REGION,
        max_attempts=attempts,
    )
    return HttpPlan(plain, auth, media_type, tuple(http_auth_places(entries)))


def basic_token(secret: str) -> str:
    import base64

    return base64.b64encode(secret.encode("utf-8")).decode("ascii")


# -- payloads that are JSON values -------------------------------------------------------------


def _json_value_payload(model) -> bool:
    """Whether the operation's input has a payload member that is a list, a map or a document
    (botocore's rest-json serializer writes those under the key ``null``)."""
    shape = model.input_shape
    name = shape.serialization.get("payload") if shape is not None else None
    if name is None or name not in shape.members:
        return False
    member = shape.members[name]
    return member.type_name in ("list", "map") or bool(getattr(member, "is_document_type", False))


def _answers_json(model) -> bool:
    """Whether the answer is read as JSON: not when it is one blob or text payload (a download,
    where the server chooses the media type)."""
    shape = model.output_shape
    name = shape.serialization.get("payload") if shape is not None else None
    if name is None or name not in shape.members:
        return True
    return shape.members[name].type_name not in ("blob", "string")


def unwrapped_payload(body) -> bytes:
    """``{"null": VALUE}`` as botocore wrote such a payload -> VALUE as the JSON body (its
    timestamps and blobs already written as botocore writes them)."""
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    data = json.loads(text)
    if isinstance(data, dict) and list(data) == ["null"]:
        return json.dumps(data["null"], ensure_ascii=False).encode("utf-8")
    return body if isinstance(body, bytes) else text.encode("utf-8")


# -- form bodies -------------------------------------------------------------------------------


def form_body(body) -> str:
    """A JSON body (as botocore serialised it) form-encoded; an empty body stays empty."""
    if not body:
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ConfigError("A form-encoded request body must be a structure of members")
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        _form_pairs(key, value, pairs, top=True)
    return urlencode(pairs)


def _form_pairs(key: str, value, pairs: list, top: bool = False) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _form_pairs(f"{key}[{name}]", item, pairs)
    elif isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            for item in value:
                pairs.append((key, _form_scalar(item)))
        else:
            for index, item in enumerate(value):
                _form_pairs(f"{key}[{index}]", item, pairs)
    elif value is not None:
        pairs.append((key, _form_scalar(value)))


def _form_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- error answers -----------------------------------------------------------------------------


def problem_message(status: int, headers, body: bytes) -> str:
    """One line for an error answer: the status's reason, then what the body says.

    An RFC 7807 problem gives ``title: detail``; other JSON its ``message`` (or ``error``,
    ``error_description``, ``detail``); text its first ``MAX_MESSAGE`` characters.
    """
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = f"HTTP status {status}"
    said = _body_says(headers, body)
    if not said or said.lower() == reason.lower():
        return reason
    if said.lower().startswith(reason.lower()):  # a problem titled as the status itself
        return said
    return f"{reason}: {said}"


def _body_says(headers, body: bytes) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace").strip()
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    data = None
    if "json" in content_type.lower() or text[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    if isinstance(data, dict):
        said = _problem(data) or _json_message(data)
        if said:
            return _short(said)
        return _short(json.dumps(data, ensure_ascii=False))
    if "html" in content_type.lower() or text[:1] == "<":
        return ""  # an error page: its markup says nothing a line can show
    return _short(text)


def _problem(data: dict) -> str:
    """``title: detail`` of an RFC 7807 problem (either alone when the other is missing)."""
    title, detail = data.get("title"), data.get("detail")
    parts = [str(p) for p in (title, detail) if isinstance(p, (str, int, float)) and str(p)]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return ": ".join(parts)


def _json_message(data: dict) -> str:
    for key in ("message", "Message", "error_description", "error", "detail", "errors"):
        value = data.get(key)
        if isinstance(value, dict):
            value = _json_message(value) or _problem(value)
        if isinstance(value, list) and value:
            value = "; ".join(
                (_json_message(v) if isinstance(v, dict) else str(v)) for v in value[:3]
            )
        if isinstance(value, (str, int, float)) and str(value):
            return str(value)
    return ""


def _short(text: str) -> str:
    text = one_line(" ".join(text.split()))
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"
