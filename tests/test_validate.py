"""Validation: every problem at once, with its path and the option it came from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli_core.errors import Problem
from cli_core.request import validate as validate_module
from cli_core.request.validate import closest
from cli_core.shapes.model import Command
from cli_core.specs import compile_command, load_command

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
DOMAIN = "a" * 22


def validate(shape, params, **kwargs):
    """The problems as the lines a user sees."""
    errors, warnings = validate_module.validate(shape, params, **kwargs)
    return [str(p) for p in errors], [str(p) for p in warnings]


def blobby(name):
    return load_command("blobby", name, roots=[FIXTURES])


def seed_output():
    return load_command("voice-id", "describe-speaker-enrollment-job").output


def shape_of(members: dict, required=(), **extra):
    """An input structure made of inline members, compiled like a spec."""
    service = {"clishape": 1, "service": "t", "shapes": {}}
    command = {
        "command": "c",
        "operation": "Op",
        "input": {"type": "structure", "members": members, "required": list(required), **extra},
    }
    return Command(compile_command(service, command)).input


def test_valid_request_has_no_problems():
    params = {"Data": b"x", "Meta": {"CreatedAt": datetime(2024, 1, 1, tzinfo=UTC)}}
    assert validate(blobby("put-blob").input, params) == ([], [])


def test_nested_paths_and_option_names(snapshot):
    params = {
        "Job": {
            "EnrollmentConfig": {
                "FraudDetectionConfig": {"RiskThreshold": 101, "WatchlistIds": []},
                "ExistingEnrollmentAction": "BLAH",
            },
            "InputDataConfig": {},
            "DomainId": 5,
            "JobProgress": {"PercentComplete": -1},
        }
    }
    errors, warnings = validate(seed_output(), params, options={"Job": "--job"})
    assert errors == snapshot(name="errors")
    assert warnings == snapshot(name="warnings")
    assert (
        "--job (Job.EnrollmentConfig.FraudDetectionConfig.RiskThreshold): value 101 is above the maximum 100"
        in warnings
    )


def test_paths_in_lists_and_maps():
    params = {
        "Data": b"",
        "Parts": [{"Name": "ok"}, {"Name": ""}],
        "Attachments": {"key": "text", "k2": b"ok"},
    }
    errors, _ = validate(blobby("put-blob").input, params)
    assert errors == [
        "Parts[1].Name: has 0 characters, fewer than the minimum 1",
        "Attachments.key: expected binary data, got string 'text'",
    ]


def test_unknown_member_suggests_closest_name():
    errors, _ = validate(blobby("put-blob").input, {"Data": b"", "lable": "x", "Zzz": 1})
    assert errors == [
        "lable: unknown parameter, did you mean Label? Valid parameters: Data, Label, Meta, "
        "Chunks, Attachments, Parts, Size, ClientToken",
        "Zzz: unknown parameter. Valid parameters: Data, Label, Meta, Chunks, Attachments, "
        "Parts, Size, ClientToken",
    ]


def test_closest():
    assert closest("domainid", ["DomainId", "JobId"]) == "DomainId"
    assert closest("DomianId", ["DomainId", "JobId"]) == "DomainId"
    assert closest("Q", ["DomainId", "JobId"]) is None


def test_missing_required_names_the_option_at_top_level_only():
    errors, _ = validate(blobby("put-blob").input, {"Parts": [{}]}, options={"Parts": "--parts"})
    assert errors == [
        "--data (Data): missing required parameter",
        "--parts (Parts[0].Name): missing required parameter",
    ]


def test_idempotency_token_is_not_required():
    errors, _ = validate(blobby("put-blob").input, {"Data": b""})
    assert errors == []


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("string", 5, "expected a string, got integer 5"),
        ("integer", "5", "expected an integer, got string '5'"),
        ("integer", True, "expected an integer, got boolean True"),
        ("integer", 1.5, "expected an integer, got number 1.5"),
        ("double", "x", "expected a number, got string 'x'"),
        ("boolean", "true", "expected a boolean (true or false), got string 'true'"),
        ("blob", "Zm9v", "expected binary data, got string 'Zm9v'"),
        ("list", "x", "expected a list, got string 'x'"),
        ("map", [], "expected a mapping, got list"),
        ("string", None, "expected a string, got null"),
        ("timestamp", "yesterday", "expected a timestamp (ISO 8601 such as 2024-01-31T12:00:00Z, "
         "or seconds since 1970), got string 'yesterday'"),
    ],
)  # fmt: skip
def test_wrong_types(kind, value, message):
    member = {"type": kind}
    if kind == "list":
        member["member"] = {"type": "string"}
    if kind == "map":
        member.update(key={"type": "string"}, value={"type": "string"})
    errors, warnings = validate(shape_of({"M": member}), {"M": value}, options={"M": "--m"})
    assert errors == [f"--m (M): {message}"]
    assert warnings == []


def test_accepted_values():
    members = {
        "F": {"type": "float"},
        "T": {"type": "timestamp"},
        "D": {"type": "document"},
        "B": {"type": "blob"},
    }
    for params in (
        {"F": 1, "T": "2024-01-31T12:00:00Z", "D": None, "B": bytearray(b"x")},
        {"F": 1.5, "T": 1700000000, "D": [1, {"a": [None, True, "x", 2.5]}]},
        {"T": datetime(2024, 1, 1, tzinfo=UTC), "D": "text"},
    ):
        assert validate(shape_of(members), params) == ([], []), params


def test_documents_reject_values_that_are_not_json():
    errors, _ = validate(shape_of({"D": {"type": "document"}}), {"D": {"a": b"x"}})
    assert errors == ["D: invalid document: binary data is not a JSON value"]
    errors, _ = validate(shape_of({"D": {"type": "document"}}), {"D": {1: 2}})
    assert errors == ["D: invalid document: key 1 is not a string"]


def test_limits_below_are_errors_above_are_warnings():
    members = {
        "S": {"type": "string", "min": 2, "max": 3},
        "L": {"type": "list", "member": {"type": "string"}, "min": 1, "max": 1},
        "N": {"type": "integer", "min": 1, "max": 5},
        "M": {"type": "map", "key": {"type": "string"}, "value": {"type": "string"}, "max": 1},
        "B": {"type": "blob", "min": 1},
    }
    shape = shape_of(members)
    errors, warnings = validate(shape, {"S": "a", "L": [], "N": 0, "B": b""})
    assert errors == [
        "S: has 1 character, fewer than the minimum 2",
        "L: has 0 items, fewer than the minimum 1",
        "N: value 0 is below the minimum 1",
        "B: has 0 bytes, fewer than the minimum 1",
    ]
    assert warnings == []
    errors, warnings = validate(
        shape, {"S": "abcd", "L": ["a", "b"], "N": 6, "M": {"a": "", "b": ""}}
    )
    assert errors == []
    assert warnings == [
        "S: has 4 characters, more than the maximum 3",
        "L: has 2 items, more than the maximum 1",
        "N: value 6 is above the maximum 5",
        "M: has 2 entries, more than the maximum 1",
    ]


def test_enum_and_pattern_are_warnings_also_for_map_keys():
    members = {
        "E": {"type": "string", "enum": ["A", "B"]},
        "P": {"type": "string", "pattern": "^[a-z]+$"},
        "M": {
            "type": "map",
            "key": {"type": "string", "enum": ["RED"]},
            "value": {"type": "string"},
        },
        "Bad": {"type": "string", "pattern": "^\\p{L}+$"},  # not a Python regex: not checked
    }
    errors, warnings = validate(
        shape_of(members), {"E": "C", "P": "ABC", "M": {"BLUE": "x"}, "Bad": "1"}
    )
    assert errors == []
    assert warnings == [
        "E: value 'C' is not one of: A, B",
        "P: value 'ABC' does not match the pattern ^[a-z]+$",
        "M: key 'BLUE' is not one of: RED",
    ]


def test_sensitive_values_are_not_echoed():
    shape = load_command("kms", "encrypt").input
    errors, _ = validate(shape, {"KeyId": "k", "Plaintext": "hunter2"})
    assert errors == ["Plaintext: expected binary data, got string"]
    members = {"S": {"type": "string", "sensitive": True, "pattern": "^a$", "min": 1}}
    _, warnings = validate(shape_of(members), {"S": "hunter2"})
    assert warnings == ["S: value does not match the pattern ^a$"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "input: set exactly one of: A, B; got none"),
        ({"A": "x", "B": 1}, "input: set exactly one of: A, B; got 2 (A, B)"),
    ],
)
def test_tagged_union_needs_exactly_one_member(value, message):
    shape = shape_of({"A": {"type": "string"}, "B": {"type": "integer"}}, union=True)
    assert validate(shape, value)[0] == [message]
    assert validate(shape, {"B": 1}) == ([], [])


def test_nested_union_path():
    errors, _ = validate(
        blobby("find-node").input,
        {"Tree": {"Name": "root"}, "Selector": {"ByName": "a", "ByDepth": 0}},
        options={"Selector": "--selector"},
    )
    assert errors == [
        "--selector (Selector): set exactly one of: ByName, ByDepth; got 2 (ByName, ByDepth)"
    ]


def test_no_input_shape():
    assert validate(None, {}) == ([], [])
    assert validate(None, {"X": 1})[0] == ["X: unknown parameter: this command takes no parameters"]


@pytest.mark.parametrize(
    ("member", "value", "line"),
    [
        ({"type": "string", "min": 2}, "a", "V: has 1 character, fewer than the minimum 2"),
        ({"type": "string", "min": 3}, "ab", "V: has 2 characters, fewer than the minimum 3"),
        ({"type": "blob", "min": 2}, b"a", "V: has 1 byte, fewer than the minimum 2"),
        ({"type": "list", "member": {"type": "string"}, "min": 2}, ["a"],
         "V: has 1 item, fewer than the minimum 2"),
        ({"type": "map", "key": {"type": "string"}, "value": {"type": "string"}, "min": 2},
         {"a": "b"}, "V: has 1 entry, fewer than the minimum 2"),
    ],
)  # fmt: skip
def test_counts_are_singular_for_one(member, value, line):
    errors, _ = validate(shape_of({"V": member}), {"V": value})
    assert errors == [line]


def test_problems_are_structured():
    errors, warnings = validate_module.validate(
        blobby("put-blob").input, {"Parts": [{}], "Label": 5}, options={"Parts": "--parts"}
    )
    first = errors[0]
    assert isinstance(first, Problem)
    assert (first.message, str(first.where), first.option, first.severity) == (
        "missing required parameter",
        "Data",
        "--data",
        "error",
    )
    nested = next(p for p in errors if p.option == "--parts")
    assert tuple(nested.where) == ("Parts", 0, "Name")
    assert str(nested.where) == "Parts[0].Name"
    assert warnings == []


def test_map_keys_that_are_not_plain_are_quoted_in_paths():
    member = {"type": "map", "key": {"type": "string"}, "value": {"type": "integer"}}
    errors, _ = validate(shape_of({"Tags": member}), {"Tags": {"odd key": "x", "ok": "y"}})
    assert errors == [
        "Tags[\"odd key\"]: expected an integer, got string 'x'",
        "Tags.ok: expected an integer, got string 'y'",
    ]


def test_many_unknown_keys_are_reported_and_capped():
    from cli_core.errors import ValidationError

    params = {"Data": b""} | {f"Bogus{i}": i for i in range(100_000)}
    errors, _ = validate_module.validate(blobby("put-blob").input, params)
    assert len(errors) == 100_000
    message = str(ValidationError(errors))
    lines = message.splitlines()
    assert lines[0] == "Parameter validation failed:"
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "... and 99980 more"
    assert all("unknown parameter" in line for line in lines[1:-1])


def test_unknown_keys_get_a_suggestion_while_they_can_be_shown():
    params = {"Data": b""} | {"lable": "x"} | {f"Bogus{i}": i for i in range(30)} | {"Sise": 1}
    errors, _ = validate(blobby("put-blob").input, params)
    assert errors[0].startswith("lable: unknown parameter, did you mean Label?")
    assert errors[-1].startswith("Sise: unknown parameter. Valid parameters:")


def test_long_keys_and_values_are_shown_cut_never_whole():
    """A 5,000-character key or value ends up in a message at most a few hundred characters long."""
    from cli_core.errors import ValidationError

    long_key, long_value = "K" * 5000, "v" * 5000
    shape = shape_of({"Colour": {"type": "string", "enum": ["RED"]}, "Tags": {
        "type": "map", "key": {"type": "string", "max": 3}, "value": {"type": "string"}}})
    params = {long_key: 1, "Colour": long_value, "Tags": {long_key: long_value}}
    errors, warnings = validate_module.validate(shape, params)
    lines = str(ValidationError(errors)).splitlines() + [str(w) for w in warnings]
    assert len(lines) >= 4
    assert all(len(line) <= 300 for line in lines), max(lines, key=len)[:100]


def test_a_union_names_odd_keys_quoted_and_cut():
    shape = shape_of(
        {"U": {"type": "structure", "union": True,
               "members": {"A": {"type": "string"}, "B": {"type": "string"}}}}
    )  # fmt: skip
    errors, _ = validate_module.validate(shape, {"U": {"A": "x", "\n": 1, "K" * 500: 2}})
    lines = [str(problem) for problem in errors]
    assert lines[-1].startswith("U: set exactly one of: A, B; got 3 (A, '\\n', 'KKK")
    assert all("\n" not in line and len(line) < 300 for line in lines)
