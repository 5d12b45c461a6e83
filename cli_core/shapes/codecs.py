"""Codecs of the shape layer: typed values to and from text, shared by every stage.

* JSON encoding of typed values (bytes as base64, datetimes as ISO 8601);
* timestamps from text, numbers, dates;
* parameter files (``file://`` text, ``fileb://`` bytes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cli_core.errors import ParamError

FILE_PREFIXES = ("file://", "fileb://")

# -- JSON of typed values ---------------------------------------------------------------------


def json_default(value):
    """``json.dumps(default=...)`` for typed values: bytes as base64, datetimes as ISO 8601."""
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be shown as JSON")


# -- files -------------------------------------------------------------------------------------

DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024  # 256 MiB


@dataclass(frozen=True)
class FileReading:
    """How parameter files and input documents are read (from the settings)."""

    encoding: str = "utf-8"
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES



def load_param_file(uri: str, option: str | None = None) -> str | bytes:
    """Contents of a ``file://`` (text) or ``fileb://`` (bytes) value."""
    binary = uri.startswith("fileb://")
    path = uri[len("fileb://") :] if binary else uri[len("file://") :]
    path = os.path.expandvars(os.path.expanduser(path))
    try:
        if binary:
            with open(path, "rb") as fh:
                return fh.read()
        encoding = os.environ.get("AWS_CLI_FILE_ENCODING") or "utf-8"
        with open(path, encoding=encoding) as fh:
            return fh.read()
    except UnicodeDecodeError:
        raise ParamError(
            f"cannot read {uri} as text; for a binary file use the fileb:// prefix", option
        ) from None
    except OSError as exc:
        raise ParamError(f"cannot read {uri}: {exc.strerror}", option) from None


def maybe_param_file(raw, option: str):
    if isinstance(raw, str) and raw.startswith(FILE_PREFIXES):
        return load_param_file(raw, option)
    return raw


# -- timestamps ------------------------------------------------------------------------------


def parse_timestamp(text: str):
    """ISO 8601 (a date alone, ``Z`` or an offset; a naive one is UTC) or seconds since 1970.

    Returns an aware datetime, or None when the text is neither.
    """
    import math

    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            return None
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    candidate = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_datetime(value):
    """One timestamp value as an aware datetime, or the value unchanged when it is none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):  # a YAML date: midnight UTC
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_timestamp(value) if value.strip() else None
        return parsed or value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return value
    return value
