"""``clishape-spec import-openapi`` on documents no one here wrote (tests/fixtures/openapi/).

Every operation of every stored document imports, the output lints clean, and each command gives
help, ``--generate-cli-skeleton`` and ``--cli-dry-run`` (run in process, the imported folder on
``CLISHAPE_SPEC_PATH``). The importer's report of what it could not express is snapshotted; for
the OAI examples so are the commands (help without the global options, skeleton, dry run), for
the two large descriptions (Twilio, Box) a summary. The mapping rules (docs/openapi.md) are
checked on a small document of our own at the end.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import pytest

from cli_core.request.sample import output_sample
from cli_core.shapes.naming import cli_name
from cli_core.specs import load_command
from cli_core.testing import run
from clishape_tools.import_openapi import (
    MARKER,
    command_name,
    convert_document,
    fallback_command_name,
    member_name,
)
from clishape_tools.lint import lint_paths
from clishape_tools.spec_cli import main as spec_main

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
EXAMPLES = {  # the OAI's published examples: file -> service name
    "petstore.yaml": "petstore",
    "petstore-expanded.yaml": "petstore-expanded",
    "api-with-examples.yaml": "api-with-examples",
    "callback-example.yaml": "callback-example",
    "link-example.yaml": "link-example",
    "uspto.yaml": "uspto",
    "webhook-example.yaml": "webhook-example",
    "non-oauth-scopes.yaml": "non-oauth-scopes",
}
LARGE = {"twilio_api_v2010.yaml": "twilio", "box.json": "box"}


def _import(path: Path, out: Path, service: str, capsys) -> str:
    code = spec_main(["import-openapi", str(path), "--out", str(out), "--service", service])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out.replace(str(out), "OUT")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Every stored document imported once: (folder, {service: the importer's printout})."""
    out = tmp_path_factory.mktemp("openapi-specs")
    reports = {}
    for name, service in {**EXAMPLES, **LARGE}.items():
        result = convert_document(_load(FIXTURES / name), service)
        from clishape_tools.import_openapi import write_import

        write_import(result, out, name)
        reports[service] = "\n".join([result.summary(), *result.report.lines()]) + "\n"
    return out, reports


def _load(path: Path) -> dict:
    from clishape_tools.import_openapi import load_document

    return load_document(path)


def _env(folder: Path, tmp_path: Path) -> dict:
    return {"CLISHAPE_SPEC_PATH": str(folder), "CLISHAPE_CACHE_DIR": str(tmp_path / "cache")}


def _jsonable(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _commands(folder: Path, service: str) -> list[str]:
    return sorted(p.stem for p in (folder / service).glob("*.yaml") if p.stem != "_service")


def _spec(folder: Path, service: str, command: str, tmp_path: Path):
    spec = load_command(service, command, [folder], cache_dir=tmp_path / "cache")
    assert spec is not None
    return spec


def _dry_run_argv(spec, service: str, command: str, tmp_path: Path) -> list[str]:
    """A dry run with a valid request: a sample input (every constraint met) as the input
    document, or — for a command whose output goes to an ``outfile`` (no input document, as in
    the AWS CLI) — its members as options."""
    sample = output_sample(spec.input) if spec.input is not None else {}
    if spec.outfile_member is None:
        return [service, command, "--cli-input-json", json.dumps(sample, default=_jsonable),
                "--cli-dry-run"]  # fmt: skip
    argv = [service, command]
    for member, value in sample.items():
        option = spec.input.members[member].raw.get("cli_name") or cli_name(member)
        text = value if isinstance(value, str) else json.dumps(value, default=_jsonable)
        argv += [f"--{option}", text]
    return [*argv, str(tmp_path / "outfile"), "--cli-dry-run"]


def _botocore_request(spec, service: str) -> dict:
    """The request botocore's rest-json serializer makes of a sample input (no network): the
    spec is valid botocore input. A payload that is a list, map or document is the sender's to
    write (botocore's serializer cannot: docs/openapi.md); None for those."""
    from botocore.model import ServiceModel
    from botocore.serialize import create_serializer

    from cli_core.send.transport import service_model

    model = ServiceModel(service_model(spec), service)
    operation = model.operation_model(spec.raw["operation"]["name"])
    shape = operation.input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    member = shape.members[payload] if payload else None
    if member is not None and (
        member.type_name in ("list", "map") or getattr(member, "is_document_type", False)
    ):
        return None
    params = output_sample(spec.input) if spec.input is not None else {}
    return create_serializer("rest-json").serialize_to_request(params, operation)


def _help_digest(text: str) -> str:
    """A help page without what every command shares (global options and their synopsis)."""
    out, mode = [], None
    for line in text.splitlines():
        if mode == "synopsis" and not line.strip():
            mode = None
        elif mode == "section" and line and not line.startswith(" "):
            mode = None
        if mode is None:
            if line.startswith("      [--cli-input-json"):
                mode = "synopsis"
            elif line.startswith("    --cli-input-json | ") or line == "GLOBAL OPTIONS":
                mode = "section"
        if mode is None:
            out.append(line)
    return "\n".join(out).rstrip() + "\n"


def _exercise(folder: Path, service: str, command: str, tmp_path: Path) -> dict[str, str]:
    """Help, skeleton and dry run of one command: each must exit 0."""
    env = _env(folder, tmp_path)
    spec = _spec(folder, service, command, tmp_path)
    runs = {"help": [service, command, "help"]}
    if spec.outfile_member is None:  # an outfile command has no skeleton (as the AWS CLI)
        runs["skeleton"] = [service, command, "--generate-cli-skeleton"]
    runs["dry run"] = _dry_run_argv(spec, service, command, tmp_path)
    outputs = {}
    for what, argv in runs.items():
        result = run(argv, env=env, width=100)
        assert result.exit_code == 0, f"{service} {command} {what}: {result.stderr}"
        assert result.stderr == ""
        outputs[what] = _help_digest(result.stdout) if what == "help" else result.stdout
    return outputs


# -- the documents ----------------------------------------------------------------------------


def test_every_imported_spec_lints_clean(imported):
    folder, _ = imported
    result = lint_paths([folder], {})
    assert [str(p) for p in result.problems] == []
    assert result.services == len(EXAMPLES) + len(LARGE)


@pytest.mark.parametrize("document", sorted(EXAMPLES))
def test_oai_example(document, imported, tmp_path, snapshot):
    folder, reports = imported
    service = EXAMPLES[document]
    parts = [f"# report\n{reports[service]}"]
    for command in _commands(folder, service):
        outputs = _exercise(folder, service, command, tmp_path)
        for what, text in outputs.items():
            parts.append(f"# {command}: {what}\n{text}")
    assert "\n".join(parts) == snapshot


@pytest.mark.parametrize("document", sorted(LARGE))
def test_large_description(document, imported, tmp_path, snapshot):
    """Hundreds of operations: every one gives help, a skeleton (unless it writes an outfile)
    and a dry run; the snapshot is the report and a summary."""
    folder, reports = imported
    service = LARGE[document]
    commands = _commands(folder, service)
    methods: dict[str, int] = {}
    media: dict[str, int] = {}
    outfiles, sender_payloads = [], []
    for command in commands:
        outputs = _exercise(folder, service, command, tmp_path)
        assert outputs["help"].startswith("NAME\n")
        if "skeleton" not in outputs:
            outfiles.append(command)
        else:
            json.loads(outputs["skeleton"])
        assert json.loads(outputs["dry run"])["operation"]
        spec = _spec(folder, service, command, tmp_path)
        request = _botocore_request(spec, service)
        if request is None:
            sender_payloads.append(command)
        else:
            assert request["method"] == spec.raw["operation"]["http"]["method"]
        http = spec.raw["operation"]["http"]
        methods[http["method"]] = methods.get(http["method"], 0) + 1
        kind = http.get("mediaType", "application/json (or no body)")
        media[kind] = media.get(kind, 0) + 1
    summary = {
        "commands": len(commands),
        "methods": dict(sorted(methods.items())),
        "request media types": dict(sorted(media.items())),
        "outfile commands (no skeleton)": outfiles,
        "list/map/document payloads (the sender writes them, not botocore)": sender_payloads,
    }
    assert json.dumps(summary, indent=2) + "\n\n" + reports[service] == snapshot


def test_petstore_files(imported, snapshot):
    """The contract with the sender, as written: the service file and one command file."""
    folder, _ = imported
    texts = [(folder / "petstore" / n).read_text() for n in ("_service.yaml", "list-pets.yaml")]
    assert "\n".join(texts) == snapshot


# -- the command line ---------------------------------------------------------------------------


def test_cli_prints_summary_and_report(tmp_path, capsys, snapshot):
    printed = _import(FIXTURES / "link-example.yaml", tmp_path, "links", capsys)
    assert printed == snapshot
    assert (tmp_path / "links" / "get-user-by-name.yaml").read_text().startswith(MARKER)


def test_cli_keeps_a_hand_written_file(tmp_path, capsys):
    _import(FIXTURES / "petstore.yaml", tmp_path, "petstore", capsys)
    mine = tmp_path / "petstore" / "list-pets.yaml"
    mine.write_text("# mine\n" + mine.read_text().split("\n", 1)[1])
    printed = _import(FIXTURES / "petstore.yaml", tmp_path, "petstore", capsys)
    assert "1 hand-written kept" in printed
    assert "kept hand-written OUT/petstore/list-pets.yaml (no marker line)" in printed
    assert mine.read_text().startswith("# mine\n")


def test_cli_refuses_a_swagger_2_document(tmp_path, capsys):
    doc = tmp_path / "old.json"
    doc.write_text('{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}')
    assert spec_main(["import-openapi", str(doc), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"clishape-spec: {doc}: Swagger 2.0 (expected an 'openapi: 3.x' document)\n"


def test_cli_refuses_a_bad_service_name(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        spec_main(["import-openapi", str(FIXTURES / "petstore.yaml"), "--out", str(tmp_path),
                   "--service", "Pet Store"])  # fmt: skip
    assert exc.value.code == 2
    assert "--service 'Pet Store': expected lower-case letters" in capsys.readouterr().err


# -- the mapping rules (docs/openapi.md) ----------------------------------------------------------


def test_names():
    assert command_name("listPets") == "list-pets"
    assert command_name("FetchAccount") == "fetch-account"
    assert command_name("get_files_id") == "get-files-id"
    assert command_name("repos/list-for-org") == "repos-list-for-org"
    assert command_name("DescribeDBInstances") == "describe-db-instances"
    assert fallback_command_name("get", "/pets/{petId}") == "get-pets-pet-id"
    assert fallback_command_name("post", "/files/{id}#copy") == "post-files-id"
    assert member_name("pet_id") == "PetId"
    assert member_name("X-Request-ID") == "XRequestID"
    assert member_name("$filter") == "Filter"
    assert member_name("page[size]") == "PageSize"
    assert member_name("@") == "Value"


FORM = "application/x-www-form-urlencoded"
RULES = """
openapi: 3.1.0
info: {title: Rules Demo, version: '2'}
servers: [{url: 'https://{host}.example.com/v2/', variables: {host: {default: api}}}]
security: [{key: []}]
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
    key2: {type: apiKey, in: query, name: k}
    cookie: {type: apiKey, in: cookie, name: c}
  schemas:
    Named: {type: object, properties: {a_b: {type: string}}}
    Cat: {type: object, properties: {kind: {type: string}, purrs: {type: boolean}}}
    Dog: {type: object, properties: {kind: {type: string}, barks: {type: integer}}}
    Node: {type: object, properties: {next: {$ref: '#/components/schemas/Node'}}}
paths:
  /things/{thing_id}:
    parameters:
    - {name: thing_id, in: path, required: true, schema: {type: string, pattern: '^t-[0-9]+$'}}
    put:
      operationId: putThing
      deprecated: true
      parameters:
      - {name: query, in: query, schema: {type: string}}
      - {name: ids, in: query, explode: false, schema: {type: array, items: {type: string}}}
      - {name: X-Trace, in: header, schema: {type: string}}
      - {name: session, in: cookie, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [when, size]
              properties:
                when: {type: string, format: date-time}
                size: {type: integer, format: int32, exclusiveMinimum: 0, maximum: 10}
                colour: {type: [string, 'null'], enum: [red, blue, null]}
                raw: {type: string, format: byte, maxLength: 8}
                pet:
                  oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
                  discriminator: {propertyName: kind}
                either: {anyOf: [{type: string}, {type: integer}]}
                both:
                  allOf: [{$ref: '#/components/schemas/Named'}, {properties: {c: {type: number}}}]
                node: {$ref: '#/components/schemas/Node'}
      responses: {'204': {description: done}}
  /lists:
    post:
      summary: No operationId.
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {$ref: '#/components/schemas/Named'}}
      responses:
        '201':
          description: made
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Named'}}
"""


def test_mapping_rules(snapshot):
    import yaml

    result = convert_document(yaml.safe_load(RULES))
    service = result.files["_service.yaml"]
    assert result.service == "rules-demo"
    assert service["http"] == {
        "endpoint": "https://api.example.com/v2",
        "auth": [
            {"type": "api-key", "in": "header", "name": "X-Key", "env": "RULES_DEMO_API_KEY",
             "config": "rules_demo_api_key"},
            {"type": "bearer", "env": "RULES_DEMO_TOKEN", "config": "rules_demo_token"},
            {"type": "api-key", "in": "query", "name": "k", "env": "RULES_DEMO_KEY2",
             "config": "rules_demo_key2"},
        ],
    }  # fmt: skip
    put = result.files["put-thing.yaml"]
    assert put["http"] == {"method": "PUT", "requestUri": "/things/{thing_id}", "mediaType": FORM,
                           "responseCode": 204}  # fmt: skip
    assert put["deprecated"] is True
    request = put["shapes"][put["input"]]
    members = request["members"]
    assert request["required"] == ["ThingId", "When", "Size"]
    assert members["ThingId"]["location"] == "uri"
    assert members["ThingId"]["locationName"] == "thing_id"
    assert members["Query"]["cli_name"] == "thing-query"  # --query is a global option
    assert members["Ids"]["type"] == "string"  # explode: false: a comma-separated string
    assert members["XTrace"] == {"type": "string", "location": "header", "locationName": "X-Trace"}
    assert "Session" not in members  # cookie: reported
    assert members["When"]["type"] == "timestamp"
    assert (members["Size"]["min"], members["Size"]["max"]) == (1, 10)
    assert members["Colour"]["enum"] == ["red", "blue"]
    assert members["Raw"]["type"] == "blob"
    assert members["Pet"]["required"] == ["Kind"]
    assert members["Pet"]["members"]["Kind"]["enum"] == ["Cat", "Dog"]
    assert set(members["Pet"]["members"]) == {"Kind", "Purrs", "Barks"}
    assert members["Either"]["type"] == "document"
    assert set(members["Both"]["members"]) == {"AB", "C"}
    assert members["Node"] == {"shape": "Node", "locationName": "node"}
    lists = result.files["post-lists.yaml"]
    body = lists["shapes"][lists["input"]]
    assert body["payload"] == "Body" and body["members"]["Body"]["type"] == "list"
    assert lists["shapes"][lists["output"]]["payload"] == "Body"
    assert result.report.lines() == snapshot


# -- the checker of http: -------------------------------------------------------------------------


def test_checker_reports_bad_http_entries(tmp_path):
    from cli_core.specs.check import check_service

    service = {
        "clishape": 1,
        "service": "demo",
        "metadata": {"protocol": "rest-json"},
        "http": {
            "endpoint": "petstore.example.com/v1",
            "auth": [
                {"type": "api-key", "env": "DEMO_KEY"},
                {"type": "bearer", "in": "header", "env": "DEMO TOKEN"},
                {"type": "basic"},
                {"type": "oauth", "env": "X"},
            ],
        },
    }
    problems = check_service(service, tmp_path / "demo" / "_service.yaml")
    assert [f"{p.where}: {p.message}" for p in problems] == [
        "http.auth[3].type: 'oauth' is not one of: bearer, basic, api-key",
        "http.endpoint: expected an http:// or https:// URL without query",
        "http.auth[0]: 'in' is a required key for an api-key",
        "http.auth[0]: 'name' is a required key for an api-key",
        "http.auth[1].in: only an api-key takes 'in'",
        "http.auth[1].env: expected an environment variable name (A-Z, 0-9, _)",
        "http.auth[2]: give 'env' or 'config' (where the secret comes from)",
    ]
    good = {**service, "http": {"endpoint": "https://x.example.com/v1", "auth": [
        {"type": "api-key", "in": "query", "name": "k", "config": "demo_key"}]}}  # fmt: skip
    assert check_service(good, tmp_path / "demo" / "_service.yaml") == []


EDGES = """
openapi: 3.0.3
info: {title: Edges, version: '1'}
servers: [{url: /relative}]
paths:
  /a:
    get:
      operationId: help
      responses:
        '200':
          description: a tree written inline, whose children are the same inline schema
          content:
            application/json:
              schema:
                type: object
                properties:
                  children:
                    type: array
                    items: {$ref: '#/paths/~1a/get/responses/200/content/application~1json/schema'}
    post:
      operationId: list_things
      parameters: [{$ref: '#/components/parameters/Missing'}]
      requestBody:
        content: {multipart/form-data: {schema: {type: object}}}
      responses: {default: {description: an error}}
  /b:
    get:
      operationId: listThings
      parameters:
      - {name: since, in: query, schema: {type: string, enum: [2024-01-01, 7]}}
      - {name: big, in: query, schema: {type: integer, maximum: 18446744073709551615}}
      - name: filter
        in: query
        style: deepObject
        schema: {type: object, additionalProperties: {type: string}}
      - {name: nowhere, in: body}
      responses: {'200': {description: text, content: {text/plain: {schema: {type: string}}}}}
"""


def test_edge_cases(tmp_path, snapshot):
    """Names the engine reserves or that repeat, an inline schema that contains itself, a
    missing reference, an unsupported body, a relative server: each imported or reported."""
    import yaml

    result = convert_document(yaml.safe_load(EDGES))
    assert result.commands == ["help2", "list-things", "list-things2"]
    assert "endpoint" not in result.files["_service.yaml"]["http"]
    assert result.files["list-things2.yaml"]["shapes"]["ListThings2Response"] == {
        "type": "structure",
        "members": {"Body": {"type": "string"}},
        "payload": "Body",
    }
    members = result.files["list-things2.yaml"]["shapes"]["ListThings2Request"]["members"]
    assert members["Since"]["enum"] == ["2024-01-01", "7"]  # YAML read a date and a number
    assert "max" not in members["Big"]
    assert members["Filter"]["type"] == "map"  # each key its own query parameter
    assert result.report.lines() == snapshot
    from clishape_tools.import_openapi import write_import

    write_import(result, tmp_path, "edges.yaml")
    assert lint_paths([tmp_path], {}).problems == []
