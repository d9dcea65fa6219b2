"""The playground over HTTP, as its page drives it (no browser): real app, signed requests, pretend Slack."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Invite
from bot.playground import demo
from bot.playground.seed import SEED_NOTE
from bot.playground.server import Options, Playground
from bot.playground.store import ResponseTarget
from tests.e2e.conftest import free_port

TOM = "U0TOM"
PRIYA = "U0PRIYA"


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One request; returns (status, body) for any status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(check: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll until check() is truthy (lazy listeners answer after the ack)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Page:
    """The calls the page's script makes."""

    def __init__(self, playground: Playground) -> None:
        self.pg = playground
        self.url = playground.url.rstrip("/")

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, raw = http("POST", self.url + path, json.dumps(body).encode(),
                           {"Content-Type": "application/json", "X-Playground": "1"})
        assert status == 200, raw
        return json.loads(raw)

    def state(self, user: str) -> dict[str, Any]:
        status, raw = http("GET", f"{self.url}/play/state?user={user}")
        assert status == 200
        return json.loads(raw)

    def say(self, user: str, text: str, channel: str = demo.CHANNEL_ID) -> dict[str, Any]:
        return self.post("/play/command", {"user": user, "channel": channel, "text": text})

    def clock(self, user: str, step: str) -> dict[str, Any]:
        return self.post("/play/clock", {"user": user, "step": step})


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    pg = Playground(Settings(_env_file=None), Options(port=0, scheduler=False))
    pg.start()
    yield pg
    pg.stop()


@pytest.fixture
def page(playground: Playground) -> Page:
    return Page(playground)


def api(playground: Playground) -> WebClient:
    """A client holding the app's bot token, on the pretend Web API."""
    return WebClient(token=playground.bot_token, base_url=playground.settings.slack_api_url)


# ---- the page and its guard -------------------------------------------------------------------------


def test_page_and_its_files_are_served(page: Page):
    status, body = http("GET", page.url + "/")
    assert status == 200 and b"Invite Hygiene" in body and b"/static/app.js" in body
    status, body = http("GET", page.url + "/static/app.js")
    assert status == 200 and b"/play/state" in body
    assert http("GET", page.url + "/static/..%2Fserver.py")[0] == 404
    assert http("GET", page.url + "/static/nope.css")[0] == 404


def test_page_posts_need_the_playground_header(page: Page):
    status, _ = http("POST", page.url + "/play/seed", b"{}", {"Content-Type": "application/json"})
    assert status == 403


def test_settings_point_every_slack_value_at_the_playground(playground: Playground):
    s = playground.settings
    assert s.slack_api_url == playground.url + "api/"
    assert s.slack_bot_token is not None and s.slack_bot_token.get_secret_value().startswith("xoxb-")
    assert s.admin_user_ids == frozenset({"U0ANA"})
    assert s.database_url.startswith("sqlite:///") and "playground.db" in s.database_url
    assert s.slack_client_id is None and s.slack_app_token is None


# ---- signed requests to the real app ---------------------------------------------------------------------


def test_requests_are_signed_as_slack_signs_them(playground: Playground):
    link = playground.interactions.link
    body = "token=x&command=%2Finvites&text=help"
    headers = link.headers(body, "application/x-www-form-urlencoded")
    verifier = SignatureVerifier(playground.signing_secret)
    assert verifier.is_valid(body=body, timestamp=headers["X-Slack-Request-Timestamp"],
                             signature=headers["X-Slack-Signature"])
    forged = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = http("POST", playground.app_url + "/slack/events", body.encode(), forged)
    assert status == 401, "the app in the playground checks signatures like production"


def test_command_reply_is_ephemeral_for_the_sender_only(page: Page):
    page.say(TOM, "/invited https://www.linkedin.com/in/e2e-ephemeral Pat Ephemeral, Acme")
    mine = page.state(TOM)["channel"]["html"]
    assert "Logged 1 invite" in mine and "Only visible to you" in mine
    assert "/invited https://www.linkedin.com/in/e2e-ephemeral" in mine
    assert "e2e-ephemeral" not in page.state(PRIYA)["channel"]["html"]


def test_unknown_commands_and_empty_text_get_a_notice(page: Page):
    result = page.say(PRIYA, "/invite https://www.linkedin.com/in/x")
    assert result["ok"] is False
    assert "is not a valid command" in page.state(PRIYA)["channel"]["html"]
    assert page.say(PRIYA, "   ")["ok"] is False


# ---- clock, digest, click ------------------------------------------------------------------------------


def test_invite_goes_stale_digest_arrives_and_withdrawn_updates_it(page: Page, playground: Playground):
    page.say(TOM, "/invited https://www.linkedin.com/in/e2e-stale Sam Stale, Globex")
    for step in ("week", "week", "day"):
        assert page.clock(TOM, step)["ok"]
    row = None
    for _ in range(4):  # past a weekend, a working-day 09:00 in London comes within four steps
        page.clock(TOM, "nine")
        dm = page.state(TOM)["dm"]["html"]
        row = re.search(r'data-ts="([0-9.]+)"(?:(?!data-ts=).)*?data-block-id="(digest_row:\d+)"(?:(?!data-ts=).)*?e2e-stale',
                        dm, re.S) or re.search(r'data-ts="([0-9.]+)"(?:(?!data-ts=).)*?e2e-stale(?:(?!data-ts=).)*?'
                                               r'data-block-id="(digest_row:\d+)"', dm, re.S)
        if row:
            break
    assert row, "no digest with the stale invite after 15 days and a working-day 09:00"
    ts, block_id = row.group(1), row.group(2)
    value = json.dumps({"invite_id": int(block_id.split(":")[1])}, separators=(",", ":"))
    result = page.post("/play/action", {"user": TOM, "channel": demo.TEAMMATES[1].dm_channel, "ts": ts,
                                        "block_id": block_id, "action_id": "digest_withdrawn", "value": value,
                                        "values": []})
    assert result["ok"], result
    wait_until(lambda: "marked withdrawn" in page.state(TOM)["dm"]["html"], what="the digest updated in place")
    assert any(method == "chat.update" for method, _ in playground.fake.calls)


def test_invites_logged_after_a_jump_carry_the_moved_date(page: Page, playground: Playground):
    page.clock(PRIYA, "week")
    now = playground.clock.now().astimezone(demo.teammate(PRIYA).zone)
    page.say(PRIYA, "/invited https://www.linkedin.com/in/e2e-moved Mo Ved")
    assert f"sent {now:%b} {now.day}" in page.state(PRIYA)["channel"]["html"]
    with playground.db.session(write=False) as session:
        sent = session.scalar(select(Invite.sent_at).where(Invite.prospect_key == "in:e2e-moved"))
    assert isinstance(sent, datetime) and abs((sent - playground.clock.now()).total_seconds()) < 60


# ---- App Home, modals, files, response_url -----------------------------------------------------------------


def test_opening_the_home_tab_sends_app_home_opened(page: Page, playground: Playground):
    result = page.post("/play/open", {"user": PRIYA, "tab": "home"})
    notes = [n["text"] for n in playground.state.log if "app_home_opened" in n["text"]]
    assert notes and "HTTP" in notes[-1]
    if result["ok"]:  # App Home is built: the app publishes a view for Priya
        home = wait_until(lambda: page.state(PRIYA)["home"], what="a published Home view")
        assert home["html"]


def test_modal_opens_from_a_trigger_and_submit_checks_required_fields(page: Page, playground: Playground):
    trigger = playground.state.issue_trigger(PRIYA)
    view = {"type": "modal", "callback_id": "pg_test", "title": {"type": "plain_text", "text": "Test modal"},
            "submit": {"type": "plain_text", "text": "Save"}, "notify_on_close": True,
            "blocks": [{"type": "input", "block_id": "who", "label": {"type": "plain_text", "text": "Who"},
                        "element": {"type": "plain_text_input", "action_id": "v"}}]}
    opened = api(playground).views_open(trigger_id=trigger, view=view)["view"]
    modal = page.state(PRIYA)["modal"]
    assert modal["view_id"] == opened["id"] and "Test modal" in modal["html"]
    assert page.state(TOM)["modal"] is None
    refused = page.post("/play/submit", {"user": PRIYA, "view_id": opened["id"], "values": []})
    assert refused["ok"] is False and "required" in page.state(PRIYA)["modal"]["html"]
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        api(playground).views_open(trigger_id="1.2.3", view=view)
    page.post("/play/close", {"user": PRIYA, "view_id": opened["id"], "values": []})
    assert page.state(PRIYA)["modal"] is None
    assert any("view_closed" in n["text"] for n in playground.state.log)


def test_a_dropped_file_is_announced_and_downloadable_with_the_bot_token(page: Page, playground: Playground):
    csv = b"From,To,Sent At,Message,Direction\nPriya Nair,Jane Doe,\"3/4/26, 9:07 AM\",,OUTGOING\n"
    status, raw = http("POST", f"{page.url}/play/upload?user={PRIYA}&name=Invitations.csv", csv,
                       {"X-Playground": "1", "Content-Type": "application/octet-stream"})
    assert status == 200, raw
    assert "Invitations.csv" in page.state(PRIYA)["dm"]["html"]
    assert any("event file_shared" in n["text"] for n in playground.state.log)
    file_id = next(f for f in playground.state.files.values() if f.name == "Invitations.csv").id
    info = api(playground).files_info(file=file_id)["file"]
    assert info["ims"] == ["D0PRIYA"] and info["size"] == len(csv)
    url = info["url_private_download"]
    assert http("GET", url, headers={"Authorization": f"Bearer {playground.bot_token}"}) == (200, csv)
    status, body = http("GET", url)
    assert status == 200 and body.startswith(b"<!DOCTYPE html>"), "without the token Slack answers its sign-in page"


def test_response_url_replies_replace_and_delete(page: Page, playground: Playground):
    channel = demo.CHANNEL_ID
    original = playground.state.post(channel, text="original", ephemeral_for=TOM)
    token = playground.state.issue_response_url(ResponseTarget(TOM, channel, original.ts))
    url = f"{page.url}/respond/{token}"
    headers = {"Content-Type": "application/json"}
    http("POST", url, json.dumps({"text": "replaced *now*", "replace_original": True}).encode(), headers)
    assert playground.state.find(channel, original.ts).text == "replaced *now*"
    http("POST", url, json.dumps({"text": "a new reply"}).encode(), headers)
    assert "a new reply" in page.state(TOM)["channel"]["html"]
    assert "a new reply" not in page.state(PRIYA)["channel"]["html"]
    http("POST", url, json.dumps({"delete_original": True}).encode(), headers)
    assert playground.state.find(channel, original.ts) is None
    assert http("POST", f"{page.url}/respond/nope", b"{}", headers)[0] == 404


def test_web_api_refuses_what_slack_refuses(playground: Playground):
    client = api(playground)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(token="xoxb-wrong", base_url=playground.settings.slack_api_url).auth_test()
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="C0NOWHERE", text="hi")
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel=demo.CHANNEL_ID, text="x", blocks=[{"type": "divider"}] * 51)
    posted = client.chat_postMessage(channel=TOM, text="to Tom's DM")
    assert posted["channel"] == "D0TOM"
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="D0TOM", ts="1.000000", text="x")
    assert client.users_info(user="U0ANA")["user"]["is_admin"] is True
    assert client.users_info(user=PRIYA)["user"]["tz"] == "Asia/Kolkata"
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("reactions.add", params={"name": "x"})


def test_web_api_refuses_block_kit_slack_refuses_and_says_why(playground: Playground):
    client = api(playground)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Usage: `/invites accepted <url|slug>`"}}
    with pytest.raises(SlackApiError, match="invalid_blocks") as refused:
        client.chat_postMessage(channel=TOM, text="usage", blocks=[section])
    assert any("unescaped '<'" in m for m in refused.value.response["response_metadata"]["messages"])
    with pytest.raises(SlackApiError, match="invalid_blocks") as refused:
        client.chat_postMessage(channel=TOM, blocks=[{"type": "divider"}])
    assert any("text fallback" in m for m in refused.value.response["response_metadata"]["messages"])
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel=TOM, text="Smith & Sons")
    home = {"type": "home", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "Hi"}}]}
    with pytest.raises(SlackApiError, match="invalid_arguments") as refused:
        client.views_publish(user_id=TOM, view=home)
    assert any("must be plain_text" in m for m in refused.value.response["response_metadata"]["messages"])
    assert any("home view refused" in line["text"] and "must be plain_text" in line["text"]
               for line in list(playground.state.log))  # the developer sees why, in the activity log
    fine = {"type": "section", "text": {"type": "mrkdwn", "text": "Usage: `/invites accepted &lt;url|slug&gt;` "
                                                                  "<https://www.linkedin.com/in/jane|Jane &amp; Co>"}}
    assert client.chat_postMessage(channel=TOM, text="usage", blocks=[fine])["ok"]


def test_response_url_posts_that_break_slack_rules_are_refused(page: Page, playground: Playground):
    original = playground.state.post(demo.CHANNEL_ID, text="original", ephemeral_for=TOM)
    token = playground.state.issue_response_url(ResponseTarget(TOM, demo.CHANNEL_ID, original.ts))
    status, body = http("POST", f"{page.url}/respond/{token}", json.dumps({"text": "Usage: <url|slug>"}).encode(),
                        {"Content-Type": "application/json"})
    assert status == 400 and b"invalid_blocks" in body
    assert "Usage" not in page.state(TOM)["channel"]["html"]


def test_seed_fills_three_months_once(page: Page, playground: Playground):
    first = page.post("/play/seed", {})
    assert first["ok"] and first["message"].startswith("Seeded")
    with playground.db.session(write=False) as session:
        count = session.scalar(select(func.count()).select_from(Invite).where(Invite.notes == SEED_NOTE))
    assert 200 <= count <= 600
    assert "already" in page.post("/play/seed", {})["message"]
    page.say(TOM, "/invites stats 90d")
    assert "Acceptance rate" in page.state(TOM)["channel"]["html"]


# ---- the command itself ------------------------------------------------------------------------------------------


def _ignore_sigint() -> None:
    """What a non-interactive shell does to a command it starts with `&`: SIGINT ignored, inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(("how", "requests_first", "ignored_at_start"), [
    pytest.param(signal.SIGINT, True, False, id="ctrl-c"),
    pytest.param(signal.SIGTERM, True, False, id="sigterm"),
    # Started in the background by a script (`make run &`, CI): SIGINT comes in ignored, and the
    # playground, which says "Ctrl+C to stop", must still stop on it.
    pytest.param(signal.SIGINT, True, True, id="ctrl-c-when-started-in-the-background"),
    # The signal follows the address at once, with no request between: it may land before the wait
    # begins (while the banner is still printed), which the stop must cover too.
    pytest.param(signal.SIGINT, False, False, id="ctrl-c-right-after-the-address"),
])
def test_python_m_bot_playground_starts_prints_its_address_and_stops(
        tmp_path: Path, how: signal.Signals, requests_first: bool, ignored_at_start: bool):
    port = free_port()
    # Faulthandler: if the stop hangs, SIGABRT below prints every thread's stack into the failure.
    env = {"PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING", "HOME": str(tmp_path), "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen([sys.executable, "-m", "bot.playground", "--port", str(port), "--no-scheduler"],
                               cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               preexec_fn=_ignore_sigint if ignored_at_start else None)
    try:
        line = process.stdout.readline() if process.stdout else ""
        while line and "playground: open" not in line:
            line = process.stdout.readline() if process.stdout else ""
        assert f"http://127.0.0.1:{port}/" in line
        if requests_first:
            assert http("GET", f"http://127.0.0.1:{port}/")[0] == 200
            assert http("GET", f"http://127.0.0.1:{port}/play/state?user=U0ANA")[0] == 200
        process.send_signal(how)
        try:
            code = process.wait(timeout=15)  # alone it stops in well under a second
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            output, _ = process.communicate(timeout=15)
            pytest.fail(f"the playground did not stop within 15 s of {how.name}; its threads:\n{output[-8000:]}")
        rest = process.stdout.read() if process.stdout else ""
        assert code == 0, rest
        assert "playground stopped" in rest
        assert "Traceback" not in rest
    finally:
        if process.poll() is None:
            process.kill()


def test_the_admins_home_has_the_team_section_and_a_members_has_not(page: Page, playground: Playground):
    page.post("/play/seed", {})
    ana = next(t.user_id for t in demo.TEAMMATES if t.is_admin)
    page.post("/play/open", {"user": ana, "tab": "home"})
    home = wait_until(lambda: "Your team" in (page.state(ana)["home"] or {}).get("html", "") and page.state(ana)["home"],
                      what="the admin's Home with the team section")
    assert "Only admins see this section" in home["html"]
    page.post("/play/open", {"user": PRIYA, "tab": "home"})
    priya = wait_until(lambda: page.state(PRIYA)["home"], what="Priya's Home")
    assert "Your team" not in priya["html"]
