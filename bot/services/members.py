"""Who is asking: the workspace and member rows behind a Slack user, created on first sight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from bot.db.engine import Database, dialect_insert
from bot.db.models import Member, Workspace
from bot.domain.away import parse_holidays
from bot.domain.counts import zone
from bot.domain.invites import Tier
from bot.domain.tiers import TIERS

# Slack time zones change rarely (travel, moves); refresh the cached one about weekly.
PROFILE_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Profile:
    """What `users.info` tells us about a user."""

    tz: str | None
    display_name: str | None
    is_admin: bool = False
    deleted: bool = False


ProfileLookup = Callable[[str], Profile | None]


@dataclass(frozen=True)
class WorkspaceSettings:
    """A snapshot of a workspace's settings, detached from the session."""

    team_id: str
    withdraw_after_days: int
    expire_after_days: int
    resend_cooldown_days: int
    pending_warn_at: int
    pending_limit: int
    max_withdrawals_per_day: int
    safe_weekly: dict[str, int]
    nudge_hour: int
    working_days: str
    digest_channel: str | None
    leaderboard_min_sample: int
    timezone: str
    notes_per_month: dict[str, int | None] = field(default_factory=dict)  # by tier; None: no cap
    holidays: tuple[date, ...] = ()

    @classmethod
    def of(cls, ws: Any) -> WorkspaceSettings:
        """Copy a Workspace row (or a result row with its `SETTINGS_COLUMNS`) into a snapshot."""
        return cls(
            team_id=ws.team_id,
            withdraw_after_days=ws.withdraw_after_days,
            expire_after_days=ws.expire_after_days,
            resend_cooldown_days=ws.resend_cooldown_days,
            pending_warn_at=ws.pending_warn_at,
            pending_limit=ws.pending_limit,
            max_withdrawals_per_day=ws.max_withdrawals_per_day,
            safe_weekly={t.tier: getattr(ws, t.setting) for t in TIERS},
            nudge_hour=ws.nudge_hour,
            working_days=ws.working_days,
            digest_channel=ws.digest_channel,
            leaderboard_min_sample=ws.leaderboard_min_sample,
            timezone=ws.timezone,
            notes_per_month={t.tier: getattr(ws, t.notes_setting) for t in TIERS},
            holidays=parse_holidays(ws.holidays),
        )


# The workspace columns `WorkspaceSettings.of` reads (its team_id is the member's).
SETTINGS_COLUMNS = tuple(
    Workspace.__table__.c[name]
    for name in (
        *(f.name for f in fields(WorkspaceSettings) if f.name not in ("team_id", "safe_weekly", "notes_per_month")),
        *(t.setting for t in TIERS),
        *(t.notes_setting for t in TIERS),
    )
)


@dataclass(frozen=True)
class Actor:
    """The member making a request, with what every service needs to know about them."""

    team_id: str
    user_id: str
    member_id: int
    tier: Tier
    tz_name: str
    display_name: str | None
    nudges_enabled: bool
    snoozed_until: datetime | None
    show_on_leaderboard: bool
    settings: WorkspaceSettings

    @property
    def tz(self) -> ZoneInfo:
        """The member's time zone (their Slack zone, else the workspace's)."""
        return zone(self.tz_name)

    @property
    def safe_weekly_limit(self) -> int:
        """The safe sends per rolling 7 days for the member's tier."""
        return self.settings.safe_weekly[self.tier]

    @property
    def notes_per_month(self) -> int | None:
        """The personal notes a calendar month the member's tier allows (None: no cap)."""
        return self.settings.notes_per_month.get(self.tier)


def ensure_workspace(session: Session, *, team_id: str, now: datetime) -> None:
    """Create the workspace row with default settings if it is new (race-safe)."""
    stmt = dialect_insert(session)(Workspace).values(team_id=team_id, created_at=now)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id"]))


def workspace_enterprise(db: Database, *, team_id: str) -> tuple[bool, str | None]:
    """Whether the workspace is known here, and the Enterprise Grid org it belongs to (None outside Grid)."""
    with db.session(write=False) as session:
        row = session.execute(select(Workspace.enterprise_id).where(Workspace.team_id == team_id)).first()
    return (False, None) if row is None else (True, row[0])


def join_enterprise(db: Database, *, team_id: str, enterprise_id: str, now: datetime) -> None:
    """Record that a workspace belongs to an org (created if new); a workspace never moves between orgs here."""
    with db.session() as session:
        ensure_workspace(session, team_id=team_id, now=now)
        session.execute(update(Workspace).where(Workspace.team_id == team_id, Workspace.enterprise_id.is_(None))
                        .values(enterprise_id=enterprise_id))


# Everything an Actor is built from, in one row: the member's own columns, its workspace's settings,
# and whether the workspace is installed (read as columns, not as ORM objects: this runs per request).
_STORED_MEMBER = (
    select(Member.id, Member.team_id, Member.user_id, Member.account_tier, Member.tz, Member.display_name,
           Member.nudges_enabled, Member.snoozed_until, Member.show_on_leaderboard, Member.tz_checked_at,
           Workspace.uninstalled_at, *SETTINGS_COLUMNS)
    .join(Workspace, Workspace.team_id == Member.team_id)
    .where(Member.team_id == bindparam("team"), Member.user_id == bindparam("user"))
)


def stored_member(session: Session, *, team_id: str, user_id: str) -> Row[Any] | None:
    """The member's row of `_STORED_MEMBER` (None: not stored yet), what `actor_of` builds an Actor from."""
    return session.execute(_STORED_MEMBER, {"team": team_id, "user": user_id}).first()


def actor_of(row: Row[Any]) -> Actor:
    """The Actor of a stored member (a row of `stored_member`)."""
    return Actor(
        team_id=row.team_id,
        user_id=row.user_id,
        member_id=row.id,
        tier=Tier(row.account_tier),
        tz_name=row.tz or row.timezone,
        display_name=row.display_name,
        nudges_enabled=row.nudges_enabled,
        snoozed_until=row.snoozed_until,
        show_on_leaderboard=row.show_on_leaderboard,
        settings=WorkspaceSettings.of(row),
    )


def identify(
    db: Database, *, team_id: str, user_id: str, now: datetime, lookup: ProfileLookup | None = None
) -> Actor:
    """The Actor for a Slack user, creating rows on first sight and refreshing the profile weekly."""
    with db.session(write=False) as session:
        row = stored_member(session, team_id=team_id, user_id=user_id)
        if row is not None and not _profile_due(row.tz_checked_at, now, lookup) and row.uninstalled_at is None:
            return actor_of(row)
    # The Slack call happens outside any write transaction: a slow API must not hold a lock (inside
    # `Database.reading()` the block's read transaction stays open: it holds none a write waits for).
    profile = lookup(user_id) if lookup is not None else None
    with db.session() as session:
        ensure_workspace(session, team_id=team_id, now=now)
        # A request from a workspace means the app is installed there (again): nudges resume.
        session.execute(update(Workspace).where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_not(None))
                        .values(uninstalled_at=None))
        values: dict[str, object] = {"team_id": team_id, "user_id": user_id, "created_at": now}
        stmt = dialect_insert(session)(Member).values(**values)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id", "user_id"]))
        if lookup is not None:
            # A failed lookup is retried in an hour rather than on every request.
            checked = now if profile is not None else now - PROFILE_MAX_AGE + timedelta(hours=1)
            changes: dict[str, object] = {"tz_checked_at": checked}
            profile = profile or Profile(tz=None, display_name=None)
            if profile.tz:
                changes["tz"] = profile.tz
            if profile.display_name:
                changes["display_name"] = profile.display_name[:200]
            if profile.deleted:
                changes["deactivated"] = True
            session.execute(
                update(Member).where(Member.team_id == team_id, Member.user_id == user_id).values(**changes)
            )
        row = stored_member(session, team_id=team_id, user_id=user_id)
        assert row is not None
        return actor_of(row)


def _profile_due(checked_at: datetime | None, now: datetime, lookup: ProfileLookup | None) -> bool:
    if lookup is None:
        return False
    return checked_at is None or now - checked_at > PROFILE_MAX_AGE


def update_member(db: Database, actor: Actor, **changes: object) -> None:
    """Change the acting member's own settings (tier, pause, snooze, leaderboard visibility)."""
    allowed = {"account_tier", "nudges_enabled", "snoozed_until", "show_on_leaderboard"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not a member setting: {sorted(unknown)}")
    with db.session() as session:
        session.execute(
            update(Member)
            .where(Member.id == actor.member_id, Member.team_id == actor.team_id)
            .values(**changes)
        )


def stale_profiles(db: Database, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(team, user) of active members whose Slack profile (time zone) is over a week old, oldest first."""
    cutoff = now - PROFILE_MAX_AGE
    with db.session(write=False) as session:
        rows = session.execute(
            select(Member.team_id, Member.user_id)
            .join(Workspace, Workspace.team_id == Member.team_id)
            .where(Member.deactivated.is_(False), Workspace.uninstalled_at.is_(None))
            .where((Member.tz_checked_at.is_(None)) | (Member.tz_checked_at < cutoff))
            .order_by(Member.tz_checked_at.is_not(None), Member.tz_checked_at)
            .limit(limit)
        ).all()
    return [(team, user) for team, user in rows]


def refresh_profiles(db: Database, *, now: datetime, lookup_for_team: Callable[[str], ProfileLookup | None],
                     limit: int = 50) -> int:
    """Refresh a bounded batch of stale profiles, so zones stay right for members who only read digests."""
    refreshed = 0
    for team_id, user_id in stale_profiles(db, now=now, limit=limit):
        lookup = lookup_for_team(team_id)
        if lookup is not None:
            identify(db, team_id=team_id, user_id=user_id, now=now, lookup=lookup)
            refreshed += 1
    return refreshed
