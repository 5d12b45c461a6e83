"""The send stage against a tiny local HTTP server: wire format, signing, pagination, errors."""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cli_core.errors import ConfigError, EndpointError, ParamError, ServiceError
from cli_core.send.transport import build_client, send, service_model
from cli_core.settings import SendSettings, check_endpoint_url
from cli_core.shapes.model import Command
from cli_core.specs import compile_command, load_command

DOMAIN = "D" * 22
JOB = "J" * 22
SECRET_KEY = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY"
SESSION_TOKEN = "FwoGZXIvYXdzSESSIONTOKENvalue"


# -- fixtures ----------------------------------------------------------------------------------


ENV: dict = {}  # the environment the send stage is given (set by the aws_env fixture)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    """A clean AWS environment, passed in: fixed keys, no region, empty config files, one attempt.

    The process's own environment holds wrong values on purpose: the send stage must read
    only the mapping it is given.
    """
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDFROMTHEPROCESS",
        "AWS_SECRET_ACCESS_KEY": "process-secret",
        "AWS_REGION": "eu-north-1",
        "AWS_MAX_ATTEMPTS": "garbage",
        "AWS_CONFIG_FILE": str(tmp_path / "no-such-config"),
    }.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "aws-config"
    creds = tmp_path / "aws-credentials"
    config.write_text("")
    creds.write_text("")
    ENV.clear()
    ENV.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(creds),
        AWS_ACCESS_KEY_ID="AKIDTESTKEY",
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
    )
    return {"config": config, "credentials": creds, "env": ENV}


class Server:
    """Answers scripted responses in order; records every request it gets."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(body) if body else None,
                    }
                )
                status, payload, delay = outer.script.pop(0) if outer.script else (200, {}, 0)
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("x-amzn-RequestId", "req-1")
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (read timeout)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def answer(self, status: int, payload: dict, delay: float = 0) -> None:
        self.script.append((status, payload, delay))


@pytest.fixture
def server():
    srv = Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def describe():
    return load_command("voice-id", "describe-speaker-enrollment-job")


TEST_SERVICE = {
    "service": "test-svc",
    "metadata": {
        "protocol": "json",
        "apiVersion": "2020-01-01",
        "endpointPrefix": "testsvc",
        "jsonVersion": "1.1",
        "targetPrefix": "TestSvc",
        "serviceId": "Test Svc",
        "signatureVersion": "v4",
        "signingName": "testsvc",
    },
    "shapes": {
        "Token": {"type": "string"},
        "Secret": {"type": "string", "sensitive": True},
        "ResourceNotFoundException": {
            "type": "structure",
            "exception": True,
            "members": {"Message": {"type": "string"}},
        },
    },
}
LIST_THINGS = {
    "command": "list-things",
    "operation": "ListThings",
    "input": {
        "type": "structure",
        "members": {
            "Filter": {"shape": "Secret"},
            "NextToken": {"shape": "Token"},
            "MaxResults": {"type": "integer", "cli_name": "max-results"},
        },
    },
    "output": {
        "type": "structure",
        "members": {
            "Owner": {"type": "string"},
            "Things": {
                "type": "list",
                "member": {
                    "type": "structure",
                    "members": {"Name": {"type": "string"}, "Password": {"shape": "Secret"}},
                },
            },
            "NextToken": {"shape": "Token"},
        },
    },
    "errors": ["ResourceNotFoundException"],
    "pagination": {
        "input_token": "NextToken",
        "output_token": "NextToken",
        "limit_key": "MaxResults",
        "result_key": "Things",
        "non_aggregate_keys": ["Owner"],
    },
}


@pytest.fixture
def list_things():
    return Command(compile_command(TEST_SERVICE, LIST_THINGS))


def settings(server=None, **kwargs) -> SendSettings:
    kwargs.setdefault("region", "us-east-1")
    kwargs.setdefault("environ", ENV)
    if server is not None:
        kwargs.setdefault("endpoint_url", server.url)
    return SendSettings(**kwargs)


def things(*names):
    return [{"Name": n} for n in names]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the wire ----------------------------------------------------------------------------------


def test_json_request_is_signed_and_targets_the_operation(server, describe):
    server.answer(
        200,
        {
            "Job": {
                "JobStatus": "COMPLETED",
                "JobName": "my-job",
                "CreatedAt": 1700000000.5,
                "DomainId": DOMAIN,
            }
        },
    )
    response = send(
        describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server), stderr=io.StringIO()
    )
    (request,) = server.requests
    assert request["method"] == "POST" and request["path"] == "/"
    assert request["headers"]["X-Amz-Target"] == "VoiceID.DescribeSpeakerEnrollmentJob"
    assert request["headers"]["Content-Type"] == "application/x-amz-json-1.0"
    auth = request["headers"]["Authorization"]
    assert re.match(
        r"AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/\d{8}/us-east-1/voiceid/aws4_request, "
        r"SignedHeaders=\S+, Signature=[0-9a-f]{64}$",
        auth,
    )
    assert request["body"] == {"DomainId": DOMAIN, "JobId": JOB}
    result = response.result()
    job = result["Job"]
    # botocore's parsed types, in the model's member order (not the server's)
    assert list(job) == ["CreatedAt", "DomainId", "JobName", "JobStatus"]
    assert isinstance(job["CreatedAt"], datetime.datetime)
    assert job["CreatedAt"].timestamp() == 1700000000.5
    assert "ResponseMetadata" not in result
    assert list(response.pages()) == [result]
    assert response.metadata[0]["HTTPStatusCode"] == 200


def test_no_sign_request_sends_no_authorization_and_needs_no_credentials(
    server, describe, monkeypatch
):
    del ENV["AWS_ACCESS_KEY_ID"]
    del ENV["AWS_SECRET_ACCESS_KEY"]
    server.answer(200, {"Job": {"JobId": JOB}})
    result = send(
        describe,
        {"DomainId": DOMAIN, "JobId": JOB},
        settings(server, sign=False),
        stderr=io.StringIO(),
    ).result()
    assert result == {"Job": {"JobId": JOB}}
    assert "Authorization" not in server.requests[0]["headers"]


def test_explicit_credentials_override_the_environment(server, describe):
    send(
        describe,
        {"DomainId": DOMAIN, "JobId": JOB},
        settings(server, credentials=("AKIDLOCAL", "local-secret")),
        stderr=io.StringIO(),
    )
    assert "Credential=AKIDLOCAL/" in server.requests[0]["headers"]["Authorization"]


def test_profile_and_region_come_from_the_config_files(server, describe, aws_env, monkeypatch):
    aws_env["config"].write_text("[profile dev]\nregion = eu-central-1\n")
    aws_env["credentials"].write_text(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n"
    )
    del ENV["AWS_ACCESS_KEY_ID"]
    del ENV["AWS_SECRET_ACCESS_KEY"]
    send(
        describe,
        {"DomainId": DOMAIN, "JobId": JOB},
        SendSettings(endpoint_url=server.url, profile="dev", environ=ENV),
        stderr=io.StringIO(),
    )
    auth = server.requests[0]["headers"]["Authorization"]
    assert "Credential=AKIDDEV/" in auth and "/eu-central-1/voiceid/" in auth


def test_aws_region_wins_over_aws_default_region(server, describe, monkeypatch):
    ENV["AWS_DEFAULT_REGION"] = "us-west-2"
    ENV["AWS_REGION"] = "ap-south-1"
    send(
        describe,
        {"DomainId": DOMAIN, "JobId": JOB},
        SendSettings(endpoint_url=server.url, environ=ENV),
        stderr=io.StringIO(),
    )
    assert "/ap-south-1/voiceid/" in server.requests[0]["headers"]["Authorization"]


def test_rest_json_protocol_binds_uri_and_query(server):
    service = dict(TEST_SERVICE, metadata=dict(TEST_SERVICE["metadata"], protocol="rest-json"))
    command = Command(
        compile_command(
            service,
            {
                "command": "get-thing",
                "operation": "GetThing",
                "http": {"method": "GET", "requestUri": "/things/{Id}"},
                "input": {
                    "type": "structure",
                    "required": ["Id"],
                    "members": {
                        "Id": {"type": "string", "location": "uri", "locationName": "Id"},
                        "Verbose": {
                            "type": "boolean",
                            "location": "querystring",
                            "locationName": "verbose",
                        },
                    },
                },
                "output": {"type": "structure", "members": {"Name": {"type": "string"}}},
            },
        )
    )
    server.answer(200, {"Name": "thing one"})
    result = send(
        command, {"Id": "t-1", "Verbose": True}, settings(server), stderr=io.StringIO()
    ).result()
    assert result == {"Name": "thing one"}
    request = server.requests[0]
    assert (request["method"], request["path"]) == ("GET", "/things/t-1?verbose=true")
    assert "X-Amz-Target" not in request["headers"]


def test_standard_retries_repeat_a_server_error(server, describe, monkeypatch):
    ENV["AWS_MAX_ATTEMPTS"] = "2"
    server.answer(500, {"__type": "InternalServerException", "message": "try again"})
    server.answer(200, {"Job": {"JobId": JOB}})
    result = send(
        describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server), stderr=io.StringIO()
    ).result()
    assert result == {"Job": {"JobId": JOB}}
    assert len(server.requests) == 2  # the first answer (500) was retried once
    # botocore numbers its attempts in a header (whose other fields vary by version)
    attempts = [r["headers"]["amz-sdk-request"] for r in server.requests]
    assert [re.search(r"attempt=(\d+)", a).group(1) for a in attempts] == ["1", "2"]


# -- endpoints, settings -----------------------------------------------------------------------


def test_endpoint_without_scheme_is_a_param_error():
    with pytest.raises(ParamError) as info:
        check_endpoint_url("example.com")
    assert info.value.exit_code == 252
    assert str(info.value) == (
        'Bad value for --endpoint-url "example.com": scheme is missing. '
        "Must be of the form http://<hostname>/ or https://<hostname>/"
    )
    assert check_endpoint_url("http://localhost:8000/") == "http://localhost:8000/"


def test_unknown_service_falls_back_to_prefix_region_amazonaws(list_things):
    _, client = build_client(list_things, SendSettings(region="eu-west-1", environ=ENV))
    assert client.meta.endpoint_url == "https://testsvc.eu-west-1.amazonaws.com"


def test_shipped_service_uses_botocore_endpoint_ruleset(describe):
    _, client = build_client(describe, SendSettings(region="us-gov-west-1", environ=ENV))
    seen = []

    def stop(request, **_):
        seen.append(request.url)
        raise RuntimeError("stop")

    client.meta.events.register("before-send", stop)
    with pytest.raises(RuntimeError):
        client.describe_speaker_enrollment_job(DomainId=DOMAIN, JobId=JOB)
    # the ruleset knows the GovCloud partition; botocore's data, not a template of ours
    assert seen == ["https://voiceid.us-gov-west-1.amazonaws.com/"]


def test_timeouts_zero_means_no_timeout(describe):
    _, client = build_client(describe, settings(read_timeout=0, connect_timeout=5))
    assert client.meta.config.read_timeout is None
    assert client.meta.config.connect_timeout == 5
    _, client = build_client(describe, settings())
    assert client.meta.config.read_timeout == 60


def test_no_verify_ssl_warns_once(server, describe):
    err = io.StringIO()
    send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server, verify=False), stderr=err)
    assert err.getvalue().count("TLS certificate verification is turned off") == 1


def test_service_model_is_botocore_shaped():
    command = Command(
        compile_command(
            TEST_SERVICE,
            dict(
                LIST_THINGS,
                wire={"authtype": "none"},
                shapes={"Doc": {"type": "document"}},
                input={
                    "type": "structure",
                    "members": {
                        "Doc": {"shape": "Doc"},
                        "Query": {"type": "string", "cli_name": "thing-query"},
                    },
                },
            ),
        )
    )
    model = service_model(command)
    operation = model["operations"]["ListThings"]
    assert operation["authtype"] == "none"
    assert "pagination" not in operation and "hook" not in operation
    assert model["shapes"]["Doc"] == {"type": "structure", "document": True, "members": {}}
    assert model["shapes"]["ListThingsInput"]["members"]["Query"] == {
        "shape": "ListThingsInput.Query"
    }
    from botocore.model import ServiceModel

    shape = ServiceModel(model).operation_model("ListThings").input_shape
    assert shape.members["Doc"].is_document_type


# -- pagination --------------------------------------------------------------------------------


def test_pagination_gathers_every_page(server, list_things):
    server.answer(200, {"Owner": "me", "Things": things("a", "b"), "NextToken": "t1"})
    server.answer(200, {"Owner": "me", "Things": things("c"), "NextToken": "t2"})
    server.answer(200, {"Owner": "me", "Things": things("d")})
    response = send(list_things, {}, settings(server), stderr=io.StringIO())
    assert response.result() == {"Things": things("a", "b", "c", "d"), "Owner": "me"}
    assert [r["body"] for r in server.requests] == [{}, {"NextToken": "t1"}, {"NextToken": "t2"}]
    assert [r["headers"]["X-Amz-Target"] for r in server.requests] == ["TestSvc.ListThings"] * 3
    pages = list(response.pages())
    assert pages[0] == {"Owner": "me", "Things": things("a", "b"), "NextToken": "t1"}
    assert len(pages) == 3 and all("ResponseMetadata" not in p for p in pages)


def test_page_iterator_streams_for_yaml_stream(server, list_things):
    server.answer(200, {"Things": things("a"), "NextToken": "t1"})
    server.answer(200, {"Things": things("b")})
    response = send(list_things, {}, settings(server), stderr=io.StringIO())
    assert len(server.requests) == 1  # the first page only, until more are asked for
    pages = response.pages()
    assert next(pages) == {"Things": things("a"), "NextToken": "t1"}
    assert next(pages) == {"Things": things("b")}
    assert len(server.requests) == 2


def test_max_items_truncates_and_gives_a_resumable_next_token(server, list_things):
    server.answer(200, {"Things": things("a", "b"), "NextToken": "t1"})
    server.answer(200, {"Things": things("c", "d"), "NextToken": "t2"})
    result = send(
        list_things, {}, settings(server, pagination={"MaxItems": 3}), stderr=io.StringIO()
    ).result()
    assert result["Things"] == things("a", "b", "c")
    token = json.loads(base64.b64decode(result["NextToken"]))
    assert token == {"NextToken": "t1", "boto_truncate_amount": 1}

    server.answer(200, {"Things": things("c", "d")})
    resumed = send(
        list_things,
        {},
        settings(server, pagination={"StartingToken": result["NextToken"]}),
        stderr=io.StringIO(),
    ).result()
    # like botocore (and the reference CLI), a non-aggregate key no page had shows as None
    assert resumed == {"Things": things("d"), "Owner": None}
    assert server.requests[-1]["body"] == {"NextToken": "t1"}


def test_page_size_sets_the_limit_member(server, list_things):
    server.answer(200, {"Things": things("a")})
    send(list_things, {}, settings(server, pagination={"PageSize": 7}), stderr=io.StringIO())
    assert server.requests[0]["body"] == {"MaxResults": 7}


def test_non_positive_max_items_warns(server, list_things):
    err = io.StringIO()
    send(list_things, {}, settings(server, pagination={"MaxItems": 0}), stderr=err)
    assert err.getvalue() == (
        "warning: Non-positive values for --max-items may result in undefined behavior.\n"
    )


def test_no_paginate_sends_one_call_and_keeps_the_raw_response(server, list_things):
    server.answer(200, {"Owner": "me", "Things": things("a"), "NextToken": "t1"})
    response = send(list_things, {}, settings(server, paginate=False), stderr=io.StringIO())
    assert response.result() == {"Owner": "me", "Things": things("a"), "NextToken": "t1"}
    assert len(list(response.pages())) == 1
    assert len(server.requests) == 1


def test_model_token_turns_pagination_off(server, list_things):
    server.answer(200, {"Things": things("x"), "NextToken": "t9"})
    result = send(list_things, {"NextToken": "t8"}, settings(server), stderr=io.StringIO()).result()
    assert result == {"Things": things("x"), "NextToken": "t9"}
    assert len(server.requests) == 1 and server.requests[0]["body"] == {"NextToken": "t8"}


@pytest.mark.parametrize(
    "params, paginate",
    [({}, False), ({"MaxResults": 5}, True)],
    ids=["no-paginate", "model-limit"],
)
def test_pagination_options_without_pagination_are_refused(server, list_things, params, paginate):
    with pytest.raises(ParamError) as info:
        send(
            list_things,
            params,
            settings(server, paginate=paginate, pagination={"StartingToken": "x", "MaxItems": 2}),
            stderr=io.StringIO(),
        )
    assert info.value.exit_code == 252
    assert str(info.value) == (
        "Cannot specify --no-paginate along with pagination arguments: "
        "--starting-token, --max-items"
    )
    assert server.requests == []


# -- errors ------------------------------------------------------------------------------------


def test_service_error_names_code_operation_and_message(server, describe, monkeypatch):
    ENV["AWS_MAX_ATTEMPTS"] = "3"  # a 400 is not retried: no "(reached max retries)"
    server.answer(
        400,
        {
            "__type": "ResourceNotFoundException",
            "message": "Job not found",
            "ResourceType": "BATCH_JOB",
        },
    )
    with pytest.raises(ServiceError) as info:
        send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server), stderr=io.StringIO())
    error = info.value
    assert error.exit_code == 254
    assert str(error) == (
        "An error occurred (ResourceNotFoundException) when calling the "
        "DescribeSpeakerEnrollmentJob operation: Job not found"
    )
    assert error.code == "ResourceNotFoundException"
    assert error.details["Code"] == "ResourceNotFoundException"
    assert error.details["Message"] == "Job not found"
    assert error.details["ResourceType"] == "BATCH_JOB"
    assert error.__cause__ is None and error.__suppress_context__


def test_service_error_on_a_later_page_comes_from_the_iterator(server, list_things):
    server.answer(200, {"Things": things("a"), "NextToken": "t1"})
    server.answer(400, {"__type": "ResourceNotFoundException", "message": "gone"})
    response = send(list_things, {}, settings(server), stderr=io.StringIO())
    with pytest.raises(ServiceError, match=r"\(ResourceNotFoundException\).*ListThings.*: gone"):
        response.result()


def test_connection_refused_is_an_endpoint_error(describe):
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(EndpointError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(endpoint_url=url),
            stderr=io.StringIO(),
        )
    assert info.value.exit_code == 255
    assert str(info.value) == f'Could not connect to the endpoint URL: "{url}/"'


def test_read_timeout_names_the_endpoint(server, describe):
    server.answer(200, {}, delay=2.5)
    with pytest.raises(EndpointError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(server, read_timeout=1),
            stderr=io.StringIO(),
        )
    assert str(info.value) == f'Read timeout on endpoint URL: "{server.url}/"'


def test_missing_credentials_is_a_config_error(server, describe, monkeypatch):
    del ENV["AWS_ACCESS_KEY_ID"]
    del ENV["AWS_SECRET_ACCESS_KEY"]
    with pytest.raises(ConfigError) as info:
        send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server), stderr=io.StringIO())
    assert info.value.exit_code == 253
    assert str(info.value).startswith("Unable to locate credentials.")
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in str(info.value)
    assert server.requests == []


def test_missing_region_is_a_config_error(describe):
    with pytest.raises(ConfigError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            SendSettings(environ=ENV),
            stderr=io.StringIO(),
        )
    assert info.value.exit_code == 253
    assert "--region" in str(info.value) and "AWS_REGION" in str(info.value)


def test_unknown_profile_is_a_config_error(describe):
    with pytest.raises(ConfigError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(profile="nope"),
            stderr=io.StringIO(),
        )
    assert str(info.value) == "The config profile (nope) could not be found"


def test_endpoint_without_http_scheme_is_a_param_error(describe):
    # The AWS CLI reads "localhost" as the scheme here and fails later in botocore (255).
    with pytest.raises(ParamError, match="scheme is missing"):
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(endpoint_url="localhost:9"),
            stderr=io.StringIO(),
        )


# -- --debug -----------------------------------------------------------------------------------


# Headers botocore adds for its own bookkeeping: which ones, and their format, vary by version.
BOTOCORE_BOOKKEEPING = ("amz-sdk-",)
VOLATILE_HEADERS = {
    "user-agent": "UA",
    "x-amz-date": "DATE",
    "date": "HTTP-DATE",
    "server": "SERVER",
}


def normalise(log: str, server) -> str:
    """The debug log with what changes between runs, machines and botocore versions taken out:
    header order (sorted by name), botocore's bookkeeping headers, dates, agents, the port."""
    log = log.replace(server.url, "http://127.0.0.1:PORT")
    log = re.sub(r"Credential=(\w+)/\d{8}/", r"Credential=\1/DAY/", log)
    return "".join(_normalise_headers(line) for line in log.splitlines(keepends=True))


def _normalise_headers(line: str) -> str:
    head, found, rest = line.partition(" headers ")
    if not found:
        return line
    headers, end = json.JSONDecoder().raw_decode(rest)
    kept = {
        name: VOLATILE_HEADERS.get(name.lower(), value)
        for name, value in sorted(headers.items(), key=lambda item: item[0].lower())
        if not name.lower().startswith(BOTOCORE_BOOKKEEPING)
    }
    return f"{head} headers {json.dumps(kept)}{rest[end:]}"


def test_debug_log_redacts_secrets_and_sensitive_members(server, describe, snapshot, monkeypatch):
    ENV["AWS_SESSION_TOKEN"] = SESSION_TOKEN
    server.answer(
        200,
        {"Job": {"JobName": "top-secret-job", "JobId": JOB, "CreatedAt": 1700000000}},
    )
    err = io.StringIO()
    send(
        describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server, debug=True), stderr=err
    ).result()
    log = err.getvalue()
    assert server.requests[0]["headers"]["X-Amz-Security-Token"] == SESSION_TOKEN
    for secret in (SECRET_KEY, SESSION_TOKEN, "top-secret-job"):
        assert secret not in log
    signature = server.requests[0]["headers"]["Authorization"].rsplit("=", 1)[1]
    assert signature not in log
    assert normalise(log, server) == snapshot


def test_debug_log_redacts_sensitive_input_and_output_across_pages(server, list_things, snapshot):
    server.answer(
        200,
        {"Things": [{"Name": "a", "Password": "hunter2"}], "NextToken": "t1"},
    )
    server.answer(400, {"__type": "ResourceNotFoundException", "message": "no filter-value-x"})
    err = io.StringIO()
    response = send(
        list_things, {"Filter": "filter-value-x"}, settings(server, debug=True), stderr=err
    )
    with pytest.raises(ServiceError):
        response.result()
    log = err.getvalue()
    assert "hunter2" not in log and "filter-value-x" not in log
    assert server.requests[1]["body"] == {"Filter": "filter-value-x", "NextToken": "t1"}
    assert normalise(log, server) == snapshot


def test_debug_log_reports_a_failed_connection(describe):
    url = f"http://127.0.0.1:{closed_port()}"
    err = io.StringIO()
    with pytest.raises(EndpointError):
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(endpoint_url=url, debug=True),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"clishape: request POST {url}/ headers ")
    assert lines[-1] == f'clishape: no response: Could not connect to the endpoint URL: "{url}/"'


def test_debug_log_redacts_form_bodies_of_the_query_protocol():
    service = dict(
        TEST_SERVICE,
        metadata=dict(TEST_SERVICE["metadata"], protocol="query", xmlNamespace="https://t/"),
    )
    command = Command(
        compile_command(
            service,
            {
                "command": "put-thing",
                "operation": "PutThing",
                "input": {
                    "type": "structure",
                    "members": {"Name": {"type": "string"}, "Pw": {"shape": "Secret"}},
                },
            },
        )
    )
    url = f"http://127.0.0.1:{closed_port()}"
    err = io.StringIO()
    with pytest.raises(EndpointError):
        send(
            command, {"Name": "n1", "Pw": "pw"}, settings(endpoint_url=url, debug=True), stderr=err
        )
    request = err.getvalue().splitlines()[0]
    assert request.endswith(" body Action=PutThing&Version=2020-01-01&Name=n1&Pw=***")


def test_redaction_of_other_authorization_schemes_and_presigned_urls():
    from cli_core.send.debuglog import redact_header, redact_url

    assert redact_header("Authorization", "Bearer abc.def", set()) == "Bearer ***"
    assert redact_header("x-amz-security-token", "tok", set()) == "***"
    assert redact_header("X-Custom", "s3cr3t", {"s3cr3t"}) == "***"
    url = "https://h/a/s3cr3t/b?X-Amz-Signature=abcd&X-Amz-Security-Token=t&x=1&y=s3cr3t"
    assert redact_url(url, {"s3cr3t"}) == (
        "https://h/a/***/b?X-Amz-Signature=***&X-Amz-Security-Token=***&x=1&y=***"
    )


# -- values a request header cannot carry --------------------------------------------------


def test_region_with_a_line_break_is_one_line_without_headers(describe):
    with pytest.raises(ConfigError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(endpoint_url=f"http://127.0.0.1:{closed_port()}", region="us-east-1\nx"),
            stderr=io.StringIO(),
        )
    assert "\n" not in str(info.value) and "Authorization" not in str(info.value)


def test_session_token_with_a_carriage_return_is_refused_unseen(describe):
    ENV["AWS_SESSION_TOKEN"] = SESSION_TOKEN + "\r"
    with pytest.raises(ConfigError) as info:
        send(
            describe,
            {"DomainId": DOMAIN, "JobId": JOB},
            settings(endpoint_url=f"http://127.0.0.1:{closed_port()}"),
            stderr=io.StringIO(),
        )
    assert "session token" in str(info.value) and SESSION_TOKEN not in str(info.value)


def test_http_layer_header_errors_never_quote_the_header():
    from cli_core.send.transport import HEADER_PROBLEM, translated_errors

    with pytest.raises(EndpointError) as info:
        with translated_errors({SESSION_TOKEN}):
            raise ValueError(f"Invalid header value b'{SESSION_TOKEN}\\r'")
    assert str(info.value) == HEADER_PROBLEM


def test_unexpected_errors_below_never_carry_a_secret():
    from cli_core.send.transport import translated_errors

    with pytest.raises(RuntimeError) as info:
        with translated_errors({SECRET_KEY}):
            raise RuntimeError(f"failed with key {SECRET_KEY}")
    assert SECRET_KEY not in str(info.value)


def test_process_environment_is_not_read(server, describe):
    """The process holds other keys, a bad AWS_MAX_ATTEMPTS and a missing config file (see
    the aws_env fixture); the call uses only the environment it is given."""
    server.answer(200, {"Job": {"JobId": JOB}})
    send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server), stderr=io.StringIO())
    assert "Credential=AKIDTESTKEY/" in server.requests[0]["headers"]["Authorization"]


def test_proxies_come_from_the_given_environment():
    from cli_core.send.transport import _bypasses_proxy, _proxies

    env = {"HTTPS_PROXY": "http://proxy:3128", "http_proxy": "http://lower:1", "NO_PROXY": "h"}
    assert _proxies(env) == {"https": "http://proxy:3128", "http": "http://lower:1"}
    assert _bypasses_proxy("https://h:443/", env) and not _bypasses_proxy("https://x/", env)


def test_the_session_registers_botocore_handlers_as_botocore_does(describe):
    """The quicker event registration (no signature check of botocore's own handlers, no alias
    search where no alias can apply) leaves every built-in handler where botocore puts it."""
    import botocore.session
    from botocore import handlers

    plain = botocore.session.Session()
    ours, _ = build_client(describe, settings())
    names = {spec[0] for spec in handlers.BUILTIN_HANDLERS}
    names |= {f"before-call.{alias}.Op" for alias in ("apigateway", "logs", "ds", "rds", "s3")}
    names |= {"request-created.cloudsearchdomain.Search", "creating-client-class.iot-data"}

    def registered(session, name):
        events = session.get_component("event_emitter")
        real = events._emitter if hasattr(events, "_emitter") else events
        aliased = session._events._alias_event_name(name)
        return aliased, [getattr(h, "__qualname__", repr(h)) for h in
                         real._handlers.prefix_search(aliased)]  # fmt: skip

    for name in sorted(names):
        assert registered(ours, name) == registered(plain, name), name


def test_a_handler_without_kwargs_is_still_refused(describe):
    _, client = build_client(describe, settings())

    def no_kwargs(request):
        return None

    with pytest.raises(ValueError, match="must accept keyword arguments"):
        client.meta.events.register("before-send", no_kwargs)


# -- credentials from a process and from the SSO cache ------------------------------------------


def test_credentials_come_from_a_credential_process(server, describe, aws_env, tmp_path):
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIDFROMPROCESS', "
        "'SecretAccessKey': 'process-made-secret', 'SessionToken': 'token-from-process'}))\n"
    )
    aws_env["config"].write_text(
        f"[profile proc]\nregion = eu-west-3\ncredential_process = {sys.executable} {script}\n"
    )
    del ENV["AWS_ACCESS_KEY_ID"]
    del ENV["AWS_SECRET_ACCESS_KEY"]
    send(describe, {"DomainId": DOMAIN, "JobId": JOB},
         SendSettings(endpoint_url=server.url, profile="proc", environ=ENV),
         stderr=io.StringIO())  # fmt: skip
    headers = server.requests[0]["headers"]
    assert "Credential=AKIDFROMPROCESS/" in headers["Authorization"]
    assert "/eu-west-3/voiceid/" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == "token-from-process"


def test_credentials_come_from_the_sso_token_cache(server, aws_env, tmp_path):
    """An SSO profile: the cached token is exchanged for role credentials (at the SSO endpoint
    the run's environment names), which then sign the call. A whole run in its own process:
    botocore finds ~/.aws/sso/cache through HOME when it is imported."""
    import hashlib

    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    token = {"accessToken": "cached-sso-token", "expiresAt": "2099-01-01T00:00:00Z",
             "region": "us-east-1", "startUrl": "https://example.awsapps.com/start"}  # fmt: skip
    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(json.dumps(token))
    aws_env["config"].write_text(
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = Developer\nregion = us-east-1\n"
        "[sso-session corp]\nsso_region = us-east-1\n"
        "sso_start_url = https://example.awsapps.com/start\n"
    )
    env = {key: value for key, value in ENV.items() if not key.startswith("AWS_ACCESS")}
    env.pop("AWS_SECRET_ACCESS_KEY")
    env.update(HOME=str(tmp_path), PATH="/usr/bin:/bin", AWS_ENDPOINT_URL_SSO=server.url,
               CLISHAPE_CACHE_DIR="")  # fmt: skip
    server.answer(200, {"roleCredentials": {
        "accessKeyId": "AKIDFROMSSO", "secretAccessKey": "sso-secret",
        "sessionToken": "token-from-sso", "expiration": 4102444800000}})  # fmt: skip
    server.answer(200, {"Job": {"JobId": JOB}})
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "cli_core", "--profile", "dev", "--endpoint-url", server.url,
         "voice-id", "describe-speaker-enrollment-job", "--domain-id", DOMAIN, "--job-id", JOB],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"Job": {"JobId": JOB}}
    exchange, call = server.requests
    assert exchange["method"] == "GET"
    assert exchange["path"].startswith("/federation/credentials?")
    assert "role_name=Developer" in exchange["path"] and "account_id=111122223333" in exchange["path"]
    assert exchange["headers"]["x-amz-sso_bearer_token"] == "cached-sso-token"
    assert "Credential=AKIDFROMSSO/" in call["headers"]["Authorization"]
    assert call["headers"]["X-Amz-Security-Token"] == "token-from-sso"
    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).unlink()
    missing = subprocess.run(done.args, capture_output=True, text=True, env=env)
    assert missing.returncode == 255  # as AWS CLI v2 ends when the SSO token is missing
    assert missing.stderr == "clishape: error: Error loading SSO Token: Token for corp does not exist\n"


# -- where the call goes: endpoints configured outside the command line --------------------------


@pytest.mark.parametrize(
    "variables, config, expected",
    [
        ({"AWS_ENDPOINT_URL_VOICE_ID": "http://voice.local:4566"}, "", "http://voice.local:4566"),
        ({"AWS_ENDPOINT_URL": "http://all.local:4566"}, "", "http://all.local:4566"),
        ({}, "endpoint_url = http://profile.local:1\n", "http://profile.local:1"),
        ({}, "services = mine\n[services mine]\nvoice_id =\n  endpoint_url = http://svc.local:2\n",
         "http://svc.local:2"),
        ({"AWS_ENDPOINT_URL_VOICE_ID": "http://voice.local:4566"},
         "endpoint_url = http://profile.local:1\n", "http://voice.local:4566"),
        ({"AWS_ENDPOINT_URL_VOICE_ID": "http://voice.local:4566",
          "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "",
         "https://voiceid.us-east-1.amazonaws.com"),
    ],
)  # fmt: skip
def test_configured_endpoints_route_the_call(describe, aws_env, variables, config, expected):
    aws_env["config"].write_text("[profile dev]\nregion = us-east-1\n" + config)
    ENV.update(variables)
    _, client = build_client(describe, SendSettings(profile="dev", environ=ENV))
    assert client.meta.endpoint_url == expected


def test_retries_default_to_the_standard_mode_as_aws_cli_v2(server, describe, monkeypatch):
    """No retry setting: AWS CLI v2's 'standard' mode, three attempts in all (botocore's own
    default, 'legacy', would make five), and the error says how many retries were made."""
    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)  # no backoff wait
    del ENV["AWS_MAX_ATTEMPTS"]
    for _ in range(5):
        server.answer(500, {"__type": "InternalServerException", "message": "try again"})
    with pytest.raises(ServiceError, match=r"reached max retries: 2"):
        send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server),
             stderr=io.StringIO()).result()  # fmt: skip
    assert len(server.requests) == 3
    assert "cfg/retry-mode#standard" in server.requests[0]["headers"]["User-Agent"]
    server.requests.clear()
    server.script.clear()
    for _ in range(5):
        server.answer(500, {"__type": "InternalServerException", "message": "try again"})
    with pytest.raises(ServiceError):
        send(describe, {"DomainId": DOMAIN, "JobId": JOB}, settings(server, retry_mode="legacy"),
             stderr=io.StringIO()).result()  # fmt: skip
    assert len(server.requests) == 5  # a mode asked for is the mode used
