"""Stage 1 — specs: the spec format (version 1) written down once, as tables the checker reads.

Each table maps a key to the kind of value it takes. Kinds are strings (``str``, ``bool``,
``int``, ``number``, ``mapping``, ``strings``, ``tokens`` — a string or a list of strings,
``name`` — a lower-case command-line name) or tuples (``("enum", choices)``, ``("const", v)``,
``("object", table, required keys)``, ``("list", kind)`` — a list of values of that kind,
``("named", kind)`` — a mapping of names to values of that kind, ``("options", table, required
keys)`` — a mapping of command-line option names to such objects; ``scalar`` is a string, number
or true/false); ``member``, ``members``, ``shapes`` and ``shape_or_inline`` are the parts of the
shape model the checker walks itself. docs/spec-format.md explains them.
"""

from __future__ import annotations

FORMAT_VERSION = 1

SHAPE_TYPES = (
    "structure", "list", "map", "string", "integer", "long", "float", "double", "boolean",
    "timestamp", "blob", "document",
)  # fmt: skip

NAME_PATTERN = r"^[a-z0-9][a-zA-Z0-9_.-]*$"
# A handler reference: ``package.module:function`` (the function may be an attribute path).
HANDLER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"

# Every key a shape may carry, and its kind.
SHAPE_KEYS = {
    "type": ("enum", SHAPE_TYPES),
    "documentation": "str",
    "sensitive": "bool",
    "deprecated": "bool",
    "deprecatedMessage": "str",
    "deprecatedSince": "str",
    "box": "bool",
    "locationName": "str",
    "xmlNamespace": "mapping",
    # structure
    "members": "members",
    "required": "strings",
    "union": "bool",
    "exception": "bool",
    "error": "mapping",
    "fault": "bool",
    "payload": "str",
    "retryable": "mapping",
    "wrapper": "bool",
    "event": "bool",
    "eventstream": "bool",
    "synthetic": "bool",
    "xmlOrder": "strings",
    "document": "bool",
    # list, map
    "member": "member",
    "key": "member",
    "value": "member",
    "flattened": "bool",
    "sparse": "bool",
    # scalars
    "min": "number",
    "max": "number",
    "enum": "strings",
    "pattern": "str",
    "timestampFormat": ("enum", ("iso8601", "rfc822", "unixTimestamp")),
    "streaming": "bool",
    "requiresLength": "bool",
}

_COMMON = (
    "type", "documentation", "sensitive", "deprecated", "deprecatedMessage", "deprecatedSince",
    "box", "locationName", "xmlNamespace",
)  # fmt: skip
_NUMBER = (*_COMMON, "min", "max")

# Which keys each shape type allows.
KEYS_BY_TYPE = {
    "structure": (
        *_COMMON, "members", "required", "union", "exception", "error", "fault", "payload",
        "retryable", "wrapper", "event", "eventstream", "synthetic", "xmlOrder", "document",
    ),
    "list": (*_NUMBER, "member", "flattened", "sparse"),
    "map": (*_NUMBER, "key", "value", "flattened", "sparse"),
    "string": (*_NUMBER, "enum", "pattern"),
    "integer": _NUMBER,
    "long": _NUMBER,
    "float": _NUMBER,
    "double": _NUMBER,
    "boolean": _COMMON,
    "timestamp": (*_COMMON, "timestampFormat"),
    "blob": (*_NUMBER, "requiresLength", "streaming"),
    "document": _COMMON,
}  # fmt: skip
REQUIRED_BY_TYPE = {"structure": ("members",), "list": ("member",), "map": ("key", "value")}

# The keys of a member reference (``{shape: Name, ...}``); an inline member (``{type: ...}``)
# takes these (but ``shape``) and the keys of its type.
MEMBER_KEYS = {
    "shape": "str",
    "documentation": "str",
    "location": ("enum", ("header", "headers", "querystring", "uri", "statusCode")),
    "locationName": "str",
    "idempotencyToken": "bool",
    "jsonvalue": "bool",
    "hostLabel": "bool",
    "deprecated": "bool",
    "deprecatedMessage": "str",
    "deprecatedSince": "str",
    "xmlNamespace": "mapping",
    "xmlAttribute": "bool",
    "queryName": "str",
    "flattened": "bool",
    "box": "bool",
    "contextParam": "mapping",
    "eventpayload": "bool",
    "eventheader": "bool",
    "streaming": "bool",
    "sensitive": "bool",
    "requiresLength": "bool",
    "enum": "strings",
    "cli_name": "name",
    "cli_aliases": "names",
    # argument customizations (see CLI_ARGUMENT below): top-level input members only
    "cli_hidden": "bool",
    "cli_option": "bool",
    "cli_flag": "bool",
    "cli_bare_items": "bool",
    "cli_last_path_part": "bool",  # a value given as a path (/hostedzone/Z1) sends its last part
}

# -- waiters (``_service.yaml`` ``waiters:``): ``SERVICE wait NAME`` polls a command until one
# of its acceptors says success or failure (botocore's waiters-2 keys, the operation given as the
# command that calls it).
WAITER_MATCHERS = ("path", "pathAll", "pathAny", "status", "error")
WAITER_PATH_MATCHERS = ("path", "pathAll", "pathAny")
WAITER_STATES = ("success", "failure", "retry")
_WAITER_ACCEPTOR = {
    "state": ("enum", WAITER_STATES),
    "matcher": ("enum", WAITER_MATCHERS),
    "argument": "str",
    "expected": "scalar",
}
_WAITER = {
    "name": "str",
    "command": "name",
    "description": "str",
    "delay": "int",
    "maxAttempts": "int",
    "acceptors": ("list", ("object", _WAITER_ACCEPTOR, ("state", "matcher", "expected"))),
}
WAITER_REQUIRED = ("command", "delay", "maxAttempts", "acceptors")
WAITERS = ("named", ("object", _WAITER, WAITER_REQUIRED))

_SERVICE_WIRE = {"clientContextParams": "mapping"}
# ``http:`` — a plain HTTP API (not AWS: no SigV4): its base URL and how it authenticates (the
# first usable entry wins). The secret comes from the environment variable ``env`` or the
# config-profile key ``config``; an ``api-key`` goes in the header or query parameter ``name``.
AUTH_TYPES = ("bearer", "basic", "api-key")
_AUTH = {
    "type": ("enum", AUTH_TYPES),
    "env": "str",
    "config": "str",
    "in": ("enum", ("header", "query")),
    "name": "str",
}
_SERVICE_HTTP = {"endpoint": "str", "auth": ("list", ("object", _AUTH, ("type",)))}
_METADATA = {"protocol": "str", "apiVersion": "str", "endpointPrefix": "str"}

SERVICE_KEYS = {
    "clishape": ("const", FORMAT_VERSION),
    "service": "name",
    "metadata": ("open", _METADATA, ("protocol",)),  # not needed when every command has a handler
    "documentation": "str",
    "deprecated": "bool",
    "deprecatedMessage": "str",
    "wire": ("object", _SERVICE_WIRE, ()),
    "http": ("object", _SERVICE_HTTP, ()),
    "waiters": WAITERS,
    "shapes": "shapes",
}
SERVICE_REQUIRED = ("clishape", "service")

# ``mediaType``: the request body's media type when it is not JSON (an ``http:`` service only)
_HTTP = {"method": "str", "requestUri": "str", "responseCode": "int", "mediaType": "str"}
_PAGINATION = {
    "input_token": "tokens",
    "output_token": "tokens",
    "limit_key": "str",
    "result_key": "tokens",
    "more_results": "str",
    "non_aggregate_keys": "strings",
}
_WIRE = {
    "input": (
        "object", {"locationName": "str", "xmlNamespace": "mapping", "documentation": "str"}, ()
    ),
    "output": (
        "object", {"resultWrapper": "str", "documentation": "str", "locationName": "str"}, ()
    ),
    "idempotent": "bool",
    "readonly": "bool",
    "endpoint": "mapping",
    "staticContextParams": "mapping",
    "operationContextParams": "mapping",
    "endpointdiscovery": "mapping",
    "endpointoperation": "bool",
    "authtype": "str",
    "auth": "strings",
    "httpChecksumRequired": "bool",
    "httpChecksum": "mapping",
    "unsignedPayload": "bool",
    "requestcompression": "mapping",
}  # fmt: skip

COMMAND_KEYS = {
    "clishape": ("const", FORMAT_VERSION),
    "command": "name",
    "operation": "str",
    "http": ("object", _HTTP, ()),
    "documentation": "str",
    "deprecated": "bool",
    "deprecatedMessage": "str",
    "deprecatedSince": "str",
    "input": "shape_or_inline",
    "output": "shape_or_inline",
    "errors": "strings",
    "pagination": ("object", _PAGINATION, ("input_token", "output_token")),
    "handler": "handler",  # module:function, run instead of sending (see docs/spec-format.md)
    "wire": ("object", _WIRE, ()),
    "shapes": "shapes",
}
COMMAND_REQUIRED = ("clishape", "command", "operation")


# -- argument customizations ------------------------------------------------------------------
# ``cli_arguments:`` of a command file: options that are not one top-level member each. The key
# is the option name without dashes; ``members`` the member path(s) the value goes to
# (``Code.ZipFile``: through structures from the input shape). One path: the option takes that
# member's type (a list takes several tokens, a boolean is a ``--x``/``--no-x`` pair). Several
# paths: the value is split at ``split`` and each part goes to its member in order; a value
# without the separator goes to every member. ``default`` fills each member still missing from
# the request (command line and input document) when the option is not given.
CLI_ARGUMENT = {
    "members": "tokens",
    "documentation": "str",
    "split": "str",
    "default": "str",
    "required": "bool",
}
COMMAND_KEYS["cli_arguments"] = ("options", CLI_ARGUMENT, ("members",))
