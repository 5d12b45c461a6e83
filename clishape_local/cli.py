"""The local service — ``clishape-local``: run the local Voice ID service, or seed it with demo data.

    clishape-local serve [--host 127.0.0.1] [--port 7685] [--state-dir D] [--s3-root R] [--samples]
    clishape-local seed [--state-dir D] [--s3-root R] [--format json|shell]
    clishape-local env [--host H] [--port P] [--all-services]

``serve`` prints, as it starts, its endpoint and the credentials it accepts; ``env`` prints the
shell lines that point boto3, the AWS CLI and clishape at a ``serve`` with the same options
(``eval "$(clishape-local env)"``). The port defaults to ``$CLISHAPE_LOCAL_PORT``, else 7685;
the credentials to ``$CLISHAPE_LOCAL_ACCESS_KEY``/``$CLISHAPE_LOCAL_SECRET_KEY``, else the
built-in local pair.

``seed`` writes a bundled sample manifest and its audio files into the fake S3 folder, creates a
demo domain and runs one speaker enrollment job to COMPLETED, then prints their ids. It is
idempotent (fixed client tokens): running it again prints the same ids.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import wave
from pathlib import Path

from clishape_local.embedded import (
    ACCESS_KEY_ENV,
    DEFAULT_ACCESS_KEY,
    DEFAULT_SECRET_KEY,
    HOME_ENV,
    SAMPLES_ENV,
    SECRET_KEY_ENV,
)
from clishape_local.store import NewerStateError

DEFAULT_PORT = 7685
PORT_ENV = "CLISHAPE_LOCAL_PORT"
DEFAULT_REGION = "us-east-1"
DEMO_BUCKET = "clishape-demo"
DEMO_MANIFEST_KEY = "enrollment/manifest.json"
DEMO_OUTPUT_URI = f"s3://{DEMO_BUCKET}/enrollment-output"
DEMO_ROLE_ARN = "arn:aws:iam::123456789012:role/clishape-demo-voiceid-access"
DEMO_SPEAKERS = ("caller-0001", "caller-0002", "caller-0003")

# The bundled sample: Voice ID's batch enrollment manifest, one request per demo speaker.
SAMPLE_MANIFEST = {
    "Version": "1.0",
    "SpeakerEnrollmentRequests": [
        {
            "RequestId": f"demo-request-{index}",
            "SpeakerId": speaker,
            "AudioSpecifications": [
                {"S3Uri": f"s3://{DEMO_BUCKET}/audio/{speaker}.wav", "ChannelId": 0}
            ],
        }
        for index, speaker in enumerate(DEMO_SPEAKERS, 1)
    ],
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clishape-local",
        description="A local, persistent Voice ID service for clishape (no account, no network).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,seed,env}")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--state-dir",
            type=Path,
            help=f"folder of the service's state (default: ${HOME_ENV} or "
            "~/.local/share/clishape/local)",
        )
        sub.add_argument(
            "--s3-root", type=Path, help="folder standing in for S3 (default: <state-dir>/s3)"
        )

    def address(sub: argparse.ArgumentParser, verb: str) -> None:
        sub.add_argument("--host", default="127.0.0.1", help=f"address {verb} (default 127.0.0.1)")
        free = ", 0 for any free one" if verb == "to bind" else ""
        sub.add_argument(
            "--port",
            type=_port,
            help=f"0 to 65535{free} (default ${PORT_ENV}, else {DEFAULT_PORT})",
        )
        sub.add_argument(
            "--access-key",
            help=f"access key id {'to accept' if verb == 'to bind' else 'the service accepts'} "
            f"(default ${ACCESS_KEY_ENV}, else {DEFAULT_ACCESS_KEY})",
        )
        sub.add_argument(
            "--secret-key",
            help=f"its secret key (default ${SECRET_KEY_ENV}, else {DEFAULT_SECRET_KEY})",
        )

    serve = commands.add_parser("serve", help="serve Voice ID over HTTP until interrupted")
    common(serve)
    address(serve, "to bind")
    serve.add_argument(
        "--samples",
        action="store_true",
        help="answer operations the service does not implement with the spec's sample response "
        "(marked by the x-clishape-local-sample header) instead of NotImplementedException; "
        f"the embedded service's switch is {SAMPLES_ENV}=1",
    )
    serve.add_argument(
        "--step-seconds",
        type=float,
        help="advance jobs by elapsed time, one step per this many seconds "
        "(default: one step per describe/list call)",
    )
    serve.add_argument(
        "--processing-steps", type=int, default=3, help="steps a job takes enrolling (default 3)"
    )
    serve.add_argument(
        "--allow-unsigned", action="store_true", help="also accept requests without a signature"
    )
    serve.add_argument(
        "--read-timeout",
        type=_seconds,
        default=5.0,
        help="seconds a request's body may take to arrive before a 408 (default 5)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log each request")

    seed = commands.add_parser("seed", help="create a demo domain and a completed enrollment job")
    common(seed)
    seed.add_argument("--region", default="us-east-1", help="region used in the domain ARN")
    seed.add_argument(
        "--format", choices=("json", "shell"), default="json", help="how to print the ids"
    )

    env = commands.add_parser(
        "env",
        help="print the export lines that aim boto3, the AWS CLI and clishape at a serve",
        description='Print shell lines (eval "$(clishape-local env)") that aim boto3, the AWS CLI '
        "and clishape at a clishape-local serve started with the same --host/--port/--access-key/"
        "--secret-key (or the same environment).",
    )
    address(env, "the service listens on")
    env.add_argument("--region", default=DEFAULT_REGION, help="region to use (default us-east-1)")
    env.add_argument(
        "--all-services",
        action="store_true",
        help="set AWS_ENDPOINT_URL (every service) instead of AWS_ENDPOINT_URL_VOICE_ID",
    )
    return parser


def _seconds(text: str) -> float:
    """A positive number of seconds, for argparse."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds


def _port(text: str) -> int:
    """A TCP port number, for argparse: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("serve", "env"):
        _fill_defaults(parser, args, os.environ)
    if args.command == "env" and args.port == 0:
        parser.error(
            "env needs the port the service listens on (serve --port 0 prints the one it got)"
        )
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "env":
            return print_env(args)
        return seed(args)
    except (OSError, NewerStateError) as error:
        print(f"clishape-local: {error}", file=sys.stderr)
        return 255


def _fill_defaults(parser: argparse.ArgumentParser, args: argparse.Namespace, environ) -> None:
    """Port and credentials not given as options: from the environment, else the built-ins."""
    args.key_source = "--access-key" if args.access_key else None
    if args.port is None:
        text = environ.get(PORT_ENV, "").strip()
        try:
            args.port = _port(text) if text else DEFAULT_PORT
        except argparse.ArgumentTypeError as error:
            parser.error(f"{PORT_ENV}: {error}")
    if not args.access_key:
        args.access_key = environ.get(ACCESS_KEY_ENV) or DEFAULT_ACCESS_KEY
    args.secret_source = "--secret-key" if args.secret_key else None
    if not args.secret_key:
        args.secret_source = f"${SECRET_KEY_ENV}" if environ.get(SECRET_KEY_ENV) else None
        args.secret_key = environ.get(SECRET_KEY_ENV) or DEFAULT_SECRET_KEY


def client_host(host: str) -> str:
    """The address a client on this machine uses to reach a service bound to ``host``."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def env_lines(args: argparse.Namespace) -> list[str]:
    """The shell lines of ``clishape-local env``."""
    url = f"http://{client_host(args.host)}:{args.port}"
    variable = "AWS_ENDPOINT_URL" if args.all_services else "AWS_ENDPOINT_URL_VOICE_ID"
    values = {
        variable: url,
        "AWS_ACCESS_KEY_ID": args.access_key,
        "AWS_SECRET_ACCESS_KEY": args.secret_key,
        "AWS_REGION": args.region,
        "AWS_DEFAULT_REGION": args.region,
    }
    return [
        f"# clishape-local serve at {url}, for boto3, the AWS CLI and clishape:",
        *(f"export {name}={shlex.quote(value)}" for name, value in values.items()),
        "# a session token or CLISHAPE_LOCAL=1 (the embedded service) would get in the way:",
        "unset AWS_SESSION_TOKEN CLISHAPE_LOCAL",
    ]


def print_env(args: argparse.Namespace) -> int:
    print("\n".join(env_lines(args)))
    return 0


def serve(args: argparse.Namespace) -> int:
    from clishape_local.embedded import build_server

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"clishape-local: warning: listening on {args.host}, not only on loopback",
            file=sys.stderr,
        )
    server = build_server(
        args.host,
        args.port,
        args.state_dir,
        args.s3_root,
        fallback=_samples() if args.samples else None,
        access_key=args.access_key,
        secret_key=args.secret_key,
        allow_unsigned=args.allow_unsigned,
        log_requests=not args.quiet,
        processing_steps=args.processing_steps,
        step_seconds=args.step_seconds,
        read_timeout=args.read_timeout,
    )
    service = server.app.service
    print("\n".join(banner(args, server)), file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.store.close()
    return 0


def _samples():
    from clishape_local.fallback import spec_fallback

    return spec_fallback()


def banner(args: argparse.Namespace, server) -> list[str]:
    """What ``serve`` prints as it starts: where, as whom, and how to point a client at it."""
    service = server.app.service
    secret = (
        args.secret_key if args.secret_source is None else f"the one {args.secret_source} gives"
    )
    again = []
    if args.host != "127.0.0.1":
        again.append(f"--host {shlex.quote(args.host)}")
    if server.server_address[1] != DEFAULT_PORT:
        again.append(f"--port {server.server_address[1]}")
    if args.access_key != DEFAULT_ACCESS_KEY:
        again.append(f"--access-key {shlex.quote(args.access_key)}")
    if args.secret_source == "--secret-key":
        again.append("--secret-key ...")
    lines = [
        f"clishape-local: serving Voice ID at {server.url}",
        f"clishape-local: credentials accepted: access key {args.access_key}, secret key {secret}"
        " (any region; change them with --access-key/--secret-key or "
        f"${ACCESS_KEY_ENV}/${SECRET_KEY_ENV})",
    ]
    if args.allow_unsigned:
        lines.append("clishape-local: unsigned requests are accepted too (--allow-unsigned)")
    lines += [
        f"clishape-local: state {service.store.state_dir}, S3 root {service.config.s3_root}",
        "clishape-local: point boto3, the AWS CLI or clishape at it from another shell with: "
        f'eval "$(clishape-local env{"".join(" " + part for part in again)})"',
    ]
    if args.samples:
        lines.append(
            "clishape-local: --samples: operations without local state answer the spec's sample "
            "response (header x-clishape-local-sample), not real state"
        )
    lines.append("clishape-local: Ctrl-C stops it")
    return lines


def write_silence(path: Path, seconds: float = 1.0) -> None:
    """A short 8 kHz, 16-bit mono WAV of silence (what Voice ID enrollment audio looks like)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * int(8000 * seconds))


def write_sample_data(s3_root: Path) -> str:
    """Put the sample manifest and its audio into the fake S3; return the manifest's URI."""
    bucket = s3_root / DEMO_BUCKET
    manifest = bucket / DEMO_MANIFEST_KEY
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(SAMPLE_MANIFEST, indent=2) + "\n", encoding="utf-8")
    for speaker in DEMO_SPEAKERS:
        write_silence(bucket / "audio" / f"{speaker}.wav")
    return f"s3://{DEMO_BUCKET}/{DEMO_MANIFEST_KEY}"


def seed_demo(service, region: str = "us-east-1") -> dict:
    """Create (or find) the demo domain and its completed job; return what a user needs."""
    manifest_uri = write_sample_data(service.config.s3_root)
    domain = service.create_domain(
        {
            "ClientToken": "clishape-demo-domain",
            "Name": "clishape-demo",
            "Description": "Demo domain created by clishape-local seed",
            "ServerSideEncryptionConfiguration": {"KmsKeyId": "alias/clishape-demo"},
        },
        region,
    )["Domain"]
    job = service.start_speaker_enrollment_job(
        {
            "ClientToken": "clishape-demo-job",
            "DomainId": domain["DomainId"],
            "JobName": "clishape-demo-enrollment",
            "DataAccessRoleArn": DEMO_ROLE_ARN,
            "InputDataConfig": {"S3Uri": manifest_uri},
            "OutputDataConfig": {"S3Uri": DEMO_OUTPUT_URI},
        },
        region,
    )["Job"]
    job = service.run_to_end(domain["DomainId"], job["JobId"])
    output = f"{DEMO_OUTPUT_URI}/{job['JobId']}/{Path(DEMO_MANIFEST_KEY).name}.out"
    return {
        "DomainId": domain["DomainId"],
        "JobId": job["JobId"],
        "JobStatus": job["JobStatus"],
        "OutputFile": output,
        "SpeakerIds": list(DEMO_SPEAKERS),
    }


def seed(args: argparse.Namespace) -> int:
    from clishape_local.embedded import open_service

    service = open_service(args.state_dir, args.s3_root)
    try:
        result = seed_demo(service, args.region)
    finally:
        service.store.close()
    if args.format == "shell":
        print(f"CLISHAPE_DEMO_DOMAIN_ID={result['DomainId']}")
        print(f"CLISHAPE_DEMO_JOB_ID={result['JobId']}")
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
