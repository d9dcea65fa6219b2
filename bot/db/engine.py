"""Engine and unit of work: one engine per process, one transaction per service call."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.db import bounds

log = logging.getLogger(__name__)

# Writers queue for up to 2 s: long enough for bursts, short enough to answer inside Slack's 3 s.
SQLITE_BUSY_TIMEOUT_MS = 2000
# A bulk write (an import) runs in the background: it may queue longer.
BULK_WAIT_SECONDS = 60.0
# A request queued behind a bulk write of this process may wait this much longer: a 50,000-row
# import holds the lock ~1.7 s (bench/NOTES.md §2), a little more on a busy box. 2.5 s still
# answers inside Slack's 3 s.
BEHIND_BULK_EXTRA_SECONDS = 0.5
# Per connection: (busy_timeout ms, cache_size, wal_autocheckpoint) for requests and for a bulk
# write. The bulk write gets a 32 MB page cache (a third faster on a million invites: index pages
# stay in memory) and no checkpoint inside its commit; it checkpoints once the lock is released.
_SQLITE_MODES = {
    False: (SQLITE_BUSY_TIMEOUT_MS, -2000, 1000),
    True: (round(BULK_WAIT_SECONDS * 1000), -32768, 0),
}


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # pysqlite's own BEGIN handling defers locks; we issue BEGIN IMMEDIATE ourselves
            # for writes (see `Database.session`) so concurrent writers queue instead of failing.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            options = conn.get_execution_options()
            bulk = bool(options.get("bulk", False))
            if conn.connection.info.get("bulk", False) != bulk:
                # Straight on the DBAPI connection: not a statement of the unit of work.
                busy_ms, cache_size, checkpoint_pages = _SQLITE_MODES[bulk]
                dbapi_connection = conn.connection.dbapi_connection
                dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")
                dbapi_connection.execute(f"PRAGMA cache_size={cache_size}")
                dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={checkpoint_pages}")
                conn.connection.info["bulk"] = bulk
            conn.exec_driver_sql("BEGIN" if options.get("read_only", False) else "BEGIN IMMEDIATE")

        return engine
    # pool_pre_ping replaces connections that died while the server was away (recovery without
    # a restart). Every wait on a connection (connect, pre-ping, statement, COMMIT) is bounded by
    # the caller's deadline, and TCP and the server have their own bounds: see bot/db/bounds.py.
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                           pool_timeout=bounds.POOL_TIMEOUT_S, connect_args=bounds.connect_args(dict(parsed.query)))

    @event.listens_for(engine, "do_connect")
    def _bounded_connect(_dialect, _record, cargs, cparams):
        return bounds.bounded_connect(cargs, cparams)

    @event.listens_for(engine, "begin")
    def _bulk_bounds(conn) -> None:
        if conn.get_execution_options().get("bulk", False):
            conn.exec_driver_sql(bounds.set_local(bounds.BULK_SERVER_SETTINGS))

    return engine


def dialect_insert(session: Session):
    """The dialect's INSERT construct, which has `on_conflict_do_nothing` on both backends."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (sqlite if session.get_bind().dialect.name == "sqlite" else postgresql).insert


# The read session a `Database.reading()` block lends to the read sessions opened inside it (this
# thread or task only: a background thread starts without it).
_lent_read: contextvars.ContextVar[tuple[Database, Session] | None] = contextvars.ContextVar(
    "lent_read_session", default=None)


class DatabaseUnavailable(Exception):
    """The database could not be reached or locked in time; nothing was written."""


class Database:
    """Owns the engine; `session()` is the unit of work services open for each call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time. Threads of this process queue on a lock (fair and
        # cheap) rather than in SQLite's busy handler, which can starve a thread under load;
        # other processes still wait through busy_timeout.
        self._sqlite_writer = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._bulk_writing = False  # a bulk session holds _sqlite_writer
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # PostgreSQL reads run READ ONLY: the server refuses a write in them, and their COMMIT needs no
        # deadline check (bot/db/bounds.py).
        reading = {"postgresql_readonly": True} if engine.dialect.name == "postgresql" else {}
        self._read_sessions = sessionmaker(engine.execution_options(read_only=True, **reading), expire_on_commit=False)
        self._bulk_sessions = sessionmaker(engine.execution_options(bulk=True), expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Build a Database from a SQLAlchemy URL."""
        return cls(make_engine(url))

    @property
    def is_sqlite(self) -> bool:
        """True when the backend is SQLite."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, *, write: bool = True, bulk: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on error.

        `bulk` is for a large write in the background (an import): on SQLite it queues up to a
        minute for the write lock instead of 2 s, and the WAL checkpoint its pages call for
        runs after the lock is released, so it does not keep other writers waiting. A request
        queued behind a bulk write of this process waits up to 2.5 s instead of 2 s.
        """
        lent = _lent_read.get() if not (write or bulk) else None
        if lent is not None and lent[0] is self:
            yield lent[1]  # inside `reading()`: its transaction (ended by the block, not here)
            return
        factory = self._bulk_sessions if bulk else self._sessions if write else self._read_sessions
        lock = self._sqlite_writer if write or bulk else None
        patience = BULK_WAIT_SECONDS if bulk else SQLITE_BUSY_TIMEOUT_MS / 1000
        if lock is not None and not (
            lock.acquire(timeout=patience)
            or (self._bulk_writing and lock.acquire(timeout=BEHIND_BULK_EXTRA_SECONDS))
        ):
            raise DatabaseUnavailable("timed out waiting for the SQLite write lock")
        self._bulk_writing = bulk and lock is not None
        # PostgreSQL: the session's own budget (a request's tighter one applies when set).
        budget = bounds.BULK_SESSION_BUDGET_S if bulk else bounds.SESSION_BUDGET_S
        try:
            with bounds.deadline(budget), factory() as session, session.begin():
                yield session
        finally:
            if lock is not None:
                self._bulk_writing = False
                lock.release()
        if bulk and lock is not None:
            self._checkpoint()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Run the read sessions opened inside the block as one read transaction.

        A command that only reads (stats: its counts, insights and curve) then takes one pool
        checkout, one BEGIN and one COMMIT instead of one of each per service call. Write sessions
        inside the block are their own transactions as always; on SQLite the block's reads see the
        database as of its first read, so it wraps work that reads only what was there before it.
        """
        if _lent_read.get() is not None:
            yield
            return
        with self.session(write=False) as session:
            token = _lent_read.set((self, session))
            try:
                yield
            finally:
                _lent_read.reset(token)

    def _checkpoint(self) -> None:
        """Copy the WAL back into the database file without blocking anyone (SQLite, best effort)."""
        try:
            connection = self.engine.raw_connection()
            try:
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except Exception:  # noqa: BLE001 - the next commits checkpoint anyway
            log.warning("WAL checkpoint after a bulk write failed", exc_info=True)

    def ping(self, budget: float = bounds.HEALTH_DB_BUDGET_S) -> bool:
        """True when the database answers a trivial query within `budget` seconds (PostgreSQL)."""
        try:
            # A read: on SQLite a plain BEGIN, so a writer holding the lock does not fail it.
            with bounds.deadline(budget), self.engine.execution_options(read_only=True).connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
