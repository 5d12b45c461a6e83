"""Stage 3 (request) — ``--generate-cli-skeleton input``: the JSON input skeleton.

Input skeleton values (the reference CLI's, so the JSON is byte-identical to it for plain
commands): strings ``""`` or the first enum value, integers ``0``, floats ``0.0``, booleans
``true``, timestamps ``1970-01-01T00:00:00``, lists of one element, maps ``{"KeyName": ...}``,
structures with every member in model order, documents ``{}``. Differences, on purpose: a blob is
``""`` (base64 of nothing; the reference CLI prints ``null``, which it then rejects), and
recursive lists and maps stop like recursive structures do (each recursive shape is expanded
once, its self-references are empty).

The commented YAML skeleton is ``yaml_skeleton``; the sample output is ``sample``.
"""

from __future__ import annotations

import json
from datetime import datetime

from cli_core.shapes.codecs import json_default
from cli_core.shapes.walk import ShapeWalker

SKELETON_TIME = datetime(1970, 1, 1)


def input_skeleton(shape, yaml: bool = False) -> dict:
    """The input skeleton as data: timestamps as ISO text and blobs as "" for JSON, or as
    datetimes and bytes for YAML."""
    if shape is None:
        return {}
    return _Skeleton(yaml).walk(shape)


class _Skeleton(ShapeWalker):
    def __init__(self, yaml: bool):
        super().__init__()
        self.yaml = yaml

    def recursive(self, shape):
        return [] if shape.type == "list" else {}

    def visit_structure(self, shape):
        return {name: self.walk(m.shape) for name, m in shape.members.items()}

    def visit_list(self, shape):
        return [self.walk(shape.member.shape)]

    def visit_map(self, shape):
        return {"KeyName": self.walk(shape.value.shape)}

    def visit_leaf(self, shape):
        kind = shape.type
        if kind == "string":
            return shape.enum[0] if shape.enum else ""
        if kind in ("integer", "long"):
            return 0
        if kind in ("float", "double"):
            return 0.0
        if kind == "boolean":
            return True
        if kind == "timestamp":
            return SKELETON_TIME if self.yaml else SKELETON_TIME.isoformat()
        if kind == "blob":
            return b"" if self.yaml else ""
        return {}  # document


def input_skeleton_text(shape, given: dict) -> str:
    """``--generate-cli-skeleton input``: JSON, indent 4, values given on the command line filled in."""
    data = fill_given(input_skeleton(shape), given, shape)
    return json.dumps(data, indent=4, default=json_default) + "\n"


def fill_given(data: dict, given: dict, shape=None) -> dict:
    """The skeleton with the top-level members given on the command line put in.

    A streaming blob given on the command line is a file path, not the member's value in an
    input document (there it is base64 text), so its placeholder stays."""
    if not given:
        return data
    out = dict(data)
    members = shape.members if shape is not None else {}
    for name, value in given.items():
        if name in out and not (name in members and members[name].streaming_blob):
            out[name] = value
    return out
