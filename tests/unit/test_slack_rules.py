"""Slack's payload rules (bot.playground.slack_rules): what Slack accepts passes, what it refuses is named."""

from __future__ import annotations

import json

import pytest

from bot.playground.slack_rules import (
    HOME,
    MESSAGE,
    MODAL,
    check_blocks,
    check_call,
    check_command_ack,
    check_mrkdwn,
    check_view,
    check_view_submission_ack,
)


def section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", action_id: str = "go", value: str = "1", **extra) -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id,
            "value": value, **extra}


def modal(blocks: list, **extra) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Log invites"}, "blocks": blocks, **extra}


def text_input(block_id: str = "urls") -> dict:
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": "URLs"},
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True}}


# ---- mrkdwn escaping ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "plain words", "a &amp; b &lt;url&gt;", "<https://www.linkedin.com/in/jane|Jane Doe>", "<https://x.io>",
    "<mailto:a@b.co|mail>", "<@U123ABC>", "<@W1|dana>", "<#C0123|sales>", "<!here>", "<!channel>",
    "<!date^1700000000^{date_short}|Nov 14>", "<!subteam^S123|@sales>", "> a quote", "`code` *bold*",
])
def test_valid_mrkdwn_passes(text: str) -> None:
    assert check_mrkdwn(text) == []


@pytest.mark.parametrize("text", [
    "`/invited <linkedin url>`", "accepted <url|slug|#id|name>", "Smith & Sons", "a < b", "<javascript:x|y>",
    "<@>", "<#general>", "&nbsp;", "<!everyone", "R&D <3",
])
def test_unescaped_angle_or_ampersand_is_refused(text: str) -> None:
    problems = check_mrkdwn(text)
    assert problems and all("unescaped" in p for p in problems)


def test_plain_text_is_not_checked_for_escapes_but_mrkdwn_is() -> None:
    ok = [{"type": "header", "text": {"type": "plain_text", "text": "Smith & Sons <3"}}]
    assert check_blocks(ok, MESSAGE) == []
    assert check_blocks([section("Smith & Sons")], MESSAGE)


# ---- blocks -------------------------------------------------------------------------------------

def test_a_typical_message_passes() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your invites", "emoji": True}},
        section("*3 pending*", block_id="summary"),
        {"type": "divider"},
        {"type": "actions", "block_id": "row:1", "elements": [button(), button("Later", "later", "2")]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "`/invites pause`"}]},
    ]
    assert check_blocks(blocks, MESSAGE) == []


@pytest.mark.parametrize(("blocks", "surface", "expected"), [
    ([section("x")] * 51, MESSAGE, "no more than 50"),
    ([section("x")] * 101, MODAL, "no more than 100"),
    ([section("x" * 3001)], MESSAGE, "more than 3000"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], MESSAGE, "1 to 10 fields"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}], MESSAGE, "more than 2000"),
    ([{"type": "section"}], MESSAGE, "needs text or fields"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], MESSAGE, "more than 150"),
    ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], MESSAGE, "must be plain_text"),
    ([{"type": "actions", "elements": [button("b" * 76)]}], MESSAGE, "more than 75"),
    ([{"type": "actions", "elements": [button(value="v" * 2001)]}], MESSAGE, "more than 2000"),
    ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], MESSAGE, "more than 255"),
    ([section("x", block_id="b" * 256)], MESSAGE, "more than 255"),
    ([{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}], MESSAGE, "1 to 25"),
    ([{"type": "actions", "elements": []}], MESSAGE, "1 to 25"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], MESSAGE, "1 to 10"),
    ([{"type": "context", "elements": [button()]}], MESSAGE, "not allowed here"),
    ([{"type": "actions", "elements": [button(), button()]}], MESSAGE, "used more than once"),
    ([section("a", block_id="x"), section("b", block_id="x")], MESSAGE, "not unique"),
    ([{"type": "actions", "elements": [{"type": "button", "text": {"type": "mrkdwn", "text": "Go"}}]}],
     MESSAGE, "must be plain_text"),
    ([{"type": "actions", "elements": [{"type": "plain_text_input", "action_id": "x"}]}], MESSAGE,
     "not allowed here"),
    ([{"type": "fancy"}], MESSAGE, "unsupported block type"),
    ([{"type": "file", "source": "remote", "external_id": "F1"}], MODAL, "not allowed in a modal"),
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "x", "emoji": True}}], MESSAGE, "emoji"),
    ([{"type": "section", "text": {"type": "plain_text", "text": ""}}], MESSAGE, "at least 1"),
    ([{"type": "actions", "elements": [button(style="warning")]}], MESSAGE, "primary or danger"),
])
def test_broken_blocks_are_refused(blocks: list, surface: str, expected: str) -> None:
    problems = check_blocks(blocks, surface)
    assert any(expected in p for p in problems), problems


def test_a_confirm_dialog_is_plain_text_only() -> None:
    confirm = {"title": {"type": "plain_text", "text": "Sure?"}, "text": {"type": "mrkdwn", "text": "*All* of it"},
               "confirm": {"type": "plain_text", "text": "Yes"}, "deny": {"type": "plain_text", "text": "No"}}
    problems = check_blocks([{"type": "actions", "elements": [button(confirm=confirm)]}], MESSAGE)
    assert any("confirm.text: must be plain_text" in p for p in problems), problems
    confirm["text"] = {"type": "plain_text", "text": "All of it & more"}
    assert check_blocks([{"type": "actions", "elements": [button(confirm=confirm)]}], MESSAGE) == []


def test_select_options_are_checked() -> None:
    def select(options, **extra):
        return {"type": "section", "text": {"type": "mrkdwn", "text": "Tier"},
                "accessory": {"type": "static_select", "action_id": "tier", "options": options, **extra}}

    option = {"text": {"type": "plain_text", "text": "Free"}, "value": "free"}
    assert check_blocks([select([option], initial_option=option)], HOME) == []
    too_many = [{"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)} for i in range(101)]
    assert any("101 options" in p for p in check_blocks([select(too_many)], HOME))
    long_text = [{"text": {"type": "plain_text", "text": "o" * 76}, "value": "x"}]
    assert any("more than 75" in p for p in check_blocks([select(long_text)], HOME))
    mrkdwn = [{"text": {"type": "mrkdwn", "text": "o"}, "value": "x"}]
    assert any("must be plain_text" in p for p in check_blocks([select(mrkdwn)], HOME))
    other = {"text": {"type": "plain_text", "text": "Premium"}, "value": "premium"}
    assert any("not one of the options" in p for p in check_blocks([select([option], initial_option=other)], HOME))


# ---- views --------------------------------------------------------------------------------------

def test_a_modal_with_inputs_and_submit_passes() -> None:
    view = modal([text_input()], submit={"type": "plain_text", "text": "Log"}, callback_id="log",
                 private_metadata="{}")
    assert check_view(view) == []
    assert check_view({"type": "home", "blocks": [section("hi")]}) == []


@pytest.mark.parametrize(("view", "expected"), [
    ({"type": "dialog", "blocks": []}, "modal or home"),
    ({"type": "modal", "blocks": []}, "view.title: required"),
    (modal([], title={"type": "plain_text", "text": "t" * 25}), "more than 24"),
    (modal([], title={"type": "mrkdwn", "text": "Log"}), "must be plain_text"),
    (modal([text_input()]), "submit: required"),
    (modal([], close={"type": "plain_text", "text": "c" * 25}), "more than 24"),
    (modal([], private_metadata="m" * 3001), "more than 3000"),
    (modal([], callback_id="c" * 256), "more than 255"),
    (modal([section("x")] * 101), "no more than 100"),
    ({"type": "home", "blocks": [section("x")] * 101}, "no more than 100"),
    ({"type": "home", "blocks": [], "submit": {"type": "plain_text", "text": "Go"}}, "not allowed in a Home"),
    (modal([{"type": "input", "label": {"type": "plain_text", "text": "x"},
             "element": {"type": "button", "text": {"type": "plain_text", "text": "b"}}}],
           submit={"type": "plain_text", "text": "Go"}), "not allowed here"),
])
def test_broken_views_are_refused(view: dict, expected: str) -> None:
    problems = check_view(view)
    assert any(expected in p for p in problems), problems


def test_views_methods_check_the_surface() -> None:
    home = {"type": "home", "blocks": [section("x")]}
    assert check_call("views.publish", {"user_id": "U1", "view": json.dumps(home)}) == []
    assert any("must be modal" in p for p in check_call("views.open", {"trigger_id": "t", "view": home}))
    assert any("must be home" in p for p in check_call("views.publish", {"view": modal([])}))


# ---- messages and acks --------------------------------------------------------------------------

def test_messages_need_a_text_fallback_with_blocks() -> None:
    blocks = [section("Hello")]
    assert check_call("chat.postMessage", {"channel": "D1", "text": "Hello", "blocks": blocks}) == []
    for method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
        assert any("text fallback" in p for p in check_call(method, {"channel": "D1", "blocks": blocks}))
    assert any("no_text" in p for p in check_call("chat.postMessage", {"channel": "D1"}))


def test_message_text_is_mrkdwn_and_must_be_escaped() -> None:
    assert check_call("chat.postMessage", {"channel": "D1", "text": "Smith & Sons"})
    assert check_call("chat.postMessage", {"channel": "D1", "text": "Smith & Sons", "mrkdwn": False}) == []
    assert check_call("response_url", {"text": "Usage: `/invited <url>`"})


def test_metadata_and_other_methods_are_accepted() -> None:
    metadata = {"event_type": "digest", "event_payload": {"day": "2026-11-18"}}
    assert check_call("chat.postMessage", {"channel": "D1", "text": "x", "metadata": metadata}) == []
    assert check_call("chat.postMessage", {"channel": "D1", "text": "x", "metadata": json.dumps(metadata)}) == []
    assert check_call("chat.postMessage", {"channel": "D1", "text": "x", "metadata": {"event_type": "d"}})
    assert check_call("conversations.history", {"channel": "D1", "limit": 5}) == []
    assert check_call("response_url", {"delete_original": True}) == []


def test_command_acks_follow_the_message_rules() -> None:
    assert check_command_ack({}) == []
    assert check_command_ack({"response_type": "ephemeral", "text": "ok", "blocks": [section("ok")]}) == []
    assert check_command_ack({"text": "a & b"})
    assert check_command_ack({"text": "x", "blocks": [section("x")] * 51})
    assert check_command_ack({"response_type": "everyone", "text": "x"})


def test_view_submission_acks() -> None:
    view = modal([text_input("urls")], submit={"type": "plain_text", "text": "Log"})
    assert check_view_submission_ack({}, view) == []
    assert check_view_submission_ack({"response_action": "errors", "errors": {"urls": "Not a URL"}}, view) == []
    wrong = check_view_submission_ack({"response_action": "errors", "errors": {"name": "Too long"}}, view)
    assert any("'name', not an input block" in p for p in wrong)
    assert check_view_submission_ack({"response_action": "errors", "errors": {}}, view)
    assert check_view_submission_ack({"response_action": "close"}, view)
    assert check_view_submission_ack({"response_action": "update"}, view)
    assert check_view_submission_ack({"response_action": "push", "view": {"type": "modal", "blocks": []}}, view)
    assert check_view_submission_ack({"response_action": "update", "view": modal([section("Saved")])}, view) == []
    # Without the view, the block ids of the submitted state stand in.
    assert check_view_submission_ack({"response_action": "errors", "errors": {"x": "bad"}}, None, ["urls"])


@pytest.mark.parametrize(("field", "limit"), [("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)])
def test_a_confirm_dialog_keeps_slacks_lengths_and_needs_every_part(field: str, limit: int) -> None:
    def confirm() -> dict:
        return {"title": {"type": "plain_text", "text": "Withdrew all 3?"},
                "text": {"type": "plain_text", "text": "LinkedIn spreads withdrawals best over days."},
                "confirm": {"type": "plain_text", "text": "Yes, all 3"}, "deny": {"type": "plain_text", "text": "No"}}

    def problems(dialog: dict) -> list[str]:
        return check_blocks([{"type": "actions", "elements": [button(confirm=dialog)]}], MESSAGE)

    at_limit, over, missing = confirm(), confirm(), confirm()
    at_limit[field]["text"] = "x" * limit
    over[field]["text"] = "x" * (limit + 1)
    del missing[field]
    assert problems(at_limit) == []
    assert any(f"confirm.{field}.text: {limit + 1} characters, more than {limit}" in p for p in problems(over))
    assert any(f"confirm.{field}: required" in p for p in problems(missing))


def test_the_bulk_buttons_confirm_follows_slacks_rules_at_any_size() -> None:
    from bot.slack.payloads import MAX_BULK_IDS
    from bot.slack.render.nudges import bulk_block

    for n in (2, 20, MAX_BULK_IDS):
        (block,) = bulk_block([2**53 - k for k in range(n)])
        assert check_blocks([block], MESSAGE) == [] and check_blocks([block], HOME) == []
        assert f"Withdrew all {n}" in block["elements"][0]["confirm"]["title"]["text"]
    assert bulk_block([7]) == []  # one row has its own Withdrawn button
VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}


@pytest.mark.parametrize(("method", "params", "problem"), [
    ("views.open", {"view": VIEW}, "trigger_id: required"),
    ("views.open", {"view": VIEW, "trigger_id": "expired"}, "trigger_id: required"),
    ("views.push", {"view": VIEW, "trigger_id": ""}, "trigger_id: required"),
    ("chat.postMessage", {"channel": "D1", "text": "x", "thread_ts": "1763460000"}, "thread_ts: not a message"),
    ("functions.completeSuccess", {"function_execution_id": "Fx0ABC123", "outputs": "[]"}, "outputs: required"),
    ("functions.completeSuccess", {"outputs": {}}, "function_execution_id: required"),
    ("functions.completeError", {"function_execution_id": "Fx0ABC123", "error": " "}, "error: required"),
])
def test_the_arguments_slack_requires(method, params, problem):
    assert any(problem in p for p in check_call(method, params)), check_call(method, params)


@pytest.mark.parametrize(("method", "params"), [
    ("views.open", {"view": VIEW, "trigger_id": "13345224609.738474920.8088930838d88f008e0"}),
    ("views.update", {"view": VIEW}),  # by view_id: no trigger needed
    ("chat.postMessage", {"channel": "D1", "text": "x", "thread_ts": "1763460000.000100"}),
    ("functions.completeSuccess", {"function_execution_id": "Fx0ABC123", "outputs": json.dumps({"a": 1})}),
    ("functions.completeError", {"function_execution_id": "Fx0ABC123", "error": "not a LinkedIn profile URL"}),
])
def test_what_slack_accepts_passes(method, params):
    assert check_call(method, params) == []
