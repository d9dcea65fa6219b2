"""One count, one meaning: the member's figures every surface shows (PRODUCT.md). Pure.

The rules, as of an instant `now` (aware, UTC):

- *pending*: status pending and sent less than `expire_after_days` ago. An invite past
  `expire_after_days` is expired on every surface from that instant on, whether or not the sweep
  has written `expired` yet (it does at its next cycle): no figure depends on when the sweep ran,
  and the digest, posted by the cycle that expires them, counts exactly what Home counts.
- *stale*: pending and at least `withdraw_after_days` old (twice that for high priority),
  snoozed ones included; `snoozed_stale` of them are snoozed (`snoozed_until > now`).
- *today's batch*: the stale invites that are not snoozed, lowest priority first, then oldest
  (then by id), at most the day's remaining `max_withdrawals_per_day`, the withdrawals counted
  since local midnight in the member's zone. Invites about to expire are never in it: they are
  not pending any more (above), so LinkedIn drops them without a withdrawal.
- *risk*: `ok` below `pending_warn_at`, `warn` from it, `limit` from `pending_limit`.
- *sent in the last 7 days*: sent_at within the last 7x24 hours (`now - 7d < sent_at`).
- *acceptance rate*: RateCounts over invites sent in the period (`now - days < sent_at`), an
  invite past expiry counted as expired, always shown with its n.

`bot.services.counts` turns these rules into SQL; every surface reads its figures from there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.invites import Priority, Risk, risk_level, stale_after

# Today's withdrawal order: lowest priority first (then oldest, then id).
PRIORITY_ORDER = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2}
SENT_WINDOW = timedelta(days=7)



@functools.lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo:
    """A ZoneInfo for an IANA name, UTC when unknown or broken (kept: zoneinfo's own cache holds
    only the 8 most recent zones strongly, and a team spans more, so each lookup read the disk)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the local day at `now` in a zone, as an aware instant."""
    return now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Thresholds:
    """The workspace settings the pending and stale rules read."""

    withdraw_after_days: int
    expire_after_days: int

    def expire_cut(self, now: datetime) -> datetime:
        """Invites sent at or before this instant are past expiry (no longer pending)."""
        return now - timedelta(days=self.expire_after_days)

    def stale_cut(self, now: datetime, priority: Priority | str) -> datetime:
        """Invites of this priority sent at or before this instant are stale."""
        return now - stale_after(withdraw_after_days=self.withdraw_after_days, priority=priority)


@dataclass(frozen=True)
class PileCounts:
    """A member's pile at one instant: the figures of PRODUCT.md "One count, one meaning"."""

    pending: int = 0
    stale: int = 0
    snoozed_stale: int = 0
    sent_7d: int = 0
    withdrawn_today: int = 0
    max_withdrawals_per_day: int = 0
    pending_warn_at: int = 0
    pending_limit: int = 0

    @property
    def ready(self) -> int:
        """Stale invites that could be withdrawn now (not snoozed)."""
        return self.stale - self.snoozed_stale

    @property
    def budget(self) -> int:
        """Withdrawals left today."""
        return max(0, self.max_withdrawals_per_day - self.withdrawn_today)

    @property
    def batch(self) -> int:
        """Today's batch size."""
        return min(self.ready, self.budget)

    @property
    def waiting(self) -> int:
        """Ready invites left for the next days (today's budget is used)."""
        return self.ready - self.batch

    @property
    def past_daily_withdrawals(self) -> bool:
        """Today's withdrawals went past `max_withdrawals_per_day` (LinkedIn prefers them spread over days)."""
        return self.withdrawn_today > self.max_withdrawals_per_day

    @property
    def risk(self) -> Risk:
        """The pending pile against the workspace's levels."""
        return risk_level(pending=self.pending, pending_warn_at=self.pending_warn_at, pending_limit=self.pending_limit)


def stale_label(stale: int, snoozed: int) -> str:
    """`7 stale (1 snoozed)`, or `7 stale` when none is snoozed: the wording of every surface."""
    return f"{stale} stale ({snoozed} snoozed)" if snoozed else f"{stale} stale"
