"""Fixtures shared by every tier: databases (SQLite and PostgreSQL), the fake Slack, the app."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from bot.clock import FixedClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base
from tests.support.fake_slack import FakeSlack, take_violations
from tests.support.harness import SlackHarness
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")
# One database per pytest process, so parallel runs (and CI on a shared server) never collide.
PG_DB = os.environ.get("TEST_PG_DATABASE", f"invite_hygiene_test_{os.getpid()}")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {type(error).__name__}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL test database (skipped visibly, or failed when REQUIRE_POSTGRES=1)."""
    problem = _pg_available()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"{problem} (REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    url = _pg_url(PG_DB)
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A clean, migrated database: every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database.from_url(f"sqlite:///{path}")
    else:
        database = Database.from_url(request.getfixturevalue("pg_url"))
        with database.engine.begin() as conn:
            tables = ", ".join(Base.metadata.tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def background_work_finished(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Wait, when a test ends, for the work its apps handed off after an ack (an alert check).

    Otherwise that work can still hold a row lock when the next test's `db` fixture truncates the
    tables on PostgreSQL: a deadlock the server resolves by failing the TRUNCATE (seen in CI).
    """
    from bot.slack.deps import Deps

    made: list[Deps] = []
    original = Deps.__post_init__

    def tracked(self: Deps) -> None:
        original(self)
        made.append(self)

    monkeypatch.setattr(Deps, "__post_init__", tracked)
    yield
    for deps in made:
        deps.background.shutdown(wait=True)


@pytest.fixture(autouse=True)
def slack_accepts_every_payload() -> Iterator[None]:
    """Fail the test when the app sent (or acked) a payload Slack would refuse.

    The fake Web API and the harness check every Block Kit payload against
    bot.playground.slack_rules; they answer `invalid_blocks` like Slack and record the violation
    here, so a test that only looked at other things still fails.
    """
    take_violations()
    yield
    found = take_violations()
    if found:
        shown = "\n  ".join(found[:20])
        pytest.fail(f"{len(found)} payload(s) break Slack's rules:\n  {shown}", pytrace=False)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Web API, with three users in different zones."""
    fake = FakeSlack().start()
    fake.add_user("U1", tz="Europe/Berlin", name="Dana")
    fake.add_user("U2", tz="America/Los_Angeles", name="Tom")
    fake.add_user("U3", tz="Asia/Tokyo", name="Priya")
    yield fake
    fake.stop()


NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def settings(fake_slack: FakeSlack):
    """Settings for an app that talks to the fake Web API."""
    from bot.config import Settings

    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        database_url="sqlite://",
        admin_user_ids="UADMIN",
        # Charts add a background upload and a second Home publish: tests/slack/test_charts.py turns them on.
        charts_enabled=False,
    )


@pytest.fixture
def clock():
    """A clock standing at NOW (a Wednesday, 10:00 UTC)."""
    return FixedClock(NOW)


@pytest.fixture
def slack(settings, db: Database, clock, fake_slack: FakeSlack):
    """Signed requests through the real Bolt app (in process) against the fake Web API."""
    from bot.slack.app import create_app

    app = create_app(settings, db, clock=clock)
    return SlackHarness(app, fake_slack)
