"""Block Kit words for the insight views: the days-to-accept curve (and its settings hint). Pure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.commands import Commands
from bot.domain.curve import MIN_ACCEPTANCES, WINDOW, Curve
from bot.domain.drift import Drift
from bot.domain.words import count
from bot.slack.render import Reply, context, escape, reply, section, sections


def _pct(share: float) -> str:
    return f"{share:.0%}"


def _marks(curve: Curve) -> str:
    return " · ".join(f"{_pct(share)} within {count(d, 'day')}" for d, share in curve.within_days.items())


def source_line(curve: Curve) -> str:
    """Whose figures these are: the team's own, or the published ones and why."""
    if curve.published:
        return (f"Only {count(curve.accepted, 'acceptance')} in the last {WINDOW.days} days "
                f"({MIN_ACCEPTANCES} needed for your team's own curve): these are published figures.")
    return f"Your team's {count(curve.accepted, 'acceptance')} in the last {WINDOW.days} days."


def suggestion_line(curve: Curve) -> str:
    """The suggested threshold, in one sentence."""
    d = curve.suggested_withdraw_after_days
    if curve.published:
        return f"Suggested withdraw threshold: *{count(d, 'day')}* (where the published curve passes 95%)."
    return f"Suggested withdraw threshold: *{count(d, 'day')}* (95% of your acceptances came within it)."


def gives_up_line(curve: Curve, withdraw_after_days: int) -> str:
    """What the current threshold gives up: "at 14 days you withdraw before 4% of your acceptances arrive"."""
    whose = "acceptances (published figures)" if curve.published else "your acceptances"
    return (f"At {count(withdraw_after_days, 'day')} you withdraw before "
            f"{_pct(curve.given_up(withdraw_after_days))} of {whose} arrive.")


def curve_lines(curve: Curve, *, withdraw_after_days: int) -> list[str]:
    """The curve, its source, the suggestion and what the current threshold gives up (mrkdwn)."""
    return [
        "*Days to acceptance*",
        source_line(curve),
        _marks(curve),
        suggestion_line(curve),
        gives_up_line(curve, withdraw_after_days),
    ]


def curve_reply(curve: Curve, *, withdraw_after_days: int) -> Reply:
    """`/invites curve`."""
    lines = curve_lines(curve, withdraw_after_days=withdraw_after_days)
    return reply("\n".join(lines).replace("*", ""), sections(lines))


def stats_curve_line(curve: Curve, *, withdraw_after_days: int) -> str:
    """The curve in one line of `/invites stats`."""
    d = curve.suggested_withdraw_after_days
    figures = "published figures" if curve.published else f"your team's {count(curve.accepted, 'acceptance')}"
    return (f"Withdraw threshold suggested by {figures}: {count(d, 'day')} · "
            f"{gives_up_line(curve, withdraw_after_days)}")


def settings_hint(curve: Curve, *, withdraw_after_days: int) -> str:
    """Beside `withdraw_after_days` in the admin modal (plain text, no mrkdwn)."""
    return (f"{source_line(curve)} {suggestion_line(curve).replace('*', '')} "
            f"{gives_up_line(curve, withdraw_after_days)}")


# ---- LinkedIn drift ---------------------------------------------------------------------------------


def drift_text(drift: Drift, *, commands: Commands) -> str:
    """What a report says, both ways: invites missing here, or outcomes not recorded here."""
    shown, logged, diff = drift.linkedin, drift.logged, drift.difference
    head = f"LinkedIn shows {shown}, you logged {logged} pending"
    invites = escape(commands.invites)
    if diff < 0:
        return (f"{head}: {-diff} {'is' if -diff == 1 else 'are'} missing here — import your export to catch up "
                f"(`{invites} import`).")
    if diff > 0:
        return (f"{head}: {diff} logged here {'has' if diff == 1 else 'have'} an outcome you haven't recorded — "
                f"import your `Connections.csv` to mark the accepted ones (`{invites} import`), and record "
                "the declined or withdrawn ones.")
    return f"{head}: in step."


def linkedin_reply(drift: Drift, *, commands: Commands) -> Reply:
    """`/invites linkedin <count>`."""
    text = f":bar_chart: {drift_text(drift, commands=commands)}"
    return reply(text, [section(text), context("I'll keep this report on your Home tab.")])


def home_drift_line(drift: Drift, *, tz: ZoneInfo, commands: Commands) -> str:
    """The last report on Home, with its date."""
    day = drift.at.astimezone(tz)
    return f"*LinkedIn, your report of {day:%b} {day.day}:* {drift_text(drift, commands=commands)}"


def digest_drift_line(drift: Drift, *, now: datetime, commands: Commands) -> str:
    """The digest's reminder of an old report with a big drift."""
    return (f":bar_chart: Your last LinkedIn report, {count((now - drift.at).days, 'day')} ago, showed "
            f"{drift.linkedin} pending where you had logged {drift.logged}: check LinkedIn (My Network → Manage → "
            f"Sent) and tell me again with `{escape(commands.invites)} linkedin &lt;count&gt;`.")


# ---- away ---------------------------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day:%a} {day:%b} {day.day}"


def away_reply(last_day: date, *, commands: Commands) -> Reply:
    """`/invites away …`."""
    text = (f":palm_tree: Away through {_day(last_day)}: no digests or alerts until then; they resume on "
            f"{_day(last_day + timedelta(days=1))}. Back sooner? `{escape(commands.invites)} back`.")
    return reply(text, [section(text)])


def back_reply(days: int | None) -> Reply:
    """`/invites back`."""
    if days is None:
        text = "You weren't away: your digests and alerts are on."
    elif days == 0:
        text = ":wave: Welcome back: your digests and alerts are on again."
    else:
        text = f":wave: Welcome back after {count(days, 'day')}: your digests and alerts are on again."
    return reply(text, [section(text)])


def away_line(days: int) -> str:
    """The first digest after an absence."""
    return f":wave: Welcome back: you were away {count(days, 'day')}. Here is where things stand."
