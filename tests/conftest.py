"""Shared test settings and fixtures.

Hypothesis runs without its per-example deadline everywhere: a deadline is a wall-clock
assertion, and a busy machine would fail it. (Speed is measured by ``tools/bench.py``.)

``report`` keeps long diagnostics (the parity tables, the import figures) out of a plain
``python -m pytest``: each report is written to ``.pytest_cache/d/clishape-reports/NAME.txt``
(or the session's temporary folder without the cache plugin) and shown on the terminal only
with ``-v`` (the project's ``addopts`` has ``-q``, so ``-v`` brings it back to normal verbosity).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("clishape", deadline=None)
settings.load_profile("clishape")


def pytest_configure(config):
    # When a property fails, Hypothesis imports libcst (to suggest an @example patch), whose
    # DeprecationWarnings would add a page to the report that is not about our code.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:libcst.*")


def _reports_folder(config: pytest.Config, tmp_path_factory) -> Path:
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("clishape-reports"))
    folder = tmp_path_factory.getbasetemp() / "clishape-reports"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def report(pytestconfig, tmp_path_factory):
    """``report(name, text)``: keep a long report in a file; print it only when verbose."""
    folder = _reports_folder(pytestconfig, tmp_path_factory)
    plugins = pytestconfig.pluginmanager
    terminal = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")

    def write(name: str, text: str) -> Path:
        path = folder / f"{name}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        if terminal is not None and pytestconfig.get_verbosity() >= 0:
            with capture.global_and_fixture_disabled() if capture else nullcontext():
                terminal.write_line("")
                terminal.write_line(text)
        return path

    return write


# The real AWS emulator (moto in server mode) and the imported specs of the services it serves.
from emulator import aws_specs, moto, moto_server  # noqa: E402,F401
