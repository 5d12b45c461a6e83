"""The local service never makes an answer up unless asked to, and says so when it does; a
newcomer is told where it listens and as whom (``clishape-local serve`` / ``env``).

Voice ID's operations all get local state in time, so these tests make one operation
unimplemented on purpose (``VoiceIdService.handles`` refuses it) instead of relying on one that
happens to be missing.
"""

from __future__ import annotations

import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cli_core.testing import run
from clishape_local import start_embedded
from clishape_local.cli import main as local_main
from clishape_local.voiceid import VoiceIdService

MISSING = "ListDomains"  # the operation these tests treat as not implemented
LIST = ["voice-id", "list-domains"]


@pytest.fixture
def missing(monkeypatch):
    """``MISSING`` is not implemented by the local service (in this process)."""
    handles = VoiceIdService.handles
    monkeypatch.setattr(
        VoiceIdService, "handles", lambda self, op: op != MISSING and handles(self, op)
    )


def voiceid(running, **config):
    return boto3.client(
        "voice-id",
        config=Config(retries={"total_max_attempts": 1}, **config),
        **running.client_kwargs(),
    )


def test_an_unimplemented_operation_is_refused_not_made_up(tmp_path, missing):
    with start_embedded(tmp_path) as running:
        with pytest.raises(ClientError) as caught:
            voiceid(running).list_domains()
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplementedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "does not implement ListDomains" in error["Error"]["Message"]


def test_the_sdk_does_not_retry_the_refusal(tmp_path, missing):
    """501 is not one of the statuses botocore retries: one request, one answer."""
    with start_embedded(tmp_path) as running:
        client = boto3.client("voice-id", **running.client_kwargs())  # default retries
        with pytest.raises(ClientError) as caught:
            client.list_domains()
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def local_hook():
    from clishape_commands.app import local_endpoint

    return local_endpoint


def test_clishape_exits_254_naming_the_operation(tmp_path, missing):
    env = {"CLISHAPE_LOCAL": "1", "CLISHAPE_LOCAL_HOME": str(tmp_path)}
    result = run(LIST, env=env, local_endpoint=local_hook())
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "(NotImplementedException)" in result.stderr
    assert "does not implement ListDomains" in result.stderr
    assert "CLISHAPE_LOCAL_SAMPLES=1" in result.stderr  # how to get samples instead


def test_samples_only_behind_the_switch_and_marked(tmp_path, missing):
    env = {
        "CLISHAPE_LOCAL": "1",
        "CLISHAPE_LOCAL_HOME": str(tmp_path),
        "CLISHAPE_LOCAL_SAMPLES": "1",
    }
    result = run([*LIST, "--debug"], env=env, local_endpoint=local_hook())
    assert result.exit_code == 0, result.stderr
    assert '"DomainSummaries"' in result.stdout  # the spec's sample
    assert re.search(
        r'"x-clishape-local-sample": "ListDomains is not implemented locally', result.stderr
    )


def test_implemented_operations_carry_no_sample_mark(tmp_path):
    env = {
        "CLISHAPE_LOCAL": "1",
        "CLISHAPE_LOCAL_HOME": str(tmp_path),
        "CLISHAPE_LOCAL_SAMPLES": "1",
    }
    result = run([*LIST, "--debug"], env=env, local_endpoint=local_hook())
    assert result.exit_code == 0, result.stderr
    assert "x-clishape-local-sample" not in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_samples_setting_is_a_configuration_error(tmp_path, value):
    env = {
        "CLISHAPE_LOCAL": "1",
        "CLISHAPE_LOCAL_HOME": str(tmp_path),
        "CLISHAPE_LOCAL_SAMPLES": value,
    }
    result = run(LIST, env=env, local_endpoint=local_hook())
    assert result.exit_code == 253
    assert result.stderr.count("\n") == 1
    assert "CLISHAPE_LOCAL_SAMPLES" in result.stderr and repr(value) in result.stderr


# -- clishape-local env / serve --------------------------------------------------------------


def env_of(argv: list[str], capsys, monkeypatch, environ: dict | None = None) -> dict:
    for name in ("CLISHAPE_LOCAL_PORT", "CLISHAPE_LOCAL_ACCESS_KEY", "CLISHAPE_LOCAL_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (environ or {}).items():
        monkeypatch.setenv(name, value)
    assert local_main(["env", *argv]) == 0
    exports = {}
    for line in capsys.readouterr().out.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            name, _, value = words[1].partition("=")
            exports[name] = value
    return exports


def test_env_prints_the_exports_for_the_default_serve(capsys, monkeypatch):
    assert env_of([], capsys, monkeypatch) == {
        "AWS_ENDPOINT_URL_VOICE_ID": "http://127.0.0.1:7685",
        "AWS_ACCESS_KEY_ID": "AKIDLOCALCLISHAPE",
        "AWS_SECRET_ACCESS_KEY": "clishape-local-secret",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def test_env_follows_the_options_and_environment_serve_uses(capsys, monkeypatch):
    given = {"CLISHAPE_LOCAL_PORT": "9001", "CLISHAPE_LOCAL_SECRET_KEY": "it's mine"}
    exports = env_of(
        ["--host", "::", "--all-services", "--access-key", "AKIDME"], capsys, monkeypatch, given
    )
    assert exports["AWS_ENDPOINT_URL"] == "http://[::1]:9001"
    assert "AWS_ENDPOINT_URL_VOICE_ID" not in exports
    assert exports["AWS_ACCESS_KEY_ID"] == "AKIDME"
    assert exports["AWS_SECRET_ACCESS_KEY"] == "it's mine"  # quoted for the shell


def test_env_refuses_port_0(capsys, monkeypatch):
    monkeypatch.delenv("CLISHAPE_LOCAL_PORT", raising=False)
    with pytest.raises(SystemExit) as exit_:
        local_main(["env", "--port", "0"])
    assert exit_.value.code == 2
    assert "env needs the port the service listens on" in capsys.readouterr().err


def test_a_bad_port_in_the_environment_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("CLISHAPE_LOCAL_PORT", "99999")
    with pytest.raises(SystemExit) as exit_:
        local_main(["env"])
    assert exit_.value.code == 2
    assert (
        "CLISHAPE_LOCAL_PORT: expected a port number from 0 to 65535, got '99999'"
        in capsys.readouterr().err
    )


SERVE = """
import sys
from clishape_local.voiceid import VoiceIdService
handles = VoiceIdService.handles
VoiceIdService.handles = lambda self, op: op != {missing!r} and handles(self, op)
from clishape_local.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_serve(tmp_path, *options):
    """``clishape-local serve`` (with MISSING unimplemented) and the lines it printed as it started."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLISHAPE_LOCAL"))}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE.format(missing=MISSING), "serve", "--port", "0",
         "--state-dir", str(tmp_path / "state"), *options],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    lines = []
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 60  # a guard against a hang, not a measurement
    while not lines or "Ctrl-C" not in lines[-1]:
        if (
            time.monotonic() > deadline
            or not selector.select(timeout=1)
            and process.poll() is not None
        ):
            process.kill()
            pytest.fail(f"serve did not start: {lines}")
        lines.append(process.stderr.readline())
    return process, lines


def stop_serve(process) -> str:
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    return err


def test_serve_prints_endpoint_credentials_and_the_env_line(tmp_path, capsys, monkeypatch):
    process, lines = start_serve(tmp_path)
    try:
        banner = "".join(lines)
        url = re.search(r"serving Voice ID at (http://127\.0\.0\.1:(\d+))\n", banner)
        assert url, banner
        assert "access key AKIDLOCALCLISHAPE, secret key clishape-local-secret" in banner
        assert "--access-key/--secret-key" in banner  # how to change them
        hint = re.search(r'eval "\$\(clishape-local env (.*)\)"', banner)
        assert hint and hint.group(1) == f"--port {url.group(2)}"
        exports = env_of(shlex.split(hint.group(1)), capsys, monkeypatch)
        client = boto3.client(
            "voice-id",
            endpoint_url=exports["AWS_ENDPOINT_URL_VOICE_ID"],
            region_name=exports["AWS_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"total_max_attempts": 1}),
        )
        with pytest.raises(ClientError) as caught:
            client.list_domains()
        assert caught.value.response["Error"]["Code"] == "NotImplementedException"
    finally:
        log = stop_serve(process)
    assert "VoiceID.ListDomains" in log and "(sample response)" not in log


def test_serve_samples_answers_and_marks_them(tmp_path):
    process, lines = start_serve(tmp_path, "--samples", "--secret-key", "s3cr3t-of-mine")
    try:
        banner = "".join(lines)
        assert "s3cr3t-of-mine" not in banner  # a secret the user chose is not repeated
        assert "secret key the one --secret-key gives" in banner
        assert "--samples" in banner and "not real state" in banner
        url = re.search(r"serving Voice ID at (\S+)\n", banner).group(1)
        client = boto3.client(
            "voice-id", endpoint_url=url, region_name="eu-west-1",
            aws_access_key_id="AKIDLOCALCLISHAPE", aws_secret_access_key="s3cr3t-of-mine",
        )  # fmt: skip
        answer = client.list_domains()
        headers = answer["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-clishape-local-sample"].startswith("ListDomains is not implemented")
        assert "DomainSummaries" in answer
    finally:
        log = stop_serve(process)
    assert re.search(r'VoiceID\.ListDomains "POST / HTTP/1\.1" 200 - \(sample response\)', log)
