"""Drive the real Bolt app with signed requests, as Slack would, and read what it answered."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltResponse

from bot.playground import slack_rules
from bot.slack.request import SlackRequest
from tests.support.fake_slack import FakeSlack
from tests.support.signing import block_action_body, command_body, event_body, sign, view_submission_body


@dataclass
class Answer:
    """What a request got back: the HTTP status and the JSON body (the ack)."""

    status: int
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """All the human-visible text: the fallback plus every block's text."""
        parts = [self.body.get("text", "")]
        for block in self.body.get("blocks", []):
            parts.append(block_text(block))
        return "\n".join(p for p in parts if p)

    @property
    def visible(self) -> str:
        """`text` as Slack shows it: links as their labels, mentions as @names, entities decoded."""
        return visible(self.text)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button element in the reply."""
        return [e for b in self.body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def visible(mrkdwn: str) -> str:
    """What Slack shows for mrkdwn: `<url|label>` as label, `<@U1>` as @U1, `&lt;` as `<`."""
    def shown(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label
        return "@" + target[1:] if target.startswith(("@", "!")) else target
    text = _ANGLE.sub(shown, mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def block_text(block: dict[str, Any]) -> str:
    """The visible text of one block."""
    texts = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"]["text"])
    for element in block.get("elements", []) + block.get("fields", []):
        if isinstance(element, dict):
            if "text" in element and isinstance(element["text"], str):
                texts.append(element["text"])
            elif isinstance(element.get("text"), dict):
                texts.append(element["text"]["text"])
    return "\n".join(texts)


@dataclass
class SlackHarness:
    app: App
    fake: FakeSlack

    def dispatch(self, body: str, headers: dict[str, str] | None = None, *, content_type: str) -> BoltResponse:
        """Send a raw, signed body through Bolt's full middleware chain; the ack is held to Slack's rules."""
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        response = self.app.dispatch(SlackRequest(body=body, headers=all_headers))
        self._check_ack(body, content_type, response)
        return response

    def _check_ack(self, body: str, content_type: str, response: BoltResponse) -> None:
        """Record (in the fake, so the test fails) what Slack would refuse in a command or submission ack."""
        if "x-www-form-urlencoded" not in content_type or response.status != 200 or not response.body:
            return
        try:
            ack = json.loads(response.body)
        except ValueError:
            self.fake.record("ack", [f"ack body is not JSON: {response.body[:80]!r}"])
            return
        form = parse_qs(body)
        if "command" in form:
            self.fake.record(f"ack of {form['command'][0]}", slack_rules.check_command_ack(ack))
            return
        payload = json.loads(form.get("payload", ["{}"])[0])
        if payload.get("type") == "view_submission":
            submitted = payload.get("view") or {}
            # Errors must name input blocks of the view the app opened (tests' hand-made state may be partial).
            view = self.fake.last_view(submitted.get("callback_id", "")) or (
                submitted if submitted.get("blocks") else None)
            self.fake.record(f"view_submission ack ({submitted.get('callback_id')})",
                             slack_rules.check_view_submission_ack(ack, view))

    def command(self, command: str, text: str = "", *, user: str = "U1", team: str = "T1", channel: str = "C1") -> Answer:
        """A slash command; returns the ack (the app answers commands in the ack)."""
        body = command_body(command, text, user_id=user, team_id=team, channel_id=channel,
                            response_url=self.fake.response_url("cmd"))
        response = self.dispatch(body, content_type="application/x-www-form-urlencoded")
        data = json.loads(response.body) if response.body else {}
        return Answer(response.status, data)

    def invited(self, text: str = "", **kwargs: Any) -> Answer:
        """`/invited text`."""
        return self.command("/invited", text, **kwargs)

    def invites(self, text: str = "", **kwargs: Any) -> Answer:
        """`/invites text`."""
        return self.command("/invites", text, **kwargs)

    def click(self, button: dict[str, Any], *, user: str = "U1", team: str = "T1") -> dict[str, Any]:
        """Click a button; returns what the app posted to response_url (the in-place update)."""
        before = len(self.fake.of("response_url"))
        body = block_action_body(button["action_id"], button["value"], user_id=user, team_id=team,
                                 response_url=self.fake.response_url("action"))
        response = self.dispatch(body, content_type="application/x-www-form-urlencoded")
        assert response.status == 200, response.body
        return self.fake.wait_for("response_url", before + 1)[-1].params

    def click_in_message(self, button: dict[str, Any], *, message: dict[str, Any], channel: str, ts: str,
                         user: str = "U1", team: str = "T1") -> BoltResponse:
        """Click a button on a message the app posted (a DM digest), as Slack sends it."""
        body = block_action_body(
            button["action_id"], button["value"], user_id=user, team_id=team, channel_id=channel,
            response_url=self.fake.response_url("action"), message={**message, "ts": ts},
            container={"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        )
        return self.dispatch(body, content_type="application/x-www-form-urlencoded")

    def submit(self, callback_id: str, values: dict, *, user: str = "U1", team: str = "T1",
               private_metadata: str = "") -> Answer:
        """Submit a modal; returns the ack (response_action errors/update, or empty)."""
        body = view_submission_body(callback_id, values, user_id=user, team_id=team, private_metadata=private_metadata)
        response = self.dispatch(body, content_type="application/x-www-form-urlencoded")
        return Answer(response.status, json.loads(response.body) if response.body else {})

    def event(self, event: dict, *, team: str = "T1", headers: dict[str, str] | None = None,
              event_id: str | None = None) -> BoltResponse:
        """Deliver an Events API event (a new event id unless given: Slack's redeliveries keep theirs)."""
        return self.dispatch(event_body(event, team_id=team, event_id=event_id), headers, content_type="application/json")
