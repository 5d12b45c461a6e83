"""Stage 5 — present: ``--query``, the output formats, the pager and the help pages."""
