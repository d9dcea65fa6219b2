"""The weekly team digest: due on Mondays at nudge_hour (workspace zone), sent once through the ledger."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Delivery, Invite, Member, Workspace
from bot.domain.away import parse_holidays, weekly_digest_day
from bot.domain.counts import Thresholds
from bot.domain.invites import PERIODS, RateCounts, Risk
from bot.domain.nudges import Kind
from bot.services import counts, ledger
from bot.services.leaderboard import Leaderboard, LeaderboardRow, team_leaderboard
from bot.services.members import zone

log = logging.getLogger("bot.team_digest")

MONDAY = 1
# The 30-day board, as `/invites leaderboard 30d` shows it: over 7 days nothing would be decided yet,
# since invites younger than withdraw_after_days (14) are not counted.
PERIOD = PERIODS["30d"]
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class TeamPile:
    """The team's pending pile now (active members, hidden ones included) and its risk zone, unnamed."""

    members: int = 0  # active members with at least one pending invite
    pending: int = 0
    stale: int = 0
    snoozed_stale: int = 0
    at_warn: int = 0  # pending_warn_at <= pending < pending_limit
    at_limit: int = 0  # pending >= pending_limit


@dataclass(frozen=True)
class TeamDigestPlan:
    """One workspace's digest, due now in its channel."""

    team_id: str
    channel: str
    local_date: date  # the workspace-local Monday
    board: Leaderboard
    pile: TeamPile
    pending_warn_at: int
    pending_limit: int
    # The ranked members' counts over the 30 days that ended a week ago, by user id.
    last_week: Mapping[str, RateCounts] = field(default_factory=dict)

    def change(self, row: LeaderboardRow) -> int | None:
        """A ranked member's change since last week in whole points; None when they were not ranked then."""
        before = self.last_week.get(row.user_id)
        if before is None or before.rate is None or row.rate is None:
            return None
        if before.decided < self.board.min_sample:  # not ranked a week ago
            return None
        # The points between the two rates as shown (rounded the way `42%` is), so 37% → 42% reads "5 pts".
        return round(row.rate * 100) - round(before.rate * 100)

    def as_json(self) -> dict[str, Any]:
        """What a dry run or a log line shows (counts only: no member is named)."""
        t = self.board.totals
        return {
            "team": self.team_id, "channel": self.channel, "kind": str(Kind.TEAM_DIGEST),
            "local_date": self.local_date.isoformat(), "period": self.board.period.label,
            "sent": t.sent, "accepted": t.accepted, "rate": t.rate,
            "pending": self.pile.pending, "stale": self.pile.stale, "at_warn": self.pile.at_warn,
            "at_limit": self.pile.at_limit,
        }


# Posts the digest tagged with the claim's delivery id (or finds it, when `check_first`);
# returns (channel, ts); raises DeliveryError.
ChannelSender = Callable[[TeamDigestPlan, "ledger.Claim"], tuple[str, str]]


@dataclass
class TeamDigestReport:
    planned: list[TeamDigestPlan] = field(default_factory=list)
    sent: list[TeamDigestPlan] = field(default_factory=list)
    failed: list[tuple[TeamDigestPlan, str]] = field(default_factory=list)
    skipped: list[TeamDigestPlan] = field(default_factory=list)


def due_date(now: datetime, *, timezone: str, nudge_hour: int, working_days: str = "12345",
             holidays: tuple[date, ...] = ()) -> date | None:
    """The week's workspace-local Monday (the ledger's date) when the digest is due at `now`, else None.

    Due from nudge_hour to midnight on Monday, or, when Monday is a workspace holiday, on the next
    working day of the week that is not one (bot.domain.away).
    """
    local = now.astimezone(zone(timezone))
    day = weekly_digest_day(local.date(), working_days=working_days, holidays=holidays)
    if day is None or local.date() != day or local.hour < nudge_hour:
        return None
    return day - timedelta(days=day.isoweekday() - MONDAY)


def plan_team_digests(db: Database, *, now: datetime, team_id: str | None = None) -> list[TeamDigestPlan]:
    """The team digests due now and not yet final in the ledger; a few queries per due workspace."""
    query = select(Workspace).where(Workspace.uninstalled_at.is_(None), Workspace.digest_channel.is_not(None),
                                    Workspace.digest_channel != "")
    if team_id:
        query = query.where(Workspace.team_id == team_id)
    with db.session(write=False) as session:
        due = {}
        for ws in session.scalars(query):
            day = due_date(now, timezone=ws.timezone, nudge_hour=ws.nudge_hour, working_days=ws.working_days,
                           holidays=parse_holidays(ws.holidays))
            if day is not None:
                due[ws.team_id] = (ws, day)
        if not due:
            return []
        final = {
            (row.team_id, row.recipient, row.local_date)
            for row in session.execute(
                select(Delivery.team_id, Delivery.recipient, Delivery.local_date, Delivery.state,
                       Delivery.claimed_at, Delivery.attempts, Delivery.error)
                .where(Delivery.team_id.in_(list(due)), Delivery.kind == Kind.TEAM_DIGEST,
                       Delivery.local_date.in_({day for _, day in due.values()}))
            )
            # The ledger's own rule: sent, a live claim, or a failure that retrying will not fix.
            if ledger.is_final(row.state, row.claimed_at, row.attempts, row.error, now)
        }
        due = {t: (ws, day) for t, (ws, day) in due.items() if (t, ws.digest_channel, day) not in final}
        piles = {t: _pile(session, ws, now=now) for t, (ws, _) in due.items()}
        last_weeks = {
            t: _counts_a_week_ago(session, ws=ws, now=now)
            for t, (ws, _) in due.items()
        }
    return [
        TeamDigestPlan(
            team_id=t, channel=ws.digest_channel, local_date=day,
            board=team_leaderboard(db, team_id=t, period=PERIOD, now=now), pile=piles[t],
            pending_warn_at=ws.pending_warn_at, pending_limit=ws.pending_limit, last_week=last_weeks[t],
        )
        for t, (ws, day) in sorted(due.items())
    ]


def _counts_a_week_ago(session: Session, *, ws: Workspace, now: datetime) -> dict[str, RateCounts]:
    """Per member, the counts over the 30 days that ended a week ago, as counted then (one GROUP BY).

    The window is bounded on both sides: the board simply run "as of" a week ago would also take in
    the invites sent since, and this week's quick acceptances would lift last week's rate. Outcomes
    are today's (statuses are not replayed from history), so a decline logged late counts where it belongs.
    """
    as_of = now - WEEK
    thresholds = Thresholds(withdraw_after_days=ws.withdraw_after_days, expire_after_days=ws.expire_after_days)
    rows = session.execute(
        select(Member.user_id, *counts.rate_columns(thresholds, now=as_of))
        .select_from(Invite)
        .join(Member, Member.id == Invite.member_id)
        .where(Invite.team_id == ws.team_id, Member.team_id == ws.team_id, *counts.in_period(PERIOD, now=as_of),
               Invite.sent_at <= as_of)
        .group_by(Member.user_id)
    ).all()
    return {row[0]: counts.counts_of(row[1:]) for row in rows}


def _pile(session: Session, ws: Workspace, *, now: datetime) -> TeamPile:
    """Every active member's counts (bot.services.counts), summed and bucketed by risk level."""
    piles = list(counts.team_piles(session, ws, now=now, pile_only=True).values())
    return TeamPile(
        members=sum(1 for p in piles if p.pending), pending=sum(p.pending for p in piles),
        stale=sum(p.stale for p in piles), snoozed_stale=sum(p.snoozed_stale for p in piles),
        at_warn=sum(1 for p in piles if p.risk is Risk.WARN), at_limit=sum(1 for p in piles if p.risk is Risk.LIMIT),
    )


def deliver_team_digests(
    db: Database, plans: list[TeamDigestPlan], *, now: datetime, send_to_channel: ChannelSender
) -> TeamDigestReport:
    """Claim each digest in the ledger (recipient = the channel), send it, settle it: exactly once."""
    report = TeamDigestReport(planned=list(plans))
    for plan in plans:
        outcome = ledger.deliver(
            db, team_id=plan.team_id, recipient=plan.channel, kind=Kind.TEAM_DIGEST, local_date=plan.local_date,
            now=now, post=lambda held, plan=plan: send_to_channel(plan, held), what="via=team_digest",
        )
        if outcome.state == "skipped":
            report.skipped.append(plan)
        elif outcome.state == "failed":
            report.failed.append((plan, outcome.code or ""))
        else:
            report.sent.append(plan)
    return report


def run_team_digests(
    db: Database, *, now: datetime, send_to_channel: ChannelSender, team_id: str | None = None
) -> TeamDigestReport:
    """Plan and deliver the team digests due now (what one nudge cycle calls)."""
    return deliver_team_digests(db, plan_team_digests(db, now=now, team_id=team_id), now=now,
                                send_to_channel=send_to_channel)
