"""Any text, button value, metadata or modal state: never an unhandled error, always a specific message."""

from __future__ import annotations

import json
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.prospect import NotAProfileUrl, prospect_from_url
from bot.slack.ids import SettingsView

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.sampled_from([
    "\x00\x01\x02", "x" * 10_000, "<!channel> &amp; <@U999> <https://evil.example|linkedin.com/in/x>",
    "accepted " + "#" * 5000, "list " * 2000, "—sent —priority —note", "🚀" * 3000,
])


def no_unhandled_error(caplog):
    assert "unhandled error" not in caplog.text, caplog.text


@FUZZ
@given(text=ANY_TEXT)
def test_any_invited_text(slack, caplog, text):
    caplog.set_level(logging.ERROR)
    answer = slack.invited(text)
    # Blank text opens the Log invites modal instead of replying.
    assert answer.status == 200 and (answer.text.strip() or not text.strip())
    no_unhandled_error(caplog)


@FUZZ
@given(text=ANY_TEXT)
def test_any_invites_text(slack, caplog, text):
    caplog.set_level(logging.ERROR)
    answer = slack.invites(text)
    assert answer.status == 200
    assert answer.text.strip() or "settings" in text.lower()  # settings opens a modal instead of replying
    no_unhandled_error(caplog)


BUTTONS = st.sampled_from(["pick_outcome:0", "list_page:next", "digest_withdrawn", "digest_accepted",
                           "digest_snooze", "forget_me_confirm"])
VALUES = st.one_of(
    st.text(max_size=300),
    st.builds(json.dumps, st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=20),
                                                                          st.none(), st.floats()), max_size=4)),
    st.builds(lambda n: json.dumps({"invite_id": n}), st.integers(min_value=-(2**70), max_value=2**70)),
)


@FUZZ
@given(action_id=BUTTONS, value=VALUES)
def test_any_button_value(slack, caplog, action_id, value):
    caplog.set_level(logging.ERROR)
    before = len(slack.fake.of("response_url"))
    reply = slack.click({"action_id": action_id, "value": value})
    assert reply["text"] and len(slack.fake.of("response_url")) == before + 1
    no_unhandled_error(caplog)


STATE = st.dictionaries(
    st.sampled_from(["withdraw_after_days", "pending_limit", "nudge_hour", "working_days", "timezone",
                     "digest_channel", "account_tier", "nudges", "leaderboard", "junk"]),
    st.fixed_dictionaries({"value": st.one_of(
        st.fixed_dictionaries({"type": st.just("number_input"), "value": st.one_of(st.text(max_size=12), st.none())}),
        st.fixed_dictionaries({"selected_option": st.one_of(st.none(), st.fixed_dictionaries({"value": st.text(max_size=30)}))}),
        st.fixed_dictionaries({"selected_options": st.lists(st.fixed_dictionaries({"value": st.text(max_size=3)}), max_size=9)}),
        st.fixed_dictionaries({"selected_conversation": st.one_of(st.none(), st.text(max_size=20))}),
    )}),
    max_size=10,
)


@FUZZ
@given(callback=st.sampled_from([SettingsView.WORKSPACE, SettingsView.MEMBER]), state=STATE, metadata=st.text(max_size=200))
def test_any_modal_state_and_metadata(slack, caplog, callback, state, metadata):
    caplog.set_level(logging.ERROR)
    answer = slack.submit(callback, state, user="UADMIN", private_metadata=metadata)
    assert answer.status == 200
    assert answer.body.get("response_action") in {"errors", "update"}
    no_unhandled_error(caplog)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=3000))
def test_url_normalisation_never_raises_anything_else(text):
    try:
        prospect_from_url(text)
    except NotAProfileUrl as error:
        assert str(error)
