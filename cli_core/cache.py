"""Beside the stages: the per-user cache of derived files (compiled specs, trimmed endpoint data).

An entry is one JSON file in a slot (named after what it is for, e.g. a spec file's path) that
holds the value together with the key it was made from: a hash of the source bytes and of the
version of whatever made it. A reader gets the value only when the key matches, so an edited
source is never served stale, and an unreadable, truncated or mismatching entry is simply built
again. The folder is the user's own (created with mode 0700); a folder owned by someone else or
writable by group or others is not used at all, so nobody else can plant an entry. Writes are
atomic (a temporary file in the same folder, then a rename).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

try:  # the built-in module: ``hashlib`` would load OpenSSL, which costs start-up time
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - every CPython build has it
    from hashlib import blake2b


def content_key(*parts: bytes | str) -> str:
    """A hash of the parts, each length-prefixed so that boundaries count."""
    digest = blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def private_folder(root: Path | None, *sub: str) -> Path | None:
    """``root/sub...``, created mode 0700; None when it is not safely the user's own (then
    nothing is created below it)."""
    if root is None:
        return None
    folder = Path(root)
    try:
        for part in (None, *sub):
            if part is not None:
                folder = folder / part
            folder.mkdir(mode=0o700, parents=part is None, exist_ok=True)
            if not _is_private(folder):
                return None
    except (OSError, ValueError):
        return None
    return folder


def _is_private(path: Path) -> bool:
    """A real folder, owned by this user, that nobody else may write to.

    Folders this module creates are mode 0700; an existing one is never changed (it may be any
    folder the user named), only refused when someone else may write to it.
    """
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def slot_name(label: str, source: str) -> str:
    """A file name for the entry made from ``source`` (a readable label, then a hash)."""
    prefix = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:40]
    return f"{prefix}-{content_key(source)[:16]}.json"


def read_entry(folder: Path | None, name: str, key: str):
    """The value stored under ``name`` when it was made from ``key``; None otherwise."""
    if folder is None:
        return None
    try:
        with open(folder / name, encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or "value" not in entry:
        return None
    return entry["value"]


def write_entry(folder: Path | None, name: str, key: str, value) -> None:
    """Store ``value`` under ``name`` with its key (atomically; a failure only costs speed)."""
    if folder is None:
        return
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "value": value}, fh, separators=(",", ":"))
        os.replace(tmp, folder / name)
    except (OSError, ValueError, TypeError, RecursionError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
