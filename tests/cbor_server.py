"""A small Smithy RPC v2 CBOR service for the wire tests: stdlib only.

No emulator speaks ``smithy-rpc-v2-cbor`` (moto answers the services that have it in JSON,
which botocore prefers when a model lists both), so this module brings the two halves a test
needs: a CBOR codec (RFC 8949, the subset the protocol uses: integers, floats, text and byte
strings, arrays, maps, booleans, null and epoch timestamps as tag 1) and an HTTP server that
answers ``POST /service/<Service>/operation/<Operation>`` with CBOR bodies, the way the
protocol describes. ``CborService`` records each request it decoded, so a test can check what
went over the wire as well as what was printed.
"""

from __future__ import annotations

import datetime as dt
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# -- the codec ---------------------------------------------------------------------------------


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        try:
            return bytes([major << 5 | extra]) + struct.pack(fmt, value)
        except struct.error:
            continue
    raise ValueError(f"integer too large for CBOR: {value}")


def encode(value) -> bytes:
    """The CBOR encoding of a Python value (dict, list, str, bytes, numbers, None, datetime)."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, (bytes, bytearray)):
        return _head(2, len(value)) + bytes(value)
    if isinstance(value, dt.datetime):
        return b"\xc1" + encode(value.timestamp())
    if isinstance(value, (list, tuple)):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, count: int) -> bytes:
        chunk = self.data[self.pos : self.pos + count]
        if len(chunk) != count:
            raise ValueError("truncated CBOR data")
        self.pos += count
        return chunk

    def argument(self, info: int) -> int | None:
        if info < 24:
            return info
        sizes = {24: ">B", 25: ">H", 26: ">I", 27: ">Q"}
        if info in sizes:
            fmt = sizes[info]
            return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        if info == 31:
            return None  # indefinite length
        raise ValueError(f"bad CBOR additional information {info}")

    def item(self):
        first = self.take(1)[0]
        major, info = first >> 5, first & 0x1F
        if major == 7:
            return self._simple(info)
        arg = self.argument(info)
        if major == 0:
            return arg
        if major == 1:
            return -1 - arg
        if major in (2, 3):
            if arg is None:
                parts = []
                while self.data[self.pos] != 0xFF:
                    parts.append(self.item())
                self.pos += 1
                joined = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
            else:
                joined = self.take(arg)
            return joined if major == 2 else joined.decode("utf-8")
        if major == 4:
            return [self.item() for _ in range(arg)] if arg is not None else self._until_break()
        if major == 5:
            if arg is None:
                flat = self._until_break()
                return dict(zip(flat[::2], flat[1::2], strict=True))
            return {self.item(): self.item() for _ in range(arg)}
        if major == 6:
            value = self.item()
            if arg == 1:
                return dt.datetime.fromtimestamp(value, dt.UTC)
            return value
        raise ValueError(f"bad CBOR major type {major}")

    def _until_break(self) -> list:
        items = []
        while self.data[self.pos] != 0xFF:
            items.append(self.item())
        self.pos += 1
        return items

    def _simple(self, info: int):
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _half(self.take(2))
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        raise ValueError(f"unsupported CBOR simple value {info}")


def _half(raw: bytes) -> float:
    bits = struct.unpack(">H", raw)[0]
    sign = -1.0 if bits & 0x8000 else 1.0
    exponent, fraction = (bits >> 10) & 0x1F, bits & 0x3FF
    if exponent == 0:
        return sign * fraction * 2.0**-24
    if exponent == 31:
        return sign * float("inf") if fraction == 0 else float("nan")
    return sign * (1 + fraction / 1024) * 2.0 ** (exponent - 15)


def decode(data: bytes):
    """The Python value of one CBOR data item (the whole of ``data``)."""
    reader = _Reader(data)
    value = reader.item()
    if reader.pos != len(data):
        raise ValueError("trailing bytes after the CBOR data item")
    return value


# -- the server --------------------------------------------------------------------------------


class ServiceError(Exception):
    """Raised by an operation handler: answered as a CBOR error with ``__type``."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


Handler = Callable[[dict], dict]


class CborService:
    """An RPC v2 CBOR endpoint on a free loopback port, answering with ``operations``."""

    def __init__(self, service: str, operations: dict[str, Handler]):
        self.service = service
        self.operations = operations
        self.requests: list[tuple[str, dict, dict]] = []  # (operation, headers, body)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> CborService:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler_class(self):
        service = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = self.path.strip("/").split("/")
                if (
                    len(parts) != 4
                    or parts[0] != "service"
                    or parts[1] != service.service
                    or parts[2] != "operation"
                    or parts[3] not in service.operations
                ):
                    self._answer(404, {"__type": "UnknownOperationException", "message": self.path})
                    return
                if self.headers.get("smithy-protocol") != "rpc-v2-cbor":
                    self._answer(400, {"__type": "BadRequest", "message": "not rpc-v2-cbor"})
                    return
                body = decode(raw) if raw else {}
                service.requests.append((parts[3], dict(self.headers), body))
                try:
                    answer = service.operations[parts[3]](body)
                except ServiceError as exc:
                    self._answer(exc.status, {"__type": exc.code, "message": exc.message})
                    return
                self._answer(200, answer)

            def _answer(self, status: int, body: dict) -> None:
                data = encode(body)
                self.send_response(status)
                self.send_header("smithy-protocol", "rpc-v2-cbor")
                self.send_header("Content-Type", "application/cbor")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-requestid", "cbor-test-request")
                self.end_headers()
                self.wfile.write(data)

        return RequestHandler
