"""The scheduler inside `serve` and the standalone `scheduler` deliver due digests, once."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime

from bot.db.engine import Database
from bot.db.migrate import upgrade
from tests.e2e.conftest import console_script, start_server
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET


def seeded_db(path):
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database.from_url(url)
    now = datetime.now(UTC)
    actor = make_member(db, "U1", tz="UTC", now=now)
    # Due whatever the real day and hour: every day is a working day, the nudge hour is midnight.
    set_workspace(db, nudge_hour=0, working_days="1234567")
    make_invites(db, actor, [{"key": "in:stale-e2e", "days_ago": 20}], now=now)
    db.dispose()
    return url


def test_serve_runs_the_nudge_cycle(tmp_path):
    fake = FakeSlack().start()
    try:
        url = seeded_db(tmp_path / "sched.db")
        srv = start_server(tmp_path, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                      "SLACK_API_URL": fake.base_url, "DATABASE_URL": url,
                                      "SWEEP_INTERVAL_SECONDS": "10"})
        try:
            (post,) = fake.wait_for("chat.postMessage", timeout=20)
            assert "Stale E2e" in str(post.params["blocks"])  # in:stale-e2e, the slug made readable
        finally:
            srv.process.terminate()
            srv.process.wait(10)
    finally:
        fake.stop()


def test_two_standalone_schedulers_send_once(tmp_path):
    fake = FakeSlack().start()
    url = seeded_db(tmp_path / "two.db")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.base_url, "DATABASE_URL": url,
           "SWEEP_INTERVAL_SECONDS": "10"}
    procs = [subprocess.Popen([*console_script(), "scheduler"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        fake.wait_for("chat.postMessage", timeout=20)
        time.sleep(3)  # give the slower one every chance to double-send
        assert len(fake.of("chat.postMessage")) == 1
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        fake.stop()
