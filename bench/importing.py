"""Import: a 50,000-row Invitations.csv parsed, and imported for one member when the service exists."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import DATA_DIR, NOW
from bench.generate import FIRST, LAST, slug
from bot.db.engine import Database
from bot.db.models import Invite, Member
from bot.importing.linkedin import parse_upload
from bot.services.members import identify

HEADER = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"
ENTRY_POINTS = ("import_upload", "import_file", "import_export")


def invitations_csv(
    rows: int, *, member_name: str, member_slug: str, known: list[str], seed: int = 5, first_prospect: int = 10_000_000
) -> bytes:
    """LinkedIn's 7-column Invitations.csv: mostly outgoing, some with a message, some prospects already known.

    New prospects are numbered from `first_prospect`: files with different numbers share none."""
    rng = random.Random(seed)
    lines = [HEADER]
    me = f"https://www.linkedin.com/in/{member_slug}"
    # Each already-known prospect appears once, at a random row: an export lists an invite once.
    again = dict(zip(rng.sample(range(rows), min(len(known), rows // 5)), known, strict=False))
    for i in range(rows):
        sent = NOW - timedelta(minutes=rng.randrange(60, 700 * 24 * 60))
        hour = sent.hour % 12 or 12
        stamp = f'"{sent.month}/{sent.day}/{sent.year % 100:02d}, {hour}:{sent.minute:02d} {"AM" if sent.hour < 12 else "PM"}"'
        if i in again:
            prospect_url = f"https://www.linkedin.com/in/{again[i]}"
        else:
            prospect_url = f"https://www.linkedin.com/in/{slug(first_prospect + i)}"
        other = f"{FIRST[i % 32]} {LAST[(i // 32) % 30]}"
        message = '"Hi, loved your talk on pricing, ""let\'s connect"""' if rng.random() < 0.1 else ""
        if rng.random() < 0.1:
            lines.append(f"{other},{member_name},{stamp},{message},INCOMING,{prospect_url},{me}")
        else:
            lines.append(f"{member_name},{other},{stamp},{message},OUTGOING,{me},{prospect_url}")
    return ("\n".join(lines) + "\n").encode()


def import_entry() -> tuple[str, Callable[..., Any]] | None:
    """The import service's entry point when `bot/services/importing.py` exists (names may vary)."""
    try:
        module = importlib.import_module("bot.services.importing")
    except ImportError:
        return None
    for name in ENTRY_POINTS:
        function = getattr(module, name, None)
        if callable(function):
            return f"bot.services.importing.{name}", function
    return None


def _call(function: Callable[..., Any], **available: Any) -> Any:
    """Call with the arguments it names among those available (filename, data, db, actor, now, …)."""
    signature = inspect.signature(function)
    missing = [p.name for p in signature.parameters.values()
               if p.default is inspect.Parameter.empty and p.name not in available]
    if missing:
        raise TypeError(f"cannot supply {missing} to {function.__name__}{signature}")
    return function(**{k: v for k, v in available.items() if k in signature.parameters})


def busiest_member(db: Database) -> tuple[str, str, list[str]]:
    """The team and user id of the member with most invites, and some of their prospect slugs."""
    with db.session(write=False) as session:
        member_id, team_id, user_id = session.execute(
            select(Member.id, Member.team_id, Member.user_id)
            .join(Invite, Invite.member_id == Member.id)
            .group_by(Member.id, Member.team_id, Member.user_id)
            .order_by(func.count(Invite.id).desc())
            .limit(1)
        ).one()
        keys = session.scalars(
            select(Invite.prospect_key).where(Invite.member_id == member_id, Invite.prospect_key.like("in:%")).limit(3000)
        ).all()
    return team_id, user_id, [k.removeprefix("in:") for k in keys]


def parse(rows: int, *, repeats: int = 3) -> tuple[dict[str, Any], bytes]:
    """Time `parse_upload` on a generated file; returns the figures and the file."""
    data = invitations_csv(rows, member_name="Bench Member", member_slug="bench-member", known=[])
    (DATA_DIR / f"Invitations-{rows}.csv").write_bytes(data)
    times = []
    parsed = None
    for _ in range(repeats):
        started = time.perf_counter()
        parsed = parse_upload("Invitations.csv", data)
        times.append(time.perf_counter() - started)
    assert parsed is not None
    return {
        "rows": rows, "bytes": len(data), "seconds": statistics.median(times), "repeats": repeats,
        "parsed": len(parsed.invitations), "rejected": len(parsed.rejected),
    }, data


def full_import(db: Database, rows: int) -> dict[str, Any]:
    """Import a file for the busiest member through the service, then again (must change nothing)."""
    entry = import_entry()
    if entry is None:
        return {"available": False, "note": "bot/services/importing.py has no import entry point yet"}
    name, function = entry
    team_id, user_id, known = busiest_member(db)
    data = invitations_csv(rows, member_name="Bench Member", member_slug="bench-member", known=known)
    actor = identify(db, team_id=team_id, user_id=user_id, now=NOW)
    figures: dict[str, Any] = {"available": True, "entry": name, "rows": rows, "member": user_id,
                               "known_prospects": len(known)}
    for attempt in ("first", "again"):
        started = time.perf_counter()
        summary = _call(function, db=db, actor=actor, filename="Invitations.csv", data=data, now=NOW, dry_run=False)
        seconds = time.perf_counter() - started
        figures[attempt] = {
            "seconds": seconds,
            **{k: getattr(summary, k) for k in ("added", "already_there", "accepted", "incoming_skipped")
               if isinstance(getattr(summary, k, None), int)},
            "rejected": len(getattr(summary, "rejected", []) or []),
        }
    figures["stages"] = _stages(db, actor, rows)
    figures["concurrent"] = writes_during_import(db, actor, rows)
    return figures


def writes_during_import(db: Database, actor: Any, rows: int) -> dict[str, Any] | None:
    """Does an import keep other requests waiting? Another member logs an invite every 20 ms
    (`log_invites`, what `/invited` runs) before and while a file of fresh prospects is imported;
    each write's wall time and every failure are recorded."""
    module = importlib.import_module("bot.services.importing")
    import_upload = getattr(module, "import_upload", None)
    if not callable(import_upload):
        return None
    from bot.domain.commands import LogRequest, SentSpec
    from bot.domain.invites import Priority
    from bot.domain.prospect import prospect_from_url
    from bot.services.invites import log_invites

    with db.session(write=False) as session:
        other_user = session.scalar(
            select(Member.user_id).where(Member.team_id == actor.team_id, Member.id != actor.member_id).limit(1)
        )
    other = identify(db, team_id=actor.team_id, user_id=other_user, now=NOW)
    data = invitations_csv(rows, member_name="Bench Member", member_slug="bench-member", known=[], seed=13, first_prospect=30_000_000)
    counter = iter(range(10**9))

    def write_for(seconds: float) -> tuple[list[float], list[str]]:
        times, failures = [], []
        ends = time.perf_counter() + seconds
        while time.perf_counter() < ends and not done.is_set():
            url = f"https://www.linkedin.com/in/bench-concurrent-{next(counter)}"
            request = LogRequest((prospect_from_url(url),), None, None, None, SentSpec(), Priority.NORMAL, False)
            started = time.perf_counter()
            try:
                log_invites(db, other, request, now=NOW)
            except Exception as error:  # noqa: BLE001 - a failed write is the finding
                failures.append(type(error).__name__)
            times.append(time.perf_counter() - started)
            time.sleep(0.02)
        return times, failures

    done = threading.Event()
    baseline, _ = write_for(2.0)
    during: dict[str, Any] = {}

    def writer() -> None:
        during["times"], during["failures"] = write_for(600)

    thread = threading.Thread(target=writer)
    thread.start()
    started = time.perf_counter()
    try:
        summary = import_upload(db=db, actor=actor, filename="Invitations.csv", data=data, now=NOW)
    finally:
        seconds = time.perf_counter() - started
        done.set()
        thread.join()
    times = sorted(during["times"])
    return {
        "import_seconds": seconds, "added": summary.added,
        "baseline_ms": {"median": statistics.median(baseline) * 1000, "max": max(baseline) * 1000},
        "writes": len(times), "failures": during["failures"],
        "during_ms": {"median": statistics.median(times) * 1000,
                      "p99": times[max(0, -(-len(times) * 99 // 100) - 1)] * 1000, "max": times[-1] * 1000},
    }


def _stages(db: Database, actor: Any, rows: int) -> dict[str, float] | None:
    """Parse, plan and apply timed apart on another file, when the service exposes those stages."""
    module = importlib.import_module("bot.services.importing")
    plan_import, import_plan = getattr(module, "plan_import", None), getattr(module, "import_plan", None)
    if not (callable(plan_import) and callable(import_plan)):
        return None
    data = invitations_csv(rows, member_name="Bench Member", member_slug="bench-member", known=[], seed=9, first_prospect=20_000_000)
    started = time.perf_counter()
    parsed = parse_upload("Invitations.csv", data)
    parsed_at = time.perf_counter()
    try:
        plan = _call(plan_import, parsed=parsed, tz=actor.tz, now=NOW, cooldown_days=actor.settings.resend_cooldown_days)
        planned_at = time.perf_counter()
        _call(import_plan, db=db, actor=actor, plan=plan, now=NOW, dry_run=False)
    except TypeError:
        return None
    done = time.perf_counter()
    return {"parse": parsed_at - started, "plan": planned_at - parsed_at, "apply": done - planned_at}


# Runs the command from a small process and reports its wall time and its own rusage: a child
# forked straight from this (large) process would count this process's pages in its peak RSS.
_TIMED = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "exit": code, "peak_rss_mb": usage.ru_maxrss / 1024,
               "cpu_s": usage.ru_utime + usage.ru_stime}, out)
"""


def whole_process(url: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    """`invite-hygiene import FILE` as an operator runs it, one process per file, startup included.

    For the busiest member (as `full_import`), into the database at `url`: one file of each size,
    each of fresh prospects plus some already known. Wall time from spawn to exit, and the
    child's own peak RSS and CPU time (`wait4`'s rusage of that one process)."""
    db = Database.from_url(url)
    try:
        team_id, user_id, known = busiest_member(db)
    finally:
        db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    script = Path(sys.executable).parent / "invite-hygiene"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    out: dict[str, Any] = {"member": user_id, "known_prospects": len(known), "runs": []}
    for n, rows in enumerate(sizes):
        data = invitations_csv(rows, member_name="Bench Member", member_slug="bench-member", known=known,
                               seed=21 + n, first_prospect=40_000_000 + n * 1_000_000)
        path = DATA_DIR / f"Invitations-cli-{rows}.csv"
        path.write_bytes(data)
        log_path, figures_path = DATA_DIR / f"import-cli-{rows}.log", DATA_DIR / f"import-cli-{rows}.json"
        with log_path.open("w") as log_file:
            subprocess.run([sys.executable, "-c", _TIMED, str(figures_path), *command, "import", str(path),
                            "--team", team_id, "--user", user_id],
                           env=env, cwd=DATA_DIR, stdout=log_file, stderr=subprocess.STDOUT, check=False, timeout=900)
        figures = json.loads(figures_path.read_text())
        text = log_path.read_text()
        added = re.search(r"([\d,]+) invites? added", text)
        out["runs"].append({
            "rows": rows, "bytes": len(data), **figures,
            "added": int(added.group(1).replace(",", "")) if added else None,
            "output": text[-300:] if figures["exit"] else "",
        })
        figures_path.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return out
