"""The days-to-accept curve and the withdraw threshold it suggests (PRODUCT.md "Insight and pictures"). Pure.

Over the team's invites accepted in the last 180 days: the share accepted within 1, 3, 7, 14, 21,
30 and 60 days of sending ("within d days": the whole days from sending to the acceptance, rounded
down, are at most d). The suggestion is the smallest d in 7..60 within which at least 95% of them
came. With fewer than 50 acceptances the published figures stand in (88% within 7 days, 99% within
30), and the suggestion is 22 days: where that curve, drawn straight between its points, passes 95%.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate

WINDOW = timedelta(days=180)
WITHIN_DAYS = (1, 3, 7, 14, 21, 30, 60)
SUGGEST_FROM, SUGGEST_TO = 7, 60
COVER_PERCENT = 95
MIN_ACCEPTANCES = 50
# Published figures: the share of acceptances within d days (with nothing at day 0).
PUBLISHED = {7: 0.88, 30: 0.99}


@dataclass(frozen=True)
class Curve:
    """The team's curve: acceptances counted, share within each day mark, the suggestion, where it comes from."""

    accepted: int
    within_days: dict[int, float]
    suggested_withdraw_after_days: int
    source: str  # "team" | "published"
    histogram: tuple[tuple[int, int], ...] = ()  # (whole days, acceptances), the team's own (empty when published)

    @property
    def published(self) -> bool:
        return self.source == "published"

    def share_within(self, days: int) -> float:
        """The share of acceptances that came within `days` days (the published line when too few)."""
        if self.published:
            return published_share(days)
        if not self.accepted:
            return 0.0
        return sum(n for d, n in self.histogram if d <= days) / self.accepted

    def given_up(self, withdraw_after_days: int) -> float:
        """The share of acceptances that came later than a withdraw threshold: what withdrawing then gives up."""
        return max(0.0, 1.0 - self.share_within(withdraw_after_days))

    def as_json(self) -> dict:
        """`report curve --format json`."""
        return {
            "accepted": self.accepted,
            "within_days": {str(d): share for d, share in self.within_days.items()},
            "suggested_withdraw_after_days": self.suggested_withdraw_after_days,
            "source": self.source,
        }


def _published_points() -> list[tuple[int, float]]:
    return [(0, 0.0), *sorted(PUBLISHED.items())]


def published_share(days: float) -> float:
    """The published curve drawn straight between its points (flat after its last one)."""
    points = _published_points()
    if days <= 0:
        return 0.0
    for (d0, s0), (d1, s1) in zip(points, points[1:], strict=False):
        if days <= d1:
            return s0 + (s1 - s0) * (days - d0) / (d1 - d0)
    return points[-1][1]


def published_suggestion() -> int:
    """The first whole day at which the published line reaches 95%: 22."""
    points = _published_points()
    target = COVER_PERCENT / 100
    for (d0, s0), (d1, s1) in zip(points, points[1:], strict=False):
        if s1 >= target:
            return max(SUGGEST_FROM, math.ceil(d0 + (target - s0) * (d1 - d0) / (s1 - s0) - 1e-9))
    return SUGGEST_TO


def curve_of(histogram: Mapping[int, int] | Iterable[tuple[int, int]]) -> Curve:
    """The curve from (whole days, acceptances) pairs; published figures under MIN_ACCEPTANCES."""
    pairs = sorted((int(d), int(n)) for d, n in (histogram.items() if isinstance(histogram, Mapping) else histogram))
    pairs = [(max(0, d), n) for d, n in pairs if n]
    total = sum(n for _, n in pairs)
    if total < MIN_ACCEPTANCES:
        return Curve(accepted=total, within_days=dict(PUBLISHED), suggested_withdraw_after_days=published_suggestion(),
                     source="published")

    # Acceptances within d days: the running total up to the last pair at or under d.
    days_of = [d for d, _ in pairs]
    running = list(accumulate(n for _, n in pairs))

    def within(days: int) -> int:
        at = bisect_right(days_of, days)
        return running[at - 1] if at else 0

    shares = {d: within(d) / total for d in WITHIN_DAYS}
    # Whole numbers compared (100 * within >= 95 * total): no float lands a hair under 95%.
    suggested = next((d for d in range(SUGGEST_FROM, SUGGEST_TO + 1) if 100 * within(d) >= COVER_PERCENT * total),
                     SUGGEST_TO)
    return Curve(accepted=total, within_days=shares, suggested_withdraw_after_days=suggested, source="team",
                 histogram=tuple(pairs))
