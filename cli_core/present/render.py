"""Stage 5 (present) — ``--query``, output formats, colour.

Data comes in as the send stage hands it over (the whole, already merged result) and leaves as
the text to print. The steps, in order:

1. *prepare*: a plain copy of the data (dicts and lists only), ``ResponseMetadata`` dropped,
   blobs (bytes) as base64 text, timestamps (``datetime``) as ISO 8601 text unless
   ``cli_timestamp_format`` is ``wire`` (then they are left as given);
2. *query*: the compiled ``--query`` expression applied to the whole result (every format but
   yaml-stream, which queries each page, and off, which prints nothing);
3. *format*: json, text, table, yaml, yaml-stream or off.

jmespath and yaml are imported only when a query or the yaml formats are used.
"""

from __future__ import annotations

import base64
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping

from cli_core.errors import ConfigError, ParamError
from cli_core.options import COLOR_MODES, OUTPUT_FORMATS, TIMESTAMP_FORMATS
from cli_core.shapes.codecs import json_default

_ERROR_STYLE = "\x1b[1m\x1b[31m"  # bold red
_RESET = "\x1b[0m"


# --- query -------------------------------------------------------------------------------------


def compile_query(expression: str):
    """Compile a ``--query`` JMESPath expression; a bad one is a ParamError (exit 252).

    The message names the problem and its column, then shows the expression (a window of it
    when it is long) with a caret under the offending character.
    """
    import jmespath
    from jmespath import exceptions as jexc

    try:
        return jmespath.compile(expression)
    except jexc.EmptyExpressionError:
        raise _query_error(expression, "the expression is empty") from None
    except RecursionError:
        raise _query_error(expression, "the expression nests too deeply") from None
    except jexc.JMESPathError as error:
        problem, column = _describe_query_error(error, expression)
        message = str(_query_error(expression, problem))
        if column is not None:
            message += "\n" + _caret_block(expression, column)
        raise ParamError(message) from None


def _query_error(expression: str, problem: str) -> ParamError:
    from cli_core.shapes.codecs import shown_value

    return ParamError(
        f"Bad value for --query {shown_value(expression)}: {shown_value(problem, 200)}"
    )


def _caret_block(expression: str, column: int, width: int = 80) -> str:
    """The expression (at most ``width`` characters around ``column``) and a caret line."""
    start = max(0, min(column - width // 2, len(expression) - width))
    window = expression[start : start + width]
    window = "".join(char if char.isprintable() else "?" for char in window)
    return f"{window}\n{' ' * _caret_indent(window, column - start)}^"


def _describe_query_error(error, expression: str) -> tuple[str, int | None]:
    """What is wrong with ``expression`` in words, and the column (0-based) where it is."""
    from jmespath import exceptions as jexc

    if isinstance(error, jexc.LexerError):
        return f"{error.message} at column {error.lexer_position}", error.lexer_position
    if isinstance(error, jexc.IncompleteExpressionError):
        column = len(expression)
        return f"the expression ends too early (column {column})", column
    if isinstance(error, jexc.ParseError) and getattr(error, "lex_position", None) is not None:
        column = error.lex_position
        if error.token_type == "EOF":
            got = "the end of the expression"
        else:
            got = f'"{error.token_value}"'
        if error.msg == "invalid token":
            return f"unexpected {got} at column {column}", column
        return f"{error.msg} (found {got} at column {column})", column
    return str(error), None


def _caret_indent(expression: str, column: int) -> int:
    from cli_core.present.table import display_width

    return display_width(expression[:column])


def apply_query(compiled, data):
    """``data`` filtered by a compiled query (``None`` → ``data`` unchanged).

    An error while evaluating (wrong argument type to a function, unknown function, wrong
    number of arguments) is a ParamError (exit 252) naming the expression.
    """
    if compiled is None:
        return data
    from jmespath import exceptions as jexc

    expression = getattr(compiled, "expression", "")
    try:
        return compiled.search(data)
    except jexc.JMESPathError as error:
        raise _query_error(expression, str(error)) from None
    except RecursionError:
        raise _query_error(expression, "the expression nests too deeply to evaluate") from None
    except TypeError as error:  # jmespath does not check every function's argument types
        if "not supported between" in str(error):
            problem = "it compares or sorts values of different types"
        else:
            problem = "a function in it was given a value of a type it cannot use"
        raise _query_error(expression, problem) from None
    except (ValueError, ArithmeticError) as error:  # e.g. a slice step of 0
        raise _query_error(expression, str(error)) from None


# --- prepare -----------------------------------------------------------------------------------


def check_timestamp_format(timestamp_format: str) -> None:
    """A ConfigError (253) unless ``timestamp_format`` is one we know."""
    if timestamp_format not in TIMESTAMP_FORMATS:
        raise ConfigError(
            f"Unknown cli_timestamp_format value: {timestamp_format}, "
            'valid values are "wire" or "iso8601"'
        )


def prepare(data, timestamp_format: str = "iso8601"):
    """A plain copy of a response: dicts and lists only, blobs and timestamps as text.

    ``ResponseMetadata`` is dropped from a top-level dict. Timestamps become ISO 8601 text
    (``2024-01-01T00:00:00+00:00``, fractions kept) with ``iso8601``; with ``wire`` they are
    left as given. Queries see the prepared data, so they compare timestamps as text.
    """
    check_timestamp_format(timestamp_format)
    if isinstance(data, Mapping) and "ResponseMetadata" in data:
        data = {k: v for k, v in data.items() if k != "ResponseMetadata"}
    from datetime import datetime  # here: an error line needs no timestamps (start-up)

    return _plain(data, datetime if timestamp_format == "iso8601" else None)


def _plain(value, iso):
    """``value`` prepared; ``iso``: the type written as ISO 8601 text (datetime), or None."""
    if isinstance(value, Mapping):
        return {key: _plain(item, iso) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, iso) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if iso is not None and isinstance(value, iso):
        return value.isoformat()
    return value


# --- formats -----------------------------------------------------------------------------------


def format_json(data) -> str:
    """JSON, 4-space indent, non-ASCII as is, keys in the order given; ``{}`` prints nothing."""
    if data == {}:
        return ""
    return json.dumps(data, indent=4, ensure_ascii=False, default=json_default) + "\n"


# Which plain scalars YAML 1.2 (the version the AWS CLI's YAML writer speaks) reads as something
# other than a string; a string value that looks like one of them is quoted, nothing else is.
# PyYAML knows YAML 1.1 only, where "on", "no", "yes" and "1:30" are booleans and numbers too.
_YAML_12_IMPLICIT = (
    ("bool", r"(true|True|TRUE|false|False|FALSE)", "tTfF"),
    (
        "int",
        r"([-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)",
        "-+0123456789",
    ),
    (
        "float",
        r"([-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.[0-9_]+([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))",
        "-+0123456789.",
    ),
    ("null", r"(~|null|Null|NULL|)", "~nN"),
    ("merge", r"<<", "<"),
    ("value", r"=", "="),
    (
        "timestamp",
        r"([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}"
        r":[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)",
        "0123456789",
    ),
)


def _yaml_dumper():
    import re
    from datetime import datetime

    import yaml

    class Dumper(yaml.SafeDumper):
        yaml_implicit_resolvers: dict = {}

    for kind, pattern, first in _YAML_12_IMPLICIT:
        Dumper.add_implicit_resolver(
            f"tag:yaml.org,2002:{kind}", re.compile(f"^{pattern}$"), list(first)
        )
    Dumper.add_implicit_resolver("tag:yaml.org,2002:null", re.compile("^$"), [""])

    def represent_datetime(dumper, value):
        return dumper.represent_str(value.isoformat())

    def represent_float(dumper, value):  # Python's shortest form: 1e+20, not 1.0e+20
        if value != value:
            text = ".nan"
        elif value in (float("inf"), float("-inf")):
            text = ".inf" if value > 0 else "-.inf"
        else:
            text = repr(value)
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)

    Dumper.add_representer(datetime, represent_datetime)
    Dumper.add_representer(float, represent_float)
    return Dumper


def _dump_yaml(data) -> str:
    import yaml

    return yaml.dump(
        data,
        Dumper=_yaml_dumper(),
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=True,  # as the AWS CLI v2 (2.36) does: its YAML dumper sorts every mapping
        width=2**31 - 1,  # never fold long values over several lines
    )


def format_yaml(data) -> str:
    """Block-style YAML, keys sorted; ``{}`` prints nothing; a top-level scalar is JSON.

    Scalars are written as JSON (``"a"``, ``1``, ``null``) so the output never carries a YAML
    document-end marker. Long values are not folded.
    """
    from datetime import datetime

    if data == {}:
        return ""
    if data is None or isinstance(data, (str, int, float, bool, datetime)):
        return json.dumps(data, ensure_ascii=False, default=json_default) + "\n"
    return _dump_yaml(data)


def _use_color(color: str, isatty: bool) -> bool:
    if color not in COLOR_MODES:
        raise ParamError(
            f"argument --color: invalid choice: '{color}' (choose from {', '.join(COLOR_MODES)})"
        )
    return color == "on" or (color == "auto" and isatty)


def use_color(color: str, isatty: bool) -> bool:
    """Whether to colour: ``on``, or ``auto`` on a terminal (a bad mode is a ParamError)."""
    return _use_color(color, isatty)


def _terminal_width(width: int | None, isatty: bool) -> int:
    if width is not None:
        return width
    if not isatty:
        return 80
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _check_output(output: str) -> None:
    if output not in OUTPUT_FORMATS:
        raise ParamError(
            f"argument --output: invalid choice: '{output}' (choose from "
            + ", ".join(OUTPUT_FORMATS)
            + ")"
        )


# How one result is shown, besides its format (from the run's settings and the terminal).
View = namedtuple(
    "View",
    "query title use_color width isatty timestamp_format next_token result_keys",
    defaults=(None, ()),
)


def _prepared(formatter):
    """A renderer that prepares the data, applies the query, then formats it."""

    def render_prepared(data, view: View) -> str:
        return formatter(apply_query(view.query, prepare(data, view.timestamp_format)), view)

    return render_prepared


def _render_text(data, view: View) -> str:
    """The text format; a listing cut short (``next_token``) ends with its ``NEXTTOKEN`` record.

    As in the AWS CLI, the token is not part of the data the query sees, and its record is the
    last line, ``NEXTTOKEN<TAB>token``; unlike it, a query does not turn the record into
    ``None``: the token to continue with is always printed.
    """
    from cli_core.present.text import format_text

    token = view.next_token
    if token is not None and isinstance(data, Mapping) and data.get("NextToken") == token:
        data = {k: v for k, v in data.items() if k != "NextToken"}
    if view.result_keys and isinstance(data, Mapping):
        # As the AWS CLI writes a listing: every gathered member has its column, None when no
        # page had it (S3's CommonPrefixes), so the columns do not shift from one call to the next.
        data = {**data, **{k: None for k in view.result_keys if k not in data}}
    text = format_text(apply_query(view.query, prepare(data, view.timestamp_format)))
    if token is not None:
        text += format_text({"NextToken": {"NextToken": token}})
    return text


def _format_table(data, view: View) -> str:
    from cli_core.present.table import format_table

    width = _terminal_width(view.width, view.isatty)
    return format_table(data, title=view.title, color=view.use_color, width=width)


def _render_off(data, view: View) -> str:
    check_timestamp_format(view.timestamp_format)
    return ""


def _render_one_page(data, view: View) -> str:
    return "".join(render_stream([data], query=view.query, timestamp_format=view.timestamp_format))


# output format -> renderer(data, view) -> the text to print. Every format of
# ``options.OUTPUT_FORMATS`` has one (a test checks).
RENDERERS = {
    "json": _prepared(lambda data, view: format_json(data)),
    "text": _render_text,
    "table": _prepared(_format_table),
    "yaml": _prepared(lambda data, view: format_yaml(data)),
    "yaml-stream": _render_one_page,
    "off": _render_off,
}


def render(
    data,
    *,
    output: str,
    query=None,
    title: str = "",
    color: str = "auto",
    isatty: bool = False,
    width: int | None = None,
    timestamp_format: str = "iso8601",
    next_token: str | None = None,
    result_keys: tuple = (),
) -> str:
    """The full text to print for a result ("" when nothing is printed).

    ``query`` is a compiled query (``compile_query``) or None; it is applied to the whole
    result. ``title`` heads the table (the operation name). ``color`` (on/off/auto; auto means
    colour when ``isatty``) and ``width`` (the terminal width, detected when None and
    ``isatty``, else 80) apply to the table. yaml-stream here prints the whole result as one
    page; use ``render_stream`` to print page by page. The driver passes these from the run's
    settings (``cli_core.settings.Settings``: output, query, color, timestamp_format).
    ``next_token`` is the token to resume a listing that ``--max-items`` cut short (the text
    format prints it as its own record; the others show the result's ``NextToken`` key).
    ``result_keys`` are the members a paginated listing gathers (the text format gives each
    its column, None when absent, as the AWS CLI does).
    """
    _check_output(output)
    view = View(
        query,
        title,
        _use_color(color, isatty),
        width,
        isatty,
        timestamp_format,
        next_token,
        tuple(result_keys),
    )
    return RENDERERS[output](data, view)


def render_stream(
    pages: Iterable, *, query=None, timestamp_format: str = "iso8601"
) -> Iterator[str]:
    """The yaml-stream format: one string per page, each page a one-element YAML list.

    Pages are printed as they arrive, so a long listing starts to show at once. The query is
    applied to **each page** on its own (not to the merged result, as in the other formats);
    an empty page prints nothing.
    """
    check_timestamp_format(timestamp_format)
    for page in pages:
        page = prepare(page, timestamp_format)
        if page == {}:
            continue
        page = apply_query(query, page)
        if page == {}:
            continue
        yield _dump_yaml([page])


def style_error(line: str, *, color: str = "auto", isatty: bool = False) -> str:
    """An error line for stderr, in bold red when colour is on (auto: when stderr is a tty)."""
    if _use_color(color, isatty):
        return f"{_ERROR_STYLE}{line}{_RESET}"
    return line
