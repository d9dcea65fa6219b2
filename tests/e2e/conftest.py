"""Start `invite-hygiene serve` as its own process, as an operator would."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, command_body, sign


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def console_script() -> list[str]:
    found = shutil.which("invite-hygiene", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "bot"]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def post(self, body: str, headers: dict[str, str], content_type: str = "application/x-www-form-urlencoded"):
        request = urllib.request.Request(
            self.url + "/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": content_type, **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def command(self, command: str, text: str, user: str = "U1", **headers: str) -> tuple[int, dict]:
        body = command_body(command, text, user_id=user)
        status, raw = self.post(body, {**sign(body), **headers})
        return status, (json.loads(raw) if raw.startswith("{") else {"raw": raw})

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(tmp_path: Path, env_extra: dict[str, str], args: list[str] | None = None) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"PORT": str(port), "LOG_LEVEL": "INFO", **env_extra})
    log_path = tmp_path / f"serve-{port}.log"
    process = subprocess.Popen(
        [*console_script(), "serve", "--host", "127.0.0.1", *(args or [])],
        env=env, cwd=tmp_path, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}: {server.logs()}")
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not come up: {server.logs()}")


@pytest.fixture(scope="module")
def e2e_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U1", tz="America/New_York", name="Dana")
    fake.add_user("U2", tz="Europe/London", name="Tom")
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, e2e_slack: FakeSlack) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    srv = start_server(tmp, {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": e2e_slack.base_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
    })
    yield srv
    srv.process.terminate()
    srv.process.wait(10)
