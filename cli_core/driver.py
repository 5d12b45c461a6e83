"""The driver: one trip through the pipeline, and the one place errors become exit codes.

    argv ─► spec ─► argv ─► request ─► send ─► present ─► exit code

Each stage is a module taking plain data from the one before; only this module knows them all.
Heavy stages (request validation, botocore, JMESPath, YAML) are imported where they are used, so
``help``, usage errors and skeletons stay fast.
"""

from __future__ import annotations

import difflib
import os
import sys

from cli_core import __version__
from cli_core.argv.parser import GlobalArgs, ParsedCommand, parse_command, split_globals
from cli_core.errors import INTERRUPT_EXIT, CLIError, UsageError


class IO:
    """The streams and environment of one run (real ones, or the testing helper's)."""

    def __init__(self, stdin=None, stdout=None, stderr=None, environ=None, isatty=False, width=80):
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.environ = {} if environ is None else environ
        self.isatty, self.width = isatty, width


def version_string() -> str:
    import platform

    return (
        f"clishape/{__version__} Python/{platform.python_version()} "
        f"{platform.system()}/{platform.release()}"
    )


def main(argv: list[str] | None = None, io: IO | None = None) -> int:
    """Run one command line; return its exit code. Never raises (except SystemExit from hooks)."""
    if argv is None:
        argv = sys.argv[1:]
    if io is None:
        io = _real_io()
    debug = "--debug" in argv
    try:
        return _run(list(argv), io)
    except CLIError as error:
        _report(error, io, debug, _color_from_argv(argv))
        return error.exit_code
    except KeyboardInterrupt:
        io.stdout.write("\n")
        return INTERRUPT_EXIT
    except BrokenPipeError:  # the reader went away (`| head`): not an error
        if io.stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second complaint when Python exits
        return 0
    except Exception as error:  # the last net: never a traceback without --debug
        if debug:
            import traceback

            traceback.print_exc(file=io.stderr)
        io.stderr.write(f"clishape: error: internal error: {type(error).__name__}: {error}\n")
        if not debug:
            io.stderr.write("Run again with --debug to see the traceback.\n")
        return 255


def _color_from_argv(argv: list[str]) -> str:
    """``--color`` as written, for errors raised before (or while) the options are parsed."""
    value = "auto"
    for i, token in enumerate(argv):
        if token == "--color" and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith("--color="):
            value = token.split("=", 1)[1]
    return value if value in ("on", "off", "auto") else "auto"


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


def _report(error: CLIError, io: IO, debug: bool, color: str = "auto") -> None:
    if debug:
        import traceback

        traceback.print_exc(file=io.stderr)
    from cli_core.present.render import style_error

    isatty = getattr(io.stderr, "isatty", lambda: False)()
    io.stderr.write(style_error(f"clishape: error: {error}", color=color, isatty=isatty) + "\n")
    if isinstance(error, UsageError) and error.usage:
        io.stderr.write(error.usage + "\n")


# -- the trip ----------------------------------------------------------------------------------


def _run(argv: list[str], io: IO) -> int:
    from cli_core import spec

    gargs, rest = split_globals(argv)
    if gargs.version:
        io.stdout.write(version_string() + "\n")
        return 0
    roots = spec.spec_roots(io.environ)
    if not rest or rest[0] in ("help", "-h", "--help"):
        if not rest:
            raise UsageError(
                "the following arguments are required: <service> <command>",
                usage=_usage_hint(),
            )
        return _page(io, gargs, lambda h: h.top_help(spec.list_services(roots), io.width))
    service = rest[0]
    if spec.service_dir(service, roots) is None:
        raise UsageError(_invalid_choice("service", service, spec.list_services(roots)))
    if len(rest) < 2 or rest[1] in ("help", "-h", "--help"):
        if len(rest) < 2:
            raise UsageError(
                f"the following arguments are required: <command> (after '{service}')",
                usage=f"To see the commands, run: clishape {service} help",
            )
        info = spec.load_service_doc(service, roots)
        return _page(io, gargs, lambda h: h.service_help(info, io.width))
    command = spec.load_command(service, rest[1], roots)
    if command is None:
        folder = spec.service_dir(service, roots)
        raise UsageError(_invalid_choice("command", rest[1], spec.list_commands(folder), service))
    args = rest[2:]
    if _auto_prompt(gargs, io):
        args = _prompt_missing(command, args, io)
    parsed = parse_command(command, args, files=_file_reading(io.environ))
    if parsed.help:
        return _page(io, gargs, lambda h: h.command_help(command, io.width))
    return _execute(parsed, gargs, io)


def _auto_prompt(gargs: GlobalArgs, io: IO) -> bool:
    """--cli-auto-prompt > --no-cli-auto-prompt > AWS_CLI_AUTO_PROMPT (``on``) > off."""
    if gargs.cli_auto_prompt or gargs.no_cli_auto_prompt:
        return gargs.cli_auto_prompt
    return io.environ.get("AWS_CLI_AUTO_PROMPT", "").lower() == "on"


def _prompt_missing(command, args: list[str], io: IO) -> list[str]:
    """Ask on stderr, one line of stdin each, for the required options the line lacks."""
    if "help" in args or "--cli-input-json" in args or "--cli-input-yaml" in args:
        return args
    written = {token.split("=", 1)[0] for token in args}
    args = list(args)
    for name in command.required_members:
        member = command.input.members[name]
        if member.option in written or any(a in written for a in member.aliases):
            continue
        io.stderr.write(f"{member.option} ({member.shape.type}): ")
        io.stderr.flush()
        answer = io.stdin.readline() if io.stdin is not None else ""
        if not answer:
            break  # end of input: the usual missing-option error follows
        args.append(f"{member.option}={answer.rstrip(chr(10))}")
    return args


def _execute(parsed: ParsedCommand, gargs: GlobalArgs, io: IO) -> int:
    from cli_core.config import load_profile_config

    command = parsed.command
    config = load_profile_config(gargs.profile, io.environ)
    output = _output_format(gargs, config, io)
    query = None
    if gargs.query is not None:
        from cli_core.present.render import compile_query

        query = compile_query(gargs.query)
    if gargs.endpoint_url is not None:
        from cli_core.send.transport import check_endpoint_url

        check_endpoint_url(gargs.endpoint_url)

    if parsed.skeleton in ("input", "yaml-input"):
        from cli_core.request.skeleton import input_skeleton_text, yaml_input_skeleton_text

        render = input_skeleton_text if parsed.skeleton == "input" else yaml_input_skeleton_text
        io.stdout.write(render(command.input, parsed.params))
        return 0

    from cli_core.request.binary import binary_format_from_config
    from cli_core.request.build import build_request, dry_run_text

    binary_format = gargs.cli_binary_format or (
        binary_format_from_config(config.values, config.path) or "base64"
    )
    files = _file_reading(io.environ)
    request = build_request(parsed, binary_format=binary_format, stdin=io.stdin, files=files)
    for warning in request.warnings:
        io.stderr.write(f"clishape: warning: {warning}\n")

    present_args = {
        "output": output,
        "query": query,
        "title": command.operation,
        "color": gargs.color or "auto",
        "isatty": io.isatty,
        "width": io.width,
        "timestamp_format": config.get("cli_timestamp_format", "iso8601"),
    }
    if parsed.skeleton == "output":
        from cli_core.request.skeleton import output_sample

        data = output_sample(command.output) if command.output is not None else {}
        return _print(io, gargs, config, data, present_args)
    if gargs.cli_dry_run:
        io.stdout.write(dry_run_text(request))
        return 0
    return _send_and_print(parsed, request, gargs, config, io, present_args)


def _send_and_print(parsed, request, gargs, config, io, present_args) -> int:
    if gargs.endpoint_url is None and _wants_local(io.environ):
        from clishape_local.embedded import start_embedded
        from clishape_local.fallback import spec_fallback

        home = io.environ.get("CLISHAPE_LOCAL_HOME") or None
        with start_embedded(home, fallback=spec_fallback()) as service:
            settings = _send_settings(
                parsed,
                gargs,
                endpoint_url=service.url,
                credentials=(service.access_key, service.secret_key),
                region=gargs.region or service.region,
            )
            return _call_and_print(parsed, request, gargs, config, io, present_args, settings)
    settings = _send_settings(parsed, gargs)
    return _call_and_print(parsed, request, gargs, config, io, present_args, settings)


def _call_and_print(parsed, request, gargs, config, io, present_args, settings) -> int:
    from cli_core.send.transport import send

    response = send(parsed.command, request.params, settings, stderr=io.stderr)
    if present_args["output"] == "yaml-stream":
        from cli_core.present.render import render_stream

        with _output_stream(io, gargs, config) as out:
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
    return _print(io, gargs, config, response.result(), present_args)


def _send_settings(parsed: ParsedCommand, gargs: GlobalArgs, **overrides):
    from cli_core.send.transport import SendSettings

    verify: bool | str = True
    if gargs.no_verify_ssl:
        verify = False
    elif gargs.ca_bundle:
        verify = gargs.ca_bundle
    settings = dict(
        endpoint_url=gargs.endpoint_url,
        region=gargs.region,
        profile=gargs.profile,
        sign=not gargs.no_sign_request,
        verify=verify,
        read_timeout=gargs.cli_read_timeout,
        connect_timeout=gargs.cli_connect_timeout,
        paginate=not gargs.no_paginate,
        pagination=dict(parsed.pagination),
        debug=gargs.debug,
    )
    settings.update(overrides)
    return SendSettings(**settings)


def _file_reading(environ):
    """How inputs are read, from the environment (until the settings object resolves it)."""
    from cli_core.shapes.codecs import DEFAULT_MAX_INPUT_BYTES, FileReading, shown_value

    raw = environ.get("CLISHAPE_MAX_INPUT_BYTES", "")
    try:
        limit = int(raw) if raw.strip() else DEFAULT_MAX_INPUT_BYTES
    except ValueError:
        limit = -1
    if limit < 1:
        from cli_core.errors import ConfigError

        raise ConfigError(
            f"CLISHAPE_MAX_INPUT_BYTES must be a whole number of bytes, got '{shown_value(raw)}'"
        )
    return FileReading(environ.get("AWS_CLI_FILE_ENCODING") or "utf-8", limit)


def _wants_local(environ) -> bool:
    return environ.get("CLISHAPE_LOCAL", "").lower() in ("1", "true", "yes", "on")


def _output_format(gargs: GlobalArgs, config, io: IO) -> str:
    """--output > AWS_DEFAULT_OUTPUT > config ``output`` > json, checked before anything is sent."""
    from cli_core.options import OUTPUT_FORMATS

    if gargs.output:
        return gargs.output
    for value, where in (
        (io.environ.get("AWS_DEFAULT_OUTPUT"), "the environment variable AWS_DEFAULT_OUTPUT"),
        (config.get("output"), f"'output' in profile '{config.profile}' of {config.path}"),
    ):
        if value:
            if value not in OUTPUT_FORMATS:
                from cli_core.errors import ConfigError

                raise ConfigError(
                    f"Unknown output type '{value}' from {where}; "
                    f"valid values are {', '.join(OUTPUT_FORMATS)}"
                )
            return value
    return "json"


def _print(io: IO, gargs: GlobalArgs, config, data, present_args) -> int:
    from cli_core.present.render import render

    text = render(data, **present_args)
    if text:
        with _output_stream(io, gargs, config) as out:
            out.write(text)
    return 0


def _output_stream(io: IO, gargs: GlobalArgs, config):
    from contextlib import nullcontext

    if not io.isatty:
        return nullcontext(io.stdout)
    from cli_core.present.pager import output_stream

    return output_stream(
        io.stdout, no_pager=gargs.no_cli_pager, environ=io.environ, config=config.values
    )


def _page(io: IO, gargs: GlobalArgs, make) -> int:
    """Render a help page and show it (through the pager on a terminal)."""
    from cli_core.present import help as help_pages

    text = make(help_pages)
    if not io.isatty:
        io.stdout.write(text)
        return 0
    from cli_core.config import load_profile_config

    config = load_profile_config(gargs.profile, io.environ)
    with _output_stream(io, gargs, config) as out:
        out.write(text)
    return 0


def _usage_hint() -> str:
    return "usage: clishape [options] <service> <command> [parameters] (see: clishape help)"


def _invalid_choice(kind: str, value: str, choices: list[str], service: str = "") -> str:
    message = f"invalid {kind} '{value}'"
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if close:
        return message + "; maybe you meant: " + ", ".join(close)
    return message + f"; to see the {kind}s, run: clishape {service + ' ' if service else ''}help"
