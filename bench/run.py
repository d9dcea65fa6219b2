"""Run the benchmarks and write RESULTS.md: `python -m bench.run` (full) or `python -m bench.run --quick`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bench import charts, commands, http_load, importing, report, scale, shared_cycle, sweep
from bench.common import BENCH_DIR, DATA_DIR, ROOT
from bench.generate import Spec, popular_prospects
from bench.load import PG_ADMIN_DSN, Cached, Generated, alembic_head, pg_problem, prepare, working_copy
from bot.db.engine import Database
from bot.db.models import Member
from tests.support.fake_slack import FakeSlack

log = logging.getLogger("bench")

SECTIONS = ("commands", "sweep", "import", "http", "workers", "multi", "cycle", "scale", "charts")
# `serve --workers` in the workers section: one process per core of this 2-core box.
HTTP_WORKERS = 2


@dataclass(frozen=True)
class Plan:
    """What one mode measures, on which data, how many times."""

    mode: str
    growth: tuple[Spec, ...]  # commands and sweep at each size; the last is the headline
    members_pair: tuple[Spec, Spec]  # sweep statement counts at 100 and 1,000 members
    multi: Spec | None  # the many-workspace variant
    commands_on: tuple[Spec, ...]
    runs: int
    warmup: int
    sweep_runs: int
    full_cycle: bool
    http_requests: int
    http_seconds: float
    http_concurrency: int
    import_rows: int
    workers_concurrency: int
    cli_import_rows: tuple[int, ...]  # `invite-hygiene import` as a whole process, one file of each size
    chart_runs: int = 20  # charts drawn and uploaded off the request path (bench/charts.py)
    scale: Spec | None = None  # the 10x dataset (PostgreSQL only, generated in parts; bench/scale.py)

    @property
    def headline(self) -> Spec:
        """The biggest single-workspace dataset: the one the targets are read at."""
        return self.growth[-1]

    def specs(self) -> list[Spec]:
        """Every dataset the plan needs, each once."""
        found = [*self.growth, *self.members_pair, *([self.multi] if self.multi else [])]
        return list(dict.fromkeys(found))


FULL = Plan(
    mode="full",
    growth=(Spec(1000, 10_000), Spec(1000, 100_000), Spec(1000, 1_000_000)),
    members_pair=(Spec(100, 100_000), Spec(1000, 1_000_000)),
    multi=Spec(1000, 1_000_000, 20),
    commands_on=(Spec(1000, 10_000), Spec(1000, 100_000), Spec(1000, 1_000_000), Spec(1000, 1_000_000, 20)),
    runs=500, warmup=25, sweep_runs=5, full_cycle=True,
    http_requests=6000, http_seconds=90, http_concurrency=8, import_rows=50_000, workers_concurrency=16,
    cli_import_rows=(50_000, 250_000), chart_runs=100, scale=scale.SPEC,
)
QUICK = Plan(
    mode="quick",
    growth=(Spec(1000, 10_000), Spec(1000, 100_000)),
    members_pair=(Spec(100, 10_000), Spec(1000, 100_000)),
    multi=None,
    commands_on=(Spec(1000, 100_000),),
    runs=100, warmup=10, sweep_runs=2, full_cycle=False,
    http_requests=400, http_seconds=15, http_concurrency=8, import_rows=10_000, workers_concurrency=16,
    cli_import_rows=(10_000, 50_000), scale=scale.QUICK_SPEC,
)


class LoadWatch:
    """Samples the 1-minute load average between sections (other work on the box skews figures)."""

    def __init__(self) -> None:
        self.start = os.getloadavg()[0]
        self.max = self.start

    def sample(self) -> None:
        """Note the current load average."""
        self.max = max(self.max, os.getloadavg()[0])


def machine(watch: LoadWatch) -> dict[str, Any]:
    """CPU, memory and OS of this box."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu_model": cpu, "ram_gb": mem_kb / 1024 / 1024,
            "os": f"{platform.system()} {platform.release()}", "load_start": watch.start,
            "load_end": os.getloadavg()[0], "load_max": watch.max}


def versions(postgres: bool) -> dict[str, str]:
    """Python, SQLite, PostgreSQL and library versions."""
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name, dist in (("sqlalchemy", "SQLAlchemy"), ("slack_bolt", "slack_bolt"), ("psycopg", "psycopg"),
                       ("waitress", "waitress")):
        try:
            found[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[name] = "?"
    if postgres:
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN) as conn:
            found["postgres"] = str(conn.execute("SHOW server_version").fetchone()[0])
    return found


def git_state() -> dict[str, Any]:
    """The commit measured and whether the app's code had uncommitted changes."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown",
            "dirty": bool(git("status", "--porcelain", "--", "bot", "migrations")), "alembic_head": alembic_head(),
            "code": git("rev-parse", "HEAD:bot", "HEAD:migrations"), "diff": git("diff", "HEAD", "--", "bot", "migrations")}


def prepare_all(plan: Plan, backends: list[str], results: dict[str, Any]) -> dict[tuple[str, str], Cached]:
    """Generate (when not cached) and load every dataset on every backend."""
    cached: dict[tuple[str, str], Cached] = {}
    for spec in plan.specs():
        generated = Generated(spec)
        entry = results["datasets"].setdefault(spec.key, {
            "label": spec.label, "members": spec.members, "invites": spec.invites, "workspaces": spec.workspaces,
            "load_s": {}, "facts": {},
        })
        for backend in backends:
            log.info("preparing %s on %s", spec.label, backend)
            item = prepare(spec, backend, generated)
            cached[(backend, spec.key)] = item
            entry["load_s"][backend] = item.stamp.get("load_seconds")
            entry["facts"] = item.stamp.get("facts", {})
    return cached


def bench_dataset(plan: Plan, spec: Spec, item: Cached, fake: FakeSlack, sections: set[str]) -> dict[str, Any]:
    """Sweep (read-only) first, then commands (they insert), then the full cycle and the import (they write more)."""
    out: dict[str, Any] = {"load_start": os.getloadavg()[0]}
    url, drop = working_copy(item, "bench")
    db = Database.from_url(url)
    try:
        in_sweep = "sweep" in sections and spec != plan.multi or "multi" in sections and spec == plan.multi
        if in_sweep:
            log.info("%s %s: sweep", item.backend, spec.key)
            out["sweep"] = sweep.run(db, runs=plan.sweep_runs)
        if "commands" in sections and spec in plan.commands_on and (spec != plan.multi or "multi" in sections):
            log.info("%s %s: commands, %d runs each", item.backend, spec.key, plan.runs)
            out["commands"] = commands.run(db, fake, tag=f"{item.backend}-{spec.key}", popular=popular_prospects(spec),
                                           runs=plan.runs, warmup=plan.warmup)
        if spec == plan.headline and in_sweep and plan.full_cycle:
            log.info("%s %s: one full sweep cycle", item.backend, spec.key)
            out["sweep"]["cycle"] = sweep.run_cycle_once(db)
        if spec == plan.headline and "charts" in sections:
            log.info("%s %s: charts, %d runs", item.backend, spec.key, plan.chart_runs)
            out["charts"] = charts.run(db, fake, runs=plan.chart_runs)
        if spec == plan.headline and "import" in sections:
            log.info("%s %s: full import of %d rows", item.backend, spec.key, plan.import_rows)
            out["import"] = importing.full_import(db, plan.import_rows)
    finally:
        db.dispose()
        drop()
    if spec == plan.headline and "import" in sections:
        log.info("%s %s: invite-hygiene import as a whole process, %s rows", item.backend, spec.key,
                 " and ".join(f"{n:,}" for n in plan.cli_import_rows))
        url, drop = working_copy(item, "cli-import")  # a fresh copy: the files' prospects are new to it
        try:
            out["import"]["whole_process"] = importing.whole_process(url, plan.cli_import_rows)
        finally:
            drop()
    out["load_end"] = os.getloadavg()[0]
    return out


def fresh_profiles(db: Database) -> None:
    """Profiles checked now, by the wall clock `serve` runs on, as the scheduler's weekly refresh keeps them.

    The data ends at NOW, days or weeks before the wall clock: without this, the first request of
    each member would call users.info and write its profile, a cost a live deployment pays weekly."""
    with db.session() as session:
        session.execute(update(Member).values(tz_checked_at=datetime.now(UTC)))


def bench_http(plan: Plan, item: Cached, fake: FakeSlack, *, workers: int | None = None) -> dict[str, Any]:
    """serve (or serve --workers N) under load on a fresh copy of the headline data."""
    tag = "http" if workers is None else f"workers{workers}"
    url, drop = working_copy(item, tag)
    try:
        db = Database.from_url(url)
        people = commands.actors(db)
        fresh_profiles(db)
        db.dispose()
        concurrency = plan.http_concurrency if workers is None else plan.workers_concurrency
        log.info("%s: HTTP load%s, up to %d requests or %.0f s", item.backend,
                 f" on {workers} workers" if workers else "", plan.http_requests, plan.http_seconds)
        return http_load.run(url, people, fake, tag=f"{item.backend}-{tag}", requests=plan.http_requests,
                             seconds=plan.http_seconds, concurrency=concurrency, threads=8, workers=workers)
    finally:
        drop()


def bench_scale(plan: Plan, spec: Spec, fake: FakeSlack) -> dict[str, Any]:
    """The 10x dataset on PostgreSQL: built in parts on first use, then measured on a copy."""
    log.info("preparing %s on postgres (in parts)", spec.label)
    item = prepare(spec, "postgres", Generated(spec, chunked=scale.chunks, merge_facts=scale.merged_facts))
    return {**scale.run(spec, item, fake, runs=plan.runs, warmup=plan.warmup, sweep_runs=plan.sweep_runs),
            "load_s": item.stamp.get("load_seconds"), "facts": item.stamp.get("facts", {})}


def _save_partial(plan: Plan, results: dict[str, Any]) -> None:
    """Keep what has been measured so far (a run can be interrupted)."""
    (DATA_DIR / f"results-{plan.mode}.partial.json").write_text(json.dumps(results, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    """Parse options, run every section, save the JSON and write the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data and fewer runs (under two minutes)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--skip", default="", help=f"comma-separated sections to skip: {','.join(SECTIONS)}")
    parser.add_argument("--output", type=Path, default=None, help="report path (full: bench/RESULTS.md)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("bench").setLevel(logging.INFO)
    plan = QUICK if args.quick else FULL
    sections = set(SECTIONS) - set(filter(None, args.skip.split(",")))
    backends = [b for b in args.backends.split(",") if b]
    watch = LoadWatch()
    started = time.perf_counter()
    git_at_start = git_state()
    results: dict[str, Any] = {
        "mode": plan.mode, "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "skipped": {},
        "datasets": {}, "results": {}, "headline": plan.headline.key, "growth": [s.key for s in plan.growth],
        "members_pair": [s.key for s in plan.members_pair], "multi": plan.multi.key if plan.multi and "multi" in sections else None,
        "http_dataset": plan.headline.key, "import": {}, "http": {}, "workers": {},
    }
    if "postgres" in backends and (problem := pg_problem()):
        log.warning("skipping PostgreSQL: %s", problem)
        results["skipped"]["postgres"] = problem
        backends.remove("postgres")
    results["backends"] = backends
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    cached = prepare_all(plan, backends, results)
    watch.sample()
    if "import" in sections:
        log.info("import: parsing %d rows", plan.import_rows)
        results["import"]["parse"], _ = importing.parse(plan.import_rows)
    fake = FakeSlack().start()
    try:
        for backend in backends:
            for spec in plan.specs():
                out = bench_dataset(plan, spec, cached[(backend, spec.key)], fake, sections)
                if "import" in out:
                    results["import"].setdefault("full", {})[backend] = out.pop("import")
                results["results"].setdefault(backend, {})[spec.key] = out
                watch.sample()
                _save_partial(plan, results)
            if "http" in sections:
                results["http"][backend] = bench_http(plan, cached[(backend, plan.headline.key)], fake)
                watch.sample()
            if "workers" in sections:
                results["workers"][backend] = bench_http(plan, cached[(backend, plan.headline.key)], fake,
                                                         workers=HTTP_WORKERS)
                watch.sample()
        if "scale" in sections and plan.scale and "postgres" in backends:
            results["scale"] = bench_scale(plan, plan.scale, fake)
    finally:
        fake.stop()
    if "cycle" in sections and "postgres" in backends:
        spec = shared_cycle.FULL_SPEC if plan.mode == "full" else shared_cycle.QUICK_SPEC
        log.info("postgres %s: one scheduler, then two sharing the cycle", spec.key)
        results["datasets"].setdefault(spec.key, {"label": spec.label, "members": spec.members, "invites": spec.invites,
                                                  "workspaces": spec.workspaces, "load_s": {}, "facts": {}})
        senders = (0.0, shared_cycle.SLACK_MS) if plan.mode == "full" else (0.0,)
        results["cycle"] = {"postgres": {**shared_cycle.run("postgres", spec, senders=senders), "dataset": spec.key}}
        watch.sample()
    results["duration_s"] = time.perf_counter() - started
    results["machine"] = machine(watch)
    results["versions"] = versions("postgres" in backends)
    results["git"] = git_state()
    # Commits that touch only other paths (bench/, docs) do not change what was measured.
    results["git"]["changed_during_run"] = any(
        git_at_start[k] != results["git"][k] for k in ("code", "diff", "alembic_head"))
    for state in (git_at_start, results["git"]):
        state.pop("diff")
    (DATA_DIR / f"results-{plan.mode}.json").write_text(json.dumps(results, indent=1, default=str))
    output = args.output or (BENCH_DIR / "RESULTS.md" if plan.mode == "full" else DATA_DIR / "RESULTS-quick.md")
    report.write(results, output)
    log.info("wrote %s (%.1f min)", output, results["duration_s"] / 60)
    print("\n".join(report.targets_table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
