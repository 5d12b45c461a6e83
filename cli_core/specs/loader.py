"""Stage 1 — specs: find, load and compile the one spec the command line names.

Specs live in ``<root>/<service>/``: ``_service.yaml`` (metadata and shared shapes) and one
``<command>.yaml`` per command. Roots are the entries of ``CLISHAPE_SPEC_PATH`` (os.pathsep
separated) followed by the shipped ``specs/``; the first root holding ``<service>/_service.yaml``
owns that service.

Compiling checks the two YAML files (``cli_core.specs.check``: every problem, or none) and turns
them into one flat, self-contained dict (only the shapes the command reaches, inline shapes given
names, every member a ``{"shape": name}`` reference). The result is cached as JSON in the user's
cache folder (``cli_core.cache``), keyed by a hash of both files' bytes and the compiler version,
so the hot path is two small reads and a hash, and neither PyYAML nor the checker is imported.

A service's waiters (``waiters:`` of ``_service.yaml``) are cached the same way; the wait command
``SERVICE wait NAME`` is the compiled command its waiter calls, renamed, with the waiter beside.
"""

from __future__ import annotations

import os
from pathlib import Path

from cli_core import cache
from cli_core.errors import Problem, SpecError
from cli_core.settings import SHIPPED_SPECS
from cli_core.shapes.model import Command
from cli_core.specs.format import FORMAT_VERSION, SHAPE_TYPES

COMPILER_VERSION = "4"
SERVICE_FILE = "_service.yaml"
MAX_SPEC_BYTES = 64 * 1024 * 1024  # a spec file larger than this is refused, not read

_SHAPE_TYPES = set(SHAPE_TYPES)
# Keys of a member reference that describe the reference, not the shape it points at.
_REF_KEYS = {
    "shape", "documentation", "location", "locationName", "idempotencyToken", "jsonvalue",
    "hostLabel", "deprecated", "deprecatedMessage", "deprecatedSince", "xmlNamespace",
    "xmlAttribute", "queryName", "flattened", "box", "contextParam", "eventpayload",
    "eventheader", "streaming", "cli_name", "cli_aliases", "sensitive", "requiresLength",
    "cli_hidden", "cli_option", "cli_flag", "cli_bare_items", "cli_last_path_part",
}  # fmt: skip


def _is_file(path: Path) -> bool:
    """``path.is_file()`` that answers False for any name the system refuses."""
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def service_dir(service: str, roots: list[Path] | None = None) -> Path | None:
    """The folder that owns ``service``, or None."""
    if not service or "/" in service or "\\" in service or service.startswith("."):
        return None
    for root in roots if roots is not None else [SHIPPED_SPECS]:
        candidate = root / service
        if _is_file(candidate / SERVICE_FILE):
            return candidate
    return None


def list_services(roots: list[Path] | None = None) -> list[str]:
    """Every service name across the roots, sorted (a directory listing: no spec is read)."""
    names: set[str] = set()
    for root in roots if roots is not None else [SHIPPED_SPECS]:
        try:
            with os.scandir(root) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if _is_file(os.path.join(entry.path, SERVICE_FILE)):
                        names.add(entry.name)
        except (OSError, ValueError):
            continue
    return sorted(names)


def list_commands(service_path: Path) -> list[str]:
    """The command names of one service folder, sorted (file names only)."""
    try:
        names = os.listdir(service_path)
    except OSError as exc:
        raise SpecError(f"{service_path}: cannot list the service folder: {exc.strerror}") from None
    return sorted(
        name[:-5] for name in names if name.endswith(".yaml") and not name.startswith(("_", "."))
    )


def load_command(
    service: str, command: str, roots: list[Path] | None = None, *, cache_dir: Path | None = None
) -> Command | None:
    """The named command, compiled (from the cache in ``cache_dir`` when given and fresh);
    None if there is none. A broken spec is a SpecError listing every problem."""
    folder = service_dir(service, roots)
    if folder is None or not command or "/" in command or command.startswith((".", "_")):
        return None
    command_file = folder / f"{command}.yaml"
    if not _is_file(command_file):
        return None
    return Command(load_compiled(folder / SERVICE_FILE, command_file, cache_dir=cache_dir))


def load_compiled(service_file: Path, command_file: Path, *, cache_dir: Path | None = None) -> dict:
    """The compiled form of a command: checked and compiled, or from the cache."""
    folder = cache.private_folder(cache_dir, "specs")
    if folder is None:
        service = read_yaml(service_file)
        command = read_yaml(command_file)
        return _check_and_compile(service, command, service_file, command_file)
    service_bytes = _read_bytes(service_file)
    command_bytes = _read_bytes(command_file)
    key = cache.content_key(COMPILER_VERSION, service_bytes, command_bytes)
    slot = cache.slot_name(command_file.stem, os.path.abspath(command_file))
    compiled = cache.read_entry(folder, slot, key)
    if isinstance(compiled, dict) and compiled.get("format") == FORMAT_VERSION:
        return compiled
    service = parse_yaml(service_bytes, service_file)
    command = parse_yaml(command_bytes, command_file)
    compiled = _check_and_compile(service, command, service_file, command_file)
    cache.write_entry(folder, slot, key, compiled)
    return compiled


def _check_and_compile(service: dict, command: dict, service_file: Path, command_file: Path):
    from cli_core.specs.check import check_command

    problems = _checked_service(service, service_file)
    problems += check_command(command, command_file, service)
    _raise_errors(problems, (service_file, command_file))
    try:
        return compile_command(service, command, command_file)
    except RecursionError:
        raise SpecError(
            [Problem("shape references nest too deeply to compile", file=str(command_file))]
        ) from None


_SERVICE_CHECKS: dict[int, tuple[dict, list]] = {}


def _checked_service(service: dict, service_file: Path) -> list[Problem]:
    """``check_service``, once per parsed service file in this process (many commands share it)."""
    from cli_core.specs.check import check_service

    known = _SERVICE_CHECKS.get(id(service))
    if known is not None and known[0] is service:
        return list(known[1])
    problems = check_service(service, service_file)
    if len(_SERVICE_CHECKS) >= 8:
        _SERVICE_CHECKS.clear()
    _SERVICE_CHECKS[id(service)] = (service, problems)  # holding it keeps its id unique
    return list(problems)


def _raise_errors(problems: list[Problem], files: tuple[Path, ...]) -> None:
    """A SpecError with every error (placed at line and column), if there is one."""
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return
    from cli_core.specs.check import locate

    placed = []
    for file in files:
        mine = [p for p in errors if p.file == str(file)]
        if mine:
            try:
                text = _read_bytes(Path(file)).decode("utf-8")
            except (SpecError, UnicodeDecodeError):
                placed += mine
                continue
            placed += locate(mine, text)
    placed += [p for p in errors if p.file not in {str(f) for f in files}]
    raise SpecError(placed)


def load_service_doc(
    service: str, roots: list[Path] | None = None, *, cache_dir: Path | None = None
) -> dict | None:
    """The service file's top-level data (metadata, documentation) for the service help page."""
    folder = service_dir(service, roots)
    if folder is None:
        return None
    service_file = folder / SERVICE_FILE
    commands = list_commands(folder)
    service_bytes = _read_bytes(service_file)
    # The listing changes when a command file is added, removed or edited (it may be marked
    # deprecated): each one counts by its identity, size and times (reading hundreds of files
    # on every service help would cost more than the page); the service file by its bytes.
    files = [_file_identity(folder / f"{c}.yaml") for c in commands]
    key = cache.content_key(COMPILER_VERSION, service_bytes, *commands, *files)
    cache_folder = cache.private_folder(cache_dir, "specs")
    slot = cache.slot_name("_service", os.path.abspath(folder))
    info = cache.read_entry(cache_folder, slot, key)
    if isinstance(info, dict) and info.get("service") == service:
        return info
    data = parse_yaml(service_bytes, service_file)
    _raise_errors(_checked_service(data, service_file), (service_file,))
    info = {
        "service": service,
        "metadata": data.get("metadata", {}),
        "documentation": data.get("documentation", ""),
        "commands": commands,
        "deprecated_commands": [
            c for c in commands if _marked_deprecated(_read_bytes(folder / f"{c}.yaml"))
        ],
        "folder": str(folder),
        "waiters": sorted(data.get("waiters") or ()),
    }
    cache.write_entry(cache_folder, slot, key, info)
    return info


# -- waiters -----------------------------------------------------------------------------------

WAIT_COMMAND = "wait"  # ``SERVICE wait WAITER``: the command under which a service's waiters are


def load_waiters(
    service: str, roots: list[Path] | None = None, *, cache_dir: Path | None = None
) -> dict:
    """The service's waiters (CLI name -> waiter spec) from its ``_service.yaml``, checked; {}
    when it has none. Cached by the service file's bytes, so a ``wait`` run reads no YAML."""
    folder = service_dir(service, roots)
    if folder is None:
        return {}
    service_file = folder / SERVICE_FILE
    service_bytes = _read_bytes(service_file)
    key = cache.content_key(COMPILER_VERSION, "waiters", service_bytes)
    cache_folder = cache.private_folder(cache_dir, "specs")
    slot = cache.slot_name("_waiters", os.path.abspath(folder))
    waiters = cache.read_entry(cache_folder, slot, key)
    if isinstance(waiters, dict):
        return waiters
    data = parse_yaml(service_bytes, service_file)
    _raise_errors(_checked_service(data, service_file), (service_file,))
    waiters = data.get("waiters") or {}
    cache.write_entry(cache_folder, slot, key, waiters)
    return waiters


def load_waiter(
    service: str, name: str, roots: list[Path] | None = None, *, cache_dir: Path | None = None
) -> Command | None:
    """The wait command ``SERVICE wait NAME``: the compiled command the waiter polls, under the
    waiter's name, with the waiter in ``raw["waiter"]``; None when the service has no such
    waiter. A waiter makes one call per attempt, so the command has no pagination."""
    spec = load_waiters(service, roots, cache_dir=cache_dir).get(name)
    folder = service_dir(service, roots)
    if spec is None or folder is None:
        return None
    command_file = folder / f"{spec['command']}.yaml"
    if not _is_file(command_file):
        raise SpecError(
            [
                Problem(
                    f"no command '{spec['command']}' in this service",
                    f"waiters.{name}.command",
                    file=str(folder / SERVICE_FILE),
                )
            ]
        )
    compiled = load_compiled(folder / SERVICE_FILE, command_file, cache_dir=cache_dir)
    return Command(waiter_command(compiled, name, spec))


def waiter_command(compiled: dict, name: str, spec: dict) -> dict:
    """A compiled command turned into the wait command of waiter ``name`` (``spec``)."""
    operation = {k: v for k, v in compiled["operation"].items() if k != "pagination"}
    waiter = dict(spec)
    waiter.setdefault("name", "".join(part.capitalize() for part in name.split("-")))
    waiter["polls"] = compiled["command"]
    return {**compiled, "command": name, "operation": operation, "waiter": waiter}


def _file_identity(path: Path) -> str:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return "missing"
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def _marked_deprecated(text: bytes) -> bool:
    """A top-level ``deprecated: true`` line, found without parsing the whole file."""
    return any(line.rstrip() == b"deprecated: true" for line in text.splitlines())


# -- reading -----------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    """A spec file's bytes (at most ``MAX_SPEC_BYTES``); a SpecError naming it otherwise."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError([Problem(f"cannot read spec: {exc.strerror}", file=str(path))]) from None
    except ValueError:
        raise SpecError([Problem("not a valid file name", file=str(path))]) from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(
            [Problem(f"larger than {MAX_SPEC_BYTES // 2**20} MiB: not read", file=str(path))]
        )
    return data


def read_yaml(path: Path) -> dict:
    """Parse one spec file (safe loader; the C loader where available)."""
    return parse_yaml(_read_bytes(path), path)


def parse_yaml(data: bytes, path: Path) -> dict:
    """A spec file's mapping from its bytes: UTF-8, YAML, a mapping — or a SpecError saying
    which of these it is not, with the line and column where known."""
    import yaml

    file = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(
            [Problem(f"not UTF-8 (byte 0x{data[exc.start]:02x})", file=file, line=line,
                     column=column)]
        ) from None  # fmt: skip
    try:
        parsed = yaml.load(text, Loader=_spec_loader())  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(exc.problem or exc.context or "").split())
        context = " ".join(str(exc.context or "").split())
        if context and context != what:
            what = f"{what} ({context})"
        problem = Problem(f"not valid YAML: {what}", file=file)
        if mark is not None:
            problem = problem.at(mark.line + 1, mark.column + 1)
        raise SpecError([problem]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise SpecError([Problem(f"not valid YAML: {message}", file=file)]) from None
    except RecursionError:
        raise SpecError([Problem("not valid YAML: nested too deeply", file=file)]) from None
    except (ValueError, OverflowError):  # e.g. a number of more digits than Python converts
        raise SpecError([Problem("not valid YAML: a value too large to read", file=file)]) from None
    if not isinstance(parsed, dict):
        raise SpecError([Problem("a spec file must be a mapping", file=file)])
    return parsed


_LOADER = None


def _spec_loader():
    """PyYAML's safe loader (the C one where available) that refuses a key given twice."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class SpecLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node, deep=False):
                seen = set()
                for key_node, _ in node.value:
                    key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                    if key is not None and key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"the key '{key}' is given twice", key_node.start_mark
                        )
                    seen.add(key)
                return super().construct_mapping(node, deep=deep)

        _LOADER = SpecLoader
    return _LOADER


# -- compiling ---------------------------------------------------------------------------------


def compile_command(service: dict, command: dict, command_file: Path | str = "<spec>") -> dict:
    """Merge a service file and a command file into the flat compiled form.

    Only shapes reachable from the operation's input, output and errors are kept. Inline shapes
    (a member written with ``type:`` instead of ``shape:``) are given the name
    ``<Parent>.<Member>``. The files are expected to have passed ``cli_core.specs.check`` (the
    loader checks before it compiles); what cannot be compiled anyway is a SpecError naming the
    file and key, never a crash.
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
        "service_http": service.get("http"),  # a plain HTTP API (no SigV4) when present
        "command": command.get("command"),
        "operation": operation,
        "shapes": table,
    }


# -- cache -------------------------------------------------------------------------------------
