"""Block Kit for the daily digest and the alert DMs (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.commands import DEFAULT_COMMANDS, Commands
from bot.domain.invites import Risk
from bot.domain.nudges import Kind, Message, PendingInvite
from bot.slack.ids import Action, Block
from bot.slack.mrkdwn import escape, link
from bot.slack.payloads import DigestRow
from bot.slack.render import Reply, button, comment_text, context, section

# Each batch row is a section and an actions block; with the header and footer this keeps a
# digest within Slack's 50 blocks whatever the size of the pile.
MAX_ROWS = 20
MAX_KEYS_LISTED = 15
_ROW_PREFIX = f"{Block.DIGEST_ROW}:"


def _link(invite: PendingInvite) -> str:
    return link(invite.url, invite.label) if invite.url else escape(invite.label)


def summary_text(*, pending: int, stale: int, batch: int, risk: Risk | str) -> str:
    """The counts line at the top of a digest (also refreshed after each click)."""
    text = f"*{pending} pending* · *{stale} stale* · today's batch: *{batch}*"
    if Risk(risk) is Risk.LIMIT:
        text += "\n:rotating_light: Your pending pile is past the limit: LinkedIn may restrict your invitations."
    elif Risk(risk) is Risk.WARN:
        text += "\n:warning: Your pending pile is getting risky: withdraw the stale ones."
    return text


def row_blocks(invite: PendingInvite, now: datetime) -> list[dict[str, Any]]:
    """One invite of today's batch: who, how old, and the three buttons."""
    days = (now - invite.sent_at).days
    priority = "" if invite.priority == "normal" else f" · {invite.priority} priority"
    comment = f" · {comment_text(invite.comment)}" if invite.comment else ""
    value = DigestRow(invite_id=invite.invite_id).dump()
    return [
        section(f"{_link(invite)}{comment} · sent {days} days ago{priority}"),
        {
            "type": "actions",
            "block_id": f"{_ROW_PREFIX}{invite.invite_id}",
            "elements": [
                button("Withdrawn", Action.DIGEST_WITHDRAWN, value, style="primary"),
                button("Accepted", Action.DIGEST_ACCEPTED, value),
                button("Snooze 7d", Action.DIGEST_SNOOZE, value),
            ],
        },
    ]


def _keys(keys: tuple[str, ...]) -> str:
    shown = ", ".join(escape(k.split(":", 1)[-1]) for k in keys[:MAX_KEYS_LISTED])
    return shown + (f" and {len(keys) - MAX_KEYS_LISTED} more" if len(keys) > MAX_KEYS_LISTED else "")


def digest(message: Message, *, now: datetime, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The daily digest DM."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your LinkedIn invites today", "emoji": True}},
        {**section(summary_text(pending=message.pending, stale=len(message.stale), batch=len(message.batch),
                                risk=message.risk)), "block_id": Block.DIGEST_SUMMARY},
    ]
    if message.batch:
        blocks.append(section(
            f"*Withdraw these {len(message.batch)} on LinkedIn today* (My Network → Manage → Sent), "
            "then tap what happened:"
        ))
        for invite in message.batch[:MAX_ROWS]:
            blocks.extend(row_blocks(invite, now))
        if len(message.batch) > MAX_ROWS:
            blocks.append(context(f"…and {len(message.batch) - MAX_ROWS} more in today's batch: "
                                  f"`{escape(commands.invites)} list stale`."))
    elif message.stale:
        blocks.append(section("You've used today's withdrawal budget — the rest can wait until tomorrow."))
    beyond = len(message.stale) - len(message.batch)
    notes = []
    if beyond > 0:
        notes.append(f"{beyond} more stale invite{'s' if beyond != 1 else ''} wait for the next days.")
    if message.expired:
        notes.append(f":hourglass: Expired (LinkedIn drops invites after about 6 months): {_keys(message.expired)}")
    if message.reinvite:
        notes.append(f":recycle: You can invite these high-priority prospects again: {_keys(message.reinvite)}")
    if notes:
        blocks.append({"type": "divider"})
        blocks.extend(section(n) for n in notes)
    invites = escape(commands.invites)
    blocks.append(context(f"`{invites} pause` stops this digest · `{invites} snooze 3d` pauses it for a while"))
    text = f"{message.pending} pending, {len(message.stale)} stale; withdraw {len(message.batch)} today."
    return {"text": text, "blocks": blocks[:50]}


def alert(message: Message, *, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The immediate DM for a pile crossing a level or the weekly pace reaching the limit."""
    stale = f"`{escape(commands.invites)} list stale`"
    if message.kind is Kind.PENDING_LIMIT:
        text = (f":rotating_light: You have *{message.pending} pending invites* — past the limit. LinkedIn reads a big "
                f"pending pile as a spam signal; withdraw the oldest ones ({stale}).")
    elif message.kind is Kind.PENDING_WARN:
        text = (f":warning: You have *{message.pending} pending invites* — time to withdraw the stale ones "
                f"before LinkedIn notices ({stale}).")
    else:
        text = (f":chart_with_upwards_trend: You've sent *{message.sends_last_7_days} invites in the last 7 days*, "
                f"the safe limit for your account is {message.safe_weekly_limit}. Give it a few days.")
    return {"text": text.replace("*", ""), "blocks": [section(text)]}


def render(message: Message, *, now: datetime, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The DM for any planned message."""
    if message.kind is Kind.DAILY_DIGEST:
        return digest(message, now=now, commands=commands)
    return alert(message, commands=commands)


def mark_row_done(blocks: list[dict[str, Any]], invite_id: int, note: str) -> list[dict[str, Any]]:
    """The digest with one row's buttons replaced by what happened (the message updated in place)."""
    target = f"{_ROW_PREFIX}{invite_id}"
    return [context(note) if b.get("block_id") == target else b for b in blocks]


def refresh_summary(blocks: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The digest with fresh counts."""
    return [{**section(text), "block_id": Block.DIGEST_SUMMARY} if b.get("block_id") == Block.DIGEST_SUMMARY else b
            for b in blocks]


def remaining_rows(blocks: list[dict[str, Any]]) -> int:
    """How many batch rows still have buttons."""
    return sum(1 for b in blocks if str(b.get("block_id", "")).startswith(_ROW_PREFIX))
