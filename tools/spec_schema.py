"""Tooling — the spec format as a JSON Schema (draft 2020-12), made from the format's own tables.

The checker of ``cli_core.specs`` reads the tables of ``cli_core/specs/format.py``; this module
writes the same tables out as a JSON Schema, for editors (a YAML language server completes keys
and flags mistakes as you type) and for anyone who validates specs with a JSON Schema validator.
There is one description of the format: the tables; the schema is derived from them, so it cannot
drift. What a schema cannot say (shape references that lead nowhere, colliding options) only
``clishape-spec lint`` checks.

``clishape-spec schema [service|command]`` prints it.
"""

from __future__ import annotations

from cli_core.specs import format as fmt

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def spec_schema(kind: str) -> dict:
    """The JSON Schema of a ``_service.yaml`` (``kind="service"``) or a command file."""
    if kind == "service":
        top, required, title = fmt.SERVICE_KEYS, fmt.SERVICE_REQUIRED, "clishape service spec"
    elif kind == "command":
        top, required, title = fmt.COMMAND_KEYS, fmt.COMMAND_REQUIRED, "clishape command spec"
    else:
        raise ValueError(f"no schema of kind {kind!r}; expected service or command")
    return {
        "$schema": DRAFT,
        "title": title,
        **_object(top, required),
        "$defs": {
            "shape": _shape(member_keys=False),
            "inlineMember": _shape(member_keys=True),
            "member": {
                "anyOf": [
                    {"type": "string"},
                    {**_object(fmt.MEMBER_KEYS, ("shape",))},
                    {"$ref": "#/$defs/inlineMember"},
                ]
            },
            "members": {"type": "object", "additionalProperties": {"$ref": "#/$defs/member"}},
            "shapes": {"type": "object", "additionalProperties": {"$ref": "#/$defs/shape"}},
        },
    }


def _object(table: dict, required=(), *, open_: bool = False) -> dict:
    out = {
        "type": "object",
        "properties": {key: _kind(kind) for key, kind in table.items()},
        "additionalProperties": open_,
    }
    if required:
        out["required"] = list(required)
    return out


def _kind(kind) -> dict:
    if isinstance(kind, tuple):
        form = kind[0]
        if form == "enum":
            return {"enum": list(kind[1])}
        if form == "const":
            return {"const": kind[1]}
        if form == "list":
            return {"type": "array", "items": _kind(kind[1])}
        if form == "named":
            return {"type": "object", "additionalProperties": _kind(kind[1])}
        if form == "options":  # option name -> object
            return {
                "type": "object",
                "propertyNames": {"pattern": fmt.NAME_PATTERN},
                "additionalProperties": _object(kind[1], kind[2]),
            }
        return _object(kind[1], kind[2], open_=form == "open")
    simple = {
        "str": {"type": "string"},
        "bool": {"type": "boolean"},
        "int": {"type": "integer"},
        "number": {"type": "number"},
        "mapping": {"type": "object"},
        "scalar": {"type": ["string", "number", "boolean"]},
        "name": {"type": "string", "pattern": fmt.NAME_PATTERN},
        "handler": {"type": "string", "pattern": fmt.HANDLER_PATTERN},
        "strings": {"type": "array", "items": {"type": "string"}},
        "names": {"type": "array", "items": {"type": "string", "pattern": fmt.NAME_PATTERN}},
        "tokens": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "member": {"$ref": "#/$defs/member"},
        "members": {"$ref": "#/$defs/members"},
        "shapes": {"$ref": "#/$defs/shapes"},
        "shape_or_inline": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/shape"}]},
    }
    return simple[kind]


def _shape(*, member_keys: bool) -> dict:
    """A shape: one branch per type, each allowing that type's keys (and a member's, inline)."""
    table = {**fmt.MEMBER_KEYS, **fmt.SHAPE_KEYS} if member_keys else fmt.SHAPE_KEYS
    branches = []
    for kind, keys in fmt.KEYS_BY_TYPE.items():
        allowed = set(keys) | ({*fmt.MEMBER_KEYS} - {"shape"} if member_keys else set())
        branch = _object({k: table[k] for k in sorted(allowed)}, ("type",))
        branch["properties"]["type"] = {"const": kind}
        branch["required"] = ["type", *fmt.REQUIRED_BY_TYPE.get(kind, ())]
        branches.append(branch)
    return {"oneOf": branches}
