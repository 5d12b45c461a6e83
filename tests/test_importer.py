"""``clishape-spec import-botocore`` and ``clishape-spec diff``."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from cli_core.settings import SHIPPED_SPECS
from cli_core.specs import load_command
from clishape_tools.htmldoc import html_to_markup
from clishape_tools.import_botocore import MARKER, convert_model, installed_services, load_model
from clishape_tools.lint import lint_paths
from clishape_tools.spec_cli import main

SEED = "describe-speaker-enrollment-job.yaml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_voice_id_import_is_deterministic_and_marked(capsys, tmp_path):
    code, out, _ = run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    assert code == 0
    assert out.startswith("voice-id: 30 written, 0 unchanged, 0 hand-written kept\n")
    files = sorted((tmp_path / "voice-id").iterdir())
    assert len(files) == 30  # 29 operations + _service.yaml
    assert all(f.read_text().startswith(MARKER + "\n") for f in files)
    before = {f.name: f.read_bytes() for f in files}
    code, out, _ = run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    assert out.startswith("voice-id: 0 written, 30 unchanged")
    assert {f.name: f.read_bytes() for f in files} == before


def test_shipped_voice_id_specs_are_the_importer_output(capsys, tmp_path):
    run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    shipped = SHIPPED_SPECS / "voice-id"
    for path in (tmp_path / "voice-id").iterdir():
        if path.name != SEED:
            assert (shipped / path.name).read_text() == path.read_text(), path.name
    assert not (shipped / SEED).read_text().startswith(MARKER)


def test_hand_written_command_is_kept_and_the_difference_reported(capsys, tmp_path):
    folder = tmp_path / "voice-id"
    folder.mkdir()
    seed = (SHIPPED_SPECS / "voice-id" / SEED).read_text()
    data = yaml.safe_load(seed)
    del data["shapes"]["EnrollmentJobFraudDetectionConfig"]["members"]["WatchlistIds"]
    (folder / SEED).write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, _ = run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    assert code == 0
    assert "voice-id: 29 written, 0 unchanged, 1 hand-written kept" in out
    assert f"kept hand-written {folder / SEED} (no marker line); the model differs:" in out
    assert (
        "    DescribeSpeakerEnrollmentJob output "
        "Job.EnrollmentConfig.FraudDetectionConfig.WatchlistIds: only upstream (list), "
        "not in the spec\n"
    ) in out
    assert yaml.safe_load((folder / SEED).read_text()) == data


def test_diff_names_a_member_missing_from_the_specs(capsys, tmp_path):
    folder = tmp_path / "voice-id"
    shutil.copytree(SHIPPED_SPECS / "voice-id", folder)
    seed = folder / SEED
    text = seed.read_text()
    start = text.index("      WatchlistIds:\n")
    end = text.index("  EnrollmentJobFraudDetectionConfigWatchlistIds:")
    seed.write_text(text[:start] + text[end:])
    code, out, _ = run(capsys, "diff", folder, "--against", "botocore:voice-id")
    assert code == 1
    assert out.splitlines() == [
        "DescribeSpeakerEnrollmentJob output "
        "Job.EnrollmentConfig.FraudDetectionConfig.WatchlistIds: only upstream (list), "
        "not in the spec",
        "DescribeSpeakerEnrollmentJob: 5 member documentation text(s) differ",
    ]


def test_diff_reports_constraints_enums_and_required(capsys, tmp_path):
    run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    path = tmp_path / "voice-id" / "list-speakers.yaml"
    data = yaml.safe_load(path.read_text())
    request = data["shapes"]["ListSpeakersRequest"]
    request["required"] = []
    request["members"]["Extra"] = {"shape": "DomainId"}
    data["shapes"]["SpeakerSummary"]["members"]["Status"] = {
        "type": "string",
        "enum": ["ENROLLED", "NEW"],
        "max": 5,
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, _ = run(capsys, "diff", tmp_path / "voice-id", "--against", "botocore:voice-id")
    assert code == 1
    assert out.splitlines() == [
        "ListSpeakers input DomainId: optional in the spec, required upstream",
        "ListSpeakers input Extra: only in the spec (string)",
        "ListSpeakers output SpeakerSummaries[].Status: max 5 in the spec, (none) upstream",
        "ListSpeakers output SpeakerSummaries[].Status: enum values only upstream: EXPIRED, "
        "OPTED_OUT, PENDING; values only in the spec: NEW",
        "ListSpeakers: 1 member documentation text(s) differ",
    ]


def test_unknown_service_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "import-botocore", "no-such-service", "--out", tmp_path)
    assert (code, err) == (
        2,
        "clishape-spec: botocore has no service model named 'no-such-service'\n",
    )


def _model_file(tmp_path, members: dict, paginated: bool = False):
    folder = tmp_path / "model" / "demo" / "2020-01-01"
    folder.mkdir(parents=True)
    model = {
        "version": "2.0",
        "metadata": {"apiVersion": "2020-01-01", "protocol": "json", "serviceId": "Demo"},
        "documentation": "<p>The <b>demo</b> service.</p>",
        "operations": {
            "ListThings": {
                "name": "ListThings",
                "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "ListThingsRequest"},
                "output": {"shape": "ListThingsResponse", "resultWrapper": "ListResult"},
                "idempotent": True,
                "documentation": "<p>Lists <code>Things</code>.</p>",
            }
        },
        "shapes": {
            "ListThingsRequest": {"type": "structure", "members": members},
            "ListThingsResponse": {
                "type": "structure",
                "members": {"Doc": {"shape": "Doc"}, "NextToken": {"shape": "S"}},
            },
            "Doc": {"type": "structure", "members": {}, "document": True},
            "S": {"type": "string"},
        },
    }
    (folder / "service-2.json").write_text(json.dumps(model))
    if paginated:
        pages = {"ListThings": {"input_token": "NextToken", "output_token": "NextToken",
                                "limit_key": "MaxItems", "result_key": "Doc"}}  # fmt: skip
        (folder / "paginators-1.json").write_text(json.dumps({"pagination": pages}))
    return folder / "service-2.json"


def test_renames_for_collisions_and_broken_names(capsys, tmp_path):
    names = ["Query", "Output", "Version", "Region", "Profile", "Color", "Debug", "EndpointUrl",
             "ACLs", "MaxItems", "NextToken", "Name"]  # fmt: skip
    source = _model_file(tmp_path, {n: {"shape": "S"} for n in names}, paginated=True)
    code, out, _ = run(capsys, "import-botocore", source, "--out", tmp_path / "specs")
    assert (code, out.splitlines()[0]) == (0, "demo: 2 written, 0 unchanged, 0 hand-written kept")
    command = load_command("demo", "list-things", roots=[tmp_path / "specs"])
    assert list(command.options) == [
        "--things-query", "--things-output", "--things-version", "--things-region",
        "--things-profile", "--things-color", "--things-debug", "--things-endpoint-url",
        "--acls", "--things-max-items", "--next-token", "--name",
    ]  # fmt: skip
    data = yaml.safe_load((tmp_path / "specs" / "demo" / "list-things.yaml").read_text())
    assert data["pagination"]["limit_key"] == "MaxItems"
    assert data["wire"] == {"output": {"resultWrapper": "ListResult"}, "idempotent": True}
    assert data["shapes"]["Doc"] == {"type": "document"}
    assert data["documentation"] == "Lists `Things`."
    assert lint_paths([tmp_path / "specs"]).problems == []


def test_aws_cli_renames_and_hidden_aliases_are_kept():
    pipeline = convert_model(load_model("datapipeline"))["query-objects.yaml"]
    assert pipeline["shapes"]["QueryObjectsInput"]["members"]["query"]["cli_name"] == (
        "objects-query"
    )
    pool = convert_model(load_model("cognito-identity"))["create-identity-pool.yaml"]
    member = pool["shapes"]["CreateIdentityPoolInput"]["members"]["OpenIdConnectProviderARNs"]
    assert member["cli_aliases"] == ["open-id-connect-provider-ar-ns"]
    assert "cli_name" not in member


def test_aws_cli_service_names():
    assert load_model("s3").cli_name == "s3api"
    assert load_model("codedeploy").cli_name == "deploy"
    assert load_model("config").cli_name == "configservice"
    files = convert_model(load_model("s3"))
    assert files["_service.yaml"]["service"] == "s3api"
    assert files["get-object.yaml"]["shapes"]["GetObjectOutput"]["members"]["Body"]["streaming"]


@pytest.mark.parametrize(
    ("html", "markup"),
    [
        ("<p>One.</p><p>Two <code>x</code>.</p>", "One.\n\nTwo `x`."),
        (
            '<p>See <a href="https://a.example/b">the guide</a>.</p>',
            "See [the guide](https://a.example/b).",
        ),
        ('<a href="#x">local</a> link', "local link"),
        ("<ul><li><p>a</p></li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c"),
        ("<p>A &amp; B &lt;T&gt;</p>", "A & B <T>"),
        ("<p>arn:aws:s3:::<bucket>/key</p>", "arn:aws:s3:::<bucket>/key"),
        ("<note><p>Careful <i>now</i>.</p></note>", "Careful now."),
        ("plain   text\n here", "plain text here"),
    ],
)
def test_html_to_markup(html, markup):
    assert html_to_markup(html) == markup


@pytest.mark.slow
def test_every_installed_service_imports_and_lints_clean(capsys, tmp_path, report):
    # How long this takes is measured by `python tools/bench.py --groups import`, not here.
    code, out, _ = run(capsys, "import-botocore", "--all", "--quiet", "--out", tmp_path)
    assert code == 0
    summary = out.splitlines()[-1]
    report("import-botocore-all", f"import of every installed service: {summary}")
    services = installed_services()
    written = sorted(tmp_path.rglob("*.yaml"))
    assert summary.startswith(f"{len(services)} service(s): {len(written)} file(s) written, ")
    assert " 0 hand-written kept" in summary
    folders = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(folders) == len(services)
    for folder in folders:  # the service file and at least one command in each
        assert (folder / "_service.yaml").is_file(), folder.name
        assert len(list(folder.glob("*.yaml"))) > 1, folder.name
    result = lint_paths([tmp_path])
    assert [str(p) for p in result.problems[:20]] == []
    assert (result.files, result.services) == (len(written), len(services))


def test_diff_reports_documentation_only_changes(capsys, tmp_path):
    run(capsys, "import-botocore", "voice-id", "--out", tmp_path)
    folder = tmp_path / "voice-id"
    path = folder / "list-speakers.yaml"
    data = yaml.safe_load(path.read_text())
    data["documentation"] = "An edited description."
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    service = yaml.safe_load((folder / "_service.yaml").read_text())
    service["documentation"] = "An edited service description."
    (folder / "_service.yaml").write_text(yaml.safe_dump(service, sort_keys=False))
    code, out, _ = run(capsys, "diff", folder, "--against", "botocore:voice-id")
    assert code == 1
    assert out.splitlines() == [
        "_service.yaml: documentation differs",
        "ListSpeakers: documentation differs",
    ]
