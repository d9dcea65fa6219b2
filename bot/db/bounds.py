"""Time bounds on PostgreSQL work, so a silent network partition cannot hang a request.

A link that accepts connections and then drops every byte raises no error: without bounds a
statement, a pool checkout's pre-ping or a COMMIT waits for TCP to give up (minutes). Three
layers bound it:

1. The client's own deadline (this module). Work runs under a deadline held in a context
   variable: a Slack request's whole database budget (`deadline(REQUEST_DB_BUDGET_S)` around the
   dispatch), /healthz's ping, or a session's own budget for background work. Every wait of a
   psycopg connection (statement, pre-ping, COMMIT, ROLLBACK) is capped by what is left; a wait
   that runs out closes the connection (it is mid-protocol, so unusable; the pool drops it) and
   raises `DatabaseTimeout`, an OperationalError: the caller's transaction is gone and the user
   is told nothing was saved. A new connection is capped the same way (libpq's own
   `connect_timeout` has whole-second granularity and a 2 s floor). This is the only layer that
   works when the kernel still acknowledges bytes (a stalled proxy, a hung middlebox).
2. TCP on the client: keepalives and `tcp_user_timeout` (unacknowledged data for that long
   kills the socket), for connections idling in the pool and for background work on a real
   partition.
3. The server's own guards, set at connection start: `statement_timeout` and `lock_timeout`
   (bounded statements even when nobody waits for them), `idle_in_transaction_session_timeout`
   (a transaction whose client vanished before COMMIT is rolled back and its locks released),
   and server-side keepalives / `tcp_user_timeout` for idle sessions whose client is gone.

COMMIT in flight: the deadline may pass after COMMIT was written but before its answer came.
Bytes a partition held are delivered when it heals, in order: the COMMIT would then reach the
server late and commit a transaction the user was told was not saved. So under a deadline a
COMMIT carries its own expiry, checked by the server when it arrives: the same message runs a
check that fails when the server's clock is past the transaction's start (`now()`) plus what
the client had left when its first statement was answered, so no later than the client's own
deadline, and then COMMIT. A failed check leaves the transaction aborted and rolled back (the
COMMIT in the same message is skipped). The client waits `COMMIT_GRACE_S` past its deadline for
the answer, so a commit the server accepted just in time is still confirmed; only when that
answer takes longer than the grace (a commit accepted in time whose reply the link then held)
is the outcome unknown: `CommitOutcomeUnknown` (the reply says so, see bot/slack/errors.py).
PostgreSQL 17's `transaction_timeout` is the server-side equivalent for a whole transaction.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import errors as pg_errors

log = logging.getLogger(__name__)

# A Slack request answers within 3 s: its database work (every session, checkout and statement
# together) gets 2 s, the rest covers the HTTP round trip and rendering. Matches SQLite's 2 s
# busy timeout, so both backends give up at the same point.
REQUEST_DB_BUDGET_S = 2.0
# /healthz answers 503 within 2 s: the ping gets 1.5 s.
HEALTH_DB_BUDGET_S = 1.5
# Background work (the sweep, the scheduler, CLI reports): each session is bounded too, only
# more generously; a bulk write (an import) gets ten minutes.
SESSION_BUDGET_S = 60.0
BULK_SESSION_BUDGET_S = 600.0
# libpq's own connect timeout (whole seconds, at least 2): a refused or black-holed server.
CONNECT_TIMEOUT_S = 2
# How long past its deadline a COMMIT (or ROLLBACK) may wait for its answer: the server refuses
# a COMMIT that arrives after the deadline, so this only turns "unknown" into "committed".
COMMIT_GRACE_S = 0.4
# Waiting for a free pooled connection: a request that waits longer cannot answer in time.
POOL_TIMEOUT_S = 1.0

# TCP on the client side (libpq options): an idle pooled connection on a dead link is found in
# about 5 + 2 * 3 s; written data unacknowledged for 5 s kills the socket.
CLIENT_TCP = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
              "tcp_user_timeout": 5000}
# Set by the server for each session (startup options, no extra round trip). Longer than any
# request budget, so a healthy but slow server is cut by the client first; a bulk session raises
# its own (see `BULK_SERVER_SETTINGS`).
SERVER_SETTINGS = {
    "statement_timeout": "30s",
    "lock_timeout": "5s",
    "idle_in_transaction_session_timeout": "10s",
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "10000",
}
BULK_SERVER_SETTINGS = {
    "statement_timeout": "600s",
    "lock_timeout": "60s",
    "idle_in_transaction_session_timeout": "120s",
}

# Migrations (one transaction, under an advisory lock a second replica queues on) may take as
# long as they take: no server-side bounds inside them.
MIGRATION_SERVER_SETTINGS = {
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
}

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("db_deadline", default=None)
_connector = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="pg-connect")


class DatabaseTimeout(psycopg.OperationalError):
    """The database did not answer within the budget; the connection was closed, nothing committed."""


class CommitOutcomeUnknown(DatabaseTimeout):
    """COMMIT was sent but its answer did not come in time: the server may or may not have committed."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound the database work inside the block to `seconds` (or less, if an outer bound is tighter)."""
    outer = _deadline.get()
    at = time.monotonic() + seconds
    if outer is not None:
        at = min(at, outer)
    token = _deadline.set(at)
    try:
        yield at
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds left under the current deadline; None when there is none."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def connect_args(query: dict[str, Any]) -> dict[str, Any]:
    """libpq connection arguments: connect timeout, TCP keepalives and user timeout, server settings."""
    server = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items())
    options = f"{query['options']} {server}" if query.get("options") else server
    return {"connect_timeout": CONNECT_TIMEOUT_S, **CLIENT_TCP, "options": options}


_WAIT_TIMEOUT = getattr(pg_errors, "_WaitTimeout", ())


_IDLE = psycopg.pq.TransactionStatus.IDLE
_INTRANS = psycopg.pq.TransactionStatus.INTRANS
# Fails (query_canceled) when the COMMIT reaches the server after the client's deadline.
_GUARDED_COMMIT = ("DO $$BEGIN IF clock_timestamp() > now() + interval '{ms} milliseconds' THEN "
                   "RAISE EXCEPTION 'COMMIT arrived after the client''s deadline' USING ERRCODE = '57014'; "
                   "END IF; END$$; COMMIT")


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose every wait is capped by the current `deadline`."""

    _began: float | None = None  # when the current transaction's first statement was answered
    _grace: float = 0.0

    @classmethod
    def connect(cls, conninfo: str = "", **kwargs: Any) -> BoundedConnection:  # type: ignore[override]
        left = time_left()
        connect = super().connect
        if left is None or left >= CONNECT_TIMEOUT_S:
            return connect(conninfo, **kwargs)
        if left <= 0:
            raise DatabaseTimeout("database budget spent before connecting")
        # libpq cannot wait less than 2 s: race the connect in a helper thread, and close the
        # connection it may still make after we gave up.
        future = _connector.submit(connect, conninfo, **kwargs)
        try:
            return future.result(timeout=left)
        except concurrent.futures.TimeoutError:
            if not future.cancel():  # still connecting: close what it may yet open
                future.add_done_callback(_close_late)
            raise DatabaseTimeout(f"no connection within {left:.2f} s") from None

    def wait(self, gen: Any, interval: float | None = None, timeout: float | None = None) -> Any:
        """Consume a protocol generator, giving up (and closing the connection) at the deadline."""
        kwargs: dict[str, Any] = {} if interval is None else {"interval": interval}
        left = time_left()
        if left is None:
            return super().wait(gen, timeout=timeout, **kwargs)
        left += self._grace
        bound = max(left, 0.0) if timeout is None else max(min(timeout, left), 0.0)
        try:
            result = super().wait(gen, timeout=bound, **kwargs)
            if self._began is None and self.pgconn.transaction_status != _IDLE:
                self._began = time.monotonic()
            return result
        except _WAIT_TIMEOUT:
            if timeout is not None and timeout < left:
                raise  # the caller's own, shorter timeout: not ours to handle
            # Mid-protocol: the connection cannot be reused. Closing it also tells the server
            # (once the link carries bytes again) to roll back whatever it holds of ours.
            self.pgconn.finish()
            raise DatabaseTimeout(f"the database did not answer within the budget ({left:.2f} s left)") from None

    def commit(self) -> None:
        """Commit, unless the deadline has passed; a COMMIT that reaches the server late is refused."""
        left, began = time_left(), self._began
        self._began = None
        # A READ ONLY transaction (the app's read sessions) has nothing a late COMMIT could keep.
        if left is None or began is None or self.read_only or self.pgconn.transaction_status != _INTRANS:
            return super().commit()
        if left <= 0:
            raise DatabaseTimeout("database budget spent before COMMIT: not committing")
        expiry_ms = int((time.monotonic() + left - began) * 1000)  # the deadline, from `began`
        self._grace = COMMIT_GRACE_S
        try:
            self.execute(_GUARDED_COMMIT.format(ms=expiry_ms), prepare=False)
        except DatabaseTimeout as error:
            raise CommitOutcomeUnknown(f"COMMIT sent, no answer in time: {error}") from None
        finally:
            self._grace = 0.0

    def rollback(self) -> None:
        """Roll back (always safe): allowed the same grace past the deadline as a COMMIT."""
        self._began = None
        self._grace = COMMIT_GRACE_S
        try:
            super().rollback()
        finally:
            self._grace = 0.0


def _close_late(future: concurrent.futures.Future) -> None:
    if future.cancelled() or future.exception() is not None:
        return
    with contextlib.suppress(Exception):
        future.result().close()


def bounded_connect(cargs: tuple, cparams: dict[str, Any]) -> BoundedConnection:
    """What SQLAlchemy's `do_connect` hook returns: a BoundedConnection."""
    return BoundedConnection.connect(*cargs, **cparams)


def set_local(settings: dict[str, str]) -> str:
    """One statement changing the server's bounds for the current transaction only (SET LOCAL)."""
    return "SELECT " + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in settings.items())
