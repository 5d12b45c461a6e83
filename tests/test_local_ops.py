"""Every Voice ID operation of the local service, driven with boto3 (and a few with clishape).

Audio in these tests is made of seeded random bytes: the local service compares recordings by
their 4-byte sequences (``clishape_local.voiceprint``), so two different seeds are two different
voices (similarity about 0) and the same file is the same voice (similarity 100).
"""

from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cli_core.testing import run
from clishape_local import start_embedded
from clishape_local.store import Store
from clishape_local.voiceid import Quotas, derived_id

ROLE = "arn:aws:iam::123456789012:role/voiceid-batch"
KEY = {"KmsKeyId": "alias/local"}
FINISHED = ("COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED")


@pytest.fixture
def local(tmp_path):
    running = start_embedded(tmp_path / "state")
    yield running
    running.stop()


@pytest.fixture
def voiceid(local):
    config = Config(retries={"total_max_attempts": 1})
    return boto3.client("voice-id", config=config, **local.client_kwargs())


def error_of(call, **kwargs) -> dict:
    """The error answer of ``call``: code, message and modeled members under "Error"."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    modeled = {k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")}
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return {"Error": {**response["Error"], **modeled}, "Status": status}


def set_quotas(local, **quotas) -> None:
    service = local.app.service
    service.config = dataclasses.replace(service.config, quotas=Quotas(**quotas))


def voice(local, key: str, seed: int, size: int = 4000, bucket: str = "media") -> str:
    """An audio file of voice ``seed`` in the fake S3; its URI."""
    path = local.s3_root / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return f"s3://{bucket}/{key}"


def manifest(local, key: str, kind: str, entries: list[dict], bucket: str = "media") -> str:
    path = local.s3_root / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Version": "1.0", kind: entries}))
    return f"s3://{bucket}/{key}"


def audio(uri: str) -> list[dict]:
    return [{"S3Uri": uri, "ChannelId": 0}]


def new_domain(voiceid, name="support", **extra) -> dict:
    return voiceid.create_domain(Name=name, ServerSideEncryptionConfiguration=KEY, **extra)[
        "Domain"
    ]


def finish(describe, **ids) -> dict:
    for _ in range(10):
        job = describe(**ids)["Job"]
        if job["JobStatus"] in FINISHED:
            return job
    raise AssertionError(f"never finished: {job}")


def output_of(local, job: dict, manifest_uri: str) -> dict:
    folder = job["OutputDataConfig"]["S3Uri"].removeprefix("s3://")
    name = manifest_uri.rsplit("/", 1)[-1] + ".out"
    return json.loads((local.s3_root / folder / job["JobId"] / name).read_text())


def register(local, voiceid, domain_id, seeds, key="fraud.json", **config) -> tuple[dict, dict]:
    """Run a fraudster registration job for voices ``seeds``; (job, output file)."""
    entries = [
        {"RequestId": f"f{n}", "AudioSpecifications": audio(voice(local, f"f/{seed}.wav", seed))}
        for n, seed in enumerate(seeds)
    ]
    uri = manifest(local, f"in/{key}", "FraudsterRegistrationRequests", entries)
    started = voiceid.start_fraudster_registration_job(
        DomainId=domain_id,
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": uri},
        OutputDataConfig={"S3Uri": "s3://media/out"},
        **({"RegistrationConfig": config} if config else {}),
    )["Job"]
    assert started["JobStatus"] == "SUBMITTED"
    job = finish(
        voiceid.describe_fraudster_registration_job, DomainId=domain_id, JobId=started["JobId"]
    )
    return job, output_of(local, job, uri)


def enroll(local, voiceid, domain_id, speakers: dict, key="enroll.json", **config):
    """Run a speaker enrollment job for ``{speaker: seed}``; (job, output file)."""
    entries = [
        {
            "RequestId": f"r{n}",
            "SpeakerId": speaker,
            "AudioSpecifications": audio(voice(local, f"a/{seed}.wav", seed)),
        }
        for n, (speaker, seed) in enumerate(speakers.items())
    ]
    uri = manifest(local, f"in/{key}", "SpeakerEnrollmentRequests", entries)
    started = voiceid.start_speaker_enrollment_job(
        DomainId=domain_id,
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": uri},
        OutputDataConfig={"S3Uri": "s3://media/out"},
        **({"EnrollmentConfig": config} if config else {}),
    )["Job"]
    job = finish(
        voiceid.describe_speaker_enrollment_job, DomainId=domain_id, JobId=started["JobId"]
    )
    return job, output_of(local, job, uri)


def code(response: dict) -> str:
    return response["Error"]["Code"]


# -- domains -------------------------------------------------------------------------------


def test_domain_create_describe_update_list_delete(voiceid):
    domain = new_domain(voiceid, Description="first", ClientToken="tok-1")
    assert new_domain(voiceid, Description="again", ClientToken="tok-1") == domain  # idempotent
    assert voiceid.describe_domain(DomainId=domain["DomainId"])["Domain"] == domain
    updated = voiceid.update_domain(
        DomainId=domain["DomainId"], Name="renamed", ServerSideEncryptionConfiguration=KEY
    )["Domain"]
    assert updated["Name"] == "renamed" and "Description" not in updated  # clobbered
    assert "ServerSideEncryptionUpdateDetails" not in updated  # same key: no update
    other = new_domain(voiceid, "other")
    listed = voiceid.list_domains()["DomainSummaries"]
    assert [d["DomainId"] for d in listed] == [domain["DomainId"], other["DomainId"]]
    assert listed[0]["Name"] == "renamed"

    voiceid.delete_domain(DomainId=domain["DomainId"])
    gone = error_of(voiceid.describe_domain, DomainId=domain["DomainId"])
    assert (code(gone), gone["Error"]["ResourceType"], gone["Status"]) == (
        "ResourceNotFoundException",
        "DOMAIN",
        404,
    )
    for call in (voiceid.list_watchlists, voiceid.list_speakers, voiceid.delete_domain):
        assert code(error_of(call, DomainId=domain["DomainId"])) == "ResourceNotFoundException"
    assert [d["DomainId"] for d in voiceid.list_domains()["DomainSummaries"]] == [other["DomainId"]]


def test_a_key_change_moves_the_encryption_update_through_its_statuses(voiceid):
    domain_id = new_domain(voiceid)["DomainId"]
    change = {"DomainId": domain_id, "Name": "support"}
    started = voiceid.update_domain(
        **change, ServerSideEncryptionConfiguration={"KmsKeyId": "alias/new"}
    )["Domain"]
    assert started["ServerSideEncryptionUpdateDetails"]["UpdateStatus"] == "IN_PROGRESS"
    assert started["ServerSideEncryptionUpdateDetails"]["OldKmsKeyId"] == "alias/local"
    locked = error_of(
        voiceid.update_domain, **change, ServerSideEncryptionConfiguration={"KmsKeyId": "k3"}
    )
    assert code(locked) == "ConflictException"
    assert locked["Error"]["ConflictType"] == "DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES"
    done = voiceid.describe_domain(DomainId=domain_id)["Domain"]  # one look ends it
    assert done["ServerSideEncryptionUpdateDetails"]["UpdateStatus"] == "COMPLETED"
    assert done["ServerSideEncryptionConfiguration"] == {"KmsKeyId": "alias/new"}

    voiceid.update_domain(**change, ServerSideEncryptionConfiguration={"KmsKeyId": "k-disabled"})
    failed = voiceid.list_domains()["DomainSummaries"][0]["ServerSideEncryptionUpdateDetails"]
    assert failed["UpdateStatus"] == "FAILED" and "k-disabled" in failed["Message"]
    retry = voiceid.update_domain(
        **change, ServerSideEncryptionConfiguration={"KmsKeyId": "k-disabled"}
    )["Domain"]
    assert retry["ServerSideEncryptionUpdateDetails"]["UpdateStatus"] == "IN_PROGRESS"


def test_domain_quota_and_pagination(local, voiceid):
    set_quotas(local, domains=3)
    ids = [new_domain(voiceid, f"d{n}")["DomainId"] for n in range(3)]
    over = error_of(voiceid.create_domain, Name="d4", ServerSideEncryptionConfiguration=KEY)
    assert (code(over), over["Status"]) == ("ServiceQuotaExceededException", 402)
    first = voiceid.list_domains(MaxResults=2)
    second = voiceid.list_domains(MaxResults=2, NextToken=first["NextToken"])
    assert [d["DomainId"] for d in first["DomainSummaries"] + second["DomainSummaries"]] == ids
    assert "NextToken" not in second


# -- tags ----------------------------------------------------------------------------------


def test_tags_on_domains_with_the_services_limits(local, voiceid):
    domain = new_domain(voiceid, Tags=[{"Key": "team", "Value": "fraud"}])
    arn = domain["Arn"]
    assert voiceid.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "fraud"}
    ]
    voiceid.tag_resource(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "risk"}, {"Key": "env", "Value": "dev"}]
    )
    assert voiceid.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "risk"},
        {"Key": "env", "Value": "dev"},
    ]
    voiceid.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert voiceid.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    reserved = error_of(voiceid.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": ""}])
    assert code(reserved) == "ValidationException" and "aws:" in reserved["Error"]["Message"]
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    assert code(error_of(voiceid.tag_resource, ResourceArn=arn, Tags=twice)) == (
        "ValidationException"
    )
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(50)]
    too_many = error_of(voiceid.tag_resource, ResourceArn=arn, Tags=many)  # 50 + env
    assert code(too_many) == "ValidationException" and "50" in too_many["Error"]["Message"]
    assert len(voiceid.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 1  # nothing applied
    elsewhere = arn.replace("us-east-1", "eu-west-1")
    missing = error_of(voiceid.list_tags_for_resource, ResourceArn=elsewhere)
    assert (code(missing), missing["Error"]["ResourceType"]) == (
        "ResourceNotFoundException",
        "DOMAIN",
    )
    voiceid.delete_domain(DomainId=domain["DomainId"])
    assert code(error_of(voiceid.list_tags_for_resource, ResourceArn=arn)) == (
        "ResourceNotFoundException"
    )


# -- watchlists ----------------------------------------------------------------------------


def test_watchlists_and_their_rules(local, voiceid):
    domain = new_domain(voiceid)
    domain_id = domain["DomainId"]
    default_id = domain["WatchlistDetails"]["DefaultWatchlistId"]
    default = voiceid.describe_watchlist(DomainId=domain_id, WatchlistId=default_id)["Watchlist"]
    assert default["DefaultWatchlist"] is True
    created = voiceid.create_watchlist(
        DomainId=domain_id, Name="vip", Description="high value", ClientToken="w1"
    )["Watchlist"]
    again = voiceid.create_watchlist(DomainId=domain_id, Name="other", ClientToken="w1")
    assert again["Watchlist"] == created
    updated = voiceid.update_watchlist(
        DomainId=domain_id, WatchlistId=created["WatchlistId"], Name="vip2"
    )["Watchlist"]
    assert (updated["Name"], updated["Description"]) == ("vip2", "high value")
    listed = voiceid.list_watchlists(DomainId=domain_id, MaxResults=1)
    rest = voiceid.list_watchlists(DomainId=domain_id, NextToken=listed["NextToken"])
    assert [
        w["WatchlistId"] for w in listed["WatchlistSummaries"] + rest["WatchlistSummaries"]
    ] == [
        default_id,
        created["WatchlistId"],
    ]
    for call in (voiceid.update_watchlist, voiceid.delete_watchlist):
        refused = error_of(call, DomainId=domain_id, WatchlistId=default_id)
        assert code(refused) == "ValidationException"
        assert "default watchlist" in refused["Error"]["Message"]

    set_quotas(local, watchlists_per_domain=3)
    voiceid.create_watchlist(DomainId=domain_id, Name="third")
    assert code(error_of(voiceid.create_watchlist, DomainId=domain_id, Name="fourth")) == (
        "ServiceQuotaExceededException"
    )
    voiceid.delete_watchlist(DomainId=domain_id, WatchlistId=created["WatchlistId"])
    missing = error_of(
        voiceid.describe_watchlist, DomainId=domain_id, WatchlistId=created["WatchlistId"]
    )
    assert missing["Error"]["ResourceType"] == "WATCHLIST"


# -- fraudsters and their registration jobs ------------------------------------------------


def test_fraudster_registration_with_duplicates_and_an_output_file(local, voiceid):
    domain = new_domain(voiceid)
    domain_id = domain["DomainId"]
    default_id = domain["WatchlistDetails"]["DefaultWatchlistId"]
    job, output = register(local, voiceid, domain_id, [1, 2, 1])
    assert job["JobStatus"] == "COMPLETED" and job["JobProgress"]["PercentComplete"] == 100
    assert job["RegistrationConfig"]["DuplicateRegistrationAction"] == "SKIP"
    new, other, duplicate = output["SuccessfulRegistrations"]
    assert (new["RegistrationStatus"], other["RegistrationStatus"]) == ("NEW", "NEW")
    assert duplicate == {
        "RequestId": "f2",
        "GeneratedFraudsterId": new["GeneratedFraudsterId"],
        "RegistrationStatus": "DUPLICATE_SKIPPED",
        "FraudsterSimilarityScore": 100,
    }
    assert output["Errors"] == []
    fraudster = voiceid.describe_fraudster(
        DomainId=domain_id, FraudsterId=new["GeneratedFraudsterId"]
    )["Fraudster"]
    assert fraudster["WatchlistIds"] == [default_id]

    # REGISTER_AS_NEW registers the same voice again; a threshold of 100 needs identical audio.
    job2, output2 = register(
        local,
        voiceid,
        domain_id,
        [1],
        key="again.json",
        DuplicateRegistrationAction="REGISTER_AS_NEW",
    )
    assert output2["SuccessfulRegistrations"][0]["RegistrationStatus"] == "NEW"
    assert output2["SuccessfulRegistrations"][0]["FraudsterSimilarityScore"] == 100
    summaries = voiceid.list_fraudsters(DomainId=domain_id)["FraudsterSummaries"]
    assert len(summaries) == 3
    jobs = voiceid.list_fraudster_registration_jobs(DomainId=domain_id, MaxResults=1)
    more = voiceid.list_fraudster_registration_jobs(
        DomainId=domain_id, MaxResults=1, NextToken=jobs["NextToken"]
    )
    assert [j["JobId"] for j in jobs["JobSummaries"] + more["JobSummaries"]] == [
        job["JobId"],
        job2["JobId"],
    ]
    missing = error_of(
        voiceid.describe_fraudster_registration_job, DomainId=domain_id, JobId="J" * 22
    )
    assert missing["Error"]["ResourceType"] == "BATCH_JOB"


def test_registration_job_steps_failures_and_quota(local, voiceid):
    domain_id = new_domain(voiceid)["DomainId"]
    started = voiceid.start_fraudster_registration_job(
        DomainId=domain_id,
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": "s3://media/in/none.json"},
        OutputDataConfig={"S3Uri": "s3://media/out"},
    )["Job"]
    failed = finish(
        voiceid.describe_fraudster_registration_job, DomainId=domain_id, JobId=started["JobId"]
    )
    assert failed["JobStatus"] == "FAILED" and failed["FailureDetails"]["StatusCode"] == 404
    listed = voiceid.list_fraudster_registration_jobs(DomainId=domain_id, JobStatus="FAILED")
    assert [j["JobId"] for j in listed["JobSummaries"]] == [started["JobId"]]
    unknown = error_of(
        voiceid.start_fraudster_registration_job,
        DomainId=domain_id,
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": "s3://media/in/none.json"},
        OutputDataConfig={"S3Uri": "s3://media/out"},
        RegistrationConfig={"WatchlistIds": ["W" * 22]},
    )
    assert unknown["Error"]["ResourceType"] == "WATCHLIST"

    set_quotas(local, fraudsters_per_domain=2)
    job, output = register(local, voiceid, domain_id, [11, 12, 13])
    assert job["JobStatus"] == "COMPLETED_WITH_ERRORS"
    assert [e["ErrorCode"] for e in output["Errors"]] == [402]
    assert len(output["SuccessfulRegistrations"]) == 2


def test_associate_disassociate_and_delete_fraudsters(local, voiceid):
    domain = new_domain(voiceid)
    domain_id = domain["DomainId"]
    default_id = domain["WatchlistDetails"]["DefaultWatchlistId"]
    vip = voiceid.create_watchlist(DomainId=domain_id, Name="vip")["Watchlist"]["WatchlistId"]
    _, output = register(local, voiceid, domain_id, [21, 22])
    first, second = (r["GeneratedFraudsterId"] for r in output["SuccessfulRegistrations"])
    ids = {"DomainId": domain_id, "FraudsterId": first}

    both = voiceid.associate_fraudster(**ids, WatchlistId=vip)["Fraudster"]
    assert both["WatchlistIds"] == [default_id, vip]
    assert voiceid.associate_fraudster(**ids, WatchlistId=vip)["Fraudster"] == both  # no-op
    in_vip = voiceid.list_fraudsters(DomainId=domain_id, WatchlistId=vip)["FraudsterSummaries"]
    assert [f["GeneratedFraudsterId"] for f in in_vip] == [first]
    busy = error_of(voiceid.delete_watchlist, DomainId=domain_id, WatchlistId=vip)
    assert busy["Error"]["ConflictType"] == "CANNOT_DELETE_NON_EMPTY_WATCHLIST"

    left = voiceid.disassociate_fraudster(**ids, WatchlistId=default_id)["Fraudster"]
    assert left["WatchlistIds"] == [vip]
    last = error_of(voiceid.disassociate_fraudster, **ids, WatchlistId=vip)
    assert last["Error"]["ConflictType"] == "FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST"
    not_in = error_of(voiceid.disassociate_fraudster, **ids, WatchlistId=default_id)
    assert code(not_in) == "ValidationException" and "FraudsterId" in not_in["Error"]["Message"]

    voiceid.delete_fraudster(**ids)
    gone = error_of(voiceid.describe_fraudster, **ids)
    assert gone["Error"]["ResourceType"] == "FRAUDSTER"
    voiceid.delete_watchlist(DomainId=domain_id, WatchlistId=vip)  # empty now
    remaining = voiceid.list_fraudsters(DomainId=domain_id)["FraudsterSummaries"]
    assert [f["GeneratedFraudsterId"] for f in remaining] == [second]
    unknown = error_of(voiceid.list_fraudsters, DomainId=domain_id, WatchlistId=vip)
    assert unknown["Error"]["ResourceType"] == "WATCHLIST"


# -- speakers and enrollment with fraud detection ------------------------------------------


def test_enrollment_fraud_detection_fail_and_ignore(local, voiceid):
    domain_id = new_domain(voiceid)["DomainId"]
    _, registered = register(local, voiceid, domain_id, [31])
    fraudster_id = registered["SuccessfulRegistrations"][0]["GeneratedFraudsterId"]
    # Speaker "mallory" speaks with the fraudster's voice (seed 31); "alice" with her own.
    job, output = enroll(local, voiceid, domain_id, {"alice": 32, "mallory": 31})
    assert job["JobStatus"] == "COMPLETED_WITH_ERRORS"
    assert job["EnrollmentConfig"]["FraudDetectionConfig"]["FraudDetectionAction"] == "FAIL"
    [alice] = output["SuccessfulEnrollments"]
    assert (alice["SpeakerId"], alice["FraudDetectionDecision"]) == ("alice", "LOW_RISK")
    [flagged] = output["Errors"]
    assert flagged["RequestId"] == "r1" and flagged["ErrorCode"] == 409
    assert fraudster_id in flagged["ErrorMessage"]
    assert code(error_of(voiceid.describe_speaker, DomainId=domain_id, SpeakerId="mallory")) == (
        "ResourceNotFoundException"
    )

    job, output = enroll(
        local,
        voiceid,
        domain_id,
        {"mallory": 31},
        key="ignore.json",
        FraudDetectionConfig={"FraudDetectionAction": "IGNORE"},
    )
    assert job["JobStatus"] == "COMPLETED"
    [enrolled] = output["SuccessfulEnrollments"]
    assert enrolled["FraudDetectionDecision"] == "HIGH_RISK"
    assert (enrolled["FraudRiskScore"], enrolled["GeneratedFraudsterId"]) == (100, fraudster_id)
    speaker = voiceid.describe_speaker(DomainId=domain_id, SpeakerId="mallory")["Speaker"]
    assert speaker["Status"] == "ENROLLED"

    # A threshold above the score lets the speaker through; an empty watchlist flags no one.
    vip = voiceid.create_watchlist(DomainId=domain_id, Name="vip")["Watchlist"]["WatchlistId"]
    _, output = enroll(
        local,
        voiceid,
        domain_id,
        {"trent": 31},
        key="vip.json",
        FraudDetectionConfig={"WatchlistIds": [vip], "RiskThreshold": 0},
    )
    assert output["SuccessfulEnrollments"][0]["FraudDetectionDecision"] == "LOW_RISK"


def test_speakers_describe_list_opt_out_and_delete(local, voiceid):
    domain_id = new_domain(voiceid)["DomainId"]
    _, output = enroll(local, voiceid, domain_id, {"alice": 41, "bob": 42})
    alice_id = output["SuccessfulEnrollments"][0]["GeneratedSpeakerId"]
    by_generated = voiceid.describe_speaker(DomainId=domain_id, SpeakerId=alice_id)["Speaker"]
    assert (
        by_generated == voiceid.describe_speaker(DomainId=domain_id, SpeakerId="alice")["Speaker"]
    )
    page = voiceid.list_speakers(DomainId=domain_id, MaxResults=1)
    rest = voiceid.list_speakers(DomainId=domain_id, NextToken=page["NextToken"])
    assert [
        s["CustomerSpeakerId"] for s in page["SpeakerSummaries"] + rest["SpeakerSummaries"]
    ] == [
        "alice",
        "bob",
    ]

    opted = voiceid.opt_out_speaker(DomainId=domain_id, SpeakerId=alice_id)["Speaker"]
    assert (opted["Status"], opted["GeneratedSpeakerId"]) == ("OPTED_OUT", alice_id)
    carol = voiceid.opt_out_speaker(DomainId=domain_id, SpeakerId="carol")["Speaker"]
    assert carol["Status"] == "OPTED_OUT" and carol["GeneratedSpeakerId"].startswith("id#")
    unknown = error_of(voiceid.opt_out_speaker, DomainId=domain_id, SpeakerId="id#" + "x" * 22)
    assert unknown["Error"]["ResourceType"] == "SPEAKER"
    _, again = enroll(
        local,
        voiceid,
        domain_id,
        {"alice": 41},
        key="again.json",
        ExistingEnrollmentAction="OVERWRITE",
    )
    assert "opted out" in again["Errors"][0]["ErrorMessage"]

    voiceid.delete_speaker(DomainId=domain_id, SpeakerId="bob")
    assert (
        error_of(voiceid.describe_speaker, DomainId=domain_id, SpeakerId="bob")["Error"][
            "ResourceType"
        ]
        == "SPEAKER"
    )
    assert code(error_of(voiceid.delete_speaker, DomainId=domain_id, SpeakerId="bob")) == (
        "ResourceNotFoundException"
    )
    set_quotas(local, speakers_per_domain=2)
    assert code(error_of(voiceid.opt_out_speaker, DomainId=domain_id, SpeakerId="dave")) == (
        "ServiceQuotaExceededException"
    )


# -- sessions ------------------------------------------------------------------------------


def session(local, domain_id: str, name: str, seed: int | None, size=4000, **settings) -> None:
    folder = local.s3_root / "voiceid-sessions" / domain_id
    folder.mkdir(parents=True, exist_ok=True)
    data = random.Random(seed).randbytes(size) if seed is not None else b""
    (folder / f"{name}.wav").write_bytes(data)
    if settings:
        (folder / f"{name}.json").write_text(json.dumps(settings))


def test_evaluate_session_authenticates_and_detects_fraud(local, voiceid):
    domain = new_domain(voiceid)
    domain_id = domain["DomainId"]
    _, registered = register(local, voiceid, domain_id, [51])
    fraudster_id = registered["SuccessfulRegistrations"][0]["GeneratedFraudsterId"]
    _, enrolled = enroll(local, voiceid, domain_id, {"alice": 52})
    alice_id = enrolled["SuccessfulEnrollments"][0]["GeneratedSpeakerId"]

    session(local, domain_id, "call-1", 52, SpeakerId="alice")
    result = voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-1")
    assert result["SessionName"] == "call-1" and result["StreamingStatus"] == "ENDED"
    assert result["SessionId"] == "id#" + derived_id(domain_id, "call-1")
    auth = result["AuthenticationResult"]
    assert (auth["Decision"], auth["Score"], auth["GeneratedSpeakerId"]) == (
        "ACCEPT",
        100,
        alice_id,
    )
    assert auth["Configuration"] == {"AcceptanceThreshold": 90}
    fraud = result["FraudDetectionResult"]
    assert fraud["Decision"] == "LOW_RISK"
    assert fraud["Configuration"]["WatchlistId"] == domain["WatchlistDetails"]["DefaultWatchlistId"]
    by_id = voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId=result["SessionId"])
    assert by_id["AuthenticationResult"] == auth  # same audio, same answer

    session(local, domain_id, "call-2", 51, SpeakerId="alice", RiskThreshold=60)
    impostor = voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-2")
    assert impostor["AuthenticationResult"]["Decision"] == "REJECT"
    fraud = impostor["FraudDetectionResult"]
    assert (fraud["Decision"], fraud["Reasons"]) == ("HIGH_RISK", ["KNOWN_FRAUDSTER"])
    assert fraud["RiskDetails"]["KnownFraudsterRisk"] == {
        "GeneratedFraudsterId": fraudster_id,
        "RiskScore": 100,
    }

    session(local, domain_id, "call-3", 52)
    assert (
        voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-3")[
            "AuthenticationResult"
        ]["Decision"]
        == "SPEAKER_ID_NOT_PROVIDED"
    )
    session(local, domain_id, "call-4", None, SpeakerId="alice")
    short = voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-4")
    assert short["AuthenticationResult"]["Decision"] == "NOT_ENOUGH_SPEECH"
    assert short["FraudDetectionResult"]["Decision"] == "NOT_ENOUGH_SPEECH"
    session(local, domain_id, "call-5", 52, SpeakerId="zed")
    assert (
        voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-5")[
            "AuthenticationResult"
        ]["Decision"]
        == "SPEAKER_NOT_ENROLLED"
    )
    voiceid.opt_out_speaker(DomainId=domain_id, SpeakerId="alice")
    assert (
        voiceid.evaluate_session(DomainId=domain_id, SessionNameOrId="call-1")[
            "AuthenticationResult"
        ]["Decision"]
        == "SPEAKER_OPTED_OUT"
    )

    for unknown in ("call-9", "id#" + "Z" * 22):
        missing = error_of(voiceid.evaluate_session, DomainId=domain_id, SessionNameOrId=unknown)
        assert (code(missing), missing["Error"]["ResourceType"]) == (
            "ResourceNotFoundException",
            "SESSION",
        )
    session(local, domain_id, "call-6", 52, AcceptanceThreshold="high")
    bad = error_of(voiceid.evaluate_session, DomainId=domain_id, SessionNameOrId="call-6")
    assert code(bad) == "ValidationException" and "AcceptanceThreshold" in bad["Error"]["Message"]


# -- state ---------------------------------------------------------------------------------


def test_a_schema_1_state_folder_opens_and_gains_its_default_watchlists(tmp_path):
    state = tmp_path / "old"
    state.mkdir()
    body = {
        "Arn": "arn:aws:voiceid:us-east-1:123456789012:domain/" + "D" * 22,
        "CreatedAt": 1.0,
        "DomainId": "D" * 22,
        "DomainStatus": "ACTIVE",
        "Name": "old",
        "ServerSideEncryptionConfiguration": KEY,
        "UpdatedAt": 1.0,
        "WatchlistDetails": {"DefaultWatchlistId": "W" * 22},
    }
    with sqlite3.connect(state / "voiceid.sqlite3") as db:
        db.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema', '1');"
            "CREATE TABLE domains (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
            " client_token TEXT UNIQUE, body TEXT NOT NULL);"
        )
        db.execute("INSERT INTO domains (id, body) VALUES (?, ?)", ("D" * 22, json.dumps(body)))
    with start_embedded(state) as running:
        client = boto3.client("voice-id", **running.client_kwargs())
        listed = client.list_watchlists(DomainId="D" * 22)["WatchlistSummaries"]
        assert [(w["WatchlistId"], w["DefaultWatchlist"]) for w in listed] == [("W" * 22, True)]
    store = Store(state)
    try:
        assert store._one("SELECT value FROM meta WHERE key = 'schema'", ())[0] == "2"
    finally:
        store.close()


def test_a_newer_schema_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "voiceid.sqlite3") as db:
        db.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema', '99');"
        )
    with pytest.raises(RuntimeError, match="schema 99"):
        Store(tmp_path)


def test_a_rule_broken_half_way_changes_nothing(local, voiceid):
    domain = new_domain(voiceid)
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    refused = error_of(
        voiceid.create_domain, Name="tagged", ServerSideEncryptionConfiguration=KEY, Tags=many
    )
    assert code(refused) == "ValidationException"
    assert [d["DomainId"] for d in voiceid.list_domains()["DomainSummaries"]] == [
        domain["DomainId"]
    ]


# -- through clishape ----------------------------------------------------------------------


def clishape(local, *argv):
    env = {
        "AWS_ACCESS_KEY_ID": local.access_key,
        "AWS_SECRET_ACCESS_KEY": local.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return run(["--endpoint-url", local.url, "voice-id", *argv], env=env)


def test_clishape_drives_the_new_operations_and_shows_service_errors(local, voiceid):
    domain = new_domain(voiceid)
    domain_id = domain["DomainId"]
    made = clishape(local, "create-watchlist", "--domain-id", domain_id, "--name", "vip",
                    "--query", "Watchlist.WatchlistId", "--output", "text")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    listed = clishape(local, "list-watchlists", "--domain-id", domain_id,
                      "--query", "WatchlistSummaries[].Name", "--output", "text")  # fmt: skip
    assert listed.stdout.split() == ["Default", "vip"]

    deleted = clishape(local, "delete-domain", "--domain-id", domain_id)
    assert deleted.exit_code == 0, deleted.stderr
    gone = clishape(local, "describe-domain", "--domain-id", domain_id)
    assert gone.exit_code == 254
    assert "ResourceNotFoundException" in gone.stderr and "Traceback" not in gone.stderr

    other = new_domain(voiceid, "other")
    default_id = other["WatchlistDetails"]["DefaultWatchlistId"]
    refused = clishape(local, "delete-watchlist", "--domain-id", other["DomainId"],
                       "--watchlist-id", default_id)  # fmt: skip
    assert refused.exit_code == 254 and "ValidationException" in refused.stderr
    no_session = clishape(local, "evaluate-session", "--domain-id", other["DomainId"],
                          "--session-name-or-id", "nobody")  # fmt: skip
    assert no_session.exit_code == 254 and "ResourceNotFoundException" in no_session.stderr
    speakers = clishape(local, "list-speakers", "--domain-id", other["DomainId"])
    assert speakers.exit_code == 0 and json.loads(speakers.stdout) == {"SpeakerSummaries": []}


def test_every_operation_is_served_with_state():
    from clishape_local.shapes import operation_names
    from clishape_local.voiceid import ServiceConfig, VoiceIdService

    service = VoiceIdService.__new__(VoiceIdService)
    VoiceIdService.__init__(service, store=None, config=ServiceConfig(s3_root=Path(".")))
    assert sorted(service.handlers) == sorted(operation_names())
    assert len(service.handlers) == 29


def test_a_state_folder_of_a_newer_schema_is_a_one_line_error(tmp_path):
    import sqlite3

    from cli_core.testing import run

    env = {"CLISHAPE_LOCAL": "1", "CLISHAPE_LOCAL_HOME": str(tmp_path)}
    assert run(["voice-id", "list-domains"], env=env, local_endpoint=_hook()).exit_code == 0
    with sqlite3.connect(tmp_path / "voiceid.sqlite3") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    result = run(["voice-id", "list-domains"], env=env, local_endpoint=_hook())
    assert result.exit_code == 253
    assert result.stderr.count("\n") == 1
    assert "has schema 99; this clishape-local knows schema 2 at most" in result.stderr


def _hook():
    from clishape_local.embedded import local_endpoint

    return local_endpoint
