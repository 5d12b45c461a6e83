"""Stage 5 (present) — the ``table`` output format: a response drawn as boxed, nested sections.

The layout follows the reference CLI's table output (behaviour notes, section G.5):

* the first section is titled with the operation name; every nested dict or list gets its own
  section, titled with its key and indented one level (``|`` on both sides per level);
* a dict with one scalar key is a ``key | value`` row; with several, a header row of the sorted
  scalar keys and one row of values; its non-scalar keys follow as nested sections, sorted;
* a list of dicts is one header row (sorted union of scalar keys) and one row per element
  (``''`` where a key is missing); when elements carry nested values, the section restarts for
  each element so the nested sections sit under the row they belong to;
* a list of scalars is one row per item; a list of scalar lists one row per inner list; lists
  nested deeper (a query's ``A[*].B[*].[C, D]``) are flattened into the same section, so the
  result is one flat table, one row per innermost list (of dicts: one header, their rows);
* widths count East-Asian wide (W), full-width (F) and ambiguous (A) characters as two columns;
  every section is stretched to the widest one, its columns scaled proportionally;
* when the widest section does not fit the terminal, single-row sections are drawn vertically
  (one ``header | value`` row per column).

One improvement over the reference: a scalar result is shown in a row under the title.

Input is plain data whose leaves are already strings, numbers, booleans or None (the present
stage turns timestamps and blobs into text first); any other leaf is shown with ``str()``.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

PADDING = 4  # spaces added to a column's natural width (2 on each side when it fits)

# Plain ANSI escapes: values bright blue, indentation bars dim yellow.
_RESET = "\x1b[0m"
_VALUE_STYLE = "\x1b[1m\x1b[34m"
_BAR_STYLE = "\x1b[2m\x1b[33m"


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide and full-width characters count 2.

    The AWS CLI also counts East-Asian "ambiguous" characters (é, ü, ±, …) as 2, which breaks
    table borders on ordinary terminals; they count 1 here.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell_text(value) -> str:
    """How one scalar value is written in a cell."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


@dataclass
class Section:
    """One box of the table: an optional title, optional header row, and rows of cell text."""

    title: str = ""
    indent: int = 0
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def natural_widths(self) -> list[int]:
        """The widest cell (header included) of each column, in display columns."""
        widths: list[int] = []
        for line in [self.headers, *self.rows]:
            for i, text in enumerate(line):
                w = display_width(text)
                if i < len(widths):
                    widths[i] = max(widths[i], w)
                else:
                    widths.append(w)
        return widths

    def total_width(self) -> int:
        """Width this section needs: padded columns plus borders, or its title, plus indentation."""
        outer = 2 + 2 * self.indent
        columns = sum(w + PADDING for w in self.natural_widths())
        return max(display_width(self.title) + outer, columns + outer)


class _Builder:
    """Walks the data and collects sections, in print order."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.current: Section | None = None

    def new_section(self, title: str, indent: int) -> None:
        self.current = Section(title=title, indent=indent)
        self.sections.append(self.current)

    def add_row(self, row: list) -> None:
        self.current.rows.append([cell_text(v) for v in row])

    def build(self, data, title: str, indent: int = 0) -> None:
        if not data and not isinstance(data, (int, float)):
            return  # empty dict/list, None or "": no section at all
        self.new_section(title, indent)
        if isinstance(data, dict):
            self._dict(data, indent)
        elif isinstance(data, list):
            self._list(data, title, indent)
        else:
            self.add_row([data])

    def _dict(self, data: dict, indent: int) -> None:
        scalars = sorted(k for k, v in data.items() if _is_scalar(v))
        nested = sorted(k for k, v in data.items() if not _is_scalar(v))
        if len(scalars) == 1:
            self.add_row([scalars[0], data[scalars[0]]])
        elif scalars:
            self.current.headers = list(scalars)
            self.add_row([data[k] for k in scalars])
        for key in nested:
            self.build(data[key], key, indent + 1)

    def _list(self, items: list, title: str, indent: int) -> None:
        if all(isinstance(item, dict) for item in items):
            self._list_of_dicts(items, title, indent)
            return
        for item in items:
            if _is_scalar(item):
                self.add_row([item])
            elif isinstance(item, list) and all(_is_scalar(el) for el in item):
                if item:
                    self.add_row(item)
            elif isinstance(item, list):
                # A list of lists (``Reservations[*].Instances[*].[A, B]``): flattened into
                # this section, one row per innermost list, as the AWS CLI draws it.
                if item:
                    if self.current.indent != indent:  # a nested section came in between
                        self.new_section(title, indent)
                    self._list(item, title, indent)
            else:
                # A dict or a nested list inside a mixed list: its own section, one level in.
                self.build(item, title, indent + 1)

    def _list_of_dicts(self, items: list[dict], title: str, indent: int) -> None:
        headers = sorted({k for item in items for k, v in item.items() if _is_scalar(v)})
        nested = sorted({k for item in items for k, v in item.items() if not _is_scalar(v)})
        for n, item in enumerate(items):
            if n > 0 and nested:
                self.new_section(title, indent)
            self.current.headers = list(headers)
            # Without scalar keys the row is empty: nothing is drawn for it, and (as in the
            # AWS CLI) no rule under the title either.
            self.add_row([item.get(k, "") for k in headers])
            for key in nested:
                if key in item:
                    self.build(item[key], key, indent + 1)


def _vertical(section: Section) -> Section:
    """A single-row section with headers, turned into ``header | value`` rows."""
    if len(section.rows) != 1 or not section.headers:
        return section
    rows = [[h, v] for h, v in zip(section.headers, section.rows[0], strict=False)]
    return Section(title=section.title, indent=section.indent, rows=rows)


def scale_widths(natural: list[int], total: int) -> list[int]:
    """Column widths (padding included) stretched proportionally to add up to ``total``."""
    padded = [w + PADDING for w in natural]
    if not padded:
        return padded
    factor = total / float(sum(padded))
    scaled = [int(round(factor * w)) for w in padded]
    excess = sum(scaled) - total
    while excess:
        # Take from (or give to) columns one at a time: from the left when too wide,
        # from the right when too narrow.
        order = range(len(scaled)) if excess > 0 else reversed(range(len(scaled)))
        for i in order:
            step = 1 if excess > 0 else -1
            scaled[i] -= step
            excess -= step
            if not excess:
                break
    return scaled


class _Renderer:
    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def value(self, text: str) -> str:
        return f"{_VALUE_STYLE}{text}{_RESET}" if self.color else text

    def bar(self) -> str:
        return f"{_BAR_STYLE}|{_RESET}" if self.color else "|"

    def emit(self, section: Section, body: str) -> None:
        bars = self.bar() * section.indent
        if self.color:
            # The AWS CLI's colour layer resets after every piece it writes (the bars, the
            # body, the line end); the same bytes here, so coloured output compares equal.
            self.lines.append(f"{_RESET}{bars}{_RESET}{body}{_RESET}{bars}{_RESET}")
        else:
            self.lines.append(f"{bars}{body}{bars}")

    def render(self, sections: list[Section], total: int) -> str:
        self.lines.append("-" * total)
        for section in sections:
            self.section(section, total - 2 * section.indent)
        return "\n".join(self.lines) + "\n" + (_RESET if self.color else "")

    def section(self, section: Section, inner: int) -> None:
        if section.title:
            self.emit(section, _centered(section.title, inner, "|"))
            if not section.headers and not section.rows:
                self.emit(section, "+" + "-" * (inner - 2) + "+")
        if not section.headers and not section.rows:
            return
        widths = scale_widths(section.natural_widths(), inner)
        if not widths:
            return
        if section.headers:
            self.emit(section, _rule(widths))
            cells = [
                _centered(h, w, "|" if i == 0 else "")
                for i, (h, w) in enumerate(zip(section.headers, widths, strict=False))
            ]
            self.emit(section, "".join(cells))
        if section.rows:
            self.emit(section, _rule(widths))
            for row in section.rows:
                row = row + [""] * (len(widths) - len(row))
                cells = [
                    self._left(text, w, "|" if i == 0 else "")
                    for i, (text, w) in enumerate(zip(row, widths, strict=False))
                ]
                self.emit(section, "".join(cells))
            self.emit(section, _rule(widths))

    def _left(self, text: str, width: int, left_edge: str) -> str:
        used = display_width(text)
        pad = 2 if width - (used + 2 + len(left_edge) + 1) >= 0 else 0
        fill = width - len(left_edge) - pad - used - 1
        return f"{left_edge}{' ' * pad}{self.value(text)}{' ' * fill}|"


def _centered(text: str, width: int, left_edge: str) -> str:
    """``text`` centred in a cell of ``width`` columns closed by ``|`` (header and title cells)."""
    used = display_width(text)
    before = width // 2 - used // 2 - 1
    after = width - 1 - (len(left_edge) + before + used)
    return f"{left_edge}{' ' * before}{text}{' ' * after}|"


def _rule(widths: list[int]) -> str:
    """``+-----+------+`` across the given column widths."""
    parts = ["+" + "-" * (widths[0] - 2) + "+"]
    parts += ["-" * (w - 1) + "+" for w in widths[1:]]
    return "".join(parts)


def build_sections(data, title: str) -> list[Section]:
    """The sections the table for ``data`` consists of (empty when nothing is printed)."""
    builder = _Builder()
    builder.build(data, title)
    return builder.sections


def format_table(data, *, title: str = "", color: bool = False, width: int = 80) -> str:
    """The table for ``data`` as text ("" when nothing is printed).

    ``width`` is the terminal width: when the table would be wider, single-row sections are
    drawn vertically. ``color`` adds ANSI colour to values and indentation bars.
    """
    sections = build_sections(data, title)
    if not sections:
        return ""
    total = max(s.total_width() for s in sections)
    if total > width:
        sections = [_vertical(s) for s in sections]
        total = max(s.total_width() for s in sections)
    return _Renderer(color).render(sections, total)
