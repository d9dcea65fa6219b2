"""A member's numbers, computed by aggregate SQL (never by loading invites into Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite
from bot.domain.invites import Period, RateCounts, Status, is_low_rate
from bot.services.invites import own_invites, stale_condition
from bot.services.members import Actor


def _sum(condition) -> object:
    return func.coalesce(func.sum(cast(case((condition, 1), else_=0), Integer)), 0)


def rate_columns(*, withdraw_after_days: int, now: datetime) -> list:
    """The SELECT list behind RateCounts: sent, outcomes, stale and fresh pending."""
    stale = stale_condition(withdraw_after_days=withdraw_after_days, now=now)
    return [
        func.count(),
        _sum(Invite.status == Status.ACCEPTED),
        _sum(Invite.status == Status.DECLINED),
        _sum(Invite.status == Status.WITHDRAWN),
        _sum(Invite.status == Status.EXPIRED),
        _sum(stale),
        _sum((Invite.status == Status.PENDING) & ~stale),
    ]


def counts_of(row) -> RateCounts:
    """A RateCounts from the columns of `rate_columns` (in order)."""
    return RateCounts(*(int(v or 0) for v in row[:7]))


def days_between(session: Session, start, end):
    """SQL for the days between two timestamp columns, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


@dataclass(frozen=True)
class MemberStats:
    period: Period
    counts: RateCounts
    with_note: RateCounts
    without_note: RateCounts
    median_days_to_accept: float | None
    sends_last_7_days: int
    safe_weekly_limit: int
    pending_total: int
    stale_total: int

    @property
    def low_rate(self) -> bool:
        """True when the rate is below the healthy 30%."""
        return is_low_rate(self.counts.rate)


def member_stats(db: Database, actor: Actor, *, period: Period, now: datetime) -> MemberStats:
    """The actor's stats over invites sent in the period, plus their current pile and pace."""
    start = period.start(now)
    wad = actor.settings.withdraw_after_days
    in_period = [own_invites(actor)]
    if start is not None:
        in_period.append(Invite.sent_at >= start)
    with db.session(write=False) as session:
        by_note = session.execute(
            select(Invite.with_note, *rate_columns(withdraw_after_days=wad, now=now))
            .where(*in_period)
            .group_by(Invite.with_note)
        ).all()
        split = {bool(row[0]): counts_of(row[1:]) for row in by_note}
        with_note, without_note = split.get(True, RateCounts()), split.get(False, RateCounts())
        total = RateCounts(*(a + b for a, b in zip(_fields(with_note), _fields(without_note), strict=True)))
        median = _median_days_to_accept(session, in_period, total.accepted)
        week_ago = now - timedelta(days=7)
        pile = session.execute(
            select(
                func.count().filter(Invite.sent_at > week_ago),
                _sum(Invite.status == Status.PENDING),
                _sum(stale_condition(withdraw_after_days=wad, now=now)),
            ).where(Invite.member_id == actor.member_id)
        ).one()
    return MemberStats(
        period=period,
        counts=total,
        with_note=with_note,
        without_note=without_note,
        median_days_to_accept=median,
        sends_last_7_days=int(pile[0]),
        safe_weekly_limit=actor.safe_weekly_limit,
        pending_total=int(pile[1]),
        stale_total=int(pile[2]),
    )


def _fields(counts: RateCounts) -> tuple[int, ...]:
    return (
        counts.sent, counts.accepted, counts.declined, counts.withdrawn, counts.expired,
        counts.pending_stale, counts.pending_fresh,
    )


def _median_days_to_accept(session: Session, conditions: list, accepted: int) -> float | None:
    if accepted == 0:
        return None
    days = days_between(session, Invite.sent_at, Invite.status_changed_at)
    # The middle one (odd count) or the middle two (even count), picked by the database.
    middle = session.scalars(
        select(days)
        .where(*conditions, Invite.status == Status.ACCEPTED)
        .order_by(days)
        .offset((accepted - 1) // 2)
        .limit(2 if accepted % 2 == 0 else 1)
    ).all()
    values = [max(0.0, float(v)) for v in middle]
    return sum(values) / len(values) if values else None
