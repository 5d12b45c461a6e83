"""Shape layer — codecs: typed values to and from text, shared by every stage.

* JSON encoding of typed values (bytes as base64, datetimes as ISO 8601);
* timestamps from text, numbers, dates;
* parameter files (``file://`` text, ``fileb://`` bytes) and every other input a user hands in
  (``--cli-input-json|yaml`` files, standard input), read in chunks up to a size limit;
* the nesting limit of parsed values (JSON, YAML, shorthand).
"""

from __future__ import annotations

import os

from cli_core.errors import ConfigError, ParamError
from cli_core.frozen import Frozen

FILE_PREFIXES = ("file://", "fileb://")

# The most bytes one input (a file://, fileb://, --cli-input-json|yaml file, standard input) may
# hold. Everything read is held in memory and then parsed or sent as one request; no AWS request
# body a command line builds comes near this, while a mistaken path (a disk image, /dev/zero)
# stops at once instead of filling memory. Configurable: ``FileReading.max_bytes``.
DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024

# The deepest nesting of lists and objects accepted in a JSON, YAML or shorthand value. No AWS
# shape comes near it; every stage walking a value may then recurse without running out of stack.
MAX_NESTING = 100

_CHUNK = 1024 * 1024


class FileReading(Frozen):
    """How inputs are read (from the settings): the text encoding of ``file://`` values and
    input documents, and the size limit."""

    __slots__ = _fields = ("encoding", "max_bytes")

    def __init__(self, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_INPUT_BYTES):
        self._init(locals())


DEFAULT_FILE_READING = FileReading()

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


def load_param_file(
    uri: str, option: str | None = None, files: FileReading = DEFAULT_FILE_READING
) -> str | bytes:
    """Contents of a ``file://`` (text in ``files.encoding``) or ``fileb://`` (bytes) value.

    At most ``files.max_bytes`` are read; a larger file (or an endless device) is a ParamError
    naming the option. Text is decoded as Python's text files do (universal newlines).
    """
    binary = uri.startswith("fileb://")
    path = uri[len("fileb://") :] if binary else uri[len("file://") :]
    path = os.path.expandvars(os.path.expanduser(path))
    shown = shown_value(uri, 300)  # a path is worth showing whole, within reason
    try:
        with open(path, "rb") as fh:
            data = read_limited(fh, files.max_bytes, shown, option)
    except ValueError:  # a NUL character, or a name the file system cannot encode
        raise ParamError(
            f"cannot read {shown}: the path is not a valid file name", option
        ) from None
    except OSError as exc:
        raise ParamError(f"cannot read {shown}: {exc.strerror or exc}", option) from None
    if binary:
        return data
    return decode_text(data, files.encoding, shown, option)


def decode_text(data: bytes, encoding: str, shown: str, option: str | None) -> str:
    """``data`` as text, the way a file opened in text mode reads (``\r\n`` becomes ``\n``)."""
    import io

    try:
        return io.TextIOWrapper(io.BytesIO(data), encoding=encoding).read()
    except LookupError:
        raise ConfigError(
            f"unknown text encoding '{encoding}' for reading files (AWS_CLI_FILE_ENCODING)"
        ) from None
    except UnicodeError:  # a decoding error, or a codec's own (UTF-16 without a byte order mark)
        raise ParamError(
            f"cannot read {shown} as {encoding} text; for a binary file use the fileb:// prefix",
            option,
        ) from None


def read_limited(stream, limit: int, shown: str, option: str | None) -> bytes:
    """All of a binary ``stream``, read in chunks; a ParamError once it passes ``limit`` bytes.

    A regular file larger than the limit is refused before reading, and one of its size is read
    in one call; a device or pipe is read in chunks until ``limit + 1`` bytes at most, so
    ``/dev/zero`` ends at once and Ctrl-C is seen between chunks.
    """
    import stat

    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        status = None
    buffer = bytearray()
    if status is not None and stat.S_ISREG(status.st_mode):
        if status.st_size > limit:
            raise too_large(shown, limit, option)
        data = stream.read(status.st_size + 1)
        if len(data) <= status.st_size:
            return data  # the whole file (the usual case)
        buffer += data  # the file grew while being read: go on in chunks
    while len(buffer) <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        buffer += chunk
    raise too_large(shown, limit, option)


def read_limited_text(stream, limit: int, shown: str, option: str | None) -> str | bytes:
    """Standard input (bytes when it has a binary buffer, else text) with the same limit."""
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        return read_limited(raw, limit, shown, option)
    parts, size = [], 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return "".join(parts)
        parts.append(chunk)
        size += (
            len(chunk.encode("utf-8", "surrogatepass")) if isinstance(chunk, str) else len(chunk)
        )
        if size > limit:
            raise too_large(shown, limit, option)


def too_large(shown: str, limit: int, option: str | None) -> ParamError:
    return ParamError(
        f"{shown} is larger than the input limit of {_size_text(limit)} "
        "(raise it with CLISHAPE_MAX_INPUT_BYTES)",
        option,
    )


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def maybe_param_file(raw, option: str, files: FileReading = DEFAULT_FILE_READING):
    if isinstance(raw, str) and raw.startswith(FILE_PREFIXES):
        return load_param_file(raw, option, files)
    return raw


def shown_value(text: str, limit: int = 80) -> str:
    """A value as an error message shows it: one line, at most ``limit`` characters."""
    if not text.isprintable():  # control characters, lone surrogates: as escapes
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    shown = text
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


# -- nesting ----------------------------------------------------------------------------------


def too_deep(value, limit: int = MAX_NESTING) -> bool:
    """Whether lists and dicts in ``value`` nest deeper than ``limit`` (``[]`` is 1 deep).

    Level by level, without recursion; each level is gathered by C-level iteration, so checking
    a large, flat document costs a small part of parsing it.
    """
    from itertools import chain, compress

    if type(value) not in (dict, list):
        return False
    level = [value]
    for _ in range(limit):
        kinds = list(map(type, level))
        children = list(
            chain(
                chain.from_iterable(map(dict.values, compress(level, map(_IS_DICT, kinds)))),
                chain.from_iterable(compress(level, map(_IS_LIST, kinds))),
            )
        )
        level = list(compress(children, map(_IS_CONTAINER, map(type, children))))
        if not level:
            return False
    return True


_IS_CONTAINER = frozenset((dict, list)).__contains__
_IS_DICT = frozenset((dict,)).__contains__
_IS_LIST = frozenset((list,)).__contains__


# -- timestamps ------------------------------------------------------------------------------


def parse_timestamp(text: str):
    """ISO 8601 (a date alone, ``Z`` or an offset; a naive one is UTC) or seconds since 1970.

    Returns an aware datetime, or None when the text is neither.
    """
    import math
    from datetime import UTC, datetime  # here: help pages and usage errors never need it

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
    from datetime import UTC, date, datetime
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
