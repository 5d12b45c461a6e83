"""A stateful property test of the local Voice ID service.

Hypothesis runs random sequences of operations (domains, encryption updates, watchlists,
fraudster registration, associations, enrollment with fraud detection, opt-out, deletion, tags)
with boto3 against a freshly started service and against ``Model``, a small reference model of
the rules written here, and compares every answer: the error code (with ``ResourceType`` /
``ConflictType``) or the parts of the result the model knows.

Audio: voice ``n`` is 4,000 seeded random bytes; two different voices have similarity 0 and a
voice with itself 100 (``clishape_local.voiceprint``), so with the default thresholds (50) a
recording matches exactly the fraudsters and speakers registered with the same voice.

``CLISHAPE_MODEL_EXAMPLES`` sets how many sequences run (default 20; e.g. 2000 for a long run).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from clishape_local import start_embedded
from clishape_local.voiceid import Quotas

EXAMPLES = int(os.environ.get("CLISHAPE_MODEL_EXAMPLES", "20"))
ROLE = "arn:aws:iam::123456789012:role/model"
UNKNOWN = "U" * 22
KEYS = ["k1", "k2", "k-disabled"]
NAMES = ["alpha", "beta"]
TOKENS = [None, "t1", "t2"]
VOICES = [1, 2, 3]
SPEAKERS = ["sam", "kim", "lee"]
QUOTAS = Quotas(domains=3, watchlists_per_domain=3, fraudsters_per_domain=4, tags_per_resource=3)
UNKNOWN_PICK = 19
picks = st.integers(0, UNKNOWN_PICK)  # an index into the known ids; 19: an unknown one


@dataclass
class Domain:
    id: str
    name: str
    description: str | None
    key: str
    default_watchlist: str
    arn: str
    update: str | None = None  # None, IN_PROGRESS, COMPLETED, FAILED
    old_key: str | None = None
    watchlists: dict[str, dict] = field(default_factory=dict)  # id -> {name, description}
    fraudsters: dict[str, dict] = field(default_factory=dict)  # id -> {voice, watchlists}
    speakers: dict[str, dict] = field(default_factory=dict)  # customer id -> {status, voice}
    tags: dict[str, str] = field(default_factory=dict)


class Model:
    """The rules, as the module docstring of ``clishape_local.voiceid`` states them."""

    def __init__(self):
        self.domains: dict[str, Domain] = {}
        self.tokens: dict[str, str] = {}

    def look(self, domain: Domain) -> None:
        if domain.update == "IN_PROGRESS":
            disabled = "disabled" in domain.key or "disabled" in (domain.old_key or "")
            domain.update = "FAILED" if disabled else "COMPLETED"


def outcome(call, **kwargs):
    """("ok", response) or ("error", code, ResourceType/ConflictType or None)."""
    try:
        return ("ok", call(**kwargs))
    except ClientError as error:
        response = error.response
        kind = response.get("ResourceType") or response.get("ConflictType")
        return ("error", response["Error"]["Code"], kind)


def not_found(kind: str):
    return ("error", "ResourceNotFoundException", kind)


class VoiceIdMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="voiceid-model-")
        self.running = start_embedded(self.folder, processing_steps=1)
        service = self.running.app.service
        service.config = dataclasses.replace(service.config, quotas=QUOTAS)
        config = Config(retries={"total_max_attempts": 1})
        self.client = boto3.client("voice-id", config=config, **self.running.client_kwargs())
        self.model = Model()
        for voice in VOICES:
            path = self.running.s3_root / "media" / "audio" / f"{voice}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(random.Random(voice).randbytes(4000))
        self.jobs = 0

    def teardown(self):
        self.running.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- picking ids -----------------------------------------------------------------------
    def domain(self, pick: int) -> Domain | None:
        ids = list(self.model.domains)
        return self.model.domains[ids[pick % len(ids)]] if ids and pick < UNKNOWN_PICK else None

    def domain_id(self, pick: int) -> str:
        domain = self.domain(pick)
        return domain.id if domain else UNKNOWN

    @staticmethod
    def member(ids, pick: int, unknown: str) -> str:
        ids = list(ids)
        return ids[pick % len(ids)] if ids and pick < UNKNOWN_PICK else unknown

    # -- domains ---------------------------------------------------------------------------
    @initialize(name=st.sampled_from(NAMES), key=st.sampled_from(KEYS))
    def first_domain(self, name, key):
        self.create_domain(name, key, None)

    @rule(name=st.sampled_from(NAMES), key=st.sampled_from(KEYS), token=st.sampled_from(TOKENS))
    def create_domain(self, name, key, token):
        params = {"Name": name, "ServerSideEncryptionConfiguration": {"KmsKeyId": key}}
        if token:
            params["ClientToken"] = token
        got = outcome(self.client.create_domain, **params)
        model = self.model
        if token in model.tokens:
            assert got[0] == "ok" and got[1]["Domain"]["DomainId"] == model.tokens[token]
            return
        if len(model.domains) >= QUOTAS.domains:
            assert got == ("error", "ServiceQuotaExceededException", None)
            return
        assert got[0] == "ok", got
        made = got[1]["Domain"]
        assert (made["Name"], made["ServerSideEncryptionConfiguration"]["KmsKeyId"]) == (name, key)
        model.domains[made["DomainId"]] = Domain(
            made["DomainId"], name, None, key, made["WatchlistDetails"]["DefaultWatchlistId"],
            made["Arn"],
        )  # fmt: skip
        model.domains[made["DomainId"]].watchlists[
            made["WatchlistDetails"]["DefaultWatchlistId"]
        ] = {"name": "Default", "description": None}
        if token:
            model.tokens[token] = made["DomainId"]

    def check_domain(self, body: dict, domain: Domain) -> None:
        assert body["Name"] == domain.name
        assert body.get("Description") == domain.description
        assert body["ServerSideEncryptionConfiguration"]["KmsKeyId"] == domain.key
        details = body.get("ServerSideEncryptionUpdateDetails") or {}
        assert details.get("UpdateStatus") == domain.update
        assert details.get("OldKmsKeyId") == domain.old_key

    @rule(pick=picks)
    def describe_domain(self, pick):
        domain = self.domain(pick)
        got = outcome(self.client.describe_domain, DomainId=self.domain_id(pick))
        if domain is None:
            assert got == not_found("DOMAIN")
            return
        self.model.look(domain)
        assert got[0] == "ok"
        self.check_domain(got[1]["Domain"], domain)

    @rule(size=st.integers(1, 3))
    def list_domains(self, size):
        pages = self.client.get_paginator("list_domains").paginate(
            PaginationConfig={"PageSize": size}
        )
        listed = [d for page in pages for d in page["DomainSummaries"]]
        assert [d["DomainId"] for d in listed] == list(self.model.domains)
        for body in listed:
            domain = self.model.domains[body["DomainId"]]
            self.model.look(domain)
            self.check_domain(body, domain)

    @rule(
        pick=picks,
        name=st.sampled_from(NAMES),
        description=st.sampled_from([None, "about"]),
        key=st.sampled_from(KEYS),
    )
    def update_domain(self, pick, name, description, key):
        domain = self.domain(pick)
        params = {"DomainId": self.domain_id(pick), "Name": name,
                  "ServerSideEncryptionConfiguration": {"KmsKeyId": key}}  # fmt: skip
        if description:
            params["Description"] = description
        got = outcome(self.client.update_domain, **params)
        if domain is None:
            assert got == not_found("DOMAIN")
            return
        if key != domain.key:
            if domain.update == "IN_PROGRESS":
                assert got == (
                    "error",
                    "ConflictException",
                    "DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES",
                )
                return
            domain.old_key, domain.update = domain.key, "IN_PROGRESS"
        elif domain.update == "FAILED":
            domain.update = "IN_PROGRESS"
        domain.name, domain.description, domain.key = name, description, key
        assert got[0] == "ok", got
        self.check_domain(got[1]["Domain"], domain)

    @rule(pick=picks)
    def delete_domain(self, pick):
        domain = self.domain(pick)
        got = outcome(self.client.delete_domain, DomainId=self.domain_id(pick))
        if domain is None:
            assert got == not_found("DOMAIN")
            return
        assert got[0] == "ok"
        del self.model.domains[domain.id]
        self.model.tokens = {t: d for t, d in self.model.tokens.items() if d != domain.id}
        assert outcome(self.client.list_watchlists, DomainId=domain.id) == not_found("DOMAIN")

    # -- tags ------------------------------------------------------------------------------
    @rule(pick=picks, keys=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3))
    def tag_resource(self, pick, keys):
        domain = self.domain(pick)
        arn = domain.arn if domain else f"arn:aws:voiceid:us-east-1:123456789012:domain/{UNKNOWN}"
        tags = [{"Key": key, "Value": "v" + key} for key in keys]
        got = outcome(self.client.tag_resource, ResourceArn=arn, Tags=tags)
        if domain is None:
            assert got == not_found("DOMAIN")
        elif len(set(keys)) != len(keys) or len(set(keys) | set(domain.tags)) > 3:
            assert got == ("error", "ValidationException", None)
        else:
            assert got[0] == "ok"
            domain.tags.update({key: "v" + key for key in keys})

    @rule(pick=picks, keys=st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=2))
    def untag_resource(self, pick, keys):
        domain = self.domain(pick)
        if domain is None:
            return
        assert outcome(self.client.untag_resource, ResourceArn=domain.arn, TagKeys=keys)[0] == "ok"
        for key in keys:
            domain.tags.pop(key, None)

    # -- watchlists ------------------------------------------------------------------------
    @rule(pick=picks, name=st.sampled_from(NAMES))
    def create_watchlist(self, pick, name):
        domain = self.domain(pick)
        got = outcome(self.client.create_watchlist, DomainId=self.domain_id(pick), Name=name)
        if domain is None:
            assert got == not_found("DOMAIN")
        elif len(domain.watchlists) >= QUOTAS.watchlists_per_domain:
            assert got == ("error", "ServiceQuotaExceededException", None)
        else:
            assert got[0] == "ok"
            made = got[1]["Watchlist"]
            assert (made["Name"], made["DefaultWatchlist"]) == (name, False)
            domain.watchlists[made["WatchlistId"]] = {"name": name, "description": None}

    @rule(pick=picks, which=picks, description=st.sampled_from([None, "d1", "d2"]))
    def update_watchlist(self, pick, which, description):
        domain = self.domain(pick)
        if domain is None:
            return
        watchlist_id = self.member(domain.watchlists, which, UNKNOWN)
        params = {"DomainId": domain.id, "WatchlistId": watchlist_id}
        if description:
            params["Description"] = description
        got = outcome(self.client.update_watchlist, **params)
        if watchlist_id not in domain.watchlists:
            assert got == not_found("WATCHLIST")
        elif watchlist_id == domain.default_watchlist:
            assert got == ("error", "ValidationException", None)
        else:
            assert got[0] == "ok"
            if description:
                domain.watchlists[watchlist_id]["description"] = description
            assert (
                got[1]["Watchlist"].get("Description")
                == (domain.watchlists[watchlist_id]["description"])
            )

    @rule(pick=picks, which=picks)
    def delete_watchlist(self, pick, which):
        domain = self.domain(pick)
        if domain is None:
            return
        watchlist_id = self.member(domain.watchlists, which, UNKNOWN)
        got = outcome(self.client.delete_watchlist, DomainId=domain.id, WatchlistId=watchlist_id)
        if watchlist_id not in domain.watchlists:
            assert got == not_found("WATCHLIST")
        elif watchlist_id == domain.default_watchlist:
            assert got == ("error", "ValidationException", None)
        elif any(watchlist_id in f["watchlists"] for f in domain.fraudsters.values()):
            assert got == ("error", "ConflictException", "CANNOT_DELETE_NON_EMPTY_WATCHLIST")
        else:
            assert got[0] == "ok"
            del domain.watchlists[watchlist_id]

    @rule(pick=picks)
    def list_watchlists(self, pick):
        domain = self.domain(pick)
        got = outcome(self.client.list_watchlists, DomainId=self.domain_id(pick), MaxResults=100)
        if domain is None:
            assert got == not_found("DOMAIN")
            return
        listed = got[1]["WatchlistSummaries"]
        assert [w["WatchlistId"] for w in listed] == list(domain.watchlists)
        assert [w.get("Description") for w in listed] == [
            w["description"] for w in domain.watchlists.values()
        ]

    # -- jobs ------------------------------------------------------------------------------
    def run_job(self, start, describe, domain: Domain, key: str, entries: list, **config):
        self.jobs += 1
        path = self.running.s3_root / "media" / "in" / f"{self.jobs}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"Version": "1.0", key: entries}))
        got = outcome(
            start,
            DomainId=domain.id,
            DataAccessRoleArn=ROLE,
            InputDataConfig={"S3Uri": f"s3://media/in/{self.jobs}.json"},
            OutputDataConfig={"S3Uri": "s3://media/out"},
            **config,
        )
        if got[0] != "ok":
            return got
        job_id = got[1]["Job"]["JobId"]
        for _ in range(3):
            job = describe(DomainId=domain.id, JobId=job_id)["Job"]
        assert job["JobStatus"] in ("COMPLETED", "COMPLETED_WITH_ERRORS"), job
        out = self.running.s3_root / "media" / "out" / job_id / f"{self.jobs}.json.out"
        return ("ok", json.loads(out.read_text()))

    @rule(pick=picks, voice=st.sampled_from(VOICES))
    def register_to_default(self, pick, voice):
        domain = self.domain(pick)
        if domain is not None:
            which = list(domain.watchlists).index(domain.default_watchlist)
            self.register_fraudster(pick, voice, which, as_new=False)

    @rule(pick=picks, voice=st.sampled_from(VOICES), which=picks,
          as_new=st.booleans())  # fmt: skip
    def register_fraudster(self, pick, voice, which, as_new):
        domain = self.domain(pick)
        if domain is None:
            return
        watchlist_id = self.member(domain.watchlists, which, UNKNOWN)
        entry = {"RequestId": "r", "AudioSpecifications": [
            {"S3Uri": f"s3://media/audio/{voice}.wav", "ChannelId": 0}]}  # fmt: skip
        config = {"WatchlistIds": [watchlist_id]}
        if as_new:
            config["DuplicateRegistrationAction"] = "REGISTER_AS_NEW"
        got = self.run_job(
            self.client.start_fraudster_registration_job,
            self.client.describe_fraudster_registration_job,
            domain, "FraudsterRegistrationRequests", [entry], RegistrationConfig=config,
        )  # fmt: skip
        if watchlist_id not in domain.watchlists:
            assert got == not_found("WATCHLIST")
            return
        output = got[1]
        same = [fid for fid, f in domain.fraudsters.items() if f["voice"] == voice]
        if same and not as_new:
            [result] = output["SuccessfulRegistrations"]
            assert result["RegistrationStatus"] == "DUPLICATE_SKIPPED"
            assert result["GeneratedFraudsterId"] == same[0]
        elif len(domain.fraudsters) >= QUOTAS.fraudsters_per_domain:
            assert [e["ErrorCode"] for e in output["Errors"]] == [402]
        else:
            [result] = output["SuccessfulRegistrations"]
            assert result["RegistrationStatus"] == "NEW"
            domain.fraudsters[result["GeneratedFraudsterId"]] = {
                "voice": voice, "watchlists": [watchlist_id]}  # fmt: skip

    @rule(pick=picks, fraudster=picks, which=picks)
    def associate_fraudster(self, pick, fraudster, which):
        self.change_association(pick, fraudster, which, associate=True)

    @rule(pick=picks, fraudster=picks, which=picks)
    def disassociate_fraudster(self, pick, fraudster, which):
        self.change_association(pick, fraudster, which, associate=False)

    def change_association(self, pick, fraudster, which, associate):
        domain = self.domain(pick)
        if domain is None:
            return
        fraudster_id = self.member(domain.fraudsters, fraudster, "id#" + UNKNOWN)
        watchlist_id = self.member(domain.watchlists, which, UNKNOWN)
        call = self.client.associate_fraudster if associate else self.client.disassociate_fraudster
        got = outcome(call, DomainId=domain.id, FraudsterId=fraudster_id, WatchlistId=watchlist_id)
        if watchlist_id not in domain.watchlists:
            assert got == not_found("WATCHLIST")
            return
        if fraudster_id not in domain.fraudsters:
            assert got == not_found("FRAUDSTER")
            return
        mine = domain.fraudsters[fraudster_id]["watchlists"]
        if associate:
            if watchlist_id not in mine:
                mine.append(watchlist_id)
        elif watchlist_id not in mine:
            assert got == ("error", "ValidationException", None)
            return
        elif mine == [watchlist_id]:
            assert got == (
                "error",
                "ConflictException",
                "FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST",
            )
            return
        else:
            mine.remove(watchlist_id)
        assert got[0] == "ok" and got[1]["Fraudster"]["WatchlistIds"] == mine

    @rule(pick=picks, fraudster=picks)
    def delete_fraudster(self, pick, fraudster):
        domain = self.domain(pick)
        if domain is None:
            return
        fraudster_id = self.member(domain.fraudsters, fraudster, "id#" + UNKNOWN)
        got = outcome(self.client.delete_fraudster, DomainId=domain.id, FraudsterId=fraudster_id)
        if fraudster_id not in domain.fraudsters:
            assert got == not_found("FRAUDSTER")
        else:
            assert got[0] == "ok"
            del domain.fraudsters[fraudster_id]

    @rule(pick=picks, which=st.one_of(st.none(), picks))
    def list_fraudsters(self, pick, which):
        domain = self.domain(pick)
        if domain is None:
            return
        params = {"DomainId": domain.id, "MaxResults": 2}
        watchlist_id = None
        if which is not None:
            watchlist_id = params["WatchlistId"] = self.member(domain.watchlists, which, UNKNOWN)
        if watchlist_id is not None and watchlist_id not in domain.watchlists:
            assert outcome(self.client.list_fraudsters, **params) == not_found("WATCHLIST")
            return
        pages = self.client.get_paginator("list_fraudsters").paginate(
            **{k: v for k, v in params.items() if k != "MaxResults"},
            PaginationConfig={"PageSize": 2},
        )
        listed = {f["GeneratedFraudsterId"]: f["WatchlistIds"] for p in pages
                  for f in p["FraudsterSummaries"]}  # fmt: skip
        expected = {fid: f["watchlists"] for fid, f in domain.fraudsters.items()
                    if watchlist_id is None or watchlist_id in f["watchlists"]}  # fmt: skip
        assert listed == expected

    # -- speakers --------------------------------------------------------------------------
    @rule(pick=picks, speaker=st.sampled_from(SPEAKERS), voice=st.sampled_from(VOICES),
          action=st.sampled_from(["FAIL", "IGNORE"]),
          overwrite=st.booleans())  # fmt: skip
    def enroll_speaker(self, pick, speaker, voice, action, overwrite):
        domain = self.domain(pick)
        if domain is None:
            return
        entry = {"RequestId": "r", "SpeakerId": speaker, "AudioSpecifications": [
            {"S3Uri": f"s3://media/audio/{voice}.wav", "ChannelId": 0}]}  # fmt: skip
        config = {
            "ExistingEnrollmentAction": "OVERWRITE" if overwrite else "SKIP",
            "FraudDetectionConfig": {"FraudDetectionAction": action},
        }
        got = self.run_job(
            self.client.start_speaker_enrollment_job,
            self.client.describe_speaker_enrollment_job,
            domain, "SpeakerEnrollmentRequests", [entry], EnrollmentConfig=config,
        )  # fmt: skip
        output = got[1]
        known = domain.speakers.get(speaker)
        flagged = any(
            f["voice"] == voice and domain.default_watchlist in f["watchlists"]
            for f in domain.fraudsters.values()
        )
        if known and known["status"] == "OPTED_OUT":
            assert [e["ErrorCode"] for e in output["Errors"]] == [409]
        elif known and known["status"] == "ENROLLED" and not overwrite:
            assert [e["ErrorCode"] for e in output["Errors"]] == [409]
        elif flagged and action == "FAIL":
            assert [e["ErrorCode"] for e in output["Errors"]] == [409]
        else:
            [result] = output["SuccessfulEnrollments"]
            assert result["FraudDetectionDecision"] == ("HIGH_RISK" if flagged else "LOW_RISK")
            domain.speakers[speaker] = {"status": "ENROLLED", "voice": voice}

    @rule(pick=picks, speaker=st.sampled_from(SPEAKERS), op=st.sampled_from(["opt", "delete"]))
    def change_speaker(self, pick, speaker, op):
        domain = self.domain(pick)
        if domain is None:
            return
        if op == "opt":
            got = outcome(self.client.opt_out_speaker, DomainId=domain.id, SpeakerId=speaker)
            assert got[0] == "ok" and got[1]["Speaker"]["Status"] == "OPTED_OUT"
            domain.speakers[speaker] = {"status": "OPTED_OUT", "voice": None}
        else:
            got = outcome(self.client.delete_speaker, DomainId=domain.id, SpeakerId=speaker)
            if speaker in domain.speakers:
                assert got[0] == "ok"
                del domain.speakers[speaker]
            else:
                assert got == not_found("SPEAKER")

    @rule(pick=picks, speaker=st.sampled_from(SPEAKERS), voice=st.sampled_from(VOICES))
    def evaluate_session(self, pick, speaker, voice):
        domain = self.domain(pick)
        if domain is None:
            return
        folder = self.running.s3_root / "voiceid-sessions" / domain.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "call.wav").write_bytes(random.Random(voice).randbytes(4000))
        (folder / "call.json").write_text(json.dumps({"SpeakerId": speaker}))
        got = outcome(self.client.evaluate_session, DomainId=domain.id, SessionNameOrId="call")
        assert got[0] == "ok"
        known = domain.speakers.get(speaker)
        if known is None:
            expected = "SPEAKER_NOT_ENROLLED"
        elif known["status"] == "OPTED_OUT":
            expected = "SPEAKER_OPTED_OUT"
        else:
            expected = "ACCEPT" if known["voice"] == voice else "REJECT"
        assert got[1]["AuthenticationResult"]["Decision"] == expected
        flagged = any(
            f["voice"] == voice and domain.default_watchlist in f["watchlists"]
            for f in domain.fraudsters.values()
        )
        assert got[1]["FraudDetectionResult"]["Decision"] == (
            "HIGH_RISK" if flagged else "LOW_RISK"
        )

    # -- what always holds -----------------------------------------------------------------
    @invariant()
    def speakers_and_tags_match(self):
        if not hasattr(self, "model"):
            return
        for domain in self.model.domains.values():
            listed = self.client.list_speakers(DomainId=domain.id)["SpeakerSummaries"]
            assert {s["CustomerSpeakerId"]: s["Status"] for s in listed} == {
                name: s["status"] for name, s in domain.speakers.items()
            }
            tags = self.client.list_tags_for_resource(ResourceArn=domain.arn)["Tags"]
            assert {t["Key"]: t["Value"] for t in tags} == domain.tags


VoiceIdMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_the_service_follows_the_model = VoiceIdMachine.TestCase
