"""The life of an invite and the checks run when one is logged. Pure: time is a parameter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.domain.tiers import Tier

__all__ = ["Tier"]  # the tier ids live with the tier table; re-exported for the many callers


class Status(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


OUTCOMES = (Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN)

# pending -> accepted | declined | withdrawn | expired; every other status is final
# (LinkedIn: an accepted invite cannot be withdrawn, only the connection removed).
_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED}),
}


class TransitionError(ValueError):
    """A status change the invite's life does not allow."""


def check_transition(current: Status | str, target: Status | str) -> None:
    """Raise TransitionError unless `current -> target` is allowed."""
    current, target = Status(current), Status(target)
    if target not in _TRANSITIONS.get(current, frozenset()):
        raise TransitionError(f"an invite that is {current} cannot become {target}")


def stale_after(*, withdraw_after_days: int, priority: Priority | str) -> timedelta:
    """How long an invite may stay pending before it is stale (high priority waits twice as long)."""
    factor = 2 if Priority(priority) is Priority.HIGH else 1
    return timedelta(days=withdraw_after_days * factor)


def is_stale(*, sent_at: datetime, priority: Priority | str, withdraw_after_days: int, now: datetime) -> bool:
    """True when a pending invite has waited past its withdraw threshold."""
    return now - sent_at >= stale_after(withdraw_after_days=withdraw_after_days, priority=priority)


def cooldown_ends(*, withdrawn_at: datetime, resend_cooldown_days: int) -> datetime:
    """When LinkedIn lets the member invite a withdrawn prospect again."""
    return withdrawn_at + timedelta(days=resend_cooldown_days)


class PaceLevel(StrEnum):
    OK = "ok"
    NEAR = "near"
    AT_LIMIT = "at_limit"


# Warn when a member's rolling-7-day sends reach this share of their tier's safe limit.
PACE_NEAR_SHARE = 0.8


def pace_level(*, sends_last_7_days: int, safe_limit: int) -> PaceLevel:
    """Where a member's rolling 7-day sends stand against their tier's safe limit."""
    if sends_last_7_days >= safe_limit:
        return PaceLevel.AT_LIMIT
    if sends_last_7_days >= math.ceil(safe_limit * PACE_NEAR_SHARE):
        return PaceLevel.NEAR
    return PaceLevel.OK


class Risk(StrEnum):
    OK = "ok"
    WARN = "warn"
    LIMIT = "limit"


def risk_level(*, pending: int, pending_warn_at: int, pending_limit: int) -> Risk:
    """The pending pile's risk: warn at `pending_warn_at`, limit at `pending_limit`."""
    if pending >= pending_limit:
        return Risk.LIMIT
    if pending >= pending_warn_at:
        return Risk.WARN
    return Risk.OK


@dataclass(frozen=True)
class PriorInvite:
    """An invite already stored for the same prospect, as the log checks need it."""

    invite_id: int
    member_id: int
    user_id: str
    status: Status
    sent_at: datetime
    status_changed_at: datetime


@dataclass(frozen=True)
class LogChecks:
    """What the reply to a new invite must say about the prospect's history."""

    duplicate_of: PriorInvite | None
    cooldown_until: datetime | None
    teammates: tuple[PriorInvite, ...]


def check_new_invite(
    *,
    member_id: int,
    sent_at: datetime,
    prior: list[PriorInvite],
    resend_cooldown_days: int,
) -> LogChecks:
    """Duplicate (own pending), cooldown (own withdrawal in the window), teammate collisions."""
    own = [p for p in prior if p.member_id == member_id]
    duplicate = next((p for p in own if p.status is Status.PENDING), None)
    withdrawals = [p.status_changed_at for p in own if p.status is Status.WITHDRAWN]
    cooldown_until = None
    if withdrawals:
        ends = cooldown_ends(withdrawn_at=max(withdrawals), resend_cooldown_days=resend_cooldown_days)
        if sent_at < ends:
            cooldown_until = ends
    teammates = tuple(
        p for p in prior if p.member_id != member_id and p.status in (Status.PENDING, Status.ACCEPTED)
    )
    return LogChecks(duplicate_of=duplicate, cooldown_until=cooldown_until, teammates=teammates)


@dataclass(frozen=True)
class Period:
    """A reporting window over invites *sent* in it; `days=None` means all time."""

    label: str
    days: int | None

    def start(self, now: datetime) -> datetime | None:
        """The first instant of the window, or None for all time."""
        return None if self.days is None else now - timedelta(days=self.days)


PERIODS = {
    "7d": Period("7d", 7),
    "30d": Period("30d", 30),
    "90d": Period("90d", 90),
    "all": Period("all", None),
}


class RateCounts(NamedTuple):
    """Counts over invites sent in a period, as the acceptance rate needs them.

    A named tuple (immutable, and 6x faster to make than a frozen dataclass): a leaderboard makes one
    per member with invites in the period.
    """

    sent: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    expired: int = 0
    pending_stale: int = 0
    pending_fresh: int = 0

    @property
    def decided(self) -> int:
        """The denominator: invites that have had their chance."""
        return self.accepted + self.declined + self.withdrawn + self.expired + self.pending_stale

    @property
    def rate(self) -> float | None:
        """accepted / decided, or None when nothing is decided yet."""
        return acceptance_rate(self.accepted, self.decided)


def acceptance_rate(accepted: int, decided: int) -> float | None:
    """accepted / decided, or None when nothing is decided yet (every surface's rate)."""
    return accepted / decided if decided else None


LOW_RATE = 0.30


def is_low_rate(rate: float | None) -> bool:
    """Rates below 30% mean: fix the targeting or the message."""
    return rate is not None and rate < LOW_RATE


def wilson_lower_bound(successes: int, n: int, z: float = 1.959963984540054) -> float:
    """The lower end of the Wilson score interval (95% by default); 0 when n is 0."""
    if n <= 0 or successes <= 0:
        return 0.0  # exactly 0, not float noise: "0 of 3" and "0 of 10" tie on the bound
    p = successes / n
    denominator = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denominator)


def week_starts(now: datetime, tz, count: int) -> list[datetime]:
    """The starts (Monday 00:00 in `tz`, as aware instants) of the current week and the `count - 1`
    before it, newest first; DST-safe because each is built as a local wall-clock time."""
    monday = now.astimezone(tz).date()
    monday -= timedelta(days=monday.weekday())
    return [datetime.combine(monday - timedelta(weeks=k), time(0), tzinfo=tz).astimezone(now.tzinfo)
            for k in range(count)]


def local_noon(day: date, tz) -> datetime:
    """A back-dated invite with no time is taken as sent at local noon of that day."""
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=tz)
