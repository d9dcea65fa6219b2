"""The playground renders image blocks as Slack does: an uploaded file as <img>, its alt text kept."""

from __future__ import annotations

from bot.playground.blockkit import Context, block_html, slack_file_id


def test_an_image_block_referencing_an_uploaded_file_is_an_img_served_by_the_playground():
    block = {"type": "image", "block_id": "home_trend_chart", "slack_file": {"id": "F0123456789"},
             "alt_text": "Acceptance <by> week: Oct 5 40% (n=5)", "title": {"type": "plain_text", "text": "Trend"}}
    html = block_html(block, Context())
    assert '<img class="bk-image bk-image-file" src="/play/image/F0123456789"' in html
    assert 'alt="Acceptance &lt;by&gt; week: Oct 5 40% (n=5)"' in html
    assert "<figcaption>Trend</figcaption>" in html


def test_a_slack_file_by_url_and_an_image_url():
    assert slack_file_id({"slack_file": {"url": "https://files.slack.com/files-pri/T0123-F0ABCDEF12/x.png"}}) \
        == "F0ABCDEF12"
    assert slack_file_id({"image_url": "https://example.com/x.png"}) is None
    html = block_html({"type": "image", "image_url": "https://example.com/x.png", "alt_text": "a cat"}, Context())
    assert "<img" not in html and "a cat" in html  # offline: no fetch from the internet
