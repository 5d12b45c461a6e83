"""Argument customizations, declaratively: the spec forms (``cli_arguments``, ``cli_hidden``,
``cli_option``, ``cli_flag``, ``cli_bare_items``), the importer's table of the AWS CLI's
customizations, and the requests they make — seen with ``--cli-dry-run`` and against moto."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from emulator import sent_requests

from cli_core.testing import run
from clishape_tools.import_botocore import (
    customizations,
    import_service,
    load_model,
)

# -- a hand-written spec using every form --------------------------------------------------------

SERVICE = """\
clishape: 1
service: demo
metadata: {protocol: json, apiVersion: '2024-01-01', endpointPrefix: demo, targetPrefix: Demo,
           jsonVersion: '1.0', signatureVersion: v4}
shapes: {}
"""

COMMAND = """\
clishape: 1
command: make-thing
operation: MakeThing
input:
  type: structure
  required: [Code, Low, High]
  members:
    Name: {type: string}
    Code:
      type: structure
      members:
        Bucket: {type: string}
        Blob: {type: blob}
    Low: {type: integer, cli_option: false}
    High: {type: integer, cli_option: false}
    Secret: {type: string, cli_hidden: true}
    Check:
      cli_flag: true
      type: structure
      members:
        Value: {type: boolean}
    Items:
      cli_bare_items: true
      type: list
      member:
        type: structure
        members:
          Id: {type: string}
cli_arguments:
  blob-file:
    members: Code.Blob
    documentation: The blob, from a file.
  range:
    members: [Low, High]
    split: '-'
    default: '1'
    documentation: LOW-HIGH, or one number for both.
  enabled:
    members: Code.Bucket
"""


@pytest.fixture
def demo(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "_service.yaml").write_text(SERVICE)
    (folder / "make-thing.yaml").write_text(COMMAND)
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path), "AWS_DEFAULT_REGION": "us-east-1"}

    def call(*argv: str, spec: str | None = None):
        if spec is not None:
            (folder / "make-thing.yaml").write_text(spec)
        return run(["--cli-dry-run", "demo", "make-thing", *argv], env=env)

    return call


def params(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["params"]


def test_an_option_sets_a_nested_member_beside_the_members_own_option(demo, tmp_path):
    (tmp_path / "b.bin").write_bytes(b"\x00\x01")
    got = params(demo("--blob-file", f"fileb://{tmp_path / 'b.bin'}", "--code", "Bucket=b"))
    assert got["Code"] == {"Bucket": "b", "Blob": base64.b64encode(b"\x00\x01").decode()}


def test_one_value_fills_several_members_split_or_whole_with_a_default(demo):
    assert params(demo("--range", "2-5", "--enabled", "x")) | {} == {
        "Code": {"Bucket": "x"},
        "Low": 2,
        "High": 5,
    }
    got = params(demo("--range", "3", "--enabled", "x"))
    assert (got["Low"], got["High"]) == (3, 3)
    got = params(demo("--enabled", "x"))
    assert (got["Low"], got["High"]) == (1, 1)


def test_the_default_fills_only_what_an_input_document_left_out(demo):
    doc = json.dumps({"High": 4, "Code": {"Bucket": "b"}})
    got = params(demo("--cli-input-json", doc))
    assert (got["Low"], got["High"]) == (1, 4)


def test_a_bad_split_value_names_the_option_and_the_form(demo):
    result = demo("--range", "1-2-3", "--enabled", "x")
    assert result.exit_code == 252
    assert "'--range'" in result.stderr and "VALUE or VALUE-VALUE" in result.stderr
    result = demo("--range", "a", "--enabled", "x")
    assert result.exit_code == 252
    assert "--range" in result.stderr and "expected an integer, got 'a'" in result.stderr


def test_a_member_without_option_is_unknown_on_the_command_line(demo):
    result = demo("--low", "1", "--enabled", "x")
    assert result.exit_code == 252
    assert "Unknown options: --low" in result.stderr


def test_the_same_member_from_two_options_is_an_error_not_a_silent_choice(demo):
    result = demo("--enabled", "x", "--code", "Bucket=y")
    assert result.exit_code == 252
    assert "--enabled and --code both give Code.Bucket" in result.stderr


def test_a_required_structure_is_satisfied_by_an_option_inside_it(demo):
    result = demo()
    assert result.exit_code == 252
    assert "required: --code (or --blob-file, --enabled)" in result.stderr
    assert params(demo("--enabled", "b"))["Code"] == {"Bucket": "b"}


def test_validation_errors_name_the_option_the_user_typed(demo):
    result = demo("--enabled", "x", "--range", "2-1", "--check", "Value=maybe")
    assert result.exit_code == 252
    assert "--check" in result.stderr


def test_a_flag_structure_takes_x_no_x_or_a_value(demo):
    assert params(demo("--enabled", "x", "--check"))["Check"] == {"Value": True}
    assert params(demo("--enabled", "x", "--no-check"))["Check"] == {"Value": False}
    assert params(demo("--enabled", "x", "--check", "Value=false"))["Check"] == {"Value": False}
    result = demo("--enabled", "x", "--check", "--no-check")
    assert result.exit_code == 252
    assert "Cannot specify both --check and --no-check" in result.stderr


def test_bare_items_make_one_member_structures(demo):
    got = params(demo("--enabled", "x", "--items", "a", "Id=b", '{"Id": "c"}'))
    assert got["Items"] == [{"Id": "a"}, {"Id": "b"}, {"Id": "c"}]
    assert params(demo("--enabled", "x", "--items", '[{"Id": "d"}]'))["Items"] == [{"Id": "d"}]


def test_a_hidden_option_works_but_help_does_not_show_it(demo, tmp_path):
    assert params(demo("--enabled", "x", "--secret", "s"))["Secret"] == "s"
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path)}
    page = run(["demo", "make-thing", "help"], env=env).stdout
    assert "--secret" not in page and "--low" not in page
    assert "[--blob-file <value>]" in page and "[--range <value>]" in page
    assert "[--check | --no-check]" in page and "[--code <value>]" in page
    assert "--blob-file (blob)" in page and "Sets Code.Blob." in page
    assert "Sets Low, High." in page


def test_skeletons_keep_the_models_members(demo, tmp_path):
    env = {"CLISHAPE_SPEC_PATH": str(tmp_path)}
    result = run(["demo", "make-thing", "--generate-cli-skeleton"], env=env)
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == [
        "Name", "Code", "Low", "High", "Secret", "Check", "Items",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (
            "  x:\n    members: Code.Nope\n",
            "cli_arguments.x.members: Code.Nope: 'Nope' is not a member of 'Code'",
        ),
        ("  x:\n    members: Name.Inner\n", "'Name' is not a structure"),
        ("  x:\n    members: [Low, High]\n", "several members need 'split'"),
        ("  x:\n    members: Low\n    split: ':'\n", "split needs two or more members"),
        ("  x:\n    members: [Code, High]\n    split: ':'\n", "can only fill scalar members"),
        ("  code:\n    members: Code.Bucket\n", "option --code is also an option of member"),
        ("  output:\n    members: Code.Bucket\n", "option --output is a global option"),
        ("  x:\n    member: Code.Bucket\n", "unknown key 'member' (did you mean members?)"),
    ],
)
def test_the_checker_reports_broken_arguments(demo, arguments, problem):
    spec = COMMAND.split("cli_arguments:")[0] + "cli_arguments:\n" + arguments
    result = demo("--enabled", "x", spec=spec)
    assert result.exit_code == 253
    assert problem in result.stderr


def test_the_checker_reports_flag_and_bare_items_on_the_wrong_shapes(demo):
    spec = COMMAND.replace("Name: {type: string}", "Name: {type: string, cli_flag: true}")
    spec = spec.replace("Secret: {type: string,", "Secret: {type: string, cli_bare_items: true,")
    result = demo(spec=spec)
    assert result.exit_code == 253
    assert "cli_flag needs a structure with one boolean member" in result.stderr
    assert "cli_bare_items needs a list of structures with one scalar member" in result.stderr


# -- the importer's table -----------------------------------------------------------------------


def test_every_table_entry_applies_to_the_installed_models():
    """A customization whose command or member left the model is an error, not a no-op."""
    from clishape_tools.import_botocore import CLI_SERVICE_NAMES, convert_model

    by_cli = {v: k for k, v in CLI_SERVICE_NAMES.items()}
    for service, commands in customizations().items():
        model = load_model(by_cli.get(service, service))
        files = convert_model(model)  # raises on an entry that does not apply
        for command in commands:
            if command != "*":
                assert f"{command}.yaml" in files, f"{service} {command}"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("custom-specs")
    for service in ("ec2", "lambda", "ses", "elb", "rekognition", "translate", "quicksight"):
        import_service(service, out)
    return out


def dry(imported, *argv: str):
    env = {"CLISHAPE_SPEC_PATH": str(imported), "AWS_DEFAULT_REGION": "us-east-1"}
    return run(["--cli-dry-run", *argv], env=env)


def test_imported_specs_pass_the_checker(imported):
    from clishape_tools.lint import lint_service_dir

    for service in ("ec2", "lambda", "ses", "elb", "rekognition", "translate", "quicksight"):
        problems, checked = lint_service_dir(imported / service)
        assert checked > 1 and not problems, problems[:5]


def test_ec2_run_instances_count(imported):
    base = ("ec2", "run-instances", "--image-id", "ami-1")
    got = params(dry(imported, *base, "--count", "2:5"))
    assert (got["MinCount"], got["MaxCount"]) == (2, 5)
    got = params(dry(imported, *base, "--count", "3"))
    assert (got["MinCount"], got["MaxCount"]) == (3, 3)
    got = params(dry(imported, *base))
    assert (got["MinCount"], got["MaxCount"]) == (1, 1)
    result = dry(imported, *base, "--min-count", "2")
    assert result.exit_code == 252 and "Unknown options: --min-count" in result.stderr


def test_ec2_value_structures_are_flags(imported):
    base = ("ec2", "modify-instance-attribute", "--instance-id", "i-1")
    assert params(dry(imported, *base, "--no-source-dest-check"))["SourceDestCheck"] == {
        "Value": False
    }
    assert params(dry(imported, *base, "--ebs-optimized"))["EbsOptimized"] == {"Value": True}
    base = ("ec2", "modify-vpc-attribute", "--vpc-id", "vpc-1")
    assert params(dry(imported, *base, "--enable-dns-support"))["EnableDnsSupport"] == {
        "Value": True
    }


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 42\n")
    return buffer.getvalue()


def test_lambda_zip_file_goes_into_code_and_content(imported, tmp_path):
    (tmp_path / "f.zip").write_bytes(zip_bytes())
    zipped = f"fileb://{tmp_path / 'f.zip'}"
    encoded = base64.b64encode(zip_bytes()).decode()
    got = params(
        dry(
            imported,
            "lambda",
            "create-function",
            "--function-name",
            "f",
            "--role",
            "arn:r",
            "--zip-file",
            zipped,
        )  # fmt: skip
    )
    assert got["Code"] == {"ZipFile": encoded}
    got = params(dry(imported, "lambda", "publish-layer-version", "--layer-name", "l",
                     "--zip-file", zipped))  # fmt: skip
    assert got["Content"] == {"ZipFile": encoded}
    result = dry(imported, "lambda", "create-function", "--function-name", "f", "--role", "r")
    assert result.exit_code == 252
    assert "required: --code (or --zip-file)" in result.stderr


def test_ses_send_email_flat_options(imported):
    got = params(
        dry(
            imported,
            "ses",
            "send-email",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com",
            "c@example.com",
            "--cc",
            "d@example.com",
            "--bcc",
            "e@example.com",
            "--subject",
            "Hi",
            "--text",
            "Hello",
            "--html",
            "<p>Hello</p>",
        )  # fmt: skip
    )
    assert got == {
        "Source": "a@example.com",
        "Destination": {
            "ToAddresses": ["b@example.com", "c@example.com"],
            "CcAddresses": ["d@example.com"],
            "BccAddresses": ["e@example.com"],
        },
        "Message": {
            "Subject": {"Data": "Hi"},
            "Body": {"Text": {"Data": "Hello"}, "Html": {"Data": "<p>Hello</p>"}},
        },
    }
    result = dry(imported, "ses", "send-email", "--to", "b@example.com", "--subject", "s",
                 "--text", "t")  # fmt: skip
    assert result.exit_code == 252 and "required: --from" in result.stderr


def test_binary_hoisting(imported, tmp_path):
    (tmp_path / "i.png").write_bytes(b"\x89PNG")
    image = f"fileb://{tmp_path / 'i.png'}"
    png = base64.b64encode(b"\x89PNG").decode()
    got = params(dry(imported, "rekognition", "detect-labels", "--image-bytes", image))
    assert got["Image"] == {"Bytes": png}
    got = params(
        dry(
            imported,
            "rekognition",
            "compare-faces",
            "--source-image-bytes",
            image,
            "--target-image",
            "S3Object={Bucket=bkt,Name=n}",
        )  # fmt: skip
    )
    assert got["SourceImage"] == {"Bytes": png}
    assert got["TargetImage"] == {"S3Object": {"Bucket": "bkt", "Name": "n"}}
    got = params(
        dry(
            imported,
            "translate",
            "import-terminology",
            "--name",
            "t",
            "--merge-strategy",
            "OVERWRITE",
            "--data-file",
            image,
            "--terminology-data",
            "Format=CSV",
        )  # fmt: skip
    )
    assert got["TerminologyData"] == {"Format": "CSV", "File": png}
    result = dry(imported, "translate", "import-terminology", "--name", "t",
                 "--merge-strategy", "OVERWRITE")  # fmt: skip
    assert result.exit_code == 252
    assert result.stderr.strip().endswith("required: --data-file")


def test_elb_legacy_list_form(imported):
    got = params(
        dry(
            imported,
            "elb",
            "register-instances-with-load-balancer",
            "--load-balancer-name",
            "lb",
            "--instances",
            "i-1",
            "i-2",
        )  # fmt: skip
    )
    assert got["Instances"] == [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]
    got = params(dry(imported, "elb", "remove-tags", "--load-balancer-names", "lb",
                     "--tags", "k1", "Key=k2"))  # fmt: skip
    assert got["Tags"] == [{"Key": "k1"}, {"Key": "k2"}]
    # elsewhere a list of one-member structures keeps the usual shorthand only
    got = params(dry(imported, "elb", "add-tags", "--load-balancer-names", "lb",
                     "--tags", "Key=k,Value=v"))  # fmt: skip
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]


# -- against the emulator -----------------------------------------------------------------------


def test_ec2_run_instances_count_launches_that_many(moto):
    image = moto.run("ec2", "describe-images", "--query", "Images[0].ImageId", "--output", "text")
    assert image.exit_code == 0, image.stderr
    result = moto.run("ec2", "run-instances", "--image-id", image.stdout.strip(), "--count", "2",
                      "--query", "length(Instances)")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "2"
    listed = moto.run("ec2", "describe-instances", "--query",
                      "length(Reservations[].Instances[])")  # fmt: skip
    assert listed.stdout.strip() == "2"


def test_ec2_flag_reaches_the_service(moto):
    image = moto.run("ec2", "describe-images", "--query", "Images[0].ImageId", "--output", "text")
    launched = moto.run("ec2", "run-instances", "--image-id", image.stdout.strip(),
                        "--query", "Instances[0].InstanceId", "--output", "text")  # fmt: skip
    instance = launched.stdout.strip()
    result = moto.run("ec2", "modify-instance-attribute", "--instance-id", instance,
                      "--no-source-dest-check")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shown = moto.run("ec2", "describe-instance-attribute", "--instance-id", instance,
                     "--attribute", "sourceDestCheck", "--query", "SourceDestCheck.Value")  # fmt: skip
    assert shown.stdout.strip() == "false"


def test_lambda_create_function_with_zip_file(moto, tmp_path):
    import boto3

    iam = boto3.client("iam", endpoint_url=moto.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    (tmp_path / "f.zip").write_bytes(zip_bytes())
    result = moto.run("lambda", "create-function", "--function-name", "f1", "--runtime",
                      "python3.12", "--role", role, "--handler", "index.handler",
                      "--zip-file", f"fileb://{tmp_path / 'f.zip'}",
                      "--query", "[FunctionName, CodeSize]", "--output", "text")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["f1", str(len(zip_bytes()))]


@pytest.fixture
def query_moto(moto):
    """``moto`` for query-protocol services (ses, elb): their calls need the query-protocol
    wiring of the transport; skipped, with the reason, where this tree does not have it yet."""
    probe = moto.run("sts", "get-caller-identity")
    if probe.exit_code != 0 and "InvalidShapeReferenceError" in probe.stderr:
        pytest.skip("query-protocol calls are not wired in this tree (issue 9, point 1)")
    return moto


def test_ses_send_email_with_flat_options(query_moto):
    verified = query_moto.run("ses", "verify-email-identity", "--email-address", "a@example.com")
    assert verified.exit_code == 0, verified.stderr
    result = query_moto.run("ses", "send-email", "--from", "a@example.com", "--to",
                            "b@example.com", "--subject", "Hi", "--text", "Hello")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert '"MessageId"' in result.stdout
    sent = query_moto.run("ses", "get-send-statistics", "--query",
                          "SendDataPoints[0].DeliveryAttempts")  # fmt: skip
    assert sent.stdout.strip() == "1"


def test_elb_register_instances_legacy_list(query_moto):
    created = query_moto.run("elb", "create-load-balancer", "--load-balancer-name", "lb1",
                             "--listeners", "Protocol=HTTP,LoadBalancerPort=80,InstancePort=80",
                             "--availability-zones", "us-east-1a")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    image = query_moto.run("ec2", "describe-images", "--query", "Images[0].ImageId",
                           "--output", "text")  # fmt: skip
    launched = query_moto.run("ec2", "run-instances", "--image-id", image.stdout.strip(),
                              "--count", "2", "--query", "Instances[].InstanceId",
                              "--output", "text")  # fmt: skip
    ids = launched.stdout.split()
    assert len(ids) == 2, launched.stderr
    # moto accepts the call but does not keep classic-ELB registrations, so the test reads what
    # was sent: one Instances.member.N.InstanceId per bare item. (AWS CLI v2 2.36.7 itself stops
    # on this form against the same emulator: "'Namespace' object has no attribute
    # 'cli_binary_format'", exit 255.)
    result = query_moto.run("--debug", "elb", "register-instances-with-load-balancer",
                            "--load-balancer-name", "lb1", "--instances", *ids)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (_method, _url, body), = sent_requests(result.stderr)
    assert f"Instances.member.1.InstanceId={ids[0]}" in body
    assert f"Instances.member.2.InstanceId={ids[1]}" in body


def test_route53_ids_given_as_paths_send_their_last_part(moto):
    zone = moto.run("route53", "create-hosted-zone", "--name", "paths.example.com",
                    "--caller-reference", "r1", "--query", "HostedZone.Id", "--output", "text")
    assert zone.exit_code == 0, zone.stderr
    path = zone.stdout.strip()
    assert path.startswith("/hostedzone/")
    result = moto.run("route53", "get-hosted-zone", "--id", path,
                      "--query", "HostedZone.Name", "--output", "text")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no length warning: the rules see the id, not the path
    assert result.stdout == "paths.example.com.\n"
    dry = moto.run("route53", "get-hosted-zone", "--id", path, "--cli-dry-run")
    assert json.loads(dry.stdout)["params"] == {"Id": path.rsplit("/", 1)[-1]}
