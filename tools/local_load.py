"""Tooling — the local service under load, and killed under load.

    python -m clishape_tools.local_load [--clients 16] [--requests 2000] [--kill]
                                        [--state-dir DIR] [--seed N]

Starts ``clishape-local serve`` as its own process on a fresh (or the given) state folder and
drives it with ``--clients`` boto3 clients in parallel threads, one client each, for at least
``--requests`` requests in all, drawn from ``OPERATIONS``: a table of every operation family
(domains, tags, watchlists, speaker enrollment jobs, speakers, fraudster registration jobs,
fraudsters, sessions), each entry an operation, its weight and what it writes. Every client
works in a domain of its own, so the last write it was told succeeded is what the state must
hold. Operations the service answers ``NotImplementedException`` are left out of the mix (and
listed), so the same table serves a service that implements more.

Afterwards every acknowledged write is read back (a job or watchlist that was created, a
description or tag that was set, a domain that was deleted); and ``PRAGMA integrity_check`` is
run on the state's SQLite file.

``--kill``: once half of the requests are answered, the server is killed with SIGKILL while the
clients keep sending, then started again on the same state folder; the acknowledged writes are
read back from the restarted service. A write in flight when the server died may or may not
have happened: both outcomes are accepted for it.

The report gives the rates (requests per second, per-operation latency percentiles), the HTTP
statuses, the writes acknowledged and lost, and the integrity check. A failure is any 5xx, any
transport error outside the kill, any lost write or a failed integrity check (exit status 1).
Rates are printed for the reader; nothing asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROLE = "arn:aws:iam::123456789012:role/clishape-load"
KMS = "alias/clishape-load"
BUCKET = "load"
SPEAKERS_PER_CLIENT = 3
FRAUDSTERS_PER_CLIENT = 2
NOT_IMPLEMENTED = "NotImplementedException"
STATE_FILE = "voiceid.sqlite3"


# -- the server ------------------------------------------------------------------------------


class Server:
    """``clishape-local serve`` in its own process (so that it can be SIGKILLed)."""

    def __init__(self, state_dir: Path, log: Path):
        self.state_dir = state_dir
        self.log_path = log
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 60.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLISHAPE_LOCAL")}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clishape_local.cli", "serve", "--port", "0", "--quiet",
                 "--state-dir", str(self.state_dir)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
            )  # fmt: skip
        start = self.log_path.stat().st_size if self.log_path.exists() else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")[start:]
            found = re.findall(r"serving Voice ID at (http://\S+)", text)
            if found and "Ctrl-C" in text.split(found[-1], 1)[1]:
                self.url = found[-1]
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"clishape-local serve did not start; its log: {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown and no clean-up, as a crash leaves it (not a power cut: what the
        operating system had been handed still reaches the disk)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tracebacks(self) -> int:
        return self.log_path.read_text(errors="replace").count("Traceback")


def integrity(state_dir: Path) -> str:
    """``PRAGMA integrity_check`` of the state's SQLite file: ``ok`` or the problems found."""
    with sqlite3.connect(state_dir / STATE_FILE) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    connection.close()
    return "; ".join(str(row[0]) for row in rows)


# -- the data in the fake S3 ----------------------------------------------------------------


def write_noise(path: Path, seed: int, seconds: float = 0.25) -> None:
    """A short 8 kHz 16-bit mono WAV of seeded noise: every client's voices differ."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    frames = b"".join(
        struct.pack("<h", rng.randint(-8000, 8000)) for _ in range(int(8000 * seconds))
    )
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(frames)


def write_client_data(s3_root: Path, client: int, domain_id: str) -> None:
    folder = s3_root / BUCKET / f"c{client}"
    entries = []
    for number in range(SPEAKERS_PER_CLIENT):
        speaker = f"c{client}-speaker-{number}"
        write_noise(folder / f"{speaker}.wav", client * 1000 + number)
        audio = [{"S3Uri": f"s3://{BUCKET}/c{client}/{speaker}.wav", "ChannelId": 0}]
        entries.append(
            {"RequestId": f"r{number}", "SpeakerId": speaker, "AudioSpecifications": audio}
        )
    manifest = {"Version": "1.0", "SpeakerEnrollmentRequests": entries}
    (folder / "speakers.json").write_text(json.dumps(manifest), encoding="utf-8")
    entries = []
    for number in range(FRAUDSTERS_PER_CLIENT):
        write_noise(folder / f"fraudster-{number}.wav", client * 1000 + 500 + number)
        audio = [{"S3Uri": f"s3://{BUCKET}/c{client}/fraudster-{number}.wav", "ChannelId": 0}]
        entries.append({"RequestId": f"f{number}", "AudioSpecifications": audio})
    manifest = {"Version": "1.0", "FraudsterRegistrationRequests": entries}
    (folder / "fraudsters.json").write_text(json.dumps(manifest), encoding="utf-8")
    (s3_root / BUCKET / "out").mkdir(parents=True, exist_ok=True)
    # A session of the client's domain (how the local service defines one): its audio file.
    write_noise(s3_root / "voiceid-sessions" / domain_id / "call-1.wav", client * 1000)


# -- what one client does ------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None  # None: no HTTP answer (transport error)
    body: dict | None = None
    code: str | None = None


@dataclass
class Client:
    """One boto3 client and what it was told: its domain and every write acknowledged."""

    index: int
    run: Run
    boto: object = None
    rng: random.Random = None
    domain_id: str = ""
    domain_arn: str = ""
    description_candidates: set = field(default_factory=set)  # acceptable final descriptions
    tags: dict = field(default_factory=dict)  # key -> set of acceptable values (None: absent)
    jobs: list = field(default_factory=list)  # (job id, job name)
    fraud_jobs: list = field(default_factory=list)
    watchlists: dict = field(default_factory=dict)  # id -> set of acceptable descriptions
    deleted: list = field(default_factory=list)  # domain ids whose deletion was acknowledged
    counter: int = 0
    sent: int = 0  # requests counted (answered by an implemented operation, or unanswered)
    unanswered: int = 0

    def call(self, operation: str, **params) -> Outcome:
        from botocore.exceptions import BotoCoreError, ClientError

        method = getattr(self.boto, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        started = time.perf_counter()
        try:
            body = method(**params)
            outcome = Outcome(body["ResponseMetadata"]["HTTPStatusCode"], body)
        except ClientError as error:
            meta = error.response.get("ResponseMetadata", {})
            code = error.response.get("Error", {}).get("Code")
            outcome = Outcome(meta.get("HTTPStatusCode"), None, code)
        except BotoCoreError as error:
            outcome = Outcome(None, None, type(error).__name__)
        self.run.record(self, operation, outcome, time.perf_counter() - started)
        return outcome

    def next_name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-c{self.index}-{self.counter}"


def _written(outcome: Outcome) -> bool | None:
    """True: acknowledged; False: refused (4xx); None: unknown (no answer)."""
    if outcome.status is None:
        return None
    return outcome.status < 300


def _settle(candidates: set, value, outcome: Outcome) -> set:
    """The acceptable final values after a write of ``value`` with this outcome."""
    done = _written(outcome)
    if done is True:
        return {value}
    if done is None:
        return candidates | {value}
    return candidates


# Each entry: operation, family, weight, what one call does (given the client).
def op_describe_domain(c: Client):
    c.call("DescribeDomain", DomainId=c.domain_id)


def op_list_domains(c: Client):
    c.call("ListDomains", MaxResults=10)


def op_update_domain(c: Client):
    value = c.next_name("description")
    outcome = c.call(
        "UpdateDomain", DomainId=c.domain_id, Name=f"load-{c.index}", Description=value,
        ServerSideEncryptionConfiguration={"KmsKeyId": KMS},
    )  # fmt: skip
    c.description_candidates = _settle(c.description_candidates, value, outcome)


def op_churn_domain(c: Client):
    """Create a domain and delete it again (two requests)."""
    created = c.call("CreateDomain", Name=c.next_name("churn"), ClientToken=c.next_name("token"),
                     ServerSideEncryptionConfiguration={"KmsKeyId": KMS})  # fmt: skip
    if _written(created):
        domain_id = created.body["Domain"]["DomainId"]
        if _written(c.call("DeleteDomain", DomainId=domain_id)):
            c.deleted.append(domain_id)


def op_tag(c: Client):
    key, value = f"k{c.rng.randrange(8)}", c.next_name("v")
    outcome = c.call("TagResource", ResourceArn=c.domain_arn, Tags=[{"Key": key, "Value": value}])
    c.tags[key] = _settle(c.tags.get(key, {None}), value, outcome)


def op_untag(c: Client):
    key = f"k{c.rng.randrange(8)}"
    outcome = c.call("UntagResource", ResourceArn=c.domain_arn, TagKeys=[key])
    c.tags[key] = _settle(c.tags.get(key, {None}), None, outcome)


def op_list_tags(c: Client):
    c.call("ListTagsForResource", ResourceArn=c.domain_arn)


def op_create_watchlist(c: Client):
    if len(c.watchlists) >= 3:  # 5 a domain, the default one included: stay under the quota
        return op_list_watchlists(c)
    description = c.next_name("watchlist")
    outcome = c.call("CreateWatchlist", DomainId=c.domain_id, Name=c.next_name("w"),
                     Description=description, ClientToken=c.next_name("token"))  # fmt: skip
    if _written(outcome):
        c.watchlists[outcome.body["Watchlist"]["WatchlistId"]] = {description}


def op_update_watchlist(c: Client):
    if not c.watchlists:
        return op_create_watchlist(c)
    watchlist = c.rng.choice(sorted(c.watchlists))
    description = c.next_name("described")
    outcome = c.call("UpdateWatchlist", DomainId=c.domain_id, WatchlistId=watchlist,
                     Description=description)  # fmt: skip
    c.watchlists[watchlist] = _settle(c.watchlists[watchlist], description, outcome)


def op_list_watchlists(c: Client):
    c.call("ListWatchlists", DomainId=c.domain_id)


def op_describe_watchlist(c: Client):
    if not c.watchlists:
        return op_list_watchlists(c)
    c.call(
        "DescribeWatchlist", DomainId=c.domain_id, WatchlistId=c.rng.choice(sorted(c.watchlists))
    )


def _job_params(c: Client, manifest: str) -> dict:
    return {
        "DomainId": c.domain_id,
        "JobName": c.next_name("job"),
        "ClientToken": c.next_name("token"),
        "DataAccessRoleArn": ROLE,
        "InputDataConfig": {"S3Uri": f"s3://{BUCKET}/c{c.index}/{manifest}"},
        "OutputDataConfig": {"S3Uri": f"s3://{BUCKET}/out"},
    }


def op_start_enrollment(c: Client):
    params = _job_params(c, "speakers.json")
    params["EnrollmentConfig"] = {"ExistingEnrollmentAction": "OVERWRITE"}
    outcome = c.call("StartSpeakerEnrollmentJob", **params)
    if _written(outcome):
        c.jobs.append((outcome.body["Job"]["JobId"], params["JobName"]))


def op_describe_enrollment(c: Client):
    if not c.jobs:
        return op_start_enrollment(c)
    job_id, _name = c.rng.choice(c.jobs)
    c.call("DescribeSpeakerEnrollmentJob", DomainId=c.domain_id, JobId=job_id)


def op_list_enrollments(c: Client):
    c.call("ListSpeakerEnrollmentJobs", DomainId=c.domain_id, MaxResults=20)


def op_describe_speaker(c: Client):
    speaker = f"c{c.index}-speaker-{c.rng.randrange(SPEAKERS_PER_CLIENT)}"
    c.call("DescribeSpeaker", DomainId=c.domain_id, SpeakerId=speaker)  # 404 until enrolled


def op_list_speakers(c: Client):
    c.call("ListSpeakers", DomainId=c.domain_id, MaxResults=20)


def op_start_registration(c: Client):
    params = _job_params(c, "fraudsters.json")
    params["RegistrationConfig"] = {"DuplicateRegistrationAction": "SKIP"}
    outcome = c.call("StartFraudsterRegistrationJob", **params)
    if _written(outcome):
        c.fraud_jobs.append((outcome.body["Job"]["JobId"], params["JobName"]))


def op_describe_registration(c: Client):
    if not c.fraud_jobs:
        return op_start_registration(c)
    job_id, _name = c.rng.choice(c.fraud_jobs)
    c.call("DescribeFraudsterRegistrationJob", DomainId=c.domain_id, JobId=job_id)


def op_list_registrations(c: Client):
    c.call("ListFraudsterRegistrationJobs", DomainId=c.domain_id, MaxResults=20)


def op_list_fraudsters(c: Client):
    c.call("ListFraudsters", DomainId=c.domain_id, MaxResults=20)


def op_evaluate_session(c: Client):
    c.call("EvaluateSession", DomainId=c.domain_id, SessionNameOrId="call-1")


@dataclass(frozen=True)
class Operation:
    name: str  # the Voice ID operation whose answer decides whether it is implemented
    family: str
    weight: int
    run: Callable[[Client], None]


OPERATIONS = [
    Operation("DescribeDomain", "domains", 6, op_describe_domain),
    Operation("ListDomains", "domains", 3, op_list_domains),
    Operation("UpdateDomain", "domains", 3, op_update_domain),
    Operation("DeleteDomain", "domains", 1, op_churn_domain),
    Operation("TagResource", "tags", 3, op_tag),
    Operation("UntagResource", "tags", 1, op_untag),
    Operation("ListTagsForResource", "tags", 3, op_list_tags),
    Operation("CreateWatchlist", "watchlists", 1, op_create_watchlist),
    Operation("UpdateWatchlist", "watchlists", 2, op_update_watchlist),
    Operation("DescribeWatchlist", "watchlists", 3, op_describe_watchlist),
    Operation("ListWatchlists", "watchlists", 2, op_list_watchlists),
    Operation("StartSpeakerEnrollmentJob", "enrollment jobs", 2, op_start_enrollment),
    Operation("DescribeSpeakerEnrollmentJob", "enrollment jobs", 5, op_describe_enrollment),
    Operation("ListSpeakerEnrollmentJobs", "enrollment jobs", 2, op_list_enrollments),
    Operation("DescribeSpeaker", "speakers", 4, op_describe_speaker),
    Operation("ListSpeakers", "speakers", 2, op_list_speakers),
    Operation("StartFraudsterRegistrationJob", "registration jobs", 1, op_start_registration),
    Operation("DescribeFraudsterRegistrationJob", "registration jobs", 3, op_describe_registration),
    Operation("ListFraudsterRegistrationJobs", "registration jobs", 1, op_list_registrations),
    Operation("ListFraudsters", "fraudsters", 2, op_list_fraudsters),
    Operation("EvaluateSession", "sessions", 2, op_evaluate_session),
]


FAMILY = {op.name: op.family for op in OPERATIONS} | {"CreateDomain": "domains"}


# -- a run ---------------------------------------------------------------------------------


@dataclass
class Report:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    by_operation: dict = field(default_factory=lambda: defaultdict(list))  # op -> latencies
    codes: Counter = field(default_factory=Counter)  # error codes by operation:code
    server_errors: list = field(default_factory=list)  # (operation, status, code)
    transport_errors: list = field(default_factory=list)  # before the kill
    unimplemented: set = field(default_factory=set)
    families: set = field(default_factory=set)
    writes_acknowledged: int = 0
    lost: list = field(default_factory=list)
    integrity: str = ""
    integrity_after_kill: str | None = None
    killed_after: int | None = None  # requests answered when the server was killed
    in_flight_at_kill: int = 0
    tracebacks: int = 0

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.transport_errors or self.lost
                    or self.integrity != "ok" or self.tracebacks
                    or self.integrity_after_kill not in (None, "ok"))  # fmt: skip

    def text(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        lines = [
            f"{self.requests} requests in {self.seconds:.2f} s: {rate:.0f} requests/s",
            "statuses: "
            + ", ".join(
                f"{k if k else 'no answer'}: {v}" for k, v in sorted(self.statuses.items(), key=str)
            ),  # fmt: skip
            f"families: {', '.join(sorted(self.families))}",
        ]
        if self.unimplemented:
            lines.append(
                f"left out (NotImplementedException): {', '.join(sorted(self.unimplemented))}"
            )
        lines.append(f"{'operation':34} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, times in sorted(self.by_operation.items()):
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            lines.append(f"{name:34} {len(times):6} {statistics.median(times) * 1000:8.1f} "
                         f"{p95 * 1000:8.1f} {ordered[-1] * 1000:8.1f}")  # fmt: skip
        if self.codes:
            lines.append(
                "error answers: " + ", ".join(f"{k} {v}" for k, v in sorted(self.codes.items()))
            )
        if self.killed_after is not None:
            lines.append(f"SIGKILL after {self.killed_after} answered requests; "
                         f"{self.in_flight_at_kill} requests got no answer; "
                         f"integrity right after the kill: {self.integrity_after_kill}")  # fmt: skip
        lines += [
            f"writes acknowledged: {self.writes_acknowledged}, lost: {len(self.lost)}",
            f"5xx answers: {len(self.server_errors)}, transport errors: {len(self.transport_errors)}"
            f", server tracebacks: {self.tracebacks}",
            f"PRAGMA integrity_check: {self.integrity}",
        ]
        lines += [f"LOST: {item}" for item in self.lost[:20]]
        lines += [f"5xx: {item}" for item in self.server_errors[:20]]
        lines += [f"transport: {item}" for item in self.transport_errors[:20]]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


class Run:
    def __init__(self, report: Report):
        self.report = report
        self.lock = threading.Lock()
        self.killed = threading.Event()
        self.answered = 0

    def record(self, client: Client, operation: str, outcome: Outcome, seconds: float) -> None:
        with self.lock:
            report = self.report
            if outcome.code == NOT_IMPLEMENTED:
                report.unimplemented.add(operation)
                return
            report.requests += 1
            client.sent += 1
            report.families.add(FAMILY.get(operation, "other"))
            report.statuses[outcome.status] += 1
            report.by_operation[operation].append(seconds)
            if outcome.status is None:
                client.unanswered += 1
                if self.killed.is_set():
                    report.in_flight_at_kill += 1
                else:
                    report.transport_errors.append((operation, outcome.code))
                return
            self.answered += 1
            if outcome.code:
                report.codes[f"{operation}:{outcome.code}"] += 1
            if outcome.status >= 500:
                report.server_errors.append((operation, outcome.status, outcome.code))


def boto_client(url: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "voice-id",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDLOCALCLISHAPE",
        aws_secret_access_key="clishape-local-secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60),
    )


def set_up(client: Client, s3_root: Path) -> None:
    created = client.call("CreateDomain", Name=f"load-{client.index}", Description="initial",
                          ClientToken=f"load-domain-{client.index}",
                          ServerSideEncryptionConfiguration={"KmsKeyId": KMS})  # fmt: skip
    if not _written(created):
        raise RuntimeError(f"CreateDomain failed: {created}")
    client.domain_id = created.body["Domain"]["DomainId"]
    client.domain_arn = created.body["Domain"]["Arn"]
    client.description_candidates = {"initial"}
    write_client_data(s3_root, client.index, client.domain_id)


def drive(client: Client, quota: int, operations: list[Operation], stop: threading.Event) -> None:
    """``quota`` requests from the weighted table; after the kill, until one goes unanswered."""
    run = client.run
    while client.sent < quota and not stop.is_set():
        chosen = [op for op in operations if op.name not in run.report.unimplemented]
        if not chosen:
            return
        operation = client.rng.choices(chosen, weights=[op.weight for op in chosen])[0]
        before = client.sent
        operation.run(client)
        if client.sent == before:  # everything it sent was NotImplementedException
            with run.lock:
                run.report.unimplemented.add(operation.name)
        if client.unanswered and run.killed.is_set():
            return


def verify(client: Client, boto) -> list[str]:
    """Every acknowledged write of ``client``, read back; what is missing or wrong."""
    lost: list[str] = []

    def get(operation: str, **params):
        from botocore.exceptions import ClientError

        method = getattr(boto, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        try:
            return method(**params)
        except ClientError as error:
            return error.response

    name = f"client {client.index}"
    domain = get("DescribeDomain", DomainId=client.domain_id)
    if "Domain" not in domain:
        lost.append(f"{name}: its domain {client.domain_id}: {domain.get('Error')}")
    elif domain["Domain"].get("Description") not in client.description_candidates:
        lost.append(f"{name}: description {domain['Domain'].get('Description')!r}, expected one of "
                    f"{sorted(client.description_candidates)}")  # fmt: skip
    if any(values != {None} for values in client.tags.values()):
        answer = get("ListTagsForResource", ResourceArn=client.domain_arn)
        tags = {tag["Key"]: tag["Value"] for tag in answer.get("Tags", [])}
        for key, values in client.tags.items():
            if tags.get(key) not in values:
                lost.append(f"{name}: tag {key}={tags.get(key)!r}, expected one of {values}")
    for watchlist, values in client.watchlists.items():
        answer = get("DescribeWatchlist", DomainId=client.domain_id, WatchlistId=watchlist)
        found = answer.get("Watchlist", {}).get("Description", answer.get("Error"))
        if found not in values:
            lost.append(f"{name}: watchlist {watchlist}: {found!r}, expected one of {values}")
    for operation, jobs in (("DescribeSpeakerEnrollmentJob", client.jobs),
                            ("DescribeFraudsterRegistrationJob", client.fraud_jobs)):  # fmt: skip
        for job_id, job_name in jobs:
            answer = get(operation, DomainId=client.domain_id, JobId=job_id)
            if answer.get("Job", {}).get("JobName") != job_name:
                lost.append(f"{name}: job {job_id} ({job_name}): {answer.get('Error')}")
    for domain_id in client.deleted:
        answer = get("DescribeDomain", DomainId=domain_id)
        if answer.get("Error", {}).get("Code") != "ResourceNotFoundException":
            lost.append(f"{name}: deleted domain {domain_id} is back")
    return lost


def acknowledged(client: Client) -> int:
    return (1 + len(client.jobs) + len(client.fraud_jobs) + len(client.watchlists)
            + len(client.deleted) + sum(1 for v in client.tags.values() if v != {None})
            + (client.description_candidates != {"initial"}))  # fmt: skip


def run_load(
    state_dir: Path,
    *,
    clients: int = 16,
    requests: int = 2000,
    kill: bool = False,
    seed: int = 0,
    operations: list[Operation] | None = None,
) -> Report:
    """Drive a ``clishape-local serve`` over ``state_dir``; see the module's description."""
    operations = OPERATIONS if operations is None else operations
    report = Report()
    run = Run(report)
    state_dir.mkdir(parents=True, exist_ok=True)
    server = Server(state_dir, state_dir.parent / f"{state_dir.name}-serve.log")
    server.start()
    stop = threading.Event()
    quota = -(-requests // clients)

    def load(people: list[Client]) -> None:
        with ThreadPoolExecutor(clients) as pool:
            for future in [pool.submit(drive, p, quota, operations, stop) for p in people]:
                future.result()

    try:
        people = [Client(i, run, boto_client(server.url), random.Random(seed * 1000 + i))
                  for i in range(clients)]  # fmt: skip
        for person in people:
            set_up(person, state_dir / "s3")
        started = time.perf_counter()
        if not kill:
            load(people)
        else:

            def kill_midway():
                while run.answered < requests // 2 and not stop.is_set():
                    time.sleep(0.002)
                with run.lock:
                    report.killed_after = run.answered
                    run.killed.set()
                server.kill()

            killer = threading.Thread(target=kill_midway, daemon=True)
            killer.start()
            load(people)  # until each client has seen the server gone
            killer.join()
            report.integrity_after_kill = integrity(state_dir)
            server.start()  # the same state folder, a new process
            fresh = boto_client(server.url)
            report.lost += [
                f"after the restart: {item}" for p in people for item in verify(p, fresh)
            ]
            run.killed.clear()
            for person in people:  # the rest of the load, against the restarted service
                person.boto, person.unanswered = boto_client(server.url), 0
            load(people)
        report.seconds = time.perf_counter() - started
        fresh = boto_client(server.url)
        for person in people:
            report.writes_acknowledged += acknowledged(person)
            report.lost += verify(person, fresh)
    finally:
        stop.set()
        server.stop()
    report.tracebacks = server.tracebacks()
    report.integrity = integrity(state_dir)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clishape_tools.local_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=16, help="parallel boto3 clients (16)")
    parser.add_argument("--requests", type=int, default=2000, help="requests at least (2000)")
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server half-way, restart")
    parser.add_argument(
        "--state-dir", type=Path, help="state folder (default: a fresh temporary one)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the operation mix (0)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1:
        parser.error("--clients and --requests must be 1 or more")
    with tempfile.TemporaryDirectory(prefix="clishape-load-") as scratch:
        state = args.state_dir or Path(scratch) / "state"
        report = run_load(state, clients=args.clients, requests=args.requests, kill=args.kill,
                          seed=args.seed)  # fmt: skip
        print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
