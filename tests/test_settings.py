"""Settings: resolved once from global options, environment and config; bad values end cleanly.

Every bad setting ends in one line with exit 252 (it came from the command line) or 253 (the
environment or a config file), never an ``internal error``, and no message repeats a secret.
The runs below aim at a closed port: a 252/253 proves the check came before any request.
"""

from __future__ import annotations

import os
import socket

import pytest

from cli_core.argv.parser import split_globals
from cli_core.errors import ConfigError
from cli_core.options import OUTPUT_FORMATS
from cli_core.settings import Settings, check_region, resolve_settings, shown
from cli_core.testing import run

ID = "A" * 22
SEED = ["voice-id", "describe-speaker-enrollment-job", "--domain-id", ID, "--job-id", ID]
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def env(tmp_path):
    return {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }


def call(*argv, env, **kwargs):
    return run(["--endpoint-url", closed_port_url(), *SEED, *argv], env=env, **kwargs)


def assert_clean(result, code: int, *fragments: str):
    """Exit ``code``, one line on stderr with every fragment, nothing internal, no secret."""
    assert result.exit_code == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clishape: error: ")
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    for secret in (SECRET, TOKEN):
        assert secret not in result.stderr + result.stdout


# -- endpoint URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://[::1", "IPv6 address"),
        ("http://127.0.0.1:99999", "port"),
        ("http://127.0.0.1:-1", "port"),
        ("http://127.0.0.1:0", "port"),
        ("http://127.0.0.1:x", "port"),
        ("http://exa mple.com", "space"),
        ("http://example.com\n/", "control character"),
        ("http://", "not an http(s) URL"),
        ("localhost:8000", "scheme is missing"),
        ("ftp://example.com", "not an http(s) URL"),
        ("http://:80", "no host name"),
    ],
)
def test_bad_endpoint_url_is_252(url, problem, env):
    result = run(["--endpoint-url", url, *SEED], env=env)
    assert_clean(result, 252, "--endpoint-url", problem)


def test_bad_endpoint_url_from_the_environment_is_253(env):
    result = run(SEED, env={**env, "AWS_ENDPOINT_URL_VOICE_ID": "http://[::1"})
    assert_clean(result, 253, "AWS_ENDPOINT_URL_VOICE_ID", "IPv6")


# -- retries and timeouts ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["garbage", "", "1e999", "-5", "0", "1.5", "9" * 5000])
def test_bad_max_attempts_is_253(value, env):
    result = call(env={**env, "AWS_MAX_ATTEMPTS": value})
    assert_clean(result, 253, "AWS_MAX_ATTEMPTS", "whole number of attempts")


def test_bad_retry_mode_is_253(env):
    result = call(env={**env, "AWS_RETRY_MODE": "bogus"})
    assert_clean(result, 253, "AWS_RETRY_MODE", "legacy, standard, adaptive")


def test_retry_settings_from_the_config_file_are_checked(env, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nmax_attempts = lots\n[profile p]\nretry_mode = eager\n")
    env = {**env, "AWS_CONFIG_FILE": str(config)}
    del env["AWS_MAX_ATTEMPTS"]
    assert_clean(call(env=env), 253, "'max_attempts' in profile 'default'", str(config))
    assert_clean(call("--profile", "p", env=env), 253, "'retry_mode' in profile 'p'", "eager")


@pytest.mark.parametrize("option", ["--cli-read-timeout", "--cli-connect-timeout"])
@pytest.mark.parametrize("value", ["99999999999999999999999", "2147484", "-1", "1.5", "soon"])
def test_bad_timeout_is_252(option, value, env):
    assert_clean(call(option, value, env=env), 252, option)


def test_largest_timeout_is_taken(env):  # 2**31 milliseconds: every socket layer can wait it
    result = call("--cli-read-timeout", "2147483", env=env)
    assert result.exit_code == 255  # it got as far as the closed port
    assert "Could not connect to the endpoint URL" in result.stderr


# -- region ---------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1\nx", "us east 1", "-us", "us-", "é", "x" * 64])
def test_bad_region_from_the_command_line_is_252(region, env):
    result = call(f"--region={region}", env=env)
    assert_clean(result, 252, "Bad region", "--region")


def test_bad_region_from_the_environment_or_config_is_253(env, tmp_path):
    assert_clean(call(env={**env, "AWS_REGION": "us\neast"}), 253, "AWS_REGION", "us\\neast")
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\n  Authorization\n")  # a continuation line
    env = {**env, "AWS_CONFIG_FILE": str(config)}
    del env["AWS_DEFAULT_REGION"]
    assert_clean(call(env=env), 253, "'region' in profile 'default'")


def test_region_names():
    assert check_region("us-east-1", "x") == "us-east-1"
    assert check_region("a", "x") == "a"
    with pytest.raises(ConfigError):
        check_region("us_east_1", "x")


# -- config and credentials files ------------------------------------------------------------


def test_config_file_that_is_not_utf8_is_253(env, tmp_path):
    config = tmp_path / "config"
    config.write_bytes(b"[default]\noutput = j\xe9son\n")
    result = call(env={**env, "AWS_CONFIG_FILE": str(config)})
    assert_clean(result, 253, str(config), "not UTF-8")


def test_unparseable_files_are_253_without_quoting_them(env, tmp_path):
    broken = tmp_path / "broken"
    broken.write_text(f"aws_secret_access_key = {SECRET}\n[default\n")
    result = call(env={**env, "AWS_CONFIG_FILE": str(broken)})
    assert_clean(result, 253, "config file", "line 1 comes before any [section] header")
    result = call(env={**env, "AWS_SHARED_CREDENTIALS_FILE": str(broken)})
    assert_clean(result, 253, "credentials file", "line 1")


def test_credentials_file_that_is_not_utf8_is_253(env, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_bytes(b"[default]\naws_access_key_id = \xff\n")
    result = call(env={**env, "AWS_SHARED_CREDENTIALS_FILE": str(creds)})
    assert_clean(result, 253, "credentials file", "not UTF-8")


def test_help_and_usage_errors_never_read_the_config_file(env, tmp_path):
    broken = tmp_path / "broken"
    broken.write_bytes(b"\xff\xfe not a config")
    env = {**env, "AWS_CONFIG_FILE": str(broken)}
    assert run(["voice-id", "describe-speaker-enrollment-job", "help"], env=env).exit_code == 0
    usage = run(["voice-id", "describe-speaker-enrollment-job"], env=env)
    assert usage.exit_code == 252 and "--domain-id" in usage.stderr


def test_unknown_profile_is_253(env):
    assert_clean(call(env={**env, "AWS_PROFILE": "nope"}), 253, "nope")


def test_missing_ca_bundle(env):
    https = ["--endpoint-url", "https://127.0.0.1:9", *SEED]
    result = run(https, env={**env, "AWS_CA_BUNDLE": "/no/such/ca.pem"})
    assert_clean(result, 253, "AWS_CA_BUNDLE", "/no/such/ca.pem", "does not exist")
    result = run(["--ca-bundle", "/no/such/ca.pem", *https], env=env)
    assert_clean(result, 252, "--ca-bundle")


@pytest.mark.parametrize("value", ["x", "0", "-1", "1e9"])
def test_bad_input_size_limit_is_253(value, env, tmp_path):
    document = tmp_path / "in.json"
    document.write_text("{}")
    result = call("--cli-input-json", f"file://{document}",
                  env={**env, "CLISHAPE_MAX_INPUT_BYTES": value})  # fmt: skip
    assert_clean(result, 253, "CLISHAPE_MAX_INPUT_BYTES")


def test_unknown_file_encoding_is_253_when_a_file_is_read(env, tmp_path):
    value = tmp_path / "id.txt"
    value.write_text(ID)
    env = {**env, "AWS_CLI_FILE_ENCODING": "no-such-encoding"}
    result = run([*SEED[:-1], f"file://{value}", "--cli-dry-run"], env=env)
    assert_clean(result, 253, "AWS_CLI_FILE_ENCODING", "no-such-encoding")
    assert run([*SEED, "--cli-dry-run"], env=env).exit_code == 0  # no file: not consulted


def test_spec_path_entry_too_long_is_253(env):
    result = run(["voice-id", "help"], env={**env, "CLISHAPE_SPEC_PATH": "x" * 100_000})
    assert_clean(result, 253, "CLISHAPE_SPEC_PATH")
    assert len(result.stderr) < 300


def test_local_mode_without_a_local_service_is_253(env):
    result = run(SEED, env={**env, "CLISHAPE_LOCAL": "1"})
    assert_clean(result, 253, "CLISHAPE_LOCAL")


# -- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [f"{TOKEN}\r", f"{TOKEN}\nAuthorization: x", f"{TOKEN} é"])
def test_session_token_a_header_cannot_carry_is_253_and_not_shown(token, env):
    result = call(env={**env, "AWS_SESSION_TOKEN": token})
    assert_clean(result, 253, "session token")


def test_debug_redacts_secrets_as_values_not_substrings(env):
    """A one-letter secret key is not searched for inside words; a real token is never shown."""
    env = {**env, "AWS_SECRET_ACCESS_KEY": "y", "AWS_SESSION_TOKEN": TOKEN}
    result = call("--debug", env=env)
    assert result.exit_code == 255  # the closed port
    request = next(line for line in result.stderr.splitlines() if "clishape: request " in line)
    assert '"Content-Type": "application/x-amz-json-1.0"' in request
    assert '"X-Amz-Security-Token": "***"' in request and TOKEN not in result.stderr
    assert "Signature=***" in request


def test_error_messages_never_repeat_an_environment_secret(env, monkeypatch):
    from cli_core import driver

    def leaky(*args, **kwargs):
        raise RuntimeError(f"header was Bearer {SECRET}")

    monkeypatch.setattr(driver, "_execute", leaky)
    result = run(SEED, env=env)
    assert result.exit_code == 255 and SECRET not in result.stderr
    assert "Bearer ***" in result.stderr


# -- the settings value --------------------------------------------------------------------


def settings_for(argv: list[str], environ: dict) -> Settings:
    args, _ = split_globals(argv)
    return resolve_settings(args, environ)


def test_settings_are_immutable():
    settings = settings_for([], {})
    with pytest.raises(AttributeError):  # dataclasses.FrozenInstanceError is one too
        settings.debug = True


def test_output_precedence(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\noutput = text\n")
    files = {"AWS_CONFIG_FILE": str(config)}
    assert settings_for([], {}).output == "json"
    assert settings_for([], files).output == "text"
    assert settings_for([], {**files, "AWS_DEFAULT_OUTPUT": "yaml"}).output == "yaml"
    assert settings_for(["--output", "table"], {**files, "AWS_DEFAULT_OUTPUT": "x"}).output == (
        "table"
    )


def test_config_values_are_read_only_when_needed(tmp_path):
    config = tmp_path / "config"
    config.write_bytes(b"\xff")
    settings = settings_for(["--output", "json", "--cli-binary-format", "base64"],
                            {"AWS_CONFIG_FILE": str(config)})  # fmt: skip
    assert (settings.output, settings.binary_format) == ("json", "base64")
    with pytest.raises(ConfigError):
        settings.timestamp_format  # noqa: B018 - this one needs the file


def test_binary_timestamp_and_input_limit_from_config(tmp_path):
    config = tmp_path / "config"
    config.write_text(
        "[default]\ncli_binary_format = raw-in-base64-out\ncli_timestamp_format = wire\n"
        "cli_max_input_bytes = 1024\n"
    )
    settings = settings_for([], {"AWS_CONFIG_FILE": str(config)})
    assert settings.binary_format == "raw-in-base64-out"
    assert settings.timestamp_format == "wire"
    assert settings.files.max_bytes == 1024 and settings.files.encoding == "utf-8"
    assert settings_for([], {"CLISHAPE_MAX_INPUT_BYTES": "7"}).max_input_bytes == 7


def test_send_settings_carry_the_environment_and_retries():
    environ = {"AWS_MAX_ATTEMPTS": "4", "AWS_RETRY_MODE": "adaptive", "AWS_REGION": "eu-west-3"}
    send = settings_for(["--cli-read-timeout", "0"], environ).send_settings({"MaxItems": 2})
    assert (send.max_attempts, send.retry_mode, send.region) == (4, "adaptive", "eu-west-3")
    assert send.read_timeout == 0 and send.pagination == {"MaxItems": 2}
    assert dict(send.environ) == environ


def test_pager_precedence(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_pager = more\n")
    files = {"AWS_CONFIG_FILE": str(config), "PAGER": "most"}
    assert settings_for([], {}).pager == ["less"]
    assert settings_for([], files).pager == ["more"]
    assert settings_for([], {**files, "AWS_PAGER": ""}).pager is None
    assert settings_for(["--no-cli-pager"], files).pager is None


def test_run_passes_the_environment_and_leaves_os_environ_alone(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "xml")  # would be a 253, were it read
    before = dict(os.environ)
    result = run([*SEED, "--cli-dry-run"], env={"CLISHAPE_SOMETHING": "1"})
    assert result.exit_code == 0, result.stderr
    assert dict(os.environ) == before


def test_every_output_format_has_a_renderer():
    from cli_core.present.render import RENDERERS

    assert set(RENDERERS) == set(OUTPUT_FORMATS)


def test_shown_values_are_one_short_line():
    assert shown("a\nb") == "a\\nb"
    assert shown("x" * 1000).endswith("… (1000 characters)")


@pytest.mark.parametrize(
    "name", ["AWS_CONFIG_FILE", "AWS_CA_BUNDLE", "CLISHAPE_CACHE_DIR", "CLISHAPE_LOCAL_HOME"]
)
@pytest.mark.parametrize("value", ["a\x00b", "x" * 5000])
def test_path_variables_that_cannot_name_a_file_are_253(name, value, env):
    result = run(["voice-id", "help"], env={**env, name: value})
    assert_clean(result, 253, name)


def test_ca_bundle_option_with_a_nul_is_252(env):
    result = run(["--ca-bundle", "a\x00", "--endpoint-url", "https://127.0.0.1:9", *SEED], env=env)
    assert_clean(result, 252, "--ca-bundle", "NUL")


def test_pager_command_with_a_nul_is_253(env):
    result = run([*SEED, "help"], env={**env, "AWS_PAGER": "le\x00ss"}, isatty=True)
    assert_clean(result, 253, "pager", "NUL")


# -- the local-service hook ------------------------------------------------------------------


def test_local_mode_goes_through_the_one_hook(env, tmp_path):
    from contextlib import contextmanager

    calls = []
    url = closed_port_url()

    @contextmanager
    def hook(home, environ):
        calls.append((home, environ.get("CLISHAPE_LOCAL_SECRET_KEY")))
        yield (url, "AKIDLOCAL", "local-secret", "eu-west-1")

    local = {**env, "CLISHAPE_LOCAL": "1", "CLISHAPE_LOCAL_HOME": str(tmp_path),
             "CLISHAPE_LOCAL_SECRET_KEY": "k"}  # fmt: skip
    result = run(SEED, env=local, local_endpoint=hook)
    assert calls == [(str(tmp_path), "k")]
    assert result.exit_code == 255 and f'"{url}/"' in result.stderr  # sent to the hook's URL
    given = run(["--endpoint-url", url, *SEED], env=local, local_endpoint=hook)
    assert given.exit_code == 255 and len(calls) == 1  # --endpoint-url wins over local mode


def test_clishape_local_hook_takes_its_keys_from_the_given_environment(tmp_path):
    from clishape_local.embedded import local_endpoint

    environ = {"CLISHAPE_LOCAL_ACCESS_KEY": "AKIDMINE", "CLISHAPE_LOCAL_SECRET_KEY": "mine"}
    with local_endpoint(str(tmp_path / "state"), environ) as (url, access, secret, region):
        assert url.startswith("http://127.0.0.1:")
        assert (access, secret, region) == ("AKIDMINE", "mine", "us-east-1")
    assert (tmp_path / "state").is_dir()


# -- settings botocore reads itself ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [
        ("AWS_DEFAULTS_MODE", "bogus"),
        ("AWS_STS_REGIONAL_ENDPOINTS", "bogus"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://[::1"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:99999"),
    ],
)
def test_bad_settings_botocore_reads_are_253(name, value, env):
    assert_clean(call(env={**env, name: value}), 253)


# -- any value of any setting ------------------------------------------------------------------

_SETTING_NAMES = [
    "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_DEFAULT_OUTPUT", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_PROFILE",
    "AWS_SESSION_TOKEN", "AWS_CLI_FILE_ENCODING", "CLISHAPE_MAX_INPUT_BYTES", "AWS_PAGER",
    "AWS_DEFAULTS_MODE", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
]  # fmt: skip
_CONFIG_KEYS = ["output", "region", "max_attempts", "retry_mode", "cli_binary_format",
                "cli_timestamp_format", "ca_bundle", "endpoint_url", "cli_max_input_bytes"]  # fmt: skip


def _values():
    from hypothesis import strategies as st

    tricky = st.sampled_from(
        ["", "-1", "0", "1e999", "9" * 30, "http://[::1", "http://h:99999", "a\nb", "a\rb",
         "a\x00b", "é", " ", "x" * 5000, "us-east-1", "standard", "json", "wire"]
    )  # fmt: skip
    return st.one_of(tricky, st.text(max_size=30))


def test_no_setting_value_crashes_a_run(tmp_path_factory):
    """Any value of the settings this run reads, from the environment or the config file, ends
    in exit 0, 252, 253 or 255 (the closed port) with one clean line, and shows no secret."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    folder = tmp_path_factory.mktemp("config")
    url = closed_port_url()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        env_values=st.dictionaries(st.sampled_from(_SETTING_NAMES), _values(), max_size=3),
        config_values=st.dictionaries(st.sampled_from(_CONFIG_KEYS), _values(), max_size=2),
        dry_run=st.booleans(),
    )
    def check(env_values, config_values, dry_run):
        config = folder / "config"
        lines = ["[default]"]
        for key, value in config_values.items():
            value = value.replace("\r", "").replace("\n", "\n  ").replace("\x00", "")
            lines.append(f"{key} = {value}")
        config.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        environ = {
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(config),
            "AWS_MAX_ATTEMPTS": "1",
            **{k: v.replace("\x00", "") for k, v in env_values.items()},
        }
        argv = ["--endpoint-url", url, *SEED, *(["--cli-dry-run"] if dry_run else [])]
        result = run(argv, env=environ)
        assert result.exit_code in (0, 252, 253, 255), result
        if result.exit_code:
            assert "internal error" not in result.stderr and "Traceback" not in result.stderr
            assert len(result.stderr.splitlines()) == 1, result.stderr
        assert SECRET not in result.stderr + result.stdout

    check()
