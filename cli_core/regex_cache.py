"""Beside the stages: compiled regular expressions kept from one run to the next.

Every Python process compiles again each regular expression its modules use: ``re.compile``
parses the pattern and turns it into the matcher's code in Python, and only then hands that code
to the C matcher (``_sre.compile``). A real call compiles about a hundred of them (botocore,
urllib3, ``http.client``, ``email``, ...): some 14 ms, a tenth of the whole run; a help page
about twenty.

:func:`keep_compiled_patterns` (called once, as the program starts) stands in front of the
compiling step: a pattern compiled by an earlier run, with the same flags, is rebuilt from the
code that run produced, straight through ``_sre.compile`` (which checks the code it is given);
any other is compiled as usual and its code kept. At the end of the process the new ones join
the file in the cache folder (``regex-<key>.marshal``, written atomically), keyed by the exact
Python version and the matcher's code format, so another interpreter never reads it. A missing,
damaged or foreign file only means compiling as usual; nothing else about ``re`` changes (its own
in-process cache, ``re.purge``, errors for bad patterns, which are never kept).
"""

from __future__ import annotations

import _thread
import marshal
import os
import sys

from cli_core.cache import content_key

LIMIT = 4096  # patterns kept at most (a process compiles a few hundred)
_installed = False


def cache_file_name() -> str:
    import _sre

    return f"regex-{content_key(sys.version, str(_sre.MAGIC), str(_sre.CODESIZE))[:16]}.marshal"


def keep_compiled_patterns(folder) -> None:
    """Serve this process's regular expressions from, and add them to, the file in ``folder``
    (a private cache folder, or None for no cache). Once per process."""
    global _installed
    if _installed or folder is None:
        return
    try:
        from re import _compiler
        from re._constants import SRE_FLAG_DEBUG
    except ImportError:  # pragma: no cover - another Python than the ones clishape supports
        return
    if _compiler._sre.CODESIZE != memoryview(b"\0\0\0\0").cast("I").itemsize:
        return  # pragma: no cover - the code is kept as unsigned ints of the matcher's size
    _installed = True
    path = os.path.join(folder, cache_file_name())
    known = _read(path)
    fresh: dict = {}
    recorder = _Recorder(_compiler._sre)
    noting = _thread.RLock()
    compile_as_usual = _compiler.compile
    real_sre = recorder.sre

    def compile_pattern(p, flags=0):
        if not isinstance(p, (str, bytes)) or flags & SRE_FLAG_DEBUG:
            return compile_as_usual(p, flags)
        key = (isinstance(p, bytes), p, int(flags))
        entry = known.get(key)
        if entry is not None:
            try:
                flags_used, code, groups, groupindex, indexgroup = entry
                code = memoryview(code).cast("I").tolist()
                return real_sre.compile(p, flags_used, code, groups, groupindex, indexgroup)
            except Exception:  # a damaged entry: compiled as usual, kept again
                known.pop(key, None)
        with noting:  # one compile at a time may be noted (another thread may compile too)
            recorder.last = None
            compiled = compile_as_usual(p, flags)
            last = recorder.last
        if last is not None and last[0] is p and len(known) + len(fresh) < LIMIT:
            if not fresh:
                import atexit

                atexit.register(_write, path, known, fresh)
            from array import array

            flags_used, code, groups, groupindex, indexgroup = last[1:]
            # the code as the matcher's unsigned ints in bytes: read back at once, and a list of
            # plain ints only for the patterns a run uses (its opcodes are an int subclass)
            fresh[key] = (int(flags_used), array("I", code).tobytes(), int(groups),
                          dict(groupindex), tuple(indexgroup))  # fmt: skip
        return compiled

    _compiler._sre = recorder
    _compiler.compile = compile_pattern


class _Recorder:
    """The C matcher module as ``re._compiler`` sees it: each ``compile`` call's arguments are
    noted (``last``) before they are passed on."""

    def __init__(self, sre):
        self.sre = sre
        self.last = None

    def compile(self, pattern, *rest):
        self.last = (pattern, *rest)
        return self.sre.compile(pattern, *rest)

    def __getattr__(self, name):
        return getattr(self.sre, name)


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            known = marshal.loads(fh.read())  # whole: marshal.load reads a file piece by piece
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return known if isinstance(known, dict) else {}


def _write(path: str, known: dict, fresh: dict) -> None:
    """Add ``fresh`` to the file (atomically; a failure only costs the next run some time)."""
    merged = {**_read(path), **known, **fresh}
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as fh:
            marshal.dump(dict(list(merged.items())[:LIMIT]), fh)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
