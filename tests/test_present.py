"""The present stage: output formats, --query, timestamps, colour and the pager."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
import tempfile

import pytest

from cli_core.errors import ConfigError, ParamError
from cli_core.present.pager import output_stream
from cli_core.present.render import (
    apply_query,
    compile_query,
    render,
    render_stream,
    style_error,
)
from cli_core.present.table import display_width
from cli_core.settings import pager_command

UTC = datetime.UTC
FORMATS = ["json", "text", "table", "yaml", "yaml-stream", "off"]
TITLE = "DescribeSpeakerEnrollmentJob"


def describe_job():
    """A DescribeSpeakerEnrollmentJob response, keys in model order."""
    return {
        "Job": {
            "CreatedAt": datetime.datetime(2024, 3, 5, 9, 15, 30, 250000, tzinfo=UTC),
            "DataAccessRoleArn": "arn:aws:iam::111122223333:role/VoiceIdDataAccess",
            "DomainId": "UcUuCPFOoJKf8KqzvLOkZN",
            "EndedAt": datetime.datetime(2024, 3, 5, 9, 42, 0, tzinfo=UTC),
            "EnrollmentConfig": {
                "ExistingEnrollmentAction": "OVERWRITE",
                "FraudDetectionConfig": {
                    "FraudDetectionAction": "FAIL",
                    "RiskThreshold": 50,
                    "WatchlistIds": ["wl-4Tq9ZfXq2TbS1nJ3kLmNpQ"],
                },
            },
            "FailureDetails": {
                "Message": "2 of 40 enrollment requests failed; see the job output file",
                "StatusCode": 400,
            },
            "InputDataConfig": {"S3Uri": "s3://voice-id-enroll/input/manifest.json"},
            "JobId": "5c6f7e1a0b2d4c8e9f3a1b2c3d4e5f60",
            "JobName": "spring-enrollment",
            "JobProgress": {"PercentComplete": 100},
            "JobStatus": "COMPLETED_WITH_ERRORS",
            "OutputDataConfig": {
                "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "S3Uri": "s3://voice-id-enroll/output/",
            },
        }
    }


def list_jobs():
    """A ListSpeakerEnrollmentJobs-like response (merged pages)."""
    return {
        "JobSummaries": [
            {
                "CreatedAt": datetime.datetime(2024, 3, 5, 9, 15, 30, tzinfo=UTC),
                "DomainId": "UcUuCPFOoJKf8KqzvLOkZN",
                "EndedAt": datetime.datetime(2024, 3, 5, 9, 42, 0, tzinfo=UTC),
                "JobId": "5c6f7e1a0b2d4c8e9f3a1b2c3d4e5f60",
                "JobName": "spring-enrollment",
                "JobProgress": {"PercentComplete": 100},
                "JobStatus": "COMPLETED",
            },
            {
                "CreatedAt": datetime.datetime(2024, 3, 6, 8, 0, 0, tzinfo=UTC),
                "DomainId": "UcUuCPFOoJKf8KqzvLOkZN",
                "FailureDetails": {
                    "Message": "Access denied to the input bucket",
                    "StatusCode": 403,
                },
                "JobId": "0a9b8c7d6e5f40312233445566778899",
                "JobName": "retry",
                "JobProgress": {"PercentComplete": 0},
                "JobStatus": "FAILED",
            },
        ]
    }


EXPECTED_JSON = """\
{
    "Job": {
        "CreatedAt": "2024-03-05T09:15:30.250000+00:00",
        "DataAccessRoleArn": "arn:aws:iam::111122223333:role/VoiceIdDataAccess",
        "DomainId": "UcUuCPFOoJKf8KqzvLOkZN",
        "EndedAt": "2024-03-05T09:42:00+00:00",
        "EnrollmentConfig": {
            "ExistingEnrollmentAction": "OVERWRITE",
            "FraudDetectionConfig": {
                "FraudDetectionAction": "FAIL",
                "RiskThreshold": 50,
                "WatchlistIds": [
                    "wl-4Tq9ZfXq2TbS1nJ3kLmNpQ"
                ]
            }
        },
        "FailureDetails": {
            "Message": "2 of 40 enrollment requests failed; see the job output file",
            "StatusCode": 400
        },
        "InputDataConfig": {
            "S3Uri": "s3://voice-id-enroll/input/manifest.json"
        },
        "JobId": "5c6f7e1a0b2d4c8e9f3a1b2c3d4e5f60",
        "JobName": "spring-enrollment",
        "JobProgress": {
            "PercentComplete": 100
        },
        "JobStatus": "COMPLETED_WITH_ERRORS",
        "OutputDataConfig": {
            "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "S3Uri": "s3://voice-id-enroll/output/"
        }
    }
}
"""

SUMMARY_QUERY = (
    "Job.{Id: JobId, Status: JobStatus, Done: JobProgress.PercentComplete,"
    " Watchlists: EnrollmentConfig.FraudDetectionConfig.WatchlistIds}"
)


# --- json --------------------------------------------------------------------------------------


def test_json_is_exactly_the_reference_layout():
    assert render(describe_job(), output="json") == EXPECTED_JSON


def test_json_matches_reference_encoder_semantics():
    # The reference CLI: json.dump(indent=4, ensure_ascii=False, default=<datetime → isoformat,
    # bytes → base64>) plus a newline.
    import base64
    import json

    def reference_default(value):
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("utf-8")
        raise TypeError(value)

    data = describe_job()
    data["Job"]["Blob"] = b"\x00\xffvoice"
    data["Job"]["Name"] = "Zoë – 東京"
    expected = json.dumps(data, indent=4, ensure_ascii=False, default=reference_default) + "\n"
    assert render(data, output="json") == expected
    assert '"Blob": "AP92b2ljZQ=="' in expected
    assert '"Name": "Zoë – 東京"' in expected


def test_json_keeps_the_models_key_order():
    out = render({"Zeta": 1, "Alpha": {"b": 1, "a": 2}}, output="json")
    assert out == '{\n    "Zeta": 1,\n    "Alpha": {\n        "b": 1,\n        "a": 2\n    }\n}\n'


@pytest.mark.parametrize(
    ("data", "expected"),
    [({}, ""), ([], "[]\n"), ("", '""\n'), (0, "0\n"), (False, "false\n"), (None, "null\n")],
)
def test_json_empty_dict_prints_nothing_other_empties_print(data, expected):
    assert render(data, output="json") == expected


def test_response_metadata_is_not_printed():
    data = {"JobId": "j", "ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200}}
    assert render(data, output="json") == '{\n    "JobId": "j"\n}\n'


# --- every format, snapshots -------------------------------------------------------------------


@pytest.mark.parametrize("output", FORMATS)
def test_describe_job_in_every_format(output, snapshot):
    assert render(describe_job(), output=output, title=TITLE) == snapshot


@pytest.mark.parametrize("output", FORMATS)
def test_describe_job_with_query_in_every_format(output, snapshot):
    query = compile_query(SUMMARY_QUERY)
    assert render(describe_job(), output=output, title=TITLE, query=query) == snapshot


@pytest.mark.parametrize("output", ["text", "table"])
def test_list_of_jobs(output, snapshot):
    text = render(list_jobs(), output=output, title="ListSpeakerEnrollmentJobs", width=250)
    assert text == snapshot


def test_list_of_jobs_in_text_lines_up_missing_keys():
    lines = render(list_jobs(), output="text").splitlines()
    # Scalar columns are the union over all summaries, so EndedAt is '' for the second job.
    assert lines[2] == (
        "JOBSUMMARIES\t2024-03-06T08:00:00+00:00\tUcUuCPFOoJKf8KqzvLOkZN\t\t"
        "0a9b8c7d6e5f40312233445566778899\tretry\tFAILED"
    )
    assert lines[3] == "FAILUREDETAILS\tAccess denied to the input bucket\t403"


# --- text --------------------------------------------------------------------------------------


def test_text_reference_example():
    data = {
        "Out": "o",
        "Count": 3,
        "Items": [{"Name": "n1", "Values": ["a", "b"]}],
        "Tags": {"k": "v", "a": "b"},
    }
    assert render(data, output="text") == "3\to\nITEMS\tn1\nVALUES\ta\nVALUES\tb\nTAGS\tb\tv\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (["a", "b", 3], "a\tb\t3\n"),
        ([], ""),
        ({"L": []}, ""),
        ([["a", "b"], ["c"]], "a\tb\nc\n"),
        (["x", ["a", "b"]], "x\na\tb\n"),
        ({"Flag": True, "Ratio": 0.5, "None": None}, "True\tNone\t0.5\n"),
    ],
)
def test_text_rules(data, expected):
    assert render(data, output="text") == expected


def test_text_query_applies_to_the_whole_result():
    # The reference CLI queries text output page by page; here it is the merged result.
    query = compile_query("length(JobSummaries)")
    assert render(list_jobs(), output="text", query=query) == "2\n"


# --- table -------------------------------------------------------------------------------------


def test_table_turns_vertical_when_wider_than_the_terminal():
    data = {"Job": {"JobId": "5c6f7e1a0b2d4c8e", "JobName": "spring", "JobStatus": "COMPLETED"}}
    wide = render(data, output="table", title=TITLE, width=200)
    narrow = render(data, output="table", title=TITLE, width=40)
    assert wide == (
        "------------------------------------------------\n"
        "|         DescribeSpeakerEnrollmentJob         |\n"
        "+----------------------------------------------+\n"
        "||                     Job                    ||\n"
        "|+------------------+-----------+-------------+|\n"
        "||       JobId      |  JobName  |  JobStatus  ||\n"
        "|+------------------+-----------+-------------+|\n"
        "||  5c6f7e1a0b2d4c8e|  spring   |  COMPLETED  ||\n"
        "|+------------------+-----------+-------------+|\n"
    )
    assert narrow == (
        "-------------------------------------\n"
        "|   DescribeSpeakerEnrollmentJob    |\n"
        "+-----------------------------------+\n"
        "||               Job               ||\n"
        "|+------------+--------------------+|\n"
        "||  JobId     |  5c6f7e1a0b2d4c8e  ||\n"
        "||  JobName   |  spring            ||\n"
        "||  JobStatus |  COMPLETED         ||\n"
        "|+------------+--------------------+|\n"
    )
    # 48 columns fit in 48, so the horizontal layout stays.
    assert render(data, output="table", title=TITLE, width=48) == wide


@pytest.mark.parametrize(
    "expression",
    [
        "JobSummaries[].JobId",
        "JobSummaries[].[JobId, JobStatus]",
        "JobSummaries[].{Id: JobId, Done: JobProgress.PercentComplete}",
        "[JobSummaries[0].JobId, JobSummaries[0].JobProgress]",
    ],
)
def test_table_of_query_results(expression, snapshot):
    query = compile_query(expression)
    assert render(list_jobs(), output="table", title="ListJobs", query=query) == snapshot


def test_table_lines_have_equal_display_width():
    for data in (describe_job(), list_jobs(), {"Name": "東京 ©", "Tags": ["日本語", "é"]}):
        lines = render(data, output="table", title=TITLE, width=250).splitlines()
        assert len({display_width(line) for line in lines}) == 1


@pytest.mark.parametrize(("data", "expected"), [({}, ""), ([], ""), (None, ""), ("", "")])
def test_table_empty_result_prints_nothing(data, expected):
    assert render(data, output="table", title=TITLE) == expected


def test_table_colour():
    data = {"Job": {"JobId": "j1"}}
    plain = render(data, output="table", title=TITLE, color="off", isatty=True)
    on = render(data, output="table", title=TITLE, color="on")
    auto_pipe = render(data, output="table", title=TITLE, color="auto", isatty=False)
    auto_tty = render(data, output="table", title=TITLE, color="auto", isatty=True, width=80)
    assert "\x1b" not in plain
    assert auto_pipe == plain
    assert auto_tty == on
    bar = "\x1b[2m\x1b[33m|\x1b[0m"
    value = "\x1b[1m\x1b[34m{}\x1b[0m".format
    assert re.sub("\x1b\\[[0-9]+m", "", on) == plain
    row = next(line for line in on.splitlines() if "JobId" in line)
    reset = "\x1b[0m"  # after each piece written, as the AWS CLI's colour layer does
    assert row.startswith(f"{reset}{bar}{reset}|  {value('JobId')} ")
    assert f"|  {value('j1')} " in row
    assert row.endswith(f"|{reset}{bar}{reset}")
    assert on.count(bar) == 8  # the nested section: 4 lines, a bar on each side


def test_bad_colour_value():
    with pytest.raises(ParamError) as info:
        render({}, output="table", color="sometimes")
    assert str(info.value) == (
        "argument --color: invalid choice: 'sometimes' (choose from on, off, auto)"
    )


# --- yaml and yaml-stream ----------------------------------------------------------------------


def test_yaml_sorts_keys_and_keeps_unicode():
    data = {"b": "Zoë", "a": {"d": [1, 2], "c": "東京"}, "e": {}}
    assert render(data, output="yaml") == ("a:\n  c: 東京\n  d:\n  - 1\n  - 2\nb: Zoë\ne: {}\n")


def test_yaml_does_not_fold_long_values():
    text = "word " * 40
    assert render({"Message": text.strip()}, output="yaml") == f"Message: {text.strip()}\n"


def test_yaml_stream_queries_each_page():
    pages = [
        {"JobSummaries": [{"JobId": "a"}, {"JobId": "b"}], "NextToken": "t1"},
        {},
        {"JobSummaries": [{"JobId": "c"}]},
    ]
    query = compile_query("JobSummaries[].JobId")
    assert list(render_stream(pages, query=query)) == ["- - a\n  - b\n", "- - c\n"]
    count = compile_query("length(JobSummaries)")
    assert list(render_stream(pages, query=count)) == ["- 2\n", "- 1\n"]
    assert list(render_stream(pages)) == [
        "- JobSummaries:\n  - JobId: a\n  - JobId: b\n  NextToken: t1\n",
        "- JobSummaries:\n  - JobId: c\n",
    ]


# --- scalar results ----------------------------------------------------------------------------

SCALAR_EXPECTED = {
    "json": '"COMPLETED_WITH_ERRORS"\n',
    "yaml": '"COMPLETED_WITH_ERRORS"\n',
    "yaml-stream": "- COMPLETED_WITH_ERRORS\n",
    "text": "COMPLETED_WITH_ERRORS\n",
    "table": (
        "------------------------------\n"
        "|DescribeSpeakerEnrollmentJob|\n"
        "+----------------------------+\n"
        "|  COMPLETED_WITH_ERRORS     |\n"
        "+----------------------------+\n"
    ),
    "off": "",
}


@pytest.mark.parametrize("output", FORMATS)
def test_scalar_query_result(output):
    query = compile_query("Job.JobStatus")
    assert (
        render(describe_job(), output=output, query=query, title=TITLE) == (SCALAR_EXPECTED[output])
    )


@pytest.mark.parametrize(
    ("expression", "output", "expected"),
    [
        ("Job.JobProgress.PercentComplete", "yaml", "100\n"),
        ("Job.Missing", "yaml", "null\n"),
        ("Job.Missing", "json", "null\n"),
        ("Job.Missing", "text", "None\n"),
        ("Job.Missing", "table", ""),
        ("`false`", "yaml", "false\n"),
        ("`0.5`", "text", "0.5\n"),
        ("Job.FailureDetails.Message", "yaml", '"2 of 40 enrollment requests failed; see the job output file"\n'),
        ("Job.CreatedAt", "yaml", '"2024-03-05T09:15:30.250000+00:00"\n'),
        ("length(Job.EnrollmentConfig.FraudDetectionConfig.WatchlistIds)", "table",
         "------------------------------\n|DescribeSpeakerEnrollmentJob|\n"
         "+----------------------------+\n|  1                         |\n"
         "+----------------------------+\n"),
    ],
)  # fmt: skip
def test_more_scalar_results(expression, output, expected):
    out = render(describe_job(), output=output, query=compile_query(expression), title=TITLE)
    assert out == expected


# --- query errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "bad[[",
            'Bad value for --query bad[[: Expecting: star, got: lbracket (found "[" at column 4)\n'
            "bad[[\n"
            "    ^",
        ),
        (
            "Job.[",
            "Bad value for --query Job.[: the expression ends too early (column 5)\nJob.[\n     ^",
        ),
        (
            "Job ~ x",
            "Bad value for --query Job ~ x: Unknown token ~ at column 4\nJob ~ x\n    ^",
        ),
        (
            "Job[?a==]",
            'Bad value for --query Job[?a==]: unexpected "]" at column 8\nJob[?a==]\n        ^',
        ),
        (
            '"東京" ~',
            'Bad value for --query "東京" ~: Unknown token ~ at column 5\n"東京" ~\n       ^',
        ),
        ("", "Bad value for --query : the expression is empty"),
    ],
)
def test_bad_query(expression, expected):
    with pytest.raises(ParamError) as info:
        compile_query(expression)
    assert str(info.value) == expected
    assert info.value.exit_code == 252


def test_query_failing_at_run_time_is_a_param_error():
    query = compile_query("length(Job.JobProgress.PercentComplete)")
    with pytest.raises(ParamError) as info:
        render(describe_job(), output="json", query=query)
    assert str(info.value).startswith(
        "Bad value for --query length(Job.JobProgress.PercentComplete): In function length(),"
    )
    assert info.value.exit_code == 252


def test_apply_query_without_query_returns_data():
    data = {"a": 1}
    assert apply_query(None, data) is data
    assert apply_query(compile_query("a"), data) == 1


# --- timestamps --------------------------------------------------------------------------------


def test_timestamps_iso8601_keep_fractions_and_offsets():
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    data = {
        "A": datetime.datetime(2024, 1, 1, tzinfo=UTC),
        "B": datetime.datetime(2024, 1, 1, 0, 0, 0, 123000, tzinfo=UTC),
        "C": datetime.datetime(2024, 1, 1, 5, 30, tzinfo=tz),
    }
    assert render(data, output="text") == (
        "2024-01-01T00:00:00+00:00\t2024-01-01T00:00:00.123000+00:00\t2024-01-01T05:30:00+05:30\n"
    )


def test_query_sees_timestamps_as_iso_text():
    query = compile_query("starts_with(Job.CreatedAt, '2024-03-05T09')")
    assert render(describe_job(), output="json", query=query) == "true\n"


def test_wire_timestamps_are_left_as_given():
    data = {"CreatedAt": "1709630130.25", "When": "2024-03-05T09:15:30Z"}
    out = render(data, output="json", timestamp_format="wire")
    assert out == '{\n    "CreatedAt": "1709630130.25",\n    "When": "2024-03-05T09:15:30Z"\n}\n'


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("json", '{\n    "At": "2024-01-01T00:00:00+00:00"\n}\n'),
        ("yaml", "At: '2024-01-01T00:00:00+00:00'\n"),
        ("text", "2024-01-01T00:00:00+00:00\n"),
    ],
)
def test_wire_leaves_datetime_objects_which_print_as_iso(output, expected):
    data = {"At": datetime.datetime(2024, 1, 1, tzinfo=UTC)}
    assert render(data, output=output, timestamp_format="wire") == expected


def test_render_does_not_change_its_input():
    data = describe_job()
    data["ResponseMetadata"] = {"RequestId": "r"}
    before = repr(data)
    for output in FORMATS:
        render(data, output=output, title=TITLE)
    assert repr(data) == before


@pytest.mark.parametrize("output", FORMATS)
def test_unknown_timestamp_format(output):
    with pytest.raises(ConfigError) as info:
        render(describe_job(), output=output, timestamp_format="epoch")
    assert str(info.value) == (
        'Unknown cli_timestamp_format value: epoch, valid values are "wire" or "iso8601"'
    )
    assert info.value.exit_code == 253


# --- non-ASCII ---------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "text", "table", "yaml"])
def test_non_ascii(output, snapshot):
    data = {
        "JobName": "Anmeldung für Zoë",
        "Tags": [{"Key": "都市", "Value": "東京"}, {"Key": "city", "Value": "Zürich"}],
    }
    assert render(data, output=output, title="ListTags", width=120) == snapshot


# --- the safety net and helpers ----------------------------------------------------------------


def test_unknown_output_format():
    with pytest.raises(ParamError) as info:
        render({}, output="xml")
    assert str(info.value) == (
        "argument --output: invalid choice: 'xml' "
        "(choose from json, text, table, yaml, yaml-stream, off)"
    )


def test_style_error():
    line = "aws: [ERROR]: boom"
    assert style_error(line) == line
    assert style_error(line, color="auto", isatty=True) == f"\x1b[1m\x1b[31m{line}\x1b[0m"
    assert style_error(line, color="on") == f"\x1b[1m\x1b[31m{line}\x1b[0m"
    assert style_error(line, color="off", isatty=True) == line


def test_modules_do_not_import_heavy_libraries():
    code = (
        "import sys, cli_core.present.render, cli_core.present.pager, cli_core.present.text, "
        "cli_core.present.table\n"
        "print(sorted(m for m in ('jmespath', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


# --- the reference formatter, cross-checked ----------------------------------------------------


@pytest.mark.parametrize("make", [describe_job, list_jobs])
@pytest.mark.parametrize("width", [80, 250])
def test_table_and_text_match_the_reference_cli(make, width, monkeypatch):
    awscli_formatter = pytest.importorskip("awscli.formatter")
    from types import SimpleNamespace

    from awscli import table as aws_table
    from awscli import text as aws_text

    from cli_core.present.render import prepare

    data = prepare(make())
    monkeypatch.setattr(aws_table, "determine_terminal_width", lambda default_width=80: width)
    formatter = awscli_formatter.TableFormatter(SimpleNamespace(color="off", query=None))
    table = io.StringIO()
    formatter._format_response(TITLE, data, table)
    text = io.StringIO()
    aws_text.format_text(data, text)
    assert render(make(), output="table", title=TITLE, width=width) == table.getvalue()
    assert render(make(), output="text") == text.getvalue()


# --- pager -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("no_pager", "environ", "config", "expected"),
    [
        (False, {}, {}, ["less"]),
        (True, {"AWS_PAGER": "most"}, {"cli_pager": "more"}, None),
        (False, {"AWS_PAGER": "most", "PAGER": "pg"}, {"cli_pager": "more"}, ["most"]),
        (False, {"PAGER": "pg"}, {"cli_pager": "more -d"}, ["more", "-d"]),
        (False, {"PAGER": "pg -e"}, {}, ["pg", "-e"]),
        (False, {"AWS_PAGER": "", "PAGER": "pg"}, {"cli_pager": "more"}, None),
        (False, {"PAGER": "pg"}, {"cli_pager": ""}, None),
        (False, {"PAGER": ""}, {}, None),
        (False, {"AWS_PAGER": "'my pager' -R --x='a b'"}, {}, ["my pager", "-R", "--x=a b"]),
    ],
)
def test_pager_command_precedence(no_pager, environ, config, expected):
    assert pager_command(no_pager=no_pager, environ=environ, config=config) == expected


def test_pager_command_with_unbalanced_quotes():
    with pytest.raises(ConfigError) as info:
        pager_command(no_pager=False, environ={"AWS_PAGER": "less 'x"}, config={})
    assert str(info.value) == 'Cannot use the pager AWS_PAGER="less \'x": No closing quotation'
    assert info.value.exit_code == 253


class FakeTerminal:
    """A stdout that says it is a terminal but writes to a file we can read back."""

    encoding = "utf-8"

    def __init__(self):
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")

    def isatty(self):
        return True

    def fileno(self):
        return self.file.fileno()

    def write(self, text):
        return self.file.write(text)

    def flush(self):
        self.file.flush()

    def read_back(self):
        self.file.flush()
        self.file.seek(0)
        return self.file.read()


def _env(**extra):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **extra}


def _stream(stdout, *, no_pager: bool, environ: dict):
    pager = pager_command(no_pager=no_pager, environ=environ, config={})
    return output_stream(stdout, pager=pager, environ=environ)


def test_no_pager_when_stdout_is_not_a_terminal():
    stdout = io.StringIO()
    with _stream(stdout, no_pager=False, environ=_env()) as stream:
        assert stream is stdout


def test_no_pager_when_disabled():
    stdout = FakeTerminal()
    with _stream(stdout, no_pager=True, environ=_env()) as stream:
        assert stream is stdout


def test_output_goes_through_the_pager_with_less_set():
    stdout = FakeTerminal()
    pager = f"{sys.executable} -c \"import os, sys; print('LESS=' + os.environ['LESS']); sys.stdout.write(sys.stdin.read())\""
    with _stream(stdout, no_pager=False, environ=_env(AWS_PAGER=pager)) as out:
        out.write(render({"Name": "Zoë"}, output="text"))
    assert stdout.read_back() == "LESS=FRX\nZoë\n"


def test_existing_less_is_kept():
    stdout = FakeTerminal()
    pager = f"{sys.executable} -c \"import os; print(os.environ['LESS'])\""
    env = _env(AWS_PAGER=pager, LESS="-S")
    with _stream(stdout, no_pager=False, environ=env) as out:
        out.write("x\n")
    assert stdout.read_back() == "-S\n"


def test_pager_quitting_early_is_not_an_error():
    stdout = FakeTerminal()
    pager = f"{sys.executable} -c \"import sys; print(sys.stdin.readline(), end='')\""
    with _stream(stdout, no_pager=False, environ=_env(AWS_PAGER=pager)) as out:
        for n in range(50000):
            out.write(f"line {n}\n")
    assert stdout.read_back() == "line 0\n"


def test_pager_that_cannot_start():
    stdout = FakeTerminal()
    env = _env(AWS_PAGER="no-such-pager-xyz -R")
    with pytest.raises(ConfigError) as info:
        with _stream(stdout, no_pager=False, environ=env) as out:
            out.write("text\n")
    assert info.value.exit_code == 253
    assert str(info.value).startswith(
        "Unable to start the output pager 'no-such-pager-xyz -R': No such file or directory."
    )


def test_pager_not_started_when_nothing_is_written():
    stdout = FakeTerminal()
    env = _env(AWS_PAGER="no-such-pager-xyz")
    with _stream(stdout, no_pager=False, environ=env) as out:
        out.write(render({}, output="json"))  # an empty result renders as no text
    assert stdout.read_back() == ""
