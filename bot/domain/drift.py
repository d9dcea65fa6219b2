"""LinkedIn drift: the pending count LinkedIn shows against the one logged here (PRODUCT.md `linkedin`). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The digest reminds a member whose last report is older than this and whose drift was bigger
# than REMIND_SHARE, at most once every REMIND_EVERY.
REPORT_MAX_AGE = timedelta(days=30)
REMIND_SHARE = 0.20
REMIND_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class Drift:
    """One report: what LinkedIn showed, what was logged pending at that instant, and when."""

    linkedin: int
    logged: int
    at: datetime

    @property
    def difference(self) -> int:
        """Logged minus LinkedIn: above 0, outcomes not recorded here; below 0, invites not logged here."""
        return self.logged - self.linkedin

    @property
    def share(self) -> float:
        """The difference against LinkedIn's count (1.0 when LinkedIn shows none and some are logged)."""
        if self.linkedin == 0:
            return 0.0 if self.logged == 0 else 1.0
        return abs(self.difference) / self.linkedin

    @classmethod
    def of(cls, linkedin: int | None, logged: int | None, at: datetime | None) -> Drift | None:
        """From the member's columns; None when they never reported."""
        if linkedin is None or logged is None or at is None:
            return None
        return cls(linkedin, logged, at)


def wants_reminder(drift: Drift | None, *, reminded_at: datetime | None, now: datetime) -> bool:
    """True when the last report is over 30 days old, its drift over 20%, and no reminder in the last week."""
    if drift is None or now - drift.at <= REPORT_MAX_AGE or drift.share <= REMIND_SHARE:
        return False
    return reminded_at is None or now - reminded_at >= REMIND_EVERY
