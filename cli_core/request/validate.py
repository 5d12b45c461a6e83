"""Stage 3 (request) — check a request (or a response) against its shape, every problem at once.

Errors stop the request: unknown members (with the closest valid name), wrong types, missing
required members, values below a minimum length or value, tagged unions without exactly one
member. Warnings are reported and the request is still sent: values above a maximum, outside an
enum or not matching a pattern (the service is the judge of those; models are sometimes stricter
than services).

Each problem is a ``cli_core.errors.Problem``: its message, its member path (a ``MemberPath``:
``EnrollmentConfig.FraudDetectionConfig.RiskThreshold``, ``Items[0].Name``, ``Tags["odd key"]``),
the command-line option the value came from (``--domain-id``), and its severity. Rendered, it is
one line ``--domain-id (DomainId): <what>``. Sensitive values are never echoed. A document with
very many unknown keys costs about its parsing: "did you mean" is worked out only for the first
``MAX_SUGGESTIONS`` of them (no more are shown).
"""

from __future__ import annotations

import math
from datetime import date, datetime

from cli_core.errors import MAX_PROBLEMS_SHOWN, Problem
from cli_core.shapes.codecs import parse_timestamp
from cli_core.shapes.paths import MemberPath
from cli_core.shapes.walk import SKIP, ValueWalker, plain_nodes

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
MAX_SUGGESTIONS = MAX_PROBLEMS_SHOWN  # "did you mean" for this many unknown keys, no more
MAX_DOCUMENT_DEPTH = 500


def validate(shape, params, *, options: dict | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for ``params`` against the structure ``shape``, as ``Problem``s."""
    checker = _Checker(options or {})
    if shape is None:
        if params:
            for name in params:
                checker.error((name,), "unknown parameter: this command takes no parameters")
        return checker.errors, checker.warnings
    try:
        checker.walk(shape, params)
    except RecursionError:
        checker.error((), "the request is nested too deeply to check")
    return checker.errors, checker.warnings


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
    text = _short(value) if not isinstance(value, datetime) else value.isoformat()
    return f"{kind} {text}"


def _short(value, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: a message never echoes a whole long value."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


class _Checker(ValueWalker):
    """Looks at every value; errors and warnings are collected as ``Problem``s."""

    rebuild = False

    def __init__(self, options: dict):
        self.options = options
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self._suggestions = MAX_SUGGESTIONS
        self._plain_unknown: dict[str, str] = {}

    # -- reporting --

    def problem(self, path: tuple, message: str, severity: str = "error") -> Problem:
        option = self.options.get(path[0]) if path else None
        return Problem(message, MemberPath(path), option, severity)

    def error(self, path: tuple, message: str) -> None:
        self.errors.append(self.problem(path, message))

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(self.problem(path, message, "warning"))

    # -- containers --

    def mismatch(self, shape, value, path, sensitive) -> None:
        self._type_error(shape, value, path, sensitive)

    def enter_structure(self, shape, value, path, sensitive) -> None:
        for name in shape.required:
            if name not in value:
                member = shape.members[name]
                if member.idempotency_token:
                    continue
                if not path:
                    where = MemberPath((name,))
                    self.errors.append(Problem("missing required parameter", where, member.option))
                else:
                    self.error(path + (name,), "missing required parameter")

    def visit_structure(self, shape, value, path, sensitive):
        super().visit_structure(shape, value, path, sensitive)
        if shape.union:  # after the members' own problems
            given = [name for name, item in value.items() if item is not None]
            if len(given) != 1:
                choices = ", ".join(shape.members)
                names = ", ".join(
                    name if name in shape.members else _short(name, 40) for name in given[:10]
                )  # unknown keys quoted and cut: they may hold anything
                more = ", ..." if len(given) > 10 else ""
                found = f"{len(given)} ({names}{more})" if given else "none"
                self.error(path, f"set exactly one of: {choices}; got {found}")

    def unknown(self, shape, name, value, path, sensitive) -> None:
        name = str(name)
        if self._suggestions > 0:
            self._suggestions -= 1
            message = _unknown(list(shape.members), name)
        else:  # past what is shown: the same message for every key, made once per shape
            message = self._plain_unknown.get(shape.name)
            if message is None:
                message = self._plain_unknown[shape.name] = _unknown(
                    list(shape.members), name, False
                )
        self.error(path + (name,), message)

    def enter_list(self, shape, value, path, sensitive) -> None:
        self._size(shape, len(value), path, "item")

    def enter_map(self, shape, value, path, sensitive) -> None:
        self._size(shape, len(value), path, "entry")

    def visit_key(self, key_shape, key, path, sensitive):
        if not isinstance(key, str):
            self.error(path, f"map keys must be strings, got {describe(key, sensitive)}")
            return SKIP
        if key_shape is not None and key_shape.type == "string":
            self._string_rules(key_shape, key, path, sensitive, f"key {_short(key)}")
        return key

    # -- leaves --

    def visit_leaf(self, shape, value, path, sensitive) -> None:
        kind = shape.type
        if kind == "string" and value.__class__ is str:  # the common case, fast
            if len(shape.raw) > 1:
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

    def _string(self, shape, value, path, sensitive) -> None:
        if not isinstance(value, str):
            return self._type_error(shape, value, path, sensitive)
        self._string_rules(shape, value, path, sensitive, "")

    def _string_rules(self, shape, value, path, sensitive, label) -> None:
        raw = shape.raw
        if "min" in raw or "max" in raw:
            self._size(shape, len(value), path, "character", f"{label} " if label else "")
        if label:
            subject = "key" if sensitive else label
        else:
            subject = "value" if sensitive else f"value {_short(value)}"
        enum = raw.get("enum")
        if enum and value not in enum:
            self.warn(path, f"{subject} is not one of: {', '.join(enum)}")
        pattern = raw.get("pattern")
        if pattern and not pattern_matches(pattern, value):
            self.warn(path, f"{subject} does not match the pattern {pattern}")

    def _size(self, shape, size, path, unit, what="") -> None:
        low, high = shape.raw.get("min"), shape.raw.get("max")
        if low is not None and size < low:
            self.error(path, f"{what}has {_count(size, unit)}, fewer than the minimum {low}")
        elif high is not None and size > high:
            self.warn(path, f"{what}has {_count(size, unit)}, more than the maximum {high}")

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
            self._size(shape, len(value), path, "byte")


def _unknown(valid: list[str], name: str, suggest: bool = True) -> str:
    guess = closest(name, valid) if suggest else None
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


_PLURALS = {"entry": "entries"}


def _count(size: int, unit: str) -> str:
    """``1 character``, ``2 characters``, ``0 entries``."""
    if size == 1:
        return f"{size} {unit}"
    return f"{size} {_PLURALS.get(unit, unit + 's')}"


def _json_problem(value) -> str | None:
    """Why ``value`` is not a JSON value, or None."""
    for depth, key, node in plain_nodes(value, max_depth=MAX_DOCUMENT_DEPTH + 1):
        if key is not None and not isinstance(key, str):
            return f"key {_short(key)} is not a string"
        if depth > MAX_DOCUMENT_DEPTH:
            return "nested too deeply"
        if node is None or isinstance(node, (str, bool, int, dict, list, tuple)):
            continue
        if isinstance(node, float):
            if not math.isfinite(node):
                return f"{node} is not a JSON number"
            continue
        return f"{_python_kind(node)} is not a JSON value"
    return None
