"""Shape layer — the one walker: every stage that goes through a shape does it with these classes.

Two walks, each a base class with one method per shape kind and a dispatch:

* ``ValueWalker`` goes through a value along its shape: coercing option values, normalising
  timestamps, decoding blobs, validating, collecting and redacting sensitive values, reading the
  wire. It carries the member path (a tuple of parts, see ``cli_core.shapes.paths``) and the
  sensitivity, inherited downwards: below a sensitive member or shape everything is sensitive.
  With ``prune`` set to a shape type, subtrees that cannot contain that type are not entered (the
  shape's cached ``contains``). With ``rebuild`` (the default) containers are copied with what
  the walk returns for each child; without it the walk only looks.
* ``ShapeWalker`` goes through a shape alone: skeletons, samples, help pages and examples. It
  keeps the stack of open container shapes and refuses to open one that is already open
  ``limit`` times (the recursion guard), asking ``recursive`` what to put there instead.

``plain_nodes`` goes through a plain value that has no shape (a document, an unknown member),
without recursion, so no nesting depth can overflow the stack.
"""

from __future__ import annotations

CONTAINERS = frozenset({"structure", "list", "map"})
SKIP = object()  # ``visit_key`` returns it to leave a map entry out of the walk


class ValueWalker:
    """Walk a value along its shape; subclasses override the hooks they need.

    Hooks (``path`` is a tuple of parts, ``sensitive`` a bool):

    * ``visit_leaf(shape, value, path, sensitive)`` — scalars and documents;
    * ``mismatch(shape, value, path, sensitive)`` — a structure, list or map shape whose value is
      not a mapping or a list (default: the value unchanged);
    * ``unknown(shape, name, value, path, sensitive)`` — a key the structure has no member for;
    * ``visit_key(key_shape, key, path, sensitive)`` — a map key (returns the key, or ``SKIP``);
    * ``enter_structure``/``enter_list``/``enter_map(shape, value, path, sensitive)`` — a
      container with the right type of value, before its children are walked;
    * ``members(shape)`` — the member table used to look keys up (``Shape.member_table``);
    * ``entries(shape, value)`` — the ``(key, item)`` pairs of a structure to walk, in order
      (default: all of them, in the value's order).
    """

    prune: str | None = None
    rebuild: bool = True

    def walk(self, shape, value, path: tuple = (), sensitive: bool = False):
        prune = self.prune
        if prune is not None and prune not in shape.contained_types:  # Shape.contains, inlined
            return value
        if shape.sensitive:
            sensitive = True
        kind = shape.type
        if kind == "structure":
            if isinstance(value, dict):
                return self.visit_structure(shape, value, path, sensitive)
        elif kind == "list":
            if isinstance(value, (list, tuple)):
                return self.visit_list(shape, value, path, sensitive)
        elif kind == "map":
            if isinstance(value, dict):
                return self.visit_map(shape, value, path, sensitive)
        else:
            return self.visit_leaf(shape, value, path, sensitive)
        return self.mismatch(shape, value, path, sensitive)

    # -- containers --

    def visit_structure(self, shape, value: dict, path: tuple, sensitive: bool):
        self.enter_structure(shape, value, path, sensitive)
        table = self.members(shape)
        out = {} if self.rebuild else None
        walk = self.walk
        for name, item in self.entries(shape, value):
            entry = table.get(name)
            if entry is None:
                result = self.unknown(shape, name, item, path, sensitive)
            else:
                result = walk(entry[0], item, path + (name,), sensitive or entry[1])
            if out is not None:
                out[name] = result
        return value if out is None else out

    def visit_list(self, shape, value, path: tuple, sensitive: bool):
        self.enter_list(shape, value, path, sensitive)
        inner, inner_sensitive = shape.item_entry
        sensitive = sensitive or inner_sensitive
        walk = self.walk
        if self.rebuild:
            return [walk(inner, item, path + (i,), sensitive) for i, item in enumerate(value)]
        for i, item in enumerate(value):
            walk(inner, item, path + (i,), sensitive)
        return value

    def visit_map(self, shape, value: dict, path: tuple, sensitive: bool):
        self.enter_map(shape, value, path, sensitive)
        key_shape, key_sensitive = shape.key_entry or (None, False)
        inner, inner_sensitive = shape.value_entry
        inner_sensitive = sensitive or inner_sensitive
        key_sensitive = sensitive or key_sensitive
        out = {} if self.rebuild else None
        walk = self.walk
        for key, item in value.items():
            new_key = self.visit_key(key_shape, key, path, key_sensitive)
            if new_key is SKIP:
                continue
            result = walk(inner, item, path + (key,), inner_sensitive)
            if out is not None:
                out[new_key] = result
        return value if out is None else out

    # -- hooks --

    def members(self, shape) -> dict:
        return shape.member_table

    def entries(self, shape, value: dict):
        return value.items()

    def visit_leaf(self, shape, value, path: tuple, sensitive: bool):
        return value

    def mismatch(self, shape, value, path: tuple, sensitive: bool):
        return value

    def unknown(self, shape, name, value, path: tuple, sensitive: bool):
        return value

    def visit_key(self, key_shape, key, path: tuple, sensitive: bool):
        return key

    def enter_structure(self, shape, value, path: tuple, sensitive: bool) -> None:
        pass

    def enter_list(self, shape, value, path: tuple, sensitive: bool) -> None:
        pass

    def enter_map(self, shape, value, path: tuple, sensitive: bool) -> None:
        pass


class ShapeWalker:
    """Walk a shape alone. ``walk(shape, *context)`` calls ``visit_<kind>(shape, *context)``
    for structures, lists and maps and ``visit_leaf(shape, *context)`` for the rest; the
    visitors call ``walk`` for the children they want, passing whatever context they need.

    ``stack`` holds the names of the container shapes open above the current one. A container
    already open ``limit`` times is not opened again: ``recursive(shape, *context)`` answers for
    it. ``walk(..., guarded=False)`` opens it anyway (for walks bounded some other way).
    """

    limit = 1

    def __init__(self):
        self.stack: list[str] = []

    def walk(self, shape, *context, guarded: bool = True):
        kind = shape.type
        if kind not in CONTAINERS:
            return self.visit_leaf(shape, *context)
        if guarded and self.recursing(shape):
            return self.recursive(shape, *context)
        self.stack.append(shape.name)
        try:
            return getattr(self, "visit_" + kind)(shape, *context)
        finally:
            self.stack.pop()

    def recursing(self, shape) -> bool:
        """Whether walking ``shape`` now would open a container shape once too often."""
        return shape.type in CONTAINERS and self.stack.count(shape.name) >= self.limit

    def recursive(self, shape, *context):
        return None

    def visit_leaf(self, shape, *context):
        return None


def plain_nodes(value, max_depth: int | None = None):
    """Every node of a plain value (mappings, lists and leaves), depth first, as
    ``(depth, key, node)``; ``key`` is the mapping key the node is held under, or None.

    Iterative, so any nesting is safe. With ``max_depth``, nodes deeper than that are not
    entered (they are still yielded, so the caller can see it happened).
    """
    todo = [(0, None, value)]
    while todo:
        depth, key, node = todo.pop()
        yield depth, key, node
        if max_depth is not None and depth >= max_depth:
            continue
        if isinstance(node, dict):
            todo.extend((depth + 1, k, v) for k, v in reversed(node.items()))
        elif isinstance(node, (list, tuple)):
            todo.extend((depth + 1, None, v) for v in reversed(node))


def plain_strings(value) -> list[str]:
    """Every string a plain value holds (mapping keys are names, not values: not included)."""
    return [node for _depth, _key, node in plain_nodes(value) if isinstance(node, str)]
