"""The playground's ways to log in one tap, in a real browser (headless Chromium, driven by Playwright).

A DM holding pasted profile URLs (the threaded reply and its Undo), the message shortcut on a channel
message (the Log invites modal filled in), and the "Run workflow step" form (the step completing with
its outputs, then failing on a duplicate, then `/invites undo` reverting it). Screenshots of each step
go to test-output/playground-capture/ so a person can look at what the page showed.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_playground_browser import browser_page, playground_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "playground-capture"
DM_URLS = ("https://www.linkedin.com/in/dm-one-capture", "https://uk.linkedin.com/in/dm-two-capture/?trk=share")
CHANNEL_URL = "https://www.linkedin.com/in/channel-capture"
STEP_URL = "https://www.linkedin.com/in/workflow-capture"


def test_dm_logging_message_shortcut_and_workflow_step(playground_url: str):  # noqa: F811 - the shared fixture
    with browser_page(SHOTS, height=900) as (page, expect):
        page.goto(playground_url)
        page.select_option("#user-select", "U0PRIYA")
        expect(page.locator("#user-info")).to_contain_text("Asia/Kolkata")

        # 1. Priya pastes two profile URLs in the app's DM: the reply is in the message's thread.
        page.click("#nav-app")
        page.click("#tab-messages")
        page.fill("#composer-input", f"sent these today {DM_URLS[0]} {DM_URLS[1]}")
        page.press("#composer-input", "Enter")
        reply = page.locator(".msg-reply", has_text="Logged 2 invites").last
        expect(reply).to_contain_text("Dm One Capture")
        expect(reply).to_contain_text("Dm Two Capture")
        expect(reply).to_contain_text("in thread")
        expect(reply.get_by_role("button", name="Undo")).to_be_visible()
        page.screenshot(path=SHOTS / "01-dm-logged-in-thread.png")

        # 2. Its Undo reverts the whole message, in place.
        reply.get_by_role("button", name="Undo").click()
        reply = page.locator(".msg-reply").last  # the same message, its text replaced
        expect(reply).to_contain_text("Undone")
        expect(reply).to_contain_text("removed")
        expect(reply.get_by_role("button", name="Undo")).to_have_count(0)
        page.screenshot(path=SHOTS / "02-dm-undone.png")

        # 3. A DM without a profile URL still gets the short help.
        page.fill("#composer-input", "what can you do?")
        page.press("#composer-input", "Enter")
        expect(page.locator(".msg:has(.avatar-app)", has_text="Paste or share LinkedIn profile URLs here").last).to_be_visible()

        # 4. In #sales-team, the message shortcut on a message holding a profile: the modal, filled in.
        page.click("#nav-channel")
        page.fill("#composer-input", f"Great chat with {CHANNEL_URL} at the meetup")
        page.press("#composer-input", "Enter")
        message = page.locator(".msg:not(.msg-ephemeral)", has_text="at the meetup").last
        expect(message).to_be_visible()
        message.hover()
        message.locator("[data-message-shortcut]").click()
        modal = page.locator("form.modal", has_text="Log invites")
        expect(modal).to_be_visible()
        expect(modal).to_contain_text("1 LinkedIn profile found in the message")
        expect(modal.locator("textarea").first).to_have_value(CHANNEL_URL)
        page.screenshot(path=SHOTS / "03-message-shortcut-modal.png")
        modal.locator("[data-modal-submit]").click()
        expect(modal).to_have_count(0)
        expect(page.locator(".msg-ephemeral", has_text="Logged 1 invite").filter(
            has_text="Channel Capture").last).to_be_visible()
        page.screenshot(path=SHOTS / "04-message-shortcut-logged.png")

        # 5. The "Run workflow step" form: the step logs the invite and completes with its outputs.
        page.click("#workflow-details summary")
        page.fill("#wf-url", STEP_URL)
        page.select_option("#wf-priority", "high")
        page.check("#wf-note")
        page.fill("#wf-comment", "from the form")
        with page.expect_response(lambda r: "/play/workflow" in r.url):
            page.click("#wf-run")
        done = page.locator(".msg-ephemeral", has_text="completed").filter(has_text="in:workflow-capture").last
        expect(done).to_contain_text("invite_id")
        expect(done).to_contain_text("No warnings.")
        expect(page.locator("#status")).to_contain_text("The step completed")
        page.screenshot(path=SHOTS / "05-workflow-step-completed.png")

        # 6. The same invite again: the step fails with a clear error (never left hanging).
        with page.expect_response(lambda r: "/play/workflow" in r.url):
            page.click("#wf-run")
        failed = page.locator(".msg-ephemeral", has_text="failed").last
        expect(failed).to_contain_text("already pending")
        expect(failed).to_contain_text("not logged twice")
        page.screenshot(path=SHOTS / "06-workflow-step-duplicate.png")

        # 7. `/invites undo` reverts the workflow's log as one change.
        page.fill("#composer-input", "/invites undo")
        page.press("#composer-input", "Enter")
        undone = page.locator(".msg-ephemeral").filter(has_text="/invites undo").last
        expect(undone).to_contain_text(re.compile("removed .*Workflow Capture"))
        page.screenshot(path=SHOTS / "07-workflow-undone.png")
