"""examples/notes — the README's "Build your own command line" — works as shown.

Its own test suite passes (run as its author runs it, in a subprocess from its folder); the
files the README quotes are quoted as they are; its console-script entry resolves; and the
README section's shell blocks run as written, in order, on a fresh machine (the same runner as
tests/test_readme.py, on that section alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_readme import README, fresh_environment, readme_blocks, script

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "notes"
SECTION = "## Build your own command line"


def example_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXAMPLE), env.get("PYTHONPATH")]))
    return env


def section_text() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def test_the_example_test_suite_passes():
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=EXAMPLE,
        env=example_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-4000:]
    assert " passed" in process.stdout
    assert "failed" not in process.stdout and "error" not in process.stdout.lower()


def test_the_readme_quotes_the_example_as_it_is():
    quoted = [b for b in readme_blocks(section_text()) if b.text.startswith("# examples/notes/")]
    assert len(quoted) >= 4  # the spec, the handler, the app, the entry point
    for block in quoted:
        header, _, body = block.text.partition("\n")
        source = (ROOT / header.removeprefix("# ")).read_text(encoding="utf-8")
        for part in body.split("\n...\n"):
            assert part.strip("\n") in source, f"{header}: the README's text is not in the file"


def test_the_console_script_is_the_app():
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"notes": "notes_cli.cli:app.main"}
    code = (
        "from notes_cli.cli import app; from cli_core import App; "
        "assert isinstance(app, App) and app.name == 'notes'; "
        "app.main(['--version'])"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], env=example_env(), capture_output=True, text=True
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("notes/0.1.0 Python/")


@pytest.mark.slow
def test_the_readme_section_runs_as_written(tmp_path):
    blocks = readme_blocks(section_text())
    assert [b.action[0] for b in blocks].count("run") >= 1
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "home").mkdir()
    (work / "examples").symlink_to(ROOT / "examples")  # as in the checkout
    (tmp_path / "run.sh").write_text(script(blocks), encoding="utf-8")
    process = subprocess.run(
        ["bash", str(tmp_path / "run.sh")],
        cwd=work,
        env=fresh_environment(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out, err = process.stdout, process.stderr
    assert process.returncode == 0, f"stdout:\n{out[-6000:]}\nstderr:\n{err[-6000:]}"
    assert "Traceback" not in out + err
    assert "|                      ListNotes                      |" in out  # the table
    assert '"DomainSummaries": []' in out  # the local Voice ID service answered
    assert "notes: error: An error occurred (NoteNotFound)" in err
