"""An app of one's own: program name, version, option families, spec folders, config file and
environment prefix — what a user sees of ``cli_core.App``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cli_core.app import App
from cli_core.errors import ConfigError
from cli_core.testing import run

ROOT = Path(__file__).resolve().parent.parent

SERVICE = """\
clishape: 1
service: tasks
documentation: Tasks kept by mytool.
shapes:
  Text: {type: string, min: 1, max: 20}
"""
COMMAND = """\
clishape: 1
command: add-task
operation: AddTask
documentation: Adds a task.
handler: mytool_handlers:add_task
input:
  type: structure
  required: [Title]
  members:
    Title: {shape: Text, documentation: What to do.}
output:
  type: structure
  members:
    Title: {shape: Text}
"""
HANDLERS = """\
def add_task(request, context):
    return {"Title": request["Title"]}
"""


@pytest.fixture
def mytool(tmp_path, monkeypatch):
    """An app ``mytool`` with one handler service, its specs in a folder of a package."""
    package = tmp_path / "site" / "mytool_pkg"
    folder = package / "specs" / "tasks"
    folder.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (folder / "_service.yaml").write_text(SERVICE)
    (folder / "add-task.yaml").write_text(COMMAND)
    (tmp_path / "site" / "mytool_handlers.py").write_text(HANDLERS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return App(
        name="mytool",
        version="1.2.3",
        specs=["mytool_pkg:specs"],
        families=("core",),
        description="mytool keeps tasks.",
    )


def test_version_names_the_app(mytool):
    result = run(["--version"], app=mytool)
    assert result.exit_code == 0
    assert result.stdout.startswith("mytool/1.2.3 Python/")


def test_help_and_errors_name_the_app(mytool):
    top = run(["help"], app=mytool)
    assert top.exit_code == 0
    assert top.stdout.startswith("NAME\n    mytool\n")
    assert "mytool keeps tasks." in top.stdout
    assert "mytool [options] <command> <subcommand> [parameters]" in top.stdout
    assert "o tasks" in top.stdout and "voice-id" not in top.stdout
    bare = run([], app=mytool)
    assert bare.exit_code == 252
    assert bare.stderr.startswith("mytool: error: the following arguments are required")
    assert "(see: mytool help)" in bare.stderr
    wrong = run(["taskz", "add-task"], app=mytool)
    assert wrong.exit_code == 252
    assert wrong.stderr.startswith("mytool: error: invalid service 'taskz'; maybe you meant: tasks")


def test_core_family_has_no_transport_options(mytool):
    page = run(["tasks", "add-task", "help"], app=mytool)
    assert page.exit_code == 0
    for option in ("--region", "--endpoint-url", "--no-sign-request", "--ca-bundle"):
        assert option not in page.stdout
    assert "--output" in page.stdout and "--query" in page.stdout
    refused = run(["tasks", "add-task", "--title", "x", "--region", "eu-west-1"], app=mytool)
    assert refused.exit_code == 252
    assert "Unknown options: --region" in refused.stderr


def test_aws_family_brings_transport_options(tmp_path):
    app = App(name="awsish", specs=[ROOT / "specs"], families=("aws",))
    assert app.families == ("core", "http", "aws")
    page = run(["voice-id", "describe-speaker-enrollment-job", "help"], app=app)
    assert "--region" in page.stdout and "--endpoint-url" in page.stdout


def test_a_handler_command_runs_under_the_app(mytool):
    result = run(["tasks", "add-task", "--title", "shop", "--output", "text"], app=mytool)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "shop\n", "")
    assert result.exception is None


def test_environment_prefix_and_config_file_are_the_apps(mytool, tmp_path):
    config = tmp_path / "mytool.ini"
    config.write_text("[default]\noutput = yaml\n[profile work]\noutput = text\n")
    env = {"MYTOOL_CONFIG_FILE": str(config)}
    line = ["tasks", "add-task", "--title", "shop"]
    assert run(line, app=mytool, env=env).stdout == "Title: shop\n"
    assert run([*line, "--profile", "work"], app=mytool, env=env).stdout == "shop\n"
    assert run(line, app=mytool, env={**env, "MYTOOL_PROFILE": "work"}).stdout == "shop\n"
    # the AWS CLI's variables are not this app's
    aws = {"AWS_DEFAULT_OUTPUT": "text", "MYTOOL_CONFIG_FILE": "/dev/null"}
    assert run(line, app=mytool, env=aws).stdout.startswith("{")
    mine = {"MYTOOL_DEFAULT_OUTPUT": "text", "MYTOOL_CONFIG_FILE": "/dev/null"}
    assert run(line, app=mytool, env=mine).stdout == "shop\n"


def test_default_config_file_is_in_the_home_folder(mytool, tmp_path):
    home = tmp_path / "home"
    (home / ".mytool").mkdir(parents=True)
    (home / ".mytool" / "config").write_text("[default]\noutput = text\n")
    env = {"HOME": str(home)}
    result = run(["tasks", "add-task", "--title", "a"], app=mytool, env=env, inherit_env=False)
    # isolated_environ names /dev/null as the app's config file; without it, ~/.mytool/config
    from cli_core.config import config_path

    assert config_path(env, mytool) == str(home / ".mytool" / "config")
    assert result.exit_code == 0


def test_spec_path_variable_is_named_after_the_app(mytool, tmp_path):
    extra = tmp_path / "extra" / "more"
    extra.mkdir(parents=True)
    (extra / "_service.yaml").write_text("clishape: 1\nservice: more\n")
    assert "o more" in run(["help"], app=mytool, env={"MYTOOL_SPEC_PATH": str(extra.parent)}).stdout
    assert "o more" not in run(["help"], app=mytool, env={"CLISHAPE_SPEC_PATH": str(extra.parent)}).stdout


def test_unknown_spec_package_is_a_configuration_error():
    app = App(name="broken", specs=["no_such_package_here:specs"], families=("core",))
    result = run(["help"], app=app)
    assert result.exit_code == 253
    assert result.stderr.startswith("broken: error: spec folder 'no_such_package_here:specs'")
    assert isinstance(result.exception, ConfigError)


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"name": ""}, "App name"),
        ({"name": "my tool"}, "App name"),
        ({"name": "x", "families": ("core", "grpc")}, "App families"),
    ],
)
def test_bad_app_is_refused_when_defined(kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        App(**kwargs)


def test_result_carries_the_exception():
    bad = run(["voice-id", "describe-speaker-enrollment-job", "--domain-id", "x"])
    assert bad.exit_code == 252
    assert type(bad.exception).__name__ == "UsageError"
    good = run(["--version"])
    assert good.exception is None


def test_console_script_entry_point_exits_with_the_code(mytool, tmp_path):
    script = tmp_path / "entry.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(tmp_path / "site")!r})
            from cli_core.app import App
            app = App(name="mytool", version="9", specs=["mytool_pkg:specs"], families=("core",))
            app.main()
            """
        )
    )
    env = {"PATH": "/usr/bin:/bin", "MYTOOL_CACHE_DIR": ""}
    ok = subprocess.run(
        [sys.executable, str(script), "tasks", "add-task", "--title", "t", "--output", "text"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert (ok.returncode, ok.stdout) == (0, "t\n")
    bad = subprocess.run(
        [sys.executable, str(script), "tasks", "add-task"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 252
    assert bad.stderr.startswith("mytool: error:")


ENDING = """
import atexit, sys, threading, time
from clishape_commands.app import main
atexit.register(lambda: sys.stderr.write("exit functions ran\\n"))
if sys.argv.pop(1) == "thread":
    def late():
        time.sleep(0.3)
        sys.stderr.write("the thread finished\\n")
    threading.Thread(target=late).start()
main()
"""


@pytest.mark.parametrize("thread", ["thread", "none"])
def test_the_process_ends_with_everything_written(thread):
    """The quick end of the process (no module teardown) still runs the exit functions, waits
    for a running thread and delivers all output through a pipe, with the exit code."""
    env = {"PATH": "/usr/bin:/bin", "CLISHAPE_CACHE_DIR": ""}
    argv = [sys.executable, "-c", ENDING, thread]
    help_page = ["voice-id", "describe-speaker-enrollment-job", "help"]
    page = subprocess.run([*argv, *help_page], capture_output=True, text=True, env=env)
    assert page.returncode == 0
    assert len(page.stdout) > 5000 and page.stdout == run(help_page).stdout
    assert page.stderr.count("exit functions ran") == 1
    assert ("the thread finished" in page.stderr) == (thread == "thread")
    bad = subprocess.run([*argv, "voice-id", "describe-speaker-enrollment-job"],
                         capture_output=True, text=True, env=env)  # fmt: skip
    assert bad.returncode == 252
    assert "exit functions ran" in bad.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line_and_255():
    """Output still buffered when the process ends, on a full disk: said, not lost silently."""
    env = {"PATH": "/usr/bin:/bin", "CLISHAPE_CACHE_DIR": ""}  # buffered stdout (no -u)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cli_core", "voice-id", "describe-speaker-enrollment-job",
             "--generate-cli-skeleton"], stdout=full, stderr=subprocess.PIPE, text=True, env=env,
            cwd=ROOT,
        )  # fmt: skip
    assert done.returncode == 255
    assert done.stderr == "clishape: error: the output could not be written: No space left on device\n"


def test_clishape_is_built_as_an_app():
    from clishape_commands.app import app

    assert isinstance(app, App)
    assert (app.name, app.env_prefix, app.families) == ("clishape", "CLISHAPE", ("core", "http", "aws"))
    assert app.local_endpoint is not None
    assert run(["--version"], app=app).stdout.startswith("clishape/")


def test_default_service_commands_run_without_the_service_name(mytool):
    from dataclasses import replace

    app = replace(mytool, default_service="tasks")
    short = run(["add-task", "--title", "shop", "--output", "text"], app=app)
    assert (short.exit_code, short.stdout) == (0, "shop\n")
    full = run(["tasks", "add-task", "--title", "shop", "--output", "text"], app=app)
    assert full.stdout == short.stdout
    page = run(["add-task", "help"], app=app)
    assert page.exit_code == 0 and "--title" in page.stdout
    top = run(["help"], app=app).stdout
    assert "AVAILABLE COMMANDS\n    o add-task\n" in top
    assert "AVAILABLE SERVICES\n    o tasks\n" in top
    wrong = run(["add-tsak"], app=app)
    assert wrong.exit_code == 252
    assert "invalid command 'add-tsak'; maybe you meant: add-task" in wrong.stderr
    from cli_core.complete.engine import candidates
    from cli_core.settings import spec_roots

    roots = spec_roots({}, app)
    assert candidates("mytool add", roots=roots, app=app) == ["add-task"]
    assert "--title" in candidates("mytool add-task --t", roots=roots, app=app)


def test_a_profile_that_does_not_exist_is_refused_by_a_handler_command(mytool, tmp_path):
    config = tmp_path / "mytool.ini"
    config.write_text("[default]\noutput = yaml\n[profile work]\noutput = text\n")
    env = {"MYTOOL_CONFIG_FILE": str(config)}
    line = ["tasks", "add-task", "--title", "shop"]
    assert run([*line, "--profile", "work"], app=mytool, env=env).exit_code == 0
    for missing in (["--profile", "nope"],):
        result = run([*line, *missing], app=mytool, env=env)
        assert result.exit_code == 253
        assert result.stderr == "mytool: error: The config profile (nope) could not be found\n"
    by_env = run(line, app=mytool, env={**env, "MYTOOL_PROFILE": "nope"})
    assert by_env.exit_code == 253
