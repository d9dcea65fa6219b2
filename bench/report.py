"""Turn a run's results (the JSON `bench.run` saves) into RESULTS.md: figures, floors, ratios, targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench import shared_cycle
from bench.common import fmt_ms

SWEEP_TARGET_S = {"sqlite": 5.0, "postgres": 2.0}
IMPORT_TARGET_S = 5.0
# `invite-hygiene import` as a whole process (issue 17): seconds by rows, and the peak memory of the big one.
CLI_IMPORT_TARGETS = {50_000: 5.0, 250_000: 25.0}
CLI_IMPORT_MAX_MB = 400
# serve --workers on this 2-core box (issue 17): the mix at 1M invites on PostgreSQL.
WORKERS_TARGET_RPS = 300
WORKERS_TARGET_P99_MS = 150
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _met(value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return "–"
    return "✅ met" if value < target else "❌ missed"


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor else "–"


def _floor(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return next(c for c in cases if c["name"].startswith("floor"))


def _case_note(case: dict[str, Any]) -> str:
    notes = []
    if case["unavailable"]:
        notes.append(f"answered \"not available yet\" {case['unavailable']}/{case['n']} times: feature not wired")
    if case["errors"]:
        notes.append(f"{case['errors']} errors, e.g. {case['error_examples'][0]}")
    if case["via"] != "app.dispatch":
        notes.append(case["via"])
    return "; ".join(notes)


def commands_table(cases: list[dict[str, Any]]) -> list[str]:
    """One row per command: latency, ratio to the floor, statements, target."""
    floor = _floor(cases)
    lines = [
        "| command | runs | median ms | p99 ms | median ÷ floor | p99 ÷ floor | CPU median / p99 ms | SQL per request | p99 target | met | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for case in cases:
        target = case["target_ms"]
        met = _met(case["p99"], target) if not case["unavailable"] else "⚠️ not available yet"
        is_floor = case is floor
        lines.append(
            f"| {case['name']} | {case['n']} | {fmt_ms(case['median'])} | {fmt_ms(case['p99'])} | "
            f"{'1.0×' if is_floor else _ratio(case['median'], floor['median'])} | "
            f"{'1.0×' if is_floor else _ratio(case['p99'], floor['p99'])} | "
            f"{fmt_ms(case.get('cpu_median'))} / {fmt_ms(case.get('cpu_p99'))} | {case['statements']} | "
            f"{f'< {target:.0f}' if target else '–'} | {met if target else '–'} | {_case_note(case)} |"
        )
    return lines


def _get(results: dict[str, Any], backend: str, key: str, part: str) -> Any:
    return results["results"].get(backend, {}).get(key, {}).get(part)


def _case(cases: list[dict[str, Any]] | None, prefix: str) -> dict[str, Any] | None:
    return next((c for c in cases or [] if c["name"].startswith(prefix)), None)


def targets_table(results: dict[str, Any]) -> list[str]:
    """Every target of the issue, side by side on both databases."""
    backends = results["backends"]
    head = results["headline"]
    lines = [
        f"| figure ({results['datasets'][head]['label']}) | " + " | ".join(NAMES[b] for b in backends) + " | target | met |",
        "|---|" + "---:|" * len(backends) + "---|---|",
    ]
    for prefix, label in (("/invited", "`/invited <url>` p99"), ("/invites list", "`/invites list` p99"),
                          ("/invites stats", "`/invites stats` p99"), ("/invites leaderboard", "`/invites leaderboard` p99"),
                          ("leaderboard service", "leaderboard service (direct) p99"),
                          ("DM with 20 URLs: ack", "DM with 20 URLs: ack p99"),
                          ("DM with 20 URLs: logged", "DM with 20 URLs: fully logged p99"),
                          ("report curve", "`report curve --format json` (direct) p99"),
                          ("admin Home team section", "admin Home team section (direct) p99")):
        found = [_case(_get(results, b, head, "commands"), prefix) for b in backends]
        if not any(found):
            continue
        target = next(c["target_ms"] for c in found if c)
        values = [f"{fmt_ms(c['p99'])} ms" if c else "–" for c in found]
        verdicts = []
        for c in found:
            if c is None:
                continue
            verdicts.append("⚠️ not available yet" if c["unavailable"] else _met(c["p99"], target))
        lines.append(f"| {label} | " + " | ".join(values) + f" | < {target:.0f} ms | {' / '.join(verdicts)} |")
    sweeps = [_get(results, b, head, "sweep") for b in backends]
    if any(sweeps):
        values = [f"{s['plan']['median'] / 1000:.2f} s" if s else "–" for s in sweeps]
        verdicts = [_met(s["plan"]["median"] / 1000, SWEEP_TARGET_S[b]) for b, s in zip(backends, sweeps, strict=True) if s]
        targets = " / ".join(f"< {SWEEP_TARGET_S[b]:.0f} s {NAMES[b]}" for b in backends)
        lines.append(f"| sweep: plan every digest, {sweeps[0]['members'] if sweeps[0] else '?'} members (median) | "
                     + " | ".join(values) + f" | {targets} | {' / '.join(verdicts)} |")
    small, big = results["members_pair"]
    counts = []
    verdicts = []
    for b in backends:
        a, c = _get(results, b, small, "sweep"), _get(results, b, big, "sweep")
        if a and c:
            counts.append(f"{a['statements']} vs {c['statements']}")
            verdicts.append("✅ same" if a["statements"] == c["statements"] else "❌ differ")
        else:
            counts.append("–")
    lines.append("| sweep SQL statements, 100 vs 1,000 members | " + " | ".join(counts) + " | the same | "
                 + " / ".join(verdicts) + " |")
    imp = results.get("import") or {}
    if imp.get("parse"):
        parse = imp["parse"]
        lines.append(f"| parse a {parse['rows']:,}-row Invitations.csv | " + " | ".join(
            f"{parse['seconds']:.2f} s" for _ in backends) + f" | < {IMPORT_TARGET_S:.0f} s | {_met(parse['seconds'], IMPORT_TARGET_S)} |")
    full = imp.get("full") or {}
    if any(full.get(b, {}).get("available") for b in backends):
        values = [f"{full[b]['first']['seconds']:.2f} s" if full.get(b, {}).get("available") else "–" for b in backends]
        verdicts = [_met(full[b]["first"]["seconds"], IMPORT_TARGET_S) for b in backends if full.get(b, {}).get("available")]
        lines.append(f"| full import of {imp['parse']['rows']:,} rows (parse + plan + store) | " + " | ".join(values)
                     + f" | < {IMPORT_TARGET_S:.0f} s | {' / '.join(verdicts)} |")
    made = [_get(results, b, head, "charts") for b in backends]
    if any(made):
        values = [f"{fmt_ms(c['total']['p99'])} ms" if c else "–" for c in made]
        verdicts = [_met(c["total"]["p99"], c["target_ms"]) for c in made if c]
        lines.append("| chart render + upload off the request path p99 (trend: read, draw, upload, remember) | "
                     + " | ".join(values) + f" | < {next(c for c in made if c)['target_ms']:.0f} ms | "
                     + " / ".join(verdicts) + " |")
    for size, target_s in CLI_IMPORT_TARGETS.items():
        runs = {b: _cli_run(full.get(b), size) for b in backends}
        if any(runs.values()):
            values = [f"{r['seconds']:.1f} s, {r['peak_rss_mb']:.0f} MB" if r else "–" for r in runs.values()]
            verdicts = [_met(r["seconds"], target_s) + ("" if r["peak_rss_mb"] < CLI_IMPORT_MAX_MB or size < 100_000
                                                          else f" ❌ {r['peak_rss_mb']:.0f} MB")
                        for r in runs.values() if r]
            memory = f", peak < {CLI_IMPORT_MAX_MB} MB" if size >= 100_000 else ""
            lines.append(f"| `invite-hygiene import` of {size:,} rows, whole process (wall, peak RSS) | "
                         + " | ".join(values) + f" | < {target_s:.0f} s{memory} | {' / '.join(verdicts)} |")
    load = results.get("http") or {}
    if load:
        values = [f"{load[b]['errors']} errors, {load[b]['rps']:.0f} req/s" if b in load else "–" for b in backends]
        verdicts = ["✅ met" if load[b]["errors"] == 0 else "❌ missed" for b in backends if b in load]
        lines.append("| HTTP under load: errors | " + " | ".join(values) + " | 0 errors | " + " / ".join(verdicts) + " |")
    many = results.get("workers") or {}
    if many:
        values = [f"{many[b]['rps']:.0f} req/s, p99 {fmt_ms(many[b]['latency']['p99'])} ms, {many[b]['errors']} errors"
                  if b in many else "–" for b in backends]
        verdicts = ["✅ met" if _workers_met(many[b]) else "❌ missed" for b in backends if b in many]
        lines.append(f"| HTTP mix on `serve --workers {next(iter(many.values()))['workers']}` | " + " | ".join(values)
                     + f" | ≥ {WORKERS_TARGET_RPS} req/s, p99 < {WORKERS_TARGET_P99_MS} ms, 0 errors | "
                     + " / ".join(verdicts) + " |")
    shared = (results.get("cycle") or {}).get("postgres")
    if shared:
        values = ["–" if b != "postgres" else f"{shared['ratio']:.2f}×" for b in backends]
        verdict = "✅ met" if shared["ratio"] <= shared_cycle.TARGET_RATIO else "❌ missed"
        sender = f"{shared['slack_ms']:.0f} ms a post" if shared.get("slack_ms") else "instant sender"
        lines.append(f"| two schedulers' cycle time vs one, {shared['members']:,} members, {sender} | "
                     + " | ".join(values)
                     + f" | about half (≤ {shared_cycle.TARGET_RATIO}) | {verdict} |")
    return lines


def _cli_run(full: dict[str, Any] | None, rows: int) -> dict[str, Any] | None:
    runs = ((full or {}).get("whole_process") or {}).get("runs", [])
    return next((r for r in runs if r["rows"] == rows and r["exit"] == 0), None)


def _workers_met(h: dict[str, Any]) -> bool:
    return h["errors"] == 0 and h["rps"] >= WORKERS_TARGET_RPS and h["latency"]["p99"] < WORKERS_TARGET_P99_MS


def sweep_table(results: dict[str, Any], keys: list[str]) -> list[str]:
    """The sweep on every dataset it ran on."""
    lines = [
        "| data | database | members | SQL statements | plan median s | plan max s | of which gather (SQL + rows) s | digests planned | alerts planned | invites to expire |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in keys:
        for b in results["backends"]:
            s = _get(results, b, key, "sweep")
            if not s:
                continue
            digests = s["messages"].get("daily_digest", 0)
            alerts = sum(v for k, v in s["messages"].items() if k != "daily_digest")
            lines.append(
                f"| {results['datasets'][key]['label']} | {NAMES[b]} | {s['members']} | {s['statements']} | "
                f"{s['plan']['median'] / 1000:.3f} | {s['plan']['max'] / 1000:.3f} | {s['gather']['median'] / 1000:.3f} | "
                f"{digests} | {alerts} | {s['expiring']} |"
            )
    return lines


def cycle_lines(results: dict[str, Any]) -> list[str]:
    """The one full cycle (plan, expire, claim/send/settle each message, write back state)."""
    lines = []
    head = results["headline"]
    for b in results["backends"]:
        s = _get(results, b, head, "sweep")
        if s and s.get("cycle"):
            c = s["cycle"]
            lines.append(
                f"- {NAMES[b]}: {c['seconds']:.1f} s, {c['statements']} SQL statements, {c['sent']} messages delivered "
                f"(to an instant fake sender), {c['expired']} invites expired, {c['failed']} failed — "
                f"{c['seconds'] / max(1, c['sent']) * 1000:.0f} ms per delivered message."
            )
    return lines


def growth_table(results: dict[str, Any], backend: str) -> list[str]:
    """Command p50/p99 and sweep time as the invites grow."""
    keys = results["growth"]
    names = [("floor", "floor"), ("/invited", "/invited"), ("/invites list", "list"), ("/invites stats", "stats"),
             ("/invites leaderboard", "leaderboard"), ("leaderboard service", "leaderboard service"),
             ("report curve", "report curve"), ("admin Home team section", "team section")]
    head = "| invites | " + " | ".join(f"{label} p50 / p99 ms" for _, label in names) + " | sweep plan s | sweep SQL |"
    lines = [head, "|---:|" + "---:|" * (len(names) + 2)]
    for key in keys:
        cases = _get(results, backend, key, "commands")
        cells = []
        for prefix, _ in names:
            c = _case(cases, prefix)
            cells.append(f"{fmt_ms(c['median'])} / {fmt_ms(c['p99'])}" if c else "–")
        s = _get(results, backend, key, "sweep")
        sweep = f"{s['plan']['median'] / 1000:.3f}" if s else "–"
        statements = str(s["statements"]) if s else "–"
        lines.append(f"| {results['datasets'][key]['invites']:,} | " + " | ".join(cells) + f" | {sweep} | {statements} |")
    return lines


def workers_table(results: dict[str, Any]) -> list[str]:
    """serve --workers: throughput, latency, and the CPU the server and the load generator took."""
    load = results.get("workers") or {}
    lines = [
        "| database | requests | seconds | req/s | p50 ms | p99 ms | max ms | errors | largest process RSS MB | "
        "all processes RSS MB | server CPU ms/request | server cores busy | PostgreSQL backends cores busy | "
        "load generator cores busy |",
        "|---|" + "---:|" * 13,
    ]
    for b in results["backends"]:
        h = load.get(b)
        if not h:
            continue
        lat = h["latency"]
        lines.append(
            f"| {NAMES[b]} | {h['requests']} | {h['seconds']:.1f} | {h['rps']:.1f} | {fmt_ms(lat['median'])} | "
            f"{fmt_ms(lat['p99'])} | {fmt_ms(lat['max'])} | {h['errors']} | {h['peak_rss_mb']:.0f} | "
            f"{h['total_rss_mb']:.0f} | {h['server_cpu_ms_per_request']:.1f} | {h['server_cores']:.2f} of "
            f"{h['cores']} | {_database_cores(b, h)} | {h['generator_cores']:.2f} of {h['cores']} |"
        )
    return lines


def _database_cores(backend: str, h: dict[str, Any]) -> str:
    return f"{h['database_cores']:.2f} of {h['cores']}" if backend == "postgres" and "database_cores" in h else "–"


def http_table(results: dict[str, Any]) -> list[str]:
    """Throughput, latency, errors and memory of serve under load."""
    load = results.get("http") or {}
    lines = [
        "| database | requests | seconds | req/s | p50 ms | p99 ms | max ms | errors | peak RSS MB | server CPU ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in results["backends"]:
        h = load.get(b)
        if not h:
            continue
        lat = h["latency"]
        lines.append(
            f"| {NAMES[b]} | {h['requests']} | {h['seconds']:.1f} | {h['rps']:.1f} | {fmt_ms(lat['median'])} | "
            f"{fmt_ms(lat['p99'])} | {fmt_ms(lat['max'])} | {h['errors']} | {h['peak_rss_mb']:.0f} | "
            f"{h['server_cpu_ms_per_request']:.1f} |"
        )
    per = ["", "Per command under load (p50 / p99 ms):", "", *per_command_table(results, load)]
    examples = [f"- {NAMES[b]}: {e}" for b in load for e in load[b]["error_examples"]]
    return lines + per + (["", "Errors seen:", *examples] if examples else [])


def per_command_table(results: dict[str, Any], load: dict[str, Any]) -> list[str]:
    """p50 / p99 of each command of the mix, on each backend."""
    per = ["| command | " + " | ".join(NAMES[b] for b in results["backends"] if b in load) + " |",
           "|---|" + "---:|" * sum(1 for b in results["backends"] if b in load)]
    commands = sorted({c for b in load for c in load[b]["by_command"]})
    for command in commands:
        cells = []
        for b in results["backends"]:
            if b not in load:
                continue
            s = load[b]["by_command"].get(command)
            cells.append(f"{fmt_ms(s['median'])} / {fmt_ms(s['p99'])} (n={s['n']})" if s else "–")
        per.append(f"| {command} | " + " | ".join(cells) + " |")
    return per


def heaviest_section(results: dict[str, Any]) -> list[str]:
    """For each figure at the headline size (and the many-workspace sweep): the costliest statements, with plans."""
    head, multi = results["headline"], results.get("multi")
    lines = []
    for b in results["backends"]:
        figures: list[tuple[str, list[dict[str, Any]]]] = []
        for case in _get(results, b, head, "commands") or []:
            if not case["name"].startswith("floor"):
                figures.append((case["name"], case["heaviest"]))
        sweep = _get(results, b, head, "sweep")
        if sweep:
            figures.append(("sweep plan", sweep["heaviest"]))
        many = _get(results, b, multi, "sweep") if multi else None
        if many:
            figures.append(("sweep plan, 20 workspaces", many["heaviest"]))
        for name, rows in figures:
            for row in rows:
                lines.append(
                    f"<details><summary>{NAMES[b]} · {name} · {row['full_ms']:.1f} ms × {row['calls']} calls "
                    f"(≈{row['share']:.0%} of the figure's time): <code>{row['statement'][:110]}…</code></summary>\n"
                )
                lines.append("```sql\n" + row["statement"] + "\n```\n")
                lines.append("```\n" + row["plan"] + "\n```\n</details>\n")
    return lines


def dataset_lines(results: dict[str, Any]) -> list[str]:
    """What each generated dataset holds and how long it took to build."""
    lines = [
        "| data | invites by status | accepted | max pending (one member) | members ≥ 1,000 pending | members ≥ warn level | invite_events | deliveries | load s (SQLite / PostgreSQL) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _key, d in results["datasets"].items():
        f = d.get("facts") or {}
        if not f:
            continue
        statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(f["statuses"].items(), key=lambda kv: -kv[1]))
        loads = " / ".join(f"{d['load_s'][b]:.0f}" if d["load_s"].get(b) is not None else "–" for b in ("sqlite", "postgres"))
        lines.append(
            f"| {d['label']} | {statuses} | {f['accepted_share']:.0%} | {f['max_pending']:,} | "
            f"{f['members_over_1000_pending']} | {f['members_at_or_past_warn']} | {f['rows']['invite_events']:,} | "
            f"{f['rows']['deliveries']:,} | {loads} |"
        )
    return lines


def render(results: dict[str, Any]) -> str:
    """The whole RESULTS.md."""
    m, v = results["machine"], results["versions"]
    head = results["headline"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run{' --quick' if results['mode'] == 'quick' else ''}` "
        f"({results['mode']} mode) on {results['started']} UTC; the run took {results['duration_s'] / 60:.1f} min. "
        "Regenerate with `make bench` (full) or `make bench-quick`. Analysis and proposed fixes: `bench/NOTES.md`.",
        "",
        "## Machine",
        "",
        f"- {m['nproc']} CPUs ({m['cpu_model']}), {m['ram_gb']:.1f} GB RAM, {m['os']}",
        f"- Load average (1 min) at start {m['load_start']:.2f}, at end {m['load_end']:.2f}, highest seen between "
        f"sections {m['load_max']:.2f} (this counts the benchmark itself: about 1 in process, 2–3 during the HTTP "
        "section; anything above that is other work on the box competing for the 2 cores)",
        f"- Python {v['python']}, SQLite {v['sqlite']}, PostgreSQL {v.get('postgres', 'not available')}, "
        f"SQLAlchemy {v['sqlalchemy']}, slack-bolt {v['slack_bolt']}, psycopg {v['psycopg']}, waitress {v['waitress']}",
        f"- Code: commit {results['git']['commit']}{' with uncommitted changes in bot/ or migrations/' if results['git']['dirty'] else ''}, "
        f"migration head {results['git']['alembic_head']}"
        + (" — **the code changed while the run was going** (others are committing): re-run for clean figures"
           if results["git"].get("changed_during_run") else ""),
    ]
    for backend, reason in results.get("skipped", {}).items():
        out.append(f"- **{NAMES.get(backend, backend)} skipped**: {reason}")
    out += ["", "## Targets", "", *targets_table(results), ""]
    for b in results["backends"]:
        cases = _get(results, b, head, "commands")
        if cases:
            section = results["results"][b][head]
            out += [f"## Commands through the full app — {NAMES[b]}, {results['datasets'][head]['label']}", "",
                    f"(Load average while this data was measured: {section.get('load_start', 0):.1f} at the start, "
                    f"{section.get('load_end', 0):.1f} at the end.)", "",
                    "Signed requests through `app.dispatch(BoltRequest(...))` in process (middleware, signature check, "
                    "listener, ack), interleaved in a shuffled order each round after a warm-up; acting member drawn "
                    "by invite count (busy senders send more commands); `/invited` logs a new prospect 9 times in 10 "
                    "and a prospect teammates already invited 1 in 10. The floor is `/invites help` through the same "
                    "app (one member lookup). SQL per request is the median statement count"
                    + (" (SQLite counts its BEGIN)." if b == "sqlite" else ".")
                    + " CPU is this thread's CPU time per request: "
                    + ("all of SQLite's work, so it is the wall time without waiting for a core on a busy box."
                       if b == "sqlite" else "the app's Python side; the PostgreSQL server's work is not in it."),
                    "", *commands_table(cases), ""]
    sweep_keys = [k for k in dict.fromkeys([*results["growth"], *results["members_pair"], results.get("multi") or ""]) if k]
    out += ["## The sweep", "",
            "`bot.services.sweep.plan(db, now=…)`: gather facts for every active member (set-based SQL) and plan "
            "every digest and alert; median of the timed runs after one warm-up. The statement count is one plan.", "",
            *sweep_table(results, sweep_keys), ""]
    from bench.charts import report_lines as chart_lines  # the charts section keeps its words beside its code

    out += chart_lines(results)
    cycle = cycle_lines(results)
    if cycle:
        out += ["One full `run_cycle` (not a target; it mutates the copy, so it ran last):", "", *cycle, ""]
    shared = (results.get("cycle") or {}).get("postgres")
    if shared:
        out += [f"## Schedulers sharing one cycle — PostgreSQL, {results['datasets'][shared['dataset']]['label']}", "",
                "`bot.services.sweep.run_shared_cycle` in one process, then in two at once (separate processes, as two "
                "`invite-hygiene scheduler` are), each time on a fresh copy; shards of "
                f"{shared['per_shard']} members claimed with `FOR UPDATE SKIP LOCKED`; an instant sender. The cycle "
                "time runs from a barrier the warmed-up processes meet at to the last one done.", "",
                *shared_cycle.lines(shared), ""]
    imp = results.get("import") or {}
    if imp:
        p = imp["parse"]
        out += ["## Import", "",
                f"- Parse (`bot.importing.linkedin.parse_upload`): {p['rows']:,} rows, {p['bytes'] / 1e6:.1f} MB, "
                f"{p['seconds']:.2f} s (median of {p['repeats']}); {p['parsed']:,} rows read, {p['rejected']} rejected."]
        for b in results["backends"]:
            f = (imp.get("full") or {}).get(b)
            if not f:
                continue
            if not f.get("available"):
                out.append(f"- Full import on {NAMES[b]}: {f.get('note')}")
                continue
            first, again = f["first"], f["again"]
            out.append(
                f"- Full import on {NAMES[b]} via `{f['entry']}` for the busiest member ({f['member']}, "
                f"{f['known_prospects']} of the file's prospects already known), into the {results['datasets'][head]['label']} copy: "
                f"**{first['seconds']:.2f} s** (added {first.get('added', '?'):,}, already there {first.get('already_there', '?'):,}, "
                f"rejected {first['rejected']:,}); the same file again: {again['seconds']:.2f} s "
                f"(added {again.get('added', '?')}) — target < {IMPORT_TARGET_S:.0f} s: {_met(first['seconds'], IMPORT_TARGET_S)}."
            )
            if f.get("stages"):
                st = f["stages"]
                out.append(f"  - Stages, timed apart on a second file of fresh prospects: parse {st['parse']:.2f} s, "
                           f"plan (`plan_import`) {st['plan']:.2f} s, apply (`import_plan`) {st['apply']:.2f} s.")
            if f.get("whole_process"):
                w = f["whole_process"]
                runs = "; ".join(
                    f"{r['rows']:,} rows ({r['bytes'] / 2**20:.0f} MB): **{r['seconds']:.1f} s** wall, "
                    f"{r['cpu_s']:.1f} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB, added {r['added'] or 0:,}"
                    + (f", exit {r['exit']}: {r['output']}" if r["exit"] else "")
                    for r in w["runs"])
                out.append(f"  - `invite-hygiene import FILE --team T --user {w['member']}` as a whole process "
                           f"(startup, migration check, parse, store; a fresh copy of the data): {runs}.")
            if f.get("concurrent"):
                c = f["concurrent"]
                out.append(
                    f"  - Other requests during an import: another member logged an invite every 20 ms while "
                    f"{c['added']:,} fresh invites were imported ({c['import_seconds']:.2f} s): {c['writes']} writes, "
                    f"**{len(c['failures'])} failed**, median {c['during_ms']['median']:.0f} ms, p99 "
                    f"{c['during_ms']['p99']:.0f} ms, longest wait **{c['during_ms']['max']:.0f} ms** "
                    f"(before the import: median {c['baseline_ms']['median']:.0f} ms, max {c['baseline_ms']['max']:.0f} ms)."
                )
        out.append("")
    if results.get("http"):
        h = next(iter(results["http"].values()))
        out += ["## HTTP under load", "",
                f"`invite-hygiene serve --no-scheduler --threads {h['server_threads']}` on loopback against a copy of "
                f"{results['datasets'][results['http_dataset']]['label']}, {h['concurrency']} keep-alive client threads in "
                f"the benchmark process (on the same 2 cores) sending signed bodies (signed just before sending), a "
                f"mix of 30% `/invited`, 25% list, 20% stats, 15% help, 10% leaderboard; bounded at "
                f"{h['planned']:,} requests or {h['time_limit_s']:.0f} s. Peak RSS is the server's VmHWM. Members' "
                "Slack profiles are marked checked at the start (by the wall clock `serve` runs on), as the "
                "scheduler's weekly refresh keeps them: otherwise each member's first request would call "
                "`users.info`.", "",
                *http_table(results), ""]
    if results.get("workers"):
        h = next(iter(results["workers"].values()))
        out += ["## HTTP with workers", "",
                f"`invite-hygiene serve --workers {h['workers']} --no-scheduler --threads {h['server_threads']}` "
                f"(gunicorn, gthread workers) on the same data and mix, {h['concurrency']} keep-alive client threads. "
                "The load generator (client threads signing every body, and the fake Web API) runs in the benchmark "
                "process on the same cores: its CPU time over the measured load is in the last column, the "
                "server's (master and workers) beside it.", "",
                *workers_table(results), "", "Per command (p50 / p99 ms):", "",
                *per_command_table(results, results["workers"]), "",
                *[f"- error seen on {NAMES[b]}: {e}" for b, h in results["workers"].items() for e in h["error_examples"]]]
    for b in results["backends"]:
        out += [f"## Growth — {NAMES[b]}", "", *growth_table(results, b), ""]
    multi = results.get("multi")
    if multi:
        out += [f"## {results['datasets'][multi]['label']}", "",
                "The same totals spread over 20 workspaces with varied settings (withdraw_after_days, cooldown, "
                "warning levels, nudge hour, zone); commands act in the big and the small workspaces alike.", ""]
        for b in results["backends"]:
            cases = _get(results, b, multi, "commands")
            if cases:
                out += [f"### {NAMES[b]}", "", *commands_table(cases), ""]
    if results.get("scale"):
        multi_sweep = _get(results, "postgres", multi, "sweep") if multi else None
        from bench.scale import report_lines  # the 10x section keeps its targets beside its code

        out += report_lines(results["scale"], multi_sweep["statements"] if multi_sweep else None)
    out += ["## The data", "",
            "Seeded and deterministic (`bench/generate.py`): two years of history ending Wed 2026-11-18 14:00 UTC; "
            "members in 11 zones (and some unknown), tiers 60/30/10% free/premium/Sales Navigator; activity "
            "log-normal per member, a few hoarders who send thousands and never withdraw; per-member acceptance "
            "around 33% (+8 points with a note), accepted after a log-normal delay (median ~1.2 days, ~90% within a "
            "week); declines 4%; the rest withdrawn after 14–45 days by diligent members or expired by the sweep "
            "after 180 days; 12% of invites go to prospects teammates also invite; an audit event per creation and "
            "per status change; the delivery ledger holds a digest on most working days.", "",
            *dataset_lines(results), "",
            "## Heaviest SQL behind each figure", "",
            f"At {results['datasets'][head]['label']} (and the 20-workspace sweep): statements ranked by time "
            "(each replayed with its fetch, since SQLite does most of its work while fetching), with "
            "`EXPLAIN QUERY PLAN` (SQLite) or `EXPLAIN (ANALYZE, BUFFERS)` (PostgreSQL).", "",
            *heaviest_section(results)]
    return "\n".join(out) + "\n"


def write(results: dict[str, Any], path: Path) -> None:
    """Write RESULTS.md."""
    path.write_text(render(results))


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else Path("bench/RESULTS.md")
    write(json.loads(source.read_text()), target)
