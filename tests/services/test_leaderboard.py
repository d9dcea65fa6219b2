"""The team leaderboard and weekday insights against a plain-Python reference, on both databases."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert, update

from bot.db.engine import Database
from bot.db.models import Invite, Member, Workspace
from bot.domain.invites import PERIODS, Period, RateCounts, is_stale, wilson_lower_bound
from bot.services import leaderboard as leaderboard_module
from bot.services.leaderboard import (
    WEEKDAY_MIN_DECIDED,
    WILSON_DIGITS,
    member_insights,
    offset_spans,
    team_leaderboard,
)
from bot.services.members import Actor, identify
from tests.conftest import NOW

TEAM, OTHER_TEAM = "T1", "T2"
STATUSES = ["pending", "accepted", "declined", "withdrawn", "expired"]
STATUS_WEIGHTS = [35, 25, 10, 20, 10]
EXPIRE_AFTER_DAYS = 180  # the workspace default
NAMES = ["Dana", "Tom", "Priya", "A & <B>", "Dana", "Łukasz"]


@dataclass
class FakeMember:
    user_id: str
    display_name: str | None = None
    hidden: bool = False
    deactivated: bool = False
    member_id: int = 0


@dataclass(frozen=True)
class FakeInvite:
    user_id: str
    sent_at: datetime
    status: str = "pending"
    priority: str = "normal"


@dataclass
class Dataset:
    withdraw_after_days: int = 14
    min_sample: int = 10
    members: dict[str, FakeMember] = field(default_factory=dict)
    invites: list[FakeInvite] = field(default_factory=list)


# ---- storing a dataset ----------------------------------------------------------------------


def store(db: Database, data: Dataset, *, team: str = TEAM) -> None:
    """Create the members through `identify`, then write settings, flags and invites directly."""
    for member in data.members.values():
        member.member_id = identify(db, team_id=team, user_id=member.user_id, now=NOW).member_id
    with db.session() as s:
        s.execute(
            update(Workspace)
            .where(Workspace.team_id == team)
            .values(withdraw_after_days=data.withdraw_after_days, leaderboard_min_sample=data.min_sample)
        )
        for m in data.members.values():
            s.execute(
                update(Member)
                .where(Member.id == m.member_id)
                .values(display_name=m.display_name, show_on_leaderboard=not m.hidden, deactivated=m.deactivated)
            )
        rows = [_invite_row(data, invite, n, team) for n, invite in enumerate(data.invites)]
        if rows:
            s.execute(insert(Invite), rows)


def _invite_row(data: Dataset, invite: FakeInvite, n: int, team: str) -> dict:
    return {
        "team_id": team,
        "member_id": data.members[invite.user_id].member_id,
        "prospect_key": f"in:prospect-{n}",
        "sent_at": invite.sent_at,
        "status": invite.status,
        "priority": invite.priority,
        "source": "command",
        "status_changed_at": invite.sent_at,
        "created_at": invite.sent_at,
    }


# ---- random datasets ------------------------------------------------------------------------


def boundaries(wad: int) -> list[datetime]:
    """Instants where an off-by-one would show: period starts and stale thresholds."""
    days = [7, 30, 90, wad, 2 * wad]
    return [NOW - timedelta(days=d) for d in days] + [NOW - timedelta(days=d, seconds=-1) for d in days]


def random_sent_at(rng: random.Random, wad: int) -> datetime:
    """Mostly spread over 400 days, sometimes exactly on a boundary or at midnight UTC."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(boundaries(wad))
    if roll < 0.25:
        midnight = NOW.replace(hour=0, minute=0, second=0) - timedelta(days=rng.randint(0, 120))
        return midnight - timedelta(seconds=rng.choice([0, 1]))
    return NOW - timedelta(seconds=rng.randint(0, 400 * 86400))


def random_invites(rng: random.Random, user_id: str, count: int, wad: int) -> list[FakeInvite]:
    """`count` invites with random dates, outcomes and priorities."""
    return [
        FakeInvite(
            user_id=user_id,
            sent_at=random_sent_at(rng, wad),
            status=rng.choices(STATUSES, STATUS_WEIGHTS)[0],
            priority=rng.choice(["high", "normal", "normal", "low"]),
        )
        for _ in range(count)
    ]


def random_dataset(seed: int, *, members: int = 24) -> Dataset:
    """Members with 0..60 invites, some hidden, deactivated or nameless, and twins that tie."""
    rng = random.Random(seed)
    data = Dataset(withdraw_after_days=rng.choice([7, 14, 30]), min_sample=rng.choice([1, 3, 5, 10]))
    for n in range(members):
        user_id = f"U{n:03d}"
        data.members[user_id] = FakeMember(
            user_id=user_id,
            display_name=None if rng.random() < 0.2 else rng.choice(NAMES),
            hidden=rng.random() < 0.2,
            deactivated=rng.random() < 0.1,
        )
        count = rng.choice([0, 1, 2, 4, 8, 15, 30, 60])
        data.invites += random_invites(rng, user_id, count, data.withdraw_after_days)
    # Twins: the same invites sent by another member give identical numbers, hence a shared rank.
    for n in range(3):
        twin = f"UTWIN{n}"
        source = rng.choice(list(data.members))
        data.members[twin] = FakeMember(user_id=twin, display_name=f"Twin {n}")
        data.invites += [FakeInvite(twin, i.sent_at, i.status, i.priority) for i in data.invites if i.user_id == source]
    return data


# ---- the reference ----------------------------------------------------------------------------


def pending(i: FakeInvite) -> bool:
    """Pending and not past expiry (the workspace's default 180 days): past it, an invite counts as expired."""
    return i.status == "pending" and NOW - i.sent_at < timedelta(days=EXPIRE_AFTER_DAYS)


def tally(invites: list[FakeInvite], *, wad: int) -> RateCounts:
    """RateCounts by looking at each invite in Python."""
    def count(pred: Callable[[FakeInvite], bool]) -> int:
        return sum(1 for i in invites if pred(i))

    def stale(i: FakeInvite) -> bool:
        return pending(i) and is_stale(sent_at=i.sent_at, priority=i.priority, withdraw_after_days=wad, now=NOW)

    return RateCounts(
        sent=len(invites),
        accepted=count(lambda i: i.status == "accepted"),
        declined=count(lambda i: i.status == "declined"),
        withdrawn=count(lambda i: i.status == "withdrawn"),
        expired=count(lambda i: i.status == "expired" or (i.status == "pending" and not pending(i))),
        pending_stale=count(stale),
        pending_fresh=count(lambda i: pending(i) and not stale(i)),
    )


def in_period(invite: FakeInvite, period: Period) -> bool:
    start = period.start(NOW)
    return start is None or invite.sent_at > start


def reference_board(data: Dataset, period: Period) -> dict:
    """Every figure of the leaderboard, computed invite by invite and ranked by counting."""
    rows = []
    piles = {}  # every active member's pile now, whatever the period
    for m in data.members.values():
        if not m.deactivated:
            piles[m.user_id] = tally([i for i in data.invites if i.user_id == m.user_id], wad=data.withdraw_after_days)
        mine = [i for i in data.invites if i.user_id == m.user_id and in_period(i, period)]
        if m.deactivated or not mine:
            continue
        c = tally(mine, wad=data.withdraw_after_days)
        pile = piles[m.user_id]
        decided = c.accepted + c.declined + c.withdrawn + c.expired + c.pending_stale
        rows.append({
            "user": m.user_id,
            "name": m.display_name or m.user_id,
            "rank": None,
            "rate": c.accepted / decided if decided else None,
            "wilson_lower": round(wilson_lower_bound(c.accepted, decided), WILSON_DIGITS),
            "n": decided,
            "accepted": c.accepted,
            "pending": pile.pending_stale + pile.pending_fresh,
            "stale": pile.pending_stale,
            "snoozed_stale": 0,
            "hidden": m.hidden,
            "sent": c.sent,
        })
    eligible = [r for r in rows if not r["hidden"] and r["n"] >= data.min_sample]
    for r in eligible:
        ahead = [
            o for o in eligible
            if o["wilson_lower"] > r["wilson_lower"] or (o["wilson_lower"] == r["wilson_lower"] and o["n"] > r["n"])
        ]
        r["rank"] = 1 + len(ahead)
    return {
        "ranked": sorted(eligible, key=lambda r: (r["rank"], r["user"])),
        "unranked": sorted(
            (r for r in rows if not r["hidden"] and r["n"] < data.min_sample), key=lambda r: (-r["n"], r["user"])
        ),
        "hidden": sorted((r for r in rows if r["hidden"]), key=lambda r: r["user"]),
        "totals": {
            "sent": sum(r["sent"] for r in rows),
            "accepted": sum(r["accepted"] for r in rows),
            "decided": sum(r["n"] for r in rows),
            "pending": sum(p.pending_stale + p.pending_fresh for p in piles.values()),
            "stale": sum(p.pending_stale for p in piles.values()),
        },
    }


def without_sent(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "sent"} for r in rows]


def other_team(seed: int) -> Dataset:
    """A second workspace whose invites must never show up in T1's board."""
    data = random_dataset(seed + 1000, members=4)
    data.members = {u: m for u, m in data.members.items() if not u.startswith("UTWIN")}
    data.invites = [i for i in data.invites if i.user_id in data.members]
    return data


# ---- the leaderboard ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_figure_matches_the_reference(db, seed):
    data = random_dataset(seed)
    store(db, data)
    store(db, other_team(seed), team=OTHER_TEAM)
    for period in PERIODS.values():
        board = team_leaderboard(db, team_id=TEAM, period=period, now=NOW, every_pile=True)
        expected = reference_board(data, period)
        got = {
            "ranked": [r.to_json() for r in board.rows_ranked],
            "unranked": [r.to_json() for r in board.rows_unranked],
            "hidden": [r.to_json() for r in board.rows_hidden],
        }
        for part in ("ranked", "unranked", "hidden"):
            assert got[part] == without_sent(expected[part]), (seed, period.label, part)
        t = board.totals
        assert {"sent": t.sent, "accepted": t.accepted, "decided": t.decided, "pending": t.pending,
                "stale": t.stale} == expected["totals"], (seed, period.label)
        assert t.rate == (t.accepted / t.decided if t.decided else None)
        assert board.min_sample == data.min_sample and board.period == period
        assert board.to_json_rows() == got["ranked"] + got["unranked"] + got["hidden"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_message_board_reads_the_piles_of_the_rows_it_shows(db, seed, monkeypatch):
    """The board a message shows: the first SHOWN_RANKED ranked and SHOWN_UNRANKED unranked rows carry
    the member's pile now (as every other surface counts it); rows past them and hidden ones carry
    none, and the team totals carry no pile sums (only `every_pile` reads them)."""
    data = random_dataset(seed)
    store(db, data)
    expected = reference_board(data, PERIODS["all"])
    shown_ranked, shown_unranked = max(1, len(expected["ranked"]) // 2), max(1, len(expected["unranked"]) // 2)
    monkeypatch.setattr(leaderboard_module, "SHOWN_RANKED", shown_ranked)
    monkeypatch.setattr(leaderboard_module, "SHOWN_UNRANKED", shown_unranked)
    board = team_leaderboard(db, team_id=TEAM, period=PERIODS["all"], now=NOW)
    no_pile = {"pending": None, "stale": None, "snoozed_stale": None}
    for part, rows, shown in (("ranked", board.rows_ranked, shown_ranked),
                              ("unranked", board.rows_unranked, shown_unranked), ("hidden", board.rows_hidden, 0)):
        want = without_sent(expected[part])
        assert [r.to_json() for r in rows[:shown]] == want[:shown], (seed, part)
        assert [r.to_json() for r in rows[shown:]] == [{**w, **no_pile} for w in want[shown:]], (seed, part)
    assert (board.totals.pending, board.totals.stale, board.totals.snoozed_stale) == (None, None, None)
    assert board.totals.sent == expected["totals"]["sent"]


def test_the_random_datasets_cover_the_interesting_cases():
    """Guards the generator: ties, small samples, hidden and stale high-priority invites all occur."""
    seen = {"tie": False, "unranked": False, "hidden": False, "high_fresh_normal_stale": False}
    for seed in range(1, 7):
        data = random_dataset(seed)
        for period in PERIODS.values():
            ref = reference_board(data, period)
            ranks = [r["rank"] for r in ref["ranked"]]
            seen["tie"] |= len(ranks) != len(set(ranks))
            seen["unranked"] |= bool(ref["unranked"])
            seen["hidden"] |= bool(ref["hidden"])
        wad = timedelta(days=data.withdraw_after_days)
        seen["high_fresh_normal_stale"] |= any(
            i.status == "pending" and i.priority == "high" and wad <= NOW - i.sent_at < 2 * wad
            for i in data.invites
        )
    assert all(seen.values()), seen


def invites_of(user_id: str, *, accepted: int = 0, declined: int = 0, pending_days: tuple[int, ...] = (),
               priority: str = "normal", days_ago: int = 20) -> list[FakeInvite]:
    """Invites with given outcomes, all sent `days_ago` (pending ones at `pending_days` ago)."""
    sent = NOW - timedelta(days=days_ago)
    return (
        [FakeInvite(user_id, sent, "accepted") for _ in range(accepted)]
        + [FakeInvite(user_id, sent, "declined") for _ in range(declined)]
        + [FakeInvite(user_id, NOW - timedelta(days=d), "pending", priority) for d in pending_days]
    )


def test_equal_bound_and_n_share_a_rank_and_the_next_rank_is_skipped(db):
    data = Dataset(min_sample=1)
    for user in ("UA", "UB", "UC", "UD", "UE"):
        data.members[user] = FakeMember(user)
    data.invites = (
        invites_of("UB", accepted=5, declined=5) + invites_of("UA", accepted=5, declined=5)
        + invites_of("UC", accepted=4, declined=6)
        # 0 of 20 and 0 of 3 tie on the bound (0): more decided invites rank first.
        + invites_of("UD", declined=3) + invites_of("UE", declined=20)
    )
    store(db, data)
    board = team_leaderboard(db, team_id=TEAM, period=PERIODS["all"], now=NOW)
    assert [(r.user_id, r.rank) for r in board.rows_ranked] == [
        ("UA", 1), ("UB", 1), ("UC", 3), ("UE", 4), ("UD", 5)
    ]


def test_hidden_members_count_in_totals_only_and_deactivated_ones_not_at_all(db):
    data = Dataset(min_sample=2)
    data.members = {
        "UA": FakeMember("UA", "Dana"),
        "UH": FakeMember("UH", "Hidden", hidden=True),
        "UX": FakeMember("UX", "Gone", deactivated=True),
        "UN": FakeMember("UN"),
        "UZ": FakeMember("UZ", "No invites"),
    }
    data.invites = (
        invites_of("UA", accepted=2, declined=1) + invites_of("UH", accepted=3)
        + invites_of("UX", accepted=7) + invites_of("UN", accepted=1)
    )
    store(db, data)
    board = team_leaderboard(db, team_id=TEAM, period=PERIODS["30d"], now=NOW)
    assert [r.user_id for r in board.rows_ranked] == ["UA"]
    assert [(r.user_id, r.name, r.rank) for r in board.rows_unranked] == [("UN", "UN", None)]
    assert [(r.user_id, r.rank, r.hidden) for r in board.rows_hidden] == [("UH", None, True)]
    assert (board.totals.sent, board.totals.accepted, board.totals.decided) == (7, 6, 7)
    assert {row["user"] for row in board.to_json_rows()} == {"UA", "UN", "UH"}


def test_high_priority_invites_wait_twice_the_threshold_before_they_count(db):
    data = Dataset(withdraw_after_days=14, min_sample=1)
    data.members = {"UA": FakeMember("UA")}
    data.invites = (
        invites_of("UA", accepted=1, pending_days=(14, 13), priority="normal")
        + invites_of("UA", pending_days=(27, 28, 60), priority="high")
    )
    store(db, data)
    (row,) = team_leaderboard(db, team_id=TEAM, period=PERIODS["all"], now=NOW).rows_ranked
    # Stale: normal at 14 days, high at 28 and 60 days; fresh: normal at 13, high at 27.
    assert (row.accepted, row.stale, row.pending, row.n) == (1, 3, 5, 4)
    assert row.rate == 0.25


def test_an_unknown_workspace_has_an_empty_board(db):
    board = team_leaderboard(db, team_id="TNONE", period=PERIODS["7d"], now=NOW)
    assert board.to_json_rows() == [] and board.totals.sent == 0 and board.totals.rate is None


# ---- query counts ---------------------------------------------------------------------------------


def statements_during(db: Database, action: Callable[[], object]) -> list[str]:
    """The SQL statements sent to the database while `action` runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def team_of(size: int, team: str) -> Dataset:
    rng = random.Random(size)
    data = Dataset(min_sample=3)
    for n in range(size):
        user_id = f"U{n:03d}"
        data.members[user_id] = FakeMember(user_id, f"Member {n}", hidden=n % 7 == 0)
        data.invites += random_invites(rng, user_id, 6, data.withdraw_after_days)
    return data


def test_the_number_of_queries_does_not_grow_with_the_team(db):
    counts = {}
    for size, team in ((5, "TSMALL"), (50, "TLARGE")):
        store(db, team_of(size, team), team=team)
        statements = statements_during(
            db, lambda team=team: team_leaderboard(db, team_id=team, period=PERIODS["90d"], now=NOW)
        )
        counts[size] = statements
    assert len(counts[5]) == len(counts[50])
    selects = [s for s in counts[50] if s.lstrip().upper().startswith("SELECT")]
    # The workspace, the period counts, the shown members' piles; on SQLite also the period's size,
    # which picks how its rows are read (bot.services.leaderboard.SEEK_ROWS_PER_MEMBER).
    assert len(selects) == (4 if db.engine.dialect.name == "sqlite" else 3), selects


# ---- insights ----------------------------------------------------------------------------------


def member_with(db: Database, data: Dataset, *, tz: str | None = None) -> Actor:
    store(db, data)
    if tz is not None:
        with db.session() as s:
            s.execute(update(Member).where(Member.user_id == "UA").values(tz=tz, tz_checked_at=NOW))
    return identify(db, team_id=TEAM, user_id="UA", now=NOW)


# Zones west and east of UTC, with and without DST, a half-hour offset and a half-hour DST change.
ZONES = ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Kiritimati", "America/St_Johns"]


@pytest.mark.parametrize(("seed", "zone"), [(11, "UTC"), *((12 + n, zone) for n, zone in enumerate(ZONES[1:]))])
def test_weekday_rates_match_the_reference(db, seed, zone):
    """Weekdays are the member's own: an invite sent Monday 17:00 in Los Angeles is Tuesday in UTC."""
    rng = random.Random(seed)
    data = Dataset(withdraw_after_days=rng.choice([7, 14]))
    data.members = {"UA": FakeMember("UA"), "UB": FakeMember("UB")}
    data.invites = random_invites(rng, "UA", 400, data.withdraw_after_days)
    data.invites += random_invites(rng, "UB", 50, data.withdraw_after_days)
    actor = member_with(db, data, tz=zone)
    local = ZoneInfo(zone)
    for period in PERIODS.values():
        insights = member_insights(db, actor, period=period, now=NOW)
        mine = [i for i in data.invites if i.user_id == "UA" and in_period(i, period)]
        expected = {
            day: tally([i for i in mine if i.sent_at.astimezone(local).isoweekday() == day], wad=data.withdraw_after_days)
            for day in range(1, 8)
        }
        assert {w.weekday: w.counts for w in insights.weekdays} == expected, period.label
        assert [w.weekday for w in insights.weekdays] == [1, 2, 3, 4, 5, 6, 7]
        assert insights.best_weekday == reference_best(expected), period.label


def test_an_evening_send_in_los_angeles_counts_on_its_local_weekday(db):
    la = ZoneInfo("America/Los_Angeles")
    monday_evening = datetime(2026, 11, 2, 17, 30, tzinfo=la)  # Tuesday 01:30 UTC, the day after DST ended
    summer_monday = datetime(2026, 7, 6, 23, 59, tzinfo=la)  # Tuesday 06:59 UTC
    data = Dataset(members={"UA": FakeMember("UA")}, invites=[
        FakeInvite("UA", monday_evening.astimezone(UTC), "accepted"),
        FakeInvite("UA", summer_monday.astimezone(UTC), "declined"),
    ])
    actor = member_with(db, data, tz="America/Los_Angeles")
    insights = member_insights(db, actor, period=PERIODS["all"], now=NOW)
    assert (insights.weekdays[0].n, insights.weekdays[0].counts.accepted) == (2, 1)
    assert insights.weekdays[1].n == 0


def test_offsets_change_at_the_dst_instant():
    spans = offset_spans("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 30))
    assert spans == ((datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200), (datetime(2026, 3, 28, tzinfo=UTC), 3600))
    assert offset_spans("Asia/Kolkata", date(2026, 1, 1), date(2026, 12, 31)) == (
        (datetime(2026, 1, 1, tzinfo=UTC), 19800),)


def reference_best(by_day: dict[int, RateCounts]) -> int | None:
    """The weekday with the best rate among those with enough decided invites, when two or more have."""
    enough = {day: c for day, c in by_day.items() if c.decided >= WEEKDAY_MIN_DECIDED}
    if len(enough) < 2:
        return None
    best = max(c.accepted / c.decided for c in enough.values())
    leaders = [day for day, c in enough.items() if c.accepted / c.decided == best]
    most = max(enough[day].decided for day in leaders)
    return min(day for day in leaders if enough[day].decided == most)


def on_weekday(iso: int, *, weeks_ago: int) -> datetime:
    """Noon UTC on the given ISO weekday, `weeks_ago` weeks before NOW's week."""
    monday = (NOW - timedelta(days=NOW.isoweekday() - 1, weeks=weeks_ago)).replace(hour=12, minute=0)
    return monday + timedelta(days=iso - 1)


def weekday_invites(iso: int, *, accepted: int, declined: int) -> list[FakeInvite]:
    return [
        FakeInvite("UA", on_weekday(iso, weeks_ago=3 + n % 5), "accepted" if n < accepted else "declined")
        for n in range(accepted + declined)
    ]


def test_a_best_weekday_needs_two_weekdays_with_enough_decided_invites(db):
    data = Dataset(members={"UA": FakeMember("UA")})
    data.invites = weekday_invites(2, accepted=8, declined=2) + weekday_invites(4, accepted=5, declined=4)
    actor = member_with(db, data)
    insights = member_insights(db, actor, period=PERIODS["all"], now=NOW)
    assert insights.best_weekday is None
    assert (insights.weekdays[1].n, insights.weekdays[1].rate) == (10, 0.8)
    assert insights.weekdays[3].n == 9


def test_the_best_weekday_is_the_best_rate_among_well_sampled_days(db):
    data = Dataset(members={"UA": FakeMember("UA")})
    data.invites = (
        weekday_invites(2, accepted=6, declined=4) + weekday_invites(4, accepted=7, declined=3)
        + weekday_invites(7, accepted=3, declined=0)
    )
    actor = member_with(db, data)
    insights = member_insights(db, actor, period=PERIODS["all"], now=NOW)
    assert insights.best_weekday == 4
    assert insights.weekdays[6].rate == 1.0


def test_insights_take_one_query(db):
    data = Dataset(members={"UA": FakeMember("UA")}, invites=weekday_invites(3, accepted=2, declined=2))
    actor = member_with(db, data)
    statements = statements_during(db, lambda: member_insights(db, actor, period=PERIODS["30d"], now=NOW))
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
