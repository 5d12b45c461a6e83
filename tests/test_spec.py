"""Stage 1 from the outside: a spec is checked once, refused with every problem (exit 253, file,
line and key named), can never shadow an option, and the compiled cache can never serve a stale
or foreign spec."""

from __future__ import annotations

import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

from cli_core import cache
from cli_core.errors import ConfigError, SpecError
from cli_core.settings import SHIPPED_SPECS, cache_root, spec_roots
from cli_core.specs import load_command, load_service_doc
from cli_core.testing import run

SERVICE = """\
clishape: 1
service: demo
metadata: {protocol: json, apiVersion: '2020-01-01', endpointPrefix: demo, targetPrefix: Demo}
shapes:
  Name: {type: string}
  Node:
    type: structure
    members:
      Name: {shape: Name}
      Children: {shape: NodeList}
  NodeList: {type: list, member: {shape: Node}}
"""

GOOD = """\
clishape: 1
command: put-thing
operation: PutThing
documentation: Puts a thing.
input:
  type: structure
  required: [Name]
  members:
    Name: {shape: Name}
    Tree: {shape: Node}
"""


def make_root(tmp_path: Path, files: dict[str, str | bytes], service: str = SERVICE) -> Path:
    folder = tmp_path / "specs" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_service.yaml").write_text(service, encoding="utf-8")
    for name, text in files.items():
        if isinstance(text, bytes):
            (folder / name).write_bytes(text)
        else:
            (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path / "specs"


def cli(root: Path, *argv: str, **env: str):
    return run(list(argv), env={"CLISHAPE_SPEC_PATH": str(root), **env})


def one_error_line(result) -> str:
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return result.stderr


# -- a good spec ---------------------------------------------------------------------------------


def test_a_good_spec_with_a_recursive_shape_loads(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    result = cli(root, "demo", "put-thing", "--name", "a", "--cli-dry-run")
    assert result.exit_code == 0, result.stderr
    assert '"Name": "a"' in result.stdout


# -- broken specs: 253, file, line and key, every problem ----------------------------------------


BROKEN = {
    "not-utf8": (b"clishape: 1\ncommand: c\noperation: C\ndocumentation: caf\xe9\n"),
    "not-yaml": "clishape: [1\n",
    "not-a-mapping": "- a list\n",
    "empty": "",
    "wrong-types": """\
        clishape: 1
        command: c
        operation: 5
        errors: oops
        input: {type: structure, members: {A: {type: integer, min: x}, B: 3}}
        """,
    "unknown-shape": "clishape: 1\ncommand: c\noperation: C\ninput: Missing\n",
    "key-typo": """\
        clishape: 1
        command: c
        operation: C
        input:
          type: structure
          members:
            Id: {shape: Name, locationNam: id}
        """,
    "twice": "clishape: 1\ncommand: c\ncommand: c\noperation: C\n",
    "number-too-long": "clishape: 1\ncommand: c\noperation: C\ninput: {type: structure, "
    "members: {A: {type: string, min: " + "9" * 5000 + "}}}\n",
    "not-finite": "clishape: 1\ncommand: c\noperation: C\ninput: {type: structure, "
    "members: {A: {type: integer, min: .nan, max: .inf}}}\n",
    "python-tag": "clishape: 1\ncommand: c\noperation: !!python/object:os.system C\n",
    "inline-too-deep": "clishape: 1\ncommand: c\noperation: C\ninput: "
    + "{type: structure, members: {A: " * 200
    + "{type: string}"
    + "}}" * 200
    + "\n",
    "references-too-deep": "clishape: 1\ncommand: c\noperation: C\ninput: S0\nshapes:\n"
    + "".join(
        f"  S{i}: {{type: structure, members: {{A: {{shape: S{i + 1}}}}}}}\n" for i in range(3000)
    )
    + "  S3000: {type: string}\n",
    "yaml-nested-deep": "clishape: 1\ncommand: c\noperation: C\ndocumentation: "
    + "[" * 20000
    + "]" * 20000
    + "\n",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_command_file_exits_253_naming_file_and_key(tmp_path, case, snapshot):
    root = make_root(tmp_path, {"c.yaml": BROKEN[case]})
    result = cli(root, "demo", "c", "--cli-dry-run")
    assert result.exit_code == 253
    text = one_error_line(result).replace(str(root), "ROOT")
    assert "ROOT/demo/c.yaml" in text
    if case == "yaml-nested-deep":  # PyYAML 6.0.4 refuses such nesting itself; older ones parse it
        assert text.startswith("clishape: error: ROOT/demo/c.yaml:4:")
        return
    assert text[:2000] == snapshot


def test_many_problems_are_capped_at_twenty(tmp_path):
    members = "".join(f"    M{i}: {{type: strin}}\n" for i in range(30))
    text = (
        f"clishape: 1\ncommand: c\noperation: C\ninput:\n  type: structure\n  members:\n{members}"
    )
    root = make_root(tmp_path, {"c.yaml": text})
    result = cli(root, "demo", "c")
    assert result.exit_code == 253
    lines = result.stderr.splitlines()
    assert lines[0] == "clishape: error: broken spec (30 problems):"
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "  ... and 10 more"
    assert "(did you mean string?)" in lines[1]


def test_a_broken_service_file_stops_its_commands_and_its_help(tmp_path):
    service = SERVICE.replace("Name: {type: string}", "Name: {type: strng}")
    root = make_root(tmp_path, {"put-thing.yaml": GOOD}, service=service)
    for argv in (["demo", "put-thing", "--name", "a"], ["demo", "help"]):
        result = cli(root, *argv)
        assert result.exit_code == 253
        assert result.stderr.replace(str(root), "ROOT") == (
            "clishape: error: ROOT/demo/_service.yaml:5:10: shapes.Name.type: 'strng' is not one "
            "of: structure, list, map, string, integer, long, float, double, boolean, timestamp, "
            "blob, document (did you mean string?)\n"
        )


def test_a_service_file_that_is_not_utf8(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    (root / "demo" / "_service.yaml").write_bytes(SERVICE.encode() + b"documentation: \xff\n")
    result = cli(root, "demo", "put-thing", "--name", "a")
    assert result.exit_code == 253
    assert "_service.yaml:12:16: not UTF-8 (byte 0xff)" in one_error_line(result)


def test_a_broken_command_does_not_stop_the_others(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD, "c.yaml": BROKEN["not-yaml"]})
    assert cli(root, "demo", "put-thing", "--name", "a", "--cli-dry-run").exit_code == 0


# -- a spec can never shadow an option ---------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ("Query: {shape: Name}", "option --query collides with the global option --query"),
        ("Output: {shape: Name}", "option --output collides with the global option --output"),
        (
            "Paginate: {type: boolean}",
            "option --no-paginate collides with the global option --no-paginate",
        ),
        (
            "X: {shape: Name, cli_aliases: [cli-input-json]}",
            "option --cli-input-json collides with the global option --cli-input-json",
        ),
        (
            "X: {shape: Name, cli_name: y}\n    Y: {shape: Name}",
            "option --y is also an option of member 'X'",
        ),
        (
            "Force: {type: boolean}\n    NoForce: {shape: Name}",
            "option --no-force is also an option of member 'Force'",
        ),
        ("Help: {shape: Name}", "option --help collides with the global option --help"),
    ],
)
def test_a_colliding_option_is_refused_when_the_spec_loads(tmp_path, members, message):
    text = f"clishape: 1\ncommand: c\noperation: C\ninput:\n  type: structure\n  members:\n    {members}\n"
    root = make_root(tmp_path, {"c.yaml": text})
    result = cli(root, "demo", "c", "--cli-dry-run")
    assert result.exit_code == 253
    assert message in one_error_line(result)
    assert "ROOT/demo/c.yaml:" in result.stderr.replace(str(root), "ROOT")


def test_a_pagination_option_collides_only_on_a_paginated_command(tmp_path):
    text = (
        "clishape: 1\ncommand: c\noperation: C\ninput: {type: structure, members: "
        "{MaxItems: {type: integer}}}\n"
    )
    paged = text + "pagination: {input_token: T, output_token: T}\n"
    root = make_root(
        tmp_path, {"c.yaml": text, "p.yaml": paged.replace("command: c", "command: p")}
    )
    assert cli(root, "demo", "c", "--max-items", "3", "--cli-dry-run").exit_code == 0
    result = cli(root, "demo", "p", "--cli-dry-run")
    assert result.exit_code == 253
    assert "collides with the pagination option --max-items" in result.stderr


def test_a_renamed_member_keeps_working(tmp_path):
    text = (
        "clishape: 1\ncommand: c\noperation: C\ninput: {type: structure, members: "
        "{Query: {shape: Name, cli_name: thing-query}}}\n"
    )
    root = make_root(tmp_path, {"c.yaml": text})
    result = cli(root, "demo", "c", "--thing-query", "x", "--cli-dry-run")
    assert result.exit_code == 0, result.stderr
    assert '"Query": "x"' in result.stdout


# -- the spec path -----------------------------------------------------------------------------


def test_spec_roots_read_only_the_environment_given():
    assert spec_roots() == [SHIPPED_SPECS]
    assert spec_roots({"CLISHAPE_SPEC_PATH": ""}) == [SHIPPED_SPECS]


def test_a_missing_spec_path_entry_is_no_error(tmp_path):
    roots = spec_roots({"CLISHAPE_SPEC_PATH": os.pathsep.join([str(tmp_path / "none"), ""])})
    assert roots == [tmp_path / "none", SHIPPED_SPECS]
    result = run(["voice-id", "help"], env={"CLISHAPE_SPEC_PATH": str(tmp_path / "none")})
    assert result.exit_code == 0


def _loop(tmp_path: Path) -> str:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    return str(tmp_path / "a")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (lambda tmp: "x" * 100_000, "... (100000 characters)': File name too long"),
        (lambda tmp: str(SHIPPED_SPECS / "voice-id" / "_service.yaml"), "not a folder"),
        (_loop, "Too many levels of symbolic links"),
    ],
    ids=["long", "file", "loop"],
)
def test_a_bad_spec_path_entry_exits_253(tmp_path, entry, message):
    value = entry(tmp_path)
    with pytest.raises(ConfigError) as info:
        spec_roots({"CLISHAPE_SPEC_PATH": value})
    assert message in str(info.value) and len(str(info.value)) < 200
    result = run(["voice-id", "help"], env={"CLISHAPE_SPEC_PATH": value})
    assert result.exit_code == 253
    assert result.stderr.startswith("clishape: error: CLISHAPE_SPEC_PATH entry ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "name", ["x" * 100_000, "a\0b", "..", "../voice-id"], ids=["long", "nul", "dots", "up"]
)
def test_odd_service_and_command_names_are_unknown_choices(name):
    for argv, what in (([name, "c"], "service"), (["voice-id", name], "command")):
        result = run(argv)
        assert result.exit_code == 252
        assert result.stderr.startswith(f"clishape: error: invalid {what} ")
        assert "internal error" not in result.stderr


# -- the cache -----------------------------------------------------------------------------------


def test_cache_root_comes_only_from_the_environment_given(tmp_path):
    assert cache_root() is None
    assert cache_root({"CLISHAPE_CACHE_DIR": ""}) is None
    assert cache_root({"CLISHAPE_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "clishape"
    assert cache_root({"HOME": str(tmp_path)}) == tmp_path / ".cache" / "clishape"


def test_the_cache_folder_is_private(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    assert load_command("demo", "put-thing", [root], cache_dir=cache_dir) is not None
    for folder in (cache_dir, cache_dir / "specs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (entry,) = (cache_dir / "specs").glob("*.json")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_an_existing_folder_of_ones_own_is_used_and_left_as_it_is(tmp_path):
    (tmp_path / "cache").mkdir()
    os.chmod(tmp_path / "cache", 0o755)
    assert cache.private_folder(tmp_path / "cache", "specs") == tmp_path / "cache" / "specs"
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "cache" / "specs").stat().st_mode) == 0o700


def test_nothing_is_created_under_a_folder_that_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp
    assert cache.private_folder(shared, "specs") is None
    assert list(shared.iterdir()) == []


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_cache_folder_others_may_write_is_not_used(tmp_path, mode):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    shared = tmp_path / "shared"
    (shared / "specs").mkdir(parents=True)
    os.chmod(shared, mode)
    assert cache.private_folder(shared, "specs") is None
    command = load_command("demo", "put-thing", [root], cache_dir=shared)
    assert command is not None  # still works, only without the cache
    assert list((shared / "specs").iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs chown")
def test_a_cache_folder_owned_by_someone_else_is_not_used(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 65534, 65534)
    assert cache.private_folder(foreign, "specs") is None


def _entry(cache_dir: Path) -> Path:
    (entry,) = (cache_dir / "specs").glob("put-thing-*.json")
    return entry


def test_an_edited_spec_is_never_served_stale_even_with_the_same_size_and_time(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    path = root / "demo" / "put-thing.yaml"
    cache_dir = tmp_path / "cache"
    first = load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    assert first.documentation == "Puts a thing."
    before = path.stat()
    path.write_text(GOOD.replace("Puts a thing.", "Puts a THING."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert load_command("demo", "put-thing", [root], cache_dir=cache_dir).documentation == (
        "Puts a THING."
    )


def test_an_edited_service_file_is_never_served_stale(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    (root / "demo" / "_service.yaml").write_text(SERVICE.replace("2020-01-01", "2021-01-01"))
    command = load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    assert command.raw["metadata"]["apiVersion"] == "2021-01-01"


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
        lambda p: p.write_bytes(b"\xff\xfe not json"),
        lambda p: p.write_text('{"key": "another key", "value": {"format": 1}}'),
        lambda p: p.write_text("[]"),
        lambda p: p.chmod(0o000) if os.getuid() != 0 else p.write_text(""),
    ],
)
def test_a_damaged_cache_entry_is_rebuilt(tmp_path, damage):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    entry = _entry(cache_dir)
    damage(entry)
    command = load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    assert command.documentation == "Puts a thing."
    entry.chmod(0o600)
    assert '"Puts a thing."' in entry.read_text()


def test_a_foreign_entry_with_another_key_is_not_served(tmp_path):
    """An entry made from other sources (here: someone's planted spec) is never used."""
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    load_command("demo", "put-thing", [root], cache_dir=cache_dir)
    entry = _entry(cache_dir)
    planted = entry.read_text().replace("Puts a thing.", "Planted.")
    planted = planted.replace('"key":"', '"key":"0', 1)
    entry.write_text(planted)
    assert load_command("demo", "put-thing", [root], cache_dir=cache_dir).documentation == (
        "Puts a thing."
    )


def test_no_cache_writes_nothing_and_leaves_no_temporary_files(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    for _ in range(2):
        load_command("demo", "put-thing", [root], cache_dir=cache_dir)
        load_service_doc("demo", [root], cache_dir=cache_dir)
    names = sorted(p.name for p in (cache_dir / "specs").iterdir())
    assert len(names) == 2 and not any(n.endswith(".tmp") for n in names)
    assert load_command("demo", "put-thing", [root]) is not None  # no cache folder at all


def test_the_service_help_sees_a_new_and_a_deprecated_command(tmp_path):
    root = make_root(tmp_path, {"put-thing.yaml": GOOD})
    cache_dir = tmp_path / "cache"
    assert load_service_doc("demo", [root], cache_dir=cache_dir)["commands"] == ["put-thing"]
    (root / "demo" / "get-thing.yaml").write_text(
        GOOD.replace("put-thing", "get-thing") + "deprecated: true\n"
    )
    info = load_service_doc("demo", [root], cache_dir=cache_dir)
    assert info["commands"] == ["get-thing", "put-thing"]
    assert info["deprecated_commands"] == ["get-thing"]


def test_testing_run_uses_a_private_cache_per_session():
    from cli_core.testing import isolated_environ

    folder = Path(isolated_environ()["CLISHAPE_CACHE_DIR"])
    assert folder == Path(isolated_environ()["CLISHAPE_CACHE_DIR"])
    assert folder.name.startswith("clishape-test-cache-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_spec_error_is_a_configuration_error():
    assert SpecError("x").exit_code == 253


def test_a_shipped_spec_copied_elsewhere_loads_from_the_cache(tmp_path):
    shutil.copytree(SHIPPED_SPECS / "voice-id", tmp_path / "voice-id")
    cache_dir = tmp_path / "cache"
    for _ in range(2):
        command = load_command(
            "voice-id", "describe-speaker-enrollment-job", [tmp_path], cache_dir=cache_dir
        )
        assert command.operation == "DescribeSpeakerEnrollmentJob"
