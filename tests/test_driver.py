"""The driver's own promises: exit codes, no tracebacks, auto-prompt, coloured errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli_core import driver
from cli_core.testing import run, snapshot_text

SEED = ["voice-id", "describe-speaker-enrollment-job"]
ID = "abcdefghijklmnopqrstuv"
ROOT = Path(__file__).resolve().parent.parent


def test_ctrl_c_exits_130(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(driver, "_execute", interrupted)
    result = run([*SEED, "--domain-id", ID, "--job-id", ID])
    assert result.exit_code == 130
    assert result.stdout == "\n"
    assert result.stderr == ""


def test_unexpected_failure_is_one_line_without_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(driver, "_execute", broken)
    result = run([*SEED, "--domain-id", ID, "--job-id", ID])
    assert result.exit_code == 255
    assert "Traceback" not in result.stderr
    assert "RuntimeError: boom" in result.stderr
    debug = run(["--debug", *SEED, "--domain-id", ID, "--job-id", ID])
    assert debug.exit_code == 255
    assert "Traceback" in debug.stderr


def test_auto_prompt_asks_for_each_missing_required_option(snapshot):
    result = run(
        ["--cli-auto-prompt", "--cli-dry-run", *SEED],
        stdin=f"{ID}\n{ID}\n",
    )
    assert result.exit_code == 0
    assert snapshot_text(result) == snapshot


def test_auto_prompt_at_end_of_input_reports_what_is_missing():
    result = run(["--cli-auto-prompt", *SEED, "--domain-id", ID], stdin="")
    assert result.exit_code == 252
    assert "--job-id" in result.stderr


@pytest.mark.parametrize("color,coloured", [("on", True), ("off", False), ("auto", False)])
def test_errors_follow_color(color, coloured):
    result = run(["--color", color, *SEED])
    assert result.exit_code == 252
    assert ("\x1b[31m" in result.stderr) is coloured


def test_console_script_and_module_are_the_same_program(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    module = subprocess.run(
        [sys.executable, "-m", "cli_core", "--version"], capture_output=True, text=True, env=env
    )
    script = subprocess.run(
        [str(Path(sys.executable).parent / "clishape"), "--version"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert module.returncode == script.returncode == 0
    assert module.stdout == script.stdout
    assert module.stdout.startswith("clishape/")


def test_help_through_a_pager_only_on_a_terminal(tmp_path):
    """Not a terminal: printed as is. A terminal with PAGER set: sent through the pager."""
    plain = run([*SEED, "help"], env={"PAGER": "false"})
    assert plain.exit_code == 0 and "DESCRIPTION" in plain.stdout
    marker = tmp_path / "paged.txt"
    paged = run([*SEED, "help"], env={"PAGER": f"tee {marker}"}, isatty=True)
    assert paged.exit_code == 0
    assert "DESCRIPTION" in marker.read_text()
    no_pager = run([*SEED, "help", "--no-cli-pager"], env={"PAGER": "false"}, isatty=True)
    assert no_pager.exit_code == 0 and "DESCRIPTION" in no_pager.stdout
