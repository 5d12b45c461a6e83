"""The local service — voiceprints: a deterministic stand-in for Voice ID's voice matching.

The real service compares voices with a model; the local one compares audio *bytes*, so that a
test or a demo decides the outcome by choosing the files:

- The **shingles** of some audio are all its 4-byte sequences, at every offset, over the files
  it is made from (headers included), joined in the order given and cut at ``MAX_AUDIO_BYTES``
  (256 KiB, so that a long recording costs a fraction of a second).
- The **similarity** of two recordings is the Jaccard similarity of their shingle sets
  (shared / all), in percent, rounded down. Identical files score 100; a file and a longer
  recording that contains it score high; recordings of unrelated bytes score near 0; two
  recordings of silence (``clishape-local`` writes such files) score high, whatever their
  length; audio of fewer than 4 bytes scores 0 against anything.
- A **voiceprint** keeps what the comparison needs: the byte count and a bottom-k sketch (the
  ``SKETCH_SIZE`` smallest multiplicative hashes of the distinct shingles). Two sketches estimate the
  Jaccard similarity (exactly when a recording has at most ``SKETCH_SIZE`` distinct shingles).
- Audio of fewer than ``MIN_SPEECH_BYTES`` bytes is *not enough speech* for a session.

Speaker enrollment stores the enrolled audio's voiceprint with the speaker; fraudster
registration stores one with each fraudster. Duplicate detection, fraud detection (enrollment
jobs and sessions) and authentication (sessions) all use ``similarity``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from pathlib import Path

MIN_SPEECH_BYTES = 100
MAX_AUDIO_BYTES = 256 * 1024
SKETCH_SIZE = 256
_M64 = (1 << 64) - 1


_MULTIPLIER = 0x9E3779B97F4A7C15  # 2**64 / golden ratio: Knuth's multiplicative hashing


def _mixes(shingles: set[int]):
    """Each shingle times ``_MULTIPLIER`` modulo 2**64, kept to its top 53 bits (JSON-safe);
    computed with C-level maps, as a recording has up to a million distinct shingles."""
    products = map(_MULTIPLIER.__mul__, shingles)
    return map((11).__rrshift__, map(_M64.__and__, products))


def voiceprint(paths: Iterable[Path]) -> dict:
    """The voiceprint of the audio files ``paths`` (read whole, joined in order)."""
    chunks, size = [], 0
    for path in paths:
        with open(path, "rb") as audio:
            chunk = audio.read(max(0, MAX_AUDIO_BYTES - size))
            size += len(chunk) + _rest(audio)
        chunks.append(chunk)
    data = b"".join(chunks)[:MAX_AUDIO_BYTES]
    shingles: set[int] = set()
    for offset in range(4):
        usable = (len(data) - offset) // 4 * 4
        if usable > 0:
            shingles.update(memoryview(data[offset : offset + usable]).cast("I"))
    sketch = sorted(heapq.nsmallest(SKETCH_SIZE, set(_mixes(shingles))))
    return {"size": size, "sketch": sketch}


def _rest(audio) -> int:
    """How many bytes of an open file are left unread (without reading them)."""
    here = audio.tell()
    end = audio.seek(0, 2)
    return end - here


def similarity(first: dict | None, second: dict | None) -> int:
    """0..100: how alike two voiceprints are (100: the same set of 4-byte sequences)."""
    if not first or not second or not first["sketch"] or not second["sketch"]:
        return 0
    a, b = set(first["sketch"]), set(second["sketch"])
    union = heapq.nsmallest(SKETCH_SIZE, a | b)
    shared = sum(1 for value in union if value in a and value in b)
    return shared * 100 // len(union)


def closest(target: dict, candidates: Iterable[tuple[str, dict]]) -> tuple[int, str | None]:
    """(best similarity, its owner id) of ``target`` among ``(owner id, voiceprint)`` pairs;
    ``(0, None)`` when there is none. The first (oldest) owner wins a tie."""
    best, owner = 0, None
    for owner_id, candidate in candidates:
        score = similarity(target, candidate)
        if owner is None or score > best:
            best, owner = score, owner_id
    return best, owner
