"""The uploaded charts a surface may show again: one Slack file id per owner, kind and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import TEAM_OWNER, ChartFile

__all__ = ["TEAM_OWNER", "CachedChart", "cached", "forget", "remember"]


@dataclass(frozen=True)
class CachedChart:
    """An uploaded chart: the Slack file id and the words shown with it."""

    file_id: str
    alt_text: str
    title: str


def cached(db: Database, *, team_id: str, owner: str, kind: str, day: date) -> CachedChart | None:
    """The chart uploaded for this owner, kind and day, if there is one."""
    with db.session(write=False) as session:
        row = session.execute(
            select(ChartFile.file_id, ChartFile.alt_text, ChartFile.title)
            .where(ChartFile.team_id == team_id, ChartFile.owner == owner, ChartFile.kind == kind,
                   ChartFile.day == day)
        ).first()
    return CachedChart(*row) if row else None


def remember(db: Database, *, team_id: str, owner: str, kind: str, day: date, chart: CachedChart,
             now: datetime) -> CachedChart:
    """Keep the day's upload (dropping the owner's older days of that kind); when another worker
    stored one first, theirs is the day's chart and is returned."""
    try:
        with db.session() as session:
            session.execute(delete(ChartFile).where(
                ChartFile.team_id == team_id, ChartFile.owner == owner, ChartFile.kind == kind, ChartFile.day < day))
            session.add(ChartFile(team_id=team_id, owner=owner, kind=kind, day=day, file_id=chart.file_id,
                                  alt_text=chart.alt_text, title=chart.title, created_at=now))
    except IntegrityError:
        first = cached(db, team_id=team_id, owner=owner, kind=kind, day=day)
        if first is not None:
            return first
        raise
    return chart


def forget(db: Database, *, team_id: str, owner: str, kind: str, day: date) -> None:
    """Drop the day's chart (Slack refused to show it): the next surface draws and uploads it again."""
    with db.session() as session:
        session.execute(delete(ChartFile).where(ChartFile.team_id == team_id, ChartFile.owner == owner,
                                                ChartFile.kind == kind, ChartFile.day == day))
