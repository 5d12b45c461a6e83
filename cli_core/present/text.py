"""Stage 5 (present) — the ``text`` output format: tab-separated lines, easy to cut, grep and read in a shell loop.

Rules (behaviour notes, section G.4). "Scalar" means anything but a dict or a list; scalars are
written with ``str()`` (``True``, ``None``, ``0.5``), timestamps as ISO 8601.

* A top-level scalar is one line. An empty list prints nothing.
* A dict is one line of its scalar values, ordered by key and joined by tabs, starting with the
  upper-cased key it sits under (its *identifier*) when there is one. Its non-scalar values
  follow, ordered by key, each with its key as the new identifier.
* A list holding any dict: the columns are the sorted union of the dicts' scalar keys; every
  dict prints a value (``''`` when missing) for each column, so the columns line up; each
  dict's other keys follow it, sorted.
* A list of scalars: with an identifier, one ``IDENTIFIER<TAB>item`` line per item; without,
  one line of all items joined by tabs.
* A list holding lists: its scalar items first, as above, then each nested list in turn.
"""

from __future__ import annotations

import datetime


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def format_text(data) -> str:
    """``data`` in the text format ("" when nothing is printed)."""
    lines: list[str] = []
    _item(data, None, None, lines)
    return "".join(line + "\n" for line in lines)


def _item(value, identifier: str | None, columns: list[str] | None, lines: list[str]) -> None:
    if isinstance(value, dict):
        _dict(value, identifier, columns, lines)
    elif isinstance(value, list):
        _list(value, identifier, lines)
    else:
        lines.append(_text(value))


def _dict(value: dict, identifier: str | None, columns: list[str] | None, lines: list[str]):
    if columns is None:
        columns = sorted(k for k, v in value.items() if _is_scalar(v))
        rest = sorted(k for k, v in value.items() if not _is_scalar(v))
    else:
        # The columns are shared with sibling dicts; everything else follows, sorted.
        rest = sorted(set(value) - set(columns))
    cells = [_text(value.get(k, "")) for k in columns]
    if cells:
        if identifier is not None:
            cells.insert(0, identifier.upper())
        lines.append("\t".join(cells))
    for key in rest:
        _item(value[key], key, None, lines)


def _list(items: list, identifier: str | None, lines: list[str]) -> None:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        columns = sorted(
            {
                k
                for item in items
                if isinstance(item, dict)
                for k, v in item.items()
                if _is_scalar(v)
            }
        )
        for item in items:
            _item(item, identifier, columns, lines)
    elif any(isinstance(item, list) for item in items):
        scalars = [item for item in items if _is_scalar(item)]
        if scalars:
            _scalars(scalars, identifier, lines)
        for item in items:
            if not _is_scalar(item):
                _item(item, identifier, None, lines)
    else:
        _scalars(items, identifier, lines)


def _scalars(items: list, identifier: str | None, lines: list[str]) -> None:
    if identifier is None:
        lines.append("\t".join(_text(item) for item in items))
    else:
        lines.extend(f"{identifier.upper()}\t{_text(item)}" for item in items)
