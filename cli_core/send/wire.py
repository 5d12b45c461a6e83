"""Stage 4 (send) — ``--cli-dry-run http``: the HTTP request that would be sent, not sent.

The request goes through the whole send path (``transport.send``: botocore's serializer for
the service's protocol, endpoint resolution, checksums, the signer, or a plain HTTP API's
additions) and is stopped on botocore's ``before-send`` event, the last step before the
connection. What was captured is printed as an HTTP message::

    POST https://voiceid.us-east-1.amazonaws.com/
    Content-Type: application/x-amz-json-1.0
    X-Amz-Target: VoiceID.DescribeDomain
    Authorization: AWS4-HMAC-SHA256 Credential=***, SignedHeaders=..., Signature=***

    {"DomainId": "abcdef1234"}

Shown as ``***``: the credential and signature of ``Authorization`` (any other scheme keeps only
its name: ``Bearer ***``), ``X-Amz-Security-Token``, cookies and API keys (headers or query
parameters: a known name, or the value of a plain HTTP API's secret), and ``X-Amz-Signature`` /
``X-Amz-Credential`` of a presigned query. A body that is no UTF-8 text, or is read from a file
(streaming input), is summarised as ``<N bytes binary>``. No connection is made: the instance
metadata service is not asked for credentials, and without credentials the request is shown
unsigned, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from cli_core.errors import ConfigError, ParamError
from cli_core.send import debuglog

REDACTED = "***"
# Header names (lower case) whose values are secret as a whole.
SECRET_HEADERS = frozenset({
    "x-amz-security-token", "cookie", "proxy-authorization", "x-api-key", "api-key",
    "apikey", "x-auth-token", "x-access-token",
})  # fmt: skip
# Query parameter names (lower case) whose values are secret.
SECRET_QUERY = frozenset({
    "x-amz-signature", "x-amz-security-token", "x-amz-credential", "api_key", "apikey",
    "api-key", "access_token", "token",
})  # fmt: skip
_SIGNED_PARTS = re.compile(r"((?:Credential|Signature)=)[^,\s]+")


class _Captured(Exception):
    """Raised on ``before-send`` to stop the call with the request that was about to go."""

    def __init__(self, request):
        super().__init__("not sent (--cli-dry-run http)")
        self.request = request


def _stop(request=None, **_kwargs):
    raise _Captured(request)


def wire_dry_run_text(command, request, settings, *, stderr) -> str:
    """The HTTP request ``request`` (``cli_core.request.build.Request``) would be sent as."""
    from cli_core.send.transport import env_secrets

    environ = {**settings.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    settings = replace(settings, environ=environ)
    secrets = env_secrets(environ)
    names = set(SECRET_HEADERS), set(SECRET_QUERY)
    if command.raw.get("service_http") is not None:
        from cli_core.send.http import plan

        http = plan(command, settings)
        secrets |= http.secrets
        names[0].update(http.secret_headers)
        names[1].update(http.secret_query)
    captured = _capture(command, request, settings, stderr)
    return render_request(captured, secrets, *names)


def _capture(command, request, settings, stderr):
    from cli_core.send.transport import send

    try:
        with request.open_files() as params:
            try:
                send(command, params, settings, stderr=stderr, before_send=_stop)
            except ConfigError as error:
                if error.kind != "NoCredentials" or not settings.sign:
                    raise
                stderr.write(
                    f"{settings.prog}: warning: no credentials were found; the request is "
                    "shown unsigned\n"
                )
                send(command, params, replace(settings, sign=False), stderr=stderr,
                     before_send=_stop)  # fmt: skip
    except _Captured as done:
        return done.request
    raise ConfigError("The request was not built (nothing reached the point of sending)")


def no_request_of_its_own(command) -> ParamError:
    """The error for ``--cli-dry-run http`` of a command whose work is its handler's code."""
    return ParamError(
        f"--cli-dry-run http: '{command.name}' runs its own code ({command.handler}) and sends "
        "no request of its own; --cli-dry-run alone shows its parameters"
    )


# -- rendering ---------------------------------------------------------------------------------


def render_request(request, secrets=(), secret_headers=SECRET_HEADERS, secret_query=SECRET_QUERY):
    """A prepared request as an HTTP message: ``METHOD URL``, headers, a blank line, body."""
    lines = [f"{request.method} {redact_url(request.url, secrets, secret_query)}"]
    for name, value in request.headers.items():
        name, value = _text(name), _text(value)
        lines.append(f"{name}: {redact_header(name, value, secrets, secret_headers)}")
    body = render_body(request.body, request.headers)
    text = "\n".join(lines) + "\n"
    if body:
        text += "\n" + body + ("" if body.endswith("\n") else "\n")
    return text


def redact_header(name: str, value: str, secrets=(), secret_headers=SECRET_HEADERS) -> str:
    """A header as the dry run shows it (``debuglog.redact_header``, stricter: the credential
    too, and secrets inside longer values)."""
    return debuglog.redact_header(name, value, secrets, secret_headers, _SIGNED_PARTS, scrub=True)


def redact_url(url: str, secrets=(), secret_query=SECRET_QUERY) -> str:
    """The URL with secret query values as ``***`` (the rest of the query as it was sent)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    shown = []
    for piece in parts.query.split("&"):
        key, equals, value = piece.partition("=")
        plain_key = dict(parse_qsl(f"k={key}")).get("k", key)
        plain_value = dict(parse_qsl(f"v={value}", keep_blank_values=True)).get("v", value)
        if equals and (plain_key.lower() in secret_query or plain_value in secrets):
            value = quote(REDACTED, safe="*")
        shown.append(key + equals + value)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(shown), parts.fragment))


def render_body(body, headers=None) -> str:
    """The body as text, or ``<N bytes binary>`` for bytes that are no text and for files (a
    stream's size from the stream, else from the headers that announce it)."""
    if body is None or body in (b"", ""):
        return ""
    if isinstance(body, (bytes, bytearray)):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(body)} bytes binary>"
        if not _printable(text):
            return f"<{len(body)} bytes binary>"
        return text
    if isinstance(body, str):
        return body
    size = _stream_size(body)
    if size is None:
        size = _announced_size(headers or {})
    return f"<{size} bytes binary>" if size is not None else "<binary stream>"


def _announced_size(headers) -> int | None:
    """The payload size the headers give (aws-chunked bodies announce the decoded length)."""
    for wanted in ("x-amz-decoded-content-length", "content-length"):
        for name, value in headers.items():
            if _text(name).lower() == wanted and _text(value).isdigit():
                return int(_text(value))
    return None


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def _stream_size(body) -> int | None:
    try:
        here = body.tell()
        end = body.seek(0, 2)
        body.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
