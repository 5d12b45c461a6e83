"""``--cli-dry-run http``: the HTTP request that would be sent, built and signed by the real send
path and stopped before the connection — for an AWS json, rest-xml and query service and for a
plain HTTP API — with secrets redacted; ``--cli-dry-run`` alone keeps the parameter view.

Every run here has a proxy that does not exist: a request that were sent would fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_core.argv.parser import split_globals
from cli_core.errors import CLIError
from cli_core.testing import run
from clishape_tools.import_botocore import import_service

ACCESS_KEY = "AKIDDRYRUNEXAMPLE"
SECRET_KEY = "dry-run-secret-key-0123456789"
SESSION_TOKEN = "dry-run-session-token-0123456789"
NOWHERE = "http://127.0.0.1:9"  # nothing listens: sending anything would fail
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_SESSION_TOKEN": SESSION_TOKEN,
    "AWS_REGION": "eu-west-1",
    "HTTPS_PROXY": NOWHERE,
    "HTTP_PROXY": NOWHERE,
}
DOMAIN = "abcdefghij0123456789AB"


@pytest.fixture(scope="module")
def aws_specs(tmp_path_factory) -> Path:
    """s3api (rest-xml) and sts (query), imported from the installed botocore."""
    out = tmp_path_factory.mktemp("dry-run-specs")
    for service in ("s3", "sts"):
        import_service(service, out)
    return out


def dry(argv, env=None):
    result = run([*argv, "--cli-dry-run", "http"], env={**AWS_ENV, **(env or {})})
    assert result.exit_code == 0, result.stderr
    return result


def request_parts(text: str) -> tuple[str, dict, str]:
    """(request line, headers, body) of the printed request."""
    head, _, body = text.partition("\n\n")
    first, *lines = head.splitlines()
    headers = dict(line.split(": ", 1) for line in lines)
    return first, headers, body


def assert_no_secret(text: str) -> None:
    for secret in (SECRET_KEY, SESSION_TOKEN, ACCESS_KEY):
        assert secret not in text


# -- AWS services ------------------------------------------------------------------------------


def test_a_json_protocol_request_is_shown_signed_and_redacted():
    result = dry(["voice-id", "describe-domain", "--domain-id", DOMAIN])
    first, headers, body = request_parts(result.stdout)
    assert first == "POST https://voiceid.eu-west-1.amazonaws.com/"
    assert headers["X-Amz-Target"] == "VoiceID.DescribeDomain"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert headers["X-Amz-Security-Token"] == "***"
    auth = headers["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=***, SignedHeaders=")
    assert auth.endswith("Signature=***")
    assert json.loads(body) == {"DomainId": DOMAIN}
    assert_no_secret(result.stdout + result.stderr)
    assert result.stderr == ""


def test_without_credentials_the_request_is_shown_unsigned_with_a_warning(tmp_path: Path):
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
           "HOME": str(tmp_path)}  # fmt: skip
    result = dry(["voice-id", "describe-domain", "--domain-id", DOMAIN], env)
    _first, headers, _body = request_parts(result.stdout)
    assert "Authorization" not in headers
    assert "no credentials were found; the request is shown unsigned" in result.stderr


def test_a_rest_xml_request_shows_the_query_string(aws_specs: Path):
    env = {"CLISHAPE_SPEC_PATH": str(aws_specs)}
    argv = ["s3api", "list-objects-v2", "--bucket", "amzn-s3-demo", "--prefix", "logs/2026"]
    result = dry([*argv, "--max-keys", "5"], env)
    first, headers, body = request_parts(result.stdout)
    method, url = first.split(" ", 1)
    assert method == "GET"
    assert url.startswith("https://amzn-s3-demo.s3.eu-west-1.amazonaws.com/?list-type=2")
    assert "prefix=logs%2F2026" in url and "max-keys=5" in url
    assert headers["Authorization"].endswith("Signature=***")
    assert body == ""
    assert_no_secret(result.stdout)


def test_a_binary_body_is_summarised(aws_specs: Path, tmp_path: Path):
    data = tmp_path / "blob.bin"
    data.write_bytes(bytes(range(256)) * 4)
    env = {"CLISHAPE_SPEC_PATH": str(aws_specs)}
    argv = ["s3api", "put-object", "--bucket", "amzn-s3-demo", "--key", "a b.bin"]
    result = dry([*argv, "--body", str(data)], env)
    first, headers, body = request_parts(result.stdout)
    assert first == "PUT https://amzn-s3-demo.s3.eu-west-1.amazonaws.com/a%20b.bin"
    assert headers["Authorization"].endswith("Signature=***")
    assert body == "<1024 bytes binary>\n"


def test_a_query_protocol_request_shows_its_form_body(aws_specs: Path):
    env = {"CLISHAPE_SPEC_PATH": str(aws_specs)}
    role = "arn:aws:iam::123456789012:role/demo"
    result = dry(["sts", "assume-role", "--role-arn", role, "--role-session-name", "s1"], env)
    first, headers, body = request_parts(result.stdout)
    assert first == "POST https://sts.eu-west-1.amazonaws.com/"
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert body.strip() == (
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3A"
        "role%2Fdemo&RoleSessionName=s1"
    )


# -- a plain HTTP API --------------------------------------------------------------------------

PETSTORE = """\
clishape: 1
service: petstore
metadata: {protocol: rest-json, apiVersion: '1.0.0', endpointPrefix: petstore,
           serviceId: Swagger Petstore}
http:
  endpoint: https://petstore.example.com/v1
  auth:
    - {type: api-key, in: query, name: api_key, env: PETSTORE_API_KEY}
    - {type: bearer, env: PETSTORE_TOKEN, config: petstore_token}
shapes:
  String: {type: string}
  Integer: {type: integer}
"""
FIND_PETS = """\
clishape: 1
command: find-pets
operation: FindPets
http: {method: GET, requestUri: '/pets/{kind}', responseCode: 200}
input:
  type: structure
  required: [kind]
  members:
    kind: {shape: String, location: uri, locationName: kind}
    tags: {shape: Tags, location: querystring, locationName: tags}
    limit: {shape: Integer, location: querystring, locationName: limit}
    trace: {shape: String, location: header, locationName: X-Trace}
shapes:
  Tags: {type: list, member: {shape: String}}
"""
ADOPT = """\
clishape: 1
command: adopt-pet
operation: AdoptPet
http: {method: POST, requestUri: /adoptions, mediaType: application/x-www-form-urlencoded}
input:
  type: structure
  members:
    name: {shape: String}
    owner: {shape: Owner}
shapes:
  Owner: {type: structure, members: {first: {shape: String}, last: {shape: String}}}
"""


@pytest.fixture
def petstore(tmp_path: Path) -> dict:
    folder = tmp_path / "specs" / "petstore"
    folder.mkdir(parents=True)
    (folder / "_service.yaml").write_text(PETSTORE)
    (folder / "find-pets.yaml").write_text(FIND_PETS)
    (folder / "adopt-pet.yaml").write_text(ADOPT)
    return {"CLISHAPE_SPEC_PATH": str(tmp_path / "specs")}


def test_a_plain_http_request_shows_method_url_query_and_header(petstore):
    argv = ["petstore", "find-pets", "--kind", "cats", "--tags", "a b", "c", "--limit", "2"]
    result = dry([*argv, "--trace", "t-1"], {**petstore, "PETSTORE_TOKEN": "bearer-secret-1"})
    first, headers, body = request_parts(result.stdout)
    assert first == "GET https://petstore.example.com/v1/pets/cats?tags=a%20b&tags=c&limit=2"
    assert headers["X-Trace"] == "t-1"
    assert headers["Authorization"] == "Bearer ***"
    assert "X-Amz-Date" not in headers  # not signed
    assert body == ""
    assert "bearer-secret-1" not in result.stdout


def test_an_api_key_in_the_query_string_is_redacted(petstore):
    env = {**petstore, "PETSTORE_API_KEY": "query-key-0123456789"}
    result = dry(["petstore", "find-pets", "--kind", "dogs"], env)
    first, headers, _body = request_parts(result.stdout)
    assert first == "GET https://petstore.example.com/v1/pets/dogs?api_key=***"
    assert "Authorization" not in headers
    assert "query-key-0123456789" not in result.stdout


def test_endpoint_url_sets_the_base_and_keeps_its_path(petstore):
    argv = ["petstore", "find-pets", "--kind", "cats", "--endpoint-url", "http://localhost:8080/x/"]
    first, _headers, _body = request_parts(dry(argv, petstore).stdout)
    assert first == "GET http://localhost:8080/x/pets/cats"


def test_a_form_body_is_form_encoded(petstore):
    argv = ["petstore", "adopt-pet", "--name", "Rex", "--owner", "first=Ada,last=Lovelace"]
    first, headers, body = request_parts(dry(argv, petstore).stdout)
    assert first == "POST https://petstore.example.com/v1/adoptions"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert body.strip() == "name=Rex&owner%5Bfirst%5D=Ada&owner%5Blast%5D=Lovelace"


# -- imported documents ------------------------------------------------------------------------

OPENAPI = Path(__file__).parent / "fixtures" / "openapi"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    """OAI's petstore-expanded and Twilio's API (form bodies, basic auth), imported."""
    from clishape_tools.import_openapi import import_openapi

    out = tmp_path_factory.mktemp("openapi-specs")
    import_openapi(OPENAPI / "petstore-expanded.yaml", out, "petstore")
    import_openapi(OPENAPI / "twilio_api_v2010.yaml", out, "twilio")
    return {"CLISHAPE_SPEC_PATH": str(out)}


def test_an_imported_operation_shows_its_url_with_the_query_string(imported):
    argv = ["petstore", "find-pets", "--tags", "dog", "cat", "--limit", "10"]
    first, headers, body = request_parts(dry(argv, imported).stdout)
    assert first == "GET https://petstore.swagger.io/v2/pets?tags=dog&tags=cat&limit=10"
    assert headers["Accept"] == "application/json"
    assert "Authorization" not in headers  # the document asks for none
    assert not any(name.lower().startswith("amz-sdk") for name in headers)
    assert body == ""


def test_an_imported_form_operation_with_basic_auth(imported):
    env = {**imported, "TWILIO_CREDENTIALS": f"{TWILIO_SID}:twilio-auth-token-0123"}
    argv = ["twilio", "create-message", "--account-sid", TWILIO_SID, "--to", "+15550001",
            "--from", "+15550002", "--body", "Hello there"]  # fmt: skip
    result = dry(argv, env)
    first, headers, body = request_parts(result.stdout)
    assert first == f"POST https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Authorization"] == "Basic ***"
    assert body.strip() == "To=%2B15550001&From=%2B15550002&Body=Hello+there"
    assert "twilio-auth-token-0123" not in result.stdout


# -- the option --------------------------------------------------------------------------------


def test_alone_it_keeps_the_parameter_view():
    for argv in (
        ["voice-id", "describe-domain", "--domain-id", DOMAIN, "--cli-dry-run"],
        ["--cli-dry-run", "voice-id", "describe-domain", "--domain-id", DOMAIN],
    ):
        result = run(argv, env=AWS_ENV)
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == {
            "operation": "DescribeDomain",
            "params": {"DomainId": DOMAIN},
        }


def test_the_value_may_follow_or_be_joined():
    assert split_globals(["--cli-dry-run", "http", "s3api"])[0].cli_dry_run == "http"
    assert split_globals(["s3api", "--cli-dry-run=http"])[0].cli_dry_run == "http"
    gargs, rest = split_globals(["--cli-dry-run", "s3api", "list-buckets"])
    assert (gargs.cli_dry_run, rest) == (True, ["s3api", "list-buckets"])


def test_an_unknown_view_is_a_usage_error():
    with pytest.raises(CLIError, match=r"--cli-dry-run: invalid value 'xml' \(give it alone"):
        split_globals(["--cli-dry-run=xml"])
    result = run(
        ["voice-id", "describe-domain", "--domain-id", DOMAIN, "--cli-dry-run=" + "A" * 500]
    )
    assert result.exit_code == 252
    assert "argument --cli-dry-run: invalid value 'AAAA" in result.stderr
    assert len(result.stderr) < 400


def test_the_help_pages_document_it():
    page = " ".join(run(["help"]).stdout.split())
    assert "--cli-dry-run (string, optional)" in page
    assert "With http: the HTTP request that would be sent" in page
    command = run(["voice-id", "describe-domain", "help"]).stdout
    assert "[--cli-dry-run [http]]" in command


def test_a_command_that_runs_its_own_code_has_no_http_request(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "_service.yaml").write_text(
        "clishape: 1\nservice: notes\nmetadata: {protocol: json}\n"
    )
    (folder / "get-note.yaml").write_text(
        "clishape: 1\ncommand: get-note\noperation: GetNote\nhandler: notes_code:get_note\n"
        "input: {type: structure, members: {Id: {type: string}}}\n"
    )
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path)}
    result = run(["notes", "get-note", "--id", "7", "--cli-dry-run", "http"], env=env)
    assert result.exit_code == 252
    assert "'get-note' runs its own code (notes_code:get_note) and sends no request" in (
        result.stderr
    )
    params = run(["notes", "get-note", "--id", "7", "--cli-dry-run"], env=env)
    assert json.loads(params.stdout)["params"] == {"Id": "7"}


LISTS_SERVICE = """\
clishape: 1
service: lists
metadata: {protocol: rest-json, apiVersion: '1', endpointPrefix: lists, serviceId: Lists}
http: {endpoint: 'https://api.example.com/v1', auth: []}
"""
LIST_PAYLOAD = """\
clishape: 1
command: patch-list
operation: PatchList
http: {method: PATCH, requestUri: '/lists/{id}', mediaType: application/json-patch+json}
input:
  type: structure
  required: [Id]
  members:
    Id: {type: string, location: uri, locationName: id}
    Body:
      type: list
      member:
        type: structure
        members:
          op: {type: string}
          when: {type: timestamp, timestampFormat: iso8601}
  payload: Body
"""
MAP_PAYLOAD = """\
clishape: 1
command: put-counts
operation: PutCounts
http: {method: PUT, requestUri: /counts}
input:
  type: structure
  members:
    Body: {type: map, key: {type: string}, value: {type: integer}}
  payload: Body
"""


def test_a_list_or_map_payload_is_the_json_body_itself(tmp_path: Path):
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "_service.yaml").write_text(LISTS_SERVICE)
    (folder / "patch-list.yaml").write_text(LIST_PAYLOAD)
    (folder / "put-counts.yaml").write_text(MAP_PAYLOAD)
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path)}
    patch = '[{"op": "add", "when": "2026-01-02T03:04:05Z"}]'
    first, headers, body = request_parts(
        dry(["lists", "patch-list", "--id", "7", "--body", patch], env).stdout
    )
    assert first == "PATCH https://api.example.com/v1/lists/7"
    assert headers["Content-Type"] == "application/json-patch+json"
    assert json.loads(body) == [{"op": "add", "when": "2026-01-02T03:04:05Z"}]
    assert headers["Content-Length"] == str(len(body.strip().encode()))
    _first, _headers, body = request_parts(
        dry(["lists", "put-counts", "--body", "a=1,b=2"], env).stdout
    )
    assert json.loads(body) == {"a": 1, "b": 2}
