"""Stage 4 (send) — waiters: call one operation until an acceptor says success or failure.

``SERVICE wait WAITER`` runs the command its waiter polls (``cli_core.specs.load_waiter``), with
that command's input; this module makes the calls. After each call the waiter's acceptors are
tried in order on the response (as botocore parses it, ``ResponseMetadata`` and, for a service
error, ``Error`` included); the first that matches sets the state:

* ``success`` — done, exit 0 with no output;
* ``failure`` — a ``WaiterError`` (exit 255) saying which acceptor matched;
* ``retry`` (or no match on a normal answer) — sleep ``delay`` seconds and call again, at most
  ``maxAttempts`` calls in all, then a ``WaiterError``. A service error no acceptor matches ends
  the wait at once.

The messages are the AWS CLI's (``Waiter InstanceRunning failed: ...``), so scripts that look
for them keep working.

The acceptors are evaluated here, not by botocore's ``Waiter``: the loop is short, the engine
already builds the one-operation client and translates its errors, and owning the loop lets
``--debug`` report every attempt and lets tests replace ``sleep`` instead of waiting for real.
JMESPath and botocore are imported only when a waiter runs.
"""

from __future__ import annotations

import time

from cli_core.errors import GENERAL_EXIT, CLIError, ConfigError
from cli_core.send.transport import (
    NO_VERIFY_WARNING,
    build_client,
    credential_secrets,
    env_secrets,
    translated_errors,
)
from cli_core.settings import SendSettings, check_endpoint_url

sleep = time.sleep  # replaced by tests: a waiter's delay is seconds of real time


class WaiterError(CLIError):
    """The waiter reached a failure state, or gave up (exit 255, as in the AWS CLI)."""

    exit_code = GENERAL_EXIT

    def __init__(self, name: str, reason: str):
        super().__init__(f"Waiter {name} failed: {reason}")
        self.name, self.reason = name, reason


class Acceptor:
    """One acceptor of a waiter: ``matches(response)`` and the AWS CLI's explanation of it."""

    def __init__(self, spec: dict):
        self.state = spec["state"]
        self.matcher = spec["matcher"]
        self.expected = spec["expected"]
        self.argument = spec.get("argument")
        self._expression = None
        if self.matcher in ("path", "pathAll", "pathAny"):
            import jmespath

            self._expression = jmespath.compile(self.argument)

    def matches(self, response: dict) -> bool:
        if self.matcher == "status":
            return response.get("ResponseMetadata", {}).get("HTTPStatusCode") == self.expected
        if self.matcher == "error":
            error = response.get("Error")
            if self.expected is True:
                return isinstance(error, dict) and "Code" in error
            if self.expected is False:
                return error is None
            return isinstance(error, dict) and error.get("Code", "") == self.expected
        if _is_error(response):  # path matchers look at answers, never at errors
            return False
        found = self._expression.search(response)
        if self.matcher == "path":
            return found == self.expected
        if not isinstance(found, list) or not found:  # pathAll/pathAny need a non-empty list
            return False
        if self.matcher == "pathAll":
            return all(item == self.expected for item in found)
        return any(item == self.expected for item in found)

    @property
    def explanation(self) -> str:
        if self.matcher == "path":
            return f'For expression "{self.argument}" we matched expected path: "{self.expected}"'
        if self.matcher == "pathAll":
            return (
                f'For expression "{self.argument}" all members matched excepted path: '
                f'"{self.expected}"'
            )
        if self.matcher == "pathAny":
            return (
                f'For expression "{self.argument}" we matched expected path: '
                f'"{self.expected}" at least once'
            )
        if self.matcher == "status":
            return f"Matched expected HTTP status code: {self.expected}"
        return f"Matched expected service error code: {self.expected}"


def _is_error(response: dict) -> bool:
    error = response.get("Error")
    return isinstance(error, dict) and "Code" in error


def wait(command, params: dict, settings: SendSettings, *, stderr) -> None:
    """Poll the command's operation with ``params`` until its waiter succeeds; raise a
    ``WaiterError`` when it fails or runs out of attempts."""
    waiter = command.raw["waiter"]
    name = waiter["name"]
    acceptors = [Acceptor(spec) for spec in waiter["acceptors"]]
    delay, attempts = waiter["delay"], waiter["maxAttempts"]
    call, secrets = _operation(command, settings, stderr)
    state, last = "waiting", None  # the state so far, the acceptor that set it
    for attempt in range(1, attempts + 1):
        with translated_errors(secrets):
            response = call(params)
        looked_at = matched = None  # the AWS CLI's messages name the acceptor looked at last
        for acceptor in acceptors:
            looked_at = acceptor
            if acceptor.matches(response):
                matched = last = acceptor
                state = acceptor.state
                break
        else:
            if _is_error(response):
                error = response["Error"]
                reason = "An error occurred ({}): {}".format(
                    error.get("Code", "Unknown"), error.get("Message", "Unknown")
                )
                _debug(settings, stderr, name, attempt, attempts, f"unexpected error: {reason}")
                raise WaiterError(name, reason)
        if settings.debug:
            why = matched.explanation if matched is not None else "no acceptor matched"
            _debug(settings, stderr, name, attempt, attempts, f"{state} ({why})")
        if state == "success":
            return
        if state == "failure":
            reason = f"Waiter encountered a terminal failure state: {looked_at.explanation}"
            raise WaiterError(name, reason)
        if attempt < attempts:
            sleep(delay)
    reason = "Max attempts exceeded"
    if last is not None:
        reason += f". Previously accepted state: {looked_at.explanation}"
    raise WaiterError(name, reason)


def _debug(settings, stderr, name: str, attempt: int, attempts: int, text: str) -> None:
    if settings.debug:
        stderr.write(f"{settings.prog}: waiter {name}: attempt {attempt} of {attempts}: {text}\n")


def _operation(command, settings: SendSettings, stderr):
    """``call(params)`` for the command's operation: the response, or a service error's
    response (what acceptors look at); and the secrets no message may repeat."""
    http = None
    if command.raw.get("service_http") is not None:  # a plain HTTP API: unsigned, its own auth
        from cli_core.send.http import plan

        http = plan(command, settings)
        settings = http.settings
    if settings.endpoint_url is not None:
        check_endpoint_url(settings.endpoint_url)
    if settings.verify is False:
        stderr.write(NO_VERIFY_WARNING + "\n")
    secrets = env_secrets(settings.environ)
    with translated_errors(secrets):
        try:
            session, client = build_client(command, settings)
        except ValueError as exc:  # as ``transport.send`` says it: only settings go in
            from cli_core.settings import redact_text, shown

            problem = shown(redact_text(str(exc), secrets), 200)
            raise ConfigError(
                f"A setting was refused while preparing the request: {problem}"
            ) from None
        secrets |= credential_secrets(session, settings)
        if http is not None:
            http.attach(client.meta.events)
            secrets |= http.secrets
        if settings.debug:
            from cli_core.send.debuglog import DebugLog

            credentials = session.get_credentials if settings.sign else None
            DebugLog(command, stderr, credentials, f"{settings.prog}: ", secrets).attach(
                client.meta.events
            )
        from botocore import xform_name
        from botocore.exceptions import ClientError

    method = getattr(client, xform_name(command.operation))

    def call(params: dict) -> dict:
        try:
            return method(**params)
        except ClientError as exc:
            return exc.response

    return call, frozenset(secrets)
