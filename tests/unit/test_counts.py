"""The counts' rules (bot.domain.counts): the batch, the budget, the risk and the stale wording."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.counts import PileCounts, local_midnight, stale_label, zone
from bot.domain.invites import Risk


def pile(**kw) -> PileCounts:
    return PileCounts(**({"max_withdrawals_per_day": 20, "pending_warn_at": 200, "pending_limit": 300} | kw))


@pytest.mark.parametrize(("stale", "snoozed", "withdrawn", "batch", "waiting"), [
    (7, 1, 0, 6, 0),     # snoozed ones are stale, never in the batch
    (30, 0, 15, 5, 25),  # 15 withdrawn today: 5 left
    (5, 0, 25, 0, 5),    # more withdrawn than the budget: none, never negative
    (3, 3, 0, 0, 0),     # everything snoozed
])
def test_the_batch_is_the_ready_invites_within_todays_budget(stale, snoozed, withdrawn, batch, waiting):
    counts = pile(pending=stale, stale=stale, snoozed_stale=snoozed, withdrawn_today=withdrawn)
    assert (counts.batch, counts.waiting) == (batch, waiting)
    assert counts.ready == counts.batch + counts.waiting == stale - snoozed


@pytest.mark.parametrize(("pending", "risk"), [(199, Risk.OK), (200, Risk.WARN), (299, Risk.WARN), (300, Risk.LIMIT)])
def test_risk_levels(pending, risk):
    assert pile(pending=pending).risk is risk


def test_the_stale_wording_names_the_snoozed_ones_only_when_there_are_some():
    assert stale_label(7, 1) == "7 stale (1 snoozed)"
    assert stale_label(7, 0) == "7 stale"


def test_local_midnight_and_zones():
    now = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    assert local_midnight(now, ZoneInfo("Asia/Tokyo")) == datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
    assert local_midnight(now, ZoneInfo("America/Los_Angeles")) == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    assert zone("Not/AZone") == ZoneInfo("UTC") and zone(None) == ZoneInfo("UTC")
