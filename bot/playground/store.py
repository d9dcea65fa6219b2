"""What the pretend Slack holds: conversations, views, files, triggers and response URLs."""

from __future__ import annotations

import itertools
import secrets
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.playground.demo import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

# Slack accepts a trigger_id for 3 seconds after the interaction that issued it.
TRIGGER_TTL_S = 3.0
# Slack accepts 5 posts to one response_url within 30 minutes.
RESPONSE_URL_USES = 5
INTERACTIVE = {
    "button", "overflow", "static_select", "multi_static_select", "external_select", "users_select",
    "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select",
    "multi_channels_select", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons",
    "plain_text_input", "number_input", "email_text_input", "url_text_input",
}
_ALPHABET = string.ascii_uppercase + string.digits


def slack_id(prefix: str, length: int = 10) -> str:
    """A random id shaped like Slack's (`V0A1B2C3D4`)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def short_id() -> str:
    """A short random id, like the block_ids Slack makes up for blocks sent without one."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))


def with_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks with the block_id and action_id Slack generates where the app gave none."""
    out = []
    for block in blocks:
        block = {**block}
        block.setdefault("block_id", short_id())
        if isinstance(block.get("accessory"), dict):
            block["accessory"] = _element_id(block["accessory"])
        if isinstance(block.get("element"), dict):
            block["element"] = _element_id(block["element"])
        if isinstance(block.get("elements"), list) and block.get("type") == "actions":
            block["elements"] = [_element_id(e) for e in block["elements"]]
        out.append(block)
    return out


def _element_id(element: dict[str, Any]) -> dict[str, Any]:
    if element.get("type") in INTERACTIVE and "action_id" not in element:
        return {**element, "action_id": short_id()}
    return element


@dataclass
class Posted:
    """A message in a conversation (an ephemeral one is seen by `ephemeral_for` alone)."""

    ts: str
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    user: str | None = None  # a teammate; None when the app posted it
    ephemeral_for: str | None = None
    replying_to: str | None = None  # the slash command this answers, shown above the reply
    files: list[str] = field(default_factory=list)
    edited: bool = False
    system: bool = False  # a notice from the pretend Slack itself (an error, an unknown command)
    metadata: dict[str, Any] | None = None  # chat.postMessage's `metadata` (event_type, event_payload)
    thread_ts: str | None = None  # a reply in the thread of that message

    def as_slack(self) -> dict[str, Any]:
        """The `message` object Slack puts in payloads and API answers."""
        message: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks}
        if self.user:
            message["user"] = self.user
        else:
            message.update(user=BOT_USER_ID, bot_id=BOT_ID, app_id=APP_ID)
        if self.edited:
            message["edited"] = {"user": message["user"], "ts": self.ts}
        if self.metadata:
            message["metadata"] = self.metadata
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        return message


@dataclass
class StoredFile:
    """A file someone shared (or the app uploaded), with its bytes."""

    id: str
    name: str
    title: str
    mimetype: str
    filetype: str
    content: bytes
    user: str
    created: int
    channels: list[str] = field(default_factory=list)


@dataclass
class ResponseTarget:
    """Where posts to one response_url land."""

    user_id: str
    channel: str
    origin_ts: str | None  # the message an action came from (None for a slash command)
    replying_to: str | None = None
    uses: int = 0


class SlackState:
    """Everything the pretend Slack remembers; every change bumps `version` for the page."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.version = 0
        self.conversations: dict[str, list[Posted]] = {}
        self.modals: dict[str, list[dict[str, Any]]] = {}  # user → the stack of open views
        self.errors: dict[str, dict[str, str]] = {}  # view id → block_id → error text
        self.homes: dict[str, dict[str, Any]] = {}  # user → the last published Home view
        self.files: dict[str, StoredFile] = {}
        self.triggers: dict[str, tuple[str, float]] = {}
        self.responses: dict[str, ResponseTarget] = {}
        self.log: deque[dict[str, str]] = deque(maxlen=200)
        self._ts = itertools.count(1)

    # ---- bookkeeping ---------------------------------------------------------------------

    def bump(self) -> None:
        """Tell the page something changed."""
        with self.lock:
            self.version += 1

    def note(self, direction: str, text: str) -> None:
        """Add a line to the activity log the page shows."""
        with self.lock:
            self.log.append({"at": time.strftime("%H:%M:%S"), "dir": direction, "text": text})
            self.version += 1

    def new_ts(self) -> str:
        """A message timestamp on the playground clock, unique and increasing."""
        now: datetime = self.clock.now()
        return f"{int(now.timestamp())}.{next(self._ts):06d}"

    # ---- messages ------------------------------------------------------------------------

    def post(self, channel: str, *, text: str, blocks: list[dict[str, Any]] | None = None, **extra: Any) -> Posted:
        """Add a message at the end of a conversation."""
        with self.lock:
            message = Posted(ts=self.new_ts(), channel=channel, text=text or "", blocks=with_ids(blocks or []), **extra)
            self.conversations.setdefault(channel, []).append(message)
            self.version += 1
            return message

    def find(self, channel: str, ts: str) -> Posted | None:
        """A message by conversation and ts."""
        with self.lock:
            return next((m for m in self.conversations.get(channel, []) if m.ts == ts), None)

    def replace(self, message: Posted, *, text: str | None, blocks: list[dict[str, Any]] | None) -> None:
        """Update a message in place (chat.update, replace_original)."""
        with self.lock:
            if text is not None:
                message.text = text
            if blocks is not None:
                message.blocks = with_ids(blocks)
            message.edited = True
            self.version += 1

    def delete(self, message: Posted) -> None:
        """Remove a message (chat.delete, delete_original)."""
        with self.lock:
            self.conversations.get(message.channel, []).remove(message)
            self.version += 1

    def visible(self, channel: str, user_id: str) -> list[Posted]:
        """The messages of a conversation as one user sees them."""
        with self.lock:
            return [m for m in self.conversations.get(channel, []) if m.ephemeral_for in (None, user_id)]

    # ---- triggers and response URLs ------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for an interaction by this user."""
        trigger = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        now = time.monotonic()
        with self.lock:
            for old in [t for t, (_, issued) in self.triggers.items() if now - issued > 60]:
                del self.triggers[old]
            self.triggers[trigger] = (user_id, now)
        return trigger

    def redeem_trigger(self, trigger: str) -> tuple[str | None, str | None]:
        """(user, None) for a live trigger, else (None, Slack's error code)."""
        with self.lock:
            found = self.triggers.get(trigger)
        if found is None:
            return None, "invalid_trigger_id"
        if time.monotonic() - found[1] > TRIGGER_TTL_S:
            return None, "expired_trigger_id"
        return found[0], None

    def issue_response_url(self, target: ResponseTarget) -> str:
        """A token for a response_url that lands in this conversation."""
        token = secrets.token_urlsafe(12)
        with self.lock:
            self.responses[token] = target
        return token

    # ---- views ---------------------------------------------------------------------------

    def new_view(self, view: dict[str, Any], *, view_id: str | None = None, root: str | None = None,
                 previous: str | None = None) -> dict[str, Any]:
        """A view as Slack stores it: with ids, a hash and an empty state."""
        view_id = view_id or slack_id("V")
        return {
            "id": view_id, "team_id": TEAM_ID, "type": view.get("type", "modal"),
            "blocks": with_ids(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
            "state": {"values": {}}, "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"), "close": view.get("close"), "submit": view.get("submit"),
            "clear_on_close": bool(view.get("clear_on_close")), "notify_on_close": bool(view.get("notify_on_close")),
            "external_id": view.get("external_id", ""), "root_view_id": root or view_id,
            "previous_view_id": previous, "app_id": APP_ID, "app_installed_team_id": TEAM_ID, "bot_id": BOT_ID,
        }

    def find_view(self, *, view_id: str | None = None, external_id: str | None = None) -> tuple[str, int] | None:
        """(user, index in their modal stack) of an open modal; index -1 for a Home view."""
        with self.lock:
            for user_id, stack in self.modals.items():
                for index, view in enumerate(stack):
                    if (view_id and view["id"] == view_id) or (external_id and view["external_id"] == external_id):
                        return user_id, index
            for user_id, view in self.homes.items():
                if (view_id and view["id"] == view_id) or (external_id and view["external_id"] == external_id):
                    return user_id, -1
        return None

    def top_modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal the user is looking at."""
        with self.lock:
            stack = self.modals.get(user_id) or []
            return stack[-1] if stack else None
