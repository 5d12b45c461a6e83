"""Check a request (or a response) against its shape, collecting every problem at once.

Errors stop the request: unknown members (with the closest valid name), wrong types, missing
required members, values below a minimum length or value, tagged unions without exactly one
member. Warnings are reported and the request is still sent: values above a maximum, outside an
enum or not matching a pattern (the service is the judge of those; models are sometimes stricter
than services).

Each problem is one line ``<where>: <what>``. ``<where>`` is the member's path
(``EnrollmentConfig.FraudDetectionConfig.RiskThreshold``, ``Items[0].Name``, ``Tags.key``) and,
when the value came from a command-line option, the option in front: ``--domain-id (DomainId)``.
Sensitive values are never echoed.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

from cli_core.shapes.codecs import parse_timestamp

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean (true or false)",
    "timestamp": "a timestamp",
    "blob": "binary data",
    "list": "a list",
    "map": "a mapping",
    "structure": "a mapping",
}
_PATTERNS: dict[str, object] = {}
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9_:/@+=$-]+")


def validate(shape, params, *, options: dict | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) for ``params`` against the structure ``shape``."""
    checker = _Checker(options or {})
    if shape is None:
        if params:
            for name in params:
                checker.error((name,), "unknown parameter: this command takes no parameters")
        return checker.errors, checker.warnings
    try:
        checker.check(shape, params, (), False)
    except RecursionError:
        checker.error((), "the request is nested too deeply to check")
    return checker.errors, checker.warnings


def member_table(shape) -> dict:
    """``name -> (member shape, member is sensitive)`` for a structure, computed once per shape."""
    table = shape.__dict__.get("_clishape_members")
    if table is None:
        table = {name: (m.shape, m.sensitive) for name, m in shape.members.items()}
        shape.__dict__["_clishape_members"] = table
    return table


def describe(value, sensitive: bool = False) -> str:
    """A short description of a value's type (and the value, unless sensitive)."""
    if value is None:
        return "null"
    kind = _python_kind(value)
    if sensitive:
        return kind
    if isinstance(value, (dict, list, tuple, set)):
        return kind
    if isinstance(value, (bytes, bytearray)):
        return f"{kind} ({len(value)} bytes)"
    text = repr(value) if not isinstance(value, datetime) else value.isoformat()
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def _python_kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, datetime):
        return "timestamp"
    if isinstance(value, date):
        return "date"
    return type(value).__name__


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether ``text`` matches a model pattern (search semantics; an unusable pattern passes)."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        import re

        try:
            compiled = re.compile(pattern)
        except (re.error, OverflowError):
            compiled = False
        _PATTERNS[pattern] = compiled
    return compiled is False or compiled.search(text) is not None


class _Checker:
    def __init__(self, options: dict):
        self.options = options
        self.errors: list[str] = []
        self.warnings: list[str] = []

    # -- reporting --

    def where(self, path: tuple) -> str:
        text = _join(path) or "input"
        if path:
            option = self.options.get(path[0])
            if option:
                return f"{option} ({text})"
        return text

    def error(self, path: tuple, message: str) -> None:
        self.errors.append(f"{self.where(path)}: {message}")

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(f"{self.where(path)}: {message}")

    # -- checking --

    def check(self, shape, value, path: tuple, sensitive: bool) -> None:
        raw = shape.raw
        kind = raw["type"]
        if raw.get("sensitive"):
            sensitive = True
        if kind == "string" and value.__class__ is str:  # the common case, fast
            if len(raw) > 1:
                self._string_rules(shape, value, path, sensitive, "")
            return
        if kind == "document":
            problem = _json_problem(value)
            if problem:
                self.error(path, f"invalid document: {problem}")
            return
        if value is None:
            self.error(path, f"expected {_TYPE_NAMES[kind]}, got null")
            return
        getattr(self, "_" + kind)(shape, value, path, sensitive)

    def _type_error(self, shape, value, path, sensitive) -> None:
        self.error(path, f"expected {_TYPE_NAMES[shape.type]}, got {describe(value, sensitive)}")

    def _structure(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, dict):
            return self._type_error(shape, value, path, sensitive)
        members = member_table(shape)
        for name in shape.required:
            if name not in value:
                member = shape.members[name]
                if member.idempotency_token:
                    continue
                if not path:
                    self.errors.append(f"{member.option} ({name}): missing required parameter")
                else:
                    self.error(path + (name,), "missing required parameter")
        check = self.check
        for name, item in value.items():
            entry = members.get(name)
            if entry is None:
                self.error(path + (str(name),), _unknown(list(members), str(name)))
                continue
            check(entry[0], item, path + (name,), sensitive or entry[1])
        if shape.union:
            given = [name for name, item in value.items() if item is not None]
            if len(given) != 1:
                choices = ", ".join(members)
                found = f"{len(given)} ({', '.join(given)})" if given else "none"
                self.error(path, f"set exactly one of: {choices}; got {found}")

    def _list(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, (list, tuple)):
            return self._type_error(shape, value, path, sensitive)
        self._size(shape, len(value), path, "items")
        inner = shape.member.shape
        msens = sensitive or shape.member.sensitive
        check = self.check
        for i, item in enumerate(value):
            check(inner, item, path + (i,), msens)

    def _map(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, dict):
            return self._type_error(shape, value, path, sensitive)
        self._size(shape, len(value), path, "entries")
        key_shape = shape.key.shape if shape.key else None
        inner = shape.value.shape
        vsens = sensitive or shape.value.sensitive
        for key, item in value.items():
            if not isinstance(key, str):
                self.error(path, f"map keys must be strings, got {describe(key, sensitive)}")
                continue
            if key_shape is not None and key_shape.type == "string":
                self._string_rules(key_shape, key, path, sensitive, f"key {key!r}")
            self.check(inner, item, path + (key,), vsens)

    def _string(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, str):
            return self._type_error(shape, value, path, sensitive)
        self._string_rules(shape, value, path, sensitive, "")

    def _string_rules(self, shape, value, path, sensitive, label) -> None:
        raw = shape.raw
        if "min" in raw or "max" in raw:
            self._size(shape, len(value), path, "characters", f"{label} " if label else "")
        if label:
            subject = "key" if sensitive else label
        else:
            subject = "value" if sensitive else f"value {value!r}"
        enum = raw.get("enum")
        if enum and value not in enum:
            self.warn(path, f"{subject} is not one of: {', '.join(enum)}")
        pattern = raw.get("pattern")
        if pattern and not pattern_matches(pattern, value):
            self.warn(path, f"{subject} does not match the pattern {pattern}")

    def _size(self, shape, size, path, unit, what="") -> None:
        low, high = shape.raw.get("min"), shape.raw.get("max")
        if low is not None and size < low:
            self.error(path, f"{what}has {size} {unit}, fewer than the minimum {low}")
        elif high is not None and size > high:
            self.warn(path, f"{what}has {size} {unit}, more than the maximum {high}")

    def _number(self, shape, value, path, sensitive, integral: bool) -> None:
        ok = isinstance(value, int) if integral else isinstance(value, (int, float))
        if not ok or isinstance(value, bool):
            return self._type_error(shape, value, path, sensitive)
        if isinstance(value, float) and not math.isfinite(value):
            return  # services decide what NaN and infinity mean
        low, high = shape.raw.get("min"), shape.raw.get("max")
        shown = "value" if sensitive else f"value {value}"
        if low is not None and value < low:
            self.error(path, f"{shown} is below the minimum {low}")
        elif high is not None and value > high:
            self.warn(path, f"{shown} is above the maximum {high}")

    def _integer(self, shape, value, path, sensitive) -> None:
        self._number(shape, value, path, sensitive, True)

    _long = _integer

    def _float(self, shape, value, path, sensitive) -> None:
        self._number(shape, value, path, sensitive, False)

    _double = _float

    def _boolean(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, bool):
            self._type_error(shape, value, path, sensitive)

    def _timestamp(self, shape, value, path, sensitive) -> None:
        if isinstance(value, datetime):
            return
        if isinstance(value, str) and parse_timestamp(value) is not None:
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return
        self.error(
            path,
            f"expected a timestamp (ISO 8601 such as 2024-01-31T12:00:00Z, or seconds since "
            f"1970), got {describe(value, sensitive)}",
        )

    def _blob(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, (bytes, bytearray)):
            return self._type_error(shape, value, path, sensitive)
        raw = shape.raw
        if "min" in raw or "max" in raw:
            self._size(shape, len(value), path, "bytes")


def _unknown(valid: list[str], name: str) -> str:
    guess = closest(name, valid)
    message = f"unknown parameter, did you mean {guess}?" if guess else "unknown parameter."
    if valid:
        return message + f" Valid parameters: {', '.join(valid)}"
    return message + " This structure takes no parameters."


def closest(name: str, valid: list[str]) -> str | None:
    """The valid name closest to ``name`` (case differences first), or None."""
    import difflib

    lowered = {v.lower(): v for v in valid}
    if name.lower() in lowered:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def _join(path: tuple) -> str:
    out = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif not _SIMPLE_NAME.fullmatch(part):
            out.append(f"[{json.dumps(part)}]")
        elif out:
            out.append("." + part)
        else:
            out.append(part)
    return "".join(out)


def key_path(parent: str, key: str) -> str:
    """``parent.key``, or ``parent["odd key"]`` for keys that would be hard to read."""
    return f"{parent}.{key}" if _SIMPLE_NAME.fullmatch(key) else f"{parent}[{json.dumps(key)}]"


def _json_problem(value, depth: int = 0) -> str | None:
    """Why ``value`` is not a JSON value, or None."""
    if depth > 500:
        return "nested too deeply"
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value} is not a JSON number"
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"key {key!r} is not a string"
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
        return None
    return f"{_python_kind(value)} is not a JSON value"
