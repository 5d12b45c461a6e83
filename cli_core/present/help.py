"""Help pages, laid out as plain text in Python (no groff, no mandoc).

Three pages, all built from data the engine already has:

* ``command_help(command, width)`` — one command: NAME, DESCRIPTION, SYNOPSIS, OPTIONS, GLOBAL
  OPTIONS and OUTPUT, in the order and with the texts of the reference CLI's pages;
* ``service_help(service_info, width)`` — one service: its documentation and its commands;
* ``top_help(services, width)`` — the program: usage, global options and the services.

Help is a hot path: only the standard library's ``re`` and ``textwrap`` (through
``cli_core.docmarkup``) are imported.
"""

from __future__ import annotations

from cli_core.options import (
    CLI_INPUT_OPTIONS,
    GLOBAL_OPTIONS,
    PAGINATION_OPTIONS,
    RESERVED_OPTION_NAMES,
    SKELETON_OPTION,
)
from cli_core.present import docmarkup
from cli_core.shapes.model import Command, Member, Shape
from cli_core.shapes.naming import is_broken_reference_name, reference_name

PROG = "clishape"
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
    "specified along with `--cli-input-json`."
)
SKELETON_DOC = (
    "Prints a JSON skeleton to standard output without sending an API request. If provided with "
    "no value or the value `input`, prints a sample input JSON that can be used as an argument "
    "for `--cli-input-json`. Similarly, if provided `yaml-input` it will print a sample input "
    "YAML that can be used with `--cli-input-yaml`. If provided with the value `output`, it "
    "validates the command inputs and returns a sample output JSON for that command. The "
    "generated JSON skeleton is not stable between versions of the AWS CLI and there are no "
    "backwards compatibility guarantees in the JSON skeleton generated."
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
TOP_DOC = (
    "clishape is a command line for web services, driven by declarative command specs: every "
    "service and command it knows is read from a spec file."
)
TOP_USAGE = (
    f"Use `{PROG} <command> help` to see the commands of a service, and "
    f"`{PROG} <command> <subcommand> help` for the page of one command. The synopsis of each "
    "command shows its parameters and their usage; optional parameters are shown in square "
    "brackets."
)


# -- public -------------------------------------------------------------------------------------


def command_help(command: Command, width: int = 80) -> str:
    """The help page of one command."""
    page = _Page(width)
    page.heading("NAME")
    page.line(command.name, 1)
    page.heading("DESCRIPTION")
    page.doc(_description(command), 1)
    page.heading("SYNOPSIS")
    page.line(command.name, 1)
    for entry in _synopsis_lines(command):
        page.line(entry, 1, extra=2)
    page.heading("OPTIONS")
    _options(page, command)
    page.heading("GLOBAL OPTIONS")
    _global_options(page)
    page.heading("OUTPUT")
    _output(page, command)
    return page.text()


def service_help(service_info: dict, width: int = 80) -> str:
    """The help page of one service (``service_info`` from ``cli_core.spec.load_service_doc``)."""
    page = _Page(width)
    page.heading("NAME")
    page.line(service_info["service"], 1)
    page.heading("DESCRIPTION")
    page.doc(service_info.get("documentation") or "", 1)
    page.heading("AVAILABLE COMMANDS")
    hidden = set(service_info.get("deprecated_commands") or ())
    for name in sorted(service_info.get("commands") or ()):
        if name not in hidden:
            page.line(docmarkup.BULLET + name, 1)
    page.doc(f"Run `{PROG} {service_info['service']} <command> help` for a command's page.", 1)
    return page.text()


def top_help(services: list[str], width: int = 80) -> str:
    """The program's help page: usage, global options and the services."""
    page = _Page(width)
    page.heading("NAME")
    page.line(PROG, 1)
    page.heading("DESCRIPTION")
    page.doc(TOP_DOC, 1)
    page.heading("SYNOPSIS")
    page.line(f"{PROG} [options] <command> <subcommand> [parameters]", 1)
    page.doc(TOP_USAGE, 1)
    page.heading("GLOBAL OPTIONS")
    _global_options(page)
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
    parts = [command.documentation or ""]
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
            text += " The results are in: " + ", ".join(f"`{k}`" for k in keys) + "."
            text += " With `--output yaml-stream`, `--query` runs on each page on its own."
        parts.append(text)
    return "\n\n".join(p for p in parts if p)


def _as_list(value) -> list:
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _uses_documents(command: Command) -> bool:
    seen: set[str] = set()
    todo = [s for s in (command.input, command.output) if s is not None]
    while todo:
        shape = todo.pop()
        if shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.type == "document":
            return True
        todo.extend(m.shape for m in _children(shape))
    return False


def _children(shape: Shape) -> list[Member]:
    if shape.type == "structure":
        return list(shape.members.values())
    if shape.type == "list":
        return [shape.member] if shape.member else []
    if shape.type == "map":
        return [m for m in (shape.key, shape.value) if m]
    return []


def _documented_options(command: Command) -> list[tuple[str, Member]]:
    """The command's own options in table order, without the paging members that
    ``--starting-token`` and ``--page-size`` stand for (still accepted, not documented)."""
    hidden: set[str] = set()
    if command.pagination:
        hidden.update(_as_list(command.pagination.get("input_token")))
        hidden.update(_as_list(command.pagination.get("limit_key")))
    return [(opt, m) for opt, m in command.options.items() if m.name not in hidden]


def _paging_options(command: Command) -> list[str]:
    if not command.pagination:
        return []
    names = list(PAGINATION_OPTIONS)
    if not command.pagination.get("limit_key"):
        names.remove("--page-size")
    return names


def _option_names(option: str, member: Member) -> str:
    if member.shape.type == "boolean":
        return f"{option} | --no-{option[2:]}"
    return option


def _synopsis_lines(command: Command) -> list[str]:
    required = set(command.required_members)
    lines = []
    for option, member in _documented_options(command):
        text = _option_names(option, member)
        if member.shape.type != "boolean":
            text += " <value>"
        lines.append(text if member.name in required else f"[{text}]")
    lines.append("[" + " | ".join(CLI_INPUT_OPTIONS) + "]")
    lines.extend(f"[{name} <value>]" for name in _paging_options(command))
    lines.append(f"[{SKELETON_OPTION} <value>]")
    for opt in GLOBAL_OPTIONS:
        lines.append(f"[{opt.name}]" if opt.shown_type == "boolean" else f"[{opt.name} <value>]")
    return lines


# -- options ------------------------------------------------------------------------------------


def _options(page: _Page, command: Command) -> None:
    required = set(command.required_members)
    for option, member in _documented_options(command):
        _option(page, option, member, member.name in required)
    page.header(" | ".join(CLI_INPUT_OPTIONS) + " (string)", 1)
    page.doc(CLI_INPUT_DOC, 2)
    for name in _paging_options(command):
        kind, doc = PAGINATION_DOCS[name]
        page.header(f"{name} ({kind})", 1)
        page.doc(doc, 2)
    page.header(f"{SKELETON_OPTION} (string)", 1)
    page.doc(SKELETON_DOC, 2)


def _option(page: _Page, option: str, member: Member, required: bool) -> None:
    shape = member.shape
    label = f"{_option_names(option, member)} ({type_label(member)})" + _marks(member, required)
    page.header(label, 1)
    renamed = _rename_note(member)
    if renamed:
        page.doc(renamed, 2)
    page.doc(member.documentation, 2)
    _traits(page, member, 2, constraints=True)
    _nested(page, shape, 2, [shape.name], constraints=True)
    _syntax(page, shape, 2)


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
    if label == "streaming blob" and constraints:
        page.doc("A streaming blob: to send the bytes of a file, give `fileb://<path>`.", level)
    if label == "tagged union structure" and constraints:
        keys = ", ".join(shape.members)
        page.doc(f"A tagged union: set exactly one of its top-level keys: {keys}.", level)
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


def _nested(page: _Page, shape: Shape, level: int, stack: list[str], constraints: bool) -> None:
    """The member lines of a complex shape's parts, each with its docs, to every depth."""
    if shape.type == "structure":
        required = set(shape.required)
        for name, member in shape.members.items():
            _member_entry(page, name, member, name in required, level, stack, constraints)
    elif shape.type == "list" and shape.member:
        _member_entry(page, None, shape.member, False, level, stack, constraints)
    elif shape.type == "map":
        for part in (shape.key, shape.value):
            if part:
                name = part.location_name or part.name
                _member_entry(page, name, part, False, level, stack, constraints)


def _member_entry(
    page: _Page,
    name: str | None,
    member: Member,
    required: bool,
    level: int,
    stack: list[str],
    constraints: bool,
) -> None:
    shape = member.shape
    if stack.count(shape.name) >= 2:  # a shape may show once more inside itself, no deeper
        if shape.type == "structure":
            page.header(RECURSIVE, level)
        return
    label = f"({type_label(member)})" + _marks(member, required)
    page.header(f"{name} -> {label}" if name else label, level)
    page.doc(member.documentation, level + 1)
    _traits(page, member, level + 1, constraints)
    _nested(page, shape, level + 1, [*stack, shape.name], constraints)


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
    try:
        if shape.type == "list":
            if shape.member is None:
                return None
            item = shape.member.shape
            if item.type in ("list", "document") or item.is_scalar:
                return None
            return _shorthand(item, 0, [shape.name, item.name]) + " ..."
        if shape.type not in ("structure", "map"):
            return None
        text = _shorthand(shape, 0, [shape.name])
    except _NoShorthand:
        return None
    if shape.type == "map" and shape.key and shape.key.shape.enum:
        text += "\n\nWhere valid key names are:\n" + "\n".join(
            "  " + v for v in shape.key.shape.enum
        )
    return text


def _shorthand(shape: Shape, depth: int, stack: list[str]) -> str:
    """``depth`` 0 is the option itself (no braces), 1 a member of it, and so on."""
    if depth > MAX_SHORTHAND_DEPTH:
        raise _NoShorthand
    kind = shape.type
    if kind == "structure":
        parts = []
        for name, member in shape.members.items():
            child = member.shape
            if child.type == "document":
                continue  # documents have no shorthand; JSON only
            if child.name in stack and not child.is_scalar:
                parts.append(f"{name}={RECURSIVE}")
            else:
                parts.append(f"{name}=" + _shorthand(child, depth + 1, [*stack, child.name]))
        inner = ",".join(parts)
        return inner if depth == 0 else "{" + inner + "}"
    if kind == "list":
        if shape.member is None:
            raise _NoShorthand
        item = shape.member.shape
        if item.type == "document":
            raise _NoShorthand
        one = _shorthand(item, depth + 1, [*stack, item.name])
        if item.is_scalar and depth == 1:
            return f"{one},{one}"
        return f"[{one},{one}]"
    if kind == "map":
        if shape.value is None:
            raise _NoShorthand
        value = shape.value.shape
        if value.type == "document":
            raise _NoShorthand
        one = _shorthand(value, depth + 1, [*stack, value.name])
        inner = f"KeyName1={one},KeyName2={one}"
        return inner if depth == 0 else "{" + inner + "}"
    if kind == "document":
        raise _NoShorthand
    return shape.type


def json_example(shape: Shape, stack: list[str] | None = None) -> str:
    """A JSON example of the shape, several lines for complex shapes."""
    stack = [] if stack is None else stack
    kind = shape.type
    if kind in ("structure", "list", "map") and shape.name in stack:
        return "[ ... recursive ... ]" if kind == "list" else "{ ... recursive ... }"
    inner = [*stack, shape.name]
    if kind == "structure":
        if not shape.members:
            return "{}"
        rows = [
            f'  "{name}": ' + _indent(json_example(m.shape, inner))
            for name, m in shape.members.items()
        ]
        return "{\n" + ",\n".join(rows) + "\n}"
    if kind == "list":
        if shape.member is None:
            return "[...]"
        item = shape.member.shape
        if item.is_scalar:
            return f"[{json_example(item, inner)}, ...]"
        return "[\n  " + _indent(json_example(item, inner)) + "\n  ...\n]"
    if kind == "map":
        key = json_example(shape.key.shape, inner) if shape.key else '"string"'
        value = json_example(shape.value.shape, inner) if shape.value else "{...}"
        return "{\n  " + key + ": " + _indent(value) + ",\n  ...\n}"
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


def _global_options(page: _Page) -> None:
    for opt in GLOBAL_OPTIONS:
        page.header(f"{opt.name} ({opt.shown_type})", 1)
        page.doc(opt.help, 2)
        if opt.choices:
            page.gap(2)
            page.items(opt.choices, 2)


def _output(page: _Page, command: Command) -> None:
    shape = command.output
    if shape is None or not shape.members:
        page.line("None", 1)
        return
    _nested(page, shape, 1, [shape.name], constraints=False)
