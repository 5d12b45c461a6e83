"""Beside the stages — run clishape in-process, the way tests (ours and our users') see it.

    from cli_core.testing import run

    result = run(["voice-id", "describe-speaker-enrollment-job", "help"])
    assert result.exit_code == 0
    assert result.stdout == snapshot          # syrupy

``run`` isolates standard input, output and error, the environment (only what you pass, plus
a private cache folder unless you name one) and the terminal width, and returns a ``Result``.
``snapshot_text(result)`` gives one stable text of all three for a single snapshot.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass

from cli_core.driver import IO, main

_DEFAULT_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class _TerminalLike(io.StringIO):
    """Captured output that says it is a terminal (``run(..., isatty=True)``)."""

    def isatty(self) -> bool:
        return True


@dataclass(frozen=True)
class Result:
    """What one run printed and returned."""

    stdout: str
    stderr: str
    exit_code: int

    def __repr__(self) -> str:
        return snapshot_text(self)


_SESSION_CACHE: list[str] = []


def _session_cache() -> str:
    """A private cache folder for this test session (this process), removed at exit."""
    if not _SESSION_CACHE:
        import atexit
        import shutil

        folder = tempfile.mkdtemp(prefix="clishape-test-cache-")
        atexit.register(shutil.rmtree, folder, True)
        _SESSION_CACHE.append(folder)
    return _SESSION_CACHE[0]


def isolated_environ(extra: dict | None = None) -> dict:
    """A minimal environment: no AWS settings from the machine leak into a test."""
    env = {k: os.environ[k] for k in _DEFAULT_ENV_KEYS if k in os.environ}
    env.setdefault("CLISHAPE_CACHE_DIR", _session_cache())
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env.update(extra or {})
    return env


def run(
    argv: list[str],
    *,
    stdin: str = "",
    env: dict | None = None,
    inherit_env: bool = False,
    width: int = 80,
    isatty: bool = False,
    local_endpoint=None,
) -> Result:
    """Run one command line in-process.

    ``env`` is the whole environment the program sees, on top of a minimal isolated one (set
    ``inherit_env=True`` to start from ``os.environ`` instead). ``CLISHAPE_SPEC_PATH`` in it
    brings extra spec folders. The environment is handed to the program as a mapping: the
    process's own ``os.environ`` is neither read by the run nor changed.
    ``local_endpoint`` is the app's local-service hook (see ``cli_core.driver.main``).
    """
    environ = dict(os.environ) if inherit_env else isolated_environ()
    environ.update(env or {})
    out = _TerminalLike() if isatty else io.StringIO()
    err = io.StringIO()
    code = main(
        list(argv),
        IO(
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            environ=environ,
            isatty=isatty,
            width=width,
        ),
        local_endpoint=local_endpoint,
    )
    return Result(out.getvalue(), err.getvalue(), code)


def snapshot_text(result: Result) -> str:
    """One stable text of a result, for a single syrupy snapshot."""
    return (
        f"exit code: {result.exit_code}\n"
        f"--- stdout ---\n{result.stdout}"
        f"--- stderr ---\n{result.stderr}"
    )
