"""The local service — request validation against botocore's Voice ID model.

The local service checks every request the way the real service's front end does: types first
(a wrong JSON type is a ``SerializationException``), then required members, lengths, ranges,
enums and patterns (all problems together in one ``ValidationException`` message in the
service's ``N validation errors detected: ...`` style, member paths in lowerCamelCase).

Patterns in the model are Java regular expressions. Python's ``re`` has no ``\\p{...}`` classes,
so ``\\p{L}``/``\\p{N}`` become ``\\w`` and ``\\p{Z}`` becomes ``\\s`` (a close approximation that
accepts a few more characters than the real service), and ``\\p{ASCII}`` becomes ``\\x00-\\x7f``.
"""

from __future__ import annotations

import functools
import re

from cli_core.shapes.walk import ValueWalker
from clishape_local.faults import ServiceFault

SERVICE_NAME = "voice-id"
API_VERSION = "2021-09-27"
SENSITIVE_TEXT = "*** Sensitive Data Redacted ***"

_JAVA_CLASSES = {
    r"\p{L}": r"\w",
    r"\p{N}": r"\w",
    r"\p{Z}": r"\s",
    r"\p{ASCII}": r"\x00-\x7f",
}


@functools.lru_cache(maxsize=1)
def service_model() -> dict:
    """The raw Voice ID model (``service-2.json``) as botocore ships it."""
    from botocore.loaders import Loader

    return Loader().load_service_model(SERVICE_NAME, "service-2", API_VERSION)


def operation_names() -> list[str]:
    return list(service_model()["operations"])


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern:
    for java, python in _JAVA_CLASSES.items():
        if java == r"\p{ASCII}" and "[" not in pattern:
            python = f"[{python}]"
        pattern = pattern.replace(java, python)
    return re.compile(pattern)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@functools.lru_cache(maxsize=1)
def _shape_table():
    from cli_core.shapes.model import ShapeTable

    return ShapeTable(service_model()["shapes"])


def _service_path(root, parts: tuple) -> str:
    """A path in the service's style: lowerCamelCase members, ``list.1.member``, ``map.k.value``."""
    out = []
    shape = root
    for part in parts:
        if shape.type == "list":
            out.append(f"{part + 1}.member")
            shape = shape.member.shape
        elif shape.type == "map":
            out.append(f"{part}.value")
            shape = shape.value.shape
        else:
            out.append(_camel(part))
            shape = shape.members[part].shape
    return ".".join(out)


_EXPECTED = {
    "structure": "an object",
    "list": "a list",
    "map": "a map",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "blob": "base64 text",
}


def _type_ok(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    if kind == "blob":
        return isinstance(value, str)
    return True


class _Checker(ValueWalker):
    """Walks one request along the model, collecting constraint problems (a wrong type stops
    the walk at once). Members are checked in model order; unknown and null ones are skipped."""

    rebuild = False

    def __init__(self, root):
        self.root = root
        self.problems: list[str] = []

    # A path is the walk's tuple until a problem needs it as text (most requests have none).

    def problem(self, value, path: str | tuple, constraint: str, sensitive: bool) -> None:
        if isinstance(path, tuple):
            path = _service_path(self.root, path)
        if value is None:
            shown = "null"
        elif sensitive:
            shown = f"'{SENSITIVE_TEXT}'"
        elif isinstance(value, str):
            shown = f"'{value}'"
        else:
            shown = f"'{value}'" if not isinstance(value, (dict, list)) else "''"
        self.problems.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"
        )

    def type_error(self, shape, value, path: str | tuple):
        if isinstance(path, tuple):
            path = _service_path(self.root, path)
        got = type(value).__name__ if value is not None else "null"
        raise ServiceFault(
            "SerializationException",
            f"Cannot deserialize '{path or 'request'}': expected {_EXPECTED[shape.type]}, "
            f"got {got}",
        )

    # -- the walk --

    def entries(self, shape, value: dict):
        return [(name, value[name]) for name in shape.members if value.get(name) is not None]

    def mismatch(self, shape, value, path, sensitive):
        self.type_error(shape, value, path)

    def enter_structure(self, shape, value, path, sensitive) -> None:
        for name in shape.required:
            if value.get(name) is None:
                where = _service_path(self.root, path + (name,))
                self.problem(None, where, "Member must not be null", False)

    def enter_list(self, shape, value, path, sensitive) -> None:
        self.check_size(shape.raw, value, path, sensitive, "length")

    enter_map = enter_list

    def visit_key(self, key_shape, key, path, sensitive):
        where = f"{_service_path(self.root, path)}.{key}.key"
        self.check_leaf(key_shape, key, where, sensitive)
        return key

    def visit_leaf(self, shape, value, path, sensitive):
        self.check_leaf(shape, value, path, sensitive)

    # -- constraints --

    def check_leaf(self, shape, value, path: str | tuple, sensitive: bool) -> None:
        kind = shape.type
        if not _type_ok(kind, value):
            self.type_error(shape, value, path)
        if kind == "string":
            self.check_string(shape.raw, value, path, sensitive)
        elif kind in ("integer", "long", "float", "double"):
            self.check_range(shape.raw, value, path, sensitive)

    def check_string(self, shape: dict, value, path: str | tuple, sensitive: bool) -> None:
        self.check_size(shape, value, path, sensitive, "length")
        if "enum" in shape and value not in shape["enum"]:
            allowed = ", ".join(shape["enum"])
            self.problem(value, path, f"Member must satisfy enum value set: [{allowed}]", sensitive)
        pattern = shape.get("pattern")
        if pattern and not _compile(pattern).fullmatch(value):
            self.problem(
                value, path, f"Member must satisfy regular expression pattern: {pattern}", sensitive
            )

    def check_size(self, shape: dict, value, path: str | tuple, sensitive: bool, what: str) -> None:
        if "min" in shape and len(value) < shape["min"]:
            self.problem(
                value,
                path,
                f"Member must have {what} greater than or equal to {shape['min']}",
                sensitive,
            )
        if "max" in shape and len(value) > shape["max"]:
            self.problem(
                value,
                path,
                f"Member must have {what} less than or equal to {shape['max']}",
                sensitive,
            )

    def check_range(self, shape: dict, value, path: str | tuple, sensitive: bool) -> None:
        if "min" in shape and value < shape["min"]:
            self.problem(
                value,
                path,
                f"Member must have value greater than or equal to {shape['min']}",
                sensitive,
            )
        if "max" in shape and value > shape["max"]:
            self.problem(
                value,
                path,
                f"Member must have value less than or equal to {shape['max']}",
                sensitive,
            )


def validate_request(operation: str, params) -> None:
    """Raise ``ServiceFault`` when ``params`` does not fit ``operation``'s input shape.

    Members the model does not know are ignored, as the real service does.
    """
    model = service_model()
    input_ref = model["operations"][operation].get("input")
    if input_ref is None:
        return
    root = _shape_table().get(input_ref["shape"])
    checker = _Checker(root)
    checker.walk(root, params)
    if checker.problems:
        count = len(checker.problems)
        noun = "error" if count == 1 else "errors"
        raise ServiceFault(
            "ValidationException",
            f"{count} validation {noun} detected: " + "; ".join(checker.problems),
        )
