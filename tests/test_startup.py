"""The hot path stays light: what help, usage errors, skeletons and validation import and read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("botocore", "jsonschema", "jmespath", "yaml", "urllib3", "pygments", "prompt_toolkit")
SEED = ["voice-id", "describe-speaker-enrollment-job"]

PROBE = """
import io, json, sys
from cli_core.driver import IO, main
out, err = io.StringIO(), io.StringIO()
code = main(json.loads(sys.argv[1]), IO(stdin=io.StringIO(), stdout=out, stderr=err,
            environ=dict(__import__("os").environ)))
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"code": code, "heavy": heavy, "stderr": err.getvalue()}))
"""


def probe(argv: list[str], env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def env(tmp_path: Path) -> dict:
    import os

    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CLISHAPE_CACHE_DIR": str(tmp_path / "cache"),
        "AWS_CONFIG_FILE": os.devnull,
    }


HOT_PATHS = {
    "command help": [*SEED, "help"],
    "service help": ["voice-id", "help"],
    "top help": ["help"],
    "usage error": [*SEED, "--domain-id", "d"],
    "bad value": [*SEED, "--domain-id", "d", "--job-id", "j", "--bogus"],
    "skeleton input": [*SEED, "--generate-cli-skeleton", "input"],
    "skeleton yaml-input": [*SEED, "--generate-cli-skeleton", "yaml-input"],
    "validation error": [*SEED, "--domain-id", "short", "--job-id", "j", "--cli-dry-run"],
}


@pytest.mark.parametrize("name", sorted(HOT_PATHS))
def test_hot_paths_import_nothing_heavy(name, env):
    probe(HOT_PATHS[name], env)  # first run compiles the spec into the cache (YAML allowed)
    result = probe(HOT_PATHS[name], env)
    assert "Traceback" not in result["stderr"]
    assert result["heavy"] == [], f"{name} imported {result['heavy']}"


def test_only_the_named_spec_is_read(tmp_path, env):
    """Broken files elsewhere (another command, another service) cannot affect a run."""
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs" / "voice-id", specs / "voice-id")
    (specs / "voice-id" / "zz-broken.yaml").write_text("this: [is not: valid yaml\n")
    (specs / "other").mkdir()
    (specs / "other" / "_service.yaml").write_text(": broken\n  - yaml")
    env = {**env, "CLISHAPE_SPEC_PATH": str(specs)}
    result = probe([*SEED, "--generate-cli-skeleton", "input"], env)
    assert result["code"] == 0, result["stderr"]


def test_compiled_cache_is_refreshed_when_the_spec_changes(tmp_path, env):
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs" / "voice-id", specs / "voice-id")
    env = {**env, "CLISHAPE_SPEC_PATH": str(specs)}
    cmd = [sys.executable, "-m", "cli_core", *SEED, "help"]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "Describes the specified speaker enrollment job." in first.stdout
    seed = specs / "voice-id" / "describe-speaker-enrollment-job.yaml"
    seed.write_text(
        seed.read_text().replace(
            "documentation: Describes the specified speaker enrollment job.",
            "documentation: Describes one job, freshly edited.",
        )
    )
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "Describes one job, freshly edited." in second.stdout
