"""``clishape-spec lint``: shipped specs are clean; broken specs get one clear line per problem."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from cli_core.settings import SHIPPED_SPECS
from clishape_tools.spec_cli import main

SERVICE = """\
clishape: 1
service: demo
metadata: {protocol: json, apiVersion: '2020-01-01'}
shapes:
  Name: {type: string, min: 1}
  Shared:
    type: structure
    members:
      Inner: {shape: NotShared}
"""


def run(capsys, *argv):
    code = main(["lint", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_every_shipped_spec_is_clean(capsys):
    code, out, err = run(capsys, SHIPPED_SPECS)
    assert (code, err) == (0, "")
    assert out.endswith("no problems\n")


def test_default_is_every_spec_root(capsys, monkeypatch, tmp_path):
    write(tmp_path / "demo", "_service.yaml", "clishape: 1\nservice: demo\nmetadata: {}\n")
    monkeypatch.setenv("CLISHAPE_SPEC_PATH", str(tmp_path))
    code, out, _ = run(capsys)
    assert code == 1
    assert f"{tmp_path}/demo/_service.yaml:3:1: metadata: 'protocol' is a required key" in out


def test_broken_specs(capsys, tmp_path, snapshot):
    folder = tmp_path / "demo-folder"
    write(folder, "_service.yaml", SERVICE)
    write(
        folder,
        "get-thing.yaml",
        """\
        clishape: 1
        command: get-thing
        operation: GetThing
        documentaton: typo in a key
        input: GetThingRequest
        output: Missing
        errors: [Gone]
        pagination: {input_token: NextToken, output_token: NextToken, limit_key: MaxItems}
        shapes:
          GetThingRequest:
            type: structure
            required: [Name, Nope]
            members:
              Name: {shape: Name}
              Query: {shape: Name}
              MaxItems: {type: integer}
              Thing: {shape: Name, cli_name: name}
              Other: {shape: Name, cli_aliases: [region]}
              Color: {type: string, enum: [RED], pattern: 1}
              List: {type: list, members: {}}
              Ref: {shape: Undefined, min: 3}
        """,
    )
    write(
        folder,
        "wrong-name.yaml",
        """\
        clishape: 2
        command: other-name
        operation: Other
        wire: {idempotnt: true}
        """,
    )
    write(folder, "bad-yaml.yaml", "clishape: [1\n")
    code, out, err = run(capsys, tmp_path)
    assert code == 1
    assert err.startswith("20 problem(s) in 4 spec file(s)")
    assert out.replace(str(tmp_path), "TMP") == snapshot


def test_one_file_is_checked_against_its_service(capsys, tmp_path):
    folder = tmp_path / "demo"
    write(folder, "_service.yaml", SERVICE.replace("NotShared", "Name"))
    write(
        folder,
        "ok.yaml",
        "clishape: 1\ncommand: ok\noperation: Ok\ninput: {type: structure, members: "
        "{N: {shape: Name}}}\n",
    )
    code, out, _ = run(capsys, folder / "ok.yaml")
    assert (code, out) == (0, "1 spec file(s) in 1 service(s): no problems\n")


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("Query: {shape: Name}", "option --query collides with the global option --query"),
        ("Debug: {type: boolean}", "option --debug collides with the global option --debug"),
        ("X: {shape: Name, cli_name: cli-input-json}", "collides with the global option"),
    ],
)
def test_global_option_collisions(capsys, tmp_path, member, message):
    folder = tmp_path / "demo"
    write(folder, "_service.yaml", SERVICE.replace("NotShared", "Name"))
    write(
        folder,
        "cmd.yaml",
        f"clishape: 1\ncommand: cmd\noperation: Cmd\ninput:\n  type: structure\n"
        f"  members:\n    {member}\n",
    )
    code, out, _ = run(capsys, folder)
    assert code == 1
    assert message in out


def test_a_service_is_found_by_name_on_the_spec_path(capsys, monkeypatch, tmp_path):
    write(tmp_path / "demo", "_service.yaml", SERVICE)
    monkeypatch.setenv("CLISHAPE_SPEC_PATH", str(tmp_path))
    code, out, _ = run(capsys, "demo")
    assert code == 1
    assert out == (
        f"{tmp_path}/demo/_service.yaml:9:15: shapes.Shared.members.Inner.shape: "
        "unknown shape 'NotShared' (not a shared shape)\n"
    )
    code, out, _ = run(capsys, "voice-id")
    assert (code, out) == (0, "30 spec file(s) in 1 service(s): no problems\n")


def test_an_unknown_name_is_one_problem(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CLISHAPE_SPEC_PATH", str(tmp_path))
    code, out, err = run(capsys, "no-such-service")
    assert code == 1
    assert out == "no-such-service: no such file or folder, nor a service on the spec path\n"
    assert err == "1 problem(s) in 0 spec file(s)\n"


def test_a_bad_spec_path_entry_is_one_line(capsys, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("CLISHAPE_SPEC_PATH", str(tmp_path / "file"))
    code, out, err = run(capsys)
    assert code == 253
    assert err == f"clishape-spec: CLISHAPE_SPEC_PATH entry '{tmp_path}/file': not a folder\n"


def test_lint_and_the_runtime_report_the_same_problems(capsys, tmp_path):
    """One checker: what lint prints is what refuses the spec at run time."""
    from cli_core.testing import run as run_cli

    folder = tmp_path / "demo"
    write(folder, "_service.yaml", SERVICE.replace("NotShared", "Name"))
    write(
        folder,
        "cmd.yaml",
        """\
        clishape: 1
        command: cmd
        operation: Cmd
        input:
          type: structure
          members:
            Query: {shape: Name, locationNam: q}
            Mode: {type: string, enum: [A], timestampFormat: iso8601}
        """,
    )
    code, out, _ = run(capsys, folder)
    assert code == 1
    result = run_cli(["demo", "cmd"], env={"CLISHAPE_SPEC_PATH": str(tmp_path)})
    assert result.exit_code == 253
    lines = result.stderr.splitlines()
    assert lines[0] == "clishape: error: broken spec (3 problems):"
    assert [line.strip() for line in lines[1:]] == out.splitlines()
    assert "(did you mean locationName?)" in out
    assert "unknown key 'timestampFormat' for a string shape" in out


def test_handler_references_are_found_without_running_them(capsys, monkeypatch, tmp_path, snapshot):
    """Each ``handler:`` names a module on the path and a top-level name in its source; the
    package's code is read, never run (its ``__init__`` would fail the test if it were)."""
    package = tmp_path / "code" / "lintpkg_handlers"
    write(package, "__init__.py", "raise RuntimeError('imported by the linter')\n")
    write(
        package,
        "ops.py",
        """\
        raise RuntimeError("imported by the linter")

        from os.path import join as joined

        def create(request, context): ...

        async def later(request, context): ...

        class Book:
            def add(self, request, context): ...

        answer = lambda request, context: {}

        try:
            from fast import speedy
        except ImportError:
            def speedy(request, context): ...
        """,
    )
    write(package, "broken.py", "def create(:\n")
    write(package, "dynamic.py", "def __getattr__(name): ...\n")
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    folder = tmp_path / "specs" / "demo"
    write(folder, "_service.yaml", "clishape: 1\nservice: demo\n")
    references = {
        "ok-function": "lintpkg_handlers.ops:create",
        "ok-async": "lintpkg_handlers.ops:later",
        "ok-method": "lintpkg_handlers.ops:Book.add",
        "ok-assigned": "lintpkg_handlers.ops:answer",
        "ok-imported": "lintpkg_handlers.ops:joined",
        "ok-in-try": "lintpkg_handlers.ops:speedy",
        "ok-dynamic": "lintpkg_handlers.dynamic:anything",
        "no-function": "lintpkg_handlers.ops:delete",
        "no-method": "lintpkg_handlers.ops:Book.remove",
        "no-module": "lintpkg_handlers.nope:create",
        "no-package": "no_such_package_xyz.handlers:create",
        "not-python": "lintpkg_handlers.broken:create",
    }
    for name, reference in references.items():
        write(
            folder,
            f"{name}.yaml",
            f"clishape: 1\ncommand: {name}\noperation: Op\nhandler: {reference}\n",
        )
    code, out, err = run(capsys, folder)
    assert code == 1
    assert err == "5 problem(s) in 13 spec file(s)\n"
    assert out.replace(str(tmp_path), "TMP") == snapshot
    assert "lintpkg_handlers" not in sys.modules


def test_the_example_app_lints_clean(capsys):
    """examples/notes: its handlers are found (when notes_cli is importable: installed, or on
    the path as here)."""
    example = Path(__file__).resolve().parents[1] / "examples" / "notes"
    sys.path.insert(0, str(example))
    try:
        code, out, err = run(capsys, example / "notes_cli" / "specs")
    finally:
        sys.path.remove(str(example))
    assert (code, out, err) == (0, "9 spec file(s) in 2 service(s): no problems\n", "")
