"""The json protocol on the wire, against moto: DynamoDB, CloudWatch Logs, SSM, SQS."""

from __future__ import annotations

import hashlib
import json
import time

import yaml
from emulator import scrub, sent_requests


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    return result.stdout


def test_dynamodb_table_items_query_scan(moto, snapshot):
    created = moto.run(
        "dynamodb", "create-table", "--table-name", "music",
        "--attribute-definitions", "AttributeName=artist,AttributeType=S",
        "AttributeName=year,AttributeType=N",
        "--key-schema", "AttributeName=artist,KeyType=HASH", "AttributeName=year,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST", "--query", "TableDescription.TableStatus",
        "--output", "text",
    )  # fmt: skip
    assert ok(created) == "ACTIVE\n"
    for year, title in ((1971, "Blue"), (1974, "Court and Spark"), (1976, "Hejira")):
        item = {"artist": {"S": "Joni"}, "year": {"N": str(year)}, "title": {"S": title}}
        assert ok(moto.run("dynamodb", "put-item", "--table-name", "music",
                           "--item", json.dumps(item))) == ""  # fmt: skip
    ok(moto.run("dynamodb", "put-item", "--table-name", "music", "--item",
                '{"artist": {"S": "Nina"}, "year": {"N": "1965"}, "cover": {"B": "AAEC"}}'))  # fmt: skip

    queried = moto.run(
        "dynamodb", "query", "--table-name", "music",
        "--key-condition-expression", "artist = :a AND #y > :y",
        "--expression-attribute-names", '{"#y": "year"}',
        "--expression-attribute-values", '{":a": {"S": "Joni"}, ":y": {"N": "1972"}}',
        "--output", "yaml",
    )  # fmt: skip
    answer = yaml.safe_load(ok(queried))
    assert [i["title"]["S"] for i in answer["Items"]] == ["Court and Spark", "Hejira"]
    assert answer["Count"] == 2

    scanned = moto.run(
        "dynamodb", "scan", "--table-name", "music", "--filter-expression", "artist = :n",
        "--expression-attribute-values", '{":n": {"S": "Nina"}}',
    )  # fmt: skip
    assert ok(scanned) == snapshot(name="scan json, a binary attribute")

    # the scan paginator: one item a page, cut after two, resumed
    first = json.loads(ok(moto.run("dynamodb", "scan", "--table-name", "music",
                                   "--page-size", "1", "--max-items", "2")))  # fmt: skip
    assert len(first["Items"]) == 2
    rest = moto.run(
        "dynamodb", "scan", "--table-name", "music", "--starting-token", first["NextToken"],
        "--query", "Items[].year.N", "--output", "text",
    )  # fmt: skip
    seen = [i["year"]["N"] for i in first["Items"]] + ok(rest).split()
    assert sorted(seen) == ["1965", "1971", "1974", "1976"]


def test_dynamodb_errors(moto):
    missing = moto.run("dynamodb", "get-item", "--table-name", "nope", "--key",
                       '{"k": {"S": "v"}}')  # fmt: skip
    assert missing.exit_code == 254
    assert "(ResourceNotFoundException)" in missing.stderr
    assert "when calling the GetItem operation" in missing.stderr


def test_logs_events_round_trip(moto, snapshot):
    ok(moto.run("logs", "create-log-group", "--log-group-name", "app"))
    ok(moto.run("logs", "create-log-stream", "--log-group-name", "app", "--log-stream-name", "web"))
    now = int(time.time() * 1000)
    put = moto.run(
        "logs", "put-log-events", "--log-group-name", "app", "--log-stream-name", "web",
        "--log-events", f"timestamp={now},message=hello", f"timestamp={now + 1},message=a\\,b",
        "--debug",
    )  # fmt: skip
    ok(put)
    sent = json.loads(sent_requests(put.stderr)[0][2])
    assert sent["logEvents"] == [
        {"timestamp": now, "message": "hello"},
        {"timestamp": now + 1, "message": "a,b"},
    ]
    events = moto.run(
        "logs", "get-log-events", "--log-group-name", "app", "--log-stream-name", "web",
        "--query", "events[].message", "--output", "text",
    )  # fmt: skip
    assert ok(events) == "hello\ta,b\n"
    groups = moto.run("logs", "describe-log-groups", "--output", "yaml-stream",
                      "--query", "logGroups[].logGroupName")  # fmt: skip
    assert ok(groups) == snapshot(name="describe-log-groups yaml-stream")

    missing = moto.run("logs", "get-log-events", "--log-group-name", "app",
                       "--log-stream-name", "nope")  # fmt: skip
    assert missing.exit_code == 254
    assert "(ResourceNotFoundException)" in missing.stderr


def test_ssm_parameters(moto, snapshot):
    put = moto.run("ssm", "put-parameter", "--name", "/app/db", "--value", "host=db,port=5432",
                   "--type", "String")  # fmt: skip
    assert json.loads(ok(put)) == {"Version": 1, "Tier": "Standard"}
    got = moto.run(
        "ssm", "get-parameter", "--name", "/app/db", "--output", "table",
        "--query", "Parameter.{Name: Name, Type: Type, Value: Value, Version: Version}",
    )  # fmt: skip
    assert ok(got) == snapshot(name="get-parameter table")
    modified = moto.run("ssm", "get-parameter", "--name", "/app/db",
                        "--query", "Parameter.LastModifiedDate", "--output", "text")  # fmt: skip
    assert scrub(ok(modified)) == "<time>\n"
    by_path = moto.run("ssm", "get-parameters-by-path", "--path", "/app",
                       "--query", "Parameters[].[Name, Value]", "--output", "text")  # fmt: skip
    assert ok(by_path) == "/app/db\thost=db,port=5432\n"

    missing = moto.run("ssm", "get-parameter", "--name", "/nope")
    assert missing.exit_code == 254
    assert "(ParameterNotFound)" in missing.stderr


def test_sqs_query_compatible_errors(moto):
    created = json.loads(ok(moto.run("sqs", "create-queue", "--queue-name", "jobs")))
    url = created["QueueUrl"]
    sent = moto.run(
        "sqs", "send-message", "--queue-url", url, "--message-body", "work",
        "--message-attributes", '{"kind": {"DataType": "String", "StringValue": "x"}}',
        "--query", "MD5OfMessageBody", "--output", "text",
    )  # fmt: skip
    assert ok(sent) == hashlib.md5(b"work").hexdigest() + "\n"
    received = moto.run("sqs", "receive-message", "--queue-url", url,
                        "--query", "Messages[].Body", "--output", "text")  # fmt: skip
    assert ok(received) == "work\n"
    missing = moto.run("sqs", "get-queue-url", "--queue-name", "nope")
    assert missing.exit_code == 254
    assert "(AWS.SimpleQueueService.NonExistentQueue)" in missing.stderr
