"""Stage 3 (request) — ``--cli-input-json`` / ``--cli-input-yaml``: read the request document a user hands in.

The flag value is the document itself, ``file://path`` (text), ``fileb://path`` (bytes, decoded
as UTF-8) or ``-`` (standard input). JSON is parsed strictly (no ``NaN``/``Infinity``, no
duplicate keys); YAML with PyYAML's safe loader only, so ``!!binary`` gives bytes and timestamps
give datetimes but no Python object can be built. A parse error names the flag and the line and
column; the top level must be a mapping.

Bounds: a file or standard input larger than ``FileReading.max_bytes`` is refused while reading;
lists and mappings may nest ``MAX_NESTING`` levels deep; a YAML document may not expand through
aliases to more values than it has characters (no "billion laughs") nor contain itself. Every
check is one linear pass, so a hostile document is refused in about the time of parsing it.
"""

from __future__ import annotations

import sys

from cli_core.errors import ParamError
from cli_core.shapes.codecs import (
    DEFAULT_FILE_READING,
    FILE_PREFIXES,
    MAX_NESTING,
    FileReading,
    load_param_file,
    read_limited_text,
    shown_value,
    too_deep,
)

JSON_FLAG = "--cli-input-json"
YAML_FLAG = "--cli-input-yaml"


def load_input_document(
    parsed, stdin=None, *, files: FileReading = DEFAULT_FILE_READING
) -> dict | None:
    """The document given with ``--cli-input-json`` or ``--cli-input-yaml``, or None."""
    json_value = parsed.cli_input_json
    yaml_value = parsed.cli_input_yaml
    if json_value is not None and yaml_value is not None:
        raise ParamError("Only one --cli-input- parameter may be specified.")
    if json_value is not None:
        text = read_source(json_value, JSON_FLAG, stdin, files=files)
        return _check_mapping(parse_json(text), JSON_FLAG)
    if yaml_value is not None:
        text = read_source(yaml_value, YAML_FLAG, stdin, files=files)
        return _check_mapping(parse_yaml(text), YAML_FLAG)
    return None


def read_source(
    value: str, flag: str, stdin=None, *, files: FileReading = DEFAULT_FILE_READING
) -> str:
    """The text a flag value stands for: itself, a file's contents, or standard input."""
    if value == "-":
        stream = sys.stdin if stdin is None else stdin
        data = read_limited_text(stream, files.max_bytes, "standard input", flag)
        return _decode(data, flag, "standard input") if isinstance(data, bytes) else data
    if value.startswith(FILE_PREFIXES):
        data = load_param_file(value, flag, files)
        return _decode(data, flag, shown_value(value, 300)) if isinstance(data, bytes) else data
    return value


def _decode(data: bytes, flag: str, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParamError(f"{where} is not UTF-8 text (byte {exc.start}).", flag) from None


def parse_json(text: str):
    """Strict JSON: a clear error with line and column instead of Python's exception text."""
    import json

    def reject_constant(name):
        raise ValueError(f"{name} is not valid JSON")

    def no_duplicates(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f'duplicate key "{key}"')
            out[key] = value
        return out

    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        document = json.loads(text, parse_constant=reject_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ParamError(
            f"Invalid JSON received: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            JSON_FLAG,
        ) from None
    except RecursionError:
        raise _too_deep(JSON_FLAG) from None
    except ValueError as exc:
        raise ParamError(f"Invalid JSON received: {_value_problem(exc)}.", JSON_FLAG) from None
    if too_deep(document):
        raise _too_deep(JSON_FLAG)
    return document


def _too_deep(flag: str) -> ParamError:
    kind = "JSON" if flag == JSON_FLAG else "YAML"
    return ParamError(
        f"Invalid {kind} received: lists and mappings nest deeper than {MAX_NESTING} levels.",
        flag,
    )


def _value_problem(exc: ValueError) -> str:
    """A ValueError from a parser in words (never Python's advice about its own settings)."""
    if "integer string conversion" in str(exc):
        return "a number has too many digits (at most 4300)"
    return str(exc)


def parse_yaml(text: str):
    """Safe YAML (the C loader where available), after a linear check of its shape."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        _check_yaml_events(yaml.parse(text, Loader=loader), len(text))
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if "nesting depth" in problem:  # newer PyYAML's own limit, met before ours on deep text
            raise _too_deep(YAML_FLAG) from None
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamError(f"Invalid YAML received: {problem}{where}.", YAML_FLAG) from None
    except yaml.YAMLError as exc:
        raise ParamError(f"Invalid YAML received: {exc}.", YAML_FLAG) from None
    except RecursionError:
        raise _too_deep(YAML_FLAG) from None
    except (ValueError, TypeError) as exc:  # e.g. an impossible date, bad !!binary
        raise ParamError(f"Invalid YAML received: {_value_problem(exc)}.", YAML_FLAG) from None


def _check_yaml_events(events, length: int) -> None:
    """Refuse, before anything is built, YAML that nests deeper than MAX_NESTING, an alias
    inside the node it names, or aliases expanding to more values than the text has characters.

    One pass over the parser's events (the parser is iterative; building nodes is recursive and
    would overflow the C stack on deep input). Each anchored node's size and depth are recorded
    when it ends, so an alias adds them without being walked again.
    """
    import yaml

    budget = max(length, 10_000)
    depth = 0
    values = 0  # values the document expands to, aliases counted in full
    open_anchors: list[tuple[str | None, int, int, int]] = []  # anchor, values, depth, deepest
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (values, depth below it)
    deepest = 0
    for event in events:
        kind = type(event)
        if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            values += 1
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(YAML_FLAG)
            open_anchors.append((event.anchor, values, depth, deepest))
            deepest = depth
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            anchor, start, start_depth, outer_deepest = open_anchors.pop()
            if anchor is not None:
                anchors[anchor] = (values - start + 1, deepest - start_depth + 1)
            deepest = max(deepest, outer_deepest)
            depth -= 1
        elif kind is yaml.ScalarEvent:
            values += 1
            if event.anchor is not None:
                anchors[event.anchor] = (1, 0)
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                if any(anchor == event.anchor for anchor, *_ in open_anchors):
                    raise ParamError(
                        f"Invalid YAML received: the alias *{shown_value(event.anchor, 40)} "
                        "refers to a node that contains it.",
                        YAML_FLAG,
                    )
                continue  # an unknown alias: the loader reports it with its line
            size, below = anchors[event.anchor]
            values += size
            if depth + below > MAX_NESTING:
                raise _too_deep(YAML_FLAG)
            deepest = max(deepest, depth + below)
        if values > budget:
            raise ParamError(
                f"Invalid YAML received: its aliases expand to more than {budget} values "
                "(a document may expand to as many values as it has characters).",
                YAML_FLAG,
            )


def _check_mapping(document, flag: str) -> dict:
    if not isinstance(document, dict):
        kind = {
            type(None): "nothing",
            list: "a list",
            str: "a string",
            bool: "a boolean",
            int: "a number",
            float: "a number",
        }.get(type(document), type(document).__name__)
        raise ParamError(
            f"Invalid type: expecting a mapping at the top level, received {kind}.", flag
        )
    for key in document:
        if not isinstance(key, str):
            raise ParamError(f"Invalid key {key!r}: keys must be strings.", flag)
    return document
