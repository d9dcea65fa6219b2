"""Migration 0016: workspaces installed one by one inside a Grid org before it learn their org from the stored installs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade

ROWS = [  # (team, enterprise of its stored installation): a Grid workspace install, and one outside Grid
    ("TG1", "EG1"),
    ("TS1", None),
]


def _populate_at_0013(url: str) -> None:
    upgrade(url, "0013")
    db = Database.from_url(url)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    with db.engine.begin() as conn:
        for team, enterprise in ROWS:
            conn.execute(text("INSERT INTO workspaces (team_id, created_at) VALUES (:t, :now)"), {"t": team, "now": now})
            conn.execute(text(
                "INSERT INTO slack_installations (client_id, app_id, enterprise_id, team_id, user_id, bot_token, "
                "is_enterprise_install, installed_at) VALUES ('111.222', 'A1', :e, :t, 'U1', 'xoxb-x', :f, :now)"
            ), {"e": enterprise, "t": team, "f": False, "now": now.replace(tzinfo=None)})
    db.dispose()


def _enterprises(url: str) -> dict[str, str | None]:
    db = Database.from_url(url)
    with db.engine.connect() as conn:
        found = dict(conn.execute(text("SELECT team_id, enterprise_id FROM workspaces")).all())
    db.dispose()
    return found


def test_sqlite_backfills_the_org_of_grid_workspace_installs(tmp_path):
    url = f"sqlite:///{tmp_path / 'm16.db'}"
    _populate_at_0013(url)
    upgrade(url)
    assert _enterprises(url) == {"TG1": "EG1", "TS1": None}


@pytest.mark.postgres
def test_postgres_backfills_the_org_of_grid_workspace_installs(pg_url):
    engine = Database.from_url(pg_url).engine
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS mig16 CASCADE; CREATE SCHEMA mig16"))
    engine.dispose()
    url = pg_url + "?options=-csearch_path%3Dmig16"
    try:
        _populate_at_0013(url)
        upgrade(url)
        assert _enterprises(url) == {"TG1": "EG1", "TS1": None}
    finally:
        engine = Database.from_url(pg_url).engine
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS mig16 CASCADE"))
        engine.dispose()
