"""A plain HTTP API end to end: OAI's petstore-expanded example, imported by
``clishape-spec import-openapi`` (with a bearer-token security scheme added and the server set
to a small local one), called with every input style and every output format, and its error
answers (4xx and 5xx: exit 254, the status and the problem on one line).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cli_core.send.http import form_body, problem_message
from cli_core.testing import run
from clishape_tools.import_openapi import import_openapi

TOKEN = "petstore-token-0123456789"
DOCUMENT = Path(__file__).parent / "fixtures" / "openapi" / "petstore-expanded.yaml"


def petstore_document(endpoint: str) -> dict:
    """OAI's petstore-expanded, served at ``endpoint`` and asking for a bearer token."""
    import yaml

    doc = yaml.safe_load(DOCUMENT.read_text())
    doc["servers"] = [{"url": endpoint}]
    doc.setdefault("components", {})["securitySchemes"] = {
        "petstoreToken": {"type": "http", "scheme": "bearer"}
    }
    doc["security"] = [{"petstoreToken": []}]
    return doc


# -- the server --------------------------------------------------------------------------------


class PetStore(BaseHTTPRequestHandler):
    """The petstore under ``/api``: in-memory pets, a bearer token required, problems as
    ``application/problem+json`` (RFC 7807) and the document's own ``Error`` schema."""

    pets: dict  # set on the class made per server
    seen: list

    def log_message(self, *_args):  # keep the test output clean
        pass

    def _answer(self, status: int, data=None, content_type="application/json"):
        body = b"" if data is None else json.dumps(data).encode()
        if isinstance(data, str):
            body = data.encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _problem(self, status: int, title: str, detail: str):
        problem = {"type": "https://example.com/problems/pets", "title": title, "status": status,
                   "detail": detail}  # fmt: skip
        self._answer(status, problem, "application/problem+json")

    def _route(self, method: str):
        url = urlsplit(self.path)
        self.seen.append((method, self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._problem(401, "Unauthorized", "a valid bearer token is required")
        parts = url.path.split("/")
        if parts[:3] != ["", "api", "pets"] or len(parts) > 4:
            return self._answer(404, {"code": 404, "message": f"no such path {url.path}"})
        if len(parts) == 3:
            if method == "GET":
                query = parse_qs(url.query)
                found = [p for p in self.pets.values()
                         if not query.get("tags") or p.get("tag") in query["tags"]]  # fmt: skip
                limit = int(query.get("limit", ["100"])[0])
                return self._answer(200, found[:limit])
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                new = json.loads(self.rfile.read(length) or b"{}")
                if new.get("name") == "Flaky":
                    return self._problem(503, "Busy", "try again")
                if any(p["name"] == new.get("name") for p in self.pets.values()):
                    return self._problem(409, "Conflict", f"a pet named {new['name']} exists")
                pet = {"name": new["name"], **({"tag": new["tag"]} if "tag" in new else {})}
                pet["id"] = max(self.pets, default=0) + 1
                self.pets[pet["id"]] = pet
                return self._answer(200, pet)
        if parts[3] == "301":
            self.send_response(301)
            self.send_header("Location", "/api/pets")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        pet_id = int(parts[3])
        if method == "DELETE" and pet_id == 13:
            return self._problem(503, "Storage unavailable", "the pet database is read-only")
        if pet_id not in self.pets:
            return self._answer(404, {"code": 404, "message": f"no pet has the id {pet_id}"})
        if method == "GET":
            return self._answer(200, self.pets[pet_id])
        if method == "DELETE":
            del self.pets[pet_id]
            return self._answer(204)
        return self._answer(405, {"code": 405, "message": "method not allowed"})

    def do_GET(self):  # noqa: N802 - http.server's names
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def do_DELETE(self):  # noqa: N802
        self._route("DELETE")


@pytest.fixture
def petstore(tmp_path: Path):
    """The petstore's specs and server: (environment for ``run``, the requests the server saw)."""
    handler = type("Handler", (PetStore,), {"pets": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/api"
    document = tmp_path / "petstore.json"
    document.write_text(json.dumps(petstore_document(endpoint)))
    import_openapi(document, tmp_path / "specs", "petstore")
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path / "specs"), "PETSTORE_TOKEN": TOKEN,
           "AWS_MAX_ATTEMPTS": "1"}  # fmt: skip
    try:
        yield env, handler.seen
    finally:
        server.shutdown()
        server.server_close()


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def seed(env) -> None:
    ok(run(["petstore", "add-pet", "--name", "Rex", "--tag", "dog"], env=env))
    ok(run(["petstore", "add-pet", "--cli-input-json", '{"Name": "Tom", "Tag": "cat"}'], env=env))
    ok(run(["petstore", "add-pet", "--cli-input-yaml", "Name: Nemo"], env=env))


# -- create, get, list, delete -----------------------------------------------------------------


def test_create_get_list_delete(petstore):
    env, seen = petstore
    created = json.loads(ok(run(["petstore", "add-pet", "--name", "Rex", "--tag", "dog"], env=env)))
    assert created == {"Name": "Rex", "Tag": "dog", "Id": 1}
    assert seen[-1] == ("POST", "/api/pets", f"Bearer {TOKEN}")

    got = json.loads(ok(run(["petstore", "find-pet-by-id", "--id", "1"], env=env)))
    assert got == created
    assert seen[-1][:2] == ("GET", "/api/pets/1")

    listed = json.loads(ok(run(["petstore", "find-pets"], env=env)))
    assert listed == {"Body": [created]}

    assert ok(run(["petstore", "delete-pet", "--id", "1"], env=env)) == ""
    assert seen[-1][:2] == ("DELETE", "/api/pets/1")
    assert json.loads(ok(run(["petstore", "find-pets"], env=env))) == {"Body": []}


def test_input_documents_and_the_query_string(petstore):
    env, seen = petstore
    seed(env)
    result = run(["petstore", "find-pets", "--tags", "dog", "cat", "--limit", "5"], env=env)
    assert [p["Name"] for p in json.loads(ok(result))["Body"]] == ["Rex", "Tom"]
    assert seen[-1][1] == "/api/pets?tags=dog&tags=cat&limit=5"
    as_json = run(["petstore", "find-pets", "--tags", '["cat", "fish"]'], env=env)
    assert [p["Name"] for p in json.loads(ok(as_json))["Body"]] == ["Tom"]
    assert seen[-1][1] == "/api/pets?tags=cat&tags=fish"
    by_doc = run(["petstore", "find-pets", "--cli-input-json", '{"Tags": ["cat"], "Limit": 1}'],
                 env=env)  # fmt: skip
    assert [p["Name"] for p in json.loads(ok(by_doc))["Body"]] == ["Tom"]


def test_query_and_every_output_format(petstore, snapshot):
    env, _seen = petstore
    seed(env)
    names = ok(run(["petstore", "find-pets", "--query", "Body[?Tag].Name"], env=env))
    assert json.loads(names) == ["Rex", "Tom"]
    for output in ("json", "text", "table", "yaml", "yaml-stream"):
        result = run(["petstore", "find-pets", "--output", output], env=env)
        assert ok(result) == snapshot(name=f"find-pets {output}")
        one = run(["petstore", "find-pet-by-id", "--id", "2", "--output", output], env=env)
        assert ok(one) == snapshot(name=f"find-pet-by-id {output}")
    assert ok(run(["petstore", "find-pets", "--output", "off"], env=env)) == ""


# -- errors ------------------------------------------------------------------------------------


def test_a_4xx_answer_is_exit_254_with_status_and_message(petstore):
    env, _seen = petstore
    result = run(["petstore", "find-pet-by-id", "--id", "99"], env=env)
    assert result.exit_code == 254
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "clishape: error: An error occurred (404) when calling the FindPetById operation: "
        "Not Found: no pet has the id 99"
    )


def test_a_problem_json_answer_gives_its_title_and_detail(petstore):
    env, _seen = petstore
    seed(env)
    result = run(["petstore", "add-pet", "--name", "Rex", "--output", "json"], env=env)
    assert result.exit_code == 254
    assert (
        "(409) when calling the AddPet operation: Conflict: a pet named Rex exists"
        in (result.stderr.splitlines()[0])
    )
    doc = run(["petstore", "add-pet", "--name", "Rex", "--cli-error-format", "json"], env=env)
    assert json.loads(doc.stderr) == {
        "Code": "409",
        "Message": "Conflict: a pet named Rex exists",
    }


def test_a_5xx_answer_is_exit_254_with_status_and_problem(petstore):
    env, _seen = petstore
    result = run(["petstore", "delete-pet", "--id", "13"], env=env)
    assert result.exit_code == 254
    line = result.stderr.splitlines()[0]
    assert line.startswith("clishape: error: An error occurred (503) when calling the DeletePet")
    assert line.endswith("Service Unavailable: Storage unavailable: the pet database is read-only")


def test_without_a_token_the_server_refuses_and_the_error_says_where_to_set_one(petstore):
    env, seen = petstore
    env = {k: v for k, v in env.items() if k != "PETSTORE_TOKEN"}
    result = run(["petstore", "find-pets"], env=env)
    assert result.exit_code == 254
    assert seen[-1][2] is None  # no Authorization header at all
    assert result.stderr.splitlines()[0].endswith(
        "Unauthorized: a valid bearer token is required (no credentials were found; set "
        "PETSTORE_TOKEN or 'petstore_token' in the profile)"
    )


def test_the_token_may_come_from_the_config_profile(petstore, tmp_path: Path):
    env, seen = petstore
    config = tmp_path / "config"
    config.write_text(f"[profile pets]\npetstore_token = {TOKEN}\n")
    env = {k: v for k, v in env.items() if k != "PETSTORE_TOKEN"}
    env["AWS_CONFIG_FILE"] = str(config)
    assert json.loads(ok(run(["petstore", "find-pets", "--profile", "pets"], env=env))) == {
        "Body": []
    }
    assert seen[-1][2] == f"Bearer {TOKEN}"


def test_the_token_never_shows_in_debug_output(petstore):
    env, _seen = petstore
    result = run(["petstore", "find-pets", "--debug"], env=env)
    assert result.exit_code == 0
    assert TOKEN not in result.stderr
    assert '"Authorization": "Bearer ***"' in result.stderr


def test_a_token_a_header_cannot_carry_is_a_configuration_error(petstore):
    env, _seen = petstore
    result = run(["petstore", "find-pets"], env={**env, "PETSTORE_TOKEN": "abc\ndef"})
    assert result.exit_code == 253
    assert "PETSTORE_TOKEN" in result.stderr
    assert "abc" not in result.stderr


def test_endpoint_url_replaces_the_base_and_keeps_its_path(petstore):
    env, seen = petstore
    spec = Path(env["CLISHAPE_SPEC_PATH"]) / "petstore" / "_service.yaml"
    real = next(line.split(": ", 1)[1] for line in spec.read_text().splitlines()
                if line.strip().startswith("endpoint:"))  # fmt: skip
    spec.write_text(spec.read_text().replace(real, "http://127.0.0.1:9/elsewhere"))
    result = run(["petstore", "find-pets", "--endpoint-url", real], env=env)
    assert json.loads(ok(result)) == {"Body": []}
    assert seen[-1][1] == "/api/pets"


# -- the small parts -----------------------------------------------------------------------------


def test_form_bodies_encode_nested_members_as_brackets():
    body = json.dumps({"amount": 5, "live": True, "expand": ["a", "b"],
                       "meta": {"k": "v w"}, "items": [{"price": "p1"}], "none": None})  # fmt: skip
    assert form_body(body.encode()) == (
        "amount=5&live=true&expand=a&expand=b&meta%5Bk%5D=v+w&items%5B0%5D%5Bprice%5D=p1"
    )
    assert form_body(b"") == ""


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, b"", "Not Found"),
        (400, b'{"error": {"message": "bad limit"}}', "Bad Request: bad limit"),
        (422, b'{"title": "Invalid pet", "detail": "name is empty"}',
         "Unprocessable Entity: Invalid pet: name is empty"),
        (500, b"<html><body>oops</body></html>", "Internal Server Error"),
        (502, b"upstream\ntimed out", "Bad Gateway: upstream timed out"),
        (599, b"", "HTTP status 599"),
    ],
)  # fmt: skip
def test_problem_message(status, body, expected):
    assert problem_message(status, {}, body) == expected


def test_a_post_is_not_retried_unless_asked(petstore):
    env, seen = petstore
    env = {k: v for k, v in env.items() if k != "AWS_MAX_ATTEMPTS"}  # botocore's default: 5
    result = run(["petstore", "add-pet", "--name", "Flaky"], env=env)
    assert result.exit_code == 254
    line = result.stderr.splitlines()[0]
    assert "(503) when calling the AddPet operation" in line
    assert line.endswith("Service Unavailable: Busy: try again")
    assert [s[0] for s in seen] == ["POST"]
    run(["petstore", "add-pet", "--name", "Flaky"], env={**env, "AWS_MAX_ATTEMPTS": "2"})
    assert [s[0] for s in seen] == ["POST", "POST", "POST"]


def test_a_redirect_is_an_error_naming_where_it_points(petstore):
    env, _seen = petstore
    result = run(["petstore", "find-pet-by-id", "--id", "301"], env=env)
    assert result.exit_code == 254
    assert result.stderr.splitlines()[0].endswith(
        "(301) when calling the FindPetById operation: Moved Permanently (to /api/pets)"
    )


def test_a_waiter_of_a_plain_http_api_sends_as_its_commands_do(petstore, tmp_path: Path):
    env, seen = petstore
    service = tmp_path / "specs" / "petstore" / "_service.yaml"
    service.write_text(
        service.read_text()
        + "waiters:\n  pet-exists:\n    command: find-pet-by-id\n    delay: 1\n"
        "    maxAttempts: 2\n    acceptors:\n"
        "      - {state: success, matcher: status, expected: 200}\n"
        "      - {state: retry, matcher: status, expected: 404}\n"
    )
    seed(env)
    result = run(["petstore", "wait", "pet-exists", "--id", "1"], env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert seen[-1] == ("GET", "/api/pets/1", f"Bearer {TOKEN}")  # the token, not SigV4
