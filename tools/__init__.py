"""clishape's tooling (installed as ``clishape_tools``): spec importer, linter, schema, benchmarks."""
