"""The local service — sample answers for the operations it does not implement, on request.

Only behind the explicit switch (``clishape-local serve --samples``, ``CLISHAPE_LOCAL_SAMPLES=1``
for the embedded service; without it such operations answer ``NotImplementedException``): the
request is validated against the command's spec (every problem becomes a ValidationException),
then the deterministic sample response of ``--generate-cli-skeleton output`` is sent, in wire
form (timestamps as epoch seconds, blobs as base64). The server marks every such answer with the
``x-clishape-local-sample`` header: it is made up, not state.
"""

from __future__ import annotations

import base64
from datetime import datetime

from cli_core.shapes.walk import ValueWalker
from clishape_local.faults import ServiceFault


def spec_fallback(service: str = "voice-id", roots=None):
    """A ``fallback(operation, params)`` for ``start_embedded``/``build_server``."""
    import threading

    built: list[dict] = []  # the finished table, published whole (one item once built)
    lock = threading.Lock()

    def index() -> dict:
        if not built:
            with lock:  # concurrent first calls wait for the whole table, never see half of it
                if not built:
                    from cli_core import specs as spec

                    folder = spec.service_dir(service, roots)
                    table = {}
                    for name in spec.list_commands(folder) if folder else ():
                        command = spec.load_command(service, name, roots)
                        table[command.operation] = command
                    built.append(table)
        return built[0]

    def fallback(operation: str, params: dict) -> dict:
        from cli_core.request.build import normalise_timestamps
        from cli_core.request.sample import output_sample
        from cli_core.request.validate import validate

        command = index().get(operation)
        if command is None:
            raise ServiceFault(
                "UnknownOperationException", f"The operation {operation} has no spec here."
            )
        if command.input is not None:
            request = normalise_timestamps(command.input, _FromWire().walk(command.input, params))
            errors, _warnings = validate(command.input, request)
            if errors:
                raise ServiceFault("ValidationException", "; ".join(map(str, errors)))
        if command.output is None:
            return {}
        sample = output_sample(command.output)
        for token in _output_tokens(command.pagination):
            sample.pop(token, None)  # the sample is the last page: no token to follow
        return _ToWire().walk(command.output, sample)

    return fallback


def _output_tokens(pagination: dict | None) -> list[str]:
    if not pagination:
        return []
    tokens = pagination.get("output_token") or []
    return [tokens] if isinstance(tokens, str) else list(tokens)


class _FromWire(ValueWalker):
    """Blobs arrive as base64 text."""

    prune = "blob"

    def visit_leaf(self, shape, value, path, sensitive):
        if shape.type == "blob" and isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except ValueError:
                raise ServiceFault(
                    "SerializationException", "A blob is not valid base64."
                ) from None
        return value


class _ToWire(ValueWalker):
    """Timestamps leave as epoch seconds, blobs as base64 text."""

    def visit_leaf(self, shape, value, path, sensitive):
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value
