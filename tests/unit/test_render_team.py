"""The team views' Block Kit: ids, key text, no mentions, and Slack's limits at 1,000 members."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from bot.domain.commands import Commands
from bot.domain.invites import PERIODS, RateCounts
from bot.services.leaderboard import (
    Insights,
    Leaderboard,
    LeaderboardRow,
    TeamTotals,
    WeekdayRate,
    rank_rows,
)
from bot.services.team_digest import TeamDigestPlan, TeamPile
from bot.slack.payloads import load
from bot.slack.render.team import (
    HEADER_LIMIT,
    PostLeaderboard,
    TeamAction,
    TeamBlock,
    cannot_post_reply,
    channel_ref,
    insights_lines,
    leaderboard_public,
    leaderboard_reply,
    posted_reply,
    risk_text,
    team_digest,
    visibility_reply,
)

SECTION_LIMIT = 3000


def row(user_id: str, name: str, *, accepted: int, n: int, pending: int = 0, stale: int = 0,
        wilson: float | None = None, hidden: bool = False) -> LeaderboardRow:
    return LeaderboardRow(
        user_id=user_id, name=name, rank=None, rate=accepted / n if n else None,
        wilson_lower=accepted / n / 2 if wilson is None and n else (wilson or 0.0),
        n=n, accepted=accepted, pending=pending, stale=stale, hidden=hidden,
    )


def board(ranked: Sequence[LeaderboardRow], unranked: Sequence[LeaderboardRow] = (),
          hidden: Sequence[LeaderboardRow] = (), *, period: str = "30d", min_sample: int = 10) -> Leaderboard:
    everyone = [*ranked, *unranked, *hidden]
    totals = TeamTotals(
        sent=sum(r.n + r.pending - r.stale for r in everyone),
        accepted=sum(r.accepted for r in everyone),
        decided=sum(r.n for r in everyone),
        pending=sum(r.pending for r in everyone),
        stale=sum(r.stale for r in everyone),
    )
    return Leaderboard(PERIODS[period], rank_rows(list(ranked)), tuple(unranked), tuple(hidden), totals, min_sample)


def texts(reply: dict[str, Any]) -> str:
    """Every text in the blocks, joined."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(reply["blocks"])
    return "\n".join(found)


def of_type(reply: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in reply["blocks"] if b["type"] == kind]


def sample() -> Leaderboard:
    return board(
        [row("U1", "Dana", accepted=21, n=50, pending=12, stale=3), row("U2", "Tom", accepted=10, n=40)],
        [row("U3", "Priya", accepted=1, n=3, pending=4)],
        [row("U9", "Secret Sam", accepted=30, n=31, hidden=True)],
    )


def test_one_line_per_ranked_member_in_the_agreed_format():
    out = texts(leaderboard_reply(sample(), channel_id="C123", can_post=True))
    assert "1. Dana — 42% (n=50) · 21 accepted · 12 pending · 3 stale" in out
    assert "2. Tom — 25% (n=40) · 10 accepted · 0 pending · 0 stale" in out


def test_members_below_the_minimum_sample_are_listed_apart():
    out = texts(leaderboard_reply(sample(), channel_id="C123", can_post=True))
    assert "*Not enough data yet* (fewer than 10 decided invites):\n• Priya — 33% (n=3)" in out
    assert "Priya" not in out.split("Not enough data yet")[0]


def test_hidden_members_are_not_shown_but_the_totals_include_them():
    reply = leaderboard_reply(sample(), channel_id="C123", can_post=True)
    assert "Secret Sam" not in json.dumps(reply)
    totals = of_type(reply, "context")[0]["elements"][0]["text"]
    assert totals.startswith("*Team:*") and "62 accepted" in totals


def test_the_post_button_carries_only_the_period():
    reply = leaderboard_reply(sample(), channel_id="C123", can_post=True)
    (actions,) = of_type(reply, "actions")
    assert actions["block_id"] == TeamBlock.LEADERBOARD_ACTIONS
    (post,) = actions["elements"]
    assert post["action_id"] == TeamAction.POST_LEADERBOARD == "post_leaderboard"
    assert json.loads(post["value"]) == {"period": "30d"}
    assert load(PostLeaderboard, post["value"]).period == "30d"
    # A confirm dialog's text is plain_text only: a <#C123> would show literally.
    assert post["confirm"]["text"] == {"type": "plain_text", "text": "Everyone in this channel will see it."}


def test_no_button_when_posting_is_not_allowed_nor_in_the_posted_version():
    assert not of_type(leaderboard_reply(sample(), channel_id="C123", can_post=False), "actions")
    public = leaderboard_public(sample())
    assert not of_type(public, "actions") and "post_leaderboard" not in json.dumps(public)
    ephemeral = leaderboard_reply(sample(), channel_id="C123", can_post=True)
    assert public["blocks"] == ephemeral["blocks"][:-1]


def test_tied_members_share_a_rank():
    tied = board([
        row("U1", "Ann", accepted=5, n=10, wilson=0.2), row("U2", "Bob", accepted=5, n=10, wilson=0.2),
        row("U3", "Cat", accepted=4, n=10, wilson=0.1),
    ])
    out = texts(leaderboard_reply(tied, channel_id="C1", can_post=False))
    assert re.findall(r"^(\d+)\. (\w+)", out, flags=re.M) == [("1", "Ann"), ("1", "Bob"), ("3", "Cat")]


@pytest.mark.parametrize("name", ["<@U999>", "<!channel>", "a & b <https://evil.example|click>"])
def test_names_are_plain_text_never_mentions_or_links(name):
    b = board([row("U1", name, accepted=5, n=10)], [row("U2", name, accepted=1, n=2)])
    for reply in (leaderboard_reply(b, channel_id="C1", can_post=True), leaderboard_public(b)):
        dumped = json.dumps(reply)
        assert "<@" not in dumped and "<!" not in dumped and "<http" not in dumped
        assert "&lt;" in texts(reply)


def test_empty_boards_say_so():
    empty = board([], period="7d")
    assert "No invites were logged in the last 7 days." in texts(leaderboard_public(empty))
    only_small = board([], [row("U1", "Dana", accepted=1, n=2)], period="all", min_sample=5)
    out = texts(leaderboard_public(only_small))
    assert "Nobody has 5 decided invites from all time yet." in out and "Dana" in out


def big_board(size: int, *, name: str = "Member") -> Leaderboard:
    ranked = [row(f"U{n:04d}", f"{name} {n}", accepted=n % 50, n=50 + n % 7, pending=n, stale=n % 3) for n in range(size)]
    unranked = [row(f"V{n:04d}", f"{name} {n}", accepted=1, n=3, pending=2) for n in range(size)]
    hidden = [row(f"H{n:04d}", "Hidden", accepted=1, n=20, hidden=True) for n in range(size)]
    return board(ranked, unranked, hidden)


def shown_and_more(out: str, pattern: str) -> tuple[int, list[int]]:
    return len(re.findall(pattern, out, flags=re.M)), [int(m) for m in re.findall(r"…and (\d+) more", out)]


@pytest.mark.parametrize("name", ["Member", "&" * 200, "x" * 200])
def test_a_thousand_members_fit_slacks_limits(name):
    b = big_board(1000, name=name)
    for reply in (leaderboard_reply(b, channel_id="C1", can_post=True), leaderboard_public(b)):
        assert len(reply["blocks"]) <= 50
        assert len(reply["text"]) <= 3000
        for block in reply["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_LIMIT
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= HEADER_LIMIT
        out = texts(reply)
        ranked_shown, ranked_more = shown_and_more(out.split("Not enough data yet")[0], r"^\d+\. ")
        unranked_shown, unranked_more = shown_and_more(out.split("Not enough data yet")[1], r"^• ")
        assert ranked_shown + ranked_more[0] == 1000 and 50 <= ranked_shown <= 100
        assert unranked_shown + unranked_more[0] == 1000 and 10 <= unranked_shown <= 30
        assert "Team:" in out and "<@" not in json.dumps(reply)
        assert len(json.dumps(reply)) < 60_000


def test_plain_names_show_the_first_hundred_ranked_and_thirty_unranked():
    out = texts(leaderboard_public(big_board(1000)))
    ranked, unranked = out.split("Not enough data yet")
    assert shown_and_more(ranked, r"^\d+\. ") == (100, [900])
    assert shown_and_more(unranked, r"^• ") == (30, [970])


def test_a_small_board_has_no_more_line():
    assert "…and" not in texts(leaderboard_public(big_board(30)))


def insights(by_day: dict[int, tuple[int, int]], best: int | None) -> Insights:
    weekdays = tuple(
        WeekdayRate(day, RateCounts(sent=sum(by_day.get(day, (0, 0))), accepted=by_day.get(day, (0, 0))[0],
                                    declined=by_day.get(day, (0, 0))[1]))
        for day in range(1, 8)
    )
    return Insights(PERIODS["90d"], weekdays, best)


def test_insights_name_the_best_day_and_list_each_day_with_data():
    lines = insights_lines(insights({2: (8, 4), 4: (5, 5), 6: (1, 0)}, best=2))
    assert lines[0] == "Best sending day: *Tuesday* — 67% (n=12)"
    assert lines[1] == "By weekday sent (your time zone): Tue 67% (n=12) · Thu 50% (n=10) · Sat 100% (n=1)"


def test_insights_without_enough_data_say_why_and_without_any_say_nothing():
    lines = insights_lines(insights({2: (8, 4)}, best=None))
    assert lines[0].startswith("Best sending day: not enough data yet (10 decided invites on at least 2")
    assert insights_lines(insights({}, best=None)) == []


# ---- after a click, hide/show, the weekly digest ---------------------------------------------------


def test_the_posted_board_has_no_button_and_says_where_it_went():
    reply = posted_reply(sample(), channel_id="C0SALES")
    assert not of_type(reply, "actions") and "Posted to <#C0SALES>." in texts(reply)
    assert reply["blocks"][:-1] == leaderboard_public(sample())["blocks"]


@pytest.mark.parametrize(("code", "expected"), [
    ("not_in_channel", "Invite me to <#C0SALES> first: `/invite @Invite Hygiene`"),
    ("channel_not_found", "Invite me to <#C0SALES> first"),
    ("is_archived", "<#C0SALES> is archived"),
])
def test_why_a_board_was_not_posted(code, expected):
    reply = cannot_post_reply(code, channel_id="C0SALES")
    assert expected in texts(reply) and "Nothing was posted." in reply["text"]


def test_a_channel_id_that_is_not_one_is_never_echoed_as_a_link():
    assert channel_ref("C0SALES") == "<#C0SALES>"
    assert channel_ref("<!here>") == channel_ref(None) == "that channel"
    assert "<!here>" not in json.dumps(cannot_post_reply("not_in_channel", channel_id="<!here>"))


def test_visibility_confirmations():
    hidden = visibility_reply(shown=False, min_sample=10, commands=Commands())["text"]
    assert "hidden from the leaderboard" in hidden and "`/invites leaderboard show`" in hidden
    shown = visibility_reply(shown=True, min_sample=7, commands=Commands(invites="/pile"))["text"]
    assert "ranked once you have 7 decided invites" in shown and "`/pile leaderboard hide`" in shown


def digest_plan(*, at_warn: int = 0, at_limit: int = 0, big: bool = False):
    b = big_board(1000) if big else sample()
    return TeamDigestPlan(team_id="T1", channel="C0DIGEST", local_date=date(2026, 11, 16), board=b,
                          pile=TeamPile(members=12, pending=900, stale=310, snoozed_stale=4, at_warn=at_warn,
                                        at_limit=at_limit),
                          pending_warn_at=200, pending_limit=300)


def test_the_weekly_digest_counts_the_risk_zone_without_names():
    assert risk_text(digest_plan()) == ":white_check_mark: Nobody has 200 or more pending invites."
    assert risk_text(digest_plan(at_warn=1, at_limit=3)).startswith(
        ":warning: Risk zone: 3 members past the limit (300+ pending) and 1 member at the warning level (200+ pending)."
    )
    reply = team_digest(digest_plan(at_warn=2))
    summary = reply["blocks"][1]["text"]["text"]
    assert "*Pending now:* 900 · 310 stale (4 snoozed) across 12 members" in summary
    assert "Dana" not in summary and "Secret Sam" not in json.dumps(reply)
    assert of_type(reply, "header")[0]["text"]["text"] == "Weekly invite digest — Nov 16"
    assert not of_type(reply, "actions")


def test_the_weekly_digest_of_a_thousand_members_fits_a_message():
    reply = team_digest(digest_plan(big=True))
    assert len(reply["blocks"]) <= 50 and len(reply["text"]) <= 3000
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in of_type(reply, "section"))


def test_the_weekly_digest_says_each_change_in_words():
    from bot.slack.render.team import change_text

    assert [change_text(p) for p in (5, 1, -3, 0, None)] == [
        "▲ 5 pts since last week", "▲ 1 pt since last week", "▼ 3 pts since last week", "= same as last week",
        "new on the board",
    ]


def test_the_weekly_digest_change_compares_the_rates_as_shown():
    plan = digest_plan()
    dana, tom = plan.board.rows_ranked  # 42% of 50, 25% of 40
    plan = TeamDigestPlan(**{**plan.__dict__, "last_week": {
        "U1": RateCounts(accepted=37, declined=63),  # 37% of 100: ranked then
        "U2": RateCounts(accepted=2, declined=7),  # 9 decided: not ranked then
    }})
    assert (plan.change(dana), plan.change(tom)) == (5, None)
    out = texts(team_digest(plan))
    assert "1. Dana — 42% (n=50) · ▲ 5 pts since last week" in out
    assert "2. Tom — 25% (n=40) · new on the board" in out
    assert "Not enough decided invites yet: Priya (need 10)" in out and "(n=3)" not in out


def test_where_posting_cant_work_the_reply_says_how_to_post_it_with_the_configured_name():
    reply = leaderboard_reply(sample(), channel_id="D0123", can_post=False, commands=Commands(invites="/pile"))
    assert not of_type(reply, "actions")
    assert "Run `/pile leaderboard` in a channel to post it there." in texts(reply)
    seven = leaderboard_reply(board([row("U1", "Dana", accepted=5, n=10)], period="7d"), channel_id="D1",
                              can_post=False)
    assert "Run `/invites leaderboard 7d` in a channel" in texts(seven)
