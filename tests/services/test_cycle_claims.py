"""Several schedulers share one cycle: shards of members claimed with leases, every digest once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db.models import CycleClaim
from bot.services import cycle_claims
from bot.services.cycle_claims import Shard, claim, finish, open_slot, renew, slot_of
from bot.services.sweep import plan, run_cycle, run_shared_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=10)
LEASE = cycle_claims.lease_for(INTERVAL)
SLOT = slot_of(WED_9, INTERVAL)


def seed(db, n, *, team_id="T1"):
    for i in range(n):
        actor = make_member(db, f"U{team_id}{i}", team_id=team_id, now=WED_9)
        make_invites(db, actor, [{"key": f"in:{team_id.lower()}-p{i}", "days_ago": 20}], now=WED_9)


def posted_to(fake_slack):
    return sorted(c.params["channel"] for c in fake_slack.of("chat.postMessage"))


def test_a_slot_is_split_into_shards_that_each_holder_claims_once(db):
    seed(db, 4)
    assert open_slot(db, slot=SLOT, per_shard=1) == 4
    assert open_slot(db, slot=SLOT, per_shard=100) == 4  # the slot's count stays what its opener decided
    taken = [claim(db, slot=SLOT, holder=h, now=WED_9, lease=LEASE) for h in ("a", "b", "a", "b")]
    assert sorted(s.part for s in taken) == [0, 1, 2, 3]
    assert {s.of for s in taken} == {4}
    assert claim(db, slot=SLOT, holder="c", now=WED_9, lease=LEASE) is None


def test_shards_count_members_of_installed_workspaces_and_are_bounded(db):
    seed(db, 5)
    assert open_slot(db, slot=SLOT, per_shard=2) == 3
    assert open_slot(db, slot=SLOT + 1, per_shard=500) == 1
    assert open_slot(db, slot=SLOT + 2, per_shard=1) == 5
    seed(db, 70, team_id="T2")
    assert open_slot(db, slot=SLOT + 3, per_shard=1) == cycle_claims.MAX_SHARDS


def test_a_dead_holders_shard_is_taken_over_once_its_lease_runs_out(db):
    seed(db, 2)
    open_slot(db, slot=SLOT, per_shard=1)
    dead = claim(db, slot=SLOT, holder="dead", now=WED_9, lease=LEASE)
    alive = claim(db, slot=SLOT, holder="alive", now=WED_9, lease=LEASE)
    assert finish(db, slot=SLOT, shard=alive, holder="alive", now=WED_9)
    assert claim(db, slot=SLOT, holder="alive", now=WED_9 + LEASE - timedelta(seconds=1), lease=LEASE) is None
    later = WED_9 + LEASE + timedelta(seconds=1)
    assert claim(db, slot=SLOT, holder="alive", now=later, lease=LEASE) == dead
    # The old holder, back, cannot renew or finish what is no longer its own.
    assert not renew(db, slot=SLOT, shard=dead, holder="dead", now=later, lease=LEASE)
    assert not finish(db, slot=SLOT, shard=dead, holder="dead", now=later)
    assert finish(db, slot=SLOT, shard=dead, holder="alive", now=later)
    # A finished shard is never claimed again, whatever its lease.
    assert claim(db, slot=SLOT, holder="x", now=later + INTERVAL, lease=LEASE) is None


def test_a_renewed_lease_is_not_taken_over(db):
    seed(db, 1)
    open_slot(db, slot=SLOT, per_shard=1)
    held = claim(db, slot=SLOT, holder="a", now=WED_9, lease=LEASE)
    assert renew(db, slot=SLOT, shard=held, holder="a", now=WED_9 + LEASE / 2, lease=LEASE)
    assert claim(db, slot=SLOT, holder="b", now=WED_9 + LEASE + timedelta(seconds=1), lease=LEASE) is None


def test_a_shard_plans_only_its_members_and_the_shards_plan_everyone_once(db):
    seed(db, 7)
    everyone = sorted(p.member.member_id for p in plan(db, now=WED_9))
    parts = [sorted(p.member.member_id for p in plan(db, now=WED_9, shard=Shard(k, 3))) for k in range(3)]
    assert all(m % 3 == k for k, part in enumerate(parts) for m in part)
    assert sorted(m for part in parts for m in part) == everyone
    by_part = [[m for p in plan(db, now=WED_9, shard=Shard(k, 3)) for m in p.messages] for k in range(3)]
    assert sorted(m.user_id for part in by_part for m in part) == sorted(
        m.user_id for p in plan(db, now=WED_9) for m in p.messages)


def test_two_schedulers_split_a_cycle_and_send_every_digest_once(db, settings, fake_slack):
    seed(db, 6)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    reports = {}

    def shared(holder, sender):
        return run_shared_cycle(db, now=WED_9, interval=INTERVAL, holder=holder, per_shard=1, send=sender,
                                wall=lambda: WED_9)

    def send_a(message, held):
        # While A delivers its first digest, B runs its whole cycle: B takes the shards still free.
        if "b" not in reports:
            reports["b"] = shared("b", send)
        return send(message, held)

    reports["a"] = shared("a", send_a)
    assert posted_to(fake_slack) == sorted(f"DUT1{i}" for i in range(6))
    a, b = reports["a"], reports["b"]
    assert a.shards and b.shards and not set(a.shards) & set(b.shards)
    assert sorted(a.shards + b.shards) == list(range(6))
    assert len(a.sent) + len(b.sent) == 6
    assert cycle_claims.done_by(db, slot=SLOT) == {**dict.fromkeys(a.shards, "a"), **dict.fromkeys(b.shards, "b")}
    # Another scheduler later in the same interval finds the cycle done.
    assert shared("c", send).shards == []
    assert len(fake_slack.of("chat.postMessage")) == 6


def test_a_dead_schedulers_shard_is_taken_over_within_the_interval(db, settings, fake_slack):
    seed(db, 3)
    open_slot(db, slot=SLOT, per_shard=1)
    dead = claim(db, slot=SLOT, holder="dead", now=WED_9, lease=LEASE)  # and never worked on
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    first = run_shared_cycle(db, now=WED_9, interval=INTERVAL, holder="alive", per_shard=1, send=send,
                             wall=lambda: WED_9)
    assert dead.part not in first.shards and len(first.sent) == 2
    later = WED_9 + LEASE + timedelta(seconds=1)  # the same interval, the dead lease past
    second = run_shared_cycle(db, now=later, interval=INTERVAL, holder="alive", per_shard=1, send=send,
                              wall=lambda: later)
    assert second.shards == [dead.part]
    assert posted_to(fake_slack) == ["DUT10", "DUT11", "DUT12"]


def test_one_scheduler_alone_takes_every_shard_and_the_plain_cycle_still_works(db, settings, fake_slack):
    seed(db, 4)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    alone = run_shared_cycle(db, now=WED_9, interval=INTERVAL, holder="only", per_shard=2, send=send,
                             wall=lambda: WED_9)
    assert alone.shards == [0, 1] and len(alone.sent) == 4
    assert run_cycle(db, now=WED_9 + timedelta(hours=1), send=send).sent == []  # the ledger: once
    assert len(fake_slack.of("chat.postMessage")) == 4


def test_the_scheduler_job_runs_its_share_and_the_once_a_cycle_chores(db, settings, fake_slack):
    from bot.scheduler import shared_cycle_runner
    from bot.slack.install import single_workspace

    make_member(db, "U1", tz="UTC", now=WED_9 - timedelta(days=10))  # a zone to refresh
    seed(db, 2)
    run = shared_cycle_runner(settings, db, FixedClock(WED_9), single_workspace(settings).tokens, holder="me")
    report = run()
    assert report.shards == [0] and len(report.sent) == 2
    assert [c.params["user"] for c in fake_slack.of("users.info")] == ["U1"]
    assert run().shards == []  # the same interval: done


def test_a_shards_plan_is_as_many_statements_whatever_the_members_and_workspaces(db):
    from tests.services.test_sweep import count_statements

    seed(db, 6)
    small = count_statements(db, lambda: plan(db, now=WED_9, shard=Shard(1, 3)))
    for team in ("T2", "T3"):
        seed(db, 30, team_id=team)
    large = count_statements(db, lambda: plan(db, now=WED_9, shard=Shard(1, 3)))
    assert len(small) == len(large) <= 12


def test_every_scheduler_fires_on_the_grid_of_the_interval(settings, db):
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.clock import SystemClock
    from bot.scheduler import _add
    from bot.slack.install import single_workspace

    scheduler = BackgroundScheduler(timezone="UTC")
    _add(scheduler, settings, db, SystemClock(), single_workspace(settings).tokens)
    (job,) = scheduler.get_jobs()
    later = job.trigger.get_next_fire_time(None, datetime.now(UTC))
    assert later.timestamp() % settings.sweep_interval_seconds == 0


def test_old_slots_are_pruned_by_the_opener_of_a_later_one(db):
    seed(db, 1)
    old = SLOT - SLOT % 10 - cycle_claims.KEEP_SLOTS - 10
    open_slot(db, slot=old, per_shard=1)
    open_slot(db, slot=old + 15, per_shard=1)  # kept: within KEEP_SLOTS of the later one
    open_slot(db, slot=old + cycle_claims.KEEP_SLOTS + 10, per_shard=1)
    with db.session(write=False) as s:
        assert sorted(s.scalars(select(CycleClaim.slot))) == [old + 15, old + cycle_claims.KEEP_SLOTS + 10]
