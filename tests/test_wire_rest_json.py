"""The rest-json protocol on the wire, against moto: Lambda and Polly.

Members bound to the URI path (an ARN with ``:`` and ``/``), the query string, headers and
the JSON body; Lambda's ``Marker``/``NextMarker`` paging; the status code as an output member.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

import yaml
from emulator import scrub, sent_requests

ROLE = "arn:aws:iam::123456789012:role/runner"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    return result.stdout


def zipped_handler() -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return base64.b64encode(buffer.getvalue()).decode()


def create_function(moto, name: str, *extra: str):
    if not moto.run("iam", "get-role", "--role-name", "runner").exit_code == 0:
        ok(moto.run("iam", "create-role", "--role-name", "runner",
                    "--assume-role-policy-document", "{}"))  # fmt: skip
    return moto.run(
        "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--role", ROLE, "--handler", "index.handler",
        "--code", json.dumps({"ZipFile": zipped_handler()}), *extra,
    )  # fmt: skip


def test_lambda_function_workflow(moto, snapshot):
    created = json.loads(ok(create_function(moto, "greeter", "--tags", "team=web")))
    assert created["FunctionArn"] == FUNCTION_ARN.format("greeter")
    assert created["Handler"] == "index.handler"

    arn = FUNCTION_ARN.format("greeter")
    tagged = moto.run("lambda", "tag-resource", "--resource", arn, "--tags", "env=test", "--debug")
    assert ok(tagged) == ""
    method, url, body = sent_requests(tagged.stderr)[0]
    assert method == "POST"
    assert url.endswith(
        "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Agreeter"
    )
    assert json.loads(body) == {"Tags": {"env": "test"}}
    tags = ok(moto.run("lambda", "list-tags", "--resource", arn, "--output", "yaml"))
    assert yaml.safe_load(tags) == {"Tags": {"team": "web", "env": "test"}}

    updated = moto.run(
        "lambda", "update-function-configuration", "--function-name", "greeter",
        "--timeout", "30", "--environment", "Variables={GREETING=hi,TARGET=world}",
        "--query", "{Timeout: Timeout, Environment: Environment}", "--output", "table",
    )  # fmt: skip
    assert ok(updated) == snapshot(name="update-function-configuration table")

    config = moto.run(
        "lambda", "get-function", "--function-name", "greeter",
        "--query", "Configuration.[FunctionName, Runtime, Handler, Timeout, LastModified]",
        "--output", "text",
    )  # fmt: skip
    assert scrub(ok(config)) == "greeter\tpython3.12\tindex.handler\t30\t<time>\n"

    deleted = moto.run("lambda", "delete-function", "--function-name", "greeter")
    assert json.loads(ok(deleted)) == {"StatusCode": 204}  # an output member bound to the status
    gone = moto.run("lambda", "get-function", "--function-name", "greeter")
    assert gone.exit_code == 254
    assert "(ResourceNotFoundException)" in gone.stderr
    assert gone.stdout == ""


def test_lambda_marker_paging(moto):
    for index in range(4):
        ok(create_function(moto, f"fn{index}", "--query", "FunctionName"))
    paged = moto.run("lambda", "list-functions", "--page-size", "1", "--debug",
                     "--query", "Functions[].FunctionName")  # fmt: skip
    everyone = [f"fn{i}" for i in range(4)]
    assert sorted(json.loads(ok(paged))) == everyone
    # the page size goes out in the query string (moto answers every function at once)
    assert sent_requests(paged.stderr)[0][1].endswith("/2015-03-31/functions?MaxItems=1")

    first = json.loads(ok(moto.run("lambda", "list-functions", "--max-items", "3",
                                   "--query", "{names: Functions[].FunctionName, next: NextToken}")))  # fmt: skip
    assert len(first["names"]) == 3
    rest = moto.run("lambda", "list-functions", "--starting-token", first["next"],
                    "--query", "Functions[].FunctionName", "--output", "text")  # fmt: skip
    assert sorted(first["names"] + ok(rest).split()) == everyone


def test_lambda_account_settings_request(moto):
    """moto does not serve GetAccountSettings: the GET goes out and its 404 is a service error."""
    result = moto.run("lambda", "get-account-settings", "--debug")
    method, url, _ = sent_requests(result.stderr)[0]
    assert (method, url) == ("GET", moto.endpoint + "/2016-08-19/account-settings")
    assert result.exit_code == 254
    assert "(404) when calling the GetAccountSettings operation" in result.stderr


def test_polly_voices_and_lexicons(moto, snapshot):
    voices = moto.run(
        "polly", "describe-voices", "--language-code", "en-GB", "--debug",
        "--query", "sort_by(Voices, &Id)[].[Id, Gender]", "--output", "text",
    )  # fmt: skip
    assert ok(voices) == snapshot(name="describe-voices text")
    assert "LanguageCode=en-GB" in sent_requests(voices.stderr)[0][1]

    lexicon = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        'alphabet="ipa" xml:lang="en-US"><lexeme><grapheme>W3C</grapheme>'
        "<alias>World Wide Web Consortium</alias></lexeme></lexicon>"
    )
    assert ok(moto.run("polly", "put-lexicon", "--name", "w3c", "--content", lexicon)) == ""
    names = moto.run("polly", "list-lexicons", "--query", "Lexicons[].Name", "--output", "text")
    assert ok(names) == "w3c\n"
    missing = moto.run("polly", "get-lexicon", "--name", "nope")
    assert missing.exit_code == 254
    assert "(LexiconNotFoundException)" in missing.stderr
