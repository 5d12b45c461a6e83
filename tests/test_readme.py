"""Every shell block of the README runs as written, copy-pasted in order, on a fresh machine.

The blocks run in one bash, in order (so ``export``s and ``eval``s carry over, as in a user's
terminal), with ``set -e``: the first failing command fails the test, naming its block. The
machine is made fresh: an empty HOME and working folder, no AWS or clishape settings from this
process, an empty spec cache, and ``CLISHAPE_LOCAL_PORT`` set to a free port (so ``clishape-local
serve`` and ``env`` as written do not collide with anything else on the machine). The checkout's
``examples/`` is linked into the working folder, where the README's commands expect it.

A block is steered by an HTML comment right before it (the README documents these):

* ``<!-- readme-test: skip: REASON -->``: not run; the reason is required.
* ``<!-- readme-test: background, ready when it prints "TEXT" -->``: run in the background until
  the end; the next block starts once TEXT is in its output.
* ``<!-- readme-test: exit N -->``: the block must end with exit status N.
* ``<!-- readme-test: save PATH -->``: the block is a file's content, written to PATH.

Blocks in ``sh``, ``bash`` or ``shell`` run; other blocks (YAML, Python) only with ``save``.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SHELL_LANGUAGES = ("sh", "bash", "shell")
MARKER = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
ON_ERROR = (
    "trap 'echo \"README block $README_BLOCK (line $README_LINE) failed with exit $?: "
    "$BASH_COMMAND\" >&2; exit 97' ERR"
)


@dataclass
class Block:
    line: int  # where its text starts in the README (1-based)
    language: str
    text: str
    marker: str | None  # the readme-test comment before it, if any

    @property
    def action(self) -> tuple[str, str]:
        """(kind, argument): run, skip, background, exit, save; or ('bad', why)."""
        marker = self.marker
        if marker is None:
            return ("run", "") if self.language in SHELL_LANGUAGES else ("ignore", "")
        if marker.startswith("skip:"):
            reason = marker[len("skip:") :].strip()
            return ("skip", reason) if reason else ("bad", "a skip needs its reason")
        found = re.fullmatch(r'background, ready when it prints "([^"]+)"', marker)
        if found:
            return "background", found.group(1)
        found = re.fullmatch(r"exit (\d{1,3})", marker)
        if found:
            return "exit", found.group(1)
        found = re.fullmatch(r"save (\S+)", marker)
        if found:
            path = found.group(1)
            if path.startswith("/") or ".." in Path(path).parts:
                return "bad", "save needs a path inside the working folder"
            return "save", path
        return "bad", f"unknown readme-test marker {marker!r}"


def readme_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    marker: str | None = None
    marker_line = 0
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        found = MARKER.fullmatch(line.strip())
        fence = FENCE.match(line)
        if found:
            if marker is not None:
                raise AssertionError(f"README line {marker_line}: marker with no block after it")
            marker, marker_line = found.group(1), index + 1
        elif fence:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            if end == len(lines):
                raise AssertionError(f"README line {index + 1}: block never closed")
            body = "\n".join(lines[index + 1 : end]) + "\n"
            blocks.append(Block(index + 2, fence.group(1).lower(), body, marker))
            marker = None
            index = end
        elif line.strip() and marker is not None and not line.lstrip().startswith("<!--"):
            raise AssertionError(
                f"README line {marker_line}: a readme-test marker must come right before a block"
            )
        index += 1
    if marker is not None:
        raise AssertionError(f"README line {marker_line}: marker with no block after it")
    return blocks


def script(blocks: list[Block]) -> str:
    """One bash script running the blocks in order."""
    out = [
        "set -eE",
        'README_BG=""',
        ON_ERROR,
        "trap 'kill $README_BG 2>/dev/null || true' EXIT",
    ]
    for number, block in enumerate(blocks, 1):
        kind, argument = block.action
        if kind in ("skip", "ignore"):
            continue
        out.append(f"README_BLOCK={number}; README_LINE={block.line}")
        out.append(f'echo "### README block {number} (line {block.line})" | tee /dev/stderr')
        if kind == "run":
            out.append(block.text)
        elif kind == "save":
            delimiter = f"README_EOF_{number}"
            assert delimiter not in block.text
            out.append(f"mkdir -p {shlex.quote(str(Path(argument).parent))}")
            out.append(f"cat > {shlex.quote(argument)} <<'{delimiter}'\n{block.text}{delimiter}")
        elif kind == "exit":
            out.append("trap - ERR; set +e")
            out.append(f"(\n{block.text})")
            out.append(f"README_RC=$?; set -e; [ $README_RC = {argument} ] || "
                       f"{{ echo \"README block {number}: exit $README_RC, not {argument}\" >&2; exit 96; }}")  # fmt: skip
            out.append(ON_ERROR)
        elif kind == "background":
            log = f'"$README_TMP/background-{number}.log"'
            text = shlex.quote(argument)
            out.append(f"{{\n{block.text}}} > {log} 2>&1 &")
            out.append('README_PID=$!; README_BG="$README_BG $README_PID"')
            # Polls until the block says it is ready (a guard of 120 s against a hang).
            out.append(
                f"for _ in $(seq 2400); do grep -qF -- {text} {log} && break; "
                f"kill -0 $README_PID 2>/dev/null || break; sleep 0.05; done\n"
                f"grep -qF -- {text} {log} || {{ cat {log} >&2; "
                f'echo "README block {number}: never printed {argument}" >&2; exit 98; }}'
            )
            out.append(f"cat {log}")
        else:
            raise AssertionError(f"README line {block.line}: {argument}")
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_environment(tmp_path: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    scripts = str(Path(sys.executable).parent)  # clishape, clishape-local, python of this install
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", os.defpath)])
    env["HOME"] = str(tmp_path / "home")
    env["CLISHAPE_CACHE_DIR"] = str(tmp_path / "cache")
    env["CLISHAPE_LOCAL_PORT"] = str(free_port())
    env["README_TMP"] = str(tmp_path)
    return env


def test_readme_markers_are_known_and_explained():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    problems = [f"line {b.line}: {b.action[1]}" for b in blocks if b.action[0] == "bad"]
    assert not problems
    kinds = [b.action[0] for b in blocks]
    assert kinds.count("run") >= 3  # the set-up and the tour are run, not skipped
    skipped = [b for b in blocks if b.action[0] == "skip"]
    assert all(b.action[1] for b in skipped)


def test_readme_shell_blocks_run_in_order(tmp_path):
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    (tmp_path / "home").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(README.parent / "examples")  # as in the checkout
    (tmp_path / "run.sh").write_text(script(blocks), encoding="utf-8")
    process = subprocess.Popen(
        ["bash", str(tmp_path / "run.sh")],
        cwd=work,
        env=fresh_environment(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its background blocks are ours to stop, all of them
    )
    try:
        out, err = process.communicate(timeout=900)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    assert process.returncode == 0, f"stdout:\n{out[-6000:]}\nstderr:\n{err[-6000:]}"
    assert "Traceback" not in out + err
    # The main job of the set-up: the demo job, described from the embedded service.
    assert '"JobStatus": "COMPLETED"' in out
