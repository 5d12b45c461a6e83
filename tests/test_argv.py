"""The command line: how every parameter type is parsed, and every kind of usage error."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from cli_core.argv.parser import parse_command, split_globals
from cli_core.errors import CLIError
from cli_core.settings import spec_roots
from cli_core.specs import load_command
from cli_core.testing import run, snapshot_text

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES)}


def _plain(value):
    if isinstance(value, datetime):
        return "datetime:" + value.isoformat()
    if isinstance(value, bytes):
        return "bytes:" + base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parsed(args: list[str], command: str = "do-things") -> str:
    """The typed parameters the command line produces, or the error it raises, as text."""
    if not any(a.startswith("--str-arg") for a in args):
        args = ["--str-arg", "s", *args]
    spec = load_command("probe", command, spec_roots(ENV))
    try:
        result = parse_command(spec, args)
    except CLIError as error:
        return f"error {error.exit_code}: {error}"
    return json.dumps(_plain(result.params), indent=2, ensure_ascii=False)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "n.txt").write_text("42\n")
    (tmp_path / "f.txt").write_text("2.5")
    (tmp_path / "text.txt").write_text("héllo\nworld\n")
    (tmp_path / "raw.bin").write_bytes(b"\x00\xff\x10")
    (tmp_path / "list.json").write_text('["a", "b"]')
    (tmp_path / "words.txt").write_text("one two\nthree\n")
    (tmp_path / "struct.json").write_text('{"Enabled": true, "Count": 3}')
    (tmp_path / "short.txt").write_text("Enabled=false,Count=4")
    return tmp_path


VALUE_CASES = {
    "string": ["--str-arg", "a b c"],
    "string-that-looks-like-json": ["--str-arg", '{"a":1}'],
    "integer": ["--int-arg", " 7 "],
    "integer-negative": ["--int-arg", "-5"],
    "long": ["--long-arg", "99999999999999999999"],
    "float": ["--float-arg", "1e3"],
    "double": ["--double-arg", "-0.25"],
    "boolean-on": ["--bool-arg"],
    "boolean-off": ["--no-bool-arg"],
    "timestamp-iso": ["--ts-arg", "2024-01-31T12:00:00Z"],
    "timestamp-offset": ["--ts-arg", "2024-01-31T12:00:00+02:00"],
    "timestamp-date": ["--ts-arg", "2024-01-31"],
    "timestamp-epoch": ["--ts-arg", "1700000000"],
    "blob-text": ["--blob-arg", "aGVsbG8="],
    "document-json": ["--doc-arg", '{"any": [1, "two", null]}'],
    "document-scalar": ["--doc-arg", "5"],
    "enum": ["--enum-arg", "GREEN"],
    "list-strings": ["--list-str", "a", "b", "c"],
    "list-strings-json": ["--list-str", '["a", "b"]'],
    "list-empty": ["--list-str"],
    "list-ints": ["--list-int", "1", "2"],
    "list-bools": ["--list-bool", "true", "FALSE"],
    "list-structs-shorthand": ["--list-struct", "Name=a,Values=x,y", "Name=b,Values=z"],
    "list-structs-json": ["--list-struct", '[{"Name": "a", "Values": ["x"]}]'],
    "list-structs-json-items": ["--list-struct", '{"Name": "a"}', '{"Name": "b"}'],
    "list-of-lists": ["--list-of-lists", '[["a", "b"], ["c"]]'],
    "struct-shorthand": [
        "--struct",
        "Enabled=true,Count=3,Ratio=0.5,Labels=a,b,When=2024-01-01,Data=Zm9v,Colour=RED",
    ],
    "struct-shorthand-nested": ["--struct", "Inner={Count=1,Labels=[x,y]}"],
    "struct-single-list-item": ["--struct", "Labels=only"],
    "struct-json": ["--struct", '{"Enabled": false, "When": "2024-01-01T00:00:00Z"}'],
    "struct-quoted": ["--struct", "Labels=['a,b', \"c d\"]"],
    "map-shorthand": ["--map-arg", "k1=v1,k2=v2"],
    "map-json": ["--map-arg", '{"k": "v"}'],
    "map-of-structs": ["--map-struct", "alpha={Name=n,Values=[a]}"],
    "recursive": ["--tree", "Value=root,Children=[{Value=kid}]"],
    "acronym-plural-name": ["--acls", "a", "b"],
    "equals-form": ["--str-arg=-dash-value"],
    "unicode": ["--str-arg", "日本語 ✓"],
}


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_parsed_value(case, snapshot):
    assert parsed(VALUE_CASES[case]) == snapshot


FILE_CASES = {
    "file-int": ["--int-arg", "file://{d}/n.txt"],
    "file-long": ["--long-arg", "file://{d}/n.txt"],
    "file-float": ["--float-arg", "file://{d}/f.txt"],
    "file-string": ["--str-arg", "file://{d}/text.txt"],
    "fileb-blob": ["--blob-arg", "fileb://{d}/raw.bin"],
    "file-list-json": ["--list-str", "file://{d}/list.json"],
    "file-list-words": ["--list-str", "file://{d}/words.txt"],
    "file-struct-json": ["--struct", "file://{d}/struct.json"],
    "file-struct-shorthand": ["--struct", "file://{d}/short.txt"],
    "shorthand-at-file": ["--struct", "Labels@=file://{d}/text.txt"],
    "file-missing": ["--int-arg", "file://{d}/missing.txt"],
    "fileb-into-string": ["--str-arg", "fileb://{d}/raw.bin"],
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_file_values(case, files, snapshot):
    args = [a.replace("{d}", str(files)) for a in FILE_CASES[case]]
    assert parsed(args).replace(str(files), "<tmp>") == snapshot


VALUE_ERRORS = {
    "bad-integer": ["--int-arg", "abc"],
    "float-for-integer": ["--int-arg", "5.0"],
    "bad-long": ["--long-arg", "0x10"],
    "bad-float": ["--float-arg", "one"],
    "bad-timestamp": ["--ts-arg", "yesterday"],
    "bad-json-struct": ["--struct", '{"Enabled": tru}'],
    "bad-json-document": ["--doc-arg", "a=1"],
    "shorthand-syntax": ["--struct", "Enabled"],
    "shorthand-bad-int": ["--struct", "Count=many"],
    "shorthand-bad-bool": ["--struct", "Enabled=yes"],
    "shorthand-document": ["--struct", "Extra=1"],
    "shorthand-duplicate": ["--list-struct", "Name=a,Values=b Name=c,Values=d"],
    "list-bad-int": ["--list-int", "1", "a"],
    "repeated-option": ["--int-arg", "1", "--int-arg", "2"],
    "both-boolean-forms": ["--bool-arg", "--no-bool-arg"],
    "value-missing": ["--int-arg"],
    "value-starting-with-dash": ["--enum-arg", "-x"],
}


@pytest.mark.parametrize("case", sorted(VALUE_ERRORS))
def test_value_errors(case, snapshot):
    result = parsed(VALUE_ERRORS[case])
    assert result.startswith("error 252: ")
    assert result == snapshot


USAGE_ERRORS = {
    "no-service": [],
    "unknown-service": ["voice-idd"],
    "no-command": ["voice-id"],
    "unknown-command": ["probe", "do-thing"],
    "missing-required-all": ["voice-id", "describe-speaker-enrollment-job"],
    "missing-required-one": ["voice-id", "describe-speaker-enrollment-job", "--job-id", "j"],
    "unknown-options-all-listed": [
        "voice-id", "describe-speaker-enrollment-job", "--domain-id", "d", "--job-id", "j",
        "--bogus", "1", "stray", "--other",
    ],
    "no-prefix-abbreviation-global": [
        "voice-id", "describe-speaker-enrollment-job", "--domain-id", "d", "--job-id", "j",
        "--out", "text",
    ],
    "no-prefix-abbreviation-command": [
        "voice-id", "describe-speaker-enrollment-job", "--domain", "d", "--job-id", "j",
    ],
    "bad-output-choice": ["--output", "xml", "voice-id", "describe-speaker-enrollment-job"],
    "bad-color-choice": ["voice-id", "describe-speaker-enrollment-job", "--color", "pink"],
    "bad-binary-format": ["--cli-binary-format", "hex", "voice-id", "x"],
    "bad-timeout": ["--cli-connect-timeout", "1.5", "voice-id", "x"],
    "negative-timeout": ["--cli-read-timeout=-1", "voice-id", "x"],
    "both-auto-prompt-flags": ["--cli-auto-prompt", "--no-cli-auto-prompt", "voice-id"],
    "bad-skeleton-mode": [
        "voice-id", "describe-speaker-enrollment-job", "--generate-cli-skeleton", "xml",
    ],
    "bad-integer-value-named": ["--cli-read-timeout", "abc", "voice-id"],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors(case, snapshot):
    result = run(USAGE_ERRORS[case], env=ENV)
    assert result.exit_code == 252
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    counted = re.match(r"clishape: error: (\d+) problems with the command line:", lines[0])
    assert len(lines) <= (int(counted.group(1)) + 1 if counted else 2)
    assert snapshot_text(result) == snapshot


def test_globals_are_accepted_anywhere():
    before, rest_before = split_globals(["--output", "text", "voice-id", "x", "--debug"])
    after, rest_after = split_globals(["voice-id", "x", "--output=text", "--debug"])
    assert before == after
    assert before.output == "text" and before.debug
    assert rest_before == rest_after == ["voice-id", "x"]


def test_every_global_option_parses():
    gargs, rest = split_globals(
        [
            "--debug", "--endpoint-url", "http://localhost:1", "--no-verify-ssl",
            "--no-paginate", "--output", "yaml-stream", "--query", "Job", "--profile", "p",
            "--region", "eu-west-1", "--color", "off", "--no-sign-request", "--ca-bundle",
            "/x.pem", "--cli-read-timeout", "0", "--cli-connect-timeout", "5",
            "--cli-binary-format", "raw-in-base64-out", "--no-cli-pager", "--cli-auto-prompt",
        ]
    )  # fmt: skip
    assert rest == []
    assert (gargs.cli_read_timeout, gargs.cli_connect_timeout) == (0, 5)
    assert gargs.output == "yaml-stream" and gargs.cli_binary_format == "raw-in-base64-out"


def test_version_anywhere():
    for argv in (["--version"], ["voice-id", "describe-speaker-enrollment-job", "--version"]):
        result = run(argv)
        assert result.exit_code == 0
        assert result.stdout.startswith("clishape/0.1.0 Python/")
        assert len(result.stdout.split()) == 3


def test_an_option_given_twice_is_an_error_not_last_one_wins():
    result = run(
        ["voice-id", "describe-speaker-enrollment-job", "--domain-id", "d", "--domain-id", "e",
         "--job-id", "j"],
        env=ENV,
    )  # fmt: skip
    assert result.exit_code == 252
    assert result.stderr == (
        "clishape: error: --domain-id was given more than once; give it once "
        "(for several list items, write them after one option)\n"
    )


@pytest.mark.parametrize("form", ["separate", "equals"])
def test_an_input_document_relaxes_the_required_options(form):
    document = '{"StrArg": "from-doc"}'
    args = (
        ["--cli-input-json", document] if form == "separate" else [f"--cli-input-json={document}"]
    )
    result = run(["probe", "do-things", *args, "--cli-dry-run"], env=ENV)
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["params"]["StrArg"] == "from-doc"
    result = run(["probe", "do-things", "--cli-input-json", "{}", "--cli-dry-run"], env=ENV)
    assert result.exit_code == 252
    assert "StrArg" in result.stderr  # still required, now by the merged request
