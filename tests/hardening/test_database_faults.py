"""The database down or locked during a command: a clear answer, 503 health, recovery without restart."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.db import bounds
from bot.db.engine import Database, DatabaseUnavailable
from bot.db.models import Invite
from bot.slack.app import create_app
from bot.slack.errors import DB_DOWN
from bot.web import WebApp
from tests.support.harness import SlackHarness
from tests.support.tcp_proxy import TcpProxy
from tests.support.wsgi import call


def count(db) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Invite))


def test_sqlite_runs_in_wal_with_a_busy_timeout(sqlite_template):
    db = Database.from_url(f"sqlite:///{sqlite_template}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
    db.dispose()


def _pragmas(session) -> tuple:
    return tuple(session.connection().exec_driver_sql(f"PRAGMA {name}").scalar()
                 for name in ("busy_timeout", "cache_size", "wal_autocheckpoint"))


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_bulk_write_gets_its_own_sqlite_settings_and_requests_get_theirs_back(db):
    db.engine.dispose()  # then one pooled connection serves the sessions below, one after the other
    with db.session(bulk=True) as s:
        assert _pragmas(s) == (60000, -32768, 0)
    with db.session() as s:
        assert _pragmas(s) == (2000, -2000, 1000)
    with db.session(write=False) as s:
        assert _pragmas(s) == (2000, -2000, 1000)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_bulk_write_waits_for_the_lock_where_a_request_gives_up(db):
    path = make_url(str(db.engine.url)).database
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="locked"), db.session() as s:
            s.execute(select(func.count()).select_from(Invite))
        holder = threading.Timer(2.5, lambda: blocker.execute("ROLLBACK"))
        holder.start()
        started = time.monotonic()
        with db.session(bulk=True) as s:  # queues past the request's 2 s, then goes through
            s.execute(select(func.count()).select_from(Invite))
        assert time.monotonic() - started >= 2.4
        holder.join()
    finally:
        blocker.close()


def _hold_write_lock(db, seconds: float, *, bulk: bool) -> tuple[threading.Thread, threading.Event]:
    entered = threading.Event()

    def hold() -> None:
        with db.session(bulk=bulk) as s:
            s.execute(select(func.count()).select_from(Invite))
            entered.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(10)
    return thread, entered


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_request_behind_an_import_waits_a_little_longer_than_behind_a_request(db):
    # An import's commit (~1.7 s for 50,000 rows, more on a busy box) does not cost the request.
    holder, _ = _hold_write_lock(db, 2.2, bulk=True)
    with db.session() as s:
        s.execute(select(func.count()).select_from(Invite))
    holder.join()
    # Behind an ordinary writer the budget stays 2 s: the request gives up, nothing written.
    holder, _ = _hold_write_lock(db, 2.3, bulk=False)
    try:
        with pytest.raises(DatabaseUnavailable), db.session() as s:
            s.execute(select(func.count()).select_from(Invite))
    finally:
        holder.join()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_locked_then_released(slack, db):
    path = make_url(str(db.engine.url)).database
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        answer = slack.invited("https://linkedin.com/in/during-lock")
        assert time.monotonic() - started < 3
        assert DB_DOWN in answer.text and "nothing was saved" in answer.text
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert count(db) == 0
    assert "Logged 1 invite" in slack.invited("https://linkedin.com/in/after-lock").text
    assert count(db) == 1


@pytest.mark.postgres
def test_postgres_outage_and_recovery_without_restart(pg_url, settings, clock, fake_slack):
    url = make_url(pg_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    db = Database.from_url(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    slack = SlackHarness(create_app(settings, db, clock=clock), fake_slack)
    web = WebApp(slack.app, db)
    try:
        assert "Logged 1 invite" in slack.invited("https://linkedin.com/in/before-outage").text
        assert call(web, "GET", "/healthz").status == 200
        proxy.stop()
        started = time.monotonic()
        answer = slack.invited("https://linkedin.com/in/during-outage")
        assert time.monotonic() - started < 3
        assert DB_DOWN in answer.text
        assert call(web, "GET", "/healthz").status == 503
        proxy.start()  # the same port: the database is back
        assert call(web, "GET", "/healthz").status == 200
        assert "Logged 1 invite" in slack.invited("https://linkedin.com/in/after-outage").text
        with db.session(write=False) as s:
            keys = set(s.scalars(select(Invite.prospect_key)))
        assert {"in:before-outage", "in:after-outage"} <= keys and "in:during-outage" not in keys
    finally:
        proxy.stop()
        db.dispose()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_modal_submitted_while_the_database_is_locked_stays_open_with_the_message(slack, db):
    from bot.slack.ids import SettingsView

    slack.invites("help", user="U2")
    path = make_url(str(db.engine.url)).database
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        values = {k: {"value": {"selected_option": {"value": v}}}
                  for k, v in {"account_tier": "premium", "nudges": "on", "leaderboard": "show"}.items()}
        answer = slack.submit(SettingsView.MEMBER, values, user="U2")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert answer.body["response_action"] == "push"
    assert DB_DOWN in json.dumps(answer.body)


# ---- a silent partition (PostgreSQL) and SQLite's unchanged waits ------------------------------


def _stalled_db(pg_url: str) -> tuple[Database, TcpProxy]:
    url = make_url(pg_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    return Database.from_url(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)), proxy


def _fails_within(db: Database, budget: float, limit: float) -> float:
    started = time.monotonic()
    with pytest.raises(DBAPIError), bounds.deadline(budget), db.session() as s:
        s.execute(select(func.count()).select_from(Invite))
    took = time.monotonic() - started
    assert took < limit, took
    return took


@pytest.mark.postgres
def test_a_stalled_link_bounds_connect_checkout_and_statements(pg_url):
    db, proxy = _stalled_db(pg_url)
    try:
        count(db)  # a pooled connection
        proxy.stall()
        _fails_within(db, 0.8, 1.5)  # the pooled connection's pre-ping, then no time to reconnect
        db.engine.dispose()
        _fails_within(db, 0.8, 1.5)  # a new connection: under libpq's 2 s connect_timeout floor
        started = time.monotonic()
        assert db.ping() is False
        assert time.monotonic() - started < bounds.HEALTH_DB_BUDGET_S + 0.3
        proxy.resume()
        assert db.ping() is True and count(db) >= 0
    finally:
        proxy.resume()
        proxy.stop()
        db.dispose()


@pytest.mark.postgres
def test_background_sessions_are_bounded_too(pg_url, monkeypatch):
    monkeypatch.setattr(bounds, "SESSION_BUDGET_S", 0.7)
    db, proxy = _stalled_db(pg_url)
    try:
        count(db)
        proxy.stall()
        started = time.monotonic()
        with pytest.raises(DBAPIError), db.session() as s:  # no request deadline: the session's own
            s.execute(select(func.count()).select_from(Invite))
        assert time.monotonic() - started < 1.5
    finally:
        proxy.resume()
        proxy.stop()
        db.dispose()


@pytest.mark.postgres
def test_the_server_bounds_each_session_and_a_bulk_write_gets_longer_ones(pg_url):
    db = Database.from_url(pg_url)
    names = ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "tcp_user_timeout")
    try:
        with db.session(write=False) as s:
            shown = {name: s.execute(text(f"SHOW {name}")).scalar() for name in names}
        assert shown == {"statement_timeout": "30s", "lock_timeout": "5s",
                         "idle_in_transaction_session_timeout": "10s", "tcp_user_timeout": "10000"}
        with db.session(bulk=True) as s:
            assert s.execute(text("SHOW statement_timeout")).scalar() == "10min"
            assert s.execute(text("SHOW lock_timeout")).scalar() == "1min"
        with db.session() as s:  # SET LOCAL: back to the session's own after the bulk write
            assert s.execute(text("SHOW statement_timeout")).scalar() == "30s"
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_transaction_whose_client_went_quiet_is_rolled_back_by_the_server(pg_url):
    db = Database.from_url(pg_url)
    try:
        with pytest.raises(DBAPIError), db.session() as s:
            s.execute(text("SET LOCAL idle_in_transaction_session_timeout = '300ms'"))
            s.execute(text("INSERT INTO workspaces (team_id) VALUES ('TQUIET')"))
            time.sleep(0.8)  # the client vanished before COMMIT: the server ends the transaction
            s.execute(text("SELECT 1"))
        with db.session(write=False) as s:
            assert s.execute(text("SELECT count(*) FROM workspaces WHERE team_id = 'TQUIET'")).scalar() == 0
    finally:
        db.dispose()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_keeps_its_busy_timeout_under_a_request_deadline(db):
    # The deadline is PostgreSQL's: on SQLite a request still queues its 2 s for the write lock.
    with db.engine.connect() as conn:  # a plain sqlite3 connection, with its 2 s busy timeout
        assert type(conn.connection.driver_connection) is sqlite3.Connection
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
    holder, _ = _hold_write_lock(db, 1.0, bulk=False)
    try:
        with bounds.deadline(0.3), db.session() as s:  # waits ~1 s, well past the 0.3 s, and goes through
            s.execute(select(func.count()).select_from(Invite))
    finally:
        holder.join()
    path = make_url(str(db.engine.url)).database
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(Exception, match="locked"), bounds.deadline(0.3), db.session() as s:
            s.execute(select(func.count()).select_from(Invite))
        assert 1.8 < time.monotonic() - started < 2.6
        assert db.ping(budget=0.1) is True  # a read in WAL mode is not blocked by a writer
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
