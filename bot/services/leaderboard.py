"""The team leaderboard and a member's weekday insight: aggregate SQL, never one query per member."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite, Member, Workspace
from bot.domain.counts import PileCounts, Thresholds
from bot.domain.invites import Period, RateCounts, wilson_lower_bound
from bot.services import counts
from bot.services.invites import own_invites
from bot.services.members import Actor

# The model's own default, used when a workspace has no row yet (it then has no invites either).
DEFAULT_MIN_SAMPLE = 10

# A best sending weekday is named only when at least two weekdays have this many decided invites.
WEEKDAY_MIN_DECIDED = 10
WEEKDAY_MIN_DAYS = 2

# Wilson bounds are rounded before they are compared: float noise makes wilson_lower_bound(0, 3)
# 4.9e-17 rather than 0, which would rank 0 of 3 above 0 of 10 instead of tying them on the bound.
WILSON_DIGITS = 12


@dataclass(frozen=True)
class LeaderboardRow:
    """One member's numbers over the invites they sent in the period, and their rank."""

    user_id: str
    name: str
    rank: int | None
    rate: float | None
    wilson_lower: float
    n: int
    accepted: int
    pending: int
    stale: int
    hidden: bool
    snoozed_stale: int = 0

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON-ready dict (`user` is the Slack user id)."""
        return {
            "user": self.user_id,
            "name": self.name,
            "rank": self.rank,
            "rate": self.rate,
            "wilson_lower": self.wilson_lower,
            "n": self.n,
            "accepted": self.accepted,
            "pending": self.pending,
            "stale": self.stale,
            "snoozed_stale": self.snoozed_stale,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class TeamTotals:
    """The whole team's numbers for the period, hidden members included."""

    sent: int = 0
    accepted: int = 0
    decided: int = 0
    pending: int = 0  # the piles now of every active member (bot.services.counts), not only this period's
    stale: int = 0
    snoozed_stale: int = 0

    @property
    def rate(self) -> float | None:
        """accepted / decided, or None when nothing is decided yet."""
        return self.accepted / self.decided if self.decided else None


@dataclass(frozen=True)
class Leaderboard:
    """Ranked members, members below the minimum sample, hidden members, and the team totals."""

    period: Period
    rows_ranked: tuple[LeaderboardRow, ...]
    rows_unranked: tuple[LeaderboardRow, ...]
    rows_hidden: tuple[LeaderboardRow, ...]
    totals: TeamTotals
    min_sample: int

    def to_json_rows(self) -> list[dict[str, Any]]:
        """One dict per member with invites in the period: ranked, then unranked, then hidden."""
        return [row.to_json() for row in (*self.rows_ranked, *self.rows_unranked, *self.rows_hidden)]


@dataclass(frozen=True)
class _MemberCounts:
    user_id: str
    name: str
    hidden: bool
    counts: RateCounts
    pile: PileCounts


def team_leaderboard(db: Database, *, team_id: str, period: Period, now: datetime) -> Leaderboard:
    """The workspace's leaderboard over invites sent in the period (a fixed number of queries, any team size)."""
    with db.session(write=False) as session:
        ws = session.get(Workspace, team_id)
        if ws is None:
            return _board(period, [], [], min_sample=DEFAULT_MIN_SAMPLE)
        piles = counts.team_piles(session, ws, now=now, pile_only=True)
        thresholds = Thresholds(withdraw_after_days=ws.withdraw_after_days, expire_after_days=ws.expire_after_days)
        rows = _member_counts(session, team_id=team_id, period=period, thresholds=thresholds, now=now, piles=piles)
    return _board(period, rows, list(piles.values()), min_sample=int(ws.leaderboard_min_sample))


def _member_counts(
    session: Session, *, team_id: str, period: Period, thresholds: Thresholds, now: datetime,
    piles: dict[int, PileCounts],
) -> list[_MemberCounts]:
    """Per active member with invites sent in the period: the RateCounts, in one GROUP BY, and the pile."""
    conditions = [Invite.team_id == team_id, *counts.in_period(period, now=now)]
    # One row per member (an index-only scan of ix_invites_team_sent, plain COUNT … FILTER
    # aggregates), joined to the members afterwards: the join touches one row per member.
    # SQLite would walk ix_invites_member_status_sent to get the GROUP BY order for free, reading
    # every invite of the workspace; `member_id + 0` is not an indexed column, so it takes the
    # covering ix_invites_team_sent range instead.
    member_key = Invite.member_id + 0 if session.get_bind().dialect.name == "sqlite" else Invite.member_id
    per_member = (
        select(member_key.label("member_id"),
               *(column.label(name) for column, name in zip(counts.rate_columns(thresholds, now=now), counts.RATE_COLUMNS,
                                                            strict=True)))
        .where(*conditions)
        .group_by(member_key)
        .subquery()
    )
    rows = session.execute(
        select(Member.id, Member.user_id, Member.display_name, Member.show_on_leaderboard,
               *(per_member.c[name] for name in counts.RATE_COLUMNS))
        .join(per_member, per_member.c.member_id == Member.id)
        .where(Member.team_id == team_id, Member.deactivated.is_(False))
    ).all()
    return [
        _MemberCounts(user_id=user_id, name=name or user_id, hidden=not shown, counts=counts.counts_of(rest),
                      pile=piles.get(member_id, PileCounts()))
        for member_id, user_id, name, shown, *rest in rows
    ]




def _row(member: _MemberCounts) -> LeaderboardRow:
    """An unranked row from a member's counts."""
    c = member.counts
    return LeaderboardRow(
        user_id=member.user_id,
        name=member.name,
        rank=None,
        rate=c.rate,
        wilson_lower=round(wilson_lower_bound(c.accepted, c.decided), WILSON_DIGITS),
        n=c.decided,
        accepted=c.accepted,
        pending=member.pile.pending,
        stale=member.pile.stale,
        hidden=member.hidden,
        snoozed_stale=member.pile.snoozed_stale,
    )


def rank_rows(rows: list[LeaderboardRow]) -> tuple[LeaderboardRow, ...]:
    """Order by Wilson lower bound, then n, then user id; equal (bound, n) share a rank (1, 1, 3)."""
    ordered = sorted(rows, key=lambda r: (-r.wilson_lower, -r.n, r.user_id))
    ranked: list[LeaderboardRow] = []
    for position, row in enumerate(ordered, start=1):
        rank: int | None = position
        if ranked and (ranked[-1].wilson_lower, ranked[-1].n) == (row.wilson_lower, row.n):
            rank = ranked[-1].rank
        ranked.append(replace(row, rank=rank))
    return tuple(ranked)


def _totals(members: list[_MemberCounts], piles: list[PileCounts]) -> TeamTotals:
    """Sums over every member given (hidden ones included); the piles of every active member."""
    return TeamTotals(
        sent=sum(m.counts.sent for m in members),
        accepted=sum(m.counts.accepted for m in members),
        decided=sum(m.counts.decided for m in members),
        pending=sum(p.pending for p in piles),
        stale=sum(p.stale for p in piles),
        snoozed_stale=sum(p.snoozed_stale for p in piles),
    )


def _board(period: Period, members: list[_MemberCounts], piles: list[PileCounts], *, min_sample: int) -> Leaderboard:
    """Split the rows into ranked, not-enough-data and hidden, and add the totals."""
    rows = [_row(m) for m in members]
    shown = [r for r in rows if not r.hidden]
    unranked = sorted((r for r in shown if r.n < min_sample), key=lambda r: (-r.n, r.user_id))
    return Leaderboard(
        period=period,
        rows_ranked=rank_rows([r for r in shown if r.n >= min_sample]),
        rows_unranked=tuple(unranked),
        rows_hidden=tuple(sorted((r for r in rows if r.hidden), key=lambda r: r.user_id)),
        totals=_totals(members, piles),
        min_sample=min_sample,
    )


# ---- insights -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekdayRate:
    """The acceptance counts of invites sent on one weekday (ISO: 1 = Monday … 7 = Sunday, member's zone)."""

    weekday: int
    counts: RateCounts

    @property
    def rate(self) -> float | None:
        """accepted / decided for the weekday."""
        return self.counts.rate

    @property
    def n(self) -> int:
        """Decided invites sent on the weekday."""
        return self.counts.decided


@dataclass(frozen=True)
class Insights:
    """Per-weekday rates (Monday first, all seven) and the best weekday when the data allows one."""

    period: Period
    weekdays: tuple[WeekdayRate, ...]
    best_weekday: int | None


# LinkedIn's first year: the oldest instant an invite can carry, where "all time" starts.
_EPOCH_OF_INVITES = datetime(2003, 1, 1, tzinfo=UTC)
_DAY_S = 86_400


@functools.lru_cache(maxsize=256)
def offset_spans(zone: str, first_day: date, last_day: date) -> tuple[tuple[datetime, int], ...]:
    """The zone's UTC offsets (seconds) from `first_day` to the day after `last_day`, newest first.

    Each piece is (from, offset): the offset holds from that UTC instant until the next newer
    piece. Changes are found day by day, then to the second (DST moves on the hour or half hour).
    """
    tz = ZoneInfo(zone)
    start = datetime.combine(first_day, time(), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)

    def offset(at: datetime) -> timedelta:
        return at.astimezone(tz).utcoffset() or timedelta(0)

    pieces: list[tuple[datetime, int]] = []
    begin, current, at = start, offset(start), start
    while at < end:
        step = min(at + timedelta(days=1), end)
        if offset(step) != current:
            low, high = at, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            pieces.append((begin, int(current.total_seconds())))
            begin, current = high.replace(microsecond=0), offset(high)
        at = step
    pieces.append((begin, int(current.total_seconds())))
    return tuple(reversed(pieces))


def local_weekday(session: Session, column, *, zone: str, start: datetime | None, now: datetime):
    """SQL: the weekday (0 = Sunday … 6 = Saturday) of a UTC timestamp column in a time zone.

    Neither backend is asked about zones (SQLite has no zone data): the zone's offsets over the
    period come from Python as a CASE over instants, added to the Unix time, and the weekday is
    counted from 1970-01-01, a Thursday. Identical on SQLite and PostgreSQL, DST included.
    """
    if session.get_bind().dialect.name == "sqlite":
        seconds = cast(func.strftime("%s", column), BigInteger)
    else:
        seconds = cast(func.floor(func.extract("epoch", column)), BigInteger)
    spans = offset_spans(zone, (start or _EPOCH_OF_INVITES).date(), now.date())
    if len(spans) == 1:
        shifted = seconds + spans[0][1]
    else:
        newest_first = [(column >= since, seconds + off) for since, off in spans[:-1]]
        shifted = case(*newest_first, else_=seconds + spans[-1][1])
    return (cast(shifted, BigInteger) // _DAY_S + 4) % 7


def member_insights(db: Database, actor: Actor, *, period: Period, now: datetime) -> Insights:
    """The actor's acceptance by sending weekday, in their own time zone, over the period (one query)."""
    conditions = [own_invites(actor), *counts.in_period(period, now=now)]
    start = period.start(now)
    with db.session(write=False) as session:
        dow = local_weekday(session, Invite.sent_at, zone=actor.tz.key, start=start, now=now)
        rows = session.execute(
            select(dow, *counts.rate_columns(counts.MemberScope.of_actor(actor).thresholds, now=now))
            .where(*conditions)
            .group_by(dow)
        ).all()
    by_iso = {7 if int(row[0]) == 0 else int(row[0]): counts.counts_of(row[1:]) for row in rows}
    weekdays = tuple(WeekdayRate(day, by_iso.get(day, RateCounts())) for day in range(1, 8))
    return Insights(period=period, weekdays=weekdays, best_weekday=best_weekday(weekdays))


def best_weekday(weekdays: tuple[WeekdayRate, ...]) -> int | None:
    """The weekday with the highest rate among those with enough decided invites (ties: more n, earlier)."""
    eligible = [w for w in weekdays if w.n >= WEEKDAY_MIN_DECIDED]
    if len(eligible) < WEEKDAY_MIN_DAYS:
        return None
    return max(eligible, key=lambda w: (w.counts.accepted / w.n, w.n, -w.weekday)).weekday
