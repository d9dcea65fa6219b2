"""Claims of nudge-cycle shards: several `scheduler` processes split one cycle's members between them.

A cycle is a slot of the scheduler's interval: `slot_of(now)` is the same number in every process
whose cycle starts within one interval (the scheduler fires on the epoch's grid of the interval).
The first process to open a slot decides how many shards it has (one per `per_shard` active
members, at most MAX_SHARDS) and writes one row per shard; a shard is the members whose id modulo
that count is its part, across every workspace, so a shard's queries are as many whatever the
number of workspaces. Each process claims a free shard (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
processes never wait on each other; SQLite has one writer at a time), works on it under a lease it
renews, and marks it done; then claims the next. A shard whose lease ran out (its holder died) is
claimable again. The delivery ledger stays the last guard: a digest goes out once even if two
processes ever planned the same member.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, true, update
from sqlalchemy.orm import Session

from bot.db.engine import Database, dialect_insert
from bot.db.models import CycleClaim, Member, Workspace

MAX_SHARDS = 64
# Slots kept for a look back at who did what (a day at the default 5-minute interval).
KEEP_SLOTS = 300


@dataclass(frozen=True)
class Shard:
    """The members of a cycle whose id modulo `of` is `part`."""

    part: int
    of: int

    def holds(self, member_id: ColumnElement[int]) -> ColumnElement[bool]:
        """The SQL condition: this member id is in the shard."""
        return true() if self.of == 1 else member_id % self.of == self.part


def slot_of(now: datetime, interval: timedelta) -> int:
    """The cycle `now` belongs to: whole intervals since the epoch."""
    return int(now.timestamp() // interval.total_seconds())


def lease_for(interval: timedelta) -> timedelta:
    """How long a claim holds without renewal: half an interval, so a dead holder's shard is free within one."""
    return interval / 2


def shard_count(session: Session, *, per_shard: int) -> int:
    """How many shards a cycle needs for the active members of installed workspaces."""
    members = session.scalar(
        select(func.count()).select_from(Member).join(Workspace, Workspace.team_id == Member.team_id)
        .where(Workspace.uninstalled_at.is_(None), Member.deactivated.is_(False))
    ) or 0
    return max(1, min(MAX_SHARDS, math.ceil(members / per_shard)))


def open_slot(db: Database, *, slot: int, per_shard: int) -> int:
    """Make the slot's shard rows (once, by whichever process comes first); returns their count."""
    with db.session() as session:
        agreed = session.scalar(select(CycleClaim.shards).where(CycleClaim.slot == slot, CycleClaim.part == 0))
        if agreed is not None:
            return agreed
        # Part 0 first: every process then reads the same count from it, whoever wrote it.
        insert = dialect_insert(session)
        opened = session.scalar(
            insert(CycleClaim).values(slot=slot, part=0, shards=shard_count(session, per_shard=per_shard))
            .on_conflict_do_nothing(index_elements=["slot", "part"]).returning(CycleClaim.part)
        ) is not None
        agreed = session.scalar(select(CycleClaim.shards).where(CycleClaim.slot == slot, CycleClaim.part == 0))
        if agreed > 1:
            session.execute(insert(CycleClaim).values([{"slot": slot, "part": p, "shards": agreed}
                                                       for p in range(1, agreed)])
                            .on_conflict_do_nothing(index_elements=["slot", "part"]))
        if opened and slot % 10 == 0:  # now and then, by the slot's opener only, the old slots go
            session.execute(delete(CycleClaim).where(CycleClaim.slot < slot - KEEP_SLOTS))
        return agreed


def _free(now: datetime) -> ColumnElement[bool]:
    return (CycleClaim.done_at.is_(None)) & or_(CycleClaim.holder.is_(None), CycleClaim.lease_until < now)


def claim(db: Database, *, slot: int, holder: str, now: datetime, lease: timedelta) -> Shard | None:
    """Take a shard of the slot nobody holds (or whose holder's lease ran out); None when none is left."""
    with db.session() as session:
        row = session.execute(
            select(CycleClaim.part, CycleClaim.shards).where(CycleClaim.slot == slot, _free(now))
            .order_by(CycleClaim.part).limit(1).with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        session.execute(update(CycleClaim).where(CycleClaim.slot == slot, CycleClaim.part == row.part)
                        .values(holder=holder, lease_until=now + lease))
        return Shard(row.part, row.shards)


def renew(db: Database, *, slot: int, shard: Shard, holder: str, now: datetime, lease: timedelta) -> bool:
    """Extend a held lease; False when the shard is no longer this holder's (it was taken over)."""
    with db.session() as session:
        return session.execute(
            update(CycleClaim).where(CycleClaim.slot == slot, CycleClaim.part == shard.part,
                                     CycleClaim.holder == holder, CycleClaim.done_at.is_(None))
            .values(lease_until=now + lease)
        ).rowcount == 1


def finish(db: Database, *, slot: int, shard: Shard, holder: str, now: datetime) -> bool:
    """Mark a held shard done (never claimed again); False when it was taken over meanwhile."""
    with db.session() as session:
        return session.execute(
            update(CycleClaim).where(CycleClaim.slot == slot, CycleClaim.part == shard.part,
                                     CycleClaim.holder == holder, CycleClaim.done_at.is_(None))
            .values(done_at=now)
        ).rowcount == 1


def done_by(db: Database, *, slot: int) -> dict[int, str]:
    """Who finished each shard of a slot (part → holder)."""
    with db.session(write=False) as session:
        return dict(session.execute(select(CycleClaim.part, CycleClaim.holder)
                                    .where(CycleClaim.slot == slot, CycleClaim.done_at.is_not(None))).all())
