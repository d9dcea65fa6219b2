"""What the page shows one teammate: conversations, Home, the open modal, the clock, as JSON with HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.playground import demo
from bot.playground.blockkit import Context, attr, blocks_html, message_html, modal_html
from bot.playground.demo import Teammate
from bot.playground.mrkdwn import plain
from bot.playground.store import Posted, SlackState

MAX_SHOWN = 150


def context(state: SlackState, errors: dict[str, str] | None = None) -> Context:
    """Names for mentions and selects."""
    return Context(users=demo.names(), channels={demo.CHANNEL_ID: demo.CHANNEL_NAME}, errors=errors or {})


def _when(ts: str, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(int(ts.split(".")[0]), UTC).astimezone(zone)


def _author(message: Posted) -> tuple[str, str, bool]:
    """(name, initials, is the app)."""
    if message.system:
        return "Slackbot", "SB", True
    mate = demo.teammate(message.user or "")
    if mate is None:
        return demo.APP_NAME, "IH", True
    return mate.name, mate.initials, False


def _files(message: Posted, state: SlackState) -> str:
    out = []
    for file_id in message.files:
        stored = state.files.get(file_id)
        if stored:
            size = f"{len(stored.content) / 1024:.1f} KB" if len(stored.content) >= 1024 else f"{len(stored.content)} B"
            out.append(f'<div class="msg-file">📎 <span class="msg-file-name">{attr(stored.title)}</span>'
                       f' <span class="msg-file-size">{stored.filetype.upper()} · {size}</span></div>')
    return "".join(out)


def message_block(message: Posted, state: SlackState, ctx: Context, zone: ZoneInfo) -> str:
    """One message as the page shows it."""
    name, initials, is_app = _author(message)
    when = _when(message.ts, zone)
    reply = bool(message.thread_ts and message.thread_ts != message.ts)
    classes = ("msg" + (" msg-ephemeral" if message.ephemeral_for else "") + (" msg-system" if message.system else "")
               + (" msg-reply" if reply else ""))
    badge = '<span class="app-badge">APP</span>' if is_app and not message.system else ""
    only = '<div class="msg-only">👁 Only visible to you</div>' if message.ephemeral_for else ""
    command = f'<div class="msg-cmd">{plain(message.replying_to, with_emoji=False)}</div>' if message.replying_to else ""
    edited = ' <span class="msg-edited">(edited)</span>' if message.edited and not message.ephemeral_for else ""
    thread = '<span class="msg-thread">↳ in thread</span>' if reply else ""
    actions = "".join(
        f'<button type="button" class="msg-shortcut" data-message-shortcut="{attr(callback_id)}" '
        f'title="More actions: {attr(name)}">⋯ {attr(name)}</button>'
        for name, callback_id in demo.MESSAGE_SHORTCUTS
    ) if message.channel == demo.CHANNEL_ID and not message.ephemeral_for and not message.system else ""
    body = message_html(message.text, message.blocks, ctx) if (message.text or message.blocks) else ""
    return (
        f'<div class="{classes}" data-channel="{attr(message.channel)}" data-ts="{attr(message.ts)}">'
        f'<div class="avatar{" avatar-app" if is_app else ""}">{attr(initials)}</div><div class="msg-main">{only}'
        f'<div class="msg-meta"><span class="msg-author">{attr(name)}</span>{badge}'
        f'<time title="{when:%Y-%m-%d %H:%M %Z}">{when:%a %b %-d, %H:%M}</time>{edited}{thread}{actions}</div>'
        f'{command}<div class="msg-body">{body}{_files(message, state)}</div></div></div>'
    )


def conversation_html(state: SlackState, channel: str, mate: Teammate, empty: str) -> str:
    """A conversation's messages as one teammate sees them, with a line between days."""
    messages = state.visible(channel, mate.user_id)[-MAX_SHOWN:]
    if not messages:
        return f'<div class="empty">{attr(empty)}</div>'
    ctx = context(state)
    out, day = [], None
    for message in messages:
        when = _when(message.ts, mate.zone)
        if when.date() != day:
            day = when.date()
            out.append(f'<div class="day-line"><span>{when:%A, %B %-d}</span></div>')
        out.append(message_block(message, state, ctx, mate.zone))
    return "".join(out)


def _modal(state: SlackState, mate: Teammate) -> dict[str, Any] | None:
    view = state.top_modal(mate.user_id)
    if view is None:
        return None
    errors = state.errors.get(view["id"], {})
    ctx = context(state, errors)
    general = f'<div class="bk-error modal-error">{plain(errors[""])}</div>' if errors.get("") else ""
    html = modal_html(view, ctx).replace('<div class="modal-body">', f'<div class="modal-body">{general}', 1)
    return {"view_id": view["id"], "hash": view["hash"], "html": html,
            "depth": len(state.modals.get(mate.user_id) or [])}


def _home(state: SlackState, mate: Teammate) -> dict[str, Any] | None:
    view = state.homes.get(mate.user_id)
    if view is None:
        return None
    return {"view_id": view["id"], "hash": view["hash"], "html": blocks_html(view["blocks"], context(state))}


def snapshot(state: SlackState, mate: Teammate, *, commands: tuple[str, ...]) -> dict[str, Any]:
    """Everything the page draws for one teammate."""
    now = state.clock.now()
    with state.lock:
        version = state.version
        teammates = [{
            "id": t.user_id, "name": t.name, "initials": t.initials, "tz": t.tz, "admin": t.is_admin,
            "title": t.title, "local": f"{now.astimezone(t.zone):%a %H:%M}",
            "dm_count": len(state.visible(t.dm_channel, t.user_id)),
        } for t in demo.TEAMMATES]
        return {
            "version": version,
            "user": mate.user_id,
            "now": {"iso": now.isoformat(), "utc": f"{now:%a %d %b %Y, %H:%M} UTC",
                    "local": f"{now.astimezone(mate.zone):%a %d %b, %H:%M} in {mate.tz}"},
            "teammates": teammates,
            "channel": {"id": demo.CHANNEL_ID, "name": demo.CHANNEL_NAME,
                        "html": conversation_html(state, demo.CHANNEL_ID, mate,
                                                  "Nothing posted yet. Leaderboards and weekly digests land here.")},
            "dm": {"id": mate.dm_channel,
                   "html": conversation_html(state, mate.dm_channel, mate,
                                             "No messages from the app yet. Move the clock to get a digest, "
                                             "or drop a LinkedIn export here.")},
            "home": _home(state, mate),
            "modal": _modal(state, mate),
            "log": list(state.log)[-80:],
            "commands": list(commands),
            "shortcuts": [{"name": n, "callback_id": c} for n, c in demo.SHORTCUTS],
        }
