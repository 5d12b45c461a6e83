"""Parity with the AWS CLI for every operation of every installed botocore service.

Both sides read the same installed botocore models: the AWS CLI (the ``awscli`` package, v1)
builds its argument table through ``awscli.clidriver`` with all its customizations; clishape
loads the specs ``clishape-spec import-botocore`` made from the models. Compared per operation:

* each input member's option name, and its hidden aliases;
* which members are required;
* the ``--generate-cli-skeleton input`` JSON (the AWS CLI's is botocore's
  ``ArgumentGenerator``; ours ``cli_core.request.skeleton.input_skeleton``), enum placeholders by
  membership;
* the positional ``outfile``: present exactly where the AWS CLI has one (its output payload is a
  blob), and there without ``--cli-input-json|yaml`` and ``--generate-cli-skeleton``.

Differences that are deliberate are classified and listed; anything else fails the test. The
report (match rate, every difference) is written whether the test passes or not, to
``.pytest_cache/d/clishape-reports/parity-*.txt``, and shown with ``-v``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime

import pytest

from cli_core import options
from cli_core.settings import spec_roots
from cli_core.shapes.arguments import arguments
from cli_core.shapes.naming import is_broken_reference_name, reference_name
from cli_core.specs import loader as spec
from clishape_tools.import_botocore import (
    convert_model,
    installed_services,
    load_model,
    write_specs,
)

pytestmark = pytest.mark.slow

# Why a difference is deliberate (the key is the category used in the report).
DELIBERATE = {
    "broken-name": "the AWS CLI's name starts with a dash (---x) and its value is dropped; "
    "clishape drops the extra dash",
    "global-collision": "the member's option is a global option, so the AWS CLI can never "
    "reach it; clishape renames it (<command noun>-<option>)",
    "pagination-shadow": "the member's option is a pagination option: the AWS CLI hides the "
    "member behind --starting-token/--page-size/--max-items; clishape renames it",
    "negative-boolean-rename": "the AWS CLI renames only the --no-x form of a boolean "
    "(argrename); a spec renames a member, not one form of it",
    "alias-relaxes-required": "a hidden alias makes the AWS CLI treat both names as optional at "
    "parse time; clishape keeps the member required (either name satisfies it)",
    "event-stream-outfile": "an event-stream operation the AWS CLI v1 still lists (its list of "
    "removed event-stream operations lags behind botocore) gives no way to read the stream "
    "there; clishape writes the events' blob payloads to the positional outfile, as for S3 "
    "Select",
    "event-stream-removed": "the AWS CLI leaves event-stream operations out; clishape imports "
    "them and lets the engine decide",
    "skeleton-blob": 'a blob\'s skeleton value is "" in clishape, null (which it then rejects) '
    "in the AWS CLI",
    "skeleton-recursive-list": "a recursive list or map stops at its first repetition in "
    "clishape; the AWS CLI only stops structures",
    "awscli-customization": "a hand-written AWS CLI customization that the spec's forms cannot "
    "express (AWSCLI_CUSTOMIZED below, each with the reason); clishape would do it with a hook",
}

# The AWS CLI v1's hand-written per-command customizations that change model arguments and that
# the spec's argument-customization forms (docs/spec-format.md) cannot express, each with why.
# The ones they can express are applied by the importer (tools/awscli_customizations.yaml) and
# compared like any option: ec2 run-instances --count, the ec2 --x/--no-x value structures,
# lambda --zip-file, ses send-email, the rekognition/translate/quicksight blob hoisting.
_COMPUTED = "the new options' values are computed or rearranged by code, not placed at a path"
_REMOVED = "the AWS CLI removes the command; clishape keeps every operation of the model"
_REPLACED = "the flattened options take the name of the member they replace; a spec keeps " + (
    "every member's option"
)
AWSCLI_CUSTOMIZED = {
    ("cloudfront", "create-distribution"): "cloudfront.py: --origin-domain-name: " + _COMPUTED,
    ("cloudfront", "update-distribution"): "cloudfront.py: --default-root-object: " + _COMPUTED,
    ("cloudfront", "create-invalidation"): "cloudfront.py: --paths: " + _COMPUTED,
    ("cloudsearch", "define-expression"): "cloudsearch.py: --name/--expression: " + _REPLACED,
    ("cloudsearch", "define-index-field"): "cloudsearch.py: --name/--type/...: the options "
    "go into <Type>Options chosen by --type's value",
    ("configservice", "put-configuration-recorder"): "configservice: --recording-group: "
    + _COMPUTED,
    ("datapipeline", "activate-pipeline"): "datapipeline: --parameter-values-uri: " + _COMPUTED,
    ("datapipeline", "put-pipeline-definition"): "datapipeline: --pipeline-definition file "
    "in the pipeline-definition format: " + _COMPUTED,
    ("deploy", "get-application-revision"): "codedeploy: --s3-location/--github-location: "
    + _COMPUTED,
    ("deploy", "register-application-revision"): "codedeploy: --s3-location/--github-location: "
    + _COMPUTED,
    ("ec2", "bundle-instance"): "ec2/bundleinstance.py: --bucket/--prefix/... for Storage, "
    "with a generated upload policy: " + _COMPUTED,
    ("ec2", "import-instance"): "removals.py: " + _REMOVED,
    ("ec2", "import-volume"): "removals.py: " + _REMOVED,
    ("emr", "*"): "emr/: hand-written commands replace or remove the model's",
    ("logs", "start-live-tail"): "logs/: a hand-written live tail command",
    ("rds", "modify-option-group"): "removals.py: " + _REMOVED,
    ("ses", "delete-verified-email-address"): "removals.py: " + _REMOVED,
    ("ses", "list-verified-email-addresses"): "removals.py: " + _REMOVED,
    ("ses", "verify-email-address"): "removals.py: " + _REMOVED,
}
# Not compared by this test (the AWS CLI's added options without a model member are invisible
# to it) and not expressible either: ec2 run-instances --secondary-private-ip-addresses,
# --secondary-private-ip-address-count, --associate-public-ip-address (runinstances.py: the
# options write into the first item of the NetworkInterfaces list, and move other members there),
# ec2 authorize/revoke-security-group-* --protocol/--port/--cidr/--source-group/--group-owner
# (secgroupsimplify.py: into the first item of IpPermissions; --port "all" or "N-M" is computed).


def customized(service: str, command: str) -> str | None:
    return AWSCLI_CUSTOMIZED.get((service, command)) or AWSCLI_CUSTOMIZED.get((service, "*"))


@pytest.fixture(scope="module")
def parity(tmp_path_factory):
    """Compare every operation once; the tests below read the collected results."""
    from awscli.clidriver import create_clidriver

    out = tmp_path_factory.mktemp("specs")
    models = {}
    for name in installed_services():
        model = load_model(name)
        write_specs(model, out, convert_model(model))
        models[name] = model

    service_files: dict = {}
    original_read = spec.read_yaml

    def read_yaml(path):  # every command reads its _service.yaml: parse each once
        if path.name != spec.SERVICE_FILE:
            return original_read(path)
        if path not in service_files:
            service_files[path] = original_read(path)
        return service_files[path]

    with pytest.MonkeyPatch.context() as mp:
        roots = spec_roots({"CLISHAPE_SPEC_PATH": str(out)})
        mp.setenv("CLISHAPE_CACHE_DIR", "")
        mp.setattr(spec, "read_yaml", read_yaml)
        table = create_clidriver()._get_command_table()
        result = Results()
        for model in models.values():
            service_command = table.get(model.cli_name)
            aws_ops = service_command._get_command_table() if service_command else {}
            for op_name in model.service["operations"]:
                compare_operation(result, model, op_name, aws_ops, roots)
            service_files.clear()
    return result


class Results:
    def __init__(self) -> None:
        self.checked = Counter()  # "options" / "required" / "skeleton" -> items compared
        self.deliberate: dict[str, list[str]] = defaultdict(list)
        self.unexpected: dict[str, list[str]] = defaultdict(list)
        self.outfile_commands: list[str] = []  # the commands with a positional outfile

    def report(self, kinds: tuple[str, ...]) -> str:
        lines = []
        for kind in kinds:
            bad = len(self.unexpected[kind])
            mine = [k for k in self.deliberate if k.startswith(kind + ":")]
            deliberate = sum(len(self.deliberate[k]) for k in mine)
            total = self.checked[kind]
            rate = 100.0 * (total - bad - deliberate) / total if total else 100.0
            plain = 100.0 * (total - bad) / total if total else 100.0
            lines.append(
                f"{kind}: {total} compared, {total - bad - deliberate} identical ({rate:.3f}%), "
                f"{deliberate} deliberate differences, {bad} unexpected "
                f"({plain:.3f}% of non-deliberate cases match)"
            )
            for key in sorted(mine):
                reason = DELIBERATE[key.split(":", 1)[1]]
                lines.append(f"  deliberate, {key} ({len(self.deliberate[key])}): {reason}")
                lines += [f"    {item}" for item in self.deliberate[key]]
            lines += [f"  UNEXPECTED {item}" for item in self.unexpected[kind]]
        return "\n".join(lines)


class _Tagged:
    """Results seen through one command: unexpected items of a customized command are deliberate."""

    def __init__(self, result: Results, reason: str | None):
        self.checked = result.checked
        self.deliberate = result.deliberate
        self.unexpected = result.unexpected
        self.outfile_commands = result.outfile_commands
        if reason:
            self.unexpected = _Redirect(result, reason)


class _Redirect(dict):
    def __init__(self, result: Results, reason: str):
        super().__init__()
        self.result, self.reason = result, reason

    def __getitem__(self, kind: str) -> list:
        return self.result.deliberate[f"{kind}:awscli-customization"]


def compare_operation(result: Results, model, op_name: str, aws_ops, roots) -> None:
    command = convert_model_command_name(op_name)
    where = f"{model.cli_name} {command}"
    reason = customized(model.cli_name, command)
    if reason:
        where = f"{where} [{reason}]"
    result = _Tagged(result, reason)
    ours = spec.load_command(model.cli_name, command, roots)
    assert ours is not None, f"{where}: not imported"
    aws = aws_ops.get(command)
    if aws is None:
        result.checked["options"] += 1  # the operation counts as one compared item
        shapes = model.service["shapes"]
        op = model.service["operations"][op_name]
        if _has_event_stream(shapes, op):
            result.deliberate["options:event-stream-removed"].append(where)
        else:
            result.unexpected["options"].append(f"{where}: not in the AWS CLI")
        return
    compare_options(result, where, ours, aws)
    compare_outfile(result, where, ours, aws)
    compare_skeleton(result, where, ours, aws)


def convert_model_command_name(op_name: str) -> str:
    from botocore import xform_name

    return xform_name(op_name, "-")


def _has_event_stream(shapes: dict, op: dict) -> bool:
    for part in ("input", "output"):
        shape = shapes.get(op.get(part, {}).get("shape"), {})
        for ref in shape.get("members", {}).values():
            if shapes[ref["shape"]].get("eventstream"):
                return True
    return False


def aws_members(arg_table) -> dict[str, dict]:
    """Member name -> {"primary": name, "aliases": [...], "negative": name, "required": bool}."""
    from awscli.arguments import BooleanArgument, CLIArgument

    members: dict[str, dict] = {}
    for name, arg in arg_table.items():
        if not isinstance(arg, CLIArgument) or getattr(arg, "argument_model", None) is None:
            continue
        if type(arg).__name__ in ("PageArgument", "CliInputJSONArgument"):
            continue
        entry = members.setdefault(
            arg._serialized_name, {"names": [], "negative": None, "required": False}
        )
        if isinstance(arg, BooleanArgument) and arg._action == "store_false":
            entry["negative"] = name
            continue
        entry["names"].append((name, bool(getattr(arg, "_UNDOCUMENTED", False))))
        entry["required"] |= bool(arg.required)
    for entry in members.values():
        documented = [n for n, hidden in entry["names"] if not hidden]
        primary = documented[0] if documented else entry["names"][0][0]
        entry["primary"] = primary
        entry["aliases"] = sorted(n for n, _ in entry["names"] if n != primary)
    return members


def compare_options(result: Results, where: str, ours, aws) -> None:
    theirs = aws_members(aws.arg_table)
    shape = ours.input
    members = shape.members if shape is not None else {}
    custom = arguments(ours)
    # a required member that an argument customization reaches is required by neither CLI
    required = set(ours.required_members) - {top for a in custom for top in a.tops}
    paginated = ours.pagination is not None
    for argument in custom:
        result.checked["options"] += 1
        theirs_arg = aws.arg_table.get(argument.option[2:])
        if theirs_arg is None:
            result.unexpected["options"].append(f"{where} {argument.option}: not in the AWS CLI")
            continue
        result.checked["required"] += 1
        if argument.required != bool(theirs_arg.required):
            who = "clishape" if argument.required else "the AWS CLI"
            result.unexpected["required"].append(
                f"{where} {argument.option}: required by {who} only"
            )
    for name, member in members.items():
        result.checked["options"] += 1
        result.checked["required"] += 1
        label = f"{where} {name}"
        ref = reference_name(name)
        entry = theirs.get(name)
        mine = member.option[2:]
        if member.raw.get("cli_option") is False:
            if entry is not None:
                result.unexpected["options"].append(
                    f"{label}: AWS CLI --{entry['primary']}, clishape no option"
                )
            continue
        if member.raw.get("cli_flag") and entry is not None:
            # the AWS CLI's --no-x of a {Value: boolean} structure is a second argument of it
            entry = {**entry, "negative": f"no-{mine}"}
            entry["aliases"] = [a for a in entry["aliases"] if a != f"no-{mine}"]
        if entry is None:
            if paginated and "--" + ref in options.PAGINATION_OPTIONS:
                result.deliberate["options:pagination-shadow"].append(f"{label}: --{mine}")
            else:
                result.unexpected["options"].append(f"{label}: no AWS CLI argument (ours --{mine})")
            continue
        if entry["primary"] != mine:
            if is_broken_reference_name(name) and entry["primary"] == ref:
                result.deliberate["options:broken-name"].append(f"{label}: --{mine}")
            elif paginated and "--" + entry["primary"] in options.PAGINATION_OPTIONS:
                result.deliberate["options:pagination-shadow"].append(
                    f"{label}: --{entry['primary']} -> --{mine}"
                )
            elif "--" + entry["primary"] in options.RESERVED_OPTION_NAMES:
                result.deliberate["options:global-collision"].append(
                    f"{label}: --{entry['primary']} -> --{mine}"
                )
            else:
                result.unexpected["options"].append(
                    f"{label}: AWS CLI --{entry['primary']}, clishape --{mine}"
                )
        elif sorted(a[2:] for a in member.aliases) != entry["aliases"]:
            result.unexpected["options"].append(
                f"{label}: AWS CLI aliases {entry['aliases']}, clishape "
                f"{[a[2:] for a in member.aliases]}"
            )
        negative = entry["negative"]
        if negative is not None and negative != "no-" + entry["primary"]:
            result.deliberate["options:negative-boolean-rename"].append(
                f"{label}: --{negative} (for --no-{entry['primary']})"
            )
        elif (negative is not None) != (
            member.shape.type == "boolean" or bool(member.raw.get("cli_flag"))
        ):
            result.unexpected["options"].append(f"{label}: boolean --no- form differs")
        ours_required = name in required
        if ours_required != entry["required"]:
            if ours_required and entry["aliases"]:
                result.deliberate["required:alias-relaxes-required"].append(label)
            else:
                result.unexpected["required"].append(
                    f"{label}: required by {'clishape' if ours_required else 'the AWS CLI'} only"
                )
    extra = set(theirs) - set(members)
    for name in sorted(extra):
        result.unexpected["options"].append(f"{where} {name}: AWS CLI argument with no member")


def compare_outfile(result: Results, where: str, ours, aws) -> None:
    """The positional outfile, and the options the AWS CLI leaves out beside it."""
    from cli_core.argv.parser import build_parser

    result.checked["outfile"] += 1
    # the positional (a streamed payload, or S3 Select's records), not iam's --outfile option
    theirs = getattr(aws.arg_table.get("outfile"), "cli_name", None) == "outfile"
    mine = ours.outfile_member is not None
    if theirs != mine:
        if mine and _streams_events(ours):
            result.deliberate["outfile:event-stream-outfile"].append(where)
            return
        side = "the AWS CLI" if theirs else "clishape"
        result.unexpected["outfile"].append(f"{where}: a positional outfile in {side} only")
        return
    if not mine:
        return
    result.outfile_commands.append(where)
    known = build_parser(ours)._option_string_actions
    for option in ("cli-input-json", "cli-input-yaml", "generate-cli-skeleton"):
        if (option in aws.arg_table) != ("--" + option in known):
            result.unexpected["outfile"].append(f"{where}: --{option} differs beside outfile")


def _streams_events(command) -> bool:
    """Whether the command's output payload is an event stream (its events' blobs go to outfile)."""
    payload = command.output.raw.get("payload")
    member = command.output.members.get(payload) if payload else None
    return member is not None and bool(member.shape.raw.get("eventstream"))


def compare_skeleton(result: Results, where: str, ours, aws) -> None:
    from botocore.utils import ArgumentGenerator

    from cli_core.request.skeleton import input_skeleton

    if "outfile" in aws.arg_table or "generate-cli-skeleton" not in aws.arg_table:
        return  # the AWS CLI has no skeleton for streaming-output operations
    result.checked["skeleton"] += 1
    model_shape = aws._operation_model.input_shape
    theirs = ArgumentGenerator().generate_skeleton(model_shape) if model_shape else {}
    theirs = json.loads(json.dumps(theirs, default=_iso))
    mine = json.loads(json.dumps(input_skeleton(ours.input)))
    kinds: set[str] = set()
    problems: list[str] = []
    _same(ours.input, mine, theirs, "", kinds, problems)
    if problems:
        result.unexpected["skeleton"].append(f"{where}: " + "; ".join(problems[:3]))
    for kind in sorted(kinds):
        result.deliberate[f"skeleton:{kind}"].append(where)


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _same(shape, mine, theirs, path: str, kinds: set, problems: list) -> None:
    """Walk both skeletons along our shape; record deliberate kinds and real differences."""
    if shape is None:
        if mine != theirs:
            problems.append(f"{path or '(top)'}: {mine!r} != {theirs!r}")
        return
    kind = shape.type
    if kind == "blob" and mine == "" and theirs is None:
        kinds.add("skeleton-blob")
    elif kind == "string" and shape.enum and mine in shape.enum and theirs in shape.enum:
        pass
    elif kind == "structure" and isinstance(mine, dict) and isinstance(theirs, dict):
        if list(mine) != list(theirs) and (mine or theirs):
            problems.append(f"{path or '(top)'}: members {list(mine)} != {list(theirs)}")
            return
        for name, member in shape.members.items():
            if name in mine:
                _same(member.shape, mine[name], theirs[name], f"{path}.{name}", kinds, problems)
    elif kind == "list" and isinstance(mine, list) and isinstance(theirs, list):
        if not mine and theirs:
            kinds.add("skeleton-recursive-list")
        elif len(mine) != len(theirs):
            problems.append(f"{path}: {mine!r} != {theirs!r}")
        else:
            for a, b in zip(mine, theirs, strict=True):
                _same(shape.member.shape, a, b, path + "[]", kinds, problems)
    elif kind == "map" and isinstance(mine, dict) and isinstance(theirs, dict):
        if not mine and theirs:
            kinds.add("skeleton-recursive-list")
        elif list(mine) != list(theirs):
            problems.append(f"{path}: keys {list(mine)} != {list(theirs)}")
        else:
            for key in mine:
                _same(shape.value.shape, mine[key], theirs[key], path + "{}", kinds, problems)
    elif mine != theirs:
        problems.append(f"{path or '(top)'}: {mine!r} != {theirs!r}")


def test_option_names_and_required_match_the_aws_cli(parity, report):
    report("parity-options", parity.report(("options", "required")))
    assert parity.checked["options"] > 60000
    assert not parity.unexpected["options"], parity.unexpected["options"][:20]
    assert not parity.unexpected["required"], parity.unexpected["required"][:20]


def test_input_skeletons_match_the_aws_cli(parity, report):
    report("parity-skeletons", parity.report(("skeleton",)))
    assert parity.checked["skeleton"] > 15000
    assert not parity.unexpected["skeleton"], parity.unexpected["skeleton"][:20]


def test_outfile_positional_matches_the_aws_cli(parity, report):
    text = parity.report(("outfile",))
    report("parity-outfile", text + "\n  with outfile: " + ", ".join(parity.outfile_commands))
    assert parity.checked["outfile"] > 15000
    assert len(parity.outfile_commands) > 40  # s3api get-object, lambda invoke, polly, ...
    assert not parity.unexpected["outfile"], parity.unexpected["outfile"][:20]
