"""Streaming blobs as the AWS CLI has them (issue 9, points 3-5).

* A streaming input member (``s3api put-object --body``) takes the path of a file; the open file
  is what botocore sends, so a large file is never read into memory.
* A command whose output payload is a blob (``s3api get-object``, ``polly synthesize-speech``,
  ``lambda invoke``) takes a positional ``outfile``; the payload is written to it in chunks and
  the rest of the response is printed. Such commands have no ``--cli-input-json|yaml`` and no
  ``--generate-cli-skeleton``, as in the AWS CLI.

The wire tests run against moto in server mode (``tests/emulator.py``).
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import subprocess
import sys
import threading

import pytest

from cli_core.errors import CLIError
from cli_core.send.transport import PAYLOAD_CHUNK, Response, write_payload
from cli_core.testing import run

CONTENT = bytes(range(256)) * 1200  # 300 KiB of every byte value: several chunks


@pytest.fixture
def specs(aws_specs):
    """The environment of an offline run that finds the imported AWS specs."""
    return {
        "CLISHAPE_SPEC_PATH": str(aws_specs),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# -- the command line --------------------------------------------------------------------------


def test_streaming_input_missing_file_is_a_one_line_usage_error(specs, tmp_path):
    missing = tmp_path / "nope.bin"
    argv = ["s3api", "put-object", "--bucket", "b", "--key", "k", "--body", str(missing)]
    result = run(argv, env=specs)
    assert result.exit_code == 252
    line = _one_error_line(result)
    assert "--body" in line and str(missing) in line and "no such file" in line
    assert len(result.stderr.strip().splitlines()) == 1


def test_streaming_input_folder_and_file_prefix_are_refused(specs, tmp_path):
    base = ["s3api", "put-object", "--bucket", "b", "--key", "k", "--body"]
    folder = run([*base, str(tmp_path)], env=specs)
    assert folder.exit_code == 252 and "a folder" in folder.stderr
    data = tmp_path / "data.bin"
    data.write_bytes(b"x")
    prefixed = run([*base, f"fileb://{data}"], env=specs)
    assert prefixed.exit_code == 252
    assert "--body" in prefixed.stderr and "without file:// or fileb://" in prefixed.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_streaming_input_unreadable_file_names_the_parameter(specs, tmp_path):
    data = tmp_path / "secret.bin"
    data.write_bytes(b"x")
    data.chmod(0)
    result = run(
        ["s3api", "put-object", "--bucket", "b", "--key", "k", "--body", str(data)], env=specs
    )
    assert result.exit_code == 252
    assert "--body" in result.stderr and "Permission denied" in result.stderr


def test_streaming_input_path_expands_home(specs, tmp_path, monkeypatch):
    (tmp_path / "data.bin").write_bytes(b"abc")
    monkeypatch.setenv("HOME", str(tmp_path))  # expanded as file:// paths are: the process's
    env = specs
    argv = ["s3api", "put-object", "--bucket", "b", "--key", "k", "--body", "~/data.bin"]
    result = run([*argv, "--cli-dry-run"], env=env)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)["params"]["Body"]
    assert body == f"<the bytes of the file {tmp_path / 'data.bin'}>"


def test_outfile_is_required_and_takes_one_token(specs, tmp_path):
    base = ["s3api", "get-object", "--bucket", "b", "--key", "k"]
    missing = run(base, env=specs)
    assert missing.exit_code == 252
    assert missing.stderr == (
        "clishape: error: the following arguments are required: outfile\n"
        "usage: clishape s3api get-object [options] <outfile> "
        "(see: clishape s3api get-object help)\n"
    )
    both = run(["s3api", "get-object"], env=specs)
    assert "required: --bucket, --key, outfile" in both.stderr
    extra = run([*base, "one.bin", "two.bin"], env=specs)
    assert extra.exit_code == 252 and "Unknown options: two.bin" in extra.stderr


@pytest.mark.parametrize(
    "option", [["--generate-cli-skeleton"], ["--cli-input-json", "{}"], ["--cli-input-yaml", "{}"]]
)
def test_outfile_commands_have_no_input_documents_or_skeletons(specs, tmp_path, option):
    argv = ["s3api", "get-object", "--bucket", "b", "--key", "k", str(tmp_path / "o"), *option]
    result = run(argv, env=specs)
    assert result.exit_code == 252
    assert f"Unknown options: {option[0]}" in result.stderr
    assert not (tmp_path / "o").exists()


def test_outfile_may_stand_among_the_options(specs, tmp_path):
    out = tmp_path / "o.bin"
    argv = ["s3api", "get-object", "--bucket", "b", str(out), "--key", "k", "--cli-dry-run"]
    result = run(argv, env=specs)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["params"] == {"Bucket": "b", "Key": "k"}


def test_help_shows_outfile_where_the_output_payload_is_a_blob(specs):
    for service, command in (
        ("s3api", "get-object"),
        ("lambda", "invoke"),
        ("polly", "synthesize-speech"),
    ):
        page = run([service, command, "help"], env=specs).stdout
        synopsis = page.split("SYNOPSIS", 1)[1].split("OPTIONS", 1)[0]
        assert "<outfile>" in synopsis, command
        assert "--cli-input-json" not in synopsis and "--generate-cli-skeleton" not in synopsis
        assert "outfile (string) [required]" in page
    put = run(["s3api", "put-object", "help"], env=specs).stdout
    assert "<outfile>" not in put and "--generate-cli-skeleton" in put
    assert "--body (streaming blob)" in put
    assert "give the path of a file, without file:// or fileb://" in put


def test_get_object_help_word_is_not_an_outfile(specs):
    result = run(["s3api", "get-object", "help"], env=specs)
    assert result.exit_code == 0 and result.stdout.startswith("NAME")


def test_skeleton_keeps_a_streaming_placeholder(specs, tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"abc")
    argv = ["s3api", "put-object", "--bucket", "bb", "--body", str(data), "--generate-cli-skeleton"]
    result = run(argv, env=specs)
    assert result.exit_code == 0, result.stderr
    skeleton = json.loads(result.stdout)
    assert skeleton["Body"] == "" and skeleton["Bucket"] == "bb"


# -- the send stage: chunks ----------------------------------------------------------------------


class _Body:
    """A response stream that records how much each read asked for."""

    def __init__(self, data: bytes):
        self.stream = io.BytesIO(data)
        self.asked: list[int] = []
        self.closed = False

    def read(self, size=-1):
        self.asked.append(size)
        return self.stream.read(size)

    def close(self):
        self.closed = True


def _response(page: dict) -> Response:
    response = Response("GetObject", False, iter([page]))
    response._next_page()
    return response


def test_write_payload_streams_in_chunks_and_drops_the_member(tmp_path):
    data = os.urandom(PAYLOAD_CHUNK * 3 + 5)
    body = _Body(data)
    response = _response({"Body": body, "ContentLength": len(data)})
    write_payload(response, "Body", str(tmp_path / "out.bin"))
    assert (tmp_path / "out.bin").read_bytes() == data
    assert body.asked and all(0 < size <= PAYLOAD_CHUNK for size in body.asked)
    assert body.closed
    assert response.result() == {"ContentLength": len(data)}


def test_write_payload_of_plain_bytes(tmp_path):
    response = _response({"Payload": b'{"ok": true}', "StatusCode": 200})
    write_payload(response, "Payload", str(tmp_path / "out.json"))
    assert (tmp_path / "out.json").read_bytes() == b'{"ok": true}'
    assert response.result() == {"StatusCode": 200}


def test_write_payload_of_an_event_stream_writes_each_events_blob(tmp_path):
    events = [
        {"Records": {"Payload": b"one\n"}},
        {"Stats": {"Details": {"BytesScanned": 10}}},
        {"Records": {"Payload": b"two\n"}},
        {"End": {}},
    ]
    response = _response({"Payload": iter(events)})
    write_payload(response, "Payload", str(tmp_path / "records"))
    assert (tmp_path / "records").read_bytes() == b"one\ntwo\n"
    assert response.result() == {}


def test_write_payload_to_a_folder_is_an_error_naming_the_file(tmp_path):
    body = _Body(b"abc")
    response = _response({"Body": body})
    with pytest.raises(CLIError) as caught:
        write_payload(response, "Body", str(tmp_path))
    assert caught.value.exit_code == 255
    assert str(caught.value) == (f"cannot write the output file '{tmp_path}': Is a directory")
    assert body.closed


# -- against the emulator ------------------------------------------------------------------------


def test_s3_object_round_trip_through_files(moto, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(CONTENT)
    target = tmp_path / "target.bin"

    created = moto.run("s3api", "create-bucket", "--bucket", "stream-bucket")
    assert created.exit_code == 0, created.stderr

    put = moto.run(
        "s3api",
        "put-object",
        "--bucket",
        "stream-bucket",
        "--key",
        "data.bin",
        "--body",
        str(source),
    )
    assert put.exit_code == 0, put.stderr
    assert "ETag" in json.loads(put.stdout)

    head = moto.run("s3api", "head-object", "--bucket", "stream-bucket", "--key", "data.bin")
    assert head.exit_code == 0, head.stderr
    assert json.loads(head.stdout)["ContentLength"] == len(CONTENT)

    got = moto.run(
        "s3api", "get-object", "--bucket", "stream-bucket", "--key", "data.bin", str(target)
    )
    assert got.exit_code == 0, got.stderr
    assert target.read_bytes() == CONTENT
    printed = json.loads(got.stdout)
    assert "Body" not in printed
    assert printed["ContentLength"] == len(CONTENT)

    text = moto.run(
        "s3api",
        "get-object",
        "--bucket",
        "stream-bucket",
        "--key",
        "data.bin",
        str(target),
        "--output",
        "text",
        "--query",
        "ContentLength",
    )
    assert text.exit_code == 0 and text.stdout == f"{len(CONTENT)}\n"

    deleted = moto.run("s3api", "delete-object", "--bucket", "stream-bucket", "--key", "data.bin")
    assert deleted.exit_code == 0, deleted.stderr

    gone = tmp_path / "gone.bin"
    missing = moto.run(
        "s3api", "get-object", "--bucket", "stream-bucket", "--key", "data.bin", str(gone)
    )
    assert missing.exit_code == 254 and "NoSuchKey" in missing.stderr
    assert not gone.exists()  # an error answer creates no file


def test_put_object_hands_botocore_the_open_file(moto, tmp_path, monkeypatch):
    from botocore.client import BaseClient

    source = tmp_path / "source.bin"
    source.write_bytes(CONTENT)
    seen = []
    original = BaseClient._make_api_call

    def spy(self, operation_name, api_params):
        seen.append(api_params.get("Body"))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    assert moto.run("s3api", "create-bucket", "--bucket", "spy").exit_code == 0
    put = moto.run("s3api", "put-object", "--bucket", "spy", "--key", "k", "--body", str(source))
    assert put.exit_code == 0, put.stderr
    body = seen[-1]
    assert isinstance(body, io.BufferedReader) and body.name == str(source)
    assert body.closed  # closed once the call is done


def test_input_document_body_is_base64_as_in_the_aws_cli(moto, tmp_path):
    assert moto.run("s3api", "create-bucket", "--bucket", "doc").exit_code == 0
    document = {"Bucket": "doc", "Key": "k", "Body": base64.b64encode(b"from a document").decode()}
    put = moto.run("s3api", "put-object", "--cli-input-json", json.dumps(document))
    assert put.exit_code == 0, put.stderr
    out = tmp_path / "out.bin"
    assert moto.run("s3api", "get-object", "--bucket", "doc", "--key", "k", str(out)).exit_code == 0
    assert out.read_bytes() == b"from a document"


def test_outfile_dash_is_a_file_named_dash(moto, tmp_path, monkeypatch):
    source = tmp_path / "source.bin"
    source.write_bytes(b"dash")
    assert moto.run("s3api", "create-bucket", "--bucket", "dash").exit_code == 0
    argv = ["s3api", "put-object", "--bucket", "dash", "--key", "k", "--body", str(source)]
    assert moto.run(*argv).exit_code == 0
    monkeypatch.chdir(tmp_path)
    got = moto.run("s3api", "get-object", "--bucket", "dash", "--key", "k", "-")
    assert got.exit_code == 0, got.stderr
    assert (tmp_path / "-").read_bytes() == b"dash"
    assert json.loads(got.stdout)["ContentLength"] == 4


def test_outfile_that_cannot_be_written_is_one_line_255(moto, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(b"abc")
    assert moto.run("s3api", "create-bucket", "--bucket", "nowrite").exit_code == 0
    argv = ["s3api", "put-object", "--bucket", "nowrite", "--key", "k", "--body", str(source)]
    assert moto.run(*argv).exit_code == 0
    target = tmp_path / "no-such-folder" / "out.bin"
    got = moto.run("s3api", "get-object", "--bucket", "nowrite", "--key", "k", str(target))
    assert got.exit_code == 255
    assert got.stderr == (
        f"clishape: error: cannot write the output file '{target}': No such file or directory\n"
    )


def test_s3_select_writes_the_records_to_outfile(moto, tmp_path):
    source = tmp_path / "people.csv"
    source.write_bytes(b"name,age\nann,30\nbob,40\n")
    assert moto.run("s3api", "create-bucket", "--bucket", "select").exit_code == 0
    argv = ["s3api", "put-object", "--bucket", "select", "--key", "p.csv", "--body", str(source)]
    assert moto.run(*argv).exit_code == 0
    out = tmp_path / "records.json"
    result = moto.run(
        "s3api", "select-object-content", "--bucket", "select", "--key", "p.csv",
        "--expression", "SELECT * FROM S3Object s", "--expression-type", "SQL",
        "--input-serialization", '{"CSV": {"FileHeaderInfo": "USE"}}',
        "--output-serialization", '{"JSON": {}}', str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the records are the whole answer, as in the AWS CLI
    lines = out.read_text().splitlines()
    assert [json.loads(line) for line in lines[:2]] == [
        {"name": "ann", "age": "30"},
        {"name": "bob", "age": "40"},
    ]


def test_polly_synthesize_speech_writes_the_audio(moto, tmp_path):
    out = tmp_path / "speech.mp3"
    result = moto.run(
        "polly",
        "synthesize-speech",
        "--output-format",
        "mp3",
        "--text",
        "hello",
        "--voice-id",
        "Joanna",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"ContentType": "audio/mpeg"}
    assert out.exists() and out.stat().st_size > 0


def test_lambda_invoke_error_writes_no_outfile(moto, tmp_path):
    out = tmp_path / "response.json"
    result = moto.run("lambda", "invoke", "--function-name", "missing", str(out))
    assert result.exit_code == 254
    assert "ResourceNotFoundException" in result.stderr
    assert not out.exists()


# -- a large file is not read into memory --------------------------------------------------------


class _Discard(http.server.BaseHTTPRequestHandler):
    """Reads each request's body in small pieces and throws it away; answers like S3."""

    protocol_version = "HTTP/1.1"
    received: list[int] = []

    def do_PUT(self):  # noqa: N802 - http.server's name
        left = int(self.headers.get("Content-Length") or 0)
        total = 0
        while left:
            piece = self.rfile.read(min(left, 1 << 20))
            if not piece:
                break
            left -= len(piece)
            total += len(piece)
        type(self).received.append(total)
        self.send_response(200)
        self.send_header("ETag", '"discarded"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# The run's own peak: VmHWM belongs to the program's memory since exec (getrusage's ru_maxrss
# would also count the pytest process it was forked from).
PEAK_PROBE = """\
import sys
from clishape_commands.app import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = [line.split()[1] for line in status if line.startswith("VmHWM:")][0]
sys.stderr.write("PEAK_KIB %s\\n" % peak)
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads Linux's VmHWM")
def test_a_1_gib_file_is_sent_without_reading_it_into_memory(aws_specs, tmp_path):
    size = 1 << 30
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:  # sparse: takes no disk space
        fh.truncate(size)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Discard)
    _Discard.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            **os.environ,
            "CLISHAPE_SPEC_PATH": str(aws_specs),
            "CLISHAPE_CACHE_DIR": str(tmp_path / "cache"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",  # no CRC pass over 1 GiB
        }
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        argv = [
            "--endpoint-url",
            endpoint,
            "--no-sign-request",
            "s3api",
            "put-object",
            "--bucket",
            "big",
            "--key",
            "big.bin",
            "--body",
            str(big),
        ]
        done = subprocess.run(
            [sys.executable, "-c", PEAK_PROBE, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert _Discard.received == [size]
    peak_mib = int(done.stderr.split("PEAK_KIB ")[1].split()[0]) // 1024
    print(f"peak memory sending a 1 GiB body: {peak_mib} MiB")
    assert peak_mib < 300, f"peak memory {peak_mib} MiB for a 1 GiB body"
