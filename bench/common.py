"""Shared pieces: the benchmark's fixed instant, paths, latency summaries and a SQL profiler."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
DATA_DIR = BENCH_DIR / "data"

# The data ends here: a Wednesday, 14:00 UTC (09:00 in New York, evening in Asia, night in Sydney),
# so a sweep at this instant finds some members due, some already served today and some not yet.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
DAY = 86_400


def own_peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM: its address space's high-water mark, new at exec).

    Not getrusage's ru_maxrss: Linux keeps that across fork and exec, so a process started from the
    (large) benchmark process reports the benchmark's size as its own peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latency:
    """Latencies of one measured operation, in milliseconds."""

    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        """Record one duration given in seconds."""
        self.samples.append(seconds * 1000)

    @property
    def n(self) -> int:
        """How many samples."""
        return len(self.samples)

    def summary(self) -> dict[str, float]:
        """Median, p99, mean and max in ms (zeros when empty)."""
        if not self.samples:
            return {"n": 0, "median": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0}
        return {
            "n": len(self.samples),
            "median": percentile(self.samples, 50),
            "p99": percentile(self.samples, 99),
            "mean": sum(self.samples) / len(self.samples),
            "max": max(self.samples),
        }


def _shape(statement: str) -> str:
    """A statement with whitespace collapsed and expanded IN lists folded, to group repeats."""
    flat = " ".join(statement.split())
    return re.sub(r"\((?:\s*(?:\?|%\(\w+\)s|\$\d+)\s*,)+\s*(?:\?|%\(\w+\)s|\$\d+)\s*\)", "(…)", flat)


@dataclass
class StatementStats:
    """Time spent in one statement shape, with one example of its parameters for EXPLAIN."""

    statement: str
    parameters: Any
    calls: int = 0
    seconds: float = 0.0


class SqlProfiler:
    """Counts statements and times each shape through SQLAlchemy's cursor events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.by_shape: dict[str, StatementStats] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        """Detach the listeners."""
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        """Forget everything counted so far."""
        self.count = 0
        self.by_shape = {}

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = conn.info["bench_started"].pop()
        shape = _shape(statement)
        stats = self.by_shape.get(shape)
        if stats is None:
            stats = self.by_shape[shape] = StatementStats(statement, parameters)
        stats.calls += 1
        stats.seconds += time.perf_counter() - started

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        """Yield a one-item list that holds, after the block, the statements run inside it."""
        box = [0]
        before = self.count
        try:
            yield box
        finally:
            box[0] = self.count - before


def _is_select(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    """The query plan of a SELECT: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL."""
    if not _is_select(statement):
        return "(not a SELECT: not explained)"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + str(detail))
            text = "\n".join(lines)
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            text = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()
        return text
    finally:
        raw.close()


def replay(engine: Engine, statement: str, parameters: Any, *, repeats: int = 3) -> float | None:
    """Median ms to execute a SELECT and fetch every row (SQLite does most work while fetching)."""
    if not _is_select(statement):
        return None
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(statement, parameters)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        raw.rollback()
        return sorted(times)[len(times) // 2]
    finally:
        raw.close()


def heaviest(shapes: dict[str, StatementStats], engine: Engine, total_seconds: float, *,
             limit: int, repeats: int = 3) -> list[dict[str, Any]]:
    """The statements that cost most (each replayed with its fetch: SQLite works while fetching), with plans."""
    work = [s for s in shapes.values() if s.statement.strip().upper() not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}]
    candidates = sorted(work, key=lambda s: s.seconds, reverse=True)[:12]
    rows = []
    for stats in candidates:
        try:
            full = replay(engine, stats.statement, stats.parameters, repeats=repeats)
            plan = explain(engine, stats.statement, stats.parameters)
        except Exception as error:  # noqa: BLE001 - a plan is a diagnostic; report why it is missing
            full, plan = None, f"(could not explain: {type(error).__name__}: {error})"
        mean_ms = stats.seconds / stats.calls * 1000
        rows.append({
            "statement": " ".join(stats.statement.split()), "calls": stats.calls, "execute_ms": mean_ms,
            "full_ms": full if full is not None else mean_ms,
            "share": (full if full is not None else mean_ms) * stats.calls / 1000 / (total_seconds or 1.0),
            "plan": plan,
        })
    rows.sort(key=lambda r: r["full_ms"] * r["calls"], reverse=True)
    return rows[:limit]


def fmt_ms(value: float | None) -> str:
    """Milliseconds for a table: 3 significant figures, or a dash."""
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
