"""The invite's life, the log checks, pace, risk and rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import invites as d

NOW = datetime(2026, 11, 18, 10, tzinfo=UTC)


@pytest.mark.parametrize("target", ["accepted", "declined", "withdrawn", "expired"])
def test_pending_can_reach_every_outcome(target):
    d.check_transition("pending", target)


@pytest.mark.parametrize("final", ["accepted", "declined", "withdrawn", "expired"])
@pytest.mark.parametrize("target", ["pending", "accepted", "declined", "withdrawn", "expired"])
def test_final_statuses_are_final(final, target):
    with pytest.raises(d.TransitionError):
        d.check_transition(final, target)


def test_stale_threshold_and_high_priority_doubles_it():
    sent = NOW - timedelta(days=14)
    assert d.is_stale(sent_at=sent, priority="normal", withdraw_after_days=14, now=NOW)
    assert not d.is_stale(sent_at=sent + timedelta(seconds=1), priority="normal", withdraw_after_days=14, now=NOW)
    assert not d.is_stale(sent_at=sent, priority="high", withdraw_after_days=14, now=NOW)
    assert d.is_stale(sent_at=NOW - timedelta(days=28), priority="high", withdraw_after_days=14, now=NOW)


def prior(member, status, days_ago=5, changed_days_ago=None):
    changed = NOW - timedelta(days=changed_days_ago if changed_days_ago is not None else days_ago)
    return d.PriorInvite(1, member, f"U{member}", d.Status(status), NOW - timedelta(days=days_ago), changed)


def test_checks_duplicate_cooldown_teammates():
    checks = d.check_new_invite(member_id=1, sent_at=NOW, prior=[prior(1, "pending")], resend_cooldown_days=21)
    assert checks.duplicate_of is not None
    checks = d.check_new_invite(
        member_id=1, sent_at=NOW, prior=[prior(1, "withdrawn", 30, changed_days_ago=10)], resend_cooldown_days=21
    )
    assert checks.cooldown_until == NOW + timedelta(days=11)
    checks = d.check_new_invite(
        member_id=1, sent_at=NOW, prior=[prior(1, "withdrawn", 40, changed_days_ago=21)], resend_cooldown_days=21
    )
    assert checks.cooldown_until is None
    checks = d.check_new_invite(
        member_id=1, sent_at=NOW,
        prior=[prior(2, "pending"), prior(3, "accepted"), prior(4, "declined")], resend_cooldown_days=21,
    )
    assert [t.member_id for t in checks.teammates] == [2, 3]
    assert checks.duplicate_of is None


def test_pace_and_risk_levels():
    assert d.pace_level(sends_last_7_days=63, safe_limit=80) is d.PaceLevel.OK
    assert d.pace_level(sends_last_7_days=64, safe_limit=80) is d.PaceLevel.NEAR
    assert d.pace_level(sends_last_7_days=80, safe_limit=80) is d.PaceLevel.AT_LIMIT
    assert d.risk_level(pending=199, pending_warn_at=200, pending_limit=300) is d.Risk.OK
    assert d.risk_level(pending=200, pending_warn_at=200, pending_limit=300) is d.Risk.WARN
    assert d.risk_level(pending=300, pending_warn_at=200, pending_limit=300) is d.Risk.LIMIT


def test_rate_counts_stale_pending_in_the_denominator_only():
    counts = d.RateCounts(sent=10, accepted=3, declined=1, withdrawn=1, expired=1, pending_stale=2, pending_fresh=2)
    assert counts.decided == 8 and counts.rate == pytest.approx(3 / 8)
    assert d.RateCounts(sent=2, pending_fresh=2).rate is None
    assert d.is_low_rate(0.29) and not d.is_low_rate(0.30) and not d.is_low_rate(None)


def test_wilson_known_values_and_fairness():
    assert d.wilson_lower_bound(0, 0) == 0
    assert d.wilson_lower_bound(3, 3) == pytest.approx(0.4385, abs=1e-3)
    assert d.wilson_lower_bound(150, 300) == pytest.approx(0.4436, abs=1e-3)
    # 3 out of 3 must not beat 150 out of 300.
    assert d.wilson_lower_bound(3, 3) < d.wilson_lower_bound(150, 300)


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_wilson_is_a_lower_bound(k, n):
    k = min(k, n)
    assert 0 <= d.wilson_lower_bound(k, n) <= k / n + 1e-12
