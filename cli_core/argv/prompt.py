"""Stage 2 (argv) — auto-prompt: complete the command line by asking, before it is parsed.

The driver calls :func:`prompted_run` when the auto-prompt mode (``--cli-auto-prompt``,
``AWS_CLI_AUTO_PROMPT``, config ``cli_auto_prompt``) is ``on`` or ``on-partial``. Two prompts:

* **full screen** — when standard input and output are terminals and the optional extra
  ``prompt_toolkit`` is installed: one editable line holding the command line, a menu of
  services, commands, waiters, options and option values matched fuzzily as you type (required
  options first, each with its type and the first sentence of its documentation beside it), a
  panel with the documentation of the option (or command) at hand, and a key line. Tab puts
  in the offer chosen with the arrow keys (or else the best one); Enter runs
  the line, which is first printed (``> PROG LINE``) on standard error; Ctrl-C or Ctrl-D cancel
  (exit code 130). ``on`` opens it at once; ``on-partial`` first runs the line and opens it
  only when that fails with a command-line error (exit code 252).
* **line prompts** — otherwise: one line on standard error per required option the line
  leaves out, answered on a line of standard input (end of input stops asking; the usual
  missing-option error follows). In mode ``on`` with a terminal on standard input one more
  prompt then takes optional parameters: ``?`` lists them, an option's name asks for its value,
  ``--name value`` is taken as it is, an empty line runs the command.

prompt_toolkit is imported only inside :func:`full_screen_prompt`; nothing else here imports
anything heavy. The specs are reached through a :class:`Catalog` of callables the driver
builds, so this stage never loads a spec itself.
"""

from __future__ import annotations

import re
import shlex
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

from cli_core.errors import PARAM_EXIT, CLIError
from cli_core.options import (
    CLI_INPUT_OPTIONS,
    GLOBAL_OPTIONS,
    PAGINATION,
    SKELETON_MODES,
    SKELETON_OPTION,
)

PROG = "clishape"
HELP_WORDS = ("help", "-h", "--help")
PROMPT_FLAGS = ("--cli-auto-prompt", "--no-cli-auto-prompt")
OPTIONAL_PROMPT = "optional parameters (? lists them; Enter runs the command): "
KEYS_LINE = "Enter: run   Tab: complete   Up/Down: choose   Ctrl-C: cancel"
META_CHARS = 60  # characters of documentation beside a completion


@dataclass(frozen=True)
class Catalog:
    """What the prompt may offer, as the driver finds it: ``services()``, ``commands(service)``
    (with ``wait`` when it has waiters), ``waiters(service)`` and ``command(service, name,
    waiter=None)`` (the ``Command``, or None). ``wait`` is the word of the waiters' command;
    ``global_options`` the app's global options."""

    services: Callable[[], list]
    commands: Callable[[str], list]
    waiters: Callable[[str], list]
    command: Callable[..., object]
    wait: str = "wait"
    global_options: tuple = GLOBAL_OPTIONS  # the app's (``options.global_options(families)``)


# One offer of the full-screen menu: the text put in, what the menu shows, the words beside it,
# the documentation for the panel, and whether it is a required option (listed first).
Suggestion = namedtuple("Suggestion", "text display meta doc required", defaults=("", "", False))

# One option of the line: its name, type shown, documentation, required, takes no value, values.
_Option = namedtuple("_Option", "name type doc required flag choices")


# -- the driver's entry ------------------------------------------------------------------------


def prompted_run(argv: list, rest: list, mode: str, io, catalog: Catalog, run, *, prog=PROG):
    """Run ``argv`` (whose non-global words are ``rest``) after prompting as ``mode`` says;
    ``run(new_argv)`` runs a line without prompting again and returns its exit code."""
    if full_screen_available(io):
        line = [token for token in argv if token not in PROMPT_FLAGS]
        note = ""
        if mode == "on-partial":
            try:
                return run(line)
            except CLIError as error:
                if error.exit_code != PARAM_EXIT:
                    raise
                note = str(error).splitlines()[0] if str(error) else ""
        text = full_screen_prompt(line, catalog, prog=prog, note=note)
        io.stderr.write(f"> {prog} {text}\n")
        io.stderr.flush()
        return run(shlex.split(text))
    optional = mode == "on" and _is_terminal(io.stdin)
    return run(list(argv) + ask_missing(rest, io, catalog, optional=optional))


def full_screen_available(io) -> bool:
    """Both ends are terminals and prompt_toolkit can be imported (without importing it)."""
    if not (io.isatty and _is_terminal(io.stdin)):
        return False
    from importlib.util import find_spec

    return find_spec("prompt_toolkit") is not None


def _is_terminal(stream) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


# -- line prompts --------------------------------------------------------------------------------


def ask_missing(rest: list, io, catalog: Catalog, *, optional: bool = False) -> list:
    """Ask, one line each, for the required options ``rest`` leaves out (and, with
    ``optional``, then for optional ones); the answers as ``--option=value`` tokens."""
    if any(t in HELP_WORDS or t.startswith(CLI_INPUT_OPTIONS) for t in rest):
        return []
    command, used = named_command(rest, catalog)
    if command is None or command.input is None:
        return []
    written = {token.split("=", 1)[0] for token in rest[used:]}
    answers: list[str] = []
    for name in command.required_members:
        member = command.input.members[name]
        if member.option in written or any(a in written for a in member.aliases):
            continue
        answer = _ask(io, f"{member.option} ({member.shape.type}): ")
        if answer is None:
            return answers  # end of input: the usual missing-option error follows
        answers.append(f"{member.option}={answer}")
        written.add(member.option)
    if optional:
        answers += _ask_optional(command, written, io)
    return answers


def _ask_optional(command, written: set, io) -> list:
    members = {m.option: m for m in command.input.members.values() if not m.idempotency_token}
    tokens: list[str] = []
    while True:
        answer = _ask(io, OPTIONAL_PROMPT)
        if not answer or not answer.strip():
            return tokens
        if answer.strip() == "?":
            left = [m for o, m in members.items() if o not in written]
            for member in left:
                io.stderr.write(f"  {member.option} ({member.shape.type})\n")
            if not left:
                io.stderr.write("  (every parameter is given)\n")
            continue
        try:
            words = shlex.split(answer)
        except ValueError as error:
            io.stderr.write(f"cannot read that line: {error}\n")
            continue
        member = members.get(words[0]) if len(words) == 1 else None
        if member is not None and member.shape.type != "boolean":
            value = _ask(io, f"{member.option} ({member.shape.type}): ")
            if value is None:
                return tokens
            words = [f"{member.option}={value}"]
        tokens += words
        written.update(word.split("=", 1)[0] for word in words if word.startswith("--"))


def _ask(io, text: str) -> str | None:
    """One answer from standard input (without its line end), or None at end of input."""
    io.stderr.write(text)
    io.stderr.flush()
    answer = io.stdin.readline() if io.stdin is not None else ""
    if not answer:
        return None
    return answer.rstrip("\r\n")


def named_command(rest: list, catalog: Catalog):
    """The command ``rest`` names and how many of its words name it, or (None, 0)."""
    if len(rest) < 2 or rest[0].startswith("-") or rest[1].startswith("-"):
        return None, 0
    service, name = rest[0], rest[1]
    if name == catalog.wait and len(rest) > 2 and not rest[2].startswith("-"):
        waiter = catalog.command(service, name, rest[2])
        if waiter is not None:
            return waiter, 3
    command = catalog.command(service, name)
    return (command, 2) if command is not None else (None, 0)


# -- what the full-screen prompt offers (plain data, no prompt_toolkit) ------------------------


def suggestions(text: str, catalog: Catalog) -> tuple[str, list]:
    """The word being typed at the end of ``text`` and the offers for it, best first."""
    words, current = _split(text)
    state = _read_line(words, catalog)
    pending = state["pending"]
    if pending is not None:
        return current, _ranked(current, [Suggestion(c, c, pending.type) for c in pending.choices])
    options = [_offer(opt) for opt in state["options"] if opt.name not in state["given"]]
    if current.startswith("-"):
        return current, _ranked(current.lstrip("-"), options, key=lambda s: s.text.lstrip("-"))
    found = state["positional"]
    if len(found) == 0:
        names = catalog.services()
    elif len(found) == 1:
        names = catalog.commands(found[0])
    elif len(found) == 2 and found[1] == catalog.wait and state["command"] is None:
        names = catalog.waiters(found[0])
    else:
        names = []
    offers = [Suggestion(name, name) for name in names]
    if not offers and state["command"] is not None and not current:
        offers = options
    return current, _ranked(current, offers)


def documentation(text: str, catalog: Catalog, selected: str | None = None) -> str:
    """The panel's text: the selected offer's documentation, else the option being typed (or
    given last), else the command's, else a hint of what comes next."""
    words, current = _split(text)
    state = _read_line(words, catalog)
    options = {opt.name: opt for opt in state["options"]}
    for name in (selected, current.split("=", 1)[0], state["last_option"]):
        if name and name in options:
            opt = options[name]
            marks = ", required" if opt.required else ""
            head = f"{opt.name} ({opt.type}{marks})"
            choices = f"\n\nValues: {', '.join(opt.choices)}" if opt.choices else ""
            return f"{head}\n\n{opt.doc or '(no documentation)'}{choices}"
    command = state["command"]
    if command is not None:
        return f"{command.service} {command.name}\n\n{plain(command.documentation)}"
    found = state["positional"]
    if not found:
        return "Type a service name (Tab completes it)."
    if len(found) == 1:
        return f"Type a command of {found[0]} (Tab completes it)."
    return "No such command: check the service and command names."


def _split(text: str) -> tuple[list, str]:
    """The finished words of ``text`` and the word being typed (empty after a space)."""
    try:
        words = shlex.split(text)
    except ValueError:  # an open quote: split as it is
        words = text.split()
    if not text or text[-1].isspace():
        return words, ""
    return words[:-1], (words[-1] if words else "")


def _read_line(words: list, catalog: Catalog) -> dict:
    """What the finished words say: the positional words, the command they name (once they do),
    the options it offers, those given, the last one, and the option awaiting a value."""
    globals_ = {
        opt.name: _global(opt) for opt in catalog.global_options if opt.name not in PROMPT_FLAGS
    }
    state = {
        "positional": [],
        "command": None,
        "given": set(),
        "last_option": None,
        "pending": None,
        "options": list(globals_.values()),
    }
    known = dict(globals_)
    for word in words:
        if state["pending"] is not None:
            state["pending"] = None
            continue
        if word.startswith("--"):
            name = word.split("=", 1)[0]
            state["given"].add(name)
            state["last_option"] = name
            opt = known.get(name)
            if opt is not None and not opt.flag and "=" not in word:
                state["pending"] = opt
            continue
        state["positional"].append(word)
        state["last_option"] = None
        if state["command"] is None:
            command, _used = named_command(state["positional"], catalog)
            if command is not None:
                state["command"] = command
                own = command_options(command)
                state["options"] = own + state["options"]
                known.update((opt.name, opt) for opt in own)
    return state


def command_options(command) -> list:
    """A command's options as the prompt offers them: its members (required first), its input
    document and skeleton options, and its pagination options."""
    required = set(command.required_members)
    found = []
    shape = command.input
    for name, member in shape.members.items() if shape is not None else ():
        kind = member.shape.type
        found.append(
            _Option(
                member.option,
                kind,
                plain(member.documentation),
                name in required,
                kind == "boolean",
                member.shape.enum,
            )
        )
    found.sort(key=lambda opt: not opt.required)
    for name in CLI_INPUT_OPTIONS:
        found.append(
            _Option(
                name,
                "string",
                "An input document (the parameters as " + name.rsplit("-", 1)[1].upper() + ").",
                False,
                False,
                (),
            )
        )
    found.append(_Option(SKELETON_OPTION, "string", "Print a skeleton instead of running.",
                         False, False, SKELETON_MODES))  # fmt: skip
    if command.pagination:
        for page in PAGINATION:
            found.append(_Option(page.name, page.kind, "Pagination.", False, False, ()))
    return found


def _global(opt) -> _Option:
    return _Option(opt.name, opt.shown_type, opt.help, False, opt.kind == "flag", opt.choices)


def _offer(opt: _Option) -> Suggestion:
    display = opt.name + (" (required)" if opt.required else "")
    meta = f"[{opt.type}] {_summary(opt.doc)}"
    return Suggestion(opt.name, display, meta, opt.doc, opt.required)


def _ranked(word: str, offers: list, key=lambda s: s.text) -> list:
    """The offers that match ``word`` fuzzily (its letters in order), best first: required
    options, then prefix matches, then substrings, then scattered letters (fewest gaps)."""
    scored = []
    for index, offer in enumerate(offers):
        score = fuzzy_score(word, key(offer))
        if score is not None:
            scored.append((not offer.required, score, index, offer))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


def fuzzy_score(word: str, name: str):
    """How well ``name`` matches ``word`` (lower is better), or None when it does not: 0 for
    a prefix, 1 for a substring, 2 plus the letters skipped for a scattered match."""
    word, name = word.lower(), name.lower()
    if name.startswith(word):
        return 0
    if word in name:
        return 1
    position, skipped = -1, 0
    for char in word:
        found = name.find(char, position + 1)
        if found < 0:
            return None
        skipped += found - position - 1
        position = found
    return 2 + skipped


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain(doc: str) -> str:
    """Documentation as one plain paragraph (markup removed)."""
    return _SPACE.sub(" ", _TAG.sub(" ", doc or "")).strip()


def _summary(doc: str) -> str:
    first = doc.split(". ", 1)[0]
    return first if len(first) <= META_CHARS else first[: META_CHARS - 1] + "…"


# -- the full-screen prompt ------------------------------------------------------------------


def full_screen_prompt(
    words: list, catalog: Catalog, *, prog=PROG, note: str = "", input=None, output=None
):
    """Edit the command line ``words`` in a full-screen prompt; return the finished line as
    text. ``note`` is shown in the key line until the first key (why the line did not run).
    ``input``/``output`` are prompt_toolkit's (a pipe and ``DummyOutput`` in tests).
    Ctrl-C or Ctrl-D raise KeyboardInterrupt."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import Float, FloatContainer, HSplit, Layout, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
    from prompt_toolkit.layout.dimension import Dimension
    from prompt_toolkit.layout.menus import CompletionsMenu
    from prompt_toolkit.layout.processors import BeforeInput

    class LineCompleter(Completer):
        def get_completions(self, document, complete_event):
            try:
                current, offers = suggestions(document.text_before_cursor, catalog)
            except Exception:  # noqa: BLE001 - a broken spec offers nothing; running reports it
                return
            for offer in offers:
                yield Completion(
                    offer.text, -len(current), display=offer.display, display_meta=offer.meta
                )

    completer = LineCompleter()
    initial = " ".join(shlex.quote(word) for word in words)
    initial += " " if initial else ""
    status = {"text": note}
    buffer = Buffer(
        completer=completer,
        complete_while_typing=True,
        multiline=False,
        document=Document(initial, len(initial)),
        on_text_changed=lambda _buffer: status.update(text=""),
    )

    def panel():
        state = buffer.complete_state
        selected = state.current_completion.text if state and state.current_completion else None
        try:
            return documentation(buffer.document.text_before_cursor, catalog, selected)
        except Exception as error:  # noqa: BLE001 - the panel shows it; running reports it
            return f"({error})"

    def key_line():
        return status["text"] or KEYS_LINE

    keys = KeyBindings()

    @keys.add("enter")
    def _run(event):
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
            buffer.insert_text(" ")
            return
        try:
            shlex.split(buffer.text)
        except ValueError as error:
            status["text"] = f"cannot run this line: {error}"
            return
        event.app.exit(result=buffer.text.strip())

    @keys.add("tab")
    def _complete(event):
        """Put in the offer chosen in the menu (arrow keys), else the best one, and a space."""
        state = buffer.complete_state
        chosen = state.current_completion if state is not None else None
        if chosen is None:
            asked = CompleteEvent(completion_requested=True)
            chosen = next(iter(completer.get_completions(buffer.document, asked)), None)
        if chosen is not None:
            buffer.apply_completion(chosen)
            buffer.insert_text(" ")

    @keys.add("c-c")
    @keys.add("c-d")
    def _cancel(event):
        event.app.exit(exception=KeyboardInterrupt())

    line = Window(
        BufferControl(buffer, input_processors=[BeforeInput(f"> {prog} ")]),
        height=Dimension(min=1),
        dont_extend_height=True,
        wrap_lines=True,
    )
    body = HSplit(
        [
            line,
            Window(height=1, char="─"),
            Window(FormattedTextControl(panel), wrap_lines=True),
            Window(FormattedTextControl(key_line), height=1, style="reverse"),
        ]
    )
    menu = Float(xcursor=True, ycursor=True, content=CompletionsMenu(max_height=12))
    app = Application(
        layout=Layout(FloatContainer(body, floats=[menu]), focused_element=line),
        key_bindings=keys,
        full_screen=True,
        input=input,
        output=output,
    )
    return app.run()
