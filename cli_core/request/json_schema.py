"""Stage 3 (request) — ``--generate-cli-skeleton json-schema`` and ``output-schema``.

A JSON Schema (draft 2020-12) of the input document a command takes (what ``--cli-input-json``
reads) or of the response it prints (``--output json``), from the command's shapes:

* structures are objects with their members as ``properties``, ``required`` (idempotency tokens
  excepted: clishape fills them in, also when null) and no other property; a tagged union takes
  exactly one;
* lists are arrays, maps objects whose keys follow the key shape (``propertyNames``);
* ``min``/``max`` become lengths, item and property counts, or ``minimum``/``maximum``; ``enum``
  and ``pattern`` are kept;
* a timestamp is an ISO 8601 string (``format: date-time``) or seconds since 1970; a blob is
  base64 text (``contentEncoding: base64``, with a pattern that accepts what clishape decodes);
  a document is any JSON value;
* each member's documentation (the spec's markup, which reads as Markdown) is its
  ``description``; deprecated members say so.

A shape that contains itself is written once under ``$defs`` and referred to with ``$ref``.

The schema is exactly as strict as clishape's own check with its warnings counted as failures:
a document the schema accepts gets no error and no warning from clishape, and the other way
round. Where they cannot agree it is written here: a blob's ``min``/``max`` counts decoded bytes
(the schema cannot see them), an integer written as ``1.0`` is an integer to JSON Schema but not
to clishape, a timestamp string is accepted by clishape in any ISO 8601 form Python reads (the
schema's ``format`` is an annotation, not a check), and a pattern Python cannot compile (one with
Unicode classes, say) is checked by neither: the schema keeps it as a ``$comment``.
"""

from __future__ import annotations

import json

from cli_core.shapes.walk import ShapeWalker

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Base64 as clishape decodes it (request/binary.py): groups of four alphabet characters, the
# last one padded with "=", ASCII white space anywhere.
_W = r"[ \t\r\n\f\v]*"
_C = rf"[A-Za-z0-9+/]{_W}"
BASE64_PATTERN = rf"^{_W}(?:{_C}{_C}{_C}{_C})*(?:{_C}{_C}={_W}={_W}|{_C}{_C}{_C}={_W})?$"

# A timestamp as clishape reads it (shapes/codecs.parse_timestamp): seconds since 1970, or an
# ISO 8601 date, optionally with a time and a zone (white space around it is ignored).
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DATE = r"\d{4}-\d{2}-\d{2}|\d{8}"
_TIME = r"\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d{1,6})?)?)?"
_ZONE = r"[Zz]|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?"
TIMESTAMP_PATTERN = rf"^\s*(?:{_NUMBER}|(?:{_DATE})(?:[T ](?:{_TIME})(?:{_ZONE})?)?)\s*$"


def input_schema(command) -> dict:
    """The schema of the command's input document."""
    return _document(command, command.input, "input")


def output_schema(command) -> dict:
    """The schema of the command's response as printed."""
    schema = _document(command, command.output, "output")
    token = (command.raw.get("operation", {}).get("pagination") or {}).get("output_token")
    if token is not None and schema.get("type") == "object":
        # A result cut by --max-items carries the token to go on with (--starting-token).
        schema["properties"]["NextToken"] = {
            "type": "string",
            "description": "The token to give to `--starting-token` to go on where this "
            "result stopped (only when `--max-items` cut the result).",
        }
    return schema


def schema_text(command, which: str) -> str:
    """``json-schema`` or ``output-schema``, as the JSON text printed."""
    schema = input_schema(command) if which == "json-schema" else output_schema(command)
    return json.dumps(schema, indent=4, ensure_ascii=False) + "\n"


def _document(command, shape, which: str) -> dict:
    title = f"{command.service} {command.name} ({which})"
    head = {"$schema": DIALECT, "title": title}
    if command.documentation.strip():
        head["description"] = command.documentation.strip()
    if shape is None:
        return {**head, "type": "object", "properties": {}, "additionalProperties": False}
    builder = _Schema(output=which == "output")
    body = builder.walk(shape)
    schema = {**head, **body}
    if builder.defs:
        schema["$defs"] = builder.definitions()
    return schema


class _Schema(ShapeWalker):
    """``walk(shape)``: the schema of one shape; recursive shapes go to ``$defs``."""

    def __init__(self, output: bool):
        super().__init__()
        self.output = output
        self.defs: dict[str, object] = {}  # name -> shape, for the ones referred to

    def recursive(self, shape):
        self.defs.setdefault(shape.name, shape)
        return {"$ref": f"#/$defs/{shape.name}"}

    def definitions(self) -> dict:
        done: dict[str, dict] = {}
        while len(done) < len(self.defs):
            for name, shape in list(self.defs.items()):
                if name not in done:
                    # Written with itself open, so its self-references become $refs too.
                    self.stack.append(name)
                    try:
                        done[name] = getattr(self, "visit_" + shape.type)(shape)
                    finally:
                        self.stack.pop()
        return dict(sorted(done.items()))

    def visit_structure(self, shape):
        props = {}
        for name, member in shape.members.items():
            schema = self.walk(member.shape)
            notes = [member.documentation.strip(), schema.get("description", "")]
            if member.idempotency_token and len(self.stack) == 1 and not self.output:
                # request/build.py fills a top-level token left out or null
                schema = {**schema, "type": [schema.get("type", "string"), "null"]}
                notes.append("Left out or null, clishape fills in a fresh UUID.")
            if member.deprecated:
                notes.insert(0, "Deprecated.")
                schema = {**schema, "deprecated": True}
            note = "\n\n".join(n for n in notes if n)
            if note:
                schema = {**schema, "description": note}
            props[name] = schema
        out: dict = {"type": "object", "properties": props, "additionalProperties": False}
        required = [name for name in shape.required if not shape.members[name].idempotency_token]
        if required:
            out["required"] = required
        if shape.union:
            out["minProperties"] = 1
            out["maxProperties"] = 1
            out["description"] = "A tagged union: give exactly one of its members."
        return out

    def visit_list(self, shape):
        out: dict = {"type": "array", "items": self.walk(shape.member.shape)}
        _sizes(out, shape, "minItems", "maxItems")
        return out

    def visit_map(self, shape):
        out: dict = {"type": "object", "additionalProperties": self.walk(shape.value.shape)}
        key = shape.key.shape if shape.key is not None else None
        if key is not None:
            names = self.visit_leaf(key)
            names.pop("type", None)
            if names:
                out["propertyNames"] = names
        _sizes(out, shape, "minProperties", "maxProperties")
        return out

    def visit_leaf(self, shape):
        kind = shape.type
        if kind == "string":
            out: dict = {"type": "string"}
            _sizes(out, shape, "minLength", "maxLength")
            if shape.enum:
                out["enum"] = list(shape.enum)
            if shape.pattern:
                if _compiles(shape.pattern):
                    out["pattern"] = shape.pattern
                else:  # clishape does not check it either (request/validate.py)
                    out["$comment"] = f"not checked (not a Python regex): {shape.pattern}"
            return out
        if kind in ("integer", "long", "float", "double"):
            out = {"type": "integer" if kind in ("integer", "long") else "number"}
            _sizes(out, shape, "minimum", "maximum")
            return out
        if kind == "boolean":
            return {"type": "boolean"}
        if kind == "timestamp":
            out = {"type": ["string", "number"], "format": "date-time"}
            if not self.output:
                out["pattern"] = TIMESTAMP_PATTERN
            out["description"] = "ISO 8601 (2024-01-31T12:00:00Z) or seconds since 1970."
            return out
        if kind == "blob":
            out = {"type": "string", "contentEncoding": "base64"}
            if not self.output:
                out["pattern"] = BASE64_PATTERN
            return out
        return {}  # document: any JSON value


def _sizes(out: dict, shape, low_key: str, high_key: str) -> None:
    if shape.min is not None:
        out[low_key] = shape.min
    if shape.max is not None:
        out[high_key] = shape.max


def _compiles(pattern: str) -> bool:
    import re

    try:
        re.compile(pattern)
    except (re.error, OverflowError):
        return False
    return True
