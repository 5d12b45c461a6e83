"""Batches (issue 13.5): ``--cli-input-jsonl FILE|-`` runs one command over one input document
per line, in one process, against the embedded Voice ID service (or as a dry run)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys

import pytest

from cli_core.driver import IO, main
from cli_core.testing import isolated_environ, run
from clishape_local.cli import seed_demo
from clishape_local.embedded import open_service, start_embedded

SEED = ["voice-id", "describe-speaker-enrollment-job"]
OTHER_JOB = "B" * 22  # well formed, but no such job: the service answers 254


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    state = tmp_path_factory.mktemp("batch-local")
    voiceid = open_service(state)
    try:
        ids = seed_demo(voiceid)
    finally:
        voiceid.store.close()
    with start_embedded(state) as running:
        running.ids = ids
        yield running


def cli(service, *argv, stdin: str = "", env=None):
    environ = {
        "AWS_ACCESS_KEY_ID": service.access_key,
        "AWS_SECRET_ACCESS_KEY": service.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        **(env or {}),
    }
    return run(["--endpoint-url", service.url, *argv], env=environ, stdin=stdin)


def batch(service, lines: list[str], *argv, **kwargs):
    """The seed command over ``lines`` on stdin, with the demo domain on the command line."""
    domain = service.ids["DomainId"]
    stdin = "".join(line + "\n" for line in lines)
    return cli(service, *SEED, "--domain-id", domain, "--cli-input-jsonl", "-", *argv,
               stdin=stdin, **kwargs)  # fmt: skip


def job_line(job_id) -> str:
    return json.dumps({"JobId": job_id})


def test_one_json_line_per_request_in_input_order_and_the_worst_exit_code(service):
    job = service.ids["JobId"]
    lines = [
        job_line(job),
        "",  # blank: skipped, but counted in line numbers
        job_line(OTHER_JOB),  # a service error (254)
        '{"JobId": 5}',  # fails validation (252): never sent
        "[1]",  # not an object
        "{bad",  # not JSON
        job_line(job),
    ]
    result = batch(service, lines, "--query", "Job.[JobId,JobStatus]")
    assert result.stdout.splitlines() == [
        json.dumps([job, "COMPLETED"], separators=(",", ":")),
        "null",
        "null",
        "null",
        "null",
        json.dumps([job, "COMPLETED"], separators=(",", ":")),
    ]
    assert result.exit_code == 254  # the worst of 0, 254, 252
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert errors[0].startswith("clishape: error: line 3: ")
    assert "ResourceNotFoundException" in errors[0]
    assert errors[1] == "clishape: error: line 4: Parameter validation failed:"
    assert "JobId: expected a string, got integer 5" in result.stderr
    assert errors[2] == (
        "clishape: error: line 5: Error parsing parameter '--cli-input-jsonl': expected a JSON "
        "object on each line, got a list"
    )
    assert errors[3].startswith("clishape: error: line 6: Error parsing parameter ")
    assert "at column 2" in errors[3]
    assert result.stderr.splitlines()[-1] == (
        "clishape: 4 of 6 request(s) failed (input lines 3, 4, 5, 6)"
    )
    assert "Traceback" not in result.stderr


def test_all_succeed_exit_zero_without_a_summary(service):
    result = batch(service, [job_line(service.ids["JobId"])] * 5, "--query", "Job.JobStatus")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '"COMPLETED"\n' * 5
    assert result.stderr == ""


def test_each_line_is_merged_under_the_command_line_as_cli_input_json_is(service):
    """The same line, as --cli-input-json and as a batch line, gives the same request."""
    domain = service.ids["DomainId"]
    lines = [
        json.dumps({"JobId": "C" * 22, "DomainId": "ignored-by-the-command-line"}),
        json.dumps({"JobId": "D" * 22}),
    ]
    result = batch(service, lines, "--cli-dry-run")
    assert result.exit_code == 0, result.stderr
    for line, shown in zip(lines, result.stdout.splitlines(), strict=True):
        single = cli(service, *SEED, "--domain-id", domain, "--cli-input-json", line,
                     "--cli-dry-run")  # fmt: skip
        assert json.loads(shown) == json.loads(single.stdout)
        assert json.loads(shown)["params"]["DomainId"] == domain  # the command line wins


def test_error_documents_name_their_line_and_stderr_stays_parseable(service):
    job = service.ids["JobId"]
    result = batch(service, [job_line(job), job_line(OTHER_JOB), '{"JobId": 5}'],
                   "--cli-error-format", "json", "--query", "Job.JobStatus")  # fmt: skip
    assert result.exit_code == 254
    decoder, text, documents = json.JSONDecoder(), result.stderr, []
    while text.strip():
        document, end = decoder.raw_decode(text.lstrip())
        documents.append(document)
        text = text.lstrip()[end:]
    assert [(d["Code"], d["Line"]) for d in documents] == [
        ("ResourceNotFoundException", 2),
        ("ParamValidation", 3),
    ]


def test_a_line_missing_a_required_member_fails_alone(service):
    result = batch(service, ["{}", job_line(service.ids["JobId"])], "--query", "Job.JobStatus")
    assert result.stdout.splitlines() == ["null", '"COMPLETED"']
    assert result.exit_code == 252
    assert "clishape: error: line 1: " in result.stderr
    assert "JobId" in result.stderr


def test_results_keep_input_order_with_many_in_flight(service):
    ids = [f"{n:022d}" for n in range(60)]
    result = batch(service, [job_line(i) for i in ids], "--cli-dry-run",
                   "--cli-batch-concurrency", "8")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["params"]["JobId"] for line in result.stdout.splitlines()] == ids


def test_yaml_stream_is_one_list_item_per_request(service):
    job = service.ids["JobId"]
    lines = [job_line(job), job_line(OTHER_JOB), job_line(job)]
    result = batch(service, lines, "--output", "yaml-stream", "--query", "Job.JobStatus")
    assert result.stdout == "- COMPLETED\n- null\n- COMPLETED\n"
    import yaml

    assert yaml.safe_load(result.stdout) == ["COMPLETED", None, "COMPLETED"]


def test_yaml_is_one_document_per_request(service):
    job = service.ids["JobId"]
    result = batch(service, [job_line(job), job_line(OTHER_JOB)], "--output", "yaml",
                   "--query", "Job.{Status: JobStatus}")  # fmt: skip
    import yaml

    assert list(yaml.safe_load_all(result.stdout)) == [{"Status": "COMPLETED"}, None]


def test_text_prints_each_result_and_nothing_for_a_failure(service):
    job = service.ids["JobId"]
    lines = [job_line(job), job_line(OTHER_JOB), job_line(job)]
    result = batch(service, lines, "--output", "text", "--query", "Job.[JobId,JobStatus]")
    assert result.stdout == f"{job}\tCOMPLETED\n" * 2
    assert result.exit_code == 254


def test_input_from_a_file(service, tmp_path):
    source = tmp_path / "jobs.jsonl"
    source.write_text("\ufeff" + job_line(service.ids["JobId"]) + "\r\n\r\n")
    domain = service.ids["DomainId"]
    for given in (str(source), f"file://{source}"):
        result = cli(service, *SEED, "--domain-id", domain, f"--cli-input-jsonl={given}",
                     "--query", "Job.JobStatus")  # fmt: skip
        assert (result.exit_code, result.stdout) == (0, '"COMPLETED"\n'), result.stderr


def test_a_line_that_is_not_utf8_fails_alone(service, tmp_path):
    source = tmp_path / "jobs.jsonl"
    source.write_bytes(b'{"JobId": "\xff"}\n' + job_line(service.ids["JobId"]).encode() + b"\n")
    result = cli(service, *SEED, "--domain-id", service.ids["DomainId"], "--cli-input-jsonl",
                 str(source), "--query", "Job.JobStatus")  # fmt: skip
    assert result.stdout == 'null\n"COMPLETED"\n'
    assert "line 1: Error parsing parameter '--cli-input-jsonl': the line is not UTF-8 text" in (
        result.stderr
    )
    assert result.exit_code == 252


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--cli-batch-concurrency", "2"], "--cli-batch-concurrency applies to a batch only"),
        (["--cli-input-jsonl", "-", "--cli-batch-concurrency", "0"], "from 1 to 64, got '0'"),
        (["--cli-input-jsonl", "-", "--cli-batch-concurrency=x"], "from 1 to 64, got 'x'"),
        (["--cli-input-jsonl", "-", "--cli-input-json", "{}"], "cannot be combined with"),
        (["--cli-input-jsonl", "-", "--generate-cli-skeleton"], "cannot be combined with"),
        (["--cli-input-jsonl", "-", "--cli-input-jsonl", "-"], "given more than once"),
        (["--cli-input-jsonl"], "--cli-input-jsonl: expected one argument"),
        (["--cli-input-jsonl", "/no/such/file"], "cannot read '/no/such/file'"),
        (["--cli-input-jsonl", "-", "--no-such-option", "1"], "Unknown options: --no-such"),
    ],
)
def test_problems_with_the_batch_itself_are_one_error_before_any_request(service, argv, words):
    result = cli(service, *SEED, "--domain-id", service.ids["DomainId"], *argv,
                 stdin=job_line(service.ids["JobId"]) + "\n")  # fmt: skip
    assert result.exit_code == 252
    assert result.stdout == ""
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_configuration_problem_stops_the_batch_once(service):
    result = run([*SEED, "--domain-id", "A" * 22, "--cli-input-jsonl", "-"],
                 env={"CLISHAPE_LOCAL": "1"}, stdin=job_line("B" * 22) + "\n")  # fmt: skip
    assert result.exit_code == 253
    assert result.stderr.count("error:") == 1
    assert "no local service" in result.stderr


def test_embedded_mode_starts_the_service_once_for_the_batch(service, tmp_path):
    from clishape_commands.app import local_endpoint

    started = []

    def counting(home, environ):
        started.append(home)
        return local_endpoint(home, environ)

    lines = "".join(job_line(service.ids["JobId"]) + "\n" for _ in range(3))
    result = run([*SEED, "--domain-id", service.ids["DomainId"], "--cli-input-jsonl", "-",
                  "--query", "Job.JobStatus"],
                 env={"CLISHAPE_LOCAL": "1", "CLISHAPE_LOCAL_HOME": str(service.state_dir)},
                 stdin=lines, local_endpoint=counting)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '"COMPLETED"\n' * 3
    assert len(started) == 1


def test_one_botocore_client_serves_the_whole_batch(service, monkeypatch):
    from cli_core.send import transport

    built = []
    real = transport.build_client

    def counting(command, settings):
        built.append(command.operation)
        return real(command, settings)

    monkeypatch.setattr(transport, "build_client", counting)
    result = batch(service, [job_line(service.ids["JobId"])] * 10, "--query", "Job.JobStatus")
    assert result.exit_code == 0, result.stderr
    assert built == ["DescribeSpeakerEnrollmentJob"]


def test_debug_logs_each_request_with_its_result(service):
    result = batch(service, [job_line(service.ids["JobId"])] * 2, "--debug",
                   "--query", "Job.JobStatus")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("DescribeSpeakerEnrollmentJob") >= 2


def test_help_is_the_command_page_and_documents_the_batch_options():
    result = run([*SEED, "--cli-input-jsonl", "-", "--cli-batch-concurrency", "0", "help"])
    assert result.exit_code == 0, result.stderr
    assert "--cli-input-jsonl" in result.stdout
    assert "--cli-batch-concurrency" in result.stdout


class _InterruptedOutput(io.StringIO):
    """Standard output where the user presses Ctrl-C while the third result is written."""

    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        if self.writes == 3:
            raise KeyboardInterrupt
        return super().write(text)


def test_ctrl_c_stops_says_how_many_were_done_and_exits_130():
    out, err = _InterruptedOutput(), io.StringIO()
    lines = "".join(job_line(f"{n:022d}") + "\n" for n in range(50))
    code = main(
        [*SEED, "--domain-id", "A" * 22, "--cli-input-jsonl", "-", "--cli-dry-run"],
        IO(stdin=io.StringIO(lines), stdout=out, stderr=err, environ=isolated_environ()),
    )
    assert code == 130
    assert len(out.getvalue().splitlines()) == 2
    assert err.getvalue().startswith(
        "clishape: interrupted: 3 request(s) done (input lines up to 3)"
    )
    assert "Traceback" not in err.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_in_a_real_process(tmp_path):
    """A real SIGINT while the batch waits for more input on stdin."""
    env = {**isolated_environ(), "AWS_DEFAULT_REGION": "us-east-1"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    child = subprocess.Popen(
        [sys.executable, "-m", "cli_core", *SEED, "--domain-id", "A" * 22,
         "--cli-input-jsonl", "-", "--cli-dry-run"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip
    try:
        for n in range(2):
            child.stdin.write(job_line(f"{n:022d}") + "\n")
            child.stdin.flush()
            assert json.loads(child.stdout.readline())["params"]["JobId"] == f"{n:022d}"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    assert out == ""
    assert err.startswith("clishape: interrupted: 2 request(s) done (input lines up to 2)")


# -- other services, through the emulator ---------------------------------------------------------


def test_a_waiter_over_many_lines_prints_nothing_and_fails_per_line(moto, monkeypatch):
    from cli_core.send import wait as wait_module

    monkeypatch.setattr(wait_module, "sleep", lambda seconds: None)
    assert moto.run("s3api", "create-bucket", "--bucket", "here").exit_code == 0
    lines = "".join(json.dumps({"Bucket": b}) + "\n" for b in ("here", "never-made", "here"))
    result = moto.run("s3api", "wait", "bucket-exists", "--cli-input-jsonl", "-", stdin=lines)
    assert result.exit_code == 255  # the waiter gave up on line 2
    assert result.stdout == ""
    assert "clishape: error: line 2: Waiter BucketExists failed" in result.stderr
    assert "line 1" not in result.stderr and "line 3" not in result.stderr


def test_a_paginated_listing_per_line_is_one_merged_result(moto):
    for bucket, keys in (("list-a", 3), ("list-b", 0)):
        assert moto.run("s3api", "create-bucket", "--bucket", bucket).exit_code == 0
        for n in range(keys):
            put = moto.run("s3api", "put-object", "--bucket", bucket, "--key", f"k{n}")
            assert put.exit_code == 0, put.stderr
    lines = "".join(json.dumps({"Bucket": b}) + "\n" for b in ("list-a", "list-b"))
    result = moto.run("s3api", "list-objects-v2", "--page-size", "1", "--cli-input-jsonl", "-",
                      "--query", "Contents[].Key", stdin=lines)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ['["k0","k1","k2"]', "null"]


# -- a command whose work is a Python handler ----------------------------------------------------


from test_handlers import notes  # noqa: E402, F401 - the ``notes`` handler service fixture


def test_a_handler_command_runs_per_line_without_any_service(notes):  # noqa: F811 - fixture
    lines = "".join(json.dumps({"Id": i}) + "\n" for i in ("3", "7", "1"))
    result = run(["notes", "get-note", "--cli-input-jsonl", "-", "--query", "Note.Text"],
                 env=notes, stdin=lines)  # fmt: skip
    assert result.stdout.splitlines() == ['"note 3"', "null", '"note 1"']
    assert result.exit_code == 254  # the handler's CommandError, as a service error
    assert "line 2: " in result.stderr and "NoteNotFound" in result.stderr
