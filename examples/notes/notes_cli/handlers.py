"""The handlers of the notes commands: ``handler(request, context) -> response``.

The engine has already parsed, merged and validated ``request`` against the command's input
shape: required members are there, types and minimums hold (else exit 252 before any handler
runs), a ``fileb://`` file is bytes. Like the AWS CLI, the engine only *warns* about values
above a maximum, off their pattern or enum, and leaves the refusal to the service: here the
handlers are the service, so they refuse those themselves (``_limit``). The returned document is
printed in the chosen output format; ``CommandError`` is an error answer (exit 254).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import datetime

from cli_core import CommandError

from notes_cli.store import files_folder, notebook, now

PAGE_SIZE = 10  # notes per page of list-notes unless --page-size (MaxResults) says otherwise


def create_note(request, context):
    _limit("Title", len(request["Title"]), 200)
    _limit("Tags", len(request.get("Tags", [])), 10)
    with notebook(context.environ, write=True) as book:
        note_id = f"n-{book['next']:04d}"
        book["next"] += 1
        book["notes"][note_id] = {
            "NoteId": note_id,
            "Title": request["Title"],
            "Body": request.get("Body", ""),
            "Tags": request.get("Tags", []),
            "CreatedAt": now(context.environ).isoformat(),
            "Attachments": [],
        }
        context.log.debug("created %s", note_id)
        return {"Note": _shown(book["notes"][note_id])}


def get_note(request, context):
    with notebook(context.environ) as book:
        return {"Note": _shown(_find(book, request["NoteId"]))}


def list_notes(request, context):
    """One page: the notes after ``NextToken`` (the last id of the page before)."""
    with notebook(context.environ) as book:
        notes = sorted(book["notes"].values(), key=_number)
    if "Tag" in request:
        notes = [n for n in notes if request["Tag"] in n["Tags"]]
    if request.get("NextToken") is not None:
        after = _number({"NoteId": request["NextToken"]})
        notes = [n for n in notes if _number(n) > after]
    size = request.get("MaxResults") or PAGE_SIZE
    page = notes[:size]
    answer = {"Notes": [_summary(note) for note in page]}
    if len(notes) > size:
        answer["NextToken"] = page[-1]["NoteId"]
    return answer


def attach_file(request, context):
    content: bytes = request["File"]
    name = request["FileName"]
    _limit("File", len(content), 1024 * 1024)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):  # it becomes a path: no '..'
        raise CommandError(
            "InvalidFileName", f"The file name {name!r} is not a plain file name.", FileName=name
        )
    with notebook(context.environ, write=True) as book:
        note = _find(book, request["NoteId"])
        folder = files_folder(context.environ, note["NoteId"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        attachment = {
            "FileName": name,
            "Size": len(content),
            "Sha256": hashlib.sha256(content).hexdigest(),
        }
        others = [a for a in note["Attachments"] if a["FileName"] != name]
        note["Attachments"] = [*others, attachment]
        return {"Attachment": attachment}


def delete_note(request, context):
    with notebook(context.environ, write=True) as book:
        note = _find(book, request["NoteId"])
        del book["notes"][note["NoteId"]]
    shutil.rmtree(files_folder(context.environ, note["NoteId"]), ignore_errors=True)
    return {}


def _limit(member: str, size: int, most: int) -> None:
    if size > most:
        raise CommandError(
            "ValidationException", f"{member} has {size}, more than the maximum {most}.",
            Member=member,
        )  # fmt: skip


def _find(book, note_id):
    note = book["notes"].get(note_id)
    if note is None:
        raise CommandError("NoteNotFound", f"There is no note {note_id}.", NoteId=note_id)
    return note


def _number(note) -> int:
    try:
        return int(note["NoteId"].removeprefix("n-"))
    except ValueError:
        raise CommandError("InvalidToken", "The NextToken is not one list-notes gave.") from None


def _summary(note):
    keys = ("NoteId", "Title", "Tags")
    return {**{key: note[key] for key in keys}, "CreatedAt": _shown(note)["CreatedAt"]}


def _shown(note):
    return {**note, "CreatedAt": datetime.fromisoformat(note["CreatedAt"])}
