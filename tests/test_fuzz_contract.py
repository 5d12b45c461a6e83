"""The contract under hostile input (issue 8, point 16).

Hypothesis drives three commands — the seed command, ``kms encrypt`` and the fixture
``probe do-things`` (every shape kind: lists, maps, nested and recursive structures) — through
the command line (options, values, shorthand, JSON, ``file://`` and ``fileb://`` files, global
options), the environment (retry settings, output, region, spec path, config and credentials
files, a session token with odd characters) and input documents (``--cli-input-json|yaml``).
It asserts only what every run must hold:

- the exit code is one of the contract's: 0, 130, 252, 253, 254, 255;
- a failure says so on stderr in one human line (``clishape: error: …``), followed at most by a
  capped list of problems or a usage line; never ``internal error`` nor a traceback;
- no secret (the secret access key, the session token) appears in any output, ``--debug``
  included.

Nothing reaches the network: every example is a dry run, a call to a closed port on
127.0.0.1, or a call to the embedded local service, and a guard fails any name lookup of
another host. Most examples run in-process (``cli_core.testing.run``); a few run as a real
process, where they may also read special files such as ``/dev/zero``.

Each test runs ``CLISHAPE_FUZZ_EXAMPLES`` examples (default 300; the process test a tenth).
``CLISHAPE_FUZZ_FINDINGS=FILE`` records each broken example as one JSON line in FILE instead
of failing at the first, to survey every kind of failure in one long run. The issue's run of
more than 10,000 examples (3 × 3,400 in-process, 340 processes):

    CLISHAPE_FUZZ_EXAMPLES=3400 CLISHAPE_FUZZ_FINDINGS=/tmp/findings.jsonl \\
        python -m pytest tests/test_fuzz_contract.py --hypothesis-show-statistics
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from cli_core.testing import run

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "specs"

EXAMPLES = int(os.environ.get("CLISHAPE_FUZZ_EXAMPLES") or 300)
FINDINGS = os.environ.get("CLISHAPE_FUZZ_FINDINGS")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no "explain" page
)

CONTRACT_EXIT_CODES = {0, 130, 252, 253, 254, 255}
MAX_PROBLEM_LINES = 20  # issue 8, point 11: at most 20 problems, then "… and N more"
MAX_STDERR_LINES = 1 + MAX_PROBLEM_LINES + 1 + 3  # first line, problems, "… and N more", usage
MAX_LINE_CHARS = 2000  # one human line, not a dump of the input
HANG_GUARD_SECONDS = 120  # not a speed budget: only a run that never ends trips it

ACCESS_KEY = "AKIDFUZZCONTRACT"
SECRET_KEY = "fuzzSecretAccessKeyMustNeverBePrinted0001"
TOKEN_CORE = "fuzzSessionTokenMustNeverBePrinted0002"
FILE_SECRET = "fuzzCredentialsFileSecretMustNeverBePrinted0003"
SECRETS = (SECRET_KEY, TOKEN_CORE, FILE_SECRET)


# -- values a user might type --------------------------------------------------------------------

# Characters that mean something to the shorthand, JSON, YAML, file or URL syntax, control
# characters, a lone surrogate (how Python sees a non-UTF-8 byte in argv) and wide characters.
ODD_CHARS = "ab9_-.,=:@[]{}()'\"\\/ \t\r\n\x1b\udcff\u00e9\u200b\U0001f600`*$%&?#|"
ODD_STRINGS = [
    "", " ", "-", "--", "-1", "0", "null", "true", "NaN", "Infinity", "1e999", "\\", "'", '"',
    "=", ",", "[", "{", "@", "file://", "fileb://", "file:///", "~", "${HOME}", "\r\n", "\x1b[31m",
    "\udcff", "\U0001f600", "a" * 22,
]  # fmt: skip
NUMBERS = [
    "0", "-0", "1", "-5", "10", "2147483648", "9223372036854775808",
    "99999999999999999999999", "1.5", "1e999", "-1e999", "nan", "inf", "0x10", " 3", "3 ",
    "\u0663", "1_000", "",
]  # fmt: skip
TIMESTAMPS = [
    "2024-01-31T12:00:00Z", "2024-01-31", "1700000000", "1700000000.5", "-1", "1" * 400,
    "9999-12-31T23:59:59Z", "0000-00-00", "2024-02-30T00:00:00Z", "yesterday", "",
]  # fmt: skip


def odd_text(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.text(ODD_CHARS, max_size=max_size),
        st.sampled_from([300, 5000]).map(lambda n: "x" * n),  # (a short repr in reports)
    )


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.sampled_from([400, 5000]).map(lambda n: "9" * n),  # a 5,000-digit number
        st.sampled_from([400, 5000]).map(lambda n: "-" + "1" * n),
        st.integers().map(str),
        st.floats().map(repr),
        odd_text(6),
    )


# JSON-like data: the values of structures, lists, maps and documents, and input documents.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    odd_text(12),
)


def json_like(keys: st.SearchStrategy[str]) -> st.SearchStrategy:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=12,
    )


def shorthand(value) -> str:
    """Render data as shorthand syntax (``k=v,k2=[a,b],k3={x=1}``); odd data makes odd text."""
    if isinstance(value, dict):
        return ",".join(f"{k}={_shorthand_inner(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(_shorthand_inner(v) for v in value)
    return "" if value is None else str(value)


def _shorthand_inner(value) -> str:
    if isinstance(value, dict):
        return "{" + shorthand(value) + "}"
    if isinstance(value, list):
        return "[" + shorthand(value) + "]"
    return shorthand(value)


@dataclass(frozen=True)
class Deep:
    """JSON nested ``depth`` levels deep (rendered when the example runs, not when printed)."""

    depth: int
    kind: str = "list"

    def text(self) -> str:
        if self.kind == "list":
            return "[" * self.depth + "]" * self.depth
        return '{"a":' * self.depth + "1" + "}" * self.depth


@dataclass(frozen=True)
class ManyKeys:
    """A JSON object with ``count`` keys no command has."""

    count: int

    def text(self) -> str:
        return json.dumps({f"Unknown{i}": i for i in range(self.count)})


@dataclass(frozen=True)
class File:
    """A file the example writes first; in argv it reads ``scheme`` + its path."""

    content: bytes | Deep | ManyKeys
    scheme: str = "file://"

    def render(self, folder: Path) -> str:
        data = self.content
        if not isinstance(data, bytes):
            data = data.text().encode()
        path = folder / hashlib.sha256(data).hexdigest()[:20]
        if not path.exists():
            path.write_bytes(data)
        return self.scheme + str(path)


@dataclass(frozen=True)
class Special:
    """A path that is not a small regular file: missing, a folder, or (process test) a device."""

    name: str  # "missing", "folder", or an absolute path such as /dev/zero
    scheme: str = "file://"

    def render(self, folder: Path) -> str:
        if self.name == "missing":
            return self.scheme + str(folder / "no-such-file")
        if self.name == "folder":
            return self.scheme + str(folder)
        return self.scheme + self.name


def deep_json() -> st.SearchStrategy[Deep]:
    return st.builds(Deep, st.sampled_from([50, 5000, 20_000]), st.sampled_from(["list", "dict"]))


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def file_contents(data: st.SearchStrategy) -> st.SearchStrategy[bytes | Deep | ManyKeys]:
    return st.one_of(
        data.map(lambda v: to_bytes(json.dumps(v))),
        data.map(lambda v: to_bytes(shorthand(v))),
        st.binary(max_size=64),
        st.sampled_from([b"\xff\xfe\x00bad", b"\xef\xbb\xbf{}", b""]),
        deep_json(),
    )


def files(data: st.SearchStrategy) -> st.SearchStrategy[File | Special]:
    return st.one_of(
        st.builds(File, file_contents(data), st.sampled_from(["file://", "fileb://"])),
        st.builds(
            Special,
            st.sampled_from(["missing", "folder"]),
            st.sampled_from(["file://", "fileb://"]),
        ),
    )


def structured(keys: list[str]) -> st.SearchStrategy:
    """The text of a list, map, structure or document value: JSON, shorthand, deep, a file."""
    data = json_like(st.one_of(st.sampled_from(keys), odd_text(8)))
    return st.one_of(
        data.map(json.dumps),
        data.map(shorthand),
        odd_text(),
        deep_json(),
        files(data),
    )


def blobs() -> st.SearchStrategy:
    return st.one_of(
        st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
        odd_text(),
        st.builds(File, st.binary(max_size=64), st.sampled_from(["file://", "fileb://"])),
        st.builds(Special, st.sampled_from(["missing", "folder"]), st.just("fileb://")),
    )


# -- the three commands ----------------------------------------------------------------------------


def kind_values(kind: str, keys: list[str]) -> st.SearchStrategy[list]:
    """The tokens after an option of this kind (flags take none; lists may take several)."""
    one = {
        "string": st.one_of(odd_text(), files(scalars)),
        "id": st.one_of(st.text("abcXYZ019", min_size=22, max_size=22), odd_text()),
        "number": numbers(),
        "timestamp": st.one_of(st.sampled_from(TIMESTAMPS), odd_text(), numbers()),
        "blob": blobs(),
        "structured": structured(keys),
    }
    if kind == "flag":
        return st.just([])
    if kind.startswith("enum:"):
        return st.one_of(st.sampled_from(kind[5:].split(",")), odd_text()).map(lambda v: [v])
    if kind == "list":
        return st.one_of(
            st.lists(odd_text(8), min_size=1, max_size=3), structured(keys).map(lambda v: [v])
        )
    return one[kind].map(lambda v: [v])


@dataclass(frozen=True)
class Target:
    service: str
    command: str
    options: dict  # option → kind
    members: list  # member names, for input documents and JSON keys


SEED = Target(
    "voice-id",
    "describe-speaker-enrollment-job",
    {"--domain-id": "id", "--job-id": "id"},
    ["DomainId", "JobId"],
)
KMS = Target(
    "kms",
    "encrypt",
    {
        "--key-id": "string",
        "--plaintext": "blob",
        "--encryption-context": "structured",
        "--grant-tokens": "list",
        "--encryption-algorithm": "enum:SYMMETRIC_DEFAULT,RSAES_OAEP_SHA_1,RSAES_OAEP_SHA_256",
        "--dry-run": "flag",
    },
    ["KeyId", "Plaintext", "EncryptionContext", "GrantTokens", "EncryptionAlgorithm", "DryRun"],
)
PROBE = Target(
    "probe",
    "do-things",
    {
        "--str-arg": "string",
        "--int-arg": "number",
        "--long-arg": "number",
        "--float-arg": "number",
        "--double-arg": "number",
        "--bool-arg": "flag",
        "--ts-arg": "timestamp",
        "--blob-arg": "blob",
        "--doc-arg": "structured",
        "--enum-arg": "enum:RED,GREEN,BLUE",
        "--list-str": "list",
        "--list-int": "list",
        "--list-bool": "list",
        "--list-struct": "list",
        "--list-of-lists": "list",
        "--struct": "structured",
        "--map-arg": "structured",
        "--map-struct": "structured",
        "--tree": "structured",
        "--acls": "list",
        "--token": "string",
    },
    [
        "StrArg", "IntArg", "TsArg", "BlobArg", "DocArg", "ListStruct", "Struct", "MapArg",
        "MapStruct", "Tree", "Name", "Values", "Enabled", "Inner", "Children", "Value", "Token",
    ],
)  # fmt: skip
TARGETS = [SEED, KMS, PROBE]


# -- global options, environment, input documents -----------------------------------------------

REGIONS = [
    "us-east-1", "", "us-east-1\n", "us-east-1\nX-Injected: 1", "us east 1", "a\r\nb", "../..",
    "x" * 300, "\u00fc", "\udcff",
]  # fmt: skip
OUTPUTS = ["json", "text", "table", "yaml", "yaml-stream", "off", "xml", "", "JSON"]
QUERIES = [
    "Job", "Job.JobName", "params", "*", "[]", "length(@)", "keys(@)", "merge(Job, `1`)",
    "sort_by(@, &x)", "to_number(@)", "`{}`", "a.b.c[?d > `1`]", "[", "'", "`", "&", "@@",
    "(" * 5000 + "a" + ")" * 5000, "a." * 5000 + "a", "[" * 5000, "length(" * 2000,
    "\udcff",
]  # fmt: skip


def endpoints(closed_port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{closed_port}", "http://[::1", "http://127.0.0.1:99999", ":-1",
        "localhost:9", "http://", "ftp://127.0.0.1/", "http://127.0.0.1:0",
        f"http://user:pass@127.0.0.1:{closed_port}", f"http://127.0.0.1:{closed_port}/%zz",
        f"http://[::1]:{closed_port}", "http://127.0.0.1:-1", "", " ", "http://\udcff",
    ]  # fmt: skip


def config_files() -> st.SearchStrategy[File]:
    """An AWS config file: profiles with odd settings, junk lines, bytes that are not UTF-8."""
    setting = st.one_of(
        st.tuples(st.just("region"), st.sampled_from(REGIONS)),
        st.tuples(st.just("output"), st.sampled_from(OUTPUTS)),
        st.tuples(st.just("cli_binary_format"), st.sampled_from(["base64", "raw-in-base64-out", "hex"])),
        st.tuples(st.just("cli_timestamp_format"), st.sampled_from(["iso8601", "wire", "none", ""])),
        st.tuples(st.just("max_attempts"), st.sampled_from(["garbage", "", "1e999", "-5", "1", "2"])),
        st.tuples(st.just("retry_mode"), st.sampled_from(["bogus", "standard", "legacy", ""])),
        st.tuples(st.just("aws_secret_access_key"), st.just(FILE_SECRET)),
        st.tuples(st.just("cli_pager"), st.sampled_from(["", "less", "cat"])),
        st.tuples(odd_text(8), odd_text(8)),
    )  # fmt: skip
    section = st.tuples(
        st.sampled_from(["[default]", "[profile fuzz]", "[fuzz]", "[profile", "[]", "junk"]),
        st.lists(setting, max_size=5),
    )

    def text(sections) -> bytes:
        lines = []
        for header, settings_ in sections:
            lines.append(header)
            lines += [f"{key} = {value}" for key, value in settings_]
        return to_bytes("\n".join(lines) + "\n")

    return st.one_of(
        st.lists(section, max_size=3).map(text),
        st.sampled_from([b"\xff\xfe[default]\n", b"[default]\nregion=\xff\n", b"\x00" * 8]),
    ).map(lambda content: File(content, scheme=""))


def credentials_files() -> st.SearchStrategy[File]:
    return st.sampled_from(
        [
            f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {FILE_SECRET}\n",
            f"[default]\naws_secret_access_key = {FILE_SECRET}\n",
            f"[default\naws_secret_access_key = {FILE_SECRET}\n",
            f"[fuzz]\naws_access_key_id = \naws_secret_access_key = {FILE_SECRET}\r\n",
        ]
    ).map(lambda text: File(text.encode(), scheme=""))


HOSTILE_ENDS = ["", "", "\r", "\n", "\r\n", " ", "\t", "\x1b[31m", "'", '"', "\\", "\x7f", "\u00e9"]


def around(core: str) -> st.SearchStrategy[str]:
    """A secret with odd characters around it (today a ``\\r`` in the token makes it leak)."""
    ends = st.sampled_from(HOSTILE_ENDS)
    return st.tuples(ends, ends).map(lambda pair: pair[0] + core + pair[1])


def documents(target: Target, yaml: bool) -> st.SearchStrategy:
    """An input document: the text itself, or a file:// file holding it."""
    data = json_like(st.one_of(st.sampled_from(target.members), odd_text(8)))
    member_docs = st.dictionaries(st.sampled_from(target.members), data, max_size=5)
    texts = [
        member_docs.map(json.dumps),
        data.map(json.dumps),
        odd_text(),
        deep_json(),
        st.builds(ManyKeys, st.sampled_from([25, 1000, 100_000])),
    ]
    if yaml:
        texts.append(
            st.sampled_from(
                [
                    "!!python/object/apply:os.system ['true']",
                    "a: &x [*x]",
                    "&a [*a]",
                    "KeyId: 1\nKeyId: 2\n",
                    "? [a]\n: 1\n",
                    "StrArg: 2024-01-01\nTsArg: 2024-01-31 12:00:00\n",
                    "- a\n- b\n",
                    "a: b: c",
                    "\t",
                    _laughs(5),
                ]
            )
        )
    text = st.one_of(*texts)
    as_file = st.one_of(
        text.map(lambda t: File(t if isinstance(t, Deep | ManyKeys) else to_bytes(t))),
        st.builds(Special, st.sampled_from(["missing", "folder"])),
    )
    return st.one_of(text, as_file)


def _laughs(levels: int) -> str:
    """A YAML document whose aliases expand to 10**levels leaves."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Setup:
    """The session's fixed pieces: folders, a closed port, a seeded local service."""

    folder: Path
    closed_port: int
    local_home: Path
    domain_id: str
    job_id: str
    broken_roots: tuple[Path, ...]


@st.composite
def examples(draw, setup: Setup, targets=TARGETS, specials=()):
    """One invocation: (argv tokens, environment); each either a dry run or sent to 127.0.0.1."""
    target = draw(st.sampled_from(targets))
    options = base_args(target, setup) if draw(st.integers(0, 4)) < 4 else {}  # mostly
    for option in draw(st.lists(st.sampled_from(sorted(target.options)), max_size=5, unique=True)):
        values = draw(kind_values(target.options[option], target.members))
        if specials and values and draw(st.integers(0, 3)) == 0:
            values = [draw(st.builds(Special, st.sampled_from(specials)))]
        options[option] = values
    if draw(st.integers(0, 3)) == 3:
        options.update(draw(input_options(target)))
    tokens = [token for option, values in options.items() for token in (option, *values)]
    if draw(st.integers(0, 9)) == 9:  # a stray token anywhere (now and then)
        junk = ["--no-such-option", "help", "--", "-", "-h", "x", "--no-dry-run", "--no-bool-arg"]
        tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(junk)))
    globals_ = draw(global_options(setup))
    before = draw(st.integers(0, len(globals_)))  # globals go before the service or at the end
    argv = [*sum(globals_[:before], []), target.service, target.command, *tokens]
    argv += sum(globals_[before:], [])
    env = draw(environment(setup))
    mode = draw(st.sampled_from(["dry-run", "dry-run", "dry-run", "closed-port", "local"]))
    if mode == "dry-run":
        argv.append("--cli-dry-run")
    elif mode == "closed-port" and "--endpoint-url" not in argv:
        argv += ["--endpoint-url", f"http://127.0.0.1:{setup.closed_port}"]
    else:
        env["CLISHAPE_LOCAL"] = "1"
    return argv, env


def base_args(target: Target, setup: Setup) -> dict[str, list]:
    """The command's required options with valid values (the seed's name the seeded job)."""
    if target is SEED:
        return {"--domain-id": [setup.domain_id], "--job-id": [setup.job_id]}
    if target is KMS:
        return {"--key-id": ["alias/fuzz"], "--plaintext": ["aGVsbG8="]}
    return {"--str-arg": ["x"]}


@st.composite
def input_options(draw, target: Target) -> dict[str, list]:
    """An input document (or two, which is an error), or a skeleton request."""
    choices = {
        "--cli-input-json": documents(target, yaml=False),
        "--cli-input-yaml": documents(target, yaml=True),
        "--generate-cli-skeleton": st.sampled_from(["input", "yaml-input", "output", "json", ""]),
    }
    names = draw(st.lists(st.sampled_from(sorted(choices)), min_size=1, max_size=2, unique=True))
    return {name: [draw(choices[name])] for name in names}


@st.composite
def global_options(draw, setup: Setup) -> list[list]:
    """Global options, each with its value (if it takes one)."""
    valued = {
        "--output": st.sampled_from(OUTPUTS),
        "--query": st.one_of(st.sampled_from(QUERIES), odd_text()),
        "--region": st.sampled_from(REGIONS),
        "--profile": st.sampled_from(["default", "fuzz", "nope", "", "a\nb"]),
        "--color": st.sampled_from(["on", "off", "auto", "rainbow"]),
        "--cli-binary-format": st.sampled_from(["base64", "raw-in-base64-out", "hex"]),
        "--cli-read-timeout": numbers(),
        "--cli-connect-timeout": numbers(),
        "--endpoint-url": st.sampled_from(endpoints(setup.closed_port)),
        "--ca-bundle": st.one_of(
            st.builds(File, st.binary(max_size=32), st.just("")),
            st.builds(Special, st.sampled_from(["missing", "folder"]), st.just("")),
        ),
    }
    flags = [
        "--debug", "--no-paginate", "--no-sign-request", "--no-verify-ssl", "--no-cli-pager",
        "--cli-auto-prompt", "--no-cli-auto-prompt", "--version",
    ]  # fmt: skip
    names = draw(st.lists(st.sampled_from(sorted(valued) + flags), max_size=4, unique=True))
    return [[name, draw(valued[name])] if name in valued else [name] for name in names]


@st.composite
def environment(draw, setup: Setup) -> dict:
    """Credentials (with odd characters around the secrets), a region, a few odd settings."""
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": draw(around(SECRET_KEY))}
    if draw(st.booleans()):
        env["AWS_SESSION_TOKEN"] = draw(around(TOKEN_CORE))
    if draw(st.integers(0, 3)) < 3:
        env["AWS_REGION"] = "us-east-1"
    optional = {
        "AWS_MAX_ATTEMPTS": st.sampled_from(["garbage", "", "1e999", "-5", "0", "1", "2", " 2", "2.5"]),
        "AWS_RETRY_MODE": st.sampled_from(["bogus", "", "standard", "legacy", "adaptive", "STANDARD"]),
        "AWS_DEFAULT_OUTPUT": st.sampled_from(OUTPUTS),
        "AWS_REGION": st.sampled_from(REGIONS),
        "AWS_DEFAULT_REGION": st.sampled_from(REGIONS),
        "AWS_PROFILE": st.sampled_from(["default", "fuzz", "nope", ""]),
        "AWS_CONFIG_FILE": st.one_of(config_files(), st.builds(Special, st.just("folder"), st.just(""))),
        "AWS_SHARED_CREDENTIALS_FILE": credentials_files(),
        "AWS_CLI_FILE_ENCODING": st.sampled_from(["utf-8", "latin-1", "utf-16", "bogus", ""]),
        "AWS_CLI_AUTO_PROMPT": st.sampled_from(["on", "off", "bogus"]),
        "AWS_CA_BUNDLE": st.builds(Special, st.sampled_from(["missing", "folder"]), st.just("")),
        "AWS_ENDPOINT_URL": st.sampled_from(endpoints(setup.closed_port)),
        "CLISHAPE_SPEC_PATH": spec_paths(setup),
    }  # fmt: skip
    for name in draw(st.lists(st.sampled_from(sorted(optional)), max_size=4, unique=True)):
        env[name] = draw(optional[name])
    env.setdefault("CLISHAPE_SPEC_PATH", str(FIXTURES))
    return env


@st.composite
def spec_paths(draw, setup: Setup) -> str:
    """The fixture folder among odd entries: missing, huge, a file, folders of broken specs."""
    odd = st.sampled_from(
        [
            "", "/no/such/folder", "x" * 100_000, str(FIXTURES / "probe" / "_service.yaml"),
            "\udcff", "relative/folder", *map(str, setup.broken_roots),
        ]
    )  # fmt: skip
    entries = [str(FIXTURES), *draw(st.lists(odd, max_size=3))]
    return os.pathsep.join(draw(st.permutations(entries)))


# -- running one example and checking the contract --------------------------------------------------


def render(value, folder: Path) -> str:
    if isinstance(value, File | Special):
        return value.render(folder)
    if isinstance(value, Deep | ManyKeys):
        return value.text()
    return value


def materialise(example, setup: Setup) -> tuple[list[str], dict]:
    """The example's argv and environment, its files written."""
    argv, env = example
    argv = [render(token, setup.folder) for token in argv]
    env = {name: render(value, setup.folder) for name, value in env.items()}
    env.update(
        HOME=str(setup.folder / "home"),
        CLISHAPE_CACHE_DIR=str(setup.folder / "cache"),
        CLISHAPE_LOCAL_HOME=str(setup.local_home),
        # A profile without keys makes botocore ask the EC2 metadata service: not on this machine.
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.setdefault("AWS_CONFIG_FILE", os.devnull)
    env.setdefault("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return argv, env


PROMPT = re.compile(r"^(--[a-z0-9-]+ \([a-z]+\): )+")  # --cli-auto-prompt asks on stderr
COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # --color on
WARNING = re.compile(r"^(clishape: )?warning: ")


def message_lines(stderr: str) -> list[str]:
    """The lines of stderr that are not warnings, without colour."""
    return [line for line in COLOUR.sub("", stderr).splitlines() if not WARNING.match(line)]


def contract_violations(argv: list[str], stdout: str, stderr: str, code: int) -> list[str]:
    """What this run broke of the contract (an empty list when it kept it)."""
    found = []
    if code not in CONTRACT_EXIT_CODES:
        found.append(f"exit code {code} is not in the contract")
    for name, text in (("stdout", stdout), ("stderr", stderr)):
        for secret in SECRETS:
            if secret in text:
                found.append(f"a secret ({secret[:12]}…) is printed on {name}")
    if "internal error" in stderr or "raised an unhandled exception" in stderr:
        found.append("internal error")  # (the second is botocore's wrapping of one)
    if "--debug" in argv:  # tracebacks and the debug log are what --debug is for
        return found
    if "Traceback (most recent call last)" in stderr:
        found.append("a traceback without --debug")
    if code != 0:
        lines = message_lines(stderr)
        if not lines or not PROMPT.sub("", lines[0]).startswith("clishape: error: "):
            found.append("a failure without a 'clishape: error:' first line on stderr")
        if len(lines) > MAX_STDERR_LINES:
            found.append(f"{len(lines)} lines on stderr (more than {MAX_STDERR_LINES})")
        if any(len(line) > MAX_LINE_CHARS for line in lines):
            found.append(f"a stderr line longer than {MAX_LINE_CHARS} characters")
    return found


FIXED_ENV = {
    "HOME",
    "CLISHAPE_CACHE_DIR",
    "CLISHAPE_LOCAL_HOME",
    "PATH",
    "AWS_EC2_METADATA_DISABLED",
}


def judge(argv, env, stdout: str, stderr: str, code: int, found: list[str]) -> None:
    """Fail the example (or, with CLISHAPE_FUZZ_FINDINGS, record it) if it broke the contract."""
    found = found + contract_violations(argv, stdout, stderr, code)
    if not found:
        return
    argv = [a if len(a) <= 200 else a[:200] + f"…({len(a)} characters)" for a in argv]
    env = {k: v[:200] for k, v in env.items() if k not in FIXED_ENV}
    if FINDINGS:
        first = next(iter(message_lines(stderr)), "")[:300]
        record = {"violations": found, "exit": code, "first_line": first, "argv": argv, "env": env}
        with open(FINDINGS, "a", encoding="utf-8", errors="backslashreplace") as out:
            out.write(json.dumps(record) + "\n")
        return
    shown = "\n".join(line[:300] for line in stderr.splitlines()[:6])
    raise AssertionError(
        f"{'; '.join(found)} (exit {code})\nargv: {argv!r}\nenv: {env!r}\nstderr:\n{shown}"
    )


class Hung(BaseException):
    """Raised by the hang guard (a BaseException: the driver's last net does not catch it)."""


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_GUARD_SECONDS):
    def expire(signum, frame):
        raise Hung(f"the run did not end within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


LOOPBACK = {"127.0.0.1", "::1", "localhost", b"127.0.0.1", b"::1", b"localhost"}


@contextlib.contextmanager
def loopback_only(attempts: list):
    """Refuse (and remember) any name lookup of a host that is not this machine."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in LOOPBACK:
            attempts.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "the fuzz test refuses the network")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield
    finally:
        socket.getaddrinfo = real


# -- the session's fixed pieces --------------------------------------------------------------------


def _broken_roots(folder: Path) -> tuple[Path, ...]:
    """Spec folders with broken specs of our commands: not UTF-8, bad YAML, colliding members."""
    not_utf8 = folder / "spec-not-utf8"
    shutil.copytree(REPO / "specs" / "kms", not_utf8 / "kms")
    (not_utf8 / "kms" / "_service.yaml").write_bytes(b"clishape: 1\nservice: kms\n# \xff\xfe\n")
    bad_yaml = folder / "spec-bad-yaml"
    shutil.copytree(FIXTURES / "probe", bad_yaml / "probe")
    (bad_yaml / "probe" / "do-things.yaml").write_text("clishape: 1\ncommand: [do-things\n")
    collide = folder / "spec-collision"
    shutil.copytree(FIXTURES / "probe", collide / "probe")
    spec = (collide / "probe" / "do-things.yaml").read_text()
    spec = spec.replace(
        "      StrArg: {shape: Name",
        "      Query: {type: string}\n      Str_Arg: {type: string}\n      StrArg: {shape: Name",
    )
    (collide / "probe" / "do-things.yaml").write_text(spec)
    return not_utf8, bad_yaml, collide


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "home").mkdir()
    local_home = folder / "local"
    seeded = subprocess.run(
        [sys.executable, "-m", "clishape_local.cli", "seed", "--state-dir", str(local_home),
         "--format", "json"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    ids = json.loads(seeded.stdout)
    with socket.socket() as closed:  # bound, so nobody else takes the port, but not listening
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        yield Setup(folder, port, local_home, ids["DomainId"], ids["JobId"], _broken_roots(folder))


# -- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.service} {t.command}")
@FUZZ
@given(data=st.data())
def test_any_invocation_keeps_the_contract(setup, target, data):
    argv, env = materialise(data.draw(examples(setup, targets=[target]), "example"), setup)
    attempts: list = []
    try:
        with hang_guard(), loopback_only(attempts):
            result = run(argv, env=env)
    except Hung as hung:
        judge(argv, env, "", "", 255, [str(hung)])
        return
    assert not attempts, f"the example tried to reach {attempts[0]!r}: a bug of this test"
    judge(argv, env, result.stdout, result.stderr, result.exit_code, [])


PROCESS_EXAMPLES = max(10, EXAMPLES // 10)
SPECIAL_FILES = ("/dev/zero", "/dev/urandom", "/dev/null", "/proc/self/mem", "missing", "folder")
MAX_ARG_BYTES = 128 * 1024
MEMORY_LIMIT = 1024**3  # a read that never stops fails here instead of filling the machine


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@settings(FUZZ, max_examples=PROCESS_EXAMPLES)
@given(data=st.data())
def test_any_invocation_of_the_program_keeps_the_contract(setup, data):
    """A real process: real stdout/stderr encodings, special files such as /dev/zero."""
    argv, env = materialise(data.draw(examples(setup, specials=SPECIAL_FILES), "example"), setup)
    env["PATH"] = os.environ.get("PATH", "")
    # The system takes no argument or variable over 128 KiB: a user cannot type those either.
    assume(all(len(os.fsencode(text)) < MAX_ARG_BYTES for text in [*argv, *env.values()]))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli_core", *argv],
            env=env, capture_output=True, stdin=subprocess.DEVNULL, cwd=setup.folder,
            timeout=HANG_GUARD_SECONDS, preexec_fn=_limit_memory,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        judge(argv, env, "", "", 255, [f"the run did not end within {HANG_GUARD_SECONDS} s"])
        return
    out = done.stdout.decode("utf-8", "backslashreplace")
    err = done.stderr.decode("utf-8", "backslashreplace")
    judge(argv, env, out, err, done.returncode, [])


def test_the_checker_sees_each_way_of_breaking_the_contract():
    assert contract_violations(["x"], "", "clishape: error: bad value for --x\n", 252) == []
    assert contract_violations(["x"], "", "", 1) == [
        "exit code 1 is not in the contract",
        "a failure without a 'clishape: error:' first line on stderr",
    ]
    leak = contract_violations(["x"], f"token {TOKEN_CORE}\r", "", 0)
    assert leak == [f"a secret ({TOKEN_CORE[:12]}…) is printed on stdout"]
    crash = "clishape: error: internal error: ValueError: x\nRun again with --debug to see it.\n"
    assert contract_violations(["x"], "", crash, 255) == ["internal error"]
    wrapped = "clishape: error: An HTTP Client raised an unhandled exception: timestamp too large\n"
    assert contract_violations(["x"], "", wrapped, 255) == ["internal error"]
    long = contract_violations(["x"], "", "clishape: error: " + "1" * 5000, 252)
    assert long == [f"a stderr line longer than {MAX_LINE_CHARS} characters"]
    many = "clishape: error: bad\n" + "problem\n" * 40
    assert contract_violations(["x"], "", many, 252) == [
        f"41 lines on stderr (more than {MAX_STDERR_LINES})"
    ]
    traced = "Traceback (most recent call last):\n  ...\nclishape: error: bad\n"
    assert contract_violations(["--debug"], "", traced, 252) == []
    assert "a traceback without --debug" in contract_violations(["x"], "", traced, 252)
    prompted = "--key-id (string): clishape: error: the following arguments are required\n"
    assert contract_violations(["x"], "", prompted, 252) == []
    coloured = "warning: TLS is off\n\x1b[1m\x1b[31mclishape: error: bad value\x1b[0m\n"
    assert contract_violations(["x"], "", coloured, 252) == []
