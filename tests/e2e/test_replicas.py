"""Two `serve --no-scheduler` replicas and two `scheduler` processes on one PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from bot.db.engine import Database
from bot.db.models import Base, Invite
from tests.e2e.conftest import console_script, start_server
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url):
    db = Database.from_url(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(Base.metadata.tables)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


def test_replicas_lose_no_write_and_schedulers_send_each_digest_once(tmp_path, pg, pg_url):
    fake = FakeSlack().start()
    for i in range(5):
        fake.add_user(f"U{i}", tz="UTC", name=f"Rep {i}")
    now = datetime.now(UTC)
    for i in range(5):
        actor = make_member(pg, f"U{i}", now=now)
        make_invites(pg, actor, [{"key": f"in:stale-{i}", "days_ago": 20}], now=now)
    set_workspace(pg, nudge_hour=0, working_days="1234567")
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url,
           "DATABASE_URL": pg_url, "SWEEP_INTERVAL_SECONDS": "10"}
    replicas = [start_server(tmp_path, env, ["--no-scheduler"]) for _ in range(2)]
    sched_env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}, **env}
    schedulers = [subprocess.Popen([*console_script(), "scheduler"], env=sched_env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        errors: list[str] = []

        def drive(replica, worker):
            for n in range(15):
                user = f"U{(worker + n) % 5}"
                status, reply = replica.command("/invited", f"https://linkedin.com/in/w{worker}-n{n}", user=user)
                if status != 200 or "Logged 1 invite" not in reply.get("text", ""):
                    errors.append(f"{status} {reply}")

        threads = [threading.Thread(target=drive, args=(replicas[w % 2], w)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with pg.session(write=False) as s:
            assert s.scalar(select(func.count()).select_from(Invite).where(Invite.source == "command")) == 90
        fake.wait_for("chat.postMessage", 5, timeout=30)
        time.sleep(12)  # at least one more cycle of each scheduler
        channels = sorted(c.params["channel"] for c in fake.of("chat.postMessage"))
        assert channels == [f"DU{i}" for i in range(5)]
    finally:
        for p in schedulers:
            p.terminate()
            p.wait(10)
        for r in replicas:
            r.process.terminate()
            r.process.wait(10)
        fake.stop()
