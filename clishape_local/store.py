"""The local service — its SQLite state: domains, speaker enrollment jobs and speakers.

Each record is kept as the JSON document the service answers with (``body``) beside the few
columns the service searches by. ``seq`` (insertion order) is what pagination tokens point at.

Concurrency: one connection shared by every request thread, guarded by a re-entrant lock;
``transaction()`` holds the lock and an SQLite ``BEGIN IMMEDIATE`` transaction, so a
read-change-write of one job is atomic within this process and against another process using
the same state folder (WAL mode, busy timeout).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from pathlib import Path

DB_NAME = "voiceid.sqlite3"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS domains (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    client_token TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    domain_id TEXT NOT NULL,
    client_token TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    work TEXT NOT NULL,
    UNIQUE (domain_id, client_token)
);
CREATE INDEX IF NOT EXISTS jobs_by_domain ON jobs (domain_id, seq);
CREATE TABLE IF NOT EXISTS speakers (
    domain_id TEXT NOT NULL,
    generated_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (domain_id, generated_id),
    UNIQUE (domain_id, customer_id)
);
"""


class Store:
    """All persistent state of one local service, in ``<state_dir>/voiceid.sqlite3``."""

    def __init__(self, state_dir: str | Path):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / DB_NAME
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        with self.transaction():
            self._create_schema()

    def _create_schema(self) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._conn.execute(statement)
        self._conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
        )

    @contextlib.contextmanager
    def transaction(self):
        """Hold the lock and one SQLite transaction; nested calls join the outer one."""
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the local service store is closed")
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outer:
                    self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _one(self, sql: str, args: tuple):
        with self.transaction():
            return self._conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple) -> list:
        with self.transaction():
            return self._conn.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple) -> None:
        with self.transaction():
            self._conn.execute(sql, args)

    # -- domains ---------------------------------------------------------------------------
    def add_domain(self, domain: dict, client_token: str | None) -> None:
        self._run(
            "INSERT INTO domains (id, client_token, body) VALUES (?, ?, ?)",
            (domain["DomainId"], client_token, json.dumps(domain)),
        )

    def domain(self, domain_id: str) -> dict | None:
        row = self._one("SELECT body FROM domains WHERE id = ?", (domain_id,))
        return json.loads(row[0]) if row else None

    def domain_by_token(self, client_token: str) -> dict | None:
        row = self._one("SELECT body FROM domains WHERE client_token = ?", (client_token,))
        return json.loads(row[0]) if row else None

    def domains_page(self, after_seq: int, limit: int) -> list[tuple[int, dict]]:
        rows = self._all(
            "SELECT seq, body FROM domains WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
        )
        return [(seq, json.loads(body)) for seq, body in rows]

    # -- jobs ------------------------------------------------------------------------------
    def add_job(self, job: dict, work: dict, client_token: str | None) -> None:
        self._run(
            "INSERT INTO jobs (id, domain_id, client_token, status, body, work)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                job["JobId"],
                job["DomainId"],
                client_token,
                job["JobStatus"],
                json.dumps(job),
                json.dumps(work),
            ),
        )

    def job(self, job_id: str) -> tuple[dict, dict] | None:
        row = self._one("SELECT body, work FROM jobs WHERE id = ?", (job_id,))
        return (json.loads(row[0]), json.loads(row[1])) if row else None

    def job_by_token(self, domain_id: str, client_token: str) -> dict | None:
        row = self._one(
            "SELECT body FROM jobs WHERE domain_id = ? AND client_token = ?",
            (domain_id, client_token),
        )
        return json.loads(row[0]) if row else None

    def save_job(self, job: dict, work: dict) -> None:
        self._run(
            "UPDATE jobs SET status = ?, body = ?, work = ? WHERE id = ?",
            (job["JobStatus"], json.dumps(job), json.dumps(work), job["JobId"]),
        )

    def unfinished_jobs(self, domain_id: str) -> list[tuple[dict, dict]]:
        rows = self._all(
            "SELECT body, work FROM jobs WHERE domain_id = ?"
            " AND status IN ('SUBMITTED', 'IN_PROGRESS') ORDER BY seq",
            (domain_id,),
        )
        return [(json.loads(body), json.loads(work)) for body, work in rows]

    def jobs_page(
        self, domain_id: str, status: str | None, after_seq: int, limit: int
    ) -> list[tuple[int, dict]]:
        sql = "SELECT seq, body FROM jobs WHERE domain_id = ? AND seq > ?"
        args: tuple = (domain_id, after_seq)
        if status is not None:
            sql += " AND status = ?"
            args += (status,)
        rows = self._all(sql + " ORDER BY seq LIMIT ?", args + (limit,))
        return [(seq, json.loads(body)) for seq, body in rows]

    # -- speakers --------------------------------------------------------------------------
    def speaker(self, domain_id: str, speaker_id: str) -> dict | None:
        column = "generated_id" if speaker_id.startswith("id#") else "customer_id"
        row = self._one(
            f"SELECT body FROM speakers WHERE domain_id = ? AND {column} = ?",
            (domain_id, speaker_id),
        )
        return json.loads(row[0]) if row else None

    def put_speaker(self, speaker: dict) -> None:
        self._run(
            "INSERT INTO speakers (domain_id, generated_id, customer_id, body) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (domain_id, generated_id) DO UPDATE SET body = excluded.body",
            (
                speaker["DomainId"],
                speaker["GeneratedSpeakerId"],
                speaker["CustomerSpeakerId"],
                json.dumps(speaker),
            ),
        )
