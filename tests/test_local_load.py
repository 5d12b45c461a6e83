"""The local service under load and killed under load (``clishape_tools.local_load``).

16 parallel boto3 clients, at least 2,000 requests over every operation family the service
implements (the ones it answers NotImplementedException are left out by the tool and listed):
no 5xx, no transport error, every acknowledged write read back, ``PRAGMA integrity_check`` ok;
and the same with the server SIGKILLed half-way and restarted on the same state folder. The
tool prints the rates; nothing here looks at a clock.
"""

from __future__ import annotations

import random

import pytest

from clishape_local import start_embedded
from clishape_tools import local_load
from clishape_tools.local_load import OPERATIONS, Client, Report, Run, boto_client, run_load

pytestmark = pytest.mark.slow


def assert_sound(report: Report) -> None:
    text = report.text()
    assert report.requests >= 2000, text
    assert report.server_errors == [], text
    assert report.transport_errors == [], text
    assert report.lost == [], text
    assert report.integrity == "ok", text
    assert report.tracebacks == 0, text
    implemented = {op.family for op in OPERATIONS if op.name not in report.unimplemented}
    assert implemented <= report.families, text
    assert {"domains", "enrollment jobs", "speakers"} <= report.families, text
    assert report.writes_acknowledged > 16, text  # more than the clients' own domains
    assert report.ok and text.endswith("\nOK")


def test_sixteen_clients_two_thousand_requests(tmp_path):
    report = run_load(tmp_path / "state", clients=16, requests=2000, seed=1)
    assert_sound(report)
    assert report.killed_after is None


def test_sigkill_mid_load_loses_no_acknowledged_write(tmp_path):
    report = run_load(tmp_path / "state", clients=16, requests=2000, kill=True, seed=2)
    assert_sound(report)
    assert report.killed_after is not None and report.killed_after >= 1000
    assert report.integrity_after_kill == "ok"
    assert "SIGKILL after" in report.text()


def test_the_read_back_finds_a_write_that_is_not_there(tmp_path):
    """The verification can fail: a job never made and a description never set are reported."""
    with start_embedded(tmp_path / "state") as running:
        boto = boto_client(running.url)
        client = Client(0, Run(Report()), boto, random.Random(0))
        local_load.set_up(client, running.s3_root)
        assert local_load.verify(client, boto) == []
        client.jobs.append(("A" * 22, "never-started"))
        client.description_candidates = {"never set"}
        lost = local_load.verify(client, boto)
    assert len(lost) == 2
    assert "never-started" in lost[1] and "never set" in lost[0]


def test_the_tool_prints_rates_and_exits_0(tmp_path, capsys):
    assert (
        local_load.main(["--clients", "2", "--requests", "40", "--state-dir", str(tmp_path / "s")])
        == 0
    )
    out = capsys.readouterr().out
    assert "requests/s" in out and "p95 ms" in out and "PRAGMA integrity_check: ok" in out
