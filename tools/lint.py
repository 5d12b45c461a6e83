"""Tooling — the spec linter (``clishape-spec lint``): the runtime's own checker, over whole folders.

Every file is checked by ``cli_core.specs.check`` — the same checker that runs when the engine
compiles a spec, so a spec that lints clean loads, and one that does not is refused with the same
problems. Lint adds what only makes sense over a folder: every command file of a service (not
just the one a command line names), a missing ``_service.yaml``, and the line and column of each
problem. Targets are files, service folders, spec roots or service names found on the spec path.

Each problem reads ``FILE:LINE:COLUMN: KEY.PATH: what is wrong``.
"""

from __future__ import annotations

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
            problems += locate(check_command(data, path, service), text)
    return problems, files


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
