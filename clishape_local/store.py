"""The local service — its SQLite state: domains, watchlists, fraudsters, speakers, both kinds of
batch job, voiceprints and tags.

Each record is kept as the JSON document the service answers with (``body``) beside the few
columns the service searches by. ``seq`` (insertion order; ``rowid`` for speakers) is what
pagination tokens point at. What the service needs but never answers with (a job's progress,
a voiceprint, an encryption update's progress) lives in columns or tables of its own.

Concurrency: one connection shared by every request thread, guarded by a re-entrant lock;
``transaction()`` holds the lock and an SQLite ``BEGIN IMMEDIATE`` transaction, so a
read-change-write is atomic within this process and against another process using the same
state folder (WAL mode, busy timeout). Every operation runs in one transaction: a rule broken
half-way (a ``ServiceFault`` raised inside) rolls back everything the operation wrote.

Schema versions (``meta.schema``): version 1 held domains, speaker enrollment jobs and speakers.
Version 2 adds the tables for watchlists, fraudsters, fraudster registration jobs, voiceprints,
tags and encryption updates. A version-1 state folder is opened as is and upgraded in place on
first open: the new tables are created and each existing domain gets the row of its default
watchlist (its id was already in ``WatchlistDetails``). Speakers enrolled under version 1 have
no voiceprint; a session answers ``SPEAKER_NOT_ENROLLED`` for them until they are enrolled
again (``ExistingEnrollmentAction`` ``OVERWRITE``). A state folder of a newer schema than this
code knows is refused (``RuntimeError``) rather than guessed at.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from pathlib import Path

DB_NAME = "voiceid.sqlite3"
SCHEMA_VERSION = 2

JOB_TABLES = {"speaker": "jobs", "fraudster": "fraudster_jobs"}

_JOB_COLUMNS = """(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    domain_id TEXT NOT NULL,
    client_token TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    work TEXT NOT NULL,
    UNIQUE (domain_id, client_token)
)"""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS domains (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    client_token TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs {_JOB_COLUMNS};
CREATE INDEX IF NOT EXISTS jobs_by_domain ON jobs (domain_id, seq);
CREATE TABLE IF NOT EXISTS speakers (
    domain_id TEXT NOT NULL,
    generated_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (domain_id, generated_id),
    UNIQUE (domain_id, customer_id)
);
CREATE TABLE IF NOT EXISTS fraudster_jobs {_JOB_COLUMNS};
CREATE INDEX IF NOT EXISTS fraudster_jobs_by_domain ON fraudster_jobs (domain_id, seq);
CREATE TABLE IF NOT EXISTS watchlists (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    domain_id TEXT NOT NULL,
    client_token TEXT,
    body TEXT NOT NULL,
    UNIQUE (domain_id, client_token)
);
CREATE TABLE IF NOT EXISTS fraudsters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (domain_id, id)
);
CREATE TABLE IF NOT EXISTS voiceprints (
    domain_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    print TEXT NOT NULL,
    PRIMARY KEY (domain_id, owner_id)
);
CREATE TABLE IF NOT EXISTS tags (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (arn, key)
);
CREATE TABLE IF NOT EXISTS domain_updates (
    domain_id TEXT PRIMARY KEY,
    work TEXT NOT NULL
);
"""


class NewerStateError(RuntimeError):
    """The state folder was written by a newer clishape-local (its schema is unknown here)."""


class _Transaction:
    """``Store.transaction()``: a context manager class rather than a generator, as every
    request enters one or more (the lock, then ``BEGIN IMMEDIATE`` on the outermost; on leaving
    it ``COMMIT``, or ``ROLLBACK`` when an exception leaves it)."""

    __slots__ = ("store", "outer")

    def __init__(self, store: Store):
        self.store = store
        self.outer = False

    def __enter__(self) -> Store:
        store = self.store
        store._lock.acquire()
        try:
            if store._conn is None:
                raise RuntimeError("the local service store is closed")
            self.outer = store._depth == 0
            if self.outer:
                store._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            store._lock.release()
            raise
        store._depth += 1
        return store

    def __exit__(self, kind, error, traceback) -> bool:
        store = self.store
        try:
            store._depth -= 1
            if self.outer:
                store._conn.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            store._lock.release()
        return False


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
        try:
            with self.transaction():
                self._create_schema()
        except BaseException:
            self._conn.close()
            raise

    def _create_schema(self) -> None:
        row = None
        with contextlib.suppress(sqlite3.OperationalError):  # no meta table yet: a new folder
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        found = int(row[0]) if row else None
        if found is not None and found > SCHEMA_VERSION:
            raise NewerStateError(
                f"the state folder {self.state_dir} has schema {found}; this clishape-local"
                f" knows schema {SCHEMA_VERSION} at most"
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._conn.execute(statement)
        if found is not None and found < 2:
            self._upgrade_to_2()
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )

    def _upgrade_to_2(self) -> None:
        """Version 1 kept no watchlists: give each domain the row of its default watchlist."""
        for (body,) in self._conn.execute("SELECT body FROM domains ORDER BY seq").fetchall():
            domain = json.loads(body)
            watchlist_id = domain["WatchlistDetails"]["DefaultWatchlistId"]
            watchlist = {
                "CreatedAt": domain["CreatedAt"],
                "DefaultWatchlist": True,
                "DomainId": domain["DomainId"],
                "Name": "Default",
                "UpdatedAt": domain["CreatedAt"],
                "WatchlistId": watchlist_id,
            }
            self._conn.execute(
                "INSERT OR IGNORE INTO watchlists (id, domain_id, body) VALUES (?, ?, ?)",
                (watchlist_id, domain["DomainId"], json.dumps(watchlist)),
            )

    def transaction(self) -> _Transaction:
        """Hold the lock and one SQLite transaction; nested calls join the outer one."""
        return _Transaction(self)

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

    def _run(self, sql: str, args: tuple) -> int:
        with self.transaction():
            return self._conn.execute(sql, args).rowcount

    def _body(self, sql: str, args: tuple) -> dict | None:
        row = self._one(sql, args)
        return json.loads(row[0]) if row else None

    def _page(self, sql: str, args: tuple) -> list[tuple[int, dict]]:
        return [(seq, json.loads(body)) for seq, body in self._all(sql, args)]

    # -- domains ---------------------------------------------------------------------------
    def add_domain(self, domain: dict, client_token: str | None) -> None:
        self._run(
            "INSERT INTO domains (id, client_token, body) VALUES (?, ?, ?)",
            (domain["DomainId"], client_token, json.dumps(domain)),
        )

    def domain(self, domain_id: str) -> dict | None:
        return self._body("SELECT body FROM domains WHERE id = ?", (domain_id,))

    def domain_by_token(self, client_token: str) -> dict | None:
        return self._body("SELECT body FROM domains WHERE client_token = ?", (client_token,))

    def save_domain(self, domain: dict) -> None:
        self._run(
            "UPDATE domains SET body = ? WHERE id = ?", (json.dumps(domain), domain["DomainId"])
        )

    def count_domains(self) -> int:
        return self._one("SELECT COUNT(*) FROM domains", ())[0]

    def domains_page(self, after_seq: int, limit: int) -> list[tuple[int, dict]]:
        return self._page(
            "SELECT seq, body FROM domains WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
        )

    def delete_domain(self, domain_id: str) -> None:
        """The domain and everything in it: watchlists, fraudsters, speakers, jobs, tags."""
        with self.transaction():
            arn = self._one(
                "SELECT json_extract(body, '$.Arn') FROM domains WHERE id = ?", (domain_id,)
            )
            for table in ("jobs", "fraudster_jobs", "speakers", "watchlists", "fraudsters",
                          "voiceprints", "domain_updates"):  # fmt: skip
                self._conn.execute(f"DELETE FROM {table} WHERE domain_id = ?", (domain_id,))
            if arn and arn[0]:
                self._conn.execute("DELETE FROM tags WHERE arn = ?", (arn[0],))
            self._conn.execute("DELETE FROM domains WHERE id = ?", (domain_id,))

    def domain_update(self, domain_id: str) -> dict | None:
        return self._body("SELECT work FROM domain_updates WHERE domain_id = ?", (domain_id,))

    def put_domain_update(self, domain_id: str, work: dict | None) -> None:
        if work is None:
            self._run("DELETE FROM domain_updates WHERE domain_id = ?", (domain_id,))
        else:
            self._run(
                "INSERT INTO domain_updates (domain_id, work) VALUES (?, ?)"
                " ON CONFLICT (domain_id) DO UPDATE SET work = excluded.work",
                (domain_id, json.dumps(work)),
            )

    # -- jobs (kind: "speaker" enrollment or "fraudster" registration) ---------------------
    def add_job(self, job: dict, work: dict, client_token: str | None, kind="speaker") -> None:
        self._run(
            f"INSERT INTO {JOB_TABLES[kind]} (id, domain_id, client_token, status, body, work)"
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

    def job(self, job_id: str, kind="speaker") -> tuple[dict, dict] | None:
        row = self._one(f"SELECT body, work FROM {JOB_TABLES[kind]} WHERE id = ?", (job_id,))
        return (json.loads(row[0]), json.loads(row[1])) if row else None

    def job_in_domain(
        self, domain_id: str, job_id: str, kind="speaker"
    ) -> tuple[bool, dict | None, dict | None]:
        """(whether the domain exists, the job, its work) in one query; the job is None when
        there is none of that id, its work None once it has finished (nothing reads it then)."""
        row = self._one(
            "SELECT EXISTS (SELECT 1 FROM domains WHERE id = ?), job.body,"
            " CASE WHEN job.status IN ('SUBMITTED', 'IN_PROGRESS') THEN job.work END"
            f" FROM (SELECT 1) LEFT JOIN {JOB_TABLES[kind]} AS job ON job.id = ?",
            (domain_id, job_id),
        )
        exists, body, work = row
        return (
            bool(exists),
            None if body is None else json.loads(body),
            None if work is None else json.loads(work),
        )

    def job_by_token(self, domain_id: str, client_token: str, kind="speaker") -> dict | None:
        return self._body(
            f"SELECT body FROM {JOB_TABLES[kind]} WHERE domain_id = ? AND client_token = ?",
            (domain_id, client_token),
        )

    def save_job(self, job: dict, work: dict, kind="speaker") -> None:
        self._run(
            f"UPDATE {JOB_TABLES[kind]} SET status = ?, body = ?, work = ? WHERE id = ?",
            (job["JobStatus"], json.dumps(job), json.dumps(work), job["JobId"]),
        )

    def unfinished_jobs(self, domain_id: str, kind="speaker") -> list[tuple[dict, dict]]:
        rows = self._all(
            f"SELECT body, work FROM {JOB_TABLES[kind]} WHERE domain_id = ?"
            " AND status IN ('SUBMITTED', 'IN_PROGRESS') ORDER BY seq",
            (domain_id,),
        )
        return [(json.loads(body), json.loads(work)) for body, work in rows]

    def jobs_page(
        self, domain_id: str, status: str | None, after_seq: int, limit: int, kind="speaker"
    ) -> list[tuple[int, dict]]:
        sql = f"SELECT seq, body FROM {JOB_TABLES[kind]} WHERE domain_id = ? AND seq > ?"
        args: tuple = (domain_id, after_seq)
        if status is not None:
            sql += " AND status = ?"
            args += (status,)
        return self._page(sql + " ORDER BY seq LIMIT ?", args + (limit,))

    # -- speakers --------------------------------------------------------------------------
    def speaker(self, domain_id: str, speaker_id: str) -> dict | None:
        column = "generated_id" if speaker_id.startswith("id#") else "customer_id"
        return self._body(
            f"SELECT body FROM speakers WHERE domain_id = ? AND {column} = ?",
            (domain_id, speaker_id),
        )

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

    def delete_speaker(self, domain_id: str, generated_id: str) -> None:
        with self.transaction():
            self._conn.execute(
                "DELETE FROM speakers WHERE domain_id = ? AND generated_id = ?",
                (domain_id, generated_id),
            )
            self.put_voiceprint(domain_id, generated_id, None)

    def count_speakers(self, domain_id: str) -> int:
        return self._one("SELECT COUNT(*) FROM speakers WHERE domain_id = ?", (domain_id,))[0]

    def speakers_page(self, domain_id: str, after: int, limit: int) -> list[tuple[int, dict]]:
        return self._page(
            "SELECT rowid, body FROM speakers WHERE domain_id = ? AND rowid > ?"
            " ORDER BY rowid LIMIT ?",
            (domain_id, after, limit),
        )

    # -- watchlists ------------------------------------------------------------------------
    def add_watchlist(self, watchlist: dict, client_token: str | None) -> None:
        self._run(
            "INSERT INTO watchlists (id, domain_id, client_token, body) VALUES (?, ?, ?, ?)",
            (watchlist["WatchlistId"], watchlist["DomainId"], client_token, json.dumps(watchlist)),
        )

    def watchlist(self, domain_id: str, watchlist_id: str) -> dict | None:
        return self._body(
            "SELECT body FROM watchlists WHERE domain_id = ? AND id = ?", (domain_id, watchlist_id)
        )

    def watchlist_by_token(self, domain_id: str, client_token: str) -> dict | None:
        return self._body(
            "SELECT body FROM watchlists WHERE domain_id = ? AND client_token = ?",
            (domain_id, client_token),
        )

    def save_watchlist(self, watchlist: dict) -> None:
        self._run(
            "UPDATE watchlists SET body = ? WHERE id = ?",
            (json.dumps(watchlist), watchlist["WatchlistId"]),
        )

    def delete_watchlist(self, domain_id: str, watchlist_id: str) -> None:
        self._run(
            "DELETE FROM watchlists WHERE domain_id = ? AND id = ?", (domain_id, watchlist_id)
        )

    def count_watchlists(self, domain_id: str) -> int:
        return self._one("SELECT COUNT(*) FROM watchlists WHERE domain_id = ?", (domain_id,))[0]

    def watchlists_page(self, domain_id: str, after: int, limit: int) -> list[tuple[int, dict]]:
        return self._page(
            "SELECT seq, body FROM watchlists WHERE domain_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (domain_id, after, limit),
        )

    # -- fraudsters ------------------------------------------------------------------------
    def fraudster(self, domain_id: str, fraudster_id: str) -> dict | None:
        return self._body(
            "SELECT body FROM fraudsters WHERE domain_id = ? AND id = ?", (domain_id, fraudster_id)
        )

    def put_fraudster(self, fraudster: dict) -> None:
        self._run(
            "INSERT INTO fraudsters (domain_id, id, body) VALUES (?, ?, ?)"
            " ON CONFLICT (domain_id, id) DO UPDATE SET body = excluded.body",
            (fraudster["DomainId"], fraudster["GeneratedFraudsterId"], json.dumps(fraudster)),
        )

    def delete_fraudster(self, domain_id: str, fraudster_id: str) -> None:
        with self.transaction():
            self._conn.execute(
                "DELETE FROM fraudsters WHERE domain_id = ? AND id = ?", (domain_id, fraudster_id)
            )
            self.put_voiceprint(domain_id, fraudster_id, None)

    def count_fraudsters(self, domain_id: str, watchlist_id: str | None = None) -> int:
        sql, args = self._fraudster_filter(domain_id, watchlist_id)
        return self._one("SELECT COUNT(*) FROM fraudsters" + sql, args)[0]

    def fraudsters_page(
        self, domain_id: str, watchlist_id: str | None, after: int, limit: int
    ) -> list[tuple[int, dict]]:
        sql, args = self._fraudster_filter(domain_id, watchlist_id)
        return self._page(
            "SELECT seq, body FROM fraudsters" + sql + " AND seq > ? ORDER BY seq LIMIT ?",
            args + (after, limit),
        )

    def fraudsters_with_prints(
        self, domain_id: str, watchlist_id: str | None = None
    ) -> list[tuple[str, dict]]:
        """(fraudster id, voiceprint) of every fraudster (of the watchlist), oldest first."""
        sql, args = self._fraudster_filter(domain_id, watchlist_id)
        rows = self._all(
            "SELECT fraudsters.id, voiceprints.print FROM fraudsters JOIN voiceprints"
            " ON voiceprints.domain_id = fraudsters.domain_id"
            " AND voiceprints.owner_id = fraudsters.id"
            + sql.replace("domain_id = ?", "fraudsters.domain_id = ?", 1)
            + " ORDER BY fraudsters.seq",
            args,
        )
        return [(fraudster_id, json.loads(print_)) for fraudster_id, print_ in rows]

    @staticmethod
    def _fraudster_filter(domain_id: str, watchlist_id: str | None) -> tuple[str, tuple]:
        sql = " WHERE domain_id = ?"
        args: tuple = (domain_id,)
        if watchlist_id is not None:
            sql += " AND EXISTS (SELECT 1 FROM json_each(body, '$.WatchlistIds') WHERE value = ?)"
            args += (watchlist_id,)
        return sql, args

    # -- voiceprints -----------------------------------------------------------------------
    def voiceprint(self, domain_id: str, owner_id: str) -> dict | None:
        return self._body(
            "SELECT print FROM voiceprints WHERE domain_id = ? AND owner_id = ?",
            (domain_id, owner_id),
        )

    def put_voiceprint(self, domain_id: str, owner_id: str, print_: dict | None) -> None:
        if print_ is None:
            self._run(
                "DELETE FROM voiceprints WHERE domain_id = ? AND owner_id = ?",
                (domain_id, owner_id),
            )
        else:
            self._run(
                "INSERT INTO voiceprints (domain_id, owner_id, print) VALUES (?, ?, ?)"
                " ON CONFLICT (domain_id, owner_id) DO UPDATE SET print = excluded.print",
                (domain_id, owner_id, json.dumps(print_)),
            )

    # -- tags ------------------------------------------------------------------------------
    def tags(self, arn: str) -> list[dict]:
        rows = self._all("SELECT key, value FROM tags WHERE arn = ? ORDER BY seq", (arn,))
        return [{"Key": key, "Value": value} for key, value in rows]

    def put_tag(self, arn: str, key: str, value: str) -> None:
        self._run(
            "INSERT INTO tags (arn, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
            (arn, key, value),
        )

    def delete_tag(self, arn: str, key: str) -> None:
        self._run("DELETE FROM tags WHERE arn = ? AND key = ?", (arn, key))
