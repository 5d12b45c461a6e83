"""Help pages: the seed command's page against the reference page, every shape kind's option
docs and syntax examples, the service and top pages, and the doc markup."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cli_core.options import GLOBAL_OPTIONS
from cli_core.present import docmarkup
from cli_core.present.help import command_help, service_help, top_help
from cli_core.settings import SHIPPED_SPECS
from cli_core.specs import list_services, load_command, load_service_doc
from cli_core.testing import run, snapshot_text

REPO = Path(__file__).resolve().parent.parent
PAGE_NAME = "describe-speaker-enrollment-job.txt"
# CI keeps shared/ beside the clone; the fixture copy means the test runs everywhere.
REFERENCE_PAGES = [
    p for p in (REPO / "tests" / "fixtures" / PAGE_NAME, REPO.parent / "shared" / "seed" / PAGE_NAME)
    if p.is_file()
]  # fmt: skip


@pytest.fixture
def seed():
    return load_command("voice-id", "describe-speaker-enrollment-job", [SHIPPED_SPECS])


# -- the seed page against the reference page ---------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reference_sentences(text: str) -> list[str]:
    """The reference page cut into sentences: per line, after . ; : ! ? and a space, and where
    a broken line join glued a sentence to the next line (``use.ExistingEnrollmentAction``)."""
    pieces = []
    for line in text.splitlines():
        for piece in re.split(r"(?<=[.;:!?])\s+|(?<=[a-z)]\.)(?=[A-Z])", line):
            if re.search(r"[A-Za-z0-9]", piece):
                pieces.append(piece.strip())
    return pieces


def reference_text() -> str:
    """The reference page without what clishape says in its own words on purpose: the global
    options' descriptions (from ``--debug`` to the output section) and ``--version``, a flag
    here (``[--version]``, not ``[--version <value>]``)."""
    lines = REFERENCE_PAGES[0].read_text(encoding="utf-8").splitlines()
    start = lines.index("--debug")
    end = next(i for i, line in enumerate(lines) if re.match(r"\w+ -> \(", line))
    kept = lines[:start] + lines[end:]
    return "\n".join(line for line in kept if line != "[--version <value>]")


def test_the_reference_page_copy_is_there_and_current():
    assert REFERENCE_PAGES, "tests/fixtures copy of the reference page is missing"
    texts = {p.read_text(encoding="utf-8") for p in REFERENCE_PAGES}
    assert len(texts) == 1, "tests/fixtures copy differs from shared/seed: copy it again"


@pytest.mark.parametrize("width", [80, 120, 40])
def test_every_sentence_of_the_reference_page_is_in_ours(seed, width):
    ours = _squash(command_help(seed, width))
    sentences = reference_sentences(reference_text())
    assert len(sentences) > 120
    missing = [s for s in sentences if _squash(s) not in ours]
    assert missing == []


def test_reference_sentences_come_in_the_reference_order(seed):
    ours = _squash(command_help(seed))
    at = 0
    for sentence in reference_sentences(reference_text()):
        found = ours.find(_squash(sentence), at)
        assert found >= 0, f"out of order or missing: {sentence!r}"
        at = found + len(_squash(sentence))


def test_option_types_match_the_reference_page(seed):
    """Each ``--x`` line followed by ``(type)`` on the reference page is ``--x (type)`` here,
    e.g. ``--cli-read-timeout (int)``; but ``--version``, a flag, is ``(boolean)`` on purpose."""
    lines = REFERENCE_PAGES[0].read_text(encoding="utf-8").splitlines()
    pairs = [
        (a, b) for a, b in zip(lines, lines[1:], strict=False)
        if a.startswith("--") and re.fullmatch(r"\([a-z ]+\)", b)
    ]  # fmt: skip
    assert ("--cli-read-timeout", "(int)") in pairs and ("--version", "(string)") in pairs
    page = command_help(seed)
    for option, kind in pairs:
        kind = "(boolean)" if option == "--version" else kind
        assert re.search(rf"^\s+{re.escape(option)} {re.escape(kind)}", page, re.M), option


def test_the_sentence_splitter_handles_broken_joins():
    text = "to use.ExistingEnrollmentAction -> (string)\nSetting the value toOVERWRITE\n."
    assert reference_sentences(text) == [
        "to use.",
        "ExistingEnrollmentAction -> (string)",
        "Setting the value toOVERWRITE",
    ]


# -- the seed page ------------------------------------------------------------------------------


def test_seed_page_at_80_columns(seed, snapshot):
    page = command_help(seed, 80)
    assert page == snapshot
    assert max(len(line) for line in page.splitlines() if "https://" not in line) <= 80


def test_seed_page_at_120_columns(seed, snapshot):
    page = command_help(seed, 120)
    assert page == snapshot
    assert max(len(line) for line in page.splitlines()) <= 120


def test_seed_page_structure(seed):
    page = command_help(seed)
    headings = [line for line in page.splitlines() if line and not line[0].isspace()]
    assert headings == ["NAME", "DESCRIPTION", "SYNOPSIS", "OPTIONS", "GLOBAL OPTIONS", "OUTPUT"]
    link = (
        "https://docs.aws.amazon.com/goto/WebAPI/voice-id-2021-09-27/DescribeSpeakerEnrollmentJob"
    )
    assert f"See also: AWS API Documentation\n    ({link})" in page
    assert "    --domain-id (string) [required]\n" in page
    for opt in GLOBAL_OPTIONS:  # every global option in the synopsis and documented
        assert re.search(rf"^      \[{opt.name}( <value>| \[[a-z|]+\])?\]$", page, re.M), opt.name
        assert f"    {opt.name} ({opt.shown_type})\n" in page
    # output nested to every depth, WatchlistIds included
    assert (
        "                WatchlistIds -> (list)\n"
        "                    The identifier of watchlists against which fraud detection\n"
        "                    is performed.\n\n"
        "                    (string)\n"
    ) in page


def test_page_through_the_command_line(snapshot):
    result = run(["voice-id", "describe-speaker-enrollment-job", "help"])
    assert snapshot_text(result) == snapshot
    for spelling in ("--help", "-h"):
        other = run(["voice-id", "describe-speaker-enrollment-job", spelling])
        assert other == result


def test_page_without_uid_has_no_api_link(seed):
    seed.raw["metadata"] = {k: v for k, v in seed.metadata.items() if k != "uid"}
    page = command_help(seed)
    assert "See also" not in page and "goto/WebAPI" not in page


# -- every shape kind ---------------------------------------------------------------------------

SERVICE = """\
clishape: 1
service: demo
metadata: {protocol: json, apiVersion: '2020-01-01', endpointPrefix: demo, targetPrefix: Demo}
documentation: |
  A demo service, with `code`, a [link](https://example.com/demo) and bullets:

  - first item
  - second item, long enough to wrap onto the next line when the page is eighty
    columns wide
shapes:
  Node:
    type: structure
    documentation: A node of a tree.
    members:
      Name: {type: string, documentation: The node name.}
      Children: {shape: NodeList, documentation: The child nodes.}
  NodeList: {type: list, member: {shape: Node}}
"""

PUT_WIDGET = """\
clishape: 1
command: put-widget
operation: PutWidget
documentation: |
  Creates or replaces a widget.

  Use `describe-widget` to read it back.
input:
  type: structure
  required: [Name, Rules]
  members:
    Name: {type: string, min: 1, max: 64, pattern: '^[a-z]+$', documentation: The name.}
    Colour: {type: string, enum: [RED, GREEN, BLUE], documentation: The colour.}
    Enabled: {type: boolean, documentation: Whether the widget is on.}
    Count: {type: integer, min: 1, max: 10, documentation: How many widgets.}
    Size: {type: long, documentation: A size.}
    Weight: {type: float, documentation: A weight.}
    Ratio: {type: double, documentation: A ratio.}
    CreatedAfter: {type: timestamp, documentation: Only widgets created after this time.}
    Payload: {type: blob, documentation: Raw bytes.}
    Body: {type: blob, streaming: true, documentation: The widget body.}
    Settings: {type: document, documentation: Free-form settings.}
    Config:
      documentation: The widget configuration.
      type: structure
      required: [Mode]
      members:
        Mode: {type: string, enum: [FAST, SLOW], documentation: The mode.}
        Limits:
          type: map
          key: {type: string}
          value: {type: integer}
          documentation: Limits by name.
        Tags: {type: list, member: {type: string}, documentation: Tags.}
        Extra: {type: document, documentation: Extra settings.}
        Pairs:
          type: list
          documentation: Pairs of words.
          member: {type: list, member: {type: string}}
    Deep:
      type: structure
      documentation: Too deep for a shorthand example.
      members:
        Inner:
          type: structure
          members:
            Grid: {type: list, member: {type: list, member: {type: string}}}
    Rules:
      type: list
      documentation: The rules.
      member:
        type: structure
        required: [Field]
        members:
          Field: {type: string, documentation: The field to test.}
          Values: {type: list, member: {type: string}, documentation: Accepted values.}
    Labels:
      type: map
      documentation: Labels by colour.
      key: {type: string, enum: [RED, GREEN]}
      value: {type: string}
    Matrix:
      type: list
      documentation: A matrix of numbers.
      member: {type: list, member: {type: integer}}
    Ids:
      type: list
      min: 1
      max: 5
      member: {type: string}
      documentation: The identifiers.
    Flags: {type: list, member: {type: boolean}, documentation: Some switches.}
    Tree: {shape: Node, documentation: The widget tree.}
    Choice:
      type: structure
      union: true
      documentation: One way to pick.
      members:
        ByName: {type: string}
        ByNumber: {type: integer}
    OldField:
      type: string
      deprecated: true
      deprecatedMessage: Use --name instead.
      documentation: The old name.
    Query: {type: string, cli_name: widget-query, documentation: A filter for the widgets.}
    ACLs: {type: list, member: {type: string}, documentation: Access control lists.}
    Token: {type: string, idempotencyToken: true, documentation: A unique token.}
    Secret: {type: string, sensitive: true, documentation: A secret value.}
output:
  type: structure
  members:
    Tree: {shape: Node, documentation: The stored tree.}
    Counts:
      type: map
      key: {type: string}
      value: {type: long}
      documentation: Counts by kind.
    Data: {type: blob, streaming: true, documentation: The widget data.}
    Status: {type: string, enum: [OK, BAD], min: 2, documentation: The status.}
    Outcome:
      type: structure
      union: true
      members:
        Ok: {type: boolean}
        Error: {type: string}
"""

LIST_WIDGETS = """\
clishape: 1
command: list-widgets
operation: ListWidgets
documentation: Lists widgets.
pagination:
  input_token: NextToken
  output_token: NextToken
  limit_key: MaxResults
  result_key: Widgets
input:
  type: structure
  members:
    Prefix: {type: string, documentation: Only names starting with this.}
    NextToken: {type: string}
    MaxResults: {type: integer}
    Verbose: {type: boolean, documentation: More details.}
output:
  type: structure
  members:
    Widgets: {type: list, member: {type: string}}
    NextToken: {type: string}
"""

EMPTY = """\
clishape: 1
command: ping
operation: Ping
deprecated: true
deprecatedMessage: Nothing to ping any more.
"""


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setenv("CLISHAPE_CACHE_DIR", "")
    folder = tmp_path / "demo"
    folder.mkdir()
    for name, text in {
        "_service.yaml": SERVICE,
        "put-widget.yaml": PUT_WIDGET,
        "list-widgets.yaml": LIST_WIDGETS,
        "ping.yaml": EMPTY,
    }.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [tmp_path]


def _section(page: str, title: str) -> str:
    match = re.search(rf"^{title}\n(.*?)(?=^[A-Z]|\Z)", page, re.M | re.S)
    assert match, title
    return match.group(1)


def _option_doc(page: str, option: str) -> str:
    options = _section(page, "OPTIONS")
    match = re.search(rf"^    {re.escape(option)}\b.*?(?=^    -|\Z)", options, re.M | re.S)
    assert match, option
    return match.group(0)


def test_every_shape_kind_options(demo, snapshot):
    page = command_help(load_command("demo", "put-widget", demo))
    assert _section(page, "OPTIONS") == snapshot


def test_every_shape_kind_output(demo, snapshot):
    page = command_help(load_command("demo", "put-widget", demo))
    assert _section(page, "OUTPUT") == snapshot


def test_every_shape_kind_synopsis_and_description(demo, snapshot):
    page = command_help(load_command("demo", "put-widget", demo))
    assert _section(page, "DESCRIPTION") + _section(page, "SYNOPSIS") == snapshot


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("--name", "--name (string) [required]"),
        ("--enabled", "--enabled | --no-enabled (boolean)"),
        ("--body", "--body (streaming blob)"),
        ("--settings", "--settings (document)"),
        ("--choice", "--choice (tagged union structure)"),
        ("--old-field", "--old-field (string) [deprecated]"),
        ("--secret", "--secret (string) [sensitive]"),
        ("--token", "--token (string)\n"),  # an idempotency token is never required
    ],
)
def test_option_headers(demo, option, expected):
    page = command_help(load_command("demo", "put-widget", demo))
    assert _option_doc(page, option).startswith(f"    {expected}")


def test_syntax_blocks_by_kind(demo):
    page = command_help(load_command("demo", "put-widget", demo))
    doc = {opt: _option_doc(page, opt) for opt in ("--rules", "--config", "--labels", "--tree")}
    assert "Field=string,Values=string,string ..." in doc["--rules"]
    assert (
        "Mode=string,Limits={KeyName1=integer,KeyName2=integer},Tags=string,string,"
        in (doc["--config"])
    )
    assert "Pairs=[[string,string],[string,string]]" in doc["--config"]
    assert "Extra=" not in doc["--config"].split("JSON Syntax")[0]  # documents: JSON only
    assert "Where valid key names are:\n              RED\n              GREEN" in doc["--labels"]
    assert "Children=[{Name=string,Children=( ... recursive ... )}" in doc["--tree"]
    assert "{ ... recursive ... }" in doc["--tree"]
    assert "( ... recursive ... )" in doc["--tree"].split("Shorthand Syntax")[0]
    for option in ("--matrix", "--deep", "--settings"):  # JSON syntax only
        text = _option_doc(page, option)
        assert "Shorthand Syntax:" not in text and "JSON Syntax:" in text, option
    for option, line in (("--ids", '"string" "string" ...'), ("--flags", "true|false true|false")):
        text = _option_doc(page, option)
        assert "Syntax:" in text and line in text and "JSON Syntax" not in text, option
    for option in ("--name", "--colour", "--count", "--payload", "--created-after"):
        assert "Syntax:" not in _option_doc(page, option), option


def test_renamed_members_say_so(demo):
    page = command_help(load_command("demo", "put-widget", demo))
    assert "(renamed from --query, which is a global option)" in _option_doc(page, "--widget-query")
    assert "(renamed from ---acls" in _option_doc(page, "--acls")
    assert "renamed" not in _option_doc(page, "--name")


def test_paginated_command(demo, snapshot):
    page = command_help(load_command("demo", "list-widgets", demo))
    synopsis = _section(page, "SYNOPSIS")
    assert synopsis.index("[--cli-input-json | --cli-input-yaml]") < synopsis.index(
        "[--starting-token <value>]\n      [--page-size <value>]\n      [--max-items <value>]\n"
        "      [--generate-cli-skeleton <value>]"
    )
    assert "--next-token" not in page and "--max-results" not in page  # stood for by the above
    assert _section(page, "DESCRIPTION") + _section(page, "OPTIONS") == snapshot


def test_page_size_only_with_a_limit_key(demo):
    command = load_command("demo", "list-widgets", demo)
    del command.raw["operation"]["pagination"]["limit_key"]
    page = command_help(command)
    assert "--page-size" not in page and "--max-items (integer)" in page
    assert "--max-results" in page


def test_command_without_input_or_output(demo):
    page = command_help(load_command("demo", "ping", demo))
    assert "This command is deprecated. Nothing to ping any more." in page
    assert _section(page, "OUTPUT").strip() == "None"
    assert _section(page, "OPTIONS").startswith("    --cli-input-json | --cli-input-yaml (string)")


# -- service and top pages ----------------------------------------------------------------------


def test_service_page(snapshot):
    page = service_help(load_service_doc("voice-id", [SHIPPED_SPECS]))
    assert page == snapshot
    assert "    o describe-speaker-enrollment-job\n" in page


def test_service_page_lists_sorted_commands_without_deprecated(demo, snapshot):
    info = load_service_doc("demo", demo)
    info["deprecated_commands"] = ["ping"]
    page = service_help(info, 60)
    assert page == snapshot
    commands = re.findall(r"^    o (\S+)$", page, re.M)
    assert commands == ["list-widgets", "put-widget"]


def test_top_page(snapshot):
    page = top_help(["voice-id", "demo"])
    assert page == snapshot
    assert re.findall(r"^    o (\S+)$", _section(page, "AVAILABLE SERVICES"), re.M) == [
        "demo",
        "voice-id",
    ]


def test_help_pages_through_the_command_line(demo):
    env = {"CLISHAPE_SPEC_PATH": str(demo[0])}
    top = run(["help"], env=env)
    assert top.exit_code == 0 and top.stdout == top_help(list_services(demo + [SHIPPED_SPECS]))
    service = run(["demo", "help"], env=env)
    assert service.exit_code == 0 and "    o put-widget\n" in service.stdout
    narrow = run(["voice-id", "describe-speaker-enrollment-job", "help"], width=60)
    assert max(len(line) for line in narrow.stdout.splitlines() if "://" not in line) <= 60


def test_help_imports_nothing_heavy():
    code = (
        "import sys, cli_core.present.help, cli_core.present.docmarkup\n"
        "heavy = {'yaml', 'botocore', 'jsonschema', 'jmespath', 'json', 'argparse'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stderr


# -- doc markup ---------------------------------------------------------------------------------


def test_markup_rendering():
    doc = textwrap.dedent(
        """\
        Paragraph one has `code` and a [link](https://example.com/x) in
        two source lines.

        - item one
          - a nested item
        - item two is long enough
          to continue

        Last paragraph."""
    )
    assert docmarkup.render(doc, 40, 2) == [
        "  Paragraph one has code and a link",
        "  (https://example.com/x) in two source",
        "  lines.",
        "",
        "  o item one",
        "    o a nested item",
        "  o item two is long enough to continue",
        "",
        "  Last paragraph.",
    ]
    assert docmarkup.plain(doc).startswith("Paragraph one has code and a link in two")


@pytest.mark.parametrize(
    ("doc", "first"),
    [
        ("Describes the job. Then more.", "Describes the job."),
        ("Use `x`, e.g. this one. Then more.", "Use x, e.g. this one."),
        ("See [the guide](https://a.example/b.html) now. More.", "See the guide now."),
        ("No full stop", "No full stop"),
        ("\n\n- A bullet first. Then.", "A bullet first."),
        ("Version 1.2 is here. Yes.", "Version 1.2 is here."),
        ("", ""),
    ],
)
def test_first_sentence(doc, first):
    assert docmarkup.first_sentence(doc) == first
