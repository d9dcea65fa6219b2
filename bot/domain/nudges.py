"""Planning nudges: who gets which digest or alert, as of `now`. Pure; the sweep feeds it rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.away import back_from, days_away, is_away
from bot.domain.counts import PRIORITY_ORDER, PileCounts, zone
from bot.domain.drift import Drift, wants_reminder
from bot.domain.invites import Priority, Risk, risk_level
from bot.domain.prospect import readable_key


class Kind(StrEnum):
    DAILY_DIGEST = "daily_digest"
    PENDING_WARN = "pending_warn"
    PENDING_LIMIT = "pending_limit"
    WEEKLY_PACE = "weekly_pace"
    TEAM_DIGEST = "team_digest"


_RISK_RANK = {Risk.OK: 0, Risk.WARN: 1, Risk.LIMIT: 2}
# A digest shows at most this many batch rows (each a section and an actions block: with the rest of
# the message this stays inside Slack's 50 blocks); the rest are counted.
DIGEST_MAX_ROWS = 20
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
    holidays: tuple[date, ...] = ()  # workspace holidays: no daily digest on them


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
    away_until: date | None = None  # the last local day away
    away_since: datetime | None = None
    drift: Drift | None = None  # the last `/invites linkedin` report
    drift_reminded_at: datetime | None = None

    def away(self, today: date) -> bool:
        """True while away: no digest, no alert."""
        return is_away(self.away_until, today)

    @property
    def zone(self) -> ZoneInfo:
        """The member's Slack zone, else the workspace's."""
        return zone(self.tz_name or self.rules.timezone)


@dataclass(frozen=True, slots=True)
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

    counts: PileCounts = field(default_factory=PileCounts)  # bot.services.counts: every surface's figures
    # Expiring invites for everyone; stale ones (snoozed included) only for members whose digest
    # is due (the rest would not be read, and fetching them every cycle is most of a sweep's cost).
    expiring: list[PendingInvite] = field(default_factory=list)
    stale: list[PendingInvite] = field(default_factory=list)
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
    # The stale invites' prospect keys (the dry run's line); the digest itself shows counts and the batch.
    stale_keys: tuple[str, ...] = ()
    batch: tuple[PendingInvite, ...] = ()
    expired: tuple[str, ...] = ()
    reinvite: tuple[str, ...] = ()
    sends_last_7_days: int = 0
    safe_weekly_limit: int = 0
    budget: int = 0
    counts: PileCounts = field(default_factory=PileCounts)
    away_days: int | None = None  # the first digest after an absence: how long it lasted
    drift: Drift | None = None  # a reminder of a big, old LinkedIn drift

    @property
    def shown_ids(self) -> tuple[int, ...]:
        """The invites the digest shows with buttons (the ledger keeps them for the next day's summary)."""
        return tuple(i.invite_id for i in self.batch[:DIGEST_MAX_ROWS]) if self.counts.stale else ()

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
                "stale": list(self.stale_keys),
                "batch": [i.key for i in self.batch],
                "expired": list(self.expired),
                "reinvite": list(self.reinvite),
            }
            if self.away_days is not None:
                line["away_days"] = self.away_days
            if self.drift is not None:
                line["linkedin_drift"] = {"linkedin": self.drift.linkedin, "logged": self.drift.logged,
                                          "reported_at": self.drift.at.isoformat()}
        if self.kind is Kind.WEEKLY_PACE:
            line |= {"sends_last_7_days": self.sends_last_7_days, "safe_weekly_limit": self.safe_weekly_limit}
        return line


@dataclass(frozen=True)
class DigestOutcome:
    """What became of the invites a digest showed, by the time the next one is posted."""

    withdrawn: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    snoozed: int = 0
    left: int = 0  # still pending, not snoozed: today's digest has them

    def line(self) -> str:
        """`3 withdrawn, 1 accepted, 2 left for today's digest`."""
        parts = [f"{n} {word}" for n, word in ((self.withdrawn, "withdrawn"), (self.accepted, "accepted"),
                                                (self.declined, "declined"), (self.expired, "expired"),
                                                (self.snoozed, "snoozed")) if n]
        if self.left:
            parts.append(f"{self.left} left for today's digest")
        return ", ".join(parts) if parts else "nothing left to act on"


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


def suggested_batch(ready: list[PendingInvite], budget: int) -> list[PendingInvite]:
    """Today's withdrawals (bot.domain.counts): low, then normal, then high priority; oldest first within each."""
    ordered = sorted(ready, key=lambda i: (PRIORITY_ORDER[i.priority], i.sent_at, i.invite_id))
    return ordered[: max(0, budget)]


def todays_batch(stale: list[PendingInvite], counts: PileCounts, now: datetime) -> list[PendingInvite]:
    """The invites of today's batch: the stale ones not snoozed, as many as `counts.batch`."""
    ready = [i for i in stale if i.snoozed_until is None or i.snoozed_until <= now]
    return suggested_batch(ready, counts.batch)


def wants_digest(member: MemberState, done: set[tuple[str, date]], now: datetime) -> bool:
    """True when the member's daily digest is due now and has not gone out today."""
    rules, zone = member.rules, member.zone
    snoozed = member.snoozed_until is not None and member.snoozed_until > now
    today = local_date(now, zone)
    return (
        member.nudges_enabled
        and not snoozed
        and not member.away(today)
        and today not in rules.holidays
        and (Kind.DAILY_DIGEST, today) not in done
        and digest_due(now, zone, nudge_hour=rules.nudge_hour, working_days=rules.working_days)
    )


def plan_member(member: MemberState, facts: MemberFacts, now: datetime) -> MemberPlan:
    """Every message one member is due, and the expiries and alert state the cycle applies."""
    rules, counts = member.rules, facts.counts
    today = local_date(now, member.zone)
    # The counts already leave out the invites past expiry (bot.domain.counts): this cycle expires them.
    base = {"team_id": member.team_id, "user_id": member.user_id, "member_id": member.member_id,
            "local_date": today, "pending": counts.pending, "risk": counts.risk}
    messages: list[Message] = []

    since = facts.last_digest_at or now - FIRST_DIGEST_LOOKBACK
    if wants_digest(member, facts.done, now):
        expired = [key for key, when in facts.expired_recently if when > since] + [i.key for i in facts.expiring]
        cooldown = timedelta(days=rules.resend_cooldown_days)
        reinvite = [key for key, at in facts.reinvite_candidates if since < at + cooldown <= now]
        away_days = (days_away(member.away_since, member.away_until, member.zone)
                     if back_from(member.away_since, member.away_until, today) else None)
        drift = member.drift if wants_reminder(member.drift, reminded_at=member.drift_reminded_at, now=now) else None
        if counts.stale or expired or reinvite or counts.risk is not Risk.OK or away_days or drift:
            messages.append(Message(
                kind=Kind.DAILY_DIGEST, stale_keys=tuple(i.key for i in facts.stale), batch=tuple(todays_batch(facts.stale, counts, now)),
                expired=tuple(dict.fromkeys(expired)), reinvite=tuple(dict.fromkeys(reinvite)),
                budget=counts.budget, counts=counts, away_days=away_days, drift=drift, **base,
            ))

    alerts, state = plan_alerts(member, pending=counts.pending, sends_last_7_days=counts.sent_7d,
                                today=today, done=facts.done)
    return MemberPlan(member=member, messages=messages + alerts, expire=facts.expiring, state=state)


def alert_state(*, risk: Risk, sends_last_7_days: int, safe_weekly_limit: int) -> tuple[Risk, bool]:
    """The alert state (alerted level, pace alerted) a member's counts call for: the level follows the
    pending risk both ways (up: alert, down: re-arm), the pace flag follows the weekly limit."""
    return risk, sends_last_7_days >= safe_weekly_limit


def plan_alerts(member: MemberState, *, pending: int, sends_last_7_days: int, today: date,
                done: set[tuple[str, date]]) -> tuple[list[Message], StateChange | None]:
    """The alerts a member is due now (a pending level first crossed, the weekly pace reached), and
    the alert state to write back. One rule for the sweep and for the command that crossed.

    While the member is away nothing is sent and nothing moves: a level crossed meanwhile is
    alerted the day after they are back."""
    if member.away(today):
        return [], None
    rules = member.rules
    risk = risk_level(pending=pending, pending_warn_at=rules.pending_warn_at, pending_limit=rules.pending_limit)
    base = {"team_id": member.team_id, "user_id": member.user_id, "member_id": member.member_id,
            "local_date": today, "pending": pending, "risk": risk}
    messages: list[Message] = []
    level, pace = alert_state(risk=risk, sends_last_7_days=sends_last_7_days,
                              safe_weekly_limit=member.safe_weekly_limit)
    if _RISK_RANK[risk] > _RISK_RANK[member.alerted_level]:
        kind = Kind.PENDING_LIMIT if risk is Risk.LIMIT else Kind.PENDING_WARN
        if (kind, today) not in done:
            messages.append(Message(kind=kind, **base))
    if pace and not member.pace_alerted and (Kind.WEEKLY_PACE, today) not in done:
        messages.append(Message(
            kind=Kind.WEEKLY_PACE, sends_last_7_days=sends_last_7_days,
            safe_weekly_limit=member.safe_weekly_limit, **base,
        ))
    state = None
    if (level, pace) != (member.alerted_level, member.pace_alerted):
        state = StateChange(member.member_id, level, pace)
    return messages, state
