"""The personalised-note budget: LinkedIn caps invites with a note per calendar month (PRODUCT.md "Nudges"). Pure.

A member's notes are counted over the calendar month of `now` in their own zone, by the invite's
sent time; the cap is the workspace's `notes_per_month_<tier>` (None: no cap).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


def month_start(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after the day's."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_span(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The member's local calendar month at `now`, as [start, end) aware instants (in UTC)."""
    local = now.astimezone(tz).date()
    first, after = month_start(local), next_month(local)
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime(after.year, after.month, after.day, tzinfo=tz)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


@dataclass(frozen=True)
class NoteBudget:
    """Notes used this month against the cap, and the local day the month turns."""

    used: int
    limit: int | None
    resets: date

    @property
    def capped(self) -> bool:
        return self.limit is not None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def text(self) -> str:
        """`notes this month: 3 of 5` (or `notes this month: 3 (no cap)`): the wording of stats and Home."""
        if self.limit is None:
            return f"notes this month: {self.used} (no cap)"
        return f"notes this month: {self.used} of {self.limit}"

    def past_cap(self, logged: int) -> int:
        """Of `logged` notes just counted in `used`, how many went past the cap (LinkedIn sent them bare)."""
        if self.limit is None:
            return 0
        return max(0, self.used - max(self.used - logged, self.limit))

    def took_the_last(self, logged: int) -> bool:
        """True when the notes just logged used the month's last one, and none went past it."""
        return self.limit is not None and logged > 0 and self.used == self.limit
