"""The team's days-to-accept curve (bot.domain.curve): accepted invites and their days, in one grouped query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite, WholeDaysToChange
from bot.domain.curve import WINDOW, Curve, curve_of
from bot.domain.invites import Status


def curve_histogram(session: Session, team_id: str, *, now: datetime) -> list[tuple[int, int]]:
    """(whole days from sending to acceptance, acceptances) over the team's invites accepted in the window.

    The acceptance time is the invite's `status_changed_at` while it is accepted: the instant its
    acceptance audit row records for every acceptance made in the app (the same transaction writes
    both), and the Connected On day for one imported from LinkedIn's `Connections.csv` (whose audit row
    holds the import's time instead). An undone acceptance is no longer accepted, so it never counts.
    The days are the generated `change_days` (bot.db.models.WholeDaysToChange), read from
    ix_invites_team_accepted_days alone on PostgreSQL; SQLite reads no generated column from an
    index, so there the same expression is worked out from the two instants the index holds.
    """
    days = (WholeDaysToChange() if session.get_bind().dialect.name == "sqlite" else Invite.change_days).label("days")
    accepted = (
        select(days)
        .where(Invite.team_id == team_id, Invite.status == Status.ACCEPTED,
               Invite.status_changed_at > now - WINDOW, Invite.status_changed_at <= now)
        .subquery()
    )
    # Grouped outside, so each row's days are worked out once (not again for the GROUP BY).
    rows = session.execute(select(accepted.c.days, func.count()).group_by(accepted.c.days)).all()
    return [(int(d or 0), int(n)) for d, n in rows]


def team_curve(db: Database, team_id: str, *, now: datetime) -> Curve:
    """The team's curve and suggested withdraw threshold at `now`."""
    with db.session(write=False) as session:
        return curve_of(curve_histogram(session, team_id, now=now))
