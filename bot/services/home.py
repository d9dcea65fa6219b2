"""What the App Home shows a member: aggregate SQL over their invites, a bounded stale batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent, Member
from bot.domain.invites import (
    PaceLevel,
    Priority,
    RateCounts,
    Risk,
    Status,
    Tier,
    pace_level,
    risk_level,
    week_starts,
)
from bot.domain.nudges import PendingInvite
from bot.services.invites import own_invites, stale_condition
from bot.services.members import Actor
from bot.services.stats import counts_of, rate_columns

TREND_WEEKS = 8
# The Home tab holds 100 blocks and each batch row takes two: show this many, count the rest.
MAX_BATCH_ROWS = 20

# Today's withdrawal order, as the daily digest suggests it: low, normal, high priority.
_PRIORITY_RANK = case(
    (Invite.priority == Priority.LOW, 0), (Invite.priority == Priority.NORMAL, 1), else_=2
)


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
    pending: int
    stale: int
    sends_last_7_days: int
    safe_weekly_limit: int
    pending_warn_at: int
    pending_limit: int
    weeks: tuple[WeekRate, ...]  # oldest first
    batch: tuple[PendingInvite, ...]  # the first rows of today's batch, in withdrawal order
    batch_total: int  # today's whole batch
    ready: int  # stale invites that could be withdrawn (not snoozed, not about to expire)
    budget_left: int
    max_withdrawals_per_day: int
    nudge_hour: int

    @property
    def trend_total(self) -> RateCounts:
        """The counts over all the trend's weeks together."""
        fields = ("sent", "accepted", "declined", "withdrawn", "expired", "pending_stale", "pending_fresh")
        return RateCounts(*(sum(getattr(w.counts, f) for w in self.weeks) for f in fields))

    @property
    def risk(self) -> Risk:
        """The pending pile against the workspace's levels."""
        return risk_level(pending=self.pending, pending_warn_at=self.pending_warn_at, pending_limit=self.pending_limit)

    @property
    def pace(self) -> PaceLevel:
        """The rolling 7-day sends against the tier's safe limit."""
        return pace_level(sends_last_7_days=self.sends_last_7_days, safe_limit=self.safe_weekly_limit)


def local_midnight(now: datetime, actor: Actor) -> datetime:
    """The start of the member's local today, as an aware instant."""
    local = now.astimezone(actor.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def home_data(db: Database, actor: Actor, *, now: datetime, max_rows: int = MAX_BATCH_ROWS) -> HomeData:
    """The member's Home figures in five bounded queries, whatever the size of their pile."""
    s = actor.settings
    own = own_invites(actor)
    stale = stale_condition(withdraw_after_days=s.withdraw_after_days, now=now)
    awake = or_(Invite.snoozed_until.is_(None), Invite.snoozed_until <= now)
    # Invites past expire_after_days are about to become `expired`: the digest leaves them out too.
    ready = and_(stale, awake, Invite.sent_at > now - timedelta(days=s.expire_after_days))
    week_ago = now - timedelta(days=7)
    with db.session(write=False) as session:
        member = session.execute(
            select(Member.account_tier, Member.nudges_enabled, Member.snoozed_until, Member.show_on_leaderboard)
            .where(Member.id == actor.member_id)
        ).one()
        pile = session.execute(
            select(
                func.count().filter(Invite.status == Status.PENDING),
                func.count().filter(and_(stale, awake)),
                func.count().filter(ready),
                func.count().filter(Invite.sent_at > week_ago),
            ).where(own, or_(Invite.status == Status.PENDING, Invite.sent_at > week_ago))
        ).one()
        withdrawn_today = session.scalar(
            select(func.count()).select_from(InviteEvent).where(
                InviteEvent.team_id == actor.team_id, InviteEvent.member_id == actor.member_id,
                InviteEvent.to_status == Status.WITHDRAWN, InviteEvent.undone.is_(False),
                InviteEvent.at >= local_midnight(now, actor),
            )
        ) or 0
        weeks = _weeks(session, own, actor, now=now)
        budget = max(0, s.max_withdrawals_per_day - int(withdrawn_today))
        batch_total = min(budget, int(pile[2]))
        rows = session.execute(
            select(Invite.id, Invite.prospect_key, Invite.priority, Invite.sent_at, Invite.snoozed_until,
                   Invite.name, Invite.url, Invite.notes)
            .where(own, ready)
            .order_by(_PRIORITY_RANK, Invite.sent_at, Invite.id)
            .limit(min(batch_total, max_rows))
        ).all() if batch_total else []
    tier = Tier(member.account_tier)
    return HomeData(
        user_id=actor.user_id,
        tier=tier,
        nudges_enabled=bool(member.nudges_enabled),
        snoozed_until=member.snoozed_until,
        show_on_leaderboard=bool(member.show_on_leaderboard),
        pending=int(pile[0]),
        stale=int(pile[1]),
        sends_last_7_days=int(pile[3]),
        safe_weekly_limit=s.safe_weekly[tier],
        pending_warn_at=s.pending_warn_at,
        pending_limit=s.pending_limit,
        weeks=weeks,
        batch=tuple(PendingInvite(r.id, r.prospect_key, Priority(r.priority), r.sent_at, r.snoozed_until, r.name, r.url,
                                  comment=r.notes)
                    for r in rows),
        batch_total=batch_total,
        ready=int(pile[2]),
        budget_left=budget,
        max_withdrawals_per_day=s.max_withdrawals_per_day,
        nudge_hour=s.nudge_hour,
    )


def _weeks(session, own, actor: Actor, *, now: datetime) -> tuple[WeekRate, ...]:
    """Acceptance per calendar week (Monday 00:00 in the member's zone) over the last TREND_WEEKS
    weeks, this one included, in one GROUP BY (oldest first)."""
    # Plain timestamp comparisons against instants computed here: identical on SQLite and PostgreSQL.
    starts = week_starts(now, actor.tz, TREND_WEEKS)  # newest first
    bucket = case(*((Invite.sent_at >= starts[k], k) for k in range(TREND_WEEKS)), else_=TREND_WEEKS)
    rows = session.execute(
        select(bucket, *rate_columns(withdraw_after_days=actor.settings.withdraw_after_days, now=now))
        .where(own, Invite.sent_at >= starts[-1])
        .group_by(bucket)
    ).all()
    by_week = {int(row[0]): counts_of(row[1:]) for row in rows}
    ends = [now, *starts[:-1]]
    return tuple(
        WeekRate(start=starts[k], end=ends[k], counts=by_week.get(k, RateCounts()))
        for k in reversed(range(TREND_WEEKS))
    )
