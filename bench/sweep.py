"""The nudge sweep: planning every digest (`plan`), its SQL statement count, and one full cycle."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.common import NOW, Latency, SqlProfiler, heaviest
from bot.db.engine import Database
from bot.domain.nudges import Message
from bot.services import sweep


def _sender(message: Message, _held: object) -> tuple[str, str]:
    """A sender that delivers instantly (the Slack call is not what is measured)."""
    return f"D{message.member_id}", f"{NOW.timestamp():.6f}"


def run(db: Database, *, runs: int) -> dict[str, Any]:
    """Time `plan` for every member after a warm-up (which counts its statements); find its heaviest SQL."""
    profiler = SqlProfiler(db.engine)
    try:
        with profiler.counting() as box:
            plans = sweep.plan(db, now=NOW)  # also the warm-up: caches, compiled statements
        statements = box[0]
        latency, gather = Latency(), Latency()
        profiler.reset()
        for _ in range(runs):
            started = time.perf_counter()
            sweep.plan(db, now=NOW)
            latency.add(time.perf_counter() - started)
        with db.session(write=False) as session:
            started = time.perf_counter()
            sweep.gather(session, now=NOW)
            gather.add(time.perf_counter() - started)
        heavy = heaviest(profiler.by_shape, db.engine, (sum(latency.samples) + sum(gather.samples)) / 1000, limit=4, repeats=1)
        kinds = Counter(str(m.kind) for p in plans for m in p.messages)
        return {
            "members": len(plans), "statements": statements, "plan": latency.summary(),
            "gather": gather.summary(), "messages": dict(kinds),
            "expiring": sum(len(p.expire) for p in plans), "heaviest": heavy,
        }
    finally:
        profiler.close()


def run_cycle_once(db: Database) -> dict[str, Any]:
    """One real cycle (plan, expire, claim, send to an instant sender, settle, write back): it writes."""
    profiler = SqlProfiler(db.engine)
    try:
        with profiler.counting() as box:
            started = time.perf_counter()
            report = sweep.run_cycle(db, now=NOW, send=_sender)
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "statements": box[0], "sent": len(report.sent), "skipped": len(report.skipped),
                "failed": len(report.failed), "expired": report.expired}
    finally:
        profiler.close()
