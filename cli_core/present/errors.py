"""Stage 5 (present) — how an error is written to stderr (``--cli-error-format``).

* ``legacy``: the one error line (``clishape: error: ...``), then the usage hint of a usage
  error;
* ``enhanced`` (the default): the same, then ``Additional error details:`` with each field the
  service sent beyond Code and Message (the modeled fields of the error shape, such as
  DynamoDB's ``CancellationReasons``), one ``Key: value`` line each;
* ``json``, ``yaml``, ``text``, ``table``: the error as a document (``error.document()``:
  ``Code``, ``Message``, then those fields) in that output format, and nothing else, so the
  whole of stderr can be parsed.

Every error clishape reports (``CLIError``: command line, validation, configuration, service,
endpoint) takes the chosen format; only an internal error (a bug) stays a plain line.
"""

from __future__ import annotations

import json

from cli_core.errors import CLIError, UsageError

MAX_INLINE_ITEMS = 5  # a list or map with fewer simple items is shown on its line
MAX_INLINE_CHARS = 200  # a longer nested value is cut short, with a hint


def render_error(
    error: CLIError,
    line: str,
    *,
    error_format: str = "enhanced",
    color: bool = False,
    width: int = 80,
) -> str:
    """The text for stderr. ``line`` is the error line as the driver writes it (prefixed,
    redacted, styled)."""
    if error_format in ("legacy", "enhanced"):
        parts = [line]
        if isinstance(error, UsageError) and error.usage:
            parts.append(error.usage)
        text = "\n".join(parts) + "\n"
        if error_format == "enhanced":
            text += _details_text(error.details_shown())
        return text
    return format_document(error.document(), error_format, color=color, width=width)


def format_document(doc: dict, error_format: str, *, color: bool = False, width: int = 80) -> str:
    """The error document in one of the output formats (json, yaml, text, table)."""
    from cli_core.present.render import format_json, format_yaml, prepare

    doc = prepare(doc)
    if error_format == "json":
        return format_json(doc)
    if error_format == "yaml":
        return format_yaml(doc)
    if error_format == "text":
        from cli_core.present.text import format_text

        return format_text(doc)
    from cli_core.present.table import format_table

    return format_table(doc, title="error", color=color, width=width)


def _details_text(details: dict) -> str:
    if not details:
        return ""
    from cli_core.present.render import prepare

    details = prepare(details)
    lines = ["", "Additional error details:"]
    cut = False
    for key, value in details.items():
        shown, was_cut = _inline(value)
        cut = cut or was_cut
        lines.append(f"{key}: {shown}")
    if cut:
        lines.append('Use "--cli-error-format json" (or yaml) to see the full details.')
    return "\n".join(lines) + "\n"


def _simple(value) -> bool:
    return not isinstance(value, (dict, list))


def _inline(value) -> tuple[str, bool]:
    """One line for a value, and whether it had to be cut."""
    if _simple(value):
        return str(value), False
    items = value if isinstance(value, list) else list(value.values())
    if len(items) < MAX_INLINE_ITEMS and all(_simple(item) for item in items):
        if isinstance(value, list):
            return "[" + ", ".join(str(item) for item in value) + "]", False
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}", False
    # Nested values: compact JSON on the line (the AWS CLI only says "<complex value>").
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if len(text) > MAX_INLINE_CHARS:
        return text[: MAX_INLINE_CHARS - 3] + "...", True
    return text, False
