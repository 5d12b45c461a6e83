"""Beside the stages: the tables of options, one per family, read by the parser, the help pages,
the settings and the linter (global options, output formats, colour modes, binary and timestamp
formats, skeleton modes, pagination options)."""

from __future__ import annotations

from collections import namedtuple

# name: with dashes; kind: "flag" (no value), "string", "int" or "choice"; help_type: the type the
# help page shows, when it is not derived from kind. (A namedtuple: cheap on the start-up path.)
_GlobalOption = namedtuple(
    "GlobalOption", "name kind dest help choices help_type", defaults=((), "")
)


class GlobalOption(_GlobalOption):
    __slots__ = ()

    @property
    def shown_type(self) -> str:
        if self.help_type:
            return self.help_type
        return {"flag": "boolean", "choice": "string"}.get(self.kind, self.kind)


# The value families: each tuple is the one list of valid values (defaults: json, auto,
# base64, iso8601, standard).
OUTPUT_FORMATS = ("json", "text", "table", "yaml", "yaml-stream", "off")
COLOR_MODES = ("on", "off", "auto")
BINARY_FORMATS = ("base64", "raw-in-base64-out")
TIMESTAMP_FORMATS = ("iso8601", "wire")
RETRY_MODES = ("legacy", "standard", "adaptive")

GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
    GlobalOption("--debug", "flag", "debug", "Turn on debug logging."),
    GlobalOption(
        "--endpoint-url", "string", "endpoint_url",
        "Override command’s default URL with the given URL.",
    ),
    GlobalOption(
        "--no-verify-ssl", "flag", "no_verify_ssl",
        "By default, the AWS CLI uses SSL when communicating with AWS services. For each SSL "
        "connection, the AWS CLI will verify SSL certificates. This option overrides the default "
        "behavior of verifying SSL certificates.",
    ),
    GlobalOption("--no-paginate", "flag", "no_paginate", "Disable automatic pagination."),
    GlobalOption(
        "--output", "choice", "output",
        "The formatting style for command output. Without this option: AWS_DEFAULT_OUTPUT, "
        "then output in the profile's config, then json. yaml-stream prints each page as it "
        "arrives, and --query then applies to each page; off prints nothing.",
        choices=OUTPUT_FORMATS,
    ),
    GlobalOption(
        "--query", "string", "query",
        "A JMESPath query to use in filtering the response data. It applies to the whole "
        "result (all pages merged) in every output format except yaml-stream, where it applies "
        "to each page.",
    ),
    GlobalOption("--profile", "string", "profile", "Use a specific profile from your credential file."),
    GlobalOption("--region", "string", "region", "The region to use. Overrides config/env settings."),
    GlobalOption(
        "--version", "flag", "version", "Display the version of this tool.", help_type="string"
    ),
    GlobalOption(
        "--color", "choice", "color", "Turn on/off color output.", choices=COLOR_MODES
    ),
    GlobalOption(
        "--no-sign-request", "flag", "no_sign_request",
        "Do not sign requests. Credentials will not be loaded if this argument is provided.",
    ),
    GlobalOption(
        "--ca-bundle", "string", "ca_bundle",
        "The CA certificate bundle to use when verifying SSL certificates. Overrides config/env "
        "settings.",
    ),
    GlobalOption(
        "--cli-read-timeout", "int", "cli_read_timeout",
        "The maximum socket read time in seconds. If the value is set to 0, the socket read will "
        "be blocking and not timeout. The default value is 60 seconds.",
    ),
    GlobalOption(
        "--cli-connect-timeout", "int", "cli_connect_timeout",
        "The maximum socket connect time in seconds. If the value is set to 0, the socket connect "
        "will be blocking and not timeout. The default value is 60 seconds.",
    ),
    GlobalOption(
        "--cli-binary-format", "choice", "cli_binary_format",
        "The formatting style to be used for binary blobs. The default format is base64. The "
        "base64 format expects binary blobs to be provided as a base64 encoded string. The "
        "raw-in-base64-out format preserves compatibility with AWS CLI V1 behavior and binary "
        "values must be passed literally. When providing contents from a file that map to a "
        "binary blob `fileb://` will always be treated as binary and use the file contents "
        "directly regardless of the `cli-binary-format` setting. When using `file://` the file "
        "contents will need to properly formatted for the configured `cli-binary-format`.",
        choices=BINARY_FORMATS,
    ),
    GlobalOption("--no-cli-pager", "flag", "no_cli_pager", "Disable cli pager for output."),
    GlobalOption(
        "--cli-auto-prompt", "flag", "cli_auto_prompt",
        "Automatically prompt for CLI input parameters.",
    ),
    GlobalOption(
        "--no-cli-auto-prompt", "flag", "no_cli_auto_prompt",
        "Disable automatically prompt for CLI input parameters.",
    ),
    GlobalOption(
        "--cli-dry-run", "flag", "cli_dry_run",
        "Print the operation name and the final request parameters as JSON instead of sending "
        "the request, after merging input documents, binary handling and validation "
        "(clishape extension).",
    ),
)  # fmt: skip

BY_NAME = {opt.name: opt for opt in GLOBAL_OPTIONS}

# Options every command adds after its own members (the reference CLI's table order).
CLI_INPUT_OPTIONS = ("--cli-input-json", "--cli-input-yaml")
SKELETON_OPTION = "--generate-cli-skeleton"
SKELETON_MODES = ("input", "yaml-input", "output")
INPUT_SKELETON_MODES = ("input", "yaml-input")  # the ones answered before the request is built

# The pagination options a paginated command adds: option, PaginationConfig key, value kind.
PaginationOption = namedtuple("PaginationOption", "name key kind")
PAGINATION = (
    PaginationOption("--starting-token", "StartingToken", "string"),
    PaginationOption("--page-size", "PageSize", "integer"),
    PaginationOption("--max-items", "MaxItems", "integer"),
)
PAGINATION_OPTIONS = tuple(opt.name for opt in PAGINATION)

# Every name a command's own option may not take.
RESERVED_OPTION_NAMES = frozenset(
    set(BY_NAME) | set(CLI_INPUT_OPTIONS) | {SKELETON_OPTION, "--help", "-h"}
)
