"""The clock seam: production reads the system clock; the playground moves its own."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)


class OffsetClock:
    """The real time shifted by an offset that can be moved forward (playground only)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current instant plus the offset."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new instant."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
        return self.now()

    def set_offset(self, offset: timedelta) -> None:
        """Set the shift from the real time."""
        with self._lock:
            self._offset = offset


class FixedClock:
    """A clock that stands still until moved (tests)."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        """The fixed instant."""
        return self.instant

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by delta."""
        self.instant += delta
        return self.instant
