"""Stage 2 (argv) — the command line: global options, then one command's options from its spec.

Two argparse parsers, both with prefix abbreviations off (``--out`` is never ``--output``):

* the global parser runs over the whole argv, so global options work before the service or
  after the command, as in the AWS CLI; whatever it does not know is handed on;
* the command parser is built from the command's input shape: one ``--kebab-case`` option per
  top-level member (lists take several tokens, booleans are a ``--x``/``--no-x`` pair), then
  ``--cli-input-json``/``--cli-input-yaml``, the pagination options, ``--generate-cli-skeleton``;
  a command whose output payload is a blob takes the positional ``outfile`` instead of the input
  documents and the skeleton option, and a streaming blob option takes a file path (both as in
  the AWS CLI).

argparse only collects the raw tokens; ``cli_core.argv.values`` turns each into a typed value, so
every conversion error names its option. Every problem is collected and reported at once, one
line (or caret block) each: options given twice, unknown options, every value that does not
convert (bad number, bad JSON, bad shorthand, unreadable file), every missing required option.
Only a token argparse cannot place at all (an option missing its value) stops at that point.
At most ``MAX_PROBLEMS_SHOWN`` problems are printed, then ``... and N more``.
"""

from __future__ import annotations

import argparse
import os
from collections import namedtuple

from cli_core.argv.custom import argument_values, arguments, default_values, place
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
# The positional of a command whose output payload is a blob (``Command.outfile_member``).
OUTFILE = "outfile"
_REQUIRED = "the following arguments are required: "


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that collects problems in ``problems`` instead of printing and exiting.

    argparse's own ``error`` (a token it cannot place) raises at once, with the problems found
    before it.
    """

    def __init__(self, **kwargs):
        super().__init__(add_help=False, allow_abbrev=False, **kwargs)
        self.problems: list[str] = []
        self.missing_positionals: list[str] = []
        self.global_names = None  # the app's global options, when not the default ones

    def error(self, message: str):  # noqa: D401 - argparse's hook
        if message.startswith(_REQUIRED):  # only positionals are required: named with the rest
            self.missing_positionals = message[len(_REQUIRED) :].split(", ")
            return
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
    "cli_input_merge": None,
}

# The global options as given (None where not given); a namedtuple: cheap to import.
GlobalArgs = namedtuple(
    "GlobalArgs", list(GLOBAL_DEFAULTS), defaults=list(GLOBAL_DEFAULTS.values())
)


def _global_parser(options, prog: str) -> _Parser:
    parser = _Parser(prog=prog)
    for opt in options:
        if opt.kind == "optional-choice":
            continue  # taken out of argv before argparse (``_take_optional_choices``)
        if opt.kind == "flag":
            parser.add_argument(opt.name, dest=opt.dest, action="store_true")
        else:
            parser.add_argument(opt.name, dest=opt.dest, action=_Once)
    return parser


def split_globals(
    argv: list[str], options=GLOBAL_OPTIONS, prog: str = "clishape"
) -> tuple[GlobalArgs, list[str]]:
    """Take the global options (of ``options``: the app's) out of argv wherever they stand;
    return them and the rest. An option the app does not offer stays in the rest (and is
    then unknown to the command).

    Every problem with the global options is reported at once.
    """
    argv, optional, problems = _take_optional_choices(argv, options)
    parser = _global_parser(options, prog)
    parser.problems.extend(problems)
    namespace, rest = parser.parse_known_args(argv)
    problems = parser.problems
    values = vars(namespace)
    values.update(optional)
    for opt in options:
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


def _take_optional_choices(argv: list[str], options) -> tuple[list[str], dict, list[str]]:
    """Take out the options that may be followed by one of their choices (``--cli-dry-run`` or
    ``--cli-dry-run http``): argv without them, dest -> True or the choice, and the problems.

    The next token is the option's value only when it is one of the choices, so a service name
    after the option (``--cli-dry-run s3api ...``) stays where it is.
    """
    options = {opt.name: opt for opt in options if opt.kind == "optional-choice"}
    rest: list[str] = []
    values: dict = {}
    problems: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        name, equals, value = token.partition("=")
        opt = options.get(name)
        if opt is None:
            rest.append(token)
            continue
        if not equals:
            value = None
            if index < len(argv) and argv[index] in opt.choices:
                value = argv[index]
                index += 1
        elif value not in opt.choices:
            problems.append(
                f"argument {opt.name}: invalid value '{shown_value(value)}' (give it alone, or "
                f"followed by {' or '.join(opt.choices)})"
            )
            continue
        values[opt.dest] = value if value is not None else values.get(opt.dest, True)
    return rest, values, problems


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
#   outfile         the positional outfile (the file the output payload is written to), or None
# A streaming input member (``Command.streaming_inputs``) is in params as the path of its file,
# checked to be a readable file; the request stage sends the file itself.
#   defaults        (member path, value) pairs the request stage fills where still missing
#                   (argument customizations' ``default``)
ParsedCommand = namedtuple(
    "ParsedCommand",
    "command params options cli_input_json cli_input_yaml skeleton pagination help outfile defaults",
    defaults=({}, {}, None, None, None, {}, False, None, ()),
)


def _member_dest(name: str) -> str:
    return "m_" + name


def _argument_dest(option: str) -> str:
    return "a_" + option[2:]


class _Flag(argparse.Action):
    """``--x [VALUE]`` / ``--no-x`` for a ``cli_flag`` member: alone, ``--x`` stores True and
    ``--no-x`` False; with a value, ``--x`` stores the value. Both, or one twice, is an error."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            if option_string in (self.metadata_on, self.metadata_off):
                pair = f"{self.metadata_on} and {self.metadata_off}"
                problem = f"Cannot specify both {pair}; give one of them"
            else:
                problem = f"{option_string} was given more than once; give it once"
            if problem not in parser.problems:
                parser.problems.append(problem)
            return
        setattr(namespace, self.dest, self.const if values == [] else values)


def _add_bool_pair(parser: _Parser, names: list[str], dest: str) -> None:
    on = parser.add_argument(*names, dest=dest, action=_BoolPair, const=True)
    off_names = ["--no-" + n[2:] for n in names]
    off = parser.add_argument(*off_names, dest=dest, action=_BoolPair, const=False)
    on.metadata_other, off.metadata_other = off_names[0], names[0]


def _add_flag(parser: _Parser, names: list[str], dest: str) -> None:
    off_names = ["--no-" + n[2:] for n in names]
    on = parser.add_argument(*names, dest=dest, nargs="?", const=True, action=_Flag)
    off = parser.add_argument(*off_names, dest=dest, nargs=0, const=False, action=_Flag)
    for action in (on, off):
        action.metadata_on, action.metadata_off = names[0], off_names[0]


def build_parser(command: Command, prog: str = "clishape") -> _Parser:
    """The argparse parser of one command (raw tokens only; conversion happens later)."""
    parser = _Parser(prog=f"{prog} {command.service} {command.name}")
    for name, member in command.input.members.items() if command.input else ():
        if member.raw.get("cli_option") is False:
            continue  # given by an argument customization or an input document only
        names = [member.option, *member.aliases]
        dest = _member_dest(name)
        if member.shape.type == "boolean":
            _add_bool_pair(parser, names, dest)
        elif member.raw.get("cli_flag"):
            _add_flag(parser, names, dest)
        elif member.shape.type == "list":
            parser.add_argument(*names, dest=dest, nargs="*", action=_Once)
        else:
            parser.add_argument(*names, dest=dest, action=_Once)
    for argument in arguments(command):
        dest = _argument_dest(argument.option)
        if argument.is_boolean:
            _add_bool_pair(parser, [argument.option], dest)
        elif argument.takes_list:
            parser.add_argument(argument.option, dest=dest, nargs="*", action=_Once)
        else:
            parser.add_argument(argument.option, dest=dest, action=_Once)
    # As in the AWS CLI, a command with an outfile has no input documents and no skeletons.
    outfile = command.outfile_member is not None
    for name in CLI_INPUT_OPTIONS if not outfile else ():
        parser.add_argument(name, dest=name[2:].replace("-", "_"), action=_Once)
    if command.pagination:
        for name in PAGINATION_ARGS:
            if name == "--page-size" and not command.pagination.get("limit_key"):
                continue
            parser.add_argument(name, dest="p_" + name[2:], action=_Once)
    if outfile:
        parser.add_argument(OUTFILE, metavar=OUTFILE)  # one token, anywhere among the options
    else:
        parser.add_argument(
            SKELETON_OPTION, dest="skeleton", nargs="?", const="input", action=_Once
        )
    parser.add_argument("-h", "--help", dest="help", action="store_true")
    return parser


def parse_command(
    command: Command,
    args: list[str],
    *,
    files: FileReading = DEFAULT_FILE_READING,
    prog: str = "clishape",
    global_names=None,
) -> ParsedCommand:
    """Parse the tokens after ``<service> <command>``; every problem is reported at once.

    ``files`` says how ``file://``/``fileb://`` values are read (encoding, size limit);
    ``prog`` is the program's name and ``global_names`` its global options (for suggestions).
    """
    parser = build_parser(command, prog)
    parser.global_names = global_names
    namespace, extras = parser.parse_known_args(args)
    outfile = getattr(namespace, OUTFILE, None)
    if extras and extras[0] == "help" or namespace.help or outfile == "help":
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
                if member.streaming_blob:
                    params[name] = streaming_file_path(raw, options[name])
                else:
                    params[name] = _member_value(member, raw, options[name], files)
            except ParamError as error:
                problems.append(str(error))
    given_arguments = _place_arguments(command, values, params, options, problems, files)

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
        outfile=outfile,
        defaults=default_values(command),
    )
    missing = _missing_required(
        parsed, set(options), parser.missing_positionals, arguments_given=given_arguments
    )
    if missing:
        problems.append(missing)
    if problems:
        error = problems_error(problems)
        if parser.missing_positionals:
            error.usage = _outfile_usage(command, prog)
        raise error
    return parsed


def _outfile_usage(command: Command, prog: str) -> str:
    """The usage line of a command with a positional outfile (shown when it is missing)."""
    name = f"{prog} {command.service} {command.name}"
    return f"usage: {name} [options] <{OUTFILE}> (see: {name} help)"


def _member_value(member, raw, option: str, files: FileReading):
    """A member option's typed value; a ``cli_flag`` member given alone is ``{Value: bool}``."""
    if member.raw.get("cli_flag") and isinstance(raw, bool):
        (inner,) = member.shape.members
        return {inner: raw}
    return convert_option(member, raw, option, files)


def _place_arguments(command, values: dict, params: dict, options: dict, problems, files) -> set:
    """Convert every argument customization given and place its values in ``params`` beside the
    members' own options; returns the options given. ``options`` learns, for each top-level
    member only an argument gave, the option the user typed (messages name it)."""
    given: set[str] = set()
    given_by = {(name,): option for name, option in options.items()}
    for argument in arguments(command):
        raw = values.get(_argument_dest(argument.option))
        if raw is None:
            continue
        given.add(argument.option)
        typed = argument.option
        if argument.is_boolean and raw is False:
            typed = "--no-" + argument.option[2:]
        try:
            pairs = argument_values(argument, raw, typed, files)
        except ParamError as error:
            problems.append(str(error))
            for top in argument.tops:
                options.setdefault(top, typed)
            continue
        for path, value in pairs:
            problem = place(params, path, value, typed, given_by)
            if problem:
                problems.append(problem)
            options.setdefault(path[0], typed)
    return given


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
    names = parser.global_names
    known += list(names) if names is not None else [opt.name for opt in GLOBAL_OPTIONS]
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
    if member.shape.type == "boolean" or member.raw.get("cli_flag"):
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


def _missing_required(
    parsed: ParsedCommand, given: set, positionals=(), arguments_given: set = frozenset()
) -> str:
    """The line naming every missing required option, or "" when none is missing.

    A required member that an argument customization reaches may come from either option
    (``--code`` or ``--zip-file``); an argument marked ``required`` must be given itself.

    Input documents may supply members, so with ``--cli-input-json``/``--cli-input-yaml`` the check
    waits for the merged request; an ``input``/``yaml-input`` skeleton needs nothing. ``given``
    are the members the command line gave (even when their value did not convert);
    ``positionals`` the missing positionals (``outfile``), named last.
    """
    if parsed.cli_input_json is not None or parsed.cli_input_yaml is not None:
        return ""
    if parsed.skeleton in INPUT_SKELETON_MODES:
        return ""
    command = parsed.command
    custom = arguments(command)
    missing = []
    for name in command.required_members:
        reaching = [a for a in custom if name in a.tops]
        if name in given or any(a.required or a.default is not None for a in reaching):
            continue
        others = [a.option for a in reaching]
        member = command.input.members[name]
        if member.raw.get("cli_option") is False and not others:
            continue  # only an input document can give it: validation names it
        if (member.raw.get("cli_hidden") or member.raw.get("cli_option") is False) and others:
            missing.append(" or ".join(others))
        else:
            missing.append(f"{member.option} (or {', '.join(others)})" if others else member.option)
    missing += [a.option for a in custom if a.required and a.option not in arguments_given]
    missing += positionals
    if missing:
        return "the following arguments are required: " + ", ".join(missing)
    return ""


def streaming_file_path(raw: str, option: str) -> str:
    """The file a streaming blob option names (``~`` and ``$VARS`` expanded), checked to be a
    regular file this process may read; it is opened and sent by the later stages.

    As in the AWS CLI the value is a plain path: ``file://``/``fileb://`` are not read here
    (a streaming blob is never held in memory).
    """
    shown = shown_value(raw, 300)
    path = os.path.expandvars(os.path.expanduser(raw))
    try:
        is_file = os.path.isfile(path)
        if is_file:
            with open(path, "rb"):
                pass
    except ValueError:  # a NUL character, or a name the file system cannot encode
        raise ParamError(f"expected the path of a file, got '{shown}'", option) from None
    except OSError as exc:
        raise ParamError(f"cannot read '{shown}': {exc.strerror or exc}", option) from None
    if is_file:
        return path
    if raw.startswith(("file://", "fileb://")):
        raise ParamError(
            f"expected the path of a file, without file:// or fileb://, got '{shown}'", option
        )
    what = "a folder" if os.path.isdir(path) else "no such file"
    raise ParamError(f"expected the path of a file to send, got '{shown}' ({what})", option)
