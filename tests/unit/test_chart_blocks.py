"""The chart image blocks and where they go (pure): limits kept, the text never pushed out."""

from __future__ import annotations

from bot.playground.slack_rules import check_blocks
from bot.services.chart_files import CachedChart
from bot.slack.charts import has_image, image_block, with_block

CHART = CachedChart(file_id="F0123456789", alt_text="x" * 2500, title="t" * 2500)


def test_the_image_block_is_one_slack_accepts_with_alt_and_title_cut():
    block = image_block(CHART, block_id="home_trend_chart")
    assert block["slack_file"] == {"id": "F0123456789"}
    assert len(block["alt_text"]) == 2000 and len(block["title"]["text"]) == 2000
    assert check_blocks([block], "home") == [] and check_blocks([block], "message") == []


def test_the_image_goes_after_its_anchor_or_at_the_end_and_never_past_the_limit():
    blocks = [{"type": "divider", "block_id": f"b{i}"} for i in range(3)]
    image = image_block(CHART, block_id="img")
    assert [b["block_id"] for b in with_block(blocks, image, limit=50, after="b0")] == ["b0", "img", "b1", "b2"]
    assert [b["block_id"] for b in with_block(blocks, image, limit=50)] == ["b0", "b1", "b2", "img"]
    assert with_block(blocks, image, limit=50, after="nowhere")[-1] is image
    assert with_block(blocks, image, limit=3) == blocks  # a full surface keeps its text
    assert has_image(with_block(blocks, image, limit=50)) and not has_image(blocks)
