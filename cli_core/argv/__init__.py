"""Stage 2 — argv: the command line of one command, parsed and converted by the member shapes."""
