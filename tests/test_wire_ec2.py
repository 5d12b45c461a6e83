"""The ec2 protocol on the wire, against moto: run, describe with filters and queries, tag."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from emulator import scrub, sent_requests

IMAGE = "ami-12c6146b"  # one of moto's built-in images


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    return result.stdout


def test_instances_workflow(moto, snapshot):
    launched = json.loads(
        ok(
            moto.run(
                "ec2", "run-instances", "--image-id", IMAGE, "--count", "2",
                "--instance-type", "t2.micro",
            )
        )
    )  # fmt: skip
    ids = [i["InstanceId"] for i in launched["Instances"]]
    assert len(ids) == 2
    names = {ident: f"<instance-{n}>" for n, ident in enumerate(ids)}

    found = moto.run(
        "ec2", "describe-instances",
        "--filters", "Name=instance-type,Values=t2.micro,t3.large", "Name=image-id,Values=" + IMAGE,
        "--query", "Reservations[].Instances[].[InstanceId, State.Name, InstanceType]",
        "--output", "text", "--debug",
    )  # fmt: skip
    assert scrub(ok(found), names) == snapshot(name="describe-instances text")
    body = {k: v[0] for k, v in parse_qs(sent_requests(found.stderr)[0][2]).items()}
    assert body["Filter.1.Name"] == "instance-type"
    assert body["Filter.1.Value.1"] == "t2.micro"
    assert body["Filter.1.Value.2"] == "t3.large"
    assert body["Filter.2.Value.1"] == IMAGE

    tagged = moto.run("ec2", "create-tags", "--resources", *ids, "--tags", "Key=env,Value=test")
    assert ok(tagged) == ""
    tags = moto.run(
        "ec2", "describe-tags", "--filters", f"Name=resource-id,Values={ids[0]}",
        "--query", "Tags[].{Key: Key, Value: Value, Type: ResourceType}", "--output", "table",
    )  # fmt: skip
    assert ok(tags) == snapshot(name="describe-tags table")

    by_tag = moto.run(
        "ec2", "describe-instances", "--filters", "Name=tag:env,Values=test",
        "--query", "length(Reservations[].Instances[])",
    )  # fmt: skip
    assert ok(by_tag) == "2\n"


def test_missing_instance_is_a_service_error(moto):
    result = moto.run("ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0")
    assert result.exit_code == 254
    assert result.stdout == ""
    assert "(InvalidInstanceID.NotFound)" in result.stderr


def test_dry_run_is_reported_as_the_service_says(moto):
    result = moto.run("ec2", "describe-instances", "--dry-run")
    assert result.exit_code == 254
    assert "(DryRunOperation)" in result.stderr


def test_ec2_paging_with_max_items(moto):
    first = json.loads(ok(moto.run("ec2", "describe-images", "--owners", "amazon",
                                   "--max-items", "2")))  # fmt: skip
    assert len(first["Images"]) == 2
    assert first["NextToken"]
    rest = json.loads(
        ok(moto.run("ec2", "describe-images", "--owners", "amazon", "--max-items", "2",
                    "--starting-token", first["NextToken"]))
    )  # fmt: skip
    assert len(rest["Images"]) == 2
    assert {i["ImageId"] for i in first["Images"]}.isdisjoint(i["ImageId"] for i in rest["Images"])
