"""Above the stages — batches: one command run over many input documents in one process.

    clishape voice-id describe-speaker-enrollment-job --domain-id D --cli-input-jsonl jobs.jsonl

``--cli-input-jsonl FILE|-`` names a file (or standard input) holding one JSON input document
per line; blank lines are skipped. Each line is the ``--cli-input-json`` of one request: the
options on the command line are merged over it exactly as they are over ``--cli-input-json``,
then the request is built and validated on its own. ``--cli-batch-concurrency N`` requests
(default ``DEFAULT_BATCH_CONCURRENCY``) are in flight at a time, through one botocore client
(clients are safe to call from several threads; it is built once, under a lock).

Results are printed in input order, one per non-blank line, as each becomes the next in line:

* ``json``: one compact JSON document per line (JSON Lines); a line that failed prints ``null``
  and an empty answer ``{}``, so the Nth output line always answers the Nth request;
* ``yaml``: one YAML document per request, each starting with ``---``;
* ``yaml-stream``: one item per request of a single YAML list (``- ...``), so the output is
  one YAML list read as it grows;
* ``text`` and ``table``: each result as that format prints it, one after the other (a failed
  request prints nothing there);
* ``off``: nothing.

With ``--cli-dry-run`` each line prints its operation and parameters as one compact JSON line.
A waiter (``SERVICE wait WAITER``) prints nothing per line; its failures are reported as usual.

Every failure (a line that is not a JSON object, a request that fails validation, a service
error) is written to stderr with its line number, and the other lines still run; a summary line
ends the run when any failed. The exit code is the worst of all lines (0 when all succeeded).
Ctrl-C stops reading and sending, says how many requests were done, and exits 130. Problems
with the batch itself (an unreadable file, a bad concurrency, a setting that keeps any request
from being sent) are reported once, before any line runs.
"""

from __future__ import annotations

import io as _io
import queue
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass

from cli_core.errors import (
    GENERAL_EXIT,
    INTERRUPT_EXIT,
    CLIError,
    ConfigError,
    ParamError,
    UsageError,
)
from cli_core.options import (
    BATCH_CONCURRENCY_OPTION,
    BATCH_INPUT_OPTION,
    BATCH_OPTIONS,
    CLI_INPUT_OPTIONS,
    DEFAULT_BATCH_CONCURRENCY,
    MAX_BATCH_CONCURRENCY,
    SKELETON_OPTION,
)
from cli_core.settings import redact_environ_secrets
from cli_core.shapes.codecs import FILE_PREFIXES, shown_value

# The placeholder input document the command line is parsed with: each line replaces it.
_PLACEHOLDER = "{}"
# How many lines may be read ahead of the next result to print, per request in flight.
_READ_AHEAD = 2
# How many failed line numbers the closing summary names.
_LINES_NAMED = 20
# The error formats that write each error as a document (stderr stays parseable: no summary).
DOCUMENT_ERROR_FORMATS = ("json", "yaml", "text", "table")


@dataclass(frozen=True)
class Batch:
    """``--cli-input-jsonl``'s value and the number of requests run at a time."""

    source: str
    concurrency: int = DEFAULT_BATCH_CONCURRENCY


def split_batch_options(command, args: list[str]) -> tuple[list[str], Batch | None]:
    """The command's tokens to parse, and the batch they ask for.

    The batch options are taken out and a placeholder ``--cli-input-json`` put in, so the
    command line is parsed (and its required options checked) as it is beside an input
    document; each line then takes the placeholder's place. A line asking for help gets the
    command's page (no batch).
    """
    values: dict[str, str] = {}
    rest: list[str] = []
    tokens = iter(args)
    for token in tokens:
        name, eq, value = token.partition("=")
        if name not in BATCH_OPTIONS:
            rest.append(token)
            continue
        if not eq:
            value = next(tokens, None)
            if value is None:
                raise UsageError(f"argument {name}: expected one argument")
        if name in values:
            raise UsageError(f"{name} was given more than once; give it once")
        values[name] = value
    if any(token in ("help", "-h", "--help") for token in rest):
        return rest, None
    source = values.get(BATCH_INPUT_OPTION)
    if source is None:
        raise UsageError(
            f"{BATCH_CONCURRENCY_OPTION} applies to a batch only; give {BATCH_INPUT_OPTION} too"
        )
    if command.outfile_member is not None:
        raise UsageError(
            f"{BATCH_INPUT_OPTION} cannot be used with this command: it writes its answer to an "
            "outfile, and takes no input document"
        )
    for token in rest:
        name = token.split("=", 1)[0]
        if name in CLI_INPUT_OPTIONS:
            raise UsageError(f"{BATCH_INPUT_OPTION} cannot be combined with {name}; give one")
        if name == SKELETON_OPTION:
            raise UsageError(
                f"{BATCH_INPUT_OPTION} cannot be combined with {SKELETON_OPTION}; "
                "a skeleton is printed without input"
            )
    concurrency = _concurrency(values.get(BATCH_CONCURRENCY_OPTION))
    return [*rest, CLI_INPUT_OPTIONS[0], _PLACEHOLDER], Batch(source, concurrency)


def _concurrency(text: str | None) -> int:
    if text is None:
        return DEFAULT_BATCH_CONCURRENCY
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BATCH_CONCURRENCY:
        raise UsageError(
            f"argument {BATCH_CONCURRENCY_OPTION}: expected a whole number from 1 to "
            f"{MAX_BATCH_CONCURRENCY}, got '{shown_value(text)}'"
        )
    return value


# -- running ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What one line gave: its exit code, the text to print (a failed line's placeholder when
    it failed), and its stderr lines: ``notes`` (warnings, debug log) and ``errors``."""

    line: int
    exit_code: int
    text: str
    notes: str = ""
    errors: str = ""


def run(
    parsed, batch: Batch, settings, io, files=None, local_endpoint=None, prog="clishape",
    check_answer=None,
) -> int:
    """Run ``parsed`` (the command line, parsed by ``split_batch_options``'s tokens) once per
    input line of ``batch.source``; return the worst exit code (130 when interrupted).

    ``check_answer(command, pages, settings, io)`` checks a handler's answer (the driver's).
    """
    settings.check_request()
    query = None
    if settings.query is not None:
        from cli_core.present.render import compile_query

        query = compile_query(settings.query)
    lines = _open_source(batch.source, io.stdin, files)
    with lines, _send_settings(parsed, settings, local_endpoint) as send_settings:
        runner = _LineRunner(parsed, settings, send_settings, files, query, io, prog)
        runner.check_answer = check_answer
        return _run_lines(lines, runner, batch.concurrency, io, prog)


def _run_lines(lines, runner, concurrency: int, io, prog: str) -> int:
    """Read, run and print: results in input order, as soon as each is the next to print.

    One reader thread, ``concurrency`` worker threads and this (main) thread, which alone
    prints; they meet in ``events``. The threads are daemons: after Ctrl-C a request still in
    flight does not hold the exit back.
    """
    events: queue.SimpleQueue = queue.SimpleQueue()
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    room = threading.Semaphore(concurrency * _READ_AHEAD)  # lines read but not yet printed
    stop = threading.Event()
    threads = [threading.Thread(target=_read, args=(lines, events, room, stop), daemon=True)]
    threads += [
        threading.Thread(target=_work, args=(runner, jobs, events, stop), daemon=True)
        for _ in range(concurrency)
    ]
    waiting: deque[_Job] = deque()  # in input order
    printed = _Printed(io, runner.debug)
    problem = None
    try:
        for thread in threads:
            thread.start()
        ended = False
        while not ended or waiting:
            kind, *rest = events.get()
            if kind == "line":
                job = _Job(*rest)
                waiting.append(job)
                jobs.put(job)
            elif kind == "end":
                ended, problem = True, rest[0]
            while waiting and waiting[0].outcome is not None:
                printed.show(waiting.popleft().outcome)
                room.release()
    except KeyboardInterrupt:
        stop.set()
        fresh_line = "\n" if getattr(io.stderr, "isatty", lambda: False)() else ""  # after ^C
        io.stderr.write(
            f"{fresh_line}{prog}: interrupted: {printed.count} request(s) done"
            + (f" (input lines up to {printed.last})" if printed.last else "")
            + f", {len(waiting)} started but not printed; the rest of the input was not run\n"
        )
        return INTERRUPT_EXIT
    finally:
        for _ in range(concurrency):
            jobs.put(None)  # the workers' end
    if problem is not None:  # the input could not be read to its end: said after the results
        io.stderr.write(runner.error_text(problem))
        printed.worst = max(printed.worst, problem.exit_code)
    if runner.error_format not in DOCUMENT_ERROR_FORMATS:
        printed.summary(prog)
    return printed.worst


class _Job:
    """One line to run; ``outcome`` is set (by a worker) when it is done."""

    __slots__ = ("number", "text", "outcome")

    def __init__(self, number: int, text: str):
        self.number, self.text = number, text
        self.outcome: _Outcome | None = None


def _work(runner, jobs, events, stop) -> None:
    """A worker thread: run jobs until told to end (None) or stopped."""
    while True:
        job = jobs.get()
        if job is None or stop.is_set():
            return
        job.outcome = runner.run(job.number, job.text)
        events.put(("done",))


class _Printed:
    """The results printed so far (one thread: the main one)."""

    def __init__(self, io, debug: bool):
        self.io, self.debug = io, debug
        self.count = 0
        self.last = 0
        self.worst = 0
        self.failed: list[int] = []
        self._notes_seen: set[str] = set()

    def show(self, outcome: _Outcome) -> None:
        self.count += 1  # done: counted before it is written, so an interrupt never misses it
        self.last = outcome.line
        self.worst = max(self.worst, outcome.exit_code)
        if outcome.exit_code:
            self.failed.append(outcome.line)
        if outcome.notes:
            self.io.stderr.write(self._new_notes(outcome.notes))
        if outcome.errors:
            self.io.stderr.write(outcome.errors)
        if outcome.text:
            self.io.stdout.write(outcome.text)
            self.io.stdout.flush()

    def _new_notes(self, notes: str) -> str:
        """A warning the transport gives on every call (e.g. --no-verify-ssl) is shown once;
        a debug log is shown whole."""
        if self.debug:
            return notes
        fresh = []
        for note in notes.splitlines(keepends=True):
            if note not in self._notes_seen:
                self._notes_seen.add(note)
                fresh.append(note)
        return "".join(fresh)

    def summary(self, prog: str) -> None:
        if not self.failed:
            return
        named = ", ".join(str(n) for n in self.failed[:_LINES_NAMED])
        more = len(self.failed) - _LINES_NAMED
        if more > 0:
            named += f" and {more} more"
        self.io.stderr.write(
            f"{prog}: {len(self.failed)} of {self.count} request(s) failed (input lines {named})\n"
        )


def _read(lines, events, room, stop) -> None:
    """The reader thread: hand each non-blank line on, never more than ``room`` ahead."""
    problem = None
    try:
        for number, text in lines:
            room.acquire()
            if stop.is_set():
                return
            events.put(("line", number, text))
    except CLIError as error:
        problem = error
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        problem = CLIError(f"cannot read {BATCH_INPUT_OPTION}: {type(error).__name__}: {error}")
    events.put(("end", problem))


class _LineRunner:
    """Runs one line (in a worker thread): build, validate, send, render."""

    def __init__(self, parsed, settings, send_settings, files, query, io, prog):
        self.parsed, self.settings, self.send_settings = parsed, settings, send_settings
        self.files, self.query, self.io, self.prog = files, query, io, prog
        self.debug = settings.debug
        self.error_format = settings.error_format
        self.output = settings.output
        self.dry_run = settings.dry_run
        self.waiter = bool(parsed.command.raw.get("waiter"))
        self.handler_lock = threading.Lock()
        self.check_answer = None  # the driver's check of a handler's answer
        # one client for every call, except under --debug (each call logs through its own)
        self.make_client = None if self.debug or send_settings is None else _SharedClient()

    def run(self, number: int, text: str) -> _Outcome:
        notes = _io.StringIO()
        try:
            out = self._request(number, text, notes)
        except CLIError as error:
            failed = self.error_text(error, number)
            return _Outcome(number, error.exit_code, self.placeholder(), notes.getvalue(), failed)
        except Exception as error:  # the last net, per line: never a traceback without --debug
            if self.debug:
                import traceback

                traceback.print_exc(file=notes)
            failure = CLIError(f"internal error: {type(error).__name__}: {error}")
            failed = self.error_text(failure, number)
            return _Outcome(number, GENERAL_EXIT, self.placeholder(), notes.getvalue(), failed)
        return _Outcome(number, 0, out, notes.getvalue())

    def _request(self, number: int, text, notes) -> str:
        from cli_core.request.build import build_request

        if isinstance(text, CLIError):  # the line could not be read
            raise text
        _check_line(text)
        parsed = self.parsed._replace(cli_input_json=text)
        request = build_request(
            parsed, binary_format=self.settings.binary_format, stdin=None, files=self.files
        )
        for warning in request.warnings:
            notes.write(f"{self.prog}: warning: line {number}: {warning}\n")
        if self.dry_run:
            from cli_core.request.build import dry_run_text

            return _compact(_loads(dry_run_text(request)))
        if parsed.command.handler:
            return self._handle(parsed, request, notes)
        if self.waiter:
            from cli_core.send.wait import wait

            wait(parsed.command, request.params, self.send_settings, stderr=notes)
            return ""
        from cli_core.send.transport import send

        with request.open_files() as params:
            response = send(
                parsed.command, params, self.send_settings, stderr=notes,
                make_client=self.make_client,
            )  # fmt: skip
        return self._render(response.result(), response)

    def _handle(self, parsed, request, notes) -> str:
        """A handler command's line: its handler runs (one line at a time: handlers share
        their logger and may print), with the line's own output and stderr; what it prints
        comes before its answer."""
        from cli_core.send.handler import call_handler, make_context

        out = _io.StringIO()
        here = type(self.io)(stdin=None, stdout=out, stderr=notes, environ=self.io.environ,
                             width=self.io.width)  # fmt: skip
        here.app = self.io.app
        with self.handler_lock:
            context = make_context(parsed.command, self.settings, here)
            with request.open_files() as params:
                response = call_handler(
                    parsed.command, params, context, self.settings.paginate, parsed.pagination
                )
                pages = list(response.pages())
        if self.check_answer is not None:
            self.check_answer(parsed.command, pages, self.settings, here)
        return out.getvalue() + self._render(response.result(), response)

    def _render(self, data, response) -> str:
        from cli_core.present.render import apply_query, prepare, render

        timestamps = self.settings.timestamp_format
        if self.output in ("json", "yaml", "yaml-stream"):
            data = apply_query(self.query, prepare(data, timestamps))
            if self.output == "json":
                return _compact(data)
            from cli_core.present.render import format_yaml

            if self.output == "yaml":
                return "---\n" + (format_yaml(data) if data != {} else "{}\n")
            return format_yaml([data])
        return render(
            data,
            output=self.output,
            query=self.query,
            title=self.parsed.command.operation,
            color=self.settings.color,
            isatty=self.io.isatty,
            width=self.io.width,
            timestamp_format=timestamps,
            next_token=response.resume_token,
            result_keys=response.result_key_names,
        )

    def error_text(self, error: CLIError, number: int | None = None) -> str:
        """The error as ``--cli-error-format`` writes it, naming the input line: in its first
        line, or as the ``Line`` member of the error document (json, yaml, text, table)."""
        from cli_core.present.errors import format_document, render_error
        from cli_core.present.render import style_error, use_color

        isatty = getattr(self.io.stderr, "isatty", lambda: False)()
        color = self.settings.color
        where = f"line {number}: " if number is not None else ""
        line = style_error(
            redact_environ_secrets(f"{self.prog}: error: {where}{error}", self.io.environ),
            color=color,
            isatty=isatty,
        )  # fmt: skip
        error_format = self.error_format
        try:
            if error_format in DOCUMENT_ERROR_FORMATS and number is not None:
                document = {**error.document(), "Line": number}
                shown = format_document(
                    document, error_format, color=use_color(color, isatty), width=self.io.width
                )
            else:
                shown = render_error(
                    error, line, error_format=error_format, color=use_color(color, isatty),
                    width=self.io.width,
                )  # fmt: skip
        except Exception:  # a detail that cannot be shown must not hide the error itself
            shown = render_error(error, line, error_format="legacy")
        return redact_environ_secrets(shown, self.io.environ)

    def placeholder(self) -> str:
        """What stdout shows for a failed line (a waiter prints nothing either way)."""
        if self.waiter and not self.dry_run:
            return ""
        return {"json": "null\n", "yaml": "--- null\n", "yaml-stream": "- null\n"}.get(
            "json" if self.dry_run else self.output, ""
        )


class _SharedClient:
    """``make_client`` for ``transport.send``: the first call builds the (session, client),
    under a lock (building a botocore session is not thread-safe), the others reuse it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pair = None

    def __call__(self, command, settings):
        with self._lock:
            if self._pair is None:
                from cli_core.send.transport import build_client

                self._pair = build_client(command, settings)
            return self._pair


def _check_line(text: str) -> None:
    """A line must be one JSON object; its problems are named as the line's own (column only:
    a line has one line), before the request stage reads it as ``--cli-input-json``."""
    from cli_core.request.inputdoc import parse_json

    try:
        document = parse_json(text)
    except ParamError as error:
        problem = error.message.split("': ", 1)[-1].replace(" at line 1, column ", " at column ")
        raise ParamError(problem, BATCH_INPUT_OPTION) from None
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        raise ParamError(f"expected a JSON object on each line, got {kind}", BATCH_INPUT_OPTION)


def _loads(text: str):
    import json

    return json.loads(text)


def _compact(data) -> str:
    import json

    from cli_core.shapes.codecs import json_default

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=json_default) + "\n"


# -- the input ----------------------------------------------------------------------------------


class _Lines:
    """The non-blank lines of the batch's input, numbered from 1 (blank ones still count)."""

    def __init__(self, stream, owned: bool, max_bytes: int):
        self.stream, self.owned, self.max_bytes = stream, owned, max_bytes

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.owned:
            self.stream.close()

    def __iter__(self):
        """(number, text) for each non-blank line; the text is a ``ParamError`` instead when
        the line cannot be read (not UTF-8, too long): that line fails, the others run."""
        for number, raw in enumerate(self.stream, 1):
            if len(raw) > self.max_bytes:
                yield (
                    number,
                    ParamError(
                        f"the line is longer than the limit of {self.max_bytes} bytes",
                        BATCH_INPUT_OPTION,
                    ),
                )
                continue
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield (
                        number,
                        ParamError(
                            f"the line is not UTF-8 text (byte {exc.start + 1})", BATCH_INPUT_OPTION
                        ),
                    )
                    continue
            if number == 1:
                raw = raw.removeprefix("\ufeff")
            if raw.strip():
                yield number, raw.strip()


def _open_source(source: str, stdin, files) -> _Lines:
    """``-`` (standard input), ``file://PATH`` or ``PATH``: opened now, so a missing file is
    reported before anything runs."""
    import os
    import sys

    from cli_core.shapes.codecs import DEFAULT_FILE_READING

    max_bytes = (files or DEFAULT_FILE_READING).max_bytes
    if source == "-":
        return _Lines(sys.stdin if stdin is None else stdin, False, max_bytes)
    path = source
    for prefix in FILE_PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    path = os.path.expandvars(os.path.expanduser(path))
    shown = shown_value(source, 300)
    try:
        if os.path.isdir(path):
            raise ParamError(f"'{shown}' is a folder, not a file", BATCH_INPUT_OPTION)
        return _Lines(open(path, "rb"), True, max_bytes)  # noqa: SIM115 - closed by _Lines
    except ValueError:
        raise ParamError(
            f"cannot read '{shown}': not a valid file name", BATCH_INPUT_OPTION
        ) from None
    except OSError as exc:
        raise ParamError(
            f"cannot read '{shown}': {exc.strerror or exc}", BATCH_INPUT_OPTION
        ) from None


# -- where requests go --------------------------------------------------------------------------


@contextmanager
def _send_settings(parsed, settings, local_endpoint):
    """The send settings every line uses (None for a dry run or a handler command), the
    local service running around the whole batch when ``CLISHAPE_LOCAL`` asks for it."""
    if settings.dry_run or parsed.command.handler:
        yield None
        return
    settings.check_send()
    if settings.local and settings.endpoint_url is None:
        if local_endpoint is None:
            raise ConfigError(
                f"{settings.app.env('LOCAL')} is set, but this program has no local service; "
                "unset it or give --endpoint-url"
            )
        with local_endpoint(settings.local_home, settings.environ) as endpoint:
            yield settings.send_settings(parsed.pagination, local=tuple(endpoint))
        return
    yield settings.send_settings(parsed.pagination)
