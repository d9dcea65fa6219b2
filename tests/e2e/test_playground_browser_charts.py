"""Charts in the playground, in a real browser (Debian's headless Chromium, driven by Playwright), with
screenshots: the App Home trend, the `/invites stats` chart and the weekly digest's leaderboard are PNGs
the app uploaded (files_upload_v2) and the page shows as Slack would, from image blocks (issue 16 item 5).

Screenshots of each step go to test-output/playground-charts/ so a person can look at what the page showed.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_playground_browser import browser_page
from tests.e2e.test_playground_browser import playground_url as playground_url  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "playground-charts"


def _loaded(image) -> tuple[int, int]:
    """The picture's decoded size in the browser ((0, 0) when its bytes did not load as an image)."""
    return tuple(image.evaluate("img => [img.complete ? img.naturalWidth : 0, img.complete ? img.naturalHeight : 0]"))


def test_home_stats_and_digest_show_the_uploaded_charts(playground_url: str):  # noqa: F811 - the fixture
    with browser_page(SHOTS, height=1000, timeout_ms=30_000) as (page, expect):

        # 1. Three months of team history, as Tom.
        page.goto(playground_url)
        page.select_option("#user-select", "U0TOM")
        with page.expect_response(lambda r: "/play/seed" in r.url, timeout=90_000):
            page.click("#seed")
        expect(page.locator("#status")).to_contain_text("Seeded")

        # 2. App Home: the text at once, then the trend chart the app drew and uploaded.
        page.click("#nav-app")
        page.click("#tab-home")
        chart = page.locator("#pane img.bk-image-file").first
        expect(chart).to_be_visible()
        alt = chart.get_attribute("alt") or ""
        assert alt.startswith("Acceptance by week sent, last 8 weeks"), alt
        assert "(n=" in alt
        assert _loaded(chart) == (640, 280)
        expect(page.locator("#pane")).to_contain_text("Acceptance, last 8 weeks")  # the text stays
        chart.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "01-home-trend.png")

        # 3. `/invites stats` in the channel: the reply, and the chart (cached today: in the reply itself).
        page.click("#nav-channel")
        page.fill("#composer-input", "/invites stats")
        page.press("#composer-input", "Enter")
        reply = page.locator(".msg-ephemeral", has_text="Acceptance rate").last
        expect(reply).to_be_visible()
        stats_chart = page.locator(".msg-ephemeral img.bk-image-file").last
        expect(stats_chart).to_be_visible()
        assert (stats_chart.get_attribute("alt") or "").startswith("Acceptance by week sent")
        assert _loaded(stats_chart) == (640, 280)
        stats_chart.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "02-stats-trend.png")

        # 4. The weekly digest on Monday at 09:00 in #sales-team, with the 30-day leaderboard chart.
        digest = page.locator(".msg", has_text="Weekly invite digest")
        for _ in range(8):
            if digest.count():
                break
            with page.expect_response(lambda r: "/play/clock" in r.url):
                page.click("#clock-nine")
            page.wait_for_timeout(300)
        expect(digest.last).to_be_visible()
        board = digest.last.locator("img.bk-image-file")
        expect(board).to_be_visible()
        board_alt = board.get_attribute("alt") or ""
        assert board_alt.startswith("Leaderboard, the last 30 days: acceptance rate. 1. "), board_alt
        assert _loaded(board) == (640, 280)
        board.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "03-digest-leaderboard.png")

