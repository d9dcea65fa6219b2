"""The fake Web API holds files_upload_v2 and image blocks to Slack's rules (and fails the test that broke them)."""

from __future__ import annotations

import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support import fake_slack as fake_module
from tests.support.signing import BOT_TOKEN

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def image(file_id: str) -> list[dict]:
    return [{"type": "image", "slack_file": {"id": file_id}, "alt_text": "a chart"}]


def test_an_upload_really_happens_and_the_file_can_then_be_shown(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    answer = client.files_upload_v2(content=PNG, filename="trend.png", title="Trend")
    file_id = answer["file"]["id"]
    assert file_id.startswith("F") and len(file_id) >= 9
    assert fake_slack.uploads[file_id] == PNG
    (upload,) = fake_slack.of("upload")
    assert upload.params["data"] == PNG
    client.views_publish(user_id="U1", view={"type": "home", "blocks": image(file_id)})
    client.chat_postMessage(channel="C1", text="chart", blocks=image(file_id))
    assert fake_module.take_violations() == []


def test_blocks_naming_a_file_never_uploaded_are_refused(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C1", text="chart", blocks=image("F0123456789"))
    csv = client.files_upload_v2(content=b"a,b\n", filename="x.csv")["file"]["id"]
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": image(csv)})  # not an image
    found = fake_module.take_violations()
    assert len(found) == 2 and all("invalid slack file" in v for v in found)


def test_completing_an_upload_that_did_not_arrive_whole_is_refused(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    promised = client.files_getUploadURLExternal(filename="trend.png", length=len(PNG))
    with pytest.raises(SlackApiError, match="file_upload_incomplete"):  # nothing POSTed yet
        client.files_completeUploadExternal(files=[{"id": promised["file_id"], "title": "Trend"}])
    request = urllib.request.Request(promised["upload_url"], data=PNG[:10], method="POST")
    urllib.request.urlopen(request, timeout=5).read()
    with pytest.raises(SlackApiError, match="file_upload_incomplete"):  # 10 of the promised bytes
        client.files_completeUploadExternal(files=[{"id": promised["file_id"]}])
    with pytest.raises(SlackApiError, match="file_upload_incomplete"):
        client.files_completeUploadExternal(files=[{"id": "F9999999999"}])
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("files.getUploadURLExternal", params={"filename": "x.png"})  # no length
    found = fake_module.take_violations()
    assert len(found) == 4
    assert any("got 10 bytes, 72 were announced" in v for v in found)
    assert any("was not issued" in v for v in found) and any("length" in v for v in found)
    assert fake_slack.files == {}  # nothing became a file
