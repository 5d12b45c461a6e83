"""--cli-error-format, AWS_CLI_ERROR_FORMAT and cli_error_format: how errors reach stderr.

Service errors come from a real emulator (moto in server mode, ``tests/emulator.py``).
"""

from __future__ import annotations

import json

import pytest

from cli_core.testing import run

TABLE = "t1"
FAILING_PUT = json.dumps(
    [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {"k": {"S": "a"}},
                "ConditionExpression": "attribute_not_exists(k)",
            }
        }
    ]
)


def _table_with_one_item(moto) -> None:
    made = moto.run(
        "dynamodb", "create-table", "--table-name", TABLE,
        "--attribute-definitions", "AttributeName=k,AttributeType=S",
        "--key-schema", "AttributeName=k,KeyType=HASH",
        "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    put = moto.run("dynamodb", "put-item", "--table-name", TABLE, "--item", '{"k":{"S":"a"}}')
    assert put.exit_code == 0, put.stderr


@pytest.mark.parametrize("error_format", ["legacy", "enhanced", "json", "yaml", "text", "table"])
def test_service_error_in_each_format(moto, error_format, snapshot):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope", "--cli-error-format", error_format
    )
    assert result.exit_code == 254
    assert result.stdout == ""
    assert result.stderr == snapshot


def test_json_error_is_the_whole_of_stderr_as_the_aws_cli_prints_it(moto):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope", "--cli-error-format", "json"
    )
    # The error shape's own "message" member is modeled: shown beside Message, as in v2.
    assert json.loads(result.stderr) == {
        "Message": "Requested resource not found: Table: nope not found",
        "Code": "ResourceNotFoundException",
        "message": "Requested resource not found: Table: nope not found",
    }


def test_enhanced_does_not_list_a_repeated_message(moto):
    result = moto.run("dynamodb", "describe-table", "--table-name", "nope")
    assert result.exit_code == 254
    assert "Additional error details" not in result.stderr


def test_modeled_details_are_in_the_document(moto):
    _table_with_one_item(moto)
    result = moto.run(
        "dynamodb", "transact-write-items", "--transact-items", FAILING_PUT,
        "--cli-error-format", "json",
    )  # fmt: skip
    assert result.exit_code == 254
    doc = json.loads(result.stderr)
    assert list(doc) == ["Message", "Code", "CancellationReasons"]  # as the AWS CLI orders them
    assert doc["Code"] == "TransactionCanceledException"
    assert doc["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    ]


def test_enhanced_lists_the_details_after_the_error_line(moto, snapshot):
    _table_with_one_item(moto)
    result = moto.run("dynamodb", "transact-write-items", "--transact-items", FAILING_PUT)
    assert result.exit_code == 254
    assert result.stderr == snapshot


def test_legacy_leaves_the_details_out(moto):
    _table_with_one_item(moto)
    result = moto.run(
        "dynamodb", "transact-write-items", "--transact-items", FAILING_PUT,
        "--cli-error-format", "legacy",
    )  # fmt: skip
    assert result.exit_code == 254
    assert "CancellationReasons" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_unmodeled_fields_of_an_xml_error_are_left_out(moto):
    # S3 sends <BucketName> in the error; NoSuchBucket models no members.
    result = moto.run(
        "s3api", "get-bucket-location", "--bucket", "nope", "--cli-error-format", "yaml"
    )
    assert result.exit_code == 254
    assert result.stderr == "Code: NoSuchBucket\nMessage: The specified bucket does not exist\n"


def test_query_compatible_error_code_as_text(moto):
    result = moto.run("sqs", "get-queue-url", "--queue-name", "nope", "--cli-error-format", "text")
    assert result.exit_code == 254
    assert result.stderr == (
        "AWS.SimpleQueueService.NonExistentQueue\tThe specified queue does not exist.\n"
    )


# -- errors before anything is sent ---------------------------------------------------------


def test_missing_required_option_as_json(moto):
    result = moto.run("dynamodb", "describe-table", "--cli-error-format", "json")
    assert result.exit_code == 252
    assert json.loads(result.stderr) == {
        "Code": "ParamValidation",
        "Message": "the following arguments are required: --table-name",
    }


def test_unknown_option_as_json(moto):
    # The AWS CLI leaves unknown options as plain text; here every error follows the format.
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "x", "--bogus", "--cli-error-format", "json"
    )
    assert result.exit_code == 252
    assert json.loads(result.stderr)["Message"] == "Unknown options: --bogus"


def test_validation_error_as_yaml(moto):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "", "--cli-error-format", "yaml"
    )
    assert result.exit_code == 252
    assert result.stderr.startswith("Code: ParamValidation\nMessage: ")
    assert "TableName" in result.stderr


def test_no_region_has_its_own_code(aws_specs, tmp_path):
    result = run(
        ["dynamodb", "list-tables", "--cli-error-format", "json"],
        env={
            "CLISHAPE_SPEC_PATH": str(aws_specs),
            "AWS_ACCESS_KEY_ID": "a",
            "AWS_SECRET_ACCESS_KEY": "b",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
        },
    )
    assert result.exit_code == 253
    assert json.loads(result.stderr)["Code"] == "NoRegion"


def test_bad_option_value_is_a_usage_error():
    result = run(["dynamodb", "list-tables", "--cli-error-format", "JSON"])
    assert result.exit_code == 252
    assert result.stderr.startswith(
        "clishape: error: argument --cli-error-format: invalid choice 'JSON' "
        "(choose from legacy, json, yaml, text, table, enhanced)"
    )


# -- where the format comes from --------------------------------------------------------------


def test_environment_variable_any_case(moto):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope", env={"AWS_CLI_ERROR_FORMAT": "JSON"}
    )
    assert json.loads(result.stderr)["Code"] == "ResourceNotFoundException"


def test_config_key_and_the_option_wins(moto, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_error_format = text\n")
    env = {"AWS_CONFIG_FILE": str(config)}
    from_config = moto.run("dynamodb", "describe-table", "--table-name", "nope", env=env)
    assert from_config.stderr.startswith("ResourceNotFoundException\t")
    from_option = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope", "--cli-error-format", "json",
        env={**env, "AWS_CLI_ERROR_FORMAT": "yaml"},
    )  # fmt: skip
    assert json.loads(from_option.stderr)["Code"] == "ResourceNotFoundException"


def test_bad_environment_value_is_a_configuration_error(moto):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope", env={"AWS_CLI_ERROR_FORMAT": "xml"}
    )
    assert result.exit_code == 253
    assert result.stderr == (
        "clishape: error: Unknown error format 'xml' from the environment variable "
        "AWS_CLI_ERROR_FORMAT; valid values are legacy, json, yaml, text, table, enhanced\n"
    )


def test_table_error_is_coloured_with_color_on(moto):
    result = moto.run(
        "dynamodb", "describe-table", "--table-name", "nope",
        "--cli-error-format", "table", "--color", "on",
    )  # fmt: skip
    assert result.exit_code == 254
    assert "\x1b[" in result.stderr and "ResourceNotFoundException" in result.stderr


def test_botocore_validation_problems_are_one_a_line():
    from botocore.exceptions import ParamValidationError

    from cli_core.errors import ParamError
    from cli_core.send.transport import translated_errors

    report = "Invalid length for parameter X, value: 2, valid min length: 3\nMissing Y"
    with pytest.raises(ParamError) as info, translated_errors():
        raise ParamValidationError(report=report)
    assert str(info.value) == "Parameter validation failed:\n" + report
