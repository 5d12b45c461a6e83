"""Stage 1 — specs: the one checker of the spec format, used when a spec is compiled and by lint.

``check_service`` and ``check_command`` take a parsed file and return every ``Problem`` in it:
keys and value kinds against the tables of ``cli_core.specs.format``, shape references that lead
nowhere, ``required`` names that are not members, the file and folder names, and command-line
options a spec would shadow (a member whose option is a global or pagination option, two members
with one option, counting aliases and the ``--no-x`` form of booleans). Problems carry the file
and key path; ``locate`` adds line and column from the YAML text. Nothing here follows shape
references, so recursive shapes cost nothing, and the walk is linear in the file's size.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from cli_core import options
from cli_core.errors import Problem
from cli_core.shapes.naming import cli_name
from cli_core.shapes.paths import render
from cli_core.specs import format as fmt

SERVICE_FILE = "_service.yaml"
MAX_DEPTH = 64  # inline shapes nested deeper than this are refused (and cannot recurse forever)

_NAME = re.compile(fmt.NAME_PATTERN)
_HANDLER = re.compile(fmt.HANDLER_PATTERN)


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self._inline_seen: set[int] = set()

    def add(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(message, render(path), file=self.file, path=path))

    # -- keys and value kinds --------------------------------------------------------------

    def mapping(self, path: tuple, data, table: dict, required=(), *, open_: bool = False):
        """Check a mapping's keys against ``table`` (``open_``: other keys pass unchecked)."""
        if not isinstance(data, dict):
            self.add(path, f"expected a mapping, got {_kind_of(data)}")
            return
        for key, value in data.items():
            if not isinstance(key, str):
                self.add((*path, key), f"a key must be a string, got {_kind_of(key)}")
            elif key in table:
                self.value((*path, key), value, table[key])
            elif not open_:
                self.add((*path, key), _unknown(key, table))
        for key in required:
            if key not in data:
                self.add(path, f"'{key}' is a required key")

    def value(self, path: tuple, value, kind) -> None:
        if isinstance(kind, tuple):
            form = kind[0]
            if form == "enum":
                if value not in kind[1]:
                    self.add(path, _not_one_of(value, kind[1]))
            elif form == "const":
                if value != kind[1] or isinstance(value, bool):
                    self.add(path, f"must be {kind[1]!r}")
            elif form == "object":
                self.mapping(path, value, kind[1], kind[2])
            elif form == "open":  # known keys checked, others passed through
                self.mapping(path, value, kind[1], kind[2], open_=True)
            elif form == "list":
                if not isinstance(value, list):
                    self.add(path, f"expected a list, got {_kind_of(value)}")
                    return
                for i, item in enumerate(value):
                    self.value((*path, i), item, kind[1])
            elif form == "named":
                if not isinstance(value, dict):
                    self.add(path, f"expected a mapping of names, got {_kind_of(value)}")
                    return
                for name, item in value.items():
                    self.value((*path, name), item, kind[1])
            elif form == "options":  # command-line name -> object
                self.named_objects(path, value, kind[1], kind[2])
            return
        if kind in ("members", "member", "shapes", "shape_or_inline"):
            getattr(self, kind)(path, value)
            return
        expected = _SCALAR_KINDS.get(kind)
        if expected is not None:
            if not expected[1](value):
                self.add(path, f"expected {expected[0]}, got {_kind_of(value)}")
            return
        if kind in ("strings", "names", "tokens"):
            if kind == "tokens" and isinstance(value, str):
                return
            if not isinstance(value, list):
                self.add(path, f"expected a list of strings, got {_kind_of(value)}")
                return
            each = "name" if kind == "names" else "str"
            for i, item in enumerate(value):
                self.value((*path, i), item, each)
            return
        raise AssertionError(f"unknown kind {kind!r}")  # pragma: no cover - a bug in format.py

    def named_objects(self, path: tuple, value, table: dict, required) -> None:
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping of option names, got {_kind_of(value)}")
            return
        for name, item in value.items():
            self.value((*path, name), name, "name")
            self.mapping((*path, name), item, table, required)

    # -- the shape model -------------------------------------------------------------------

    def named(self, path: tuple, value, what: str, visit) -> None:
        """A mapping of names to shapes or members: ``visit(path, item)`` for each."""
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping of {what} names to {what}s, got {_kind_of(value)}")
            return
        for name, item in value.items():
            if isinstance(name, str):
                visit((*path, name), item)
            else:
                self.add((*path, name), f"a {what} name must be a string, got {_kind_of(name)}")

    def shapes(self, path: tuple, value) -> None:
        self.named(path, value, "shape", lambda where, shape: self.shape(where, shape, 0))

    def shape(self, path: tuple, data, depth: int, member_keys: dict | None = None) -> None:
        if not isinstance(data, dict):
            self.add(path, f"expected a shape (a mapping with 'type'), got {_kind_of(data)}")
            return
        kind = data.get("type")
        if kind not in fmt.KEYS_BY_TYPE:
            if "type" not in data:
                self.add(path, "'type' is a required key")
            else:
                self.add((*path, "type"), _not_one_of(kind, fmt.SHAPE_TYPES))
            return
        allowed = set(fmt.KEYS_BY_TYPE[kind])
        table = fmt.SHAPE_KEYS
        if member_keys is not None:  # an inline member: also the reference's keys
            allowed |= set(member_keys) - {"shape"}
            table = {**fmt.MEMBER_KEYS, **fmt.SHAPE_KEYS}
        for key, value in data.items():
            where = (*path, key)
            if not isinstance(key, str):
                self.add(where, f"a key must be a string, got {_kind_of(key)}")
            elif key not in allowed:
                if key in table:
                    self.add(where, f"unknown key '{key}' for a {kind} shape")
                else:
                    self.add(where, _unknown(key, allowed))
            elif key in ("member", "key", "value"):
                self.member(where, value, depth + 1)
            elif key == "members":
                self.members(where, value, depth + 1)
            else:
                self.value(where, value, table[key])
        for key in fmt.REQUIRED_BY_TYPE.get(kind, ()):
            if key not in data:
                self.add(path, f"'{key}' is a required key")
        members = data.get("members")
        required = data.get("required")
        if isinstance(members, dict) and isinstance(required, list):
            for i, name in enumerate(required):
                if isinstance(name, str) and name not in members:
                    self.add((*path, "required", i), f"'{name}' is not a member")

    def members(self, path: tuple, value, depth: int = 0) -> None:
        self.named(path, value, "member", lambda where, member: self.member(where, member, depth))

    def member(self, path: tuple, value, depth: int = 0) -> None:
        if isinstance(value, str):
            return
        if not isinstance(value, dict):
            self.add(path, f"expected a shape name or a mapping, got {_kind_of(value)}")
            return
        if "shape" in value:
            self.mapping(path, value, fmt.MEMBER_KEYS)
            return
        if "type" not in value:
            self.add(path, "a member needs 'shape' (a shape name) or 'type' (an inline shape)")
            return
        if depth > MAX_DEPTH:
            self.add(path, f"inline shapes nested more than {MAX_DEPTH} deep")
            return
        if id(value) in self._inline_seen:
            self.add(path, "the same inline shape appears twice (a YAML alias): name it")
            return
        self._inline_seen.add(id(value))
        self.shape(path, value, depth, member_keys=fmt.MEMBER_KEYS)

    def shape_or_inline(self, path: tuple, value) -> None:
        if isinstance(value, str):
            return
        if isinstance(value, dict) and value.get("type", "structure") != "structure":
            self.add((*path, "type"), "an inline input or output must be a structure")
            return
        self.shape(path, value, 0)


def _finite_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) if isinstance(value, float) else value.bit_length() <= 64


_SCALAR_KINDS = {
    "str": ("a string", lambda v: isinstance(v, str)),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "int": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", _finite_number),
    "mapping": ("a mapping", lambda v: isinstance(v, dict)),
    "scalar": (
        "a string, number or true/false",
        lambda v: isinstance(v, str | bool) or _finite_number(v),
    ),
    "handler": (
        "a handler reference module:function (like mypkg.handlers:create_note)",
        lambda v: isinstance(v, str) and _HANDLER.match(v) is not None,
    ),
    "name": (
        "a name of lower-case letters, digits and dashes",
        lambda v: isinstance(v, str) and _NAME.match(v) is not None,
    ),
}


def _kind_of(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "an integer of more than 64 bits"
    return {
        bool: "true/false", int: "an integer", float: "a number", str: "a string",
        list: "a list", dict: "a mapping",
    }.get(type(value), type(value).__name__)  # fmt: skip


def _not_one_of(value, choices) -> str:
    import difflib

    text = f"{value!r} is not one of: {', '.join(map(str, choices))}"
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [str(c) for c in choices], n=1)
        if close:
            text += f" (did you mean {close[0]}?)"
    return text


def _unknown(key: str, allowed) -> str:
    import difflib

    text = f"unknown key '{key}'"
    close = difflib.get_close_matches(key, [k for k in allowed if isinstance(k, str)], n=1)
    if not close:
        lowered = {k.lower(): k for k in allowed if isinstance(k, str)}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    return text + (f" (did you mean {close[0]}?)" if close else "")


# -- the checks of a whole file -------------------------------------------------------------


def check_service(data: dict, path: Path | str) -> list[Problem]:
    """Every problem of a parsed ``_service.yaml``."""
    path = Path(path)
    checker = _file_checker(data, path, fmt.SERVICE_KEYS, fmt.SERVICE_REQUIRED)
    if not isinstance(data, dict):
        return checker.problems
    service = data.get("service")
    if isinstance(service, str) and path.name == SERVICE_FILE and service != path.parent.name:
        checker.add(("service",), f"'{service}' is not the folder name '{path.parent.name}'")
    shared = _shapes(data)
    _check_refs(checker, shared, shared.__contains__, " (not a shared shape)")
    _check_waiters(checker, data.get("waiters"), path.parent)
    _check_http(checker, data.get("http"))
    return checker.problems


def check_command(data: dict, path: Path | str, service: dict | None) -> list[Problem]:
    """Every problem of a parsed command file, read beside its service's ``_service.yaml``."""
    path = Path(path)
    checker = _file_checker(data, path, fmt.COMMAND_KEYS, fmt.COMMAND_REQUIRED)
    if not isinstance(data, dict):
        return checker.problems
    command = data.get("command")
    if isinstance(command, str) and path.suffix == ".yaml" and command != path.stem:
        checker.add(("command",), f"'{command}' is not the file name '{path.stem}'")
    local = _shapes(data)
    shared = _shapes(service if isinstance(service, dict) else {})

    def known(name) -> bool:
        return name in local or name in shared

    _check_refs(checker, local, known)
    for part in ("input", "output"):
        ref = data.get(part)
        if isinstance(ref, str) and not known(ref):
            checker.add((part,), f"unknown shape '{ref}'")
        elif isinstance(ref, dict):
            for where, name in _refs(ref, (part,)):
                if not known(name):
                    checker.add(where, f"unknown shape '{name}'")
    errors = data.get("errors")
    for i, name in enumerate(errors if isinstance(errors, list) else ()):
        if isinstance(name, str) and not known(name):
            checker.add(("errors", i), f"unknown shape '{name}'")
    _check_options(checker, data, local, shared)
    _check_cli_arguments(checker, data, local, shared)
    return checker.problems


def _file_checker(data, path: Path, keys: dict, required: tuple) -> _Checker:
    checker = _Checker(str(path))
    checker.mapping((), data, keys, required)
    return checker


def _check_refs(checker: _Checker, shapes: dict, known, note: str = "") -> None:
    """Every shape reference inside ``shapes`` must be ``known``."""
    for name, shape in shapes.items():
        for where, ref in _refs(shape, ("shapes", name)):
            if not known(ref):
                checker.add(where, f"unknown shape '{ref}'{note}")


def _shapes(data: dict) -> dict:
    shapes = data.get("shapes")
    return shapes if isinstance(shapes, dict) else {}


def _refs(shape, path: tuple, depth: int = 0):
    """(key path, shape name) of every reference in one shape, inline members included."""
    if not isinstance(shape, dict) or depth > MAX_DEPTH:
        return
    parts = []
    members = shape.get("members")
    if isinstance(members, dict):
        parts += [((*path, "members", m), ref) for m, ref in members.items()]
    parts += [((*path, p), shape[p]) for p in ("member", "key", "value") if p in shape]
    for where, ref in parts:
        if isinstance(ref, str):
            yield where, ref
        elif isinstance(ref, dict) and "shape" in ref:
            if isinstance(ref["shape"], str):
                yield (*where, "shape"), ref["shape"]
        elif isinstance(ref, dict):
            yield from _refs(ref, where, depth + 1)


def _check_options(checker: _Checker, data: dict, local: dict, shared: dict) -> None:
    """No member's option may shadow a global or pagination option, or another member's."""
    ref = data.get("input")
    if isinstance(ref, str):
        shape = local.get(ref, shared.get(ref))
        where = ("shapes", ref) if ref in local else (f"{SERVICE_FILE}:shapes", ref)
    else:
        shape, where = ref, ("input",)
    if not isinstance(shape, dict) or not isinstance(shape.get("members"), dict):
        return
    reserved = set(options.RESERVED_OPTION_NAMES)
    if "pagination" in data:
        reserved.update(options.PAGINATION_OPTIONS)
    seen: dict[str, str] = {}
    arguments = data.get("cli_arguments")
    for name in arguments if isinstance(arguments, dict) else ():
        if isinstance(name, str):
            if "--" + name in reserved:
                checker.add(("cli_arguments", name), f"option --{name} is a global option")
            seen["--" + name] = f"cli_arguments.{name}"
            target = _argument_target(data, name, local, shared)
            if isinstance(target, dict) and target.get("type") == "boolean":
                seen["--no-" + name] = f"cli_arguments.{name}"
    for member, member_ref in shape["members"].items():
        if not isinstance(member, str):
            continue
        for option in _member_options(member, member_ref, local, shared):
            place = (*where, "members", member)
            if option in reserved:
                kind = "pagination" if option in options.PAGINATION_OPTIONS else "global"
                checker.add(
                    place,
                    f"option {option} collides with the {kind} option {option}; "
                    "give the member a cli_name",
                )
            elif option in seen and seen[option] != member:
                checker.add(
                    place,
                    f"option {option} is also an option of member '{seen[option]}'; "
                    "give one of them a cli_name",
                )
            else:
                seen[option] = member


def _member_options(member: str, ref, local: dict, shared: dict) -> list[str]:
    """The options one top-level member takes: its name, aliases and their ``--no-`` forms."""
    if isinstance(ref, str):
        ref = {"shape": ref}
    if not isinstance(ref, dict):
        ref = {}
    if ref.get("cli_option") is False:
        return []
    given = ref.get("cli_name")
    names = ["--" + (given if isinstance(given, str) and given else cli_name(member))]
    aliases = ref.get("cli_aliases")
    if isinstance(aliases, list):
        names += ["--" + a for a in aliases if isinstance(a, str) and a]
    target = ref
    if isinstance(ref.get("shape"), str):
        target = local.get(ref["shape"], shared.get(ref["shape"]))
    if isinstance(target, dict) and target.get("type") == "boolean" or ref.get("cli_flag"):
        names += ["--no-" + n[2:] for n in names]
    return list(dict.fromkeys(names))


# -- http: (a plain HTTP API) ------------------------------------------------------------------

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_http(checker: _Checker, http) -> None:
    """What the tables cannot say about ``http:``: an absolute http(s) endpoint, an api-key's
    ``in`` and ``name`` (and only an api-key's), an environment variable name that can be set."""
    if not isinstance(http, dict):
        return
    endpoint = http.get("endpoint")
    if isinstance(endpoint, str) and not re.match(r"^https?://[^/?#\s]+[^?#\s]*$", endpoint):
        checker.add(("http", "endpoint"), "expected an http:// or https:// URL without query")
    auth = http.get("auth")
    for i, entry in enumerate(auth if isinstance(auth, list) else ()):
        if not isinstance(entry, dict):
            continue
        where = ("http", "auth", i)
        if entry.get("type") == "api-key":
            for key in ("in", "name"):
                if key not in entry:
                    checker.add(where, f"'{key}' is a required key for an api-key")
        else:
            for key in ("in", "name"):
                if key in entry:
                    checker.add((*where, key), f"only an api-key takes '{key}'")
        env = entry.get("env")
        if isinstance(env, str) and not _ENV_NAME.match(env):
            checker.add((*where, "env"), "expected an environment variable name (A-Z, 0-9, _)")
        if "env" not in entry and "config" not in entry:
            checker.add(where, "give 'env' or 'config' (where the secret comes from)")


# -- waiters -----------------------------------------------------------------------------------


def _check_waiters(checker: _Checker, waiters, folder: Path) -> None:
    """What the tables cannot say about ``waiters:``: kebab-case names, a command file for each,
    positive delay and attempts, an ``argument`` (valid JMESPath) exactly on the path matchers,
    and an ``expected`` value of the matcher's kind."""
    if not isinstance(waiters, dict):
        return
    for name, waiter in waiters.items():
        where = ("waiters", name)
        if not isinstance(name, str) or _NAME.match(name) is None or name != name.lower():
            checker.add(where, "a waiter name is lower-case letters, digits and dashes")
        if not isinstance(waiter, dict):
            continue
        command = waiter.get("command")
        if isinstance(command, str) and _NAME.match(command):
            if not _is_file(folder / f"{command}.yaml"):
                checker.add((*where, "command"), f"no command '{command}' in this service")
        for key in ("delay", "maxAttempts"):
            value = waiter.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                checker.add((*where, key), "must be 1 or more")
        acceptors = waiter.get("acceptors")
        if isinstance(acceptors, list):
            if not acceptors:
                checker.add((*where, "acceptors"), "a waiter needs at least one acceptor")
            for i, acceptor in enumerate(acceptors):
                if isinstance(acceptor, dict):
                    _check_acceptor(checker, (*where, "acceptors", i), acceptor)


def _check_acceptor(checker: _Checker, where: tuple, acceptor: dict) -> None:
    matcher = acceptor.get("matcher")
    argument = acceptor.get("argument")
    expected = acceptor.get("expected")
    if matcher in fmt.WAITER_PATH_MATCHERS:
        if argument is None:
            checker.add(where, f"'argument' (a JMESPath expression) is required for {matcher}")
        elif isinstance(argument, str):
            problem = _jmespath_problem(argument)
            if problem:
                checker.add((*where, "argument"), f"not a valid JMESPath expression: {problem}")
    elif matcher in fmt.WAITER_MATCHERS and argument is not None:
        checker.add((*where, "argument"), f"only path matchers take an argument, not {matcher}")
    if matcher == "status" and (isinstance(expected, bool) or not isinstance(expected, int)):
        checker.add((*where, "expected"), "a status matcher expects an HTTP status code")
    if matcher == "error" and not isinstance(expected, str | bool):
        checker.add((*where, "expected"), "an error matcher expects an error code or true/false")


def _jmespath_problem(expression: str) -> str:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        return " ".join(str(exc).split())
    return ""


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


# -- argument customizations ---------------------------------------------------------------------


def _input_shape(data: dict, local: dict, shared: dict):
    ref = data.get("input")
    return _resolve(ref, local, shared) if isinstance(ref, str) else ref


def _resolve(ref, local: dict, shared: dict):
    """The shape a member reference (or shape name) stands for, or None."""
    if isinstance(ref, str):
        return local.get(ref, shared.get(ref))
    if isinstance(ref, dict) and isinstance(ref.get("shape"), str):
        return local.get(ref["shape"], shared.get(ref["shape"]))
    return ref if isinstance(ref, dict) else None


def _argument_paths(argument) -> list:
    paths = argument.get("members") if isinstance(argument, dict) else None
    return [paths] if isinstance(paths, str) else paths if isinstance(paths, list) else []


def _follow(shape, path: str, local: dict, shared: dict):
    """The shape at a dotted member path from ``shape`` (through structures), or a message."""
    for depth, part in enumerate(path.split(".")):
        if not isinstance(shape, dict) or shape.get("type", "structure") != "structure":
            return f"'{'.'.join(path.split('.')[:depth])}' is not a structure"
        members = shape.get("members")
        if not isinstance(members, dict) or part not in members:
            return f"'{part}' is not a member" + (
                f" of '{path.rsplit('.', 1)[0]}'" if depth else ""
            )
        shape = _resolve(members[part], local, shared)
    return shape


def _argument_target(data: dict, name: str, local: dict, shared: dict):
    argument = data["cli_arguments"][name]
    paths = _argument_paths(argument)
    if len(paths) != 1 or not isinstance(paths[0], str):
        return None
    target = _follow(_input_shape(data, local, shared), paths[0], local, shared)
    return target if isinstance(target, dict) else None


def _check_cli_arguments(checker: _Checker, data: dict, local: dict, shared: dict) -> None:
    """Every ``cli_arguments`` path leads to a member; ``split`` goes with several scalar
    members; ``cli_flag``/``cli_bare_items`` members have the shape those forms need."""
    arguments = data.get("cli_arguments")
    shape = _input_shape(data, local, shared)
    if isinstance(arguments, dict) and not isinstance(shape, dict):
        checker.add(("cli_arguments",), "the command has no input structure")
        return
    for name, argument in arguments.items() if isinstance(arguments, dict) else ():
        paths = _argument_paths(argument)
        where = ("cli_arguments", name, "members")
        targets = []
        for i, path in enumerate(paths):
            if not isinstance(path, str) or not path:
                continue
            target = _follow(shape, path, local, shared)
            if isinstance(target, str):
                checker.add((*where, i) if len(paths) > 1 else where, f"{path}: {target}")
            else:
                targets.append(target)
        if not isinstance(argument, dict):
            continue
        if "split" in argument and len(paths) < 2:
            checker.add(("cli_arguments", name, "split"), "split needs two or more members")
        if len(paths) > 1:
            if "split" not in argument:
                checker.add(where, "several members need 'split' (how the value is divided)")
            for target in targets:
                if isinstance(target, dict) and target.get("type") in ("structure", "list", "map"):
                    checker.add(where, "a split value can only fill scalar members")
                    break
    members = shape.get("members") if isinstance(shape, dict) else None
    for member, ref in members.items() if isinstance(members, dict) else ():
        if not isinstance(ref, dict):
            continue
        target = _resolve(ref, local, shared)
        place = ("input",) if isinstance(data.get("input"), dict) else ("shapes", data.get("input"))
        place = (*place, "members", member)
        if ref.get("cli_flag") and not _is_bool_wrapper(target, local, shared):
            checker.add(
                (*place, "cli_flag"),
                "cli_flag needs a structure with one boolean member",
            )
        if ref.get("cli_bare_items") and not _is_list_of_one(target, local, shared):
            checker.add(
                (*place, "cli_bare_items"),
                "cli_bare_items needs a list of structures with one scalar member",
            )


def _is_bool_wrapper(shape, local: dict, shared: dict) -> bool:
    members = shape.get("members") if isinstance(shape, dict) else None
    if shape is None or shape.get("type") != "structure" or not isinstance(members, dict):
        return False
    if len(members) != 1:
        return False
    inner = _resolve(next(iter(members.values())), local, shared)
    return isinstance(inner, dict) and inner.get("type") == "boolean"


_NOT_SCALAR = ("structure", "list", "map", "document")


def _is_list_of_one(shape, local: dict, shared: dict) -> bool:
    if not isinstance(shape, dict) or shape.get("type") != "list":
        return False
    item = _resolve(shape.get("member"), local, shared)
    members = item.get("members") if isinstance(item, dict) else None
    if not isinstance(members, dict) or item.get("type") != "structure" or len(members) != 1:
        return False
    inner = _resolve(next(iter(members.values())), local, shared)
    return isinstance(inner, dict) and inner.get("type") not in _NOT_SCALAR


# -- where in the file --------------------------------------------------------------------------


def locate(problems: list[Problem], text: str) -> list[Problem]:
    """The problems with line and column (1-based) looked up in the file's YAML text, in the
    order of the file."""
    if not any(p.path is not None for p in problems):
        return problems
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)  # noqa: S506 - a safe loader
    except Exception:  # noqa: BLE001 - positions are a nicety; the problems stand without them
        return problems
    out = []
    for problem in problems:
        mark = _mark(root, problem.path) if problem.path is not None else None
        if mark is None:
            out.append(problem)
        else:
            out.append(problem.at(mark.line + 1, mark.column + 1))
    return sorted(out, key=lambda p: (p.line or 0, p.column or 0))


def _mark(node, path: tuple):
    import yaml

    mark = node.start_mark if not path and node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and (
                    key.value == part or key.value == str(part)
                ):
                    mark, node = key.start_mark, value
                    break
            else:
                return mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return mark
            node = node.value[part]
            mark = node.start_mark
        else:
            return mark
    return mark
