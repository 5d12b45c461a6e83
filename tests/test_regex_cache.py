"""Compiled regular expressions kept between runs (cli_core/regex_cache.py): a pattern served
from the cache matches exactly as one compiled anew, and a damaged cache only costs time."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PATTERNS = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)", 0),
    (r"^\s*([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$", 0),
    (r"(?i)content-length", 0),
    (r"[a-z]+(?=\d)", 2),  # re.IGNORECASE
    (r"(?<![\\])\$\{(\w+)\}", 8),  # re.MULTILINE
    (r"é+|ß|\u0130", 0),
    (r"(a|b)*?c{2,5}$", 16),  # re.DOTALL
    (r"\bfoo\b.(?:bar)+", 64),  # re.VERBOSE
]
SAMPLES = ["2026-11-30", "  key.name = some value  ", "Content-Length", "abc1 DEF2",
           "x ${HOME} \\${NOT}", "éé ß İ", "ababcc\ncc", "foo-barbar", "", "ccccc"]  # fmt: skip

PROBE = """
import json, re, sys
from cli_core.regex_cache import keep_compiled_patterns
keep_compiled_patterns(sys.argv[1])
patterns, samples = json.loads(sys.argv[2])
found = []
for text, flags in patterns:
    compiled = re.compile(text, flags)
    compiled_bytes = re.compile(text.encode("utf-8", "replace"), flags & ~32) if text.isascii() \\
        else None
    found.append({
        "flags": compiled.flags, "groups": compiled.groups, "index": compiled.groupindex and
        dict(compiled.groupindex),
        "matches": [[m.span(), m.groups()] for s in samples for m in compiled.finditer(s)],
        "bytes": None if compiled_bytes is None else
                 [[m.span()] for s in samples for m in compiled_bytes.finditer(s.encode())],
    })
print(json.dumps(found))
"""


def probe(folder: Path) -> list:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder), json.dumps([PATTERNS, SAMPLES])],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cache_file(folder: Path) -> Path:
    (found,) = folder.glob("regex-*.marshal")
    return found


def test_patterns_from_the_cache_match_as_compiled_ones(tmp_path):
    first = probe(tmp_path)  # compiles and keeps
    kept = marshal.loads(cache_file(tmp_path).read_bytes())
    assert {(False, text, flags) for text, flags in PATTERNS} <= set(kept)
    second = probe(tmp_path)  # served from the file
    assert second == first
    assert first == probe(tmp_path / "elsewhere")  # and both as without any cache


def test_a_damaged_cache_only_costs_time(tmp_path):
    reference = probe(tmp_path / "clean")
    folder = tmp_path / "damaged"
    folder.mkdir()
    probe(folder)
    path = cache_file(folder)
    kept = marshal.loads(path.read_bytes())
    for key, (flags, code, *rest) in list(kept.items()):  # code the matcher refuses
        kept[key] = (flags, b"\xff\xff\xff\xff" * (len(code) // 4), *rest)
    path.write_bytes(marshal.dumps(kept))
    assert probe(folder) == reference
    assert probe(folder) == reference  # the entries were made again
    path.write_bytes(b"not a marshal file at all")
    assert probe(folder) == reference
    path.write_bytes(marshal.dumps(["a list", "not a table"]))
    assert probe(folder) == reference


def test_a_program_run_keeps_its_patterns_in_the_apps_cache(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLISHAPE_CACHE_DIR": str(tmp_path)}
    argv = [sys.executable, "-m", "cli_core", "voice-id", "describe-speaker-enrollment-job",
            "--generate-cli-skeleton"]  # fmt: skip
    first = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert len(marshal.loads(cache_file(tmp_path / "regex").read_bytes())) > 5
    again = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    off = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT,
                         env={**env, "CLISHAPE_CACHE_DIR": ""})  # fmt: skip
    assert (off.returncode, off.stdout) == (0, first.stdout)
