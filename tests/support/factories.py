"""Small `make_*` helpers that put rows straight into the database for service tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, update

from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent, Member, Workspace
from bot.services.members import Actor, identify


def make_member(db: Database, user_id: str, *, team_id: str = "T1", tz: str | None = "UTC", now: datetime,
                tier: str = "free", **member_fields) -> Actor:
    """A workspace member with a known zone (and any other member columns)."""
    identify(db, team_id=team_id, user_id=user_id, now=now)
    with db.session() as s:
        s.execute(update(Member).where(Member.team_id == team_id, Member.user_id == user_id)
                  .values(tz=tz, tz_checked_at=now, account_tier=tier, **({"display_name": user_id} | member_fields)))
    return identify(db, team_id=team_id, user_id=user_id, now=now)


def set_workspace(db: Database, team_id: str = "T1", **settings) -> None:
    """Change workspace settings."""
    with db.session() as s:
        s.execute(update(Workspace).where(Workspace.team_id == team_id).values(**settings))


def make_invites(db: Database, actor: Actor, specs: list[dict], *, now: datetime) -> list[int]:
    """Bulk-insert invites: each spec has key and days_ago, optionally status, priority, changed_days_ago."""
    rows = []
    for spec in specs:
        sent = now - timedelta(days=spec["days_ago"])
        changed = now - timedelta(days=spec.get("changed_days_ago", spec["days_ago"]))
        rows.append({
            "team_id": actor.team_id, "member_id": actor.member_id, "prospect_key": spec["key"],
            "url": spec.get("url"), "name": spec.get("name"), "sent_at": sent,
            "status": spec.get("status", "pending"), "priority": spec.get("priority", "normal"),
            "with_note": spec.get("with_note", False), "source": "import", "status_changed_at": changed,
            "snoozed_until": spec.get("snoozed_until"), "created_at": sent,
        })
    with db.session() as s:
        ids = list(s.scalars(insert(Invite).returning(Invite.id), rows))
    return ids


def record_event(db: Database, actor: Actor, invite_id: int, to_status: str, *, at: datetime, via: str = "command",
                 from_status: str = "pending") -> None:
    """An audit row (e.g. a withdrawal earlier today, for the budget)."""
    with db.session() as s:
        s.add(InviteEvent(team_id=actor.team_id, invite_id=invite_id, member_id=actor.member_id,
                          change_id=str(uuid.uuid4()), from_status=from_status, to_status=to_status, at=at,
                          actor=actor.user_id, via=via))
