"""The local service — checks the AWS Signature Version 4 on a request the local service receives.

The signature is recomputed with botocore's own signer (its canonical request, string to sign and
key derivation) from the headers the client says it signed, and compared in constant time.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from clishape_local.faults import ServiceFault

SIGNING_NAME = "voiceid"
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_CREDENTIAL = re.compile(r"([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Caller:
    """Who signed the request, and for which region."""

    access_key: str
    region: str


def _parse_authorization(value: str) -> dict[str, str]:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ServiceFault(
            "IncompleteSignatureException",
            f"Unsupported authorization algorithm '{algorithm}'; expected {ALGORITHM}.",
        )
    fields = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name] = field_value
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if name not in fields]
    if missing:
        raise ServiceFault(
            "IncompleteSignatureException",
            "Authorization header requires " + ", ".join(f"'{name}'" for name in missing) + ".",
        )
    return fields


def verify(
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    secrets: dict[str, str],
    now: float | None = None,
) -> Caller:
    """Return the caller when the request carries a valid signature, else raise ServiceFault.

    ``secrets`` maps each known access key id to its secret key; any region is accepted.
    """
    by_name: dict[str, list[str]] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    return verify_grouped(method, path, by_name, body, secrets, now)


def verify_grouped(
    method: str,
    path: str,
    by_name: dict[str, list[str]],
    body: bytes,
    secrets: dict[str, str],
    now: float | None = None,
) -> Caller:
    """``verify`` for headers already grouped: lower-case name -> its values, in order."""
    authorization = by_name.get("authorization")
    if not authorization:
        raise ServiceFault("MissingAuthenticationTokenException", "Missing Authentication Token")
    fields = _parse_authorization(authorization[0])
    credential = _CREDENTIAL.fullmatch(fields["Credential"])
    if credential is None:
        raise ServiceFault(
            "IncompleteSignatureException",
            "The Credential in the Authorization header is malformed.",
        )
    access_key, day, region, service = credential.groups()
    if access_key not in secrets:
        raise ServiceFault(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    if service != SIGNING_NAME:
        raise ServiceFault(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SIGNING_NAME}'.",
        )
    stamp = (by_name.get("x-amz-date") or [""])[0]
    signed_at = _signed_at(stamp)
    if signed_at is None:
        raise ServiceFault(
            "IncompleteSignatureException", "The request must carry a valid X-Amz-Date header."
        )
    if not stamp.startswith(day):
        raise ServiceFault(
            "InvalidSignatureException", "The Credential date does not match X-Amz-Date."
        )
    current = time.time() if now is None else now
    if abs(current - signed_at) > MAX_SKEW_SECONDS:
        raise ServiceFault(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is more than 15 minutes from the service's clock.",
        )
    signed = [name.strip().lower() for name in fields["SignedHeaders"].split(";") if name.strip()]
    if "host" not in signed or "host" not in by_name:
        raise ServiceFault("InvalidSignatureException", "The host header must be signed.")
    secret = secrets[access_key]
    expected = _simple_signature(method, path, signed, by_name, body, stamp, region, secret)
    if expected is None or not hmac.compare_digest(expected, fields["Signature"]):
        # botocore's signer is the reference: a request the short way does not cover, or one
        # it finds wrong, is decided by it
        expected = _botocore_signature(method, path, signed, by_name, body, stamp, region, secret)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise ServiceFault(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    return Caller(access_key=access_key, region=region)


@functools.lru_cache(maxsize=256)
def _signed_at(stamp: str) -> int | None:
    """The X-Amz-Date ``stamp`` as seconds since the epoch, None when it is not one.

    Cached: a client signs many requests within the same second."""
    try:
        return calendar.timegm(time.strptime(stamp, SIGV4_TIMESTAMP))
    except ValueError:
        return None


def _botocore_signature(method, path, signed, by_name, body, stamp, region, secret) -> str:
    """The signature botocore's own signer computes for the request as signed."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"http://{by_name['host'][0]}{path}", data=body)
    for name in signed:
        for value in by_name.get(name, []):
            request.headers[name] = value
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials("-", secret), SIGNING_NAME, region)
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical), request)


def _simple_signature(method, path, signed, by_name, body, stamp, region, secret) -> str | None:
    """The same signature, computed directly, for the requests the SDKs send to this service:
    path ``/``, no query string, only headers botocore signs. None for anything else."""
    if path != "/" or any(name in _unsigned_header_names() for name in signed):
        return None
    names = sorted(set(signed))
    lines = [
        name + ":" + ",".join(" ".join(value.split()) for value in by_name.get(name, []))
        for name in names
    ]
    given_hash = by_name.get("x-amz-content-sha256") if "x-amz-content-sha256" in names else None
    payload = given_hash[-1] if given_hash else hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        [method.upper(), "/", "", "\n".join(lines) + "\n", ";".join(names), payload]
    )
    scope = f"{stamp[:8]}/{region}/{SIGNING_NAME}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.digest(_signing_key(secret, stamp[:8], region), to_sign.encode(), "sha256").hex()


@functools.cache
def _unsigned_header_names() -> frozenset[str]:
    """The headers botocore's signer leaves out of a signature (imported once, when needed)."""
    from botocore.auth import SIGNED_HEADERS_BLACKLIST

    return frozenset(SIGNED_HEADERS_BLACKLIST)


@functools.lru_cache(maxsize=64)
def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, SIGNING_NAME, "aws4_request"):
        key = hmac.new(key, part.encode(), "sha256").digest()
    return key
