"""The request stage: input documents, merging, binary format, validation, dry run."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli_core.argv.parser import ParsedCommand
from cli_core.errors import ConfigError, ParamError, ValidationError
from cli_core.request.binary import apply_binary_format
from cli_core.request.build import Request, build_request, dry_run_text, merge_params
from cli_core.request.inputdoc import load_input_document
from cli_core.settings import binary_format_from_config, spec_roots
from cli_core.specs import load_command
from cli_core.testing import run

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ROOTS = [FIXTURES]
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES), "AWS_DEFAULT_REGION": "us-east-1"}
DOMAIN = "a" * 22
JOB = "b" * 22


def blobby(name):
    return load_command("blobby", name, roots=ROOTS)


def seed():
    return load_command("voice-id", "describe-speaker-enrollment-job")


def parsed(command, params=None, options=None, json_doc=None, yaml_doc=None):
    options = (
        options
        if options is not None
        else {n: command.input.members[n].option for n in params or {}}
    )
    return ParsedCommand(command, params or {}, options, json_doc, yaml_doc, None, {})


# -- input documents ---------------------------------------------------------------------------


def test_only_one_cli_input_flag():
    with pytest.raises(ParamError) as exc:
        load_input_document(parsed(seed(), json_doc="{}", yaml_doc="{}"), None)
    assert str(exc.value) == "Only one --cli-input- parameter may be specified."
    assert exc.value.exit_code == 252


def test_document_from_value_file_fileb_and_stdin(tmp_path):
    (tmp_path / "doc.json").write_text('{"JobId": "x"}', encoding="utf-8")
    assert load_input_document(parsed(seed(), json_doc='{"JobId": "x"}'), None) == {"JobId": "x"}
    assert load_input_document(parsed(seed(), json_doc=f"file://{tmp_path}/doc.json"), None) == {
        "JobId": "x"
    }
    assert load_input_document(parsed(seed(), json_doc=f"fileb://{tmp_path}/doc.json"), None) == {
        "JobId": "x"
    }
    stdin = io.StringIO("JobId: y\n")
    assert load_input_document(parsed(seed(), yaml_doc="-"), stdin) == {"JobId": "y"}


def test_missing_document_file_names_flag_and_path(tmp_path):
    with pytest.raises(ParamError) as exc:
        load_input_document(parsed(seed(), yaml_doc=f"file://{tmp_path}/nope.yaml"), None)
    message = str(exc.value)
    assert message.startswith("Error parsing parameter '--cli-input-yaml': cannot read file://")
    assert "nope.yaml" in message


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ('{\n  "JobId": "x",\n  "DomainId" "y"\n}', "line 3, column 14"),
        ('{"JobId": NaN}', "NaN is not valid JSON"),
        ('{"JobId": "a", "JobId": "b"}', 'duplicate key "JobId"'),
        ("", "line 1, column 1"),
    ],
)
def test_json_errors_name_flag_and_position(doc, expected):
    with pytest.raises(ParamError) as exc:
        load_input_document(parsed(seed(), json_doc=doc), None)
    assert str(exc.value).startswith("Error parsing parameter '--cli-input-json': Invalid JSON")
    assert expected in str(exc.value)


def test_yaml_error_names_flag_line_and_column():
    with pytest.raises(ParamError) as exc:
        load_input_document(parsed(seed(), yaml_doc="JobId: x\nDomainId: [1,\n"), None)
    assert "'--cli-input-yaml': Invalid YAML received" in str(exc.value)
    assert "line 3, column 1" in str(exc.value)


def test_yaml_refuses_python_tags():
    with pytest.raises(ParamError) as exc:
        load_input_document(
            parsed(seed(), yaml_doc="JobId: !!python/object/apply:os.getcwd []"), None
        )
    assert "Invalid YAML received" in str(exc.value)


def test_yaml_binary_and_timestamps():
    doc = load_input_document(
        parsed(seed(), yaml_doc="A: !!binary Zm9v\nB: 2024-01-31 12:00:00\nC: '2024'"), None
    )
    assert doc == {"A": b"foo", "B": datetime(2024, 1, 31, 12), "C": "2024"}


@pytest.mark.parametrize(
    ("doc", "kind"),
    [("[1]", "a list"), ('"x"', "a string"), ("null", "nothing"), ("3", "a number")],
)
def test_top_level_must_be_a_mapping(doc, kind):
    with pytest.raises(ParamError) as exc:
        load_input_document(parsed(seed(), json_doc=doc), None)
    assert str(exc.value) == (
        "Error parsing parameter '--cli-input-json': Invalid type: expecting a mapping at the "
        f"top level, received {kind}."
    )


# -- merge and build ---------------------------------------------------------------------------


def test_command_line_wins_whole_member_and_model_order():
    command = blobby("put-blob")
    merged = merge_params(
        command.input,
        {"Meta": {"Note": "cli"}, "Data": "Zm9v"},
        {"Meta": {"Note": "doc", "Colour": "RED"}, "Label": "doc", "Bogus": 1},
    )
    assert list(merged) == ["Data", "Label", "Meta", "Bogus"]
    assert merged["Meta"] == {"Note": "cli"}


def test_build_request_fills_idempotency_token_and_normalises_timestamps():
    command = blobby("put-blob")
    request = build_request(
        parsed(command, json_doc='{"Data": "Zm9v", "Meta": {"CreatedAt": "2024-01-31T12:00:00"}}')
    )
    assert request.operation == "PutBlob"
    assert request.params["Data"] == b"foo"
    assert request.params["Meta"]["CreatedAt"] == datetime(2024, 1, 31, 12, tzinfo=UTC)
    assert re.fullmatch(r"[0-9a-f-]{36}", request.params["ClientToken"])
    given = build_request(parsed(command, {"Data": "", "ClientToken": "mine"}))
    assert given.params["ClientToken"] == "mine"


def test_build_request_lists_every_problem_at_once(snapshot):
    command = seed()
    with pytest.raises(ValidationError) as exc:
        build_request(parsed(command, {"JobId": "short"}, json_doc='{"DomianId": "x", "Extra": 1}'))
    assert exc.value.exit_code == 252
    assert str(exc.value) == snapshot


def test_yaml_dates_and_epoch_seconds_are_timestamps():
    command = blobby("put-blob")
    for text in ("2024-01-31", "2024-01-31T00:00:00Z", "'2024-01-31T01:00:00+01:00'", "1706659200"):
        request = build_request(parsed(command, yaml_doc=f"Data: ''\nMeta: {{CreatedAt: {text}}}"))
        assert request.params["Meta"]["CreatedAt"] == datetime(2024, 1, 31, tzinfo=UTC), text


def test_warnings_travel_with_the_request():
    request = build_request(parsed(seed(), {"DomainId": "-" * 22, "JobId": JOB}))
    assert request.warnings == (
        "--domain-id (DomainId): value '----------------------' does not match the pattern "
        "^[a-zA-Z0-9]{22}$",
    )


def test_warnings_are_printed_twenty_at_most_and_kept_whole():
    items = [{"Name": f"n{i}", "Colour": "PINK"} for i in range(25)]
    request = build_request(parsed(blobby("put-items"), json_doc=json.dumps({"Items": items})))
    assert len(request.problems) == 25
    assert all(p.severity == "warning" for p in request.problems)
    assert len(request.warnings) == 21
    assert request.warnings[0] == "Items[0].Colour: value 'PINK' is not one of: RED, GREEN, BLUE"
    assert request.warnings[-1] == "... and 5 more"


def test_dry_run_text():
    request = Request(
        "PutBlob",
        {"Data": b"foo", "Meta": {"CreatedAt": datetime(2024, 1, 31, tzinfo=UTC), "Note": "é"}},
    )
    assert dry_run_text(request) == (
        "{\n"
        '    "operation": "PutBlob",\n'
        '    "params": {\n'
        '        "Data": "Zm9v",\n'
        '        "Meta": {\n'
        '            "CreatedAt": "2024-01-31T00:00:00+00:00",\n'
        '            "Note": "é"\n'
        "        }\n"
        "    }\n"
        "}\n"
    )


# -- binary format -----------------------------------------------------------------------------

EVERYWHERE = {
    "Data": "Zm9v",
    "Meta": {"Payload": "YmFy", "Note": "Zm9v"},
    "Chunks": ["YQ==", b"raw"],
    "Attachments": {"a": "Yg=="},
    "Parts": [{"Name": "p", "Body": "Yw=="}],
}


def test_base64_decodes_blobs_everywhere_and_keeps_bytes():
    out = apply_binary_format(blobby("put-blob").input, EVERYWHERE, "base64")
    assert out == {
        "Data": b"foo",
        "Meta": {"Payload": b"bar", "Note": "Zm9v"},
        "Chunks": [b"a", b"raw"],
        "Attachments": {"a": b"b"},
        "Parts": [{"Name": "p", "Body": b"c"}],
    }
    assert EVERYWHERE["Data"] == "Zm9v"  # the input is not changed


def test_raw_in_base64_out_encodes_text():
    out = apply_binary_format(blobby("put-blob").input, EVERYWHERE, "raw-in-base64-out")
    assert out["Data"] == b"Zm9v"
    assert out["Meta"] == {"Payload": b"YmFy", "Note": "Zm9v"}
    assert out["Chunks"] == [b"YQ==", b"raw"]
    assert out["Attachments"] == {"a": b"Yg=="}
    assert out["Parts"][0]["Body"] == b"Yw=="


def test_base64_ignores_whitespace_only():
    shape = blobby("put-blob").input
    assert apply_binary_format(shape, {"Data": " Zm9v\nYmFy\r\n"}, "base64") == {"Data": b"foobar"}
    assert apply_binary_format(shape, {"Data": ""}, "base64") == {"Data": b""}


@pytest.mark.parametrize(
    ("params", "options", "message"),
    [
        (
            {"Data": "ab!c"},
            {"Data": "--data"},
            "Error parsing parameter '--data': Invalid base64 text: it has '!' that is not in "
            "the base64 alphabet.",
        ),
        ({"Data": "Zm9"}, {}, "Data: Invalid base64 text: it has wrong padding"),
        ({"Data": "Zg=a"}, {}, "Data: Invalid base64 text: it has wrong padding"),
        (
            {"Parts": [{"Name": "p", "Body": "Zm9v_"}]},
            {"Parts": "--parts"},
            "Error parsing parameter '--parts': Parts[0].Body: Invalid base64 text: it has '_'",
        ),
        ({"Attachments": {"k": "a-b="}}, {}, "Attachments.k: Invalid base64 text: it has '-'"),
    ],
)
def test_bad_base64_names_parameter_and_the_way_out(params, options, message):
    with pytest.raises(ParamError) as exc:
        apply_binary_format(blobby("put-blob").input, params, "base64", options=options)
    assert str(exc.value).startswith(message)
    assert "--cli-binary-format raw-in-base64-out" in str(exc.value)
    assert "fileb://" in str(exc.value)
    assert exc.value.exit_code == 252


def test_bad_base64_in_a_sensitive_member_does_not_echo_it():
    shape = load_command("kms", "encrypt").input
    with pytest.raises(ParamError) as exc:
        apply_binary_format(
            shape, {"Plaintext": "secret!"}, "base64", options={"Plaintext": "--plaintext"}
        )
    assert "!" not in str(exc.value).split("base64 alphabet")[0].split("it has")[1]


def test_binary_format_from_config():
    assert binary_format_from_config({}, "/home/u/.aws/config") is None
    assert binary_format_from_config({"cli_binary_format": "raw-in-base64-out"}, "x") == (
        "raw-in-base64-out"
    )
    with pytest.raises(ConfigError) as exc:
        binary_format_from_config({"cli_binary_format": "hex"}, "/home/u/.aws/config")
    assert exc.value.exit_code == 253
    assert str(exc.value) == (
        "/home/u/.aws/config: cli_binary_format = 'hex' is not valid; expected one of: base64, "
        "raw-in-base64-out"
    )


# -- end to end: every source of a blob in both modes ------------------------------------------


def _dry_run(argv, stdin="", mode=None):
    args = ["blobby", "put-blob", *argv, "--client-token", "tok", "--cli-dry-run"]
    if mode:
        args += ["--cli-binary-format", mode]
    result = run(args, stdin=stdin, env=ENV)
    assert result.stderr == ""
    assert result.exit_code == 0
    return json.loads(result.stdout)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "text.txt").write_text("Zm9v", encoding="utf-8")
    (tmp_path / "raw.bin").write_bytes(b"\x00\xffbin")
    (tmp_path / "doc.json").write_text('{"Data": "Zm9v"}', encoding="utf-8")
    (tmp_path / "doc.yaml").write_text("Data: !!binary AP9iaW4=\n", encoding="utf-8")
    return tmp_path


# (source, argv builder, stdin, Data sent in base64 mode, Data sent in raw mode), as the dry run
# shows them: base64 of the bytes sent.
SOURCES = [
    ("option", lambda d: ["--data", "Zm9v"], "", "Zm9v", "Wm05dg=="),
    ("shorthand", lambda d: ["--data", "Zm9v", "--meta", "Payload=Zm9v"], "", "Zm9v", "Wm05dg=="),
    ("file", lambda d: ["--data", f"file://{d}/text.txt"], "", "Zm9v", "Wm05dg=="),
    ("fileb", lambda d: ["--data", f"fileb://{d}/raw.bin"], "", "AP9iaW4=", "AP9iaW4="),
    ("cli-input-json", lambda d: ["--cli-input-json", '{"Data": "Zm9v"}'], "", "Zm9v", "Wm05dg=="),
    (
        "cli-input-json file",
        lambda d: ["--cli-input-json", f"file://{d}/doc.json"],
        "",
        "Zm9v",
        "Wm05dg==",
    ),
    (
        "cli-input-json stdin",
        lambda d: ["--cli-input-json", "-"],
        '{"Data": "Zm9v"}',
        "Zm9v",
        "Wm05dg==",
    ),
    ("cli-input-yaml", lambda d: ["--cli-input-yaml", "Data: Zm9v"], "", "Zm9v", "Wm05dg=="),
    (
        "cli-input-yaml !!binary",
        lambda d: ["--cli-input-yaml", f"file://{d}/doc.yaml"],
        "",
        "AP9iaW4=",
        "AP9iaW4=",
    ),
]


@pytest.mark.parametrize("mode", [None, "base64", "raw-in-base64-out"])
@pytest.mark.parametrize(
    ("source", "build", "stdin", "b64", "raw"), SOURCES, ids=[s[0] for s in SOURCES]
)
def test_blob_sources_in_every_mode(files, mode, source, build, stdin, b64, raw):
    body = _dry_run(build(files), stdin=stdin, mode=mode)
    expected = raw if mode == "raw-in-base64-out" else b64
    assert body["operation"] == "PutBlob"
    assert body["params"]["Data"] == expected
    if source == "shorthand":
        assert body["params"]["Meta"] == {"Payload": expected}


def test_nested_blobs_from_a_document_in_both_modes():
    doc = json.dumps(
        {"Data": "", "Meta": {"Payload": "YQ=="}, "Chunks": ["Yg=="], "Attachments": {"k": "Yw=="}}
    )
    base = _dry_run(["--cli-input-json", doc])["params"]
    assert (base["Meta"], base["Chunks"], base["Attachments"]) == (
        {"Payload": "YQ=="},
        ["Yg=="],
        {"k": "Yw=="},
    )
    raw = _dry_run(["--cli-input-json", doc], mode="raw-in-base64-out")["params"]
    assert (raw["Meta"], raw["Chunks"], raw["Attachments"]) == (
        {"Payload": "WVE9PQ=="},
        ["WWc9PQ=="],
        {"k": "WXc9PQ=="},
    )


def test_bad_base64_on_the_command_line_exits_252(snapshot):
    result = run(["blobby", "put-blob", "--data", "not base64!", "--cli-dry-run"], env=ENV)
    assert result.exit_code == 252
    assert result.stdout == ""
    assert result == snapshot


def test_validation_errors_end_to_end(snapshot):
    result = run(
        [
            "blobby", "put-blob", "--data", "", "--label", "", "--size", "-1",
            "--cli-input-json", '{"Meta": {"Colour": "PINK", "Nte": "x"}, "Parts": [{}]}',
            "--cli-dry-run",
        ],
        env=ENV,
    )  # fmt: skip
    assert result.exit_code == 252
    assert result == snapshot


def test_a_hundred_thousand_unknown_keys_give_twenty_lines_and_a_count(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"Data": ""} | {f"Bogus{i}": i for i in range(100_000)}))
    result = run(
        ["blobby", "put-blob", "--cli-input-json", f"file://{doc}", "--cli-dry-run"], env=ENV
    )
    assert result.exit_code == 252
    lines = result.stderr.splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[1].startswith("Bogus0: unknown parameter. Valid parameters: Data, Label,")
    assert lines[-1] == "... and 99980 more"


def test_command_line_overrides_document_end_to_end():
    body = _dry_run(["--data", "YQ==", "--cli-input-json", '{"Data": "Yg==", "Label": "doc"}'])
    assert body["params"] == {"Data": "YQ==", "Label": "doc", "ClientToken": "tok"}


def test_a_10_mb_request_round_trips_unchanged(tmp_path):
    # How fast this is, is measured by tools/bench.py (the 10 MB --cli-input-json case).
    items = [
        {"Name": f"item-{i}", "Count": i % 1000, "Ratio": 0.5, "Enabled": True, "Colour": "RED",
         "Data": "Zm9vYmFy", "Tags": {"team": "blue", "env": "prod"}}
        for i in range(70000)
    ]  # fmt: skip
    doc = tmp_path / "items.json"
    doc.write_text(json.dumps({"Items": items}), encoding="utf-8")
    assert doc.stat().st_size > 10_000_000
    request = build_request(parsed(blobby("put-items"), json_doc=f"file://{doc}"))
    assert len(request.params["Items"]) == 70000
    assert all(item["Data"] == b"foobar" for item in request.params["Items"])
    assert json.loads(dry_run_text(request))["params"] == {"Items": items}


_JSON_TYPES = {
    "string": str, "blob": str, "timestamp": str, "boolean": bool, "integer": int, "long": int,
    "float": (int, float), "double": (int, float), "structure": dict, "map": dict, "list": list,
}  # fmt: skip


def _placeholder_types_match(shape, value, path="") -> list[str]:
    """Paths where a skeleton placeholder's JSON type is not its member's type."""
    kind = shape.type
    if kind == "document":
        return []
    if not isinstance(value, _JSON_TYPES[kind]) or kind == "integer" and isinstance(value, bool):
        return [f"{path or '(top)'}: {type(value).__name__} for a {kind}"]
    if kind == "structure":
        return [
            bad
            for name, item in value.items()
            for bad in _placeholder_types_match(shape.members[name].shape, item, f"{path}.{name}")
        ]
    if kind == "list":
        return [
            bad
            for i, item in enumerate(value)
            for bad in _placeholder_types_match(shape.member.shape, item, f"{path}[{i}]")
        ]
    if kind == "map":
        return [
            bad
            for key, item in value.items()
            for bad in _placeholder_types_match(shape.value.shape, item, f"{path}.{key}")
        ]
    return []


@pytest.mark.parametrize(
    "service, command",
    [("probe", "do-things"), ("blobby", "put-blob"), ("blobby", "put-items"),
     ("blobby", "find-node"), ("voice-id", "describe-speaker-enrollment-job")],
)  # fmt: skip
def test_input_skeleton_placeholders_have_their_members_types(service, command):
    """README: blob placeholders are "" (not null), so every placeholder has its member's type;
    the skeleton read back as a document parses (its values are placeholders to fill in)."""
    result = run([service, command, "--generate-cli-skeleton"], env=ENV)
    assert result.exit_code == 0, result
    skeleton = json.loads(result.stdout)
    spec = load_command(service, command, roots=spec_roots(ENV))
    assert _placeholder_types_match(spec.input, skeleton) == []
    document = load_input_document(parsed(spec, json_doc=result.stdout), None)
    assert document == skeleton
