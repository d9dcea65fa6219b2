"""Triage in the playground, in a real browser (Debian's headless Chromium, driven by Playwright), with
screenshots: the digest's and Home's "Withdrew all N" (Slack's confirm dialog), and yesterday's digest
collapsing to a one-line summary when today's arrives (issue 15 items 4 and 5).

Screenshots of each step go to test-output/playground-triage/ so a person can look at what the page showed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import browser_page
from tests.e2e.test_playground_browser import playground_url as playground_url  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "playground-triage"
URLS = " ".join(f"https://www.linkedin.com/in/triage-{name}" for name in ("ann", "bob", "cy"))
LATER = " ".join(f"https://www.linkedin.com/in/home-{name}" for name in ("dee", "eve"))


def _next_nine_with(page, locator, count: int) -> None:
    """Move the clock to the next 09:00 until `locator` matches `count` messages (weekends get no digest)."""
    for _ in range(4):
        with page.expect_response(lambda r: "/play/clock" in r.url):
            page.click("#clock-nine")
        page.wait_for_timeout(300)
        if locator.count() >= count:
            return
    raise AssertionError(f"no digest number {count} within four working-day mornings")


def test_withdrew_all_and_yesterdays_digest_collapsing(playground_url: str):  # noqa: F811 - the fixture
    dialogs: list[str] = []

    def confirm(dialog) -> None:  # Slack's confirm dialog: read it, then say yes, as a person would
        dialogs.append(dialog.message)
        dialog.accept()

    with browser_page(SHOTS, height=900, on_dialog=confirm) as (page, expect):

        # 1. Tom logs three invites he sent 15 days ago.
        page.goto(playground_url)
        page.select_option("#user-select", "U0TOM")
        page.fill("#composer-input", f"/invited {URLS} --sent 15d")
        page.press("#composer-input", "Enter")
        expect(page.locator(".msg-ephemeral", has_text="Logged 3 invites").last).to_be_visible()

        # 2. The next working-day 09:00: the digest, its three rows and one "Withdrew all 3".
        page.click("#nav-app")
        page.click("#tab-messages")
        digests = page.locator(".msg", has_text="Your LinkedIn invites today")
        _next_nine_with(page, digests, 1)
        first = digests.last
        expect(first.get_by_role("button", name="Withdrew all 3")).to_be_visible()
        page.screenshot(path=SHOTS / "01-digest-with-withdrew-all.png")

        # 3. One row by hand: the bulk button now names the two rows left.
        first.get_by_role("button", name="Withdrawn").first.click()
        expect(first).to_contain_text("marked withdrawn")
        expect(first.get_by_role("button", name="Withdrew all 2")).to_be_visible()
        page.screenshot(path=SHOTS / "02-one-row-withdrawn.png")

        # 4. The next morning's digest arrives; yesterday's collapses to what happened, without buttons.
        collapsed = page.locator(".msg", has_text="1 withdrawn, 2 left for today's digest")
        _next_nine_with(page, collapsed, 1)
        expect(collapsed.first).to_contain_text("(edited)")
        expect(collapsed.first.get_by_role("button")).to_have_count(0)
        today = digests.last
        expect(today.get_by_role("button", name="Withdrew all 2")).to_be_visible()
        page.screenshot(path=SHOTS / "03-yesterday-collapsed.png")

        # 5. "Withdrew all 2": the confirm names 2 and says to spread withdrawals over days; the DM updates in place.
        today.get_by_role("button", name="Withdrew all 2").click()
        expect(today).to_contain_text("Marked 2 invites withdrawn")
        assert any("2 invites" in d and "over days" in d for d in dialogs), dialogs
        expect(today.get_by_role("button", name="Withdrawn")).to_have_count(0)
        expect(today).to_contain_text("(edited)")
        page.screenshot(path=SHOTS / "04-withdrew-all.png")

        # 6. App Home's stale list has the same button; a click publishes Home again without it.
        page.click("#nav-channel")
        page.fill("#composer-input", f"/invited {LATER} --sent 20d")
        page.press("#composer-input", "Enter")
        expect(page.locator(".msg-ephemeral", has_text="Logged 2 invites").last).to_be_visible()
        page.click("#nav-app")
        page.click("#tab-home")
        home = page.locator("#pane .home")
        expect(home.get_by_role("button", name="Withdrew all 2")).to_be_visible()
        page.screenshot(path=SHOTS / "05-home-withdrew-all.png")
        home.get_by_role("button", name="Withdrew all 2").click()
        expect(home.get_by_role("button", name="Withdrew all 2")).to_have_count(0)
        expect(home).to_contain_text("0 pending")
        page.screenshot(path=SHOTS / "06-home-after.png")

        # 7. Undo reverts the whole click as one change.
        page.click("#tab-messages")
        page.fill("#composer-input", "/invites undo")
        page.press("#composer-input", "Enter")
        undone = page.locator(".msg-ephemeral", has_text="Undone").last
        expect(undone).to_contain_text("Home Dee")
        expect(undone).to_contain_text("Home Eve")
        page.screenshot(path=SHOTS / "07-undo.png")
    if not dialogs:
        pytest.fail("no confirm dialog was shown for Withdrew all")
