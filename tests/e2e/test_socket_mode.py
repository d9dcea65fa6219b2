"""The running `invite-hygiene socket` against a fake Socket Mode server: envelopes and acks,
`refresh_requested` disconnects, and links dropped without a close frame (FIN and RST).

Contract (issue 13): after any of these the process is connected again within 10 s, answers a
slash command on the new link, and does not spin while Slack cannot be reached. A link that
merely goes silent (no FIN, no RST, no pongs) is replaced too, within a ping interval and the pong
deadline (bot/socket_mode.py).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import console_script
from tests.support.fake_slack import FakeSlack
from tests.support.fake_socket_mode import APP_TOKEN, FakeSocketMode, Link, slash_command_envelope
from tests.support.signing import BOT_TOKEN

RECONNECT_CONTRACT_S = 10.0
OUTAGE_S = 5.0
OUTAGE_CPU_BUDGET_S = 1.0
SILENT_CONTRACT_S = 25.0  # ping interval 10 s + pong deadline 5 s + the dispatcher's 5 s check, with room
_envelopes = itertools.count(1)


class SocketProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the whole process (every thread), from /proc."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSocketMode]:
    web_api = FakeSlack().start()
    web_api.add_user("U1", tz="America/New_York", name="Dana")
    socket_mode = FakeSocketMode(upstream=web_api.base_url).start()
    yield socket_mode
    socket_mode.stop()
    web_api.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, fake: FakeSocketMode) -> Iterator[SocketProcess]:
    tmp = tmp_path_factory.mktemp("socket")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'socket.db'}",
        "SWEEP_INTERVAL_SECONDS": "3600",  # keep the scheduler quiet while CPU is measured
        "LOG_LEVEL": "INFO",
    })
    log_path = tmp / "socket.log"
    process = subprocess.Popen([*console_script(), "socket"], env=env, cwd=tmp,
                               stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    proc = SocketProcess(process, log_path)
    try:
        fake.wait_link(1, timeout=60)
    except TimeoutError:
        process.kill()
        raise AssertionError(f"socket never connected: {proc.logs()}") from None
    yield proc
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def command_over(link: Link, text: str, command: str = "/invited") -> dict:
    """Send a slash command envelope on `link`; the ack's payload (the app's reply)."""
    envelope_id = f"env-{next(_envelopes)}"
    link.send_json(slash_command_envelope(command, text, envelope_id=envelope_id))
    ack = link.receive(timeout=10)
    assert ack["envelope_id"] == envelope_id
    return ack.get("payload") or {}


def reconnected(fake: FakeSocketMode, app: SocketProcess, count: int, since: float, what: str) -> Link:
    """The `count`-th link, which must open within the contract; prints how long it took."""
    try:
        link = fake.wait_link(count, timeout=RECONNECT_CONTRACT_S)
    except TimeoutError as error:
        raise AssertionError(f"{what}: not reconnected within {RECONNECT_CONTRACT_S:.0f} s ({error})\n"
                             f"{app.logs()[-4000:]}") from None
    print(f"{what}: reconnected in {link.opened_at - since:.2f} s")
    return link


def only_one_open(fake: FakeSocketMode, newest: Link) -> None:
    """The app retires the old links: it never keeps two connections for one process."""
    for link in fake.links:
        if link is not newest:
            assert link.closed.wait(5), f"link {link.number} still open beside link {newest.number}"
    assert not newest.closed.is_set()


def test_hello_then_a_slash_command_envelope_is_acked_with_the_reply(fake, app):
    link = fake.current
    reply = command_over(link, "https://www.linkedin.com/in/socket-first Jane, Acme")
    assert reply["response_type"] == "ephemeral"
    assert "Logged 1 invite" in reply["text"]
    assert len(fake.opens) == 1  # one apps.connections.open for one link


def test_a_command_saying_payload_is_handled_over_socket_mode_too(fake, app):
    """Socket Mode envelopes carry the payload as JSON: the word "payload" in the text is just text."""
    reply = command_over(fake.current, "https://www.linkedin.com/in/payload-pete asked about payload pricing")
    assert "Logged 1 invite" in reply["text"]


def test_refresh_requested_disconnect_opens_a_new_link_and_retires_the_old(fake, app):
    old = fake.current
    count, opens = len(fake.links), len(fake.opens)
    start = time.monotonic()
    old.disconnect("refresh_requested")
    link = reconnected(fake, app, count + 1, start, "refresh_requested")
    assert len(fake.opens) > opens  # a fresh URL from apps.connections.open
    only_one_open(fake, link)
    assert old.close_frame_received  # the app retired the old link with a close frame, not a cut
    assert "Logged 1 invite" in command_over(link, "https://www.linkedin.com/in/socket-refresh")["text"]


@pytest.mark.parametrize("drop", ["fin", "rst"])
def test_a_link_dropped_without_a_close_frame_is_replaced_within_10s(fake, app, drop):
    old = fake.current
    count = len(fake.links)
    start = time.monotonic()
    old.drop_fin() if drop == "fin" else old.drop_rst()
    link = reconnected(fake, app, count + 1, start, f"{drop.upper()} drop")
    only_one_open(fake, link)
    assert "Logged 1 invite" in command_over(link, f"https://www.linkedin.com/in/socket-{drop}")["text"]


@pytest.mark.parametrize("drop", ["fin", "rst"])
def test_while_slack_is_unreachable_the_process_waits_without_spinning(fake, app, drop):
    """The link drops and for 5 s every connection to Slack is reset (Slack unreachable): the process
    uses little CPU meanwhile, and is connected again within 10 s of Slack coming back."""
    old = fake.current
    count, refused = len(fake.links), fake.refused_connections
    fake.refuse()
    try:
        cpu_before = app.cpu_seconds()
        old.drop_fin() if drop == "fin" else old.drop_rst()
        time.sleep(OUTAGE_S)
        cpu = app.cpu_seconds() - cpu_before
    finally:
        fake.restore()
    back = time.monotonic()
    print(f"{drop.upper()} drop + {OUTAGE_S:.0f} s outage: {cpu:.2f} s CPU")
    assert len(fake.links) == count  # nothing could connect during the outage
    assert fake.refused_connections > refused  # but it kept trying
    link = reconnected(fake, app, count + 1, back, f"{drop.upper()} drop, after the outage")
    assert cpu < OUTAGE_CPU_BUDGET_S, f"{cpu:.2f} s CPU in a {OUTAGE_S:.0f} s outage: the process spins"
    only_one_open(fake, link)
    reply = command_over(link, f"https://www.linkedin.com/in/socket-outage-{drop}")
    assert "Logged 1 invite" in reply["text"]


def test_a_link_that_stops_answering_pings_is_replaced(fake, app):
    """No FIN, no RST, no pong (a NAT or proxy that forgot the connection): the unanswered ping
    ends the session within a ping interval plus the pong deadline."""
    old = fake.current
    count = len(fake.links)
    start = time.monotonic()
    old.go_silent()
    try:
        link = fake.wait_link(count + 1, timeout=SILENT_CONTRACT_S)
    except TimeoutError as error:
        raise AssertionError(f"silent link: not replaced within {SILENT_CONTRACT_S:.0f} s ({error})\n"
                             f"{app.logs()[-4000:]}") from None
    print(f"silent link: replaced in {link.opened_at - start:.2f} s")
    old.drop_fin()
    assert "Logged 1 invite" in command_over(link, "https://www.linkedin.com/in/socket-silent")["text"]


def test_the_process_is_still_healthy_after_all_that(fake, app):
    assert app.process.poll() is None
    reply = command_over(fake.current, "list all", command="/invites")
    text = str(reply)
    for slug in ("socket-first", "socket-refresh", "socket-fin", "socket-rst", "socket-silent"):
        assert slug in text
