"""The team's days-to-accept curve (bot.domain.curve) from the audit trail, in one grouped query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, cast, func, literal, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent
from bot.domain.curve import WINDOW, Curve, curve_of
from bot.domain.invites import Status

_MICROS_PER_DAY = 86_400 * 1_000_000


def whole_days(session: Session, start, end):
    """SQL: the whole days from `start` to `end` (two UTC timestamp columns), rounded down, never below 0.

    Exact on both databases: SQLite compares whole seconds and the stored microseconds as integers
    (julianday's doubles put an acceptance exactly 7 days later a hair under 7), PostgreSQL's epoch
    of an interval is numeric.
    """
    if session.get_bind().dialect.name == "sqlite":
        def seconds(column):
            return cast(func.strftime("%s", column), Integer)

        def micros(column):  # SQLAlchemy stores `YYYY-MM-DD HH:MM:SS.ffffff`
            return cast(func.substr(column, 21, 6), Integer)

        elapsed = (seconds(end) - seconds(start)) * 1_000_000 + micros(end) - micros(start)
        return func.max(elapsed, 0) // literal(_MICROS_PER_DAY)
    return cast(func.greatest(func.floor(func.extract("epoch", end - start) / 86_400), 0), Integer)


def curve_histogram(session: Session, team_id: str, *, now: datetime) -> list[tuple[int, int]]:
    """(whole days from sending to acceptance, acceptances) over the team's invites accepted in the window.

    An invite counts when it is accepted now and its acceptance (the latest accepted audit row not
    undone) falls in the last 180 days.
    """
    accepted_at = (
        select(InviteEvent.invite_id, func.max(InviteEvent.at).label("at"))
        .where(InviteEvent.team_id == team_id, InviteEvent.to_status == Status.ACCEPTED,
               InviteEvent.undone.is_(False), InviteEvent.at > now - WINDOW, InviteEvent.at <= now)
        .group_by(InviteEvent.invite_id)
        .subquery()
    )
    days = whole_days(session, Invite.sent_at, accepted_at.c.at).label("days")
    rows = session.execute(
        select(days, func.count())
        .select_from(accepted_at)
        .join(Invite, Invite.id == accepted_at.c.invite_id)
        .where(Invite.team_id == team_id, Invite.status == Status.ACCEPTED)
        .group_by(days)
    ).all()
    return [(int(d), int(n)) for d, n in rows]


def team_curve(db: Database, team_id: str, *, now: datetime) -> Curve:
    """The team's curve and suggested withdraw threshold at `now`."""
    with db.session(write=False) as session:
        return curve_of(curve_histogram(session, team_id, now=now))
