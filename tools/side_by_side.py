"""Side by side with AWS CLI v2: the same multi-step workflows, the same emulator, compared.

    python -m clishape_tools.side_by_side                       # every workflow, this venv's clishape
    python -m clishape_tools.side_by_side --worktree /work/wt-wire --json report.json
    python -m clishape_tools.side_by_side -w s3api -w iam --diff

A WORKFLOW is a data file (``tools/workflows/*.yaml``)::

    name: s3api
    services: [s3]             # botocore services whose specs clishape needs
    area: wire                 # default tag of its steps (wire, stream, errout, wait, custom, other)
    files: {body.txt: "hi\\n"} # written into the pass's working folder before the first step
    steps:
      - argv: [s3api, create-bucket, --bucket, sxs-bucket]
      - argv: [s3api, list-objects-v2, --bucket, sxs-bucket]
        output: [json, text, table]       # one step per format (``--output FORMAT`` appended)
        capture: {key: "Contents[0].Key"} # JMESPath over the JSON stdout, used later as {key}
        stdin: "..."                      # standard input
        files: {in.json: "..."}           # written before this step
        compare_files: [out.bin]          # files the step writes, compared between the passes
        unordered: true                   # lists (JSON) or lines (other output) compared as sets
        stderr: exact                     # compare the normalised stderr text, not its class
        area: stream                      # tag of this step
        label: put-object from a file     # name in the report (default: the argv)

Each workflow runs twice against one moto server (server mode, a free loopback port, started
here): once with clishape, once with the AWS CLI v2 (``--aws``), moto's state reset before each
pass so both passes see the same sequence of states. Each pass has its own working folder and
its own captured values. A step AGREES when the exit codes are equal, the normalised standard
outputs are equal, the class of the standard error is equal (no error / service error CODE /
usage / waiter failed / internal error / other message), and every compared file is equal.
Normalising replaces what the emulator generates afresh in each pass: captured values (by
name), timestamps, epoch times, UUIDs (request ids), EC2/IAM/Route 53 resource ids.

Every clishape step whose stderr says ``internal error`` or shows a Python traceback is counted
separately: the issue allows none.

The module's functions are what ``tests/test_side_by_side.py`` uses: ``load_workflows``,
``run_pass`` (one pass of one workflow with any runner), ``normalise``, ``stderr_class`` and
``compare_step``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

WORKFLOW_DIR = Path(__file__).parent / "workflows"
DEFAULT_AWS = "/work/awsv2/bin/aws"
REGION = "us-east-1"
STEP_TIMEOUT = 60

# --------------------------------------------------------------------------- workflows


@dataclass
class Step:
    """One command line of a workflow (one output variant of it)."""

    argv: list[str]
    label: str
    area: str
    stdin: str | None = None
    files: dict = field(default_factory=dict)
    capture: dict = field(default_factory=dict)
    compare_files: list = field(default_factory=list)
    unordered: bool = False
    stderr_exact: bool = False
    output: str | None = None


@dataclass
class Workflow:
    name: str
    services: list
    files: dict
    steps: list  # of Step


def _expand_step(raw: dict, default_area: str, index: int) -> list[Step]:
    """A workflow entry becomes one Step per output variant (captures go with the first)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("argv"), list):
        raise ValueError(f"step {index + 1}: expected a mapping with an 'argv' list")
    unknown = set(raw) - {
        "argv",
        "label",
        "area",
        "stdin",
        "files",
        "capture",
        "compare_files",
        "unordered",
        "stderr",
        "output",
    }
    if unknown:
        raise ValueError(f"step {index + 1}: unknown keys {sorted(unknown)}")
    argv = [str(part) for part in raw["argv"]]
    label = raw.get("label") or " ".join(argv)
    variants = raw.get("output") or [None]
    if isinstance(variants, str):
        variants = [variants]
    steps = []
    for number, fmt in enumerate(variants):
        steps.append(
            Step(
                argv=argv + (["--output", fmt] if fmt else []),
                label=f"{label} [{fmt}]" if fmt else label,
                area=raw.get("area", default_area),
                stdin=raw.get("stdin"),
                files=raw.get("files", {}) if number == 0 else {},
                capture=raw.get("capture", {}) if number == 0 else {},
                compare_files=list(raw.get("compare_files", [])),
                unordered=bool(raw.get("unordered", False)),
                stderr_exact=raw.get("stderr") == "exact",
                output=fmt,
            )
        )
    return steps


def load_workflow(path: Path) -> Workflow:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not YAML: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with 'steps'")
    area = data.get("area", "wire")
    steps: list[Step] = []
    for index, raw in enumerate(data.get("steps", [])):
        try:
            steps.extend(_expand_step(raw, area, index))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return Workflow(
        name=data.get("name", Path(path).stem),
        services=list(data.get("services", [])),
        files=dict(data.get("files", {})),
        steps=steps,
    )


def load_workflows(names: list[str] | None = None, folder: Path = WORKFLOW_DIR) -> list[Workflow]:
    paths = sorted(Path(folder).glob("*.yaml"))
    flows = [load_workflow(p) for p in paths]
    if names:
        wanted = set(names)
        flows = [f for f in flows if f.name in wanted]
        missing = wanted - {f.name for f in flows}
        if missing:
            raise SystemExit(f"side_by_side: no workflow named {', '.join(sorted(missing))}")
    return flows


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What one program did on one step."""

    exit_code: int
    stdout: str
    stderr: str
    files: dict = field(default_factory=dict)  # name -> bytes as hex digest-ish text
    captured: dict = field(default_factory=dict)


Runner = Callable[[list[str], "str | None", Path], tuple[int, str, str]]


def substitute(text: str, values: dict) -> str:
    """``{name}`` for every captured ``name``; other braces (JSON) are left alone."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _capture(stdout: str, capture: dict) -> dict:
    import jmespath

    try:
        data = json.loads(stdout)
    except ValueError:
        return {name: None for name in capture}
    found = {}
    for name, expression in capture.items():
        value = jmespath.search(expression, data)
        found[name] = value if isinstance(value, str | int | float) else None
    return found


def _write_files(folder: Path, files: dict, values: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict) and "base64" in content:  # a binary file
            path.write_bytes(base64.b64decode(content["base64"]))
        else:
            path.write_text(substitute(str(content), values), encoding="utf-8")


def _read_file(path: Path) -> str:
    if not path.exists():
        return "<no file>"
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "<binary " + data.hex() + ">"


def run_pass(workflow: Workflow, runner: Runner, workdir: Path) -> list[Outcome]:
    """Run every step of ``workflow`` in order with ``runner`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    values: dict = {}
    _write_files(workdir, workflow.files, values)
    outcomes = []
    for step in workflow.steps:
        for name in step.compare_files:  # what an earlier step left is no answer of this one
            (workdir / name).unlink(missing_ok=True)
        _write_files(workdir, step.files, values)
        argv = [substitute(part, values) for part in step.argv]
        stdin = substitute(step.stdin, values) if step.stdin is not None else None
        code, out, err = runner(argv, stdin, workdir)
        captured = _capture(out, step.capture) if step.capture else {}
        values.update({k: v for k, v in captured.items() if v is not None})
        files = {name: _read_file(workdir / name) for name in step.compare_files}
        outcomes.append(Outcome(code, out, err, files, dict(values)))
    return outcomes


def subprocess_runner(program: list[str], endpoint: str, env: dict) -> Runner:
    """Run ``PROGRAM --endpoint-url ENDPOINT ARGV…`` as a child process."""

    def run(argv: list[str], stdin: str | None, cwd: Path) -> tuple[int, str, str]:
        try:
            done = subprocess.run(
                [*program, "--endpoint-url", endpoint, *argv],
                input=(stdin or "").encode(),
                capture_output=True,
                cwd=cwd,
                env=env,
                timeout=STEP_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return -1, "", f"<timed out after {STEP_TIMEOUT} s>"
        decode = lambda b: b.decode("utf-8", errors="replace")  # noqa: E731
        return done.returncode, decode(done.stdout), decode(done.stderr)

    return run


# --------------------------------------------------------------------------- normalising

_PATTERNS = [
    # timestamps: ISO 8601 (with or without zone), RFC 1123 (HTTP dates)
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<TIME>",
    ),
    (re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"), "<TIME>"),
    # epoch seconds / milliseconds of this era (2020–2033), optionally with a fraction
    (re.compile(r"(?<![\w.])1[6-9]\d{8}(?:\d{3})?(?:\.\d+)?(?![\w.])"), "<EPOCH>"),
    # UUIDs: request ids, message ids, stack ids
    (
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
        "<UUID>",
    ),
    # EC2 resource ids
    (
        re.compile(
            r"\b(i|r|vol|eni-attach|eni|sgr|sg|subnet|vpc|igw|rtb|acl|snap|dopt|eipalloc|eipassoc|key|lt|nat|pcx|tgw|vpce|fl|ami)-[0-9a-f]{8,17}\b"
        ),
        r"\1-<ID>",
    ),
    # IAM unique ids and access keys
    (re.compile(r"\b(?:AID|AIP|ANP|ANV|ARO|ASC|ASI|AKI|AGP)A[A-Z0-9]{12,}\b"), "<IAMID>"),
    # Route 53 hosted zone and change ids (upper case letters and digits, at least one digit)
    (re.compile(r"\b[ZC](?=[A-Z]*[0-9])[A-Z0-9]{12,}\b"), "<R53ID>"),
    # addresses moto draws at random: IPv4 (not CIDR blocks), their host names, MAC addresses
    (re.compile(r"\b(ip|ec2)-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\b"), r"\1-<IP>"),
    (re.compile(r"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d/])"), "<IP>"),
    (re.compile(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b"), "<MAC>"),
    # moto's IAM unique ids (UserId, GroupId, RoleId...): 20 lower-case letters and digits
    (re.compile(r"\b(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{20}\b"), "<RANDID>"),
    # moto's SES message ids
    (
        re.compile(r"\b[a-z]{16}-[a-z]{8}-[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{12}-[a-z]{6}\b"),
        "<MSGID>",
    ),
    # SSM/Lambda/other hex revision ids, request ids without dashes
    (re.compile(r"\b[0-9a-f]{32}\b"), "<HEX32>"),
]


def normalise(text: str, captured: dict | None = None) -> str:
    """``text`` with what the emulator generates afresh replaced by stable placeholders."""
    for name, value in sorted((captured or {}).items(), key=lambda kv: -len(str(kv[1]))):
        value = str(value)
        if len(value) >= 4:
            text = text.replace(value, f"<{name}>")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _sorted_json(value):
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def unorder(text: str) -> str:
    """Lists compared as sets: a JSON document's lists sorted, or else the lines sorted."""
    try:
        return json.dumps(_sorted_json(json.loads(text)), indent=4)
    except ValueError:
        return "\n".join(sorted(text.splitlines()))


_SERVICE_CODE = re.compile(r"An error occurred \(([^)]+)\)")


def stderr_class(text: str, exit_code: int) -> str:
    """What kind of message the standard error holds, independent of its wording."""
    if "Traceback (most recent call last)" in text or re.search(r"internal error", text, re.I):
        return "internal error"
    if exit_code == -1:
        return "timed out"
    if re.search(r"Waiter \w+ failed", text):
        return "waiter failed"
    match = _SERVICE_CODE.search(text)
    if match and match.group(1) == "ParamValidation":  # AWS CLI v2's name for a usage error
        return "usage"
    if match:
        return f"service error {match.group(1)}"
    stripped = text.strip()
    code = _structured_code(stripped) if exit_code == 254 else None
    if code:
        return f"service error {code}"
    if not stripped:
        return "none"
    if exit_code == 252:
        return "usage"
    if exit_code == 0:
        return "message"
    return f"other (exit {exit_code})"


def _structured_code(text: str) -> str | None:
    """The error code of an error printed as JSON, YAML, text or table (--cli-error-format)."""
    try:
        data = json.loads(text)
        if isinstance(data, dict) and "Code" in data:
            return str(data["Code"])
    except ValueError:
        pass
    match = (
        re.search(r"^Code:\s*(\S+)", text, re.M)  # yaml
        or re.search(r"\|\s*Code\s*\|\s*(\S+)", text)  # table
        or re.match(r"([A-Za-z][\w.]*)\t", text)  # text: the code, a tab, the message
    )
    return match.group(1).strip("'\"") if match else None


@dataclass
class Comparison:
    workflow: str
    index: int
    label: str
    area: str
    agree: bool
    differs: list  # of "exit", "stdout", "stderr", "file NAME"
    clishape: dict
    aws: dict
    internal_error: bool


# How each program starts its one-line error message: the program's name is no disagreement.
_PROGRAM_PREFIX = re.compile(r"^(?:aws: \[ERROR\]: |clishape: error: )", re.M)


def _view(step: Step, outcome: Outcome) -> dict:
    out = normalise(outcome.stdout, outcome.captured)
    if step.unordered:
        out = unorder(out)
    err = _PROGRAM_PREFIX.sub(
        "<program>: error: ", normalise(outcome.stderr, outcome.captured).strip()
    )
    return {
        "exit": outcome.exit_code,
        "stdout": out,
        "stderr": err,
        "stderr_class": stderr_class(outcome.stderr, outcome.exit_code),
        "files": {k: normalise(v, outcome.captured) for k, v in outcome.files.items()},
    }


def compare_step(
    workflow: str, index: int, step: Step, mine: Outcome, theirs: Outcome
) -> Comparison:
    """Does clishape's outcome of a step agree with the AWS CLI's?"""
    a, b = _view(step, mine), _view(step, theirs)
    differs = []
    if a["exit"] != b["exit"]:
        differs.append("exit")
    if a["stdout"] != b["stdout"]:
        differs.append("stdout")
    if a["stderr_class"] != b["stderr_class"] or (step.stderr_exact and a["stderr"] != b["stderr"]):
        differs.append("stderr")
    for name in step.compare_files:
        if a["files"].get(name) != b["files"].get(name):
            differs.append(f"file {name}")
    return Comparison(
        workflow=workflow,
        index=index,
        label=step.label,
        area=step.area,
        agree=not differs,
        differs=differs,
        clishape=a,
        aws=b,
        internal_error=a["stderr_class"] == "internal error",
    )


# --------------------------------------------------------------------------- emulator and specs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    """moto in server mode on a free loopback port."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Emulator:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # no request log on our stderr
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()

    def reset(self) -> None:
        reset(self.endpoint)


def reset(endpoint: str) -> None:
    """Forget every resource moto holds."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def import_specs(python: str, services: list[str], out: Path) -> None:
    """Import botocore services with the importer of the clishape under test (its own python)."""
    code = (
        "import sys; from pathlib import Path; "
        "from clishape_tools.import_botocore import import_service; "
        "[import_service(s, Path(sys.argv[1])) for s in sys.argv[2:]]"
    )
    done = subprocess.run([python, "-c", code, str(out), *services], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"side_by_side: importing {services} failed:\n{done.stderr[-2000:]}")


def base_env(home: Path) -> dict:
    """An environment with nothing of this machine's AWS setup: moto's dummy credentials."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config"
    config.write_text("")
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update(
        HOME=str(home),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(config),
        AWS_PAGER="",
    )
    return env


# --------------------------------------------------------------------------- report


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_report(results: list[Comparison], diff: bool) -> str:
    import difflib

    lines = []
    for r in results:
        mark = "agree" if r.agree else "DIFF "
        detail = (
            ""
            if r.agree
            else f"  [{', '.join(r.differs)}] exit {r.clishape['exit']}/{r.aws['exit']}"
        )
        ie = "  INTERNAL ERROR" if r.internal_error else ""
        lines.append(f"{mark} {r.area:6} {r.workflow}#{r.index + 1} {r.label}{detail}{ie}")
        if diff and not r.agree:
            for part in ("stdout", "stderr"):
                if part in r.differs or (part == "stderr" and "exit" in r.differs):
                    ours, theirs = r.clishape[part], r.aws[part]
                    delta = difflib.unified_diff(
                        theirs.splitlines(), ours.splitlines(), "aws", "clishape", lineterm="", n=1
                    )
                    body = list(delta)[2:40]
                    lines.append(f"      {part}: aws={_short(theirs, 200)!r}")
                    lines.append(f"      {part}: cli={_short(ours, 200)!r}")
                    if len(ours) > 200 or len(theirs) > 200:
                        lines.extend("        " + d for d in body)
    lines.append(summary(results))
    return "\n".join(lines)


def summary(results: list[Comparison]) -> str:
    total = len(results)
    agree = sum(r.agree for r in results)
    internal = sum(r.internal_error for r in results)
    by_area: dict = {}
    for r in results:
        a = by_area.setdefault(r.area, [0, 0])
        a[0] += r.agree
        a[1] += 1
    areas = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_area.items()))
    pct = 100.0 * agree / total if total else 0.0
    return (
        f"agreement: {agree}/{total} steps = {pct:.1f}%; internal errors: {internal}; "
        f"by area: {areas}"
    )


# --------------------------------------------------------------------------- AWS CLI cache


def _cache_file(folder: str, aws: str, flow: Workflow) -> Path:
    import hashlib

    key = json.dumps([aws, asdict(flow)], sort_keys=True).encode()
    return Path(folder) / f"{flow.name}-{hashlib.sha256(key).hexdigest()[:16]}.json"


def _cached_pass(folder: str | None, aws: str, flow: Workflow) -> list[Outcome] | None:
    """The AWS CLI's outcomes of an unchanged workflow, from an earlier run (``--aws-cache``)."""
    if not folder:
        return None
    path = _cache_file(folder, aws, flow)
    if not path.exists():
        return None
    return [Outcome(**item) for item in json.loads(path.read_text())]


def _store_pass(folder: str | None, aws: str, flow: Workflow, outcomes: list[Outcome]) -> None:
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        _cache_file(folder, aws, flow).write_text(json.dumps([asdict(o) for o in outcomes]))


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clishape_tools.side_by_side",
        description="Run the workflows with clishape and with AWS CLI v2 against moto; compare.",
    )
    parser.add_argument(
        "--aws", default=DEFAULT_AWS, help="the AWS CLI v2 program (default %(default)s)"
    )
    parser.add_argument("--clishape", help="the clishape program (default: this environment's)")
    parser.add_argument(
        "--worktree",
        help="a clishape checkout with its own .venv: its clishape and its importer are used",
    )
    parser.add_argument(
        "-w", "--workflow", action="append", help="run only this workflow (repeatable)"
    )
    parser.add_argument("--workflows", default=str(WORKFLOW_DIR), help="folder of workflow files")
    parser.add_argument("--json", help="write every comparison (both outputs) to this file")
    parser.add_argument(
        "--diff", action="store_true", help="show both outputs of each disagreement"
    )
    parser.add_argument(
        "--aws-cache",
        help="folder where the AWS CLI's passes are kept and reused while a workflow is unchanged",
    )
    parser.add_argument("--keep", action="store_true", help="keep the working folders")
    args = parser.parse_args(argv)

    bindir = Path(sys.executable).parent
    if args.worktree:
        bindir = Path(args.worktree) / ".venv" / "bin"
    clishape = args.clishape or str(bindir / "clishape")
    python = str(Path(clishape).parent / "python")
    if not Path(args.aws).exists():
        print(f"side_by_side: no AWS CLI v2 at {args.aws} (give --aws PATH)", file=sys.stderr)
        return 2

    flows = load_workflows(args.workflow, Path(args.workflows))
    root = Path(tempfile.mkdtemp(prefix="clishape-sxs-"))
    started = time.monotonic()
    try:
        services = sorted({s for f in flows for s in f.services})
        specs = root / "specs"
        import_specs(python, services, specs)
        env = base_env(root / "home")
        cli_env = {
            **env,
            "CLISHAPE_SPEC_PATH": str(specs),
            "CLISHAPE_CACHE_DIR": str(root / "cache"),
        }
        results: list[Comparison] = []
        with Emulator() as emulator:
            ours = subprocess_runner([clishape], emulator.endpoint, cli_env)
            theirs = subprocess_runner([args.aws], emulator.endpoint, env)
            for flow in flows:
                emulator.reset()
                mine = run_pass(flow, ours, root / "clishape" / flow.name)
                other = _cached_pass(args.aws_cache, args.aws, flow)
                if other is None:
                    emulator.reset()
                    other = run_pass(flow, theirs, root / "aws" / flow.name)
                    _store_pass(args.aws_cache, args.aws, flow, other)
                for index, (step, a, b) in enumerate(zip(flow.steps, mine, other, strict=True)):
                    results.append(compare_step(flow.name, index, step, a, b))
        print(render_report(results, args.diff))
        print(f"({clishape}; {time.monotonic() - started:.0f} s)")
        if args.json:
            Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1))
    finally:
        if args.keep:
            print(f"working folders kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if all(r.agree for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
