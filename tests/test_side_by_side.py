"""The side-by-side harness (tools/side_by_side.py): its normalising and comparing, and its
workflows run with clishape alone against moto — no step may end in an internal error.

The comparison with AWS CLI v2 itself is a tool (``python -m clishape_tools.side_by_side``),
not a test: AWS CLI v2 is not on the CI machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from clishape_tools import side_by_side as sxs

# --------------------------------------------------------------------------- normalising


def test_normalise_replaces_generated_values_with_placeholders():
    text = (
        '{"LaunchTime": "2026-11-30T10:55:01.123000+00:00", "InstanceId": "i-0a1b2c3d4e5f67890",\n'
        ' "RequestId": "0f8fad5b-d9cb-469f-a165-70867728950e", "UserId": "AIDAJQABLZS4A3QDU576Q",\n'
        ' "creationTime": 1764500101123, "Id": "/hostedzone/Z2ABCDEFGHIJKLMN"}'
    )
    assert sxs.normalise(text) == (
        '{"LaunchTime": "<TIME>", "InstanceId": "i-<ID>",\n'
        ' "RequestId": "<UUID>", "UserId": "<IAMID>",\n'
        ' "creationTime": <EPOCH>, "Id": "/hostedzone/<R53ID>"}'
    )


def test_normalise_moto_random_ids():
    text = '"UserId": "o7ybeuyz0tf04nzhsfhm", "MessageId": "nmcdomifagtnlhjc-jtiupbdr-vebi-kgsv-zxeg-vmjuhehuarbu-zjsmfc"'
    assert sxs.normalise(text) == '"UserId": "<RANDID>", "MessageId": "<MSGID>"'
    assert (
        sxs.normalise("sgr-19b07a2052d2cd371 thequickbrownfoxjump")
        == "sgr-<ID> thequickbrownfoxjump"
    )


def test_normalise_random_addresses_but_not_cidr_blocks():
    text = "ip-10-2-7-211.ec2.internal 10.2.7.211 ec2-54-1-2-3 0e:aa:01:02:03:04 10.0.0.0/8"
    assert sxs.normalise(text) == "ip-<IP>.ec2.internal <IP> ec2-<IP> <MAC> 10.0.0.0/8"


def test_normalise_names_captured_values_before_the_generic_patterns():
    out = sxs.normalise(
        "queue http://q/123/sxs-queue and token eyJhYmMiOiAx",
        {"queue": "http://q/123/sxs-queue", "token": "eyJhYmMiOiAx"},
    )
    assert out == "queue <queue> and token <token>"


def test_normalise_keeps_what_the_user_gave():
    text = "alice\t12\tsxs-bucket\t1.5\n2010-09-09"
    assert sxs.normalise(text) == text


def test_unorder_sorts_json_lists_and_else_lines():
    assert sxs.unorder('{"a": [3, 1, 2]}') == sxs.unorder('{"a": [2, 3, 1]}')
    assert sxs.unorder('{"a": [3, 1]}') != sxs.unorder('{"a": [3, 2]}')
    assert sxs.unorder("b\na") == "a\nb"


@pytest.mark.parametrize(
    ("stderr", "code", "kind"),
    [
        ("", 0, "none"),
        (
            "\nAn error occurred (NoSuchEntity) when calling the GetUser operation: x\n",
            254,
            "service error NoSuchEntity",
        ),
        (
            "aws: [ERROR]: An error occurred (NoSuchKey) when calling the GetObject operation: k",
            254,
            "service error NoSuchKey",
        ),
        (
            '{\n    "Code": "ResourceNotFoundException",\n    "Message": "m"\n}\n',
            254,
            "service error ResourceNotFoundException",
        ),
        ("Code: ValidationError\nMessage: m\n", 254, "service error ValidationError"),
        ("NoSuchEntity\tThe user cannot be found.\n", 254, "service error NoSuchEntity"),
        (
            "-----\n|  error  |\n+------+-----+\n|  Code |  NoSuchEntity  |\n",
            254,
            "service error NoSuchEntity",
        ),
        (
            "usage: aws [options]\naws: error: the following arguments are required: --key\n",
            252,
            "usage",
        ),
        (
            "aws: [ERROR]: An error occurred (ParamValidation): Error parsing parameter '--item'",
            252,
            "usage",
        ),
        (
            "\nWaiter InstanceRunning failed: Waiter encountered a terminal failure state\n",
            255,
            "waiter failed",
        ),
        (
            "Waiter InstanceStopped failed: An error occurred (InvalidInstanceID.NotFound): x",
            255,
            "waiter failed",
        ),
        ("clishape: internal error: KeyError: 'x'\n", 255, "internal error"),
        ("Traceback (most recent call last):\n  File ...\n", 1, "internal error"),
        ("something else\n", 255, "other (exit 255)"),
    ],
)
def test_stderr_class(stderr, code, kind):
    assert sxs.stderr_class(stderr, code) == kind


def _step(**kw) -> sxs.Step:
    return sxs.Step(argv=["x"], label="x", area="wire", **kw)


def test_compare_step_agrees_across_generated_values_and_wording():
    mine = sxs.Outcome(254, "", "An error occurred (NoSuchEntity) when calling GetUser: gone\n")
    theirs = sxs.Outcome(254, "", "\naws: [ERROR]: An error occurred (NoSuchEntity) ...: gone\n")
    assert sxs.compare_step("w", 0, _step(), mine, theirs).agree
    mine = sxs.Outcome(0, '{"Id": "i-0123456789abcdef0"}\n', "", captured={"v": "abcd1"})
    theirs = sxs.Outcome(0, '{"Id": "i-0fedcba9876543210"}\n', "", captured={"v": "zzzz9"})
    assert sxs.compare_step("w", 0, _step(), mine, theirs).agree


def test_compare_step_reports_what_differs():
    result = sxs.compare_step(
        "w",
        0,
        _step(compare_files=["out.bin"]),
        sxs.Outcome(255, "{}\n", "clishape: internal error: boom\n", {"out.bin": "<no file>"}),
        sxs.Outcome(0, '{"A": 1}\n', "", {"out.bin": "data"}),
    )
    assert not result.agree
    assert result.differs == ["exit", "stdout", "stderr", "file out.bin"]
    assert result.internal_error


def test_compare_step_exact_stderr_compares_the_text():
    step = _step(stderr_exact=True)
    mine = sxs.Outcome(254, "", '{"Code": "X", "Message": "m"}\n')
    theirs = sxs.Outcome(254, "", '{\n    "Code": "X",\n    "Message": "m"\n}\n')
    assert sxs.compare_step("w", 0, step, mine, theirs).differs == ["stderr"]
    assert sxs.compare_step("w", 0, _step(), mine, theirs).agree


def test_compare_step_exact_stderr_ignores_the_program_name_prefix():
    step = _step(stderr_exact=True)
    mine = sxs.Outcome(254, "", "clishape: error: An error occurred (X) when calling Op: m\n")
    theirs = sxs.Outcome(254, "", "\naws: [ERROR]: An error occurred (X) when calling Op: m\n")
    assert sxs.compare_step("w", 0, step, mine, theirs).agree
    other = sxs.Outcome(254, "", "clishape: error: An error occurred (X) when calling Op: other\n")
    assert not sxs.compare_step("w", 0, step, other, theirs).agree


def test_run_pass_captures_substitutes_and_writes_files(tmp_path):
    flow = sxs.Workflow(
        name="w",
        services=[],
        files={"in.txt": "base"},
        steps=[
            sxs.Step(argv=["make"], label="make", area="wire", capture={"id": "Id"}),
            sxs.Step(
                argv=["use", "{id}", "{other}"],
                label="use",
                area="wire",
                files={"f.json": '{"Id": "{id}"}'},
                stdin="id={id}",
                compare_files=["f.json"],
            ),
        ],
    )
    seen = []

    def runner(argv, stdin, cwd):
        seen.append((argv, stdin, (cwd / "in.txt").read_text()))
        return 0, '{"Id": "abc-123"}', ""

    outcomes = sxs.run_pass(flow, runner, tmp_path / "pass")
    assert seen[1] == (["use", "abc-123", "{other}"], "id=abc-123", "base")
    assert outcomes[1].files == {"f.json": '{"Id": "abc-123"}'}
    assert outcomes[1].captured == {"id": "abc-123"}


def test_output_variants_become_steps_and_captures_stay_with_the_first(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        "name: w\nservices: [iam]\nsteps:\n"
        "  - argv: [iam, list-users]\n    output: [json, text]\n    capture: {u: 'Users[0]'}\n"
    )
    flow = sxs.load_workflow(path)
    assert [s.argv for s in flow.steps] == [
        ["iam", "list-users", "--output", "json"],
        ["iam", "list-users", "--output", "text"],
    ]
    assert [s.capture for s in flow.steps] == [{"u": "Users[0]"}, {}]


def test_a_bad_workflow_file_is_one_clear_error(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("steps:\n  - argv: [iam, x]\n    colour: red\n")
    with pytest.raises(ValueError, match=r"step 1: unknown keys \['colour'\]"):
        sxs.load_workflow(path)


def test_the_shipped_workflows_load_and_cover_the_issue():
    flows = sxs.load_workflows()
    steps = [s for f in flows for s in f.steps]
    assert len(steps) >= 100
    used = {s.argv[0] for s in steps}
    assert {
        "s3api",
        "iam",
        "sts",
        "sns",
        "cloudformation",
        "ses",
        "ec2",
        "dynamodb",
        "logs",
        "ssm",
        "lambda",
        "route53",
        "elb",
    } <= used
    formats = {s.output for s in steps}
    assert {"json", "text", "table", "yaml", "yaml-stream"} <= formats
    flat = [" ".join(s.argv) for s in steps]
    for needle in (
        "--max-items",
        "--starting-token",
        "--page-size",
        "--no-paginate",
        "--cli-error-format",
        " wait ",
        "--generate-cli-skeleton",
        "--cli-input-json",
        "--query",
    ):
        assert any(needle in line for line in flat), needle


# --------------------------------------------------------------------------- clishape alone


def _worst_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()] or ["<no stderr>"]
    bad = [line for line in lines if "internal error" in line.lower() or "Error" in line]
    return (bad or lines)[0][:300]


@pytest.mark.slow
@pytest.mark.parametrize("workflow", [f.name for f in sxs.load_workflows()])
def test_workflow_never_ends_in_an_internal_error(workflow, moto_server, aws_specs, tmp_path):
    """Every step of the workflow, run with clishape against moto: no internal error, no
    traceback, and no step left hanging."""
    (flow,) = sxs.load_workflows([workflow])
    env = sxs.base_env(tmp_path / "home")
    env.update(CLISHAPE_SPEC_PATH=str(aws_specs), CLISHAPE_CACHE_DIR=str(tmp_path / "cache"))
    clishape = str(Path(sys.executable).parent / "clishape")
    sxs.reset(moto_server)
    outcomes = sxs.run_pass(
        flow, sxs.subprocess_runner([clishape], moto_server, env), tmp_path / "w"
    )
    bad = [
        f"{step.label}: exit {o.exit_code}: {_worst_line(o.stderr)}"
        for step, o in zip(flow.steps, outcomes, strict=True)
        if sxs.stderr_class(o.stderr, o.exit_code) in ("internal error", "timed out")
    ]
    assert not bad, "\n".join(bad)
