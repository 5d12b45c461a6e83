"""The rest-xml protocol on the wire, against moto: S3 (s3api) and Route 53.

Object bodies (``put-object --body``, ``get-object OUTFILE``) belong to the streaming tests;
here objects are empty. S3's own truncation (``IsTruncated``/``NextMarker`` and
``ContinuationToken``) is followed by ``--page-size`` and resumed by
``--max-items``/``--starting-token``; XML request bodies (delete-objects, tagging, Route 53
change batches) and their required checksums go out as botocore builds them.
"""

from __future__ import annotations

import json

import yaml
from emulator import scrub, sent_requests

BUCKET = "wire-bucket"


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    return result.stdout


def test_s3_bucket_and_objects_workflow(moto, snapshot):
    created = moto.run("s3api", "create-bucket", "--bucket", BUCKET)
    assert json.loads(ok(created)) == {"Location": f"/{BUCKET}"}
    assert ok(moto.run("s3api", "head-bucket", "--bucket", BUCKET)) == snapshot(name="head-bucket")

    for key in ("a.txt", "b.txt", "c.txt", "dir/d e+f.txt", "dir/g.txt"):
        put = moto.run("s3api", "put-object", "--bucket", BUCKET, "--key", key,
                       "--metadata", "owner=wire", "--query", "ETag", "--output", "text")  # fmt: skip
        assert ok(put) == '"d41d8cd98f00b204e9800998ecf8427e"\n'  # the MD5 of nothing
    head = moto.run("s3api", "head-object", "--bucket", BUCKET, "--key", "dir/d e+f.txt",
                    "--query", "{Length: ContentLength, Meta: Metadata}")  # fmt: skip
    assert json.loads(ok(head)) == {"Length": 0, "Meta": {"owner": "wire"}}

    # every page of a one-key-a-page listing, with the delimiter's common prefixes
    listed = moto.run(
        "s3api", "list-objects-v2", "--bucket", BUCKET, "--delimiter", "/", "--page-size", "1",
        "--query", "{keys: Contents[].Key, prefixes: CommonPrefixes[].Prefix}", "--debug",
    )  # fmt: skip
    assert json.loads(ok(listed)) == {"keys": ["a.txt", "b.txt", "c.txt"], "prefixes": ["dir/"]}
    urls = [url for _, url, _ in sent_requests(listed.stderr)]
    assert len(urls) == 4 and all("max-keys=1" in url for url in urls)
    assert all("continuation-token=" in url for url in urls[1:])

    # --max-items cuts it short with a token; --starting-token resumes there
    first = json.loads(ok(moto.run("s3api", "list-objects-v2", "--bucket", BUCKET,
                                   "--max-items", "2", "--page-size", "1")))  # fmt: skip
    assert [o["Key"] for o in first["Contents"]] == ["a.txt", "b.txt"]
    rest = moto.run(
        "s3api", "list-objects-v2", "--bucket", BUCKET, "--starting-token", first["NextToken"],
        "--query", "Contents[].Key", "--output", "yaml",
    )  # fmt: skip
    assert yaml.safe_load(ok(rest)) == ["c.txt", "dir/d e+f.txt", "dir/g.txt"]

    # the older listing: IsTruncated/NextMarker
    old = moto.run("s3api", "list-objects", "--bucket", BUCKET, "--page-size", "2",
                   "--query", "Contents[].Key", "--output", "json")  # fmt: skip
    assert json.loads(ok(old)) == ["a.txt", "b.txt", "c.txt", "dir/d e+f.txt", "dir/g.txt"]

    # an XML body with a required checksum
    deleted = moto.run(
        "s3api", "delete-objects", "--bucket", BUCKET,
        "--delete", "Objects=[{Key=a.txt},{Key=b.txt}],Quiet=false", "--output", "table",
    )  # fmt: skip
    assert ok(deleted) == snapshot(name="delete-objects table")
    assert ok(moto.run("s3api", "delete-object", "--bucket", BUCKET, "--key", "c.txt")) == ""
    left = moto.run("s3api", "list-objects-v2", "--bucket", BUCKET, "--output", "text",
                    "--query", "Contents[].Key")  # fmt: skip
    assert ok(left) == "dir/d e+f.txt\tdir/g.txt\n"


def test_s3_checksums_default_to_crc64nvme(moto):
    """As in AWS CLI v2: uploads carry a CRC64NVME checksum unless another one is asked for."""
    ok(moto.run("s3api", "create-bucket", "--bucket", BUCKET))
    put = json.loads(ok(moto.run("s3api", "put-object", "--bucket", BUCKET, "--key", "k")))
    assert put == {
        "ETag": '"d41d8cd98f00b204e9800998ecf8427e"',
        "ChecksumCRC64NVME": "AAAAAAAAAAA=",
    }
    chosen = moto.run("s3api", "put-object", "--bucket", BUCKET, "--key", "k2",
                      "--checksum-algorithm", "SHA256", "--query", "ChecksumSHA256")  # fmt: skip
    assert json.loads(ok(chosen)) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    listed = moto.run("s3api", "list-objects-v2", "--bucket", BUCKET,
                      "--query", "Contents[].[Key, ChecksumAlgorithm[0]]", "--output", "text")  # fmt: skip
    assert ok(listed) == "k\tCRC64NVME\nk2\tSHA256\n"


def test_s3_tagging_round_trip(moto):
    ok(moto.run("s3api", "create-bucket", "--bucket", BUCKET))
    tagging = moto.run("s3api", "put-bucket-tagging", "--bucket", BUCKET,
                       "--tagging", "TagSet=[{Key=team,Value=wire},{Key=env,Value=test}]")  # fmt: skip
    assert ok(tagging) == ""
    tags = moto.run("s3api", "get-bucket-tagging", "--bucket", BUCKET, "--output", "text")
    assert sorted(ok(tags).splitlines()) == ["TAGSET\tenv\ttest", "TAGSET\tteam\twire"]


def test_s3_errors(moto):
    missing_bucket = moto.run("s3api", "head-bucket", "--bucket", "no-such-bucket")
    assert missing_bucket.exit_code == 254
    assert "(404) when calling the HeadBucket operation: Not Found" in missing_bucket.stderr
    ok(moto.run("s3api", "create-bucket", "--bucket", BUCKET))
    missing_key = moto.run("s3api", "get-object-tagging", "--bucket", BUCKET, "--key", "nope")
    assert missing_key.exit_code == 254
    assert "(NoSuchKey)" in missing_key.stderr
    bad_name = moto.run("s3api", "create-bucket", "--bucket", "ab")
    assert bad_name.exit_code == 254
    assert "(InvalidBucketName)" in bad_name.stderr


def test_route53_zone_and_records(moto, snapshot):
    printed = ok(moto.run("route53", "create-hosted-zone", "--name", "example.com",
                          "--caller-reference", "ref-1"))  # fmt: skip
    zone = json.loads(printed)
    zone_id = zone["HostedZone"]["Id"]  # /hostedzone/ID
    names = {zone_id.split("/")[-1]: "<zone>", zone["ChangeInfo"]["Id"].split("/")[-1]: "<change>"}
    assert scrub(printed, names) == snapshot(name="create-hosted-zone")

    zones = moto.run("route53", "list-hosted-zones", "--output", "table",
                     "--query", "HostedZones[].{Name: Name, Records: ResourceRecordSetCount, "
                     "Private: Config.PrivateZone, Reference: CallerReference}")  # fmt: skip
    assert ok(zones) == snapshot(name="list-hosted-zones table")
    got = moto.run("route53", "get-hosted-zone", "--id", zone_id, "--query", "HostedZone.Name")
    assert ok(got) == '"example.com."\n'  # the /hostedzone/ prefix is cut from the path

    batch = {
        "Comment": "two addresses",
        "Changes": [
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": "www.example.com",
                    "Type": "A",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}],
                },
            }
        ],
    }
    changed = moto.run(
        "route53", "change-resource-record-sets", "--hosted-zone-id", zone_id,
        "--change-batch", json.dumps(batch), "--query", "ChangeInfo.Status", "--debug",
    )  # fmt: skip
    assert ok(changed) == '"INSYNC"\n'
    method, url, body = sent_requests(changed.stderr)[0]
    assert method == "POST"
    assert url.endswith(f"/2013-04-01/hostedzone/{zone_id.split('/')[-1]}/rrset/")  # id cut
    assert body.startswith('<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws')
    assert "<ResourceRecord><Value>192.0.2.2</Value></ResourceRecord>" in body

    records = moto.run(
        "route53", "list-resource-record-sets", "--hosted-zone-id", zone_id,
        "--query", "ResourceRecordSets[?Type=='A'].[Name, TTL, ResourceRecords[].Value]",
        "--output", "text",
    )  # fmt: skip
    assert ok(records) == "www.example.com.\t60\n192.0.2.1\t192.0.2.2\n"
    first = json.loads(ok(moto.run("route53", "list-resource-record-sets", "--hosted-zone-id",
                                   zone_id, "--max-items", "1")))  # fmt: skip
    assert len(first["ResourceRecordSets"]) == 1 and first["NextToken"]


def test_route53_missing_zone(moto):
    result = moto.run("route53", "get-hosted-zone", "--id", "Z0000000000000")
    assert result.exit_code == 254
    assert "(NoSuchHostedZone)" in result.stderr
