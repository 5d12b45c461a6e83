"""The local service — all 29 Voice ID operations, with state kept in ``store``.

Handlers take the request's parameters (already checked against the model by ``shapes``) and
return the response document; errors are raised as ``ServiceFault``. Every handler runs in one
store transaction, so a request that breaks a rule half-way changes nothing.

**Domains.** ``CreateDomain`` makes the domain and its default watchlist (named ``Default``);
a ``ClientToken`` seen before answers the domain it made. ``UpdateDomain`` replaces name,
description (absent: removed) and key. A *key change* starts an encryption update:
``ServerSideEncryptionUpdateDetails`` becomes ``IN_PROGRESS`` (with ``OldKmsKeyId``) and moves
on the way a job does (below: one step, taken at the next look, or after ``step_seconds``) to
``COMPLETED`` — or to ``FAILED`` when the new or the old key id contains the word ``disabled``
(the local stand-in for a disabled or inaccessible KMS key). While an update is in progress a
further key change is a ``ConflictException`` (``DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES``);
after ``FAILED``, an ``UpdateDomain`` with the same key tries the update again. Looks at a
domain: ``DescribeDomain`` and ``ListDomains``. ``DeleteDomain`` removes the domain with its
watchlists, fraudsters, speakers, jobs, voiceprints and tags.

**Speakers** are made by enrollment jobs (and by ``OptOutSpeaker`` of an unknown customer
speaker id, as the real service does). Describe, delete and opt out take the generated id
(``id#...``) or the customer id. Opting out sets ``OPTED_OUT`` and drops the voiceprint; an
opted-out speaker is never enrolled again (its manifest entry is an error).

**Watchlists and fraudsters.** The default watchlist can be neither updated nor deleted
(``ValidationException``); a watchlist with fraudsters cannot be deleted (``ConflictException``,
``CANNOT_DELETE_NON_EMPTY_WATCHLIST``). Fraudsters are made by registration jobs, each in one
watchlist at first; ``AssociateFraudster`` adds a watchlist, ``DisassociateFraudster`` removes
one. A fraudster is never in no watchlist: disassociating its last one is refused
(``ConflictException``, ``FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST``, as the service's
documentation says), and ``DeleteFraudster`` removes it from all of them.

**Batch jobs** (speaker enrollment and fraudster registration move alike; deterministic, no
background thread):

- ``Start...Job`` answers ``SUBMITTED`` with ``PercentComplete`` 0.
- The job then takes ``1 + processing_steps`` steps. Step 1 moves it to ``IN_PROGRESS`` and reads
  its input manifest; a missing manifest, one that is not valid JSON or not of the manifest
  format, or a missing output bucket ends the job at once as ``FAILED`` with ``FailureDetails``.
  Each later step handles the next share of the manifest's entries (``PercentComplete`` rises);
  the last one writes the output file and ends the job as ``COMPLETED`` (no entry failed) or
  ``COMPLETED_WITH_ERRORS``.
- When steps happen: with ``step_seconds=None`` (the default) a job takes one step each time a
  client looks at it: every ``Describe...Job`` of it, and every ``List...Jobs`` call of its
  domain. With ``step_seconds=S`` it has taken ``elapsed // S`` steps whenever it is looked at
  (``0`` finishes a job on the first look).

The fake S3: ``s3://bucket/key`` is the file ``<s3_root>/bucket/key``; symlinks in it are followed
only while they stay inside ``<s3_root>``, and a key with a part longer than 255 bytes names no
file. Any file-system error while a job runs ends it as ``FAILED``. The manifests::

    {"Version": "1.0",
     "SpeakerEnrollmentRequests": [
        {"RequestId": "req-1", "SpeakerId": "customer-17",
         "AudioSpecifications": [{"S3Uri": "s3://bucket/audio/customer-17.wav", "ChannelId": 0}]}]}

    {"Version": "1.0",
     "FraudsterRegistrationRequests": [
        {"RequestId": "req-1",
         "AudioSpecifications": [{"S3Uri": "s3://bucket/audio/caller-9.wav", "ChannelId": 0}]}]}

Each entry fails on its own (``COMPLETED_WITH_ERRORS``) when its RequestId is missing or
repeated, its audio list is empty, longer than 10 or names a file that does not exist, or a
quota is reached. Enrollment entries also fail when the SpeakerId is not a customer speaker id,
the speaker opted out, or is enrolled already and ``ExistingEnrollmentAction`` is ``SKIP`` (the
default); and when fraud detection flags the speaker and ``FraudDetectionAction`` is ``FAIL``.

*Fraud detection* (enrollment): the entry's voiceprint (see ``voiceprint``: a similarity of
audio bytes, 0..100) is compared with every fraudster of the job's watchlist
(``FraudDetectionConfig.WatchlistIds``, else the domain's default one). The highest similarity
is the risk score; at or above ``RiskThreshold`` (default 50) the speaker is flagged: with
``FAIL`` the entry is an error (409), with ``IGNORE`` the speaker is enrolled and the output
entry says ``"FraudDetectionDecision": "HIGH_RISK"`` with the score and the closest fraudster.

*Duplicate detection* (registration): the entry's voiceprint is compared with every fraudster of
the domain; at or above ``FraudsterSimilarityThreshold`` (default 50) it is a duplicate. With
``DuplicateRegistrationAction`` ``SKIP`` (the default) no fraudster is made and the output entry
has ``"RegistrationStatus": "DUPLICATE_SKIPPED"`` and the closest fraudster's id; with
``REGISTER_AS_NEW`` (and for every non-duplicate) a new fraudster is made in the job's watchlist
(``RegistrationConfig.WatchlistIds``, else the default one): ``"RegistrationStatus": "NEW"``.

The output file ``<output folder>/<job id>/<input file name>.out`` holds ``{"Version": "1.0",
"SuccessfulEnrollments" | "SuccessfulRegistrations": [...], "Errors": [{"RequestId": ...,
"ErrorCode": 404, "ErrorMessage": ...}]}``.

**Sessions** (``EvaluateSession``). Locally, a session named ``NAME`` of domain ``D`` is the
audio file ``s3://voiceid-sessions/D/NAME.wav`` (``<s3_root>/voiceid-sessions/D/NAME.wav``),
with an optional JSON file beside it, ``NAME.json``: ``{"SpeakerId": ..., "AcceptanceThreshold":
90, "RiskThreshold": 50, "WatchlistId": ...}`` (the values shown are the defaults; no SpeakerId:
``SPEAKER_ID_NOT_PROVIDED``). Its ``SessionId`` is ``id#`` and 22 characters derived from ``D``
and ``NAME`` (stable); either may be asked for. The session has ended (``StreamingStatus``
``ENDED``); authentication compares its audio with the speaker's voiceprint (``ACCEPT`` at or
above the threshold, else ``REJECT``; ``SPEAKER_NOT_ENROLLED``, ``SPEAKER_OPTED_OUT``,
``NOT_ENOUGH_SPEECH`` when they apply) and fraud detection with the watchlist's fraudsters
(``HIGH_RISK`` with reason ``KNOWN_FRAUDSTER`` at or above the risk threshold, else
``LOW_RISK``; voice spoofing is never detected). A session whose audio file does not exist is a
``ResourceNotFoundException`` (``SESSION``).

**Tags**: Voice ID tags domains (its ARN pattern names nothing else). At most 50 tags a
resource (the usual AWS tag quota), keys unique in a request, the ``aws:`` prefix reserved —
each a ``ValidationException``.

**Quotas** (``Quotas``, per state folder; ``ServiceConfig.quotas`` changes them): 50 domains,
5 watchlists a domain (the default one included), 10,000 fraudsters and 100,000 speakers a
domain, 50 tags a resource. They are the local service's own figures, chosen near Voice ID's
published quotas but not checked against an account. Going past one is a
``ServiceQuotaExceededException`` for a request, an entry error (402) in a job. Domains are not
told apart by region.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from clishape_local import voiceprint as vp
from clishape_local.faults import ServiceFault, not_found
from clishape_local.store import Store

ID_ALPHABET = string.ascii_letters + string.digits
FINISHED = ("COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED")
MANIFEST_VERSION = "1.0"
MAX_AUDIO_FILES = 10
MAX_NAME_BYTES = 255  # the longest file name common file systems hold
DEFAULT_WATCHLIST_NAME = "Default"
DEFAULT_RISK_THRESHOLD = 50
DEFAULT_SIMILARITY_THRESHOLD = 50
DEFAULT_ACCEPTANCE_THRESHOLD = 90
SESSIONS_BUCKET = "voiceid-sessions"
RESERVED_TAG_PREFIX = "aws:"
_CUSTOMER_SPEAKER_ID = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,255}")
_S3_URI = re.compile(r"s3://([a-z0-9][.\-a-z0-9]{1,61}[a-z0-9])(?:/(.*))?")
_SESSION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,35}")


def new_id() -> str:
    """A 22-character alphanumeric identifier, as the service makes them."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(22))


def derived_id(*parts: str) -> str:
    """A stable 22-character identifier derived from ``parts``."""
    digest = int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(22):
        digest, index = divmod(digest, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[index])
    return "".join(chars)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Quotas:
    """The service quotas the local service enforces."""

    domains: int = 50
    watchlists_per_domain: int = 5
    fraudsters_per_domain: int = 10_000
    speakers_per_domain: int = 100_000
    tags_per_resource: int = 50


@dataclass(frozen=True)
class ServiceConfig:
    """How the local Voice ID behaves; ``s3_root`` is the folder standing in for S3."""

    s3_root: Path
    account_id: str = "123456789012"
    processing_steps: int = 3
    step_seconds: float | None = None
    clock: Callable[[], float] = field(default=time.time)
    quotas: Quotas = field(default_factory=Quotas)


class _JobFailed(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class _JobKind:
    kind: str  # the store's name
    title: str  # in messages
    manifest_key: str
    output_key: str


SPEAKER_JOBS = _JobKind(
    "speaker", "speaker enrollment job", "SpeakerEnrollmentRequests", "SuccessfulEnrollments"
)
FRAUDSTER_JOBS = _JobKind(
    "fraudster",
    "fraudster registration job",
    "FraudsterRegistrationRequests",
    "SuccessfulRegistrations",
)
_KINDS = {kind.kind: kind for kind in (SPEAKER_JOBS, FRAUDSTER_JOBS)}


def quota_exceeded(what: str, limit: int) -> ServiceFault:
    return ServiceFault(
        "ServiceQuotaExceededException", f"The quota of {limit} {what} has been reached."
    )


def invalid(message: str) -> ServiceFault:
    return ServiceFault("ValidationException", message)


def conflict(conflict_type: str, message: str) -> ServiceFault:
    return ServiceFault("ConflictException", message, ConflictType=conflict_type)


class VoiceIdService:
    """The stateful operations; ``handle(operation, params, region)`` is the one entry point."""

    def __init__(self, store: Store, config: ServiceConfig):
        self.store = store
        self.config = config
        self.handlers: dict[str, Callable[[dict, str], dict]] = {
            "AssociateFraudster": self.associate_fraudster,
            "CreateDomain": self.create_domain,
            "CreateWatchlist": self.create_watchlist,
            "DeleteDomain": self.delete_domain,
            "DeleteFraudster": self.delete_fraudster,
            "DeleteSpeaker": self.delete_speaker,
            "DeleteWatchlist": self.delete_watchlist,
            "DescribeDomain": self.describe_domain,
            "DescribeFraudster": self.describe_fraudster,
            "DescribeFraudsterRegistrationJob": self.describe_fraudster_registration_job,
            "DescribeSpeaker": self.describe_speaker,
            "DescribeSpeakerEnrollmentJob": self.describe_speaker_enrollment_job,
            "DescribeWatchlist": self.describe_watchlist,
            "DisassociateFraudster": self.disassociate_fraudster,
            "EvaluateSession": self.evaluate_session,
            "ListDomains": self.list_domains,
            "ListFraudsterRegistrationJobs": self.list_fraudster_registration_jobs,
            "ListFraudsters": self.list_fraudsters,
            "ListSpeakerEnrollmentJobs": self.list_speaker_enrollment_jobs,
            "ListSpeakers": self.list_speakers,
            "ListTagsForResource": self.list_tags_for_resource,
            "ListWatchlists": self.list_watchlists,
            "OptOutSpeaker": self.opt_out_speaker,
            "StartFraudsterRegistrationJob": self.start_fraudster_registration_job,
            "StartSpeakerEnrollmentJob": self.start_speaker_enrollment_job,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
            "UpdateDomain": self.update_domain,
            "UpdateWatchlist": self.update_watchlist,
        }

    @property
    def quotas(self) -> Quotas:
        return self.config.quotas

    def handles(self, operation: str) -> bool:
        return operation in self.handlers

    def handle(self, operation: str, params: dict, region: str) -> dict:
        with self.store.transaction():
            return self.handlers[operation](params, region)

    def now(self) -> float:
        return round(self.config.clock(), 3)

    def page(self, params: dict, operation: str, key: str, rows_for, default_limit: int = 100):
        """One page of a list call: (rows, NextToken or None). ``rows_for(after, limit)``."""
        after = read_token(params.get("NextToken"), operation, key)
        limit = params.get("MaxResults") or default_limit
        rows = rows_for(after, limit + 1)
        token = make_token(operation, key, rows[limit - 1][0]) if len(rows) > limit else None
        return [body for _, body in rows[:limit]], token

    @staticmethod
    def paged(name: str, items: list, token: str | None) -> dict:
        response: dict = {name: items}
        if token:
            response["NextToken"] = token
        return response

    # -- domains ---------------------------------------------------------------------------
    def create_domain(self, params: dict, region: str) -> dict:
        token = params.get("ClientToken")
        if token and (existing := self.store.domain_by_token(token)):
            return {"Domain": existing}
        if self.store.count_domains() >= self.quotas.domains:
            raise quota_exceeded("domains", self.quotas.domains)
        tags = params.get("Tags") or []
        self.check_tags(tags, existing=[])
        domain_id = new_id()
        now = self.now()
        domain = {
            "Arn": (
                f"arn:{partition_of(region)}:voiceid:{region}:{self.config.account_id}"
                f":domain/{domain_id}"
            ),
            "CreatedAt": now,
            "DomainId": domain_id,
            "DomainStatus": "ACTIVE",
            "Name": params["Name"],
            "ServerSideEncryptionConfiguration": {
                "KmsKeyId": params["ServerSideEncryptionConfiguration"]["KmsKeyId"]
            },
            "UpdatedAt": now,
            "WatchlistDetails": {"DefaultWatchlistId": new_id()},
        }
        if params.get("Description") is not None:
            domain["Description"] = params["Description"]
        self.store.add_domain(domain, token)
        self.store.add_watchlist(
            {
                "CreatedAt": now,
                "DefaultWatchlist": True,
                "DomainId": domain_id,
                "Name": DEFAULT_WATCHLIST_NAME,
                "UpdatedAt": now,
                "WatchlistId": domain["WatchlistDetails"]["DefaultWatchlistId"],
            },
            None,
        )
        for tag in tags:
            self.store.put_tag(domain["Arn"], tag["Key"], tag["Value"])
        return {"Domain": domain}

    def require_domain(self, domain_id: str) -> dict:
        domain = self.store.domain(domain_id)
        if domain is None:
            raise not_found("DOMAIN", f"The domain {domain_id} does not exist.")
        return domain

    def describe_domain(self, params: dict, region: str) -> dict:
        return {"Domain": self.look_at_domain(self.require_domain(params["DomainId"]))}

    def list_domains(self, params: dict, region: str) -> dict:
        items, token = self.page(
            params, "ListDomains", "", self.store.domains_page, default_limit=10
        )
        return self.paged("DomainSummaries", [self.look_at_domain(d) for d in items], token)

    def update_domain(self, params: dict, region: str) -> dict:
        # Not a look (step_seconds=None): an update in progress stays in progress until a
        # client looks; with step_seconds, one whose time has come ends first.
        domain = self.look_at_domain(self.require_domain(params["DomainId"]), counts=False)
        new_key = params["ServerSideEncryptionConfiguration"]["KmsKeyId"]
        old_key = domain["ServerSideEncryptionConfiguration"]["KmsKeyId"]
        details = domain.get("ServerSideEncryptionUpdateDetails")
        status = details["UpdateStatus"] if details else None
        if new_key != old_key:
            if status == "IN_PROGRESS":
                raise conflict(
                    "DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES",
                    f"The domain {domain['DomainId']} has an encryption update in progress;"
                    " its KmsKeyId cannot change until it ends.",
                )
            self.start_key_update(domain, old_key)
        elif status == "FAILED":
            self.start_key_update(domain, details["OldKmsKeyId"])  # the retry the docs describe
        domain["Name"] = params["Name"]
        domain["ServerSideEncryptionConfiguration"] = {"KmsKeyId": new_key}
        if params.get("Description") is not None:
            domain["Description"] = params["Description"]
        else:
            domain.pop("Description", None)  # UpdateDomain replaces every attribute
        domain["UpdatedAt"] = self.now()
        self.store.save_domain(domain)
        return {"Domain": domain}

    def start_key_update(self, domain: dict, old_key: str) -> None:
        domain["ServerSideEncryptionUpdateDetails"] = {
            "Message": "The domain's data is being moved to the new KMS key.",
            "OldKmsKeyId": old_key,
            "UpdateStatus": "IN_PROGRESS",
        }
        self.store.put_domain_update(domain["DomainId"], {"looks": 0, "started": self.now()})

    def look_at_domain(self, domain: dict, counts: bool = True) -> dict:
        """Count one look at ``domain``: an encryption update due to end ends; saved."""
        work = self.store.domain_update(domain["DomainId"])
        if work is None:
            return domain
        work["looks"] += 1 if counts else 0
        if self.config.step_seconds is None:
            due = work["looks"] >= 1
        elif self.config.step_seconds <= 0:
            due = True
        else:
            due = self.config.clock() - work["started"] >= self.config.step_seconds
        if not due:
            self.store.put_domain_update(domain["DomainId"], work)
            return domain
        details = domain["ServerSideEncryptionUpdateDetails"]
        keys = (domain["ServerSideEncryptionConfiguration"]["KmsKeyId"], details["OldKmsKeyId"])
        disabled = [key for key in keys if "disabled" in key.lower()]
        if disabled:
            details["UpdateStatus"] = "FAILED"
            details["Message"] = (
                f"The KMS key {disabled[0]} is disabled or cannot be used. Make it usable,"
                " then call UpdateDomain with the same ServerSideEncryptionConfiguration."
            )
        else:
            details["UpdateStatus"] = "COMPLETED"
            details["Message"] = "The domain's data is now encrypted with the new KMS key."
        self.store.save_domain(domain)
        self.store.put_domain_update(domain["DomainId"], None)
        return domain

    def delete_domain(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        self.store.delete_domain(params["DomainId"])
        return {}

    # -- tags ------------------------------------------------------------------------------
    def tagged_domain(self, arn: str) -> dict:
        domain_id = arn.rsplit("/", 1)[-1]
        domain = self.store.domain(domain_id)
        if domain is None or domain["Arn"] != arn:
            raise not_found("DOMAIN", f"The resource {arn} does not exist.")
        return domain

    def check_tags(self, tags: list[dict], existing: list[dict]) -> None:
        keys = [tag["Key"] for tag in tags]
        for key in keys:
            if key.lower().startswith(RESERVED_TAG_PREFIX):
                raise invalid(f"Tags: the tag key prefix '{RESERVED_TAG_PREFIX}' is reserved.")
        if len(set(keys)) != len(keys):
            raise invalid("Tags: a tag key may appear only once in a request.")
        total = len(set(keys) | {tag["Key"] for tag in existing})
        if total > self.quotas.tags_per_resource:
            raise invalid(
                f"Tags: a resource can have at most {self.quotas.tags_per_resource} tags"
                f" ({total} requested)."
            )

    def tag_resource(self, params: dict, region: str) -> dict:
        domain = self.tagged_domain(params["ResourceArn"])
        self.check_tags(params["Tags"], self.store.tags(domain["Arn"]))
        for tag in params["Tags"]:
            self.store.put_tag(domain["Arn"], tag["Key"], tag["Value"])
        return {}

    def untag_resource(self, params: dict, region: str) -> dict:
        domain = self.tagged_domain(params["ResourceArn"])
        for key in params["TagKeys"]:
            if key.lower().startswith(RESERVED_TAG_PREFIX):
                raise invalid(f"TagKeys: the tag key prefix '{RESERVED_TAG_PREFIX}' is reserved.")
        for key in params["TagKeys"]:
            self.store.delete_tag(domain["Arn"], key)
        return {}

    def list_tags_for_resource(self, params: dict, region: str) -> dict:
        domain = self.tagged_domain(params["ResourceArn"])
        return {"Tags": self.store.tags(domain["Arn"])}

    # -- watchlists ------------------------------------------------------------------------
    def require_watchlist(self, domain_id: str, watchlist_id: str) -> dict:
        watchlist = self.store.watchlist(domain_id, watchlist_id)
        if watchlist is None:
            raise not_found("WATCHLIST", f"The watchlist {watchlist_id} does not exist.")
        return watchlist

    def create_watchlist(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        self.require_domain(domain_id)
        token = params.get("ClientToken")
        if token and (existing := self.store.watchlist_by_token(domain_id, token)):
            return {"Watchlist": existing}
        if self.store.count_watchlists(domain_id) >= self.quotas.watchlists_per_domain:
            raise quota_exceeded("watchlists in a domain", self.quotas.watchlists_per_domain)
        now = self.now()
        watchlist = {
            "CreatedAt": now,
            "DefaultWatchlist": False,
            "DomainId": domain_id,
            "Name": params["Name"],
            "UpdatedAt": now,
            "WatchlistId": new_id(),
        }
        if params.get("Description") is not None:
            watchlist["Description"] = params["Description"]
        self.store.add_watchlist(watchlist, token)
        return {"Watchlist": watchlist}

    def describe_watchlist(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        return {"Watchlist": self.require_watchlist(params["DomainId"], params["WatchlistId"])}

    def update_watchlist(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        watchlist = self.require_watchlist(params["DomainId"], params["WatchlistId"])
        if watchlist["DefaultWatchlist"]:
            raise invalid("WatchlistId: the default watchlist of a domain cannot be updated.")
        for name in ("Name", "Description"):
            if params.get(name) is not None:
                watchlist[name] = params[name]
        watchlist["UpdatedAt"] = self.now()
        self.store.save_watchlist(watchlist)
        return {"Watchlist": watchlist}

    def delete_watchlist(self, params: dict, region: str) -> dict:
        domain_id, watchlist_id = params["DomainId"], params["WatchlistId"]
        self.require_domain(domain_id)
        watchlist = self.require_watchlist(domain_id, watchlist_id)
        if watchlist["DefaultWatchlist"]:
            raise invalid("WatchlistId: the default watchlist of a domain cannot be deleted.")
        if self.store.count_fraudsters(domain_id, watchlist_id):
            raise conflict(
                "CANNOT_DELETE_NON_EMPTY_WATCHLIST",
                f"The watchlist {watchlist_id} has fraudsters; disassociate or delete them first.",
            )
        self.store.delete_watchlist(domain_id, watchlist_id)
        return {}

    def list_watchlists(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        self.require_domain(domain_id)
        items, token = self.page(
            params,
            "ListWatchlists",
            domain_id,
            lambda after, limit: self.store.watchlists_page(domain_id, after, limit),
        )
        return self.paged("WatchlistSummaries", items, token)

    # -- fraudsters ------------------------------------------------------------------------
    def require_fraudster(self, domain_id: str, fraudster_id: str) -> dict:
        fraudster = self.store.fraudster(domain_id, fraudster_id)
        if fraudster is None:
            raise not_found("FRAUDSTER", "The fraudster does not exist in this domain.")
        return fraudster

    def describe_fraudster(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        return {"Fraudster": self.require_fraudster(params["DomainId"], params["FraudsterId"])}

    def delete_fraudster(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        self.require_fraudster(params["DomainId"], params["FraudsterId"])
        self.store.delete_fraudster(params["DomainId"], params["FraudsterId"])
        return {}

    def associate_fraudster(self, params: dict, region: str) -> dict:
        domain_id, watchlist_id = params["DomainId"], params["WatchlistId"]
        self.require_domain(domain_id)
        self.require_watchlist(domain_id, watchlist_id)
        fraudster = self.require_fraudster(domain_id, params["FraudsterId"])
        if watchlist_id not in fraudster["WatchlistIds"]:
            fraudster["WatchlistIds"].append(watchlist_id)
            self.store.put_fraudster(fraudster)
        return {"Fraudster": fraudster}

    def disassociate_fraudster(self, params: dict, region: str) -> dict:
        domain_id, watchlist_id = params["DomainId"], params["WatchlistId"]
        self.require_domain(domain_id)
        self.require_watchlist(domain_id, watchlist_id)
        fraudster = self.require_fraudster(domain_id, params["FraudsterId"])
        if watchlist_id not in fraudster["WatchlistIds"]:
            raise invalid(f"FraudsterId: the fraudster is not in the watchlist {watchlist_id}.")
        if fraudster["WatchlistIds"] == [watchlist_id]:
            raise conflict(
                "FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST",
                f"The watchlist {watchlist_id} is the fraudster's only one; a fraudster must"
                " belong to at least one watchlist (DeleteFraudster removes it).",
            )
        fraudster["WatchlistIds"].remove(watchlist_id)
        self.store.put_fraudster(fraudster)
        return {"Fraudster": fraudster}

    def list_fraudsters(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        watchlist_id = params.get("WatchlistId")
        self.require_domain(domain_id)
        if watchlist_id is not None:
            self.require_watchlist(domain_id, watchlist_id)
        items, token = self.page(
            params,
            "ListFraudsters",
            f"{domain_id}/{watchlist_id or ''}",
            lambda after, limit: self.store.fraudsters_page(domain_id, watchlist_id, after, limit),
        )
        return self.paged("FraudsterSummaries", items, token)

    # -- speakers --------------------------------------------------------------------------
    def require_speaker(self, domain_id: str, speaker_id: str) -> dict:
        speaker = self.store.speaker(domain_id, speaker_id)
        if speaker is None:
            raise not_found("SPEAKER", "The speaker does not exist in this domain.")
        return speaker

    def describe_speaker(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        return {"Speaker": self.require_speaker(params["DomainId"], params["SpeakerId"])}

    def delete_speaker(self, params: dict, region: str) -> dict:
        self.require_domain(params["DomainId"])
        speaker = self.require_speaker(params["DomainId"], params["SpeakerId"])
        self.store.delete_speaker(params["DomainId"], speaker["GeneratedSpeakerId"])
        return {}

    def opt_out_speaker(self, params: dict, region: str) -> dict:
        domain_id, speaker_id = params["DomainId"], params["SpeakerId"]
        self.require_domain(domain_id)
        speaker = self.store.speaker(domain_id, speaker_id)
        now = self.now()
        if speaker is None:
            if speaker_id.startswith("id#"):
                raise not_found("SPEAKER", "The speaker does not exist in this domain.")
            if self.store.count_speakers(domain_id) >= self.quotas.speakers_per_domain:
                raise quota_exceeded("speakers in a domain", self.quotas.speakers_per_domain)
            speaker = {
                "CreatedAt": now,
                "CustomerSpeakerId": speaker_id,
                "DomainId": domain_id,
                "GeneratedSpeakerId": "id#" + new_id(),
            }
        speaker.update(Status="OPTED_OUT", UpdatedAt=now)
        self.store.put_speaker(speaker)
        self.store.put_voiceprint(domain_id, speaker["GeneratedSpeakerId"], None)
        return {"Speaker": speaker}

    def list_speakers(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        self.require_domain(domain_id)
        items, token = self.page(
            params,
            "ListSpeakers",
            domain_id,
            lambda after, limit: self.store.speakers_page(domain_id, after, limit),
        )
        return self.paged("SpeakerSummaries", items, token)

    # -- batch jobs ------------------------------------------------------------------------
    def start_speaker_enrollment_job(self, params: dict, region: str) -> dict:
        def configure(domain: dict) -> dict:
            config = enrollment_config(params.get("EnrollmentConfig") or {})
            for watchlist_id in config["FraudDetectionConfig"].get("WatchlistIds", []):
                self.require_watchlist(domain["DomainId"], watchlist_id)
            return {"EnrollmentConfig": config}

        return self.start_job(params, SPEAKER_JOBS, configure)

    def start_fraudster_registration_job(self, params: dict, region: str) -> dict:
        def configure(domain: dict) -> dict:
            config = dict(params.get("RegistrationConfig") or {})
            config.setdefault("DuplicateRegistrationAction", "SKIP")
            default = domain["WatchlistDetails"]["DefaultWatchlistId"]
            config["WatchlistIds"] = list(config.get("WatchlistIds") or [default])
            for watchlist_id in config["WatchlistIds"]:
                self.require_watchlist(domain["DomainId"], watchlist_id)
            return {"RegistrationConfig": config}

        return self.start_job(params, FRAUDSTER_JOBS, configure)

    def start_job(self, params: dict, kind: _JobKind, configure) -> dict:
        domain_id = params["DomainId"]
        token = params.get("ClientToken")
        domain = self.require_domain(domain_id)
        if token and (existing := self.store.job_by_token(domain_id, token, kind.kind)):
            return {"Job": existing}
        if domain["DomainStatus"] != "ACTIVE":
            raise conflict("DOMAIN_NOT_ACTIVE", f"The domain {domain_id} is not active.")
        job = {
            "CreatedAt": self.now(),
            "DataAccessRoleArn": params["DataAccessRoleArn"],
            "DomainId": domain_id,
            **configure(domain),
            "InputDataConfig": {"S3Uri": params["InputDataConfig"]["S3Uri"]},
            "JobId": new_id(),
            "JobProgress": {"PercentComplete": 0},
            "JobStatus": "SUBMITTED",
            "OutputDataConfig": dict(params["OutputDataConfig"]),
        }
        if params.get("JobName") is not None:
            job["JobName"] = params["JobName"]
        work = {"looks": 0, "step": 0, "entries": [], "done": 0, "ok": [], "errors": []}
        self.store.add_job(job, work, token, kind.kind)
        return {"Job": job}

    def describe_speaker_enrollment_job(self, params: dict, region: str) -> dict:
        return self.describe_job(params, SPEAKER_JOBS)

    def describe_fraudster_registration_job(self, params: dict, region: str) -> dict:
        return self.describe_job(params, FRAUDSTER_JOBS)

    def describe_job(self, params: dict, kind: _JobKind) -> dict:
        domain_id, job_id = params["DomainId"], params["JobId"]
        domain_exists, job, work = self.store.job_in_domain(domain_id, job_id, kind.kind)
        if not domain_exists:
            raise not_found("DOMAIN", f"The domain {domain_id} does not exist.")
        if job is None or job["DomainId"] != domain_id:
            raise not_found("BATCH_JOB", f"The {kind.title} {job_id} does not exist.")
        return {"Job": self.look_at(job, work, kind=kind.kind)}

    def list_speaker_enrollment_jobs(self, params: dict, region: str) -> dict:
        return self.list_jobs(params, "ListSpeakerEnrollmentJobs", SPEAKER_JOBS)

    def list_fraudster_registration_jobs(self, params: dict, region: str) -> dict:
        return self.list_jobs(params, "ListFraudsterRegistrationJobs", FRAUDSTER_JOBS)

    def list_jobs(self, params: dict, operation: str, kind: _JobKind) -> dict:
        domain_id = params["DomainId"]
        status = params.get("JobStatus")
        self.require_domain(domain_id)
        for job, work in self.store.unfinished_jobs(domain_id, kind.kind):
            self.look_at(job, work, kind=kind.kind)
        items, token = self.page(
            params,
            operation,
            f"{domain_id}/{status or ''}",
            lambda after, limit: self.store.jobs_page(domain_id, status, after, limit, kind.kind),
        )
        return self.paged("JobSummaries", [job_summary(job) for job in items], token)

    def look_at(self, job: dict, work: dict | None, kind: str = "speaker") -> dict:
        """Count one look at ``job``, take the steps it is due, save it and return it.

        ``work`` may be None for a finished job (it is not read then)."""
        if job["JobStatus"] in FINISHED:
            return job
        work["looks"] += 1
        if self.config.step_seconds is None:
            due = work["looks"]
        elif self.config.step_seconds <= 0:
            due = self.total_steps
        else:
            due = int((self.config.clock() - job["CreatedAt"]) // self.config.step_seconds)
        while work["step"] < due and job["JobStatus"] not in FINISHED:
            self.take_step(job, work, _KINDS[kind])
        self.store.save_job(job, work, kind)
        return job

    def run_to_end(self, domain_id: str, job_id: str, kind: str = "speaker") -> dict:
        """Take every step left of a job at once (used by ``clishape-local seed``)."""
        with self.store.transaction():
            job, work = self.store.job(job_id, kind)
            while job["JobStatus"] not in FINISHED:
                self.take_step(job, work, _KINDS[kind])
            self.store.save_job(job, work, kind)
        return job

    @property
    def total_steps(self) -> int:
        return 1 + max(1, self.config.processing_steps)

    def take_step(self, job: dict, work: dict, kind: _JobKind) -> None:
        work["step"] += 1
        try:
            if work["step"] == 1:
                job["JobStatus"] = "IN_PROGRESS"
                work["entries"] = self.read_manifest(job["InputDataConfig"]["S3Uri"], kind)
                self.output_folder(job)
                return
            self.handle_share(job, work, kind)
            if work["step"] >= self.total_steps:
                self.finish(job, work, kind)
        except OSError as error:
            # Whatever the file system says (a name too long, no permission...), the job ends
            # here; it must not fail every later look at its domain.
            self.fail_job(
                job, work, _JobFailed(500, f"The local S3 folder could not be used: {error}")
            )
        except _JobFailed as failure:
            self.fail_job(job, work, failure)

    def fail_job(self, job: dict, work: dict, failure: _JobFailed) -> None:
        job["JobStatus"] = "FAILED"
        job["EndedAt"] = self.now()
        job["FailureDetails"] = {
            "Message": failure.message,
            "StatusCode": failure.status_code,
        }
        work["entries"] = []

    def handle_share(self, job: dict, work: dict, kind: _JobKind) -> None:
        entries = work["entries"]
        steps = max(1, self.config.processing_steps)
        target = math.ceil(len(entries) * (work["step"] - 1) / steps)
        seen = {result["RequestId"] for result in work["ok"] + work["errors"]}
        handle = self.enroll_entry if kind is SPEAKER_JOBS else self.register_entry
        while work["done"] < min(target, len(entries)):
            outcome = handle(job, entries[work["done"]], seen)
            work["errors" if "ErrorCode" in outcome else "ok"].append(outcome)
            if isinstance(outcome.get("RequestId"), str):
                seen.add(outcome["RequestId"])
            work["done"] += 1
        percent = 100 if not entries else work["done"] * 100 // len(entries)
        job["JobProgress"] = {"PercentComplete": percent}

    def finish(self, job: dict, work: dict, kind: _JobKind) -> None:
        output = {
            "Version": MANIFEST_VERSION,
            kind.output_key: work["ok"],
            "Errors": work["errors"],
        }
        path = self.output_folder(job) / job["JobId"]
        name = PurePosixPath(job["InputDataConfig"]["S3Uri"]).name + ".out"
        try:
            path.mkdir(parents=True, exist_ok=True)
            target = self.inside_s3_root(path / name)
            if target is None:
                raise _JobFailed(400, "The job output file would be written outside the S3 folder.")
            target.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise _JobFailed(
                500, f"Could not write the job output file: {error.strerror}"
            ) from None
        job["JobStatus"] = "COMPLETED_WITH_ERRORS" if work["errors"] else "COMPLETED"
        job["JobProgress"] = {"PercentComplete": 100}
        job["EndedAt"] = self.now()
        work["entries"] = []

    # -- fake S3 ---------------------------------------------------------------------------
    def s3_path(self, uri: str) -> Path | None:
        """The local file for ``s3://bucket/key``, or None when the URI cannot name one."""
        match = _S3_URI.fullmatch(uri)
        if not match:
            return None
        bucket, key = match.group(1), match.group(2) or ""
        parts = [part for part in key.split("/") if part]
        if any(part in (".", "..") for part in parts):
            return None
        if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
            return None  # no file system holds such a name: the object cannot exist locally
        return self.inside_s3_root(Path(self.config.s3_root, bucket, *parts))

    def inside_s3_root(self, path: Path) -> Path | None:
        """``path`` with its symlinks resolved, or None when that leaves the S3 folder.

        A symlink inside the folder is followed only as far as it stays inside it, for reading
        and for writing alike.
        """
        root = Path(self.config.s3_root).resolve()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop, an unreadable folder
            return None
        return resolved if resolved.is_relative_to(root) else None

    def read_manifest(self, uri: str, kind: _JobKind = SPEAKER_JOBS) -> list:
        path = self.s3_path(uri)
        if path is None or not path.is_file():
            raise _JobFailed(404, f"The input manifest file {uri} does not exist.")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise _JobFailed(
                400, f"The input manifest file {uri} is not valid JSON: {error}"
            ) from None
        if not isinstance(manifest, dict):
            raise _JobFailed(400, f"The input manifest file {uri} must hold a JSON object.")
        if manifest.get("Version") != MANIFEST_VERSION:
            raise _JobFailed(
                400, f'The input manifest file {uri} must have "Version": "{MANIFEST_VERSION}".'
            )
        entries = manifest.get(kind.manifest_key)
        if not isinstance(entries, list):
            raise _JobFailed(
                400,
                f'The input manifest file {uri} must have a "{kind.manifest_key}" list.',
            )
        return entries

    def output_folder(self, job: dict) -> Path:
        uri = job["OutputDataConfig"]["S3Uri"]
        path = self.s3_path(uri)
        if path is None:
            raise _JobFailed(400, f"The output location {uri} is not a valid S3 folder.")
        root = Path(self.config.s3_root).resolve()
        relative = path.relative_to(root).parts
        if not relative:
            raise _JobFailed(400, f"The output location {uri} is not a valid S3 folder.")
        bucket = root / relative[0]
        if not bucket.is_dir():
            raise _JobFailed(404, f"The output bucket {bucket.name} does not exist.")
        return path

    # -- one manifest entry ----------------------------------------------------------------
    def enroll_entry(self, job: dict, entry, seen: set) -> dict:
        request_id = entry.get("RequestId") if isinstance(entry, dict) else None
        try:
            self.check_request_id(entry, request_id, seen)
            speaker_id = entry.get("SpeakerId")
            if isinstance(speaker_id, str) and speaker_id.startswith("id#"):
                raise _JobFailed(400, "SpeakerId must be a CustomerSpeakerId, not a generated id.")
            if not isinstance(speaker_id, str) or not _CUSTOMER_SPEAKER_ID.fullmatch(speaker_id):
                raise _JobFailed(
                    400, "SpeakerId must match [a-zA-Z0-9][a-zA-Z0-9_-]* (1-256 chars)."
                )
            voice = self.entry_voiceprint(entry)
            result = self.enroll(job, speaker_id, voice)
        except _JobFailed as failure:
            return {
                "RequestId": request_id,
                "ErrorCode": failure.status_code,
                "ErrorMessage": failure.message,
            }
        return {"RequestId": request_id, "SpeakerId": speaker_id, **result}

    def check_request_id(self, entry, request_id, seen: set) -> None:
        if not isinstance(entry, dict):
            raise _JobFailed(400, "A manifest entry must be a JSON object.")
        if not isinstance(request_id, str) or not request_id:
            raise _JobFailed(400, "RequestId is required and must be a non-empty string.")
        if request_id in seen:
            raise _JobFailed(400, f"RequestId {request_id} appears more than once.")

    def entry_voiceprint(self, entry: dict) -> dict:
        """The voiceprint of an entry's AudioSpecifications (checked first)."""
        audio = entry.get("AudioSpecifications")
        if not isinstance(audio, list) or not 1 <= len(audio) <= MAX_AUDIO_FILES:
            raise _JobFailed(400, "AudioSpecifications must list 1 to 10 audio files.")
        paths = []
        for spec in audio:
            uri = spec.get("S3Uri") if isinstance(spec, dict) else None
            if not isinstance(uri, str):
                raise _JobFailed(400, "Each audio specification needs an S3Uri.")
            if spec.get("ChannelId", 0) not in (0, 1):
                raise _JobFailed(400, "ChannelId must be 0 or 1.")
            try:
                path = self.s3_path(uri)
                if path is None or not path.is_file():
                    raise _JobFailed(404, f"The audio file {uri} does not exist.")
            except OSError as error:
                raise _JobFailed(400, f"An audio file could not be read: {error}") from None
            paths.append(path)
        try:
            return vp.voiceprint(paths)
        except OSError as error:
            raise _JobFailed(400, f"An audio file could not be read: {error}") from None

    def enroll(self, job: dict, speaker_id: str, voice: dict) -> dict:
        domain_id = job["DomainId"]
        now = self.now()
        speaker = self.store.speaker(domain_id, speaker_id)
        if speaker is not None:
            action = job["EnrollmentConfig"]["ExistingEnrollmentAction"]
            if speaker["Status"] == "OPTED_OUT":
                raise _JobFailed(409, f"The speaker {speaker_id} has opted out.")
            if speaker["Status"] == "ENROLLED" and action == "SKIP":
                raise _JobFailed(409, f"The speaker {speaker_id} is already enrolled (SKIP).")
        elif self.store.count_speakers(domain_id) >= self.quotas.speakers_per_domain:
            raise _JobFailed(
                402, f"The quota of {self.quotas.speakers_per_domain} speakers has been reached."
            )
        fraud = self.fraud_check(job, voice)
        if speaker is not None:
            speaker.update(Status="ENROLLED", UpdatedAt=now)
        else:
            speaker = {
                "CreatedAt": now,
                "CustomerSpeakerId": speaker_id,
                "DomainId": domain_id,
                "GeneratedSpeakerId": "id#" + new_id(),
                "Status": "ENROLLED",
                "UpdatedAt": now,
            }
        self.store.put_speaker(speaker)
        self.store.put_voiceprint(domain_id, speaker["GeneratedSpeakerId"], voice)
        return {"GeneratedSpeakerId": speaker["GeneratedSpeakerId"], **fraud}

    def fraud_check(self, job: dict, voice: dict) -> dict:
        """The enrollment's fraud detection: raises for FAIL, else what the output says."""
        fraud = job["EnrollmentConfig"]["FraudDetectionConfig"]
        domain = self.store.domain(job["DomainId"])
        watchlists = fraud.get("WatchlistIds") or [domain["WatchlistDetails"]["DefaultWatchlistId"]]
        threshold = fraud.get("RiskThreshold", DEFAULT_RISK_THRESHOLD)
        score, fraudster = vp.closest(
            voice, self.store.fraudsters_with_prints(job["DomainId"], watchlists[0])
        )
        if fraudster is None or score < threshold:
            return {"FraudDetectionDecision": "LOW_RISK", "FraudRiskScore": score}
        if fraud["FraudDetectionAction"] == "FAIL":
            raise _JobFailed(
                409,
                f"The speaker was flagged by fraud detection: risk score {score} (RiskThreshold"
                f" {threshold}), closest fraudster {fraudster}; not enrolled (FAIL).",
            )
        return {
            "FraudDetectionDecision": "HIGH_RISK",
            "FraudRiskScore": score,
            "GeneratedFraudsterId": fraudster,
        }

    def register_entry(self, job: dict, entry, seen: set) -> dict:
        request_id = entry.get("RequestId") if isinstance(entry, dict) else None
        try:
            self.check_request_id(entry, request_id, seen)
            voice = self.entry_voiceprint(entry)
            result = self.register(job, voice)
        except _JobFailed as failure:
            return {
                "RequestId": request_id,
                "ErrorCode": failure.status_code,
                "ErrorMessage": failure.message,
            }
        return {"RequestId": request_id, **result}

    def register(self, job: dict, voice: dict) -> dict:
        domain_id = job["DomainId"]
        config = job["RegistrationConfig"]
        threshold = config.get("FraudsterSimilarityThreshold", DEFAULT_SIMILARITY_THRESHOLD)
        score, match = vp.closest(voice, self.store.fraudsters_with_prints(domain_id))
        if (
            match is not None
            and score >= threshold
            and config["DuplicateRegistrationAction"] == ("SKIP")
        ):
            return {
                "GeneratedFraudsterId": match,
                "RegistrationStatus": "DUPLICATE_SKIPPED",
                "FraudsterSimilarityScore": score,
            }
        watchlist_id = config["WatchlistIds"][0]
        if self.store.watchlist(domain_id, watchlist_id) is None:
            raise _JobFailed(404, f"The watchlist {watchlist_id} no longer exists.")
        if self.store.count_fraudsters(domain_id) >= self.quotas.fraudsters_per_domain:
            raise _JobFailed(
                402,
                f"The quota of {self.quotas.fraudsters_per_domain} fraudsters has been reached.",
            )
        fraudster = {
            "CreatedAt": self.now(),
            "DomainId": domain_id,
            "GeneratedFraudsterId": "id#" + new_id(),
            "WatchlistIds": [watchlist_id],
        }
        self.store.put_fraudster(fraudster)
        self.store.put_voiceprint(domain_id, fraudster["GeneratedFraudsterId"], voice)
        result = {"GeneratedFraudsterId": fraudster["GeneratedFraudsterId"]}
        result["RegistrationStatus"] = "NEW"
        if match is not None:
            result["FraudsterSimilarityScore"] = score
        return result

    # -- sessions --------------------------------------------------------------------------
    def session_folder(self, domain_id: str) -> Path:
        return Path(self.config.s3_root, SESSIONS_BUCKET, domain_id)

    def find_session(self, domain_id: str, name_or_id: str) -> tuple[str, str, Path] | None:
        """(name, id, audio path) of the session, or None when the service does not know it."""
        folder = self.session_folder(domain_id)
        if name_or_id.startswith("id#"):
            try:
                names = sorted(path.stem for path in folder.glob("*.wav"))
            except OSError:
                return None
            name = next((n for n in names if "id#" + derived_id(domain_id, n) == name_or_id), None)
        else:
            name = name_or_id
        if name is None or not _SESSION_NAME.fullmatch(name):
            return None
        audio = self.inside_s3_root(folder / f"{name}.wav")
        try:
            if audio is None or not audio.is_file():
                return None
        except OSError:
            return None
        return name, "id#" + derived_id(domain_id, name), audio

    def session_settings(self, audio: Path) -> dict:
        settings_file = self.inside_s3_root(audio.with_suffix(".json"))
        if settings_file is None or not settings_file.is_file():
            return {}
        try:
            settings = json.loads(settings_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise invalid(
                f"The session file {settings_file.name} is not valid JSON: {error}"
            ) from None
        if not isinstance(settings, dict):
            raise invalid(f"The session file {settings_file.name} must hold a JSON object.")
        for key in ("AcceptanceThreshold", "RiskThreshold"):
            value = settings.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100
            ):
                raise invalid(f"{key} in {settings_file.name} must be an integer from 0 to 100.")
        for key in ("SpeakerId", "WatchlistId"):
            if settings.get(key) is not None and not isinstance(settings[key], str):
                raise invalid(f"{key} in {settings_file.name} must be a string.")
        return settings

    def evaluate_session(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        domain = self.require_domain(domain_id)
        found = self.find_session(domain_id, params["SessionNameOrId"])
        if found is None:
            raise not_found(
                "SESSION",
                f"The session {params['SessionNameOrId']} does not exist in this domain"
                f" (locally: no file s3://{SESSIONS_BUCKET}/{domain_id}/<SessionName>.wav).",
            )
        name, session_id, audio = found
        settings = self.session_settings(audio)
        try:
            voice = vp.voiceprint([audio])
            at = round(audio.stat().st_mtime, 3)
        except OSError as error:
            raise ServiceFault(
                "InternalServerException", f"The session audio could not be read: {error}"
            ) from None
        enough = voice["size"] >= vp.MIN_SPEECH_BYTES
        digest = hashlib.sha256(json.dumps([voice, settings], sort_keys=True).encode()).hexdigest()
        return {
            "AuthenticationResult": self.authenticate(
                domain_id, session_id, settings, voice, enough, at, digest
            ),
            "DomainId": domain_id,
            "FraudDetectionResult": self.detect_fraud(
                domain, session_id, settings, voice, enough, at, digest
            ),
            "SessionId": session_id,
            "SessionName": name,
            "StreamingStatus": "ENDED",
        }

    def authenticate(self, domain_id, session_id, settings, voice, enough, at, digest) -> dict:
        threshold = settings.get("AcceptanceThreshold", DEFAULT_ACCEPTANCE_THRESHOLD)
        result: dict = {
            "AudioAggregationEndedAt": at,
            "AudioAggregationStartedAt": at,
            "AuthenticationResultId": derived_id(session_id, "authentication", digest),
            "Configuration": {"AcceptanceThreshold": threshold},
        }
        speaker_id = settings.get("SpeakerId")
        speaker = self.store.speaker(domain_id, speaker_id) if speaker_id else None
        if speaker_id and not speaker_id.startswith("id#"):
            result["CustomerSpeakerId"] = speaker_id
        if speaker is not None:
            result["CustomerSpeakerId"] = speaker["CustomerSpeakerId"]
            result["GeneratedSpeakerId"] = speaker["GeneratedSpeakerId"]
        enrolled = (
            self.store.voiceprint(domain_id, speaker["GeneratedSpeakerId"]) if speaker else None
        )
        if not speaker_id:
            result["Decision"] = "SPEAKER_ID_NOT_PROVIDED"
        elif speaker is not None and speaker["Status"] == "OPTED_OUT":
            result["Decision"] = "SPEAKER_OPTED_OUT"
        elif speaker is not None and speaker["Status"] == "EXPIRED":
            result["Decision"] = "SPEAKER_EXPIRED"
        elif speaker is None or enrolled is None or speaker["Status"] != "ENROLLED":
            result["Decision"] = "SPEAKER_NOT_ENROLLED"
        elif not enough:
            result["Decision"] = "NOT_ENOUGH_SPEECH"
        else:
            score = vp.similarity(voice, enrolled)
            result["Decision"] = "ACCEPT" if score >= threshold else "REJECT"
            result["Score"] = score
        return result

    def detect_fraud(self, domain, session_id, settings, voice, enough, at, digest) -> dict:
        domain_id = domain["DomainId"]
        watchlist_id = (
            settings.get("WatchlistId") or domain["WatchlistDetails"]["DefaultWatchlistId"]
        )
        self.require_watchlist(domain_id, watchlist_id)
        threshold = settings.get("RiskThreshold", DEFAULT_RISK_THRESHOLD)
        result: dict = {
            "AudioAggregationEndedAt": at,
            "AudioAggregationStartedAt": at,
            "Configuration": {"RiskThreshold": threshold, "WatchlistId": watchlist_id},
            "FraudDetectionResultId": derived_id(session_id, "fraud", digest),
        }
        if not enough:
            result["Decision"] = "NOT_ENOUGH_SPEECH"
            return result
        score, fraudster = vp.closest(
            voice, self.store.fraudsters_with_prints(domain_id, watchlist_id)
        )
        known: dict = {"RiskScore": score}
        if fraudster is not None:
            known["GeneratedFraudsterId"] = fraudster
        result["RiskDetails"] = {"KnownFraudsterRisk": known, "VoiceSpoofingRisk": {"RiskScore": 0}}
        if fraudster is not None and score >= threshold:
            result["Decision"] = "HIGH_RISK"
            result["Reasons"] = ["KNOWN_FRAUDSTER"]
        else:
            result["Decision"] = "LOW_RISK"
        return result


def enrollment_config(given: dict) -> dict:
    """The job's EnrollmentConfig with the service defaults filled in."""
    fraud = dict(given.get("FraudDetectionConfig") or {})
    fraud.setdefault("FraudDetectionAction", "FAIL")
    return {
        "ExistingEnrollmentAction": given.get("ExistingEnrollmentAction", "SKIP"),
        "FraudDetectionConfig": fraud,
    }


def job_summary(job: dict) -> dict:
    keys = (
        "CreatedAt",
        "DomainId",
        "EndedAt",
        "FailureDetails",
        "JobId",
        "JobName",
        "JobProgress",
        "JobStatus",
    )
    return {key: job[key] for key in keys if key in job}


def make_token(operation: str, key: str, after_seq: int) -> str:
    raw = json.dumps({"op": operation, "key": key, "after": after_seq}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str | None, operation: str, key: str) -> int:
    """The position a NextToken stands for; a token from another request is refused."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data["op"] == operation and data["key"] == key and isinstance(data["after"], int):
            return data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise ServiceFault("ValidationException", "The NextToken is not valid for this request.")
