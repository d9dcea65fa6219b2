"""The lead's view: one row per active member (pending, stale, 7-day sends vs safe limit, risk, 30-day rate).

App Home's team section (admins only) and `report team` read these rows; every figure comes from
bot.services.counts (team_piles, ranking_columns), so it is the member's own `/invites` figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Invite, Member, Workspace
from bot.domain.counts import PileCounts, Thresholds
from bot.domain.invites import PERIODS, Risk, acceptance_rate
from bot.services import counts

PERIOD = PERIODS["30d"]
_RISK_RANK = {Risk.LIMIT: 2, Risk.WARN: 1, Risk.OK: 0}
COLUMNS = ("user", "name", "pending", "stale", "sent_7d", "safe_limit", "risk", "rate", "n")


@dataclass(frozen=True)
class TeamRow:
    """One member's row."""

    user_id: str
    name: str
    pending: int
    stale: int
    snoozed_stale: int
    sent_7d: int
    safe_limit: int
    risk: Risk
    rate: float | None  # over invites sent in the last 30 days
    n: int  # decided invites behind the rate

    @property
    def at_pace_limit(self) -> bool:
        return self.sent_7d >= self.safe_limit

    def riskiness(self) -> tuple:
        """Sort key, riskiest first: the pile's risk, the weekly pace at its limit, the pile, the stale ones."""
        return (-_RISK_RANK[self.risk], not self.at_pace_limit, -self.pending, -self.stale,
                -self.sent_7d / max(1, self.safe_limit), self.user_id)

    def to_json(self) -> dict[str, Any]:
        """`report team`'s row (COLUMNS, plus the snoozed part of the stale ones)."""
        return {"user": self.user_id, "name": self.name, "pending": self.pending, "stale": self.stale,
                "sent_7d": self.sent_7d, "safe_limit": self.safe_limit, "risk": str(self.risk), "rate": self.rate,
                "n": self.n, "snoozed_stale": self.snoozed_stale}


def team_rows(db: Database, team_id: str, *, now: datetime) -> list[TeamRow]:
    """Every active member's row, riskiest first, in a fixed number of grouped queries."""
    with db.session(write=False) as session:
        ws = session.get(Workspace, team_id)
        if ws is None:
            return []
        members = session.execute(
            select(Member.id, Member.user_id, Member.display_name, Member.account_tier)
            .where(Member.team_id == team_id, Member.deactivated.is_(False))
        ).all()
        # Pending, stale and risk in one index-only scan of the team's pending rows (the leaderboard's),
        # the week's sends beside them; today's withdrawals (the batch) are not part of this view.
        piles = counts.team_piles(session, ws, now=now, pile_only=True)
        sent_7d = counts.sent_7d_by_member(session, Invite.team_id == team_id, now=now)
        thresholds = Thresholds(withdraw_after_days=ws.withdraw_after_days, expire_after_days=ws.expire_after_days)
        # SQLite: `member_id + 0` keeps the covering ix_invites_team_sent range (see the leaderboard).
        member_key = Invite.member_id + 0 if session.get_bind().dialect.name == "sqlite" else Invite.member_id
        rates = {  # accepted and decided per member (ranking_columns: the leaderboard's three counts)
            int(member_id): (int(accepted), int(decided))
            for member_id, _sent, accepted, decided in session.execute(
                select(member_key, *counts.ranking_columns(thresholds, now=now))
                .where(Invite.team_id == team_id, *counts.in_period(PERIOD, now=now))
                .group_by(member_key)
            )
        }
        limits = {tier: ws.safe_weekly_limit(tier) for tier in {m.account_tier for m in members}}
        ws_levels = (ws.pending_warn_at, ws.pending_limit)
    nothing_pending = PileCounts(pending_warn_at=ws_levels[0], pending_limit=ws_levels[1])
    rows = []
    for member_id, user_id, name, tier in members:
        pile, (accepted, decided) = piles.get(member_id, nothing_pending), rates.get(member_id, (0, 0))
        rows.append(TeamRow(
            user_id=user_id, name=name or user_id, pending=pile.pending, stale=pile.stale,
            snoozed_stale=pile.snoozed_stale, sent_7d=sent_7d.get(member_id, 0), safe_limit=limits[tier],
            risk=pile.risk,
            rate=acceptance_rate(accepted, decided), n=decided,
        ))
    return sorted(rows, key=TeamRow.riskiness)
