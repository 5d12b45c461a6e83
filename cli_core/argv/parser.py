"""Stage 2 (argv) — the command line: global options, then one command's options from its spec.

Two argparse parsers, both with prefix abbreviations off (``--out`` is never ``--output``):

* the global parser runs over the whole argv, so global options work before the service or
  after the command, as in the AWS CLI; whatever it does not know is handed on;
* the command parser is built from the command's input shape: one ``--kebab-case`` option per
  top-level member (lists take several tokens, booleans are a ``--x``/``--no-x`` pair), then
  ``--cli-input-json``/``--cli-input-yaml``, the pagination options, ``--generate-cli-skeleton``.

argparse only collects the raw tokens; ``cli_core.argv.values`` turns each into a typed value, so
every conversion error names its option. Every problem is collected and reported at once, one
line (or caret block) each: options given twice, unknown options, every value that does not
convert (bad number, bad JSON, bad shorthand, unreadable file), every missing required option.
Only a token argparse cannot place at all (an option missing its value) stops at that point.
At most ``MAX_PROBLEMS_SHOWN`` problems are printed, then ``... and N more``.
"""

from __future__ import annotations

import argparse
from collections import namedtuple

from cli_core.argv.values import convert_option
from cli_core.errors import MAX_PROBLEMS_SHOWN, ParamError, UsageError, render_problems
from cli_core.options import (
    CLI_INPUT_OPTIONS,
    GLOBAL_OPTIONS,
    INPUT_SKELETON_MODES,
    MAX_TIMEOUT_SECONDS,
    PAGINATION,
    SKELETON_MODES,
    SKELETON_OPTION,
)
from cli_core.shapes.codecs import DEFAULT_FILE_READING, FileReading, shown_value
from cli_core.shapes.model import Command

PAGINATION_ARGS = {opt.name: (opt.key, opt.kind) for opt in PAGINATION}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that collects problems in ``problems`` instead of printing and exiting.

    argparse's own ``error`` (a token it cannot place) raises at once, with the problems found
    before it.
    """

    def __init__(self, **kwargs):
        super().__init__(add_help=False, allow_abbrev=False, **kwargs)
        self.problems: list[str] = []

    def error(self, message: str):  # noqa: D401 - argparse's hook
        option = message.split()[1].rstrip(":") if message.startswith("argument ") else ""
        if message.endswith("expected one argument"):
            message += f" (for a value that starts with '-', write {option}=VALUE)"
        elif "ignored explicit argument " in message:  # --flag=value
            value = message.split("ignored explicit argument ", 1)[1][1:-1]
            message = f"argument {option}: takes no value, got '{shown_value(value)}'"
        raise problems_error([*self.problems, message])


def problems_error(problems: list[str]) -> UsageError:
    """One UsageError for every problem found: the problem itself when there is one, else a
    count and one indented line (or block) per problem, at most ``MAX_PROBLEMS_SHOWN`` of them."""
    if len(problems) == 1:
        return UsageError(problems[0])
    lines = render_problems(problems, MAX_PROBLEMS_SHOWN)
    body = "\n".join("  " + line.replace("\n", "\n  ") for line in lines)
    return UsageError(f"{len(problems)} problems with the command line:\n{body}")


class _Once(argparse.Action):
    """Store a value, refusing a second occurrence instead of silently keeping the last."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.problems.append(
                f"{option_string} was given more than once; give it once "
                "(for several list items, write them after one option)"
            )
            return
        setattr(namespace, self.dest, values)


class _BoolPair(argparse.Action):
    """``--x`` / ``--no-x`` writing True / False to one destination; both together is an error."""

    def __init__(self, option_strings, dest, const=None, **kwargs):
        super().__init__(option_strings, dest, nargs=0, const=const, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        previous = getattr(namespace, self.dest, None)
        if previous is not None:
            pair = sorted({option_string, self.metadata_other})
            problem = f"Cannot specify both {pair[0]} and {pair[1]}; give one of them"
            if problem not in parser.problems:
                parser.problems.append(problem)
            return
        setattr(namespace, self.dest, self.const)


def _seconds(name: str, text: str) -> int:
    """A timeout option's value: a whole number of seconds from 0 to MAX_TIMEOUT_SECONDS."""
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_TIMEOUT_SECONDS:
        raise ParamError(
            f"argument {name}: expected a whole number of seconds from 0 to "
            f"{MAX_TIMEOUT_SECONDS}, got '{shown_value(text)}'"
        )
    return value


# -- global options ----------------------------------------------------------------------------


GLOBAL_DEFAULTS = {
    "debug": False,
    "endpoint_url": None,
    "no_verify_ssl": False,
    "no_paginate": False,
    "output": None,
    "query": None,
    "profile": None,
    "region": None,
    "version": False,
    "color": None,
    "no_sign_request": False,
    "ca_bundle": None,
    "cli_read_timeout": None,
    "cli_connect_timeout": None,
    "cli_binary_format": None,
    "no_cli_pager": False,
    "cli_auto_prompt": False,
    "no_cli_auto_prompt": False,
    "cli_error_format": None,
    "cli_dry_run": False,
}

# The global options as given (None where not given); a namedtuple: cheap to import.
GlobalArgs = namedtuple(
    "GlobalArgs", list(GLOBAL_DEFAULTS), defaults=list(GLOBAL_DEFAULTS.values())
)


def _global_parser() -> _Parser:
    parser = _Parser(prog="clishape")
    for opt in GLOBAL_OPTIONS:
        if opt.kind == "flag":
            parser.add_argument(opt.name, dest=opt.dest, action="store_true")
        else:
            parser.add_argument(opt.name, dest=opt.dest, action=_Once)
    return parser


def split_globals(argv: list[str]) -> tuple[GlobalArgs, list[str]]:
    """Take the global options out of argv wherever they stand; return them and the rest.

    Every problem with the global options is reported at once.
    """
    parser = _global_parser()
    namespace, rest = parser.parse_known_args(argv)
    problems = parser.problems
    values = vars(namespace)
    for opt in GLOBAL_OPTIONS:
        value = values.get(opt.dest)
        if value is None:
            continue
        if opt.kind == "choice" and value not in opt.choices:
            problems.append(
                f"argument {opt.name}: invalid choice '{shown_value(value)}' "
                f"(choose from {', '.join(opt.choices)})"
            )
        elif opt.kind == "int":
            try:
                values[opt.dest] = _seconds(opt.name, value)
            except ParamError as error:
                problems.append(str(error))
    if values.get("cli_auto_prompt") and values.get("no_cli_auto_prompt"):
        problems.append("Cannot specify both --cli-auto-prompt and --no-cli-auto-prompt")
    if problems:
        raise problems_error(problems)
    return GlobalArgs(**{k: v for k, v in values.items() if v is not None}), rest


# -- one command -------------------------------------------------------------------------------


# What the command line says about one command, values already typed:
#   command         the cli_core.model.Command
#   params          member name -> typed value, in model order (only what the user gave)
#   options         member name -> the option the user typed ("--domain-id")
#   cli_input_json  raw values of --cli-input-json / --cli-input-yaml (not yet loaded)
#   cli_input_yaml
#   skeleton        None, "input", "yaml-input" or "output"
#   pagination      PaginationConfig keys given: StartingToken / PageSize / MaxItems
#   help            True when a help page was asked for
ParsedCommand = namedtuple(
    "ParsedCommand",
    "command params options cli_input_json cli_input_yaml skeleton pagination help",
    defaults=({}, {}, None, None, None, {}, False),
)


def _member_dest(name: str) -> str:
    return "m_" + name


def build_parser(command: Command) -> _Parser:
    """The argparse parser of one command (raw tokens only; conversion happens later)."""
    parser = _Parser(prog=f"clishape {command.service} {command.name}")
    for name, member in command.input.members.items() if command.input else ():
        names = [member.option, *member.aliases]
        dest = _member_dest(name)
        if member.shape.type == "boolean":
            on = parser.add_argument(*names, dest=dest, action=_BoolPair, const=True)
            off_names = ["--no-" + n[2:] for n in names]
            off = parser.add_argument(*off_names, dest=dest, action=_BoolPair, const=False)
            on.metadata_other, off.metadata_other = off_names[0], names[0]
        elif member.shape.type == "list":
            parser.add_argument(*names, dest=dest, nargs="*", action=_Once)
        else:
            parser.add_argument(*names, dest=dest, action=_Once)
    for name in CLI_INPUT_OPTIONS:
        parser.add_argument(name, dest=name[2:].replace("-", "_"), action=_Once)
    if command.pagination:
        for name in PAGINATION_ARGS:
            if name == "--page-size" and not command.pagination.get("limit_key"):
                continue
            parser.add_argument(name, dest="p_" + name[2:], action=_Once)
    parser.add_argument(SKELETON_OPTION, dest="skeleton", nargs="?", const="input", action=_Once)
    parser.add_argument("-h", "--help", dest="help", action="store_true")
    return parser


def parse_command(
    command: Command, args: list[str], *, files: FileReading = DEFAULT_FILE_READING
) -> ParsedCommand:
    """Parse the tokens after ``<service> <command>``; every problem is reported at once.

    ``files`` says how ``file://``/``fileb://`` values are read (encoding, size limit).
    """
    parser = build_parser(command)
    namespace, extras = parser.parse_known_args(args)
    if extras and extras[0] == "help" or namespace.help:
        return ParsedCommand(command=command, help=True)
    problems = parser.problems
    if extras:
        problems.insert(0, _unknown_options(parser, extras))

    values = vars(namespace)
    skeleton = values.get("skeleton")
    if skeleton is not None and skeleton not in SKELETON_MODES:
        problems.append(
            f"argument {SKELETON_OPTION}: invalid choice '{shown_value(skeleton)}' "
            f"(choose from {', '.join(SKELETON_MODES)})"
        )

    params: dict = {}
    options: dict = {}
    if command.input is not None:
        for name, member in command.input.members.items():
            raw = values.get(_member_dest(name))
            if raw is None:
                continue
            options[name] = _typed_option(args, member)
            try:
                params[name] = convert_option(member, raw, options[name], files)
            except ParamError as error:
                problems.append(str(error))

    pagination = {}
    for name, (key, kind) in PAGINATION_ARGS.items():
        raw = values.get("p_" + name[2:])
        if raw is not None:
            try:
                pagination[key] = _pagination_value(name, raw, kind)
            except ParamError as error:
                problems.append(str(error))

    parsed = ParsedCommand(
        command=command,
        params=params,
        options=options,
        cli_input_json=values.get("cli_input_json"),
        cli_input_yaml=values.get("cli_input_yaml"),
        skeleton=skeleton,
        pagination=pagination,
    )
    missing = _missing_required(parsed, given=set(options))
    if missing:
        problems.append(missing)
    if problems:
        raise problems_error(problems)
    return parsed


def _unknown_options(parser: _Parser, extras: list[str]) -> str:
    """``Unknown options: --a, --b`` (at most MAX_PROBLEMS_SHOWN named) with suggestions."""
    shown = [shown_value(token, 60) for token in extras[:MAX_PROBLEMS_SHOWN]]
    more = len(extras) - len(shown)
    listed = ", ".join(shown) + (f" ... and {more} more" if more else "")
    return "Unknown options: " + listed + _suggest(parser, extras[:MAX_PROBLEMS_SHOWN])


def _suggest(parser: _Parser, extras: list[str]) -> str:
    """`` (did you mean --x?)`` for unknown options close to a real one."""
    import difflib

    known = [o for o in parser._option_string_actions if o.startswith("--")]
    known += [opt.name for opt in GLOBAL_OPTIONS]
    hints = []
    for token in extras:
        if token.startswith("--"):
            head = token.split("=", 1)[0][:100]
            close = difflib.get_close_matches(head, known, n=1, cutoff=0.6)
            if close:
                hints.append(f"{shown_value(head, 60)} → {close[0]}")
    return f" (did you mean: {', '.join(hints)})" if hints else ""


def _typed_option(args: list[str], member) -> str:
    """Which of the member's option names the user wrote (for messages)."""
    names = [member.option, *member.aliases]
    if member.shape.type == "boolean":
        names += ["--no-" + n[2:] for n in names]
    for token in args:
        head = token.split("=", 1)[0]
        if head in names:
            return head
    return member.option


def _pagination_value(name: str, raw: str, kind: str):
    if kind == "string":
        return raw
    try:
        return int(raw.strip())
    except ValueError:
        raise UsageError(
            f"argument {name}: expected an integer, got '{shown_value(raw)}'"
        ) from None


def _missing_required(parsed: ParsedCommand, given: set) -> str:
    """The line naming every missing required option, or "" when none is missing.

    Input documents may supply members, so with ``--cli-input-json``/``--cli-input-yaml`` the check
    waits for the merged request; an ``input``/``yaml-input`` skeleton needs nothing. ``given``
    are the members the command line gave (even when their value did not convert).
    """
    if parsed.cli_input_json is not None or parsed.cli_input_yaml is not None:
        return ""
    if parsed.skeleton in INPUT_SKELETON_MODES:
        return ""
    command = parsed.command
    missing = [
        command.input.members[name].option for name in command.required_members if name not in given
    ]
    if missing:
        return "the following arguments are required: " + ", ".join(missing)
    return ""
