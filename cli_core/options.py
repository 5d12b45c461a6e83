"""Beside the stages: the tables of options, one per family, read by the parser, the help pages,
the settings and the linter (global options, output formats, colour modes, binary and timestamp
formats, skeleton modes, pagination options)."""

from __future__ import annotations

from collections import namedtuple

# name: with dashes; kind: "flag" (no value), "string", "int", "choice" or "optional-choice" (a
# flag that may be followed by one of its choices: ``--cli-dry-run [http]``); help_type: the type the
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


# The largest timeout in seconds (about 24 days, 2**31 milliseconds): what every socket layer
# below can wait; larger values overflow it.
MAX_TIMEOUT_SECONDS = 2_147_483

# The value families: each tuple is the one list of valid values (defaults: json, auto,
# base64, iso8601, standard).
OUTPUT_FORMATS = ("json", "text", "table", "yaml", "yaml-stream", "off")
COLOR_MODES = ("on", "off", "auto")
BINARY_FORMATS = ("base64", "raw-in-base64-out")
TIMESTAMP_FORMATS = ("iso8601", "wire")
DRY_RUN_VIEWS = ("http",)  # the value --cli-dry-run may take (alone: the parameters)
RETRY_MODES = ("legacy", "standard", "adaptive")
# How an error is written to stderr (default: enhanced). legacy: the one-line message;
# enhanced: that line, then the service's extra error details; the others: the error as a
# document ({Code, Message, ...}) in that output format.
ERROR_FORMATS = ("legacy", "json", "yaml", "text", "table", "enhanced")
DEFAULT_ERROR_FORMAT = "enhanced"
# --cli-auto-prompt's modes (AWS_CLI_AUTO_PROMPT, config cli_auto_prompt; default off).
AUTO_PROMPT_MODES = ("off", "on", "on-partial")
# How command-line values meet an input document (--cli-input-merge, config cli_input_merge).
# replace (the default): each top-level member given replaces the document's; deep: merged
# member by member at every depth, lists replaced; deep-append: the same, lists appended.
INPUT_MERGE_MODES = ("replace", "deep", "deep-append")

GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
    GlobalOption(
        "--debug", "flag", "debug",
        "Log what happens on standard error: the request sent, the response received, and the "
        "full traceback of an error. Secrets are masked.",
    ),
    GlobalOption(
        "--endpoint-url", "string", "endpoint_url",
        "Send the request to this http(s) URL instead of the service's usual endpoint.",
    ),
    GlobalOption(
        "--no-verify-ssl", "flag", "no_verify_ssl",
        "Connect over TLS without checking the server's certificate. Certificates are "
        "checked unless this option is given; use it only with a test endpoint you trust.",
    ),
    GlobalOption(
        "--no-paginate", "flag", "no_paginate",
        "Make one request and print its page, instead of following every page of a listing.",
    ),
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
    GlobalOption(
        "--profile", "string", "profile",
        "The named profile whose credentials and settings to use (from the config and "
        "credentials files).",
    ),
    GlobalOption(
        "--region", "string", "region",
        "The region to send the request to; it wins over the environment and the profile.",
    ),
    GlobalOption("--version", "flag", "version", "Print the program's version and exit."),
    GlobalOption(
        "--color", "choice", "color",
        "Colour in tables and error messages: on, off, or auto (only on a terminal).",
        choices=COLOR_MODES,
    ),
    GlobalOption(
        "--no-sign-request", "flag", "no_sign_request",
        "Send the request unsigned; no credentials are looked up.",
    ),
    GlobalOption(
        "--ca-bundle", "string", "ca_bundle",
        "A file of CA certificates to check the server's certificate against, instead of the "
        "ones from the environment or the profile.",
    ),
    GlobalOption(
        "--cli-read-timeout", "int", "cli_read_timeout",
        "How many seconds to wait for data from the server before giving up (0 waits for "
        "ever, at most 2147483). Without it: 60.",
    ),
    GlobalOption(
        "--cli-connect-timeout", "int", "cli_connect_timeout",
        "How many seconds to wait for a connection before giving up (0 waits for ever, at "
        "most 2147483). Without it: 60.",
    ),
    GlobalOption(
        "--cli-binary-format", "choice", "cli_binary_format",
        "How blob values given as text are read. base64 (the default): the text is base64 and "
        "is decoded. raw-in-base64-out: the text itself is sent, as its UTF-8 bytes. A "
        "fileb:// value always sends the file's bytes as they are; a file:// value is text "
        "and follows this setting.",
        choices=BINARY_FORMATS,
    ),
    GlobalOption(
        "--no-cli-pager", "flag", "no_cli_pager",
        "Print straight to the terminal, without a pager.",
    ),
    GlobalOption(
        "--cli-auto-prompt", "flag", "cli_auto_prompt",
        "Prompt for the command line before it runs. On a terminal, with the optional extra "
        "installed (pip install 'clishape[prompt]'): a full-screen prompt, opened even when the "
        "line is complete, that completes services, commands, options and their values as you "
        "type (fuzzy matching), shows the documentation of the option at hand, and prints the "
        "finished command line before running it. Otherwise: one line for each required "
        "parameter the line leaves out, then, when standard input is a terminal, one line for "
        "optional parameters (? lists them, Enter runs the command). Without this option: "
        "AWS_CLI_AUTO_PROMPT, then cli_auto_prompt in the profile's config: on (as this "
        "option), on-partial (prompt only when the line is incomplete or wrong) or off.",
    ),
    GlobalOption(
        "--no-cli-auto-prompt", "flag", "no_cli_auto_prompt",
        "Never prompt, even when AWS_CLI_AUTO_PROMPT or cli_auto_prompt is on or on-partial.",
    ),
    GlobalOption(
        "--cli-error-format", "choice", "cli_error_format",
        "How errors are written to standard error. enhanced (the default): the error line, "
        "then any further details the service sent (such as CancellationReasons); legacy: the "
        "error line only; json, yaml, text, table: the error as a document with Code, Message "
        "and those details, in that output format. Without this option: AWS_CLI_ERROR_FORMAT, "
        "then cli_error_format in the profile's config, then enhanced.",
        choices=ERROR_FORMATS,
    ),
    GlobalOption(
        "--cli-dry-run", "optional-choice", "cli_dry_run",
        "Show the request instead of sending it (clishape extension). Alone: the operation "
        "name and the final request parameters as JSON, after merging input documents, binary "
        "handling and validation. With http: the HTTP request that would be sent, built and "
        "signed as for sending (method, URL with its query string, headers, body), with the "
        "signature, tokens and API keys shown as *** and a binary body as its size; nothing is "
        "sent.",
        choices=DRY_RUN_VIEWS, help_type="string, optional",
    ),
    GlobalOption(
        "--cli-input-merge", "choice", "cli_input_merge",
        "How parameters given on the command line meet a --cli-input-json or --cli-input-yaml "
        "document. replace (the default, as the AWS CLI): each top-level parameter given "
        "replaces the document's member of that name. deep: structures and maps are merged "
        "member by member at every depth, the command line winning; lists are replaced. "
        "deep-append: the same, but lists from the command line are appended to the "
        "document's. Without this option: cli_input_merge in the profile's config, then "
        "replace. --cli-dry-run shows the merged request (clishape extension).",
        choices=INPUT_MERGE_MODES,
    ),
)  # fmt: skip

BY_NAME = {opt.name: opt for opt in GLOBAL_OPTIONS}

# The family of each global option that not every app offers (``cli_core.app``): ``http`` for
# apps that send requests, ``aws`` for apps that send through botocore. Every other option is
# ``core``: all apps have it.
OPTION_FAMILIES = {
    "--endpoint-url": "http",
    "--no-verify-ssl": "http",
    "--ca-bundle": "http",
    "--cli-read-timeout": "http",
    "--cli-connect-timeout": "http",
    "--region": "aws",
    "--no-sign-request": "aws",
}


def global_options(families=("core", "http", "aws")) -> tuple[GlobalOption, ...]:
    """The global options of an app offering ``families`` (in the table's order)."""
    return tuple(o for o in GLOBAL_OPTIONS if OPTION_FAMILIES.get(o.name, "core") in families)

# Options every command adds after its own members (the reference CLI's table order).
CLI_INPUT_OPTIONS = ("--cli-input-json", "--cli-input-yaml")
# Batches (``cli_core.batch``): one input document per line, run with this many at a time.
BATCH_INPUT_OPTION = "--cli-input-jsonl"
BATCH_CONCURRENCY_OPTION = "--cli-batch-concurrency"
BATCH_OPTIONS = (BATCH_INPUT_OPTION, BATCH_CONCURRENCY_OPTION)
DEFAULT_BATCH_CONCURRENCY = 4
MAX_BATCH_CONCURRENCY = 64
SKELETON_OPTION = "--generate-cli-skeleton"
SKELETON_MODES = ("input", "yaml-input", "output", "json-schema", "output-schema")
# The ones answered from the shapes alone, before the request is built (no option is required).
INPUT_SKELETON_MODES = ("input", "yaml-input", "json-schema", "output-schema")

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
    set(BY_NAME) | set(CLI_INPUT_OPTIONS) | set(BATCH_OPTIONS) | {SKELETON_OPTION, "--help", "-h"}
)
