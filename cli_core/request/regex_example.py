r"""Stage 3 (request) — a generator of example strings that match a regular expression.

``generate_matches(pattern, low, high)`` gives strings that match a service model's pattern with a
length in ``[low, high]``, best effort (the output sample uses it). It covers what service models
use: literals, escapes, classes (ranges, negation, ``\d \w \s``), ``.``, groups (capturing or
not), alternation, quantifiers ``* + ? {n} {n,} {n,m}`` (lazy or possessive markers ignored),
anchors ``^ $ \A \z \Z \b``, lookarounds (left out: they match no text, and the caller
checks each candidate against the whole pattern). Anything else makes it give up (an empty
list).
"""

from __future__ import annotations

import re


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
            elif self.p.startswith(("?=", "?!", "?<=", "?<!"), self.i):
                # A lookaround matches no text: it is parsed and left out; the caller checks
                # every candidate against the whole pattern, so a broken condition is seen.
                self.i += 3 if self.p[self.i + 1] == "<" else 2
                self.alternation()
                if self.take() != ")":
                    raise _Unsupported("unclosed group")
                return ("seq", [])
            elif self.p.startswith("?P<", self.i) or self.p.startswith("?<", self.i):
                end = self.p.index(">", self.i)
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
