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
# Standard-library modules the hot paths do without: dataclasses (it imports inspect, with ast,
# dis and tokenize: about 6 ms; cli_core.frozen stands in), configparser (imported only when a
# config file exists: the probes have none), uuid (it imports platform; only an idempotency
# token needs it), difflib (only a "maybe you meant" needs it) and datetime (only skeletons
# and requests have timestamps).
SLOW_STDLIB = ("dataclasses", "inspect", "ast", "dis", "tokenize", "configparser", "uuid",
               "platform", "difflib", "datetime")  # fmt: skip
SEED = ["voice-id", "describe-speaker-enrollment-job"]

PROBE = """
import io, json, sys
from cli_core.driver import IO, main
out, err = io.StringIO(), io.StringIO()
code = main(json.loads(sys.argv[1]), IO(stdin=io.StringIO(), stdout=out, stderr=err,
            environ=dict(__import__("os").environ)))
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
slow = sorted(set(sys.modules) & set(json.loads(sys.argv[3])))
print(json.dumps({"code": code, "heavy": heavy, "slow": slow, "stderr": err.getvalue()}))
"""


def run_probe(code: str, args: list, env: dict) -> dict:
    """Run ``code`` in a fresh interpreter with ``args`` (each as JSON); its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-c", code, *map(json.dumps, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def probe(argv: list[str], env: dict) -> dict:
    return run_probe(PROBE, [argv, HEAVY, SLOW_STDLIB], env)


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
    "dry run": [*SEED, "--domain-id", "d" * 22, "--job-id", "j" * 22, "--cli-dry-run"],
}


# What a hot path may import of SLOW_STDLIB: datetime where a skeleton or a request is made,
# difflib for the unknown option's "maybe you meant".
SLOW_ALLOWED = {
    "skeleton input": {"datetime"},
    "skeleton yaml-input": {"datetime"},
    "validation error": {"datetime"},
    "dry run": {"datetime"},
    "bad value": {"difflib"},
}


@pytest.mark.parametrize("name", sorted(HOT_PATHS))
def test_hot_paths_import_nothing_heavy(name, env):
    probe(HOT_PATHS[name], env)  # first run compiles the spec into the cache (YAML allowed)
    result = probe(HOT_PATHS[name], env)
    assert "Traceback" not in result["stderr"]
    assert result["heavy"] == [], f"{name} imported {result['heavy']}"
    slow = set(result["slow"]) - SLOW_ALLOWED.get(name, set())
    assert not slow, f"{name} imported {sorted(slow)}"


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


# -- a real call -------------------------------------------------------------------------------

# Beyond the standard library and what `python -c pass` already has, a real call runs these
# packages, and of botocore these modules: serializer, signer, credential chain, endpoint
# resolution, retries, HTTP session and parser, and what botocore.session/client import around
# them. botocore's docstring generators, the waiter module, JMESPath and the AWS Common Runtime's
# native library are deferred (cli_core/send/deferred.py) until something uses them. A new
# entry here is a decision: say in the commit what needs it.
REAL_CALL_PACKAGES = {
    "awscrt", "botocore", "certifi", "cli_core", "clishape_commands", "dateutil", "six", "urllib3",
}  # fmt: skip
REAL_CALL_BOTOCORE = {
    "args", "auth", "awsrequest", "client", "compat", "compress", "config", "configloader",
    "configprovider", "context", "credentials", "crt", "crt.auth", "discovery",
    "docs.bcdoc", "docs.docstring", "docs.utils",  # two small modules, no docs generated
    "endpoint", "endpoint_provider", "errorfactory", "eventstream", "exceptions", "handlers",
    "history", "hooks", "httpchecksum", "httpsession", "loaders", "model", "monitoring",
    "paginate", "parsers", "plugin", "regions", "response", "retries", "retries.adaptive",
    "retries.base", "retries.bucket", "retries.quota", "retries.special", "retries.standard",
    "retries.throttling", "retryhandler", "serialize", "service_module_names",  # botocore 1.44
    "session", "signers", "tokens",
    "translate", "useragent", "utils", "validate", "vendored", "vendored.requests",
    "vendored.requests.exceptions", "vendored.requests.packages",
    "vendored.requests.packages.urllib3", "vendored.requests.packages.urllib3.exceptions",
    "vendored.six",
}  # fmt: skip
NEVER_RUN_BY_A_CALL = {
    "_awscrt", "awscrt.auth", "awscrt.http", "awscrt.io", "botocore.crt.auth",
    "jmespath", "botocore.waiter", "botocore.docs", "botocore.docs.method",
    "botocore.docs.paginator", "botocore.docs.waiter", "botocore.docs.bcdoc.restdoc",
    "botocore.docs.service", "botocore.docs.client",
}  # fmt: skip

CALL_PROBE = """
import io, json, sys
before = set(sys.modules)
from cli_core.driver import IO, main
out, err = io.StringIO(), io.StringIO()
code = main(json.loads(sys.argv[1]), IO(stdin=io.StringIO(), stdout=out, stderr=err,
            environ=dict(__import__("os").environ)))
from cli_core.send.deferred import pending
waiting = set(pending())
ran = sorted(m for m, v in sys.modules.items() if v is not None and m not in before | waiting)
print(json.dumps({"code": code, "ran": ran, "waiting": sorted(waiting), "stdout": out.getvalue(),
                  "stderr": err.getvalue()}))
"""


@pytest.fixture
def json_endpoint():
    """A loopback HTTP server answering every request with one JSON 1.0 document."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"Job": {"JobId": "job-1", "JobStatus": "COMPLETED"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def call_probe(argv: list[str], env: dict) -> dict:
    return run_probe(CALL_PROBE, [argv], env)


@pytest.mark.parametrize("extra", [[], ["--no-sign-request"], ["--debug"]])
def test_a_real_call_runs_only_what_sending_needs(extra, env, json_endpoint):
    env = {
        **env,
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    argv = ["--endpoint-url", json_endpoint, *extra, *SEED, "--domain-id", "d" * 22,
            "--job-id", "j" * 22]  # fmt: skip
    call_probe(argv, env)  # the first run compiles the spec into the cache (YAML allowed)
    result = call_probe(argv, env)
    assert result["code"] == 0, result["stderr"]
    assert json.loads(result["stdout"])["Job"]["JobId"] == "job-1"
    ran = set(result["ran"])
    packages = {name.split(".")[0] for name in ran} - set(sys.stdlib_module_names)
    assert packages <= REAL_CALL_PACKAGES, sorted(packages - REAL_CALL_PACKAGES)
    botocore = {name.partition(".")[2] for name in ran if name.startswith("botocore.")}
    assert botocore <= REAL_CALL_BOTOCORE, sorted(botocore - REAL_CALL_BOTOCORE)
    assert not ran & NEVER_RUN_BY_A_CALL, sorted(ran & NEVER_RUN_BY_A_CALL)
    assert {"jmespath", "botocore.waiter", "botocore.docs", "awscrt.auth", "awscrt.crypto",
            "botocore.crt.auth", "dateutil.parser", "importlib.metadata", "subprocess",
            "getpass", "configparser", "botocore.retries.adaptive", "botocore.monitoring"} <= set(
                result["waiting"])  # fmt: skip


DEFERRED_PROBE = """
import json, sys
from cli_core.send.deferred import defer_unused_imports, pending
defer_unused_imports()
import botocore.session
session = botocore.session.get_session()
client = session.create_client("s3", region_name="us-east-1", aws_access_key_id="a",
                               aws_secret_access_key="b")
before = pending()
doc = str(client.list_buckets.__doc__)  # the docs generators run now
from awscrt import checksums
crc = checksums.crc64nvme(b"clishape")  # the native library loads now
import jmespath
version = jmespath.__version__  # a name like any other: the module runs for it
found = jmespath.search("a.b", {"a": {"b": 7}})
waiter = client.get_waiter("bucket_exists")  # the waiter module runs now
from botocore.credentials import parse  # from dateutil.parser: a forwarder until called
when = parse("2026-11-30T12:00:00Z").isoformat()
from botocore.compat import EC  # from awscrt.crypto: a forwarder until an attribute is read
ec_der = callable(EC.new_key_from_der_data) if EC is not None else None
from urllib3.http2 import version as distribution_version  # from importlib.metadata
urllib3_version = distribution_version("urllib3")
from botocore.credentials import ProcessProvider  # its default popen: subprocess.Popen
import shlex
code = 'import json; print(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s"}))'
command = f"{sys.executable} -c {shlex.quote(code)}"
profiles = {"profiles": {"p": {"credential_process": command}}}
process_key = ProcessProvider("p", load_config=lambda: profiles).load().access_key
import os, tempfile
config = tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False)
config.write("[profile cfg]" + chr(10) + "region = eu-west-3" + chr(10))
config.close()
os.environ["AWS_CONFIG_FILE"] = config.name  # configparser runs to read it
region = botocore.session.Session(profile="cfg").get_config_variable("region")
from botocore.config import Config
adaptive = session.create_client("s3", region_name="us-east-1", aws_access_key_id="a",
    aws_secret_access_key="b", config=Config(retries={"mode": "adaptive"}))
from botocore.retries import adaptive as adaptive_module
monitored = botocore.session.Session()
monitored.set_config_variable("csm_enabled", True)  # client-side monitoring: botocore.monitoring
monitored.create_client("s3", region_name="us-east-1", aws_access_key_id="a",
                        aws_secret_access_key="b")
limiter = type(adaptive_module.ClientRateLimiter).__name__
from botocore.auth import AUTH_TYPE_MAPS  # the CRT's SigV4a signer: runs botocore.crt.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
signed = AWSRequest(method="GET", url="https://example.amazonaws.com/", headers={})
AUTH_TYPE_MAPS["v4a"](Credentials("AKIDV4A", "secret"), "s3", "*").add_auth(signed)
sigv4a = signed.headers["Authorization"].split()[0]
print(json.dumps({"before": before, "after": pending(), "doc": doc[:2000], "crc": crc,
                  "found": found, "version": version, "waiter": type(waiter).__name__,
                  "when": when, "ec": ec_der, "urllib3": urllib3_version,
                  "process_key": process_key, "region": region, "limiter": limiter,
                  "sigv4a": sigv4a}))
"""


def test_deferred_modules_load_when_used(env):
    """Deferring changes when a module runs, never what it does: each works on first use."""
    done = subprocess.run(
        [sys.executable, "-c", DEFERRED_PROBE], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    used = {"_awscrt", "botocore.docs.method", "botocore.docs.bcdoc.restdoc", "botocore.waiter",
            "jmespath", "dateutil.parser", "awscrt.crypto", "importlib.metadata",
            "subprocess", "configparser", "botocore.retries.adaptive", "botocore.crt.auth",
            "awscrt.auth", "botocore.monitoring"}  # fmt: skip
    # (the CRT's native library is not even imported until a checksum or SigV4a asks for it)
    assert used - {"botocore.docs.bcdoc.restdoc", "_awscrt"} <= set(result["before"])
    assert not used & set(result["after"])  # the docs of paginators and waiters: not asked for
    assert "ListBuckets" in result["doc"] or "list_buckets" in result["doc"]
    from awscrt import checksums  # the same checksum, computed without any deferring

    assert result["crc"] == checksums.crc64nvme(b"clishape")
    assert result["found"] == 7
    assert result["version"] == __import__("jmespath").__version__
    assert result["waiter"] == "S3.Waiter.BucketExists"
    assert result["when"] == "2026-11-30T12:00:00+00:00"
    assert result["ec"] is True
    assert result["process_key"] == "AKIDPROC"
    assert result["region"] == "eu-west-3"
    assert result["limiter"] == "type"
    assert result["sigv4a"] == "AWS4-ECDSA-P256-SHA256"
    assert result["urllib3"] == __import__("importlib.metadata").metadata.version("urllib3")


def test_the_crt_signers_keys_are_known_without_running_their_module():
    """The stand-in for botocore's table of CRT signers answers with the keys botocore keeps
    apart for that purpose; they must be the table's own (checked here on each botocore)."""
    import botocore.auth  # first: botocore.crt.auth imported alone would be a circle
    import botocore.crt
    import botocore.crt.auth

    assert set(botocore.crt.CRT_SUPPORTED_AUTH_TYPES) == set(botocore.crt.auth.CRT_AUTH_TYPE_MAPS)
