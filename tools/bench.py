"""Tooling — whole-process start-up benchmarks, measured side by side in one run.

    python tools/bench.py [--runs N] [--groups NAME ...] [--aws PATH] [--markdown]
                          [--all-specs DIR] [--baseline-tree DIR]

Every case is a command line run as a fresh process. Runs are interleaved (one of each case per
round, in a shuffled order) so that machine noise hits every case alike; the report gives each
case's median wall time and its ratio to the baseline case of its group (``python -c pass``
for start-up cases). Absolute times are printed for the reader but never asserted anywhere:
only ratios mean something across machines. ``--baseline-tree DIR`` (a checkout of an earlier
commit) adds that tree's start-up and 10 MB cases to the same run, interleaved with today's, so a
change is measured before and after under the same machine noise. (The tests assert behaviour only; the timings of
the import of every service, the 10 MB input document and pathological shorthand are here.)

Processes run as an installed program does: with bytecode cached (``PYTHONDONTWRITEBYTECODE`` is
dropped for them and the tree is compiled first). ``--aws`` names the AWS CLI v2 to compare with
(default: ``aws`` on PATH when it is v2). Group ``local`` measures the local service against moto
in server mode in the same run: a kept-alive boto3 client's median time per call, and 16 parallel
clients' throughput. Group ``imports`` names the five biggest imports of each hot path
(``python -X importtime``). ``--markdown`` ends with the README's speed table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED = ["voice-id", "describe-speaker-enrollment-job"]
CLI = [PY, "-m", "cli_core"]


@dataclass
class Case:
    name: str
    argv: list[str]
    baseline: str = "python -c pass"
    env: dict = field(default_factory=dict)
    expect_rc: int | None = 0
    budget: float | None = None  # the ceiling, as a ratio to the baseline
    cwd: str | None = None  # where the process starts (a --baseline-tree's cases start there)


STARTUP_BUDGET = 2.0  # help, usage errors and skeletons: at most 2x `python -c pass`
BIG_INPUT_BUDGET = 2.5  # the 10 MB dry run: at most 2.5x a bare json.load + json.dump
REAL_CALL_BUDGET = 0.3  # a real call: at most 0.3x AWS CLI v2 making the same call
LOCAL_LATENCY_BUDGET_MS = 1.0  # a kept-alive SDK client's median per call to the local service
LOCAL_THROUGHPUT_BUDGET = 2000  # requests/s of 16 parallel clients


def child_env(extra: dict | None = None) -> dict:
    """The environment of a measured process: bytecode cached, as for an installed program."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


def compile_tree(root: Path) -> None:
    import compileall

    for folder in ("cli_core", "commands", "clishape_local", "tools"):
        if (root / folder).is_dir():
            compileall.compile_dir(str(root / folder), quiet=1)


def find_aws_v2(given: str | None) -> str | None:
    """``given``, or ``aws`` on PATH when it is AWS CLI v2 (v1 answers differently)."""
    candidate = given or shutil.which("aws")
    if not candidate:
        return None
    try:
        done = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = (done.stdout + done.stderr).strip()
    if given or version.startswith("aws-cli/2."):
        return candidate
    print(f"(skipping the AWS CLI comparison: {version.split()[0] if version else candidate} "
          "is not v2; name one with --aws)\n")  # fmt: skip
    return None


def startup_cases(aws: str | None, baseline_tree: Path | None = None) -> list[Case]:
    cases = [Case("python -c pass", [PY, "-c", "pass"], baseline="")]
    trees = [("", None)] + ([(" (baseline tree)", baseline_tree)] if baseline_tree else [])
    for suffix, tree in trees:
        cwd = str(tree) if tree else None
        env = {"CLISHAPE_CACHE_DIR": str(tree / ".bench-cache")} if tree else {}
        budget = None if tree else STARTUP_BUDGET
        cases += [
            Case(f"clishape … help{suffix}", [*CLI, *SEED, "help"], budget=budget, cwd=cwd,
                 env=env),
            Case(f"clishape usage error{suffix}", [*CLI, *SEED, "--domain-id", "d"],
                 expect_rc=252, budget=budget, cwd=cwd, env=env),
            Case(f"clishape skeleton input{suffix}",
                 [*CLI, *SEED, "--generate-cli-skeleton", "input"], budget=budget, cwd=cwd,
                 env=env),
            Case(f"clishape skeleton yaml-input{suffix}",
                 [*CLI, *SEED, "--generate-cli-skeleton", "yaml-input"], budget=budget, cwd=cwd,
                 env=env),
            Case(f"clishape voice-id help{suffix}", [*CLI, "voice-id", "help"], cwd=cwd, env=env),
            Case(f"clishape help{suffix}", [*CLI, "help"], cwd=cwd, env=env),
        ]  # fmt: skip
    if aws:
        cases += [
            Case(
                "aws (v2) skeleton input",
                [aws, *SEED, "--generate-cli-skeleton", "input"],
            ),
            Case("aws (v2) usage error", [aws, *SEED, "--domain-id", "d"], expect_rc=None),
        ]
    return cases


def big_input_cases(workdir: Path, baseline_tree: Path | None = None) -> list[Case]:
    """A 10 MB --cli-input-json, merged, validated and printed, against json.load + json.dump."""
    fixtures = ROOT / "tests" / "fixtures" / "specs"
    big = workdir / "big.json"
    items = []
    size = 0
    i = 0
    while size < 10_000_000:
        item = {
            "Name": f"item-{i:08d}",
            "Count": i % 1000,
            "Ratio": 0.5,
            "Enabled": i % 2 == 0,
            "Colour": "GREEN",
            "Tags": {"team": "x" * 40},
        }
        items.append(item)
        size += len(json.dumps(item)) + 2
        i += 1
    big.write_text(json.dumps({"Items": items}))
    env = {"CLISHAPE_SPEC_PATH": str(fixtures)}
    plain = (
        "import json,sys; d=json.load(open(sys.argv[1])); sys.stdout.write(json.dumps(d, indent=4))"
    )
    dry_run = [*CLI, "blobby", "put-items", "--cli-input-json", f"file://{big}", "--cli-dry-run"]
    cases = [
        Case("json.load + json.dump (10 MB)", [PY, "-c", plain, str(big)], baseline=""),
        Case(
            "clishape --cli-input-json 10 MB --cli-dry-run",
            dry_run,
            baseline="json.load + json.dump (10 MB)",
            env=env,
            budget=BIG_INPUT_BUDGET,
        ),
    ]
    if baseline_tree:
        old_env = {
            "CLISHAPE_SPEC_PATH": str(baseline_tree / "tests" / "fixtures" / "specs"),
            "CLISHAPE_CACHE_DIR": str(baseline_tree / ".bench-cache"),
        }
        cases.append(
            Case(
                "clishape --cli-input-json 10 MB --cli-dry-run (baseline tree)",
                dry_run,
                baseline="json.load + json.dump (10 MB)",
                env=old_env,
                cwd=str(baseline_tree),
            )
        )
    return cases


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)


LOCAL_CREDS = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALCLISHAPE",
    "AWS_SECRET_ACCESS_KEY": "clishape-local-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def start_local(workdir: Path, folder: str = "local") -> tuple[str, dict, subprocess.Popen]:
    """``clishape-local serve`` on a free port with the seeded state in ``workdir/folder``:
    (url, seeded ids, process)."""
    port = _free_port()
    state = workdir / folder
    seeded = subprocess.run(
        [PY, "-m", "clishape_local.cli", "seed", "--state-dir", str(state), "--format", "json"],
        capture_output=True,
        text=True,
        env=child_env(),
    )
    ids = json.loads(seeded.stdout or "{}")
    server = subprocess.Popen(
        [PY, "-m", "clishape_local.cli", "serve", "--port", str(port), "--state-dir", str(state),
         "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )  # fmt: skip
    _wait_for_port(port)
    return f"http://127.0.0.1:{port}", ids, server


def service_cases(aws: str | None, url: str, ids: dict) -> list[Case]:
    """The seed command against the local service (started once, outside the timing)."""
    args = [*SEED, "--domain-id", ids.get("DomainId", ""), "--job-id", ids.get("JobId", "")]
    cases = [
        Case("clishape real call", [*CLI, "--endpoint-url", url, *args], baseline="",
             env=LOCAL_CREDS),
    ]  # fmt: skip
    if aws:
        cases.append(
            Case("aws (v2) real call", [aws, "--endpoint-url", url, *args], baseline="",
                 env=LOCAL_CREDS)
        )  # fmt: skip
    return cases


# Where a real call's time goes, measured inside the process: marks when the program starts
# running, when botocore is first imported, when the client is being built and done, and when
# the answer has been printed; the interpreter's own start is `python -c pass` of the same run.
PHASES_PROBE = r"""
import sys, time
start = time.perf_counter()
marks = {}

class FirstBotocore:
    def find_spec(self, name, path=None, target=None):
        if name == "botocore":
            marks.setdefault("botocore", time.perf_counter())

sys.meta_path.insert(0, FirstBotocore())
import cli_core.send.transport as transport
build = transport.build_client

def timed_build(*args, **kwargs):
    marks["client"] = time.perf_counter()
    try:
        return build(*args, **kwargs)
    finally:
        marks["request"] = time.perf_counter()

transport.build_client = timed_build
from clishape_commands.app import app, main
from cli_core.app import _prepare_process
_prepare_process(app)  # as a program run does (its regular expressions, the collector)
main(sys.argv[1:])  # given its arguments, it returns (the process is left to end as usual)
end = time.perf_counter()
sys.stdout.flush()
steps = [start, marks["botocore"], marks["client"], marks["request"], end]
print(" ".join(f"{b - a:.6f}" for a, b in zip(steps, steps[1:])), file=sys.stderr)
"""

PHASES = ("clishape, up to sending (parse, spec, request)",
          "botocore's transport imported (compat, urllib3, parsers)",
          "botocore's session and client imported and built",
          "the request and printing the answer")  # fmt: skip


def real_call_phases(case: Case, runs: int, summary: dict) -> None:
    """Print the medians of each phase of the real call (and the interpreter's start)."""
    env = child_env(case.env)
    cli_args = case.argv[len(CLI):]
    spent: list[list[float]] = [[] for _ in PHASES]
    bare: list[float] = []
    for _ in range(runs):
        bare.append(_timed_run([PY, "-c", "pass"], env, None)[0])
        done = subprocess.run([PY, "-c", PHASES_PROBE, *cli_args], capture_output=True,
                              text=True, env=env)  # fmt: skip
        for phase, took in zip(spent, done.stderr.strip().splitlines()[-1].split(), strict=True):
            phase.append(float(took))
    rows = [("the interpreter (python -c pass)", statistics.median(bare))]
    rows += [(name, statistics.median(times)) for name, times in zip(PHASES, spent, strict=True)]
    total = sum(took for _, took in rows)
    lines = ["## where the real call's time goes (medians; the phases add up to about one call)"]
    lines += [f"{name:<58} {took * 1000:>7.1f} ms {took / total:>5.0%}" for name, took in rows]
    print("\n".join(lines) + "\n")
    summary["real call phases"] = rows


# -- the local service against moto, both in server mode, same run --------------------------------

LOCAL_LATENCY_CALLS = 300  # per target, in rounds of 60, the targets interleaved
LOCAL_CLIENTS = 16
LOCAL_SECONDS = 5.0  # each target's throughput window


def start_moto() -> tuple[str, subprocess.Popen]:
    port = _free_port()
    server = subprocess.Popen(
        [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    _wait_for_port(port)
    return f"http://127.0.0.1:{port}", server


def _client(service: str, url: str, creds: dict):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service,
        endpoint_url=url,
        region_name=creds["AWS_DEFAULT_REGION"],
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"total_max_attempts": 1}),
    )


MOTO_CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
              "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


def _targets(local_url: str, ids: dict, moto_url: str) -> dict:
    """name -> (service, url, credentials, [(method, kwargs), ...]): a describe, then a list."""
    dynamodb = _client("dynamodb", moto_url, MOTO_CREDS)
    dynamodb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    describe = {"DomainId": ids.get("DomainId", ""), "JobId": ids.get("JobId", "")}
    return {
        "clishape-local": ("voice-id", local_url, LOCAL_CREDS, [
            ("describe_speaker_enrollment_job", describe), ("list_domains", {})]),
        "moto (server mode)": ("dynamodb", moto_url, MOTO_CREDS, [
            ("describe_table", {"TableName": "bench"}), ("list_tables", {})]),
    }  # fmt: skip


# A server that does nothing but answer: every request on a kept-alive connection gets the same
# bytes, captured once from clishape-local's answer to the describe call. What a boto3 client
# takes per call against it is the least any server can give on this machine (the client's own
# work and the loopback), so the latency table can show what each real server adds to it.
CANNED_SERVER = r"""
import socket, socketserver, sys
answer = open(sys.argv[2], "rb").read()

class Answer(socketserver.StreamRequestHandler):
    def handle(self):
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            length = 0
            line = self.rfile.readline()
            if not line:
                return
            while line not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                line = self.rfile.readline()
            self.rfile.read(length)
            self.connection.sendall(answer)

socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Answer).serve_forever()
"""

FLOOR = "canned answer (the floor)"


def start_canned(workdir: Path, target: tuple) -> tuple[str, subprocess.Popen]:
    """CANNED_SERVER on a free port, answering with the bytes ``target``'s server sent to the
    first call of its mix (status line, headers and body, exactly)."""
    import http.client

    method, path, headers, body = _signed_requests(target)[0]
    connection = http.client.HTTPConnection(target[1].split("//", 1)[1], timeout=30)
    connection.request(method, path, body=body, headers=headers)
    reply = connection.getresponse()
    content = reply.read()
    connection.close()
    head = [f"HTTP/1.1 {reply.status} {reply.reason}"]
    head += [f"{name}: {value}" for name, value in reply.getheaders()
             if name.lower() not in ("content-length", "connection")]  # fmt: skip
    head.append(f"Content-Length: {len(content)}")
    canned = workdir / "canned-answer"
    canned.write_bytes(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + content)
    port = _free_port()
    server = subprocess.Popen(
        [PY, "-c", CANNED_SERVER, str(port), str(canned)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    _wait_for_port(port)
    return f"http://127.0.0.1:{port}", server


def local_latency(targets: dict) -> dict[str, float]:
    """Median seconds per describe call of one kept-alive client per target, interleaved."""
    clients = {name: _client(service, url, creds) for name, (service, url, creds, _) in
               targets.items()}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in targets}
    for name, client in clients.items():  # warm-up: the connection, the client's caches
        method, kwargs = targets[name][3][0]
        for _ in range(20):
            getattr(client, method)(**kwargs)
    rounds = LOCAL_LATENCY_CALLS // 60
    client_cpu = dict.fromkeys(targets, 0.0)
    for _ in range(rounds):
        order = list(clients)
        random.shuffle(order)
        for name in order:
            method, kwargs = targets[name][3][0]
            call = getattr(clients[name], method)
            cpu_start = time.process_time()
            for _ in range(60):
                start = time.perf_counter()
                call(**kwargs)
                times[name].append(time.perf_counter() - start)
            client_cpu[name] += time.process_time() - cpu_start
    for name, spent in client_cpu.items():  # what the boto3 client itself takes of each call
        print(f"(boto3's own CPU time per call to {name}: "
              f"{spent / (rounds * 60) * 1000:.2f} ms)")  # fmt: skip
    return {name: statistics.median(ts) for name, ts in times.items()}


def _signed_requests(target: tuple) -> list[tuple[str, str, dict, bytes]]:
    """The target's mix as signed requests (method, path, headers, body), captured from boto3."""
    service, url, creds, mix = target
    client = _client(service, url, creds)
    captured: list = []

    def keep(request, **_kwargs):
        captured.append(request)

    client.meta.events.register("before-send", keep)
    for method, kwargs in mix:
        getattr(client, method)(**kwargs)
    found = []
    for request in captured:
        path = request.url.split("//", 1)[1].partition("/")[2]
        body = request.body if isinstance(request.body, bytes) else (request.body or b"")
        if isinstance(body, str):
            body = body.encode()
        found.append((request.method, "/" + path, dict(request.headers.items()), body))
    return found


def _load_worker(
    target: tuple, threads: int, start_at: float, seconds: float, raw: bool
) -> tuple[int, int]:
    """One client process: ``threads`` kept-alive clients calling the mix until the window ends
    (boto3 clients; with ``raw``, HTTP connections replaying requests signed once)."""
    import http.client
    import threading

    service, url, creds, mix = target
    counts = [0, 0]  # calls done in the window, errors
    lock = threading.Lock()
    signed = _signed_requests(target) if raw else []

    def call_for(client):
        if not raw:
            return [lambda m=m, k=k: getattr(client, m)(**k) for m, k in mix]

        def send(method, path, headers, body):
            client.request(method, path, body=body, headers=headers)
            answer = client.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(answer.status)

        return [lambda r=r: send(*r) for r in signed]

    def run(offset: int) -> None:
        if raw:
            client = http.client.HTTPConnection(url.split("//", 1)[1], timeout=30)
        else:
            client = _client(service, url, creds)
        calls = call_for(client)
        calls[0]()  # connect before the window opens
        done = errors = 0
        i = offset
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < start_at + seconds:
            call = calls[i % len(calls)]
            i += 1
            try:
                call()
                done += 1
            except Exception:
                errors += 1
        with lock:
            counts[0] += done
            counts[1] += errors

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts[0], counts[1]


def local_throughput(target: tuple, raw: bool = False, processes: int = 4) -> tuple[float, int]:
    """Requests/s (and errors) of LOCAL_CLIENTS kept-alive clients, spread over processes so
    that the clients' own CPU time is not one GIL's."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    start_at = time.time() + 3.0  # every client connected by then
    with context.Pool(processes) as pool:
        results = pool.starmap(
            _load_worker,
            [(target, LOCAL_CLIENTS // processes, start_at, LOCAL_SECONDS, raw)] * processes,
        )
    return sum(r[0] for r in results) / LOCAL_SECONDS, sum(r[1] for r in results)


def local_group(workdir: Path, summary: dict) -> list[str]:
    """Latency and throughput of the local service and of moto, both in server mode.

    Throughput is measured twice: with boto3 clients (what a test suite does; on a small
    machine the clients' CPU time is then the limit) and with plain HTTP connections replaying
    requests signed once (what the server itself sustains).
    """
    url, ids, local = start_local(workdir)
    moto_url, moto = start_moto()
    servers = [local, moto]
    try:
        targets = _targets(url, ids, moto_url)
        ours, theirs = "clishape-local", "moto (server mode)"
        floor_url, floor = start_canned(workdir, targets[ours])
        servers.append(floor)
        latency = local_latency({**targets, FLOOR: (*targets[ours][:1], floor_url,
                                                    *targets[ours][2:])})  # fmt: skip
        sdk = {name: local_throughput(target) for name, target in targets.items()}
        raw = {name: local_throughput(target, raw=True) for name, target in targets.items()}
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    lines = [
        f"## the local service against moto, kept-alive clients ({os.cpu_count()} cores)",
        f"{'server':<20} {'boto3 median ms/call':>21} {'16 boto3 clients req/s':>23} "
        f"{'16 HTTP clients req/s':>22} {'errors':>7}",
    ]  # fmt: skip
    for name in targets:
        errors = sdk[name][1] + raw[name][1]
        lines.append(
            f"{name:<20} {latency[name] * 1000:>21.2f} {sdk[name][0]:>23.0f} "
            f"{raw[name][0]:>22.0f} {errors:>7}"
        )
    lines.append(f"{FLOOR:<20} {latency[FLOOR] * 1000:>21.2f}")
    for name in targets:
        lines.append(f"{name} adds {(latency[name] - latency[FLOOR]) * 1000:.2f} ms per call "
                     f"to the floor")  # fmt: skip
    if latency[FLOOR] * 1000 > LOCAL_LATENCY_BUDGET_MS:
        lines.append(f"(the floor is over {LOCAL_LATENCY_BUDGET_MS:g} ms: on this machine the "
                     "client alone takes longer than the budget, whatever the server)")  # fmt: skip
    best = max(sdk[ours][0], raw[ours][0])
    checks = [
        (f"median ≤ {LOCAL_LATENCY_BUDGET_MS:g} ms", latency[ours] * 1000 <= LOCAL_LATENCY_BUDGET_MS),
        (f"≥ {LOCAL_THROUGHPUT_BUDGET} req/s", best >= LOCAL_THROUGHPUT_BUDGET),
        ("≥ moto's req/s", sdk[ours][0] >= sdk[theirs][0] and raw[ours][0] >= raw[theirs][0]),
        ("no error", sdk[ours][1] + raw[ours][1] == 0),
    ]  # fmt: skip
    lines.append("budgets: " + ", ".join(f"{text} {'ok' if ok else 'OVER'}" for text, ok in checks))
    print("\n".join(lines) + "\n")
    summary["local"] = {
        name: (latency[name], sdk[name][0], raw[name][0], sdk[name][1] + raw[name][1])
        for name in targets
    }
    summary["local floor"] = latency[FLOOR]
    return [f"local service: {text}" for text, ok in checks if not ok]


# -- where a hot path's time goes -----------------------------------------------------------------

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def _imports(argv: list[str], env: dict | None = None) -> list[tuple[str, int, int, str]]:
    """(module, self µs, cumulative µs, importer) of each import of one run of ``argv``."""
    done = subprocess.run(
        [PY, "-X", "importtime", *argv[1:]], capture_output=True, text=True,
        env=child_env(env),
    )  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            rows.append((match[4], int(match[1]), int(match[2]), len(match[3]) // 2))
    found = []
    for i, (name, own, total, depth) in enumerate(rows):  # a module's importer comes after it
        parent = next((r[0] for r in rows[i + 1 :] if r[3] < depth), "(the program)")
        found.append((name, own, total, parent))
    return found


def import_group(hot_paths: list[Case], summary: dict, runs: int = 5) -> list[str]:
    """The five biggest imports (own time, beyond `python -c pass`; the median of ``runs``
    runs) of each hot path, with the module that imported each."""
    bare = {row[0] for row in _imports([PY, "-c", "pass"])}
    lines = ["## the five biggest imports of each hot path (python -X importtime, own time)"]
    for case in hot_paths:
        subprocess.run(case.argv, capture_output=True, env=child_env(case.env))  # warm caches
        own: dict[str, list[int]] = {}
        importer: dict[str, str] = {}
        for _ in range(runs):
            for name, took, _total, parent in _imports(case.argv, case.env):
                if name not in bare:
                    own.setdefault(name, []).append(took)
                    importer[name] = parent
        medians = {name: statistics.median(times) for name, times in own.items()}
        top = sorted(medians.items(), key=lambda item: -item[1])[:5]
        lines.append(f"{case.name}: {len(medians)} modules beyond bare Python, "
                     f"{sum(medians.values()) / 1000:.1f} ms of own import time")  # fmt: skip
        for name, took in top:
            lines.append(f"    {took / 1000:>6.1f} ms  {name:<40} (imported by {importer[name]})")
        summary.setdefault("imports", {})[case.name] = top
    print("\n".join(lines) + "\n")
    return []


class Times(dict):
    """Case name -> wall seconds of each run; ``cpu``: the same for the process's CPU time
    (user + system), which other load on the machine disturbs much less than wall time."""

    def __init__(self, names):
        super().__init__({name: [] for name in names})
        self.cpu: dict[str, list[float]] = {name: [] for name in names}


def _timed_run(argv: list[str], env: dict, cwd: str | None) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    _pid, _status, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped by wait4
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def measure(cases: list[Case], runs: int) -> Times:
    times = Times([c.name for c in cases])
    base_env = child_env()
    for case in cases:  # one warm-up each (fills the compiled-spec cache), checking exit codes
        env = {**base_env, **case.env}
        done = subprocess.run(case.argv, capture_output=True, env=env, cwd=case.cwd)
        if case.expect_rc is not None and done.returncode != case.expect_rc:
            print(f"! {case.name}: exit {done.returncode}: {done.stderr.decode()[:300]}")
    for _ in range(runs):
        order = list(cases)
        random.shuffle(order)
        for case in order:
            wall, cpu = _timed_run(case.argv, {**base_env, **case.env}, case.cwd)
            times[case.name].append(wall)
            times.cpu[case.name].append(cpu)
    return times


def report(title: str, cases: list[Case], times: Times, summary: dict | None = None) -> list[str]:
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    cpu = {name: statistics.median(ts) for name, ts in getattr(times, "cpu", {}).items()}
    lines = [
        f"## {title}",
        f"{'case':<48} {'median ms':>10} {'ratio':>8} {'cpu ms':>8} {'cpu ratio':>9}  budget",
    ]
    failures = []
    for case in cases:
        median = medians[case.name]
        base = medians.get(case.baseline) if case.baseline else None
        ratio = median / base if base else None
        own_cpu = cpu.get(case.name)
        base_cpu = cpu.get(case.baseline) if case.baseline else None
        cpu_ratio = own_cpu / base_cpu if own_cpu is not None and base_cpu else None
        budget = ""
        if case.budget is not None and ratio is not None:
            ok = ratio <= case.budget
            budget = f"≤ {case.budget:.1f}× {'ok' if ok else 'OVER'}"
            if not ok:
                failures.append(case.name)
        ratio_text = f"{ratio:>7.2f}×" if ratio is not None else f"{'':>8}"
        cpu_text = f"{own_cpu * 1000:>8.1f}" if own_cpu is not None else f"{'':>8}"
        cpu_ratio_text = f"{cpu_ratio:>8.2f}×" if cpu_ratio is not None else f"{'':>9}"
        if summary is not None:
            summary["cases"][case.name] = (median, ratio, case.baseline, own_cpu, cpu_ratio)
        lines.append(
            f"{case.name:<48} {median * 1000:>10.1f} {ratio_text} {cpu_text} {cpu_ratio_text}"
            f"  {budget}"
        )
    print("\n".join(lines) + "\n")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--groups", nargs="*", default=["startup", "big-input", "service", "local", "imports"],
        help="which groups to run: startup, big-input, service, local, imports, import, "
        "shorthand, batch, completion",
    )  # fmt: skip
    parser.add_argument(
        "--aws", metavar="PATH",
        help="the AWS CLI v2 to compare with (default: aws on PATH, when it is v2)",
    )  # fmt: skip
    parser.add_argument(
        "--markdown", action="store_true", help="end with the README's speed table (markdown)"
    )
    parser.add_argument(
        "--all-specs", metavar="DIR",
        help="a folder with every botocore service imported: compares start-up with it in "
        "CLISHAPE_SPEC_PATH against Voice ID alone (group 'specs')",
    )  # fmt: skip
    parser.add_argument(
        "--baseline-tree", metavar="DIR", type=Path,
        help="a checkout of an earlier commit: its start-up and 10 MB cases run in the same "
        "rounds as today's (before and after, same run)",
    )  # fmt: skip
    parser.add_argument(
        "--batch-calls", type=int, default=BATCH_CALLS, metavar="N",
        help=f"calls in the batch group's batch (default {BATCH_CALLS})",
    )  # fmt: skip
    parser.add_argument(
        "--batch-loop-calls", type=int, metavar="M",
        help="processes each loop of the batch group runs (default: as many as --batch-calls); "
        "their total is extrapolated to --batch-calls",
    )  # fmt: skip
    args = parser.parse_args(argv)
    baseline_tree = args.baseline_tree.resolve() if args.baseline_tree else None
    aws = find_aws_v2(args.aws)
    compile_tree(ROOT)
    if baseline_tree:
        compile_tree(baseline_tree)
    failures: list[str] = []
    summary: dict = {"cases": {}, "aws": aws, "load": os.getloadavg()}
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores\n")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        os.environ["CLISHAPE_CACHE_DIR"] = str(workdir / "cache")
        if "startup" in args.groups:
            cases = startup_cases(aws, baseline_tree)
            failures += report("start-up", cases, measure(cases, args.runs), summary)
        if "big-input" in args.groups:
            cases = big_input_cases(workdir, baseline_tree)
            failures += report(
                "10 MB input document", cases, measure(cases, max(3, args.runs // 3)), summary
            )
        url = ids = None
        if {"service", "imports"} & set(args.groups):
            url, ids, server = start_local(workdir)
        try:
            if "service" in args.groups:
                cases = service_cases(aws, url, ids)
                times = measure(cases, args.runs)
                report("real call against the local service", cases, times, summary)
                if aws and times.get("aws (v2) real call"):
                    ours = statistics.median(times["clishape real call"])
                    theirs = statistics.median(times["aws (v2) real call"])
                    ours_cpu = statistics.median(times.cpu["clishape real call"])
                    theirs_cpu = statistics.median(times.cpu["aws (v2) real call"])
                    ok = ours <= theirs * REAL_CALL_BUDGET
                    summary["real call ratio"] = (ours / theirs, ours_cpu / theirs_cpu)
                    print(f"clishape / aws v2 for the same call: {ours / theirs:.2f} "
                          f"(≤ {REAL_CALL_BUDGET:.2f} {'ok' if ok else 'OVER'}); "
                          f"in CPU time {ours_cpu / theirs_cpu:.2f}\n")  # fmt: skip
                    if not ok:
                        failures.append("real call")
                real_call_phases(service_cases(None, url, ids)[0], args.runs, summary)
            if "imports" in args.groups:
                hot = [c for c in startup_cases(None) if c.budget is not None]
                hot += service_cases(None, url, ids)
                failures += import_group(hot, summary)
        finally:
            if url is not None:
                server.terminate()
                server.wait()
        if "local" in args.groups:
            failures += local_group(workdir, summary)
        if "import" in args.groups:
            failures += _import_group(workdir)
        if "shorthand" in args.groups:
            failures += _shorthand_group(min(args.runs, 5))
        if "batch" in args.groups:
            loop_calls = args.batch_loop_calls or args.batch_calls
            failures += _batch_group(workdir, args.batch_calls, loop_calls, min(args.runs, 3))
        if args.all_specs:
            failures += _specs_group(Path(args.all_specs), args.runs)
        if "completion" in args.groups:
            failures += _completion_group(args.all_specs, workdir, args.runs)
    if args.markdown:
        print(markdown_table(summary))
    if failures:
        print("over budget: " + ", ".join(failures))
        return 1
    return 0


def markdown_table(summary: dict) -> str:
    """The README's speed table, from this run's figures."""
    cases = summary["cases"]
    lines = ["| case | median (wall) | ratio | CPU time | CPU ratio |", "|---|---|---|---|---|"]
    for name, (median, ratio, baseline, cpu, cpu_ratio) in cases.items():
        if "baseline tree" in name:
            continue
        of = f" of {baseline}" if baseline else ""
        shown = f"{ratio:.2f}×{of}" if ratio is not None else ""
        cpu_shown = f"{cpu_ratio:.2f}×" if cpu_ratio is not None else ""
        cpu_ms = f"{cpu * 1000:.1f} ms" if cpu is not None else ""
        lines.append(f"| {name} | {median * 1000:.1f} ms | {shown} | {cpu_ms} | {cpu_shown} |")
    if "real call ratio" in summary:
        wall, cpu = summary["real call ratio"]
        lines.append(f"| clishape / AWS CLI v2, the same real call | | {wall:.2f}× | | "
                     f"{cpu:.2f}× |")  # fmt: skip
    if "real call phases" in summary:
        lines += ["", "| where the real call's time goes | median |", "|---|---|"]
        lines += [f"| {name} | {took * 1000:.1f} ms |" for name, took in
                  summary["real call phases"]]  # fmt: skip
    if "local" in summary:
        lines += ["", "| server | boto3 client, median per call | 16 boto3 clients | "
                  "16 HTTP clients | errors |", "|---|---|---|---|---|"]  # fmt: skip
        for name, (latency, sdk, raw, errors) in summary["local"].items():
            lines.append(f"| {name} | {latency * 1000:.2f} ms | {sdk:,.0f} req/s | "
                         f"{raw:,.0f} req/s | {errors} |")  # fmt: skip
        if "local floor" in summary:
            lines.append(f"| {FLOOR} | {summary['local floor'] * 1000:.2f} ms | | | |")
    if "imports" in summary:
        lines += ["", "| hot path | five biggest imports (own ms, -X importtime) |", "|---|---|"]
        for name, top in summary["imports"].items():
            shown = ", ".join(f"{module} {own / 1000:.1f}" for module, own in top)
            lines.append(f"| {name} | {shown} |")
    return "\n".join(lines) + "\n"


def _import_group(workdir: Path) -> list[str]:
    """Importing every installed botocore service, on one core (≤ 60 s)."""
    out = workdir / "imported"
    start = time.perf_counter()
    done = subprocess.run(
        [PY, "-m", "clishape_tools.spec_cli", "import-botocore", "--all", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    services = sum(1 for p in out.iterdir() if p.is_dir()) if out.is_dir() else 0
    files = sum(1 for _ in out.rglob("*.yaml")) if out.is_dir() else 0
    verdict = "ok" if done.returncode == 0 and elapsed < 60 else "OVER"
    print(
        f"## import every installed botocore service\n{services} services, {files} files in "
        f"{elapsed:.1f} s (≤ 60 s {verdict})\n"
    )
    return [] if verdict == "ok" else ["import-botocore --all"]


# Shorthand texts of about n units that once made a parser backtrack (tests/test_shorthand.py
# checks what each gives; the timing is here).
SHORTHAND_PATHOLOGICAL = {
    "long-csv-then-key": lambda n: "a=" + "b," * n + "c=d",
    "many-commas": lambda n: "a=" + "," * n,
    "backtrack-every-pair": lambda n: ",".join(f"k{i}=x,y z" for i in range(n // 10)),
    "escaped-quotes-unterminated": lambda n: "a='" + "\\'" * n,
    "unterminated-quote": lambda n: "a='" + "x" * n,
    "deep-brackets": lambda n: "a=" + "[" * n,
    "spaces": lambda n: "a=" + " " * n + "b" + " " * n + ",",
    "escaped-commas": lambda n: "a=" + "\\," * n + "=",
    "many-hash-keys": lambda n: "a={" + ",".join(f"k{i}=v" for i in range(n // 5)) + "}",
}


def _shorthand_group(runs: int) -> list[str]:
    """Each pathological shorthand text parsed in-process at n = 25,000 and 100,000.

    The growth from the small to the large text is the figure that means something on any
    machine: 4× is linear; more than 8× (for runs long enough to time) is over budget.
    """
    from cli_core.argv.shorthand import ShorthandError, parse

    def timed(text: str) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            try:
                parse(text)
            except ShorthandError as error:
                str(error)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    lines = [
        "## pathological shorthand, in-process",
        f"{'case':<32} {'ms at 100k':>10} {'growth':>8}  budget",
    ]
    failures = []
    for name, make in SHORTHAND_PATHOLOGICAL.items():
        small, large = timed(make(25_000)), timed(make(100_000))
        growth = large / small if small > 0 else 0.0
        budget = ""
        if large >= 0.005:  # shorter runs are too short to time reliably
            ok = growth <= 8.0
            budget = f"≤ 8.0× {'ok' if ok else 'OVER'}"
            if not ok:
                failures.append(f"shorthand {name}")
        lines.append(f"{name:<32} {large * 1000:>10.1f} {growth:>7.2f}×  {budget}")
    print("\n".join(lines) + "\n")
    return failures


def _specs_group(all_specs: Path, runs: int) -> list[str]:
    """Start-up with every service in CLISHAPE_SPEC_PATH against Voice ID alone (≤ 1.10×)."""
    alone = {"CLISHAPE_SPEC_PATH": ""}
    every = {"CLISHAPE_SPEC_PATH": str(all_specs)}
    skeleton = [*CLI, *SEED, "--generate-cli-skeleton", "input"]
    cases = [
        Case("skeleton, voice-id only", skeleton, baseline="", env=alone),
        Case("skeleton, every service", skeleton, baseline="skeleton, voice-id only", env=every,
             budget=1.10),
        Case("voice-id help, voice-id only", [*CLI, "voice-id", "help"], baseline="", env=alone),
        Case("voice-id help, every service", [*CLI, "voice-id", "help"],
             baseline="voice-id help, voice-id only", env=every, budget=1.10),
        Case("clishape help, every service", [*CLI, "help"], baseline="", env=every),
    ]  # fmt: skip
    return report("start-up as specs grow", cases, measure(cases, runs))


# -- batches (issue 13.5) -------------------------------------------------------------------------

BATCH_CALLS = 1_000  # the figure: 1,000 describe-speaker-enrollment-job calls
BATCH_BUDGET = 20.0  # the batch must be at least this many times faster than the aws loop
AWS_V2 = Path("/work/awsv2/bin/aws")  # AWS CLI v2 (the `aws` on PATH may be v1)


def _batch_env() -> dict:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIDLOCALCLISHAPE",
        "AWS_SECRET_ACCESS_KEY": "clishape-local-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }


def _timed(argv: list[str], env: dict, stdin=None, expect_lines: int | None = None) -> float:
    """Wall time of one process; it must exit 0 (and print ``expect_lines`` lines)."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=stdin, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {argv[0]} exited {done.returncode}: {done.stderr[:300]!r}")
    if expect_lines is not None and len(done.stdout.splitlines()) != expect_lines:
        raise SystemExit(f"bench: the batch printed {len(done.stdout.splitlines())} lines")
    return elapsed


def _batch_group(workdir: Path, calls: int, loop_calls: int, runs: int) -> list[str]:
    """``calls`` describe-speaker-enrollment-job calls to ``clishape-local serve`` as one batch
    (``--cli-input-jsonl``), against separate ``clishape`` and ``aws`` (v2) processes, one call
    each, run one after the other as a shell loop would.

    The batch runs whole (median of ``runs``); each loop runs ``loop_calls`` processes,
    interleaved (one of each per round, in a shuffled order), and its total for ``calls`` calls
    is extrapolated from its mean time per process (printed as such).
    """
    aws = str(AWS_V2) if AWS_V2.exists() else shutil.which("aws")
    clishape = str(Path(PY).parent / "clishape")
    clishape = clishape if Path(clishape).exists() else None
    url, ids, server = start_local(workdir, "batch-local")
    env = _batch_env()
    args = ["--endpoint-url", url, *SEED, "--domain-id", ids["DomainId"]]
    one = [*args, "--job-id", ids["JobId"]]
    lines = workdir / "batch.jsonl"
    lines.write_text((json.dumps({"JobId": ids["JobId"]}) + "\n") * calls, encoding="utf-8")
    batch_argv = [clishape or PY, *([] if clishape else ["-m", "cli_core"]), *args,
                  "--cli-input-jsonl", str(lines)]  # fmt: skip
    loops = {"clishape": [clishape or PY, *([] if clishape else ["-m", "cli_core"]), *one]}
    if aws:
        loops["aws"] = [aws, *one]
    try:
        _timed(batch_argv, env, expect_lines=calls)  # warm-up: the compiled-spec cache
        for argv in loops.values():
            _timed(argv, env)
        batch_times = [_timed(batch_argv, env, expect_lines=calls) for _ in range(max(1, runs))]
        per_process: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(loop_calls):
            order = list(loops.items())
            random.shuffle(order)
            for name, argv in order:
                per_process[name].append(_timed(argv, env))
    finally:
        server.terminate()
        server.wait()
    batch = statistics.median(batch_times)
    scale = calls / loop_calls
    totals = {name: statistics.fmean(ts) * calls for name, ts in per_process.items()}
    note = "" if loop_calls == calls else f" (measured {loop_calls}, ×{scale:g})"
    version = ""
    if aws:
        version = subprocess.run([aws, "--version"], capture_output=True, text=True).stdout
    out = [
        f"## {calls} calls to the local service: one batch against a process per call",
        f"aws: {aws or 'not found'} {version.split(' ')[0] if version else ''}".rstrip(),
        f"{'case':<40} {'total s':>9} {'ms/call':>9} {'× batch':>9}",
        f"{'clishape --cli-input-jsonl (one process)':<40} {batch:>9.2f} "
        f"{batch / calls * 1000:>9.2f} {1:>8.1f}×",
    ]
    for name, total in totals.items():
        label = f"{name} loop{note}"
        out.append(f"{label:<40} {total:>9.2f} {total / calls * 1000:>9.2f} {total / batch:>8.1f}×")
    failures = []
    if "aws" in totals:
        ratio = totals["aws"] / batch
        verdict = "ok" if ratio >= BATCH_BUDGET else "OVER"
        out.append(f"batch against the aws loop: {ratio:.1f}× faster (≥ {BATCH_BUDGET:g}× {verdict})")
        if ratio < BATCH_BUDGET:
            failures.append("batch vs aws loop")
    print("\n".join(out) + "\n")
    return failures
# -- shell completion ----------------------------------------------------------------------------

COMPLETION_BUDGET = 2.0  # one completion answer: at most 2x `python -c pass`, every service there


def completion_cases(all_specs: Path, workdir: Path) -> list[Case]:
    """What a completion script asks (``_CLISHAPE_COMPLETE=bash``, ``COMP_LINE``), with every
    botocore service in CLISHAPE_SPEC_PATH: one case per kind of answer."""
    (workdir / "completion" / "docs").mkdir(parents=True, exist_ok=True)
    config = workdir / "completion" / "config"
    config.write_text("[default]\n[profile dev]\n[profile prod]\n")
    env = {
        "CLISHAPE_SPEC_PATH": str(all_specs),
        "_CLISHAPE_COMPLETE": "bash",
        "AWS_CONFIG_FILE": str(config),
    }
    lines = {
        "services": "clishape ",
        "commands (ec2)": "clishape ec2 ",
        "waiters (ec2 wait)": "clishape ec2 wait ",
        "options (ec2 run-instances)": "clishape ec2 run-instances --",
        "enum values (--instance-type)": "clishape ec2 run-instances --instance-type t3.",
        "options (ec2 wait instance-running)": "clishape ec2 wait instance-running --",
        "--output values": "clishape ec2 describe-instances --output ",
        "profiles": "clishape --profile ",
        "file:// paths": f"clishape ec2 run-instances --cli-input-json file://{workdir}/completion/",
    }
    cases = [Case("python -c pass", [PY, "-c", "pass"], baseline="")]
    for name, line in lines.items():
        cases.append(
            Case(f"complete {name}", CLI, env={**env, "COMP_LINE": line}, budget=COMPLETION_BUDGET)
        )
    return cases


def _completion_group(all_specs: str | None, workdir: Path, runs: int) -> list[str]:
    """Completion answers against ``python -c pass`` (≤ 2×), every botocore service on the spec
    path (``--all-specs DIR``, else imported here first). Each case must answer something."""
    if all_specs:
        specs = Path(all_specs)
    else:
        specs = workdir / "completion-specs"
        print("importing every botocore service for the completion cases ...")
        subprocess.run(
            [PY, "-m", "clishape_tools.spec_cli", "import-botocore", "--all", "--out", str(specs),
             "--quiet"],
            check=True, cwd=ROOT,
        )  # fmt: skip
    cases = completion_cases(specs, workdir)
    failures = []
    for case in cases[1:]:  # each must answer (this also fills the compiled-spec cache)
        done = subprocess.run(
            case.argv, capture_output=True, text=True, env={**os.environ, **case.env}
        )
        if done.returncode != 0 or not done.stdout.strip():
            print(f"! {case.name}: no answer (exit {done.returncode}) {done.stderr[:300]}")
            failures.append(case.name)
    # Installed packages run from bytecode; without it every case would compile its modules.
    saved = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        times = measure(cases, runs)
    finally:
        if saved is not None:
            os.environ["PYTHONDONTWRITEBYTECODE"] = saved
    title = f"shell completion, {sum(1 for p in specs.iterdir() if p.is_dir())} services"
    if saved is not None:
        title += " (PYTHONDONTWRITEBYTECODE unset for these cases)"
    return failures + report(title, cases, times)


if __name__ == "__main__":
    sys.exit(main())
