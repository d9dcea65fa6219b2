"""Schedulers sharing one cycle: one `run_shared_cycle` process alone, then two at once, on PostgreSQL.

Each scheduler is its own process (as `invite-hygiene scheduler` is), on a fresh copy of the data
each time (the cycle writes: expiries, the ledger, alert levels). Two senders: an instant one (the
cycle is then all the app's CPU and the database's: on a 2-core box shared with the database
server, two processes cannot halve it) and one that takes SLACK_MS for each post, as a
`chat.postMessage` round trip does (typically 100 ms or more from a data centre: 20 ms is kind
to one scheduler). The processes connect and warm up, meet at a barrier, then run their share of
the cycle of the data's `NOW`; the cycle time is from the barrier to the last process done.
SQLite is one process by design (one writer): not measured.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select, text

from bench.common import NOW, own_peak_rss_mb
from bench.generate import Spec
from bench.load import Generated, prepare, working_copy
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Delivery
from bot.domain.nudges import Message
from bot.services.sweep import run_shared_cycle

FULL_SPEC = Spec(10_000, 1_000_000)
QUICK_SPEC = Spec(10_000, 100_000)  # the target's 10,000 members, fewer invites; only the instant sender
INTERVAL = timedelta(seconds=300)
TARGET_RATIO = 0.6  # two schedulers: "about half" the time of one
SLACK_MS = 20.0
PER_SHARD = Settings.model_fields["cycle_shard_members"].default


def _sender(slack_ms: float):
    def send(message: Message, _held: object) -> tuple[str, str]:
        if slack_ms:
            time.sleep(slack_ms / 1000)
        return f"D{message.member_id}", f"{NOW.timestamp():.6f}"

    return send


def _scheduler(url: str, holder: str, slack_ms: float, barrier: Any, out: Any) -> None:
    """One scheduler process: warm up, wait for the others, run this process's share of the cycle."""
    db = Database.from_url(url)
    send = _sender(slack_ms)
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    with db.session(write=False) as session:
        session.execute(text("SELECT 1"))
    event.listen(db.engine, "before_cursor_execute", count)
    barrier.wait()
    started, cpu = time.monotonic(), time.process_time()
    report = run_shared_cycle(db, now=NOW, interval=INTERVAL, holder=holder, per_shard=PER_SHARD, send=send,
                              wall=lambda: datetime.now(UTC))
    out.put({"holder": holder, "started": started, "ended": time.monotonic(), "cpu_s": time.process_time() - cpu,
             "shards": report.shards, "planned": len(report.planned), "sent": len(report.sent),
             "skipped": len(report.skipped), "failed": len(report.failed), "expired": report.expired,
             "statements": statements[0],
             "peak_rss_mb": own_peak_rss_mb()})
    db.dispose()


def _cycle(url: str, processes: int, slack_ms: float) -> dict[str, Any]:
    """Run `processes` schedulers at once on one database; their figures and the cycle's wall time."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_scheduler, args=(url, f"bench-{i}", slack_ms, barrier, out)) for i in range(processes)]
    for w in workers:
        w.start()
    each = [out.get(timeout=3600) for _ in workers]
    for w in workers:
        w.join(60)
    db = Database.from_url(url)
    with db.session(write=False) as session:
        ledger_sent = session.scalar(select(func.count()).select_from(Delivery)
                                     .where(Delivery.state == "sent", Delivery.sent_at == NOW))
    db.dispose()
    return {"processes": processes, "seconds": max(e["ended"] for e in each) - min(e["started"] for e in each),
            "each": sorted(each, key=lambda e: e["holder"]), "sent": sum(e["sent"] for e in each),
            "ledger_sent": ledger_sent}


def run(backend: str, spec: Spec, *, senders: tuple[float, ...] = (0.0, SLACK_MS)) -> dict[str, Any]:
    """One scheduler, then two, each on a fresh copy of the spec's data; with each sender (ms a post)."""
    cached = prepare(spec, backend, Generated(spec))
    found: dict[str, Any] = {"members": spec.members, "per_shard": PER_SHARD, "interval_s": INTERVAL.total_seconds(),
                             "variants": []}
    for slack_ms in senders:
        variant: dict[str, Any] = {"slack_ms": slack_ms}
        for label, processes in (("one", 1), ("two", 2)):
            url, drop = working_copy(cached, f"cycle{processes}")
            try:
                variant[label] = _cycle(url, processes, slack_ms)
            finally:
                drop()
        variant["ratio"] = variant["two"]["seconds"] / variant["one"]["seconds"]
        found["variants"].append(variant)
    # The headline: with Slack's round trip when measured, as a real cycle has it.
    found["ratio"] = found["variants"][-1]["ratio"]
    found["slack_ms"] = found["variants"][-1]["slack_ms"]
    return found


def lines(found: dict[str, Any]) -> list[str]:
    """The report's rows for one backend."""
    out = ["| sender | schedulers | cycle time | shards each | digests and alerts sent each | CPU each | "
           "SQL statements each |", "|---|---:|---:|---|---|---|---|"]
    for v in found["variants"]:
        sender = f"{v['slack_ms']:.0f} ms a post" if v["slack_ms"] else "instant"
        for case in (v["one"], v["two"]):
            out.append(f"| {sender} | {case['processes']} | {case['seconds']:.2f} s | "
                       + " / ".join(str(len(e["shards"])) for e in case["each"]) + " | "
                       + " / ".join(f"{e['sent']:,}" for e in case["each"]) + " | "
                       + " / ".join(f"{e['cpu_s']:.2f} s" for e in case["each"]) + " | "
                       + " / ".join(f"{e['statements']:,}" for e in case["each"]) + " |")
    out.append("")
    for v in found["variants"]:
        sender = f"a sender taking {v['slack_ms']:.0f} ms a post" if v["slack_ms"] else "an instant sender"
        verdict = "✅ met" if v["ratio"] <= TARGET_RATIO else "❌ missed"
        out.append(f"- With {sender}: two schedulers took **{v['ratio']:.2f}×** the time of one (target: about half, "
                   f"≤ {TARGET_RATIO}: {verdict}); sent {v['one']['sent']:,} alone and {v['two']['sent']:,} together "
                   f"(ledger rows sent by the cycle: {v['one']['ledger_sent']:,} and {v['two']['ledger_sent']:,}).")
    return out
