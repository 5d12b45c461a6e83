"""Server-side request validation against botocore's Voice ID model.

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


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Checker:
    """Walks one request, collecting constraint problems (type problems stop at once)."""

    def __init__(self, shapes: dict):
        self.shapes = shapes
        self.problems: list[str] = []

    def problem(self, value, path: str, constraint: str, sensitive: bool) -> None:
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

    def type_error(self, value, path: str, expected: str):
        got = type(value).__name__ if value is not None else "null"
        raise ServiceFault(
            "SerializationException",
            f"Cannot deserialize '{path or 'request'}': expected {expected}, got {got}",
        )

    def check(self, shape_name: str, value, path: str, sensitive: bool = False) -> None:
        shape = self.shapes[shape_name]
        sensitive = sensitive or bool(shape.get("sensitive"))
        kind = shape["type"]
        if kind == "structure":
            self.check_structure(shape, value, path, sensitive)
        elif kind == "list":
            if not isinstance(value, list):
                self.type_error(value, path, "a list")
            self.check_size(shape, value, path, sensitive, "length")
            for index, item in enumerate(value, 1):
                self.check(shape["member"]["shape"], item, f"{path}.{index}.member", sensitive)
        elif kind == "map":
            if not isinstance(value, dict):
                self.type_error(value, path, "a map")
            self.check_size(shape, value, path, sensitive, "length")
            for key, item in value.items():
                self.check(shape["key"]["shape"], key, f"{path}.{key}.key", sensitive)
                self.check(shape["value"]["shape"], item, f"{path}.{key}.value", sensitive)
        elif kind == "string":
            self.check_string(shape, value, path, sensitive)
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                self.type_error(value, path, "an integer")
            self.check_range(shape, value, path, sensitive)
        elif kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.type_error(value, path, "a number")
            self.check_range(shape, value, path, sensitive)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.type_error(value, path, "a boolean")
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                self.type_error(value, path, "a timestamp")
        elif kind == "blob":
            if not isinstance(value, str):
                self.type_error(value, path, "base64 text")

    def check_structure(self, shape: dict, value, path: str, sensitive: bool) -> None:
        if not isinstance(value, dict):
            self.type_error(value, path, "an object")
        members = shape.get("members", {})
        for name in shape.get("required", []):
            if value.get(name) is None:
                self.problem(None, _join(path, _camel(name)), "Member must not be null", False)
        for name, member in members.items():
            if value.get(name) is not None:
                self.check(member["shape"], value[name], _join(path, _camel(name)), sensitive)

    def check_string(self, shape: dict, value, path: str, sensitive: bool) -> None:
        if not isinstance(value, str):
            self.type_error(value, path, "a string")
        self.check_size(shape, value, path, sensitive, "length")
        if "enum" in shape and value not in shape["enum"]:
            allowed = ", ".join(shape["enum"])
            self.problem(value, path, f"Member must satisfy enum value set: [{allowed}]", sensitive)
        pattern = shape.get("pattern")
        if pattern and not _compile(pattern).fullmatch(value):
            self.problem(
                value, path, f"Member must satisfy regular expression pattern: {pattern}", sensitive
            )

    def check_size(self, shape: dict, value, path: str, sensitive: bool, what: str) -> None:
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

    def check_range(self, shape: dict, value, path: str, sensitive: bool) -> None:
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
    checker = _Checker(model["shapes"])
    checker.check(input_ref["shape"], params, "")
    if checker.problems:
        count = len(checker.problems)
        noun = "error" if count == 1 else "errors"
        raise ServiceFault(
            "ValidationException",
            f"{count} validation {noun} detected: " + "; ".join(checker.problems),
        )
