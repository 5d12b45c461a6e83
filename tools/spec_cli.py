"""Tooling — ``clishape-spec``: tooling for spec authors (lint, import from botocore, diff).

clishape-spec lint [PATH|SERVICE ...]
clishape-spec import-botocore SERVICE|PATH ... --out DIR
clishape-spec import-botocore --all --out DIR
clishape-spec import-openapi FILE --out DIR [--service NAME]
clishape-spec diff SPEC_DIR --against botocore:SERVICE|botocore:PATH
clishape-spec schema [service|command]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from cli_core.errors import CLIError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clishape-spec", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)

    lint = sub.add_parser("lint", help="check spec files against the format")
    lint.add_argument(
        "paths",
        nargs="*",
        metavar="PATH|SERVICE",
        help="files, service folders, spec roots, or service names on the spec path "
        "(default: every spec root)",
    )

    imp = sub.add_parser("import-botocore", help="turn botocore service models into specs")
    imp.add_argument("sources", nargs="*", metavar="SERVICE|PATH")
    imp.add_argument("--all", action="store_true", help="every service of the installed botocore")
    imp.add_argument("--out", required=True, type=Path, metavar="DIR")
    imp.add_argument("--quiet", action="store_true", help="only the final summary")

    oas = sub.add_parser(
        "import-openapi", help="turn an OpenAPI 3.0/3.1 document (YAML or JSON) into a service"
    )
    oas.add_argument("document", type=Path, metavar="FILE")
    oas.add_argument("--out", required=True, type=Path, metavar="DIR")
    oas.add_argument(
        "--service", metavar="NAME", help="the service name (default: from info.title)"
    )
    oas.add_argument("--quiet", action="store_true", help="only the summary, not the report")

    diff = sub.add_parser("diff", help="compare a spec folder with the upstream model")
    diff.add_argument("folder", type=Path, metavar="SPEC_DIR")
    diff.add_argument("--against", required=True, metavar="botocore:SERVICE")

    schema = sub.add_parser("schema", help="print the spec format as a JSON Schema (for editors)")
    schema.add_argument("kind", nargs="?", choices=("service", "command"), default="command")

    args = parser.parse_args(argv)
    try:
        if args.action == "lint":
            return _lint(args)
        if args.action == "import-botocore":
            return _import(args, parser)
        if args.action == "import-openapi":
            return _import_openapi(args, parser)
        if args.action == "schema":
            return _schema(args)
        return _diff(args, parser)
    except (LookupError, FileNotFoundError) as exc:
        print(f"clishape-spec: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except CLIError as exc:
        print(f"clishape-spec: {exc}", file=sys.stderr)
        return exc.exit_code


def _lint(args) -> int:
    from clishape_tools.lint import lint_paths

    result = lint_paths([Path(p) for p in args.paths] or None, os.environ)
    for problem in result.problems:  # a report: every problem, not the runtime's first 20
        print(problem)
    print(result.summary(), file=sys.stderr if result.problems else sys.stdout)
    return 1 if result.problems else 0


def _schema(args) -> int:
    import json

    from clishape_tools.spec_schema import spec_schema

    print(json.dumps(spec_schema(args.kind), indent=2))
    return 0


def _import(args, parser) -> int:
    from clishape_tools.import_botocore import import_service, installed_services

    sources = list(args.sources)
    if args.all:
        sources += installed_services()
    if not sources:
        parser.error("import-botocore: name a SERVICE or PATH, or give --all")
    started = time.perf_counter()
    written = unchanged = kept = 0
    for source in sources:
        result = import_service(source, args.out)
        written += len(result.written)
        unchanged += len(result.unchanged)
        kept += len(result.skipped)
        if not args.quiet:
            print(result.summary())
        for path, changes in result.skipped.items():
            print(f"  kept hand-written {path} (no marker line); the model differs:")
            for line in changes:
                print(f"    {line}")
    elapsed = time.perf_counter() - started
    print(
        f"{len(sources)} service(s): {written} file(s) written, {unchanged} unchanged, "
        f"{kept} hand-written kept, in {elapsed:.1f}s"
    )
    return 0


def _import_openapi(args, parser) -> int:
    import re

    from cli_core.specs.format import NAME_PATTERN
    from clishape_tools.import_openapi import OpenAPIError, import_openapi

    if args.service is not None and not re.match(NAME_PATTERN, args.service):
        parser.error(
            f"import-openapi: --service {args.service!r}: expected lower-case letters, digits "
            "and dashes"
        )
    try:
        result, written = import_openapi(args.document, args.out, args.service)
    except OpenAPIError as exc:
        print(f"clishape-spec: {exc}", file=sys.stderr)
        return 2
    print(
        f"{result.summary()}\n{written.folder}: {len(written.written)} file(s) written, "
        f"{len(written.unchanged)} unchanged, {len(written.kept)} hand-written kept"
    )
    for path in written.kept:
        print(f"  kept hand-written {path} (no marker line)")
    if not args.quiet and result.report.entries:
        print("Not expressed (operation by operation):")
        for line in result.report.lines():
            print(f"  {line}")
    return 0


def _diff(args, parser) -> int:
    from clishape_tools.import_botocore import convert_model, load_model
    from clishape_tools.spec_diff import diff_folder

    kind, _, source = args.against.partition(":")
    if kind != "botocore" or not source:
        parser.error("diff: --against must be botocore:SERVICE or botocore:PATH")
    if not (args.folder / "_service.yaml").is_file():
        print(
            f"clishape-spec: {args.folder} is not a spec folder (no _service.yaml)", file=sys.stderr
        )
        return 2
    lines = diff_folder(args.folder, convert_model(load_model(source)))
    for line in lines:
        print(line)
    if not lines:
        print(f"{args.folder}: no differences from botocore:{source}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
