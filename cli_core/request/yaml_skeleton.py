"""Stage 3 (request) — ``--generate-cli-skeleton yaml-input``: the commented YAML skeleton.

The same values as the JSON input skeleton (blobs ``!!binary ''``, timestamps as YAML
timestamps), written as block YAML with a comment on every structure member: ``[REQUIRED]``
(not for idempotency tokens, which are filled in), the first sentence of its documentation and
its valid values. Fed back through ``--cli-input-yaml`` it gives the same request as the JSON
skeleton through ``--cli-input-json``. The emitter (``yaml_block``, ``yaml_scalar``) writes any
plain data; the comments come from a walk of the data along its shape.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime

from cli_core.request.skeleton import fill_given, input_skeleton
from cli_core.shapes.walk import ValueWalker


def yaml_input_skeleton_text(shape, given: dict) -> str:
    """``--generate-cli-skeleton yaml-input``: commented YAML, given values filled in."""
    if shape is None:
        return "{}\n"
    data = fill_given(input_skeleton(shape, yaml=True), given, shape)
    if not data:
        return "{}\n"
    comments = _Comments()
    comments.walk(shape, data)
    return "\n".join(yaml_block(data, comments.found)) + "\n"


class _Comments(ValueWalker):
    """The comment of every structure member present in the data, by its path."""

    rebuild = False

    def __init__(self):
        self.found: dict[tuple, str] = {}

    def enter_structure(self, shape, value, path, sensitive) -> None:
        members = shape.members
        for key in value:
            member = members.get(key)
            if member is not None:
                comment = _member_comment(shape, key, member)
                if comment:
                    self.found[path + (key,)] = comment


# -- the emitter: plain data as block YAML, with comments ---------------------------------------


def yaml_block(value, comments: dict, path: tuple = (), indent: int = 0) -> list[str] | None:
    """Block lines for a non-empty mapping or list, a ``# comment`` after the keys whose path is
    in ``comments``; None for anything written inline (``yaml_scalar``)."""
    if isinstance(value, dict) and value:
        lines = []
        pad = " " * indent
        for key, item in value.items():
            comment = comments.get(path + (key,))
            suffix = f"  # {comment}" if comment else ""
            block = yaml_block(item, comments, path + (key,), indent + 2)
            head = pad + yaml_scalar(str(key)) + ":"
            if block is None:
                lines.append(head + " " + yaml_scalar(item) + suffix)
            else:
                lines.append(head + suffix)
                lines.extend(block)
        return lines
    if isinstance(value, (list, tuple)) and value:
        lines = []
        for i, item in enumerate(value):
            block = yaml_block(item, comments, path + (i,), indent + 2)
            if block is None:
                lines.append(" " * indent + "- " + yaml_scalar(item))
            else:
                lines.append(" " * indent + "- " + block[0][indent + 2 :])
                lines.extend(block[1:])
        return lines
    return None


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
