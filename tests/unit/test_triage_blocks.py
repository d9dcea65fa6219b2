"""The triage builders (pure): the bulk button follows the rows left, a replaced digest is one line."""

from __future__ import annotations

from datetime import date

from bot.domain.counts import PileCounts
from bot.domain.nudges import DigestOutcome
from bot.slack.ids import Block
from bot.slack.payloads import BulkWithdraw
from bot.slack.render import nudges


def rows(*ids: int) -> list[dict]:
    blocks = [{"type": "section", "block_id": Block.DIGEST_SUMMARY, "text": {"type": "mrkdwn", "text": "x"}},
              {"type": "section", "block_id": Block.DIGEST_BATCH, "text": {"type": "mrkdwn", "text": "x"}}]
    for i in ids:
        blocks.append({"type": "actions", "block_id": f"{Block.DIGEST_ROW}:{i}", "elements": []})
    return blocks + nudges.bulk_block(list(ids))


def bulk_ids(blocks: list[dict]) -> tuple[int, ...] | None:
    for b in blocks:
        if b.get("block_id") == Block.DIGEST_BULK:
            return BulkWithdraw.model_validate_json(b["elements"][0]["value"]).invite_ids
    return None


def test_the_bulk_button_carries_the_rows_left_and_goes_under_two():
    pile = PileCounts(pending=3, stale=3, max_withdrawals_per_day=20)
    blocks = nudges.refresh_counts(nudges.mark_row_done(rows(4, 5, 6), 5, "done"), pile)
    assert bulk_ids(blocks) == (4, 6)
    blocks = nudges.refresh_counts(nudges.mark_row_done(blocks, 4, "done"), pile)
    assert bulk_ids(blocks) is None


def test_after_a_bulk_click_the_note_takes_the_buttons_place():
    blocks = nudges.replace_bulk(nudges.mark_rows_done(rows(1, 2), {1: "a", 2: "b"}), "Marked 2")
    assert [b for b in blocks if b["type"] == "actions"] == []
    assert blocks[-1]["block_id"] == Block.DIGEST_DONE and "Marked 2" in blocks[-1]["elements"][0]["text"]


def test_the_bulk_note_warns_only_past_the_days_withdrawals():
    within = PileCounts(withdrawn_today=20, max_withdrawals_per_day=20)
    past = PileCounts(withdrawn_today=21, max_withdrawals_per_day=20)
    assert ":warning:" not in nudges.bulk_note(3, [], within)
    assert "21 withdrawals today, past your 20 a day" in nudges.bulk_note(3, [], past)


def test_a_replaced_digest_is_one_line_of_what_happened_without_buttons():
    outcome = DigestOutcome(withdrawn=3, accepted=1, left=2)
    assert outcome.line() == "3 withdrawn, 1 accepted, 2 left for today's digest"
    assert DigestOutcome().line() == "nothing left to act on"
    reply = nudges.replaced_digest(date(2026, 11, 18), outcome)
    assert reply["text"] == "Your Nov 18 digest: 3 withdrawn, 1 accepted, 2 left for today's digest."
    assert [b["type"] for b in reply["blocks"]] == ["context"]


def test_a_digest_sent_before_the_ledger_kept_its_invites_is_only_said_to_be_replaced():
    assert nudges.replaced_digest(date(2026, 11, 18), None)["text"] == "Your Nov 18 digest was replaced by today's."
