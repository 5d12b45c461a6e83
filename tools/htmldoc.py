"""Tooling — service-model HTML documentation → the spec doc markup (docs/spec-format.md).

The markup has paragraphs (separated by a blank line), `code` spans, [text](url) links and
"- " bullet items (nested items indented two spaces per level). Everything else in the model's
HTML is reduced to its text: emphasis, notes, definition lists, headings. Tags that are not HTML
(``<region>`` style placeholders the model writers left in the text) are kept literally.

The converter is a single pass over a regular-expression tokenisation: it is run on every doc
string of every installed service model, so it is written for speed rather than generality.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_TOKEN = re.compile(r"<(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^<>]*?)(/?)>|<!--.*?-->", re.S)
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SPACE = re.compile(r"\s+")

# Tags that end the current paragraph.
_BLOCK = frozenset(
    "p div note important fullname dl dt dd h1 h2 h3 h4 h5 h6 pre para br blockquote "
    "table tr td th examples example title".split()
)
_LISTS = frozenset(("ul", "ol"))
# Tags whose markup is dropped and whose text is kept.
_INLINE = frozenset(
    "b i em strong u span sup sub small big replaceable filename emphasis literal tt "
    "userinput varname note zonbook xhtml text function".split()
)


@lru_cache(maxsize=65536)
def html_to_markup(text: str) -> str:
    """Convert one HTML doc string; plain text (no ``<``) only has its whitespace tidied."""
    if not text:
        return ""
    if "<" not in text:
        return _SPACE.sub(" ", _unescape(text)).strip()
    return _Converter().run(text)


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


class _Converter:
    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []  # (kind, text); kind "p" or "li"
        self.parts: list[str] = []  # inline pieces of the current block
        self.kind = "p"
        self.depth = 0  # list nesting
        self.code = 0  # inside <code>
        self.code_start = 0
        self.links: list[tuple[int, str]] = []  # (index in parts, href)

    def run(self, text: str) -> str:
        pos = 0
        for match in _TOKEN.finditer(text):
            if match.start() > pos:
                self.text(text[pos : match.start()])
            pos = match.end()
            name = match.group(2)
            if name is None:  # a comment
                continue
            self.tag(name.lower(), bool(match.group(1)), match.group(3), match.group(0))
        if pos < len(text):
            self.text(text[pos:])
        self.flush()
        return self.render()

    # -- events --------------------------------------------------------------------------

    def text(self, chunk: str) -> None:
        self.parts.append(_unescape(chunk))

    def tag(self, name: str, closing: bool, attrs: str, raw: str) -> None:
        if name == "code":
            self.code_tag(closing)
        elif name == "a":
            self.link_tag(closing, attrs)
        elif name in _LISTS:
            self.flush()
            self.depth = max(0, self.depth + (-1 if closing else 1))
        elif name == "li":
            self.flush()
            if not closing:
                self.kind = "li"
        elif name in _BLOCK:
            if self.kind == "li" and self.depth:
                self.parts.append(" ")  # paragraphs inside an item stay in the item
            else:
                self.flush()
        elif name in _INLINE:
            pass
        else:
            self.parts.append(_unescape(raw))  # not HTML: a placeholder such as <region>

    def code_tag(self, closing: bool) -> None:
        if not closing:
            if self.code == 0:
                self.code_start = len(self.parts)
            self.code += 1
            return
        if self.code == 0:
            return
        self.code -= 1
        if self.code:
            return
        inner = _SPACE.sub(" ", "".join(self.parts[self.code_start :])).strip()
        del self.parts[self.code_start :]
        if inner:
            self.parts.append(f"`{inner}`")

    def link_tag(self, closing: bool, attrs: str) -> None:
        if not closing:
            match = _HREF.search(attrs)
            href = ""
            if match:
                href = _unescape(next(g for g in match.groups() if g is not None)).strip()
            self.links.append((len(self.parts), href))
            return
        if not self.links:
            return
        start, href = self.links.pop()
        inner = _SPACE.sub(" ", "".join(self.parts[start:])).strip()
        del self.parts[start:]
        if href.startswith(("http://", "https://")) and inner and inner != href:
            self.parts.append(f"[{inner}]({href})")
        else:
            self.parts.append(inner or href)

    # -- output --------------------------------------------------------------------------

    def flush(self) -> None:
        # Close what the HTML left open so nothing is lost.
        while self.links:
            self.link_tag(True, "")
        if self.code:
            self.code = 1
            self.code_tag(True)
        line = _SPACE.sub(" ", "".join(self.parts)).strip()
        self.parts = []
        if line:
            if self.kind == "li":
                line = "  " * max(0, self.depth - 1) + "- " + line
            self.blocks.append((self.kind, line))
        self.kind = "p"

    def render(self) -> str:
        out: list[str] = []
        previous = ""
        for kind, line in self.blocks:
            if out:
                out.append("\n" if kind == previous == "li" else "\n\n")
            out.append(line)
            previous = kind
        return "".join(out)
