"""`serve --workers N`: the same WSGI app in N processes under gunicorn's threaded (gthread) workers.

Why gunicorn with gthread: one Python process runs Python code on one core at a time (the GIL),
so using every core takes processes; waitress has only threads. gunicorn's master forks the
workers, restarts one that dies and shuts them all down on SIGTERM. Its gthread worker gives each
process a thread pool: a request spends much of its time waiting on the database or on Slack's
Web API, and threads overlap those waits as waitress's do. gevent or eventlet workers would need
monkey-patching under psycopg and slack_sdk; the sync worker serves one request at a time.

Each worker builds its own app and database pool after the fork (nothing is preloaded in the
master: a pooled connection must never be shared by two processes). The master migrates the
database once before forking and, unless told not to, starts the nudge scheduler as one child
process (`invite-hygiene scheduler`): cycles run in one place, however many workers there are.
Metrics of every worker and of that scheduler meet in PROMETHEUS_MULTIPROC_DIR (bot/metrics.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from bot import metrics
from bot.config import Settings

log = logging.getLogger("bot.workers")

# Slack retries a request it has no answer to after 3 s; a worker stuck far longer is restarted.
WORKER_TIMEOUT_S = 60
# Keep-alive from Slack's side and from a proxy in front: reuse connections between requests.
KEEPALIVE_S = 5
# A scheduler child that exits is started again, at most this often.
SCHEDULER_RESTART_S = 10.0


@dataclass(frozen=True)
class WorkerOptions:
    """How `serve --workers` runs."""

    host: str
    port: int
    workers: int
    threads: int
    scheduler: bool
    log_json: bool = False


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class _Server(BaseApplication):
    """gunicorn, configured in code: no config file, no preloading."""

    def __init__(self, settings: Settings, options: WorkerOptions) -> None:
        self.settings = settings
        self.options = options
        self.scheduler: subprocess.Popen | None = None
        self.scheduler_started = 0.0
        super().__init__()

    def load_config(self) -> None:
        options = self.options
        values: dict[str, Any] = {
            "bind": [f"{options.host}:{options.port}"],
            "workers": options.workers,
            "worker_class": "gthread",
            "threads": options.threads,
            "timeout": WORKER_TIMEOUT_S,
            "graceful_timeout": 10,
            "keepalive": KEEPALIVE_S,
            "preload_app": False,
            "proc_name": "invite-hygiene",
            "loglevel": self.settings.log_level.lower(),
            "errorlog": "-",
            "accesslog": None,  # bot.web logs one line per request, without the user's text
            "when_ready": self._when_ready,
            "child_exit": self._child_exit,
            "on_exit": self._on_exit,
        }
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 24+ opens a control socket at one path per user ($HOME/.gunicorn): two
            # servers on a box would fight over it, and nothing here uses it.
            values["control_socket_disable"] = True
        for key, value in values.items():
            self.cfg.set(key, value)

    def run(self) -> None:
        _Master(self).run()

    def load(self) -> Any:
        """In each worker, after the fork: its own app, database pool and metrics."""
        from bot.bootstrap import build, freeze_startup_objects
        from bot.web import WebApp

        runtime = build(self.settings, migrate=False)  # the master migrated before forking
        web = WebApp(runtime.app(), runtime.db)
        freeze_startup_objects()
        return web

    # ---- hooks (run in the master) ------------------------------------------------------------

    def _when_ready(self, _arbiter: Any) -> None:
        log.info("listening on http://%s:%d with %d workers of %d threads (POST /slack/events, GET /healthz, "
                 "GET /metrics)", self.options.host, self.options.port, self.options.workers, self.options.threads)
        if self.options.scheduler:
            self.start_scheduler()

    def start_scheduler(self) -> None:
        """The nudge scheduler as one child process (`invite-hygiene scheduler`, same environment)."""
        command = [sys.executable, "-m", "bot.cli", *(["--log-json"] if self.options.log_json else []), "scheduler"]
        self.scheduler = subprocess.Popen(command)
        self.scheduler_started = time.monotonic()
        log.info("nudge scheduler started as process %d", self.scheduler.pid)

    def check_scheduler(self) -> None:
        """Start the scheduler again when it has exited (the master's loop calls this every second)."""
        if self.scheduler is None or self.scheduler.poll() is None:
            return
        if time.monotonic() - self.scheduler_started < SCHEDULER_RESTART_S:
            return
        log.warning("nudge scheduler (process %d) exited with %s; starting it again", self.scheduler.pid,
                    self.scheduler.returncode)
        self.start_scheduler()

    @staticmethod
    def _child_exit(_arbiter: Any, worker: Any) -> None:
        metrics.process_exited(worker.pid)

    def _on_exit(self, _arbiter: Any) -> None:
        if self.scheduler is not None and self.scheduler.poll() is None:
            self.scheduler.send_signal(signal.SIGTERM)
            try:
                self.scheduler.wait(10)
            except subprocess.TimeoutExpired:
                self.scheduler.kill()
                self.scheduler.wait(5)


class _Master(Arbiter):
    """gunicorn's master, which also keeps the one scheduler child running."""

    def manage_workers(self) -> None:
        super().manage_workers()
        self.app.check_scheduler()


def serve_workers(settings: Settings, options: WorkerOptions) -> None:
    """Run gunicorn until SIGTERM or SIGINT; the metrics directory is made (or emptied) first."""
    own_dir = None
    configured = os.environ.get(metrics.MULTIPROC_ENV)
    if configured:
        metrics.prepare_multiprocess_dir(configured)
    else:
        own_dir = tempfile.mkdtemp(prefix="invite-hygiene-metrics-")
        metrics.prepare_multiprocess_dir(own_dir)
    try:
        _Server(settings, options).run()
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)
