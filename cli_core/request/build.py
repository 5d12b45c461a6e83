"""Stage 3 (request) — build the request: merge the input document, apply the binary format, validate.

``build_request`` takes the argv stage's ``ParsedCommand`` and returns a ``Request``: the
operation name and the final parameters (model member names, model order), or raises
``ValidationError`` listing every problem at once. Warnings (values above a maximum, outside an
enum, not matching a pattern) travel with the request; the driver prints them and still sends.

Merge rule (``merge="replace"``, the default, as the AWS CLI): every top-level member given on
the command line replaces the document's member of the same name; the document supplies the
rest. With ``merge="deep"`` (``--cli-input-merge deep``) the command line's structures and maps
are merged into the document's member by member at every depth, the command line winning at
each leaf; a list from the command line replaces the document's, or with ``"deep-append"`` is
appended to it. A value whose type differs from the document's (a list where it has a mapping)
replaces it. Timestamps from a document (ISO
8601 text, seconds since 1970, or YAML timestamps) become timezone-aware datetimes, as the
command line gives them; idempotency tokens left out are filled with a fresh UUID.

Streaming input (a blob marked ``streaming``, such as ``s3api put-object --body``): as in the
AWS CLI, the command line gives the path of a file, and the request holds a ``FileBody`` for it;
``Request.open_files()`` opens it when the request is sent, so botocore reads the file from disk
as it sends it (never the whole file in memory). In an input document such a member is an
ordinary blob (base64 text, or raw text with ``--cli-binary-format raw-in-base64-out``), as it is
in the AWS CLI.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from cli_core.errors import ParamError, Problem, ValidationError, render_problems
from cli_core.frozen import Frozen
from cli_core.request.binary import apply_binary_format
from cli_core.request.inputdoc import load_input_document
from cli_core.request.validate import validate
from cli_core.shapes.codecs import DEFAULT_FILE_READING, FileReading, json_default, to_datetime
from cli_core.shapes.walk import ValueWalker


class FileBody(Frozen):
    """The value of a streaming blob given on the command line: the file whose bytes are sent.
    ``option`` is the option that named it (for messages)."""

    __slots__ = _fields = ("path", "option")

    def __init__(self, path: str, option: str | None = None):
        self._init(locals())

    def open(self):
        """The file, opened for reading bytes; a ParamError naming the option if it cannot be."""
        try:
            return open(self.path, "rb")  # noqa: SIM115 - closed by Request.open_files
        except OSError as exc:
            raise ParamError(
                f"cannot read '{self.path}': {exc.strerror or exc}", self.option
            ) from None


class Request(Frozen):
    """``warnings`` are the lines to print (at most ``MAX_PROBLEMS_SHOWN``, then ``... and N
    more``); ``problems`` the warnings themselves."""

    __slots__ = _fields = ("operation", "params", "warnings", "problems")

    def __init__(
        self,
        operation: str,
        params: dict,
        warnings: tuple[str, ...] = (),
        problems: tuple[Problem, ...] = (),
    ):
        self._init(locals())

    @contextmanager
    def open_files(self):
        """The parameters to send, each ``FileBody`` replaced by its file opened for reading;
        the files are closed when the block ends."""
        with ExitStack() as stack:
            params = dict(self.params)
            for name, value in params.items():
                if isinstance(value, FileBody):
                    params[name] = stack.enter_context(value.open())
            yield params


def build_request(
    parsed,
    *,
    binary_format: str = "base64",
    stdin=None,
    files: FileReading = DEFAULT_FILE_READING,
    merge: str = "replace",
) -> Request:
    """The request ``parsed`` stands for, validated against the command's input shape.

    ``files`` says how an input document file or standard input is read (its size limit);
    ``merge`` how the command line's values meet it (see the merge rule above).
    """
    command = parsed.command
    shape = command.input
    document = load_input_document(parsed, stdin, files=files)
    given, bodies = streaming_bodies(command, parsed.params, parsed.options)
    if document and merge != "replace":
        given = deep_merge(shape, document, given, append=merge == "deep-append")
    params = merge_params(shape, given, document)
    fill_defaults(params, getattr(parsed, "defaults", ()))
    take_last_path_parts(shape, params)
    params = normalise_timestamps(shape, params)
    fill_idempotency_tokens(shape, params)
    params = apply_binary_format(shape, params, binary_format, options=parsed.options)
    errors, warnings = validate(shape, params, options=parsed.options)
    if command.handler and warnings:
        # no service stands behind a handler to check the limits the AWS CLI only warns
        # about (max, pattern, enum): the engine is the last check, so they are errors
        errors, warnings = errors + warnings, []
    if errors:
        raise ValidationError(errors)
    params.update(bodies)
    return Request(command.operation, params, tuple(render_problems(warnings)), tuple(warnings))


def take_last_path_parts(shape, params: dict) -> None:
    """A top-level member marked ``cli_last_path_part`` given as a path (``/hostedzone/Z1``)
    keeps its last part (``Z1``), the form the service takes; ``--cli-dry-run`` shows it."""
    if shape is None:
        return
    for name, member in shape.members.items():
        value = params.get(name)
        if member.raw.get("cli_last_path_part") and isinstance(value, str) and "/" in value:
            params[name] = value.rsplit("/", 1)[-1]


def streaming_bodies(command, given: dict, options: dict) -> tuple[dict, dict]:
    """The command line's values with each streaming blob's file path set aside: the values
    with an empty blob in its place (what validation sees: the file is never read for it), and
    member name -> ``FileBody``."""
    names = [name for name in command.streaming_inputs if name in given]
    if not names:
        return given, {}
    bodies = {name: FileBody(given[name], options.get(name)) for name in names}
    return {**given, **dict.fromkeys(names, b"")}, bodies


def merge_params(shape, given: dict, document: dict | None) -> dict:
    """Command-line members over document members, in model order; unknown keys last."""
    document = document or {}
    if shape is None:
        return {**document, **given}
    merged = {}
    for name in shape.members:
        if name in given:
            merged[name] = given[name]
        elif name in document:
            merged[name] = document[name]
    for source in (document, given):
        for name, value in source.items():
            if name not in merged:
                merged[name] = value  # unknown: validation names it
    return merged


def deep_merge(shape, document: dict, given: dict, *, append: bool = False) -> dict:
    """The command line's top-level values, each merged into the document's value of the same
    member (structures and maps member by member, at every depth); lists replace the
    document's, or with ``append`` follow its items. Returns only the members ``given`` has."""
    if shape is None:
        return given
    merged = _DeepMerge(document, append).walk(shape, given)
    return {name: merged[name] for name in given}


class _DeepMerge(ValueWalker):
    """Walk the command line's value; at each structure or map, start from the document's
    value at the same path and lay the command line's entries over it."""

    def __init__(self, document: dict, append: bool):
        self.document = document
        self.append = append

    def _base(self, path: tuple):
        """The document's value at ``path`` (a mapping path: lists are never entered)."""
        here = self.document
        for part in path:
            if not isinstance(here, dict) or part not in here:
                return None
            here = here[part]
        return here

    def visit_structure(self, shape, value, path, sensitive):
        return self._over(path, super().visit_structure(shape, value, path, sensitive))

    def visit_map(self, shape, value, path, sensitive):
        return self._over(path, super().visit_map(shape, value, path, sensitive))

    def visit_list(self, shape, value, path, sensitive):
        base = self._base(path)
        if self.append and path and isinstance(base, list):
            return [*base, *value]
        return value  # replaced whole: the items are not merged one by one

    def _over(self, path: tuple, merged: dict) -> dict:
        base = self._base(path)
        if not path or not isinstance(base, dict):
            return merged
        return {**base, **merged}


def fill_defaults(params: dict, defaults) -> None:
    """Give each ``(member path, value)`` default to its member when the request lacks it (an
    argument customization's ``default``, e.g. ``MinCount``/``MaxCount`` 1 of ``--count``)."""
    for path, value in defaults:
        here = params
        for name in path[:-1]:
            here = here.setdefault(name, {})
            if not isinstance(here, dict):
                break
        else:
            here.setdefault(path[-1], value)


def fill_idempotency_tokens(shape, params: dict) -> None:
    """Give every top-level idempotency token left out (or null) a fresh UUID4, as SDKs do."""
    if shape is None:
        return
    for name, member in shape.members.items():
        if member.idempotency_token and params.get(name) is None:
            import uuid  # here, not at the top: it imports platform (about 2 ms)

            params[name] = str(uuid.uuid4())


def normalise_timestamps(shape, value):
    """Timestamps anywhere in ``value`` as aware datetimes; values that are no timestamp stay."""
    if shape is None:
        return value
    return _Timestamps().walk(shape, value)


class _Timestamps(ValueWalker):
    prune = "timestamp"

    def visit_leaf(self, shape, value, path, sensitive):
        return to_datetime(value) if shape.type == "timestamp" else value


def dry_run_text(request: Request) -> str:
    """``--cli-dry-run``: the operation and its final parameters as JSON (blobs in base64)."""
    import json

    body = {"operation": request.operation, "params": request.params}
    return json.dumps(body, indent=4, ensure_ascii=False, default=_dry_run_value) + "\n"


def _dry_run_value(value):
    if isinstance(value, FileBody):
        return f"<the bytes of the file {value.path}>"
    return json_default(value)
