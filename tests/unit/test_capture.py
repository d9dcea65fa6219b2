"""Finding the LinkedIn profiles in a message: typed, pasted, shared through the share sheet, unfurled."""

from __future__ import annotations

import pytest

from bot.domain import capture
from bot.domain.commands import MAX_URLS_PER_COMMAND
from bot.domain.invites import Priority


def keys(message: dict) -> list[str]:
    return [p.key for p in capture.prospects_in_message(message)]


def test_urls_in_text_as_slack_sends_them():
    message = {"text": "sent these: <https://www.linkedin.com/in/jane-doe|linkedin.com/in/jane-doe> and "
                       "<https://uk.linkedin.com/in/Bob-Ray/?trk=x> plus linkedin.com/in/ann-lee"}
    assert keys(message) == ["in:jane-doe", "in:bob-ray", "in:ann-lee"]


def test_links_that_are_not_profiles_and_other_sites_are_left_out():
    message = {"text": "<https://www.linkedin.com/feed/> <https://example.com/in/x> <mailto:a@b.c> "
                       "<https://www.linkedin.com/company/acme> hello <@U2>"}
    assert keys(message) == []


def test_the_same_person_twice_is_one_prospect_in_the_order_first_seen():
    message = {"text": "<https://linkedin.com/in/b-b> <https://www.linkedin.com/in/a-a> <https://linkedin.com/in/B-B/>"}
    assert keys(message) == ["in:b-b", "in:a-a"]


def test_a_share_sheet_message_carries_the_url_in_its_attachment():
    # LinkedIn's app shares "<title> <url>"; Slack may keep only the attachment (from_url / original_url).
    message = {
        "text": "Check out Jane Doe’s profile on LinkedIn",
        "attachments": [{"from_url": "https://www.linkedin.com/in/jane-doe-4b1a2c?utm_source=share&amp;utm_medium=ios",
                         "original_url": "https://www.linkedin.com/in/jane-doe-4b1a2c?utm_source=share",
                         "title": "Jane Doe - Acme | LinkedIn",
                         "title_link": "https://www.linkedin.com/in/jane-doe-4b1a2c"}],
    }
    assert keys(message) == ["in:jane-doe-4b1a2c"]


def test_rich_text_blocks_links_and_text_are_read():
    message = {"text": "", "blocks": [{"type": "rich_text", "block_id": "x", "elements": [
        {"type": "rich_text_section", "elements": [
            {"type": "text", "text": "two: "},
            {"type": "link", "url": "https://www.linkedin.com/in/sam-o", "text": "Sam"},
        ]},
        {"type": "rich_text_list", "style": "bullet", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "www.linkedin.com/in/kim-p"}]},
        ]},
    ]}]}
    assert keys(message) == ["in:sam-o", "in:kim-p"]


def test_member_ids_and_sales_navigator_keep_their_keys():
    message = {"text": "<https://www.linkedin.com/in/ACoAAB1234> <https://www.linkedin.com/sales/lead/ACwAAA9,NAME,x>"}
    assert keys(message) == ["mid:ACoAAB1234", "sn:ACwAAA9"]


def test_at_most_the_commands_limit_of_profiles():
    message = {"text": " ".join(f"https://linkedin.com/in/p-{n}" for n in range(MAX_URLS_PER_COMMAND + 5))}
    assert len(keys(message)) == MAX_URLS_PER_COMMAND


def test_broken_shapes_find_nothing():
    assert keys({}) == []
    assert keys({"text": None, "attachments": [None, 3, {"from_url": 5}], "blocks": ["x", {"elements": "y"}]}) == []


def test_the_request_logs_them_sent_now_with_the_defaults():
    request = capture.log_request(capture.prospects_in_message({"text": "https://linkedin.com/in/a-b"}))
    assert [p.key for p in request.prospects] == ["in:a-b"]
    assert (request.name, request.company, request.comment, request.priority, request.with_note) == (
        None, None, None, Priority.NORMAL, False)
    assert request.sent.day is None and request.sent.days_ago is None


# ---- the workflow step's inputs --------------------------------------------------------------


def test_step_inputs_become_a_log_request_for_the_sender():
    step = capture.read_step_inputs({"profile_url": "https://www.linkedin.com/in/Jane-Doe/?trk=x", "sender": "U012AB",
                                     "priority": "High", "with_note": True, "comment": "  met   at SaaStr "})
    assert step.sender == "U012AB"
    assert [p.key for p in step.request.prospects] == ["in:jane-doe"]
    assert (step.request.priority, step.request.with_note, step.request.comment) == (Priority.HIGH, True,
                                                                                      "met at SaaStr")


def test_step_inputs_optional_ones_default_like_invited():
    step = capture.read_step_inputs({"profile_url": "linkedin.com/in/a-b", "sender": "W1", "priority": "",
                                     "comment": ""})
    assert (step.request.priority, step.request.with_note, step.request.comment) == (Priority.NORMAL, False, None)


@pytest.mark.parametrize(("inputs", "says"), [
    ({"profile_url": "https://www.linkedin.com/company/acme", "sender": "U1"}, "is not a LinkedIn profile URL"),
    ({"profile_url": "", "sender": "U1"}, "profile_url is empty"),
    ({"profile_url": "https://www.linkedin.com/in/a", "sender": "<@U1>"}, "is not a member"),
    ({"profile_url": "https://www.linkedin.com/in/a"}, "is not a member"),
    ({"profile_url": "https://www.linkedin.com/in/a", "sender": "U1", "priority": "urgent"}, "high, normal or low"),
])
def test_step_inputs_that_cannot_be_logged_say_why(inputs, says):
    with pytest.raises(capture.StepInputError, match=says):
        capture.read_step_inputs(inputs)


def test_unfurl_blocks_in_attachments_and_section_blocks_are_read():
    message = {"text": "", "attachments": [{"blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "<https://www.linkedin.com/in/unf-one|Unf One>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "via <https://www.linkedin.com/in/unf-two>"}]},
    ]}], "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "linkedin.com/in/unf-three"}]}]}
    assert keys(message) == ["in:unf-one", "in:unf-two", "in:unf-three"]
