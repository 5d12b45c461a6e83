"""The spec format's JSON Schema (``clishape-spec schema``), made from the checker's own tables."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from cli_core.settings import SHIPPED_SPECS
from clishape_tools.spec_cli import main
from clishape_tools.spec_schema import spec_schema

FIXTURES = SHIPPED_SPECS.parent / "tests" / "fixtures" / "specs"


def _spec_files():
    for root in (SHIPPED_SPECS, FIXTURES):
        yield from sorted(root.glob("*/*.yaml"))


def _validator(kind):
    schema = spec_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("kind", ["service", "command"])
def test_the_schema_is_a_valid_json_schema_and_printed_by_the_cli(kind, capsys):
    assert main(["schema", kind]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == spec_schema(kind)
    jsonschema.Draft202012Validator.check_schema(printed)


def test_every_shipped_and_fixture_spec_passes_the_schema():
    validators = {"service": _validator("service"), "command": _validator("command")}
    files = list(_spec_files())
    assert len(files) > 30
    for path in files:
        kind = "service" if path.name == "_service.yaml" else "command"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validators[kind].iter_errors(data)]
        assert errors == [], path


@pytest.mark.parametrize(
    "broken",
    [
        {"shapes": {"A": {"type": "strin"}}},
        {"shapes": {"A": {"type": "string", "locationNam": "x"}}},
        {"shapes": {"A": {"type": "list"}}},  # a list needs 'member'
        {"shapes": {"A": {"type": "structure", "members": {"B": {"shape": "C", "bogus": 1}}}}},
        {"clishape": 2},
    ],
)
def test_what_the_checker_refuses_the_schema_refuses_too(broken, tmp_path):
    service = {"clishape": 1, "service": "x", "metadata": {"protocol": "json"}, "shapes": {}}
    service.update(broken)
    assert not _validator("service").is_valid(service)
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "_service.yaml").write_text(yaml.safe_dump(service), encoding="utf-8")
    assert main(["lint", str(folder)]) == 1
