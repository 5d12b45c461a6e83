"""Stage 3 — request: input documents merged under the command line, binary format, validation,
and the skeletons that answer ``--generate-cli-skeleton`` instead of a request."""
