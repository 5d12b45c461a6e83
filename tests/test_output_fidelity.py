"""Output as the AWS CLI v2 prints it, on real responses from the emulator (moto, server mode):
wire timestamps, coloured tables, lists of lists as one table, NEXTTOKEN in text, yaml order.

Each expectation here was compared with AWS CLI v2 2.36.7 on the same response.
"""

from __future__ import annotations

import json
import re

from cli_core.testing import run

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
XML_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ESCAPES = re.compile("\x1b\\[[0-9]+m")


def _tables(moto, *names: str) -> None:
    for name in names:
        made = moto.run(
            "dynamodb", "create-table", "--table-name", name,
            "--attribute-definitions", "AttributeName=k,AttributeType=S",
            "--key-schema", "AttributeName=k,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST",
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr


def _wire_config(tmp_path, value: str = "wire") -> dict:
    config = tmp_path / "config"
    config.write_text(f"[default]\ncli_timestamp_format = {value}\n")
    return {"AWS_CONFIG_FILE": str(config)}


# -- cli_timestamp_format = wire ---------------------------------------------------------------


def test_wire_timestamps_of_a_json_protocol_are_epoch_numbers(moto, tmp_path):
    _tables(moto, "alpha")
    query = (
        "dynamodb",
        "describe-table",
        "--table-name",
        "alpha",
        "--query",
        "Table.CreationDateTime",
    )
    wire = moto.run(*query, env=_wire_config(tmp_path))
    assert wire.exit_code == 0, wire.stderr
    assert isinstance(json.loads(wire.stdout), (int, float))
    text = moto.run(*query, "--output", "text", env=_wire_config(tmp_path))
    assert float(text.stdout) == json.loads(wire.stdout)
    iso = moto.run(*query)
    assert ISO_8601.match(json.loads(iso.stdout))


def test_wire_timestamps_of_an_xml_protocol_are_the_xml_text(moto, tmp_path):
    made = moto.run("s3api", "create-bucket", "--bucket", "wire-bucket")
    assert made.exit_code == 0, made.stderr
    query = ("s3api", "list-buckets", "--query", "Buckets[0].CreationDate")
    wire = moto.run(*query, env=_wire_config(tmp_path))
    assert wire.exit_code == 0, wire.stderr
    assert XML_TIMESTAMP.match(json.loads(wire.stdout))
    assert ISO_8601.match(json.loads(moto.run(*query).stdout))


def test_wire_timestamps_in_yaml_and_table(moto, tmp_path):
    _tables(moto, "alpha")
    env = _wire_config(tmp_path)
    yaml_out = moto.run(
        "dynamodb", "describe-table", "--table-name", "alpha", "--output", "yaml", env=env
    )
    line = next(x for x in yaml_out.stdout.splitlines() if "CreationDateTime" in x)
    assert re.fullmatch(r"\s+CreationDateTime: \d+(\.\d+)?", line)


# -- --color on with --output table -----------------------------------------------------------


def test_coloured_table_has_the_aws_cli_escapes(moto, snapshot):
    _tables(moto, "alpha", "beta")
    coloured = moto.run("dynamodb", "list-tables", "--output", "table", "--color", "on")
    plain = moto.run("dynamodb", "list-tables", "--output", "table", "--color", "off")
    assert coloured.exit_code == 0, coloured.stderr
    assert ESCAPES.sub("", coloured.stdout) == plain.stdout
    assert coloured.stdout == snapshot


# -- a query giving a list of lists -----------------------------------------------------------


def _instances(moto, instance_type: str, count: int) -> None:
    ran = moto.run(
        "ec2", "run-instances", "--image-id", "ami-12c6146b", "--instance-type", instance_type,
        "--count", str(count),
    )  # fmt: skip
    assert ran.exit_code == 0, ran.stderr


def test_list_of_lists_is_one_flat_table(moto, snapshot):
    _instances(moto, "t2.micro", 2)
    _instances(moto, "t2.nano", 1)
    nested = moto.run(
        "ec2", "describe-instances", "--output", "table",
        "--query", "Reservations[*].Instances[*].[InstanceType, ImageId]",
    )  # fmt: skip
    assert nested.exit_code == 0, nested.stderr
    assert nested.stdout == snapshot
    flat = moto.run(
        "ec2", "describe-instances", "--output", "table",
        "--query", "Reservations[].Instances[].[InstanceType, ImageId]",
    )  # fmt: skip
    assert nested.stdout == flat.stdout


def test_list_of_lists_of_objects_with_nested_values(moto):
    _instances(moto, "t2.micro", 1)
    _instances(moto, "t2.nano", 1)
    query = "Reservations{}.Instances{}.{{Type: InstanceType, State: State}}"
    nested = moto.run(
        "ec2", "describe-instances", "--output", "table", "--query", query.format("[*]", "[*]")
    )
    flat = moto.run(
        "ec2", "describe-instances", "--output", "table", "--query", query.format("[]", "[]")
    )
    assert nested.exit_code == 0, nested.stderr
    assert nested.stdout == flat.stdout
    assert nested.stdout.count("|  running ") == 2


# -- NEXTTOKEN in text output -----------------------------------------------------------------


def test_text_of_a_cut_listing_ends_with_nexttoken(moto):
    _tables(moto, "alpha", "beta", "gamma")
    first = moto.run("dynamodb", "list-tables", "--max-items", "2", "--output", "text")
    assert first.exit_code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[:2] == ["TABLENAMES\talpha", "TABLENAMES\tbeta"]
    assert lines[2].startswith("NEXTTOKEN\t") and len(lines) == 3
    token = lines[2].split("\t", 1)[1]
    rest = moto.run(
        "dynamodb", "list-tables", "--max-items", "2", "--starting-token", token, "--output", "text"
    )
    assert rest.stdout == "TABLENAMES\tgamma\n"


def test_text_nexttoken_is_kept_with_a_query(moto):
    # The AWS CLI queries the token record too and prints "None"; the token is printed here.
    _tables(moto, "alpha", "beta", "gamma")
    result = moto.run(
        "dynamodb", "list-tables", "--max-items", "2", "--output", "text", "--query", "TableNames"
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "alpha\tbeta"
    assert lines[1].startswith("NEXTTOKEN\t") and len(lines) == 2


def test_whole_listing_has_no_nexttoken(moto):
    _tables(moto, "alpha", "beta")
    result = moto.run("dynamodb", "list-tables", "--output", "text")
    assert result.stdout == "TABLENAMES\talpha\nTABLENAMES\tbeta\n"


# -- yaml ---------------------------------------------------------------------------------------


def test_yaml_keys_are_sorted_as_the_aws_cli_prints_them(moto):
    # AWS CLI v2 2.36 sorts every mapping in yaml (its dumper does); json keeps the
    # response's order. Compared side by side on this response.
    _tables(moto, "alpha")
    result = moto.run("dynamodb", "describe-table", "--table-name", "alpha", "--output", "yaml")
    keys = re.findall(r"(?m)^  ([A-Za-z]+):", result.stdout)  # the Table mapping's keys
    assert keys == sorted(keys) and "TableName" in keys


# -- help pages of imported AWS commands ------------------------------------------------------


def test_help_of_a_paginated_operation_names_the_merged_results(aws_specs):
    page = run(["dynamodb", "scan", "help"], env={"CLISHAPE_SPEC_PATH": str(aws_specs)}).stdout
    assert "scan is a paginated command" in page
    assert "are: Items, Count, ScannedCount." in " ".join(page.split())


def test_help_marks_tagged_unions_in_input_and_output(aws_specs):
    env = {"CLISHAPE_SPEC_PATH": str(aws_specs)}
    given = " ".join(run(["logs", "put-integration", "help"], env=env).stdout.split())
    assert "--resource-config (tagged union structure) [required]" in given
    assert "set exactly one of its top-level keys: openSearchResourceConfig." in given
    answered = run(["ssm", "get-execution-preview", "help"], env=env).stdout
    output = " ".join(answered.split("OUTPUT", 1)[1].split())
    assert "ExecutionPreview -> (tagged union structure)" in output
    assert "exactly one of its top-level keys is set in a response: Automation." in output


def test_table_of_items_without_scalar_keys(moto, snapshot):
    # Each DynamoDB item is a dict of dicts: its section has a title and no rule under it.
    _tables(moto, "alpha")
    for key in ("a", "b"):
        item = json.dumps({"k": {"S": key}})
        put = moto.run("dynamodb", "put-item", "--table-name", "alpha", "--item", item)
        assert put.exit_code == 0, put.stderr
    result = moto.run("dynamodb", "scan", "--table-name", "alpha", "--output", "table")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == snapshot


# -- yaml scalars as YAML 1.2 writes them -------------------------------------------------------


def test_yaml_quotes_only_what_yaml_1_2_would_misread():
    from cli_core.present.render import format_yaml

    data = {"on": ["off", "yes", "no", "1:30", "true", "012", "null", "", "2020-01-01", "x"]}
    assert format_yaml(data) == (
        "on:\n- off\n- yes\n- no\n- 1:30\n- 'true'\n- '012'\n- 'null'\n- ''\n- '2020-01-01'\n- x\n"
    )


def test_yaml_floats_in_their_shortest_form():
    from cli_core.present.render import format_yaml

    assert format_yaml([1e20, 1e-07, 0.1, 3.0]) == "- 1e+20\n- 1e-07\n- 0.1\n- 3.0\n"


def test_yaml_stream_of_an_item_with_key_on(moto):
    _tables(moto, "alpha")
    item = json.dumps({"k": {"S": "a"}, "on": {"BOOL": True}})
    assert moto.run("dynamodb", "put-item", "--table-name", "alpha", "--item", item).exit_code == 0
    result = moto.run("dynamodb", "scan", "--table-name", "alpha", "--output", "yaml-stream")
    assert "\n    on:\n      BOOL: true\n" in result.stdout


def test_text_of_a_listing_gives_every_gathered_member_its_column(moto, tmp_path):
    # S3 answers no CommonPrefixes here; the AWS CLI still writes its column (None), so the
    # columns of the first record are the same whether or not a call has common prefixes.
    body = tmp_path / "a.txt"
    body.write_text("hi")
    assert moto.run("s3api", "create-bucket", "--bucket", "columns").exit_code == 0
    put = moto.run("s3api", "put-object", "--bucket", "columns", "--key", "a.txt",
                   "--body", str(body))  # fmt: skip
    assert put.exit_code == 0, put.stderr
    text = moto.run("s3api", "list-objects-v2", "--bucket", "columns", "--output", "text")
    assert text.exit_code == 0, text.stderr
    first, second = text.stdout.splitlines()[:2]
    assert first == "None\t\tNone"  # CommonPrefixes, Prefix, RequestCharged
    assert second.startswith("CONTENTS\t")
    as_json = json.loads(moto.run("s3api", "list-objects-v2", "--bucket", "columns").stdout)
    assert "CommonPrefixes" not in as_json  # json shows what came, as the AWS CLI's does
