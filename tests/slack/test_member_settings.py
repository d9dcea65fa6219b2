"""A member's own settings modal: every control shows the member's current value, and saving changes them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.db.models import Member
from bot.slack.ids import SettingsView


def opened_view(slack, fake_slack, user: str = "U2") -> dict:
    before = len(fake_slack.of("views.open"))
    slack.invites("settings", user=user)
    view = fake_slack.wait_for("views.open", before + 1)[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def initial(view: dict) -> dict[str, str]:
    """block_id → the value of its element's initial_option."""
    return {b["block_id"]: b["element"]["initial_option"]["value"] for b in view["blocks"]
            if b["type"] == "input" and "initial_option" in b["element"]}


def choice(kind: str, value: str) -> dict:
    return {"value": {"type": kind, "selected_option": {"value": value}}}


@pytest.mark.parametrize(("commands", "expected"), [
    ([], {"account_tier": "free", "nudges": "on", "leaderboard": "show"}),
    (["pause", "leaderboard hide", "tier premium"], {"account_tier": "premium", "nudges": "off", "leaderboard": "hide"}),
    (["pause"], {"account_tier": "free", "nudges": "off", "leaderboard": "show"}),
    (["leaderboard hide", "tier sales_navigator"], {"account_tier": "sales_navigator", "nudges": "on", "leaderboard": "hide"}),
])
def test_the_modal_shows_the_members_current_values(slack, fake_slack, commands, expected):
    for text in commands:
        slack.invites(text, user="U2")
    view = opened_view(slack, fake_slack)
    assert view["callback_id"] == SettingsView.MEMBER
    assert initial(view) == expected
    radios = [b for b in view["blocks"] if b["element"]["type"] == "radio_buttons"]
    assert {b["block_id"] for b in radios} == {"nudges", "leaderboard"}
    for block in radios:  # initial_option must be one of the options, exactly as Slack requires
        assert block["element"]["initial_option"] in block["element"]["options"]


def test_saving_changes_both_choices_and_the_modal_then_shows_them(slack, db, fake_slack):
    assert initial(opened_view(slack, fake_slack)) == {"account_tier": "free", "nudges": "on", "leaderboard": "show"}
    values = {"account_tier": choice("static_select", "free"), "nudges": choice("radio_buttons", "off"),
              "leaderboard": choice("radio_buttons", "hide")}
    answer = slack.submit(SettingsView.MEMBER, values, user="U2")
    assert answer.body["response_action"] == "update", answer.body
    with db.session(write=False) as s:
        member = s.scalars(select(Member).where(Member.user_id == "U2")).one()
    assert (member.nudges_enabled, member.show_on_leaderboard) == (False, False)
    assert initial(opened_view(slack, fake_slack)) == {"account_tier": "free", "nudges": "off", "leaderboard": "hide"}
