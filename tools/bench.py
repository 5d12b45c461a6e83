"""Tooling — whole-process start-up benchmarks, measured side by side in one run.

    python tools/bench.py [--runs N] [--groups NAME ...] [--all-specs DIR] [--baseline-tree DIR]

Every case is a command line run as a fresh process. Runs are interleaved (one of each case per
round, in a shuffled order) so that machine noise hits every case alike; the report gives each
case's median wall time and its ratio to the baseline case of its group (``python -c pass``
for start-up cases). Absolute times are printed for the reader but never asserted anywhere:
only ratios mean something across machines. ``--baseline-tree DIR`` (a checkout of an earlier
commit) adds that tree's start-up and 10 MB cases to the same run, interleaved with today's, so a
change is measured before and after under the same machine noise. (The tests assert behaviour only; the timings of
the import of every service, the 10 MB input document and pathological shorthand are here.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
                "aws skeleton input",
                [aws, *SEED, "--generate-cli-skeleton", "input"],
            ),
            Case("aws usage error", [aws, *SEED, "--domain-id", "d"], expect_rc=None),
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


def service_cases(aws: str | None, workdir: Path):
    """The seed command against the embedded service (started once, outside the timing)."""
    port = _free_port()
    state = workdir / "local"
    seeded = subprocess.run(
        [PY, "-m", "clishape_local.cli", "seed", "--state-dir", str(state), "--format", "json"],
        capture_output=True,
        text=True,
    )
    ids = json.loads(seeded.stdout or "{}")
    server = subprocess.Popen(
        [PY, "-m", "clishape_local.cli", "serve", "--port", str(port), "--state-dir", str(state),
         "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    creds = {
        "AWS_ACCESS_KEY_ID": "AKIDLOCALCLISHAPE",
        "AWS_SECRET_ACCESS_KEY": "clishape-local-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    args = [*SEED, "--domain-id", ids.get("DomainId", ""), "--job-id", ids.get("JobId", "")]
    cases = [
        Case("clishape real call", [*CLI, "--endpoint-url", url, *args], baseline="", env=creds)
    ]
    if aws:
        cases.append(
            Case(
                "aws real call",
                [aws, "--endpoint-url", url, *args],
                baseline="",
                env=creds,
            )
        )
    return cases, server


def measure(cases: list[Case], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {c.name: [] for c in cases}
    base_env = dict(os.environ)
    for case in cases:  # one warm-up each (fills the compiled-spec cache), checking exit codes
        env = {**base_env, **case.env}
        done = subprocess.run(case.argv, capture_output=True, env=env, cwd=case.cwd)
        if case.expect_rc is not None and done.returncode != case.expect_rc:
            print(f"! {case.name}: exit {done.returncode}: {done.stderr.decode()[:300]}")
    for _ in range(runs):
        order = list(cases)
        random.shuffle(order)
        for case in order:
            env = {**base_env, **case.env}
            start = time.perf_counter()
            subprocess.run(
                case.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                cwd=case.cwd,
            )  # fmt: skip
            times[case.name].append(time.perf_counter() - start)
    return times


def report(title: str, cases: list[Case], times: dict[str, list[float]]) -> list[str]:
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    lines = [f"## {title}", f"{'case':<48} {'median ms':>10} {'ratio':>8}  budget"]
    failures = []
    for case in cases:
        median = medians[case.name]
        base = medians.get(case.baseline) if case.baseline else None
        ratio = median / base if base else None
        budget = ""
        if case.budget is not None and ratio is not None:
            ok = ratio <= case.budget
            budget = f"≤ {case.budget:.1f}× {'ok' if ok else 'OVER'}"
            if not ok:
                failures.append(case.name)
        ratio_text = f"{ratio:>7.2f}×" if ratio is not None else f"{'':>8}"
        lines.append(f"{case.name:<48} {median * 1000:>10.1f} {ratio_text}  {budget}")
    print("\n".join(lines) + "\n")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--groups", nargs="*", default=["startup", "big-input", "service"],
        help="which groups to run: startup, big-input, service, import, shorthand, batch, completion",
    )  # fmt: skip
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
    aws = shutil.which("aws")
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        os.environ["CLISHAPE_CACHE_DIR"] = str(workdir / "cache")
        if "startup" in args.groups:
            cases = startup_cases(aws, baseline_tree)
            failures += report("start-up", cases, measure(cases, args.runs))
        if "big-input" in args.groups:
            cases = big_input_cases(workdir, baseline_tree)
            failures += report(
                "10 MB input document", cases, measure(cases, max(3, args.runs // 3))
            )
        if "service" in args.groups:
            cases, server = service_cases(aws, workdir)
            try:
                times = measure(cases, args.runs)
            finally:
                server.terminate()
                server.wait()
            report("real call against the embedded service", cases, times)
            if aws and times.get("aws real call"):
                ours = statistics.median(times["clishape real call"])
                theirs = statistics.median(times["aws real call"])
                verdict = "ok" if ours <= theirs / 2 else "OVER"
                print(f"clishape / aws for the same call: {ours / theirs:.2f} (≤ 0.50 {verdict})\n")
                if ours > theirs / 2:
                    failures.append("real call")
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
    if failures:
        print("over budget: " + ", ".join(failures))
        return 1
    return 0


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


def _start_local(workdir: Path) -> tuple[str, dict, subprocess.Popen]:
    """``clishape-local serve`` over a seeded state folder: its URL, the demo ids, the process."""
    state = workdir / "batch-local"
    seeded = subprocess.run(
        [PY, "-m", "clishape_local.cli", "seed", "--state-dir", str(state), "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [PY, "-m", "clishape_local.cli", "serve", "--port", str(port), "--state-dir", str(state),
         "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return f"http://127.0.0.1:{port}", json.loads(seeded.stdout), server


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
    url, ids, server = _start_local(workdir)
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
