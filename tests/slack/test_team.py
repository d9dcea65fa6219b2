"""`/invites leaderboard`: the ephemeral board, Post to channel (and when the app is not there), hide/show."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import Member
from bot.slack.ids import TeamAction
from tests.conftest import NOW
from tests.support.factories import make_invites, make_member, set_workspace


def seed_team(db) -> None:
    """Dana and Tom ranked, Priya below the minimum sample, Sam hidden; names that would ping if unescaped."""
    people = {"U1": "Dana", "U2": "Tom <@U2>", "U3": "Priya", "U4": "Sam"}
    sent = 20
    for user, name in people.items():
        actor = make_member(db, user, now=NOW, show_on_leaderboard=user != "U4")
        with db.session() as s:  # checked today: a command does not refresh the name from users.info
            s.execute(update(Member).where(Member.id == actor.member_id).values(display_name=name, tz_checked_at=NOW))
        accepted = {"U1": 6, "U2": 3, "U3": 1, "U4": 9}[user]
        declined = {"U1": 4, "U2": 7, "U3": 1, "U4": 1}[user]
        make_invites(db, actor, [
            *({"key": f"in:{user}-a{n}", "days_ago": sent, "status": "accepted"} for n in range(accepted)),
            *({"key": f"in:{user}-d{n}", "days_ago": sent, "status": "declined"} for n in range(declined)),
            {"key": f"in:{user}-p", "days_ago": 2},
        ], now=NOW)
    set_workspace(db, leaderboard_min_sample=5)


def post_button(answer) -> dict:
    (button,) = [b for b in answer.buttons if b["action_id"] == TeamAction.POST_LEADERBOARD]
    return button


def test_the_leaderboard_is_ephemeral_ranked_and_offers_to_post(slack, db):
    seed_team(db)
    answer = slack.invites("leaderboard")
    assert answer.status == 200 and answer.body["response_type"] == "ephemeral"
    text = answer.text
    assert "Leaderboard — the last 30 days" in text
    assert "1. Dana — 60% (n=10) · 6 accepted · 1 pending · 0 stale" in text
    assert "2. Tom &lt;@U2&gt; — 30% (n=10)" in text
    assert "• Priya — 50% (n=2)" in text and "Not enough data yet" in text
    assert "Sam" not in text and "*Team:* 36 sent · 19 accepted" in text
    assert json.loads(post_button(answer)["value"]) == {"period": "30d"}
    assert "<@" not in json.dumps(answer.body).replace("&lt;@", "")


def test_a_period_argument_and_an_empty_period(slack, db):
    seed_team(db)
    answer = slack.invites("leaderboard 7d")
    assert "No invites were logged in the last 7 days." not in answer.text
    assert "Nobody has 5 decided invites from the last 7 days yet." in answer.text
    assert json.loads(post_button(answer)["value"]) == {"period": "7d"}


def test_no_post_button_in_a_dm_but_how_to_post_it(slack, db):
    seed_team(db)
    answer = slack.invites("leaderboard", channel="D0123")
    assert "Dana" in answer.text and not answer.buttons
    assert "Run `/invites leaderboard` in a channel to post it there." in answer.text
    assert "Run `/invites leaderboard 7d` in a channel" in slack.invites("leaderboard 7d", channel="D0123").text
    # In a channel the button says it all.
    assert "in a channel to post it there" not in slack.invites("leaderboard").text


def test_post_to_channel_posts_the_public_board_where_the_command_ran(slack, db, fake_slack):
    seed_team(db)
    button = post_button(slack.invites("leaderboard 30d"))
    update = slack.click(button)
    (post,) = fake_slack.of("chat.postMessage")
    assert post.params["channel"] == "C1"
    posted = json.dumps(post.params, ensure_ascii=False)
    assert "1. Dana — 60% (n=10)" in posted and "Sam" not in posted
    assert "<@" not in posted.replace("&lt;@", "") and TeamAction.POST_LEADERBOARD not in posted
    # The ephemeral board is replaced: no button any more (no double post), and where it went.
    assert update["replace_original"] is True and "Posted to <#C1>" in json.dumps(update)
    assert TeamAction.POST_LEADERBOARD not in json.dumps(update)


@pytest.mark.parametrize("code", ["not_in_channel", "channel_not_found"])
def test_post_where_the_app_is_not_a_member_explains_how_to_fix_it(slack, db, fake_slack, code):
    seed_team(db)
    button = post_button(slack.invites("leaderboard"))
    fake_slack.queue("chat.postMessage", {"ok": False, "error": code})
    reply = slack.click(button)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Invite me to <#C1> first: `/invite @Invite Hygiene`" in reply["text"] + json.dumps(reply["blocks"])
    assert "Nothing was posted." in reply["text"]
    assert len(fake_slack.of("chat.postMessage")) == 1  # the refused attempt only


def test_a_damaged_post_button_says_so(slack, db, fake_slack):
    seed_team(db)
    reply = slack.click({"action_id": TeamAction.POST_LEADERBOARD, "value": '{"period": "1y"}'})
    assert "out of date or damaged" in reply["text"]
    assert fake_slack.of("chat.postMessage") == []


def test_the_board_is_recomputed_when_posted(slack, db, fake_slack, clock):
    seed_team(db)
    button = post_button(slack.invites("leaderboard 7d"))
    clock.advance(timedelta(days=30))  # a stale button posts today's numbers, not the old ones
    slack.click(button)
    (post,) = fake_slack.of("chat.postMessage")
    assert "No invites were logged in the last 7 days." in json.dumps(post.params)


def test_hide_and_show_set_only_the_members_own_visibility(slack, db):
    seed_team(db)
    answer = slack.invites("leaderboard hide", user="U1")
    assert "hidden from the leaderboard" in answer.text and "team totals" in answer.text
    with db.session(write=False) as s:
        shown = dict(s.execute(select(Member.user_id, Member.show_on_leaderboard)).all())
    assert shown == {"U1": False, "U2": True, "U3": True, "U4": False}
    board = slack.invites("leaderboard", user="U2").text
    assert "Dana" not in board and "1. Tom" in board and "*Team:* 36 sent" in board
    assert "on the leaderboard again" in slack.invites("leaderboard show", user="U1").text
    assert "1. Dana" in slack.invites("leaderboard", user="U2").text


def test_extra_words_after_hide_are_a_usage_error(slack, db):
    answer = slack.invites("leaderboard hide everyone")
    assert answer.status == 200 and "Usage" in answer.text
