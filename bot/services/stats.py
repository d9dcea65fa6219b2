"""A member's numbers, computed by aggregate SQL (never by loading invites into Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite
from bot.domain.counts import PileCounts
from bot.domain.invites import Period, RateCounts, Status, is_low_rate
from bot.domain.notes import NoteBudget
from bot.services import counts
from bot.services.invites import own_invites
from bot.services.members import Actor


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
    safe_weekly_limit: int
    pile: PileCounts  # the member's pile now, as every surface counts it
    notes: NoteBudget | None = None  # personal notes this month against the tier's cap

    @property
    def low_rate(self) -> bool:
        """True when the rate is below the healthy 30%."""
        return is_low_rate(self.counts.rate)

    @property
    def sends_last_7_days(self) -> int:
        """Invites sent in the last 7x24 hours."""
        return self.pile.sent_7d


def member_stats(db: Database, actor: Actor, *, period: Period, now: datetime) -> MemberStats:
    """The actor's stats over invites sent in the period, plus their current pile and pace."""
    scope = counts.MemberScope.of_actor(actor)
    in_period = [own_invites(actor), *counts.in_period(period, now=now)]
    with db.session(write=False) as session:
        by_note = session.execute(
            select(Invite.with_note, *counts.rate_columns(scope.thresholds, now=now))
            .where(*in_period)
            .group_by(Invite.with_note)
        ).all()
        split = {bool(row[0]): counts.counts_of(row[1:]) for row in by_note}
        with_note, without_note = split.get(True, RateCounts()), split.get(False, RateCounts())
        total = RateCounts(*(a + b for a, b in zip(with_note, without_note, strict=True)))  # named tuples
        median = _median_days_to_accept(session, in_period, total.accepted)
        pile, notes_used = counts.pile_and_notes(session, scope, now=now)
    return MemberStats(
        period=period,
        counts=total,
        with_note=with_note,
        without_note=without_note,
        median_days_to_accept=median,
        safe_weekly_limit=actor.safe_weekly_limit,
        pile=pile,
        notes=counts.budget_of(actor, notes_used, now=now),
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
