"""Shorthand syntax: what a user gets for each kind of value, and the errors they see."""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_core.argv.shorthand import MAX_DEPTH, ShorthandError, parse
from clishape_tools.bench import SHORTHAND_PATHOLOGICAL

VALID = [
    # pairs and csv values
    ("a=b", {"a": "b"}),
    ("Name=a,Values=b,c", {"Name": "a", "Values": ["b", "c"]}),
    ("foo=a,b,bar=c", {"foo": ["a", "b"], "bar": "c"}),
    ("foo=a,b,bar=c,d", {"foo": ["a", "b"], "bar": ["c", "d"]}),
    ("foo=a,b c,bar=d", {"foo": ["a", "b c"], "bar": "d"}),
    ("k=a , b ,c", {"k": ["a", "b", "c"]}),
    ("foo=a b", {"foo": "a b"}),
    ("foo=a b   ", {"foo": "a b"}),
    ("Name=a,Values=b Name=c", {"Name": "a", "Values": "b Name=c"}),
    ("a = b , c = d", {"a": "b", "c": "d"}),
    # keys
    ("=v", {"": "v"}),
    ("a-b_c.d#e/f:G9=1", {"a-b_c.d#e/f:G9": "1"}),
    # empty values
    ("k=", {"k": ""}),
    ("k=   ", {"k": ""}),
    ("k=,j=", {"k": "", "j": ""}),
    ("k=[]", {"k": []}),
    ("k=[ ]", {"k": []}),
    ("k=[,]", {"k": [""]}),
    ("k=[,,]", {"k": ["", ""]}),
    ("k={}", {"k": {}}),
    ("x={a=}", {"x": {"a": ""}}),
    ("x={a= }", {"x": {"a": ""}}),
    ("x={a=,b=}", {"x": {"a": "", "b": ""}}),
    ("x=[{a=}]", {"x": [{"a": ""}]}),
    # lists and hashes
    ("k=[a,b]", {"k": ["a", "b"]}),
    ("k=[a]", {"k": ["a"]}),
    ("k=[a,]", {"k": ["a"]}),
    ("k=[ a b , c ]", {"k": ["a b", "c"]}),
    ("k=[[a,b],[c],[]]", {"k": [["a", "b"], ["c"], []]}),
    ("k={a=b,c=d}", {"k": {"a": "b", "c": "d"}}),
    ("k={a=b,}", {"k": {"a": "b"}}),
    ("k = { a = b , c = [ d ] }", {"k": {"a": "b", "c": ["d"]}}),
    ("x={y={z=[{w=1}]}}", {"x": {"y": {"z": [{"w": "1"}]}}}),
    ("k=[a],j={b=c}", {"k": ["a"], "j": {"b": "c"}}),
    ("k={a=b c=d}", {"k": {"a": "b c=d"}}),
    # whitespace and newlines
    ("k=[a] ", {"k": ["a"]}),
    ("k={a=b}\n", {"k": {"a": "b"}}),
    ("a=[x],\nb=y", {"a": ["x"], "b": "y"}),
    ("a=[x]\n, b=y", {"a": ["x"], "b": "y"}),
    ("a={\n  b=c,\n  d=e\n}", {"a": {"b": "c", "d": "e"}}),
    ("a=x\ny", {"a": "x\ny"}),
    # quoting
    ("k='a,b=c]}'", {"k": "a,b=c]}"}),
    ('k="a,b=c]}"', {"k": "a,b=c]}"}),
    ("k=' a '", {"k": " a "}),
    ("k=''", {"k": ""}),
    ('k=""', {"k": ""}),
    ("k='it\\'s'", {"k": "it's"}),
    ('k="say \\"hi\\""', {"k": 'say "hi"'}),
    ("k='a\\\\b'", {"k": "a\\b"}),
    ("k='a\\nb'", {"k": "a\\nb"}),
    ("k='C:\\dir\\'", {"k": "C:\\dir\\"}),
    ("k='\"'", {"k": '"'}),
    ("k='line1\nline2 😀'", {"k": "line1\nline2 😀"}),
    ("k='a,b','c'", {"k": ["a,b", "c"]}),
    ("k=a,'b'", {"k": ["a", "b"]}),
    ("k=['a]',\"b}\"]", {"k": ["a]", "b}"]}),
    # bare values: escapes and allowed characters
    ("k=a\\,b", {"k": "a,b"}),
    ("k=a\\,b,c", {"k": ["a,b", "c"]}),
    ("k=\\,", {"k": ","}),
    ("k=a\\nb", {"k": "a\\nb"}),
    ("k=a\\\\b", {"k": "a\\\\b"}),
    ("k=]", {"k": "]"}),
    ("k=}x", {"k": "}x"}),
    ("k=@x", {"k": "@x"}),
    ("k=a=b[c{d", {"k": "a=b[c{d"}),
    ("k=a,b]}", {"k": ["a", "b]}"]}),
    ("k=[}]", {"k": ["}"]}),
    ("k=file://x.txt", {"k": "file://x.txt"}),
    ("k=1,b=true", {"k": "1", "b": "true"}),
    # characters above U+FFFF
    ("k=😀", {"k": "😀"}),
    ("k=a😀b", {"k": "a😀b"}),
    ("k=a,😀", {"k": ["a", "😀"]}),
    ("k=[😀]", {"k": ["😀"]}),
    ("k={a=😀}", {"k": {"a": "😀"}}),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[text for text, _ in VALID])
def test_valid(text, expected):
    assert parse(text) == expected


ERRORS = [
    ("missing-equals", "abc"),
    ("missing-equals-after-list", "a=[x],b"),
    ("missing-equals-in-hash", "a={b}"),
    ("key-then-space", "a={b c=d}"),
    ("leading-whitespace", "  a=b"),
    ("value-then-garbage", "a=[x]y"),
    ("close-bracket-in-first-value", "a=x]"),
    ("unterminated-single-quote", "a='abc"),
    ("unterminated-double-quote", 'a="abc'),
    ("unterminated-quote-in-list", "a=[x,'y]"),
    ("unterminated-second-value", "a=x,'y"),
    ("trailing-comma", "a=b,"),
    ("trailing-comma-after-list", "a=[x], "),
    ("double-comma", "a=b,,c=d"),
    ("escaped-comma-is-no-separator", "a=x,b\\,c=d"),
    ("unclosed-list", "a=[b"),
    ("list-closed-by-brace", "a=[b}"),
    ("unclosed-hash", "a={b=c"),
    ("unclosed-hash-after-comma", "a={b=c,"),
    ("hash-closed-by-bracket", "a={b=c]"),
    ("missing-comma-in-list", "a=[[x] y]"),
    ("too-deep", "a=" + "[" * (MAX_DEPTH + 1)),
    ("duplicate-top-level", "a=1,a=2"),
    ("duplicate-space-instead-of-comma", "Name=a,Values=b Name=c,Values=d"),
    ("duplicate-nested", "x={a=1,a=2}"),
    ("duplicate-deeply-nested", "x=[{y={b=1, b=2}}]"),
    ("duplicate-empty-key", "=a,=b"),
    ("multi-line", "a={b=c,\n  d=[x}\n}"),
    ("multi-line-duplicate", "a=1,\nb=2,\na=3"),
    ("multi-line-end-of-input", "a={b=c,\n  d=e\n"),
    ("crlf-lines", "a=[x],\r\nb=[y\r\n"),
    ("tab-before-error", "a=\tb]"),
    ("wide-characters-before-error", "k=😀漢字]"),
    ("control-character", "a=b\x01"),
    ("empty-input", ""),
]


@pytest.mark.parametrize(("text"), [text for _, text in ERRORS], ids=[i for i, _ in ERRORS])
def test_error_message(text, snapshot):
    with pytest.raises(ShorthandError) as info:
        parse(text)
    assert str(info.value) == snapshot


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("a=x]", 3, "Expected: ',', received: ']'"),
        ("  a=b", 2, "Expected: '=', received: 'a'"),
        ("a=[b", 4, "Expected: ',' or ']', received: end of input"),
        ("a={b=c\n", 7, "Expected: ',' or '}', received: end of input"),
        ("a='abc", 2, 'Unterminated quote: no closing "\'" found'),
        ("a=b,", 3, "Trailing ',' is not allowed at the top level"),
        ("x={a=1,a=2}", 7, 'Second instance of key "a" encountered'),
    ],
)
def test_error_attributes(text, position, message):
    with pytest.raises(ShorthandError) as info:
        parse(text)
    error = info.value
    assert (error.text, error.position, error.message) == (text, position, message)


def test_caret_sits_under_the_offending_character():
    text = "Name=a,Values=b Name=c,Values=d"
    with pytest.raises(ShorthandError) as info:
        parse(text)
    line, caret = str(info.value).splitlines()[1:3]
    assert line == text
    assert caret.index("^") == text.rindex("Values")


class FakeFiles:
    def __init__(self):
        self.calls = []
        self.files = {"file://a.txt": "A", "fileb://b.bin": b"B"}

    def __call__(self, uri):
        self.calls.append(uri)
        return self.files[uri]


LOADS = [
    ("k@=file://a.txt", {"k": "A"}),
    ("k@=fileb://b.bin", {"k": b"B"}),
    ("k @ = file://a.txt", {"k": "A"}),
    ("k@='file://a.txt'", {"k": "A"}),
    ("k@=file://a.txt,fileb://b.bin", {"k": ["A", b"B"]}),
    ("k@=[file://a.txt,x]", {"k": ["A", "x"]}),
    ("k@=[[file://a.txt]]", {"k": [["A"]]}),
    ("k@=[{n=v},file://a.txt]", {"k": [{"n": "v"}, "A"]}),
    ("k@={n=file://a.txt}", {"k": {"n": "file://a.txt"}}),
    ("k={n@=file://a.txt}", {"k": {"n": "A"}}),
    ("a@=file://a.txt,b=file://a.txt", {"a": "A", "b": "file://a.txt"}),
    ("k=file://a.txt", {"k": "file://a.txt"}),
    ("k@=x", {"k": "x"}),
    ("k@=FILE://a.txt", {"k": "FILE://a.txt"}),
    ("k@=", {"k": ""}),
]


@pytest.mark.parametrize(("text", "expected"), LOADS, ids=[text for text, _ in LOADS])
def test_at_equals_loads_files(text, expected):
    assert parse(text, load_file=FakeFiles()) == expected


def test_at_equals_loads_each_file_once_in_order():
    files = FakeFiles()
    parse("k@=file://a.txt,fileb://b.bin,x", load_file=files)
    assert files.calls == ["file://a.txt", "fileb://b.bin"]


def test_a_value_that_turns_out_to_be_the_next_key_is_not_loaded():
    files = FakeFiles()
    assert parse("a@=x,file://a.txt=z", load_file=files) == {"a": "x", "file://a.txt": "z"}
    assert files.calls == []


def test_load_file_errors_propagate_unchanged():
    problem = OSError(2, "No such file or directory")

    def load(uri):
        raise problem

    with pytest.raises(OSError) as info:
        parse("k@=file://missing", load_file=load)
    assert info.value is problem


def test_without_a_loader_at_equals_keeps_the_text():
    assert parse("k@=file://a.txt") == {"k": "file://a.txt"}


PATHOLOGICAL = SHORTHAND_PATHOLOGICAL  # texts that once made a parser backtrack


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_parses_or_names_the_position(make):
    # How long each takes is measured by `python tools/bench.py --groups shorthand`.
    text = make(100_000)
    try:
        parse(text)
    except ShorthandError as error:
        assert 0 <= error.position <= len(text) and error.message


def _lines_run(text: str) -> int:
    """Lines of Python the parser runs for ``text``: work counted the same on any machine."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += event == "line"
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        parse(text)
    except ShorthandError:
        pass
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_costs_work_in_proportion_to_its_length(make):
    small, large = _lines_run(make(2_000)), _lines_run(make(8_000))
    assert large <= 5 * small, (small, large)  # linear: 4×; quadratic would be 16×


@given(st.text(alphabet="ab=,@[]{}'\"\\ \t\n😀", max_size=30))
def test_any_input_parses_or_raises_a_shorthand_error(text):
    try:
        result = parse(text)
    except ShorthandError as error:
        assert 0 <= error.position <= len(text)
        assert str(error).splitlines()[2].endswith("^")
    else:
        assert isinstance(result, dict)


def test_an_error_in_a_long_line_shows_the_part_around_it():
    text = "a=" + "x" * 500 + ",a=" + "y" * 500  # the second "a" is the error
    with pytest.raises(ShorthandError) as raised:
        parse(text)
    _, line, caret = str(raised.value).splitlines()[:3]
    assert len(line) == 120
    assert line[len(caret) - 1] == text[raised.value.position]
    assert caret.strip() == "^"
