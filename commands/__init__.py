"""The clishape app (installed as ``clishape_commands``): its entry point, built on the engine."""
