"""Away days and workspace holidays (PRODUCT.md "Nudges"). Pure.

- A member away until a date (their last local day away) gets no digest and no alert through
  that day; both resume the day after. The first digest after says how long they were away.
- On a workspace holiday (`holidays`, ISO dates) no daily digest goes out (the member's local
  date is the holiday), and the weekly team digest, due on Monday, moves to the next working day
  of that week that is no holiday.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MAX_HOLIDAYS = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadHolidays(ValueError):
    """Holiday text that is not a list of ISO dates; the message says which part."""


@lru_cache(maxsize=256)  # read with every request's workspace settings; a workspace's text rarely changes
def parse_holidays(text: str | None) -> tuple[date, ...]:
    """The stored (or typed) holidays as sorted dates; an unreadable stored value reads as none."""
    try:
        return read_holidays(text)
    except BadHolidays:
        return ()


def read_holidays(text: str | None) -> tuple[date, ...]:
    """Dates separated by commas, spaces or new lines (`2026-12-24, 2026-12-25`); raises BadHolidays."""
    found: set[date] = set()
    for token in re.split(r"[\s,;]+", (text or "").strip()):
        if not token:
            continue
        if not _DATE.fullmatch(token):
            raise BadHolidays(f"“{token[:20]}” is not a date: write dates like 2026-12-24, separated by commas.")
        try:
            found.add(date.fromisoformat(token))
        except ValueError:
            raise BadHolidays(f"{token} is not a calendar date.") from None
    if len(found) > MAX_HOLIDAYS:
        raise BadHolidays(f"At most {MAX_HOLIDAYS} holidays.")
    return tuple(sorted(found))


def holidays_text(days: Iterable[date]) -> str | None:
    """The stored form: sorted ISO dates, comma-separated (None for none)."""
    shown = ", ".join(d.isoformat() for d in sorted(set(days)))
    return shown or None


def is_away(away_until: date | None, today: date) -> bool:
    """True while the member is away (their last day away included)."""
    return away_until is not None and today <= away_until


def days_away(away_since: datetime, away_until: date, tz: ZoneInfo) -> int:
    """How many local days the absence lasted, the first and the last included."""
    return max(1, (away_until - away_since.astimezone(tz).date()).days + 1)


def back_from(away_since: datetime | None, away_until: date | None, today: date) -> bool:
    """True when an absence ended before today and its first digest has not told of it yet."""
    return away_since is not None and away_until is not None and away_until < today


def weekly_digest_day(day: date, *, working_days: str, holidays: Iterable[date]) -> date | None:
    """The day of `day`'s week the weekly digest goes out: Monday, or when Monday is a holiday the
    next working day of that week that is not one (None: the whole week is off)."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    off = set(holidays)
    if monday not in off:
        return monday
    for offset in range(1, 7):
        candidate = monday + timedelta(days=offset)
        if str(candidate.isoweekday()) in working_days and candidate not in off:
            return candidate
    return None
