"""Shell completion — the engine: the words of a command line in, the candidates for its last
word out.

    candidates(line, roots=..., cache_dir=..., environ=...) -> list[str]

``line`` is the command line up to the cursor (program name first). Its last word, possibly
empty, is the one being completed; the words before it say where the cursor stands: before the
service, the command, a waiter, an option's value or among a command's options.

It answers from the spec index and reads no more than it needs: the services are folder names,
a service's commands are file names (plus ``wait`` when the service file has waiters), and a
command's options come from that one compiled spec (the loader's cache). The global options,
their values, profile names and paths need no spec at all. Nothing here imports botocore,
argparse, jsonschema or jmespath; PyYAML only when a spec is not in the cache yet.
"""

from __future__ import annotations

import os

from cli_core.complete import COMPLETION_COMMAND, SHELLS
from cli_core.options import CLI_INPUT_OPTIONS, PAGINATION, SKELETON_MODES, SKELETON_OPTION

FILE_PREFIXES = ("file://", "fileb://")  # as cli_core.shapes.codecs (not imported: start-up)
MAX_PATHS = 500  # directory entries offered at most (a huge folder is no list to read)

# What follows an option on the command line: nothing, one value, any number of values, or one
# value that may be left out.
FLAG, ONE, MANY, OPTIONAL = "flag", "one", "many", "optional"
PATH = "path"  # a value that is a file's path as it is (streaming blobs, --ca-bundle, outfile)


class Option:
    """One option a command line may hold here: how many values it takes, what they may be
    (``values``: the fixed choices, ``PATH`` or None), the group it belongs to (an option and
    its ``--no-`` form, or its aliases, are one group: given once, none of them is offered
    again), and whether it is offered (aliases and hidden members are not)."""

    __slots__ = ("name", "takes", "values", "group", "offered")

    def __init__(self, name, takes, values=None, group=None, offered=True):
        self.name, self.takes, self.values = name, takes, values
        self.group, self.offered = group or name, offered


def global_table(environ, app=None) -> dict[str, Option]:
    """The app's global options (``cli_core.options``), with the values each one takes."""
    from cli_core.options import global_options

    out = {}
    families = app.families if app is not None else ("core", "http", "aws")
    for opt in global_options(families):
        if opt.kind == "flag":
            out[opt.name] = Option(opt.name, FLAG)
        elif opt.kind == "optional-choice":  # --cli-dry-run [http]
            out[opt.name] = Option(opt.name, OPTIONAL, tuple(opt.choices))
        elif opt.choices:
            out[opt.name] = Option(opt.name, ONE, tuple(opt.choices))
        elif opt.name == "--profile":
            out[opt.name] = Option(opt.name, ONE, lambda: profile_names(environ, app))
        elif opt.name == "--ca-bundle":
            out[opt.name] = Option(opt.name, ONE, PATH)
        else:
            out[opt.name] = Option(opt.name, ONE)
    return out


def command_options(command) -> tuple[dict[str, Option], bool]:
    """A compiled command's options (``cli_core.argv.parser.build_parser``'s rules, read from the
    model so that argparse is not imported), and whether it takes a positional outfile."""
    out: dict[str, Option] = {}
    shape = command.input
    for name, member in shape.members.items() if shape is not None else ():
        if member.raw.get("cli_option") is False:
            continue
        offered = not member.raw.get("cli_hidden")
        kind = member.shape.type
        if kind == "boolean" or member.raw.get("cli_flag"):
            takes = FLAG if kind == "boolean" else OPTIONAL
            for option in (member.option, *member.aliases):
                primary = offered and option == member.option
                out[option] = Option(option, takes, _choices(member.shape), name, primary)
                no = "--no-" + option[2:]
                out[no] = Option(no, FLAG, None, name, primary)
            continue
        if member.streaming_blob:
            values = PATH
        else:
            values = _choices(member.shape.member.shape if kind == "list" else member.shape)
        takes = MANY if kind == "list" else ONE
        for option in (member.option, *member.aliases):
            out[option] = Option(option, takes, values, name, offered and option == member.option)
    for argument in _arguments(command):
        if argument.is_boolean:
            out[argument.option] = Option(argument.option, FLAG)
            no = "--no-" + argument.option[2:]
            out[no] = Option(no, FLAG, None, argument.option)
        else:
            takes = MANY if argument.takes_list else ONE
            values = None if argument.split else _choices(argument.shape)
            out[argument.option] = Option(argument.option, takes, values)
    outfile = command.outfile_member is not None
    if not outfile:
        for option in CLI_INPUT_OPTIONS:
            out[option] = Option(option, ONE)
        out[SKELETON_OPTION] = Option(SKELETON_OPTION, OPTIONAL, SKELETON_MODES)
    pagination = command.pagination
    for opt in PAGINATION if pagination else ():
        if opt.name != "--page-size" or pagination.get("limit_key"):
            out[opt.name] = Option(opt.name, ONE)
    return out, outfile


def _arguments(command):
    """The command's argument customizations (their module imported only when it has some)."""
    if not command.raw["operation"].get("cli_arguments"):
        return ()
    from cli_core.shapes.arguments import arguments

    return arguments(command)


def _choices(shape):
    enum = shape.enum
    if enum:
        return tuple(enum)
    if shape.type == "boolean":
        return ("true", "false")
    return None


# -- the line --------------------------------------------------------------------------------


def split_line(line: str) -> list[str]:
    """The words of a shell command line as the program will get them (quotes and backslashes
    undone); the last one is the word under the cursor ("" after a space)."""
    return _scan(line)[0]


def open_quote(line: str) -> str | None:
    """The quote the word under the cursor is inside of (``'`` or ``"``), or None."""
    return _scan(line)[1]


def _scan(line: str) -> tuple[list[str], str | None]:
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quote = None
    chars = iter(line)
    for ch in chars:
        if quote == "'":
            if ch == "'":
                quote = None
            else:
                word.append(ch)
        elif quote == '"':
            if ch == '"':
                quote = None
            elif ch == "\\":
                nxt = next(chars, "")
                word.append(nxt if nxt in '"\\$`\n' else "\\" + nxt)
            else:
                word.append(ch)
        elif ch in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        elif ch in "'\"":
            quote, in_word = ch, True
        elif ch == "\\":
            word.append(next(chars, ""))
            in_word = True
        else:
            word.append(ch)
            in_word = True
    words.append("".join(word))
    return words, quote


# -- the answer ------------------------------------------------------------------------------


class Place:
    """Where the cursor stands, from the words before it."""

    def __init__(self):
        self.positionals: list[str] = []  # service, command, waiter, outfile, as given
        self.given: set[str] = set()  # option groups given
        self.pending: Option | None = None  # the option whose value(s) the cursor may be at
        self.after_value = False  # MANY/OPTIONAL: the cursor may also start a new option


def candidates(
    line: str, *, roots=None, cache_dir=None, environ=None, app=None, program_words: int = 1
) -> list[str]:
    """The completions of the last word of ``line`` (sorted, unique)."""
    environ = {} if environ is None else environ
    words = split_line(line)[program_words:]
    if not words:
        return []
    before, current = words[:-1], words[-1]
    found = set(_candidates(before, current, roots, cache_dir, environ, app))
    return sorted(w for w in found if w.startswith(current))


def _candidates(before, current, roots, cache_dir, environ, app):
    from cli_core import specs as spec

    known = _Known(global_table(environ, app), roots, cache_dir, spec)
    place = Place()
    for word in before:
        if word == "--":
            place.pending = None
            continue
        if place.pending is not None and (place.pending.takes == ONE or not word.startswith("-")):
            if place.pending.takes == ONE:
                place.pending = None
            else:
                place.after_value = True
                if place.pending.takes == OPTIONAL:
                    place.pending = None
            continue
        place.pending, place.after_value = None, False
        if word.startswith("--"):
            name, has_value, _ = word.partition("=")
            option = known.get(name)
            if option is not None:
                place.given.add(option.group)
                if not has_value and option.takes != FLAG:
                    place.pending = option
            continue
        if word.startswith("-"):
            continue
        default = getattr(app, "default_service", None)
        if (
            not place.positionals
            and default
            and word != COMPLETION_COMMAND
            and spec.service_dir(word, roots) is None
        ):
            place.positionals.append(default)  # ``PROG COMMAND``: the app's default service
        place.positionals.append(word)
        known.named(place.positionals)
    answer = _answer(place, current, known, roots, cache_dir, spec, environ)
    default = getattr(app, "default_service", None)
    if default and not place.positionals and not current.startswith("-"):
        answer = [*answer, *_commands(default, roots, cache_dir, spec)]
    return answer


class _Known:
    """The options the line may hold so far: the global ones, then also the command's once the
    positionals name a command. Its compiled spec is read only when a word needs it (a value of
    a global option, say, never does)."""

    def __init__(self, options, roots, cache_dir, spec):
        self.options, self.roots, self.cache_dir, self.spec = options, roots, cache_dir, spec
        self.command, self.outfile = None, False
        self._named: list[str] | None = None

    def named(self, positionals: list[str]) -> None:
        if self.command is None and self._named is None and _names_command(positionals, self.spec):
            self._named = list(positionals)

    def load(self) -> None:
        """Read the named command's spec (once) and add its options."""
        if self._named is None:
            return
        positionals, self._named = self._named, None
        self.command = _command_at(positionals, self.roots, self.cache_dir, self.spec)
        if self.command is not None:
            more, self.outfile = command_options(self.command)
            self.options = {**self.options, **more}

    def get(self, name: str) -> Option | None:
        if name not in self.options:
            self.load()
        return self.options.get(name)

    def offered(self, given: set[str]) -> list[str]:
        self.load()
        return [o.name for o in self.options.values() if o.offered and o.group not in given]


def _names_command(positionals, spec) -> bool:
    """Whether the positionals are ``SERVICE COMMAND`` or ``SERVICE wait WAITER``."""
    if len(positionals) == 2:
        return positionals[1] != spec.WAIT_COMMAND
    return len(positionals) == 3 and positionals[1] == spec.WAIT_COMMAND


def _command_at(positionals, roots, cache_dir, spec):
    """The compiled command the positionals name (service, command or ``wait`` waiter), or
    None (no such command)."""
    if positionals[1] != spec.WAIT_COMMAND:
        return spec.load_command(positionals[0], positionals[1], roots, cache_dir=cache_dir)
    return spec.load_waiter(positionals[0], positionals[2], roots, cache_dir=cache_dir)


def _answer(place, current, known, roots, cache_dir, spec, environ):
    pending = place.pending
    if current.startswith("--") and "=" in current:
        name, _, value = current.partition("=")
        option = known.get(name)
        if option is None or option.takes == FLAG:
            return []
        return [f"{name}={v}" for v in _values(option, value, environ)]
    if pending is not None and not (place.after_value and current.startswith("-")):
        if pending.takes == OPTIONAL and not place.after_value:
            # a value may follow, or the line goes on: offer both (``--cli-dry-run [http]``)
            place.pending = None
            rest = _answer(place, current, known, roots, cache_dir, spec, environ)
            return [*_values(pending, current, environ), *rest]
        return _values(pending, current, environ)
    if current.startswith("-"):
        return known.offered(place.given)
    positionals = place.positionals
    if not positionals:
        return [*spec.list_services(roots), COMPLETION_COMMAND]
    if positionals[0] == COMPLETION_COMMAND and spec.service_dir(COMPLETION_COMMAND, roots) is None:
        return list(SHELLS) if len(positionals) == 1 else []
    if len(positionals) == 1:
        return _commands(positionals[0], roots, cache_dir, spec)
    if len(positionals) == 2 and positionals[1] == spec.WAIT_COMMAND:
        return sorted(spec.load_waiters(positionals[0], roots, cache_dir=cache_dir))
    known.load()
    if known.command is None:
        return []
    if known.outfile and _outfile_missing(positionals):
        return paths(current, environ)  # the outfile (options follow a dash)
    return known.offered(place.given)


def _outfile_missing(positionals) -> bool:
    """A command with an outfile takes one positional after its name (a waiter has none)."""
    return len(positionals) == 2


def _commands(service, roots, cache_dir, spec) -> list[str]:
    folder = spec.service_dir(service, roots)
    if folder is None:
        return []
    names = spec.list_commands(folder)
    if _has_waiters(folder / spec.SERVICE_FILE) and spec.load_waiters(
        service, roots, cache_dir=cache_dir
    ):
        names.append(spec.WAIT_COMMAND)
    return names


def _has_waiters(service_file) -> bool:
    """Whether the service file has a top-level ``waiters:`` key at all (a look at its bytes: a
    service without waiters never has its file parsed or hashed for them)."""
    try:
        with open(service_file, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    return data.startswith(b"waiters:") or b"\nwaiters:" in data


def _values(option: Option, current: str, environ) -> list[str]:
    """The values ``option`` may take that start with ``current``."""
    values = option.values
    if callable(values):
        values = values()
    if values == PATH:
        return paths(current, environ)
    if values:
        return list(values)
    if current.startswith(FILE_PREFIXES):
        return paths(current, environ)
    if current or option.name in CLI_INPUT_OPTIONS:
        return list(FILE_PREFIXES)  # a value read from a file: the prefixes first
    return []


# -- profiles and paths ----------------------------------------------------------------------


def profile_names(environ, app=None) -> list[str]:
    """The profiles of the config file (``[default]``, ``[profile NAME]``) and the credentials
    file (``[NAME]``), from their section headers (a broken file still gives its names)."""
    from cli_core.config import config_path, credentials_path

    names = set()
    files = ((config_path(environ, app), True), (credentials_path(environ, app), False))
    for path, in_config in files:
        for section in _sections(path):
            if not in_config or section == "default":
                names.add(section)
            elif section.startswith("profile ") or section.startswith("profile\t"):
                name = section[len("profile") :].strip()
                if name:
                    names.add(name)
    return sorted(names)


def _sections(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(4 * 1024 * 1024).splitlines()
    except (OSError, ValueError):
        return []
    out = []
    for line in lines:
        line = line.strip()
        if line.startswith("[") and "]" in line:
            section = line[1 : line.index("]")].strip()
            if section and section.isprintable():
                out.append(section)
    return out


def paths(current: str, environ) -> list[str]:
    """Paths that complete ``current`` (after its ``file://`` or ``fileb://`` prefix, if any):
    folders end with ``/``; hidden entries only when the name being typed starts with a dot."""
    prefix = next((p for p in FILE_PREFIXES if current.startswith(p)), "")
    typed = current[len(prefix) :]
    folder, _, start = typed.rpartition("/")
    if "/" in typed:
        folder += "/"
        where = folder
    else:
        where = ""
    from cli_core.config import expand_user

    listed = expand_user(where, environ) if where.startswith("~") else where
    try:
        with os.scandir(listed or ".") as entries:
            found = []
            for entry in entries:
                if not entry.name.startswith(start):
                    continue
                if entry.name.startswith(".") and not start.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                found.append(prefix + where + entry.name + ("/" if is_dir else ""))
                if len(found) >= MAX_PATHS:
                    break
    except (OSError, ValueError):
        return []
    return found
