"""Admin settings (checked on the server), own settings, forget-me and deactivated users."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.db.models import Delivery, Invite, InviteEvent, Member, Workspace
from bot.slack.ids import SettingsView


def number(v):
    return {"value": {"type": "number_input", "value": str(v)}}


def select_(v):
    return {"value": {"type": "static_select", "selected_option": {"value": str(v)}}}


def workspace_values(**overrides):
    values = {
        "withdraw_after_days": 10, "expire_after_days": 120, "resend_cooldown_days": 21, "pending_warn_at": 150,
        "pending_limit": 250, "max_withdrawals_per_day": 15, "safe_weekly_free": 70, "safe_weekly_premium": 110,
        "safe_weekly_sales_navigator": 140, "leaderboard_min_sample": 5,
    } | overrides
    state = {k: number(v) for k, v in values.items()}
    state["nudge_hour"] = select_(overrides.get("nudge_hour", 8))
    state["working_days"] = {"value": {"type": "checkboxes", "selected_options": [{"value": d} for d in "1234"]}}
    state["digest_channel"] = {"value": {"type": "conversations_select", "selected_conversation": "C0SALES"}}
    state["timezone"] = select_(overrides.get("timezone", "Europe/Berlin"))
    return state


def workspace(db):
    with db.session(write=False) as s:
        return s.scalars(select(Workspace)).one()


def test_admin_gets_the_workspace_modal_with_current_values(slack, fake_slack):
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")
    answer = slack.invites("settings", user="UADMIN")
    assert answer.status == 200
    (opened,) = fake_slack.of("views.open")
    view = json.loads(opened.params["view"]) if isinstance(opened.params["view"], str) else opened.params["view"]
    assert view["callback_id"] == SettingsView.WORKSPACE
    ids = {b["block_id"] for b in view["blocks"]}
    assert {"withdraw_after_days", "pending_limit", "nudge_hour", "working_days", "digest_channel", "timezone"} <= ids
    first = view["blocks"][0]["element"]
    assert first["initial_value"] == "14" and first["type"] == "number_input"


def test_slack_admin_flag_counts_too(slack, fake_slack):
    fake_slack.add_user("U9", tz="UTC", name="Owner", is_owner=True)
    slack.invites("settings", user="U9")
    view = fake_slack.of("views.open")[0].params["view"]
    assert SettingsView.WORKSPACE in (view if isinstance(view, str) else json.dumps(view))


def test_non_admin_gets_their_own_settings(slack, fake_slack):
    slack.invites("settings", user="U2")
    view = fake_slack.of("views.open")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == SettingsView.MEMBER


def test_admin_saves_valid_settings(slack, db):
    slack.invites("help", user="UADMIN")
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values(), user="UADMIN")
    assert answer.body["response_action"] == "update"
    ws = workspace(db)
    assert (ws.withdraw_after_days, ws.pending_limit, ws.nudge_hour, ws.working_days, ws.digest_channel,
            ws.timezone) == (10, 250, 8, "1234", "C0SALES", "Europe/Berlin")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pending_limit": 100}, "pending_limit", "at least the warning level"),
        ({"withdraw_after_days": 0}, "withdraw_after_days", "between 1 and 365 days"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"nudge_hour": 24}, "nudge_hour", "Pick an hour from the list."),
    ],
)
def test_invalid_settings_are_shown_on_their_field_and_nothing_changes(slack, db, overrides, field, message):
    slack.invites("help", user="UADMIN")
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values(**overrides), user="UADMIN")
    assert answer.body["response_action"] == "errors"
    assert message in answer.body["errors"][field]
    assert workspace(db).withdraw_after_days == 14


def test_a_forged_submission_from_a_non_admin_changes_nothing(slack, db, caplog):
    slack.invites("help", user="U2")
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values(), user="U2")
    assert answer.body["response_action"] == "errors"
    assert "Only workspace admins" in json.dumps(answer.body)
    assert workspace(db).withdraw_after_days == 14
    assert "refused workspace settings change" in caplog.text


def test_member_saves_own_settings(slack, db):
    slack.invites("help", user="U2")
    values = {"account_tier": select_("premium"), "nudges": select_("off"), "leaderboard": select_("hide")}
    answer = slack.submit(SettingsView.MEMBER, values, user="U2")
    assert answer.body["response_action"] == "update"
    with db.session(write=False) as s:
        m = s.scalars(select(Member).where(Member.user_id == "U2")).one()
    assert (m.account_tier, m.nudges_enabled, m.show_on_leaderboard) == ("premium", False, False)
    bad = slack.submit(SettingsView.MEMBER, {**values, "account_tier": select_("gold")}, user="U2")
    assert bad.body["response_action"] == "errors" and "account_tier" in bad.body["errors"]


def test_forget_me_asks_then_deletes_only_the_clickers_data(slack, db, fake_slack):
    slack.invited("https://linkedin.com/in/a-a https://linkedin.com/in/b-b", user="U1")
    slack.invited("https://linkedin.com/in/a-a", user="U2")
    prompt = slack.invites("forget-me", user="U1")
    assert "cannot be undone" in prompt.text
    (button,) = prompt.buttons
    assert button["style"] == "danger" and "confirm" in button
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 3
    # A teammate replaying the button deletes nothing.
    refused = slack.click(button, user="U2")
    assert "for someone else" in refused["text"]
    done = slack.click(button, user="U1")
    assert "deleted 2 invites" in done["text"] and done["replace_original"] is True
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 1
        assert s.scalar(select(func.count()).select_from(InviteEvent)) == 1
        assert s.scalar(select(func.count()).select_from(Member).where(Member.user_id == "U1")) == 0
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0


def test_deactivated_user_leaves_nudges_and_comes_back(slack, db):
    slack.invited("https://linkedin.com/in/a-a", user="U2")
    slack.event({"type": "user_change", "user": {"id": "U2", "team_id": "T1", "deleted": True}})
    with db.session(write=False) as s:
        assert s.scalar(select(Member.deactivated).where(Member.user_id == "U2")) is True
    slack.event({"type": "user_change", "user": {"id": "U2", "team_id": "T1", "deleted": False}})
    with db.session(write=False) as s:
        assert s.scalar(select(Member.deactivated).where(Member.user_id == "U2")) is False


def test_expired_trigger_gets_a_clear_message(slack, fake_slack):
    fake_slack.queue("views.open", {"ok": False, "error": "expired_trigger_id"})
    answer = slack.invites("settings", user="U2")
    assert "took too long" in answer.text
