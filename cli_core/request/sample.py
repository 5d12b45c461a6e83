"""Stage 3 (request) — ``--generate-cli-skeleton output``: a sample response for a command.

``output_sample`` makes a response that satisfies every constraint of the output shape (lengths,
ranges, enums, patterns), so it passes validation with no warning; it is deterministic. Each
recursive shape is expanded once; below that, optional members are left out (a required one
that cannot be filled leaves out its parent).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cli_core.request.regex_example import generate_matches
from cli_core.shapes.walk import ShapeWalker

SAMPLE_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_OMIT = object()


def output_sample(shape) -> dict:
    """A response satisfying every constraint of ``shape``; deterministic."""
    if shape is None:
        return {}
    value = _Sampler().walk(shape, shape.name, 0)
    return {} if value is _OMIT else value


class _Sampler(ShapeWalker):
    """``walk(shape, name, variant)``: the sample value of one shape, or ``_OMIT`` where a
    recursive shape would have to be expanded again."""

    def recursive(self, shape, name, variant):
        return _OMIT

    def visit_structure(self, shape, name, variant):
        out = {}
        for member_name, member in shape.members.items():
            value = self.walk(member.shape, member_name, 0)
            if value is _OMIT:
                if member_name in shape.required:
                    return _OMIT
                continue
            out[member_name] = value
            if shape.union:
                break
        if shape.union and not out:
            return _OMIT
        return out

    def visit_list(self, shape, name, variant):
        item = shape.member.shape
        items = []
        for i in range(_count(shape)):
            value = self.walk(item, item.name, i)
            if value is _OMIT:
                break
            items.append(value)
        if len(items) < (shape.min or 0):
            return _OMIT
        return items

    def visit_map(self, shape, name, variant):
        count = _count(shape)
        key_shape = shape.key.shape
        value_shape = shape.value.shape
        out = {}
        for i in range(count * 4):
            if len(out) >= count:
                break
            key = sample_string(key_shape, "key", i) if key_shape.type == "string" else str(i)
            if key in out:
                continue
            value = self.walk(value_shape, value_shape.name, i)
            if value is _OMIT:
                break
            out[key] = value
        if len(out) < (shape.min or 0):
            return _OMIT
        return out

    def visit_leaf(self, shape, name, variant):
        kind = shape.type
        if kind == "string":
            return sample_string(shape, name, variant)
        if kind in ("integer", "long"):
            return int(_in_range(shape, 0))
        if kind in ("float", "double"):
            return float(_in_range(shape, 0.0))
        if kind == "boolean":
            return True
        if kind == "timestamp":
            return SAMPLE_TIME
        if kind == "blob":
            return _sized(b"sample", shape.min, shape.max, b"x")
        return {}  # document


def _count(shape) -> int:
    count = max(1, shape.min or 0)
    if shape.max is not None:
        count = min(count, shape.max)
    return count


def _in_range(shape, default):
    low, high = shape.min, shape.max
    value = default
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


def _sized(text, low, high, filler):
    low = low or 0
    if len(text) < low:
        text = text + filler * (low - len(text))
    if high is not None and len(text) > high:
        text = text[:high]
    return text


def sample_string(shape, name: str = "", variant: int = 0) -> str:
    """A string that fits the shape's enum, length and pattern."""
    if shape.enum:
        return shape.enum[variant % len(shape.enum)]
    low, high, pattern = shape.min or 0, shape.max, shape.pattern

    def fits(text: str) -> bool:
        if len(text) < low or (high is not None and len(text) > high):
            return False
        return pattern is None or _fullmatch(pattern, text)

    base = name or shape.name.rsplit(".", 1)[-1] or "value"
    first = base + (str(variant) if variant else "")
    key = (pattern, low, high, first, variant)
    found = _SAMPLES.get(key)
    if found is None:
        found = _SAMPLES[key] = _first_fitting(
            _candidates(first, pattern, low, high, variant), fits
        )
    return found


_SAMPLES: dict[tuple, str] = {}  # the same rules give the same sample: work it out once


def _candidates(first: str, pattern, low: int, high, variant: int):
    """The strings tried in turn, made only as far as needed (pattern matches cost the most)."""
    yield first
    if pattern is not None:
        yield from generate_matches(pattern, low, high, variant)
    yield _sized(first, low, high, "x")
    for filler in ("a", "0", "A"):
        yield filler * max(low, 1) if high is None or high >= 1 else ""


def _first_fitting(candidates, fits) -> str:
    tried = []
    for text in candidates:
        if fits(text):
            return text
        tried.append(text)
    return tried[-4]


def _fullmatch(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None and re.search(pattern, text) is not None
    except (re.error, OverflowError):
        return True  # validation cannot use such a pattern either
