"""The team's days-to-accept curve (bot.domain.curve) from the audit trail, in one grouped query."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlalchemy import Integer, cast, func, literal, select
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite
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
        def seconds(column):  # whole seconds; unixepoch() (SQLite 3.38) costs a third of strftime('%s')
            if sqlite3.sqlite_version_info >= (3, 38):
                return func.unixepoch(column)
            return cast(func.strftime("%s", column), Integer)

        def micros(column):  # SQLAlchemy stores `YYYY-MM-DD HH:MM:SS.ffffff`
            return cast(func.substr(column, 21, 6), Integer)

        elapsed = (seconds(end) - seconds(start)) * 1_000_000 + micros(end) - micros(start)
        return func.max(elapsed, 0) // literal(_MICROS_PER_DAY)
    return cast(func.greatest(func.floor(func.extract("epoch", end - start) / 86_400), 0), Integer)


def curve_histogram(session: Session, team_id: str, *, now: datetime) -> list[tuple[int, int]]:
    """(whole days from sending to acceptance, acceptances) over the team's invites accepted in the window.

    The acceptance time is the invite's `status_changed_at` while it is accepted: the instant its
    acceptance audit row records for every acceptance made in the app (the same transaction writes
    both), and the Connected On day for one imported from LinkedIn's `Connections.csv` (whose audit row
    holds the import's time instead). An undone acceptance is no longer accepted, so it never counts.
    One index-only range scan of ix_invites_team_accepted_sent, grouped by whole days.
    """
    accepted = (
        select(whole_days(session, Invite.sent_at, Invite.status_changed_at).label("days"))
        .where(Invite.team_id == team_id, Invite.status == Status.ACCEPTED,
               Invite.status_changed_at > now - WINDOW, Invite.status_changed_at <= now)
        .subquery()
    )
    # Grouped outside, so each row's days are worked out once (not again for the GROUP BY).
    rows = session.execute(select(accepted.c.days, func.count()).group_by(accepted.c.days)).all()
    return [(int(d), int(n)) for d, n in rows]


def team_curve(db: Database, team_id: str, *, now: datetime) -> Curve:
    """The team's curve and suggested withdraw threshold at `now`."""
    with db.session(write=False) as session:
        return curve_of(curve_histogram(session, team_id, now=now))
