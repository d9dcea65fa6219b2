"""Block Kit for the daily digest and the alert DMs (pure)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.domain.commands import DEFAULT_COMMANDS, Commands
from bot.domain.counts import PileCounts, stale_label
from bot.domain.invites import Risk
from bot.domain.nudges import DIGEST_MAX_ROWS, DigestOutcome, Kind, Message, PendingInvite
from bot.domain.words import count, plural
from bot.slack.ids import Action, Block
from bot.slack.mrkdwn import escape, link
from bot.slack.payloads import BulkWithdraw, DigestRow
from bot.slack.render import Reply, button, comment_text, context, section
from bot.slack.render import insight as render_insight

# Each batch row is a section and an actions block; with the header and footer this keeps a
# digest within Slack's 50 blocks whatever the size of the pile.
MAX_ROWS = DIGEST_MAX_ROWS
MAX_KEYS_LISTED = 15
_ROW_PREFIX = f"{Block.DIGEST_ROW}:"


def _link(invite: PendingInvite) -> str:
    return link(invite.url, invite.label) if invite.url else escape(invite.label)


def summary_text(counts: PileCounts) -> str:
    """The counts line at the top of a digest and of Home (also refreshed after each click)."""
    risk = counts.risk
    text = f"*{counts.pending} pending* · *{stale_label(counts.stale, counts.snoozed_stale)}* · today's batch: *{counts.batch}*"
    if Risk(risk) is Risk.LIMIT:
        text += "\n:rotating_light: Your pending pile is past the limit: LinkedIn may restrict your invitations."
    elif Risk(risk) is Risk.WARN:
        text += "\n:warning: Your pending pile is getting risky: withdraw the stale ones."
    return text


def these(n: int) -> str:
    """`these 3`, or `this one`: what today's batch is called."""
    return "this one" if n == 1 else f"these {n}"


def waiting_text(n: int) -> str:
    """`1 more stale invite waits for the next days.` (or `3 more … wait`)."""
    return f"{n} more {plural(n, 'stale invite')} {'waits' if n == 1 else 'wait'} for the next days."


def batch_text(counts: PileCounts) -> str:
    """The line above today's batch (digest and Home): how many to withdraw, or why none."""
    if counts.batch:
        return (f"*Withdraw {these(counts.batch)} on LinkedIn today* (My Network → Manage → Sent), "
                "then tap what happened:")
    if counts.ready:
        return (f"You've used today's {count(counts.max_withdrawals_per_day, 'withdrawal')}: the "
                f"{count(counts.ready, 'stale invite')} left can wait until tomorrow.")
    if counts.stale:
        return "Nothing to withdraw today: your stale invites are snoozed."
    return ":sparkles: Nothing to withdraw: no stale invites."


def batch_notes(counts: PileCounts, shown: int, commands: Commands = DEFAULT_COMMANDS) -> str:
    """Under the batch rows: the batch's rows not shown, and the ready invites left for the next days."""
    notes = []
    if counts.batch > shown:
        notes.append(f"…and {counts.batch - shown} more in today's batch: `{escape(commands.invites)} list stale`.")
    if counts.batch and counts.waiting:
        notes.append(waiting_text(counts.waiting))
    return " ".join(notes)


def _batch_head(counts: PileCounts, shown: int, commands: Commands) -> str:
    notes = batch_notes(counts, shown, commands)
    return f"{batch_text(counts)}\n{notes}" if notes else batch_text(counts)


def row_blocks(invite: PendingInvite, now: datetime) -> list[dict[str, Any]]:
    """One invite of today's batch: who, how old, and the three buttons."""
    days = (now - invite.sent_at).days
    priority = "" if invite.priority == "normal" else f" · {invite.priority} priority"
    comment = f" · {comment_text(invite.comment)}" if invite.comment else ""
    value = DigestRow(invite_id=invite.invite_id).dump()
    return [
        section(f"{_link(invite)}{comment} · sent {count(days, 'day')} ago{priority}"),
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


BUTTON_VALUE_LIMIT = 2000  # Slack's limit on a button's value


def bulk_block(invite_ids: list[int]) -> list[dict[str, Any]]:
    """The batch's "Withdrew all N" (with Slack's confirm dialog), carrying exactly the rows shown; none under 2."""
    n = len(invite_ids)
    if n < 2:
        return []
    value = BulkWithdraw(invite_ids=tuple(invite_ids)).dump()
    assert len(value) <= BUTTON_VALUE_LIMIT, "a bulk button's ids must fit in Slack's 2,000 characters"
    element = button(f"Withdrew all {n}", Action.DIGEST_WITHDRAW_ALL, value)
    # Slack's confirm object: title 100, text 300, buttons 30 characters, all plain_text.
    element["confirm"] = {
        "title": {"type": "plain_text", "text": f"Withdrew all {n}?"},
        "text": {"type": "plain_text", "text": (
            f"This marks these {n} invites withdrawn here; you withdraw them on LinkedIn yourself. "
            "LinkedIn spreads withdrawals best over days: a burst of them can look like spam.")},
        "confirm": {"type": "plain_text", "text": f"Yes, all {n}"},
        "deny": {"type": "plain_text", "text": "Not yet"},
    }
    return [{"type": "actions", "block_id": Block.DIGEST_BULK, "elements": [element]}]


def bulk_note(withdrawn: int, unchanged: list[tuple[str, str]], counts: PileCounts,
              commands: Commands = DEFAULT_COMMANDS) -> str:
    """After "Withdrew all N": what changed, how to undo it, and the warning past the day's withdrawals."""
    text = (f":leftwards_arrow_with_hook: Marked {count(withdrawn, 'invite')} withdrawn · "
            f"`{escape(commands.invites)} undo` reverts them together.")
    if unchanged:
        text += " " + ", ".join(f"{escape(label)} was already {status}" for label, status in unchanged[:10]) + "."
    if counts.past_daily_withdrawals:
        text += (f"\n:warning: That makes {count(counts.withdrawn_today, 'withdrawal')} today, past your "
                 f"{counts.max_withdrawals_per_day} a day: LinkedIn reads a burst of withdrawals as a spam "
                 "signal, so spread the rest over the next days.")
    return text


def _keys(keys: tuple[str, ...]) -> str:
    shown = ", ".join(escape(k.split(":", 1)[-1]) for k in keys[:MAX_KEYS_LISTED])
    return shown + (f" and {len(keys) - MAX_KEYS_LISTED} more" if len(keys) > MAX_KEYS_LISTED else "")


def digest(message: Message, *, now: datetime, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The daily digest DM."""
    counts = message.counts
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your LinkedIn invites today", "emoji": True}},
        {**section(summary_text(counts)), "block_id": Block.DIGEST_SUMMARY},
    ]
    if counts.stale:
        blocks.append({**section(_batch_head(counts, len(message.batch[:MAX_ROWS]), commands)), "block_id": Block.DIGEST_BATCH})
        for invite in message.batch[:MAX_ROWS]:
            blocks.extend(row_blocks(invite, now))
        blocks.extend(bulk_block(list(message.shown_ids)))
    notes = []
    if message.away_days is not None:
        blocks.insert(1, section(render_insight.away_line(message.away_days)))
    if message.drift is not None:
        notes.append(render_insight.digest_drift_line(message.drift, now=now, commands=commands))
    if message.expired:
        notes.append(f":hourglass: Expired (LinkedIn drops invites after about 6 months): {_keys(message.expired)}")
    if message.reinvite:
        notes.append(f":recycle: You can invite these high-priority prospects again: {_keys(message.reinvite)}")
    if notes:
        blocks.append({"type": "divider"})
        blocks.extend(section(n) for n in notes)
    invites = escape(commands.invites)
    blocks.append(context(f"`{invites} pause` stops this digest · `{invites} snooze 3d` pauses it for a while"))
    text = f"{counts.pending} pending, {stale_label(counts.stale, counts.snoozed_stale)}; withdraw {counts.batch} today."
    return {"text": text, "blocks": blocks[:50]}


def replaced_digest(day: date, outcome: DigestOutcome | None) -> Reply:
    """A digest the next one replaced: one line of what happened to its invites (None: not known), no buttons."""
    name = f"Your {day:%b} {day.day} digest"
    text = f"{name}: {outcome.line()}." if outcome is not None else f"{name} was replaced by today's."
    return {"text": text, "blocks": [{**context(f":date: {escape(text)}"), "block_id": Block.DIGEST_DONE}]}


def alert(message: Message, *, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The immediate DM for a pile crossing a level or the weekly pace reaching the limit."""
    stale = f"`{escape(commands.invites)} list stale`"
    pending = count(message.pending, "pending invite")
    if message.kind is Kind.PENDING_LIMIT:
        text = (f":rotating_light: You have *{pending}* — past the limit. LinkedIn reads a big "
                f"pending pile as a spam signal; withdraw the oldest ones ({stale}).")
    elif message.kind is Kind.PENDING_WARN:
        text = (f":warning: You have *{pending}* — time to withdraw the stale ones "
                f"before LinkedIn notices ({stale}).")
    else:
        sent = count(message.sends_last_7_days, "invite")
        text = (f":chart_with_upwards_trend: You've sent *{sent} in the last 7 days*, "
                f"the safe limit for your account is {message.safe_weekly_limit}. Give it a few days.")
    return {"text": text.replace("*", ""), "blocks": [section(text)]}


def render(message: Message, *, now: datetime, commands: Commands = DEFAULT_COMMANDS) -> Reply:
    """The DM for any planned message."""
    if message.kind is Kind.DAILY_DIGEST:
        return digest(message, now=now, commands=commands)
    return alert(message, commands=commands)


def mark_row_done(blocks: list[dict[str, Any]], invite_id: int, note: str) -> list[dict[str, Any]]:
    """The digest with one row's buttons replaced by what happened (the message updated in place)."""
    return mark_rows_done(blocks, {invite_id: note})


def mark_rows_done(blocks: list[dict[str, Any]], notes: dict[int, str]) -> list[dict[str, Any]]:
    """The digest with these rows' buttons replaced by what happened to each."""
    targets = {f"{_ROW_PREFIX}{invite_id}": note for invite_id, note in notes.items()}
    return [context(targets[b["block_id"]]) if b.get("block_id") in targets else b for b in blocks]


def has_row(blocks: list[dict[str, Any]], invite_id: int) -> bool:
    """Whether the message still shows this invite's buttons (not when a newer digest replaced it)."""
    return any(b.get("block_id") == f"{_ROW_PREFIX}{invite_id}" for b in blocks)


def replace_bulk(blocks: list[dict[str, Any]], note: str | None = None) -> list[dict[str, Any]]:
    """The "Withdrew all" button remade for the rows still shown (gone under 2), or, given a note, that note."""
    at = next((n for n, b in enumerate(blocks) if b.get("block_id") == Block.DIGEST_BULK), None)
    if at is None:
        return blocks
    fresh = [{**context(note), "block_id": Block.DIGEST_DONE}] if note else bulk_block(row_ids(blocks))
    return [*blocks[:at], *fresh, *blocks[at + 1:]]


def refresh_counts(blocks: list[dict[str, Any]], counts: PileCounts,
                   commands: Commands = DEFAULT_COMMANDS) -> list[dict[str, Any]]:
    """The digest with fresh counts: the summary, the batch line and the notes under the rows agree."""
    fresh = {
        Block.DIGEST_SUMMARY: section(summary_text(counts)),
        Block.DIGEST_BATCH: section(_batch_head(counts, remaining_rows(blocks), commands)),
    }
    blocks = [{**fresh[b["block_id"]], "block_id": b["block_id"]} if b.get("block_id") in fresh else b
              for b in blocks]
    return replace_bulk(blocks) if any(b.get("block_id") == Block.DIGEST_BULK for b in blocks) else blocks


def remaining_rows(blocks: list[dict[str, Any]]) -> int:
    """How many batch rows still have buttons."""
    return len(row_ids(blocks))


def row_ids(blocks: list[dict[str, Any]]) -> list[int]:
    """The invites whose rows still have buttons, in the message's order."""
    ids = []
    for b in blocks:
        block_id = str(b.get("block_id", ""))
        if block_id.startswith(_ROW_PREFIX) and block_id[len(_ROW_PREFIX):].isdigit():
            ids.append(int(block_id[len(_ROW_PREFIX):]))
    return ids
