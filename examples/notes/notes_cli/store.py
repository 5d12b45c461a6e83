"""Where the notes live: one JSON file, ``NOTES_HOME/notes.json``, and the attached files
beside it (``NOTES_HOME/files/NOTE_ID/NAME``)."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


def notes_home(environ) -> Path:
    """``NOTES_HOME`` of the run's environment, else ``~/.notes``."""
    return Path(environ.get("NOTES_HOME") or "~/.notes").expanduser()


def now(environ) -> datetime:
    """The time a note is created: ``SOURCE_DATE_EPOCH`` when set (reproducible output)."""
    fixed = environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(fixed) if fixed else time.time(), UTC).replace(microsecond=0)


@contextmanager
def notebook(environ, write: bool = False):
    """The notebook as a dict (``{"next": 1, "notes": {...}}``); written back when ``write``."""
    home = notes_home(environ)
    path = home / "notes.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {"next": 1, "notes": {}}
    yield data
    if write:
        home.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)


def files_folder(environ, note_id: str) -> Path:
    return notes_home(environ) / "files" / note_id
