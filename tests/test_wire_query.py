"""The query protocol on the wire, against moto: IAM, STS, SNS, CloudFormation, SES.

Each test is a workflow a user would run, checking what clishape printed (json, text, table,
yaml) and, through ``--debug``, what it sent. IAM's own truncation (``Marker``/``IsTruncated``)
is followed by ``--page-size`` and resumed by ``--max-items``/``--starting-token``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import yaml
from emulator import scrub, sent_requests

from cli_core.testing import run

ACCOUNT = "123456789012"


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    return result.stdout


def form(body: str) -> dict:
    """A logged query body as {key: value} (blank values kept)."""
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def test_iam_user_workflow(moto, snapshot):
    created = json.loads(ok(moto.run("iam", "create-user", "--user-name", "bob")))
    names = {created["User"]["UserId"]: "<user-id>"}
    assert created["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bob"

    listed = ok(moto.run("iam", "list-users", "--output", "text"))
    assert scrub(listed, names) == snapshot(name="list-users text")

    assert (
        ok(moto.run("iam", "tag-user", "--user-name", "bob", "--tags", "Key=team,Value=a b")) == ""
    )
    tags = ok(moto.run("iam", "list-user-tags", "--user-name", "bob", "--output", "table"))
    assert tags == snapshot(name="list-user-tags table")


def test_iam_missing_user_is_a_service_error(moto):
    result = moto.run("iam", "get-user", "--user-name", "nobody")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "(NoSuchEntity)" in result.stderr
    assert "when calling the GetUser operation" in result.stderr


def test_iam_marker_pagination(moto):
    for index in range(5):
        ok(moto.run("iam", "create-role", "--role-name", f"role{index}",
                    "--assume-role-policy-document", "{}"))  # fmt: skip

    # --page-size: moto answers IsTruncated/Marker; every page is fetched and merged
    paged = moto.run(
        "iam", "list-roles", "--page-size", "2", "--query", "Roles[].RoleName", "--debug"
    )
    everyone = [f"role{i}" for i in range(5)]
    assert sorted(json.loads(ok(paged))) == everyone  # moto's order is its own
    bodies = [form(body) for _, _, body in sent_requests(paged.stderr)]
    assert [b.get("Marker") is not None for b in bodies] == [False, True, True]
    assert all(b["MaxItems"] == "2" for b in bodies)

    # --max-items cuts the listing and prints the token the next call resumes from
    first = json.loads(ok(moto.run("iam", "list-roles", "--max-items", "2", "--page-size", "1")))
    seen = [r["RoleName"] for r in first["Roles"]]
    assert len(seen) == 2
    rest = moto.run(
        "iam", "list-roles", "--starting-token", first["NextToken"], "--output", "text",
        "--query", "Roles[].RoleName",
    )  # fmt: skip
    assert sorted(seen + ok(rest).split()) == everyone


def test_sts_get_caller_identity(moto, snapshot):
    assert ok(moto.run("sts", "get-caller-identity", "--output", "text")) == snapshot


def test_sns_topic_publish(moto):
    topic = yaml.safe_load(
        ok(moto.run("sns", "create-topic", "--name", "news", "--output", "yaml"))
    )
    arn = topic["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:news"
    published = moto.run(
        "sns", "publish", "--topic-arn", arn, "--message", "hello, world",
        "--message-attributes", '{"kind": {"DataType": "String", "StringValue": "greeting"}}',
        "--output", "yaml", "--debug",
    )  # fmt: skip
    assert list(yaml.safe_load(ok(published))) == ["MessageId"]
    body = form(sent_requests(published.stderr)[0][2])
    assert body["Message"] == "hello, world"
    assert body["MessageAttributes.entry.1.Name"] == "kind"
    assert body["MessageAttributes.entry.1.Value.StringValue"] == "greeting"

    topics = ok(moto.run("sns", "list-topics", "--output", "text"))
    assert topics == f"TOPICS\t{arn}\n"

    missing = moto.run("sns", "publish", "--topic-arn", arn + "-gone", "--message", "x")
    assert missing.exit_code == 254
    assert "(NotFound)" in missing.stderr


TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"key": {"Type": "String"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "stacked"}}},
    "Outputs": {"Echo": {"Value": {"Ref": "key"}}},
}


def test_cloudformation_stack_from_file_with_escaped_comma(moto, tmp_path, snapshot):
    """Issue 9, point 12: ``ParameterValue=foo\\,bar`` sends ``foo,bar``."""
    template = tmp_path / "t.json"
    template.write_text(json.dumps(TEMPLATE))
    created = moto.run(
        "cloudformation", "create-stack", "--stack-name", "s",
        "--template-body", f"file://{template}",
        "--parameters", "ParameterKey=key,ParameterValue=foo\\,bar", "--debug",
    )  # fmt: skip
    stack_id = json.loads(ok(created))["StackId"]
    body = form(sent_requests(created.stderr)[0][2])
    assert body["Parameters.member.1.ParameterKey"] == "key"
    assert body["Parameters.member.1.ParameterValue"] == "foo,bar"
    assert json.loads(body["TemplateBody"]) == TEMPLATE

    described = ok(moto.run("cloudformation", "describe-stacks", "--stack-name", "s"))
    assert scrub(described, {stack_id: "<stack-id>"}) == snapshot

    missing = moto.run("cloudformation", "describe-stacks", "--stack-name", "nope")
    assert missing.exit_code == 254
    assert "(ValidationError)" in missing.stderr


def test_ses_dkim_attributes_of_an_empty_identity(moto, snapshot):
    """Issue 9, point 12: ``--identities ""`` sends one empty item and prints the answer."""
    result = moto.run("ses", "get-identity-dkim-attributes", "--identities", "", "--debug")
    assert ok(result) == snapshot
    body = form(sent_requests(result.stderr)[0][2])
    assert body["Identities.member.1"] == ""
    assert "Identities.member.2" not in body


def test_no_paginate_gives_max_items_back_to_iam(moto):
    """IAM's own ``MaxItems`` hides behind ``--max-items``; with ``--no-paginate`` it is sent."""
    for name in ("ann", "ben"):
        ok(moto.run("iam", "create-user", "--user-name", name))
    result = moto.run(
        "iam", "list-users", "--no-paginate", "--max-items", "1", "--debug",
        "--query", "sort(Users[].UserName)",
    )  # fmt: skip
    assert json.loads(ok(result)) == ["ann", "ben"]  # moto answers every user regardless
    (request,) = sent_requests(result.stderr)
    assert form(request[2])["MaxItems"] == "1"
    refused = moto.run("iam", "list-users", "--no-paginate", "--page-size", "1")
    assert refused.exit_code == 252
    assert "Cannot specify --no-paginate along with pagination arguments: --page-size" in (
        refused.stderr
    )


class _HtmlCrash(BaseHTTPRequestHandler):
    """Answers every request with a 500 and an HTML page, as a crashing emulator does."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<!doctype html>\n<title>500 Internal Server Error</title>\n"
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_an_unreadable_answer_is_an_error_not_a_crash(moto):
    """A 500 with an HTML body cannot be parsed as query XML: exit 255 with botocore's reason."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlCrash)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        result = run(
            ["--endpoint-url", endpoint, "sns", "list-topics"],
            env={**moto.env, "AWS_MAX_ATTEMPTS": "1"},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 255
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert "Unable to parse response" in result.stderr
    assert len(result.stderr.splitlines()) == 1
