"""Beside the stages — shell completion for any app built on the engine.

Two entry points, both reached through the driver:

* ``PROG completion bash|zsh|fish`` prints the script to install (``script``): the files
  ``complete.bash``, ``complete.zsh`` and ``complete.fish`` beside this module, with the
  program's name filled in.
* The installed script runs ``PROG`` with the environment variable ``_PROG_COMPLETE``
  (``env_name``) set to the shell's name and ``COMP_LINE`` set to the command line up to the
  cursor; the driver sees the variable before anything else and prints the candidates, one a
  line (``answer``).

Answering imports only this package, the spec loader and the tables of options
(``cli_core.complete.engine``): never botocore, argparse, jsonschema or jmespath.
"""

from __future__ import annotations

from pathlib import Path

SHELLS = ("bash", "zsh", "fish")
COMPLETION_COMMAND = "completion"  # ``PROG completion SHELL``
_HERE = Path(__file__).resolve().parent
# Characters bash reads specially in a word: a candidate is inserted with them escaped.
_BASH_SPECIAL = set(" \t\n\"'\\$`&|;<>()*?[]{}!#")


def env_name(prog: str) -> str:
    """The environment variable that asks ``prog`` for completions: ``_CLISHAPE_COMPLETE``."""
    name = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in prog)
    return f"_{name.upper()}_COMPLETE"


def requested(environ, prog: str) -> str | None:
    """The shell a completion script asks ``prog`` to answer for, or None (a normal run)."""
    shell = environ.get(env_name(prog))
    return shell if shell in SHELLS else None


def function_name(prog: str) -> str:
    """The shell function the scripts define for ``prog`` (a name every shell accepts)."""
    return "_" + "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in prog) + "_complete"


def script(shell: str, prog: str) -> str:
    """The completion script of ``shell`` for the program ``prog``."""
    text = (_HERE / f"complete.{shell}").read_text(encoding="utf-8")
    return (
        text.replace("@PROG@", prog)
        .replace("@FUNC@", function_name(prog))
        .replace("@ENV@", env_name(prog))
    )


def usage(prog: str) -> str:
    """What ``PROG completion`` (without a shell, or with ``help``) says."""
    return (
        f"usage: {prog} completion {{{','.join(SHELLS)}}}\n\n"
        f"Prints the shell completion script of {prog} for bash, zsh or fish. Install it:\n"
        f'  bash  add to ~/.bashrc:   eval "$({prog} completion bash)"\n'
        f'  zsh   add to ~/.zshrc (after compinit):   eval "$({prog} completion zsh)"\n'
        f"  fish  {prog} completion fish > ~/.config/fish/completions/{prog}.fish\n\n"
        "It completes services, commands, waiters, options not yet given, the values an option "
        "may take,\nprofile names, and paths after file:// and fileb://.\n"
    )


def answer(shell: str, environ, *, app=None, roots=None, cache_dir=None) -> str:
    """The candidates for the command line in ``COMP_LINE`` (up to the cursor; ``COMP_POINT``,
    when given, cuts it there), one a line, as ``shell`` wants them. ``app`` (a
    ``cli_core.program.Program``; by default clishape) says which global options there are and
    where the specs, the cache and the config files are. Any problem (a broken spec, an
    unreadable folder) means no candidates: completion never prints an error."""
    from cli_core.complete.engine import candidates

    if roots is None or cache_dir is None:
        from cli_core.settings import cache_root, spec_roots

        try:
            roots = spec_roots(environ, app) if roots is None else roots
            cache_dir = cache_root(environ, app) if cache_dir is None else cache_dir
        except Exception:  # noqa: BLE001 - a bad PREFIX_SPEC_PATH: no candidates, no error
            return ""
    line = environ.get("COMP_LINE", "")
    point = environ.get("COMP_POINT", "")
    if point.isdigit():
        line = line[: int(point)]
    try:
        found = candidates(line, roots=roots, cache_dir=cache_dir, environ=environ, app=app)
    except Exception:  # noqa: BLE001 - a completion that cannot be computed is no completion
        return ""
    if shell == "bash":
        from cli_core.complete.engine import open_quote, split_line

        current = split_line(line)[-1]
        breaks = environ.get("COMP_WORDBREAKS", "\"'><=;|&(:")
        quoted = open_quote(line) is not None  # inside quotes nothing is escaped
        found = [_for_bash(c, current, breaks, quoted) for c in found]
    return "".join(c + "\n" for c in found if "\n" not in c)


def _for_bash(candidate: str, current: str, breaks: str, quoted: bool = False) -> str:
    """A candidate as bash inserts it: bash replaces only the part of the word after its last
    word-break character (``=`` of ``--output=``, ``:`` of ``file://``), with specials escaped."""
    cut = max((current.rfind(ch) for ch in breaks if ch not in "\"'"), default=-1) + 1
    rest = candidate[cut:]
    if quoted:
        return rest
    return "".join("\\" + ch if ch in _BASH_SPECIAL else ch for ch in rest)
