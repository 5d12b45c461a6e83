"""Stage 1 — find, load and compile the one spec the command line names.

Specs live in ``<root>/<service>/``: ``_service.yaml`` (metadata and shared shapes) and one
``<command>.yaml`` per command. Roots are the entries of ``CLISHAPE_SPEC_PATH`` (os.pathsep
separated) followed by the shipped ``specs/``; the first root holding ``<service>/_service.yaml``
owns that service.

Compiling turns the two YAML files into one flat, self-contained dict (only the shapes the
command reaches, inline shapes given names, every member a ``{"shape": name}`` reference). The
result is cached as JSON under the user's cache folder, keyed by the files' size and mtime and
the compiler version, so the hot path is one small JSON read and PyYAML is never imported.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from cli_core.errors import SpecError
from cli_core.shapes.model import Command

FORMAT_VERSION = 1
COMPILER_VERSION = "2"
SERVICE_FILE = "_service.yaml"
SHIPPED_SPECS = Path(__file__).resolve().parents[2] / "specs"

_SHAPE_TYPES = {
    "structure", "list", "map", "string", "integer", "long", "float", "double",
    "boolean", "timestamp", "blob", "document",
}  # fmt: skip
# Keys of a member reference that describe the reference, not the shape it points at.
_REF_KEYS = {
    "shape", "documentation", "location", "locationName", "idempotencyToken", "jsonvalue",
    "hostLabel", "deprecated", "deprecatedMessage", "deprecatedSince", "xmlNamespace",
    "xmlAttribute", "queryName", "flattened", "box", "contextParam", "eventpayload",
    "eventheader", "streaming", "cli_name", "cli_aliases", "sensitive", "requiresLength",
}  # fmt: skip


def spec_roots(environ: os._Environ | dict | None = None) -> list[Path]:
    """Spec roots in search order: ``CLISHAPE_SPEC_PATH`` entries, then the shipped specs."""
    environ = os.environ if environ is None else environ
    extra = environ.get("CLISHAPE_SPEC_PATH", "")
    roots = [Path(p) for p in extra.split(os.pathsep) if p]
    roots.append(SHIPPED_SPECS)
    return roots


def service_dir(service: str, roots: list[Path] | None = None) -> Path | None:
    """The folder that owns ``service``, or None."""
    if not service or "/" in service or "\\" in service or service.startswith("."):
        return None
    for root in roots if roots is not None else spec_roots():
        candidate = root / service
        if (candidate / SERVICE_FILE).is_file():
            return candidate
    return None


def list_services(roots: list[Path] | None = None) -> list[str]:
    """Every service name across the roots, sorted (a directory listing: no spec is read)."""
    names: set[str] = set()
    for root in roots if roots is not None else spec_roots():
        try:
            entries = os.scandir(root)
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir() and os.path.isfile(os.path.join(entry.path, SERVICE_FILE)):
                    names.add(entry.name)
    return sorted(names)


def list_commands(service_path: Path) -> list[str]:
    """The command names of one service folder, sorted (file names only)."""
    return sorted(
        name[:-5]
        for name in os.listdir(service_path)
        if name.endswith(".yaml") and not name.startswith("_")
    )


def load_command(service: str, command: str, roots: list[Path] | None = None) -> Command | None:
    """The named command, compiled (from the cache when it is fresh); None if there is none."""
    folder = service_dir(service, roots)
    if folder is None or not command or "/" in command or command.startswith((".", "_")):
        return None
    command_file = folder / f"{command}.yaml"
    if not command_file.is_file():
        return None
    return Command(load_compiled(folder / SERVICE_FILE, command_file))


def load_compiled(service_file: Path, command_file: Path) -> dict:
    """The compiled form of a command, going through the cache."""
    return _cached(
        command_file,
        (service_file, command_file),
        lambda: compile_command(read_yaml(service_file), read_yaml(command_file), command_file),
    )


def load_service_doc(service: str, roots: list[Path] | None = None) -> dict | None:
    """The service file's top-level data (metadata, documentation) for the service help page."""
    folder = service_dir(service, roots)
    if folder is None:
        return None
    service_file = folder / SERVICE_FILE

    def build() -> dict:
        data = read_yaml(service_file)
        commands = list_commands(folder)
        return {
            "service": service,
            "metadata": data.get("metadata", {}),
            "documentation": data.get("documentation", ""),
            "commands": commands,
            "deprecated_commands": [
                c for c in commands if _marked_deprecated(folder / f"{c}.yaml")
            ],
            "folder": str(folder),
        }

    # The folder's own mtime changes when a command file is added or removed.
    return _cached(service_file, (service_file, folder), build)


def _marked_deprecated(command_file: Path) -> bool:
    """A top-level ``deprecated: true`` line, found without parsing the whole file."""
    with open(command_file, encoding="utf-8") as fh:
        return any(line.rstrip() == "deprecated: true" for line in fh)


# -- reading -----------------------------------------------------------------------------------


def read_yaml(path: Path) -> dict:
    """Parse one spec file (safe loader; the C loader where available)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise SpecError(f"{path}: cannot read spec: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a spec file must be a mapping")
    return data


# -- compiling ---------------------------------------------------------------------------------


def compile_command(service: dict, command: dict, command_file: Path | str = "<spec>") -> dict:
    """Merge a service file and a command file into the flat compiled form.

    Only shapes reachable from the operation's input, output and errors are kept. Inline shapes
    (a member written with ``type:`` instead of ``shape:``) are given the name
    ``<Parent>.<Member>``. A reference to a shape that does not exist is a SpecError naming the
    file and key.
    """
    where = str(command_file)
    shared = service.get("shapes") or {}
    local = command.get("shapes") or {}
    table: dict[str, dict] = {}
    origin: dict[str, str] = {}

    def source(name: str) -> dict | None:
        if name in local:
            origin[name] = "shapes"
            return local[name]
        if name in shared:
            origin[name] = "_service.yaml:shapes"
            return shared[name]
        return None

    def add_named(name: str, key_path: str) -> str:
        if name in table:
            return name
        data = source(name)
        if data is None:
            raise SpecError(f"{where}:{key_path}: unknown shape '{name}'")
        table[name] = {}  # reserve first: recursive shapes refer back to themselves
        table[name] = normalise(data, name, f"shapes.{name}")
        return name

    def add_ref(ref, owner: str, member: str, key_path: str) -> dict:
        if isinstance(ref, str):
            ref = {"shape": ref}
        if not isinstance(ref, dict):
            raise SpecError(f"{where}:{key_path}: a member must be a mapping or a shape name")
        out = {k: v for k, v in ref.items() if k in _REF_KEYS and k != "shape"}
        if "shape" in ref:
            out["shape"] = add_named(ref["shape"], key_path + ".shape")
        elif "type" in ref:
            name = f"{owner}.{member}"
            inline = {k: v for k, v in ref.items() if k not in _REF_KEYS or k == "streaming"}
            inline.pop("cli_name", None)
            table[name] = {}
            table[name] = normalise(inline, name, key_path)
            out["shape"] = name
        else:
            raise SpecError(f"{where}:{key_path}: a member needs 'shape' or 'type'")
        return out

    def normalise(data: dict, name: str, key_path: str) -> dict:
        if not isinstance(data, dict) or data.get("type") not in _SHAPE_TYPES:
            raise SpecError(
                f"{where}:{key_path}.type: expected one of {', '.join(sorted(_SHAPE_TYPES))}"
            )
        out = {k: v for k, v in data.items() if k not in ("members", "member", "key", "value")}
        if "members" in data:
            members = data["members"] or {}
            out["members"] = {
                m: add_ref(ref, name, m, f"{key_path}.members.{m}") for m, ref in members.items()
            }
            for req in data.get("required", ()):
                if req not in members:
                    raise SpecError(f"{where}:{key_path}.required: '{req}' is not a member")
        for part in ("member", "key", "value"):
            if part in data:
                out[part] = add_ref(data[part], name, part, f"{key_path}.{part}")
        return out

    operation_name = command.get("operation")
    if not operation_name:
        raise SpecError(f"{where}:operation: required")
    operation = {
        k: v
        for k, v in command.items()
        if k not in ("clishape", "command", "shapes", "input", "output", "errors", "operation")
    }
    operation["name"] = operation_name
    for part, default_suffix in (("input", "Input"), ("output", "Output")):
        ref = command.get(part)
        if ref is None:
            continue
        if isinstance(ref, str):
            operation[part] = add_named(ref, part)
        else:
            name = operation_name + default_suffix
            table[name] = {}
            table[name] = normalise(ref, name, part)
            operation[part] = name
    operation["errors"] = [
        add_named(e, f"errors[{i}]") for i, e in enumerate(command.get("errors") or ())
    ]
    return {
        "format": FORMAT_VERSION,
        "service": service.get("service"),
        "metadata": service.get("metadata", {}),
        "service_documentation": service.get("documentation", ""),
        "service_wire": service.get("wire") or {},
        "command": command.get("command"),
        "operation": operation,
        "shapes": table,
    }


# -- cache -------------------------------------------------------------------------------------


def cache_root(environ: os._Environ | dict | None = None) -> Path | None:
    """Where compiled specs are kept; ``CLISHAPE_CACHE_DIR=''`` turns the cache off."""
    environ = os.environ if environ is None else environ
    if "CLISHAPE_CACHE_DIR" in environ:
        value = environ["CLISHAPE_CACHE_DIR"]
        return Path(value) if value else None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clishape"


def _cached(name_from: Path, sources: tuple, build) -> dict:
    """``build()``, or its cached result while every source keeps its size and mtime."""
    key = _cache_key(*sources)
    cache_file = _cache_file(name_from)
    if cache_file is not None:
        try:
            with open(cache_file, encoding="utf-8") as fh:
                cached = json.load(fh)
            if cached.get("key") == key:
                return cached["spec"]
        except (OSError, ValueError):
            pass
    value = build()
    if cache_file is not None:
        _write_cache(cache_file, {"key": key, "spec": value})
    return value


def _cache_key(*files: Path) -> list:
    key: list = [COMPILER_VERSION]
    for path in files:
        st = os.stat(path)
        key.append([st.st_size, st.st_mtime_ns])
    return key


def _cache_file(command_file: Path) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    digest = format(zlib.crc32(os.path.abspath(command_file).encode()), "08x")
    return root / "specs" / f"{command_file.stem}-{digest}.json"


def _write_cache(cache_file: Path, payload: dict) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, separators=(",", ":"))
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only home only costs speed
