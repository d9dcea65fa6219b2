"""A member's own insight commands: `/invites linkedin <count>`, `away`, `back` (one unit of work each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import Member
from bot.domain.away import days_away
from bot.domain.commands import MAX_AWAY_DAYS
from bot.domain.drift import Drift
from bot.services import counts
from bot.services.errors import ServiceError
from bot.services.members import Actor


def report_linkedin(db: Database, actor: Actor, linkedin: int, *, now: datetime) -> Drift:
    """Store the pending count LinkedIn shows beside the one logged now (bot.services.counts), with its time."""
    scope = counts.MemberScope.of_actor(actor)
    with db.session() as session:
        logged = counts.pile_counts(session, [scope], now=now)[actor.member_id].pending
        session.execute(update(Member).where(Member.id == actor.member_id, Member.team_id == actor.team_id)
                        .values(linkedin_pending=linkedin, linkedin_logged=logged, linkedin_reported_at=now))
    return Drift(linkedin=linkedin, logged=logged, at=now)


@dataclass(frozen=True)
class Away:
    last_day: date  # digests and alerts resume the day after
    since: datetime


def set_away(db: Database, actor: Actor, last_day: date, *, now: datetime) -> Away:
    """Away through `last_day` (local); an absence already under way keeps its start."""
    today = now.astimezone(actor.tz).date()
    if last_day < today:
        raise ServiceError(f"{last_day.isoformat()} is in the past: give the last day you're away, today or later.")
    if last_day > today + timedelta(days=MAX_AWAY_DAYS):
        raise ServiceError(f"Away for at most {MAX_AWAY_DAYS} days.")
    with db.session() as session:
        member = session.execute(select(Member.away_since, Member.away_until)
                                 .where(Member.id == actor.member_id, Member.team_id == actor.team_id)).one()
        ongoing = member.away_since is not None and member.away_until is not None and member.away_until >= today
        since = member.away_since if ongoing else now
        session.execute(update(Member).where(Member.id == actor.member_id, Member.team_id == actor.team_id)
                        .values(away_until=last_day, away_since=since))
    return Away(last_day=last_day, since=since)


def come_back(db: Database, actor: Actor, *, now: datetime) -> int | None:
    """Back today: the absence ends yesterday (its first digest says how long) or is dropped if it began
    today. Returns the days away, None when the member was not away."""
    today = now.astimezone(actor.tz).date()
    with db.session() as session:
        member = session.execute(select(Member.away_since, Member.away_until)
                                 .where(Member.id == actor.member_id, Member.team_id == actor.team_id)).one()
        if member.away_since is None or member.away_until is None or member.away_until < today:
            return None
        where = update(Member).where(Member.id == actor.member_id, Member.team_id == actor.team_id)
        if member.away_since.astimezone(actor.tz).date() >= today:
            session.execute(where.values(away_until=None, away_since=None))
            return 0
        yesterday = today - timedelta(days=1)
        session.execute(where.values(away_until=yesterday))
        return days_away(member.away_since, yesterday, actor.tz)
