"""Shape layer — read-only views (shape, member, command) over a compiled command spec.

A compiled spec (see ``cli_core.specs``) is plain JSON-able data: service metadata, the operation,
and a flat table of named shapes whose members always refer to other shapes by name. These
classes wrap it the way botocore's ``model.py`` does: shapes are resolved lazily from the shared
table, so recursive shapes cost nothing until they are walked.
"""

from __future__ import annotations

from functools import cached_property

from cli_core.shapes.naming import cli_name

SCALAR_TYPES = frozenset(
    {"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"}
)


class Shape:
    """One shape: ``type`` is structure, list, map, document or a scalar type."""

    def __init__(self, table: ShapeTable, name: str, data: dict):
        self._table = table
        self.name = name
        self.raw = data
        self.type = data["type"]  # plain attributes: walks read these for every value
        self.sensitive = bool(data.get("sensitive"))

    def __repr__(self) -> str:
        return f"<Shape {self.name} {self.type}>"

    documentation = property(lambda self: self.raw.get("documentation", ""))
    enum = property(lambda self: tuple(self.raw.get("enum", ())))
    min = property(lambda self: self.raw.get("min"))
    max = property(lambda self: self.raw.get("max"))
    pattern = property(lambda self: self.raw.get("pattern"))
    required = property(lambda self: tuple(self.raw.get("required", ())))
    deprecated = property(lambda self: bool(self.raw.get("deprecated")))
    streaming = property(lambda self: bool(self.raw.get("streaming")))
    union = property(lambda self: bool(self.raw.get("union")))
    timestamp_format = property(lambda self: self.raw.get("timestampFormat"))

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALAR_TYPES

    def contains(self, kind: str) -> bool:
        """Whether a shape of type ``kind`` can occur anywhere under this one (this one included)."""
        return kind in self.contained_types

    @cached_property
    def contained_types(self) -> frozenset[str]:
        """The types of every shape reachable from this one, itself included (computed once)."""
        seen = {self.name: self}
        todo = [self]
        while todo:
            for member in todo.pop().children:
                shape = member.shape
                if shape.name not in seen:
                    seen[shape.name] = shape
                    todo.append(shape)
        return frozenset(shape.type for shape in seen.values())

    @cached_property
    def children(self) -> tuple[Member, ...]:
        """The member references of a structure, list (member) or map (key, value)."""
        parts = [*self.members.values(), self.member, self.key, self.value]
        return tuple(part for part in parts if part is not None)

    @cached_property
    def member_table(self) -> dict[str, tuple[Shape, bool]]:
        """A structure's members as ``name -> (shape, member is sensitive)``, for fast walks."""
        return {name: (m.shape, m.sensitive) for name, m in self.members.items()}

    @cached_property
    def item_entry(self) -> tuple[Shape, bool] | None:
        """A list's member as ``(shape, sensitive)``."""
        return (self.member.shape, self.member.sensitive) if self.member else None

    @cached_property
    def key_entry(self) -> tuple[Shape, bool] | None:
        """A map's key as ``(shape, sensitive)``."""
        return (self.key.shape, self.key.sensitive) if self.key else None

    @cached_property
    def value_entry(self) -> tuple[Shape, bool] | None:
        """A map's value as ``(shape, sensitive)``."""
        return (self.value.shape, self.value.sensitive) if self.value else None

    @cached_property
    def wire_member_table(self) -> dict[str, tuple[Shape, bool]]:
        """Like ``member_table``, also keyed by each member's wire name (``locationName``)."""
        table = {}
        for name, member in self.members.items():
            table[name] = (member.shape, member.sensitive)
            if member.location_name:
                table[member.location_name] = table[name]
        return table

    @cached_property
    def members(self) -> dict[str, Member]:
        return {
            name: Member(self._table, name, ref)
            for name, ref in self.raw.get("members", {}).items()
        }

    @cached_property
    def member(self) -> Member | None:
        ref = self.raw.get("member")
        return Member(self._table, "member", ref) if ref else None

    @cached_property
    def key(self) -> Member | None:
        ref = self.raw.get("key")
        return Member(self._table, "key", ref) if ref else None

    @cached_property
    def value(self) -> Member | None:
        ref = self.raw.get("value")
        return Member(self._table, "value", ref) if ref else None


class Member:
    """A reference to a shape from a structure member, list member, map key or map value."""

    def __init__(self, table: ShapeTable, name: str, ref: dict):
        self._table = table
        self.name = name
        self.raw = ref

    def __repr__(self) -> str:
        return f"<Member {self.name} -> {self.raw['shape']}>"

    @property
    def shape(self) -> Shape:
        return self._table.get(self.raw["shape"])

    @property
    def documentation(self) -> str:
        return self.raw.get("documentation") or self.shape.documentation

    idempotency_token = property(lambda self: bool(self.raw.get("idempotencyToken")))
    location = property(lambda self: self.raw.get("location"))
    location_name = property(lambda self: self.raw.get("locationName"))
    jsonvalue = property(lambda self: bool(self.raw.get("jsonvalue")))

    @property
    def deprecated(self) -> bool:
        return bool(self.raw.get("deprecated")) or self.shape.deprecated

    @property
    def sensitive(self) -> bool:
        return bool(self.raw.get("sensitive")) or self.shape.sensitive

    @property
    def option(self) -> str:
        """The command-line option for a top-level input member, with its dashes."""
        return "--" + (self.raw.get("cli_name") or cli_name(self.name))

    @property
    def aliases(self) -> tuple[str, ...]:
        """Hidden alternative option names (with dashes) that also set this member."""
        return tuple("--" + a for a in self.raw.get("cli_aliases", ()))

    @property
    def streaming_blob(self) -> bool:
        """A blob marked ``streaming`` (on the shape or the member): read from or written to a
        file rather than held in memory."""
        shape = self.shape
        return shape.type == "blob" and (shape.streaming or bool(self.raw.get("streaming")))


class ShapeTable:
    """The flat table of a compiled spec's shapes; wraps each shape once."""

    def __init__(self, shapes: dict[str, dict]):
        self._data = shapes
        self._cache: dict[str, Shape] = {}

    def get(self, name: str) -> Shape:
        shape = self._cache.get(name)
        if shape is None:
            shape = self._cache[name] = Shape(self, name, self._data[name])
        return shape

    def __contains__(self, name: str) -> bool:
        return name in self._data


class Command:
    """One command of one service, as the engine sees it."""

    def __init__(self, compiled: dict):
        self.raw = compiled
        self.shapes = ShapeTable(compiled["shapes"])

    def __repr__(self) -> str:
        return f"<Command {self.service} {self.name}>"

    service = property(lambda self: self.raw["service"])
    name = property(lambda self: self.raw["command"])
    metadata = property(lambda self: self.raw["metadata"])
    service_documentation = property(lambda self: self.raw.get("service_documentation", ""))
    operation = property(lambda self: self.raw["operation"]["name"])
    documentation = property(lambda self: self.raw["operation"].get("documentation", ""))
    errors = property(lambda self: tuple(self.raw["operation"].get("errors", ())))
    pagination = property(lambda self: self.raw["operation"].get("pagination"))
    deprecated = property(lambda self: bool(self.raw["operation"].get("deprecated")))
    handler = property(lambda self: self.raw["operation"].get("handler"))

    @property
    def input(self) -> Shape | None:
        name = self.raw["operation"].get("input")
        return self.shapes.get(name) if name else None

    @property
    def output(self) -> Shape | None:
        name = self.raw["operation"].get("output")
        return self.shapes.get(name) if name else None

    @cached_property
    def options(self) -> dict[str, Member]:
        """Top-level input members by option name (``--domain-id``), in model order."""
        shape = self.input
        if shape is None:
            return {}
        return {m.option: m for m in shape.members.values()}

    @cached_property
    def outfile_member(self) -> str | None:
        """The output member a positional ``outfile`` receives, or None: the output's
        ``payload`` when that member is a blob, streaming or not (the AWS CLI's rule), or an
        event stream whose events carry blob payloads (``s3api select-object-content``)."""
        shape = self.output
        payload = shape.raw.get("payload") if shape is not None else None
        member = shape.members.get(payload) if payload else None
        if member is None:
            return None
        if member.shape.type == "blob" or _carries_blob_events(member.shape):
            return payload
        return None

    @cached_property
    def streaming_inputs(self) -> tuple[str, ...]:
        """Top-level input members that are streaming blobs: the command line gives a file path."""
        shape = self.input
        if shape is None:
            return ()
        return tuple(name for name, m in shape.members.items() if m.streaming_blob)

    @cached_property
    def required_members(self) -> tuple[str, ...]:
        """Required top-level members the user must give (idempotency tokens are filled in)."""
        shape = self.input
        if shape is None:
            return ()
        return tuple(name for name in shape.required if not shape.members[name].idempotency_token)


def _carries_blob_events(shape: Shape) -> bool:
    """An event stream with an event whose payload member (``eventpayload``) is a blob."""
    if shape.type != "structure" or not shape.raw.get("eventstream"):
        return False
    return any(
        part.raw.get("eventpayload") and part.shape.type == "blob"
        for event in shape.members.values()
        for part in event.shape.members.values()
    )
