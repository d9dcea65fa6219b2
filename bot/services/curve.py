"""The team's days-to-accept curve (bot.domain.curve): accepted invites and their days, in one grouped query.

Every surface reads it through `team_curve`, which keeps the histogram of the hour in `team_curves`
(bot.db.models.TeamCurve): the first reader of an hour works it out, every later one (in any process)
reads the stored row, so two surfaces never show different curves and stats does not pay for the
grouped query on every call.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import Database, dialect_insert
from bot.db.models import Invite, TeamCurve, WholeDaysToChange, Workspace
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


def curve_hour(now: datetime) -> datetime:
    """The hour a stored curve is good for: `now` to the hour."""
    return now.replace(minute=0, second=0, microsecond=0)


def team_curve(db: Database, team_id: str, *, now: datetime) -> Curve:
    """The team's curve and suggested withdraw threshold: the hour's stored one, else worked out at `now`.

    A curve worked out for an earlier hour than the stored one (a report `--as-of` the past) is
    returned and not stored.
    """
    hour = curve_hour(now)
    with db.session(write=False) as session:
        stored = session.execute(select(TeamCurve.hour, TeamCurve.histogram)
                                 .where(TeamCurve.team_id == team_id)).first()
    if stored is not None and stored.hour == hour:
        return curve_of((int(d), int(n)) for d, n in json.loads(stored.histogram))
    with db.session() as session:
        histogram = curve_histogram(session, team_id, now=now)
        if (stored is None or stored.hour < hour) and session.get(Workspace, team_id) is not None:
            values = {"team_id": team_id, "hour": hour, "window_end": now, "histogram": json.dumps(sorted(histogram))}
            stmt = dialect_insert(session)(TeamCurve).values(**values)
            session.execute(stmt.on_conflict_do_update(
                index_elements=["team_id"], set_={k: v for k, v in values.items() if k != "team_id"},
                where=TeamCurve.hour < hour))
    return curve_of(histogram)

