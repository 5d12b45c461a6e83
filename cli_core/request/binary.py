"""Stage 3 (request) — ``--cli-binary-format``: what a blob given as text means.

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
from cli_core.shapes.paths import render
from cli_core.shapes.walk import ValueWalker

_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_ALPHABET = re.compile(r"[^A-Za-z0-9+/=]")


def apply_binary_format(shape, params, mode, *, options=None) -> dict:
    """A copy of ``params`` with every blob given as text turned into bytes by ``mode``."""
    if mode not in BINARY_FORMATS:
        choices = ", ".join(BINARY_FORMATS)
        raise ParamError(f"Invalid binary format {mode!r}; expected one of: {choices}")
    if shape is None or not isinstance(params, dict):
        return params
    return _BlobText(mode, options or {}).walk(shape, params)


class _BlobText(ValueWalker):
    """Blobs given as text, decoded; every subtree without a blob is left as it is."""

    prune = "blob"

    def __init__(self, mode: str, options: dict):
        self.mode = mode
        self.options = options

    def visit_leaf(self, shape, value, path, sensitive):
        if shape.type == "blob" and isinstance(value, str):
            option = self.options.get(path[0]) if path else None
            return decode_text(value, self.mode, path, option, sensitive)
        return value


def decode_text(text: str, mode: str, path=(), option=None, sensitive: bool = False) -> bytes:
    """One blob given as text, as bytes. ``path`` (a tuple of parts) and ``option`` say where it
    was given, for the message when it is not base64."""
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
    label = render(path) if option is None or len(path) > 1 else ""
    prefix = f"{label}: " if label else ""
    message = (
        f"{prefix}Invalid base64 text: it has {problem}. In base64 mode blob values are base64; "
        "to send text as it is use --cli-binary-format raw-in-base64-out, "
        "to send a file's bytes use fileb://PATH."
    )
    raise ParamError(message, option)
