"""The ``notes`` program: one ``cli_core.App`` (``notes = "notes_cli.cli:app.main"``)."""

from __future__ import annotations

from cli_core import App

from notes_cli import __version__


def local_endpoint(home, environ):
    """``NOTES_LOCAL=1``: send the voice-id commands to clishape's embedded Voice ID service,
    which keeps its state under ``NOTES_LOCAL_HOME`` (default: ``NOTES_HOME/local``)."""
    from clishape_local.embedded import local_endpoint as start

    from notes_cli.store import notes_home

    return start(home or str(notes_home(environ) / "local"), environ)


app = App(
    name="notes",
    version=__version__,
    specs=["notes_cli:specs"],  # the folder specs/ inside the installed package
    description="notes keeps short notes with tags and files, and talks to Voice ID.",
    families=("core", "http", "aws"),  # aws: the voice-id commands send through botocore
    default_service="notes",  # `notes create-note` for `notes notes create-note`
    local_endpoint=local_endpoint,
)
