"""Stage 5 (present) — help pages, laid out as plain text in Python (no groff, no mandoc).

Three pages, all built from data the engine already has:

* ``command_help(command, width)`` — one command: NAME, DESCRIPTION, SYNOPSIS, OPTIONS, GLOBAL
  OPTIONS and OUTPUT, in the order and with the texts of the reference CLI's pages;
* ``service_help(service_info, width)`` — one service: its documentation and its commands;
* ``top_help(services, width)`` — the program: usage, global options and the services;
* ``wait_help(service, waiters, width)`` — ``SERVICE wait``: its waiters (each waiter's own page
  is ``command_help`` of its wait command, described as the AWS CLI describes waiters).

Help is a hot path: only the standard library's ``re`` and ``textwrap`` (through
``cli_core.docmarkup``) are imported.
"""

from __future__ import annotations

from cli_core.options import (
    BATCH_CONCURRENCY_OPTION,
    BATCH_INPUT_OPTION,
    CLI_INPUT_OPTIONS,
    DEFAULT_BATCH_CONCURRENCY,
    MAX_BATCH_CONCURRENCY,
    PAGINATION_OPTIONS,
    RESERVED_OPTION_NAMES,
    SKELETON_OPTION,
    global_options,
)
from cli_core.present import docmarkup
from cli_core.shapes.arguments import Argument, arguments
from cli_core.shapes.model import Command, Member, Shape
from cli_core.shapes.naming import is_broken_reference_name, reference_name
from cli_core.shapes.walk import ShapeWalker

STEP = 4  # spaces per nesting level
MAX_SHORTHAND_DEPTH = 3  # deeper shapes get JSON syntax only (the reference CLI's limit)
RECURSIVE = "( ... recursive ... )"
API_DOCS_URL = "https://docs.aws.amazon.com/goto/WebAPI/{uid}/{operation}"

CLI_INPUT_DOC = (
    "Reads arguments from the JSON string provided. The JSON string follows the format provided "
    "by `--generate-cli-skeleton`. If other arguments are provided on the command line, those "
    "values will override the JSON-provided values. It is not possible to pass arbitrary binary "
    "values using a JSON-provided value as the string will be taken literally. This may not be "
    "specified along with `--cli-input-yaml`.\n\n"
    "`--cli-input-yaml` reads the arguments from a YAML document in the same way; it may not be "
    "specified along with `--cli-input-json`.\n\n"
    "With `--cli-input-merge deep` (or `cli_input_merge = deep` in the profile's config) the "
    "values given on the command line are merged into the document member by member at every "
    "depth instead, lists replaced; `deep-append` appends lists (clishape extension). "
    "`--cli-dry-run` shows the merged request."
)
BATCH_INPUT_DOC = (
    "Runs the command once for each line of the file (`-`: standard input), in one process: "
    "each line is one JSON input document, read as `--cli-input-json` reads its document, so "
    "the other options on the command line override its values; blank lines are skipped. "
    "Results are printed in the order of the lines: with `--output json`, one compact JSON "
    "document per line, `null` for a request that failed (so the Nth output line answers the "
    "Nth request); with `yaml`, one YAML document each; with `yaml-stream`, one item each of a "
    "single YAML list; `text` and `table` print each result in turn. Every failure (a line that "
    "is not a JSON object, a request that fails validation, an error from the service) is "
    "written to standard error with its line number, and the other lines still run. The exit "
    "status is the worst of all the requests. Ctrl-C stops the batch, says how many requests "
    "were done, and exits with status 130 (clishape extension)."
)
BATCH_CONCURRENCY_DOC = (
    f"With `{BATCH_INPUT_OPTION}`: how many requests are sent at a time, from 1 to "
    f"{MAX_BATCH_CONCURRENCY} (default {DEFAULT_BATCH_CONCURRENCY}). Results are printed in "
    "input order whatever the number (clishape extension)."
)
SKELETON_DOC = (
    "Prints a JSON skeleton to standard output without sending an API request. If provided with "
    "no value or the value `input`, prints a sample input JSON that can be used as an argument "
    "for `--cli-input-json`. Similarly, if provided `yaml-input` it will print a sample input "
    "YAML that can be used with `--cli-input-yaml`. If provided with the value `output`, it "
    "validates the command inputs and returns a sample output JSON for that command. The "
    "generated JSON skeleton is not stable between versions of the AWS CLI and there are no "
    "backwards compatibility guarantees in the JSON skeleton generated.\n\n"
    "`json-schema` prints a JSON Schema (draft 2020-12) of the input document, which editors and "
    "validators can check a `--cli-input-json` file with; `output-schema` prints one of the "
    "response as `--output json` prints it (clishape extension)."
)
PAGINATION_DOCS = {
    "--starting-token": (
        "string",
        "Where to resume: the `NextToken` printed by an earlier command whose output was cut "
        "short by `--max-items`.",
    ),
    "--page-size": (
        "integer",
        "How many items to ask the service for in each call. It changes only the number of "
        "calls made, not the items printed: smaller pages mean more, shorter calls, which can "
        "keep each call from timing out.",
    ),
    "--max-items": (
        "integer",
        "The most items to print in all. When more are available, the output ends with a "
        "`NextToken`; give it to `--starting-token` in a later command to carry on from there.",
    ),
}
TOP_USAGE = (
    "Use `{prog} <command> help` to see the commands of a service, and "
    "`{prog} <command> <subcommand> help` for the page of one command. The synopsis of each "
    "command shows its parameters and their usage; optional parameters are shown in square "
    "brackets.\n\n"
    f"To run one command over many requests in one process, give it `{BATCH_INPUT_OPTION} FILE` "
    "(one JSON input document per line); see the command's page."
)

COMPLETION_DOC = (
    "`{prog} completion bash`, `{prog} completion zsh` or `{prog} completion fish` prints the "
    "shell completion script to install (for bash, add "
    '`eval "$({prog} completion bash)"` to `~/.bashrc`). TAB then completes services, '
    "commands, waiters, the options not yet given, the values an option may take (enums, "
    "`--output`, `--color`, `--cli-binary-format`, `--cli-error-format`), profile names, and "
    "paths after `file://` and `fileb://`. Run `{prog} completion help` for each shell."
)


# -- public -------------------------------------------------------------------------------------


def _app(app):
    if app is None:
        from cli_core.program import DEFAULT_PROGRAM as DEFAULT_APP

        return DEFAULT_APP
    return app


def command_help(command: Command, width: int = 80, app=None) -> str:
    """The help page of one command (of ``app``, by default the engine's ``clishape``)."""
    options = global_options(_app(app).families)
    page = _Page(width)
    page.heading("NAME")
    page.line(command.name, 1)
    page.heading("DESCRIPTION")
    page.doc(_description(command), 1)
    page.heading("SYNOPSIS")
    page.line(command.name, 1)
    for entry in _synopsis_lines(command, options):
        page.line(entry, 1, extra=2)
    page.heading("OPTIONS")
    _options(page, command)
    page.heading("GLOBAL OPTIONS")
    _global_options(page, options)
    page.heading("OUTPUT")
    _output(page, command)
    return page.text()


def service_help(service_info: dict, width: int = 80, app=None) -> str:
    """The help page of one service (``service_info`` from ``cli_core.specs.load_service_doc``)."""
    prog = _app(app).name
    page = _Page(width)
    page.heading("NAME")
    page.line(service_info["service"], 1)
    page.heading("DESCRIPTION")
    page.doc(service_info.get("documentation") or "", 1)
    page.heading("AVAILABLE COMMANDS")
    hidden = set(service_info.get("deprecated_commands") or ())
    commands = list(service_info.get("commands") or ())
    if service_info.get("waiters"):
        commands.append("wait")
    for name in sorted(commands):
        if name not in hidden:
            page.line(docmarkup.BULLET + name, 1)
    page.doc(f"Run `{prog} {service_info['service']} <command> help` for a command's page.", 1)
    return page.text()


def wait_help(service: str, waiters: list[str], width: int = 80, app=None) -> str:
    """The page of ``SERVICE wait``: what waiting is, and the service's waiters."""
    prog = _app(app).name
    page = _Page(width)
    page.heading("NAME")
    page.line("wait", 1)
    page.heading("DESCRIPTION")
    page.doc(WAIT_DOC, 1)
    page.heading("AVAILABLE COMMANDS")
    for name in waiters:
        page.line(docmarkup.BULLET + name, 1)
    page.doc(f"Run `{prog} {service} wait <waiter> help` for a waiter's page.", 1)
    return page.text()


def top_help(services: list[str], width: int = 80, app=None, commands=()) -> str:
    """The program's help page: usage, global options, the commands of the app's default
    service (``commands``, run without the service's name) and the services."""
    app = _app(app)
    prog = app.name
    page = _Page(width)
    page.heading("NAME")
    page.line(prog, 1)
    page.heading("DESCRIPTION")
    page.doc(app.description or f"{prog} {app.version}", 1)
    page.heading("SYNOPSIS")
    page.line(f"{prog} [options] <command> <subcommand> [parameters]", 1)
    page.doc(TOP_USAGE.format(prog=prog), 1)
    page.heading("GLOBAL OPTIONS")
    _global_options(page, global_options(app.families))
    page.heading("SHELL COMPLETION")
    page.doc(COMPLETION_DOC.format(prog=prog), 1)
    if commands:
        page.heading("AVAILABLE COMMANDS")
        for name in sorted(commands):
            page.line(docmarkup.BULLET + name, 1)
        page.doc(
            f"Commands of {app.default_service}, run without its name: "
            f"`{prog} <command> [parameters]`; `{prog} <command> help` shows a command's page.",
            1,
        )
    page.heading("AVAILABLE SERVICES")
    for name in sorted(services):
        page.line(docmarkup.BULLET + name, 1)
    return page.text()


# -- page builder -------------------------------------------------------------------------------


class _Page:
    """Lines of text at nesting levels (``STEP`` spaces each). Blocks are separated by one blank
    line, except that a block hangs right under a heading or header line it belongs to."""

    def __init__(self, width: int):
        self.width = max(int(width or 80), 40)
        self.lines: list[str] = []
        self._hang_at = -1  # the page length right after the last heading or header line
        self._hang_level = 0  # and that line's level

    def gap(self, level: int) -> None:
        """A blank line before a new block at ``level``, unless it hangs from the line above."""
        if not self.lines or self.lines[-1] == "":
            return
        if len(self.lines) == self._hang_at and level > self._hang_level:
            return
        self.lines.append("")

    def heading(self, title: str) -> None:
        self.gap(0)
        self.lines.append(title)
        self._hang_at, self._hang_level = len(self.lines), 0

    def header(self, text: str, level: int) -> None:
        """An entry's first line (an option, a member line); what it holds hangs from it."""
        self.gap(level)
        self.line(text, level)
        self._hang_at, self._hang_level = len(self.lines), level

    def label(self, text: str, level: int) -> None:
        """A label line starting a block (``Possible values:``, ``JSON Syntax:``)."""
        self.gap(level)
        self.line(text, level)

    def line(self, text: str, level: int, extra: int = 0) -> None:
        """One line as it is (never wrapped: option names, syntax examples)."""
        self.lines.append(" " * (level * STEP + extra) + text if text else "")

    def doc(self, doc: str, level: int) -> None:
        """Documentation markup, wrapped, as its own block."""
        rendered = docmarkup.render(doc, self.width, level * STEP)
        if rendered:
            self.gap(level)
            self.lines.extend(rendered)

    def items(self, values, level: int) -> None:
        """A bullet list, one item a line."""
        for value in values:
            self.lines.extend(
                docmarkup.wrap(
                    str(value),
                    self.width,
                    " " * (level * STEP) + docmarkup.BULLET,
                    " " * (level * STEP + len(docmarkup.BULLET)),
                )
            )

    def block(self, text: str, level: int) -> None:
        """Preformatted text (syntax examples), kept line for line."""
        self.gap(level)
        for row in text.split("\n"):
            self.line(row, level)

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(line.rstrip() for line in self.lines) + "\n"


# -- description and synopsis -------------------------------------------------------------------


def _description(command: Command) -> str:
    waiter = command.raw.get("waiter")
    parts = [waiter_description(waiter) if waiter else command.documentation or ""]
    if command.deprecated:
        message = command.raw["operation"].get("deprecatedMessage")
        parts.append("This command is deprecated." + (f" {message}" if message else ""))
    uid = command.metadata.get("uid")
    if uid:
        url = API_DOCS_URL.format(uid=uid, operation=command.operation)
        parts.append(f"See also: [AWS API Documentation]({url})")
    if _uses_documents(command):
        parts.append(
            "This command uses document types: their values are free-form JSON, given as JSON "
            "(never shorthand)."
        )
    pagination = command.pagination
    if pagination:
        text = (
            f"`{command.name}` is a paginated command: it makes as many calls as it takes to get "
            "every result and merges them. Use `--no-paginate` to make one call only, or "
            "`--max-items` to stop after some items."
        )
        keys = _as_list(pagination.get("result_key"))
        if keys:
            text += _paging_results_note(keys)
        parts.append(text)
    return "\n\n".join(p for p in parts if p)


# -- waiters ------------------------------------------------------------------------------------

WAIT_DOC = (
    "Wait for something to be ready. Each waiter below calls one command of the service, "
    "again and again, until the answer shows what it waits for (exit code 0, no output), shows "
    "that it will never happen, or the waiter has tried as often as it may (exit code 255)."
)
# What the success acceptor waits for, by matcher (the AWS CLI's wording).
_SUCCESS_WHEN = {
    "error": "{expected} is thrown ",
    "path": "JMESPath query {argument} returns {expected} ",
    "pathAll": "JMESPath query {argument} returns {expected} for all elements ",
    "pathAny": "JMESPath query {argument} returns {expected} for any element ",
    "status": "{expected} response is received ",
}


def waiter_description(waiter: dict) -> str:
    """A waiter's description as the AWS CLI writes it: the spec's own, or one made from its
    first success acceptor, then how often and how long it polls."""
    text = waiter.get("description") or ""
    if not text:
        text = "Wait until "
        for acceptor in waiter.get("acceptors", ()):
            if acceptor.get("state") == "success":
                argument = acceptor.get("argument", "")
                text += _SUCCESS_WHEN.get(acceptor.get("matcher"), "").format(
                    argument=f"``{argument}``" if "`" in argument else argument,
                    expected=acceptor.get("expected"),
                )
                break
        text += f"when polling with `{waiter.get('polls', '')}`."
    return (
        f"{text} It will poll every {waiter.get('delay')} seconds until a successful state has "
        "been reached. This will exit with a return code of 255 after "
        f"{waiter.get('maxAttempts')} failed checks."
    )


def _paging_results_note(keys: list) -> str:
    """Which query expressions gather the results across pages, and what ``--query`` sees."""
    return (
        " The results gathered from every page are: "
        + ", ".join(f"`{k}`" for k in keys)
        + ". `--query` runs on the merged result (in text output too), except with `--output "
        "yaml-stream`, where it runs on each page on its own."
    )


def _as_list(value) -> list:
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _uses_documents(command: Command) -> bool:
    return any(s is not None and s.contains("document") for s in (command.input, command.output))


def _documented_options(command: Command) -> list[tuple[str, Member]]:
    """The command's own options in table order, without the paging members that
    ``--starting-token`` and ``--page-size`` stand for (still accepted, not documented)."""
    hidden: set[str] = set()
    if command.pagination:
        hidden.update(_as_list(command.pagination.get("input_token")))
        hidden.update(_as_list(command.pagination.get("limit_key")))
    return [
        (opt, m)
        for opt, m in command.options.items()
        if m.name not in hidden and not m.raw.get("cli_hidden") and m.raw.get("cli_option", True)
    ]


def _relaxed(command: Command) -> set[str]:
    """Required members an argument customization may give instead (``--code`` or
    ``--zip-file``): not marked required on the page."""
    return {top for argument in arguments(command) for top in argument.tops}


def _paging_options(command: Command) -> list[str]:
    if not command.pagination:
        return []
    names = list(PAGINATION_OPTIONS)
    if not command.pagination.get("limit_key"):
        names.remove("--page-size")
    return names


def _option_names(option: str, member: Member) -> str:
    if member.shape.type == "boolean" or member.raw.get("cli_flag"):
        return f"{option} | --no-{option[2:]}"
    return option


def _synopsis_lines(command: Command, options) -> list[str]:
    required = set(command.required_members) - _relaxed(command)
    lines = []
    for option, member in _documented_options(command):
        text = _option_names(option, member)
        if member.shape.type != "boolean" and not member.raw.get("cli_flag"):
            text += " <value>"
        lines.append(text if member.name in required else f"[{text}]")
    for argument in arguments(command):
        text = _argument_names(argument)
        if not argument.is_boolean:
            text += " <value>"
        lines.append(text if argument.required else f"[{text}]")
    if command.outfile_member is None:
        lines.append("[" + " | ".join(CLI_INPUT_OPTIONS) + "]")
        lines += [f"[{BATCH_INPUT_OPTION} <value>]", f"[{BATCH_CONCURRENCY_OPTION} <value>]"]
    lines.extend(f"[{name} <value>]" for name in _paging_options(command))
    lines.append(
        f"[{SKELETON_OPTION} <value>]" if command.outfile_member is None else OUTFILE_SYNOPSIS
    )
    for opt in options:
        if opt.kind == "optional-choice":
            lines.append(f"[{opt.name} [{'|'.join(opt.choices)}]]")
        else:
            lines.append(f"[{opt.name}]" if opt.shown_type == "boolean" else f"[{opt.name} <value>]")
    return lines


# -- options ------------------------------------------------------------------------------------


def _options(page: _Page, command: Command) -> None:
    required = set(command.required_members) - _relaxed(command)
    for option, member in _documented_options(command):
        _option(page, option, member, member.name in required)
    for argument in arguments(command):
        _argument(page, argument)
    if command.outfile_member is None:
        page.header(" | ".join(CLI_INPUT_OPTIONS) + " (string)", 1)
        page.doc(CLI_INPUT_DOC, 2)
        page.header(f"{BATCH_INPUT_OPTION} (string)", 1)
        page.doc(BATCH_INPUT_DOC, 2)
        page.header(f"{BATCH_CONCURRENCY_OPTION} (integer)", 1)
        page.doc(BATCH_CONCURRENCY_DOC, 2)
    for name in _paging_options(command):
        kind, doc = PAGINATION_DOCS[name]
        page.header(f"{name} ({kind})", 1)
        page.doc(doc, 2)
    if command.outfile_member is None:
        page.header(f"{SKELETON_OPTION} (string)", 1)
        page.doc(SKELETON_DOC, 2)
    else:
        _outfile_option(page, command)


def _option(page: _Page, option: str, member: Member, required: bool) -> None:
    shape = member.shape
    label = f"{_option_names(option, member)} ({type_label(member)})" + _marks(member, required)
    page.header(label, 1)
    renamed = _rename_note(member)
    if renamed:
        page.doc(renamed, 2)
    page.doc(member.documentation, 2)
    if member.streaming_blob:  # a top-level one: the command line names its file
        page.doc(STREAMING_INPUT_DOC, 2)
    _traits(page, member, 2, constraints=True)
    _Members(page, constraints=True).walk(shape, 2)
    _syntax(page, shape, 2)


def _argument_names(argument: Argument) -> str:
    if argument.is_boolean:
        return f"{argument.option} | --no-{argument.option[2:]}"
    return argument.option


def _argument(page: _Page, argument: Argument) -> None:
    """An argument customization's entry: its type, its text and the members it sets."""
    label = f"{_argument_names(argument)} ({argument.type_name})"
    page.header(label + (" [required]" if argument.required else ""), 1)
    page.doc(argument.documentation, 2)
    page.doc(f"Sets {', '.join(f'`{p}`' for p in argument.targets.split(', '))}.", 2)
    if argument.split is None and not argument.shape.is_scalar:
        _Members(page, constraints=True).walk(argument.shape, 2)
        _syntax(page, argument.shape, 2)


def type_label(member_or_shape: Member | Shape) -> str:
    """The type a help page shows for a member or shape."""
    if isinstance(member_or_shape, Member):
        shape = member_or_shape.shape
        streaming = shape.streaming or bool(member_or_shape.raw.get("streaming"))
    else:
        shape, streaming = member_or_shape, member_or_shape.streaming
    if shape.type == "blob" and streaming:
        return "streaming blob"
    if shape.type == "structure" and shape.union:
        return "tagged union structure"
    return shape.type


def _marks(member: Member, required: bool) -> str:
    marks = ""
    if required:
        marks += " [required]"
    if member.deprecated:
        marks += " [deprecated]"
    if member.sensitive:
        marks += " [sensitive]"
    return marks


def _rename_note(member: Member) -> str:
    """Why a top-level member's option is not the name the reference CLI derives."""
    derived = "--" + reference_name(member.name)
    if member.option == derived:
        return ""
    if derived in RESERVED_OPTION_NAMES:
        return f"(renamed from `{derived}`, which is a global option)"
    if is_broken_reference_name(member.name):
        return f"(renamed from `{derived}`, the AWS CLI's broken name for it)"
    return f"(renamed from `{derived}`)"


def _traits(page: _Page, member: Member, level: int, constraints: bool) -> None:
    """Notes on one member: deprecation, streaming, union, enum values, constraints."""
    shape = member.shape
    if member.deprecated:
        message = member.raw.get("deprecatedMessage") or shape.raw.get("deprecatedMessage")
        page.doc("Deprecated." + (f" {message}" if message else ""), level)
    if member.idempotency_token and constraints:
        page.doc("When left out, a unique token (a random UUID) is filled in.", level)
    label = type_label(member)
    if label == "tagged union structure":
        page.doc(_union_note(shape, given=constraints), level)
    if shape.enum:
        page.label("Possible values:", level)
        page.items(shape.enum, level + 1)
    if constraints:
        rules = [
            f"{name}: {value}"
            for name, value in (("min", shape.min), ("max", shape.max), ("pattern", shape.pattern))
            if value is not None
        ]
        if rules:
            page.label("Constraints:", level)
            page.items(rules, level + 1)


def _union_note(shape: Shape, given: bool) -> str:
    """The one-key-only note of a tagged union: what to give (input) or what comes (output)."""
    keys = ", ".join(shape.members)
    if given:
        return f"A tagged union: set exactly one of its top-level keys: {keys}."
    return f"A tagged union: exactly one of its top-level keys is set in a response: {keys}."


class _Members(ShapeWalker):
    """``walk(shape, level)``: the member lines of a complex shape's parts, each with its docs,
    to every depth; a recursive shape shows once more inside itself, no deeper."""

    limit = 2

    def __init__(self, page: _Page, constraints: bool):
        super().__init__()
        self.page = page
        self.constraints = constraints

    def visit_structure(self, shape: Shape, level: int) -> None:
        required = set(shape.required)
        for name, member in shape.members.items():
            self.entry(name, member, name in required, level)

    def visit_list(self, shape: Shape, level: int) -> None:
        if shape.member:
            self.entry(None, shape.member, False, level)

    def visit_map(self, shape: Shape, level: int) -> None:
        for part in (shape.key, shape.value):
            if part:
                self.entry(part.location_name or part.name, part, False, level)

    def entry(self, name: str | None, member: Member, required: bool, level: int) -> None:
        shape = member.shape
        if self.recursing(shape):  # checked here: a recursive entry has no header of its own
            if shape.type == "structure":
                self.page.header(RECURSIVE, level)
            return
        label = f"({type_label(member)})" + _marks(member, required)
        self.page.header(f"{name} -> {label}" if name else label, level)
        self.page.doc(member.documentation, level + 1)
        _traits(self.page, member, level + 1, self.constraints)
        self.walk(shape, level + 1)


# -- syntax examples ----------------------------------------------------------------------------


def _syntax(page: _Page, shape: Shape, level: int) -> None:
    if shape.type == "list" and shape.member and shape.member.shape.is_scalar:
        one = _scalar_word(shape.member.shape)
        page.label("Syntax:", level)
        page.block(f"{one} {one} ...", level + 1)
        return
    if shape.type not in ("structure", "list", "map", "document"):
        return
    example = shorthand_example(shape)
    if example:
        page.label("Shorthand Syntax:", level)
        page.block(example, level + 1)
    page.label("JSON Syntax:", level)
    page.block(json_example(shape), level + 1)


def _scalar_word(shape: Shape) -> str:
    """One scalar in a space-separated list example."""
    if shape.type == "string":
        return '"string"'
    if shape.type == "boolean":
        return "true|false"
    return shape.type


class _NoShorthand(Exception):
    """The shape is too deep (or holds a document) for a shorthand example."""


def shorthand_example(shape: Shape) -> str | None:
    """The shorthand example of a top-level option's shape, or None where shorthand does not
    fit (documents, lists of lists at the top, shapes nested deeper than the limit)."""
    walker = _ShorthandExample()
    try:
        if shape.type == "list":
            if shape.member is None:
                return None
            item = shape.member.shape
            if item.type in ("list", "document") or item.is_scalar:
                return None
            walker.stack.append(shape.name)  # the option is the list; its items are depth 0
            return walker.walk(item, 0) + " ..."
        if shape.type not in ("structure", "map"):
            return None
        text = walker.walk(shape, 0)
    except _NoShorthand:
        return None
    if shape.type == "map" and shape.key and shape.key.shape.enum:
        text += "\n\nWhere valid key names are:\n" + "\n".join(
            "  " + v for v in shape.key.shape.enum
        )
    return text


class _ShorthandExample(ShapeWalker):
    """``walk(shape, depth)``: depth 0 is the option itself (no braces), 1 a member of it, and so
    on. A structure member whose shape is already open shows as recursive; list items and map
    values are bounded by the depth limit instead."""

    def walk(self, shape: Shape, depth: int, guarded: bool = True) -> str:
        if depth > MAX_SHORTHAND_DEPTH and not (guarded and self.recursing(shape)):
            raise _NoShorthand
        return super().walk(shape, depth, guarded=guarded)

    def recursive(self, shape: Shape, depth: int) -> str:
        return RECURSIVE

    def visit_structure(self, shape: Shape, depth: int) -> str:
        parts = [
            f"{name}=" + self.walk(member.shape, depth + 1)
            for name, member in shape.members.items()
            if member.shape.type != "document"  # documents have no shorthand; JSON only
        ]
        inner = ",".join(parts)
        return inner if depth == 0 else "{" + inner + "}"

    def visit_list(self, shape: Shape, depth: int) -> str:
        if shape.member is None or shape.member.shape.type == "document":
            raise _NoShorthand
        item = shape.member.shape
        one = self.walk(item, depth + 1, guarded=False)
        if item.is_scalar and depth == 1:
            return f"{one},{one}"
        return f"[{one},{one}]"

    def visit_map(self, shape: Shape, depth: int) -> str:
        if shape.value is None or shape.value.shape.type == "document":
            raise _NoShorthand
        one = self.walk(shape.value.shape, depth + 1, guarded=False)
        inner = f"KeyName1={one},KeyName2={one}"
        return inner if depth == 0 else "{" + inner + "}"

    def visit_leaf(self, shape: Shape, depth: int) -> str:
        if shape.type == "document":
            raise _NoShorthand
        return shape.type


def json_example(shape: Shape) -> str:
    """A JSON example of the shape, several lines for complex shapes."""
    return _JSONExample().walk(shape)


class _JSONExample(ShapeWalker):
    def recursive(self, shape: Shape) -> str:
        return "[ ... recursive ... ]" if shape.type == "list" else "{ ... recursive ... }"

    def visit_structure(self, shape: Shape) -> str:
        if not shape.members:
            return "{}"
        rows = [f'  "{name}": ' + _indent(self.walk(m.shape)) for name, m in shape.members.items()]
        return "{\n" + ",\n".join(rows) + "\n}"

    def visit_list(self, shape: Shape) -> str:
        if shape.member is None:
            return "[...]"
        item = shape.member.shape
        if item.is_scalar:
            return f"[{self.walk(item)}, ...]"
        return "[\n  " + _indent(self.walk(item)) + "\n  ...\n]"

    def visit_map(self, shape: Shape) -> str:
        key = self.walk(shape.key.shape) if shape.key else '"string"'
        value = self.walk(shape.value.shape) if shape.value else "{...}"
        return "{\n  " + key + ": " + _indent(value) + ",\n  ...\n}"

    def visit_leaf(self, shape: Shape) -> str:
        kind = shape.type
        if kind == "document":
            return "{...}"
        if kind == "string":
            return "|".join(f'"{v}"' for v in shape.enum) if shape.enum else '"string"'
        if kind == "boolean":
            return "true|false"
        return kind


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


# -- global options and output ------------------------------------------------------------------


def _global_options(page: _Page, options) -> None:
    for opt in options:
        page.header(f"{opt.name} ({opt.shown_type})", 1)
        page.doc(opt.help, 2)
        if opt.choices:
            page.gap(2)
            page.items(opt.choices, 2)


def _output(page: _Page, command: Command) -> None:
    shape = command.output
    if shape is None or not shape.members or command.raw.get("waiter"):
        page.line("None", 1)
        return
    _outfile_output_note(page, command)
    _Members(page, constraints=False).walk(shape, 1)


# -- streaming blobs and outfile ----------------------------------------------------------------

OUTFILE_SYNOPSIS = "<outfile>"
STREAMING_INPUT_DOC = (
    "A streaming blob: give the path of a file, without `file://` or `fileb://`. The file is "
    "read as it is sent, never held in memory whole. In `--cli-input-json` or "
    "`--cli-input-yaml` this member is an ordinary blob (base64 text)."
)


def _outfile_option(page: _Page, command: Command) -> None:
    """The positional ``outfile`` of a command whose output payload is a blob."""
    page.header("outfile (string) [required]", 1)
    page.doc(
        f"The file to write the response's `{command.outfile_member}` to (created, or "
        "replaced). It is written as the data arrives, and only once the service has answered "
        "without an error; the rest of the response is printed as usual.",
        2,
    )


def _outfile_output_note(page: _Page, command: Command) -> None:
    if command.outfile_member is not None:
        page.doc(f"`{command.outfile_member}` is written to `outfile`, not printed.", 1)
