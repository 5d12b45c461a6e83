"""Stage 5 (present) — the output pager; long output (results, help pages) shown through
``less`` on a terminal.

Which pager: ``--no-cli-pager`` (none) > ``AWS_PAGER`` > config ``cli_pager`` > ``PAGER`` >
``less``. The first one set wins, even when it is an empty string, which turns paging off. The
command is split like a shell would (``shlex``), so ``less -S`` or ``"my pager" -x`` work.

A pager is used only when stdout is a terminal. It starts on the first write, so a command that
prints nothing never flashes a pager. ``LESS=FRX`` is set for it when ``LESS`` is not set: quit
when the text fits one screen, pass colours through, leave the text on screen. When the user
quits the pager early, the rest of the output is dropped quietly.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from contextlib import contextmanager

from cli_core.errors import ConfigError

DEFAULT_LESS = "FRX"


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class PagerStream:
    """A text stream that starts the pager on the first write and feeds it.

    Once the pager has gone away (the user quit it), further writes are dropped.
    """

    def __init__(self, argv: list[str], stdout, environ: Mapping[str, str]):
        self._argv = argv
        self._stdout = stdout
        self._environ = environ
        self._process: subprocess.Popen | None = None
        self._closed_by_reader = False
        self.encoding = getattr(stdout, "encoding", None) or "utf-8"

    def _start(self) -> subprocess.Popen:
        env = dict(self._environ)
        env.setdefault("LESS", DEFAULT_LESS)
        try:
            target = self._stdout.fileno()
        except (AttributeError, ValueError, OSError):
            target = None
        try:
            return subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=target,
                env=env,
                encoding=self.encoding,
                errors="replace",
            )
        except ValueError:  # a NUL character in the command
            raise ConfigError(
                "Unable to start the output pager: its command contains a NUL character"
            ) from None
        except OSError as error:
            raise ConfigError(
                f"Unable to start the output pager {shlex.join(self._argv)!r}: "
                f"{error.strerror or error}. Set AWS_PAGER (or cli_pager in the config file) "
                "to another command, or to an empty string to turn paging off, or pass "
                "--no-cli-pager."
            ) from None

    def write(self, text: str) -> int:
        if self._closed_by_reader or not text:
            return 0
        if self._process is None:
            self._process = self._start()
        try:
            self._process.stdin.write(text)
        except (BrokenPipeError, ValueError):
            self._closed_by_reader = True
        return len(text)

    def flush(self) -> None:
        if self._process is None or self._closed_by_reader:
            return
        try:
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            self._closed_by_reader = True

    def isatty(self) -> bool:
        return True

    def close(self) -> None:
        """Close the pager's input and wait for the user to leave it."""
        if self._process is None:
            return
        try:
            self._process.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass
        self._process.wait()


@contextmanager
def output_stream(stdout, *, pager: list[str] | None, environ: Mapping[str, str]):
    """Yield the stream to print to: ``stdout``, or a pager's input when stdout is a terminal.

    ``pager`` is the pager command (``Settings.pager``; None: no pager). ``environ`` is the
    run's environment; the pager runs with it (plus ``LESS``). A pager that cannot start is a
    ConfigError (253), raised at the first write.
    """
    if pager is None or not _is_terminal(stdout):
        yield stdout
        return
    try:
        stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    stream = PagerStream(pager, stdout, environ)
    try:
        yield stream
    finally:
        stream.close()
