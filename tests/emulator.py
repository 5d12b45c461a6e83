"""A real AWS emulator for the wire tests: moto in server mode, on a free loopback port.

``moto_server`` (session fixture) starts one moto server for the whole test session and stops
it afterwards; ``moto`` (function fixture) gives each test a clean slate by resetting moto's
state, with the endpoint, the environment a ``clishape`` run needs and a ``run`` shortcut.
``aws_specs`` imports the botocore services the wire tests use into a session folder once (the
importer is what users run), so ``clishape s3api …`` finds its specs on ``CLISHAPE_SPEC_PATH``.

No network: moto answers on 127.0.0.1 and the credentials are moto's dummy ones.
"""

from __future__ import annotations

import re
import socket
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_core.testing import Result, run
from clishape_tools.import_botocore import import_service

# Services the wire tests call, one or more per botocore protocol.
WIRE_SERVICES = (
    "s3",  # rest-xml (CLI name s3api)
    "route53",  # rest-xml with XML request bodies
    "iam",  # query
    "sts",  # query
    "sns",  # query
    "sqs",  # json (query-compatible)
    "cloudformation",  # query
    "ses",  # query
    "elb",  # query
    "ec2",  # ec2
    "dynamodb",  # json
    "logs",  # json
    "ssm",  # json
    "lambda",  # rest-json
    "polly",  # rest-json, streaming output
    "cloudwatch",  # smithy-rpc-v2-cbor (newer botocore) or query
)

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def aws_specs(tmp_path_factory) -> Path:
    """A folder with the specs of ``WIRE_SERVICES``, imported from the installed botocore."""
    out = tmp_path_factory.mktemp("aws-specs")
    for service in WIRE_SERVICES:
        import_service(service, out)
    return out


@pytest.fixture(scope="session")
def moto_server():
    """The endpoint URL of a moto server running for the whole session."""
    server_mod = pytest.importorskip("moto.server")
    port = free_port()
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


_GENERATED = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
)


def scrub(text: str, names: dict[str, str] | None = None) -> str:
    """``text`` with the emulator's generated values made stable, for snapshots.

    Times and UUIDs are replaced by ``<time>`` and ``<uuid>``; ``names`` maps other generated
    values (ids read from an earlier answer) to the placeholder each stands for.
    """
    for value, placeholder in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(value, placeholder)
    for pattern, placeholder in _GENERATED:
        text = pattern.sub(placeholder, text)
    return text


_REQUEST_LINE = re.compile(r"^clishape: request (\S+) (\S+) headers (\{.*\}) body (.*)$", re.M)


def sent_requests(debug_log: str) -> list[tuple[str, str, str]]:
    """(method, url, body) of each request a ``--debug`` run logged, in order."""
    return [(m[1], m[2], m[4]) for m in _REQUEST_LINE.finditer(debug_log)]


@dataclass
class Moto:
    """One test's view of the emulator: its endpoint, the environment, and a runner."""

    endpoint: str
    env: dict

    def run(self, *argv: str, stdin: str = "", env: dict | None = None) -> Result:
        """``clishape --endpoint-url <moto> ARGV…`` in process, with the test's environment."""
        full = ["--endpoint-url", self.endpoint, *argv]
        return run(full, env={**self.env, **(env or {})}, stdin=stdin)


@pytest.fixture
def moto(moto_server, aws_specs) -> Moto:
    """A clean emulator (moto's state reset) and the environment to call it with."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
    env = {
        "CLISHAPE_SPEC_PATH": str(aws_specs),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    return Moto(endpoint=moto_server, env=env)
