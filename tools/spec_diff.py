"""Tooling — how specs differ from a botocore model, member by member (``clishape-spec diff``).

Both sides are compiled commands (``cli_core.specs.compile_command``); each is flattened into
member paths (``Job.EnrollmentConfig.FraudDetectionConfig.WatchlistIds``; ``[]`` steps into a
list's member, ``{}`` into a map's value) with the facts worth comparing: type, constraints,
enum, required. Documentation counts too: the service's and each command's text is compared,
and member texts that differ are counted per operation.

Lines read ``<Operation> <input|output> <path>: <what>``, "spec" being the folder on disk and
"upstream" the model.
"""

from __future__ import annotations

import re
from pathlib import Path

_FACTS = ("type", "min", "max", "pattern", "streaming")
_SPACE = re.compile(r"\s+")


def flatten(compiled: dict, part: str) -> dict[str, dict]:
    """Member path → facts, for the operation's ``input`` or ``output`` shape."""
    shapes = compiled["shapes"]
    root = compiled["operation"].get(part)
    out: dict[str, dict] = {}
    if root is None:
        return out

    def walk(name: str, prefix: str, stack: tuple[str, ...]) -> None:
        shape = shapes[name]
        if name in stack:
            return
        stack = (*stack, name)
        kind = shape["type"]
        if kind == "structure":
            required = set(shape.get("required", ()))
            for member, ref in (shape.get("members") or {}).items():
                path = f"{prefix}.{member}" if prefix else member
                out[path] = facts(ref, member in required)
                walk(ref["shape"], path, stack)
        elif kind == "list":
            walk(shape["member"]["shape"], prefix + "[]", stack)
        elif kind == "map":
            walk(shape["value"]["shape"], prefix + "{}", stack)

    def facts(ref: dict, required: bool) -> dict:
        shape = shapes[ref["shape"]]
        info = {k: shape[k] for k in _FACTS if k in shape}
        if "enum" in shape:
            info["enum"] = tuple(shape["enum"])
        info["required"] = required
        doc = ref.get("documentation") or shape.get("documentation") or ""
        info["documentation"] = _SPACE.sub(" ", doc).strip()
        return info

    walk(root, "", ())
    return out


def compare_commands(spec: dict, upstream: dict) -> list[str]:
    """Differences between one compiled command from the specs and one from the model."""
    lines: list[str] = []
    operation = upstream["operation"]["name"]
    docs = 0
    for part in ("input", "output"):
        mine, theirs = flatten(spec, part), flatten(upstream, part)
        for path in list(theirs) + [p for p in mine if p not in theirs]:
            where = f"{operation} {part} {path}"
            if path not in mine:
                lines.append(
                    f"{where}: only upstream ({theirs[path].get('type')}), not in the spec"
                )
                continue
            if path not in theirs:
                lines.append(f"{where}: only in the spec ({mine[path].get('type')})")
                continue
            a, b = mine[path], theirs[path]
            for key in _FACTS:
                if a.get(key) != b.get(key):
                    lines.append(
                        f"{where}: {key} {_show(a.get(key))} in the spec, "
                        f"{_show(b.get(key))} upstream"
                    )
            if a.get("enum", ()) != b.get("enum", ()):
                extra = [v for v in b.get("enum", ()) if v not in a.get("enum", ())]
                gone = [v for v in a.get("enum", ()) if v not in b.get("enum", ())]
                what = []
                if extra:
                    what.append("values only upstream: " + ", ".join(extra))
                if gone:
                    what.append("values only in the spec: " + ", ".join(gone))
                lines.append(f"{where}: enum " + ("; ".join(what) or "order differs"))
            if a["required"] != b["required"]:
                lines.append(
                    f"{where}: "
                    + ("required in the spec, optional upstream" if a["required"] else
                       "optional in the spec, required upstream")
                )  # fmt: skip
            if a["documentation"] != b["documentation"]:
                docs += 1
    if spec["operation"].get("pagination") != upstream["operation"].get("pagination"):
        lines.append(f"{operation}: pagination config differs")
    if _text(spec["operation"].get("documentation")) != _text(
        upstream["operation"].get("documentation")
    ):
        lines.append(f"{operation}: documentation differs")
    if docs:
        lines.append(f"{operation}: {docs} member documentation text(s) differ")
    return lines


def _text(doc) -> str:
    return _SPACE.sub(" ", doc if isinstance(doc, str) else "").strip()


def _show(value) -> str:
    return "(none)" if value is None else repr(value)


def diff_folder(folder: Path, upstream_files: dict[str, dict]) -> list[str]:
    """Differences between a spec folder and converted model files (``convert_model``)."""
    from cli_core.errors import SpecError
    from cli_core.specs import SERVICE_FILE, compile_command, list_commands, read_yaml

    folder = Path(folder)
    lines: list[str] = []
    upstream_service = upstream_files["_service.yaml"]
    service = read_yaml(folder / SERVICE_FILE)
    mine = set(list_commands(folder))
    theirs = {name[:-5] for name in upstream_files if name != SERVICE_FILE}
    if service.get("metadata") != upstream_service.get("metadata"):
        keys = sorted(
            k
            for k in set(service.get("metadata", {})) | set(upstream_service.get("metadata", {}))
            if service.get("metadata", {}).get(k) != upstream_service["metadata"].get(k)
        )
        lines.append(f"_service.yaml: metadata differs ({', '.join(keys)})")
    if _text(service.get("documentation")) != _text(upstream_service.get("documentation")):
        lines.append("_service.yaml: documentation differs")
    for command in sorted(mine | theirs):
        if command not in theirs:
            lines.append(f"{command}: only in the spec")
            continue
        if command not in mine:
            lines.append(
                f"{command}: only upstream ({upstream_files[command + '.yaml']['operation']})"
            )
            continue
        path = folder / f"{command}.yaml"
        try:
            spec = compile_command(service, read_yaml(path), path)
        except SpecError as exc:
            lines.append(str(exc))
            continue
        upstream = compile_command(upstream_service, upstream_files[command + ".yaml"], command)
        lines.extend(compare_commands(spec, upstream))
    return lines
