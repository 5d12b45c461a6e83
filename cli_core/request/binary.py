"""``--cli-binary-format``: what a blob given as text means.

* ``base64`` (the default): text is base64 and is decoded strictly. Whitespace and line breaks
  are ignored; any other character outside the alphabet, or wrong padding, is an error naming
  the parameter (the reference CLI silently drops such characters and exits 255).
* ``raw-in-base64-out``: text is sent as its UTF-8 bytes.

The mode comes from the settings (``--cli-binary-format`` > config ``cli_binary_format``).

Bytes (from ``fileb://`` or YAML ``!!binary``) are raw in every mode. Blobs are found anywhere
in the request: top level, nested structures, list elements and map values.
"""

from __future__ import annotations

import binascii
import re

from cli_core.errors import ParamError
from cli_core.options import BINARY_FORMATS
from cli_core.request.validate import key_path, member_table

_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_ALPHABET = re.compile(r"[^A-Za-z0-9+/=]")


def apply_binary_format(shape, params, mode, *, options=None) -> dict:
    """A copy of ``params`` with every blob given as text turned into bytes by ``mode``."""
    if mode not in BINARY_FORMATS:
        choices = ", ".join(BINARY_FORMATS)
        raise ParamError(f"Invalid binary format {mode!r}; expected one of: {choices}")
    if shape is None or not isinstance(params, dict) or not shape.contains("blob"):
        return params
    options = options or {}
    out = {}
    members = shape.members
    for name, value in params.items():
        member = members.get(name)
        if member is None:
            out[name] = value
            continue
        where = (options.get(name), name)
        out[name] = _convert(member.shape, value, mode, where, member.sensitive)
    return out


def _convert(shape, value, mode, where, sensitive):
    """``where`` is (option or None, path) for messages."""
    kind = shape.type
    if kind == "blob":
        if isinstance(value, str):
            return decode_text(value, mode, where, sensitive or shape.sensitive)
        return value
    if kind == "structure":
        if not isinstance(value, dict) or not shape.contains("blob"):
            return value
        members = member_table(shape)
        out = {}
        for name, item in value.items():
            entry = members.get(name)
            if entry is None or not entry[0].contains("blob"):
                out[name] = item
            else:
                path = (where[0], f"{where[1]}.{name}")
                out[name] = _convert(entry[0], item, mode, path, sensitive or entry[1])
        return out
    if kind == "list":
        if not isinstance(value, list) or not shape.contains("blob"):
            return value
        inner = shape.member.shape
        return [
            _convert(inner, item, mode, (where[0], f"{where[1]}[{i}]"), sensitive)
            for i, item in enumerate(value)
        ]
    if kind == "map":
        if not isinstance(value, dict) or not shape.contains("blob"):
            return value
        inner = shape.value.shape
        return {
            key: _convert(inner, item, mode, (where[0], key_path(where[1], key)), sensitive)
            for key, item in value.items()
        }
    return value


def decode_text(text: str, mode: str, where, sensitive: bool = False) -> bytes:
    """One blob given as text, as bytes."""
    if mode == "raw-in-base64-out":
        return text.encode("utf-8", "surrogatepass")
    compact = _WHITESPACE.sub("", text)
    bad = _ALPHABET.search(compact)
    problem = None
    if bad:
        shown = "a character" if sensitive else repr(bad.group())
        problem = f"{shown} that is not in the base64 alphabet"
    elif (
        "=" in compact.rstrip("=")
        or len(compact) % 4
        or len(compact) - len(compact.rstrip("=")) > 2
    ):
        problem = "wrong padding (base64 text comes in groups of 4 characters, '=' only at the end)"
    else:
        try:
            return binascii.a2b_base64(compact.encode("ascii"), strict_mode=True)
        except binascii.Error as exc:
            problem = str(exc)
    option, path = where
    label = path if option is None or "." in path or "[" in path else None
    prefix = f"{label}: " if label else ""
    message = (
        f"{prefix}Invalid base64 text: it has {problem}. In base64 mode blob values are base64; "
        "to send text as it is use --cli-binary-format raw-in-base64-out, "
        "to send a file's bytes use fileb://PATH."
    )
    raise ParamError(message, option)
