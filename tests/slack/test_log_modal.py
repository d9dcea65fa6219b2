"""The "Log invites" modal: opened by `/invited` and the shortcut, submitted through the real app."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.models import Invite, InviteEvent
from bot.domain.commands import LogRequest
from bot.slack.listeners.log_modal import (
    MAX_ERROR_CHARS,
    LogField,
    LogModal,
    LogModalMeta,
    log_view,
    read_submission,
)
from tests.support.harness import block_text

TODAY = date(2026, 11, 18)


def interaction(slack, payload: dict):
    body = urlencode({"payload": json.dumps(payload)})
    response = slack.dispatch(body, content_type="application/x-www-form-urlencoded")
    assert response.status == 200, response.body
    return json.loads(response.body) if response.body else {}


def shortcut_payload(*, user: str = "U1", team: str = "T1") -> dict:
    return {
        "type": "shortcut", "token": "legacy", "action_ts": "1763460000.1", "callback_id": LogModal.SHORTCUT,
        "trigger_id": "4242.9999.abcdef", "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": team}, "is_enterprise_install": False,
    }


def values(*, urls: str = "", name: str = "", company: str = "", priority: str = "normal", note: bool = False,
           day: str | None = "2026-11-18") -> dict:
    def text(value: str) -> dict:
        return {"value": {"type": "plain_text_input", "value": value or None}}

    return {
        LogField.URLS: text(urls),
        LogField.NAME: text(name),
        LogField.COMPANY: text(company),
        LogField.PRIORITY: {"value": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": priority}, "value": priority}}},
        LogField.NOTE: {"value": {"type": "checkboxes",
                                  "selected_options": [{"value": "with_note"}] if note else []}},
        LogField.SENT: {"value": {"type": "datepicker", "selected_date": day}},
    }


def submission(state: dict, *, user: str = "U1", team: str = "T1", metadata: str | None = None) -> dict:
    return {
        "type": "view_submission", "token": "legacy", "trigger_id": "5.6.7", "api_app_id": "A1",
        "team": {"id": team, "domain": "acme"}, "user": {"id": user, "username": user.lower(), "team_id": team},
        "view": {
            "id": "V1", "type": "modal", "callback_id": LogModal.VIEW, "team_id": team, "hash": "1.abc",
            "private_metadata": metadata if metadata is not None else LogModalMeta(channel_id="C1").dump(),
            "state": {"values": state}, "title": {"type": "plain_text", "text": "Log invites"}, "blocks": [],
        },
        "response_urls": [], "is_enterprise_install": False,
    }


def posted_text(call) -> str:
    blocks = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return "\n".join([call.params.get("text", ""), *(block_text(b) for b in blocks)])


def stored(db) -> list[Invite]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Invite).order_by(Invite.id)))


# --------------------------------------------------------------------------------------------
# Opening


def test_invited_with_no_text_opens_the_modal_dated_the_members_today(slack, fake_slack, clock):
    clock.advance(timedelta(hours=13, minutes=30))  # 23:30 UTC: already Nov 19 in Berlin (U1)
    answer = slack.invited("", channel="C42")
    assert answer.status == 200 and answer.body == {}  # the modal is the answer
    opened = fake_slack.of("views.open")[0].params
    assert opened["trigger_id"] == "13345224609.738474920.8088930838d88f008e0"
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert view["callback_id"] == "log_invites_modal"
    assert LogModalMeta.load(view["private_metadata"]).channel_id == "C42"
    sent = next(b for b in view["blocks"] if b["block_id"] == LogField.SENT)
    assert sent["element"]["initial_date"] == "2026-11-19"


def test_a_modal_that_cannot_open_says_how_to_log_instead(slack, fake_slack):
    fake_slack.queue("views.open", {"ok": False, "error": "expired_trigger_id"})
    answer = slack.invited("")
    assert "couldn't open the Log invites form" in answer.text and "expired_trigger_id" in answer.text
    assert "/invited <linkedin url>" in answer.visible


def test_the_global_shortcut_opens_the_modal(slack, fake_slack):
    interaction(slack, shortcut_payload())
    opened = fake_slack.of("views.open")[0].params
    assert opened["trigger_id"] == "4242.9999.abcdef"
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert LogModalMeta.load(view["private_metadata"]).channel_id is None


def test_a_shortcut_whose_modal_cannot_open_is_told_by_dm(slack, fake_slack):
    fake_slack.queue("views.open", {"ok": False, "error": "expired_trigger_id"})
    interaction(slack, shortcut_payload())
    dm = fake_slack.wait_for("chat.postMessage")[0]
    assert dm.params["channel"] == "U1" and "couldn't open" in posted_text(dm)


# --------------------------------------------------------------------------------------------
# Submitting


def test_a_valid_submission_logs_and_confirms_in_the_channel(slack, db, fake_slack, clock):
    state = values(urls="https://www.linkedin.com/in/jane-doe\n\n  linkedin.com/in/Tom-X/  \n",
                   company="Acme", priority="high", note=True, day="2026-11-15")
    assert interaction(slack, submission(state)) == {}  # closes the modal
    invites = stored(db)
    assert [i.prospect_key for i in invites] == ["in:jane-doe", "in:tom-x"]
    assert all((i.source, i.priority, i.with_note, i.company) == ("modal", "high", True, "Acme") for i in invites)
    # Local noon in Berlin on the chosen day.
    assert invites[0].sent_at == datetime(2026, 11, 15, 11, 0, tzinfo=UTC)
    with db.session(write=False) as s:
        assert set(s.scalars(select(InviteEvent.via))) == {"modal"}
    confirmation = fake_slack.of("chat.postEphemeral")[0]
    assert (confirmation.params["channel"], confirmation.params["user"]) == ("C1", "U1")
    assert "Logged 2 invites" in posted_text(confirmation)


def test_bad_lines_are_reported_on_the_field_and_nothing_is_logged(slack, db, fake_slack):
    state = values(urls="https://www.linkedin.com/in/jane-doe\nhttps://example.com/in/x\nlinkedin.com/company/acme")
    answer = interaction(slack, submission(state))
    assert answer["response_action"] == "errors"
    message = answer["errors"][LogField.URLS]
    assert message == ("Line 2 isn't a LinkedIn profile link: “https://example.com/in/x”. "
                       "Line 3 isn't a LinkedIn profile link: “linkedin.com/company/acme” (a /company/ page, "
                       "not a person's profile).")
    assert stored(db) == [] and fake_slack.of("chat.postEphemeral") == []


def test_a_modal_submitted_twice_logs_once_and_says_so(slack, db, fake_slack):
    state = values(urls="https://www.linkedin.com/in/jane-doe")
    interaction(slack, submission(state))
    interaction(slack, submission(state))
    assert len(stored(db)) == 1
    second = posted_text(fake_slack.wait_for("chat.postEphemeral", 2)[1])
    assert "already pending" in second and "not logged twice" in second


def test_from_the_shortcut_the_confirmation_is_a_dm(slack, db, fake_slack):
    interaction(slack, submission(values(name="Jane Doe", company="Acme"), metadata=LogModalMeta().dump()))
    dm = fake_slack.of("chat.postMessage")[0]
    assert dm.params["channel"] == "U1" and "Logged 1 invite" in posted_text(dm)
    assert [(i.prospect_key, i.name) for i in stored(db)] == [("name:jane doe", "Jane Doe")]


def test_a_channel_the_app_cannot_post_in_falls_back_to_the_dm(slack, db, fake_slack):
    fake_slack.queue("chat.postEphemeral", {"ok": False, "error": "channel_not_found"})
    interaction(slack, submission(values(urls="https://www.linkedin.com/in/jane-doe")))
    assert "Logged 1 invite" in posted_text(fake_slack.wait_for("chat.postMessage")[0])


def test_damaged_metadata_still_logs_and_confirms_by_dm(slack, db, fake_slack):
    interaction(slack, submission(values(urls="https://www.linkedin.com/in/jane-doe"), metadata='{"channel_id": "<!here>"}'))
    assert len(stored(db)) == 1
    assert fake_slack.of("chat.postMessage")[0].params["channel"] == "U1"


@pytest.mark.parametrize(
    ("state", "block", "message"),
    [
        (values(), LogField.URLS, "Tell me who you invited: paste a LinkedIn profile URL, or write their name."),
        (values(company="Acme"), LogField.NAME, "Put the name before the company"),
        (values(name=";;; !!"), LogField.NAME, "has no letters"),
        (values(urls="https://linkedin.com/in/a", day="2026-11-20"), LogField.SENT,
         "The date sent, 2026-11-20, is in the future."),
        (values(urls="https://linkedin.com/in/a", day="2001-01-01"), LogField.SENT, "more than 3650 days ago"),
        (values(urls="\n".join(f"https://linkedin.com/in/p{n}" for n in range(101))), LogField.URLS,
         "That is 101 profiles; log at most 100 at a time."),
    ],
)
def test_each_bad_field_gets_its_own_error(slack, db, state, block, message):
    answer = interaction(slack, submission(state))
    assert answer["response_action"] == "errors" and message in answer["errors"][block]
    assert stored(db) == []


# --------------------------------------------------------------------------------------------
# The pure parts


def test_the_view_ids_and_defaults():
    view = log_view(today=TODAY, channel_id="C1")
    assert [b["block_id"] for b in view["blocks"]] == [f.value for f in LogField]
    assert all(b["element"]["action_id"] == "value" for b in view["blocks"])
    assert view["callback_id"] == LogModal.VIEW and len(view["title"]["text"]) <= 24
    priority = view["blocks"][3]["element"]
    assert priority["initial_option"]["value"] == "normal"
    assert json.loads(view["private_metadata"]) == {"channel_id": "C1"}


def test_reading_a_submission():
    request = read_submission(values(urls="<https://www.linkedin.com/in/jane-doe|jane> linkedin.com/in/jane-doe",
                                     priority="low", day="2026-11-18"), today=TODAY)
    assert isinstance(request, LogRequest)
    assert [p.key for p in request.prospects] == ["in:jane-doe"]
    assert request.priority == "low" and request.sent.day is None and request.sent.days_ago is None
    errors = read_submission(values(urls="x\n" * 5), today=TODAY)
    assert errors == {LogField.URLS: " ".join(f"Line {n} isn't a LinkedIn profile link: “x”." for n in range(1, 6))}


ANY = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.lists(st.text(max_size=5), max_size=2))


@settings(max_examples=200, deadline=None)
@given(
    urls=st.text(max_size=300), name=st.text(max_size=50), day=ANY, priority=ANY, options=ANY,
    drop=st.sets(st.sampled_from(list(LogField))),
)
def test_any_submission_reads_to_a_request_or_field_errors(urls, name, day, priority, options, drop):
    state = values(urls=urls, name=name)
    state[LogField.SENT] = {"value": {"type": "datepicker", "selected_date": day if isinstance(day, str) else None}}
    state[LogField.PRIORITY] = {"value": {"selected_option": {"value": priority} if isinstance(priority, str) else None}}
    state[LogField.NOTE] = {"value": {"selected_options": [{"value": o} for o in options] if isinstance(options, list) else []}}
    for block in drop:
        state.pop(block)
    result = read_submission(state, today=TODAY)
    if isinstance(result, dict):
        assert result and set(result) <= set(LogField) and all(isinstance(m, str) and m for m in result.values())
    else:
        assert isinstance(result, LogRequest) and (result.prospects or result.name)


# --------------------------------------------------------------------------------------------
# One grammar: the modal reads its fields with `/invited`'s rules, limits and messages


def test_each_bad_line_is_named_once_and_every_bad_line_is_listed(slack, db):
    state = values(urls="https://www.linkedin.com/in/jane-doe\nnot a url at all\nlinkedin.com/company/acme")
    message = interaction(slack, submission(state))["errors"][LogField.URLS]
    assert message.startswith("Line 2 isn't a LinkedIn profile link: “not a url at all”")
    assert "Line 3 isn't a LinkedIn profile link: “linkedin.com/company/acme”" in message
    assert message.lower().count("line 2") == 1 and "more" not in message
    assert stored(db) == []


def test_too_many_bad_lines_list_whole_lines_then_how_many_more(slack):
    junk = "\n".join(f"junk number {n} " + "x" * 40 for n in range(1, 201))
    message = interaction(slack, submission(values(urls=junk)))["errors"][LogField.URLS]
    assert len(message) <= MAX_ERROR_CHARS
    listed = [n for n in range(1, 201) if f"Line {n} isn't" in message]
    assert listed == list(range(1, len(listed) + 1)) and len(listed) >= 3
    for n in listed:  # each listed line is whole
        assert f"“junk number {n} {'x' * 40}”" in message
    assert message.endswith(f"and {200 - len(listed)} more lines.")


def test_free_text_in_the_name_field_follows_the_commands_rule(slack, db):
    state = values(urls="https://www.linkedin.com/in/sam-nolan", name="met at SaaStr")
    assert interaction(slack, submission(state)) == {}
    (invite,) = stored(db)
    assert (invite.name, invite.notes) == (None, "met at SaaStr")


def test_the_modal_and_the_command_refuse_with_the_same_words(slack, db):
    for name in (";;; !!", "met at SaaStr"):
        modal = interaction(slack, submission(values(name=name)))["errors"][LogField.NAME]
        command = slack.invited(name).visible
        assert modal in command, (modal, command)
    bad = "linkedin.com/company/acme"
    modal = interaction(slack, submission(values(urls=bad)))["errors"][LogField.URLS]
    command = slack.invited(bad).visible
    assert "isn't a LinkedIn profile link: “linkedin.com/company/acme”" in modal
    assert "isn't a LinkedIn profile link: “linkedin.com/company/acme”" in command
    assert stored(db) == []
