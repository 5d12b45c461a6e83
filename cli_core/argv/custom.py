"""Stage 2 (argv) — argument customizations: options that are not one top-level member each.

A command file's ``cli_arguments:`` (``docs/spec-format.md``, "Argument customizations") names
options that put their value somewhere else than a top-level member of the same name:

* one nested member: ``--zip-file`` → ``Code.ZipFile`` (the option takes that member's type);
* several members from one value: ``--count 2:5`` → ``MinCount`` 2, ``MaxCount`` 5
  (``split: ":"``; ``--count 3`` gives both 3), with a ``default`` for members left out.

``cli_core.shapes.arguments`` reads them from the compiled command; this module converts one
option's tokens to ``(member path, value)`` pairs and places those values into the command line's
parameters (deep, beside what the member's own option gave; the same member twice is an error).
A top-level member that such an option reaches is not required on the command line: either
option gives it.
"""

from __future__ import annotations

from cli_core.argv.values import convert_value
from cli_core.errors import ParamError
from cli_core.shapes.arguments import Argument, arguments
from cli_core.shapes.codecs import DEFAULT_FILE_READING, FileReading, shown_value
from cli_core.shapes.model import Command

__all__ = ["Argument", "argument_values", "arguments", "default_values", "place", "split_value"]


def argument_values(
    argument: Argument, raw, option: str, files: FileReading = DEFAULT_FILE_READING
) -> list[tuple[tuple[str, ...], object]]:
    """``(path, typed value)`` for each member one option's tokens fill."""
    if argument.split is None:
        return [(argument.paths[0], convert_value(argument.shape, raw, option, files))]
    return list(zip(argument.paths, split_value(argument, raw, option), strict=True))


def split_value(argument: Argument, text: str, option: str) -> list:
    """``2:5`` → the typed parts, one per member; ``3`` → the same value for every member."""
    parts = text.split(argument.split)
    count = len(argument.paths)
    if len(parts) == 1:
        parts = parts * count
    if len(parts) != count or any(not p.strip() for p in parts):
        form = argument.split.join(["VALUE"] * count)
        raise ParamError(
            f"expected VALUE or {form} (for {argument.targets}), got '{shown_value(text)}'",
            option,
        )
    return [
        convert_value(shape, part, option)
        for shape, part in zip(argument.shapes, parts, strict=True)
    ]


def place(params: dict, path: tuple[str, ...], value, option: str, given_by: dict) -> str | None:
    """Put ``value`` at ``path`` in ``params``, keeping what is there; a problem line when the
    member already has a value (``given_by`` says which option gave each path)."""
    here = params
    for depth, name in enumerate(path[:-1]):
        inner = here.get(name)
        if inner is None:
            inner = here[name] = {}
        if not isinstance(inner, dict):
            earlier = given_by.get(path[: depth + 1], "another option")
            return f"{option} and {earlier} both give {'.'.join(path[: depth + 1])}; give one"
        here = inner
    if path[-1] in here:
        earlier = given_by.get(path, given_by.get(path[:1], "another option"))
        return f"{option} and {earlier} both give {'.'.join(path)}; give one of them"
    here[path[-1]] = value
    given_by[path] = option
    return None


def default_values(command: Command) -> tuple[tuple[tuple[str, ...], object], ...]:
    """``(path, typed value)`` of every argument ``default``: the request stage gives each to
    its member when the request (command line and input document) still lacks it."""
    out = []
    for argument in arguments(command):
        if argument.default is not None:
            out += argument_values(argument, argument.default, argument.option)
    return tuple(out)
