"""Before/after on this box: the same command cases, from two checkouts, on fresh copies of the same data.

    python bench/ab.py --before 26123f2 [--after .] [--backend sqlite|postgres] [--rounds 100]
                       [--cases "floor,/invited,/invites list,/invites stats,/invites leaderboard"]

The full run's figures cannot be compared across sessions (the machine changes between them: see
NOTES.md), so "before" is measured here and now. Each checkout runs in its own process with its own
`bench.commands` (the cases as that version defined them), on a new copy of the cached 1M template
(`make bench` builds it), both at once and taking turns round by round (one runs while the other
waits), twice. Each call is followed by a pause long enough for work it
left running in the background (an alert check) to finish, so no case carries another's work: these
are the commands' own times, not the mix's. Prints median / p99 ms per case and checkout.

A commit given as `--before` is checked out as a git worktree under bench/data/ (kept for reuse).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
TEMPLATE = "m1000_i1000000_w1_g1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CASES = "floor,/invited,/invites list,/invites stats,/invites leaderboard"
WARMUP = 25
PAUSE_S = 0.04


def _copy(backend: str, tag: str):
    """A fresh copy of the cached template: its URL and a function that drops it."""
    if backend == "sqlite":
        source, target = DATA / f"{TEMPLATE}.sqlite3", DATA / f"ab-{tag}.sqlite3"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}", lambda: [Path(f"{target}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")]
    import psycopg

    name = f"ihb_ab_{tag}"

    def admin(statement: str) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(statement)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}" TEMPLATE "ihb_{TEMPLATE}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def child(backend: str, tag: str, names: list[str]) -> None:
    """Runs inside the checkout under test (its `bench` and `bot` on PYTHONPATH), one round per line read.

    The parent sends a round number per line and waits for "ok" before it sends the other checkout its
    round: the two take turns call for call, so a slower minute of the box falls on both alike.
    "end" asks for the figures, one JSON line.
    """
    os.environ["CHARTS_ENABLED"] = "false"
    from bench import commands
    from bench.generate import Spec, popular_prospects
    from bot.db.engine import Database
    from tests.support.fake_slack import FakeSlack

    url, drop = _copy(backend, tag)
    try:
        db = Database.from_url(url)
        fake = FakeSlack().start()
        app = commands.make_app(db, fake)
        cases = commands.cases(app, fake, db, commands.actors(db), tag=tag,
                               popular=popular_prospects(Spec(1000, 1_000_000)))
        chosen = [c for c in cases if any(c.name.startswith(n) for n in names)]
        times: dict[str, list[float]] = {c.name: [] for c in chosen}
        rng = random.Random(5)
        # AB_PROFILE=<dir>: each checkout's calls under cProfile, dumped there (times then include its cost).
        profile = cProfile.Profile() if os.environ.get("AB_PROFILE") else None
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() == "end":
                break
            i = int(line)
            order = list(chosen)
            rng.shuffle(order)
            for case in order:
                call = case.build(i)
                started = time.perf_counter()
                outcome = profile.runcall(call) if profile is not None and i >= WARMUP else call()
                elapsed = time.perf_counter() - started
                verdict = case.check(outcome)
                if verdict != "ok":
                    print(f"{case.name}: {verdict}", file=sys.stderr)
                time.sleep(PAUSE_S)
                if i >= WARMUP:
                    times[case.name].append(elapsed * 1000)
            print("ok", flush=True)
        if profile is not None:
            profile.dump_stats(Path(os.environ["AB_PROFILE"]) / f"{tag}.prof")
        result = {name: {"median": statistics.median(t), "p99": _percentile(t, 0.99)} for name, t in times.items() if t}
        print(json.dumps(result), flush=True)
    finally:
        drop()


def _checkout(ref: str) -> Path:
    """A path as given, or a commit checked out (once) as a worktree under bench/data."""
    if Path(ref).is_dir():
        return Path(ref).resolve()
    sha = subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "--short", ref], text=True).strip()
    path = DATA / f"ab-tree-{sha}"
    if not path.exists():
        subprocess.check_call(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), sha])
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a commit or a checkout directory (required)")
    parser.add_argument("--after", default=str(ROOT), help="a commit or a checkout directory (default: this one)")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--cases", default=CASES, help="comma-separated prefixes of bench.commands case names")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="x", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = args.cases.split(",")
    if args.child:
        # Run as a script, this file's folder leads sys.path: drop it, so `bench` is the checkout's.
        here = Path(__file__).resolve().parent
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
        child(args.backend, args.tag, names)
        return
    if not args.before:
        parser.error("--before is required")
    trees = {"before": _checkout(args.before), "after": _checkout(args.after)}
    found: dict[str, list[dict]] = {"before": [], "after": []}
    for rep in (1, 2):
        children = {}
        for label, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree)}
            children[label] = subprocess.Popen(
                [sys.executable, __file__, "--child", "--backend", args.backend, "--cases", args.cases,
                 "--tag", f"{label}{rep}"],
                cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
        for label, proc in children.items():
            _expect(proc, "ready", label, trees[label])
        for i in range(WARMUP + args.rounds):
            # Turns alternate who goes first, so neither always follows the other's background work.
            for label in (("before", "after") if i % 2 == 0 else ("after", "before")):
                proc = children[label]
                proc.stdin.write(f"{i}\n")
                proc.stdin.flush()
                _expect(proc, "ok", label, trees[label])
        for label, proc in children.items():
            proc.stdin.write("end\n")
            proc.stdin.flush()
            found[label].append(json.loads(proc.stdout.readline()))
            proc.wait()
    print(f"{args.backend}, {args.rounds} rounds x 2 each, calls interleaved, median / p99 ms "
          f"(before = {args.before}, after = {args.after})")
    print("| case | before | after |\n|---|---:|---:|")
    for name in found["before"][0]:
        cells = []
        for label in ("before", "after"):
            runs = [r[name] for r in found[label] if name in r]
            cells.append(" · ".join(f"{r['median']:.2f} / {r['p99']:.1f}" for r in runs) if runs else "–")
        print(f"| {name} | {cells[0]} | {cells[1]} |")


def _expect(proc: subprocess.Popen, word: str, label: str, tree: Path) -> None:
    line = proc.stdout.readline().strip()
    if line != word:
        proc.kill()
        sys.exit(f"{label} ({tree}) stopped (said {line!r} instead of {word!r}); its errors are above")


if __name__ == "__main__":
    main()
