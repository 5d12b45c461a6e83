"""The local Voice ID service, driven the way a user's tools drive it: boto3 and raw HTTP."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cli_core.errors import ParamError
from clishape_local import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, start_embedded
from clishape_local.cli import main as local_main
from clishape_local.cli import write_silence
from clishape_local.embedded import default_state_dir

ROLE = "arn:aws:iam::123456789012:role/voiceid-batch"
ID = re.compile(r"[a-zA-Z0-9]{22}")
ARN = re.compile(r"arn:aws(-[^:]+)?:voiceid.+:[0-9]{12}:domain/[a-zA-Z0-9]{22}")
NO_RETRY = {"total_max_attempts": 1}


@pytest.fixture
def local(tmp_path):
    running = start_embedded(tmp_path / "state")
    yield running
    running.stop()


def client(running, region="us-east-1", validate=True, **overrides):
    kwargs = running.client_kwargs() | {"region_name": region} | overrides
    config = Config(retries=NO_RETRY, parameter_validation=validate)
    return boto3.client("voice-id", config=config, **kwargs)


def put_manifest(running, key: str, speakers: list[str], bucket: str = "media") -> str:
    """Write a manifest enrolling ``speakers`` (with their audio) into the fake S3."""
    entries = []
    for index, speaker in enumerate(speakers, 1):
        audio = f"s3://{bucket}/audio/{speaker}.wav"
        write_silence(running.s3_root / bucket / "audio" / f"{speaker}.wav", 0.01)
        entries.append(
            {
                "RequestId": f"r{index}",
                "SpeakerId": speaker,
                "AudioSpecifications": [{"S3Uri": audio, "ChannelId": 0}],
            }
        )
    write(running.s3_root / bucket / key, {"Version": "1.0", "SpeakerEnrollmentRequests": entries})
    return f"s3://{bucket}/{key}"


def write(path: Path, document) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))


def new_domain(voiceid, name="support") -> str:
    domain = voiceid.create_domain(
        Name=name, ServerSideEncryptionConfiguration={"KmsKeyId": "alias/local"}
    )["Domain"]
    return domain["DomainId"]


def start_job(voiceid, domain_id, manifest_uri, output="s3://media/out", **extra):
    return voiceid.start_speaker_enrollment_job(
        DomainId=domain_id,
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": manifest_uri},
        OutputDataConfig={"S3Uri": output},
        **extra,
    )["Job"]


def describe_until_done(voiceid, domain_id, job_id, limit=10) -> list[dict]:
    seen = []
    for _ in range(limit):
        job = voiceid.describe_speaker_enrollment_job(DomainId=domain_id, JobId=job_id)["Job"]
        seen.append(job)
        if job["JobStatus"] in ("COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED"):
            return seen
    raise AssertionError(f"job {job_id} never finished: {seen[-1]}")


def error_of(call, *args, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value


# -- the whole lifecycle -------------------------------------------------------------------


def test_domain_job_and_speaker_lifecycle(local):
    voiceid = client(local, region="eu-west-2")
    domain = voiceid.create_domain(
        Name="support",
        Description="calls",
        ServerSideEncryptionConfiguration={"KmsKeyId": "alias/local"},
    )["Domain"]
    assert ID.fullmatch(domain["DomainId"])
    assert ARN.fullmatch(domain["Arn"]) and ":eu-west-2:" in domain["Arn"]
    assert domain["DomainStatus"] == "ACTIVE"
    assert ID.fullmatch(domain["WatchlistDetails"]["DefaultWatchlistId"])
    assert voiceid.describe_domain(DomainId=domain["DomainId"])["Domain"] == domain

    uri = put_manifest(local, "in/batch-1.json", ["alice", "bob", "carol"])
    job = start_job(voiceid, domain["DomainId"], uri, JobName="first-batch")
    assert ID.fullmatch(job["JobId"])
    assert (job["JobStatus"], job["JobProgress"]) == ("SUBMITTED", {"PercentComplete": 0})
    assert job["EnrollmentConfig"]["ExistingEnrollmentAction"] == "SKIP"

    seen = describe_until_done(voiceid, domain["DomainId"], job["JobId"])
    steps = [(j["JobStatus"], j["JobProgress"]["PercentComplete"]) for j in seen]
    assert steps == [
        ("IN_PROGRESS", 0),
        ("IN_PROGRESS", 33),
        ("IN_PROGRESS", 66),
        ("COMPLETED", 100),
    ]
    done = seen[-1]
    assert done["EndedAt"] >= done["CreatedAt"] and "FailureDetails" not in done

    output = local.s3_root / "media" / "out" / job["JobId"] / "batch-1.json.out"
    result = json.loads(output.read_text())
    assert result["Errors"] == []
    assert [e["RequestId"] for e in result["SuccessfulEnrollments"]] == ["r1", "r2", "r3"]
    bob = result["SuccessfulEnrollments"][1]
    assert bob["SpeakerId"] == "bob" and re.fullmatch(
        r"id#[a-zA-Z0-9]{22}", bob["GeneratedSpeakerId"]
    )

    by_customer = voiceid.describe_speaker(DomainId=domain["DomainId"], SpeakerId="bob")["Speaker"]
    assert by_customer["Status"] == "ENROLLED"
    assert by_customer["GeneratedSpeakerId"] == bob["GeneratedSpeakerId"]
    by_generated = voiceid.describe_speaker(
        DomainId=domain["DomainId"], SpeakerId=bob["GeneratedSpeakerId"]
    )["Speaker"]
    assert by_generated == by_customer


def test_entry_errors_end_in_completed_with_errors(local):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    first = put_manifest(local, "in/first.json", ["dana"])
    describe_until_done(voiceid, domain_id, start_job(voiceid, domain_id, first)["JobId"])

    write_silence(local.s3_root / "media" / "audio" / "erin.wav", 0.01)
    audio = [{"S3Uri": "s3://media/audio/erin.wav", "ChannelId": 0}]
    entries = [
        {"RequestId": "ok", "SpeakerId": "erin", "AudioSpecifications": audio},
        {"RequestId": "ok", "SpeakerId": "frank", "AudioSpecifications": audio},
        {
            "RequestId": "no-audio",
            "SpeakerId": "gina",
            "AudioSpecifications": [{"S3Uri": "s3://media/audio/missing.wav"}],
        },
        {"RequestId": "again", "SpeakerId": "dana", "AudioSpecifications": audio},
        {"RequestId": "generated", "SpeakerId": "id#" + "a" * 22, "AudioSpecifications": audio},
    ]
    write(
        local.s3_root / "media" / "in" / "mixed.json",
        {"Version": "1.0", "SpeakerEnrollmentRequests": entries},
    )
    job = start_job(voiceid, domain_id, "s3://media/in/mixed.json")
    assert describe_until_done(voiceid, domain_id, job["JobId"])[-1]["JobStatus"] == (
        "COMPLETED_WITH_ERRORS"
    )
    out = local.s3_root / "media" / "out" / job["JobId"] / "mixed.json.out"
    result = json.loads(out.read_text())
    assert [e["RequestId"] for e in result["SuccessfulEnrollments"]] == ["ok"]
    assert [(e["RequestId"], e["ErrorCode"]) for e in result["Errors"]] == [
        ("ok", 400),
        ("no-audio", 404),
        ("again", 409),
        ("generated", 400),
    ]

    overwrite = start_job(
        voiceid, domain_id, first, EnrollmentConfig={"ExistingEnrollmentAction": "OVERWRITE"}
    )
    assert describe_until_done(voiceid, domain_id, overwrite["JobId"])[-1]["JobStatus"] == (
        "COMPLETED"
    )


@pytest.mark.parametrize(
    "manifest, status_code, words",
    [
        (None, 404, "does not exist"),
        ("{not json", 400, "not valid JSON"),
        ({"Version": "1.0"}, 400, "SpeakerEnrollmentRequests"),
        ({"Version": "2.0", "SpeakerEnrollmentRequests": []}, 400, "Version"),
    ],
)
def test_job_fails_as_a_whole_with_failure_details(local, manifest, status_code, words):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    if manifest is not None:
        write(local.s3_root / "media" / "in" / "bad.json", manifest)
    (local.s3_root / "media").mkdir(exist_ok=True)
    job = start_job(voiceid, domain_id, "s3://media/in/bad.json")
    seen = describe_until_done(voiceid, domain_id, job["JobId"])
    assert [j["JobStatus"] for j in seen] == ["FAILED"]
    failure = seen[-1]["FailureDetails"]
    assert failure["StatusCode"] == status_code and words in failure["Message"]
    assert not (local.s3_root / "media" / "out").exists()
    summary = voiceid.list_speaker_enrollment_jobs(DomainId=domain_id)["JobSummaries"][0]
    assert summary["FailureDetails"] == failure


def test_time_based_progression_with_a_controlled_clock(tmp_path):
    now = [1_700_000_000.0]
    with start_embedded(tmp_path, step_seconds=10, clock=lambda: now[0]) as running:
        voiceid = client(running)
        domain_id = new_domain(voiceid)
        uri = put_manifest(running, "in/m.json", ["hana", "ivan", "june"])
        job_id = start_job(voiceid, domain_id, uri)["JobId"]

        def status():
            job = voiceid.describe_speaker_enrollment_job(DomainId=domain_id, JobId=job_id)["Job"]
            return job["JobStatus"], job["JobProgress"]["PercentComplete"]

        assert [status(), status()] == [("SUBMITTED", 0), ("SUBMITTED", 0)]
        now[0] += 10
        assert status() == ("IN_PROGRESS", 0)
        now[0] += 20
        assert status() == ("IN_PROGRESS", 66)
        now[0] += 60
        assert status() == ("COMPLETED", 100)


# -- errors as the service sends them ------------------------------------------------------


def test_missing_resources_are_resource_not_found(local):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    other_id = new_domain(voiceid, "other")
    uri = put_manifest(local, "in/m.json", ["jack"])
    job_id = start_job(voiceid, domain_id, uri)["JobId"]

    missing_domain = error_of(voiceid.describe_domain, DomainId="a" * 22)
    assert missing_domain.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing_domain.response["ResourceType"] == "DOMAIN"
    assert missing_domain.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    headers = missing_domain.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"

    wrong_domain = error_of(
        voiceid.describe_speaker_enrollment_job, DomainId=other_id, JobId=job_id
    )
    assert wrong_domain.response["ResourceType"] == "BATCH_JOB"
    no_speaker = error_of(voiceid.describe_speaker, DomainId=domain_id, SpeakerId="nobody")
    assert no_speaker.response["ResourceType"] == "SPEAKER"
    no_domain_for_job = error_of(start_job, voiceid, "b" * 22, uri)
    assert no_domain_for_job.response["ResourceType"] == "DOMAIN"


def test_requests_breaking_the_model_are_refused(local, snapshot):
    voiceid = client(local, validate=False)
    domain_id = new_domain(voiceid)
    cases = {
        "short domain id": lambda: voiceid.describe_domain(DomainId="abc"),
        "missing required": lambda: voiceid.create_domain(Name="x"),
        "several problems": lambda: voiceid.list_speaker_enrollment_jobs(
            DomainId=domain_id, JobStatus="DONE", MaxResults=0
        ),
        "sensitive value": lambda: voiceid.create_domain(
            Name="-bad", ServerSideEncryptionConfiguration={"KmsKeyId": "k"}
        ),
        "wrong type": lambda: voiceid.list_domains(MaxResults="ten"),
        "bad token": lambda: voiceid.list_domains(NextToken="not-a-token"),
    }
    answers = {}
    for name, call in cases.items():
        error = error_of(call)
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        answers[name] = (
            f"{status} {error.response['Error']['Code']}: {error.response['Error']['Message']}"
        )
    assert answers == snapshot


def test_model_checks_walk_lists_in_the_services_path_style():
    from clishape_local.faults import ServiceFault
    from clishape_local.shapes import validate_request

    arn = "arn:aws:voiceid:us-east-1:123456789012:domain/" + "a" * 22
    with pytest.raises(ServiceFault) as refused:
        validate_request(
            "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "", "Value": "v"}, {"Key": "k"}]}
        )
    assert str(refused.value) == (
        "2 validation errors detected: Value '*** Sensitive Data Redacted ***' at "
        "'tags.1.member.key' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1; Value null at 'tags.2.member.value' failed to satisfy constraint: "
        "Member must not be null"
    )
    with pytest.raises(ServiceFault) as too_many:
        validate_request("UntagResource", {"ResourceArn": arn, "TagKeys": ["k"] * 201})
    assert (
        "at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 200"
        in str(too_many.value)
    )
    with pytest.raises(ServiceFault) as wrong:
        validate_request("TagResource", {"ResourceArn": arn, "Tags": "no"})
    assert (wrong.value.code, str(wrong.value)) == (
        "SerializationException",
        "Cannot deserialize 'tags': expected a list, got str",
    )


# -- pagination ----------------------------------------------------------------------------


def test_list_calls_paginate_with_max_results_and_next_token(local):
    voiceid = client(local)
    created = [new_domain(voiceid, f"d{i}") for i in range(12)]
    first = voiceid.list_domains(MaxResults=5)
    assert len(first["DomainSummaries"]) == 5 and first["NextToken"]
    second = voiceid.list_domains(MaxResults=5, NextToken=first["NextToken"])
    third = voiceid.list_domains(MaxResults=5, NextToken=second["NextToken"])
    assert len(third["DomainSummaries"]) == 2 and "NextToken" not in third
    pages = voiceid.get_paginator("list_domains").paginate(PaginationConfig={"PageSize": 4})
    assert [d["DomainId"] for page in pages for d in page["DomainSummaries"]] == created

    domain_id = created[0]
    uri = put_manifest(local, "in/m.json", ["kim"])
    jobs = [start_job(voiceid, domain_id, uri)["JobId"] for _ in range(7)]
    paged = voiceid.get_paginator("list_speaker_enrollment_jobs").paginate(
        DomainId=domain_id, PaginationConfig={"PageSize": 3}
    )
    listed = [j["JobId"] for page in paged for j in page["JobSummaries"]]
    assert listed == jobs
    # Each list call advanced every unfinished job; by now all have finished.
    finished = voiceid.list_speaker_enrollment_jobs(
        DomainId=domain_id, JobStatus="COMPLETED", MaxResults=100
    )
    failed = voiceid.list_speaker_enrollment_jobs(DomainId=domain_id, JobStatus="FAILED")
    # The first job enrolled kim; the other six were skipped (already enrolled).
    assert [j["JobId"] for j in finished["JobSummaries"]] == jobs[:1]
    assert failed["JobSummaries"] == []

    token = voiceid.list_speaker_enrollment_jobs(DomainId=domain_id, MaxResults=2)["NextToken"]
    refused = error_of(
        voiceid.list_speaker_enrollment_jobs, DomainId=created[1], MaxResults=2, NextToken=token
    )
    assert refused.response["Error"]["Code"] == "ValidationException"


# -- persistence ---------------------------------------------------------------------------


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "state"
    with start_embedded(state) as running:
        voiceid = client(running)
        domain_id = new_domain(voiceid)
        uri = put_manifest(running, "in/m.json", ["lena", "mo"])
        job_id = start_job(voiceid, domain_id, uri)["JobId"]
        voiceid.describe_speaker_enrollment_job(DomainId=domain_id, JobId=job_id)
    with start_embedded(state) as running:
        voiceid = client(running)
        assert voiceid.describe_domain(DomainId=domain_id)["Domain"]["Name"] == "support"
        seen = describe_until_done(voiceid, domain_id, job_id)
        assert [j["JobStatus"] for j in seen][-1] == "COMPLETED" and len(seen) == 3
        assert voiceid.describe_speaker(DomainId=domain_id, SpeakerId="mo")["Speaker"]


# -- load ----------------------------------------------------------------------------------


def test_eight_parallel_clients_lose_nothing(local):
    domain_id = new_domain(client(local))
    uri = put_manifest(local, "in/load.json", ["load-speaker"])
    started: dict[int, list[str]] = {}
    problems: list[str] = []

    def worker(number: int) -> None:
        voiceid = client(local)  # each thread its own client
        mine = started.setdefault(number, [])
        try:
            for _ in range(8):
                job = start_job(voiceid, domain_id, uri, output=f"s3://media/out-{number}")
                mine.append(job["JobId"])
                last = -1
                for _ in range(5):
                    seen = voiceid.describe_speaker_enrollment_job(
                        DomainId=domain_id, JobId=job["JobId"]
                    )["Job"]
                    percent = seen["JobProgress"]["PercentComplete"]
                    if percent < last:
                        problems.append(f"progress went back on {job['JobId']}")
                    last = percent
        except Exception as error:  # collected, asserted below
            problems.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    voiceid = client(local)
    expected = sorted(job for jobs in started.values() for job in jobs)
    assert len(expected) == 64 and len(set(expected)) == 64
    pages = voiceid.get_paginator("list_speaker_enrollment_jobs").paginate(DomainId=domain_id)
    summaries = [j for page in pages for j in page["JobSummaries"]]
    assert sorted(j["JobId"] for j in summaries) == expected
    for summary in summaries:
        assert summary["JobStatus"] in ("COMPLETED", "COMPLETED_WITH_ERRORS")
        assert summary["JobProgress"] == {"PercentComplete": 100}
    outputs = list(local.s3_root.glob("media/out-*/*/load.json.out"))
    assert len(outputs) == 64
    # Exactly one job enrolled the speaker; every other one skipped it.
    statuses = [j["JobStatus"] for j in summaries]
    assert statuses.count("COMPLETED") == 1


# -- malformed requests --------------------------------------------------------------------


def raw(running, body: bytes, target="VoiceID.ListDomains", sign=True, **options):
    """Send one request by hand; return (status, parsed body)."""
    headers = {
        "X-Amz-Target": target,
        "Content-Type": options.get("content_type", "application/x-amz-json-1.0"),
    }
    if sign:
        request = AWSRequest(method="POST", url=running.url + "/", data=body, headers=headers)
        credentials = Credentials(
            options.get("key", running.access_key), options.get("secret", running.secret_key)
        )
        SigV4Auth(credentials, options.get("service", "voiceid"), "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
    body = options.get("send_body", body)
    host, port = running.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(options.get("method", "POST"), "/", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload), response.getheader("x-amzn-ErrorType")
    finally:
        connection.close()


@pytest.mark.parametrize(
    "name, body, options, status, code",
    [
        ("malformed json", b'{"MaxResults": ', {}, 400, "SerializationException"),
        ("json array", b"[1, 2]", {}, 400, "SerializationException"),
        (
            "unknown operation",
            b"{}",
            {"target": "VoiceID.FlyToTheMoon"},
            400,
            "UnknownOperationException",
        ),
        (
            "other service",
            b"{}",
            {"target": "DynamoDB_20120810.ListTables"},
            400,
            "UnknownOperationException",
        ),
        ("no target", b"{}", {"target": ""}, 400, "UnknownOperationException"),
        ("unsigned", b"{}", {"sign": False}, 403, "MissingAuthenticationTokenException"),
        ("wrong secret", b"{}", {"secret": "guess"}, 403, "InvalidSignatureException"),
        ("unknown key", b"{}", {"key": "AKIDSOMEONEELSE"}, 403, "UnrecognizedClientException"),
        ("other signing name", b"{}", {"service": "s3"}, 403, "InvalidSignatureException"),
        (
            "body changed after signing",
            b"{}",
            {"send_body": b'{"MaxResults": 1}'},
            403,
            "InvalidSignatureException",
        ),
        (
            "wrong content type",
            b"{}",
            {"content_type": "text/plain"},
            400,
            "SerializationException",
        ),
        (
            "oversized body",
            b"{" + b" " * (1024 * 1024 + 10) + b"}",
            {},
            413,
            "RequestEntityTooLargeException",
        ),
        ("get", b"", {"method": "GET"}, 405, "UnknownOperationException"),
    ],
)
def test_malformed_requests_get_clean_errors(local, name, body, options, status, code):
    options = dict(options)
    target = options.pop("target", "VoiceID.ListDomains")
    answer = raw(local, body, target=target, **options)
    assert answer[0] == status
    assert answer[1]["__type"] == code and answer[1]["message"]
    assert answer[2] == code
    # ...and the service keeps answering.
    assert raw(local, b"{}")[:2] == (200, {"DomainSummaries": []})


def test_a_wrongly_signed_boto3_call_fails_like_the_real_service(local):
    wrong = client(local, aws_secret_access_key="not-the-secret")
    assert error_of(wrong.list_domains).response["Error"]["Code"] == "InvalidSignatureException"
    assert client(local).list_domains()["DomainSummaries"] == []


# -- fallback ------------------------------------------------------------------------------


def test_operations_without_state_go_to_the_fallback(tmp_path, monkeypatch):
    from clishape_local.voiceid import VoiceIdService

    handles = VoiceIdService.handles  # these two without state here, whatever the service has
    monkeypatch.setattr(
        VoiceIdService,
        "handles",
        lambda s, op: op not in ("ListSpeakers", "DeleteDomain") and handles(s, op),
    )
    calls = []

    def fallback(operation: str, params: dict) -> dict:
        calls.append((operation, params))
        if operation == "DeleteDomain":
            raise ParamError("expected a domain that can be deleted", "--domain-id")
        return {"SpeakerSummaries": []}

    with start_embedded(tmp_path, fallback=fallback) as running:
        voiceid = client(running, validate=False)
        assert voiceid.list_speakers(DomainId="c" * 22)["SpeakerSummaries"] == []
        assert calls == [("ListSpeakers", {"DomainId": "c" * 22})]
        refused = error_of(voiceid.delete_domain, DomainId="c" * 22)
        assert refused.response["Error"]["Code"] == "ValidationException"
        assert "--domain-id" in refused.response["Error"]["Message"]
        invalid = error_of(voiceid.list_speakers, DomainId="short")
        assert invalid.response["Error"]["Code"] == "ValidationException"
        assert len(calls) == 2  # the model check runs before the fallback

    with start_embedded(tmp_path) as running:
        default = error_of(client(running).list_speakers, DomainId="c" * 22)
        assert default.response["Error"]["Code"] == "NotImplementedException"
        assert "does not implement ListSpeakers" in default.response["Error"]["Message"]


# -- clishape-local ------------------------------------------------------------------------


def test_seed_creates_a_completed_demo_job_idempotently(tmp_path, capsys):
    assert local_main(["seed", "--state-dir", str(tmp_path)]) == 0
    seeded = json.loads(capsys.readouterr().out)
    assert seeded["JobStatus"] == "COMPLETED"
    assert (tmp_path / "s3" / seeded["OutputFile"].removeprefix("s3://")).is_file()
    assert local_main(["seed", "--state-dir", str(tmp_path), "--format", "shell"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"CLISHAPE_DEMO_DOMAIN_ID={seeded['DomainId']}",
        f"CLISHAPE_DEMO_JOB_ID={seeded['JobId']}",
    ]
    with start_embedded(tmp_path) as running:
        job = client(running).describe_speaker_enrollment_job(
            DomainId=seeded["DomainId"], JobId=seeded["JobId"]
        )["Job"]
        assert job["JobStatus"] == "COMPLETED" and job["JobName"] == "clishape-demo-enrollment"


def test_serve_runs_standalone_until_interrupted(tmp_path):
    command = [sys.executable, "-m", "clishape_local.cli", "serve", "--port", "0"]
    command += ["--state-dir", str(tmp_path), "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        voiceid = boto3.client(
            "voice-id",
            endpoint_url=url,
            region_name="ap-southeast-2",
            aws_access_key_id=DEFAULT_ACCESS_KEY,
            aws_secret_access_key=DEFAULT_SECRET_KEY,
        )
        assert voiceid.list_domains()["DomainSummaries"] == []
    finally:
        process.send_signal(subprocess.signal.SIGINT)
        assert process.wait(timeout=10) == 0
        process.stderr.close()


def test_default_state_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLISHAPE_LOCAL_HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home"
    monkeypatch.delenv("CLISHAPE_LOCAL_HOME")
    assert default_state_dir() == Path.home() / ".local" / "share" / "clishape" / "local"


def test_body_limit_and_unsigned_access_are_options(tmp_path):
    with start_embedded(tmp_path, max_body_bytes=64, allow_unsigned=True) as running:
        assert raw(running, b"{}", sign=False)[:2] == (200, {"DomainSummaries": []})
        status, body, _ = raw(running, b'{"NextToken": "' + b"x" * 80 + b'"}', sign=False)
        assert (status, body["__type"]) == (413, "RequestEntityTooLargeException")
        # A signed request is still checked when unsigned ones are allowed.
        assert raw(running, b"{}", secret="guess")[0] == 403


def test_answers_are_not_held_back_by_nagles_algorithm(local, monkeypatch):
    """Every accepted connection has TCP_NODELAY set, so a kept-alive SDK client never waits for
    a delayed ACK between an answer's headers and its body (tools/bench.py times the effect)."""
    import socket

    from clishape_local import server

    seen = []
    original = server._Handler.setup

    def setup(handler):
        original(handler)
        seen.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(server._Handler, "setup", setup)
    voiceid = client(local)
    for _ in range(3):
        voiceid.list_domains()
    assert seen and all(seen)


@pytest.mark.parametrize(
    "path, body, token, extra",
    [
        ("/", b"{}", None, {}),
        ("/", b'{"MaxResults": 5}', "session  token", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}),
        ("/", b"", None, {"User-Agent": "signed-by-some-sdk"}),
        ("/a/../b?x=1&a=%20", b"{}", None, {}),
    ],
)
def test_the_short_signature_check_agrees_with_botocore(path, body, token, extra):
    """The service checks a SigV4 signature the short way where it can, botocore's signer
    deciding everything else: both accept what a client signed, and refuse a wrong secret."""
    from clishape_local import sigv4

    url = "http://127.0.0.1:9/" + path.lstrip("/")
    headers = {"X-Amz-Target": "VoiceID.ListDomains", "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest("POST", url, data=body, headers={**headers, **extra})
    SigV4Auth(Credentials("AKID", "secret", token), "voiceid", "eu-west-1").add_auth(request)
    sent = [*request.headers.items(), ("Host", "127.0.0.1:9")]
    by_name: dict = {}
    for name, value in sent:
        by_name.setdefault(name.lower(), []).append(value)
    fields = dict(
        part.strip().split("=", 1)
        for part in by_name["authorization"][0].split(" ", 1)[1].split(",")
    )
    signed = fields["SignedHeaders"].split(";")
    stamp = by_name["x-amz-date"][0]
    args = ("POST", path, signed, by_name, body, stamp, "eu-west-1", "secret")
    reference = sigv4._botocore_signature(*args)
    short = sigv4._simple_signature(*args)
    assert short in (None, reference)
    assert (short is None) == (path != "/" or "user-agent" in signed)
    caller = sigv4.verify("POST", path, sent, body, {"AKID": "secret"})
    assert (caller.access_key, caller.region) == ("AKID", "eu-west-1")
    with pytest.raises(Exception, match="signature we calculated does not match"):
        sigv4.verify("POST", path, sent, body, {"AKID": "guess"})


def test_each_answer_is_written_in_one_piece(local, monkeypatch):
    """Status line, headers and body leave in one write, answers and errors alike, so no
    answer can wait on a delayed ACK between its pieces even where TCP_NODELAY is not honoured."""
    from clishape_local import server

    writes: list[bytes] = []
    original = server._Handler.setup

    class Recorder:
        def __init__(self, wfile):
            self.wfile = wfile

        def write(self, data):
            writes.append(bytes(data))
            return self.wfile.write(data)

        def __getattr__(self, name):
            return getattr(self.wfile, name)

    def setup(handler):
        original(handler)
        handler.wfile = Recorder(handler.wfile)

    monkeypatch.setattr(server._Handler, "setup", setup)
    voiceid = client(local)
    for _ in range(3):
        voiceid.list_domains()
    with pytest.raises(ClientError):
        voiceid.describe_domain(DomainId="a" * 22)
    assert len(writes) == 4
    for data in writes:
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 ")
        length = int(re.search(rb"Content-Length: (\d+)", head)[1])
        assert length == len(body) > 0
        assert json.loads(body)


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_bad_port_is_one_line_not_a_traceback(port, capsys):
    with pytest.raises(SystemExit) as info:
        local_main(["serve", "--port", port])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --port: expected a port number from 0 to 65535, got '{port}'" in err
    assert "Traceback" not in err


def test_concurrent_first_calls_all_find_their_operation(monkeypatch):
    """The fallback's table of operations is published whole: calls arriving while the first
    call is still building it wait for it (never UnknownOperationException)."""
    import threading
    import time

    from cli_core import specs
    from cli_core.settings import SHIPPED_SPECS
    from clishape_local.fallback import spec_fallback

    load = specs.load_command

    def slow_load(*args, **kwargs):  # a slow disk: the table takes a while to build
        time.sleep(0.01)
        return load(*args, **kwargs)

    monkeypatch.setattr(specs, "load_command", slow_load)
    fallback = spec_fallback(roots=[SHIPPED_SPECS])
    operations = [
        "ListDomains",
        "ListWatchlists",
        "ListFraudsterRegistrationJobs",
        "ListSpeakers",
        "ListSpeakerEnrollmentJobs",
        "ListTagsForResource",
    ] * 2
    params = {"ListDomains": {}, "ListTagsForResource": {"ResourceArn": "arn:aws:voiceid:x"}}
    problems = []

    def call(operation):
        try:
            fallback(operation, params.get(operation, {"DomainId": "d" * 22}))
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            problems.append(f"{operation}: {error}")

    threads = [threading.Thread(target=call, args=(op,)) for op in operations]
    for thread in threads:  # staggered: later calls arrive while the table is half built
        thread.start()
        time.sleep(0.02)
    for thread in threads:
        thread.join()
    assert problems == []


# -- hostile requests (issue 10, points 4-7) ------------------------------------------------


def exchange(running, data: bytes, timeout: float = 15) -> tuple[int | None, dict | None]:
    """Send raw bytes on one connection; return the answer's status and JSON body.

    (None, None) when the service closes the connection without an answer; a socket timeout
    (the service neither answered nor closed within ``timeout`` s) fails the test.
    """
    host, port = running.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(data)
        received = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
            head, sep, rest = received.partition(b"\r\n\r\n")
            if sep:
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if length and len(rest) >= int(length.group(1)):
                    break
    if not received:
        return None, None
    head, _, rest = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(rest) if rest else None


def request_head(running, *lines: str) -> bytes:
    host = running.url.removeprefix("http://")
    extra = "".join(line + "\r\n" for line in lines)
    return (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: VoiceID.ListDomains\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\n{extra}\r\n"
    ).encode()


@pytest.mark.parametrize(
    "name, body",
    [
        ("nested 100,000 deep", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ("nested 200 deep", b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}"),
        ("5,000-digit integer", b'{"MaxResults": ' + b"9" * 5000 + b"}"),
    ],
    ids=["deep-100000", "deep-200", "long-integer"],
)
def test_malformed_bodies_are_serialization_errors_not_500(local, name, body):
    status, document, code = raw(local, body)
    assert (status, code) == (400, "SerializationException")
    assert document["message"]
    assert raw(local, b"{}")[:2] == (200, {"DomainSummaries": []})


@pytest.mark.parametrize(
    "name, lines",
    [
        ("length and chunked", ["Content-Length: 2", "Transfer-Encoding: chunked"]),
        ("two different lengths", ["Content-Length: 2", "Content-Length: 3"]),
    ],
    ids=["length-and-chunked", "two-lengths"],
)
def test_ambiguous_body_framing_is_refused(local, name, lines):
    status, document = exchange(local, request_head(local, *lines) + b"{}")
    assert status == 400
    assert document["__type"] == "SerializationException" and document["message"]
    assert raw(local, b"{}")[:2] == (200, {"DomainSummaries": []})


def test_a_body_shorter_than_its_content_length_times_out_quickly(tmp_path):
    with start_embedded(tmp_path / "state", read_timeout=2) as running:
        # Generous bound: the service answers (or closes) long before the socket's 15 s.
        status, document = exchange(running, request_head(running, "Content-Length: 100") + b"{}")
        assert status == 408 and document["__type"] == "RequestTimeoutException"
        assert raw(running, b"{}")[:2] == (200, {"DomainSummaries": []})


def signed_for_host(running, host_header: str) -> tuple[int, dict]:
    """A correctly signed ListDomains whose (signed) Host header is ``host_header``."""
    request = AWSRequest(
        method="POST",
        url=f"http://{host_header}/",
        data=b"{}",
        headers={
            "X-Amz-Target": "VoiceID.ListDomains",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    credentials = Credentials(running.access_key, running.secret_key)
    SigV4Auth(credentials, "voiceid", "us-east-1").add_auth(request)
    headers = dict(request.headers.items()) | {"Host": host_header}
    host, port = running.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", "/", body=b"{}", headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_signed_host_must_be_the_address_the_service_listens_on(local):
    port = int(local.url.rsplit(":", 1)[1])
    for wrong in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1"):
        status, document = signed_for_host(local, wrong)
        assert status == 403, wrong
        assert document["__type"] == "InvalidSignatureException"
        assert "Host" in document["message"] and f"127.0.0.1:{port}" in document["message"]
    for right in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert signed_for_host(local, right) == (200, {"DomainSummaries": []}), right
    # boto3 aimed at the service by name signs that name, and is served.
    by_name = client(local, endpoint_url=f"http://localhost:{port}")
    assert by_name.list_domains()["DomainSummaries"] == []


def test_unsigned_access_also_checks_the_host(tmp_path):
    with start_embedded(tmp_path / "state", allow_unsigned=True) as running:
        port = int(running.url.rsplit(":", 1)[1])
        host, _ = running.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            connection.request(
                "POST",
                "/",
                body=b"{}",
                headers={
                    "Host": f"rebound.example:{port}",
                    "X-Amz-Target": "VoiceID.ListDomains",
                    "Content-Type": "application/x-amz-json-1.0",
                },
            )
            response = connection.getresponse()
            document = json.loads(response.read())
        finally:
            connection.close()
        assert response.status == 403 and document["__type"] == "AccessDeniedException"
        assert raw(running, b"{}", sign=False)[:2] == (200, {"DomainSummaries": []})


def assert_domain_still_answers(voiceid, domain_id, job_id) -> None:
    """Later describe and list calls of the domain answer normally (no 500)."""
    assert voiceid.describe_domain(DomainId=domain_id)["Domain"]["DomainId"] == domain_id
    job = voiceid.describe_speaker_enrollment_job(DomainId=domain_id, JobId=job_id)["Job"]
    summaries = voiceid.list_speaker_enrollment_jobs(DomainId=domain_id)["JobSummaries"]
    assert job["JobId"] in [summary["JobId"] for summary in summaries]
    assert voiceid.list_domains()["DomainSummaries"]


@pytest.mark.parametrize(
    "input_uri, output_uri",
    [
        ("s3://media/" + "m" * 300 + "/batch.json", "s3://media/out"),
        ("s3://media/in/" + "m" * 300 + ".json", "s3://media/out"),
        ("s3://media/in/batch.json", "s3://media/" + "o" * 300),
    ],
    ids=["long-input-folder", "long-input-name", "long-output-folder"],
)
def test_a_job_with_an_impossible_path_ends_failed_not_500(local, input_uri, output_uri):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    put_manifest(local, "in/batch.json", ["hana"])
    job = start_job(voiceid, domain_id, input_uri, output=output_uri)
    done = describe_until_done(voiceid, domain_id, job["JobId"])[-1]
    assert done["JobStatus"] == "FAILED"
    assert done["FailureDetails"]["StatusCode"] in (400, 404) and done["FailureDetails"]["Message"]
    assert_domain_still_answers(voiceid, domain_id, job["JobId"])


def test_impossible_audio_paths_in_a_manifest_are_entry_errors(local):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    put_manifest(local, "in/ok.json", ["ivan"])  # creates the bucket and ivan's audio
    long_part = "s3://media/" + "a" * 300 + ".wav"
    too_deep = "s3://media/" + "/".join(["d" * 250] * 20) + "/x.wav"  # > PATH_MAX in all
    entries = [
        {
            "RequestId": "ok",
            "SpeakerId": "ivan",
            "AudioSpecifications": [{"S3Uri": "s3://media/audio/ivan.wav"}],
        },
        {"RequestId": "long", "SpeakerId": "jo", "AudioSpecifications": [{"S3Uri": long_part}]},
        {"RequestId": "deep", "SpeakerId": "kim", "AudioSpecifications": [{"S3Uri": too_deep}]},
    ]
    write(
        local.s3_root / "media" / "in" / "odd.json",
        {"Version": "1.0", "SpeakerEnrollmentRequests": entries},
    )
    job = start_job(voiceid, domain_id, "s3://media/in/odd.json")
    done = describe_until_done(voiceid, domain_id, job["JobId"])[-1]
    assert done["JobStatus"] == "COMPLETED_WITH_ERRORS"
    result = json.loads(
        (local.s3_root / "media" / "out" / job["JobId"] / "odd.json.out").read_text()
    )
    assert [e["RequestId"] for e in result["SuccessfulEnrollments"]] == ["ok"]
    assert sorted(e["RequestId"] for e in result["Errors"]) == ["deep", "long"]
    assert all(e["ErrorCode"] in (400, 404) for e in result["Errors"])
    assert_domain_still_answers(voiceid, domain_id, job["JobId"])


def test_symlinks_do_not_lead_out_of_the_s3_folder(local, tmp_path):
    voiceid = client(local)
    domain_id = new_domain(voiceid)
    outside = tmp_path / "outside"
    outside.mkdir()
    put_manifest(local, "in/inside.json", ["lena"])  # bucket "media" with lena's audio
    media = local.s3_root / "media"

    # Reading: a manifest linked to a file outside is not there.
    secret = outside / "secret.json"
    secret.write_text((media / "in" / "inside.json").read_text())
    (media / "in" / "leak.json").symlink_to(secret)
    job = start_job(voiceid, domain_id, "s3://media/in/leak.json")
    done = describe_until_done(voiceid, domain_id, job["JobId"])[-1]
    assert (done["JobStatus"], done["FailureDetails"]["StatusCode"]) == ("FAILED", 404)

    # Reading: an audio file linked to a file outside is an entry error.
    write_silence(outside / "voice.wav", 0.01)
    (media / "audio" / "mo.wav").symlink_to(outside / "voice.wav")
    entries = [
        {
            "RequestId": "r1",
            "SpeakerId": "mo",
            "AudioSpecifications": [{"S3Uri": "s3://media/audio/mo.wav"}],
        }
    ]
    write(media / "in" / "mo.json", {"Version": "1.0", "SpeakerEnrollmentRequests": entries})
    job = start_job(voiceid, domain_id, "s3://media/in/mo.json")
    done = describe_until_done(voiceid, domain_id, job["JobId"])[-1]
    assert done["JobStatus"] == "COMPLETED_WITH_ERRORS"
    result = json.loads((media / "out" / job["JobId"] / "mo.json.out").read_text())
    assert [(e["RequestId"], e["ErrorCode"]) for e in result["Errors"]] == [("r1", 404)]

    # Writing: an output folder, or a whole bucket, linked outside gets nothing written.
    (media / "escape").symlink_to(outside)
    (local.s3_root / "elsewhere").symlink_to(outside)
    for output in ("s3://media/escape", "s3://media/escape/deeper", "s3://elsewhere/out"):
        job = start_job(voiceid, domain_id, "s3://media/in/inside.json", output=output)
        done = describe_until_done(voiceid, domain_id, job["JobId"])[-1]
        assert done["JobStatus"] == "FAILED", output
        assert done["FailureDetails"]["Message"]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.json", "voice.wav"]

    # A link that stays inside the folder is followed.
    (media / "in" / "alias.json").symlink_to(media / "in" / "inside.json")
    job = start_job(voiceid, domain_id, "s3://media/in/alias.json")
    assert describe_until_done(voiceid, domain_id, job["JobId"])[-1]["JobStatus"] == "COMPLETED"


def test_serve_takes_a_read_timeout(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        local_main(["serve", "--read-timeout", "0"])
    assert exited.value.code == 2
    assert "--read-timeout" in capsys.readouterr().err
    command = [sys.executable, "-m", "clishape_local.cli", "serve", "--port", "0"]
    command += ["--state-dir", str(tmp_path), "--quiet", "--read-timeout", "1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        running = type("Running", (), {"url": url})
        status, document = exchange(running, request_head(running, "Content-Length: 50") + b"{}")
        assert status == 408 and document["__type"] == "RequestTimeoutException"
    finally:
        process.send_signal(subprocess.signal.SIGINT)
        assert process.wait(timeout=10) == 0
        process.stderr.close()


# -- the HTTP layer, seen from a raw socket ------------------------------------------------


@pytest.fixture
def open_local(tmp_path):
    """A service that answers unsigned requests, so a hand-written request gets a 200."""
    running = start_embedded(tmp_path / "state", allow_unsigned=True)
    yield running
    running.stop()


def converse(
    running, *pieces: bytes, wait: float = 10
) -> tuple[list[tuple[int, dict, bytes]], bool]:
    """Send ``pieces`` on one connection (the next once an answer to the previous arrived),
    then read what comes back until the service closes or goes quiet for a moment.

    Returns the answers as (status, lower-case headers, body), interim ones included, and
    whether the service closed the connection.
    """
    host, port = running.url.removeprefix("http://").split(":")
    answers: list[tuple[int, dict, bytes]] = []
    buffer = b""
    closed = False
    with socket.create_connection((host, int(port)), timeout=wait) as conn:
        for index, piece in enumerate(pieces):
            conn.sendall(piece)
            last = index == len(pieces) - 1
            conn.settimeout(1.0 if last else wait)
            wanted = len(answers) + 1
            while last or len(answers) < wanted:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    break
                if not chunk:
                    closed = True
                    break
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    headers = dict(
                        (name.strip().lower(), value.strip())
                        for name, _, value in (line.partition(":") for line in lines[1:])
                    )
                    length = int(headers.get("content-length", 0))
                    if len(rest) < length:
                        break
                    answers.append((int(lines[0].split()[1]), headers, rest[:length]))
                    buffer = rest[length:]
            if closed:
                break
    return answers, closed


def list_domains_request(running, *lines: str, version="HTTP/1.1", body=b"{}") -> bytes:
    host = running.url.removeprefix("http://")
    extra = "".join(line + "\r\n" for line in lines)
    return (
        f"POST / {version}\r\nHost: {host}\r\nX-Amz-Target: VoiceID.ListDomains\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n"
        f"{extra}\r\n"
    ).encode() + body


def test_kept_alive_http_1_1_answers_each_request_and_closes_when_asked(open_local):
    answers, closed = converse(
        open_local,
        list_domains_request(open_local),
        list_domains_request(open_local, "Connection: close"),
    )
    assert [(status, json.loads(body)) for status, _, body in answers] == [
        (200, {"DomainSummaries": []}),
        (200, {"DomainSummaries": []}),
    ]
    assert "connection" not in answers[0][1] and answers[1][1]["connection"] == "close"
    assert closed


@pytest.mark.parametrize(
    "lines, kept",
    [([], False), (["Connection: keep-alive"], True)],
    ids=["plain", "keep-alive"],
)
def test_http_1_0_closes_after_the_answer_unless_asked_to_keep_alive(open_local, lines, kept):
    request = list_domains_request(open_local, *lines, version="HTTP/1.0")
    answers, closed = converse(open_local, request, request)
    assert answers[0][0] == 200 and json.loads(answers[0][2]) == {"DomainSummaries": []}
    assert len(answers) == (2 if kept else 1)
    assert closed is not kept


def test_expect_100_continue_gets_the_interim_answer_before_the_body(open_local):
    request = list_domains_request(open_local, "Expect: 100-continue")
    head, _, body = request.partition(b"\r\n\r\n")
    answers, _ = converse(open_local, head + b"\r\n\r\n", body)
    assert [status for status, _, _ in answers] == [100, 200]
    assert json.loads(answers[1][2]) == {"DomainSummaries": []}


def test_expect_100_continue_with_a_body_too_large_is_refused_at_once(tmp_path):
    with start_embedded(tmp_path / "state", allow_unsigned=True, max_body_bytes=64) as running:
        request = list_domains_request(running, "Expect: 100-continue", body=b" " * 100)
        head, _, _ = request.partition(b"\r\n\r\n")
        answers, closed = converse(running, head + b"\r\n\r\n")
        assert [status for status, _, _ in answers] == [413]
        assert json.loads(answers[0][2])["__type"] == "RequestEntityTooLargeException"
        assert closed


@pytest.mark.parametrize(
    "data, status, words",
    [
        (b"POST /\r\n\r\n", 400, "request line"),
        (b"POST  / HTTP/1.1\r\n\r\n", 400, "request line"),
        (b"POST / SPDY/3\r\n\r\n", 400, "not an HTTP version"),
        (b"POST / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0 is not supported"),
        (b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "request line is longer"),
        (b"POST / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431, "header line is"),
        (b"POST / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431, "more than 100 header"),
        (b"POST / HTTP/1.1\r\nno colon here\r\n\r\n", 400, "Malformed header line"),
        (b"POST / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "Malformed header line"),
        (b"POST / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400, "Malformed header line"),
    ],
    ids=[
        "two-words",
        "double-space",
        "not-http",
        "http-2",
        "long-request-line",
        "long-header-line",
        "too-many-headers",
        "no-colon",
        "space-before-colon",
        "folding",
    ],  # fmt: skip
)
def test_a_malformed_request_head_is_answered_then_the_connection_closed(
    open_local, data, status, words
):
    answers, closed = converse(open_local, data + list_domains_request(open_local))
    assert len(answers) == 1 and closed  # what followed the bad head was not served
    assert answers[0][0] == status
    document = json.loads(answers[0][2])
    assert words in document["message"]
    assert answers[0][1]["connection"] == "close"
    # The service itself is unharmed.
    assert (
        converse(open_local, list_domains_request(open_local, "Connection: close"))[0][0][0] == 200
    )


def test_head_gets_the_answer_headers_without_a_body(open_local):
    request = list_domains_request(open_local, "Connection: close").replace(b"POST", b"HEAD", 1)
    host, port = open_local.url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        while chunk := conn.recv(65536):  # the service closes after the answer
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ") and rest == b""
    assert int(re.search(rb"Content-Length: (\d+)", head)[1]) > 0


def test_each_answer_has_its_own_request_id(local):
    """SDKs show x-amzn-RequestId as the request id: a version-4 UUID, new for every answer."""
    import uuid

    voiceid = client(local)
    ids = [voiceid.list_domains()["ResponseMetadata"]["RequestId"] for _ in range(20)]
    with pytest.raises(ClientError) as caught:
        voiceid.describe_domain(DomainId="a" * 22)
    ids.append(caught.value.response["ResponseMetadata"]["RequestId"])
    assert len(set(ids)) == len(ids)
    for text in ids:
        assert str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4


def test_the_request_log_shows_control_characters_escaped(tmp_path, capfd):
    """What a client sends reaches the log escaped: no terminal escape sequence is replayed."""
    from clishape_local.embedded import build_server

    server = build_server(state_dir=tmp_path / "state", log_requests=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        with socket.create_connection((host, port), timeout=10) as conn:
            conn.sendall(
                f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nX-Amz-Target: \x1b[31mred\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            while conn.recv(65536):
                pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        server.app.service.store.close()
    err = capfd.readouterr().err
    assert '127.0.0.1 \\x1b[31mred "GET / HTTP/1.1" 405 -' in err
    assert "\x1b" not in err
