"""The spec linter (``clishape-spec lint``).

Two layers: the JSON Schema ``cli_core/spec/schema.json`` (the format's contract: key names,
value types, which keys a shape type may carry) and the checks a schema cannot make:

* every shape reference (member ``shape``, ``input``, ``output``, ``errors``) names a shape of
  the command file or of the service's ``_service.yaml`` (shared shapes may only refer to shared
  shapes);
* a structure's ``required`` names its members;
* no top-level input member's option (``cli_name`` or the derived name) or hidden alias
  collides with a global option, ``--cli-input-json|yaml``, ``--generate-cli-skeleton`` or
  ``--help``, nor, for a paginated command, with ``--starting-token``/``--page-size``/
  ``--max-items``; no two members share an option;
* the file name is the ``command``, the folder name is the ``service``.

Each problem is reported as ``FILE:KEY.PATH: what is wrong``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cli_core import options
from cli_core.errors import SpecError
from cli_core.shapes.naming import cli_name
from cli_core.spec import SERVICE_FILE, read_yaml, spec_roots

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "cli_core" / "spec" / "schema.json"


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.key}: {self.message}"
            if self.key
            else f"{self.file}: {self.message}"
        )


@dataclass
class LintResult:
    problems: list[Problem]
    files: int
    services: int

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s) in {self.files} spec file(s)"
        return f"{self.files} spec file(s) in {self.services} service(s): no problems"


# -- schema ------------------------------------------------------------------------------------

_VALIDATOR = None


def schema() -> dict:
    with open(SCHEMA_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft202012Validator

        _VALIDATOR = Draft202012Validator(schema())
    return _VALIDATOR


def _key_path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def schema_problems(data: dict, file: str) -> list[Problem]:
    """The schema's complaints, one per place (the deepest, most specific error)."""
    problems = []
    for error in _validator().iter_errors(data):
        for leaf in _leaves(error):
            problems.append(Problem(file, *_describe(leaf, data)))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: p.key)


def _leaves(error):
    # if/then/else and allOf wrap the real complaint: report the innermost ones.
    if error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


def _at(data, path: list):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(error, data) -> tuple[str, str]:
    path = list(error.absolute_path)
    validator = error.validator
    schema_path = list(error.absolute_schema_path)
    if "propertyNames" in schema_path:
        owner = _at(data, path)
        kind = owner.get("type") if isinstance(owner, dict) else None
        if isinstance(error.instance, str):
            path.append(error.instance)
        what = f"a {kind} shape" if isinstance(kind, str) else "this mapping"
        return _key_path(path), f"unknown key '{error.instance}' for {what}"
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if len(extra) == 1:
            path.append(extra[0])
            return _key_path(path), f"unknown key '{extra[0]}'"
        return _key_path(path), "unknown keys " + ", ".join(f"'{k}'" for k in extra)
    if validator == "required":
        return _key_path(path), error.message.replace("property", "key")
    if validator == "enum":
        choices = ", ".join(map(str, error.validator_value))
        return _key_path(path), f"{error.instance!r} is not one of: {choices}"
    if validator == "const":
        return _key_path(path), f"must be {error.validator_value!r}"
    if validator == "type":
        return _key_path(
            path
        ), f"expected {error.validator_value}, got {type(error.instance).__name__}"
    return _key_path(path), error.message


# -- checks a schema cannot make ---------------------------------------------------------------


def _refs(shape, key_path: str):
    """(key path, referenced shape name) of one shape, following inline members."""
    if not isinstance(shape, dict):
        return
    parts = []
    members = shape.get("members")
    if isinstance(members, dict):
        parts += [(f"{key_path}.members.{m}", ref) for m, ref in members.items()]
    parts += [(f"{key_path}.{p}", shape[p]) for p in ("member", "key", "value") if p in shape]
    for where, ref in parts:
        if isinstance(ref, str):
            yield where, ref
        elif isinstance(ref, dict) and isinstance(ref.get("shape"), str):
            yield f"{where}.shape", ref["shape"]
        elif isinstance(ref, dict):
            yield from _refs(ref, where)


def _required_problems(shape, key_path: str, file: str) -> list[Problem]:
    out = []
    if isinstance(shape, dict) and isinstance(shape.get("required"), list):
        members = shape.get("members") if isinstance(shape.get("members"), dict) else {}
        for i, name in enumerate(shape["required"]):
            if name not in members:
                out.append(Problem(file, f"{key_path}.required[{i}]", f"'{name}' is not a member"))
    return out


def _shapes(data: dict) -> dict:
    shapes = data.get("shapes")
    return shapes if isinstance(shapes, dict) else {}


def check_service(data: dict, path: Path) -> list[Problem]:
    file = str(path)
    problems = []
    if data.get("service") != path.parent.name:
        problems.append(
            Problem(
                file,
                "service",
                f"'{data.get('service')}' is not the folder name '{path.parent.name}'",
            )
        )
    shared = _shapes(data)
    for name, shape in shared.items():
        for where, ref in _refs(shape, f"shapes.{name}"):
            if ref not in shared:
                problems.append(Problem(file, where, f"unknown shape '{ref}' (not a shared shape)"))
        problems += _required_problems(shape, f"shapes.{name}", file)
    return problems


def check_command(data: dict, path: Path, service: dict | None) -> list[Problem]:
    file = str(path)
    problems = []
    if data.get("command") != path.stem:
        problems.append(
            Problem(file, "command", f"'{data.get('command')}' is not the file name '{path.stem}'")
        )
    local = _shapes(data)
    shared = _shapes(service or {})

    def known(name: str) -> bool:
        return name in local or name in shared

    for name, shape in local.items():
        for where, ref in _refs(shape, f"shapes.{name}"):
            if not known(ref):
                problems.append(Problem(file, where, f"unknown shape '{ref}'"))
        problems += _required_problems(shape, f"shapes.{name}", file)
    for part in ("input", "output"):
        ref = data.get(part)
        if isinstance(ref, str) and not known(ref):
            problems.append(Problem(file, part, f"unknown shape '{ref}'"))
        elif isinstance(ref, dict):
            for where, name in _refs(ref, part):
                if not known(name):
                    problems.append(Problem(file, where, f"unknown shape '{name}'"))
            problems += _required_problems(ref, part, file)
    errors = data.get("errors")
    for i, name in enumerate(errors if isinstance(errors, list) else ()):
        if isinstance(name, str) and not known(name):
            problems.append(Problem(file, f"errors[{i}]", f"unknown shape '{name}'"))
    problems += _option_problems(data, local, shared, file)
    return problems


def _option_problems(data: dict, local: dict, shared: dict, file: str) -> list[Problem]:
    ref = data.get("input")
    if isinstance(ref, str):
        shape = local.get(ref, shared.get(ref))
        key_path = f"shapes.{ref}" if ref in local else f"_service.yaml:shapes.{ref}"
    else:
        shape, key_path = ref, "input"
    if not isinstance(shape, dict) or not isinstance(shape.get("members"), dict):
        return []
    reserved = set(options.RESERVED_OPTION_NAMES)
    paginated = "pagination" in data
    if paginated:
        reserved.update(options.PAGINATION_OPTIONS)
    problems = []
    seen: dict[str, str] = {}
    for member, member_ref in shape["members"].items():
        if not isinstance(member, str):
            continue
        member_ref = member_ref if isinstance(member_ref, dict) else {}
        where = f"{key_path}.members.{member}"
        given = member_ref.get("cli_name")
        names = ["--" + (given if isinstance(given, str) else cli_name(member))]
        aliases = member_ref.get("cli_aliases")
        names += (
            ["--" + a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []
        )
        for option in names:
            if option in reserved:
                kind = (
                    "pagination option"
                    if option in options.PAGINATION_OPTIONS
                    else "global option"
                )
                problems.append(
                    Problem(file, where, f"option {option} collides with the {kind} {option}; "
                            "give the member a cli_name")
                )  # fmt: skip
            elif option in seen:
                problems.append(
                    Problem(file, where, f"option {option} is also the option of member "
                            f"'{seen[option]}'; give one of them a cli_name")
                )  # fmt: skip
            else:
                seen[option] = member
    return problems


# -- files and folders -------------------------------------------------------------------------


def _read(path: Path) -> tuple[dict | None, list[Problem]]:
    try:
        return read_yaml(path), []
    except SpecError as exc:
        message = " ".join(line.strip() for line in str(exc).splitlines())
        prefix = f"{path}: "
        return None, [
            Problem(
                str(path), "", message[len(prefix) :] if message.startswith(prefix) else message
            )
        ]


def lint_service_dir(folder: Path, only: list[Path] | None = None) -> tuple[list[Problem], int]:
    """Problems of one service folder (all its files, or only the ones named)."""
    folder = Path(folder)
    service_path = folder / SERVICE_FILE
    problems: list[Problem] = []
    files = 0
    service: dict | None = None
    if service_path.is_file():
        service, problems = _read(service_path)
        if service is not None and (only is None or service_path in only):
            files += 1
            problems += schema_problems(service, str(service_path))
            problems += check_service(service, service_path)
    else:
        problems.append(Problem(str(service_path), "", "missing: every service folder needs one"))
    names = sorted(
        n for n in os.listdir(folder) if n.endswith(".yaml") and not n.startswith(("_", "."))
    )
    for name in names:
        path = folder / name
        if only is not None and path not in only:
            continue
        files += 1
        data, read_problems = _read(path)
        problems += read_problems
        if data is None:
            continue
        problems += schema_problems(data, str(path))
        problems += check_command(data, path, service)
    return problems, files


def lint_paths(paths: list[Path] | None = None) -> LintResult:
    """Lint spec files, service folders or spec roots (default: every spec root)."""
    targets = [Path(p) for p in paths] if paths else [p for p in spec_roots() if p.is_dir()]
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
                                str(d / SERVICE_FILE), "", "missing: every service folder needs one"
                            )
                        )
        else:
            problems.append(Problem(str(target), "", "no such file or folder"))
    files = 0
    for folder, only in by_folder.items():
        found, count = lint_service_dir(folder, only)
        problems += found
        files += count
    return LintResult(problems, files, len(by_folder))
