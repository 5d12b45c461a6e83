"""Stage 4 — send: the wire, through botocore (imported only here), pagination and debug logs."""
