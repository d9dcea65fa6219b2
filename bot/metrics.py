"""Prometheus metrics: requests, deliveries, nudge cycles, database errors, import rows.

The official `prometheus_client` library. A process records only once `enable()` has been called
(serve, socket, scheduler): a CLI command such as `import` neither imports the library nor pays
for it. With several worker processes (`serve --workers N`) every process writes its samples to
files under PROMETHEUS_MULTIPROC_DIR (the library's multiprocess mode, chosen by that variable
before the library is first imported) and `GET /metrics` of any worker adds them all up.

Label values are drawn from small fixed sets (request kinds, outcomes, message kinds, exception
class names): never a team, user, channel or prospect, and never a secret.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "invite_hygiene"
REQUEST_KINDS = ("command", "action", "view", "event", "oauth", "other")
# Slack answers within 3 s or the user sees an error: the buckets are dense below that.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
CYCLE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
STATEMENT_BUCKETS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)

_lock = threading.Lock()
_metrics: _Metrics | None = None
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()
_counting = threading.local()


class _Metrics:
    """The process's metric objects (one set a process; in multiprocess mode backed by files)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.requests = Counter(f"{PREFIX}_requests", "Slack requests answered, by kind and outcome",
                                ["kind", "outcome"])
        self.request_seconds = Histogram(f"{PREFIX}_request_seconds", "Time to answer a Slack request",
                                         ["kind", "outcome"], buckets=LATENCY_BUCKETS)
        self.deliveries = Counter(f"{PREFIX}_deliveries", "Messages the bot delivered (or failed to), by kind",
                                  ["kind", "outcome"])
        self.cycle_seconds = Histogram(f"{PREFIX}_nudge_cycle_seconds", "Duration of one nudge cycle",
                                       buckets=CYCLE_BUCKETS)
        self.cycle_statements = Histogram(f"{PREFIX}_nudge_cycle_statements", "SQL statements of one nudge cycle",
                                          buckets=STATEMENT_BUCKETS)
        self.cycle_failures = Counter(f"{PREFIX}_nudge_cycle_failures", "Nudge cycles that raised")
        self.db_errors = Counter(f"{PREFIX}_database_errors", "Database errors, by exception class", ["error"])
        self.import_rows = Counter(f"{PREFIX}_import_rows", "LinkedIn export rows imported, by outcome",
                                   ["outcome"])


def enable() -> None:
    """Start recording in this process (idempotent)."""
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = _Metrics()


def enabled() -> bool:
    """True when this process records metrics."""
    return _metrics is not None


def multiprocess() -> bool:
    """True when samples go to files shared by several processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_multiprocess_dir(path: str) -> None:
    """Make PROMETHEUS_MULTIPROC_DIR empty and current, before any process of the server records.

    The library's rule: the directory is wiped between runs, or counts of the last run add up."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
    os.environ[MULTIPROC_ENV] = path


def process_exited(pid: int) -> None:
    """A worker process is gone: drop its live-only samples (the server's child_exit hook)."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(pid)


def exposition() -> tuple[bytes, str]:
    """The text format of every metric (of every process in multiprocess mode) and its content type."""
    enable()
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_http(*, host: str, port: int) -> None:
    """GET /metrics on its own port in a background thread (`scheduler --metrics-port`)."""
    enable()
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    registry = REGISTRY
    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)


# ---- recording (each a no-op in a process that has not enabled metrics) ---------------------


def request_kind(body: dict[str, Any]) -> str:
    """Which of REQUEST_KINDS a Slack request to /slack/events is (OAuth pages are counted as "oauth")."""
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind in {"block_actions", "shortcut", "message_action", "block_suggestion", "interactive_message"}:
        return "action"
    if kind in {"view_submission", "view_closed"}:
        return "view"
    if kind in {"event_callback", "url_verification", "app_rate_limited"}:
        return "event"
    return "other"


def request(kind: str, outcome: str, seconds: float) -> None:
    """One answered request."""
    if _metrics is not None:
        _metrics.requests.labels(kind, outcome).inc()
        _metrics.request_seconds.labels(kind, outcome).observe(seconds)


def delivery(kind: str, outcome: str) -> None:
    """One delivery attempt's outcome (sent, failed, skipped)."""
    if _metrics is not None:
        _metrics.deliveries.labels(str(kind), outcome).inc()


def database_error(error: BaseException) -> None:
    """One failed database call."""
    if _metrics is not None:
        _metrics.db_errors.labels(type(error).__name__).inc()


def import_rows(**counts: int) -> None:
    """Rows of one import, by outcome (added, already_there, rejected, incoming_skipped)."""
    if _metrics is not None:
        for outcome, count in counts.items():
            if count:
                _metrics.import_rows.labels(outcome).inc(count)


def watch(engine: Engine) -> None:
    """Count this engine's failed statements and connections, and let cycles count its statements."""
    with _lock:
        if engine in _watched:
            return
        _watched.add(engine)

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:
        database_error(context.original_exception)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(*_args) -> None:
        box = getattr(_counting, "box", None)
        if box is not None:
            box[0] += 1


@contextmanager
def timed_cycle(engine: Engine) -> Iterator[None]:
    """Time one nudge cycle and count its statements (those run by this thread on `engine`)."""
    if _metrics is None:
        yield
        return
    watch(engine)
    box = [0]
    _counting.box = box
    started = time.perf_counter()
    try:
        yield
    except Exception:
        _metrics.cycle_failures.inc()
        raise
    finally:
        _counting.box = None
    _metrics.cycle_seconds.observe(time.perf_counter() - started)
    _metrics.cycle_statements.observe(box[0])
