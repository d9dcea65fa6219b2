"""The workspace settings modal refuses bad values in words, on the field they belong to, never pydantic's."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.settings import SETTINGS, setting
from bot.services.admin import PICK
from bot.slack.ids import SettingsView
from tests.slack.test_settings_privacy import workspace, workspace_values

NUMBERS = [s for s in SETTINGS if not s.choose]


def submit(slack, **overrides):
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values(**overrides), user="UADMIN")
    assert answer.status == 200
    assert "Input should" not in json.dumps(answer.body)
    return answer.body


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_each_setting_out_of_range_is_refused_in_words_on_its_block(slack, db, s):
    slack.invites("help", user="UADMIN")
    for value in (s.min - 1, s.max + 1, 10**30):
        body = submit(slack, **{s.name: value})
        assert body == {"response_action": "errors", "errors": {s.name: s.choose or s.out_of_range}}, value
    assert workspace(db).withdraw_after_days == 14


@pytest.mark.parametrize("s", NUMBERS, ids=lambda s: s.name)
def test_each_setting_not_a_whole_number_asks_for_one(slack, s):
    slack.invites("help", user="UADMIN")
    for value in ("abc", "1.5", "", " ", "٣", "1e3", "0x10"):
        body = submit(slack, **{s.name: value})
        assert body["errors"] == {s.name: s.not_a_number}, repr(value)
        assert s.not_a_number.startswith("Enter a whole number of ")


def test_the_words_read_as_the_issue_asks(slack):
    slack.invites("help", user="UADMIN")
    errors = submit(slack, withdraw_after_days=0)["errors"]
    assert errors == {"withdraw_after_days": "Withdraw after must be between 1 and 365 days."}
    assert submit(slack, withdraw_after_days="abc")["errors"] == {
        "withdraw_after_days": "Enter a whole number of days."}
    assert submit(slack, pending_limit=100_001)["errors"] == {
        "pending_limit": "Pending limit must be between 1 and 100,000 pending invites."}


def test_the_rules_between_settings_show_on_their_field(slack, db):
    slack.invites("help", user="UADMIN")
    assert submit(slack, pending_warn_at=150, pending_limit=149)["errors"] == {
        "pending_limit": "Pending limit must be at least the warning level (150)."}
    assert submit(slack, withdraw_after_days=30, expire_after_days=30)["errors"] == {
        "expire_after_days": "Expire after must be more than Withdraw after (30 days)."}
    assert submit(slack, pending_warn_at=150, pending_limit=150, withdraw_after_days=30,
                  expire_after_days=31)["response_action"] == "update"
    ws = workspace(db)
    assert (ws.pending_limit, ws.expire_after_days) == (150, 31)


def test_the_range_ends_are_accepted(slack, db):
    slack.invites("help", user="UADMIN")
    lows = {s.name: s.min for s in NUMBERS} | {"pending_limit": setting("pending_warn_at").min,
                                               "expire_after_days": setting("withdraw_after_days").min + 1}
    assert submit(slack, **lows, nudge_hour=0).get("errors") is None
    highs = {s.name: s.max for s in NUMBERS}
    assert submit(slack, **highs, nudge_hour=23).get("errors") is None
    ws = workspace(db)
    assert (ws.leaderboard_min_sample, ws.nudge_hour, ws.safe_weekly_sales_navigator) == (10_000, 23, 1000)


def test_the_lists_are_refused_in_words(slack):
    slack.invites("help", user="UADMIN")
    assert submit(slack, timezone="Mars/Olympus")["errors"] == {"timezone": PICK["timezone"]}
    values = workspace_values()
    values["working_days"] = {"value": {"type": "checkboxes", "selected_options": []}}
    values["digest_channel"] = {"value": {"type": "conversations_select", "selected_conversation": "not a channel"}}
    del values["timezone"]
    body = slack.submit(SettingsView.WORKSPACE, values, user="UADMIN").body
    assert body["errors"] == {"working_days": PICK["working_days"], "digest_channel": PICK["digest_channel"],
                              "timezone": PICK["timezone"]}


VALUES = st.one_of(st.text(max_size=10), st.integers(min_value=-(10**12), max_value=10**12).map(str),
                   st.from_regex(r"\s*-?\d{1,6}(\.\d)?\s*", fullmatch=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from([s.name for s in SETTINGS]), VALUES, min_size=1, max_size=3))
def test_any_submission_is_saved_or_refused_in_words(slack, changes):
    slack.invites("help", user="UADMIN")
    body = submit(slack, **changes)
    if body.get("response_action") == "errors":
        assert body["errors"] and set(body["errors"]) <= {s.name for s in SETTINGS}
        for message in body["errors"].values():
            assert message[0].isupper() and message.endswith("."), message
    else:
        assert body["response_action"] == "update"
