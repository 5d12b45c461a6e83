"""The local service — its HTTP face: Voice ID's JSON 1.0 protocol on a loopback port.

``LocalApp.answer`` turns one request (method, path, headers, body) into one answer (status,
headers, body) and never raises; ``LocalServer`` is a ``ThreadingHTTPServer`` around it whose
request handler (``_Handler``, our own reading of HTTP/1.x, not http.server's) adds the
transport limits (request head, body size, ``Content-Length``).

Order of checks, as the real front end does them: body size (413), signature (403), target
(``X-Amz-Target: VoiceID.<Operation>``), content type and JSON (400), the request against the
model (400), then the operation.

An operation the service does not implement is refused with ``NotImplementedException`` (HTTP
501, not retried by the SDKs; the message names the operation): the service never invents an
answer. Only when a ``fallback(operation, params) -> dict`` is given to ``LocalApp`` (the
explicit switch: ``clishape-local serve --samples``, ``CLISHAPE_LOCAL_SAMPLES=1`` for the
embedded service) do such operations go to it (after model validation); its answers carry the
header ``x-clishape-local-sample`` and are marked ``(sample response)`` in the request log. It
may raise ``ServiceFault`` or a ``cli_core.errors.ParamError`` (answered as
``ValidationException``).
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import json
import os
import re
import socketserver
import sys
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import ThreadingHTTPServer

from cli_core.errors import ParamError
from clishape_local import shapes, sigv4
from clishape_local.faults import ServiceFault
from clishape_local.voiceid import VoiceIdService

Fallback = Callable[[str, dict], dict]

TARGET_PREFIX = "VoiceID."
CONTENT_TYPE = "application/x-amz-json-1.0"
ACCEPTED_CONTENT_TYPES = (CONTENT_TYPE, "application/x-amz-json-1.1")
MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64  # Voice ID's deepest request is a handful of levels
READ_TIMEOUT_SECONDS = 5.0  # how long a request's announced body may take to arrive
_DRAIN_LIMIT = 64 * 1024 * 1024
UNSIGNED_REGION = "us-east-1"
NOT_IMPLEMENTED = "NotImplementedException"
SAMPLE_HEADER = "x-clishape-local-sample"


def unsupported(operation: str, params: dict) -> dict:
    """The default: an operation the service does not implement is refused, never made up."""
    raise ServiceFault(
        NOT_IMPLEMENTED,
        f"The local service does not implement {operation}; nothing was done. (clishape-local "
        "serve --samples, or CLISHAPE_LOCAL_SAMPLES=1, answers such operations with the spec's "
        "sample response instead.)",
        status=501,
    )


class LocalApp:
    """Everything but the socket: authentication, routing, validation, errors."""

    def __init__(
        self,
        service: VoiceIdService,
        secrets: dict[str, str],
        fallback: Fallback | None = None,
        allow_unsigned: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
    ):
        self.service = service
        self.secrets = dict(secrets)
        self.fallback = fallback or unsupported
        self.allow_unsigned = allow_unsigned
        self.max_body_bytes = max_body_bytes
        self.operations = set(shapes.operation_names())
        # (host, port) the server listens on; set by LocalServer. None: no Host check.
        self.listen: tuple[str, int] | None = None

    def answer(
        self,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        by_name: dict[str, list[str]] | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """``by_name``: the same headers grouped by lower-case name (their values in order),
        when the caller has them grouped already."""
        try:
            extra: list[tuple[str, str]] = []
            document = self.dispatch(method, path, headers, body, extra, by_name)
            return self.respond(200, document, extra)
        except ServiceFault as fault:
            return self.fail(fault)
        except ParamError as error:
            return self.fail(ServiceFault("ValidationException", error.message))
        except Exception:  # one bad request must never stop the service
            traceback.print_exc(file=sys.stderr)
            return self.fail(
                ServiceFault("InternalServerException", "The local service failed on this request.")
            )

    def dispatch(
        self,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
        by_name: dict[str, list[str]] | None = None,
    ):
        """The answer document; headers the answer needs besides the usual go into ``extra``."""
        if method != "POST":
            raise ServiceFault(
                "UnknownOperationException", "Voice ID answers POST requests only.", status=405
            )
        if by_name is None:
            by_name = {}
            for name, value in headers:
                by_name.setdefault(name.lower(), []).append(value)
        # Read by name, a header given twice counts with its last value; Host and the headers
        # the signature covers are checked with all their values.
        lower = {name: values[-1] for name, values in by_name.items()}
        self.check_host(by_name.get("host", []), lower)
        if "authorization" in lower or not self.allow_unsigned:
            region = sigv4.verify_grouped(method, path, by_name, body, self.secrets).region
        else:
            region = UNSIGNED_REGION
        operation = self.operation(lower.get("x-amz-target"))
        content_type = lower.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ACCEPTED_CONTENT_TYPES:
            raise ServiceFault(
                "SerializationException",
                f"Content-Type must be {CONTENT_TYPE} (got '{content_type or 'none'}').",
            )
        params = parse_json(body)
        shapes.validate_request(operation, params)
        if self.service.handles(operation):
            return self.service.handle(operation, params, region)
        result = self.fallback(operation, params)
        if self.fallback is not unsupported and extra is not None:
            extra.append(
                (SAMPLE_HEADER, f"{operation} is not implemented locally: a sample, not real state")
            )
        return {} if result is None else result

    def check_host(self, hosts: list[str], lower: dict[str, str]) -> None:
        """The Host header must name the address (and port) the service listens on.

        A loopback address also answers to ``localhost``; a wildcard address (0.0.0.0, ::)
        to any name, on its port. This keeps a request meant for another host, or a browser
        page re-pointed at loopback by DNS, from being served.
        """
        if self.listen is None:
            return
        bound, port = self.listen
        given = hosts[0].strip() if len(hosts) == 1 else None
        if given is not None and host_matches(given, bound, port):
            return
        signed = "authorization" in lower
        shown = "missing" if not hosts else ("repeated" if given is None else f"'{given}'")
        where = f"[{bound}]:{port}" if ":" in bound else f"{bound}:{port}"
        raise ServiceFault(
            "InvalidSignatureException" if signed else "AccessDeniedException",
            f"The {'signed ' if signed else ''}Host header ({shown}) does not match the address"
            f" the service listens on ({where}).",
        )

    def operation(self, target: str | None) -> str:
        if not target:
            raise ServiceFault("UnknownOperationException", "The request has no X-Amz-Target.")
        name = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else None
        if name not in self.operations:
            raise ServiceFault("UnknownOperationException", f"Unknown operation '{target}'.")
        return name

    def respond(
        self, status: int, document: dict, extra: list[tuple[str, str]] = ()
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        payload = _encode_json(document).encode()
        headers = [
            ("Content-Type", CONTENT_TYPE),
            ("x-amzn-RequestId", request_id()),
            *extra,
        ]
        return status, headers, payload

    def fail(self, fault: ServiceFault) -> tuple[int, list[tuple[str, str]], bytes]:
        return self.respond(fault.status, fault.body(), [("x-amzn-ErrorType", fault.code)])


_encode_json = json.JSONEncoder(separators=(",", ":")).encode


def request_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` gives, in half its time."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@functools.lru_cache(maxsize=256)
def host_matches(given: str, bound: str, port: int) -> bool:
    """Whether a Host header value ``given`` names ``bound``:``port`` (cached: a client sends
    the same Host on every request)."""
    given = given.lower()
    if given.startswith("["):
        name, bracket, rest = given[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return False
        port_text = rest[1:] if rest else "80"
    elif given.count(":") == 1:
        name, _, port_text = given.partition(":")
    elif ":" in given:
        return False  # an IPv6 address needs brackets in a Host header
    else:
        name, port_text = given, "80"
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) != port:
        return False
    try:
        address = ipaddress.ip_address(bound)
    except ValueError:
        return name == bound.lower()
    if address.is_unspecified:
        return bool(name)
    if name == "localhost" and address.is_loopback:
        return True
    try:
        return ipaddress.ip_address(name) == address
    except ValueError:
        return False


def parse_json(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        params = json.loads(body)
    except RecursionError:
        raise ServiceFault(
            "SerializationException",
            f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.",
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        # ValueError covers JSONDecodeError and integers longer than Python converts.
        raise ServiceFault(
            "SerializationException", f"The request body is not valid JSON: {error}"
        ) from None
    if not isinstance(params, dict):
        raise ServiceFault("SerializationException", "The request body must be a JSON object.")
    # Each level opens a bracket: a body with few of them cannot be too deep (no walk needed).
    few = body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH
    if not few and json_depth(params) > MAX_JSON_DEPTH:
        raise ServiceFault(
            "SerializationException",
            f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.",
        )
    return params


def json_depth(document) -> int:
    """How many levels of objects and arrays ``document`` has (without recursion)."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        pending.extend((item, depth + 1) for item in value)
    return deepest


# The limits of the request head: one line (request line or header line) and the number of
# header lines. A request past either is answered (414 / 431) and its connection closed.
MAX_LINE_BYTES = 65536
MAX_HEADERS = 100
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_REQUEST_VERSION = re.compile(r"HTTP/(\d)\.(\d)")
_REASONS = {status.value: status.phrase for status in HTTPStatus}
# Control characters a client sent are shown escaped in the request log, never written raw.
_LOG_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


class _ProtocolError(Exception):
    """A request that is not well-formed HTTP/1.x: answered with ``fault``, then the connection
    is closed (what follows on it cannot be trusted to start a request)."""

    def __init__(self, fault: ServiceFault):
        super().__init__(fault.message)
        self.fault = fault


def _http_date(now: float) -> str:
    """The Date header's value for the second ``now`` falls in (the last one is kept)."""
    second = int(now)
    cached = _DATE_CACHE
    if cached[0] != second:
        cached[:] = [second, email.utils.formatdate(second, usegmt=True)]
    return cached[1]


_DATE_CACHE: list = [None, ""]


class _Handler(socketserver.StreamRequestHandler):
    """HTTP/1.1 (and 1.0) for one connection: reads request after request, answers each in
    one write, and closes when the client asks to, hangs up, idles or breaks the protocol.

    What it reads: the request line (``METHOD TARGET HTTP/1.x``), header lines up to the empty
    line (at most ``MAX_HEADERS``, each at most ``MAX_LINE_BYTES``; no line folding), then a
    body of exactly ``Content-Length`` bytes. ``Transfer-Encoding`` is refused (411, or 400
    beside a Content-Length), as are conflicting lengths. ``Expect: 100-continue`` gets the
    interim answer once the body is known to be acceptable. HTTP/1.0 closes after the answer
    unless it sent ``Connection: keep-alive``; HTTP/1.1 stays open unless ``Connection: close``.
    """

    # Written in two pieces (headers, then body) with Nagle's algorithm on, an answer would
    # wait for the kept-alive client's delayed ACK (about 40 ms). Both guards are on: each
    # answer is one write (``send``), and TCP_NODELAY sends whatever is written at once.
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back after this long
    server_version = "clishape-local"

    def handle(self) -> None:
        self.close_connection = False
        while not self.close_connection:
            try:
                self.handle_one_request()
            except _ProtocolError as error:
                self.close_connection = True
                self.send_fault(error.fault)
            except TimeoutError:
                return  # idle past ``timeout``: the connection is dropped without an answer

    def handle_one_request(self) -> None:
        self.command, self.requestline, self.sample = "", "", False
        self.headers: list[tuple[str, str]] = []  # as sent: (name, value) in order
        self.fields: dict[str, list[str]] = {}  # lower-case name -> its values, in order
        self.close_connection = True  # until the request line says otherwise
        line = self.read_line("request line")
        while line in (b"\r\n", b"\n"):  # empty lines before a request are ignored
            line = self.read_line("request line")
        if not line:
            return  # the client closed the connection
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        words = self.requestline.split(" ")
        if len(words) != 3 or not all(words):
            raise _ProtocolError(bad_request("The request line is not 'METHOD TARGET HTTP/1.x'."))
        self.command, self.path, version = words
        match = _REQUEST_VERSION.fullmatch(version)
        if match is None:
            raise _ProtocolError(bad_request(f"'{version}' is not an HTTP version."))
        if match.group(1) != "1":
            raise _ProtocolError(
                ServiceFault(
                    "HttpVersionNotSupportedException",
                    f"{version} is not supported; the service speaks HTTP/1.1 and HTTP/1.0.",
                    status=505,
                )
            )
        self.read_headers()
        fields = self.fields
        tokens = {
            token.strip().lower()
            for value in fields.get("connection", ())
            for token in value.split(",")
        }
        if match.group(2) == "0":
            self.close_connection = "keep-alive" not in tokens
            expect_continue = False
        else:
            self.close_connection = "close" in tokens
            expect_continue = any(
                value.lower() == "100-continue" for value in fields.get("expect", ())
            )
        self.serve(expect_continue)

    def read_line(self, what: str) -> bytes:
        """One line of the request head (b"" at the end of the stream), within the limit."""
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if len(line) > MAX_LINE_BYTES:
            if what == "request line":
                raise _ProtocolError(
                    ServiceFault(
                        "RequestUriTooLongException",
                        f"The request line is longer than {MAX_LINE_BYTES} bytes.",
                        status=414,
                    )
                )
            raise _ProtocolError(
                ServiceFault(
                    "RequestHeaderFieldsTooLargeException",
                    f"A header line is longer than {MAX_LINE_BYTES} bytes.",
                    status=431,
                )
            )
        if line and not line.endswith(b"\n"):
            return b""  # the client hung up in the middle of a line: nothing to answer
        return line

    def read_headers(self) -> None:
        headers, fields = self.headers, self.fields
        while True:
            line = self.read_line("header line")
            if not line:
                raise ConnectionResetError("the client hung up in the middle of the headers")
            if line in (b"\r\n", b"\n"):
                return
            if len(headers) == MAX_HEADERS:
                raise _ProtocolError(
                    ServiceFault(
                        "RequestHeaderFieldsTooLargeException",
                        f"The request has more than {MAX_HEADERS} header lines.",
                        status=431,
                    )
                )
            text = line.decode("latin-1")
            name, colon, value = text.partition(":")
            if not colon or _HEADER_NAME.fullmatch(name) is None:
                shown = text.rstrip("\r\n")
                shown = shown if len(shown) <= 60 else shown[:60] + "..."
                raise _ProtocolError(
                    bad_request(
                        f"Malformed header line '{shown.translate(_LOG_ESCAPES)}': expected"
                        " 'Name: value' (a token, a colon, no space before it, no folding)."
                    )
                )
            value = value.strip(" \t\r\n")
            headers.append((name, value))
            lower = name.lower()
            if lower in fields:
                fields[lower].append(value)
            else:
                fields[lower] = [value]

    def serve(self, expect_continue: bool = False) -> None:
        app: LocalApp = self.server.app
        lengths = {value.strip() for value in self.fields.get("content-length", ())}
        chunked = "transfer-encoding" in self.fields
        if len(lengths) > 1:
            return self.refuse(
                ServiceFault(
                    "SerializationException", "The request has conflicting Content-Length headers."
                )
            )
        if lengths and chunked:
            return self.refuse(
                ServiceFault(
                    "SerializationException",
                    "The request has both Content-Length and Transfer-Encoding.",
                )
            )
        if not lengths:
            if chunked:
                return self.refuse(
                    ServiceFault("LengthRequiredException", "Content-Length is required.")
                )
            length = 0
        else:
            length_text = lengths.pop()
            if not (length_text.isascii() and length_text.isdigit()):
                return self.refuse(
                    ServiceFault("SerializationException", "Content-Length is not a number.")
                )
            length = int(length_text)
        if length > app.max_body_bytes:
            if not expect_continue:  # a client waiting for "100 Continue" sends no body
                self.drain(length)
            return self.refuse(
                ServiceFault(
                    "RequestEntityTooLargeException",
                    f"The request body is {length} bytes; the limit is {app.max_body_bytes}.",
                )
            )
        if expect_continue and length:
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self.read_body(length)
        if body is None:
            return self.refuse(
                ServiceFault(
                    "RequestTimeoutException",
                    f"The request body did not arrive within {self.server.read_timeout:g} s"
                    " (Content-Length larger than the body?).",
                    status=408,
                )
            )
        self.send(*app.answer(self.command, self.path, self.headers, body, self.fields))

    def read_body(self, length: int) -> bytes | None:
        """The ``length`` bytes of body, or None when they do not all come in time."""
        if not length:
            return b""
        self.connection.settimeout(self.server.read_timeout)
        try:
            body = self.rfile.read(length)
        except (TimeoutError, OSError):
            return None
        finally:
            self.connection.settimeout(self.timeout)
        return body if len(body) == length else None

    def drain(self, length: int) -> None:
        """Read (and drop) an oversized body so the client sees the answer, not a reset."""
        if length > _DRAIN_LIMIT:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                break
            length -= len(chunk)

    def refuse(self, fault: ServiceFault) -> None:
        self.close_connection = True
        self.send_fault(fault)

    def send_fault(self, fault: ServiceFault) -> None:
        self.send(*self.server.app.fail(fault))

    def send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        """The whole answer in one write: status line, headers and body leave as one piece."""
        self.sample = any(name == SAMPLE_HEADER for name, _value in headers)
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, '')}",
            f"Server: {self.server_version}",
            f"Date: {_http_date(time.time())}",
        ]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        self.wfile.write(head if self.command == "HEAD" else head + payload)
        if self.server.log_requests:
            self.log_request(status)

    def log_request(self, status: int) -> None:
        target = self.fields.get("x-amz-target", ["-"])[-1]
        note = " (sample response)" if self.sample else ""
        line = f'{self.client_address[0]} {target} "{self.requestline}" {status} -{note}'
        sys.stderr.write(f"clishape-local: {line.translate(_LOG_ESCAPES)}\n")


def bad_request(message: str) -> ServiceFault:
    return ServiceFault("BadRequestException", message, status=400)


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server answering with one ``LocalApp``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        app: LocalApp,
        log_requests: bool = False,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ):
        self.app = app
        self.log_requests = log_requests
        self.read_timeout = read_timeout
        super().__init__(address, _Handler)
        app.listen = (self.server_address[0], self.server_address[1])

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-answer is routine; anything else is worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"
