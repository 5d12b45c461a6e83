"""End to end: clishape → botocore → loopback HTTP → the embedded Voice ID service → output."""

from __future__ import annotations

import re

import pytest

from cli_core.testing import run, snapshot_text
from clishape_local.embedded import start_embedded
from clishape_local.fallback import spec_fallback

SEED = ["voice-id", "describe-speaker-enrollment-job"]
FORMATS = ["json", "text", "table", "yaml", "yaml-stream", "off"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with start_embedded(tmp_path_factory.mktemp("local"), fallback=spec_fallback()) as svc:
        yield svc


@pytest.fixture(scope="module")
def env(service):
    return {
        "AWS_ACCESS_KEY_ID": service.access_key,
        "AWS_SECRET_ACCESS_KEY": service.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def cli(service, env, *argv, **kwargs):
    return run(["--endpoint-url", service.url, *argv], env=env, **kwargs)


@pytest.fixture(scope="module")
def job(service, env):
    """A domain and a finished enrollment job, made through clishape itself."""
    from clishape_local.cli import write_sample_data

    manifest = write_sample_data(service.s3_root)
    domain = cli(
        service, env, "voice-id", "create-domain", "--name", "e2e",
        "--server-side-encryption-configuration", "KmsKeyId=alias/e2e",
        "--client-token", "e2e-domain", "--query", "Domain.DomainId", "--output", "text",
    )  # fmt: skip
    assert domain.exit_code == 0, domain.stderr
    domain_id = domain.stdout.strip()
    started = cli(
        service, env, "voice-id", "start-speaker-enrollment-job", "--domain-id", domain_id,
        "--job-name", "e2e-job", "--client-token", "e2e-job",
        "--data-access-role-arn", "arn:aws:iam::123456789012:role/e2e",
        "--input-data-config", f"S3Uri={manifest}",
        "--output-data-config", "S3Uri=s3://clishape-demo/e2e-out",
        "--query", "Job.JobId", "--output", "text",
    )  # fmt: skip
    assert started.exit_code == 0, started.stderr
    job_id = started.stdout.strip()
    for _ in range(10):  # each describe moves the job one step on
        status = cli(service, env, *SEED, "--domain-id", domain_id, "--job-id", job_id,
                     "--query", "Job.JobStatus", "--output", "text")  # fmt: skip
        if status.stdout.strip() == "COMPLETED":
            break
    assert status.stdout.strip() == "COMPLETED"
    return {"domain": domain_id, "job": job_id}


def stable(text: str, job: dict) -> str:
    """Replace what changes between runs (ids, times) so snapshots hold."""
    text = text.replace(job["domain"], "<domain-id>").replace(job["job"], "<job-id>")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "<time>", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00", "<time>", text)
    return text


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("query", [None, "Job.[JobStatus, JobProgress.PercentComplete]"])
def test_seed_command_in_every_format(service, env, job, output, query, snapshot):
    argv = [*SEED, "--domain-id", job["domain"], "--job-id", job["job"], "--output", output]
    if query:
        argv += ["--query", query]
    result = cli(service, env, *argv)
    assert result.exit_code == 0, result.stderr
    assert stable(snapshot_text(result), job) == snapshot


def test_json_output_is_the_reference_clis(service, env, job):
    """indent 4, model key order, ISO 8601 timestamps, non-ASCII as is."""
    result = cli(service, env, *SEED, "--domain-id", job["domain"], "--job-id", job["job"])
    lines = result.stdout.splitlines()
    assert lines[0] == "{" and lines[1] == '    "Job": {'
    keys = re.findall(r'^        "(\w+)"', result.stdout, re.M)
    assert keys == [
        "CreatedAt", "DataAccessRoleArn", "DomainId", "EndedAt", "EnrollmentConfig",
        "InputDataConfig", "JobId", "JobName", "JobProgress", "JobStatus", "OutputDataConfig",
    ]  # fmt: skip
    assert re.search(
        r'"CreatedAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00"', result.stdout
    )


def test_service_error_exits_254(service, env, job, snapshot):
    result = cli(service, env, *SEED, "--domain-id", job["domain"], "--job-id", "A" * 22)
    assert result.exit_code == 254
    assert stable(snapshot_text(result), job) == snapshot


def test_unknown_domain_exits_254(service, env, snapshot):
    result = cli(service, env, *SEED, "--domain-id", "B" * 22, "--job-id", "A" * 22)
    assert result.exit_code == 254
    assert snapshot_text(result) == snapshot


def test_pagination_gathers_every_page(service, env, job):
    for i in range(5):
        done = cli(
            service, env, "voice-id", "start-speaker-enrollment-job", "--domain-id", job["domain"],
            "--job-name", f"page-{i}", "--client-token", f"page-{i}",
            "--data-access-role-arn", "arn:aws:iam::123456789012:role/e2e",
            "--input-data-config", "S3Uri=s3://clishape-demo/enrollment/manifest.json",
            "--output-data-config", "S3Uri=s3://clishape-demo/e2e-out",
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
    base = ["voice-id", "list-speaker-enrollment-jobs", "--domain-id", job["domain"]]
    everything = cli(service, env, *base, "--page-size", "2", "--query", "length(JobSummaries)")
    assert everything.stdout.strip() == "6"
    text = cli(service, env, *base, "--page-size", "2", "--output", "text",
               "--query", "length(JobSummaries)")  # fmt: skip
    assert text.stdout.strip() == "6"  # the whole result, not one number per page
    one_page = cli(service, env, *base, "--no-paginate", "--max-results", "2",
                   "--query", "length(JobSummaries)")  # fmt: skip
    assert one_page.stdout.strip() == "2"
    limited = cli(service, env, *base, "--max-items", "4", "--page-size", "3")
    assert limited.exit_code == 0
    assert '"NextToken"' in limited.stdout
    stream = cli(service, env, *base, "--page-size", "2", "--output", "yaml-stream",
                 "--query", "length(JobSummaries)")  # fmt: skip
    assert stream.stdout.split() == ["-", "2", "-", "2", "-", "2"]


def test_debug_redacts_secrets_and_sensitive_members(service, env, job):
    result = cli(service, env, "--debug", *SEED, "--domain-id", job["domain"],
                 "--job-id", job["job"])  # fmt: skip
    assert result.exit_code == 0
    assert service.secret_key not in result.stderr
    assert "e2e-job" not in result.stderr  # JobName is sensitive
    assert "e2e-job" in result.stdout  # ... but it is the user's own output
    assert "Signature=" not in result.stderr or "Signature=***" in result.stderr


def test_other_operations_answer_the_sample_response(service, env, monkeypatch):
    """With the fallback given explicitly, an operation without local state (made so here:
    every Voice ID operation has state) answers the spec's sample."""
    from clishape_local.voiceid import VoiceIdService

    handles = VoiceIdService.handles
    monkeypatch.setattr(VoiceIdService, "handles", lambda s, op: op != "DescribeWatchlist" and handles(s, op))
    result = cli(service, env, "voice-id", "describe-watchlist", "--domain-id", "A" * 22,
                 "--watchlist-id", "B" * 22, "--query", "Watchlist.Name")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == '"Name"'


def test_connection_refused_exits_255(env):
    result = run(["--endpoint-url", "http://127.0.0.1:9", *SEED, "--domain-id", "A" * 22,
                  "--job-id", "B" * 22], env=env)  # fmt: skip
    assert result.exit_code == 255
    assert "http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_credentials_exit_253(service):
    result = run(["--endpoint-url", service.url, "--region", "us-east-1", *SEED,
                  "--domain-id", "A" * 22, "--job-id", "B" * 22])  # fmt: skip
    assert result.exit_code == 253
    assert "credentials" in result.stderr.lower()


def test_missing_region_exits_253(service, env):
    env = {k: v for k, v in env.items() if k != "AWS_DEFAULT_REGION"}
    result = run([*SEED, "--domain-id", "A" * 22, "--job-id", "B" * 22], env=env)
    assert result.exit_code == 253
    assert "region" in result.stderr.lower()


def test_endpoint_without_scheme_is_252(env):
    result = run(["--endpoint-url", "localhost:8000", *SEED, "--domain-id", "A" * 22,
                  "--job-id", "B" * 22], env=env)  # fmt: skip
    assert result.exit_code == 252
    assert "--endpoint-url" in result.stderr


def test_embedded_mode_in_one_line(tmp_path):
    """CLISHAPE_LOCAL=1: no account, no endpoint, the demo job from `clishape-local seed`."""
    from clishape_local.cli import main as local_main

    home = tmp_path / "home"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert local_main(["seed", "--state-dir", str(home)]) == 0
    import json

    ids = json.loads(out.getvalue())
    from clishape_commands.app import local_endpoint

    result = run([*SEED, "--domain-id", ids["DomainId"], "--job-id", ids["JobId"], "--query",
                  "Job.JobStatus"], env={"CLISHAPE_LOCAL": "1", "CLISHAPE_LOCAL_HOME": str(home)},
                 local_endpoint=local_endpoint)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '"COMPLETED"\n'


def test_output_format_falls_back_to_environment_then_config(service, env, job, tmp_path):
    config = tmp_path / "config"
    config.write_text(
        "[default]\noutput = text\n[profile tabular]\noutput = table\n"
        f"aws_access_key_id = {service.access_key}\n"
        f"aws_secret_access_key = {service.secret_key}\n"
    )
    args = [*SEED, "--domain-id", job["domain"], "--job-id", job["job"], "--query",
            "Job.JobStatus"]  # fmt: skip
    from_config = cli(service, {**env, "AWS_CONFIG_FILE": str(config)}, *args)
    assert from_config.stdout == "COMPLETED\n"
    from_profile = cli(service, {**env, "AWS_CONFIG_FILE": str(config)}, "--profile",
                       "tabular", *args)  # fmt: skip
    assert "|  COMPLETED " in from_profile.stdout and from_profile.stdout.startswith("---")
    from_env = cli(service, {**env, "AWS_CONFIG_FILE": str(config), "AWS_DEFAULT_OUTPUT": "yaml"},
                   *args)  # fmt: skip
    assert from_env.stdout == '"COMPLETED"\n'  # yaml prints a lone scalar as JSON
    flag_wins = cli(service, {**env, "AWS_DEFAULT_OUTPUT": "yaml"}, "--output", "json", *args)
    assert flag_wins.stdout == '"COMPLETED"\n'


def test_bad_output_from_environment_fails_before_sending(env, snapshot):
    # No endpoint answers here: a 253 proves the check came before any request.
    result = run(["--endpoint-url", "http://127.0.0.1:9", *SEED, "--domain-id", "A" * 22,
                  "--job-id", "B" * 22], env={**env, "AWS_DEFAULT_OUTPUT": "xml"})  # fmt: skip
    assert result.exit_code == 253
    assert snapshot_text(result) == snapshot
