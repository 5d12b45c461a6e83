"""Properties of the request stage over generated shapes and documents (hypothesis)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from cli_core.argv.parser import ParsedCommand
from cli_core.errors import ParamError, Problem
from cli_core.request.binary import apply_binary_format
from cli_core.request.build import Request, build_request, merge_params, normalise_timestamps
from cli_core.request.inputdoc import parse_json, parse_yaml
from cli_core.request.sample import _OMIT, _Sampler, output_sample
from cli_core.request.skeleton import input_skeleton_text
from cli_core.request.validate import validate
from cli_core.request.yaml_skeleton import yaml_input_skeleton_text
from cli_core.shapes.model import Command
from cli_core.specs import compile_command

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Patterns the way service models write them, each with the shortest and longest text it
# allows (None: unbounded), so generated length limits can always be met.
PATTERNS = [
    ("^[a-zA-Z0-9]{22}$", 22, 22),
    ("^[a-z]+$", 1, None),
    ("^[a-zA-Z0-9][a-zA-Z0-9_-]*$", 1, None),
    ("^arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+$", 32, None),
    (r"^s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?$", 8, None),
    ("^id#[a-zA-Z0-9]{22}$", 25, 25),
    ("^(id#[a-zA-Z0-9]{22}|[a-zA-Z0-9][a-zA-Z0-9_-]*)$", 1, None),
    (r"^[\u0020-\uD7FF\uE000-\uFFFD\r\n\t]*$", 0, None),
    (r"^\d{4}-\d{2}-\d{2}$", 10, 10),
    (r"^\p{L}+$", 0, None),  # not a Python regex: neither checked nor generated
]
NAMES = st.from_regex(r"[A-Z][a-zA-Z0-9]{0,12}", fullmatch=True)
DOCS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40
) | st.sampled_from(["First. Second.", "Uses `code`: here.", "[A link](https://x.example).", ""])


@st.composite
def string_shapes(draw):
    shape: dict = {"type": "string"}
    choice = draw(st.integers(0, 3))
    if choice == 1:
        shape["enum"] = draw(st.lists(NAMES | st.just("true"), min_size=1, max_size=4, unique=True))
    elif choice == 2:
        pattern, shortest, longest = draw(st.sampled_from(PATTERNS))
        low = draw(st.integers(0, shortest + 3 if longest is None else shortest))
        high = draw(st.integers(max(low, shortest, 1), max(low, shortest, 1) + 40))
        if longest is not None:
            high = max(high, longest)
        shape.update(pattern=pattern, min=low, max=high)
    elif choice == 3:
        low = draw(st.integers(0, 30))
        shape.update(min=low, max=draw(st.integers(max(low, 1), 60)))
    return shape


@st.composite
def number_shapes(draw):
    kind = draw(st.sampled_from(["integer", "long", "float", "double"]))
    shape: dict = {"type": kind}
    if draw(st.booleans()):
        low = draw(st.integers(-100, 100))
        shape.update(min=low, max=draw(st.integers(low, low + 100)))
    elif draw(st.booleans()):
        shape["max"] = draw(st.integers(-100, 100))
    return shape


@st.composite
def blob_shapes(draw):
    shape: dict = {"type": "blob"}
    if draw(st.booleans()):
        low = draw(st.integers(0, 40))
        shape.update(min=low, max=draw(st.integers(max(low, 1), 80)))
    return shape


SCALARS = (
    string_shapes()
    | number_shapes()
    | blob_shapes()
    | st.sampled_from([{"type": "boolean"}, {"type": "timestamp"}, {"type": "document"}])
    | st.just({"shape": "Node"})  # the recursive shape of the service
)


def containers(children):
    def sized(kind, **parts):
        return st.builds(
            lambda low, extra, p: {"type": kind, **p, "min": low, "max": low + extra},
            st.integers(0, 3),
            st.integers(0, 3),
            st.fixed_dictionaries(parts),
        )

    structures = st.builds(
        lambda members, req, union: {
            "type": "structure",
            "members": members,
            "required": [] if union else [n for n in members if n in req],
            **({"union": True} if union and members else {}),
        },
        st.dictionaries(NAMES, children, max_size=5),
        st.sets(NAMES, max_size=3),
        st.sampled_from([False, False, False, True]),
    )
    keys = string_shapes().filter(lambda s: "min" not in s)

    @st.composite
    def maps(draw):
        key = draw(keys)
        low = draw(st.integers(0, min(3, len(key.get("enum", "abc")))))
        high = low + draw(st.integers(0, 3))
        return {"type": "map", "key": key, "value": draw(children), "min": low, "max": high}

    return structures | sized("list", member=children) | maps()


SHAPES = st.recursive(SCALARS, containers, max_leaves=12)


@st.composite
def commands(draw):
    members = draw(st.dictionaries(NAMES, SHAPES, min_size=1, max_size=6))
    for name in members:
        doc = draw(DOCS)
        if doc:
            members[name] = {**members[name], "documentation": doc}
    required = [n for n in members if draw(st.booleans())]
    if members and draw(st.booleans()):
        token = draw(NAMES.filter(lambda n: n not in members))
        members[token] = {"type": "string", "min": 1, "max": 64, "idempotencyToken": True}
        required.append(token)
    service = {
        "clishape": 1,
        "service": "gen",
        "shapes": {
            "Node": {
                "type": "structure",
                "required": ["Name"],
                "members": {
                    "Name": {"type": "string", "min": 1},
                    "Children": {"type": "list", "member": {"shape": "Node"}},
                    "Parent": {"shape": "Node"},
                },
            }
        },
    }
    spec = {
        "command": "gen",
        "operation": "Gen",
        "input": {"type": "structure", "members": members, "required": required},
        "output": {"type": "structure", "members": dict(members), "required": required},
    }
    return Command(compile_command(service, spec))


def _request(command, document, mode):
    params = merge_params(command.input, {}, document)
    params = normalise_timestamps(command.input, params)
    return apply_binary_format(command.input, params, mode)


@SETTINGS
@given(commands(), st.sampled_from(["base64", "raw-in-base64-out"]))
def test_json_and_yaml_skeletons_give_the_same_request(command, mode):
    json_text = input_skeleton_text(command.input, {})
    yaml_text = yaml_input_skeleton_text(command.input, {})
    from_json = _request(command, parse_json(json_text), mode)
    from_yaml = _request(command, parse_yaml(yaml_text), mode)
    assert from_json == from_yaml
    for line in yaml_text.splitlines():
        assert line == line.rstrip()


@SETTINGS
@given(commands())
def test_output_sample_passes_validation(command):
    note(json.dumps(command.raw["shapes"]))
    sample = output_sample(command.output)
    assert validate(command.output, sample) == ([], [])
    assert output_sample(command.output) == sample


@SETTINGS
@given(commands(), st.data())
def test_given_values_fill_both_skeletons_alike(command, data):
    given = {}
    for name, member in command.input.members.items():
        if data.draw(st.booleans()):
            value = output_sample_for(member.shape)
            if value is not None:
                given[name] = value
    json_doc = parse_json(input_skeleton_text(command.input, given))
    yaml_doc = parse_yaml(yaml_input_skeleton_text(command.input, given))
    assert _request(command, json_doc, "base64") == _request(command, yaml_doc, "base64")


def output_sample_for(shape):
    """A valid value for one shape, or None when it has none (a required recursion)."""
    value = _Sampler().walk(shape, shape.name, 0)
    return None if value is _OMIT else value


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
ANY_VALUES = st.recursive(
    JSON_VALUES
    | st.binary(max_size=8)
    | st.datetimes(timezones=st.just(UTC))
    | st.sampled_from(["Zm9v", "2024-01-31T00:00:00Z", "ab!c", "", "RED", "true"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def documents(draw, command, values):
    names = list(command.input.members) + ["Bogus"]
    keys = st.sampled_from(names) | st.text(max_size=6)
    return draw(st.dictionaries(keys, values, max_size=8))


@SETTINGS
@given(commands(), st.data(), st.sampled_from(["base64", "raw-in-base64-out"]))
def test_random_documents_never_crash(command, data, mode):
    document = data.draw(documents(command, ANY_VALUES))
    given = data.draw(documents(command, ANY_VALUES))
    try:
        params = merge_params(command.input, given, document)
        params = normalise_timestamps(command.input, params)
        params = apply_binary_format(command.input, params, mode)
    except ParamError:
        return
    errors, warnings = validate(command.input, params)
    lines = [str(problem) for problem in errors + warnings]
    assert all(isinstance(p, Problem) for p in errors + warnings)
    assert all("\n" not in line for line in lines)


@SETTINGS
@given(commands(), st.data())
def test_random_json_documents_build_or_fail_cleanly(command, data):
    document = data.draw(documents(command, JSON_VALUES))
    parsed = ParsedCommand(command, {}, {}, json.dumps(document), None, None, {})
    try:
        request = build_request(parsed)
    except ParamError as exc:
        assert exc.exit_code == 252
        assert str(exc)
    else:
        assert isinstance(request, Request)
        assert validate(command.input, request.params)[0] == []


def test_a_sample_timestamp_is_utc():
    command = Command(
        compile_command(
            {"clishape": 1, "service": "t", "shapes": {}},
            {
                "command": "t",
                "operation": "T",
                "output": {"type": "structure", "members": {"At": {"type": "timestamp"}}},
            },
        )
    )
    assert output_sample(command.output) == {"At": datetime(1970, 1, 1, tzinfo=UTC)}
