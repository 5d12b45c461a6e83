"""Stage 4 (send) — ``--debug``: our own request/response log lines, with secrets redacted.

botocore's own debug logging prints request bodies and headers as they are, sensitive members
included, so clishape does not turn it on. Instead a :class:`DebugLog` hooks the client's events
and writes one line per request and one per response (or failed attempt) to stderr::

    clishape: request POST https://voiceid.us-east-1.amazonaws.com/ headers {...} body {...}
    clishape: response 200 headers {...} body {...}

Redacted as ``***``: the signature of the ``Authorization`` header, ``X-Amz-Security-Token``
(header or query), ``X-Amz-Signature``, and every member the spec marks sensitive. JSON bodies
are walked with the operation's input or output shape; besides, the secret key, the session
token and any value a sensitive member holds in this call are replaced wherever they show as a
whole *value* (a header value, a query or form value, a JSON string, an XML text node or a path
segment), which covers the XML and query protocols. Only secrets of six characters or more are
also replaced inside longer text (an error message that echoes one): a short secret such as
``y`` must not turn ``Content-Type`` into ``Content-T***pe``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cli_core.shapes.walk import ValueWalker, plain_strings

REDACTED = "***"
PREFIX = "clishape: "
MIN_SCRUB = 6  # sensitive values this long are also replaced inside longer text
_SECRET_HEADERS = {"x-amz-security-token"}
_SECRET_QUERY = {"x-amz-security-token", "x-amz-signature"}
_SIGNATURE = re.compile(r"(Signature=)[^,\s]+")


# -- shapes ------------------------------------------------------------------------------------


def sensitive_values(value, shape, inside: bool = False, found: set | None = None) -> set[str]:
    """Every string a sensitive member (or anything below one) holds in ``value``."""
    found = set() if found is None else found
    if shape is None:
        if inside:
            found.update(plain_strings(value))
        return found
    _SensitiveStrings(found).walk(shape, value, (), inside)
    return found


class _SensitiveStrings(ValueWalker):
    """Collects the strings held where the walk is sensitive (map keys included)."""

    rebuild = False

    def __init__(self, found: set):
        self.found = found

    def visit_leaf(self, shape, value, path, sensitive):
        if sensitive:
            self.found.update(plain_strings(value))

    mismatch = visit_leaf

    def unknown(self, shape, name, value, path, sensitive):
        if sensitive:
            self.found.update(plain_strings(value))

    def visit_key(self, key_shape, key, path, sensitive):
        if sensitive:
            self.found.add(str(key))
        return key


def redact_by_shape(value, shape):
    """A copy of a JSON value with sensitive members replaced by ``***``.

    Keys are matched on the wire name (``locationName``) or the member name.
    """
    if shape is None:
        return value
    return _Redactor().walk(shape, value)


class _Redactor(ValueWalker):
    def walk(self, shape, value, path=(), sensitive=False):
        if sensitive or shape.sensitive:
            return REDACTED
        return super().walk(shape, value, path, False)

    def members(self, shape) -> dict:
        return shape.wire_member_table

    def visit_key(self, key_shape, key, path, sensitive):
        return REDACTED if sensitive else key


def redact_values(value, secrets: set[str]):
    """A copy of a JSON value with every string found in ``secrets`` replaced by ``***``."""
    if not secrets:
        return value
    if isinstance(value, str):
        return REDACTED if value in secrets else value
    if isinstance(value, dict):
        return {k: redact_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_values(v, secrets) for v in value]
    return value


# -- text --------------------------------------------------------------------------------------


def redact_header(
    name: str, value: str, secrets, secret_headers=_SECRET_HEADERS, signed=_SIGNATURE,
    scrub: bool = False,
) -> str:
    """A header's value as it may be shown: a secret header or value as ``***``, an
    ``Authorization`` with its ``signed`` parts (or token) as ``***``; with ``scrub``, each secret
    of ``MIN_SCRUB`` characters or more is also replaced inside longer values (the wire dry run)."""
    lower = name.lower()
    if lower in secret_headers or value in secrets:
        return REDACTED
    if lower == "authorization":
        if signed.search(value):
            return signed.sub(r"\g<1>" + REDACTED, value)
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {REDACTED}" if rest else REDACTED
    if scrub:
        for secret in secrets:
            if len(secret) >= MIN_SCRUB and secret in value:
                value = value.replace(secret, REDACTED)
    return value


def redact_url(url: str, secrets: set[str]) -> str:
    parts = urlsplit(url)
    quoted = {quote(s, safe="") for s in secrets} | {quote(s) for s in secrets}
    path = "/".join(
        REDACTED if seg in quoted or seg in secrets else seg for seg in parts.path.split("/")
    )
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if k.lower() in _SECRET_QUERY or v in secrets else v) for k, v in pairs],
            safe="*",
        )
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def render_body(body, shape, secrets: set[str], content_type: str = "") -> str:
    """The body as one log token: compact JSON when it is JSON, else text, redacted."""
    if body is None or body == b"" or body == "":
        return '""'
    if hasattr(body, "read"):
        return "<stream>"
    if isinstance(body, dict):  # botocore leaves form bodies as dicts until sending
        body = urlencode(body)
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(body)} bytes of binary data>"
    else:
        text = str(body)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    else:
        data = redact_values(redact_by_shape(data, shape), secrets)
        return json.dumps(data, ensure_ascii=False)
    if "x-www-form-urlencoded" in content_type or (
        text and "=" in text and "<" not in text and " " not in text
    ):
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, REDACTED if v in secrets else v) for k, v in pairs], safe="*")
    for secret in secrets:
        escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace(f">{escaped}<", f">{REDACTED}<")
    return text


# -- the hooks ---------------------------------------------------------------------------------


class DebugLog:
    """Writes redacted request/response lines for one command to ``stderr``.

    ``credentials`` is a callable giving botocore credentials (or None); their secret key and
    token are scrubbed from every line.
    """

    def __init__(self, command, stderr, credentials=None, prefix: str = PREFIX, secrets=()):
        self.command = command
        self.stderr = stderr
        self.prefix = prefix
        self._credentials = credentials
        self._secrets: set[str] = set(secrets)  # known secrets (a plain HTTP API's token)

    def attach(self, events) -> None:
        events.register("before-parameter-build", self.on_params)
        events.register("before-send", self.on_request)
        events.register("response-received", self.on_response)

    def line(self, text: str, secrets=frozenset()) -> None:
        # Secrets are redacted as whole values where the line is built (headers, URL, body);
        # here only long ones are scrubbed inside any text too, or the log would be unreadable.
        for secret in sorted((s for s in secrets if len(s) >= MIN_SCRUB), key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        self.stderr.write(self.prefix + text + "\n")
        self.stderr.flush()

    def _credential_secrets(self) -> set[str]:
        if self._credentials is None:
            return set()
        try:
            creds = self._credentials()
            frozen = creds.get_frozen_credentials() if creds is not None else None
        except Exception:  # noqa: BLE001 - logging must never break the call
            return set()
        if frozen is None:
            return set()
        return {s for s in (frozen.secret_key, frozen.token) if s}

    # botocore events

    def on_params(self, params=None, **_kwargs) -> None:
        self._secrets |= sensitive_values(params or {}, self.command.input)

    def on_request(self, request=None, **_kwargs):
        if request is None:
            return None
        secrets = self._secrets | self._credential_secrets()
        headers = {
            _text(k): redact_header(_text(k), _text(v), secrets) for k, v in request.headers.items()
        }
        content_type = headers.get("Content-Type", "")
        body = render_body(request.body, self.command.input, secrets, content_type)
        url = redact_url(request.url, secrets)
        self.line(
            f"request {request.method} {url} headers {json.dumps(headers, ensure_ascii=False)} "
            f"body {body}",
            secrets,
        )
        return None

    def on_response(self, response_dict=None, parsed_response=None, exception=None, **_kwargs):
        if response_dict is None:
            if exception is not None:
                self.line(f"no response: {exception}", self._credential_secrets())
            return
        status = response_dict.get("status_code")
        shape = self.command.output
        if isinstance(parsed_response, dict) and "Error" in parsed_response:
            code = (parsed_response.get("Error") or {}).get("Code")
            shape = self.command.shapes.get(code) if code and code in self.command.shapes else None
        secrets = self._secrets | self._credential_secrets()
        if isinstance(parsed_response, dict):
            sensitive_values(parsed_response, shape, found=secrets)
        headers = {
            _text(k): redact_header(_text(k), _text(v), secrets)
            for k, v in (response_dict.get("headers") or {}).items()
        }
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        body = render_body(response_dict.get("body"), shape, secrets, content_type)
        self.line(
            f"response {status} headers {json.dumps(headers, ensure_ascii=False)} body {body}",
            secrets,
        )
