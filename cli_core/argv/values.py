"""Stage 2 (argv) — turn one option's raw tokens into a typed value, by the member's shape.

* ``file://path`` (text) and ``fileb://path`` (bytes) work for every parameter type, long and
  float included (the AWS CLI refuses them there).
* Scalars: strings as given; integer/long/float/double by ``int``/``float``; timestamps as
  ISO 8601 or epoch seconds (to an aware datetime); blobs stay text (or bytes from ``fileb://``)
  until the request stage applies ``--cli-binary-format``.
* Structures and maps: JSON when the value starts with ``{``, otherwise shorthand; lists: one
  JSON list, or one item per token (JSON or shorthand for complex items); documents: JSON.
* Shorthand gives strings; they are then coerced along the shape (integers, booleans, lists
  from single values), and every failure is a ParamError naming the option and the path.
* Bounds: files are read up to ``FileReading.max_bytes``; JSON nested deeper than
  ``MAX_NESTING``, integers past Python's 4,300 digits and floats that overflow are refused;
  a value echoed in a message is shortened and its control characters escaped.
"""

from __future__ import annotations

import json

from cli_core.errors import ParamError
from cli_core.shapes.codecs import (
    DEFAULT_FILE_READING,
    FILE_PREFIXES,
    MAX_NESTING,
    FileReading,
    load_param_file,
    maybe_param_file,
    parse_timestamp,
    shown_value,
    too_deep,
)
from cli_core.shapes.model import Member, Shape
from cli_core.shapes.paths import render
from cli_core.shapes.walk import ValueWalker

# -- options -----------------------------------------------------------------------------------


def convert_option(member: Member, raw, option: str, files: FileReading = DEFAULT_FILE_READING):
    """The typed value of one top-level option. ``raw`` is a str, a list of str, or a bool.

    ``files`` says how ``file://``/``fileb://`` values are read (encoding, size limit).
    """
    bare = bool(member.raw.get("cli_bare_items"))
    return convert_value(member.shape, raw, option, files, bare_items=bare)


def convert_value(
    shape: Shape,
    raw,
    option: str,
    files: FileReading = DEFAULT_FILE_READING,
    *,
    bare_items: bool = False,
):
    """The typed value of an option whose value has ``shape`` (str, list of str, or bool).

    ``bare_items``: a list of one-member structures takes each plain token as that member's
    value (``--instances i-1 i-2`` → ``[{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]``)."""
    if isinstance(raw, bool):
        return raw
    if shape.type == "list":
        if bare_items:
            raw = _bare_items(shape, raw)
        return _convert_list_option(shape, raw, option, files)
    value = maybe_param_file(raw, option, files)
    return convert_text(shape, value, option, (), files)


def _bare_items(shape: Shape, tokens: list[str]) -> list:
    """The AWS CLI's legacy list form: a token that is neither JSON nor ``Key=...`` shorthand
    for the one member becomes that member's value, written as JSON for the usual conversion."""
    (key,) = shape.member.shape.members
    if len(tokens) == 1 and tokens[0].strip().startswith(("[", *FILE_PREFIXES)):
        return tokens
    out = []
    for token in tokens:
        if token.strip().startswith("{") or token.startswith(key + "="):
            out.append(token)
        else:
            out.append(json.dumps({key: token}))
    return out


def _convert_list_option(shape: Shape, tokens: list[str], option: str, files: FileReading):
    if len(tokens) == 1 and tokens[0].startswith(FILE_PREFIXES):
        content = load_param_file(tokens[0], option, files)
        if isinstance(content, bytes):
            if shape.member.shape.type == "blob":
                return [content]
            raise ParamError("fileb:// gives bytes; this option expects text, use file://", option)
        if content.strip().startswith("["):
            return _coerce(shape, _json(content, option), option)
        tokens = content.split()  # a file of plain items: one item per whitespace-separated word
    if len(tokens) == 1 and tokens[0].strip().startswith("["):
        return _coerce(shape, _json(tokens[0], option), option)
    item = shape.member.shape
    return [
        convert_text(
            item,
            maybe_param_file(tok, option, files) if len(tokens) == 1 else tok,
            option,
            (i,),
            files,
        )
        for i, tok in enumerate(tokens)
    ]


def convert_text(
    shape: Shape, value, option: str, path: tuple = (), files: FileReading = DEFAULT_FILE_READING
):
    """Convert one textual value (or bytes from fileb://) to the shape's type."""
    kind = shape.type
    if isinstance(value, bytes) and kind not in ("blob",):
        if kind in ("string", "structure", "map", "list", "document"):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                raise ParamError(
                    "fileb:// gave bytes that are not UTF-8 text; this option expects text", option
                ) from None
        else:
            value = value.decode("ascii", "replace")
    if kind in ("structure", "map"):
        if value.strip().startswith("{"):
            return _coerce(shape, _json(value, option), option)
        if kind == "structure" and _is_value_wrapper(shape) and "=" not in value:
            return {"Value": value}
        return _coerce(shape, _shorthand(value, option, files), option, from_shorthand=True)
    if kind == "list":
        if value.strip().startswith("["):
            return _coerce(shape, _json(value, option), option)
        item = shape.member.shape
        if item.type in ("structure", "map", "list"):
            parsed = _shorthand(value, option, files)
            return [_coerce(item, parsed, option, (0,), from_shorthand=True)]
        return [convert_text(item, value, option, (0,), files)]
    if kind == "document":
        return _json(value, option)
    return _scalar(shape, value, option, path)


def _is_value_wrapper(shape: Shape) -> bool:
    members = shape.members
    return list(members) == ["Value"] and members["Value"].shape.type == "string"


# -- parsing helpers ---------------------------------------------------------------------------


_TOO_DEEP = object()


def _json(text: str, option: str):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParamError(
            f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}\n"
            f"{_caret_line(text, exc.pos)}",
            option,
        ) from None
    except RecursionError:
        value = _TOO_DEEP
    except ValueError as exc:  # Python's limit on the digits of an integer
        raise ParamError(f"Invalid JSON: {_number_problem(exc)}", option) from None
    if value is _TOO_DEEP or too_deep(value):
        raise ParamError(
            f"Invalid JSON: lists and objects nest deeper than {MAX_NESTING} levels", option
        )
    return value


def _number_problem(exc: ValueError) -> str:
    if "digits" in str(exc):
        return "a number has too many digits (at most 4300)"
    return str(exc)


def _caret_line(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end != -1 else len(text)]
    if len(line) > 80:  # a window of the line around the error
        left = max(0, pos - start - 40)
        line, start = line[left : left + 80], start + left
    return f"{line}\n{' ' * (pos - start)}^"


def _shorthand(text: str, option: str, files: FileReading = DEFAULT_FILE_READING):
    from cli_core.argv.shorthand import ShorthandError, parse

    try:
        return parse(text, load_file=lambda uri: load_param_file(uri, option, files))
    except ShorthandError as exc:
        raise ParamError(str(exc), option) from None


_EXPECTED = {
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "true or false",
    "timestamp": "an ISO 8601 timestamp (2024-01-31T12:00:00Z) or epoch seconds",
}


def _bad(shape: Shape, value, option: str, path: tuple, why: str = "") -> ParamError:
    where = f"{render(path)}: " if path else ""
    got = f"'{shown_value(value)}'" if isinstance(value, str) else repr(value)
    return ParamError(f"{where}expected {_EXPECTED[shape.type]}, got {got}{why}", option)


def _scalar(shape: Shape, value, option: str, path: tuple):
    kind = shape.type
    if kind in ("string", "blob") or not isinstance(value, str):
        return value
    if kind in ("integer", "long"):
        try:
            return int(value.strip())
        except ValueError:
            too_long = value.strip().isdigit() and len(value.strip()) > 4300
            why = " (more than 4300 digits)" if too_long else ""
            raise _bad(shape, value, option, path, why) from None
    if kind in ("float", "double"):
        try:
            number = float(value.strip())
        except ValueError:
            raise _bad(shape, value, option, path) from None
        if number in (float("inf"), float("-inf")) and "inf" not in value.lower():
            raise _bad(shape, value, option, path, " (too large for a floating-point number)")
        return number
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise _bad(shape, value, option, path)
    if kind == "timestamp":
        parsed = parse_timestamp(value)
        if parsed is None:
            raise _bad(shape, value, option, path)
        return parsed
    return value


# -- coercion along the shape ------------------------------------------------------------------


def _coerce(shape: Shape, value, option: str, path: tuple = (), from_shorthand: bool = False):
    """Walk a parsed JSON or shorthand value with its shape.

    Shorthand values are strings: they become integers, numbers, booleans and timestamps here,
    and a single value where a list is expected becomes a one-item list. JSON values keep their
    JSON types, except that timestamp strings become datetimes. Unknown keys and wrong JSON types
    are left for validation, which reports every problem at once with its path.
    """
    walker = _Shorthand(option) if from_shorthand else _JSONTimestamps()
    return walker.walk(shape, value, path)


class _JSONTimestamps(ValueWalker):
    """JSON values: only timestamp strings change."""

    prune = "timestamp"

    def visit_leaf(self, shape, value, path, sensitive):
        if shape.type == "timestamp" and isinstance(value, str):
            parsed = parse_timestamp(value)
            return parsed if parsed is not None else value
        return value


class _Shorthand(ValueWalker):
    """Shorthand values: strings typed by their shapes, single values made lists."""

    def __init__(self, option: str):
        self.option = option

    def mismatch(self, shape, value, path, sensitive):
        if shape.type == "list" and value is not None:
            return self.visit_list(shape, [value], path, sensitive)
        return value

    def visit_leaf(self, shape, value, path, sensitive):
        if shape.type == "document":
            raise ParamError(
                "Shorthand syntax does not support document types. Use JSON input for "
                f"the whole option to give the nested parameter: {render(path)}",
                self.option,
            )
        if isinstance(value, str):
            return _scalar(shape, value, self.option, path)
        return value
