"""The lead's view: the admins' App Home team section and `report team`, on both databases."""

from __future__ import annotations

import csv
import io
import json

from bot.services.team_view import COLUMNS
from tests.conftest import NOW
from tests.services.test_reports import as_of, report
from tests.slack.test_home import open_home, published
from tests.support.factories import make_invites, make_member, set_workspace
from tests.unit.test_home_blocks import home_as_text, home_problems

TEAM_HEADER = "# Your team"


def seed_team(db) -> None:
    """Five members: one past the limit, one at the warning level, one at the weekly pace, two calm."""
    make_member(db, "U0", now=NOW)
    set_workspace(db, pending_warn_at=5, pending_limit=8, safe_weekly_free=4)
    piles = {"ULIMIT": 9, "UWARN": 6, "UPACE": 0, "UCALM": 2, "UZERO": 0}
    for user, pending in piles.items():
        actor = make_member(db, user, now=NOW, display_name=f"Name {user}")
        specs = [{"key": f"in:{user.lower()}-{i}", "days_ago": 20 + i} for i in range(pending)]
        if user == "UPACE":
            specs += [{"key": f"in:pace-{i}", "days_ago": 1, "status": "accepted"} for i in range(4)]
        if user == "UCALM":
            specs += [{"key": f"in:calm-{i}", "days_ago": 10, "status": s}
                      for i, s in enumerate(["accepted", "accepted", "declined"])]
        if specs:
            make_invites(db, actor, specs, now=NOW)


def home_text(slack, fake_slack, user: str) -> tuple[str, dict]:
    before = len(fake_slack.of("views.publish"))
    open_home(slack, user=user)
    view = published(fake_slack, before + 1)
    return home_as_text(view), view


def test_admins_see_every_member_riskiest_first(slack, db, fake_slack):
    seed_team(db)
    text, view = home_text(slack, fake_slack, "UADMIN")
    assert home_problems(view) == []
    team = text[text.index(TEAM_HEADER):]
    order = [team.index(f"*Name {u}*") for u in ("ULIMIT", "UWARN", "UPACE", "UCALM", "UZERO")]
    assert order == sorted(order)
    assert ("*Name ULIMIT* — :rotating_light: limit · 9 pending · 9 stale · 0/4 this week · 30 days: 0% (n=9)"
            in team)
    assert "*Name UPACE* — ok · 0 pending · 0 stale · 4/4 this week :chart_with_upwards_trend: · 30 days: 100% (n=4)" in team
    assert "*Name UCALM* — ok · 2 pending · 2 stale · 0/4 this week · 30 days: 40% (n=5)" in team  # the stale ones count as decided


def test_members_see_nothing_of_the_others(slack, db, fake_slack):
    seed_team(db)
    text, _ = home_text(slack, fake_slack, "U1")
    assert TEAM_HEADER not in text and "Name ULIMIT" not in text


def test_slack_admins_see_it_too(slack, db, fake_slack):
    seed_team(db)
    fake_slack.add_user("UOWNER", tz="UTC", name="Owner", is_owner=True)
    text, _ = home_text(slack, fake_slack, "UOWNER")
    assert TEAM_HEADER in text


def test_a_big_team_shows_the_30_riskiest_and_counts_the_rest_within_homes_limits(slack, db, fake_slack):
    make_member(db, "U0", now=NOW)
    set_workspace(db, pending_warn_at=3, pending_limit=6)
    for n in range(60):
        actor = make_member(db, f"UM{n:03d}", now=NOW, display_name="A very long display name " * 3 + f"{n:03d}")
        if n % 8:
            make_invites(db, actor, [{"key": f"in:m{n}-{i}", "days_ago": 20} for i in range(n % 8)], now=NOW)
    admin = make_member(db, "UADMIN", now=NOW)
    make_invites(db, admin, [{"key": f"in:admin-{i}", "days_ago": 20 + i} for i in range(60)], now=NOW)  # a full batch
    text, view = home_text(slack, fake_slack, "UADMIN")
    assert home_problems(view) == []
    team = text[text.index(TEAM_HEADER):]
    assert team.count(" pending · ") == 30
    assert "…and 32 more members: `invite-hygiene report team` lists everyone." in team  # 60 + U0 + UADMIN
    assert ":rotating_light: limit" in team and " ok · " not in team  # the riskiest come first


def test_report_team_has_the_same_rows(db, capsys):
    seed_team(db)
    code, out, err = report(db, capsys, *as_of("team", "--team", "T1", "--format", "json"))
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["user"] for r in rows][:4] == ["ULIMIT", "UWARN", "UPACE", "UCALM"]
    assert rows[0] == {"user": "ULIMIT", "name": "Name ULIMIT", "pending": 9, "stale": 9, "sent_7d": 0,
                       "safe_limit": 4, "risk": "limit", "rate": 0.0, "n": 9, "snoozed_stale": 0}
    code, out, _ = report(db, capsys, *as_of("team", "--team", "T1", "--format", "csv"))
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(parsed[0]) == list(COLUMNS) == ["user", "name", "pending", "stale", "sent_7d",
                                                               "safe_limit", "risk", "rate", "n"]
    assert [r["user"] for r in parsed] == [r["user"] for r in rows]
    code, out, _ = report(db, capsys, *as_of("team", "--team", "T1"))
    assert code == 0 and out.splitlines()[0].split() == list(COLUMNS)
    assert out.splitlines()[1].split()[:3] == ["ULIMIT", "Name", "ULIMIT"]
