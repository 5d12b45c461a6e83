"""smithy-rpc-v2-cbor on the wire: clishape against a CBOR service of our own (tests/cbor_server).

The spec is botocore's Marketplace Entitlement Service, imported as users import it, with its
metadata narrowed to the CBOR protocol only (botocore picks JSON when a model offers both, and
no emulator answers CBOR). One paginated operation with maps, lists, numbers, booleans and
timestamps; the request is decoded on the server side and checked too.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from cbor_server import CborService, ServiceError, decode, encode

from cli_core.testing import run
from clishape_tools.import_botocore import import_service

SERVICE = "marketplace-entitlement"
EXPIRES = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
ENTITLEMENTS = [
    {
        "ProductCode": "prod1",
        "Dimension": f"dim{i}",
        "CustomerIdentifier": "cust-a" if i % 2 else "cust-b",
        "Value": [{"IntegerValue": i}, {"DoubleValue": i + 0.5}, {"BooleanValue": True},
                  {"StringValue": f"s{i}"}][i % 4],
        "ExpirationDate": EXPIRES,
    }
    for i in range(5)
]  # fmt: skip


def get_entitlements(body: dict) -> dict:
    if body.get("ProductCode") != "prod1":
        raise ServiceError(
            "InvalidParameterException", f"unknown product {body.get('ProductCode')}"
        )
    wanted = body.get("Filter", {}).get("CUSTOMER_IDENTIFIER")
    items = [e for e in ENTITLEMENTS if not wanted or e["CustomerIdentifier"] in wanted]
    start = int(body.get("NextToken", "0"))
    size = body.get("MaxResults", 2)
    answer: dict = {"Entitlements": items[start : start + size]}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return answer


@pytest.fixture(scope="module")
def cbor_specs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cbor-specs")
    import_service(SERVICE, out)
    service_file = out / SERVICE / "_service.yaml"
    text = service_file.read_text()
    narrowed = text.replace("  - smithy-rpc-v2-cbor\n  - json\n", "  - smithy-rpc-v2-cbor\n")
    assert narrowed != text  # the model offers JSON too: keep CBOR only
    service_file.write_text(narrowed)
    return out


@pytest.fixture
def service():
    with CborService("AWSMPEntitlementService", {"GetEntitlements": get_entitlements}) as svc:
        yield svc


def call(service, cbor_specs, *argv):
    env = {
        "CLISHAPE_SPEC_PATH": str(cbor_specs),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return run(["--endpoint-url", service.endpoint, SERVICE, *argv], env=env)


def test_codec_round_trip():
    value = {"a": [1, -2, 2**40, 1.5, "x", b"\x00\xff", True, False, None], "t": EXPIRES}
    assert decode(encode(value)) == value


def test_all_pages_gathered_in_cbor(service, cbor_specs, snapshot):
    result = call(service, cbor_specs, "get-entitlements", "--product-code", "prod1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == snapshot
    # three calls: 2 + 2 + 1 entitlements, each a CBOR request with the right headers
    assert [body for _, _, body in service.requests] == [
        {"ProductCode": "prod1"},
        {"ProductCode": "prod1", "NextToken": "2"},
        {"ProductCode": "prod1", "NextToken": "4"},
    ]
    headers = service.requests[0][1]
    assert headers["Content-Type"] == "application/cbor"
    assert headers["smithy-protocol"] == "rpc-v2-cbor"


def test_max_items_and_starting_token(service, cbor_specs):
    first = call(
        service, cbor_specs, "get-entitlements", "--product-code", "prod1",
        "--max-items", "3", "--query", "{dims: Entitlements[].Dimension, token: NextToken}",
    )  # fmt: skip
    assert first.exit_code == 0, first.stderr
    answer = json.loads(first.stdout)
    assert answer["dims"] == ["dim0", "dim1", "dim2"]
    token = answer["token"]
    rest = call(
        service, cbor_specs, "get-entitlements", "--product-code", "prod1",
        "--starting-token", token, "--output", "text", "--query", "Entitlements[].Dimension",
    )  # fmt: skip
    assert rest.exit_code == 0, rest.stderr
    assert rest.stdout.split() == ["dim3", "dim4"]


def test_map_of_lists_and_page_size_sent(service, cbor_specs, snapshot):
    result = call(
        service, cbor_specs, "get-entitlements", "--product-code", "prod1",
        "--filter", "CUSTOMER_IDENTIFIER=cust-a", "--page-size", "5", "--output", "table",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert service.requests[0][2] == {
        "ProductCode": "prod1",
        "Filter": {"CUSTOMER_IDENTIFIER": ["cust-a"]},
        "MaxResults": 5,
    }
    assert result.stdout == snapshot


def test_yaml_output_of_one_page(service, cbor_specs):
    result = call(
        service, cbor_specs, "get-entitlements", "--product-code", "prod1",
        "--max-results", "1", "--output", "yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(service.requests) == 1  # --max-results: one call, the NextToken printed
    assert yaml.safe_load(result.stdout) == {
        "Entitlements": [
            {
                "ProductCode": "prod1",
                "Dimension": "dim0",
                "CustomerIdentifier": "cust-b",
                "Value": {"IntegerValue": 0},
                "ExpirationDate": "2030-01-02T03:04:05+00:00",
            }
        ],
        "NextToken": "1",
    }


def test_service_error_is_254_with_its_code(service, cbor_specs):
    result = call(service, cbor_specs, "get-entitlements", "--product-code", "nope")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "(InvalidParameterException)" in result.stderr
    assert "GetEntitlements operation: unknown product nope" in result.stderr
