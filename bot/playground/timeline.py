"""The playground's clock: move it forward, then run one nudge cycle as of the new time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import OffsetClock
from bot.playground import demo
from bot.playground.store import SlackState
from bot.services.sweep import CycleReport

NUDGE_HOUR = 9
STEPS = {"day": timedelta(days=1), "week": timedelta(days=7)}


def next_local_hour(now: datetime, zone: ZoneInfo, hour: int = NUDGE_HOUR) -> datetime:
    """The next instant strictly after `now` when the wall clock in `zone` reads hour:00."""
    local = now.astimezone(zone)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return target.astimezone(now.tzinfo)


@dataclass(frozen=True)
class Moved:
    """Where the clock went and what the cycle did."""

    now: datetime
    report: CycleReport

    def summary(self) -> str:
        """One line for the page."""
        sent = self.report.sent
        who = ", ".join(sorted({(demo.teammate(m.user_id).name if demo.teammate(m.user_id) else m.user_id)
                                + f" ({m.kind})" for m in sent}))
        parts = [f"nudge cycle as of {self.now:%a %d %b %Y %H:%M} UTC: {len(sent)} sent" + (f" — {who}" if who else "")]
        if self.report.failed:
            parts.append(f"{len(self.report.failed)} failed ({', '.join(code for _, code in self.report.failed)})")
        if self.report.expired:
            parts.append(f"{self.report.expired} invites expired")
        return "; ".join(parts)


class ClockControl:
    """The +1 day, +1 week and next 09:00 buttons."""

    def __init__(self, clock: OffsetClock, run_cycle: Callable[..., CycleReport], state: SlackState) -> None:
        self.clock = clock
        self.run_cycle = run_cycle
        self.state = state

    def move(self, step: str, *, zone: ZoneInfo) -> Moved:
        """Advance by a step ("day", "week", "nine": the next 09:00 in `zone`) and run a cycle."""
        now = self.clock.now()
        delta = next_local_hour(now, zone) - now if step == "nine" else STEPS[step]
        moved_to = self.clock.advance(delta)
        report = self.run_cycle(now=moved_to)
        result = Moved(moved_to, report)
        self.state.note("clock", f"moved {step}: {result.summary()}")
        return result
