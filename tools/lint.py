"""Tooling — the spec linter (``clishape-spec lint``): the runtime's own checker, over whole folders.

Every file is checked by ``cli_core.specs.check`` — the same checker that runs when the engine
compiles a spec, so a spec that lints clean loads, and one that does not is refused with the same
problems. Lint adds what only makes sense over a folder: every command file of a service (not
just the one a command line names), a missing ``_service.yaml``, the line and column of each
problem, and whether each ``handler:`` can be found (``check_handler``: its module on this
Python's path, a top-level name for its function in the module's source) without importing or
running any of the author's code. Targets are files, service folders, spec roots or service
names found on the spec path.

Each problem reads ``FILE:LINE:COLUMN: KEY.PATH: what is wrong``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from cli_core.errors import Problem, SpecError
from cli_core.settings import spec_roots
from cli_core.specs import SERVICE_FILE, parse_yaml, service_dir
from cli_core.specs.check import check_command, check_service, locate


@dataclass
class LintResult:
    problems: list[Problem]
    files: int
    services: int

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s) in {self.files} spec file(s)"
        return f"{self.files} spec file(s) in {self.services} service(s): no problems"


def _read(path: Path) -> tuple[dict | None, str, list[Problem]]:
    """(data, text, problems) of one spec file: problems when it cannot be read or parsed."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        data = parse_yaml(raw, path)
    except OSError as exc:
        return None, "", [Problem(f"cannot read spec: {exc.strerror}", file=str(path))]
    except SpecError as exc:
        return None, "", exc.problems or [Problem(str(exc), file=str(path))]
    return data, raw.decode("utf-8"), []


def lint_service_dir(folder: Path, only: list[Path] | None = None) -> tuple[list[Problem], int]:
    """Problems of one service folder (all its files, or only the ones named)."""
    folder = Path(folder)
    service_path = folder / SERVICE_FILE
    problems: list[Problem] = []
    files = 0
    service: dict | None = None
    if service_path.is_file():
        service, text, problems = _read(service_path)
        if service is not None and (only is None or service_path in only):
            files += 1
            problems += locate(check_service(service, service_path), text)
    else:
        problems.append(Problem("missing: every service folder needs one", file=str(service_path)))
    try:
        names = sorted(
            n for n in os.listdir(folder) if n.endswith(".yaml") and not n.startswith(("_", "."))
        )
    except OSError as exc:
        return [*problems, Problem(f"cannot list: {exc.strerror}", file=str(folder))], files
    for name in names:
        path = folder / name
        if only is not None and path not in only:
            continue
        files += 1
        data, text, read_problems = _read(path)
        problems += read_problems
        if data is not None:
            found = check_command(data, path, service)
            reference = data.get("handler")
            if not found and isinstance(reference, str):
                message = check_handler(reference)
                if message:
                    found = [Problem(message, where="handler", file=str(path), path=("handler",))]
            problems += locate(found, text)
    return problems, files


# -- handler references ----------------------------------------------------------------------


def check_handler(reference: str) -> str | None:
    """What is wrong with a ``module:function`` reference, or None when it can be found.

    Nothing is imported: the module is looked up on ``sys.path`` one package at a time (so no
    package's ``__init__`` runs) and its source is read with ``ast`` for a top-level ``def``,
    ``class``, assignment or import of the name (inside a top-level ``if`` or ``try`` too). For
    ``module:Class.method`` the method is looked up in the class's body. A module without
    Python source (a compiled extension), with a module-level ``__getattr__`` or a ``from ...
    import *`` is taken as it is: only running it could tell.
    """
    module, _, attr_path = reference.partition(":")
    spec, missing = _find_module(module)
    if spec is None:
        return (
            f"'{reference}' cannot be found: no module named '{missing}' on this Python's path "
            "(install the package that has it where you run the linter)"
        )
    origin = spec.origin
    if not origin or not origin.endswith(".py"):
        return None
    try:
        with open(origin, "rb") as fh:
            tree = ast.parse(fh.read(), filename=origin)
    except OSError as exc:
        return f"'{reference}' cannot be found: cannot read {origin}: {exc.strerror}"
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        return f"'{reference}' cannot be found: {origin} is not valid Python{where}: {exc.msg}"
    body, parts = tree.body, attr_path.split(".")
    for depth, part in enumerate(parts):
        names = _top_level_names(body)
        if names is None:
            return None
        if part not in names:
            if depth == 0:
                place, kind = f"module '{module}' ({origin})", "top-level function, class"
            else:
                place, kind = f"class '{parts[depth - 1]}'", "method, class"
            return (
                f"'{reference}' cannot be found: {place} has no {kind} or assignment named '{part}'"
            )
        body = names[part]
        if body is None:  # not a class: what its attributes are is known only when it runs
            return None
    return None


def _find_module(name: str):
    """(spec, None) of a module found without importing it, else (None, the missing name).

    The top-level package is found by ``importlib.util.find_spec`` (every finder of
    ``sys.meta_path``: editable installs too), each submodule in its parent's folders; so no
    package's ``__init__`` is run on the way."""
    from importlib.machinery import PathFinder
    from importlib.util import find_spec

    search = None
    spec = None
    parts = name.split(".")
    for index in range(len(parts)):
        full = ".".join(parts[: index + 1])
        try:
            spec = find_spec(full) if index == 0 else PathFinder.find_spec(full, search)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return None, full
        search = spec.submodule_search_locations
        if index < len(parts) - 1 and search is None:
            return None, ".".join(parts[: index + 2])  # a module, not a package, in the way
    return spec, None


def _top_level_names(body) -> dict | None:
    """The names a module (or class) body defines: name -> the class body, or None for any
    other kind; None for the whole when anything may be defined (``__getattr__``, ``*``)."""
    names: dict = {}
    for node in body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = node.body
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == "__getattr__":
                return None
            names[node.name] = None
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names[leaf.id] = None
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names[alias.asname or alias.name.split(".")[0]] = None
        elif isinstance(node, ast.If | ast.Try | ast.With):
            blocks = [node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])]
            blocks += [handler.body for handler in getattr(node, "handlers", [])]
            for block in blocks:
                inner = _top_level_names(block)
                if inner is None:
                    return None
                names.update(inner)
    return names


def lint_paths(paths: list[Path | str] | None = None, environ=None) -> LintResult:
    """Lint spec files, service folders, spec roots or service names (found on the spec path
    of ``environ``); by default every spec root."""
    roots = spec_roots(environ if environ is not None else os.environ)
    targets = [Path(p) for p in paths] if paths else [p for p in roots if p.is_dir()]
    by_folder: dict[Path, list[Path] | None] = {}
    problems: list[Problem] = []
    for target in targets:
        if target.is_file():
            selected = by_folder.setdefault(target.parent, [])
            if selected is not None:
                selected.append(target)
        elif (target / SERVICE_FILE).is_file():
            by_folder[target] = None
        elif target.is_dir():
            found = [d for d in sorted(target.iterdir()) if (d / SERVICE_FILE).is_file()]
            for folder in found:
                by_folder[folder] = None
            for d in sorted(target.iterdir()):
                if d.is_dir() and not d.name.startswith(".") and d not in found:
                    if any(n.endswith(".yaml") for n in os.listdir(d)):
                        problems.append(
                            Problem(
                                "missing: every service folder needs one",
                                file=str(d / SERVICE_FILE),
                            )
                        )
        elif len(target.parts) == 1 and service_dir(str(target), roots) is not None:
            by_folder[service_dir(str(target), roots)] = None
        else:
            problems.append(
                Problem("no such file or folder, nor a service on the spec path", file=str(target))
            )
    files = 0
    for folder, only in by_folder.items():
        found, count = lint_service_dir(folder, only)
        problems += found
        files += count
    return LintResult(problems, files, len(by_folder))
