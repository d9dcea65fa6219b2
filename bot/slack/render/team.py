"""Block Kit builders for the team views: the leaderboard (ephemeral and posted), insights, the team digest."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.commands import DEFAULT_COMMANDS, Commands
from bot.domain.counts import stale_label
from bot.domain.invites import Period
from bot.domain.words import count
from bot.services.leaderboard import (
    SHOWN_RANKED,
    SHOWN_UNRANKED,
    WEEKDAY_MIN_DAYS,
    WEEKDAY_MIN_DECIDED,
    Insights,
    Leaderboard,
    LeaderboardRow,
)
from bot.services.team_digest import TeamDigestPlan
from bot.slack.ids import TeamAction, TeamBlock
from bot.slack.payloads import PostLeaderboard
from bot.slack.render import SECTION_LIMIT, Reply, button, context, escape, reply, section

# Slack's limits: 50 blocks a message, 3,000 characters a section, 150 in a header. Ranked and
# not-yet-ranked members get a budget of lines and sections (about 40,000 characters in all), so a
# team of 1,000 still fits and the message stays readable; the rest is counted as "…and N more".
HEADER_LIMIT = 150
MAX_RANKED_LINES = SHOWN_RANKED  # the rows whose piles the service reads
MAX_RANKED_SECTIONS = 10
MAX_UNRANKED_LINES = SHOWN_UNRANKED
MAX_UNRANKED_SECTIONS = 3
MAX_UNRANKED_NAMES = 30
MAX_NAME = 80
FALLBACK_ROWS = 3
WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}
DEFAULT_PERIOD = "30d"  # what `/invites leaderboard` shows without a period
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{1,30}")


def period_text(period: Period) -> str:
    """`the last 30 days`, or `all time`."""
    return "all time" if period.days is None else f"the last {period.days} days"


def percent(rate: float | None) -> str:
    """`42%`, or `–` when nothing is decided."""
    return "–" if rate is None else f"{rate:.0%}"


def member_name(row: LeaderboardRow) -> str:
    """The display name as plain text: cut before escaping (so no entity is split), never a mention."""
    name = row.name if len(row.name) <= MAX_NAME else row.name[: MAX_NAME - 1] + "…"
    return escape(name)


def _figures(row: LeaderboardRow) -> str:
    rate = f"{percent(row.rate)} (n={row.n}) · {row.accepted} accepted"
    if row.pending is None or row.stale is None:  # a row past what a message shows: its pile was not read
        return rate
    return f"{rate} · {row.pending} pending · {stale_label(row.stale, row.snoozed_stale or 0)}"


def ranked_line(row: LeaderboardRow) -> str:
    """`1. Dana — 42% (n=50) · 21 accepted · 12 pending · 3 stale`."""
    return f"{row.rank}. {member_name(row)} — {_figures(row)}"


def unranked_line(row: LeaderboardRow) -> str:
    """`• Tom — 33% (n=3) · 1 accepted · 4 pending · 0 stale`."""
    return f"• {member_name(row)} — {_figures(row)}"


def _more(hidden: int) -> str:
    return f"…and {hidden} more"


def _fits(chunk: list[str], line: str) -> bool:
    return len("\n".join([*chunk, line])) <= SECTION_LIMIT


def _close(chunk: list[str], hidden: int) -> None:
    """End the last chunk with `…and N more`, dropping lines until it fits."""
    while len(chunk) > 1 and not _fits(chunk, _more(hidden)):
        chunk.pop()
        hidden += 1
    chunk.append(_more(hidden))


def packed(
    lines: list[str], *, max_sections: int, max_lines: int, title: str | None = None, total: int | None = None
) -> list[dict[str, Any]]:
    """Lines (after an optional title) in at most `max_sections` sections; the rest counted as `…and N more`.

    `total` is the number of rows when `lines` holds only the first of them (at most `max_lines`).
    """
    total = len(lines) if total is None else total
    chunks: list[list[str]] = [[title] if title else []]
    for shown, line in enumerate([*lines[:max_lines], None]):
        if line is None:
            if shown < total:
                _close(chunks[-1], total - shown)
            break
        if not chunks[-1] or _fits(chunks[-1], line):
            chunks[-1].append(line)
        elif len(chunks) < max_sections:
            chunks.append([line])
        else:
            _close(chunks[-1], total - shown)
            break
    return [section("\n".join(chunk)) for chunk in chunks if chunk]


def header(text: str) -> dict[str, Any]:
    """A header block (plain text, at most 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": text[:HEADER_LIMIT], "emoji": True}}


def _ranked_blocks(board: Leaderboard) -> list[dict[str, Any]]:
    if not board.rows_ranked:
        text = f"Nobody has {count(board.min_sample, 'decided invite')} from {period_text(board.period)} yet."
        return [section(text)]
    # Only the rows a message can show are written out (their piles are the ones the service read).
    lines = [ranked_line(r) for r in board.rows_ranked[:MAX_RANKED_LINES]]
    return packed(lines, max_sections=MAX_RANKED_SECTIONS, max_lines=MAX_RANKED_LINES, total=len(board.rows_ranked))


def _unranked_blocks(board: Leaderboard) -> list[dict[str, Any]]:
    if not board.rows_unranked:
        return []
    title = f"*Not enough data yet* (fewer than {count(board.min_sample, 'decided invite')}):"
    lines = [unranked_line(r) for r in board.rows_unranked[:MAX_UNRANKED_LINES]]
    return packed(lines, max_sections=MAX_UNRANKED_SECTIONS, max_lines=MAX_UNRANKED_LINES, title=title,
                  total=len(board.rows_unranked))


def totals_text(board: Leaderboard) -> str:
    """The team's numbers in one line (hidden members included)."""
    t = board.totals
    rate = f"{percent(t.rate)} of {t.decided} decided" if t.decided else "nothing decided yet"
    text = f"*Team:* {t.sent} sent · {t.accepted} accepted · {rate}"
    if t.pending is None or t.stale is None:  # the message reads only the shown members' piles
        return text
    return f"{text} · {t.pending} pending · {stale_label(t.stale, t.snoozed_stale or 0)}"


def method_text(board: Leaderboard) -> str:
    """How the ranking works, in one line."""
    return (
        "Ranked by the lower bound of a 95% Wilson interval, so a rate from a few invites can't beat one "
        f"from many; {count(board.min_sample, 'decided invite')} to be ranked. Invites still inside the "
        "withdraw window are not counted yet."
    )


def _fallback(board: Leaderboard) -> str:
    top = ", ".join(f"{r.rank}. {member_name(r)} {percent(r.rate)} (n={r.n})" for r in board.rows_ranked[:FALLBACK_ROWS])
    head = f"Team leaderboard, {period_text(board.period)}"
    return f"{head}: {top}" if top else head


def _board_blocks(board: Leaderboard) -> list[dict[str, Any]]:
    blocks = [header(f"Leaderboard — {period_text(board.period)}")]
    if board.empty:
        return [*blocks, section(f"No invites were logged in {period_text(board.period)}.")]
    blocks += _ranked_blocks(board) + _unranked_blocks(board)
    return [*blocks, context(totals_text(board)), context(method_text(board))]


def post_button(board: Leaderboard, *, channel_id: str) -> dict[str, Any]:
    """The "Post to channel" button, with a confirmation naming the channel."""
    element = button(
        "Post to channel", TeamAction.POST_LEADERBOARD, PostLeaderboard(period=board.period.label).dump(), "primary"
    )
    # A confirm dialog's text is plain_text only (a <#C…> would show literally): the channel is this one.
    element["confirm"] = {
        "title": {"type": "plain_text", "text": "Post the leaderboard?"},
        "text": {"type": "plain_text", "text": "Everyone in this channel will see it."},
        "confirm": {"type": "plain_text", "text": "Post"},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }
    return element


def how_to_post_text(board: Leaderboard, *, commands: Commands) -> str:
    """Where posting can't work (a DM): the command that posts it, to run in a channel."""
    period = "" if board.period.label == DEFAULT_PERIOD else f" {board.period.label}"
    return f"Run `{escape(commands.invites)} leaderboard{period}` in a channel to post it there."


def leaderboard_reply(
    board: Leaderboard, *, channel_id: str, can_post: bool, commands: Commands = DEFAULT_COMMANDS
) -> Reply:
    """The ephemeral leaderboard, with a button to post it to the channel when allowed, else how to."""
    blocks = _board_blocks(board)
    if can_post:
        elements = [post_button(board, channel_id=channel_id)]
        blocks.append({"type": "actions", "block_id": TeamBlock.LEADERBOARD_ACTIONS, "elements": elements})
    else:
        hint = how_to_post_text(board, commands=commands)
        blocks.append(context(f":information_source: {hint}"))
        return reply(f"{_fallback(board)}\n{hint}", blocks)
    return reply(_fallback(board), blocks)


def leaderboard_public(board: Leaderboard) -> Reply:
    """The leaderboard as posted to a channel: the same content, no button."""
    return reply(_fallback(board), _board_blocks(board))


def insights_lines(insights: Insights) -> list[str]:
    """The weekday insight for `/invites stats`: the best day (when the data allows) and each day's rate."""
    days = [w for w in insights.weekdays if w.n]
    if not days:
        return []
    if insights.best_weekday is None:
        first = (
            f"Best sending day: not enough data yet ({WEEKDAY_MIN_DECIDED} decided invites on at least "
            f"{WEEKDAY_MIN_DAYS} weekdays)."
        )
    else:
        best = next(w for w in insights.weekdays if w.weekday == insights.best_weekday)
        first = f"Best sending day: *{WEEKDAYS[best.weekday]}* — {percent(best.rate)} (n={best.n})"
    by_day = " · ".join(f"{WEEKDAYS[w.weekday][:3]} {percent(w.rate)} (n={w.n})" for w in days)
    return [first, f"By weekday sent (your time zone): {by_day}"]


# ---- leaderboard actions ----------------------------------------------------------------------


def channel_ref(channel_id: str | None) -> str:
    """`<#C123>` (a channel link that pings nobody) for a valid id, else `that channel`."""
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id or "") else "that channel"


def posted_reply(board: Leaderboard, *, channel_id: str) -> Reply:
    """The ephemeral leaderboard after posting: no button any more (no double post), and where it went."""
    blocks = [*_board_blocks(board), context(f":white_check_mark: Posted to {channel_ref(channel_id)}.")]
    return reply(f"Leaderboard posted to {channel_ref(channel_id)}.", blocks)


# Slack's answers to chat.postMessage that mean "the app cannot post there" (not a bug of ours).
CANNOT_POST = {
    "not_in_channel": "Invite me to {where} first: `/invite @Invite Hygiene`, then press *Post to channel* again.",
    "channel_not_found": "Invite me to {where} first: `/invite @Invite Hygiene`, then press *Post to channel* again.",
    "is_archived": "{where} is archived, so I can't post there.",
    "restricted_action": "Posting in {where} is restricted by the workspace's settings.",
}


def cannot_post_reply(code: str, *, channel_id: str | None) -> Reply:
    """Why the leaderboard was not posted; nothing was."""
    text = CANNOT_POST[code].format(where=channel_ref(channel_id))
    text = text[0].upper() + text[1:] + " Nothing was posted."
    return reply(text.replace("*", ""), [section(f":warning: {text}")])


def visibility_reply(*, shown: bool, min_sample: int, commands: Commands) -> Reply:
    """The confirmation of `/invites leaderboard hide|show`."""
    invites = escape(commands.invites)
    if shown:
        needed = count(min_sample, "decided invite")
        text = (f":eyes: You're on the leaderboard again (ranked once you have {needed} "
                f"in the period). `{invites} leaderboard hide` leaves it.")
    else:
        text = (":see_no_evil: You're hidden from the leaderboard. Your invites still count in the team totals, "
                f"never with your name. `{invites} leaderboard show` brings you back.")
    return reply(text, [section(text)])


# ---- the weekly team digest -----------------------------------------------------------------


def _members(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


def risk_text(plan: TeamDigestPlan) -> str:
    """How many members are in the risk zone, never who."""
    p = plan.pile
    if not p.at_warn and not p.at_limit:
        return f":white_check_mark: Nobody has {plan.pending_warn_at} or more pending invites."
    parts = []
    if p.at_limit:
        parts.append(f"{_members(p.at_limit)} past the limit ({plan.pending_limit}+ pending)")
    if p.at_warn:
        parts.append(f"{_members(p.at_warn)} at the warning level ({plan.pending_warn_at}+ pending)")
    return f":warning: Risk zone: {' and '.join(parts)}. Withdrawing stale invites brings a pile down."


def change_text(points: int | None) -> str:
    """A ranked member's change since last week, in words: `▲ 5 pts`, `▼ 3 pts`, `=`, or `new`."""
    if points is None:
        return "new on the board"
    if points == 0:
        return "= same as last week"
    arrow = "▲" if points > 0 else "▼"
    return f"{arrow} {count(abs(points), 'pt')} since last week"


def digest_ranked_line(row: LeaderboardRow, points: int | None) -> str:
    """`1. Dana — 42% (n=50) · ▲ 5 pts since last week`."""
    return f"{row.rank}. {member_name(row)} — {percent(row.rate)} (n={row.n}) · {change_text(points)}"


def not_ranked_text(board: Leaderboard) -> str:
    """`Not enough decided invites yet: Ana, Tom (need 10)`: one line, names only, the rest counted."""
    rows = board.rows_unranked
    names = ", ".join(member_name(r) for r in rows[:MAX_UNRANKED_NAMES])
    if len(rows) > MAX_UNRANKED_NAMES:
        names += f" and {len(rows) - MAX_UNRANKED_NAMES} more"
    return f"Not enough decided invites yet: {names} (need {board.min_sample})"


def _digest_board_blocks(plan: TeamDigestPlan) -> list[dict[str, Any]]:
    """The weekly digest's 30-day board: ranked rows with their change, one line for the rest."""
    board = plan.board
    title = f"*Leaderboard — {period_text(board.period)}* (acceptance rate, change since last week)"
    if not board.rows_ranked and not board.rows_unranked:
        return [section(f"{title}\nNo invites were logged in {period_text(board.period)}.")]
    if board.rows_ranked:
        lines = [digest_ranked_line(r, plan.change(r)) for r in board.rows_ranked[:MAX_RANKED_LINES]]
        blocks = packed(lines, max_sections=MAX_RANKED_SECTIONS, max_lines=MAX_RANKED_LINES, title=title,
                        total=len(board.rows_ranked))
    else:
        needed = count(board.min_sample, "decided invite")
        blocks = [section(f"{title}\nNobody has {needed} from {period_text(board.period)} yet.")]
    if board.rows_unranked:
        blocks.append(section(not_ranked_text(board)))
    return [*blocks, context(method_text(board))]


def team_digest(plan: TeamDigestPlan) -> Reply:
    """The weekly digest in the team's channel: 30-day totals, the pile, the risk zone, the 30-day board."""
    t, p = plan.board.totals, plan.pile
    rate = f"{percent(t.rate)} of {t.decided} decided" if t.decided else "nothing decided yet"
    lines = [
        f"*Last 30 days:* {count(t.sent, 'invite')} sent · {t.accepted} accepted · *acceptance:* {rate}",
        f"*Pending now:* {p.pending} · {stale_label(p.stale, p.snoozed_stale)} across {_members(p.members)}",
        risk_text(plan),
    ]
    blocks = [
        header(f"Weekly invite digest — {plan.local_date:%b} {plan.local_date.day}"),
        {**section("\n".join(lines)), "block_id": TeamBlock.TEAM_DIGEST_SUMMARY},
        {"type": "divider"},
        *_digest_board_blocks(plan),
    ]
    at_risk = p.at_warn + p.at_limit
    text = (f"Weekly invite digest: {count(t.sent, 'invite')} sent in 30 days, {t.accepted} accepted, "
            f"{p.pending} pending, {stale_label(p.stale, p.snoozed_stale)}; {_members(at_risk)} in the risk zone.")
    return reply(text, blocks)
