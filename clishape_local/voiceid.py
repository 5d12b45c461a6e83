"""The local service — Voice ID operations: domains, speaker enrollment jobs, speakers.

Handlers take the request's parameters (already checked against the model by ``shapes``) and
return the response document; errors are raised as ``ServiceFault``.

How a speaker enrollment job moves (deterministic, no background thread):

- ``StartSpeakerEnrollmentJob`` answers ``SUBMITTED`` with ``PercentComplete`` 0.
- The job then takes ``1 + processing_steps`` steps. Step 1 moves it to ``IN_PROGRESS`` and reads
  its input manifest; a missing manifest, one that is not valid JSON or not of the manifest
  format, or a missing output bucket ends the job at once as ``FAILED`` with ``FailureDetails``.
  Each later step enrolls the next share of the manifest's entries (``PercentComplete`` rises);
  the last one writes the output file and ends the job as ``COMPLETED`` (every entry enrolled)
  or ``COMPLETED_WITH_ERRORS`` (some entry failed).
- When steps happen: with ``step_seconds=None`` (the default) a job takes one step each time a
  client looks at it: every ``DescribeSpeakerEnrollmentJob`` of it, and every
  ``ListSpeakerEnrollmentJobs`` call of its domain. With ``step_seconds=S`` it has taken
  ``elapsed // S`` steps whenever it is looked at (``0`` finishes a job on the first look).

The fake S3: ``s3://bucket/key`` is the file ``<s3_root>/bucket/key``; symlinks in it are followed
only while they stay inside ``<s3_root>``, and a key with a part longer than 255 bytes names no
file. Any file-system error while a job runs ends it as ``FAILED``. The input manifest is
Voice ID's batch enrollment manifest::

    {"Version": "1.0",
     "SpeakerEnrollmentRequests": [
        {"RequestId": "req-1", "SpeakerId": "customer-17",
         "AudioSpecifications": [{"S3Uri": "s3://bucket/audio/customer-17.wav", "ChannelId": 0}]}]}

Each entry fails on its own (``COMPLETED_WITH_ERRORS``) when its RequestId is missing or repeated,
its SpeakerId is not a customer speaker id, its audio list is empty, longer than 10 or names a
file that does not exist, or the speaker is already enrolled and ``ExistingEnrollmentAction`` is
``SKIP`` (the default). No speaker is ever flagged by fraud detection. The output file
``<output folder>/<job id>/<input file name>.out`` holds::

    {"Version": "1.0",
     "SuccessfulEnrollments": [{"RequestId": ..., "SpeakerId": ..., "GeneratedSpeakerId": ...}],
     "Errors": [{"RequestId": ..., "ErrorCode": 404, "ErrorMessage": ...}]}
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from clishape_local.faults import ServiceFault, not_found
from clishape_local.store import Store

ID_ALPHABET = string.ascii_letters + string.digits
FINISHED = ("COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED")
MANIFEST_VERSION = "1.0"
MAX_AUDIO_FILES = 10
MAX_NAME_BYTES = 255  # the longest file name common file systems hold
_CUSTOMER_SPEAKER_ID = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,255}")
_S3_URI = re.compile(r"s3://([a-z0-9][.\-a-z0-9]{1,61}[a-z0-9])(?:/(.*))?")


def new_id() -> str:
    """A 22-character alphanumeric identifier, as the service makes them."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(22))


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class ServiceConfig:
    """How the local Voice ID behaves; ``s3_root`` is the folder standing in for S3."""

    s3_root: Path
    account_id: str = "123456789012"
    processing_steps: int = 3
    step_seconds: float | None = None
    clock: Callable[[], float] = field(default=time.time)


class _JobFailed(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class VoiceIdService:
    """The stateful operations; ``handle(operation, params, region)`` is the one entry point."""

    def __init__(self, store: Store, config: ServiceConfig):
        self.store = store
        self.config = config
        self.handlers: dict[str, Callable[[dict, str], dict]] = {
            "CreateDomain": self.create_domain,
            "DescribeDomain": self.describe_domain,
            "ListDomains": self.list_domains,
            "StartSpeakerEnrollmentJob": self.start_speaker_enrollment_job,
            "DescribeSpeakerEnrollmentJob": self.describe_speaker_enrollment_job,
            "ListSpeakerEnrollmentJobs": self.list_speaker_enrollment_jobs,
            "DescribeSpeaker": self.describe_speaker,
        }

    def handles(self, operation: str) -> bool:
        return operation in self.handlers

    def handle(self, operation: str, params: dict, region: str) -> dict:
        return self.handlers[operation](params, region)

    def now(self) -> float:
        return round(self.config.clock(), 3)

    # -- domains ---------------------------------------------------------------------------
    def create_domain(self, params: dict, region: str) -> dict:
        token = params.get("ClientToken")
        with self.store.transaction():
            if token and (existing := self.store.domain_by_token(token)):
                return {"Domain": existing}
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
        return {"Domain": domain}

    def require_domain(self, domain_id: str) -> dict:
        domain = self.store.domain(domain_id)
        if domain is None:
            raise not_found("DOMAIN", f"The domain {domain_id} does not exist.")
        return domain

    def describe_domain(self, params: dict, region: str) -> dict:
        return {"Domain": self.require_domain(params["DomainId"])}

    def list_domains(self, params: dict, region: str) -> dict:
        after = read_token(params.get("NextToken"), "ListDomains", "")
        limit = params.get("MaxResults") or 10
        rows = self.store.domains_page(after, limit + 1)
        response: dict = {"DomainSummaries": [body for _, body in rows[:limit]]}
        if len(rows) > limit:
            response["NextToken"] = make_token("ListDomains", "", rows[limit - 1][0])
        return response

    # -- speaker enrollment jobs -----------------------------------------------------------
    def start_speaker_enrollment_job(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        token = params.get("ClientToken")
        with self.store.transaction():
            domain = self.require_domain(domain_id)
            if token and (existing := self.store.job_by_token(domain_id, token)):
                return {"Job": existing}
            if domain["DomainStatus"] != "ACTIVE":
                raise ServiceFault(
                    "ConflictException",
                    f"The domain {domain_id} is not active.",
                    ConflictType="DOMAIN_NOT_ACTIVE",
                )
            config = enrollment_config(params.get("EnrollmentConfig") or {})
            for watchlist_id in config["FraudDetectionConfig"].get("WatchlistIds", []):
                if watchlist_id != domain["WatchlistDetails"]["DefaultWatchlistId"]:
                    raise not_found("WATCHLIST", f"The watchlist {watchlist_id} does not exist.")
            job = {
                "CreatedAt": self.now(),
                "DataAccessRoleArn": params["DataAccessRoleArn"],
                "DomainId": domain_id,
                "EnrollmentConfig": config,
                "InputDataConfig": {"S3Uri": params["InputDataConfig"]["S3Uri"]},
                "JobId": new_id(),
                "JobProgress": {"PercentComplete": 0},
                "JobStatus": "SUBMITTED",
                "OutputDataConfig": dict(params["OutputDataConfig"]),
            }
            if params.get("JobName") is not None:
                job["JobName"] = params["JobName"]
            work = {"looks": 0, "step": 0, "entries": [], "done": 0, "ok": [], "errors": []}
            self.store.add_job(job, work, token)
        return {"Job": job}

    def describe_speaker_enrollment_job(self, params: dict, region: str) -> dict:
        domain_id, job_id = params["DomainId"], params["JobId"]
        with self.store.transaction():
            self.require_domain(domain_id)
            found = self.store.job(job_id)
            if found is None or found[0]["DomainId"] != domain_id:
                raise not_found("BATCH_JOB", f"The speaker enrollment job {job_id} does not exist.")
            job = self.look_at(*found)
        return {"Job": job}

    def list_speaker_enrollment_jobs(self, params: dict, region: str) -> dict:
        domain_id = params["DomainId"]
        status = params.get("JobStatus")
        key = f"{domain_id}/{status or ''}"
        after = read_token(params.get("NextToken"), "ListSpeakerEnrollmentJobs", key)
        limit = params.get("MaxResults") or 100
        with self.store.transaction():
            self.require_domain(domain_id)
            for job, work in self.store.unfinished_jobs(domain_id):
                self.look_at(job, work)
            rows = self.store.jobs_page(domain_id, status, after, limit + 1)
        response: dict = {"JobSummaries": [job_summary(body) for _, body in rows[:limit]]}
        if len(rows) > limit:
            response["NextToken"] = make_token("ListSpeakerEnrollmentJobs", key, rows[limit - 1][0])
        return response

    def look_at(self, job: dict, work: dict) -> dict:
        """Count one look at ``job``, take the steps it is due, save it and return it."""
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
            self.take_step(job, work)
        self.store.save_job(job, work)
        return job

    def run_to_end(self, domain_id: str, job_id: str) -> dict:
        """Take every step left of a job at once (used by ``clishape-local seed``)."""
        with self.store.transaction():
            job, work = self.store.job(job_id)
            while job["JobStatus"] not in FINISHED:
                self.take_step(job, work)
            self.store.save_job(job, work)
        return job

    @property
    def total_steps(self) -> int:
        return 1 + max(1, self.config.processing_steps)

    def take_step(self, job: dict, work: dict) -> None:
        work["step"] += 1
        try:
            if work["step"] == 1:
                job["JobStatus"] = "IN_PROGRESS"
                work["entries"] = self.read_manifest(job["InputDataConfig"]["S3Uri"])
                self.output_folder(job)
                return
            self.enroll_share(job, work)
            if work["step"] >= self.total_steps:
                self.finish(job, work)
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

    def enroll_share(self, job: dict, work: dict) -> None:
        entries = work["entries"]
        steps = max(1, self.config.processing_steps)
        target = math.ceil(len(entries) * (work["step"] - 1) / steps)
        seen = {result["RequestId"] for result in work["ok"] + work["errors"]}
        while work["done"] < min(target, len(entries)):
            outcome = self.enroll_entry(job, entries[work["done"]], seen)
            work["errors" if "ErrorCode" in outcome else "ok"].append(outcome)
            if isinstance(outcome.get("RequestId"), str):
                seen.add(outcome["RequestId"])
            work["done"] += 1
        percent = 100 if not entries else work["done"] * 100 // len(entries)
        job["JobProgress"] = {"PercentComplete": percent}

    def finish(self, job: dict, work: dict) -> None:
        output = {
            "Version": MANIFEST_VERSION,
            "SuccessfulEnrollments": work["ok"],
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

    def read_manifest(self, uri: str) -> list:
        path = self.s3_path(uri)
        if path is None or not path.is_file():
            raise _JobFailed(404, f"The input manifest file {uri} does not exist.")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _JobFailed(
                400, f"The input manifest file {uri} is not valid JSON: {error}"
            ) from None
        if not isinstance(manifest, dict):
            raise _JobFailed(400, f"The input manifest file {uri} must hold a JSON object.")
        if manifest.get("Version") != MANIFEST_VERSION:
            raise _JobFailed(
                400, f'The input manifest file {uri} must have "Version": "{MANIFEST_VERSION}".'
            )
        entries = manifest.get("SpeakerEnrollmentRequests")
        if not isinstance(entries, list):
            raise _JobFailed(
                400,
                f'The input manifest file {uri} must have a "SpeakerEnrollmentRequests" list.',
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
            try:
                speaker_id = self.check_entry(entry, request_id, seen)
            except OSError as error:
                raise _JobFailed(400, f"An audio file could not be read: {error}") from None
            generated = self.enroll(job, speaker_id)
        except _JobFailed as failure:
            return {
                "RequestId": request_id,
                "ErrorCode": failure.status_code,
                "ErrorMessage": failure.message,
            }
        return {"RequestId": request_id, "SpeakerId": speaker_id, "GeneratedSpeakerId": generated}

    def check_entry(self, entry, request_id, seen: set) -> str:
        if not isinstance(entry, dict):
            raise _JobFailed(400, "An enrollment request must be a JSON object.")
        if not isinstance(request_id, str) or not request_id:
            raise _JobFailed(400, "RequestId is required and must be a non-empty string.")
        if request_id in seen:
            raise _JobFailed(400, f"RequestId {request_id} appears more than once.")
        speaker_id = entry.get("SpeakerId")
        if isinstance(speaker_id, str) and speaker_id.startswith("id#"):
            raise _JobFailed(400, "SpeakerId must be a CustomerSpeakerId, not a generated id.")
        if not isinstance(speaker_id, str) or not _CUSTOMER_SPEAKER_ID.fullmatch(speaker_id):
            raise _JobFailed(400, "SpeakerId must match [a-zA-Z0-9][a-zA-Z0-9_-]* (1-256 chars).")
        audio = entry.get("AudioSpecifications")
        if not isinstance(audio, list) or not 1 <= len(audio) <= MAX_AUDIO_FILES:
            raise _JobFailed(400, "AudioSpecifications must list 1 to 10 audio files.")
        for spec in audio:
            uri = spec.get("S3Uri") if isinstance(spec, dict) else None
            if not isinstance(uri, str):
                raise _JobFailed(400, "Each audio specification needs an S3Uri.")
            if spec.get("ChannelId", 0) not in (0, 1):
                raise _JobFailed(400, "ChannelId must be 0 or 1.")
            path = self.s3_path(uri)
            if path is None or not path.is_file():
                raise _JobFailed(404, f"The audio file {uri} does not exist.")
        return speaker_id

    def enroll(self, job: dict, speaker_id: str) -> str:
        domain_id = job["DomainId"]
        now = self.now()
        speaker = self.store.speaker(domain_id, speaker_id)
        if speaker is not None:
            action = job["EnrollmentConfig"]["ExistingEnrollmentAction"]
            if speaker["Status"] == "OPTED_OUT":
                raise _JobFailed(409, f"The speaker {speaker_id} has opted out.")
            if speaker["Status"] == "ENROLLED" and action == "SKIP":
                raise _JobFailed(409, f"The speaker {speaker_id} is already enrolled (SKIP).")
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
        return speaker["GeneratedSpeakerId"]

    # -- speakers --------------------------------------------------------------------------
    def describe_speaker(self, params: dict, region: str) -> dict:
        domain_id, speaker_id = params["DomainId"], params["SpeakerId"]
        with self.store.transaction():
            self.require_domain(domain_id)
            speaker = self.store.speaker(domain_id, speaker_id)
        if speaker is None:
            raise not_found("SPEAKER", "The speaker does not exist in this domain.")
        return {"Speaker": speaker}


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
