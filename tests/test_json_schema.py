"""``--generate-cli-skeleton json-schema|output-schema``: a JSON Schema of every command.

Checked with the ``jsonschema`` package: every schema passes the draft 2020-12 metaschema, the
input and output skeletons of every shipped and imported command validate against their schemas,
and on random input documents the schema and clishape's own check agree (a document is valid for
the schema exactly when clishape reports neither an error nor a warning for it).
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cli_core.request.json_schema import _compiles, input_schema, output_schema
from cli_core.request.sample import output_sample
from cli_core.request.skeleton import input_skeleton
from cli_core.settings import SHIPPED_SPECS, spec_roots
from cli_core.shapes.codecs import json_default
from cli_core.shapes.model import Command
from cli_core.shapes.walk import plain_nodes
from cli_core.specs import loader
from cli_core.testing import run, snapshot_text
from clishape_tools.import_botocore import convert_model, installed_services, load_model

SEED = ["voice-id", "describe-speaker-enrollment-job"]
FIXTURES = "tests/fixtures/specs"


def printed(value):
    """A value as ``--output json`` prints it (timestamps ISO 8601, blobs base64)."""
    return json.loads(json.dumps(value, default=json_default))


# Value rules an input skeleton's placeholders ("" and 0, as in the AWS CLI) do not meet.
VALUE_RULES = {"minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems",
               "minProperties", "maxProperties", "propertyNames"}


def structure_only(schema, recursive=False):
    """The schema without its value rules: the shape of the document alone. A recursive shape
    (under ``$defs``) is where the skeleton stops with an empty value: its required members
    are not asked for there."""
    if isinstance(schema, list):
        return [structure_only(v, recursive) for v in schema]
    if not isinstance(schema, dict):
        return schema
    skip = VALUE_RULES | ({"required"} if recursive else set())
    out = {}
    for key, value in schema.items():
        if key in ("properties", "$defs"):  # names of members or definitions, not keywords
            out[key] = {name: structure_only(sub, recursive or key == "$defs")
                        for name, sub in value.items()}
        elif key not in skip:
            out[key] = structure_only(value, recursive)
    return out


def check_command(command: Command, metaschema: bool = True) -> list[str]:
    """Problems with one command's schemas and skeletons (empty when all is well).

    The output skeleton (a sample meeting every rule) must satisfy the whole output schema; the
    input skeleton, whose placeholders are not meant to be valid values, must have the schema's
    structure: the same members, types, enums and required members. With ``metaschema`` each
    schema is first checked against the draft 2020-12 metaschema.
    """
    problems = []
    for which, schema, skeleton in (
        ("input", input_schema(command), lambda: input_skeleton(command.input)),
        ("output", output_schema(command), lambda: output_sample(command.output)),
    ):
        if metaschema:
            try:
                Draft202012Validator.check_schema(schema)
            except Exception as error:  # noqa: BLE001 (reported, with the command)
                problems.append(f"{command.service} {command.name} {which}: bad schema: {error}")
                continue
        against = structure_only(schema) if which == "input" else schema
        errors = list(Draft202012Validator(against).iter_errors(printed(skeleton())))
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{command.service} {command.name} {which} skeleton /{where}: "
                            f"{error.message[:200]}")
    return problems


def patterns_in(schema) -> set[str]:
    found = set()
    for _depth, key, node in plain_nodes(schema):
        if key == "pattern" and isinstance(node, str):
            found.add(node)
    return found


# -- what a user sees ----------------------------------------------------------------------------


def test_seed_json_schema(snapshot):
    result = run([*SEED, "--generate-cli-skeleton", "json-schema"])
    assert result.exit_code == 0
    assert snapshot_text(result) == snapshot


def test_seed_output_schema(snapshot):
    result = run([*SEED, "--generate-cli-skeleton", "output-schema"])
    assert result.exit_code == 0
    assert snapshot_text(result) == snapshot


def test_schema_needs_no_required_option_and_sends_nothing():
    # No --domain-id/--job-id, and an endpoint nobody listens on: nothing is sent.
    result = run(["--endpoint-url", "http://127.0.0.1:9", *SEED,
                  "--generate-cli-skeleton", "json-schema"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["required"] == ["DomainId", "JobId"]


def test_paginated_output_schema_has_the_next_token():
    result = run(["voice-id", "list-speakers", "--generate-cli-skeleton", "output-schema"])
    schema = json.loads(result.stdout)
    assert schema["properties"]["NextToken"]["type"] == "string"
    assert "--starting-token" in schema["properties"]["NextToken"]["description"]


def test_recursive_shapes_use_defs():
    result = run(["blobby", "find-node", "--generate-cli-skeleton", "json-schema"],
                 env={"CLISHAPE_SPEC_PATH": FIXTURES})
    assert result.exit_code == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$defs"], "a recursive shape is written once under $defs"
    text = json.dumps(schema)
    assert '"$ref": "#/$defs/' in text
    Draft202012Validator.check_schema(schema)


def test_an_input_file_checked_with_the_schema_agrees_with_the_command(tmp_path):
    schema = json.loads(run([*SEED, "--generate-cli-skeleton", "json-schema"]).stdout)
    good = {"DomainId": "A" * 22, "JobId": "B" * 22}
    bad = {"DomainId": "A" * 21, "JobId": "B" * 22, "Extra": 1}
    assert Draft202012Validator(schema).is_valid(good)
    assert not Draft202012Validator(schema).is_valid(bad)
    dry = run([*SEED, "--cli-input-json", json.dumps(bad), "--cli-dry-run"])
    assert dry.exit_code == 252
    assert run([*SEED, "--cli-input-json", json.dumps(good), "--cli-dry-run"]).exit_code == 0


# -- every shipped and imported command ---------------------------------------------------------


def shipped_commands():
    roots = spec_roots({"CLISHAPE_SPEC_PATH": FIXTURES})
    for service in loader.list_services(roots):
        folder = loader.service_dir(service, roots)
        for name in loader.list_commands(folder):
            yield loader.load_command(service, name, roots)


def test_every_shipped_command():
    commands = list(shipped_commands())
    assert {c.service for c in commands} >= {"voice-id", "kms", "probe", "blobby"}
    problems = [p for command in commands for p in check_command(command)]
    assert problems == []


FULL = os.environ.get("CLISHAPE_SCHEMA_FULL") == "1"


@pytest.mark.slow
def test_every_imported_botocore_command(report):
    """Imported commands' skeletons validate against their schemas. By default: every command
    of every 8th installed service (and ec2, s3, iam, dynamodb), the metaschema on the largest
    command of each (every form the generator writes), every pattern checked as the metaschema
    checks a ``regex``. ``CLISHAPE_SCHEMA_FULL=1``: every command of every service, each schema
    against the metaschema (about ten minutes)."""
    counts = Counter()
    problems = []
    patterns: set[str] = set()
    services = installed_services()
    if not FULL:  # every 8th service and the most used ones: ~1/6 of the commands, ~1 minute
        services = sorted(set(services[::8]) | ({"ec2", "s3", "iam", "dynamodb"} & set(services)))
    for name in services:
        model = load_model(name)
        files = convert_model(model)
        service = files.pop("_service.yaml")
        commands = [Command(loader.compile_command(service, data)) for data in files.values()]
        if not commands:
            continue
        largest = max(commands, key=lambda c: len(json.dumps(input_schema(c))))
        for command in commands:
            full = FULL or command is largest
            problems.extend(check_command(command, metaschema=full))
            counts["metaschema"] += 2 if full else 0
            patterns |= patterns_in(input_schema(command)) | patterns_in(output_schema(command))
            counts["commands"] += 1
        counts["services"] += 1
    checker = Draft202012Validator.FORMAT_CHECKER
    bad = sorted(p for p in patterns if not checker.conforms(p, "regex"))
    problems.extend(f"pattern that is not a regex: {p}" for p in bad)
    # The sample output meets every pattern the example generator can satisfy; the others
    # (backreferences, inline flags, patterns no string can match) are listed in the report.
    misses = [p for p in problems if "output skeleton" in p and "does not match" in p]
    problems = [p for p in problems if p not in misses]
    missed = Counter(p.split("does not match ", 1)[1] for p in misses)
    report("json-schema-imported",
           f"JSON Schema: {counts['commands']} commands of {counts['services']} services; "
           f"skeletons checked for all, {counts['metaschema']} schemas against the metaschema, "
           f"{len(patterns)} distinct patterns as regexes; {len(problems)} problems; "
           f"{len(misses)} sample values miss {len(missed)} patterns the example generator "
           "cannot satisfy:\n" + "\n".join(f"  {n:4} {p}" for p, n in missed.most_common()))
    assert problems == []
    assert len(missed) <= 40, "the example generator satisfies fewer patterns than it did"
    assert counts["commands"] > (10_000 if FULL else 2_000)


# -- the schema and clishape's own check agree ---------------------------------------------------


def _wrong():
    return st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3),
                     st.lists(st.integers(), max_size=2), st.just({"x": 1}))


def sometimes_wrong(strategy):
    """``strategy``, and about one time in twenty a value of another type."""
    return st.integers(0, 19).flatmap(lambda n: _wrong() if n == 0 else strategy)


def _near(low, high, default_low, default_high):
    """Integers in [low, high], with one step past either end now and then."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    inside = st.integers(low, max(low, high))
    return st.integers(0, 9).flatmap(
        lambda n: st.sampled_from([low - 1, high + 1]) if n == 0 else inside
    )


def _strings(shape):
    low, high = shape.min or 0, shape.max if shape.max is not None else (shape.min or 0) + 12
    high = min(high, (shape.min or 0) + 12)
    options = [st.text(min_size=max(0, low - 1), max_size=high + 1)]
    if shape.enum:
        options += [st.sampled_from(shape.enum)] * 3
    pattern = shape.pattern
    if pattern and _compiles(pattern):
        fitting = st.from_regex(pattern, fullmatch=True).filter(lambda t: low <= len(t) <= high)
        options += [fitting] * 3
    return st.one_of(options)


def value_for(shape, depth=0):
    """Values of ``shape`` that are mostly valid, now and then wrong in one place."""
    kind = shape.type
    if depth > 4:
        return _wrong()
    if kind == "structure":
        required = [n for n in shape.required if not shape.members[n].idempotency_token]
        members = {name: value_for(m.shape, depth + 1) for name, m in shape.members.items()}
        if shape.union:
            choices = [st.fixed_dictionaries({name: s}) for name, s in members.items()]
            return sometimes_wrong(st.one_of(choices)) if choices else st.just({})
        must = {name: members[name] for name in required}
        may = {name: s for name, s in members.items() if name not in must}
        base = st.fixed_dictionaries(must, optional=may)
        return st.integers(0, 29).flatmap(
            lambda n: _mutate(base, n, required)
        )
    if kind == "list":
        low = shape.min or 0
        high = min(shape.max if shape.max is not None else low + 3, low + 3)
        items = st.lists(value_for(shape.member.shape, depth + 1),
                         min_size=max(0, low - 1), max_size=high + 1)
        return sometimes_wrong(items)
    if kind == "map":
        keys = _strings(shape.key.shape) if shape.key else st.text(max_size=5)
        return sometimes_wrong(st.dictionaries(keys, value_for(shape.value.shape, depth + 1),
                                               max_size=3))
    if kind == "string":
        return sometimes_wrong(_strings(shape))
    if kind in ("integer", "long"):
        return sometimes_wrong(_near(shape.min, shape.max, -10, 10))
    if kind in ("float", "double"):
        return sometimes_wrong(st.floats(-1e6, 1e6, allow_nan=False) | _near(shape.min,
                                                                             shape.max, -3, 3))
    if kind == "boolean":
        return sometimes_wrong(st.booleans())
    if kind == "timestamp":
        return sometimes_wrong(st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"),
                                         st.integers(0, 2_000_000_000), st.text(max_size=4)))
    if kind == "blob":
        return sometimes_wrong(st.binary(max_size=8).map(printed) | st.text(max_size=6))
    return st.one_of(st.none(), st.integers(), st.text(max_size=5), st.just({"a": [1]}))


def _mutate(base, n, required):
    """A structure as drawn, or (n of 0 and 1) with an unknown key or a required one missing."""
    if n == 0:
        return base.map(lambda d: {**d, "NoSuchMember": 1})
    if n == 1 and required:
        return base.map(lambda d: {k: v for k, v in d.items() if k != required[0]})
    return base


EXAMPLES = int(os.environ.get("CLISHAPE_SCHEMA_EXAMPLES", "150"))  # raise it for a long run
AGREEMENT_COMMANDS = [
    ("voice-id", "start-speaker-enrollment-job"),
    ("voice-id", "create-domain"),
    ("voice-id", "describe-speaker-enrollment-job"),
    ("probe", "do-things"),
    ("probe", "list-things"),
    ("blobby", "put-blob"),
    ("blobby", "put-items"),
]


def _command(service, name):
    roots = spec_roots({"CLISHAPE_SPEC_PATH": FIXTURES})
    return loader.load_command(service, name, roots)


def clishape_accepts(service, name, document) -> bool:
    """No error and no warning from clishape for this input document (nothing is sent)."""
    result = run([service, name, "--cli-input-json", json.dumps(document), "--cli-dry-run"],
                 env={"CLISHAPE_SPEC_PATH": FIXTURES})
    assert result.exit_code in (0, 252), result.stderr
    assert "internal error" not in result.stderr
    return result.exit_code == 0 and "warning" not in result.stderr


@pytest.mark.parametrize(("service", "name"), AGREEMENT_COMMANDS)
def test_schema_and_clishape_agree(service, name):
    command = _command(service, name)
    schema = input_schema(command)
    validator = Draft202012Validator(schema)

    @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))
    @given(value_for(command.input))
    def agree(document):
        assert validator.is_valid(document) == clishape_accepts(service, name, document), (
            json.dumps(document)[:500]
        )

    agree()


def test_shipped_spec_folder_is_covered():
    assert (SHIPPED_SPECS / "voice-id").is_dir()
