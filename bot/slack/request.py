"""The Bolt request our HTTP edge builds: Slack's form bodies parsed by their fields, not by substring.

slack-bolt 1.30's `parse_body` treats any form body that merely *contains* the text "payload" as an
interactivity payload (`if "payload" in body`), so `/invited …/in/payload-pete` became an empty
request that no listener matched (HTTP 404, nothing stored). Slack's interactivity form has a
`payload` *field*; commands never do. Signature checks are untouched: they read `raw_body`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltRequest
from slack_bolt.request.internals import build_normalized_headers, extract_content_type


def parse_slack_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """JSON for events; for a form, the JSON of its `payload` field when it has one, else its fields."""
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        return json.loads(raw)
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in fields:
        return json.loads(fields["payload"])
    return fields


class SlackRequest(BoltRequest):
    """A BoltRequest whose body is parsed by `parse_slack_body`, also in the copies lazy listeners get."""

    def __init__(self, *, body: str, query: Any = None, headers: Any = None, context: dict[str, Any] | None = None,
                 mode: str = "http") -> None:
        if mode != "http":
            super().__init__(body=body, query=query, headers=headers, context=context, mode=mode)
            return
        # Bolt's own parse (the substring test) is skipped: Bolt takes our parsed body as it takes a
        # Socket Mode payload (a dict, its context built from it once), then the request is HTTP again.
        raw = body or ""
        normalized = build_normalized_headers(headers)
        parsed = parse_slack_body(raw, extract_content_type(normalized))
        super().__init__(body=parsed, query=query, headers=normalized, context=context, mode="socket_mode")
        self.raw_body = raw
        self.mode = mode

    def to_copyable(self) -> SlackRequest:
        if self.mode != "http":
            return super().to_copyable()  # type: ignore[return-value]
        return SlackRequest(body=self.raw_body, query=self.query, headers=self.headers,
                            context=self.context.to_copyable(), mode=self.mode)
