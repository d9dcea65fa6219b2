"""What the App Home shows a member: aggregate SQL over their invites, a bounded stale batch."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import case, select

from bot.db.engine import Database
from bot.db.models import Invite, Member
from bot.domain.away import is_away
from bot.domain.counts import PileCounts
from bot.domain.drift import Drift
from bot.domain.invites import PaceLevel, RateCounts, Tier, pace_level, week_starts
from bot.domain.notes import NoteBudget
from bot.domain.nudges import PendingInvite
from bot.services import counts
from bot.services.invites import own_invites
from bot.services.members import Actor

TREND_WEEKS = 8
# The Home tab holds 100 blocks and each batch row takes two: show this many, count the rest.
MAX_BATCH_ROWS = 20


@dataclass(frozen=True)
class WeekRate:
    """Acceptance over invites sent in one calendar week: `start` <= sent_at < `end` (this week: to now)."""

    start: datetime
    end: datetime
    counts: RateCounts


@dataclass(frozen=True)
class HomeData:
    """Everything the Home tab shows, read fresh (settings too: they may have just changed)."""

    user_id: str
    tier: Tier
    nudges_enabled: bool
    snoozed_until: datetime | None
    show_on_leaderboard: bool
    pile: PileCounts  # pending, stale, today's batch, 7-day sends: bot.services.counts, as every surface
    safe_weekly_limit: int
    weeks: tuple[WeekRate, ...]  # oldest first
    batch: tuple[PendingInvite, ...]  # the first rows of today's batch, in withdrawal order
    nudge_hour: int
    notes: NoteBudget | None = None  # personal notes this month against the tier's cap
    drift: Drift | None = None  # the last `/invites linkedin` report
    away_until: date | None = None  # the last local day away

    @property
    def sends_last_7_days(self) -> int:
        """Invites sent in the last 7x24 hours."""
        return self.pile.sent_7d

    @property
    def batch_total(self) -> int:
        """Today's whole batch."""
        return self.pile.batch

    @property
    def trend_total(self) -> RateCounts:
        """The counts over all the trend's weeks together."""
        return RateCounts(*(sum(column) for column in zip(*(w.counts for w in self.weeks), strict=True)))

    @property
    def pace(self) -> PaceLevel:
        """The rolling 7-day sends against the tier's safe limit."""
        return pace_level(sends_last_7_days=self.sends_last_7_days, safe_limit=self.safe_weekly_limit)


def home_data(db: Database, actor: Actor, *, now: datetime, max_rows: int = MAX_BATCH_ROWS) -> HomeData:
    """The member's Home figures in a few bounded queries, whatever the size of their pile."""
    s = actor.settings
    own = own_invites(actor)
    scope = counts.MemberScope.of_actor(actor)
    with db.session(write=False) as session:
        member = session.execute(
            select(Member.account_tier, Member.nudges_enabled, Member.snoozed_until, Member.show_on_leaderboard,
                   Member.linkedin_pending, Member.linkedin_logged, Member.linkedin_reported_at, Member.away_until)
            .where(Member.id == actor.member_id)
        ).one()
        pile, notes_used = counts.pile_and_notes(session, scope, now=now)
        weeks = _weeks(session, own, actor, now=now)
        rows = counts.batch_rows(session, scope, now=now, limit=min(pile.batch, max_rows))
        tier = Tier(member.account_tier)
        notes = counts.budget_of(replace(actor, tier=tier), notes_used, now=now)
    return HomeData(
        user_id=actor.user_id,
        tier=tier,
        nudges_enabled=bool(member.nudges_enabled),
        snoozed_until=member.snoozed_until,
        show_on_leaderboard=bool(member.show_on_leaderboard),
        pile=pile,
        safe_weekly_limit=s.safe_weekly[tier],
        weeks=weeks,
        batch=tuple(rows),
        nudge_hour=s.nudge_hour,
        notes=notes,
        drift=Drift.of(member.linkedin_pending, member.linkedin_logged, member.linkedin_reported_at),
        away_until=member.away_until if is_away(member.away_until, now.astimezone(actor.tz).date()) else None,
    )


def trend_weeks(db: Database, actor: Actor, *, now: datetime) -> tuple[WeekRate, ...]:
    """Only the 8-week trend (what the stats chart draws), in one GROUP BY."""
    with db.session(write=False) as session:
        return _weeks(session, own_invites(actor), actor, now=now)


def _weeks(session, own, actor: Actor, *, now: datetime) -> tuple[WeekRate, ...]:
    """Acceptance per calendar week (Monday 00:00 in the member's zone) over the last TREND_WEEKS
    weeks, this one included, in one GROUP BY (oldest first)."""
    # Plain timestamp comparisons against instants computed here: identical on SQLite and PostgreSQL.
    starts = week_starts(now, actor.tz, TREND_WEEKS)  # newest first
    bucket = case(*((Invite.sent_at >= starts[k], k) for k in range(TREND_WEEKS)), else_=TREND_WEEKS)
    rows = session.execute(
        select(bucket, *counts.rate_columns(counts.MemberScope.of_actor(actor).thresholds, now=now))
        .where(own, Invite.sent_at >= starts[-1])
        .group_by(bucket)
    ).all()
    by_week = {int(row[0]): counts.counts_of(row[1:]) for row in rows}
    ends = [now, *starts[:-1]]
    return tuple(
        WeekRate(start=starts[k], end=ends[k], counts=by_week.get(k, RateCounts()))
        for k in reversed(range(TREND_WEEKS))
    )
