"""APScheduler in each process (jobs in memory); the processes share each cycle, the ledger makes it exactly-once.

Every scheduler (`scheduler`, or `serve`/`socket` with theirs) fires on the epoch's grid of
SWEEP_INTERVAL_SECONDS, so the cycles of several processes start together and fall in one slot;
they split its members by claiming shards (bot.services.cycle_claims) instead of each planning
every member.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.services.members import refresh_profiles
from bot.services.sweep import CycleReport, run_cycle, run_shared_cycle
from bot.slack.deps import profile_lookup
from bot.slack.outbound import TokenSource, channel_sender, digest_updater, make_client, marker, slack_sender

log = logging.getLogger("bot.scheduler")

# users.info is Tier 4 (100+ a minute); a few dozen a cycle keeps every zone under a week old.
PROFILE_REFRESH_BATCH = 50


def cycle_runner(settings: Settings, db: Database, clock: Clock, tokens: TokenSource) -> Callable[..., CycleReport]:
    """A function running one nudge cycle (as of the clock, or of `now`)."""
    send = slack_sender(settings, db, tokens, clock)
    mark = marker(db)
    post = channel_sender(settings, tokens, db=db, clock=clock)
    update_digest = digest_updater(settings, tokens)

    def lookup_for_team(team_id: str):
        token = tokens(team_id)
        return profile_lookup(make_client(settings, token)) if token else None

    def run(*, now: datetime | None = None, team_id: str | None = None, dry_run: bool = False) -> CycleReport:
        now = now or clock.now()
        with metrics.timed_cycle(db.engine):
            if not dry_run:
                # Zones change (travel, moves): keep them fresh for members who only read digests.
                refresh_profiles(db, now=now, lookup_for_team=lookup_for_team, limit=PROFILE_REFRESH_BATCH)
            return run_cycle(db, now=now, send=send, team_id=team_id, dry_run=dry_run, mark_undeliverable=mark,
                             send_to_channel=post, update_digest=update_digest)

    return run


def holder_name() -> str:
    """Who holds a shard, as the claims table shows it: host, process id, and a nonce (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def shared_cycle_runner(settings: Settings, db: Database, clock: Clock, tokens: TokenSource,
                        holder: str | None = None) -> Callable[[], CycleReport]:
    """A function running this process's share of the cycle of the clock's current interval."""
    send = slack_sender(settings, db, tokens, clock)
    mark = marker(db)
    post = channel_sender(settings, tokens, db=db, clock=clock)  # the weekly digest's chart needs both
    update_digest = digest_updater(settings, tokens)
    holder = holder or holder_name()
    interval = timedelta(seconds=settings.sweep_interval_seconds)

    def lookup_for_team(team_id: str):
        token = tokens(team_id)
        return profile_lookup(make_client(settings, token)) if token else None

    def run() -> CycleReport:
        now = clock.now()
        with metrics.timed_cycle(db.engine):  # this process's share: its duration and statements
            return run_shared_cycle(
                db, now=now, interval=interval, holder=holder, per_shard=settings.cycle_shard_members, send=send,
                wall=clock.now, mark_undeliverable=mark, send_to_channel=post, update_digest=update_digest,
                # Once a cycle, by the holder of shard 0: zones change (travel, moves), keep them fresh.
                chores=lambda: refresh_profiles(db, now=now, lookup_for_team=lookup_for_team,
                                                limit=PROFILE_REFRESH_BATCH),
            )

    return run


def _job(run: Callable[..., CycleReport]) -> Callable[[], None]:
    def job() -> None:
        try:
            report = run()
            if report.sent or report.failed or report.expired:
                log.info("cycle: shards=%s sent=%d failed=%d expired=%d", ",".join(map(str, report.shards)) or "-",
                         len(report.sent), len(report.failed), report.expired)
        except Exception:  # a failed cycle must not stop the scheduler; the next one retries
            log.exception("nudge cycle failed; retrying at the next interval")

    return job


def start_background(settings: Settings, db: Database, clock: Clock, tokens: TokenSource) -> BackgroundScheduler:
    """Run cycles every SWEEP_INTERVAL_SECONDS in a background thread (serve, socket)."""
    metrics.enable()
    scheduler = BackgroundScheduler(timezone="UTC")
    _add(scheduler, settings, db, clock, tokens)
    scheduler.start()
    return scheduler


def run_blocking(settings: Settings, db: Database, clock: Clock, tokens: TokenSource) -> None:
    """Run cycles in the foreground until interrupted (`invite-hygiene scheduler`)."""
    metrics.enable()
    scheduler = BlockingScheduler(timezone="UTC")
    _add(scheduler, settings, db, clock, tokens)
    log.info("scheduler running a nudge cycle every %ds", settings.sweep_interval_seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def _add(scheduler, settings: Settings, db: Database, clock: Clock, tokens: TokenSource) -> None:
    scheduler.add_job(
        _job(shared_cycle_runner(settings, db, clock, tokens)),
        # On the epoch's grid, so the cycles of every scheduler process start together (one slot).
        IntervalTrigger(seconds=settings.sweep_interval_seconds, start_date=datetime(1970, 1, 1, tzinfo=UTC),
                        timezone="UTC"),
        id="nudge-cycle",
        next_run_time=datetime.now().astimezone(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=settings.sweep_interval_seconds,
    )
