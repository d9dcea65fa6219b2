"""Log by DM: a member's DM holding 20 LinkedIn profile URLs, as Slack's Events API delivers it.

Two figures per DM, through the app `create_app` builds (signed `event_callback` bodies into
`app.dispatch`, replies to `tests.support.fake_slack.FakeSlack`):
- *ack*: until `app.dispatch` returns, i.e. Slack has its HTTP 200 (Slack wants it within 3 s);
- *logged*: until the thread reply listing the 20 logged invites reaches the Web API (the lazy
  listener has claimed the event, logged the 20 invites with `/invited`'s rules and replied).
Each DM logs 20 new prospects for a member drawn by invite count (busy senders send more).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bench.cases import Actor, Case, picker
from bot.slack.request import SlackRequest
from tests.support.fake_slack import Call, FakeSlack
from tests.support.signing import event_body, sign

URLS_PER_DM = 20
ACK_TARGET_MS = 3000.0  # Slack retries an event it has no 2xx for within 3 seconds
LOGGED_TARGET_MS = 1000.0
REPLY_TIMEOUT_S = 30.0
EXPECTED = f"Logged {URLS_PER_DM} invites"


def _dm(actor: Actor, *, tag: str, name: str, i: int) -> tuple[str, str]:
    """A signed-ready event body of a DM with 20 new profile URLs, and its ts."""
    ts = f"{1763460000 + i}.{abs(hash((tag, name))) % 1_000_000:06d}"
    urls = " ".join(f"<https://www.linkedin.com/in/bench-dm-{tag}-{name}-{i}-{k}>" for k in range(URLS_PER_DM))
    event = {"type": "message", "channel": f"D{actor.user_id}", "channel_type": "im", "user": actor.user_id,
             "text": f"sent today: {urls}", "ts": ts, "event_ts": ts, "client_msg_id": f"bench-{tag}-{name}-{i}"}
    return event_body(event, team_id=actor.team_id), ts


def _reply(fake: FakeSlack, start: int, ts: str, timeout: float = REPLY_TIMEOUT_S) -> Call | None:
    """The thread reply to the DM `ts` among the calls after `start` (None after `timeout`)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for call in fake.calls[start:]:
            if call.method == "chat.postMessage" and call.params.get("thread_ts") == ts:
                return call
        time.sleep(0.0005)
    return None


def _verdict(reply: Call | None) -> str:
    if reply is None:
        return f"no thread reply within {REPLY_TIMEOUT_S:.0f} s"
    text = str(reply.params.get("text") or "")
    return "ok" if EXPECTED in text else f"unexpected reply: {text[:160]}"


def dm_cases(app: App, fake: FakeSlack, people: list[Actor], *, tag: str) -> list[Case]:
    """The ack and the fully-logged time of a DM with 20 profile URLs."""

    def build(name: str, *, wait: bool, seed: int) -> Callable[[int], Callable[[], Any]]:
        who = picker(people, seed)

        def make(i: int) -> Callable[[], Any]:
            body, ts = _dm(who(i), tag=tag, name=name, i=i)
            headers = {"Content-Type": "application/json", **sign(body)}
            start = len(fake.calls)

            def call() -> tuple[Any, str, int, Call | None]:
                response = app.dispatch(SlackRequest(body=body, headers=headers))
                return response, ts, start, _reply(fake, start, ts) if wait else None

            return call

        return make

    def check_ack(outcome: tuple[Any, str, int, Call | None]) -> str:
        response, ts, start, _ = outcome
        if response.status != 200:
            return f"HTTP {response.status}: {str(response.body)[:120]}"
        return _verdict(_reply(fake, start, ts))  # waited for outside the timing: the next DM starts clean

    def check_logged(outcome: tuple[Any, str, int, Call | None]) -> str:
        response, _, _, reply = outcome
        if response.status != 200:
            return f"HTTP {response.status}: {json.dumps(response.body)[:120]}"
        return _verdict(reply)

    return [
        Case(f"DM with {URLS_PER_DM} URLs: ack", build("ack", wait=False, seed=7), check_ack, target_ms=ACK_TARGET_MS,
             via="app.dispatch (event)"),
        Case(f"DM with {URLS_PER_DM} URLs: logged", build("logged", wait=True, seed=8), check_logged,
             target_ms=LOGGED_TARGET_MS, via="app.dispatch + thread reply"),
    ]
