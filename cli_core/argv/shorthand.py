"""Stage 2 (argv) — shorthand syntax: ``Name=a,Values=b,c`` → ``{"Name": "a", "Values": ["b", "c"]}``.

One token of a complex option is parsed into plain data: dicts, lists and strings (bytes where
a ``fileb://`` file was loaded). No type coercion happens here; the model-directed step after
this one turns strings into numbers and booleans.

Grammar (``ws`` is ASCII whitespace, newlines included; ``*`` repeats, ``?`` is optional)::

    input  := pair ( ws* "," ws* pair )* ws*
    pair   := key ws* ( "@" ws* )? "=" ws* value        "@=" loads file:// and fileb:// values
    key    := [A-Za-z0-9_.#/:-]*                          may be empty
    value  := <end of input> | list | hash | csv
    csv    := first ( ws* "," ws* second )*               longest run that fits, see below
    list   := "[" ws* ( item ws* "," ws* )* item? ws* "]"  a trailing "," is allowed
    hash   := "{" ws* ( key ws* "@"? "=" ws* item ws* ( "," ws* | before "}" ) )* "}"
    item   := list | hash | first
    first  := quoted | bare(stop at " ' , ] }") | <nothing>, which is ""
    second := quoted | bare(stop at " ' , =)              must not be empty

Rules:

* A bare value may not start with ``"`` ``'`` ``,`` ``=`` ``[`` ``{`` or whitespace. It runs
  until one of its stop characters (or a control character); inner spaces are kept, ``\\,``
  stands for a comma and trailing (Unicode) whitespace is dropped. No other escapes exist.
* A quoted value ends at the first quote not preceded by a backslash. ``\\'`` (``\\"``) stands
  for the quote, then ``\\\\`` for a backslash. When no such closing quote exists, the last
  escaped quote closes the value instead (so ``'C:\\dir\\'`` is ``C:\\dir\\``); with no
  candidate at all the quote is unterminated.
* csv: ``foo=a,b,bar=c`` gives ``{"foo": ["a", "b"], "bar": "c"}``. After each comma a
  ``second`` value is tried; if none can be read, or it is not followed by ``,`` or the end of
  input, the parser goes back to that comma and the list ends there (the rest is the next
  pair). One item collapses to a scalar. Each character is re-read at most once, so parsing is
  linear in the input.
* A trailing comma is allowed inside ``[...]`` and ``{...}``, not at the top level.
* Whitespace around ``=``, ``@``, ``,``, brackets and braces is skipped, but not before the
  very first key (``" a=b"`` is an error, as in the AWS CLI).
* ``@=`` (``key@=value``): values of that pair, including csv and list items, that start
  with ``file://`` or ``fileb://`` are replaced by ``load_file(value)``. Every key decides for
  its own values: ``a@={b=file://x}`` does not load, ``{b@=file://x}`` does.

Differences from the AWS CLI (deliberate):

* The error caret is under the exact column of the offending character (the AWS CLI prints
  the input after one space, so its caret is one column to the left). Multi-line input shows
  the line holding the error; tabs and wide characters keep the caret aligned.
* Duplicate keys are an error at every level; the AWS CLI lets the last one win silently
  inside ``{...}``.
* Characters above U+FFFF (emoji) are accepted in bare values; the AWS CLI requires quotes.
* ``{a=}`` gives ``{"a": ""}`` like a top-level ``a=``; the AWS CLI rejects it.
* Whitespace at the very end of the input is ignored (``a=[b]`` followed by a newline, as in a
  file); the AWS CLI reports ``Expected: ','`` there.
* Clearer messages: an unterminated quote points at its opening quote, a trailing top-level
  comma is named as such, and ``received`` says ``end of input`` rather than ``EOF``.
* After a csv value a doubled comma (``a=b,,c=d``) is an error, and going back never stops at
  an escaped ``\\,`` (``a=x,b\\,c=d`` is an error); the AWS CLI accepts both, silently
  dropping ``b\\`` in the second.
* The ``@`` flag belongs to its pair only, so a nested ``{k=...}`` inside an ``@=`` list does
  not switch loading off for the list's later items.
* Nesting deeper than ``MAX_DEPTH`` brackets is a syntax error instead of a Python stack
  overflow.
* An error in a long input shows the 120 characters around it, not the whole line.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_DEPTH = 100
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.#/:")
_NO_START = frozenset("\"',=[{")
_STOP_FIRST = frozenset("\"',]}")
_STOP_SECOND = frozenset("\"',=")
_QUOTES = ("'", '"')
_SKIPPED = frozenset(" \t\n\r\x0b\x0c")  # between tokens (bare values also keep Unicode blanks)
_FILE_PREFIXES = ("file://", "fileb://")
_SHOWN_WIDTH = 120  # an error shows at most this much of a long input line
_DUPLICATE_HINT = 'This is often because there is a preceding "," instead of a space.'

LoadFile = Callable[[str], "str | bytes"]


class ShorthandError(Exception):
    """A shorthand syntax error at ``position`` (0-based index into ``text``).

    ``position`` is ``len(text)`` when the input ended too early. ``str(error)`` is the full
    message: ``message``, the input line holding the error and a caret under the offending
    character, then the ``hint`` if there is one.
    """

    def __init__(self, text: str, position: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.text = text
        self.position = position
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        line, column = _error_line(self.text, self.position)
        lines = [f"{self.message} for input:", line, _caret_padding(line[:column]) + "^"]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def parse(text: str, load_file: LoadFile | None = None) -> dict:
    """Parse one shorthand token (e.g. ``Name=a,Values=b,c``) into a dict.

    ``load_file(uri)`` is called for values of an ``@=`` pair that start with ``file://`` or
    ``fileb://``; whatever it raises propagates unchanged. Without ``load_file`` such values
    stay as written. Raises ``ShorthandError`` on bad syntax.
    """
    return _Parser(text, load_file).parse()


class _Parser:
    """Recursive descent over ``text``; ``pos`` is the index of the next unread character."""

    def __init__(self, text: str, load_file: LoadFile | None):
        self.text = text
        self.pos = 0
        self.depth = 0
        self.load_file = load_file

    # -- grammar -------------------------------------------------------------------------------

    def parse(self) -> dict:
        result: dict = {}
        while True:
            key, resolve = self._pair_head(result)
            result[key] = self._value(resolve)
            self._skip_ws()
            if self._at_end():
                return result
            if self._peek() != ",":
                raise self._expected("','")
            comma = self.pos
            self.pos += 1
            self._skip_ws()
            if self._at_end():
                raise self._error("Trailing ',' is not allowed at the top level", comma)

    def _pair_head(self, seen: dict) -> tuple[str, bool]:
        """Read ``key [@]=`` and the whitespace after it; return the key and its ``@`` flag."""
        start = self.pos
        while not self._at_end() and self.text[self.pos] in _KEY_CHARS:
            self.pos += 1
        key = self.text[start : self.pos]
        if key in seen:
            raise self._error(
                f'Second instance of key "{key}" encountered', start, hint=_DUPLICATE_HINT
            )
        self._skip_ws()
        resolve = self._peek() == "@"
        if resolve:
            self.pos += 1
            self._skip_ws()
        if self._peek() != "=":
            raise self._expected("'='")
        self.pos += 1
        self._skip_ws()
        return key, resolve

    def _value(self, resolve: bool):
        if self._at_end():
            return ""
        if self._peek() in ("[", "{"):
            return self._item(resolve)
        return self._csv(resolve)

    def _csv(self, resolve: bool):
        items = [self._first()]
        while True:
            self._skip_ws()
            if self._peek() != ",":
                break
            comma = self.pos
            self.pos += 1
            self._skip_ws()
            item = self._scalar(_STOP_SECOND)
            self._skip_ws()
            if item is None or not (self._at_end() or self._peek() == ","):
                self.pos = comma  # not a list item after all: the next pair starts here
                break
            items.append(item)
        items = [self._load(item, resolve) for item in items]
        return items[0] if len(items) == 1 else items

    def _item(self, resolve: bool, closer: str = ""):
        char = self._peek()
        if char not in ("[", "{"):
            return self._load(self._first(closer), resolve)
        if self.depth == MAX_DEPTH:
            raise self._error(f"Nesting deeper than {MAX_DEPTH} levels", self.pos)
        self.depth += 1
        result = self._list(resolve) if char == "[" else self._hash()
        self.depth -= 1
        return result

    def _list(self, resolve: bool) -> list:
        self.pos += 1
        self._skip_ws()
        items = []
        while self._peek() != "]":
            if self._at_end():
                raise self._expected("']'")
            items.append(self._item(resolve))
            self._end_of_entry("]")
        self.pos += 1
        return items

    def _hash(self) -> dict:
        self.pos += 1
        self._skip_ws()
        result: dict = {}
        while self._peek() != "}":
            if self._at_end():
                raise self._expected("'}'")
            key, resolve = self._pair_head(result)
            result[key] = self._item(resolve, "}")
            self._end_of_entry("}")
        self.pos += 1
        return result

    def _end_of_entry(self, closer: str) -> None:
        """After a list or hash entry: skip a ',' or stop before the closing bracket."""
        self._skip_ws()
        if self._peek() == ",":
            self.pos += 1
            self._skip_ws()
        elif self._peek() != closer:
            raise self._expected(f"',' or '{closer}'")

    # -- scalars -------------------------------------------------------------------------------

    def _first(self, closer: str = "") -> str:
        """A first value, ``""`` if none; ``{a=}`` is empty rather than a value ``}``."""
        if closer and self._peek() == closer:
            return ""
        value = self._scalar(_STOP_FIRST)
        return "" if value is None else value

    def _scalar(self, stop: frozenset) -> str | None:
        """A quoted value, or a bare one ending before a ``stop`` character; None if neither."""
        if self._peek() in _QUOTES:
            return self._quoted()
        text, start = self.text, self.pos
        if not self._escaped_comma(start) and not _can_start(self._peek()):
            return None
        end = start + (2 if self._escaped_comma(start) else 1)
        while end < len(text):
            if self._escaped_comma(end):
                end += 2
            elif _can_follow(text[end], stop):
                end += 1
            else:
                break
        self.pos = end
        return text[start:end].replace("\\,", ",").rstrip()

    def _quoted(self) -> str:
        text, quote, opening = self.text, self.text[self.pos], self.pos
        escaped = "\\" + quote
        end = text.find(quote, opening + 1)
        last_escaped = -1
        while end != -1 and text[end - 1] == "\\" and end - 1 > opening:
            last_escaped = end
            end = text.find(quote, end + 1)
        if end == -1:
            end = last_escaped
        if end == -1:
            raise self._error(f"Unterminated quote: no closing {quote!r} found", opening)
        self.pos = end + 1
        return text[opening + 1 : end].replace(escaped, quote).replace("\\\\", "\\")

    def _load(self, value: str, resolve: bool):
        if resolve and self.load_file and value.startswith(_FILE_PREFIXES):
            return self.load_file(value)
        return value

    # -- helpers -------------------------------------------------------------------------------

    def _escaped_comma(self, index: int) -> bool:
        return self.text.startswith("\\,", index)

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _at_end(self) -> bool:
        return self.pos >= len(self.text)

    def _skip_ws(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _SKIPPED:
            self.pos += 1

    def _expected(self, what: str) -> ShorthandError:
        return self._error(f"Expected: {what}, received: {_describe(self._peek())}", self.pos)

    def _error(self, message: str, position: int, hint: str | None = None) -> ShorthandError:
        return ShorthandError(self.text, position, message, hint)


def _can_start(char: str) -> bool:
    return char > " " and char not in _NO_START


def _can_follow(char: str, stop: frozenset) -> bool:
    return char.isspace() or (char > " " and char not in stop)


def _describe(char: str) -> str:
    if not char:
        return "end of input"
    if char.isprintable():
        return f"'{char}'"
    return "'" + char.encode("unicode_escape").decode("ascii") + "'"


def _error_line(text: str, position: int) -> tuple[str, int]:
    """The line of ``text`` holding ``position`` and the column of ``position`` in it."""
    if position >= len(text):
        position = len(text.rstrip("\r\n"))  # at the end: just after the last visible line
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : len(text) if end == -1 else end]
    if line.endswith("\r"):
        line = line[:-1]
    column = position - start
    if len(line) > _SHOWN_WIDTH:  # a long line: the part around the error
        left = max(0, min(column - _SHOWN_WIDTH // 2, len(line) - _SHOWN_WIDTH))
        line, column = line[left : left + _SHOWN_WIDTH], column - left
    return line, column


def _caret_padding(before: str) -> str:
    """Blanks as wide on a terminal as ``before``: tabs stay tabs, wide characters count two."""
    import unicodedata

    pad = []
    for char in before:
        if char == "\t":
            pad.append("\t")
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            pad.append("  ")
        else:
            pad.append(" ")
    return "".join(pad)
