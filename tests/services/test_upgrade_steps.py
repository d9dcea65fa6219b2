"""Upgrades keep data: a populated database goes from the first migration to the latest, one step at a time.

Rows are written with the schema of the migration that first has their table (invites and their
audit rows at the first, the delivery ledger at the second, installations at the third), each
step is checked to keep every row as written, and at the end the app itself reads them back with
their meaning: the member's pile and list, the stats, a digest already sent is not sent again,
the stored installation answers for its workspace. A later release's migration joins the walk
by itself (every revision from base to head).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import inspect, text

from bot.db.engine import Database
from bot.db.migrate import alembic_config
from bot.domain.invites import PERIODS
from bot.services import ledger
from bot.services.counts import pile_for
from bot.services.invites import list_invites
from bot.services.members import identify
from bot.services.stats import member_stats
from tests.conftest import NOW

AT = (NOW - timedelta(days=40)).replace(tzinfo=None)


def _days_ago(days: int) -> str:
    return (NOW - timedelta(days=days)).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


# prospect, member, days ago sent, status, with a note, status changed days ago
INVITES = [
    ("in:fresh-one", "U1", 3, "pending", False, 3),
    ("in:stale-one", "U1", 20, "pending", True, 20),
    ("in:took-it", "U1", 12, "accepted", True, 10),
    ("in:said-no", "U1", 15, "declined", False, 14),
    ("in:teammate-own", "U2", 2, "pending", False, 2),
    ("in:fresh-one", "U1@T2", 5, "pending", False, 5),  # the same person, invited in another workspace
]


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _seed_core(conn) -> None:
    """Workspaces, members, invites and their audit rows, as the first migration's schema holds them."""
    for team in ("T1", "T2"):
        conn.execute(text("INSERT INTO workspaces (team_id, name, created_at) VALUES (:t, :n, :at)"),
                     {"t": team, "n": f"Team {team}", "at": AT})
    for team, user, name in (("T1", "U1", "Dana"), ("T1", "U2", "Tom"), ("T2", "U1", "Dana")):
        conn.execute(text("INSERT INTO members (team_id, user_id, display_name, tz, tz_checked_at, created_at) "
                          "VALUES (:t, :u, :n, 'Europe/Berlin', :checked, :at)"),
                     {"t": team, "u": user, "n": name, "checked": NOW.replace(tzinfo=None), "at": AT})
    for key, who, sent, status, note, changed in INVITES:
        user, _, team = who.partition("@")
        member = conn.execute(text("SELECT id FROM members WHERE team_id = :t AND user_id = :u"),
                              {"t": team or "T1", "u": user}).scalar_one()
        invite = conn.execute(text(
            "INSERT INTO invites (team_id, member_id, prospect_key, url, name, sent_at, status, with_note, "
            "status_changed_at, created_at) VALUES (:t, :m, :k, :url, :name, :sent, :status, :note, :changed, :sent) "
            "RETURNING id"),
            {"t": team or "T1", "m": member, "k": key, "url": f"https://www.linkedin.com/in/{key[3:]}",
             "name": key[3:].replace("-", " ").title(), "sent": _days_ago(sent), "status": status, "note": note,
             "changed": _days_ago(changed)}).scalar_one()
        conn.execute(text(
            "INSERT INTO invite_events (team_id, invite_id, member_id, change_id, from_status, to_status, at, actor, via) "
            "VALUES (:t, :i, :m, :c, NULL, 'pending', :at, :u, 'command')"),
            {"t": team or "T1", "i": invite, "m": member, "c": f"log-{invite}", "at": _days_ago(sent), "u": user})
        if status != "pending":
            conn.execute(text(
                "INSERT INTO invite_events (team_id, invite_id, member_id, change_id, from_status, to_status, at, "
                "actor, via) VALUES (:t, :i, :m, :c, 'pending', :s, :at, :u, 'button')"),
                {"t": team or "T1", "i": invite, "m": member, "c": f"out-{invite}", "s": status,
                 "at": _days_ago(changed), "u": user})


def _seed_ledger(conn) -> None:
    """Yesterday's digest to U1, delivered (the delivery ledger's first migration)."""
    conn.execute(text(
        "INSERT INTO deliveries (team_id, recipient, kind, local_date, state, claim_token, claimed_at, sent_at, "
        "channel, ts, attempts) VALUES ('T1', 'U1', 'daily_digest', :day, 'sent', 'token-1', :at, :at, 'D1', "
        "'1763370000.000100', 1)"),
        {"day": date(2026, 11, 17), "at": _days_ago(1)})


def _seed_installations(conn) -> None:
    """An OAuth installation of T1 and its bot, as slack-sdk's store wrote them at the third migration."""
    values = {"c": "111.222", "a": "A1", "t": "T1", "n": "Team T1", "tok": "xoxb-upgrade-kept-1", "b": "B1",
              "bu": "UBOT", "s": "commands,chat:write", "at": _days_ago(30)}
    conn.execute(text(
        "INSERT INTO slack_bots (client_id, app_id, team_id, team_name, bot_token, bot_id, bot_user_id, bot_scopes, "
        "is_enterprise_install, installed_at) VALUES (:c, :a, :t, :n, :tok, :b, :bu, :s, false, :at)"), values)
    conn.execute(text(
        "INSERT INTO slack_installations (client_id, app_id, team_id, team_name, bot_token, bot_id, bot_user_id, "
        "bot_scopes, user_id, is_enterprise_install, token_type, installed_at) "
        "VALUES (:c, :a, :t, :n, :tok, :b, :bu, :s, 'U1', false, 'bot', :at)"), values)


SEEDS = (("invites", _seed_core), ("deliveries", _seed_ledger), ("slack_bots", _seed_installations))


def _snapshot(conn, seeded: set[str]) -> dict[str, list[tuple]]:
    """Every seeded row, by what it means (not by columns a later migration may add)."""
    found: dict[str, list[tuple]] = {}
    if "invites" in seeded:
        found["invites"] = [tuple(r) for r in conn.execute(text(
            "SELECT i.id, m.team_id, m.user_id, i.prospect_key, i.url, i.name, i.sent_at, i.status, i.with_note, "
            "i.status_changed_at FROM invites i JOIN members m ON m.id = i.member_id ORDER BY i.id"))]
        found["events"] = [tuple(r) for r in conn.execute(text(
            "SELECT invite_id, change_id, from_status, to_status, at, actor, via, undone FROM invite_events "
            "ORDER BY invite_id, at"))]
        found["members"] = [tuple(r) for r in conn.execute(text(
            "SELECT team_id, user_id, display_name, tz FROM members ORDER BY team_id, user_id"))]
    if "deliveries" in seeded:
        found["deliveries"] = [tuple(r) for r in conn.execute(text(
            "SELECT team_id, recipient, kind, local_date, state, sent_at, channel, ts FROM deliveries"))]
    if "slack_bots" in seeded:
        found["bots"] = [tuple(r) for r in conn.execute(text(
            "SELECT client_id, team_id, bot_token, bot_user_id FROM slack_bots"))]
        found["installations"] = [tuple(r) for r in conn.execute(text(
            "SELECT client_id, team_id, bot_token, user_id FROM slack_installations"))]
    return found


def _walk(url: str) -> None:
    config = alembic_config(url)
    seeded: set[str] = set()
    before: dict[str, list[tuple]] = {}
    steps = _revisions(url)
    assert len(steps) >= 10 and steps[0] == "0001"
    for revision in steps:
        command.upgrade(config, revision)
        database = Database.from_url(url)
        try:
            tables = set(inspect(database.engine).get_table_names())
            with database.engine.begin() as conn:
                kept = _snapshot(conn, seeded)
                assert kept == before, f"rows changed by migration {revision}"
                for table, seed in SEEDS:
                    if table in tables and table not in seeded:
                        seed(conn)
                        seeded.add(table)
                before = _snapshot(conn, seeded)
        finally:
            database.dispose()
    assert seeded == {"invites", "deliveries", "slack_bots"}
    assert len(before["invites"]) == len(INVITES) and len(before["events"]) == len(INVITES) + 2
    _the_app_reads_them(url)


def _the_app_reads_them(url: str) -> None:
    """At the latest migration, the services see the rows as they meant before the upgrade."""
    database = Database.from_url(url)
    try:
        dana = identify(database, team_id="T1", user_id="U1", now=NOW)
        assert dana.display_name == "Dana" and dana.tz_name == "Europe/Berlin"
        pile = pile_for(database, dana, now=NOW)
        assert (pile.pending, pile.stale) == (2, 1)
        listed = list_invites(database, dana, status="pending", page=1, now=NOW)
        assert sorted(v.prospect_key for v in listed.invites) == ["in:fresh-one", "in:stale-one"]
        stats = member_stats(database, dana, period=PERIODS["all"], now=NOW)
        assert (stats.counts.sent, stats.counts.accepted, stats.counts.declined) == (4, 1, 1)
        assert (stats.with_note.accepted, stats.with_note.decided) == (1, 2)  # the stale one counts as decided
        # The other workspace's Dana keeps her own pile, apart.
        other = identify(database, team_id="T2", user_id="U1", now=NOW)
        assert pile_for(database, other, now=NOW).pending == 1
        # Yesterday's digest was delivered before the upgrade: it is not delivered again.
        assert ledger.claim(database, team_id="T1", recipient="U1", kind="daily_digest", local_date=date(2026, 11, 17),
                            now=NOW) is None
        store = SQLAlchemyInstallationStore(client_id="111.222", engine=database.engine)
        bot = store.find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and bot.bot_token == "xoxb-upgrade-kept-1" and bot.bot_user_id == "UBOT"
        installation = store.find_installation(enterprise_id=None, team_id="T1")
        assert installation is not None and installation.bot_token == "xoxb-upgrade-kept-1"
    finally:
        database.dispose()


def test_every_step_keeps_the_data_sqlite(tmp_path):
    _walk(f"sqlite:///{tmp_path / 'steps.db'}")


@pytest.mark.postgres
def test_every_step_keeps_the_data_postgres(pg_url):
    admin = Database.from_url(pg_url)
    with admin.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS mig_steps CASCADE; CREATE SCHEMA mig_steps"))
    try:
        _walk(pg_url + "?options=-csearch_path%3Dmig_steps")
    finally:
        with admin.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS mig_steps CASCADE"))
        admin.dispose()


# What a next release's additive migration may do: a nullable column, a column with a server
# default, a new table, a new index. The running version must keep working on that schema while
# the new one rolls out beside it (docs/install.md, "Upgrades").
_AHEAD = (
    "ALTER TABLE invites ADD COLUMN next_release_note TEXT",
    "ALTER TABLE members ADD COLUMN next_release_flag BOOLEAN DEFAULT false NOT NULL",
    "ALTER TABLE deliveries ADD COLUMN next_release_attempt_ms INTEGER",
    "CREATE TABLE next_release_things (id INTEGER PRIMARY KEY, team_id VARCHAR(32) NOT NULL)",
    "CREATE INDEX ix_next_release_invites_name ON invites (name)",
)


def _works_one_additive_migration_ahead(url: str) -> None:
    from bot.db.migrate import upgrade
    from bot.domain.commands import InviteRef, LogRequest, SentSpec
    from bot.domain.invites import Priority, Status
    from bot.domain.prospect import prospect_from_url
    from bot.services.importing import import_upload
    from bot.services.invites import log_invites, record_outcome, undo_last
    from tests.support.linkedin import fixture

    upgrade(url)
    db = Database.from_url(url)
    try:
        with db.engine.begin() as conn:
            for statement in _AHEAD:
                conn.execute(text(statement))
        dana = identify(db, team_id="T1", user_id="U1", now=NOW)
        request = LogRequest((prospect_from_url("https://www.linkedin.com/in/rolling-one"),), None, None, None,
                             SentSpec(), Priority.NORMAL, False)
        assert log_invites(db, dana, request, now=NOW).logged
        record_outcome(db, dana, InviteRef(prospect_key="in:rolling-one"), Status.ACCEPTED, now=NOW)
        undo_last(db, dana, now=NOW)
        assert pile_for(db, dana, now=NOW).pending == 1
        assert import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW).added > 0
        assert list_invites(db, dana, status="all", page=1, now=NOW).total > 1
        day = date(2026, 11, 18)
        held = ledger.claim(db, team_id="T1", recipient="U1", kind="daily_digest", local_date=day, now=NOW)
        assert held is not None
        ledger.settle(db, held, sent_at=NOW, channel="D1", ts="1.0")
        assert ledger.claim(db, team_id="T1", recipient="U1", kind="daily_digest", local_date=day, now=NOW) is None
    finally:
        db.dispose()


def test_this_version_works_one_additive_migration_ahead_sqlite(tmp_path):
    _works_one_additive_migration_ahead(f"sqlite:///{tmp_path / 'ahead.db'}")


@pytest.mark.postgres
def test_this_version_works_one_additive_migration_ahead_postgres(pg_url):
    admin = Database.from_url(pg_url)
    with admin.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS mig_ahead CASCADE; CREATE SCHEMA mig_ahead"))
    try:
        _works_one_additive_migration_ahead(pg_url + "?options=-csearch_path%3Dmig_ahead")
    finally:
        with admin.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS mig_ahead CASCADE"))
        admin.dispose()
