"""``--generate-cli-skeleton``: input skeletons (JSON and commented YAML) and a sample output.

Input skeleton values (the reference CLI's, so the JSON is byte-identical to it for plain
commands): strings ``""`` or the first enum value, integers ``0``, floats ``0.0``, booleans
``true``, timestamps ``1970-01-01T00:00:00``, lists of one element, maps ``{"KeyName": ...}``,
structures with every member in model order, documents ``{}``. Differences, on purpose: a blob is
``""`` (base64 of nothing; the reference CLI prints ``null``, which it then rejects), and
recursive lists and maps stop like recursive structures do (each recursive shape is expanded
once, its self-references are empty).

The YAML skeleton has the same values (blobs ``!!binary ''``, timestamps as YAML timestamps) and
a comment on every structure member: ``[REQUIRED]`` (not for idempotency tokens, which are
filled in), the first sentence of its documentation and its valid values. Fed back through
``--cli-input-yaml`` it gives the same request as the JSON skeleton through ``--cli-input-json``.

``output_sample`` makes a response that satisfies every constraint of the output shape (lengths,
ranges, enums, patterns), so it passes validation with no warning.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

from cli_core.shapes.codecs import json_default

SKELETON_TIME = datetime(1970, 1, 1)
SAMPLE_TIME = datetime(1970, 1, 1, tzinfo=UTC)

# -- input skeleton ----------------------------------------------------------------------------


def input_skeleton(shape) -> dict:
    """The JSON input skeleton as data (timestamps as ISO text, blobs as "")."""
    if shape is None:
        return {}
    return _skeleton(shape, [], yaml=False)


def _skeleton(shape, stack: list, yaml: bool):
    kind = shape.type
    if kind in ("structure", "list", "map") and shape.name in stack:
        return [] if kind == "list" else {}
    if kind == "structure":
        stack.append(shape.name)
        out = {name: _skeleton(m.shape, stack, yaml) for name, m in shape.members.items()}
        stack.pop()
        return out
    if kind == "list":
        stack.append(shape.name)
        out = [_skeleton(shape.member.shape, stack, yaml)]
        stack.pop()
        return out
    if kind == "map":
        stack.append(shape.name)
        out = {"KeyName": _skeleton(shape.value.shape, stack, yaml)}
        stack.pop()
        return out
    if kind == "string":
        return shape.enum[0] if shape.enum else ""
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return SKELETON_TIME if yaml else SKELETON_TIME.isoformat()
    if kind == "blob":
        return b"" if yaml else ""
    return {}  # document


def input_skeleton_text(shape, given: dict) -> str:
    """``--generate-cli-skeleton input``: JSON, indent 4, values given on the command line filled in."""
    data = input_skeleton(shape)
    data = _fill(shape, data, given)
    return json.dumps(data, indent=4, default=json_default) + "\n"


def _fill(shape, data: dict, given: dict) -> dict:
    if not given or shape is None:
        return data
    out = dict(data)
    for name, value in given.items():
        if name in out:
            out[name] = value
    return out


# -- YAML input skeleton -----------------------------------------------------------------------


def yaml_input_skeleton_text(shape, given: dict) -> str:
    """``--generate-cli-skeleton yaml-input``: commented YAML, given values filled in."""
    if shape is None:
        return "{}\n"
    data = _fill(shape, _skeleton(shape, [], yaml=True), given)
    if not data:
        return "{}\n"
    lines = _yaml_mapping(data, shape, 0)
    return "\n".join(lines) + "\n"


def _yaml_block(value, shape, indent: int) -> list[str] | None:
    """Block lines for a non-empty mapping or list; None for anything written inline."""
    if isinstance(value, dict) and value:
        return _yaml_mapping(value, shape, indent)
    if isinstance(value, (list, tuple)) and value:
        inner = shape.member.shape if shape is not None and shape.type == "list" else None
        lines = []
        for item in value:
            block = _yaml_block(item, inner, indent + 2)
            if block is None:
                lines.append(" " * indent + "- " + yaml_scalar(item))
            else:
                first = block[0]
                lines.append(" " * indent + "- " + first[indent + 2 :])
                lines.extend(block[1:])
        return lines
    return None


def _yaml_mapping(value: dict, shape, indent: int) -> list[str]:
    kind = shape.type if shape is not None else None
    lines = []
    pad = " " * indent
    for key, item in value.items():
        member = None
        if kind == "structure":
            member = shape.members.get(key)
            item_shape = member.shape if member else None
        elif kind == "map":
            item_shape = shape.value.shape
        else:
            item_shape = None
        comment = _member_comment(shape, key, member) if member else ""
        suffix = f"  # {comment}" if comment else ""
        block = _yaml_block(item, item_shape, indent + 2)
        head = pad + yaml_scalar(str(key)) + ":"
        if block is None:
            lines.append(head + " " + yaml_scalar(item) + suffix)
        else:
            lines.append(head + suffix)
            lines.extend(block)
    return lines


def _member_comment(parent, name: str, member) -> str:
    parts = []
    if name in parent.required and not member.idempotency_token:
        parts.append("[REQUIRED]")
    overview = doc_overview(member.documentation)
    if overview:
        parts.append(overview)
    enum = member.shape.enum
    if enum:
        parts.append(f"Valid values are: {', '.join(enum)}.")
    return " ".join(parts)


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.:](?=\s|$)")


def doc_overview(text: str) -> str:
    """The first sentence of a documentation text, markup stripped, ending with a full stop."""
    if not text:
        return ""
    paragraph = text.strip().split("\n\n", 1)[0]
    paragraph = _LINK.sub(r"\1", paragraph).replace("`", "")
    paragraph = re.sub(r"^\s*- ", "", paragraph)
    paragraph = " ".join(paragraph.replace("\u2028", " ").split())
    match = _SENTENCE_END.search(paragraph)
    if match:
        paragraph = paragraph[: match.start()]
    paragraph = paragraph.rstrip(" .:")
    if not paragraph or paragraph[-1] in "?!":
        return paragraph
    return paragraph + "."


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[-./][A-Za-z0-9_]+)*")
_YAML_WORDS = frozenset("y n yes no on off true false null".split())


def yaml_scalar(value) -> str:
    """One value written inline in YAML (flow style for empty collections)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 floats need a dot
            text = text.replace("e", ".0e", 1)
        return text
    if isinstance(value, datetime):
        return value.isoformat(sep=" " if value.tzinfo is None else "T")
    if isinstance(value, (bytes, bytearray)):
        encoded = base64.b64encode(bytes(value)).decode("ascii")
        return "!!binary " + (encoded or "''")
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{yaml_scalar(str(k))}: {yaml_scalar(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    if all(_printable(c) for c in text) and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _printable(c: str) -> bool:
    o = ord(c)
    return (
        0x20 <= o <= 0x7E
        or (0xA0 <= o <= 0xD7FF and o not in (0x2028, 0x2029))
        or 0xE000 <= o <= 0xFFFD
        or o >= 0x10000
    )


def _double_quoted(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif _printable(c):
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


# -- output sample -----------------------------------------------------------------------------

_OMIT = object()


def output_sample(shape) -> dict:
    """A response satisfying every constraint of ``shape``; deterministic."""
    if shape is None:
        return {}
    value = _sample(shape, [], shape.name)
    return {} if value is _OMIT else value


def _sample(shape, stack: list, name: str, variant: int = 0):
    kind = shape.type
    if kind in ("structure", "list", "map"):
        if shape.name in stack:
            return _OMIT
        stack.append(shape.name)
        try:
            return getattr(_Sampler, kind)(shape, stack, name)
        finally:
            stack.pop()
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


class _Sampler:
    @staticmethod
    def structure(shape, stack, name):
        out = {}
        members = shape.members
        for member_name, member in members.items():
            value = _sample(member.shape, stack, member_name)
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

    @staticmethod
    def list(shape, stack, name):
        count = _count(shape)
        items = []
        for i in range(count):
            value = _sample(shape.member.shape, stack, shape.member.shape.name, i)
            if value is _OMIT:
                break
            items.append(value)
        if len(items) < (shape.min or 0):
            return _OMIT
        return items

    @staticmethod
    def map(shape, stack, name):
        count = _count(shape)
        key_shape = shape.key.shape
        out = {}
        for i in range(count * 4):
            if len(out) >= count:
                break
            key = sample_string(key_shape, "key", i) if key_shape.type == "string" else str(i)
            if key in out:
                continue
            value = _sample(shape.value.shape, stack, shape.value.shape.name, i)
            if value is _OMIT:
                break
            out[key] = value
        if len(out) < (shape.min or 0):
            return _OMIT
        return out


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
    candidates = [base + (str(variant) if variant else "")]
    if pattern is not None:
        candidates.extend(generate_matches(pattern, low, high, variant))
    candidates.append(_sized(candidates[0], low, high, "x"))
    for filler in ("a", "0", "A"):
        candidates.append(filler * max(low, 1) if high is None or high >= 1 else "")
    for text in candidates:
        if fits(text):
            return text
    return candidates[-4]


def _fullmatch(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None and re.search(pattern, text) is not None
    except (re.error, OverflowError):
        return True  # validation cannot use such a pattern either


# -- a tiny regex-to-example generator ---------------------------------------------------------
# Covers what service models use: literals, escapes, classes (ranges, negation, \d \w \s),
# ".", groups (capturing or not), alternation, quantifiers * + ? {n} {n,} {n,m} (lazy or
# possessive markers ignored), anchors ^ $ \A \z \Z \b. Anything else makes it give up.


class _Unsupported(Exception):
    pass


_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
_PREFERRED = (
    [chr(c) for c in range(ord("a"), ord("z") + 1)]
    + [chr(c) for c in range(ord("0"), ord("9") + 1)]
    + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
)
_CLASS_ESCAPES = {
    "d": lambda c: c.isdigit() and c.isascii(),
    "w": lambda c: (c.isalnum() and c.isascii()) or c == "_",
    "s": lambda c: c in " \t\n\r\f\v",
}


class _Parser:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0

    def peek(self):
        return self.p[self.i] if self.i < len(self.p) else None

    def take(self):
        c = self.peek()
        if c is None:
            raise _Unsupported("unexpected end")
        self.i += 1
        return c

    def parse(self):
        node = self.alternation()
        if self.i != len(self.p):
            raise _Unsupported("unbalanced )")
        return node

    def alternation(self):
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return ("alt", branches) if len(branches) > 1 else branches[0]

    def sequence(self):
        items = []
        while self.peek() not in (None, "|", ")"):
            atom = self.atom()
            items.append(self.quantified(atom))
        return ("seq", items)

    def quantified(self, atom):
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{" and re.match(r"\{\d+(,\d*)?\}", self.p[self.i :]):
            m = re.match(r"\{(\d+)(,(\d*))?\}", self.p[self.i :])
            self.i += m.end()
            low = int(m.group(1))
            high = low if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
        else:
            return atom
        if self.peek() in ("?", "+"):
            self.i += 1
        return ("rep", atom, low, high)

    def atom(self):
        c = self.take()
        if c == "(":
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self.p.startswith("?P<", self.i) or self.p.startswith("?<", self.i):
                end = self.p.index(">", self.i)
                if self.p[self.i + 1 : self.i + 2] in ("=", "!"):
                    raise _Unsupported("lookbehind")
                self.i = end + 1
            elif self.peek() == "?":
                raise _Unsupported("group extension")
            node = self.alternation()
            if self.take() != ")":
                raise _Unsupported("unclosed group")
            return node
        if c == "[":
            return self.char_class()
        if c == ".":
            return ("set", lambda ch: ch != "\n")
        if c in ("^", "$"):
            return ("seq", [])
        if c == "\\":
            return self.escape(in_class=False)
        if c in ("*", "+", "?", "{", ")"):
            if c == "{":
                return ("lit", c)
            raise _Unsupported("misplaced quantifier")
        return ("lit", c)

    def escape(self, in_class: bool):
        c = self.take()
        if c in _CLASS_ESCAPES:
            return ("set", _CLASS_ESCAPES[c])
        if c.lower() in _CLASS_ESCAPES and c.isupper():
            test = _CLASS_ESCAPES[c.lower()]
            return ("set", lambda ch, t=test: not t(ch))
        if c in "AzZbB" and not in_class:
            return ("seq", [])
        if c in "ntrfv":
            return ("lit", {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}[c])
        if c == "u" and re.match(r"[0-9a-fA-F]{4}", self.p[self.i :]):
            self.i += 4
            return ("lit", chr(int(self.p[self.i - 4 : self.i], 16)))
        if c == "x" and re.match(r"[0-9a-fA-F]{2}", self.p[self.i :]):
            self.i += 2
            return ("lit", chr(int(self.p[self.i - 2 : self.i], 16)))
        if c.isalnum():
            raise _Unsupported(f"escape \\{c}")
        return ("lit", c)

    def char_class(self):
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        tests = []
        first = True
        while True:
            c = self.take()
            if c == "]" and not first:
                break
            first = False
            if c == "[" and self.peek() == ":":
                raise _Unsupported("POSIX class")
            if c == "\\":
                node = self.escape(in_class=True)
                if node[0] == "set":
                    tests.append(node[1])
                    continue
                low = node[1]
            else:
                low = c
            if self.peek() == "-" and self.p[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                c2 = self.take()
                high = self.escape(in_class=True)[1] if c2 == "\\" else c2
                if not isinstance(high, str):
                    raise _Unsupported("range to a class")
                tests.append(lambda ch, a=low, b=high: a <= ch <= b)
            else:
                tests.append(lambda ch, a=low: ch == a)

        def test(ch, tests=tests, negate=negate):
            return any(t(ch) for t in tests) != negate

        return ("set", test)


def _choices(test) -> list[str]:
    preferred = [c for c in _PREFERRED if test(c)]
    rest = [c for c in _PRINTABLE if test(c) and c not in preferred]
    found = preferred + rest
    if not found:
        found = [chr(c) for c in range(0xA0, 0x3000) if test(chr(c))][:1]
    if not found:
        raise _Unsupported("empty class")
    return found


class _Generator:
    """Build one string from the parsed pattern; ``extra`` adds repetitions where allowed."""

    def __init__(self, branch: int, start: int = 0):
        self.branch = branch
        self.start = start
        self.extra: dict[int, int] = {}
        self.reps: list[tuple] = []  # (node id, unit width, room) in order of use
        self.counter = 0

    def run(self, node) -> str:
        self.reps = []
        self.counter = self.start
        return self.gen(node)

    def gen(self, node) -> str:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "set":
            options = _choices(node[1])
            ch = options[self.counter % min(len(options), 26)]
            self.counter += 1
            return ch
        if kind == "seq":
            return "".join(self.gen(n) for n in node[1])
        if kind == "alt":
            return self.gen(node[1][self.branch % len(node[1])])
        _, atom, low, high = node
        count = low + self.extra.get(id(node), 0)
        if high is not None:
            count = min(count, high)
        parts = [self.gen(atom) for _ in range(count)]
        unit = len(parts[0]) if parts else len(_Generator(self.branch).gen(atom))
        room = None if high is None else high - count
        self.reps.append((id(node), unit, room))
        return "".join(parts)


_PARSED: dict[str, object] = {}


def generate_matches(pattern: str, low: int, high: int | None, variant: int = 0) -> list[str]:
    """Candidate strings for ``pattern`` with a length in [low, high] (best effort)."""
    tree = _PARSED.get(pattern)
    if tree is None:
        try:
            tree = _Parser(pattern).parse()
        except (_Unsupported, ValueError, IndexError):
            tree = False
        _PARSED[pattern] = tree
    if tree is False:
        return []
    out = []
    for branch in range(variant, variant + 4):
        gen = _Generator(branch, variant)
        try:
            text = gen.run(tree)
            for _ in range(64):
                if len(text) >= low:
                    break
                deficit = low - len(text)
                grown = False
                for node_id, unit, room in reversed(gen.reps):
                    if unit <= 0 or room == 0:
                        continue
                    add = -(-deficit // unit)
                    if room is not None:
                        add = min(add, room)
                    gen.extra[node_id] = gen.extra.get(node_id, 0) + add
                    grown = True
                    break
                if not grown:
                    break
                text = gen.run(tree)
        except (_Unsupported, RecursionError):
            continue
        if high is None or len(text) <= high:
            out.append(text)
    return out
