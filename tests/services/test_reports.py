"""`invite-hygiene report`: the JSON agrees with an independent oracle on random data, on both databases."""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from bot.cli_reports import add_parser, cmd_report
from bot.config import Settings
from bot.db.models import Invite, Member, Workspace
from bot.domain.invites import PERIODS, Period, RateCounts, is_stale
from bot.services.members import identify
from tests.conftest import NOW
from tests.services.test_leaderboard import (
    Dataset,
    FakeMember,
    in_period,
    invites_of,
    other_team,
    pending,
    random_dataset,
    reference_best,
    reference_board,
    store,
    tally,
    without_sent,
)

TEAM = "T1"


def report(db, capsys, *args: str) -> tuple[int, str, str]:
    """Run `invite-hygiene report …` against the test database: (exit code, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="invite-hygiene")
    add_parser(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(["report", *args])
    settings = Settings(_env_file=None, database_url=db.engine.url.render_as_string(hide_password=False))
    code = cmd_report(settings, parsed)
    out = capsys.readouterr()
    return code, out.out, out.err


def as_of(*args: str) -> list[str]:
    return [*args, "--now", NOW.isoformat()]


# ---- the leaderboard ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_leaderboard_json_matches_the_oracle(db, capsys, seed):
    data = random_dataset(seed)
    store(db, data)
    store(db, other_team(seed), team="T2")
    for label, period in PERIODS.items():
        code, out, err = report(db, capsys, *as_of("leaderboard", "--team", TEAM, "--period", label, "--format",
                                                   "json"))
        assert (code, err) == (0, "")
        expected = reference_board(data, period)
        rows = json.loads(out)
        assert rows == without_sent(expected["ranked"] + expected["unranked"] + expected["hidden"]), (seed, label)
        assert {"user", "rank", "rate", "wilson_lower", "n", "accepted", "pending", "stale", "hidden"} <= set(
            rows[0] if rows else {"user", "rank", "rate", "wilson_lower", "n", "accepted", "pending", "stale", "hidden"}
        )


def test_the_oracle_datasets_have_ties_small_samples_and_hidden_members():
    ranks, unranked, hidden = [], 0, 0
    for seed in (1, 2, 3, 4):
        ref = reference_board(random_dataset(seed), PERIODS["all"])
        ranks.append([r["rank"] for r in ref["ranked"]])
        unranked += len(ref["unranked"])
        hidden += len(ref["hidden"])
    assert any(len(r) != len(set(r)) for r in ranks) and unranked and hidden


def small_team(db) -> None:
    data = Dataset(min_sample=3)
    data.members = {"UA": FakeMember("UA", "Dana"), "UB": FakeMember("UB", "=HYPERLINK(\"x\")"),
                    "UC": FakeMember("UC", "Cy"), "UH": FakeMember("UH", "Hid", hidden=True)}
    data.invites = (invites_of("UA", accepted=4, declined=2) + invites_of("UB", accepted=1, declined=4)
                    + invites_of("UC", accepted=1) + invites_of("UH", accepted=5))
    store(db, data)


def test_leaderboard_csv_has_a_header_nulls_as_empty_and_no_formulas(db, capsys):
    small_team(db)
    code, out, _ = report(db, capsys, *as_of("leaderboard", "--team", TEAM, "--format", "csv"))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["user", "name", "rank", "rate", "wilson_lower", "n", "accepted", "pending", "stale",
                             "snoozed_stale", "hidden"]
    assert [(r["user"], r["rank"]) for r in rows] == [("UA", "1"), ("UB", "2"), ("UC", ""), ("UH", "")]
    assert rows[1]["name"] == "'=HYPERLINK(\"x\")" and rows[3]["hidden"] == "True"


def test_leaderboard_table_reads_like_the_slack_one(db, capsys):
    small_team(db)
    code, out, _ = report(db, capsys, *as_of("leaderboard", "--team", TEAM))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "name", "user", "rate", "wilson", "n", "accepted", "pending", "stale", "note"]
    assert lines[1].split()[:4] == ["1", "Dana", "UA", "67%"]
    assert "n < 3" in lines[3] and "hidden" in lines[4]
    assert lines[-1] == ("Team, invites sent in the last 30 days: 17 sent · 11 accepted · 65% of 17 decided · "
                         "0 pending · 0 stale")


def test_leaderboard_user_filter(db, capsys):
    small_team(db)
    _, out, _ = report(db, capsys, *as_of("leaderboard", "--team", TEAM, "--user", "UC", "--format", "json"))
    assert [r["user"] for r in json.loads(out)] == ["UC"]


# ---- stats ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsInvite:
    user_id: str
    sent_at: datetime
    status: str
    priority: str
    with_note: bool
    changed_at: datetime


def stats_dataset(seed: int) -> list[StatsInvite]:
    rng = random.Random(seed)
    invites = []
    for user, count in (("UA", 300), ("UB", 40)):
        for _ in range(count):
            sent = NOW - timedelta(seconds=rng.randint(0, 200 * 86400))
            status = rng.choices(["pending", "accepted", "declined", "withdrawn", "expired"], [30, 35, 10, 15, 10])[0]
            changed = sent if status == "pending" else min(NOW, sent + timedelta(seconds=rng.randint(0, 30 * 86400)))
            invites.append(StatsInvite(user, sent, status, rng.choice(["high", "normal", "low"]), rng.random() < 0.4,
                                       changed))
    return invites


def store_stats(db, invites: list[StatsInvite], *, withdraw_after_days: int) -> None:
    ids = {u: identify(db, team_id=TEAM, user_id=u, now=NOW).member_id for u in ("UA", "UB")}
    with db.session() as s:
        s.execute(update(Workspace).values(withdraw_after_days=withdraw_after_days))
        s.execute(update(Member).where(Member.user_id == "UA").values(account_tier="premium"))
        s.execute(insert(Invite), [
            {"team_id": TEAM, "member_id": ids[i.user_id], "prospect_key": f"in:p{n}", "sent_at": i.sent_at,
             "status": i.status, "priority": i.priority, "with_note": i.with_note, "source": "import",
             "status_changed_at": i.changed_at, "created_at": i.sent_at}
            for n, i in enumerate(invites)
        ])


def reference_stats(invites: list[StatsInvite], period: Period, *, wad: int) -> dict:
    """Every figure of `report stats` for UA, invite by invite."""
    mine = [i for i in invites if i.user_id == "UA"]
    period_invites = [i for i in mine if in_period(i, period)]
    counts = tally(period_invites, wad=wad)

    def short(c: RateCounts) -> dict:
        return {"decided": c.decided, "accepted": c.accepted, "rate": c.rate}

    accepted_days = [(i.changed_at - i.sent_at).total_seconds() / 86400 for i in period_invites
                     if i.status == "accepted"]
    weekdays = {d: tally([i for i in period_invites if i.sent_at.isoweekday() == d], wad=wad) for d in range(1, 8)}
    keys = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}
    best = reference_best(weekdays)
    return {
        "user": "UA", "period": period.label, "sent": counts.sent, "accepted": counts.accepted,
        "declined": counts.declined, "withdrawn": counts.withdrawn, "expired": counts.expired,
        "pending_stale": counts.pending_stale, "pending_fresh": counts.pending_fresh, "decided": counts.decided,
        "rate": counts.rate, "low_rate": counts.rate is not None and counts.rate < 0.3,
        "median_days_to_accept": statistics.median(accepted_days) if accepted_days else None,
        "with_note": short(tally([i for i in period_invites if i.with_note], wad=wad)),
        "without_note": short(tally([i for i in period_invites if not i.with_note], wad=wad)),
        "sends_last_7_days": sum(i.sent_at > NOW - timedelta(days=7) for i in mine),
        "safe_weekly_limit": 120,
        "pending_total": sum(pending(i) for i in mine),
        "stale_total": sum(pending(i) and is_stale(sent_at=i.sent_at, priority=i.priority, withdraw_after_days=wad,
                                                   now=NOW) for i in mine),
        "snoozed_stale": 0,
        # UA is Premium (no cap) in a UTC workspace: notes sent in NOW's calendar month.
        "notes_this_month": sum(i.with_note and (i.sent_at.year, i.sent_at.month) == (NOW.year, NOW.month)
                                for i in mine),
        "notes_per_month": None,
        "best_weekday": keys[best] if best else None,
        "weekdays": {keys[d]: {"decided": c.decided, "accepted": c.accepted, "rate": c.rate}
                     for d, c in weekdays.items()},
    }


@pytest.mark.parametrize("seed", [21, 22])
def test_stats_json_matches_the_oracle(db, capsys, seed):
    invites = stats_dataset(seed)
    wad = 7 if seed % 2 else 14
    store_stats(db, invites, withdraw_after_days=wad)
    for label, period in PERIODS.items():
        code, out, err = report(db, capsys, *as_of("stats", "--team", TEAM, "--user", "UA", "--period", label,
                                                   "--format", "json"))
        assert (code, err) == (0, "")
        got = json.loads(out)
        expected = reference_stats(invites, period, wad=wad)
        assert got["median_days_to_accept"] == pytest.approx(expected.pop("median_days_to_accept"), abs=1e-4)
        got.pop("median_days_to_accept")
        assert got == expected, (seed, label)


def test_stats_csv_is_one_flat_row_and_the_table_one_line_per_figure(db, capsys):
    store_stats(db, stats_dataset(3), withdraw_after_days=14)
    _, out, _ = report(db, capsys, *as_of("stats", "--team", TEAM, "--user", "UA", "--format", "csv"))
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["user"] == "UA" and row["period"] == "30d" and "weekdays.mon.rate" in row and "with_note.rate" in row
    _, out, _ = report(db, capsys, *as_of("stats", "--team", TEAM, "--user", "UA"))
    assert any(line.split() == ["safe_weekly_limit", "120"] for line in out.splitlines())


# ---- refusals -------------------------------------------------------------------------------------------------


def members(db) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Member))


def test_an_unknown_team_is_exit_2_with_a_clear_message(db, capsys):
    code, out, err = report(db, capsys, "leaderboard", "--team", "TNOPE")
    assert (code, out) == (2, "")
    assert err.strip() == "invite-hygiene: error: unknown team 'TNOPE': no workspace with that id in this database"


def test_stats_for_an_unknown_member_is_exit_2_and_creates_nothing(db, capsys):
    small_team(db)
    before = members(db)
    code, out, err = report(db, capsys, "stats", "--team", TEAM, "--user", "UNOPE")
    assert (code, out) == (2, "") and "unknown member 'UNOPE' in team 'T1'" in err
    assert members(db) == before


def test_stats_needs_a_user(db, capsys):
    small_team(db)
    code, _, err = report(db, capsys, "stats", "--team", TEAM)
    assert code == 2 and "report stats needs --user U" in err


def test_stats_in_an_uninstalled_workspace_does_not_reinstall_it(db, capsys):
    small_team(db)
    gone = NOW - timedelta(days=3)
    with db.session() as s:
        s.execute(update(Workspace).values(uninstalled_at=gone))
    code, out, _ = report(db, capsys, *as_of("stats", "--team", TEAM, "--user", "UA", "--format", "json"))
    assert code == 0 and json.loads(out)["accepted"] == 4
    with db.session(write=False) as s:
        assert s.scalar(select(Workspace.uninstalled_at)) == gone


@pytest.mark.parametrize("args", [["--now", "yesterday-ish"], ["--period", "1y"], ["--format", "xml"]])
def test_bad_options_are_argparse_errors(db, capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        report(db, capsys, "leaderboard", "--team", TEAM, *args)
    assert exit_info.value.code == 2
