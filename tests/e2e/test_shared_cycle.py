"""Two `scheduler` processes on one PostgreSQL database split each cycle, and one takes over a dead one's share."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from bot.db.engine import Database
from bot.db.models import Base, CycleClaim
from tests.e2e.conftest import console_script
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN

pytestmark = pytest.mark.postgres

INTERVAL = 10  # seconds; a lease is half of it
SLOW_POST = 0.5  # each digest takes this long to post, so both schedulers are at work at once
DELIVERED = re.compile(r"delivery team=T1 to=(\w+) kind=daily_digest via=sweep outcome=sent")


@pytest.fixture
def pg(pg_url):
    db = Database.from_url(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(Base.metadata.tables)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


def seed(db, users, now):
    for user in users:
        actor = make_member(db, user, now=now)
        make_invites(db, actor, [{"key": f"in:stale-{user.lower()}", "days_ago": 20}], now=now)


def slow_post(fake):
    def answer(params):
        time.sleep(SLOW_POST)
        return fake.post(params)

    return answer


def start_scheduler(tmp_path, env, name):
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen([*console_script(), "scheduler"], env=env, cwd=tmp_path,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, log


def sent_by(log):
    return DELIVERED.findall(log.read_text(errors="replace"))


def shards_done(db, *, since=None):
    """(slot, part) → the pid of the process that finished it (since an instant)."""
    with db.session(write=False) as s:
        rows = s.execute(select(CycleClaim.slot, CycleClaim.part, CycleClaim.holder)
                         .where(CycleClaim.done_at.is_not(None), CycleClaim.done_at >= (since or datetime.min.replace(tzinfo=UTC)))).all()
    return {(slot, part): int(holder.split(":")[1]) for slot, part, holder in rows}


def test_two_schedulers_split_the_cycle_and_one_takes_over_when_the_other_is_killed(tmp_path, pg, pg_url):
    fake = FakeSlack().start()
    first = [f"U{i}" for i in range(12)]
    later = [f"V{i}" for i in range(4)]
    for user in first + later:
        fake.add_user(user, tz="UTC")
    fake.queue("chat.postMessage", *[slow_post(fake)] * len(first))
    now = datetime.now(UTC)
    seed(pg, first, now)
    set_workspace(pg, nudge_hour=0, working_days="1234567")  # due whatever the real day and hour
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.base_url, "DATABASE_URL": pg_url,
           "SWEEP_INTERVAL_SECONDS": str(INTERVAL), "CYCLE_SHARD_MEMBERS": "1", "LOG_LEVEL": "INFO"}
    while time.time() % INTERVAL > 1:  # start just after a slot begins: both first cycles fall in it
        time.sleep(0.05)
    (a, a_log), (b, b_log) = start_scheduler(tmp_path, env, "a"), start_scheduler(tmp_path, env, "b")
    try:
        fake.wait_for("chat.postMessage", len(first), timeout=60)
        time.sleep(INTERVAL + 2)  # at least one more cycle of each scheduler
        # Every digest once, and each scheduler sent some of them.
        channels = Counter(c.params["channel"] for c in fake.of("chat.postMessage"))
        assert channels == Counter(f"D{u}" for u in first)
        by_a, by_b = sent_by(a_log), sent_by(b_log)
        assert by_a and by_b, (a_log.read_text(), b_log.read_text())
        assert sorted(by_a + by_b) == sorted(first)
        # The claims say the same: both finished shards, and no shard twice (the primary key says so).
        assert {a.pid, b.pid} <= set(shards_done(pg).values())

        b.send_signal(signal.SIGKILL)
        b.wait(10)
        killed_at = datetime.now(UTC)
        seed(pg, later, datetime.now(UTC))
        # Within one interval (and a few seconds for the cycle itself) the survivor sends the new digests.
        fake.wait_for("chat.postMessage", len(first) + len(later), timeout=INTERVAL + 5)
        channels = Counter(c.params["channel"] for c in fake.of("chat.postMessage"))
        assert channels == Counter(f"D{u}" for u in first + later)
        # (Each scheduler logs a delivery once Slack answered it: a moment after the fake saw the call.)
        deadline = time.monotonic() + 5
        while len(sent_by(a_log)) < len(by_a + later) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(sent_by(a_log)) == sorted(by_a + later)
        # Every shard finished since the kill was finished by the survivor.
        after = shards_done(pg, since=killed_at).values()
        assert after and set(after) == {a.pid}
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.terminate()
                p.wait(10)
        fake.stop()
