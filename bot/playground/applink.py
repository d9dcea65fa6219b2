"""Sending requests to the app over HTTP, signed exactly as Slack signs them."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.playground.store import SlackState

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SLACK_TIMEOUT_S = 3.0  # Slack gives up on an app that has not answered in 3 seconds
HTTP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Delivery:
    """What the app answered: HTTP status, body and how long it took."""

    status: int
    body: str
    millis: int

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    def json(self) -> dict[str, Any] | None:
        """The body as a JSON object, if it is one."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


class AppLink:
    """POSTs to the app's /slack/events with X-Slack-Signature and X-Slack-Request-Timestamp."""

    def __init__(self, url: str, signing_secret: str, state: SlackState) -> None:
        self.url = url
        self.verifier = SignatureVerifier(signing_secret)
        self.state = state

    def headers(self, body: str, content_type: str) -> dict[str, str]:
        """Slack's headers for a body, signed with the real time (as Slack does)."""
        timestamp = str(int(time.time()))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    def send(self, body: str, *, content_type: str, what: str) -> Delivery:
        """Deliver one request and log what came back."""
        request = urllib.request.Request(self.url, data=body.encode(), method="POST",
                                         headers=self.headers(body, content_type))
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except OSError as error:
            status, text = 0, f"{type(error).__name__}: {error}"
        millis = int((time.monotonic() - started) * 1000)
        slow = f" — over Slack's {SLACK_TIMEOUT_S:.0f} s, Slack would have given up" if millis > SLACK_TIMEOUT_S * 1000 else ""
        self.state.note("→ app", f"{what}: HTTP {status or 'unreachable'} in {millis} ms{slow}")
        return Delivery(status, text, millis)
