"""Block Kit words for the insight views: the days-to-accept curve (and its settings hint). Pure."""

from __future__ import annotations

from bot.domain.curve import MIN_ACCEPTANCES, WINDOW, Curve
from bot.domain.words import count
from bot.slack.render import Reply, reply, sections


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
