"""The shape layer's one walker and one member-path type."""

from __future__ import annotations

import pytest

from cli_core.shapes.model import Command
from cli_core.shapes.paths import MemberPath, render
from cli_core.shapes.walk import ShapeWalker, ValueWalker, plain_nodes, plain_strings
from cli_core.specs import compile_command


def shape_of(members: dict, **shapes):
    """An input structure of inline members (and named ``shapes``), compiled like a spec."""
    service = {"clishape": 1, "service": "t", "shapes": shapes}
    command = {
        "command": "c",
        "operation": "Op",
        "input": {"type": "structure", "members": members},
    }
    return Command(compile_command(service, command)).input


TREE = {
    "Node": {
        "type": "structure",
        "members": {
            "Name": {"type": "string"},
            "Children": {"type": "list", "member": {"shape": "Node"}},
        },
    }
}


# -- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ((), ""),
        (("Job", "JobStatus"), "Job.JobStatus"),
        (("Items", 0, "Name"), "Items[0].Name"),
        (("Tags", "odd key"), 'Tags["odd key"]'),
        (("Tags", ""), 'Tags[""]'),
        (("Tags", 'say "hi"'), 'Tags["say \\"hi\\""]'),
        (("Tags", "a.b"), 'Tags["a.b"]'),
        (("Tags", "arn:aws:x/y@z=1"), "Tags.arn:aws:x/y@z=1"),
        ((3,), "[3]"),
    ],
)
def test_one_rendering_rule(parts, text):
    assert render(parts) == text
    assert str(MemberPath(parts)) == text
    assert f"{MemberPath(parts)}" == text


def test_member_path_is_an_immutable_sequence_of_parts():
    path = MemberPath(("Items",)).child(0).child("Name")
    assert path == ("Items", 0, "Name")
    assert str(path) == "Items[0].Name"
    assert not MemberPath() and str(MemberPath()) == ""


# -- value walks --------------------------------------------------------------------------------


class Recorder(ValueWalker):
    rebuild = False

    def __init__(self):
        self.leaves = []
        self.keys = []

    def visit_leaf(self, shape, value, path, sensitive):
        self.leaves.append((render(path), value, sensitive))

    def visit_key(self, key_shape, key, path, sensitive):
        self.keys.append((render(path), key, sensitive))
        return key


def test_sensitivity_is_inherited_downwards():
    shape = shape_of(
        {
            "Open": {"type": "string"},
            "Secret": {
                "type": "structure",
                "sensitive": True,
                "members": {"Inner": {"type": "list", "member": {"type": "string"}}},
            },
            "ByMember": {"shape": "Plain", "sensitive": True},
            "Keys": {
                "type": "map",
                "key": {"type": "string", "sensitive": True},
                "value": {"type": "string"},
            },
        },
        Plain={"type": "map", "key": {"type": "string"}, "value": {"type": "string"}},
    )
    walker = Recorder()
    walker.walk(
        shape,
        {
            "Open": "a",
            "Secret": {"Inner": ["b"]},
            "ByMember": {"k": "c"},
            "Keys": {"hidden": "d"},
        },
    )
    assert walker.leaves == [
        ("Open", "a", False),
        ("Secret.Inner[0]", "b", True),
        ("ByMember.k", "c", True),
        ("Keys.hidden", "d", False),
    ]
    assert walker.keys == [("ByMember", "k", True), ("Keys", "hidden", True)]


def test_rebuild_copies_and_keeps_unknown_keys_and_mismatched_values():
    shape = shape_of(
        {"N": {"type": "integer"}, "L": {"type": "list", "member": {"type": "integer"}}}
    )

    class Double(ValueWalker):
        def visit_leaf(self, shape, value, path, sensitive):
            return value * 2

    value = {"N": 2, "L": [1, 2], "Other": 5}
    out = Double().walk(shape, value)
    assert out == {"N": 4, "L": [2, 4], "Other": 5}
    assert value == {"N": 2, "L": [1, 2], "Other": 5}
    assert Double().walk(shape, {"L": "not a list"}) == {"L": "not a list"}


def test_pruning_skips_subtrees_without_the_kind():
    shape = shape_of(
        {
            "Plain": {"type": "structure", "members": {"S": {"type": "string"}}},
            "Stamped": {"type": "structure", "members": {"T": {"type": "timestamp"}}},
        }
    )

    class Seen(ValueWalker):
        prune = "timestamp"
        rebuild = False

        def __init__(self):
            self.seen = []

        def visit_leaf(self, shape, value, path, sensitive):
            self.seen.append(render(path))

    walker = Seen()
    walker.walk(shape, {"Plain": {"S": "x"}, "Stamped": {"T": "now"}})
    assert walker.seen == ["Stamped.T"]
    assert shape.contains("timestamp") and not shape.members["Plain"].shape.contains("timestamp")


def test_contains_sees_through_recursive_shapes():
    shape = shape_of({"Tree": {"shape": "Node"}}, **TREE)
    assert shape.contains("list") and shape.contains("string")
    assert not shape.contains("blob")
    assert shape.members["Tree"].shape.contained_types == {"structure", "list", "string"}


# -- shape walks -------------------------------------------------------------------------------


class Outline(ShapeWalker):
    def recursive(self, shape):
        return f"<{shape.name}>"

    def visit_structure(self, shape):
        return {name: self.walk(m.shape) for name, m in shape.members.items()}

    def visit_list(self, shape):
        return [self.walk(shape.member.shape)]

    def visit_map(self, shape):
        return {"*": self.walk(shape.value.shape)}

    def visit_leaf(self, shape):
        return shape.type


def test_the_recursion_guard_expands_a_recursive_shape_once():
    shape = shape_of({"Tree": {"shape": "Node"}}, **TREE)
    assert Outline().walk(shape) == {"Tree": {"Name": "string", "Children": ["<Node>"]}}


def test_the_recursion_limit_is_per_walker():
    class Twice(Outline):
        limit = 2

    shape = shape_of({"Tree": {"shape": "Node"}}, **TREE)
    inner = {"Name": "string", "Children": ["<Node>"]}
    assert Twice().walk(shape) == {"Tree": {"Name": "string", "Children": [inner]}}


# -- plain values ------------------------------------------------------------------------------


def test_plain_values_of_any_depth_are_walked_without_recursion():
    deep = "leaf"
    for _ in range(50_000):
        deep = [deep]
    assert plain_strings({"k": deep}) == ["leaf"]
    depths = [depth for depth, _key, _node in plain_nodes(deep, max_depth=10)]
    assert max(depths) == 10


def test_plain_strings_are_values_not_keys():
    assert plain_strings({"key": ["a", {"k2": "b"}, 3, None]}) == ["a", "b"]
