"""SQLAlchemy models: workspaces, members, invites and the audit trail of status changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import TypeDecorator

from bot.domain.invites import Status
from bot.domain.prospect import fold, search_text
from bot.domain.settings import RULES, SETTINGS, setting
from bot.domain.tiers import TIERS as TIER_TABLE
from bot.domain.tiers import tier_info

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUSES = tuple(s.value for s in Status)  # the CHECK on invites.status, and every status a row can have
PRIORITIES = ("high", "normal", "low")
TIERS = tuple(t.id for t in TIER_TABLE)
SOURCES = ("command", "modal", "import", "dm", "shortcut", "workflow")
VIAS = ("command", "button", "import", "sweep", "modal", "undo", "dm", "shortcut", "workflow")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC on every backend and hands back aware UTC datetimes."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class WholeDaysToChange(ColumnElement[int]):
    """DDL: the whole days from `sent_at` to `status_changed_at` of the same row, rounded down, at least 0.

    Exact on both databases (a generated column may use only its own row): SQLite compares whole
    seconds and the stored microseconds (`YYYY-MM-DD HH:MM:SS.ffffff`) as integers, PostgreSQL the
    numeric epoch of the interval.
    """

    inherit_cache = True


@compiles(WholeDaysToChange, "sqlite")
def _whole_days_sqlite(element, compiler, **kw) -> str:
    return ("max((CAST(strftime('%s', status_changed_at) AS INTEGER) - CAST(strftime('%s', sent_at) AS INTEGER))"
            " * 1000000 + CAST(substr(status_changed_at, 21, 6) AS INTEGER) - CAST(substr(sent_at, 21, 6) AS INTEGER),"
            " 0) / 86400000000")


@compiles(WholeDaysToChange)
def _whole_days_postgresql(element, compiler, **kw) -> str:
    return "GREATEST(FLOOR(EXTRACT(EPOCH FROM (status_changed_at - sent_at)) / 86400), 0)::integer"


@compiles(Computed, "postgresql")
def _stored_on_postgresql(element, compiler, **kw) -> str:
    """PostgreSQL has stored generated columns only (SQLite may add a virtual one to a table)."""
    return f"GENERATED ALWAYS AS ({compiler.sql_compiler.process(element.sqltext, include_table=False, literal_binds=True)}) STORED"


def _setting_column(name: str) -> Mapped[int]:
    """A workspace setting's column, its default from the settings declaration."""
    default = setting(name).default
    return mapped_column(Integer, default=default, server_default=text(str(default)))


def _optional_setting_column(name: str) -> Mapped[int | None]:
    """An optional workspace setting's column (NULL: no limit), its default from the declaration."""
    default = setting(name).default
    if default is None:
        return mapped_column(Integer, nullable=True)
    return mapped_column(Integer, nullable=True, default=default, server_default=text(str(default)))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    # The Enterprise Grid org the workspace belongs to (None outside Grid): an org-wide install's
    # token serves every workspace of its org, and its uninstall stops them all.
    enterprise_id: Mapped[str | None] = mapped_column(String(32), index=True)
    withdraw_after_days: Mapped[int] = _setting_column("withdraw_after_days")
    expire_after_days: Mapped[int] = _setting_column("expire_after_days")
    resend_cooldown_days: Mapped[int] = _setting_column("resend_cooldown_days")
    pending_warn_at: Mapped[int] = _setting_column("pending_warn_at")
    pending_limit: Mapped[int] = _setting_column("pending_limit")
    max_withdrawals_per_day: Mapped[int] = _setting_column("max_withdrawals_per_day")
    # One per row of the tier table (bot/domain/tiers.py); a new tier needs its column and a migration.
    safe_weekly_free: Mapped[int] = _setting_column("safe_weekly_free")
    safe_weekly_premium: Mapped[int] = _setting_column("safe_weekly_premium")
    safe_weekly_sales_navigator: Mapped[int] = _setting_column("safe_weekly_sales_navigator")
    nudge_hour: Mapped[int] = _setting_column("nudge_hour")
    # ISO weekday numbers (1 = Monday … 7 = Sunday) as a compact string, e.g. "12345".
    working_days: Mapped[str] = mapped_column(String(7), default="12345", server_default="12345")
    digest_channel: Mapped[str | None] = mapped_column(String(32))
    leaderboard_min_sample: Mapped[int] = _setting_column("leaderboard_min_sample")
    # Personal notes a month by tier (NULL: no cap), one per row of the tier table (0014).
    notes_per_month_free: Mapped[int | None] = _optional_setting_column("notes_per_month_free")
    notes_per_month_premium: Mapped[int | None] = _optional_setting_column("notes_per_month_premium")
    notes_per_month_sales_navigator: Mapped[int | None] = _optional_setting_column("notes_per_month_sales_navigator")
    # Workspace holidays (no daily or weekly digest): ISO dates, comma-separated, sorted (0014).
    holidays: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Set when the app is uninstalled or its tokens revoked: nudges stop, data stays until purged.
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # The ranges and the rules between settings, from their one declaration (bot/domain/settings.py).
    __table_args__ = (
        *(CheckConstraint(s.check_sql, name=s.name) for s in SETTINGS),
        *(CheckConstraint(r.check_sql, name=r.name) for r in RULES),
    )

    def safe_weekly_limit(self, tier: str) -> int:
        """The safe number of sends in a rolling 7 days for an account tier."""
        return int(getattr(self, tier_info(tier).setting))

    def notes_per_month(self, tier: str) -> int | None:
        """Personal notes a calendar month for an account tier (None: no cap)."""
        return getattr(self, tier_info(tier).notes_setting)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(200))
    account_tier: Mapped[str] = mapped_column(String(16), default="free", server_default="free")
    tz: Mapped[str | None] = mapped_column(String(64))
    tz_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    show_on_leaderboard: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    deactivated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The pending-pile level last alerted ("ok", "warn", "limit"): an alert goes out once per
    # upward crossing and re-arms when the pile falls back below.
    alerted_level: Mapped[str] = mapped_column(String(8), default="ok", server_default="ok")
    # True once the weekly-pace alert went out; re-arms when the 7-day sends fall below the limit.
    pace_alerted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    # `/invites away`: the last local day away (digests and alerts resume the day after) and when it
    # was set (the first digest after says how long); cleared by that digest (0014).
    away_until: Mapped[date | None] = mapped_column(Date)
    away_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # `/invites linkedin <count>`: the pending count LinkedIn showed, what was logged then, and when;
    # when the digest last reminded of a big drift (at most weekly) (0014).
    linkedin_pending: Mapped[int | None] = mapped_column(Integer)
    linkedin_logged: Mapped[int | None] = mapped_column(Integer)
    linkedin_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drift_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why DMs to this member fail (user_not_found, cannot_dm_bot, …); cleared when one succeeds.
    undeliverable: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_members_team_user"),
        CheckConstraint(_in("account_tier", TIERS), name="account_tier"),
        CheckConstraint(_in("alerted_level", ("ok", "warn", "limit")), name="alerted_level"),
    )


def _folded_name(context) -> str | None:
    """The default of `Invite.name_folded`: the row's name folded, for writers that leave it out."""
    return fold(context.get_current_parameters().get("name"))


def _search_folded(context) -> str:
    """The default of `Invite.search_folded`: what `find` looks in, for writers that leave it out."""
    row = context.get_current_parameters()
    return search_text(row.get("name"), row.get("company"), row.get("prospect_key") or "", row.get("notes"))


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    prospect_key: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))
    # fold(name), what matching by name compares: SQLite's lower() folds ASCII only, and neither
    # database's lower() equates ß with ss or ς with σ. Names are never changed after the insert.
    # Casefolding can triple a name's length (ΐ is three code points folded).
    name_folded: Mapped[str | None] = mapped_column(String(600), default=_folded_name)
    company: Mapped[str | None] = mapped_column(String(200))
    # The invite's *comment* (PRODUCT.md): free text logged with it that is not a person's name.
    notes: Mapped[str | None] = mapped_column(Text)
    # bot.domain.prospect.search_text of the four above: `/invites find` is one LIKE on the member's rows.
    # NULL only for a row written by an older version during a rolling upgrade (find reads those in Python).
    search_folded: Mapped[str | None] = mapped_column(Text, default=_search_folded, deferred=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    priority: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    with_note: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    source: Mapped[str] = mapped_column(String(16), default="command", server_default="command")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Whole days from sending to the last status change (for an accepted invite: to its acceptance),
    # worked out by the database on write: the days-to-accept curve reads it from an index (0014).
    # Virtual on SQLite (stored in the index), stored on PostgreSQL (which has no virtual columns).
    # Deferred: an invite loaded whole does not work it out (SQLite computes a virtual column on read).
    change_days: Mapped[int | None] = mapped_column(Integer, Computed(WholeDaysToChange(), persisted=None),
                                                    deferred=True)

    member: Mapped[Member] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        # A member has at most one pending invite to a prospect; enforced by the database.
        Index(
            "uq_invites_one_pending_per_member_prospect",
            "member_id",
            "prospect_key",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # A member's invites by status and age: lists, stale lists, pace, the nudge sweep.
        Index("ix_invites_member_status_sent", "member_id", "status", "sent_at", "priority"),
        # A workspace's invites by sent date: leaderboard and team reports over a period.
        # Covering: the leaderboard and 7-day sends read only these columns (index-only scans).
        Index("ix_invites_team_sent", "team_id", "sent_at", "member_id", "status", "priority"),
        # The sweep: pending counts per member and invites to expire, over pending rows only.
        Index(
            "ix_invites_pending_team_sent",
            "team_id",
            "sent_at",
            "member_id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The sweep: withdrawn high-priority invites whose cooldown ends now.
        Index("ix_invites_team_status_changed", "team_id", "status", "status_changed_at"),
        # A prospect across the workspace: teammate collisions and cooldown checks.
        Index("ix_invites_team_prospect", "team_id", "prospect_key"),
        # Every member's pile (pending, stale, snoozed: bot.services.counts) in one index-only scan,
        # grouped by member in index order: the leaderboard and the weekly digest (0011).
        Index(
            "ix_invites_pending_member_pile",
            "team_id", "member_id", "sent_at", "priority", "snoozed_until", "status",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The days-to-accept curve: a team's invites accepted in the last 180 days with their days, index-only
        # (PostgreSQL reads change_days; SQLite, which reads no generated column from an index, works the
        # days out from the two instants) (0014).
        Index("ix_invites_team_accepted_days", "team_id", "status", "status_changed_at", "sent_at", "change_days"),
        # An invite's number is never handed out twice, even after an undo deleted it (0008).
        {"sqlite_autoincrement": True},
    )


class InviteEvent(Base):
    """One status change of an invite (or its creation, with from_status NULL)."""

    __tablename__ = "invite_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    invite_id: Mapped[int] = mapped_column(ForeignKey("invites.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    change_id: Mapped[str] = mapped_column(String(36))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(16))
    undone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    __table_args__ = (
        CheckConstraint(_in("via", VIAS), name="via"),
        CheckConstraint(_in("to_status", STATUSES), name="to_status"),
        # The member's latest change for `undo`, and withdrawals per local day for the sweep.
        Index("ix_invite_events_member_at", "member_id", "at"),
        # Today's withdrawals (the budget in every pile): only the withdrawal events not undone, so a
        # member's count since midnight reads a few index entries, not each of the day's events (0022).
        Index("ix_invite_events_withdrawals", "member_id", "at", "to_status", "undone",
              sqlite_where=text("to_status = 'withdrawn' AND undone IS 0"),
              postgresql_where=text("to_status = 'withdrawn' AND undone IS false")),
        # The sweep: recent withdrawals (today's budget) and recent expiries, per workspace.
        Index("ix_invite_events_team_at", "team_id", "at"),
        Index("ix_invite_events_invite", "invite_id"),
        # `undo` reverts one change; a Slack retry of an import checks whether its change landed.
        Index("ix_invite_events_change", "change_id"),
    )


DELIVERY_KINDS = ("daily_digest", "pending_warn", "pending_limit", "weekly_pace", "team_digest")
DELIVERY_STATES = ("claimed", "sent", "failed")


class Delivery(Base):
    """The delivery ledger: one row per workspace, recipient, kind and local date, claimed first.

    The unique key is what makes a digest go out once across replicas and restarts.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    # A member's user id, or the channel id for the weekly team digest.
    recipient: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8))
    claim_token: Mapped[str] = mapped_column(String(36))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    # A daily digest's invites shown with buttons, as comma-separated ids: the next digest
    # updates this one to a summary of what happened to them (bot.services.sweep).
    invite_ids: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("team_id", "recipient", "kind", "local_date", name="uq_deliveries_once"),
        CheckConstraint(_in("kind", DELIVERY_KINDS), name="kind"),
        CheckConstraint(_in("state", DELIVERY_STATES), name="state"),
        # The sweep's "what went out recently" and "when was the last digest" lookups.
        Index("ix_deliveries_team_kind_date", "team_id", "kind", "local_date"),
    )


FILE_IMPORT_STATES = ("claimed", "done", "failed")


class FileImport(Base):
    """One shared Slack file, claimed by the first event that brings it.

    Slack sends two events for one upload (``file_shared`` and a ``message`` with ``files``) and
    may redeliver either; the claim makes one of them import the file and reply, on any replica.
    """

    __tablename__ = "file_imports"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(8))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint(_in("state", FILE_IMPORT_STATES), name="state"),)


class EventClaim(Base):
    """One Slack event, claimed by the first delivery that acts on it.

    Slack redelivers an event it got no 2xx for in 3 seconds (HTTP ``X-Slack-Retry-Num``, Socket
    Mode ``retry_attempt``), to any replica, and Bolt does not de-duplicate: the claim makes a DM
    reply or a Home publish happen once per event id. Rows older than a day are pruned (Slack's
    last retry comes about 5 minutes after the event). No foreign key: an event may come before
    its workspace has a row; purging a workspace deletes its claims.
    """

    __tablename__ = "event_claims"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once the listener has acted: an unfinished claim whose handler died can be taken over.
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    # The prune: the claims older than a day.
    __table_args__ = (Index("ix_event_claims_claimed_at", "claimed_at"),)


CHART_KINDS = ("trend", "leaderboard", "curve")
TEAM_OWNER = "-"  # the owner of a workspace-wide chart (the digest's leaderboard, the curve)


class ChartFile(Base):
    """A chart image uploaded to Slack, remembered for its day so a surface shows it again unuploaded.

    `owner` is the member's user id (their trend, per local day) or TEAM_OWNER (the weekly digest's
    leaderboard, keyed by the workspace-local Monday). Only the newest day is kept per owner and kind.
    The alt text holds the figures the image shows, so the cached image keeps its words.
    """

    __tablename__ = "chart_files"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    file_id: Mapped[str] = mapped_column(String(32))
    alt_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint(_in("kind", CHART_KINDS), name="kind"),)


class CycleClaim(Base):
    """One shard of one nudge cycle, held by the scheduler process working on it (bot.services.cycle_claims).

    A cycle is a slot of the scheduler's interval (seconds since the epoch // interval); its members
    are split into `shards` parts by member id modulo `shards` (every row of a slot has the count of
    part 0). A scheduler claims a part nobody holds, or one whose lease ran out (its holder died),
    renews the lease while it works and marks the part done. Old slots are pruned.
    """

    __tablename__ = "cycle_claims"

    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shards: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())



class TeamCurve(Base):
    """The team's days-to-accept histogram as last worked out (bot.services.curve): one row a workspace.

    Every surface that shows the curve reads this row while it is of the current hour, so stats, the
    curve command, the settings hint, the chart and `report curve` show the same figures in every
    process; the first reader of a new hour works the histogram out again (one grouped query) and
    stores it. `window_end` is the instant its 180-day window ended.
    """

    __tablename__ = "team_curves"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    histogram: Mapped[str] = mapped_column(Text)  # JSON [[whole days, acceptances], ...]

# slack-sdk's OAuth stores, attached to our metadata so Alembic creates them (never create_all).
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations")
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states")
