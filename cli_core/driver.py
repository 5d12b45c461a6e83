"""Above the stages — the driver: one trip through the pipeline, and the one place errors
become exit codes.

    argv ─► specs ─► argv ─► request ─► send ─► present ─► exit code

Each stage is a folder taking plain data from the one before; only this module knows them all.
Right after the global options are split off, the run's settings are resolved once
(``cli_core.settings``) from them, the environment handed over in ``IO`` and the config file;
the stages get the settings (or their part of them). A local service, when the app has one, is
reached through the one ``local_endpoint`` hook of :func:`main`. Heavy stages (request
validation, botocore, JMESPath, YAML) are imported where they are used, so ``help``, usage
errors and skeletons stay fast.
"""

from __future__ import annotations

import os
import sys

from cli_core.complete import COMPLETION_COMMAND
from cli_core.errors import INTERRUPT_EXIT, CLIError, UsageError
from cli_core.options import global_options


class IO:
    """The streams and environment of one run (real ones, or the testing helper's)."""

    def __init__(self, stdin=None, stdout=None, stderr=None, environ=None, isatty=False, width=80):
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.environ = {} if environ is None else environ
        self.isatty, self.width = isatty, width
        self.settings = None  # the run's settings once resolved (errors are written by them)
        self.app = None  # the app being run (its name starts every message)
        self.exception = None  # what ended the run, when it was an exception (for tests)


def version_string(app=None) -> str:
    from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

    return (app or DEFAULT_APP).version_line()


def main(
    argv: list[str] | None = None, io: IO | None = None, *, app=None, local_endpoint=None
) -> int:
    """Run one command line of ``app`` (``cli_core.App``; by default the engine's own
    ``clishape`` over the shipped specs); return its exit code. Never raises (except SystemExit
    from hooks).

    ``local_endpoint`` (by default the app's) is the one hook for a local service
    (``PREFIX_LOCAL=1``, ``CLISHAPE_LOCAL=1`` for clishape): a callable ``local_endpoint(home,
    environ)`` returning a context manager that yields ``(url, access_key, secret_key,
    region)`` (``cli_core.settings.LocalEndpoint``) while the service runs. An app without one
    refuses ``PREFIX_LOCAL=1`` with a configuration error.
    """
    if app is None:
        from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

        app = DEFAULT_APP
    if local_endpoint is None:
        local_endpoint = getattr(app, "local_endpoint", None)
    if argv is None:
        argv = sys.argv[1:]
    if io is None:
        io = _real_io()
    io.app = app
    from cli_core import complete

    shell = complete.requested(io.environ, app.name) if not argv else None
    if shell is not None:  # a completion script asks: candidates, one a line, and nothing else
        io.stdout.write(complete.answer(shell, io.environ, app=app))
        return 0
    debug = "--debug" in argv
    try:
        return _run(list(argv), io, local_endpoint)
    except CLIError as error:
        io.exception = error
        _report(error, io, debug, _color_from_argv(argv), _error_format(argv, io))
        return error.exit_code
    except KeyboardInterrupt as error:
        io.exception = error
        io.stdout.write("\n")
        return INTERRUPT_EXIT
    except BrokenPipeError:  # the reader went away (`| head`): not an error
        if io.stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second complaint when Python exits
        return 0
    except Exception as error:  # the last net: never a traceback without --debug
        io.exception = error
        if debug:
            import traceback

            traceback.print_exc(file=io.stderr)
        text = _one_line(_redacted(f"{type(error).__name__}: {error}", io))
        io.stderr.write(f"{io.app.name}: error: internal error: {text}\n")
        if not debug:
            io.stderr.write("Run again with --debug to see the traceback.\n")
        return 255


def _redacted(text: str, io: IO) -> str:
    from cli_core.settings import redact_environ_secrets

    return redact_environ_secrets(text, io.environ)


def _one_line(text: str) -> str:
    from cli_core.settings import one_line

    return one_line(text)


def _color_from_argv(argv: list[str]) -> str:
    """``--color`` as written, for errors raised before (or while) the options are parsed."""
    value = "auto"
    for i, token in enumerate(argv):
        if token == "--color" and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith("--color="):
            value = token.split("=", 1)[1]
    from cli_core.options import COLOR_MODES

    return value if value in COLOR_MODES else "auto"


def _error_format(argv: list[str], io: IO) -> str:
    """``--cli-error-format`` (or its environment variable and config key) for this run.

    From the run's settings once they exist; before that, from the line as written and the
    environment. A bad value (itself reported as an error) means the default.
    """
    from cli_core.options import DEFAULT_ERROR_FORMAT, ERROR_FORMATS

    if io.settings is not None:
        try:
            return io.settings.error_format
        except CLIError:
            return DEFAULT_ERROR_FORMAT
    value = None
    for i, token in enumerate(argv):
        if token == "--cli-error-format" and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith("--cli-error-format="):
            value = token.split("=", 1)[1]
    if value is None:
        value = (io.environ.get(io.app.setting_env("error_format")) or "").strip().lower()
    return value if value in ERROR_FORMATS else DEFAULT_ERROR_FORMAT


def _real_io() -> IO:
    try:
        width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
    except (ValueError, OSError):
        width = 80
    return IO(
        stdin=sys.stdin,
        stdout=sys.stdout,
        stderr=sys.stderr,
        environ=os.environ,
        isatty=sys.stdout.isatty(),
        width=width,
    )


def _report(
    error: CLIError, io: IO, debug: bool, color: str = "auto", error_format: str = "enhanced"
) -> None:
    if debug:
        import traceback

        traceback.print_exc(file=io.stderr)
    from cli_core.present.errors import render_error
    from cli_core.present.render import style_error, use_color

    isatty = getattr(io.stderr, "isatty", lambda: False)()
    text = _redacted(f"{io.app.name}: error: {error}", io)
    line = style_error(text, color=color, isatty=isatty)
    try:
        shown = render_error(
            error,
            line,
            error_format=error_format,
            color=use_color(color, isatty),
            width=io.width,
        )
    except Exception:  # a detail that cannot be shown must not hide the error itself
        shown = render_error(error, line, error_format="legacy")
    io.stderr.write(_redacted(shown, io))


# -- the trip ----------------------------------------------------------------------------------


def _run(argv: list[str], io: IO, local_endpoint=None, prompted: bool = False) -> int:
    from cli_core import specs as spec
    from cli_core.argv.parser import split_globals
    from cli_core.settings import resolve_settings

    app = io.app
    gargs, rest = split_globals(argv, global_options(app.families), app.name)
    if gargs.version:
        io.stdout.write(app.version_line() + "\n")
        return 0
    settings = resolve_settings(gargs, io.environ, app)
    io.settings = settings
    if not prompted and not _help_asked(rest) and settings.auto_prompt != "off":
        from cli_core.argv.prompt import prompted_run

        def again(line: list[str]) -> int:
            return _run(line, io, local_endpoint, prompted=True)

        mode, catalog = settings.auto_prompt, _catalog(settings)
        return prompted_run(argv, rest, mode, io, catalog, again, prog=app.name)
    roots = list(settings.spec_roots)
    if not rest or rest[0] in ("help", "-h", "--help"):
        if not rest:
            raise UsageError(
                "the following arguments are required: <service> <command>",
                usage=_usage_hint(app.name),
            )
        services = spec.list_services(roots)
        own = _default_commands(app, roots)
        return _page(io, settings, lambda h: h.top_help(services, io.width, app, commands=own))
    if (
        app.default_service
        and rest[0] != COMPLETION_COMMAND
        and spec.service_dir(rest[0], roots) is None
    ):
        rest = [app.default_service, *rest]  # ``PROG COMMAND``: a command of the default service
    service = rest[0]
    if service == COMPLETION_COMMAND and spec.service_dir(service, roots) is None:
        return _completion_script(rest[1:], io)
    if spec.service_dir(service, roots) is None:
        choices = spec.list_services(roots)
        raise UsageError(_invalid_choice("service", service, choices, app.name))
    if len(rest) < 2 or rest[1] in ("help", "-h", "--help"):
        if len(rest) < 2:
            raise UsageError(
                f"the following arguments are required: <command> (after '{service}')",
                usage=f"To see the commands, run: {app.name} {service} help",
            )
        info = spec.load_service_doc(service, roots, cache_dir=settings.cache_dir)
        return _page(io, settings, lambda h: h.service_help(info, io.width, app))
    if rest[1] == spec.WAIT_COMMAND and spec.load_waiters(
        service, roots, cache_dir=settings.cache_dir
    ):
        return _run_wait(service, rest[2:], settings, io, local_endpoint)
    command = spec.load_command(service, rest[1], roots, cache_dir=settings.cache_dir)
    if command is None:
        folder = spec.service_dir(service, roots)
        choices = spec.list_commands(folder)
        if spec.load_waiters(service, roots, cache_dir=settings.cache_dir):
            choices.append(spec.WAIT_COMMAND)
        raise UsageError(_invalid_choice("command", rest[1], choices, app.name, service))
    return _run_command(command, rest[2:], settings, io, local_endpoint)


def _default_commands(app, roots) -> list[str]:
    """The commands of the app's default service (run without the service's name), or []."""
    from cli_core import specs as spec

    folder = spec.service_dir(app.default_service, roots) if app.default_service else None
    return spec.list_commands(folder) if folder is not None else []


def _completion_script(rest: list[str], io: IO) -> int:
    """``PROG completion SHELL``: the shell's completion script (``cli_core.complete``)."""
    from cli_core import complete

    if not rest or rest[0] in ("help", "-h", "--help"):
        if not rest:
            raise UsageError(
                "the following arguments are required: <shell> (one of bash, zsh, fish)",
                usage=complete.usage(io.app.name).split("\n", 1)[0],
            )
        io.stdout.write(complete.usage(io.app.name))
        return 0
    if rest[0] not in complete.SHELLS or len(rest) > 1:
        what = rest[0] if rest[0] not in complete.SHELLS else " ".join(rest[1:])
        raise UsageError(
            f"invalid shell '{what}' after '{COMPLETION_COMMAND}': expected one of "
            + ", ".join(complete.SHELLS),
            usage=complete.usage(io.app.name).split("\n", 1)[0],
        )
    io.stdout.write(complete.script(rest[0], io.app.name))
    return 0


def _run_wait(service: str, rest: list[str], settings, io: IO, local_endpoint) -> int:
    """``SERVICE wait [WAITER [options] | help]``: a waiter runs as the command it polls."""
    from cli_core import specs as spec

    roots, cache_dir = list(settings.spec_roots), settings.cache_dir
    waiters = spec.load_waiters(service, roots, cache_dir=cache_dir)
    if not rest or rest[0] in ("help", "-h", "--help"):
        if not rest:
            raise UsageError(
                f"the following arguments are required: <waiter> (after '{service} wait')",
                usage=f"To see the waiters, run: {settings.app.name} {service} wait help",
            )
        names = sorted(waiters)
        return _page(io, settings, lambda h: h.wait_help(service, names, io.width, settings.app))
    command = spec.load_waiter(service, rest[0], roots, cache_dir=cache_dir)
    if command is None:
        where = f"{service} {spec.WAIT_COMMAND}"
        choices = sorted(waiters)
        raise UsageError(_invalid_choice("waiter", rest[0], choices, settings.app.name, where))
    return _run_command(command, rest[1:], settings, io, local_endpoint)


def _run_command(command, args: list[str], settings, io: IO, local_endpoint) -> int:
    """One command (or waiter) with the tokens after its name: parse, help or run."""
    from cli_core.argv.parser import parse_command

    batch = None
    if _batch_wanted(args):  # --cli-input-jsonl: cli_core.batch
        from cli_core.batch import split_batch_options

        args, batch = split_batch_options(command, args)
    app = settings.app
    files = _files(settings, args)
    names = [opt.name for opt in global_options(app.families)]
    parsed = parse_command(command, args, files=files, prog=app.name, global_names=names)
    if parsed.help:
        return _page(io, settings, lambda h: h.command_help(command, io.width, app))
    if batch is not None:
        from cli_core.batch import run as run_batch

        return run_batch(
            parsed, batch, settings, io, files, local_endpoint, prog=app.name,
            check_answer=_check_answer,
        )  # fmt: skip
    return _execute(parsed, settings, io, files, local_endpoint)


def _batch_wanted(args: list[str]) -> bool:
    from cli_core.options import BATCH_OPTIONS

    return any(token.split("=", 1)[0] in BATCH_OPTIONS for token in args)


def _files(settings, args: list[str]):
    """How files are read: checked (limit and encoding) only when the line names a file or an
    input document, so other runs never consult the config file for it."""
    from cli_core.options import CLI_INPUT_OPTIONS
    from cli_core.shapes.codecs import FILE_PREFIXES, FileReading

    for token in args:
        if token.startswith(CLI_INPUT_OPTIONS) or any(p in token for p in FILE_PREFIXES):
            return settings.files
    return FileReading(encoding=settings.file_encoding)


def _help_asked(rest: list[str]) -> bool:
    return any(token in ("help", "-h", "--help") for token in rest)


def _catalog(settings):
    """What the auto-prompt may offer: the services, their commands and waiters, a command."""
    from cli_core import specs as spec
    from cli_core.argv.prompt import Catalog

    roots, cache_dir = list(settings.spec_roots), settings.cache_dir

    def commands(service: str) -> list[str]:
        folder = spec.service_dir(service, roots)
        if folder is None:
            return []
        waiters = spec.load_waiters(service, roots, cache_dir=cache_dir)
        return spec.list_commands(folder) + ([spec.WAIT_COMMAND] if waiters else [])

    def command(service: str, name: str, waiter: str | None = None):
        if name == spec.WAIT_COMMAND and waiter is not None:
            return spec.load_waiter(service, waiter, roots, cache_dir=cache_dir)
        return spec.load_command(service, name, roots, cache_dir=cache_dir)

    return Catalog(
        services=lambda: spec.list_services(roots),
        commands=commands,
        waiters=lambda service: sorted(spec.load_waiters(service, roots, cache_dir=cache_dir)),
        command=command,
        wait=spec.WAIT_COMMAND,
        global_options=global_options(settings.app.families),
    )


def _execute(parsed, settings, io: IO, files=None, local_endpoint=None) -> int:
    from cli_core.options import INPUT_SKELETON_MODES

    command = parsed.command
    settings.check_request()
    query = None
    if settings.query is not None:
        from cli_core.present.render import compile_query

        query = compile_query(settings.query)

    if parsed.skeleton in ("json-schema", "output-schema"):
        from cli_core.request.json_schema import schema_text

        io.stdout.write(schema_text(command, parsed.skeleton))
        return 0
    if parsed.skeleton in INPUT_SKELETON_MODES:
        from cli_core.request.skeleton import input_skeleton_text
        from cli_core.request.yaml_skeleton import yaml_input_skeleton_text

        render = input_skeleton_text if parsed.skeleton == "input" else yaml_input_skeleton_text
        io.stdout.write(render(command.input, parsed.params))
        return 0

    from cli_core.request.build import build_request, dry_run_text

    request = build_request(
        parsed,
        binary_format=settings.binary_format,
        stdin=io.stdin,
        files=files,
        merge=settings.input_merge,
    )
    for warning in request.warnings:
        io.stderr.write(f"{settings.app.name}: warning: {warning}\n")

    present_args = {
        "output": settings.output,
        "query": query,
        "title": command.operation,
        "color": settings.color,
        "isatty": io.isatty,
        "width": io.width,
        "timestamp_format": settings.timestamp_format,
    }
    if parsed.skeleton == "output":
        from cli_core.request.sample import output_sample

        data = output_sample(command.output) if command.output is not None else {}
        return _print(io, settings, data, present_args)
    if settings.dry_run:
        if settings.dry_run_http:
            from cli_core.send.wire import no_request_of_its_own, wire_dry_run_text

            if command.handler:
                raise no_request_of_its_own(command)
            send_settings = settings.send_settings(parsed.pagination)
            io.stdout.write(wire_dry_run_text(command, request, send_settings, stderr=io.stderr))
            return 0
        io.stdout.write(dry_run_text(request))
        return 0
    if command.handler:
        return _handle_and_print(parsed, request, settings, io, present_args)
    return _send_and_print(parsed, request, settings, io, present_args, local_endpoint)


def _handle_and_print(parsed, request, settings, io, present_args) -> int:
    """A command whose work is the author's Python handler: run it, check, print its answer."""
    from cli_core.send.handler import call_handler, make_context

    command = parsed.command
    settings.check_profile()
    context = make_context(command, settings, io)
    with request.open_files() as params:  # streaming input: files open while the handler runs
        response = call_handler(
            command, params, context, settings.paginate, parsed.pagination
        )
        pages = list(response.pages())
    _check_answer(command, pages, settings, io)
    return _print_response(parsed, response, settings, io, present_args)


def _check_answer(command, pages: list, settings, io) -> None:
    """A handler's answer against the command's output shape: each problem a warning under
    --debug; otherwise one line saying how many there are (never silent)."""
    if command.output is None:
        return
    from cli_core.request.validate import validate

    problems = []
    for page in pages:
        errors, warnings = validate(command.output, page)
        problems += errors + warnings
    if not problems:
        return
    prog = settings.app.name
    if settings.debug:
        for problem in problems:
            io.stderr.write(f"{prog}: warning: the handler's answer: {problem}\n")
        return
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    io.stderr.write(
        f"{prog}: warning: the handler's answer does not fit the output shape of "
        f"{command.name} ({count}; run with --debug to see them)\n"
    )


def _send_and_print(parsed, request, settings, io, present_args, local_endpoint) -> int:
    if "http" not in settings.app.families:
        from cli_core.errors import ConfigError

        command = parsed.command
        raise ConfigError(
            f"{settings.app.name} does not send requests (its option families have no 'http'), "
            f"and the command {command.service} {command.name} has no handler"
        )
    settings.check_send()
    plain_http = parsed.command.raw.get("service_http") is not None  # not the local service's
    if settings.local and settings.endpoint_url is None and not plain_http:
        if local_endpoint is None:
            from cli_core.errors import ConfigError

            raise ConfigError(
                f"{settings.app.env('LOCAL')} is set, but this program has no local service; "
                "unset it or give --endpoint-url"
            )
        with local_endpoint(settings.local_home, settings.environ) as endpoint:
            send_settings = settings.send_settings(parsed.pagination, local=tuple(endpoint))
            return _call_and_print(parsed, request, settings, io, present_args, send_settings)
    send_settings = settings.send_settings(parsed.pagination)
    return _call_and_print(parsed, request, settings, io, present_args, send_settings)


def _call_and_print(parsed, request, settings, io, present_args, send_settings) -> int:
    if parsed.command.raw.get("waiter"):  # a waiter prints nothing: its exit code is the answer
        from cli_core.send.wait import wait

        wait(parsed.command, request.params, send_settings, stderr=io.stderr)
        return 0
    from cli_core.send.transport import send, write_payload

    with request.open_files() as params:  # streaming input: files read as they are sent
        response = send(parsed.command, params, send_settings, stderr=io.stderr)
    if parsed.outfile is not None:
        write_payload(response, parsed.command.outfile_member, parsed.outfile)
    return _print_response(parsed, response, settings, io, present_args)


def _print_response(parsed, response, settings, io, present_args) -> int:
    """Print an answer (a service's ``Response`` or a handler's) in the chosen format."""
    if present_args["output"] == "yaml-stream":
        from cli_core.present.render import render_stream

        with _output_stream(io, settings) as out:
            for text in render_stream(
                response.pages(),
                query=present_args["query"],
                timestamp_format=present_args["timestamp_format"],
            ):
                out.write(text)
        return 0
    if present_args["output"] == "off":
        for _ in response.pages():
            pass
        return 0
    data = response.result()
    listing = {"next_token": response.resume_token, "result_keys": response.result_key_names}
    return _print(io, settings, data, {**present_args, **listing})


def _print(io: IO, settings, data, present_args) -> int:
    from cli_core.present.render import render

    text = render(data, **present_args)
    if text:
        with _output_stream(io, settings) as out:
            out.write(text)
    return 0


def _output_stream(io: IO, settings):
    from contextlib import nullcontext

    if not io.isatty:
        return nullcontext(io.stdout)
    from cli_core.present.pager import output_stream

    return output_stream(io.stdout, pager=settings.pager, environ=settings.environ)


def _page(io: IO, settings, make) -> int:
    """Render a help page and show it (through the pager on a terminal)."""
    from cli_core.present import help as help_pages

    text = make(help_pages)
    if not io.isatty:
        io.stdout.write(text)
        return 0
    with _output_stream(io, settings) as out:
        out.write(text)
    return 0


def _usage_hint(prog: str) -> str:
    return f"usage: {prog} [options] <service> <command> [parameters] (see: {prog} help)"


def _invalid_choice(kind: str, value: str, choices: list[str], prog: str, service="") -> str:
    message = f"invalid {kind} '{value}'"
    import difflib

    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if close:
        return message + "; maybe you meant: " + ", ".join(close)
    return message + f"; to see the {kind}s, run: {prog} {service + ' ' if service else ''}help"
