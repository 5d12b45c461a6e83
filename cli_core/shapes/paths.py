"""Shape layer — the one member-path type: where a value sits in a request or a response.

A path is a sequence of parts: a ``str`` is a structure member or a map key, an ``int`` a list
index. Walks carry plain tuples of parts (cheap to extend at every level); a ``MemberPath`` wraps
one when it is reported, and renders it by the one rule:

* the first name bare, later names after a dot: ``Job.JobStatus``;
* list indices in brackets: ``Items[0].Name``;
* a name that is not plain (spaces, quotes, dots, an empty key, ...) as a JSON string in brackets:
  ``Tags["odd key"]``.
"""

from __future__ import annotations

import json
import re

_PLAIN = re.compile(r"[A-Za-z0-9_:/@+=$-]+")


def render(parts) -> str:
    """The text of a path given as a sequence of parts (empty for the root)."""
    out = []
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        elif not isinstance(part, str) or not _PLAIN.fullmatch(part):
            out.append(f"[{json.dumps(part, default=str)}]")
        elif out:
            out.append("." + part)
        else:
            out.append(part)
    return "".join(out)


class MemberPath(tuple):
    """An immutable path of parts; ``str()`` renders it (``Items[0].Name``)."""

    __slots__ = ()

    def child(self, part) -> MemberPath:
        """This path extended by one member name, map key or list index."""
        return MemberPath((*self, part))

    def __str__(self) -> str:
        return render(self)

    def __repr__(self) -> str:
        return f"MemberPath({render(self)!r})"

    def __format__(self, spec: str) -> str:
        return format(render(self), spec)


ROOT = MemberPath()
