"""Stage 5 (present) — the tiny documentation markup of spec files, laid out as plain text.

The markup (see docs/spec-format.md, "Documentation markup"):

* paragraphs are separated by blank lines; the lines of one paragraph are joined;
* `` `code` `` spans are printed without their backticks;
* ``[text](url)`` links are printed as ``text (url)`` (or just ``text`` in summaries);
* a line starting with ``- `` starts a bullet item; following lines that are not blank and do
  not start a new item continue it.

Only the standard library's ``re`` and ``textwrap`` are used: help is a hot path.
"""

from __future__ import annotations

import re
import textwrap

BULLET = "o "
_KEEP = "\ue000"  # stands for a space inside a code span while wrapping: code is never split

_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_SPACES = re.compile(r"\s+")
# A sentence ends at . ! or ? followed by white space, unless the word is a usual abbreviation.
_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z]\.[A-Za-z])(?<!\bvs)(?<!\betc)[.!?](?=\s|$)")


def inline(text: str, links: bool = True, keep_code: bool = False) -> str:
    """One run of text with its markup resolved and its white space collapsed. With
    ``keep_code`` the spaces of code spans are marked so that ``wrap`` keeps each span whole."""
    text = _LINK.sub((lambda m: f"{m.group(1)} ({m.group(2)})") if links else r"\1", text)
    if keep_code:
        text = _CODE.sub(lambda m: _SPACES.sub(_KEEP, m.group(2).strip()), text)
    else:
        text = _CODE.sub(lambda m: m.group(2).strip(), text)
    return _SPACES.sub(" ", text).strip()


def blocks(doc: str) -> list[tuple[str, str, int]]:
    """The doc as ``("p", text, 0)`` paragraphs and ``("li", text, depth)`` bullet items (raw
    markup); an item's depth is its indentation, two spaces a level."""
    out: list[tuple[str, str, int]] = []
    kind, depth = "", 0
    lines: list[str] = []

    def flush() -> None:
        if lines:
            out.append((kind, " ".join(lines), depth))
            lines.clear()

    for raw in (doc or "").splitlines():
        line = raw.strip()
        if not line:
            flush()
            kind = ""
        elif line.startswith("- ") or line == "-":
            flush()
            kind, depth = "li", (len(raw) - len(raw.lstrip())) // 2
            lines.append(line[2:].strip())
        else:
            if not kind:
                kind, depth = "p", 0
            lines.append(line)
    flush()
    return out


def render(doc: str, width: int = 80, indent: int = 0) -> list[str]:
    """The doc as wrapped lines, each prefixed with ``indent`` spaces; blocks separated by a
    blank line, consecutive bullet items kept together."""
    lines: list[str] = []
    previous = ""
    for kind, text, depth in blocks(doc):
        text = inline(text, keep_code=True)
        if not text:
            continue
        if lines and not (kind == "li" and previous == "li"):
            lines.append("")
        if kind == "li":
            prefix = " " * (indent + 2 * depth)
            lines.extend(wrap(text, width, prefix + BULLET, prefix + " " * len(BULLET)))
        else:
            lines.extend(wrap(text, width, " " * indent))
        previous = kind
    return lines


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    """Wrap one paragraph; words (URLs, option names) are never broken."""
    rest = first if rest is None else rest
    room = max(width, len(rest) + 30)  # deep nesting on a narrow terminal still gets some room
    lines = textwrap.wrap(
        text,
        room,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_KEEP, " ") for line in lines] or [first.rstrip()]


def plain(doc: str) -> str:
    """The whole doc as one line of plain text (links as their text only)."""
    return " ".join(inline(text, links=False) for _, text, _ in blocks(doc))


def first_sentence(doc: str) -> str:
    """The first sentence of the doc's first block, as plain text (for one-line summaries)."""
    for _, text, _ in blocks(doc):
        text = inline(text, links=False)
        if text:
            match = _SENTENCE_END.search(text)
            return text[: match.end()] if match else text
    return ""
