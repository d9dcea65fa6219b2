"""Claims of Slack events: a DM reply or a Home publish happens once per event, across retries and replicas.

Slack redelivers an event it got no 2xx for within 3 seconds (immediately, after a minute, after
five: HTTP ``X-Slack-Retry-Num``, Socket Mode ``retry_attempt``), and Bolt does not de-duplicate.
Every delivery carries the event's ``event_id``: the first to claim it (an INSERT only one
transaction can win, on any replica) acts; the others drop it. A claim is given back when acting
failed in a way that may pass, so a redelivery can try again. Claims are only needed for the
minutes Slack keeps retrying: rows older than ``KEEP`` are deleted now and then by claiming itself.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from bot.db.engine import Database, dialect_insert
from bot.db.models import EventClaim

KEEP = timedelta(days=1)
# A claim not finished after this long belongs to a handler that died (a DM reply or a Home publish
# takes well under a second): Slack's next redelivery (after 1 and 5 minutes) takes it over.
TAKEOVER = timedelta(seconds=30)
# About one claim in this many also prunes: each prune deletes the few rows that aged past KEEP
# since the last one (an index range on claimed_at), instead of every event paying for a DELETE.
PRUNE_EVERY = 100


def claim(db: Database, *, team_id: str, event_id: str, now: datetime) -> bool:
    """True when this delivery is to act on the event; False when another delivery has it."""
    with db.session() as session:
        won = session.execute(
            dialect_insert(session)(EventClaim)
            .values(team_id=team_id, event_id=event_id, claimed_at=now, done=False)
            .on_conflict_do_update(
                index_elements=["team_id", "event_id"], set_={"claimed_at": now},
                where=(EventClaim.done.is_(False)) & (EventClaim.claimed_at < now - TAKEOVER),
            )
            .returning(EventClaim.event_id)
        ).first()
        if won is not None and random.random() * PRUNE_EVERY < 1:  # noqa: S311 - not for security
            session.execute(delete(EventClaim).where(EventClaim.claimed_at < now - KEEP))
        return won is not None


def finish(db: Database, *, team_id: str, event_id: str) -> None:
    """The listener acted: the claim now only drops redeliveries (it is never taken over)."""
    with db.session() as session:
        session.execute(update(EventClaim).where(EventClaim.team_id == team_id, EventClaim.event_id == event_id)
                        .values(done=True))


def release(db: Database, *, team_id: str, event_id: str) -> None:
    """Give a claim back (acting failed, and may work next time): Slack's redelivery can claim it."""
    with db.session() as session:
        session.execute(delete(EventClaim).where(EventClaim.team_id == team_id, EventClaim.event_id == event_id))


def prune(db: Database, *, now: datetime) -> int:
    """Delete the claims older than KEEP; returns how many."""
    with db.session() as session:
        return session.execute(delete(EventClaim).where(EventClaim.claimed_at < now - KEEP)).rowcount or 0
