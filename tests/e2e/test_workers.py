"""`serve --workers 2`: several processes behind one port, one scheduler, metrics of all of them in one scrape."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Server, console_script, free_port, start_server
from tests.e2e.test_scheduler import seeded_db
from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, command_body, sign


def samples(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """One scrape of /metrics, parsed by the client library's own parser."""
    status, text = server.get("/metrics")
    assert status == 200
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below `pid`."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            found.append((child, cmdline))
            todo.append(child)
    return found


@pytest.fixture(scope="module")
def fake() -> FakeSlack:
    fake = FakeSlack().start()
    fake.add_user("U1", tz="UTC", name="Dana")
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def workers(tmp_path_factory, fake):
    tmp = tmp_path_factory.mktemp("workers")
    url = seeded_db(tmp / "workers.db")  # one digest is due: the scheduler delivers it
    srv = start_server(tmp, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                             "SLACK_API_URL": fake.base_url, "DATABASE_URL": url,
                             "SWEEP_INTERVAL_SECONDS": "3600"}, args=["--workers", "2"])
    yield srv
    srv.process.terminate()
    srv.process.wait(20)


def test_two_workers_and_one_scheduler_run_below_serve(workers, fake):
    processes = descendants(workers.process.pid)
    schedulers = [cmd for _, cmd in processes if " scheduler" in cmd]
    assert len(schedulers) == 1
    assert len(processes) - len(schedulers) == 2
    (post,) = fake.wait_for("chat.postMessage", timeout=30)
    assert "Stale E2e" in str(post.params["blocks"])


def test_commands_answer_on_every_worker(workers):
    for i in range(6):
        status, reply = workers.command("/invited", f"https://www.linkedin.com/in/worker-{i}")
        assert status == 200 and "Logged 1 invite" in reply["text"]
    _, reply = workers.command("/invites", "list")
    assert all(f"worker-{i}" in str(reply) for i in range(6))


def test_metrics_add_up_every_process(workers, fake):
    before = samples(workers)
    sent = 10
    for i in range(sent):
        workers.command("/invites", "help" if i % 2 else "stats")
    forged = command_body("/invites", "list")
    assert workers.post(forged, sign(forged, secret="not-the-secret"))[0] == 401
    fake.wait_for("chat.postMessage", timeout=30)

    deadline = time.monotonic() + 30
    while True:  # the scheduler process records its cycle once the cycle has finished
        after = samples(workers)
        if value(after, "invite_hygiene_nudge_cycle_seconds_count") >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    ok = "invite_hygiene_requests_total"
    assert value(after, ok, kind="command", outcome="ok") - value(before, ok, kind="command", outcome="ok") == sent
    # A forged signature is refused by Bolt; it still counts, as what its body claims to be.
    refused = value(after, ok, kind="command", outcome="refused") - value(before, ok, kind="command", outcome="refused")
    assert refused == 1
    histogram = "invite_hygiene_request_seconds_count"
    assert value(after, histogram, kind="command", outcome="ok") == value(after, ok, kind="command", outcome="ok")
    assert value(after, "invite_hygiene_request_seconds_bucket", kind="command", outcome="ok", le="+Inf") >= sent
    # The scheduler is its own process: its samples reach the workers' scrape through the shared directory.
    assert value(after, "invite_hygiene_deliveries_total", kind="daily_digest", outcome="sent") == 1
    assert value(after, "invite_hygiene_nudge_cycle_seconds_count") >= 1
    assert value(after, "invite_hygiene_nudge_cycle_statements_sum") > 0


def test_metrics_carry_no_ids_and_no_secrets(workers):
    workers.command("/invites", "list")
    status, text = workers.get("/metrics")
    assert status == 200
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text
    labels = {v for family in text_string_to_metric_families(text) for s in family.samples for v in s.labels.values()}
    assert not {"T1", "U1", "C1"} & labels
    assert not any(v.startswith(("T0", "U0", "xox")) for v in labels)


def test_no_scheduler_leaves_cycles_to_the_scheduler_command(tmp_path, fake):
    url = seeded_db(tmp_path / "split.db")
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url,
           "DATABASE_URL": url, "SWEEP_INTERVAL_SECONDS": "3600"}
    srv = start_server(tmp_path, env, args=["--workers", "2", "--no-scheduler"])
    try:
        processes = descendants(srv.process.pid)
        assert len(processes) == 2 and not [cmd for _, cmd in processes if " scheduler" in cmd]
        assert srv.command("/invites", "help")[0] == 200
    finally:
        srv.process.terminate()
        srv.process.wait(20)


def test_standalone_scheduler_serves_its_own_metrics(tmp_path, fake):
    url = seeded_db(tmp_path / "alone.db")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k != "PROMETHEUS_MULTIPROC_DIR"},
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.base_url, "DATABASE_URL": url,
           "SWEEP_INTERVAL_SECONDS": "3600"}
    process = subprocess.Popen([*console_script(), "scheduler", "--metrics-port", str(port)], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        found: dict[str, float] = {}
        # The histogram is there (at 0) from the start in one process: wait for the first cycle's count.
        while found.get("invite_hygiene_nudge_cycle_seconds_count", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                    text = response.read().decode()
            except OSError:
                continue
            found = {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples}
        assert found.get("invite_hygiene_nudge_cycle_seconds_count", 0) >= 1
        assert found.get("invite_hygiene_deliveries_total") == 1  # the seeded digest, sent by this scheduler
    finally:
        process.terminate()
        process.wait(10)


def test_a_scheduler_that_dies_is_started_again(workers):
    (pid, _), = [(p, cmd) for p, cmd in descendants(workers.process.pid) if " scheduler" in cmd]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        again = [p for p, cmd in descendants(workers.process.pid) if " scheduler" in cmd and p != pid]
        if again:
            break
        time.sleep(0.5)
    assert len(again) == 1
    assert workers.command("/invites", "help")[0] == 200
