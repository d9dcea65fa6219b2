"""Block Kit builders: pure functions from service results to {"text", "blocks"} replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from bot.domain.commands import INVITED_DESCRIPTION, INVITED_SYNTAX, REGISTRY, Commands
from bot.domain.counts import stale_label
from bot.domain.invites import PaceLevel, RateCounts, Risk, Status
from bot.domain.tiers import TIERS
from bot.domain.words import count
from bot.services.errors import Ambiguous
from bot.services.invites import InvitePage, InviteView, LogResult, OutcomeResult, Teammate, UndoResult
from bot.services.members import Actor
from bot.services.stats import MemberStats
from bot.slack.ids import Action, Block
from bot.slack.mrkdwn import escape, link, mention, truncate
from bot.slack.payloads import ListOutcome, ListPage, PickOutcome

Reply = dict[str, Any]

SECTION_LIMIT = 3000
MAX_LINES_SHOWN = 20
TIER_NAMES = {t.id: t.name for t in TIERS}  # from the one tier table, written the same everywhere


__all__ = ["Commands", "escape", "link", "mention"]


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section, cut to Slack's 3,000 characters."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def context(text: str) -> dict[str, Any]:
    """A small grey line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button (text cut to 75 characters)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def sections(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Pack lines into as few sections as Slack's text limit allows."""
    blocks: list[dict[str, Any]] = []
    chunk = ""
    for line in lines:
        candidate = f"{chunk}\n{line}" if chunk else line
        if len(candidate) > SECTION_LIMIT and chunk:
            blocks.append(section(chunk))
            chunk = line
        else:
            chunk = candidate
    if chunk:
        blocks.append(section(chunk))
    return blocks


def reply(text: str, blocks: list[dict[str, Any]]) -> Reply:
    """An ephemeral reply with a plain-text fallback."""
    return {"text": truncate(text, 3000), "blocks": blocks[:50]}


def local_day(when: datetime, actor: Actor, now: datetime | None = None) -> str:
    """`Nov 3` in the member's zone (with the year when `now` is given and falls in another year)."""
    local = when.astimezone(actor.tz)
    if now is not None and local.year != now.astimezone(actor.tz).year:
        return local.strftime("%b %-d, %Y")
    return local.strftime("%b %-d")


def age_days(when: datetime, now: datetime) -> int:
    """Whole days since an instant."""
    return max(0, (now - when).days)


def invite_label(invite: InviteView) -> str:
    """The invite's prospect as a link when it has a URL (text escaped)."""
    return link(invite.url, invite.label) if invite.url else escape(invite.label)


def comment_text(comment: str, limit: int = 100) -> str:
    """An invite's comment in a row: quoted, cut, escaped."""
    cut = comment if len(comment) <= limit else comment[: limit - 1] + "…"
    return escape(f"“{cut}”")


def usage_error(message: str, usage: str) -> Reply:
    """A specific error plus the usage line (both plain text, escaped here)."""
    blocks = [section(f":warning: {escape(message)}"), context(f"Usage: {escape(usage)}")]
    return reply(escape(f"{message} Usage: {usage}"), blocks)


def error(message: str) -> Reply:
    """A plain error line (plain text, escaped here)."""
    return reply(escape(message), [section(f":warning: {escape(message)}")])


# ---- /invited ---------------------------------------------------------------------------


def _teammate_text(mates: list[Teammate]) -> str:
    parts = [f"{escape(m.display_name) if m.display_name else mention(m.user_id)} ({m.status})" for m in mates[:5]]
    more = f" and {len(mates) - 5} more" if len(mates) > 5 else ""
    return ", ".join(parts) + more


def log_reply(result: LogResult, actor: Actor, *, now: datetime, commands: Commands) -> Reply:
    """The confirmation of `/invited`, with every warning that applies."""
    lines = log_lines(result, actor, now=now, commands=commands)
    return reply(_plain(lines), sections(lines))


def log_lines(result: LogResult, actor: Actor, *, now: datetime, commands: Commands) -> list[str]:
    """`/invited`'s confirmation as mrkdwn lines: what was logged, then `warning_lines`."""
    lines: list[str] = []
    logged = result.logged
    if logged:
        noun = "invite" if len(logged) == 1 else "invites"
        # A re-invite inside the cooldown is logged but LinkedIn will refuse it: a warning, not a tick.
        reinvites_only = all(i.prospect_key in result.cooldowns for i in logged)
        mark = ":warning:" if reinvites_only else ":white_check_mark:"
        lines.append(f"{mark} Logged {len(logged)} {noun}:")
        for invite in logged[:MAX_LINES_SHOWN]:
            extra = []
            if invite.company:
                extra.append(escape(invite.company))
            if invite.comment:
                extra.append(comment_text(invite.comment))
            extra.append(f"sent {local_day(invite.sent_at, actor, now)}")
            if invite.priority != "normal":
                extra.append(f"{invite.priority} priority")
            if invite.with_note:
                extra.append("with a note")
            lines.append(f"• `#{invite.id}` {invite_label(invite)} · " + " · ".join(extra))
        if len(logged) > MAX_LINES_SHOWN:
            lines.append(f"…and {len(logged) - MAX_LINES_SHOWN} more.")
    else:
        lines.append(":information_source: Nothing new was logged.")
    return lines + warning_lines(result, actor, now=now, commands=commands)


def warning_lines(result: LogResult, actor: Actor, *, now: datetime, commands: Commands) -> list[str]:
    """Every warning a log gets, as mrkdwn lines (the same words on every way of logging)."""
    lines: list[str] = []
    logged = result.logged
    for invite in result.duplicates[:MAX_LINES_SHOWN]:
        lines.append(
            f":repeat: {invite_label(invite)} is already pending as `#{invite.id}` "
            f"(sent {local_day(invite.sent_at, actor, now)}) — not logged twice."
        )
    by_key = {i.prospect_key: i for i in logged}
    for key, until in result.cooldowns.items():
        invite = by_key.get(key)
        who = invite_label(invite) if invite else escape(key)
        lines.append(
            f":warning: You withdrew {who} less than {actor.settings.resend_cooldown_days} days ago: "
            f"LinkedIn blocks a new invite until *{local_day(until, actor, now)}*."
        )
    for key, mates in result.teammates.items():
        invite = by_key.get(key)
        who = invite_label(invite) if invite else escape(key)
        lines.append(f":busts_in_silhouette: A teammate is already on {who}: {_teammate_text(mates)}.")
    tier = TIER_NAMES[actor.tier]
    sent, pending = count(result.sends_last_7_days, "invite"), count(result.pending, "invite")
    if result.pace is PaceLevel.AT_LIMIT:
        lines.append(
            f":rotating_light: {sent} in the last 7 days: at or past the safe limit "
            f"of {result.safe_weekly_limit} for a {tier} account. Pause sending for a few days."
        )
    elif result.pace is PaceLevel.NEAR:
        lines.append(
            f":chart_with_upwards_trend: {sent} in the last 7 days, near the safe "
            f"limit of {result.safe_weekly_limit} for a {tier} account."
        )
    lines.extend(note_lines(result, tier=tier))
    if result.risk is Risk.LIMIT:
        lines.append(
            f":rotating_light: {pending} pending — past the limit of {result.pending_limit}. "
            f"Withdraw stale ones: `{escape(commands.invites)} list stale`."
        )
    elif result.risk is Risk.WARN:
        lines.append(
            f":warning: {pending} pending (warning level {result.pending_warn_at}). "
            f"Withdraw stale ones: `{escape(commands.invites)} list stale`."
        )
    return lines


def note_lines(result: LogResult, *, tier: str) -> list[str]:
    """The note budget after `/invited --note`: the month's last note, or notes LinkedIn sent bare."""
    notes, logged = result.notes, result.notes_logged
    if notes is None or notes.limit is None or not logged:
        return []
    resets = notes.resets.strftime("%b %-d")
    past = notes.past_cap(logged)
    if past:
        which = "this invite" if past == 1 and len(result.logged) == 1 else f"{past} of these invites"
        return [f":warning: Past your {notes.limit} personalised notes this month ({tier} account): LinkedIn "
                f"will have sent {which} without the note. Notes are back on {resets}."]
    if notes.took_the_last(logged):
        return [f":memo: That was your last personalised note this month ({notes.used} of {notes.limit}, "
                f"{tier} account): LinkedIn sends invites without a note until {resets}."]
    return []


def _plain(lines: list[str]) -> str:
    return truncate("\n".join(lines), 3000)


# ---- /invites ----------------------------------------------------------------------------

@cache
def command_lines(commands: Commands) -> tuple[str, ...]:
    """The command list as mrkdwn bullets, made from the registry and named as this installation names them
    (once per installation's names: the registry does not change while the process runs)."""
    invited = f"`{escape(commands.invited)} {escape(INVITED_SYNTAX)}`"
    lines = [f"• {invited} — {escape(INVITED_DESCRIPTION)}"]
    for entry in REGISTRY:
        spans = [f"`{escape(commands.invites)} {escape(entry.form)}`", *(f"`{escape(m)}`" for m in entry.more)]
        lines.append(f"• {' · '.join(spans)} — {escape(entry.description)}")
    return tuple(lines)


def help_reply(*, commands: Commands) -> Reply:
    """Every command, one line each."""
    lines = ["*Invite Hygiene* keeps your LinkedIn invitations tidy. Commands:", *command_lines(commands)]
    return reply(escape(f"Invite Hygiene commands: {commands.invited_usage} {commands.invites_usage}"),
                 sections(lines))


def summary_reply(stats: MemberStats, actor: Actor, *, commands: Commands) -> Reply:
    """`/invites` alone: where you stand, then the commands."""
    rate = _rate_text(stats.counts)
    lines = [
        f"*Pending:* {stats.pile.pending} · *{stale_label(stats.pile.stale, stats.pile.snoozed_stale)}* · "
        f"*sent in the last 7 days:* {stats.sends_last_7_days}/{stats.safe_weekly_limit} "
        f"({TIER_NAMES[actor.tier]}) · *acceptance (30d):* {rate}",
    ]
    if not actor.nudges_enabled:
        lines.append(f":double_vertical_bar: Your daily digest is paused (`{escape(commands.invites)} resume`).")
    text = lines[0].replace("*", "")
    blocks = sections(lines) + [{"type": "divider"}] + sections(command_lines(commands))
    return reply(text, blocks)


def _rate_text(counts: RateCounts) -> str:
    if counts.rate is None:
        return "no decided invites yet"
    return f"{counts.rate:.0%} of {counts.decided}"


_ROW_OUTCOMES = tuple((label, f"{Action.LIST_OUTCOME}:{outcome}", outcome, style) for label, outcome, style in (
    ("Withdrawn", "withdrawn", "primary"), ("Accepted", "accepted", None), ("Declined", "declined", None)))


def row_outcome_buttons(invite: InviteView, page: InvitePage) -> dict[str, Any]:
    """A pending row's outcome buttons; each carries the list to show again, updated in place."""
    elements = [
        button(label, action_id,
               ListOutcome(invite_id=invite.id, outcome=outcome, status=page.status, page=page.page,
                           find=page.query).dump(), style=style)
        for label, action_id, outcome, style in _ROW_OUTCOMES
    ]
    return {"type": "actions", "block_id": f"{Block.LIST_ROW}:{invite.id}", "elements": elements}


def list_reply(page: InvitePage, actor: Actor, *, now: datetime, commands: Commands, note: str | None = None) -> Reply:
    """A page of invites (a `list` or a `find`), each pending row with its outcome buttons, and Previous/Next."""
    if page.query is not None:
        title = f"Your invites matching “{escape(page.query)}”"
    else:
        title = f"Your {page.status} invites" if page.status != "all" else "All your invites"
    total = stale_label(page.total, page.snoozed) if page.status == "stale" else str(page.total)
    head = (f"*{title}* — {total}" if page.status == "stale" else f"*{title}* ({total})") + (
        f" — page {page.page} of {page.pages}" if page.pages > 1 else "")
    top = [context(note)] if note else []
    if not page.invites:
        empty = f"{title}: none." + (f" Log one with `{escape(commands.invited)} &lt;linkedin url&gt;`."
                                     if page.status in {"pending", "all"} and page.query is None else "")
        return reply(empty, [*top, section(empty)])
    lines = [*([note] if note else []), head]
    blocks: list[dict[str, Any]] = [*top, section(head)]
    for invite in page.invites:
        bits = [f"`#{invite.id}`", invite_label(invite)]
        if invite.company:
            bits.append(escape(invite.company))
        if invite.comment:
            bits.append(comment_text(invite.comment))
        bits.append(f"sent {local_day(invite.sent_at, actor, now)} ({age_days(invite.sent_at, now)}d)")
        if invite.status is not Status.PENDING or page.status == "all":
            bits.append(f"{invite.status} {local_day(invite.status_changed_at, actor, now)}")
        if invite.priority != "normal":
            bits.append(str(invite.priority))
        line = " · ".join(bits)
        lines.append(line)
        blocks.append(section(line))
        if invite.status is Status.PENDING:
            blocks.append(row_outcome_buttons(invite, page))
    nav = []
    if page.page > 1:
        nav.append(button("◀ Newer", f"{Action.LIST_PAGE}:prev",
                          ListPage(status=page.status, page=page.page - 1, find=page.query).dump()))
    if page.page < page.pages:
        nav.append(button("Older ▶", f"{Action.LIST_PAGE}:next",
                          ListPage(status=page.status, page=page.page + 1, find=page.query).dump()))
    if nav:
        blocks.append({"type": "actions", "block_id": Block.LIST_NAV, "elements": nav})
    return reply(_plain(lines), blocks)


def outcome_reply(result: OutcomeResult, actor: Actor, *, commands: Commands) -> Reply:
    """Confirmation of a recorded outcome, with how to undo it."""
    invite = result.invite
    emoji = {"accepted": ":tada:", "declined": ":x:", "withdrawn": ":leftwards_arrow_with_hook:"}[invite.status]
    text = f"{emoji} Marked `#{invite.id}` {invite_label(invite)} *{invite.status}* (was {result.previous})."
    blocks = [section(text), context(f"Made a mistake? `{escape(commands.invites)} undo` reverts your last change.")]
    return reply(text.replace("*", ""), blocks)


def outcome_note(result: OutcomeResult, *, commands: Commands) -> str:
    """One line above a list updated after a row's button: what changed and how to undo it."""
    invite = result.invite
    return (f":white_check_mark: Marked `#{invite.id}` {invite_label(invite)} {invite.status} "
            f"(was {result.previous}) · `{escape(commands.invites)} undo` reverts it.")


def candidates_reply(error: Ambiguous) -> Reply:
    """An ambiguous name: one button per candidate."""
    text = f"`{escape(error.query)}` matches {len(error.candidates)} of your pending invites. Which one is {error.outcome}?"
    elements = [
        button(c.label, f"{Action.PICK_OUTCOME}:{n}", PickOutcome(invite_id=c.invite_id, outcome=error.outcome).dump())
        for n, c in enumerate(error.candidates[:25])
    ]
    return reply(text, [section(text), {"type": "actions", "block_id": Block.CANDIDATES, "elements": elements}])


def undo_reply(result: UndoResult, actor: Actor) -> Reply:
    """What `undo` reverted."""
    lines = [":rewind: Undone:"]
    for invite, restored, undone in result.reverted[:MAX_LINES_SHOWN]:
        if restored is None:
            lines.append(f"• removed `#{invite.id}` {invite_label(invite)} (logged by mistake)")
        else:
            lines.append(f"• `#{invite.id}` {invite_label(invite)} is {restored} again (was {undone})")
    if len(result.reverted) > MAX_LINES_SHOWN:
        lines.append(f"…and {len(result.reverted) - MAX_LINES_SHOWN} more.")
    return reply(_plain(lines), sections(lines))


def stats_reply(stats: MemberStats, actor: Actor, *, insights: list[str] | None = None) -> Reply:
    """`/invites stats [period]` (with the weekday insight lines when given)."""
    c = stats.counts
    period = "all time" if stats.period.days is None else f"the last {stats.period.days} days"
    lines = [f"*Your invites sent in {period}:* {c.sent}"]
    if c.rate is None:
        lines.append("Acceptance rate: not enough decided invites yet (fresh ones get their chance first).")
    else:
        flag = "  :warning: below 30% — rework the targeting or the note" if stats.low_rate else ""
        lines.append(f"Acceptance rate: *{c.rate:.0%}* (n = {c.decided}){flag}")
    lines.append(
        f"Accepted {c.accepted} · declined {c.declined} · withdrawn {c.withdrawn} · expired {c.expired} · "
        f"pending {c.pending_fresh + c.pending_stale} ({c.pending_stale} past the withdraw threshold)"
    )
    if stats.median_days_to_accept is not None:
        lines.append(f"Median time to acceptance: {stats.median_days_to_accept:.1f} days")
    if stats.with_note.decided and stats.without_note.decided:
        lines.append(
            f"With a note: {_rate_text(stats.with_note)} · without: {_rate_text(stats.without_note)}"
        )
    lines.extend(insights or [])
    lines.append(
        f"Sent in the last 7 days: {stats.sends_last_7_days} of a safe {stats.safe_weekly_limit} "
        f"({TIER_NAMES[actor.tier]} account) · pending now: {stats.pile.pending} · "
        f"{stale_label(stats.pile.stale, stats.pile.snoozed_stale)}"
        + (f" · {stats.notes.text}" if stats.notes is not None else "")
    )
    return reply(_plain(lines).replace("*", ""), sections(lines))


def import_help_reply() -> Reply:
    """How to import LinkedIn's own export."""
    lines = [
        "*Import from LinkedIn*: on LinkedIn, Settings → Data privacy → *Get a copy of your data*; pick "
        "Connections and Invitations (or everything).",
        "When the e-mail arrives, download the `.zip` and send it to me in a direct message (or just "
        "`Invitations.csv` / `Connections.csv`). I log your outgoing invites and mark the ones that were accepted.",
    ]
    return reply(_plain(lines).replace("*", ""), sections(lines))


def dm_help_reply(*, commands: Commands) -> Reply:
    """What the app answers when someone types to it in its DM."""
    lines = [
        "Paste or share LinkedIn profile URLs here and I'll log them as invites you sent now. "
        "Send me LinkedIn's `Invitations.csv`, `Connections.csv` or the whole export `.zip` here and I'll import them.",
        f"Everything else is a command: `{escape(commands.invited)} &lt;linkedin url&gt;` to log an invite, "
        f"`{escape(commands.invites)} help` for the rest:",
        *command_lines(commands),
    ]
    return reply(_plain(lines), sections(lines))


def simple(text: str) -> Reply:
    """A one-line confirmation."""
    return reply(text, [section(text)])


