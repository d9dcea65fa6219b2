"""The strict validator on image blocks (slack_file or image_url) and the upload methods' arguments."""

from __future__ import annotations

import json

import pytest

from bot.playground.slack_rules import check_blocks, check_call

OK = {"type": "image", "slack_file": {"id": "F0123456789"}, "alt_text": "Acceptance: Oct 5 40% (n=5)",
      "title": {"type": "plain_text", "text": "Acceptance by week"}}


def problems(block: dict, surface: str = "home") -> list[str]:
    return check_blocks([block], surface)


@pytest.mark.parametrize("surface", ["message", "modal", "home"])
def test_an_image_block_referencing_an_uploaded_file_is_accepted(surface: str) -> None:
    assert problems(OK, surface) == []
    assert problems({"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a"}) == []
    assert problems({**OK, "slack_file": {"url": "https://files.slack.com/files-pri/T1-F0123456789/a.png"}}) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"alt_text": None}, "alt_text: required"),
    ({"alt_text": "x" * 2001}, "more than 2000"),
    ({"title": {"type": "mrkdwn", "text": "t"}}, "must be plain_text"),
    ({"title": {"type": "plain_text", "text": "t" * 2001}}, "more than 2000"),
    ({"slack_file": None}, "exactly one of image_url or slack_file"),
    ({"image_url": "https://example.com/a.png"}, "exactly one of image_url or slack_file"),
    ({"slack_file": {}}, "exactly one of id or url"),
    ({"slack_file": {"id": "F0123456789", "url": "https://files.slack.com/x.png"}}, "exactly one of id or url"),
    ({"slack_file": {"id": "FUP0"}}, "must match"),
    ({"slack_file": {"id": "f0123456789"}}, "must match"),
    ({"slack_file": {"id": "F0123456789", "name": "x"}}, "not a field"),
    ({"slack_file": "F0123456789"}, "must be an object"),
])
def test_image_blocks_slack_would_refuse(change: dict, expected: str) -> None:
    block = {k: v for k, v in {**OK, **change}.items() if v is not None}
    found = problems(block)
    assert any(expected in p for p in found), found


def test_an_image_element_in_a_context_checks_its_slack_file_too() -> None:
    element = {"type": "image", "slack_file": {"id": "nope"}, "alt_text": "a"}
    found = problems({"type": "context", "elements": [element]})
    assert any("must match" in p for p in found)


def test_upload_url_request_needs_a_filename_and_a_length() -> None:
    assert check_call("files.getUploadURLExternal", {"filename": "trend.png", "length": "1234"}) == []
    assert any("filename" in p for p in check_call("files.getUploadURLExternal", {"length": "12"}))
    for bad in (None, "0", "-3", "12.5", "abc"):
        params = {"filename": "a.png", **({"length": bad} if bad is not None else {})}
        assert any("length" in p for p in check_call("files.getUploadURLExternal", params)), bad


def test_complete_upload_needs_the_files_listed() -> None:
    good = {"files": json.dumps([{"id": "F0123456789", "title": "Trend"}])}
    assert check_call("files.completeUploadExternal", good) == []
    assert check_call("files.completeUploadExternal", {}) != []
    assert check_call("files.completeUploadExternal", {"files": "[]"}) != []
    assert check_call("files.completeUploadExternal", {"files": json.dumps([{"title": "x"}])}) != []
    assert check_call("files.completeUploadExternal", {**good, "thread_ts": "1.2"}) != []
