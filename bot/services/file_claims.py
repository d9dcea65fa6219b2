"""Claims of shared Slack files: whichever event brings a file first imports it, once.

One upload in the app's DM produces two events (``file_shared`` and a ``message`` with ``files``),
Slack redelivers events it thinks were lost, and several replicas may each receive one of them.
The first to claim the file (an INSERT that only one transaction can win) imports it and replies;
the others drop the event. A claim is given up when its import failed (so a retry or the other
event can try again), when it is older than ``STALE_CLAIM`` and never finished (a crash), and
when a finished import is older than ``REIMPORT_AFTER`` (someone shares the same file again on
purpose: importing again changes nothing, and they get a summary).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.engine import Database, dialect_insert
from bot.db.models import FileImport

STALE_CLAIM = timedelta(minutes=10)
REIMPORT_AFTER = timedelta(minutes=10)


def claim(db: Database, *, team_id: str, file_id: str, user_id: str, now: datetime) -> bool:
    """True when this caller is to import the file now; False when another event has it (or just did)."""
    with db.session() as session:
        won = session.execute(
            dialect_insert(session)(FileImport)
            .values(team_id=team_id, file_id=file_id, user_id=user_id, state="claimed", claimed_at=now)
            .on_conflict_do_nothing()
            .returning(FileImport.file_id)
        ).first()
        if won is not None:
            return True
        held = session.scalars(
            select(FileImport).where(FileImport.team_id == team_id, FileImport.file_id == file_id).with_for_update()
        ).one()
        if not _may_take_over(held, now):
            return False
        held.state, held.user_id, held.claimed_at, held.finished_at = "claimed", user_id, now, None
        return True


def finish(db: Database, *, team_id: str, file_id: str, ok: bool, now: datetime) -> None:
    """Record how the claimed import ended: done, or failed (the file may then be claimed again)."""
    with db.session() as session:
        held = session.get(FileImport, (team_id, file_id), with_for_update=True)
        if held is not None:
            held.state, held.finished_at = ("done" if ok else "failed"), now


def _may_take_over(held: FileImport, now: datetime) -> bool:
    if held.state == "failed":
        return True
    if held.state == "claimed":
        return held.claimed_at <= now - STALE_CLAIM
    return held.finished_at is not None and held.finished_at <= now - REIMPORT_AFTER
