"""The pure planner: when a digest is due, what it lists, and the alert crossings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.counts import PileCounts
from bot.domain.invites import Priority, Risk, is_stale, risk_level
from bot.domain.nudges import (
    Kind,
    MemberFacts,
    MemberState,
    PendingInvite,
    Rules,
    alert_state,
    digest_due,
    plan_alerts,
    plan_member,
    suggested_batch,
)

RULES = Rules(withdraw_after_days=14, expire_after_days=180, resend_cooldown_days=21, pending_warn_at=200,
              pending_limit=300, max_withdrawals_per_day=20, nudge_hour=9, working_days="12345", timezone="UTC")


def member(tz="UTC", **kw) -> MemberState:
    base = dict(member_id=1, team_id="T1", user_id="U1", tz_name=tz, safe_weekly_limit=80, nudges_enabled=True,
                snoozed_until=None, alerted_level=Risk.OK, pace_alerted=False, rules=RULES)
    return MemberState(**(base | kw))


def inv(i, days_ago, now, priority=Priority.NORMAL, **kw) -> PendingInvite:
    return PendingInvite(i, f"in:p{i}", priority, now - timedelta(days=days_ago), **kw)


def facts_of(now, *, pending=(), pending_count=None, withdrawals=(), sends_last_7_days=0, rules=RULES, **rest):
    """MemberFacts as the sweep gathers them: the rows to expire and the stale ones apart, and the counts."""
    expiring = [i for i in pending if now - i.sent_at >= timedelta(days=rules.expire_after_days)]
    stale = [i for i in pending if i not in expiring and is_stale(
        sent_at=i.sent_at, priority=i.priority, withdraw_after_days=rules.withdraw_after_days, now=now)]
    snoozed = [i for i in stale if i.snoozed_until is not None and i.snoozed_until > now]
    counts = PileCounts(
        pending=(len(pending) if pending_count is None else pending_count) - len(expiring), stale=len(stale),
        snoozed_stale=len(snoozed), sent_7d=sends_last_7_days,
        withdrawn_today=sum(1 for w in withdrawals if w.date() == now.date()),
        max_withdrawals_per_day=rules.max_withdrawals_per_day, pending_warn_at=rules.pending_warn_at,
        pending_limit=rules.pending_limit,
    )
    return MemberFacts(counts=counts, expiring=expiring, stale=stale, **rest)


def digests(plan):
    return [m for m in plan.messages if m.kind is Kind.DAILY_DIGEST]


# Wednesday 18 Nov 2026.
WED_0900_UTC = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def test_due_at_local_nudge_hour_east_and_west_of_utc():
    tokyo, la = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
    # 00:00 UTC is 09:00 in Tokyo (due) and 16:00 the day before in Los Angeles (due, Tuesday).
    at = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)
    assert digest_due(at, tokyo, nudge_hour=9, working_days="12345")
    assert digest_due(at - timedelta(minutes=1), tokyo, nudge_hour=9, working_days="12345") is False
    # 16:59 UTC is 08:59 in LA: not yet; 17:00 UTC is 09:00: due.
    assert not digest_due(datetime(2026, 11, 18, 16, 59, tzinfo=UTC), la, nudge_hour=9, working_days="12345")
    assert digest_due(datetime(2026, 11, 18, 17, 0, tzinfo=UTC), la, nudge_hour=9, working_days="12345")


def test_daylight_saving_change_keeps_local_nine():
    berlin = ZoneInfo("Europe/Berlin")
    # Summer (CEST, UTC+2): 07:00 UTC is 09:00. After 25 Oct 2026 (CET, UTC+1): 08:00 UTC is 09:00.
    assert digest_due(datetime(2026, 10, 23, 7, 0, tzinfo=UTC), berlin, nudge_hour=9, working_days="12345")
    assert not digest_due(datetime(2026, 10, 26, 7, 30, tzinfo=UTC), berlin, nudge_hour=9, working_days="12345")
    assert digest_due(datetime(2026, 10, 26, 8, 0, tzinfo=UTC), berlin, nudge_hour=9, working_days="12345")


def test_weekend_has_no_digest():
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    facts = facts_of(saturday, pending=[inv(1, 20, saturday)], pending_count=1)
    assert digests(plan_member(member(), facts, saturday)) == []


def test_nothing_to_say_sends_nothing():
    facts = facts_of(WED_0900_UTC, pending=[], pending_count=5)
    assert plan_member(member(), facts, WED_0900_UTC).messages == []


def test_stale_batch_order_low_then_normal_then_high_oldest_first():
    now = WED_0900_UTC
    pending = [inv(1, 15, now), inv(2, 30, now, Priority.HIGH), inv(3, 16, now, Priority.LOW),
               inv(4, 20, now), inv(5, 20, now, Priority.HIGH)]  # 5 is high and only 20 days: not stale
    (digest,) = digests(plan_member(member(), facts_of(now, pending=pending, pending_count=5), now))
    assert [i.key for i in digest.batch] == ["in:p3", "in:p4", "in:p1", "in:p2"]
    assert set(digest.stale_keys) == {"in:p1", "in:p2", "in:p3", "in:p4"}


def test_budget_partly_used_today_in_local_time():
    now = WED_0900_UTC
    pending = [inv(i, 15 + i, now) for i in range(30)]
    # 15 withdrawals today, 3 yesterday: 5 left.
    withdrawals = [now - timedelta(hours=1)] * 15 + [now - timedelta(days=1)] * 3
    facts = facts_of(now, pending=pending, pending_count=30, withdrawals=withdrawals)
    (digest,) = digests(plan_member(member(), facts, now))
    assert len(digest.batch) == 5 and len(digest.stale_keys) == 30
    assert [i.invite_id for i in digest.batch] == [29, 28, 27, 26, 25]


def test_app_down_at_nine_back_at_eleven_sends_once_that_day():
    eleven = WED_0900_UTC + timedelta(hours=2)
    facts = facts_of(eleven, pending=[inv(1, 20, eleven)], pending_count=1)
    assert len(digests(plan_member(member(), facts, eleven))) == 1
    facts.done.add((Kind.DAILY_DIGEST, date(2026, 11, 18)))
    assert digests(plan_member(member(), facts, eleven + timedelta(hours=3))) == []
    # The next day is a new digest, never yesterday's again.
    assert len(digests(plan_member(member(), facts, eleven + timedelta(days=1)))) == 1


def test_expiry_day_lists_and_removes_from_pending():
    now = WED_0900_UTC
    pending = [inv(1, 180, now), inv(2, 179, now)]
    plan = plan_member(member(), facts_of(now, pending=pending, pending_count=2), now)
    (digest,) = digests(plan)
    assert digest.expired == ("in:p1",) and [i.key for i in plan.expire] == ["in:p1"]
    assert list(digest.stale_keys) == ["in:p2"] and digest.pending == 1


def test_expired_since_last_digest_and_reinvite_after_cooldown():
    now = WED_0900_UTC
    last = now - timedelta(days=1)
    facts = facts_of(now,
        pending_count=0, last_digest_at=last,
        expired_recently=[("in:old", now - timedelta(hours=5)), ("in:older", last - timedelta(hours=1))],
        reinvite_candidates=[("in:vip", now - timedelta(days=21, hours=2)), ("in:vip2", now - timedelta(days=23))],
    )
    (digest,) = digests(plan_member(member(), facts, now))
    assert digest.expired == ("in:old",)
    assert digest.reinvite == ("in:vip",)


def test_pause_and_snooze_stop_the_digest_not_the_alerts():
    now = WED_0900_UTC
    facts = facts_of(now, pending=[inv(1, 20, now)], pending_count=250)
    paused = plan_member(member(nudges_enabled=False), facts, now)
    assert [m.kind for m in paused.messages] == [Kind.PENDING_WARN]
    snoozed = plan_member(member(snoozed_until=now + timedelta(days=1)), facts, now)
    assert [m.kind for m in snoozed.messages] == [Kind.PENDING_WARN]
    assert digests(plan_member(member(snoozed_until=now - timedelta(hours=1)), facts, now))


def test_a_snoozed_invite_is_stale_but_not_in_the_batch():
    now = WED_0900_UTC
    pending = [inv(1, 20, now, snoozed_until=now + timedelta(days=3)), inv(2, 20, now)]
    (digest,) = digests(plan_member(member(), facts_of(now, pending=pending, pending_count=2), now))
    assert list(digest.stale_keys) == ["in:p1", "in:p2"] and [i.key for i in digest.batch] == ["in:p2"]
    assert (digest.counts.stale, digest.counts.snoozed_stale, digest.counts.batch) == (2, 1, 1)


def alerts(plan):
    return [m.kind for m in plan.messages if m.kind is not Kind.DAILY_DIGEST]


def test_crossing_alerts_once_per_crossing_and_rearm():
    now = WED_0900_UTC
    p = plan_member(member(), facts_of(now, pending_count=200), now)
    assert alerts(p) == [Kind.PENDING_WARN] and p.state.alerted_level is Risk.WARN
    p = plan_member(member(alerted_level=Risk.WARN), facts_of(now, pending_count=250), now)
    assert alerts(p) == [] and p.state is None
    p = plan_member(member(alerted_level=Risk.WARN), facts_of(now, pending_count=300), now)
    assert alerts(p) == [Kind.PENDING_LIMIT]
    p = plan_member(member(alerted_level=Risk.LIMIT), facts_of(now, pending_count=150), now)
    assert alerts(p) == [] and p.state.alerted_level is Risk.OK  # re-armed
    p = plan_member(member(alerted_level=Risk.OK), facts_of(now, pending_count=301), now)
    assert alerts(p) == [Kind.PENDING_LIMIT]
    # A digest carries the risk line even with nothing stale.
    assert digests(plan_member(member(alerted_level=Risk.WARN), facts_of(now, pending_count=250), now))


def test_weekly_pace_alert_at_the_tier_limit_once():
    now = WED_0900_UTC
    p = plan_member(member(), facts_of(now, sends_last_7_days=80), now)
    assert alerts(p) == [Kind.WEEKLY_PACE] and p.state.pace_alerted
    assert alerts(plan_member(member(pace_alerted=True), facts_of(now, sends_last_7_days=90), now)) == []
    p = plan_member(member(pace_alerted=True), facts_of(now, sends_last_7_days=40), now)
    assert p.state.pace_alerted is False


def test_dry_run_json_shape():
    now = WED_0900_UTC
    (digest,) = digests(plan_member(member(), facts_of(now, pending=[inv(1, 20, now)], pending_count=1), now))
    assert digest.as_json() == {
        "team": "T1", "user": "U1", "kind": "daily_digest", "local_date": "2026-11-18", "pending": 1,
        "risk": "ok", "stale": ["in:p1"], "batch": ["in:p1"], "expired": [], "reinvite": [],
    }


@freeze_time("2026-11-18 09:00:00")
def test_suggested_batch_never_negative():
    now = datetime.now(UTC)
    assert suggested_batch([inv(1, 20, now)], -3) == []


@given(level=st.sampled_from(list(Risk)), pace=st.booleans(), pending=st.integers(0, 400),
       sends=st.integers(0, 120), today=st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_a_change_whose_counts_keep_the_alert_state_has_nothing_to_alert(level, pace, pending, sends, today):
    """An alert check stops before reading the ledger when the counts keep the member's alert state
    (`alert_state`); that is sound only if the planner then neither alerts nor moves anything."""
    state = member(alerted_level=level, pace_alerted=pace)
    risk = risk_level(pending=pending, pending_warn_at=RULES.pending_warn_at, pending_limit=RULES.pending_limit)
    messages, change = plan_alerts(state, pending=pending, sends_last_7_days=sends, today=today, done=set())
    unchanged = alert_state(risk=risk, sends_last_7_days=sends, safe_weekly_limit=state.safe_weekly_limit) == (
        level, pace)
    assert (messages == [] and change is None) if unchanged else change is not None
