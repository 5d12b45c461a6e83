"""The values every run makes (``cli_core.frozen.Frozen``) behave as frozen dataclasses do."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from cli_core import App
from cli_core.errors import Problem
from cli_core.settings import SendSettings


def hook(home, environ):  # a local-service hook (module level: pickle finds it by name)
    raise AssertionError("not called")


def test_an_app_is_immutable_and_compared_without_its_hook():
    app = App(name="mytool", specs=["mytool_pkg:specs"], families=("core",), local_endpoint=hook)
    with pytest.raises(AttributeError):
        app.name = "other"
    with pytest.raises(AttributeError):
        del app.version
    same = App(name="mytool", specs=("mytool_pkg:specs",), families=("core",))
    assert app == same and hash(app) == hash(same)  # the hook is no part of the value
    assert app != App(name="mytool", families=("core",))
    assert "local_endpoint" not in repr(app) and "name='mytool'" in repr(app)
    assert app.families == ("core",) and app.env_prefix == "MYTOOL"


def test_dataclasses_functions_work_on_an_app():
    app = App(name="mytool", version="2", families=("core",), local_endpoint=hook)
    changed = dataclasses.replace(app, default_service="tasks")
    assert type(changed) is App
    assert (changed.default_service, changed.version) == ("tasks", "2")
    assert changed.local_endpoint is hook  # kept, though left out of == and repr
    assert app.default_service is None  # the original is unchanged
    assert app.replace(version="3").version == "3"
    assert dataclasses.is_dataclass(app)
    names = [f.name for f in dataclasses.fields(app)]
    assert names[:2] == ["name", "version"] and names[-1] == "local_endpoint"
    assert dataclasses.asdict(app)["env_prefix"] == "MYTOOL"
    with pytest.raises(ValueError, match="App name"):
        dataclasses.replace(app, name="no spaces")  # through __init__: checked again


def test_copies_and_pickles_are_equal_values():
    app = App(name="mytool", families=("core",), local_endpoint=hook)
    for made in (copy.copy(app), copy.deepcopy(app), pickle.loads(pickle.dumps(app))):
        assert made == app and made.local_endpoint is hook
    problem = Problem("too short", "DomainId", "--domain-id", path=("DomainId",))
    assert pickle.loads(pickle.dumps(problem)) == problem
    settings = SendSettings(region="eu-west-1", pagination={"MaxItems": 2})
    assert copy.deepcopy(settings) == settings


def test_a_problem_placed_keeps_its_key_path():
    problem = Problem("unknown key", "shapes.X", file="x.yaml", path=("shapes", "X"))
    placed = problem.at(3, 7)
    assert (placed.line, placed.column, placed.path) == (3, 7, ("shapes", "X"))
    assert str(placed) == "x.yaml:3:7: shapes.X: unknown key"
    assert problem == Problem("unknown key", "shapes.X", file="x.yaml")  # path not compared
    assert len({problem, Problem("unknown key", "shapes.X", file="x.yaml")}) == 1


def test_send_settings_replaced_as_the_wire_dry_run_does():
    settings = SendSettings(region="eu-west-1", environ={"A": "1"})
    unsigned = dataclasses.replace(settings, sign=False)
    assert (unsigned.sign, unsigned.region, unsigned.environ) == (False, "eu-west-1", {"A": "1"})
    assert SendSettings().pagination == {} and SendSettings().environ == {}
