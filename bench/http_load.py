"""HTTP under load: `invite-hygiene serve` on loopback, driven by client threads with signed bodies."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cases import Actor, picker
from bench.commands import BROKEN, FORM
from bench.common import DATA_DIR, Latency
from tests.support.fake_slack import FakeSlack
from tests.support.harness import Answer
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, command_body, sign

# The mix of a working day: mostly logging and looking at one's own pile.
MIX: tuple[tuple[str, str, float], ...] = (
    ("/invited <url>", "/invited", 0.30),
    ("/invites list", "/invites list", 0.25),
    ("/invites stats", "/invites stats", 0.20),
    ("/invites help", "/invites help", 0.15),
    ("/invites leaderboard", "/invites leaderboard", 0.10),
)


@dataclass
class Server:
    """A running `invite-hygiene serve` process."""

    process: subprocess.Popen
    port: int
    log_path: Path

    def pids(self) -> list[int]:
        """The server process and every process below it (gunicorn's workers)."""
        children: dict[int, list[int]] = defaultdict(list)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                children[int(stat.read_text().rsplit(")", 1)[1].split()[1])].append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def status(self) -> dict[str, int]:
        """VmHWM and VmRSS (kB): the largest process's, and VmRSS summed over all of them, from /proc."""
        values = {"VmHWM": 0, "VmRSS": 0, "total_rss": 0}
        for pid in self.pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                key, _, rest = line.partition(":")
                if key in {"VmHWM", "VmRSS"}:
                    values[key] = max(values[key], int(rest.split()[0]))
                if key == "VmRSS":
                    values["total_rss"] += int(rest.split()[0])
        return values

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server's processes have used."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database (its process title names it), by pid.

    Empty for SQLite (the database work is in the server's own processes)."""
    if not database_url.startswith("postgresql"):
        return {}
    name = database_url.rsplit("/", 1)[1].split("?")[0]
    found = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {name} " in title:
                found[int(cmdline.parent.name)] = _cpu_of(int(cmdline.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "invite-hygiene"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def start_server(database_url: str, fake: FakeSlack, *, threads: int, tag: str, workers: int | None = None) -> Server:
    """Start serve --no-scheduler (with --workers N when given) on a free loopback port; wait for /healthz."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k != "DATABASE_URL"}
    env.update({
        # Charts (once a member a day, in the background) would all fall in these seconds: see bench/charts.py.
        "CHARTS_ENABLED": "false",
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": database_url, "PORT": str(port), "LOG_LEVEL": "WARNING",
    })
    log_path = DATA_DIR / f"serve-{tag}.log"
    process = subprocess.Popen(
        [*_console_script(), "serve", "--no-scheduler", "--host", "127.0.0.1", "--threads", str(threads),
         *(["--workers", str(workers)] if workers else [])],
        env=env, cwd=DATA_DIR, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"serve did not answer /healthz: {log_path.read_text()[-2000:]}")


@dataclass
class Tally:
    """What the clients saw, shared between threads under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_command: dict[str, Latency] = field(default_factory=lambda: defaultdict(Latency))
    all: Latency = field(default_factory=Latency)
    errors: list[str] = field(default_factory=list)

    def record(self, name: str, seconds: float, problem: str | None) -> None:
        """One finished request."""
        with self.lock:
            self.by_command[name].add(seconds)
            self.all.add(seconds)
            if problem:
                self.errors.append(f"{name}: {problem}")


def _requests(people: list[Actor], tag: str) -> Callable[[int], tuple[str, str, str, Actor]]:
    """Request `i` of the mix: (label, command, text, actor), deterministic in `i`."""
    rng = random.Random(17)
    labels = rng.choices(MIX, weights=[w for _, _, w in MIX], k=50_000)
    who = picker(people, 21)

    def request(i: int) -> tuple[str, str, str, Actor]:
        label, spec, _ = labels[i % len(labels)]
        command, _, text = spec.partition(" ")
        if command == "/invited":
            text = f"https://www.linkedin.com/in/load-{tag}-{i}"
        return label, command, text, who(i)

    return request


def _problem(status: int, raw: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return "not JSON"
    text = Answer(status, data).text
    if any(b in text for b in BROKEN):
        return f"error reply: {text[:120]}"
    return None


def drive(port: int, people: list[Actor], fake: FakeSlack, *, tag: str, requests: int, seconds: float,
          concurrency: int, start: int = 0) -> tuple[Tally, float]:
    """Send up to `requests` requests (or stop after `seconds`) from `concurrency` keep-alive clients."""
    tally = Tally()
    build = _requests(people, tag)
    counter = itertools.count(start)
    stop_at = start + requests
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(counter)
            if i >= stop_at or time.monotonic() > deadline:
                break
            label, command, text, actor = build(i)
            body = command_body(command, text, user_id=actor.user_id, team_id=actor.team_id,
                                response_url=fake.response_url("load"))
            headers = {"Content-Type": FORM, **sign(body)}
            started = time.perf_counter()
            try:
                conn.request("POST", "/slack/events", body.encode(), headers)
                response = conn.getresponse()
                raw = response.read()
                problem = _problem(response.status, raw)
            except (OSError, http.client.HTTPException) as error:
                problem = f"{type(error).__name__}: {error}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            tally.record(label, time.perf_counter() - started, problem)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def run(database_url: str, people: list[Actor], fake: FakeSlack, *, tag: str, requests: int, seconds: float,
        concurrency: int, threads: int, workers: int | None = None) -> dict[str, Any]:
    """Start the server, warm it up, drive the measured load, and read its peak memory.

    The load generator is this process (client threads, and the fake Web API's): its CPU time
    over the measured load is reported beside the server's, as a share of the box's cores."""
    for actor in people:
        if actor.user_id not in fake.users:
            fake.add_user(actor.user_id, tz="America/New_York")
    # One bot token, one workspace (the headline data): auth.test names it, as Slack's would.
    teams = {actor.team_id for actor in people}
    assert len(teams) == 1, f"the HTTP load runs on one workspace's data, got {sorted(teams)}"
    fake.token_teams[BOT_TOKEN] = teams.pop()
    server = start_server(database_url, fake, threads=threads, tag=tag, workers=workers)
    try:
        warm, _ = drive(server.port, people, fake, tag=tag, requests=50 * (workers or 1), seconds=60,
                        concurrency=concurrency)
        cpu_before, generator_before = server.cpu_seconds(), time.process_time()
        database_before = database_cpu(database_url)
        tally, elapsed = drive(server.port, people, fake, tag=tag, requests=requests, seconds=seconds,
                               concurrency=concurrency, start=100 * (workers or 1))
        cpu, generator = server.cpu_seconds() - cpu_before, time.process_time() - generator_before
        database = sum(v - database_before.get(pid, 0.0) for pid, v in database_cpu(database_url).items())
        memory = server.status()
    finally:
        server.stop()
    done = tally.all.n
    return {
        "requests": done, "planned": requests, "time_limit_s": seconds, "seconds": elapsed,
        "rps": done / elapsed if elapsed else 0.0, "concurrency": concurrency, "server_threads": threads,
        "workers": workers, "cores": os.cpu_count(),
        "latency": tally.all.summary(), "by_command": {k: v.summary() for k, v in sorted(tally.by_command.items())},
        "errors": len(tally.errors) + len(warm.errors), "error_examples": sorted(set(tally.errors + warm.errors))[:5],
        "peak_rss_mb": memory.get("VmHWM", 0) / 1024, "rss_mb": memory.get("VmRSS", 0) / 1024,
        "total_rss_mb": memory.get("total_rss", 0) / 1024,
        "server_cpu_s": cpu, "server_cpu_ms_per_request": cpu / done * 1000 if done else 0.0,
        "generator_cpu_s": generator, "generator_cores": generator / elapsed if elapsed else 0.0,
        "server_cores": cpu / elapsed if elapsed else 0.0,
        "database_cores": database / elapsed if elapsed else 0.0,
    }
