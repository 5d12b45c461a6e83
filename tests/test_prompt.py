"""Auto-prompt (issue 13, point 2): modes, the line prompts, and the full-screen prompt driven
through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from cli_core.argv import prompt
from cli_core.argv.parser import split_globals
from cli_core.argv.prompt import Catalog, documentation, suggestions
from cli_core.driver import IO, main
from cli_core.driver import _catalog as driver_catalog
from cli_core.settings import resolve_settings
from cli_core.testing import isolated_environ, run

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ROOTS = [FIXTURES]
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES), "AWS_DEFAULT_REGION": "us-east-1"}
PROBE = ["probe", "do-things"]
DRY = ["--cli-dry-run", *PROBE]
ROOT = Path(__file__).resolve().parent.parent
FULL_SCREEN = prompt.full_screen_prompt


def catalog() -> Catalog:
    return catalog_for(FIXTURES)


def params(result) -> dict:
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["params"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_on_terminal(argv, stdin="", env=None):
    """Run with standard input (and output) that say they are terminals."""
    out, err = _Terminal(), io.StringIO()
    environ = isolated_environ({**ENV, "AWS_PAGER": "", **(env or {})})
    code = main(
        argv, IO(stdin=_Terminal(stdin), stdout=out, stderr=err, environ=environ, isatty=True)
    )
    return out.getvalue(), err.getvalue(), code


# -- modes -----------------------------------------------------------------------------------


def test_flag_asks_for_the_missing_required_option():
    result = run(["--cli-auto-prompt", *DRY], stdin="abc\n", env=ENV)
    assert params(result)["StrArg"] == "abc"
    assert result.stderr == "--str-arg (string): "


@pytest.mark.parametrize("mode", ["on", "ON", "on-partial"])
def test_environment_modes_ask_for_what_is_missing(mode):
    result = run(DRY, stdin="abc\n", env={**ENV, "AWS_CLI_AUTO_PROMPT": mode})
    assert params(result)["StrArg"] == "abc"


def test_config_key_asks_and_the_environment_wins_over_it(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_auto_prompt = on-partial\n")
    env = {**ENV, "AWS_CONFIG_FILE": str(config)}
    assert params(run(DRY, stdin="abc\n", env=env))["StrArg"] == "abc"
    result = run(DRY, stdin="abc\n", env={**env, "AWS_CLI_AUTO_PROMPT": "off"})
    assert result.exit_code == 252 and result.stderr.startswith("clishape: error:")


def test_no_auto_prompt_flag_wins_over_environment_and_config(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\ncli_auto_prompt = on\n")
    env = {**ENV, "AWS_CLI_AUTO_PROMPT": "on", "AWS_CONFIG_FILE": str(config)}
    result = run(["--no-cli-auto-prompt", *DRY], stdin="abc\n", env=env)
    assert result.exit_code == 252
    assert result.stderr.startswith("clishape: error: the following arguments are required")


def test_unknown_mode_is_a_configuration_error_naming_its_source():
    result = run(DRY, stdin="abc\n", env={**ENV, "AWS_CLI_AUTO_PROMPT": "sometimes"})
    assert result.exit_code == 253
    assert "AWS_CLI_AUTO_PROMPT" in result.stderr and "on-partial" in result.stderr


def test_help_never_prompts():
    result = run([*PROBE, "help"], stdin="abc\n", env={**ENV, "AWS_CLI_AUTO_PROMPT": "on"})
    assert result.exit_code == 0 and result.stderr == ""


def test_a_complete_line_is_not_prompted_for_without_a_terminal():
    for mode in ("on", "on-partial"):
        result = run(
            [*DRY, "--str-arg", "abc"], stdin="x\n", env={**ENV, "AWS_CLI_AUTO_PROMPT": mode}
        )
        assert params(result)["StrArg"] == "abc" and result.stderr == ""


WAITERS = """
waiters:
  things-done:
    command: do-things
    delay: 1
    maxAttempts: 1
    acceptors: [{state: success, matcher: status, expected: 200}]
"""


def test_a_waiter_is_prompted_for_as_the_command_it_polls(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "probe", tmp_path / "probe")
    with open(tmp_path / "probe" / "_service.yaml", "a", encoding="utf-8") as service:
        service.write(WAITERS)
    env = {**ENV, "CLISHAPE_SPEC_PATH": str(tmp_path)}
    result = run(["--cli-auto-prompt", "probe", "wait", "things-done"], stdin="", env=env)
    assert result.exit_code == 252
    assert result.stderr.startswith("--str-arg (string): clishape: error:")
    waiters = catalog_for(tmp_path)
    assert [o.text for o in suggestions("probe wait th", waiters)[1]] == ["things-done"]
    assert "--str-arg" in [o.text for o in suggestions("probe wait things-done --", waiters)[1]]


def catalog_for(root: Path) -> Catalog:
    """The catalog the driver hands the prompt, over the specs under ``root``."""
    args, _rest = split_globals([])
    environ = isolated_environ({"CLISHAPE_SPEC_PATH": str(root)})
    return driver_catalog(resolve_settings(args, environ))


def test_line_prompts_never_import_prompt_toolkit():
    code = (
        "import sys\n"
        "from cli_core.testing import run\n"
        f"r = run({['--cli-auto-prompt', *DRY]!r}, stdin='abc\\n', env={ENV!r})\n"
        "assert r.exit_code == 0, r\n"
        "print('prompt_toolkit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# -- line prompts: optional parameters on request ---------------------------------------------


@pytest.fixture
def no_extra(monkeypatch):
    """As without the optional extra: line prompts even on a terminal."""
    monkeypatch.setattr(prompt, "full_screen_available", lambda io: False)


def test_on_a_terminal_optional_parameters_are_offered_after_the_required_ones(no_extra):
    answers = "abc\n?\n--int-arg\n7\n--enum-arg GREEN\n\n"
    out, err, code = run_on_terminal(["--cli-auto-prompt", *DRY], stdin=answers)
    assert code == 0, err
    sent = json.loads(out)["params"]
    assert (sent["StrArg"], sent["IntArg"], sent["EnumArg"]) == ("abc", 7, "GREEN")
    assert "  --int-arg (integer)\n" in err  # the list asked for with ?
    assert "  --str-arg" not in err  # already answered: not listed
    assert err.count(prompt.OPTIONAL_PROMPT) == 4  # ?, --int-arg, --enum-arg GREEN, Enter


def test_on_partial_asks_only_for_required_ones_even_on_a_terminal(no_extra):
    env = {"AWS_CLI_AUTO_PROMPT": "on-partial"}
    out, err, code = run_on_terminal(DRY, stdin="abc\n--int-arg 7\n", env=env)
    assert code == 0 and json.loads(out)["params"].get("IntArg") is None
    assert prompt.OPTIONAL_PROMPT not in err


def test_end_of_input_stops_asking_and_reports_what_is_missing(no_extra):
    out, err, code = run_on_terminal(["--cli-auto-prompt", *DRY], stdin="")
    assert code == 252 and "--str-arg" in err


# -- the full-screen prompt (prompt_toolkit pipe input) ----------------------------------------

pt_input = pytest.importorskip("prompt_toolkit.input")
pt_output = pytest.importorskip("prompt_toolkit.output")


def screen(keys: str, words=()) -> str:
    with pt_input.create_pipe_input() as pipe:
        pipe.send_text(keys)
        return prompt.full_screen_prompt(
            list(words), catalog(), input=pipe, output=pt_output.DummyOutput()
        )


def test_tab_completes_services_commands_and_options_fuzzily():
    assert screen("pro\tdthg\t--str\tabc\r") == "probe do-things --str-arg abc"


def test_the_line_given_is_where_the_prompt_starts():
    assert screen("--int-arg 3\r", words=[*PROBE, "--str-arg", "a b"]) == (
        "probe do-things --str-arg 'a b' --int-arg 3"
    )


def test_an_open_quote_is_not_run():
    assert screen("probe do-things --str-arg 'a\r'\r") == "probe do-things --str-arg 'a'"


@pytest.mark.parametrize("key", ["\x03", "\x04"])
def test_ctrl_c_or_ctrl_d_cancels(key):
    with pytest.raises(KeyboardInterrupt):
        screen("probe" + key)


def test_menu_offers_required_options_first_and_not_those_given():
    _word, offers = suggestions("probe do-things --int-arg 3 --", catalog())
    names = [offer.text for offer in offers]
    assert names[0] == "--str-arg" and offers[0].display == "--str-arg (required)"
    assert "--int-arg" not in names and "--cli-auto-prompt" not in names
    assert "--output" in names  # global options too
    assert offers[0].meta == "[string] A string."


def test_menu_offers_values_of_enums_and_global_choices():
    assert [o.text for o in suggestions("probe do-things --enum-arg G", catalog())[1]] == ["GREEN"]
    assert "yaml-stream" in [o.text for o in suggestions("--output y", catalog())[1]]


def test_panel_documents_the_option_at_hand_or_the_command():
    assert documentation("probe do-things --int-arg ", catalog()).startswith(
        "--int-arg (integer)\n\nAn integer from 1 to 10."
    )
    assert "Values: RED, GREEN, BLUE" in documentation("probe do-things --enum-arg", catalog())
    assert documentation("probe do-things ", catalog()).startswith("probe do-things\n\nDoes things")


def test_fuzzy_score_prefers_prefixes_then_substrings_then_scattered_letters():
    assert prompt.fuzzy_score("desc", "describe-domain") == 0
    assert prompt.fuzzy_score("domain", "describe-domain") == 1
    assert prompt.fuzzy_score("dd", "describe-domain") > 1
    assert prompt.fuzzy_score("zz", "describe-domain") is None


@contextmanager
def through_pipe(monkeypatch, keys):
    """The driver's full-screen prompt, reading ``keys`` from a pipe."""
    real = FULL_SCREEN
    with pt_input.create_pipe_input() as pipe:
        pipe.send_text(keys)
        monkeypatch.setattr(prompt, "full_screen_available", lambda io: True)
        monkeypatch.setattr(
            prompt, "full_screen_prompt", partial(real, input=pipe, output=pt_output.DummyOutput())
        )
        yield


def test_driver_shows_the_finished_line_then_runs_it(monkeypatch):
    with through_pipe(monkeypatch, "--str-arg abc\r"):
        out, err, code = run_on_terminal(["--cli-auto-prompt", *DRY])
    assert code == 0, err
    assert err == "> clishape --cli-dry-run probe do-things --str-arg abc\n"
    assert json.loads(out)["params"]["StrArg"] == "abc"


def test_on_partial_opens_the_prompt_only_when_the_line_fails(monkeypatch):
    monkeypatch.setattr(prompt, "full_screen_available", lambda io: True)
    monkeypatch.setattr(prompt, "full_screen_prompt", lambda *a, **k: pytest.fail("prompted"))
    env = {"AWS_CLI_AUTO_PROMPT": "on-partial"}
    out, err, code = run_on_terminal([*DRY, "--str-arg", "abc"], env=env)
    assert code == 0 and err == ""
    with through_pipe(monkeypatch, "--str-arg abc\r"):
        out, err, code = run_on_terminal(DRY, env=env)
    assert code == 0, err
    assert "error" not in err and err.startswith("> clishape ")


def test_a_spec_that_cannot_be_read_offers_nothing_and_the_line_still_runs():
    def broken(*args):
        raise OSError("unreadable")

    broken_catalog = Catalog(services=broken, commands=broken, waiters=broken, command=broken)
    with pt_input.create_pipe_input() as pipe:
        pipe.send_text("pro\t\r")
        text = prompt.full_screen_prompt(
            [], broken_catalog, input=pipe, output=pt_output.DummyOutput()
        )
    assert text == "pro"


def test_an_app_of_ones_own_reads_its_own_variable_and_offers_its_own_options(monkeypatch):
    from cli_core.app import App

    mytool = App(name="mytool", specs=[str(FIXTURES)], families=("core",))
    env = {"MYTOOL_CLI_AUTO_PROMPT": "on", "AWS_CLI_AUTO_PROMPT": "off"}
    result = run(DRY, stdin="abc\n", env=env, app=mytool)
    assert params(result)["StrArg"] == "abc" and result.stderr == "--str-arg (string): "
    args, _rest = split_globals([])
    settings = resolve_settings(args, isolated_environ(), mytool)
    offered = [o.text for o in suggestions("probe do-things --", driver_catalog(settings))[1]]
    assert "--output" in offered and "--region" not in offered and "--endpoint-url" not in offered
    out, err = _Terminal(), io.StringIO()
    with through_pipe(monkeypatch, "--str-arg abc\r"):
        code = main(
            ["--cli-auto-prompt", *DRY],
            IO(stdin=_Terminal(), stdout=out, stderr=err, environ=isolated_environ(), isatty=True),
            app=mytool,
        )
    assert code == 0, err.getvalue()
    assert err.getvalue() == "> mytool --cli-dry-run probe do-things --str-arg abc\n"


def test_on_partial_tells_in_the_prompt_why_the_line_did_not_run(monkeypatch):
    seen = {}

    def fake_screen(words, catalog, *, prog, note):
        seen.update(words=words, note=note)
        return "--cli-dry-run probe do-things --str-arg abc"

    monkeypatch.setattr(prompt, "full_screen_available", lambda io: True)
    monkeypatch.setattr(prompt, "full_screen_prompt", fake_screen)
    out, err, code = run_on_terminal(DRY, env={"AWS_CLI_AUTO_PROMPT": "on-partial"})
    assert code == 0, err
    assert seen["words"] == DRY
    assert "--str-arg" in seen["note"] and "required" in seen["note"]
