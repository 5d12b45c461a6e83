"""The notes command line, run in-process with clishape's test runner and snapshotted (syrupy).

Every test gets its own NOTES_HOME; SOURCE_DATE_EPOCH fixes the creation time, so the output is
the same on every run.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from cli_core.testing import run, snapshot_text

from notes_cli.cli import app

OUTPUTS = ["json", "yaml", "yaml-stream", "text", "table"]


@pytest.fixture
def notes(tmp_path):
    """Run ``notes ARGV...`` against a fresh notebook: ``notes("notes", "list-notes")``."""
    env = {"NOTES_HOME": str(tmp_path / "home"), "SOURCE_DATE_EPOCH": "1798761600"}

    def notes_run(*argv, extra_env=None, stdin=""):
        return run(list(argv), app=app, env={**env, **(extra_env or {})}, stdin=stdin)

    return notes_run


def created(notes, title, *more):
    result = notes("notes", "create-note", "--title", title, *more)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["Note"]["NoteId"]


def test_help_page_of_a_handler_command(notes, snapshot):
    result = notes("notes", "list-notes", "help")
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_the_program_name_is_notes(notes):
    result = notes("--version")
    assert result.stdout.startswith("notes/0.1.0 Python/")
    result = notes("notes", "get-note")
    assert result.exit_code == 252
    assert result.stderr.startswith("notes: error: the following arguments are required: --note-id")


def test_skeleton_of_a_handler_command(notes, snapshot):
    result = notes("notes", "create-note", "--generate-cli-skeleton", "yaml-input")
    assert result.exit_code == 0
    assert result.stdout == snapshot


@pytest.mark.parametrize("output", OUTPUTS)
def test_create_get_list_round_trip(notes, tmp_path, output, snapshot):
    body = tmp_path / "body.md"
    body.write_text("Milk, eggs and bread.", encoding="utf-8")
    first = notes(
        "notes", "create-note", "--title", "Shopping", "--body", f"file://{body}",
        "--tags", "home", "errands", "--output", output,
    )  # fmt: skip
    second = notes("notes", "create-note", "--title", "Call Ada", "--output", output)
    got = notes("notes", "get-note", "--note-id", "n-0001", "--output", output)
    listed = notes("notes", "list-notes", "--output", output)
    text = "\n".join(snapshot_text(r) for r in (first, second, got, listed))
    assert [r.exit_code for r in (first, second, got, listed)] == [0, 0, 0, 0]
    assert text == snapshot


def test_list_notes_is_paginated_by_the_engine(notes):
    for number in range(1, 6):
        created(notes, f"Note {number}", "--tags", "even" if number % 2 == 0 else "odd")
    everything = notes("notes", "list-notes", "--page-size", "2", "--query", "Notes[].NoteId")
    assert json.loads(everything.stdout) == ["n-0001", "n-0002", "n-0003", "n-0004", "n-0005"]

    first = json.loads(notes("notes", "list-notes", "--max-items", "3").stdout)
    assert [n["NoteId"] for n in first["Notes"]] == ["n-0001", "n-0002", "n-0003"]
    rest = notes("notes", "list-notes", "--starting-token", first["NextToken"])
    assert [n["NoteId"] for n in json.loads(rest.stdout)["Notes"]] == ["n-0004", "n-0005"]
    assert "NextToken" not in json.loads(rest.stdout)

    one_page = notes("notes", "list-notes", "--no-paginate", "--max-results", "2")
    assert json.loads(one_page.stdout)["NextToken"] == "n-0002"  # the handler's own token

    odd = notes(
        "notes", "list-notes", "--tag", "odd", "--query", "Notes[].Title", "--output", "text"
    )
    assert odd.stdout == "Note 1\tNote 3\tNote 5\n"


def test_query(notes, snapshot):
    created(notes, "First", "--tags", "a")
    created(notes, "Second", "--tags", "a", "b")
    result = notes(
        "notes", "list-notes", "--query", "Notes[?contains(Tags, 'b')].[NoteId, Title]",
        "--output", "table",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_attach_file_takes_a_blob(notes, tmp_path):
    note_id = created(notes, "Photo")
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    result = notes(
        "notes", "attach-file", "--note-id", note_id, "--file-name", "photo.png",
        "--file", f"fileb://{picture}",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "Attachment": {
            "FileName": "photo.png",
            "Size": 10,
            "Sha256": hashlib.sha256(picture.read_bytes()).hexdigest(),
        }
    }
    stored = tmp_path / "home" / "files" / note_id / "photo.png"
    assert stored.read_bytes() == picture.read_bytes()
    shown = notes("notes", "get-note", "--note-id", note_id, "--query", "Note.Attachments[].Size")
    assert json.loads(shown.stdout) == [10]


def test_an_error_answer_exits_254(notes, snapshot):
    result = notes("notes", "get-note", "--note-id", "n-0042")
    assert result.exit_code == 254
    assert result.exception.code == "NoteNotFound"
    assert snapshot_text(result) == snapshot
    as_json = notes("notes", "delete-note", "--note-id", "n-0042", "--cli-error-format", "json")
    assert json.loads(as_json.stderr) == {
        "Code": "NoteNotFound",
        "Message": "There is no note n-0042.",
        "NoteId": "n-0042",
    }


def test_a_file_name_that_leaves_the_folder_is_refused(notes, tmp_path):
    note_id = created(notes, "Sneaky")
    (tmp_path / "x").write_bytes(b"x")
    result = notes(
        "notes", "attach-file", "--note-id", note_id, "--file-name", "../escape",
        "--file", f"fileb://{tmp_path / 'x'}",
    )  # fmt: skip
    # the FileName pattern refuses it before the handler runs (which would refuse it too)
    assert result.exit_code == 252
    assert "--file-name (FileName): value '../escape' does not match the pattern" in result.stderr
    assert not (tmp_path / "home" / "files" / "escape").exists()


def test_bad_input_exits_252_before_the_handler_runs(notes, snapshot, tmp_path):
    result = notes("notes", "create-note", "--title", "", "--tags", "ok", "")
    assert result.exit_code == 252
    assert snapshot_text(result) == snapshot
    assert not (tmp_path / "home").exists()  # nothing was written


def test_limits_the_aws_cli_only_warns_about_are_errors_for_a_handler(notes, tmp_path):
    tags = [f"tag-{number}" for number in range(11)]
    result = notes("notes", "create-note", "--title", "Many", "--tags", *tags)
    assert result.exit_code == 252
    assert result.stderr.splitlines() == [
        "notes: error: Parameter validation failed:",
        "--tags (Tags): has 11 items, more than the maximum 10",
    ]
    assert not (tmp_path / "home").exists()


def test_the_handler_logs_under_debug(notes):
    quiet = notes("notes", "create-note", "--title", "Quiet")
    assert quiet.stderr == ""
    loud = notes("notes", "create-note", "--title", "Loud", "--debug")
    assert "notes: DEBUG: created n-0002\n" in loud.stderr


def test_a_handler_crash_is_one_line(notes, tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.json").write_text("{", encoding="utf-8")
    result = notes("notes", "list-notes")
    assert result.exit_code == 255
    assert result.stderr.startswith(
        "notes: error: the handler notes_cli.handlers:list_notes failed: JSONDecodeError: "
    )
    assert len(result.stderr.splitlines()) == 1


def test_delete_note(notes):
    note_id = created(notes, "Gone soon")
    result = notes("notes", "delete-note", "--note-id", note_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert notes("notes", "get-note", "--note-id", note_id).exit_code == 254


def test_voice_id_through_the_local_service(notes, snapshot):
    local = {"NOTES_LOCAL": "1"}
    created_domain = notes(
        "voice-id", "create-domain", "--name", "notes-demo", "--client-token", "token-1",
        "--server-side-encryption-configuration", "KmsKeyId=alias/notes",
        "--query", "Domain.[Name, DomainStatus, ServerSideEncryptionConfiguration.KmsKeyId]",
        "--output", "text", extra_env=local,
    )  # fmt: skip
    listed = notes("voice-id", "list-domains", "--query", "DomainSummaries[].Name", extra_env=local)
    assert (created_domain.exit_code, listed.exit_code) == (0, 0)
    assert created_domain.stdout + listed.stdout == snapshot


def test_voice_id_without_the_local_service_needs_credentials(notes):
    result = notes("voice-id", "list-domains", extra_env={"AWS_REGION": "us-east-1"})
    assert result.exit_code == 253
    assert result.stderr.startswith("notes: error: ")
