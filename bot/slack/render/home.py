"""The App Home tab, built from HomeData (pure): figures, trend, today's batch, log button, settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.commands import DEFAULT_COMMANDS, Commands
from bot.domain.counts import stale_label
from bot.domain.invites import PaceLevel, Risk, Tier, is_low_rate
from bot.services.home import HomeData, WeekRate
from bot.services.team_view import TeamRow
from bot.slack.ids import TeamAction, TeamBlock
from bot.slack.mrkdwn import escape
from bot.slack.payloads import HomeSwitch
from bot.slack.render import TIER_NAMES, button, context, section, sections
from bot.slack.render import insight as render_insight
from bot.slack.render import nudges as render_nudges
from bot.slack.render.team import MAX_NAME, header, percent

# Slack: 100 blocks in a Home view and 250 kB in all. The batch rows (two blocks each) are capped
# by services.home.MAX_BATCH_ROWS; everything else is a fixed handful of blocks.
MAX_BLOCKS = 100
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
NO_DATA = "·"


def spark(rate: float | None) -> str:
    """One sparkline character on an absolute 0-100% scale; `·` for a week with nothing decided."""
    if rate is None:
        return NO_DATA
    return SPARK_LEVELS[min(len(SPARK_LEVELS) - 1, int(rate * len(SPARK_LEVELS)))]


def _day(when: datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local:%b} {local.day}"


def summary_text(data: HomeData) -> str:
    """Pending, stale, today's batch and the risk line (as the digest says them), then the weekly pace."""
    text = render_nudges.summary_text(data.pile)
    pace = (f"*Sent in the last 7 days:* {data.sends_last_7_days} of a safe {data.safe_weekly_limit} "
            f"({TIER_NAMES[data.tier]} account)")
    if data.notes is not None:
        pace += f" · {data.notes.text}"
    if data.pace is PaceLevel.AT_LIMIT:
        pace += "\n:rotating_light: At or past the safe weekly limit: give it a few days before sending more."
    elif data.pace is PaceLevel.NEAR:
        pace += "\n:chart_with_upwards_trend: Near the safe weekly limit."
    return f"{text}\n{pace}"


def rate_text(data: HomeData) -> str:
    """The acceptance rate over the trend's weeks, with its n, flagged below 30%, and the sparkline."""
    total = data.trend_total
    weeks = len(data.weeks)
    line = (f"*Acceptance, last {weeks} weeks:* {percent(total.rate)} (n={total.decided})"
            if total.decided else f"*Acceptance, last {weeks} weeks:* nothing decided yet")
    if is_low_rate(total.rate):
        line += "  :warning: below 30% — rework the targeting or the note"
    return f"{line}\n`{''.join(spark(w.counts.rate) for w in data.weeks)}`  (weekly, oldest → newest)"


def week_text(week: WeekRate, tz: ZoneInfo) -> str:
    """`Oct 1 40% (n=5)` — the week is named by its first day."""
    return f"{_day(week.start, tz)} {percent(week.counts.rate)} (n={week.counts.decided})"


def batch_blocks(data: HomeData, *, now: datetime, commands: Commands = DEFAULT_COMMANDS) -> list[dict[str, Any]]:
    """Today's batch with the digest's own buttons (so the digest listener handles the clicks)."""
    blocks = [{**section(render_nudges.batch_text(data.pile)), "block_id": TeamBlock.HOME_BATCH}]
    for invite in data.batch:
        blocks.extend(render_nudges.row_blocks(invite, now))
    blocks.extend(render_nudges.bulk_block([invite.invite_id for invite in data.batch]))
    notes = render_nudges.batch_notes(data.pile, len(data.batch), commands)
    if notes:
        blocks.append(context(notes))
    return blocks


def insight_blocks(data: HomeData, *, tz: ZoneInfo, commands: Commands) -> list[dict[str, Any]]:
    """The last LinkedIn report and its drift (nothing before the first report)."""
    if data.drift is None:
        return [context(f"Compare with LinkedIn: `{escape(commands.invites)} linkedin &lt;count&gt;` "
                        "(the count under My Network → Manage → Sent).")]
    return [{**context(render_insight.home_drift_line(data.drift, tz=tz, commands=commands)),
             "block_id": TeamBlock.HOME_INSIGHT}]


def _option(tier: Tier, limits: dict[str, int]) -> dict[str, Any]:
    name = TIER_NAMES[tier]
    return {
        "text": {"type": "plain_text", "text": f"{name} — safe {limits[tier]} a week"},
        "value": str(tier),
    }


def settings_blocks(data: HomeData, *, limits: dict[str, int], tz: ZoneInfo, now: datetime) -> list[dict[str, Any]]:
    """The member's own settings: tier (a select), daily digest and leaderboard (buttons)."""
    options = [_option(tier, limits) for tier in Tier]
    snoozed = data.snoozed_until is not None and data.snoozed_until > now
    if not data.nudges_enabled:
        digest, digest_button = "paused", button("Resume daily digest", TeamAction.HOME_DIGEST, HomeSwitch(on=True).dump())
    elif snoozed:
        digest = f"snoozed until {_day(data.snoozed_until, tz)}"
        digest_button = button("Resume daily digest", TeamAction.HOME_DIGEST, HomeSwitch(on=True).dump())
    else:
        digest, digest_button = "on", button("Pause daily digest", TeamAction.HOME_DIGEST, HomeSwitch(on=False).dump())
    if data.away_until is not None:
        digest += f" (you're away through {data.away_until:%b} {data.away_until.day})"
    if data.show_on_leaderboard:
        board = "shown"
        board_button = button("Hide me from the leaderboard", TeamAction.HOME_LEADERBOARD, HomeSwitch(on=False).dump())
    else:
        board = "hidden (your invites still count in the team totals)"
        board_button = button("Show me on the leaderboard", TeamAction.HOME_LEADERBOARD, HomeSwitch(on=True).dump())
    tier_select = {
        "type": "static_select",
        "action_id": TeamAction.HOME_TIER,
        "placeholder": {"type": "plain_text", "text": "LinkedIn account tier"},
        "options": options,
        "initial_option": options[list(Tier).index(data.tier)],
    }
    status = (f"*Your settings* · LinkedIn account: *{TIER_NAMES[data.tier]}* · daily digest: *{digest}* · "
              f"leaderboard: *{board}*")
    return [
        {**section(status), "block_id": TeamBlock.HOME_SETTINGS_TEXT},
        {"type": "actions", "block_id": TeamBlock.HOME_SETTINGS, "elements": [tier_select, digest_button, board_button]},
        context(f"Your tier sets your safe weekly pace. The daily digest comes at {data.nudge_hour:02d}:00 your "
                "time on working days, when there is something to withdraw or watch."),
    ]


MAX_TEAM_ROWS = 30
RISK_WORDS = {Risk.OK: "ok", Risk.WARN: ":warning: warn", Risk.LIMIT: ":rotating_light: limit"}


def team_row_text(row: TeamRow) -> str:
    """One member's line: name, risk, pending, stale, 7-day sends against the safe limit, 30-day rate with n."""
    name = row.name if len(row.name) <= MAX_NAME else row.name[: MAX_NAME - 1] + "…"
    pace = f"{row.sent_7d}/{row.safe_limit} this week" + (" :chart_with_upwards_trend:" if row.at_pace_limit else "")
    return (f"*{escape(name)}* — {RISK_WORDS[row.risk]} · {row.pending} pending · "
            f"{stale_label(row.stale, row.snoozed_stale)} · {pace} · 30 days: {percent(row.rate)} (n={row.n})")


def team_blocks(rows: list[TeamRow]) -> list[dict[str, Any]]:
    """The admins' team section: the 30 riskiest members, then how many more (never posted anywhere)."""
    shown = rows[:MAX_TEAM_ROWS]
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        header("Your team"),
        context("Only admins see this section. Riskiest first: the pending pile's risk, then the weekly pace."),
    ]
    if not shown:
        return [*blocks, section("No active members yet.")]
    packed = sections([team_row_text(r) for r in shown])
    blocks.extend({**b, "block_id": f"{TeamBlock.HOME_TEAM}:{n}"} for n, b in enumerate(packed))
    if len(rows) > len(shown):
        more = len(rows) - len(shown)
        blocks.append({**context(f"…and {more} more {'member' if more == 1 else 'members'}: "
                                 "`invite-hygiene report team` lists everyone."), "block_id": TeamBlock.HOME_TEAM_MORE})
    return blocks


def home_view(data: HomeData, *, now: datetime, tz: ZoneInfo, limits: dict[str, int],
              commands: Commands = DEFAULT_COMMANDS, team: list[TeamRow] | None = None) -> dict[str, Any]:
    """The Home tab for one member (`limits`: the workspace's safe weekly sends by tier; `team`: admins only)."""
    blocks: list[dict[str, Any]] = [
        header("Your LinkedIn invites"),
        {**section(summary_text(data)), "block_id": TeamBlock.HOME_SUMMARY},
        *insight_blocks(data, tz=tz, commands=commands),
        {"type": "divider"},
        {**section(rate_text(data)), "block_id": TeamBlock.HOME_RATE},
        context("By week sent: " + " · ".join(week_text(w, tz) for w in data.weeks)),
        {"type": "divider"},
        *batch_blocks(data, now=now, commands=commands),
        {"type": "actions", "block_id": TeamBlock.HOME_LOG, "elements": [
            button("Log invites", TeamAction.OPEN_LOG_MODAL, "log", style="primary"),
        ]},
        context(f"Or from any channel: `{escape(commands.invited)} &lt;linkedin url&gt;` · "
                f"everything else: `{escape(commands.invites)} help`"),
        {"type": "divider"},
        *settings_blocks(data, limits=limits, tz=tz, now=now),
    ]
    if team is not None:  # kept within the 100 blocks: the member's own part is cut first, never the team's
        section_blocks = team_blocks(team)
        blocks = blocks[: MAX_BLOCKS - len(section_blocks)] + section_blocks
    return {"type": "home", "callback_id": TeamBlock.HOME_VIEW, "blocks": blocks[:MAX_BLOCKS]}
