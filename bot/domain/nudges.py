"""Planning nudges: who gets which digest or alert, as of `now`. Pure; the sweep feeds it rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.invites import Priority, Risk, risk_level, stale_after
from bot.domain.prospect import readable_key


class Kind(StrEnum):
    DAILY_DIGEST = "daily_digest"
    PENDING_WARN = "pending_warn"
    PENDING_LIMIT = "pending_limit"
    WEEKLY_PACE = "weekly_pace"
    TEAM_DIGEST = "team_digest"


# Suggested withdrawal order: lowest priority first, then oldest.
_PRIORITY_ORDER = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2}
_RISK_RANK = {Risk.OK: 0, Risk.WARN: 1, Risk.LIMIT: 2}
# Without an earlier digest to measure "since", look back this far for expiries and re-invites.
FIRST_DIGEST_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Rules:
    """The workspace settings the planner reads."""

    withdraw_after_days: int
    expire_after_days: int
    resend_cooldown_days: int
    pending_warn_at: int
    pending_limit: int
    max_withdrawals_per_day: int
    nudge_hour: int
    working_days: str  # ISO weekday digits, "12345" = Mon-Fri
    timezone: str


@dataclass(frozen=True)
class MemberState:
    member_id: int
    team_id: str
    user_id: str
    tz_name: str | None
    safe_weekly_limit: int
    nudges_enabled: bool
    snoozed_until: datetime | None
    alerted_level: Risk
    pace_alerted: bool
    rules: Rules

    @property
    def zone(self) -> ZoneInfo:
        """The member's Slack zone, else the workspace's."""
        from bot.services.members import zone

        return zone(self.tz_name or self.rules.timezone)


@dataclass(frozen=True)
class PendingInvite:
    invite_id: int
    key: str
    priority: Priority
    sent_at: datetime
    snoozed_until: datetime | None = None
    name: str | None = None
    url: str | None = None
    comment: str | None = None

    @property
    def label(self) -> str:
        """The name when known, else the key made readable (`in:jane-doe-4b1a2c` → "Jane Doe")."""
        return self.name or readable_key(self.key)


@dataclass
class MemberFacts:
    """What the database knows about one member, gathered set-based for the whole sweep."""

    # Expiring invites for everyone; stale ones only for members whose digest is due (the rest
    # would not be read, and fetching them every cycle is most of a sweep's cost).
    pending: list[PendingInvite] = field(default_factory=list)
    pending_count: int = 0
    sends_last_7_days: int = 0
    withdrawals: list[datetime] = field(default_factory=list)  # recent withdrawal instants
    expired_recently: list[tuple[str, datetime]] = field(default_factory=list)  # (key, when)
    reinvite_candidates: list[tuple[str, datetime]] = field(default_factory=list)  # (key, withdrawn at)
    last_digest_at: datetime | None = None
    done: set[tuple[str, date]] = field(default_factory=set)  # (kind, local date) already final


@dataclass(frozen=True)
class Message:
    """One DM the sweep would send."""

    kind: Kind
    team_id: str
    user_id: str
    member_id: int
    local_date: date
    pending: int
    risk: Risk
    stale: tuple[PendingInvite, ...] = ()
    batch: tuple[PendingInvite, ...] = ()
    expired: tuple[str, ...] = ()
    reinvite: tuple[str, ...] = ()
    sends_last_7_days: int = 0
    safe_weekly_limit: int = 0
    budget: int = 0

    def as_json(self) -> dict:
        """The dry-run line: prospect keys as PRODUCT.md writes them."""
        line: dict = {
            "team": self.team_id,
            "user": self.user_id,
            "kind": str(self.kind),
            "local_date": self.local_date.isoformat(),
            "pending": self.pending,
            "risk": str(self.risk),
        }
        if self.kind is Kind.DAILY_DIGEST:
            line |= {
                "stale": [i.key for i in self.stale],
                "batch": [i.key for i in self.batch],
                "expired": list(self.expired),
                "reinvite": list(self.reinvite),
            }
        if self.kind is Kind.WEEKLY_PACE:
            line |= {"sends_last_7_days": self.sends_last_7_days, "safe_weekly_limit": self.safe_weekly_limit}
        return line


@dataclass(frozen=True)
class StateChange:
    """Alert state to write back after a cycle (re-arming, or after an alert went out)."""

    member_id: int
    alerted_level: Risk
    pace_alerted: bool


@dataclass
class MemberPlan:
    member: MemberState
    messages: list[Message]
    expire: list[PendingInvite]
    state: StateChange | None


def local_date(now: datetime, zone: ZoneInfo) -> date:
    """The calendar date at `now` in a zone."""
    return now.astimezone(zone).date()


def digest_due(now: datetime, zone: ZoneInfo, *, nudge_hour: int, working_days: str) -> bool:
    """True from the local nudge hour until local midnight, on working days."""
    local = now.astimezone(zone)
    return str(local.isoweekday()) in working_days and local.hour >= nudge_hour


def withdrawals_today(withdrawals: list[datetime], now: datetime, zone: ZoneInfo) -> int:
    """Withdrawals recorded on the member's local today."""
    today = local_date(now, zone)
    return sum(1 for w in withdrawals if local_date(w, zone) == today)


def suggested_batch(stale: list[PendingInvite], budget: int) -> list[PendingInvite]:
    """Today's withdrawals: low, then normal, then high priority; oldest first within each."""
    ordered = sorted(stale, key=lambda i: (_PRIORITY_ORDER[i.priority], i.sent_at, i.invite_id))
    return ordered[: max(0, budget)]


def wants_digest(member: MemberState, done: set[tuple[str, date]], now: datetime) -> bool:
    """True when the member's daily digest is due now and has not gone out today."""
    rules, zone = member.rules, member.zone
    snoozed = member.snoozed_until is not None and member.snoozed_until > now
    return (
        member.nudges_enabled
        and not snoozed
        and (Kind.DAILY_DIGEST, local_date(now, zone)) not in done
        and digest_due(now, zone, nudge_hour=rules.nudge_hour, working_days=rules.working_days)
    )


def plan_member(member: MemberState, facts: MemberFacts, now: datetime) -> MemberPlan:
    """Every message one member is due, and the expiries and alert state the cycle applies."""
    rules, zone = member.rules, member.zone
    today = local_date(now, zone)
    expire_cut = now - timedelta(days=rules.expire_after_days)
    expiring = [i for i in facts.pending if i.sent_at <= expire_cut]
    expiring_ids = {i.invite_id for i in expiring}
    stale = sorted(
        (
            i for i in facts.pending
            if i.invite_id not in expiring_ids
            and now - i.sent_at >= stale_after(withdraw_after_days=rules.withdraw_after_days, priority=i.priority)
            and (i.snoozed_until is None or i.snoozed_until <= now)
        ),
        key=lambda i: (i.sent_at, i.invite_id),
    )
    pending_after = facts.pending_count - len(expiring)
    risk = risk_level(pending=pending_after, pending_warn_at=rules.pending_warn_at, pending_limit=rules.pending_limit)
    base = {"team_id": member.team_id, "user_id": member.user_id, "member_id": member.member_id,
            "local_date": today, "pending": pending_after, "risk": risk}
    messages: list[Message] = []

    since = facts.last_digest_at or now - FIRST_DIGEST_LOOKBACK
    if wants_digest(member, facts.done, now):
        budget = rules.max_withdrawals_per_day - withdrawals_today(facts.withdrawals, now, zone)
        expired = [key for key, when in facts.expired_recently if when > since] + [i.key for i in expiring]
        cooldown = timedelta(days=rules.resend_cooldown_days)
        reinvite = [key for key, at in facts.reinvite_candidates if since < at + cooldown <= now]
        if stale or expired or reinvite or risk is not Risk.OK:
            messages.append(Message(
                kind=Kind.DAILY_DIGEST, stale=tuple(stale), batch=tuple(suggested_batch(stale, budget)),
                expired=tuple(dict.fromkeys(expired)), reinvite=tuple(dict.fromkeys(reinvite)),
                budget=max(0, budget), **base,
            ))

    alerts, state = plan_alerts(member, pending=pending_after, sends_last_7_days=facts.sends_last_7_days,
                                today=today, done=facts.done)
    return MemberPlan(member=member, messages=messages + alerts, expire=expiring, state=state)


def plan_alerts(member: MemberState, *, pending: int, sends_last_7_days: int, today: date,
                done: set[tuple[str, date]]) -> tuple[list[Message], StateChange | None]:
    """The alerts a member is due now (a pending level first crossed, the weekly pace reached), and
    the alert state to write back. One rule for the sweep and for the command that crossed."""
    rules = member.rules
    risk = risk_level(pending=pending, pending_warn_at=rules.pending_warn_at, pending_limit=rules.pending_limit)
    base = {"team_id": member.team_id, "user_id": member.user_id, "member_id": member.member_id,
            "local_date": today, "pending": pending, "risk": risk}
    messages: list[Message] = []
    level, pace = member.alerted_level, member.pace_alerted
    if _RISK_RANK[risk] > _RISK_RANK[member.alerted_level]:
        kind = Kind.PENDING_LIMIT if risk is Risk.LIMIT else Kind.PENDING_WARN
        if (kind, today) not in done:
            messages.append(Message(kind=kind, **base))
        level = risk
    elif _RISK_RANK[risk] < _RISK_RANK[member.alerted_level]:
        level = risk  # fell back below: re-arm
    at_limit = sends_last_7_days >= member.safe_weekly_limit
    if at_limit and not member.pace_alerted:
        if (Kind.WEEKLY_PACE, today) not in done:
            messages.append(Message(
                kind=Kind.WEEKLY_PACE, sends_last_7_days=sends_last_7_days,
                safe_weekly_limit=member.safe_weekly_limit, **base,
            ))
        pace = True
    elif not at_limit:
        pace = False
    state = None
    if (level, pace) != (member.alerted_level, member.pace_alerted):
        state = StateChange(member.member_id, level, pace)
    return messages, state
