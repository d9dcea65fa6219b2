"""The sweep on real databases: set-based planning, expiries, the ledger, deliveries to a fake Slack."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from bot.clock import FixedClock
from bot.db.models import Delivery, Invite, InviteEvent, Member
from bot.services.ledger import Claim, DeliveryError, claim
from bot.services.sweep import plan, run_cycle
from bot.slack.outbound import marker, single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member, record_event, set_workspace

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def count_statements(db, fn):
    statements = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return statements


def seed_members(db, n, now):
    for i in range(n):
        actor = make_member(db, f"U{i:04d}", tz=["UTC", "Asia/Tokyo", "America/Chicago"][i % 3], now=now)
        make_invites(db, actor, [
            {"key": f"in:m{i}-a", "days_ago": 20}, {"key": f"in:m{i}-b", "days_ago": 3},
            {"key": f"in:m{i}-c", "days_ago": 200}, {"key": f"in:m{i}-d", "days_ago": 30, "priority": "high"},
        ], now=now)


def test_planning_is_a_fixed_number_of_queries(db):
    seed_members(db, 10, WED_9)
    small = count_statements(db, lambda: plan(db, now=WED_9))
    seed_members_more = [make_member(db, f"V{i:04d}", now=WED_9) for i in range(190)]
    for actor in seed_members_more:
        make_invites(db, actor, [{"key": "in:x", "days_ago": 20}], now=WED_9)
    large = count_statements(db, lambda: plan(db, now=WED_9))
    print(f"planning statements: 10 members={len(small)}, 200 members={len(large)}")
    assert len(small) == len(large) <= 12


def test_a_full_cycle_delivers_expires_and_is_exactly_once(db, settings, fake_slack):
    actor = make_member(db, "U1", tz="Europe/Berlin", now=WED_9)
    make_invites(db, actor, [
        {"key": "in:stale-one", "days_ago": 20, "url": "https://www.linkedin.com/in/stale-one"},
        {"key": "in:fresh", "days_ago": 2},
        {"key": "in:ancient", "days_ago": 181},
    ], now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    report = run_cycle(db, now=WED_9, send=send)
    assert [m.kind for m in report.sent] == ["daily_digest"]
    assert report.expired == 1
    (post,) = fake_slack.of("chat.postMessage")
    blocks = json.loads(post.params["blocks"]) if isinstance(post.params["blocks"], str) else post.params["blocks"]
    text = json.dumps(blocks)
    assert "stale-one" in text and "Withdrawn" in text and "Snooze 7d" in text and "ancient" in text
    assert post.params["channel"] == "DU1"
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.status).where(Invite.prospect_key == "in:ancient")) == "expired"
        assert s.scalar(select(InviteEvent.via).where(InviteEvent.to_status == "expired")) == "sweep"
        delivery = s.scalars(select(Delivery)).one()
    assert (delivery.state, delivery.kind, str(delivery.local_date)) == ("sent", "daily_digest", "2026-11-18")
    # Later cycles the same day, and a restart, send nothing more.
    assert run_cycle(db, now=WED_9 + timedelta(hours=3), send=send).sent == []
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_two_concurrent_cycles_send_each_digest_once(db, settings, fake_slack):
    for i in range(6):
        actor = make_member(db, f"U{i}", now=WED_9)
        make_invites(db, actor, [{"key": f"in:p{i}", "days_ago": 20}], now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    barrier = threading.Barrier(3)
    reports, errors = [], []

    def cycle():
        barrier.wait()
        try:
            reports.append(run_cycle(db, now=WED_9, send=send))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=cycle) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(len(r.sent) for r in reports) == 6
    posted = sorted(c.params["channel"] for c in fake_slack.of("chat.postMessage"))
    assert posted == [f"DU{i}" for i in range(6)]


def test_a_claim_left_by_a_crash_is_retried_later_that_day(db, settings, fake_slack):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    # A process claimed at 09:00 and died before sending.
    assert claim(db, team_id="T1", recipient="U1", kind="daily_digest", local_date=WED_9.date(), now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    assert run_cycle(db, now=WED_9 + timedelta(minutes=5), send=send).sent == []
    assert [m.kind for m in run_cycle(db, now=WED_9 + timedelta(minutes=15), send=send).sent] == ["daily_digest"]


def test_rate_limit_then_success(db, settings, fake_slack):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    fake_slack.queue("chat.postMessage", (429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}))
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    report = run_cycle(db, now=WED_9, send=send)
    assert [m.kind for m in report.sent] == ["daily_digest"]
    assert len(fake_slack.of("chat.postMessage")) == 2


def test_server_errors_are_retried_a_bounded_number_of_times_and_not_marked_sent(db, settings, fake_slack):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    for _ in range(3):
        fake_slack.queue("chat.postMessage", (503, {}, {"ok": False, "error": "service_unavailable"}))
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    report = run_cycle(db, now=WED_9, send=send)
    assert report.sent == [] and len(report.failed) == 1
    assert len(fake_slack.of("chat.postMessage")) == 3
    with db.session(write=False) as s:
        assert s.scalar(select(Delivery.state)) == "failed"
    # The next cycle retries and succeeds.
    assert [m.kind for m in run_cycle(db, now=WED_9 + timedelta(minutes=5), send=send).sent] == ["daily_digest"]


def test_an_undeliverable_member_is_skipped_and_the_rest_go_on(db, settings, fake_slack):
    for user in ("U1", "U2"):
        actor = make_member(db, user, now=WED_9)
        make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    fake_slack.queue("conversations.open", {"ok": False, "error": "user_not_found"})
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    report = run_cycle(db, now=WED_9, send=send, mark_undeliverable=marker(db))
    assert [m.user_id for m in report.sent] == ["U2"]
    assert [(m.user_id, code) for m, code in report.failed] == [("U1", "user_not_found")]
    with db.session(write=False) as s:
        assert s.scalar(select(Member.undeliverable).where(Member.user_id == "U1")) == "user_not_found"
    # Not retried again today.
    assert run_cycle(db, now=WED_9 + timedelta(hours=1), send=send).sent == []


def test_alert_goes_out_once_and_rearms(db, settings, fake_slack):
    actor = make_member(db, "U1", now=WED_9)
    set_workspace(db, pending_warn_at=3, pending_limit=5)
    make_invites(db, actor, [{"key": f"in:p{i}", "days_ago": 1} for i in range(3)], now=WED_9)
    sent = []

    def send(message, held):
        sent.append(message.kind)
        return "D1", "1.0"

    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # no digest on Saturdays, alerts any day
    run_cycle(db, now=saturday, send=send)
    run_cycle(db, now=saturday + timedelta(days=1), send=send)
    assert sent == ["pending_warn"]
    with db.session(write=False) as s:
        assert s.scalar(select(Member.alerted_level)) == "warn"


def test_withdrawals_today_shrink_the_batch(db, settings):
    actor = make_member(db, "U1", now=WED_9)
    set_workspace(db, max_withdrawals_per_day=3)
    ids = make_invites(db, actor, [{"key": f"in:p{i}", "days_ago": 20 + i} for i in range(5)]
                       + [{"key": "in:gone", "days_ago": 30, "status": "withdrawn", "changed_days_ago": 0}], now=WED_9)
    record_event(db, actor, ids[-1], "withdrawn", at=WED_9 - timedelta(hours=1))
    (digest,) = [m for p in plan(db, now=WED_9) for m in p.messages]
    assert [i.key for i in digest.batch] == ["in:p4", "in:p3"]


def test_dry_run_changes_nothing(db):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:ancient", "days_ago": 181}], now=WED_9)
    report = run_cycle(db, now=WED_9, send=None, dry_run=True)
    assert [m.as_json()["expired"] for m in report.planned] == [["in:ancient"]]
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.status)) == "pending"
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0


def test_sender_maps_slack_errors(db, settings, fake_slack):
    fake_slack.queue("chat.postMessage", {"ok": False, "error": "channel_not_found"})
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    (message,) = [m for p in plan(db, now=WED_9) for m in p.messages]
    with pytest.raises(DeliveryError) as info:
        send(message, Claim(1, "token"))
    assert info.value.code == "channel_not_found"


def test_each_cycle_refreshes_a_batch_of_week_old_time_zones(db, settings, fake_slack):
    from bot.scheduler import cycle_runner
    from bot.slack.install import single_workspace

    make_member(db, "U1", tz="UTC", now=WED_9 - timedelta(days=10))  # Slack now says Europe/Berlin
    make_member(db, "U3", tz="UTC", now=WED_9)  # checked today: left alone
    run = cycle_runner(settings, db, FixedClock(WED_9), single_workspace(settings).tokens)
    run(now=WED_9)
    with db.session(write=False) as s:
        zones = dict(s.execute(select(Member.user_id, Member.tz)).all())
    assert zones == {"U1": "Europe/Berlin", "U3": "UTC"}
    assert [c.params["user"] for c in fake_slack.of("users.info")] == ["U1"]
