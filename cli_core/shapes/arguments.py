"""Shape layer — a command's argument customizations (``cli_arguments:`` of its spec) as views.

An ``Argument`` is an option that is not one top-level input member: it puts its value at a
nested member path (``--zip-file`` → ``Code.ZipFile``) or, split, into several members
(``--count 2:5`` → ``MinCount``, ``MaxCount``). The argv stage converts and places its values,
the help pages list it; both read it from here.
"""

from __future__ import annotations

from cli_core.frozen import Frozen
from cli_core.shapes.model import Command, Shape


class Argument(Frozen):
    """One ``cli_arguments`` entry. ``paths`` are member-name tuples from the input shape;
    ``shapes`` the shape at each path."""

    __slots__ = _fields = ("option", "paths", "shapes", "split", "default", "required",
                           "documentation")  # fmt: skip

    def __init__(
        self,
        option: str,
        paths: tuple[tuple[str, ...], ...],
        shapes: tuple[Shape, ...],
        split: str | None = None,
        default: str | None = None,
        required: bool = False,
        documentation: str = "",
    ):
        self._init(locals())

    @property
    def shape(self) -> Shape:
        """The shape the option's value has: its one member's, or a string to split."""
        return self.shapes[0]

    @property
    def is_boolean(self) -> bool:
        return self.split is None and self.shape.type == "boolean"

    @property
    def takes_list(self) -> bool:
        return self.split is None and self.shape.type == "list"

    @property
    def type_name(self) -> str:
        return "string" if self.split is not None else self.shape.type

    @property
    def tops(self) -> tuple[str, ...]:
        """The top-level members the option reaches."""
        return tuple(dict.fromkeys(path[0] for path in self.paths))

    @property
    def targets(self) -> str:
        """The member paths as the help page and messages show them."""
        return ", ".join(".".join(path) for path in self.paths)


def arguments(command: Command) -> tuple[Argument, ...]:
    """The command's argument customizations, in spec order (none without an input shape)."""
    table = command.raw["operation"].get("cli_arguments") or {}
    shape = command.input
    if not table or shape is None:
        return ()
    out = []
    for name, data in table.items():
        paths = data["members"]
        paths = [paths] if isinstance(paths, str) else paths
        split = tuple(tuple(p.split(".")) for p in paths)
        out.append(
            Argument(
                option="--" + name,
                paths=split,
                shapes=tuple(shape_at(shape, path) for path in split),
                split=data.get("split"),
                default=data.get("default"),
                required=bool(data.get("required")),
                documentation=data.get("documentation", ""),
            )
        )
    return tuple(out)


def shape_at(shape: Shape, path: tuple[str, ...]) -> Shape:
    """The shape at a member path through structures (the spec checker made sure it exists)."""
    for name in path:
        shape = shape.members[name].shape
    return shape
