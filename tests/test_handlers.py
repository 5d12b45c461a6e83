"""Python handlers (``handler:`` in a command's spec): what the engine does before and after the
author's code, as a user of the command line sees it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from cli_core import App, CommandError
from cli_core.testing import run, snapshot_text

SERVICE = """\
clishape: 1
service: notes
documentation: Notes kept in memory.
shapes:
  Id: {type: string, pattern: '^[0-9]+$'}
  Text: {type: string, min: 1}
  Note:
    type: structure
    members:
      Id: {shape: Id}
      Text: {shape: Text}
      Size: {shape: Size}
  Size: {type: integer}
  Notes: {type: list, member: {shape: Note}}
"""
COMMANDS = {
    "list-notes": """\
clishape: 1
command: list-notes
operation: ListNotes
documentation: Lists the notes, a page at a time.
handler: notes_handlers:list_notes
input:
  type: structure
  members:
    NextToken: {shape: Text}
    MaxResults: {shape: Size}
output:
  type: structure
  members:
    Notes: {shape: Notes}
    NextToken: {shape: Text}
pagination: {input_token: NextToken, output_token: NextToken, limit_key: MaxResults,
             result_key: Notes}
""",
    "get-note": """\
clishape: 1
command: get-note
operation: GetNote
documentation: Gets one note.
handler: notes_handlers:get_note
input:
  type: structure
  required: [Id]
  members:
    Id: {shape: Id}
output:
  type: structure
  members:
    Note: {shape: Note}
""",
    "put-note": """\
clishape: 1
command: put-note
operation: PutNote
documentation: Stores a note with its bytes and time.
handler: notes_handlers:put_note
input:
  type: structure
  required: [Text]
  members:
    Text: {shape: Text}
    Body: {shape: Bytes}
    When: {shape: When}
    Tags: {shape: Tags}
output:
  type: structure
  members:
    Received: {shape: Text}
shapes:
  Bytes: {type: blob}
  When: {type: timestamp}
  Tags: {type: map, key: {shape: Text}, value: {shape: Text}}
""",
}
HANDLERS = """\
import datetime
from cli_core import CommandError

NOTES = [{"Id": str(i), "Text": f"note {i}", "Size": i} for i in range(7)]
CALLS = []


def list_notes(request, context):
    CALLS.append(dict(request))
    context.log.debug("page from %s", request.get("NextToken"))
    start = int(request.get("NextToken") or 0)
    size = request.get("MaxResults") or 3
    answer = {"Notes": NOTES[start:start + size]}
    if start + size < len(NOTES):
        answer["NextToken"] = str(start + size)
    return answer


def get_note(request, context):
    for note in NOTES:
        if note["Id"] == request["Id"]:
            return {"Note": note}
    if request["Id"] == "99":
        return {"Note": {"Id": 99, "Colour": "red"}}  # does not fit the output shape
    if request["Id"] == "98":
        return ["not", "a", "mapping"]
    if request["Id"] == "97":
        raise ZeroDivisionError("division by zero")
    raise CommandError("NoteNotFound", f"No note {request['Id']}", NoteId=request["Id"])


def put_note(request, context):
    kinds = {k: type(v).__name__ for k, v in sorted(request.items())}
    when = request.get("When")
    if isinstance(when, datetime.datetime):
        kinds["When"] += " " + when.isoformat()
    if "Body" in request:
        kinds["Body"] += " " + repr(request["Body"])
    return {"Received": repr(kinds)}
"""


@pytest.fixture
def notes(tmp_path, monkeypatch):
    """The service ``notes`` (three handler commands) on the spec path; returns its env."""
    folder = tmp_path / "specs" / "notes"
    folder.mkdir(parents=True)
    (folder / "_service.yaml").write_text(SERVICE)
    for name, text in COMMANDS.items():
        (folder / f"{name}.yaml").write_text(text)
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes_handlers.py").write_text(HANDLERS)
    monkeypatch.syspath_prepend(str(site))
    sys.modules.pop("notes_handlers", None)
    yield {"CLISHAPE_SPEC_PATH": str(tmp_path / "specs")}
    sys.modules.pop("notes_handlers", None)


def test_handler_answer_is_printed_in_every_format(notes, snapshot):
    line = ["notes", "get-note", "--id", "3"]
    for output in ("json", "text", "table", "yaml", "yaml-stream"):
        result = run([*line, "--output", output], env=notes)
        assert result.exit_code == 0, result.stderr
        assert snapshot_text(result) == snapshot(name=output)
    queried = run([*line, "--query", "Note.Text", "--output", "text"], env=notes)
    assert queried.stdout == "note 3\n"


def test_request_is_merged_and_typed_before_the_handler(notes, tmp_path):
    data = tmp_path / "body.bin"
    data.write_bytes(b"\x00\x01")
    document = json.dumps({"Text": "from the document", "Tags": {"a": "b"}})
    result = run(
        ["notes", "put-note", "--cli-input-json", document, "--text", "from the line",
         "--body", f"fileb://{data}", "--when", "2026-11-30T10:00:00Z", "--output", "text"],
        env=notes,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    received = result.stdout.strip()
    assert "'Text': 'str'" in received and "'Tags': 'dict'" in received
    assert "'Body': \"bytes b'\\\\x00\\\\x01'\"" in received
    assert "'When': 'datetime 2026-11-30T10:00:00+00:00'" in received


def test_invalid_request_never_reaches_the_handler(notes):
    result = run(["notes", "get-note", "--cli-input-json", '{"Id": 5}'], env=notes)
    assert result.exit_code == 252
    assert "Parameter validation failed" in result.stderr
    assert "notes_handlers" not in sys.modules


def test_help_skeleton_and_dry_run_do_not_import_the_handler(notes):
    for line in (
        ["notes", "get-note", "help"],
        ["notes", "get-note", "--generate-cli-skeleton"],
        ["notes", "get-note", "--id", "1", "--cli-dry-run"],
        ["notes", "help"],
    ):
        assert run(line, env=notes).exit_code == 0
    assert "notes_handlers" not in sys.modules
    assert run(["notes", "get-note", "--id", "1"], env=notes).exit_code == 0
    assert "notes_handlers" in sys.modules


def test_command_error_exits_254_like_a_service_error(notes):
    result = run(["notes", "get-note", "--id", "7"], env=notes)
    assert result.exit_code == 254
    assert result.stderr.startswith(
        "clishape: error: An error occurred (NoteNotFound) when calling the GetNote operation: "
        "No note 7\n"
    )
    assert isinstance(result.exception, CommandError)
    as_json = run(["notes", "get-note", "--id", "7", "--cli-error-format", "json"], env=notes)
    assert json.loads(as_json.stderr) == {"Code": "NoteNotFound", "Message": "No note 7", "NoteId": "7"}


def test_other_exception_is_one_line_255_with_traceback_only_under_debug(notes):
    result = run(["notes", "get-note", "--id", "97"], env=notes)
    assert result.exit_code == 255
    assert result.stderr == (
        "clishape: error: the handler notes_handlers:get_note failed: ZeroDivisionError: "
        "division by zero (run again with --debug to see the traceback)\n"
    )
    assert isinstance(result.exception.__cause__, ZeroDivisionError)
    debug = run(["notes", "get-note", "--id", "97", "--debug"], env=notes)
    assert debug.exit_code == 255
    assert "Traceback" in debug.stderr and "notes_handlers.py" in debug.stderr


def test_answer_that_is_not_a_mapping_is_255(notes):
    result = run(["notes", "get-note", "--id", "98"], env=notes)
    assert result.exit_code == 255
    assert "returned list, expected a mapping" in result.stderr


def test_answer_outside_the_output_shape_is_never_silent(notes):
    result = run(["notes", "get-note", "--id", "99"], env=notes)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"Note": {"Id": 99, "Colour": "red"}}
    assert result.stderr == (
        "clishape: warning: the handler's answer does not fit the output shape of get-note "
        "(2 problems; run with --debug to see them)\n"
    )
    debug = run(["notes", "get-note", "--id", "99", "--debug"], env=notes)
    warnings = [line for line in debug.stderr.splitlines() if "handler's answer" in line]
    assert len(warnings) == 2
    assert any("Note.Id" in line for line in warnings)
    assert any("Colour" in line for line in warnings)


def test_unimportable_handler_is_a_configuration_error(notes, tmp_path):
    spec = tmp_path / "specs" / "notes" / "get-note.yaml"
    spec.write_text(spec.read_text().replace("notes_handlers:get_note", "no_such_module:get"))
    result = run(["notes", "get-note", "--id", "1"], env=notes)
    assert result.exit_code == 253
    assert "The handler 'no_such_module:get' of the command 'get-note' cannot be imported" in (
        result.stderr
    )
    spec.write_text(spec.read_text().replace("no_such_module:get", "notes_handlers:nothing"))
    result = run(["notes", "get-note", "--id", "1"], env=notes)
    assert result.exit_code == 253
    assert "the module 'notes_handlers' has no 'nothing'" in result.stderr


def test_handler_reference_must_look_like_module_function(notes, tmp_path):
    spec = tmp_path / "specs" / "notes" / "get-note.yaml"
    spec.write_text(spec.read_text().replace("notes_handlers:get_note", "notes_handlers.get_note"))
    result = run(["notes", "get-note", "--id", "1"], env=notes)
    assert result.exit_code == 253
    assert "handler: expected a handler reference module:function" in result.stderr


def _ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [note["Id"] for note in json.loads(result.stdout)["Notes"]]


def test_paginated_handler_gathers_every_page(notes):
    result = run(["notes", "list-notes"], env=notes)
    assert _ids(result) == [str(i) for i in range(7)]
    assert "NextToken" not in json.loads(result.stdout)
    import notes_handlers

    assert [call.get("NextToken") for call in notes_handlers.CALLS] == [None, "3", "6"]


def test_page_size_sets_the_limit_member(notes):
    assert _ids(run(["notes", "list-notes", "--page-size", "2"], env=notes)) == [
        str(i) for i in range(7)
    ]
    import notes_handlers

    assert [call.get("MaxResults") for call in notes_handlers.CALLS] == [2, 2, 2, 2]


def test_max_items_and_starting_token_resume_without_loss(notes):
    seen, token = [], None
    for _ in range(10):
        line = ["notes", "list-notes", "--max-items", "2"]
        if token:
            line += ["--starting-token", token]
        result = run(line, env=notes)
        seen += _ids(result)
        token = json.loads(result.stdout).get("NextToken")
        if not token:
            break
    assert seen == [str(i) for i in range(7)]


def test_no_paginate_returns_one_page_with_its_token(notes):
    result = run(["notes", "list-notes", "--no-paginate"], env=notes)
    assert json.loads(result.stdout) == {
        "Notes": [{"Id": "0", "Text": "note 0", "Size": 0}, {"Id": "1", "Text": "note 1", "Size": 1},
                  {"Id": "2", "Text": "note 2", "Size": 2}],
        "NextToken": "3",
    }  # fmt: skip


def test_bad_starting_token_is_a_parameter_error(notes):
    result = run(["notes", "list-notes", "--starting-token", "nonsense"], env=notes)
    assert result.exit_code == 252
    assert "--starting-token" in result.stderr


def test_logger_writes_only_under_debug(notes):
    quiet = run(["notes", "list-notes", "--output", "text"], env=notes)
    assert quiet.stderr == ""
    loud = run(["notes", "list-notes", "--output", "text", "--debug"], env=notes)
    assert "clishape: DEBUG: page from 3" in loud.stderr


def test_context_carries_app_settings_and_streams(tmp_path, monkeypatch):
    folder = tmp_path / "specs" / "probe"
    folder.mkdir(parents=True)
    (folder / "_service.yaml").write_text("clishape: 1\nservice: probe\n")
    (folder / "show-context.yaml").write_text(
        "clishape: 1\ncommand: show-context\noperation: ShowContext\n"
        "handler: probe_handlers:show\n"
    )
    (tmp_path / "probe_handlers.py").write_text(
        textwrap.dedent(
            """
            def show(request, context):
                return {
                    "App": context.app.name, "Service": context.service,
                    "Command": context.command, "Operation": context.operation,
                    "Home": context.environ.get("PROBE_HOME"), "Debug": context.debug,
                    "Setting": context.settings.config.get("colour"),
                }
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tmp_path / "config"
    config.write_text("[default]\ncolour = blue\n")
    app = App(name="probe", specs=[tmp_path / "specs"], families=("core",))
    env = {"PROBE_HOME": "/h", "PROBE_CONFIG_FILE": str(config)}
    result = run(["probe", "show-context"], app=app, env=env)
    assert json.loads(result.stdout) == {
        "App": "probe", "Service": "probe", "Command": "show-context",
        "Operation": "ShowContext", "Home": "/h", "Debug": False, "Setting": "blue",
    }  # fmt: skip


def test_two_hundred_handler_commands_cost_nothing_until_one_runs(tmp_path):
    """Help and skeletons of a big handler app import no handler module (measured from
    outside in a fresh interpreter: the modules loaded, not the time)."""
    folder = tmp_path / "specs" / "big"
    folder.mkdir(parents=True)
    (folder / "_service.yaml").write_text("clishape: 1\nservice: big\n")
    site = tmp_path / "site"
    site.mkdir()
    for i in range(200):
        (folder / f"do-{i}.yaml").write_text(
            f"clishape: 1\ncommand: do-{i}\noperation: Do{i}\nhandler: big_h{i}:run\n"
            "input: {type: structure, members: {Name: {shape: S}}}\n"
            "shapes: {S: {type: string}}\n"
        )
        (site / f"big_h{i}.py").write_text("def run(request, context):\n    return {}\n")
    probe = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        from cli_core.app import App
        app = App(name="big", specs=[{str(tmp_path / "specs")!r}], families=("core",))
        for line in (["big", "help"], ["big", "do-7", "help"],
                     ["big", "do-7", "--generate-cli-skeleton"]):
            assert app.main(line) == 0
        print("LOADED", sorted(m for m in sys.modules if m.startswith("big_h")))
        app.main(["big", "do-7", "--name", "x"])
        print("LOADED", sorted(m for m in sys.modules if m.startswith("big_h")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "BIG_CACHE_DIR": str(tmp_path / "cache")},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("LOADED")]
    assert lines == ["LOADED []", "LOADED ['big_h7']"]
