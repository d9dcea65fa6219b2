"""The App Home builder: Slack's limits, the digest's own buttons, the settings, and how it reads."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.counts import PileCounts
from bot.domain.invites import Priority, RateCounts, Tier
from bot.domain.nudges import PendingInvite
from bot.services.home import TREND_WEEKS, HomeData, WeekRate
from bot.slack.ids import Action, TeamAction, TeamBlock
from bot.slack.payloads import DigestRow, HomeSwitch, load
from bot.slack.render.home import home_view, spark

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
LIMITS = {"free": 80, "premium": 120, "sales_navigator": 150}

# Slack's Block Kit limits for a Home tab (https://api.slack.com/reference/block-kit).
MAX_BLOCKS = 100
MAX_VIEW_BYTES = 250_000
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID_LENGTH = 255
OPTION_TEXT = 75
OPTION_VALUE = 150


# ---- shared checks (tests/slack/test_home.py uses them on published views) ---------------------


def _check_element(element: dict[str, Any], problems: list[str], where: str) -> None:
    if len(element.get("action_id", "")) > ID_LENGTH:
        problems.append(f"{where}: action_id too long")
    if element["type"] == "button":
        if len(element["text"]["text"]) > BUTTON_TEXT:
            problems.append(f"{where}: button text over {BUTTON_TEXT}")
        if len(element.get("value", "")) > BUTTON_VALUE:
            problems.append(f"{where}: button value over {BUTTON_VALUE}")
    if element["type"] == "static_select":
        options = element["options"]
        if not 1 <= len(options) <= 100:
            problems.append(f"{where}: {len(options)} options")
        for option in options:
            if len(option["text"]["text"]) > OPTION_TEXT or len(option["value"]) > OPTION_VALUE:
                problems.append(f"{where}: option too long")
        if "initial_option" in element and element["initial_option"] not in options:
            problems.append(f"{where}: initial_option is not one of the options")


def home_problems(view: dict[str, Any]) -> list[str]:
    """Every way a Home view breaks Slack's limits (empty when it is valid)."""
    problems: list[str] = []
    blocks = view["blocks"]
    if view.get("type") != "home":
        problems.append("not a home view")
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks")
    size = len(json.dumps(view, ensure_ascii=False).encode())
    if size >= MAX_VIEW_BYTES:
        problems.append(f"{size} bytes")
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    problems += [f"duplicate block_id {b}" for b, n in Counter(block_ids).items() if n > 1]
    for n, block in enumerate(blocks):
        where = f"block {n} ({block['type']})"
        if len(block.get("block_id", "")) > ID_LENGTH:
            problems.append(f"{where}: block_id too long")
        if block["type"] == "section":
            if not 1 <= len(block["text"]["text"]) <= SECTION_TEXT:
                problems.append(f"{where}: text length {len(block['text']['text'])}")
        elif block["type"] == "header":
            if len(block["text"]["text"]) > HEADER_TEXT or block["text"]["type"] != "plain_text":
                problems.append(f"{where}: bad header")
        elif block["type"] == "context":
            if len(block["elements"]) > CONTEXT_ELEMENTS:
                problems.append(f"{where}: too many elements")
            problems += [f"{where}: text too long" for e in block["elements"] if len(e["text"]) > SECTION_TEXT]
        elif block["type"] == "actions":
            elements = block["elements"]
            if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
                problems.append(f"{where}: {len(elements)} elements")
            action_ids = [e["action_id"] for e in elements]
            if len(set(action_ids)) != len(action_ids):
                problems.append(f"{where}: duplicate action_id")
            for element in elements:
                _check_element(element, problems, where)
        elif block["type"] != "divider":
            problems.append(f"{where}: unexpected block type")
    return problems


def home_as_text(view: dict[str, Any]) -> str:
    """The view as a person reads it: headers, texts, grey context, [buttons] and ‹selects›."""
    lines: list[str] = []
    for block in view["blocks"]:
        kind = block["type"]
        if kind == "header":
            lines.append(f"# {block['text']['text']}")
        elif kind == "section":
            lines.append(block["text"]["text"])
        elif kind == "context":
            lines.append("  " + " ".join(e["text"] for e in block["elements"]))
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "actions":
            shown = []
            for e in block["elements"]:
                if e["type"] == "button":
                    shown.append(f"[{e['text']['text']}]")
                else:
                    shown.append(f"‹{e['initial_option']['text']['text']} ▾›")
            lines.append("  " + " ".join(shown))
    return "\n".join(lines)


# ---- building HomeData by hand ------------------------------------------------------------------


def weeks(rates: list[tuple[int, int]] | None = None) -> tuple[WeekRate, ...]:
    """TREND_WEEKS weeks, oldest first, each (accepted, declined)."""
    rates = rates or [(0, 0)] * TREND_WEEKS
    return tuple(
        WeekRate(start=NOW - timedelta(weeks=TREND_WEEKS - k), end=NOW - timedelta(weeks=TREND_WEEKS - k - 1),
                 counts=RateCounts(sent=a + d, accepted=a, declined=d))
        for k, (a, d) in enumerate(rates)
    )


def invite(n: int, *, name: str | None = None, url: str | None = None, priority: str = "normal") -> PendingInvite:
    return PendingInvite(n, f"in:p{n}", Priority(priority), NOW - timedelta(days=20 + n), None, name, url)


def pile(*, pending: int = 0, stale: int = 0, snoozed: int = 0, sent: int = 0, withdrawn: int = 0,
         per_day: int = 20) -> PileCounts:
    """The member's counts (the workspace's default levels: warn at 200, limit at 300)."""
    return PileCounts(pending=pending, stale=stale, snoozed_stale=snoozed, sent_7d=sent, withdrawn_today=withdrawn,
                      max_withdrawals_per_day=per_day, pending_warn_at=200, pending_limit=300)


def data(**changes: Any) -> HomeData:
    base = HomeData(
        user_id="U1", tier=Tier.FREE, nudges_enabled=True, snoozed_until=None, show_on_leaderboard=True,
        pile=pile(), safe_weekly_limit=80, weeks=weeks(), batch=(), nudge_hour=9,
    )
    return replace(base, **changes)


def view(d: HomeData) -> dict[str, Any]:
    return home_view(d, now=NOW, tz=UTC_ZONE, limits=LIMITS)


def actions(v: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in v["blocks"] if b["type"] == "actions" for e in b["elements"]]


# ---- tests -----------------------------------------------------------------------------------------


def test_an_empty_home_is_valid_and_says_so():
    v = view(data())
    assert home_problems(v) == []
    text = home_as_text(v)
    assert "*0 pending* · *0 stale* · today's batch: *0*" in text
    assert "*Sent in the last 7 days:* 0 of a safe 80 (Free account)" in text
    assert "nothing decided yet" in text and "`········`" in text
    assert "Nothing to withdraw: no stale invites." in text
    assert [e["action_id"] for e in actions(v)] == [
        TeamAction.OPEN_LOG_MODAL, TeamAction.HOME_TIER, TeamAction.HOME_DIGEST, TeamAction.HOME_LEADERBOARD
    ]
    assert v["callback_id"] == TeamBlock.HOME_VIEW


def test_batch_rows_carry_the_digests_own_buttons_and_values():
    batch = (invite(1, name="Ann", url="https://www.linkedin.com/in/ann"), invite(2, priority="low"))
    v = view(data(pile=pile(pending=5, stale=2), batch=batch))
    rows = [b for b in v["blocks"] if str(b.get("block_id", "")).startswith("digest_row:")]
    assert [b["block_id"] for b in rows] == ["digest_row:1", "digest_row:2"]
    assert [e["action_id"] for e in rows[0]["elements"]] == [
        Action.DIGEST_WITHDRAWN, Action.DIGEST_ACCEPTED, Action.DIGEST_SNOOZE
    ]
    assert load(DigestRow, rows[1]["elements"][0]["value"]).invite_id == 2
    text = home_as_text(v)
    assert "<https://www.linkedin.com/in/ann|Ann> · sent 21 days ago" in text
    assert "P2 · sent 22 days ago · low priority" in text  # in:p2, the slug made readable
    assert "*Withdraw these 2 on LinkedIn today*" in text


def test_what_does_not_fit_is_counted():
    batch = tuple(invite(n) for n in range(1, 21))
    v = view(data(pile=pile(pending=5000, stale=3000, snoozed=10, per_day=500), batch=batch))
    assert home_problems(v) == []
    text = home_as_text(v)
    assert "…and 480 more in today's batch: `/invites list stale`." in text
    assert "2490 more stale invites wait for the next days." in text
    assert ":rotating_light:" in text  # 5,000 pending is past the limit


@pytest.mark.parametrize(("snoozed", "stale", "expected"), [
    (2, 9, "You've used today's 20 withdrawals: the 7 stale invites left can wait until tomorrow."),
    (3, 3, "Nothing to withdraw today: your stale invites are snoozed."),
])
def test_no_batch_says_why(snoozed, stale, expected):
    text = home_as_text(view(data(pile=pile(pending=stale, stale=stale, snoozed=snoozed, withdrawn=20))))
    assert expected in text
    assert f"*{stale} stale ({snoozed} snoozed)* · today's batch: *0*" in text


def test_the_trend_is_a_sparkline_and_per_week_figures():
    d = data(weeks=weeks([(0, 0), (1, 9), (3, 7), (5, 5), (7, 3), (10, 0), (0, 4), (2, 2)]))
    text = home_as_text(view(d))
    assert "`·▁▃▅▆█▁▅`" in text
    assert "*Acceptance, last 8 weeks:* 48% (n=58)" in text
    assert "By week sent: Sep 23 – (n=0) · Sep 30 10% (n=10) · Oct 7 30% (n=10)" in text
    assert "Nov 11 50% (n=4)" in text


def test_spark_levels():
    assert [spark(r) for r in (None, 0.0, 0.124, 0.125, 0.5, 0.99, 1.0)] == ["·", "▁", "▁", "▂", "▅", "█", "█"]


def test_a_low_rate_is_flagged():
    text = home_as_text(view(data(weeks=weeks([(1, 9)] * 8))))
    assert "10% (n=80)  :warning: below 30%" in text


def test_pace_near_and_at_the_limit():
    assert "Near the safe weekly limit" in home_as_text(view(data(pile=pile(sent=64))))
    assert "At or past the safe weekly limit" in home_as_text(view(data(pile=pile(sent=80))))


def test_settings_show_the_current_state_and_offer_the_opposite():
    v = view(data())
    tier, digest, board = actions(v)[1:]
    assert tier["initial_option"]["value"] == "free" and [o["value"] for o in tier["options"]] == [
        "free", "premium", "sales_navigator"
    ]
    assert tier["options"][2]["text"]["text"] == "Sales Navigator — safe 150 a week"
    assert digest["text"]["text"] == "Pause daily digest" and load(HomeSwitch, digest["value"]).on is False
    assert board["text"]["text"] == "Hide me from the leaderboard" and load(HomeSwitch, board["value"]).on is False
    assert "daily digest: *on*" in home_as_text(v) and "leaderboard: *shown*" in home_as_text(v)

    v = view(data(tier=Tier.SALES_NAVIGATOR, nudges_enabled=False, show_on_leaderboard=False))
    tier, digest, board = actions(v)[1:]
    assert tier["initial_option"]["value"] == "sales_navigator"
    assert digest["text"]["text"] == "Resume daily digest" and load(HomeSwitch, digest["value"]).on is True
    assert board["text"]["text"] == "Show me on the leaderboard" and load(HomeSwitch, board["value"]).on is True
    assert "daily digest: *paused*" in home_as_text(v) and "leaderboard: *hidden" in home_as_text(v)


def test_a_snooze_shows_its_end_and_offers_resume():
    v = view(data(snoozed_until=NOW + timedelta(days=3)))
    assert "daily digest: *snoozed until Nov 21*" in home_as_text(v)
    assert actions(v)[2]["text"]["text"] == "Resume daily digest"
    assert "daily digest: *on*" in home_as_text(view(data(snoozed_until=NOW - timedelta(days=1))))


@pytest.mark.parametrize("name", ["<@U999>", "&" * 200, "x" * 200, "<!channel> a|b>"])
def test_hostile_or_long_names_stay_within_limits_and_never_mention(name):
    batch = tuple(invite(n, name=name, url="https://www.linkedin.com/in/" + "y" * 450) for n in range(1, 21))
    v = view(data(pile=pile(pending=40, stale=40, per_day=40), batch=batch))
    assert home_problems(v) == []
    dumped = json.dumps(v)
    assert "<@" not in dumped and "<!" not in dumped


def test_the_checker_catches_breakage():
    v = view(data())
    v["blocks"] = v["blocks"] * 12
    assert any("blocks" in p for p in home_problems(v))
