"""``--cli-input-json`` / ``--cli-input-yaml``: read the request document a user hands in.

The flag value is the document itself, ``file://path`` (text), ``fileb://path`` (bytes, decoded
as UTF-8) or ``-`` (standard input). JSON is parsed strictly (no ``NaN``/``Infinity``, no
duplicate keys); YAML with PyYAML's safe loader only, so ``!!binary`` gives bytes and timestamps
give datetimes but no Python object can be built. A parse error names the flag and the line and
column; the top level must be a mapping.
"""

from __future__ import annotations

import sys

from cli_core.errors import ParamError
from cli_core.shapes.codecs import FILE_PREFIXES, load_param_file

JSON_FLAG = "--cli-input-json"
YAML_FLAG = "--cli-input-yaml"


def load_input_document(parsed, stdin=None) -> dict | None:
    """The document given with ``--cli-input-json`` or ``--cli-input-yaml``, or None."""
    json_value = parsed.cli_input_json
    yaml_value = parsed.cli_input_yaml
    if json_value is not None and yaml_value is not None:
        raise ParamError("Only one --cli-input- parameter may be specified.")
    if json_value is not None:
        return _check_mapping(parse_json(read_source(json_value, JSON_FLAG, stdin)), JSON_FLAG)
    if yaml_value is not None:
        return _check_mapping(parse_yaml(read_source(yaml_value, YAML_FLAG, stdin)), YAML_FLAG)
    return None


def read_source(value: str, flag: str, stdin=None) -> str:
    """The text a flag value stands for: itself, a file's contents, or standard input."""
    if value == "-":
        stream = sys.stdin if stdin is None else stdin
        data = stream.read()
        return _decode(data, flag, "standard input") if isinstance(data, bytes) else data
    if value.startswith(FILE_PREFIXES):
        data = load_param_file(value, flag)
        return _decode(data, flag, value) if isinstance(data, bytes) else data
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
        return json.loads(text, parse_constant=reject_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ParamError(
            f"Invalid JSON received: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            JSON_FLAG,
        ) from None
    except ValueError as exc:
        raise ParamError(f"Invalid JSON received: {exc}.", JSON_FLAG) from None
    except RecursionError:
        raise ParamError("Invalid JSON received: nested too deeply.", JSON_FLAG) from None


def parse_yaml(text: str):
    """Safe YAML (the C loader where available)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamError(f"Invalid YAML received: {problem}{where}.", YAML_FLAG) from None
    except yaml.YAMLError as exc:
        raise ParamError(f"Invalid YAML received: {exc}.", YAML_FLAG) from None
    except (ValueError, TypeError) as exc:  # e.g. an impossible date, bad !!binary
        raise ParamError(f"Invalid YAML received: {exc}.", YAML_FLAG) from None
    except RecursionError:
        raise ParamError("Invalid YAML received: nested too deeply.", YAML_FLAG) from None


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
