"""Beside the stages — the one error hierarchy of clishape, and problems rendered at the edge.

Every failure a user can cause is one of these classes; each carries its exit code. The driver
catches them once, at the top, prints ``str(error)`` to stderr and returns ``exit_code``.
"""

from __future__ import annotations

from cli_core.frozen import Frozen

PARAM_EXIT = 252
CONFIG_EXIT = 253
SERVICE_EXIT = 254
GENERAL_EXIT = 255
INTERRUPT_EXIT = 130


MAX_PROBLEMS_SHOWN = 20
MAX_PLACE_SHOWN = 200


class Problem(Frozen):
    """One thing wrong with a request, a response or a spec, found before it is reported.

    ``where`` is the member path (``Job.JobStatus``) or, in a spec, the key path
    (``shapes.Job.members.Id``); ``option`` the command-line option the value came from, when it
    did; ``severity`` is ``error`` or ``warning``. A spec problem also names its ``file`` and,
    when known, ``line`` and ``column`` (1-based); ``path`` is the key path as a tuple, for
    looking the position up. Problems are rendered once, at the edge (``render_problems``).
    """

    __slots__ = _fields = ("message", "where", "option", "severity", "file", "line", "column",
                           "path")  # fmt: skip
    _uncompared = frozenset({"path"})

    def __init__(
        self,
        message: str,
        where: str = "",
        option: str | None = None,
        severity: str = "error",
        file: str = "",
        line: int | None = None,
        column: int | None = None,
        path: tuple | None = None,
    ):
        self._init(locals())

    def __str__(self) -> str:
        if self.file:
            place = self.file
            if self.line is not None:
                place += f":{self.line}:{self.column or 1}"
            if self.severity != "error":
                place += f": {self.severity}"
            return (
                f"{place}: {self.where}: {self.message}"
                if self.where
                else f"{place}: {self.message}"
            )
        place = str(self.where) if self.where else "input"  # a MemberPath renders itself
        if len(place) > MAX_PLACE_SHOWN:  # a long key is shown cut, never whole
            place = place[: MAX_PLACE_SHOWN - 3] + "..."
        if self.option:
            place = f"{self.option} ({place})"
        return f"{place}: {self.message}"

    def at(self, line: int, column: int) -> Problem:
        """The same problem, placed at a line and column of its file."""
        return self.replace(line=line, column=column)


def render_problems(problems, limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    """One line per problem, at most ``limit`` of them, then ``... and N more``."""
    problems = list(problems)
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return lines


class CLIError(Exception):
    """Base of every error clishape reports to the user (exit 255 unless a subclass says).

    ``kind`` is the ``Code`` the error carries when it is written as a document
    (``--cli-error-format json`` and the like; see ``document()``).
    """

    exit_code = GENERAL_EXIT
    kind = "General"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def document(self) -> dict:
        """The error as data: ``Code`` and ``Message``, then any further details."""
        return {"Code": self.kind, "Message": self.message}

    def details_shown(self) -> dict:
        """The details beyond Code and Message (the ``enhanced`` format lists them)."""
        return {k: v for k, v in self.document().items() if k.lower() not in ("code", "message")}


class ParamError(CLIError):
    """Bad command-line or request input (exit 252).

    ``option`` names the parameter (``--domain-id``), when there is one, and is put in front of
    the message as ``Error parsing parameter '--domain-id': ...``.
    """

    exit_code = PARAM_EXIT
    kind = "ParamValidation"

    def __init__(self, message: str, option: str | None = None):
        self.option = option
        if option:
            message = f"Error parsing parameter '{option}': {message}"
        super().__init__(message)


class UsageError(ParamError):
    """The command line itself does not fit the command (unknown options, missing required)."""

    usage: str | None = None

    def __init__(self, message: str, usage: str | None = None):
        super().__init__(message)
        self.usage = usage


class ValidationError(ParamError):
    """The request does not fit its input shape. ``problems`` holds the ``Problem``s found;
    the message shows the first ``MAX_PROBLEMS_SHOWN`` of them, then ``... and N more``."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = render_problems(self.problems)
        super().__init__("Parameter validation failed:\n" + "\n".join(lines))


class ConfigError(CLIError):
    """Configuration problems: config files, profiles, missing region or credentials (253).

    ``code`` names a particular problem in the error document (``NoRegion``,
    ``NoCredentials``); without it the code is ``Configuration``.
    """

    exit_code = CONFIG_EXIT
    kind = "Configuration"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.kind = code


class ServiceError(CLIError):
    """The service answered with an error (254).

    ``details`` holds everything the response said (its ``Error`` entry and the fields beside
    it); ``modeled`` the member names of the operation's error shape for ``code``, when the
    spec knows it. The error document (``document()``) is ``Code``, ``Message`` and the
    fields of that shape the service filled in (unmodeled fields are left out), as the AWS CLI
    prints it: a modeled ``message`` member shows beside ``Message``.
    """

    exit_code = SERVICE_EXIT

    def __init__(
        self,
        message: str,
        code: str | None = None,
        details: dict | None = None,
        modeled: frozenset | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.details = details or {}
        self.modeled = frozenset(modeled or ())

    @property
    def kind(self) -> str:
        return self.code or "Unknown"

    def document(self) -> dict:
        # In the order the response gave (as the AWS CLI prints it: Message first for the
        # JSON protocols, Code first for the XML ones), modeled fields after the two.
        doc: dict = {}
        for key, value in self.details.items():
            if key in ("Code", "Message") or key in self.modeled:
                doc[key] = value
        if "Code" not in doc:
            doc = {"Code": self.kind, **doc}
        if "Message" not in doc:
            doc["Message"] = next(
                (v for k, v in self.details.items() if k.lower() == "message"), self.message
            )
        return doc


class CommandError(ServiceError):
    """What a command's handler raises to answer with an error (exit 254, like a service).

        raise CommandError("NoteNotFound", f"No note {note_id}", NoteId=note_id)

    It is shown as a service error is (``An error occurred (NoteNotFound) when calling the
    GetNote operation: No note 7``); keyword fields join ``Code`` and ``Message`` in the error
    document of ``--cli-error-format json|yaml|...``.
    """

    def __init__(self, code: str, message: str, **fields):
        self.text = message
        self.operation: str | None = None  # set by the engine: the command's operation
        details = {"Code": code, "Message": message, **fields}
        super().__init__(message, code=code, details=details, modeled=frozenset(fields))

    def __str__(self) -> str:
        where = f" when calling the {self.operation} operation" if self.operation else ""
        return f"An error occurred ({self.code}){where}: {self.text}"


class EndpointError(CLIError):
    """The endpoint could not be reached or timed out (255)."""

    exit_code = GENERAL_EXIT
    kind = "EndpointConnection"


class SpecError(CLIError):
    """A spec on the spec path is broken (253, a configuration problem).

    Made from one message or from ``Problem`` s (each ``FILE[:LINE:COL]: KEY.PATH: what``),
    which are listed one a line, at most ``MAX_PROBLEMS_SHOWN`` of them.
    """

    exit_code = CONFIG_EXIT
    kind = "Configuration"

    def __init__(self, problems: str | list[Problem]):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        lines = render_problems(self.problems)
        if len(self.problems) == 1:
            message = lines[0]
        else:
            message = f"broken spec ({len(self.problems)} problems):\n" + "\n".join(
                "  " + line for line in lines
            )
        super().__init__(message)
