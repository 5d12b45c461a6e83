"""--cli-input-merge: how command-line values meet an input document (issue 13, point 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_core.testing import run

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES), "AWS_DEFAULT_REGION": "us-east-1"}
PROBE = ["probe", "do-things", "--str-arg", "abc", "--token", "t"]
DOCUMENT = {
    "Struct": {
        "Enabled": True,
        "Count": 3,
        "Labels": ["a"],
        "Inner": {"Count": 1, "Colour": "RED"},
    },
    "MapArg": {"a": "1", "b": "2"},
    "ListStr": ["x"],
    "IntArg": 2,
}


def dry_run(*args, merge=None, document=DOCUMENT, env=None):
    """The parameters --cli-dry-run prints for PROBE with ``document`` and ``args``."""
    argv = ["--cli-dry-run", *PROBE, "--cli-input-json", json.dumps(document), *args]
    if merge is not None:
        argv = ["--cli-input-merge", merge, *argv]
    result = run(argv, env={**ENV, **(env or {})})
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["params"]


def test_default_replaces_each_top_level_member_as_the_aws_cli_does():
    params = dry_run("--struct", "Count=5", "--map-arg", "b=3")
    assert params["Struct"] == {"Count": 5}
    assert params["MapArg"] == {"b": "3"}
    assert params["IntArg"] == 2  # what the line does not give comes from the document
    assert dry_run("--struct", "Count=5", "--map-arg", "b=3", merge="replace") == params


def test_deep_merges_structures_member_by_member():
    params = dry_run("--struct", "Count=5", merge="deep")
    assert params["Struct"] == {
        "Enabled": True,
        "Count": 5,
        "Labels": ["a"],
        "Inner": {"Count": 1, "Colour": "RED"},
    }


def test_deep_merges_at_every_depth():
    params = dry_run(
        "--struct", '{"Inner": {"Colour": "GREEN", "Inner": {"Count": 9}}}', merge="deep"
    )
    assert params["Struct"]["Inner"] == {"Count": 1, "Colour": "GREEN", "Inner": {"Count": 9}}
    assert params["Struct"]["Count"] == 3


def test_deep_merges_maps_key_by_key():
    assert dry_run("--map-arg", "b=3,c=4", merge="deep")["MapArg"] == {"a": "1", "b": "3", "c": "4"}


def test_deep_replaces_lists_and_deep_append_appends_them():
    line = ("--struct", "Labels=b", "--list-str", "y", "z")
    deep = dry_run(*line, merge="deep")
    assert deep["Struct"]["Labels"] == ["b"] and deep["ListStr"] == ["y", "z"]
    appended = dry_run(*line, merge="deep-append")
    assert appended["Struct"]["Labels"] == ["a", "b"]
    assert appended["ListStr"] == ["x", "y", "z"]
    assert appended["Struct"]["Count"] == 3


def test_a_value_of_another_type_in_the_document_is_replaced():
    params = dry_run("--struct", "Count=5", merge="deep", document={"Struct": ["not", "a", "map"]})
    assert params["Struct"] == {"Count": 5}


def test_the_merged_request_is_validated_as_a_whole():
    document = {"Struct": {"Colour": "PURPLE"}}
    argv = ["--cli-input-merge", "deep", "--cli-dry-run", *PROBE, "--cli-input-json"]
    result = run([*argv, json.dumps(document), "--struct", "Count=5"], env=ENV)
    assert result.exit_code == 0  # an unknown enum value is a warning, and it is kept
    assert "Struct.Colour" in result.stderr
    assert json.loads(result.stdout)["params"]["Struct"] == {"Colour": "PURPLE", "Count": 5}
    document = {"Struct": {"Count": "many"}}
    result = run([*argv, json.dumps(document), "--struct", "Enabled=true"], env=ENV)
    assert result.exit_code == 252
    assert "Struct.Count" in result.stderr


def test_without_a_document_deep_changes_nothing():
    argv = ["--cli-dry-run", *PROBE, "--struct", "Count=5"]
    plain = run(argv, env=ENV)
    deep = run(["--cli-input-merge", "deep", *argv], env=ENV)
    assert deep.exit_code == plain.exit_code == 0
    assert deep.stdout == plain.stdout


def test_config_key_sets_the_mode_and_the_option_wins(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_input_merge = deep\n")
    env = {"AWS_CONFIG_FILE": str(config)}
    assert dry_run("--struct", "Count=5", env=env)["Struct"]["Enabled"] is True
    assert dry_run("--struct", "Count=5", env=env, merge="replace")["Struct"] == {"Count": 5}


def test_bad_config_value_is_a_configuration_error(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_input_merge = sideways\n")
    result = run(["--cli-dry-run", *PROBE], env={**ENV, "AWS_CONFIG_FILE": str(config)})
    assert result.exit_code == 253
    assert "cli_input_merge" in result.stderr and "sideways" in result.stderr
    assert "deep-append" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["sideways", ""])
def test_bad_option_value_is_a_command_line_error(value):
    result = run(["--cli-input-merge", value, "--cli-dry-run", *PROBE], env=ENV)
    assert result.exit_code == 252
    assert "--cli-input-merge" in result.stderr
