"""Hostile input: every value a user can hand in ends with a contract exit code and a clear message.

Each case names the class of input it stands for (deep nesting, huge numbers, endless files, bad
characters, JMESPath runtime errors, ...). The contract: the expected exit code, the option named,
a short message, never ``internal error`` or a traceback, and nothing read past the size limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_core.argv.parser import parse_command
from cli_core.errors import MAX_PROBLEMS_SHOWN, CLIError, ParamError
from cli_core.request.build import build_request
from cli_core.settings import spec_roots
from cli_core.shapes.codecs import MAX_NESTING, FileReading, load_param_file
from cli_core.specs import load_command
from cli_core.testing import run

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
ENV = {"CLISHAPE_SPEC_PATH": str(FIXTURES)}
SEED = [
    "voice-id", "describe-speaker-enrollment-job",
    "--domain-id", "domain0000000000000001", "--job-id", "jobidA0000000000000000",
]  # fmt: skip
OUTPUT_SAMPLE = [*SEED, "--generate-cli-skeleton", "output"]
PROBE = ["probe", "do-things", "--str-arg", "s", "--cli-dry-run"]

DEEP = 20_000
DEEP_OBJECT = '{"a":' * DEEP + "1" + "}" * DEEP
DEEP_LIST = "[" * DEEP + "]" * DEEP
DIGITS = "9" * 5000


def assert_refused(result, option: str | None = None, code: int = 252, lines: int = 1) -> None:
    """The contract for a refused input: the code, a short stderr naming the option, no trace."""
    assert result.exit_code == code, result
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= lines, result.stderr
    assert len(result.stderr) < 1000, result.stderr
    if option:
        assert option in result.stderr


# -- --query ----------------------------------------------------------------------------------

QUERY_CASES = {
    "nested-brackets": ("[*]" * 5000, "nests too deeply"),
    "nested-parentheses": ("(" * 5000 + "a" + ")" * 5000, "nests too deeply"),
    "deep-json-literal": "`" + "[" * 5000 + "`",
    "merge-of-a-number": ("merge(Job, `1`)", "a function in it was given a value"),
    "merge-of-a-list": ("merge(`{}`, `[1]`)", "a function in it was given a value"),
    "min-by-mixed-types": ('min_by(`[1, "a"]`, &@)', "values of different types"),
    "sort-by-mixed-types": ('sort_by(`[1, "a"]`, &@)', "sort_by()"),
    "length-of-a-number": ("length(`1`)", "length()"),
    "to-number-of-a-list": ("abs(to_number(`[1]`))", "abs()"),
    "slice-step-zero": ("`[1, 2]`[::0]", "step cannot be zero"),
    "unknown-function": ("nope(@)", "Unknown function"),
}


@pytest.mark.parametrize("case", sorted(QUERY_CASES))
def test_hostile_query_is_a_usage_error(case):
    expression, *expected = (
        QUERY_CASES[case] if isinstance(QUERY_CASES[case], tuple) else (QUERY_CASES[case],)
    )
    result = run([*OUTPUT_SAMPLE, "--query", expression], env=ENV)
    assert_refused(result, "--query")
    for text in expected:
        assert text in result.stderr


def test_query_error_shows_control_characters_escaped_and_the_caret_aligned():
    result = run([*OUTPUT_SAMPLE, "--query", "a\x01b"], env=ENV)
    assert_refused(result, "--query", lines=3)
    assert "\x01" not in result.stderr
    assert result.stderr.splitlines()[1:] == ["a?b", " ^"]


def test_long_query_error_shows_a_window_around_the_caret():
    expression = "a." * 500 + "~"
    result = run([*OUTPUT_SAMPLE, "--query", expression], env=ENV)
    assert_refused(result, "--query", lines=3)
    window, caret = result.stderr.splitlines()[1:]
    assert len(window) <= 80 and window.endswith("~")
    assert caret == " " * (len(window) - 1) + "^"


# -- nesting ----------------------------------------------------------------------------------


@pytest.fixture
def deep_files(tmp_path: Path) -> Path:
    (tmp_path / "deep-object.json").write_text(DEEP_OBJECT)
    (tmp_path / "deep-list.json").write_text(DEEP_LIST)
    (tmp_path / "deep-input.json").write_text('{"Struct":' + DEEP_OBJECT + "}")
    return tmp_path


DEEP_OPTION_CASES = {
    "document": ["--doc-arg", DEEP_OBJECT],
    "structure-json": ["--struct", '{"Inner":' * DEEP + "{}" + "}" * DEEP],
    "list-json": ["--list-str", DEEP_LIST],
    "list-of-lists-json-item": ["--list-of-lists", "[" * 5000],
    "shorthand": ["--struct", "Inner={" * 5000 + "}" * 5000],
    "shorthand-list": ["--list-struct", "Name=" + "[" * 5000],
    "document-file": ["--doc-arg", "file://{dir}/deep-object.json"],
    "list-file": ["--list-str", "file://{dir}/deep-list.json"],
}


@pytest.mark.parametrize("case", sorted(DEEP_OPTION_CASES))
def test_deep_option_values_are_refused(case, deep_files):
    option, value = DEEP_OPTION_CASES[case]
    result = run([*PROBE, option, value.replace("{dir}", str(deep_files))], env=ENV)
    assert_refused(result, option, lines=3)  # shorthand errors show the input and a caret


DEEP_DOCUMENT_CASES = {
    "json-inline": ["--cli-input-json", DEEP_OBJECT],
    "json-file": ["--cli-input-json", "file://{dir}/deep-input.json"],
    "json-fileb": ["--cli-input-json", "fileb://{dir}/deep-input.json"],
    "json-just-too-deep": ["--cli-input-json", '{"DocArg":' + "[" * 100 + "]" * 100 + "}"],
    "yaml-flow": ["--cli-input-yaml", "DocArg: " + DEEP_LIST],
    "yaml-block": ["--cli-input-yaml", "DocArg:\n" + "- " * DEEP + "x\n"],
    "yaml-alias-adds-depth": [
        "--cli-input-yaml",
        "A: &a " + "[" * 60 + "]" * 60 + "\nDocArg: " + "[" * 60 + "*a" + "]" * 60 + "\n",
    ],
}


@pytest.mark.parametrize("case", sorted(DEEP_DOCUMENT_CASES))
def test_deep_input_documents_are_refused(case, deep_files):
    flag, value = DEEP_DOCUMENT_CASES[case]
    result = run([*PROBE, flag, value.replace("{dir}", str(deep_files))], env=ENV)
    assert_refused(result, flag)
    assert f"nest deeper than {MAX_NESTING} levels" in result.stderr


def test_deep_input_document_from_stdin_is_refused():
    result = run([*PROBE, "--cli-input-json", "-"], stdin='{"DocArg": ' + DEEP_LIST + "}", env=ENV)
    assert_refused(result, "--cli-input-json")


def test_nesting_up_to_the_limit_is_accepted():
    document = "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1)
    for args in (
        ["--doc-arg", "[" * MAX_NESTING + "]" * MAX_NESTING],
        ["--cli-input-json", '{"DocArg": ' + document + "}"],
        ["--cli-input-yaml", "DocArg: " + document],
    ):
        result = run([*PROBE, *args], env=ENV)
        assert result.exit_code == 0, result
        assert json.loads(result.stdout)["params"]["DocArg"] is not None


def _laughs(levels: int, key: str) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


@pytest.mark.parametrize("key", ["DocArg", "ListStr", "Unknown"])
def test_yaml_alias_bomb_is_refused_before_it_expands(key):
    result = run([*PROBE, "--cli-input-yaml", _laughs(9, key)], env=ENV)
    assert_refused(result, "--cli-input-yaml")
    assert "aliases expand to more than" in result.stderr


@pytest.mark.parametrize(
    "document", ["DocArg: &a [*a]\n", "Struct: &a {Inner: *a}\n", "DocArg: &a {x: [1, *a]}\n"]
)
def test_yaml_alias_inside_its_own_node_is_refused(document):
    result = run([*PROBE, "--cli-input-yaml", document], env=ENV)
    assert_refused(result, "--cli-input-yaml")
    assert "the alias *a refers to a node that contains it" in result.stderr


def test_ordinary_yaml_aliases_still_work():
    document = "Struct: {Labels: &l [x, y]}\nListStr: *l\nMapArg: {a: &v z, b: *v}\n"
    result = run([*PROBE, "--cli-input-yaml", document], env=ENV)
    assert result.exit_code == 0, result
    params = json.loads(result.stdout)["params"]
    assert params["ListStr"] == ["x", "y"]
    assert params["MapArg"] == {"a": "z", "b": "z"}


# -- numbers ----------------------------------------------------------------------------------

NUMBER_CASES = {
    "integer-option": (["--int-arg", DIGITS], "--int-arg", "more than 4300 digits"),
    "long-option": (["--long-arg", DIGITS], "--long-arg", "more than 4300 digits"),
    "list-item": (["--list-int", "1", DIGITS], "--list-int", "more than 4300 digits"),
    "shorthand": (["--struct", "Count=" + DIGITS], "--struct", "more than 4300 digits"),
    "json-in-option": (["--struct", '{"Count": ' + DIGITS + "}"], "--struct", "too many digits"),
    "document": (["--doc-arg", DIGITS], "--doc-arg", "too many digits"),
    "input-json": (["--cli-input-json", '{"IntArg": ' + DIGITS + "}"], "--cli-input-json", "too many digits"),
    "input-yaml": (["--cli-input-yaml", "DocArg: " + DIGITS], "--cli-input-yaml", "too many digits"),
    "float-overflow": (["--float-arg", DIGITS], "--float-arg", "too large for a floating-point"),
    "timestamp": (["--ts-arg", DIGITS], "--ts-arg", "expected an ISO 8601 timestamp"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NUMBER_CASES))
def test_huge_numbers_are_refused_by_name(case):
    args, option, expected = NUMBER_CASES[case]
    result = run([*PROBE, *args], env=ENV)
    assert_refused(result, option)
    assert expected in result.stderr
    assert "set_int_max_str_digits" not in result.stderr
    assert DIGITS not in result.stderr  # the value is shown shortened


def test_huge_pagination_and_timeout_values_are_refused():
    result = run(["probe", "list-things", "--max-items", DIGITS], env=ENV)
    assert_refused(result, "--max-items")
    for value in ("99999999999999999999999", DIGITS, "-1"):
        result = run([*SEED, "--cli-read-timeout", value, "--cli-dry-run"], env=ENV)
        assert_refused(result, "--cli-read-timeout")
        assert "from 0 to 2147483" in result.stderr


def test_infinity_spelled_out_is_still_a_float():
    result = run([*PROBE, "--double-arg", "inf"], env=ENV)
    assert result.exit_code == 0, result


# -- characters -------------------------------------------------------------------------------


def test_nul_and_surrogates_in_values_are_sent_as_given():
    result = run(["probe", "do-things", "--str-arg", "a\x00b\udcff", "--cli-dry-run"], env=ENV)
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["params"]["StrArg"] == "a\x00b\udcff"


@pytest.mark.parametrize("prefix", ["file://", "fileb://"])
@pytest.mark.parametrize("path", ["/tmp/a\x00b", "/tmp/\ud800", "x" * 100_000])
def test_impossible_file_names_are_refused_by_name(prefix, path):
    result = run([*PROBE, "--blob-arg", prefix + path], env=ENV)
    assert_refused(result, "--blob-arg")
    assert "cannot read" in result.stderr
    assert "\x00" not in result.stderr


def test_unknown_options_with_control_characters_are_shown_escaped():
    result = run([*PROBE, "--a\x00\x1b[31m"], env=ENV)
    assert_refused(result)
    assert "--a\\x00\\x1b[31m" in result.stderr
    assert "\x1b" not in result.stderr


# -- bounded reads ----------------------------------------------------------------------------


def _probe():
    return load_command("probe", "do-things", spec_roots(ENV))


@pytest.fixture
def big_files(tmp_path: Path) -> Path:
    (tmp_path / "eleven.txt").write_text("x" * 11)
    (tmp_path / "ten.txt").write_text("y" * 10)
    (tmp_path / "doc.json").write_text('{"StrArg": "' + "z" * 20 + '"}')
    return tmp_path


@pytest.mark.parametrize(
    "args, option",
    [
        (["--str-arg", "file://{dir}/eleven.txt"], "--str-arg"),
        (["--blob-arg", "fileb://{dir}/eleven.txt"], "--blob-arg"),
        (["--list-str", "file://{dir}/eleven.txt"], "--list-str"),
        (["--struct", "Labels@=file://{dir}/eleven.txt"], "--struct"),
    ],
)
def test_parameter_files_past_the_limit_are_refused(args, option, big_files):
    args = [a.replace("{dir}", str(big_files)) for a in args]
    if option != "--str-arg":
        args = ["--str-arg", "s", *args]
    with pytest.raises(ParamError) as raised:
        parse_command(_probe(), args, files=FileReading(max_bytes=10))
    assert f"'{option}'" in str(raised.value)
    assert "larger than the input limit of 10 bytes" in str(raised.value)


def test_parameter_file_at_the_limit_is_read(big_files):
    parsed = parse_command(
        _probe(), ["--str-arg", f"file://{big_files}/ten.txt"], files=FileReading(max_bytes=10)
    )
    assert parsed.params["StrArg"] == "y" * 10


@pytest.mark.parametrize("source", ["file://{dir}/doc.json", "fileb://{dir}/doc.json", "-"])
def test_input_documents_past_the_limit_are_refused(source, big_files):
    import io

    parsed = parse_command(_probe(), ["--cli-input-json", source.replace("{dir}", str(big_files))])
    stdin = io.StringIO((big_files / "doc.json").read_text())
    with pytest.raises(ParamError) as raised:
        build_request(parsed, stdin=stdin, files=FileReading(max_bytes=16))
    assert "'--cli-input-json'" in str(raised.value)
    assert "larger than the input limit of 16 bytes" in str(raised.value)


def test_the_limit_comes_from_the_environment(big_files):
    env = {**ENV, "CLISHAPE_MAX_INPUT_BYTES": "10"}
    result = run([*PROBE, "--doc-arg", f"file://{big_files}/eleven.txt"], env=env)
    assert_refused(result, "--doc-arg")
    result = run([*PROBE, "--cli-input-yaml", "-"], stdin="StrArg: " + "s" * 20, env=env)
    assert_refused(result, "--cli-input-yaml")
    assert "standard input is larger than the input limit of 10 bytes" in result.stderr


@pytest.mark.parametrize("value", ["ten", "0", "-5", ""])  # set but empty is a bad value too
def test_a_bad_limit_is_a_configuration_error(value):
    result = run([*PROBE], env={**ENV, "CLISHAPE_MAX_INPUT_BYTES": value})
    assert_refused(result, "CLISHAPE_MAX_INPUT_BYTES", code=253)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args, option",
    [
        (["--doc-arg", "file:///dev/zero"], "--doc-arg"),
        (["--blob-arg", "fileb:///dev/zero"], "--blob-arg"),
        (["--struct", "Labels@=file:///dev/zero"], "--struct"),
        (["--cli-input-json", "file:///dev/zero"], "--cli-input-json"),
        (["--cli-input-yaml", "fileb:///dev/zero"], "--cli-input-yaml"),
    ],
)
def test_an_endless_device_stops_at_the_limit(args, option):
    result = run([*PROBE, *args], env={**ENV, "CLISHAPE_MAX_INPUT_BYTES": "1000000"})
    assert_refused(result, option)
    assert "/dev/zero is larger than the input limit" in result.stderr


def test_file_encoding_is_honoured(tmp_path):
    (tmp_path / "latin.txt").write_bytes("caf\xe9\r\nbar".encode("latin-1"))
    uri = f"file://{tmp_path}/latin.txt"
    assert load_param_file(uri, "--x", FileReading(encoding="latin-1")) == "café\nbar"
    with pytest.raises(ParamError, match="cannot read .* as utf-8 text"):
        load_param_file(uri, "--x", FileReading())
    result = run([*PROBE, "--doc-arg", uri], env={**ENV, "AWS_CLI_FILE_ENCODING": "bogus"})
    assert_refused(result, "AWS_CLI_FILE_ENCODING", code=253)


def _wait_until_reading(process: subprocess.Popen) -> None:
    """Wait (at most 30 s) until the process sleeps in a read, where Ctrl-C is to find it."""
    wchan = Path(f"/proc/{process.pid}/wchan")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if "read" in wchan.read_text() or "wait" in wchan.read_text():
                return
        except OSError:
            break
        time.sleep(0.02)
    time.sleep(0.5)  # no /proc: give it a moment


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("where", ["stdin", "fifo", "prompt"])
def test_ctrl_c_during_a_read_or_prompt_exits_130(where, tmp_path):
    fifo = tmp_path / "fifo"
    argv = {
        "stdin": ["probe", "do-things", "--cli-input-json", "-", "--cli-dry-run"],
        "fifo": [*PROBE, "--doc-arg", f"file://{fifo}"],
        "prompt": ["probe", "do-things", "--cli-auto-prompt", "--cli-dry-run"],
    }[where]
    env = {**os.environ, **ENV, "CLISHAPE_CACHE_DIR": str(tmp_path / "cache")}
    if where == "fifo":
        os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli_core", *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    writer = os.open(fifo, os.O_WRONLY) if where == "fifo" else None
    try:
        if where == "prompt":
            assert process.stderr.read1(100).startswith(b"--str-arg (string): ")
        _wait_until_reading(process)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    finally:
        if writer is not None:
            os.close(writer)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130


# -- every problem at once, bounded -----------------------------------------------------------


def test_every_problem_on_the_command_line_is_reported_at_once(tmp_path):
    result = run(
        [
            "probe", "do-things",
            "--int-arg", "x",
            "--doc-arg", "{bad json",
            "--struct", "Count=",
            "--map-arg", "a==",
            "--blob-arg", f"fileb://{tmp_path}/missing",
            "--bogus",
            "--float-arg", "1", "--float-arg", "2",
            "--bool-arg", "--no-bool-arg",
        ],
        env=ENV,
    )  # fmt: skip
    assert_refused(result, lines=40)
    text = result.stderr
    assert text.startswith("clishape: error: 9 problems with the command line:\n")
    for expected in (
        "Unknown options: --bogus",
        "'--int-arg': expected an integer, got 'x'",
        "'--doc-arg': Invalid JSON",
        "'--struct': Count: expected an integer, got ''",
        "'--map-arg'",
        "'--blob-arg': cannot read fileb://",
        "--float-arg was given more than once",
        "Cannot specify both --bool-arg and --no-bool-arg",
        "the following arguments are required: --str-arg",
    ):
        assert expected in text


def test_global_option_problems_are_reported_together():
    result = run(["--output", "xml", "--color", "pink", "--cli-read-timeout", "x", *SEED], env=ENV)
    assert_refused(result, lines=4)
    assert result.stderr.startswith("clishape: error: 3 problems with the command line:")


def test_at_most_twenty_problems_are_printed():
    members = ["--int-arg", "--long-arg", "--float-arg", "--double-arg", "--ts-arg"]
    args = [token for option in members for token in (option, "nope")]  # 5 bad values
    args += [token for _ in range(30) for token in ("--int-arg", "1")]  # 30 "given twice"
    result = run(["probe", "do-things", "--str-arg", "s", *args], env=ENV)
    lines = result.stderr.splitlines()
    assert result.exit_code == 252
    assert lines[0] == "clishape: error: 35 problems with the command line:"
    assert len(lines) == 1 + MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == "  ... and 15 more"


def test_a_thousand_unknown_options_are_one_short_line():
    result = run([*PROBE, *[f"--bad{i}" for i in range(1000)]], env=ENV)
    assert_refused(result)
    assert "--bad19 ... and 980 more" in result.stderr
    assert "--bad20" not in result.stderr


def test_a_single_problem_keeps_its_plain_message():
    result = run([*PROBE, "--int-arg", "x"], env=ENV)
    assert result.stderr == (
        "clishape: error: Error parsing parameter '--int-arg': expected an integer, got 'x'\n"
    )


def test_conversion_errors_never_escape_as_other_exceptions():
    """Whatever the value, conversion ends in a CLIError (or a value), nothing else."""
    command = _probe()
    for value in ("{", "[", "a=", "{" * 200, "\udcff", "\x00", "[1, 2", '"\\ud800"', "1e999"):
        for member in command.input.members.values():
            try:
                parse_command(command, ["--str-arg", "s", member.option, value])
            except CLIError:
                pass


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_a_file_that_reports_no_size_is_still_read_whole():
    text = load_param_file("file:///proc/self/status", "--x", FileReading(max_bytes=1 << 20))
    assert text.startswith("Name:")


@pytest.mark.parametrize("flag", ["--bool-arg", "--no-bool-arg", "--debug"])
def test_a_value_given_to_a_flag_is_named_and_shortened(flag):
    result = run([*PROBE, f"{flag}={'A' * 10_000}"], env=ENV)
    assert_refused(result, flag)
    assert f"argument {flag}: takes no value, got 'AAAA" in result.stderr


def test_a_file_the_encoding_cannot_read_is_refused(tmp_path: Path):
    """AWS_CLI_FILE_ENCODING=utf-16 and a file without a byte order mark (found by the fuzz run)."""
    odd = tmp_path / "odd.yaml"
    odd.write_bytes(b"`B_ksj_\x05")
    env = {**ENV, "AWS_CLI_FILE_ENCODING": "utf-16"}
    result = run([*PROBE, "--cli-input-yaml", f"file://{odd}"], env=env)
    assert_refused(result, "--cli-input-yaml")
    assert "as utf-16 text" in result.stderr
