"""Waiters: ``clishape SERVICE wait WAITER`` from botocore's waiter definitions.

The wire tests run against moto in server mode (``moto`` fixture); the waiter's sleep is
replaced by a recorder, so no test waits for real and each can say how often the waiter polled
and how long it would have slept.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from cli_core.send import wait as wait_module
from cli_core.specs.check import check_service
from cli_core.testing import run, snapshot_text
from clishape_tools.import_botocore import convert_waiters, load_model
from clishape_tools.spec_schema import spec_schema


@pytest.fixture
def sleeps(monkeypatch):
    """The seconds each sleep of a waiter would have lasted, in order (nothing really sleeps)."""
    slept: list[float] = []
    monkeypatch.setattr(wait_module, "sleep", slept.append)
    return slept


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


# -- against the emulator ----------------------------------------------------------------------


def test_bucket_exists_returns_at_once_with_no_output(moto, sleeps):
    ok(moto.run("s3api", "create-bucket", "--bucket", "wait-here"))
    result = moto.run("s3api", "wait", "bucket-exists", "--bucket", "wait-here")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert sleeps == []


def test_bucket_exists_gives_up_after_max_attempts_with_the_aws_cli_message(moto, sleeps):
    result = moto.run("s3api", "wait", "bucket-exists", "--bucket", "never-made")
    assert result.exit_code == 255
    assert result.stdout == ""
    assert (
        "Waiter BucketExists failed: Max attempts exceeded. Previously accepted state: "
        "Matched expected HTTP status code: 404"
    ) in result.stderr
    assert sleeps == [5] * 19  # 20 checks, 5 seconds apart


def test_object_exists_polls_until_the_object_appears(moto, sleeps, monkeypatch):
    ok(moto.run("s3api", "create-bucket", "--bucket", "later"))

    def put_then_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:  # the object turns up during the second pause
            ok(moto.run("s3api", "put-object", "--bucket", "later", "--key", "k"))

    monkeypatch.setattr(wait_module, "sleep", put_then_sleep)
    result = moto.run("s3api", "wait", "object-exists", "--bucket", "later", "--key", "k")
    assert (result.exit_code, result.stdout) == (0, ""), result.stderr
    assert sleeps == [5, 5]


def test_object_not_exists(moto, sleeps):
    ok(moto.run("s3api", "create-bucket", "--bucket", "empty"))
    ok(moto.run("s3api", "wait", "object-not-exists", "--bucket", "empty", "--key", "none"))
    ok(moto.run("s3api", "put-object", "--bucket", "empty", "--key", "there"))
    result = moto.run("s3api", "wait", "object-not-exists", "--bucket", "empty", "--key", "there")
    assert result.exit_code == 255
    assert "Waiter ObjectNotExists failed: Max attempts exceeded" in result.stderr
    assert len(sleeps) == 19


def test_dynamodb_table_exists(moto, sleeps):
    ok(
        moto.run(
            "dynamodb",
            "create-table",
            "--table-name",
            "things",
            "--attribute-definitions",
            "AttributeName=id,AttributeType=S",
            "--key-schema",
            "AttributeName=id,KeyType=HASH",
            "--billing-mode",
            "PAY_PER_REQUEST",
        )  # fmt: skip
    )
    result = ok(moto.run("dynamodb", "wait", "table-exists", "--table-name", "things"))
    assert result.stdout == ""
    ok(moto.run("dynamodb", "delete-table", "--table-name", "things"))
    ok(moto.run("dynamodb", "wait", "table-not-exists", "--table-name", "things"))
    assert sleeps == []


def _instance(moto) -> str:
    made = ok(
        moto.run(
            "ec2",
            "run-instances",
            "--image-id",
            "ami-12c6146b",
            "--count",
            "1",
            "--query",
            "Instances[0].InstanceId",
            "--output",
            "text",
        )  # fmt: skip
    )
    return made.stdout.strip()


def test_ec2_instance_running(moto, sleeps):
    instance = _instance(moto)
    result = moto.run("ec2", "wait", "instance-running", "--instance-ids", instance)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_failure_acceptor_ends_the_wait_with_255(moto, sleeps):
    instance = _instance(moto)
    ok(moto.run("ec2", "terminate-instances", "--instance-ids", instance))
    result = moto.run("ec2", "wait", "instance-running", "--instance-ids", instance)
    assert result.exit_code == 255
    assert (
        "Waiter InstanceRunning failed: Waiter encountered a terminal failure state: For "
        'expression "Reservations[].Instances[].State.Name" we matched expected path: '
        '"terminated" at least once'
    ) in result.stderr
    assert sleeps == []


def test_an_error_no_acceptor_expects_ends_the_wait(moto, sleeps):
    result = moto.run("ec2", "wait", "instance-running", "--dry-run")
    assert result.exit_code == 255
    assert (
        "Waiter InstanceRunning failed: An error occurred (DryRunOperation): Request would have "
        "succeeded, but DryRun flag is set."
    ) in result.stderr
    assert sleeps == []


def test_an_error_an_acceptor_expects_is_retried(moto, sleeps):
    result = moto.run("dynamodb", "wait", "table-exists", "--table-name", "missing")
    assert result.exit_code == 255
    assert (
        "Waiter TableExists failed: Max attempts exceeded. Previously accepted state: "
        "Matched expected service error code: ResourceNotFoundException"
    ) in result.stderr
    assert sleeps == [20] * 24


def test_debug_shows_each_attempt(moto, sleeps):
    result = moto.run("s3api", "wait", "bucket-exists", "--bucket", "nope", "--debug")
    assert result.exit_code == 255
    lines = [line for line in result.stderr.splitlines() if "waiter BucketExists" in line]
    assert len(lines) == 20
    assert lines[0] == (
        "clishape: waiter BucketExists: attempt 1 of 20: retry "
        "(Matched expected HTTP status code: 404)"
    )
    assert lines[-1].startswith("clishape: waiter BucketExists: attempt 20 of 20: retry")


def test_cli_input_json_and_skeleton_on_a_wait_command(moto, sleeps):
    skeleton = ok(moto.run("s3api", "wait", "bucket-exists", "--generate-cli-skeleton"))
    assert json.loads(skeleton.stdout) == {"Bucket": "", "ExpectedBucketOwner": ""}
    yaml_skeleton = ok(
        moto.run("s3api", "wait", "bucket-exists", "--generate-cli-skeleton", "yaml-input")
    )
    assert "Bucket: ''" in yaml_skeleton.stdout
    ok(moto.run("s3api", "create-bucket", "--bucket", "from-json"))
    result = moto.run(
        "s3api", "wait", "bucket-exists", "--cli-input-json", '{"Bucket": "from-json"}'
    )
    assert (result.exit_code, result.stdout) == (0, ""), result.stderr
    result = moto.run("s3api", "wait", "bucket-exists", "--cli-input-yaml", "Bucket: from-json")
    assert result.exit_code == 0, result.stderr
    assert sleeps == []


# -- the command line --------------------------------------------------------------------------


def test_usage_errors(moto):
    missing = moto.run("s3api", "wait")
    assert missing.exit_code == 252
    assert "required: <waiter>" in missing.stderr
    assert "clishape s3api wait help" in missing.stderr
    unknown = moto.run("s3api", "wait", "bucket-exist")
    assert unknown.exit_code == 252
    assert "invalid waiter 'bucket-exist'; maybe you meant: bucket-exists" in unknown.stderr
    required = moto.run("s3api", "wait", "bucket-exists")
    assert required.exit_code == 252
    assert "the following arguments are required: --bucket" in required.stderr
    paging = moto.run("ec2", "wait", "instance-running", "--max-items", "1")
    assert paging.exit_code == 252  # a waiter makes single calls: no pagination options
    assert "Unknown options: --max-items" in paging.stderr
    typo = moto.run("s3api", "wiat")
    assert typo.exit_code == 252 and "maybe you meant: wait" in typo.stderr
    no_waiters = moto.run("sts", "wait")
    assert no_waiters.exit_code == 252 and "invalid command 'wait'" in no_waiters.stderr


def test_wait_help_lists_the_waiters(moto, snapshot):
    result = moto.run("s3api", "wait", "help")
    assert snapshot_text(result) == snapshot


def _sections(page: str, *titles: str) -> str:
    """The named sections of a help page (the rest holds the service's own prose)."""
    out = []
    for title in titles:
        match = re.search(rf"^{title}\n(.*?)(?=^[A-Z]|\Z)", page, re.M | re.S)
        assert match, title
        out.append(f"{title}\n{match.group(1)}")
    return "".join(out)


def test_waiter_help_pages(moto, snapshot):
    for argv in (("s3api", "wait", "bucket-exists"), ("dynamodb", "wait", "table-exists")):
        page = moto.run(*argv, "help")
        assert page.exit_code == 0, page.stderr
        assert _sections(page.stdout, "NAME", "DESCRIPTION", "SYNOPSIS", "OUTPUT") == snapshot


def test_waiter_descriptions_follow_the_aws_cli(moto):
    page = moto.run("ec2", "wait", "instance-running", "help", env={"COLUMNS": "400"})
    text = " ".join(page.stdout.split())
    assert (
        "Wait until JMESPath query Reservations[].Instances[].State.Name returns running for "
        "all elements when polling with describe-instances. It will poll every 15 seconds "
        "until a successful state has been reached. This will exit with a return code of 255 "
        "after 40 failed checks."
    ) in text
    assert "--starting-token" not in page.stdout and "OUTPUT None" in text


def test_service_help_lists_wait(moto):
    def listed(service: str) -> list[str]:
        return [line.strip() for line in moto.run(service, "help").stdout.splitlines()]

    assert "o wait" in listed("s3api")
    assert "o wait" not in listed("sts")  # no waiters, no wait command


def test_help_and_skeleton_of_a_waiter_stay_on_the_hot_path(aws_specs, tmp_path):
    from test_startup import HEAVY, probe  # the same probe the start-up tests use

    env = {
        "PATH": "",
        "HOME": str(tmp_path),
        "CLISHAPE_CACHE_DIR": str(tmp_path / "cache"),
        "CLISHAPE_SPEC_PATH": str(aws_specs),
        "AWS_CONFIG_FILE": "/dev/null",
    }
    for argv in (
        ["s3api", "wait", "help"],
        ["s3api", "wait", "bucket-exists", "help"],
        ["s3api", "wait", "bucket-exists", "--generate-cli-skeleton"],
        ["s3api", "wait", "bucket-exists"],  # a usage error
    ):
        probe(argv, env)  # the first run fills the cache
        result = probe(argv, env)
        assert "Traceback" not in result["stderr"], argv
        assert result["heavy"] == [], (argv, result["heavy"], HEAVY)


# -- the spec format and the importer ---------------------------------------------------------


def test_the_importer_brings_the_waiters_with_the_aws_cli_names():
    waiters = convert_waiters(load_model("ec2"))
    running = waiters["instance-running"]
    assert running["name"] == "InstanceRunning"
    assert running["command"] == "describe-instances"
    assert (running["delay"], running["maxAttempts"]) == (15, 40)
    assert running["acceptors"][0] == {
        "state": "success",
        "matcher": "pathAll",
        "argument": "Reservations[].Instances[].State.Name",
        "expected": "running",
    }
    assert "bucket-exists" in convert_waiters(load_model("s3"))
    assert convert_waiters(load_model("sts")) == {}


def _service(tmp_path, waiters) -> tuple[dict, object]:
    folder = tmp_path / "demo"
    folder.mkdir(exist_ok=True)
    (folder / "get-thing.yaml").write_text("clishape: 1\ncommand: get-thing\noperation: GetThing\n")
    data = {
        "clishape": 1,
        "service": "demo",
        "metadata": {"protocol": "json"},
        "waiters": waiters,
    }
    return data, folder / "_service.yaml"


GOOD_WAITER = {
    "command": "get-thing",
    "delay": 2,
    "maxAttempts": 3,
    "acceptors": [
        {"state": "success", "matcher": "path", "argument": "Thing.Status", "expected": "READY"},
        {"state": "retry", "matcher": "error", "expected": "NotFound"},
        {"state": "failure", "matcher": "status", "expected": 500},
    ],
}


def test_the_checker_accepts_a_good_waiter_and_the_schema_agrees(tmp_path):
    import jsonschema

    data, path = _service(tmp_path, {"thing-ready": GOOD_WAITER})
    assert check_service(data, path) == []
    jsonschema.Draft202012Validator(spec_schema("service")).validate(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"command": "get-nothing"}, "no command 'get-nothing' in this service"),
        ({"delay": 0}, "must be 1 or more"),
        ({"maxAttempts": "3"}, "expected an integer"),
        ({"acceptors": []}, "at least one acceptor"),
        ({"acceptors": [{"state": "done", "matcher": "status", "expected": 200}]}, "'done' is not"),
        ({"acceptors": [{"state": "success", "matcher": "path", "expected": 1}]}, "'argument'"),
        (
            {
                "acceptors": [
                    {"state": "success", "matcher": "path", "argument": "a[", "expected": 1}
                ]
            },
            "not a valid JMESPath expression",
        ),
        (
            {
                "acceptors": [
                    {"state": "success", "matcher": "status", "argument": "a", "expected": 1}
                ]
            },
            "only path matchers take an argument",
        ),
        (
            {"acceptors": [{"state": "success", "matcher": "status", "expected": "200"}]},
            "HTTP status",
        ),
        (
            {"acceptors": [{"state": "success", "matcher": "error", "expected": [1]}]},
            "a string, number",
        ),
        ({"bogus": 1}, "unknown key 'bogus'"),
    ],
)
def test_the_checker_refuses_a_broken_waiter(tmp_path, change, message):
    data, path = _service(tmp_path, {"thing-ready": {**GOOD_WAITER, **change}})
    problems = [str(p) for p in check_service(data, path)]
    assert any(message in p for p in problems), problems
    assert all("waiters.thing-ready" in p for p in problems), problems


def test_a_waiter_name_must_be_kebab_case(tmp_path):
    data, path = _service(tmp_path, {"ThingReady": GOOD_WAITER})
    problems = [str(p) for p in check_service(data, path)]
    assert any("lower-case letters, digits and dashes" in p for p in problems), problems


def test_a_hand_written_waiter_has_its_page_and_request(tmp_path):
    """A spec author's own waiter, on a service of their own."""
    import shutil

    from cli_core.settings import SHIPPED_SPECS

    shutil.copytree(SHIPPED_SPECS / "voice-id", tmp_path / "voice-id")
    service_file = tmp_path / "voice-id" / "_service.yaml"
    text = service_file.read_text()
    waiter = {
        "domain-active": {
            "command": "describe-domain",
            "delay": 7,
            "maxAttempts": 2,
            "acceptors": [{"state": "success", "matcher": "status", "expected": 200}],
        }
    }
    service_file.write_text(
        text.replace("\nshapes:", "\n" + yaml.safe_dump({"waiters": waiter}) + "shapes:", 1)
    )
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path)}
    page = run(["voice-id", "wait", "domain-active", "help"], env=env)
    assert page.exit_code == 0, page.stderr
    assert "It will poll every 7 seconds" in " ".join(page.stdout.split())
    dry = run(
        ["voice-id", "wait", "domain-active", "--domain-id", "d" * 22, "--cli-dry-run"], env=env
    )
    assert dry.exit_code == 0, dry.stderr
    assert "DescribeDomain" in dry.stdout
