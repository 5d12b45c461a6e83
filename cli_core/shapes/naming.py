"""Shape layer — member and operation names → command-line names.

The rule is the reference CLI's, so scripts written for the AWS CLI keep working:

1. a name that already contains ``-`` is used as it is;
2. a trailing run of two or more capitals followed by ``s`` (``PolicyARNs``) is lowered and split
   off as one word (``policy-arns``);
3. a word boundary goes before every capital that starts a lower-case run (``DBInstance`` →
   ``DB-Instance``) and after every lower-case letter or digit followed by a capital;
4. everything is lower-cased.

Improvement over the reference CLI: where that rule would start the name with a separator
(``ACLs`` → ``-acls``, so the option would be ``---acls`` and its value silently lost) the
leading separators are dropped, giving ``--acls``. ``is_broken_reference_name`` tells the
importer and the linter when that happens, so the rename can be documented.
"""

from __future__ import annotations

import re

_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s$")
_CAP_WORD = re.compile(r"(.)([A-Z][a-z]+)")
_LOWER_CAP = re.compile(r"([a-z0-9])([A-Z])")


def reference_name(name: str, sep: str = "-") -> str:
    """The name exactly as the reference CLI derives it (possibly with a leading separator)."""
    if sep in name:
        return name
    match = _PLURAL_ACRONYM.search(name)
    if match:
        name = name[: match.start()] + sep + match.group(0).lower()
    name = _CAP_WORD.sub(r"\1" + sep + r"\2", name)
    name = _LOWER_CAP.sub(r"\1" + sep + r"\2", name)
    return name.lower()


def cli_name(name: str) -> str:
    """The name clishape uses: the reference rule with leading separators dropped."""
    return reference_name(name).lstrip("-") or name.lower()


def is_broken_reference_name(name: str) -> bool:
    """True where the reference CLI would produce a name starting with a separator."""
    return reference_name(name).startswith("-")
