"""The local service — clishape's embedded, persistent, local Voice ID service.

It speaks Voice ID's wire protocol (AWS JSON 1.0, ``X-Amz-Target: VoiceID.<Operation>``, SigV4)
on a loopback port and keeps the state of all 29 Voice ID operations (domains, watchlists,
fraudsters, speakers, enrollment and fraudster registration jobs, tags) in SQLite.

Public API (imported lazily; importing this package loads nothing heavy)::

    from clishape_local import start_embedded
    running = start_embedded(state_dir)      # 127.0.0.1, ephemeral port, background thread
    running.url, running.access_key, running.secret_key
    running.stop()

    local_endpoint(home, environ)            # the clishape app's hook for CLISHAPE_LOCAL=1

    fallback(operation: str, params: dict) -> dict   # sample answers, only when asked for
                                                     # (serve --samples, CLISHAPE_LOCAL_SAMPLES=1)

Modules: ``embedded`` (starting), ``server`` (HTTP + routing), ``voiceid`` (operations and job
progression), ``store`` (SQLite), ``sigv4`` (signature check), ``shapes`` (request validation
against botocore's model), ``faults`` (wire errors), ``cli`` (``clishape-local``).
"""

from __future__ import annotations

_EMBEDDED = (
    "DEFAULT_ACCESS_KEY",
    "DEFAULT_SECRET_KEY",
    "RunningService",
    "default_state_dir",
    "local_endpoint",
    "start_embedded",
)
__all__ = [*_EMBEDDED, "ServiceFault"]


def __getattr__(name: str):
    if name in _EMBEDDED:
        from clishape_local import embedded

        return getattr(embedded, name)
    if name == "ServiceFault":
        from clishape_local.faults import ServiceFault

        return ServiceFault
    raise AttributeError(f"module 'clishape_local' has no attribute {name!r}")
