"""Beside the stages — run an app in-process, the way tests (ours and our users') see it.

    from cli_core.testing import run
    from mypkg.cli import app

    result = run(["notes", "list-notes"], app=app)   # without app: the engine's clishape
    assert result.exit_code == 0
    assert result.stdout == snapshot          # syrupy

``run`` isolates standard input, output and error, the environment (only what you pass, plus
a private cache folder and no config file unless you name them) and the terminal width, and
returns a ``Result``; ``result.exception`` is what ended the run when it was an exception (an
error exit or a crash), else None. ``snapshot_text(result)`` gives one stable text of stdout,
stderr and the exit code for a single snapshot.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field

from cli_core.driver import IO, main

_DEFAULT_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class _TerminalLike(io.StringIO):
    """Captured output that says it is a terminal (``run(..., isatty=True)``)."""

    def isatty(self) -> bool:
        return True


@dataclass(frozen=True)
class Result:
    """What one run printed and returned, and the exception that ended it (or None)."""

    stdout: str
    stderr: str
    exit_code: int
    exception: BaseException | None = field(default=None, compare=False)

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


def isolated_environ(extra: dict | None = None, app=None) -> dict:
    """A minimal environment: no settings from the machine (AWS's or the app's config files)
    leak into a test."""
    from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

    app = app or DEFAULT_APP
    env = {k: os.environ[k] for k in _DEFAULT_ENV_KEYS if k in os.environ}
    env.setdefault(app.env("CACHE_DIR"), _session_cache())
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env[app.setting_env("config_file")] = os.devnull
    env[app.setting_env("credentials_file")] = os.devnull
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
    app=None,
) -> Result:
    """Run one command line of ``app`` (a ``cli_core.App``; by default the engine's clishape)
    in-process.

    ``env`` is the whole environment the program sees, on top of a minimal isolated one (set
    ``inherit_env=True`` to start from ``os.environ`` instead). ``PREFIX_SPEC_PATH`` in it
    (``CLISHAPE_SPEC_PATH``) brings extra spec folders. The environment is handed to the
    program as a mapping: the process's own ``os.environ`` is neither read by the run nor
    changed. ``local_endpoint`` overrides the app's local-service hook (see
    ``cli_core.driver.main``).
    """
    environ = dict(os.environ) if inherit_env else isolated_environ(app=app)
    environ.update(env or {})
    out = _TerminalLike() if isatty else io.StringIO()
    err = io.StringIO()
    streams = IO(
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
        environ=environ,
        isatty=isatty,
        width=width,
    )
    code = main(list(argv), streams, app=app, local_endpoint=local_endpoint)
    return Result(out.getvalue(), err.getvalue(), code, streams.exception)


def snapshot_text(result: Result) -> str:
    """One stable text of a result, for a single syrupy snapshot."""
    return (
        f"exit code: {result.exit_code}\n"
        f"--- stdout ---\n{result.stdout}"
        f"--- stderr ---\n{result.stderr}"
    )
