"""Skeletons: JSON and YAML input skeletons, the output sample and its regex generator."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli_core.request.binary import apply_binary_format
from cli_core.request.build import merge_params, normalise_timestamps
from cli_core.request.inputdoc import parse_json, parse_yaml
from cli_core.request.regex_example import generate_matches
from cli_core.request.sample import output_sample
from cli_core.request.skeleton import input_skeleton, input_skeleton_text
from cli_core.request.validate import validate
from cli_core.request.yaml_skeleton import doc_overview, yaml_input_skeleton_text, yaml_scalar
from cli_core.settings import SHIPPED_SPECS
from cli_core.specs import list_commands, list_services, load_command
from cli_core.testing import run

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES), "AWS_DEFAULT_REGION": "us-east-1"}
SEED = ("voice-id", "describe-speaker-enrollment-job")


def shipped_commands():
    return [
        (service, command)
        for service in list_services([SHIPPED_SPECS])
        for command in list_commands(SHIPPED_SPECS / service)
    ]


def fixture_commands():
    return [("blobby", c) for c in list_commands(FIXTURES / "blobby")]


def load(service, command):
    return load_command(service, command, roots=[FIXTURES, SHIPPED_SPECS])


# -- the seed command --------------------------------------------------------------------------


def test_seed_json_skeleton_is_byte_identical_to_the_reference():
    result = run([*SEED, "--generate-cli-skeleton"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == '{\n    "DomainId": "",\n    "JobId": ""\n}\n'
    assert run([*SEED, "--generate-cli-skeleton", "input"]).stdout == result.stdout


def test_seed_output_sample_satisfies_every_constraint():
    shape = load(*SEED).output
    job = output_sample(shape)["Job"]
    assert re.fullmatch(r"[a-zA-Z0-9]{22}", job["DomainId"])
    assert re.fullmatch(r"arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+", job["DataAccessRoleArn"])
    assert job["CreatedAt"] == datetime(1970, 1, 1, tzinfo=UTC)
    assert job["JobStatus"] == "SUBMITTED"
    assert validate(shape, output_sample(shape)) == ([], [])


def test_skeleton_fills_in_values_given_on_the_command_line():
    result = run([*SEED, "--generate-cli-skeleton", "--domain-id", "d" * 22])
    assert json.loads(result.stdout) == {"DomainId": "d" * 22, "JobId": ""}
    result = run([*SEED, "--generate-cli-skeleton", "yaml-input", "--job-id", "it's"])
    assert result.stdout.splitlines()[1] == (
        "JobId: 'it''s'  # [REQUIRED] The identifier of the speaker enrollment job you are "
        "describing."
    )


# -- snapshots of every shipped command --------------------------------------------------------


def _valid_input_document(command) -> str:
    sample = output_sample(command.input) if command.input is not None else {}

    def default(value):
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value.isoformat()

    return json.dumps(sample, default=default)


@pytest.mark.parametrize(("service", "name"), shipped_commands())
def test_shipped_command_skeletons(service, name, snapshot):
    argv = [service, name, "--generate-cli-skeleton"]
    json_input = run(argv + ["input"])
    yaml_input = run(argv + ["yaml-input"])
    command = load(service, name)
    assert validate(command.output, output_sample(command.output)) == ([], [])
    assert validate(command.input, output_sample(command.input)) == ([], [])
    output = run(
        argv + ["output", "--cli-input-json", _valid_input_document(command)],
        env={"AWS_DEFAULT_REGION": "us-east-1"},
    )
    for result in (json_input, yaml_input, output):
        assert (result.exit_code, result.stderr) == (0, "")
    assert json_input.stdout == snapshot(name="input")
    assert yaml_input.stdout == snapshot(name="yaml-input")
    assert output.stdout == snapshot(name="output")


def test_shipped_commands_include_a_blob_input():
    kinds = {
        m.shape.type
        for service, name in shipped_commands()
        for m in (load(service, name).input.members.values())
    }
    assert "blob" in kinds


@pytest.mark.parametrize(("service", "name"), fixture_commands())
def test_fixture_command_skeletons(service, name, snapshot):
    command = load(service, name)
    assert input_skeleton_text(command.input, {}) == snapshot(name="input")
    assert yaml_input_skeleton_text(command.input, {}) == snapshot(name="yaml-input")
    sample = output_sample(command.output)
    assert validate(command.output, sample) == ([], [])
    assert sample == snapshot(name="output")


# -- round trip: the YAML skeleton and the JSON skeleton are the same request -----------------


def _request_from(command, document, mode="base64"):
    params = merge_params(command.input, {}, document)
    params = normalise_timestamps(command.input, params)
    return apply_binary_format(command.input, params, mode)


@pytest.mark.parametrize(("service", "name"), shipped_commands() + fixture_commands())
@pytest.mark.parametrize("mode", ["base64", "raw-in-base64-out"])
def test_yaml_and_json_skeletons_give_the_same_request(service, name, mode):
    command = load(service, name)
    from_json = parse_json(input_skeleton_text(command.input, {}))
    from_yaml = parse_yaml(yaml_input_skeleton_text(command.input, {}))
    assert _request_from(command, from_json, mode) == _request_from(command, from_yaml, mode)


def test_given_values_survive_both_skeletons():
    command = load("blobby", "put-blob")
    given = {
        "Data": b"\x00\xff",
        "Label": "yes",
        "Meta": {"Note": "line\nbreak \u2028 \\ \"q\" é 😀", "CreatedAt": datetime(2024, 1, 31, 12, tzinfo=UTC)},
        "Size": 7,
    }  # fmt: skip
    from_json = parse_json(input_skeleton_text(command.input, given))
    from_yaml = parse_yaml(yaml_input_skeleton_text(command.input, given))
    assert _request_from(command, from_json) == _request_from(command, from_yaml)
    assert _request_from(command, from_yaml)["Meta"]["Note"] == given["Meta"]["Note"]
    assert _request_from(command, from_yaml)["Data"] == b"\x00\xff"


def test_recursive_shapes_are_expanded_once():
    tree = input_skeleton(load("blobby", "find-node").input)["Tree"]
    assert tree == {"Name": "", "Payload": "", "Children": [{}], "Parent": {}}
    yaml_text = yaml_input_skeleton_text(load("blobby", "find-node").input, {})
    assert "    - {}\n" in yaml_text
    assert "  Parent: {}  # The parent node.\n" in yaml_text


def test_no_input_shape():
    assert input_skeleton_text(None, {}) == "{}\n"
    assert yaml_input_skeleton_text(None, {}) == "{}\n"
    assert output_sample(None) == {}


def test_yaml_skeleton_has_no_trailing_or_double_spaces():
    for service, name in shipped_commands() + fixture_commands():
        text = yaml_input_skeleton_text(load(service, name).input, {})
        for line in text.splitlines():
            assert line == line.rstrip()
            code, _, comment = line.partition("  # ")
            assert "  " not in comment, line
            assert "  " not in code.lstrip(), line


def test_idempotency_tokens_are_not_marked_required():
    text = yaml_input_skeleton_text(load("blobby", "put-blob").input, {})
    assert "ClientToken: ''  # A unique token; one is made up when you leave it out.\n" in text
    assert "Data: !!binary ''  # [REQUIRED] The data to store.\n" in text


# -- pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "overview"),
    [
        ("", ""),
        ("First sentence. Second", "First sentence."),
        ("First sentence: * Option", "First sentence."),
        ("Uses `code` and [a link](https://x.example/a.b). More.", "Uses code and a link."),
        ("Version 1.5 of s3://bucket is used.\n\nSecond paragraph.", "Version 1.5 of s3://bucket is used."),
        ("- a bullet first", "a bullet first."),
        ("Is it?", "Is it?"),
        ("Two\nlines folded", "Two lines folded."),
    ],
)  # fmt: skip
def test_doc_overview(doc, overview):
    assert doc_overview(doc) == overview


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("", "''"),
        ("RED", "RED"),
        ("yes", "'yes'"),
        ("Null", "'Null'"),
        ("123", "'123'"),
        ("a: b", "'a: b'"),
        ("it's", "'it''s'"),
        ("line\nbreak", '"line\\nbreak"'),
        ("\x7f\x85", '"\\x7f\\x85"'),
        (1e20, "1.0e+20"),
        (0.0, "0.0"),
        (b"", "!!binary ''"),
        (b"foo", "!!binary Zm9v"),
        (datetime(1970, 1, 1), "1970-01-01 00:00:00"),
        ([], "[]"),
        ({}, "{}"),
    ],
)
def test_yaml_scalar_round_trips(value, text):
    assert yaml_scalar(value) == text
    assert parse_yaml(f"v: {text}")["v"] == value


@pytest.mark.parametrize(
    ("pattern", "low", "high"),
    [
        ("^[a-zA-Z0-9]{22}$", 22, 22),
        ("^arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+$", 20, 2048),
        (r"^s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?$", 0, 1024),
        ("^[a-zA-Z0-9][a-zA-Z0-9_-]*$", 1, 256),
        ("^[a-z]+$", 40, 50),
        ("(?:foo|ba[rz])+", 7, 9),
        (r"[\u0020-\uD7FF\uE000-\uFFFD\r\n\t]*", 5, 5),
        (r"^\d{3}-\w+\s\S$", 0, None),
        ("^[^a-z]{2,4}x?$", 3, 3),
        (r"^(arn:aws:kms:[a-z0-9-]+:\d{12}:key/)?[a-f0-9-]{36}$", 1, 2048),
    ],
)
def test_generated_strings_match_their_pattern(pattern, low, high):
    found = [
        text
        for text in generate_matches(pattern, low, high)
        if re.fullmatch(pattern, text) and low <= len(text) <= (high or len(text))
    ]
    assert found, generate_matches(pattern, low, high)


def test_unsupported_patterns_give_no_candidates():
    assert generate_matches(r"^(a)\1$", 0, None) == []


def test_lookarounds_are_left_out_and_candidates_are_checked_by_the_caller():
    import re

    uuid = r"^(?!00000000-0000-0000-0000-000000000000)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{12}$"
    assert any(re.fullmatch(uuid, text) for text in generate_matches(uuid, 0, None))
    # A lookahead no candidate meets: candidates come, none matches; the sample falls back.
    assert not any(re.fullmatch("^(?=a)b$", t) for t in generate_matches("^(?=a)b$", 0, None))


def test_output_sample_respects_sizes_and_recursion():
    command = load("blobby", "find-node")
    sample = output_sample(command.output)
    assert 2 <= len(sample["Path"]) <= 5
    assert len(sample["Scores"]) == 2
    assert "Parent" not in sample["Node"]
    digest = output_sample(load("blobby", "put-blob").output)["Digest"]
    assert isinstance(digest, bytes) and len(digest) == 32


def test_output_sample_is_deterministic():
    shape = load(*SEED).output
    assert output_sample(shape) == output_sample(shape)
