"""`/invites` through the real app: every subcommand, refusals and buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Invite, InviteEvent, Member


def statuses(db) -> dict[str, str]:
    with db.session(write=False) as s:
        return dict(s.execute(select(Invite.prospect_key, Invite.status)).all())


def test_no_text_gives_summary_and_command_list(slack):
    slack.invited("https://linkedin.com/in/a-a")
    answer = slack.invites("")
    assert "Pending:* 1" in answer.text
    assert "/invites list" in answer.visible and "/invited <linkedin url>" in answer.visible


def test_help(slack):
    answer = slack.invites("help")
    assert "/invites undo" in answer.text and "/invites stats" in answer.text


def test_unknown_subcommand_is_named_with_usage(slack):
    answer = slack.invites("frobnicate now")
    assert "I don't know `frobnicate`" in answer.text
    assert "Usage:" in answer.text


def test_list_pending_newest_first_and_paged(slack):
    slack.invited(" ".join(f"https://linkedin.com/in/p{i} --sent {i}d" for i in range(1)))
    for i in range(20):
        slack.invited(f"https://linkedin.com/in/p{i} --sent {i + 1}d")
    answer = slack.invites("list")
    assert "Your pending invites* (20) — page 1 of 2" in answer.text
    assert answer.text.index("p0") < answer.text.index("p1|") if "p1|" in answer.text else True
    older = next(b for b in answer.buttons if "Older" in b["text"]["text"])
    page2 = slack.click(older)
    assert page2["replace_original"] is True
    assert "page 2 of 2" in page2["text"] + str(page2["blocks"])


def test_list_stale_uses_threshold_and_high_priority_waits_twice(slack):
    slack.invited("https://linkedin.com/in/old-normal --sent 15d")
    slack.invited("https://linkedin.com/in/old-high --sent 15d --priority high")
    slack.invited("https://linkedin.com/in/fresh --sent 2d")
    answer = slack.invites("list stale")
    assert "old-normal" in answer.text
    assert "old-high" not in answer.text and "fresh" not in answer.text


def test_list_bad_filter(slack):
    answer = slack.invites("list sideways")
    assert "`list sideways`" in answer.text and "Usage:" in answer.text


@pytest.mark.parametrize("ref", ["https://www.linkedin.com/in/Jane-Doe/", "jane-doe", "#1", "Jane Doe"])
def test_record_outcome_by_url_slug_id_or_name(slack, db, ref):
    slack.invited("https://linkedin.com/in/jane-doe Jane Doe")
    answer = slack.invites(f"accepted {ref}")
    assert "Marked `#1`" in answer.text and "accepted" in answer.text
    assert statuses(db) == {"in:jane-doe": "accepted"}
    with db.session(write=False) as s:
        events = s.execute(select(InviteEvent.from_status, InviteEvent.to_status, InviteEvent.via)).all()
    assert ("pending", "accepted", "command") in events


def test_outcome_on_final_invite_says_already_done(slack, db):
    slack.invited("https://linkedin.com/in/jane-doe")
    slack.invites("declined #1")
    answer = slack.invites("accepted #1")
    assert "already declined" in answer.text
    assert statuses(db) == {"in:jane-doe": "declined"}


def test_ambiguous_name_offers_buttons_and_a_click_records(slack, db):
    slack.invited("https://linkedin.com/in/jane-a Jane Smith, Acme")
    slack.invited("https://linkedin.com/in/jane-b Jane Miller, Globex")
    answer = slack.invites("withdrawn jane")
    assert "matches 2 of your pending invites" in answer.text
    assert len(answer.buttons) == 2
    picked = next(b for b in answer.buttons if "Globex" in b["text"]["text"])
    update = slack.click(picked)
    assert "withdrawn" in update["text"]
    assert statuses(db) == {"in:jane-a": "pending", "in:jane-b": "withdrawn"}
    again = slack.click(picked)
    assert "already withdrawn" in again["text"]
    with db.session(write=False) as s:
        assert s.scalar(select(InviteEvent.via).where(InviteEvent.to_status == "withdrawn")) == "button"


def test_member_cannot_change_another_members_invite(slack, db):
    slack.invited("https://linkedin.com/in/jane-doe", user="U2")
    assert "You have no invite #1" in slack.invites("accepted #1", user="U1").text
    assert "None of your invites matches" in slack.invites("accepted jane-doe", user="U1").text
    forged = {"action_id": "pick_outcome:0", "value": '{"invite_id": 1, "outcome": "accepted"}'}
    assert "You have no invite #1" in slack.click(forged, user="U1")["text"]
    assert statuses(db) == {"in:jane-doe": "pending"}


def test_forged_or_broken_button_value_is_refused(slack, db):
    slack.invited("https://linkedin.com/in/jane-doe")
    broken = {"action_id": "pick_outcome:0", "value": '{"invite_id": "1; DROP TABLE", "outcome": "x"}'}
    assert "out of date or damaged" in slack.click(broken)["text"]
    assert statuses(db) == {"in:jane-doe": "pending"}


def test_undo_reverts_last_outcome_then_last_log(slack, db):
    slack.invited("https://linkedin.com/in/a-a https://linkedin.com/in/b-b")
    slack.invites("accepted a-a")
    assert "pending again (was accepted)" in slack.invites("undo").text
    assert statuses(db) == {"in:a-a": "pending", "in:b-b": "pending"}
    answer = slack.invites("undo")
    assert "removed `#1`" in answer.text and "removed `#2`" in answer.text
    assert statuses(db) == {}
    assert "nothing of yours to undo" in slack.invites("undo").text


def test_undo_only_touches_own_changes(slack, db):
    slack.invited("https://linkedin.com/in/a-a", user="U2")
    assert "nothing of yours to undo" in slack.invites("undo", user="U1").text
    assert statuses(db) == {"in:a-a": "pending"}


def test_stats_counts_rate_flag_median_and_note_split(slack, clock):
    # 4 decided with a note (3 accepted), 4 decided without (0 accepted): 3/8 overall.
    for i in range(4):
        slack.invited(f"https://linkedin.com/in/n{i} --sent 20d --note")
    for i in range(4):
        slack.invited(f"https://linkedin.com/in/w{i} --sent 20d")
    clock.advance(timedelta(days=0))
    for i in range(3):
        slack.invites(f"accepted n{i}")
    for i in range(2):
        slack.invites(f"declined w{i}")
    slack.invited("https://linkedin.com/in/fresh --sent 1d")
    answer = slack.invites("stats 30d")
    assert "Acceptance rate: 38% (n = 8)" in answer.text  # 2 stale pending count as not accepted
    assert "Median time to acceptance: 20.0 days" in answer.text
    assert "With a note: 75% of 4 · without: 0% of 4" in answer.text
    assert "Sent in the last 7 days: 1 of a safe 80" in answer.text
    low = slack.invites("stats 7d")
    assert "not enough decided invites yet" in low.text


def test_stats_low_rate_is_flagged(slack):
    for i in range(5):
        slack.invited(f"https://linkedin.com/in/x{i} --sent 20d")
    slack.invites("declined x0")
    assert "below 30%" in slack.invites("stats").text


def test_stats_bad_period(slack):
    answer = slack.invites("stats 45d")
    assert "`45d` is not a period" in answer.text and "Usage:" in answer.text


def test_tier_changes_the_safe_limit(slack, db):
    answer = slack.invites("tier sales_navigator")
    assert "Sales Navigator" in answer.text and "150" in answer.text
    with db.session(write=False) as s:
        assert s.scalar(select(Member.account_tier)) == "sales_navigator"
    assert "not an account tier" in slack.invites("tier gold").text


def test_pause_resume_snooze(slack, db):
    paused = slack.invites("pause").text
    assert "Paused: no daily digest" in paused and "You'll still get a DM if your pending invites" in paused
    with db.session(write=False) as s:
        assert s.scalar(select(Member.nudges_enabled)) is False
    assert "Resumed" in slack.invites("resume").text
    assert "Snoozed" in slack.invites("snooze 3d").text
    with db.session(write=False) as s:
        assert s.scalar(select(Member.snoozed_until)) is not None
    assert "Snooze for how long" in slack.invites("snooze forever").text


def test_member_profile_is_fetched_once_and_zone_used(slack, db, fake_slack):
    slack.invites("help")
    slack.invites("help")
    assert len(fake_slack.of("users.info")) == 1
    with db.session(write=False) as s:
        member = s.scalars(select(Member)).one()
    assert (member.tz, member.display_name) == ("Europe/Berlin", "Dana")


def test_unknown_user_profile_falls_back_to_workspace_zone(slack, db, fake_slack):
    answer = slack.invited("https://linkedin.com/in/a-a", user="UNKNOWN")
    assert "Logged 1 invite" in answer.text


def test_stats_name_the_best_sending_weekday_only_with_enough_data(slack, clock):
    # 2026-11-18 is a Wednesday: 21 and 28 days back are Wednesdays, 22 and 29 Tuesdays.
    for i in range(10):
        slack.invited(f"https://linkedin.com/in/wed{i} --sent {21 + 7 * (i % 2)}d")
        slack.invited(f"https://linkedin.com/in/tue{i} --sent {22 + 7 * (i % 2)}d")
    for i in range(6):
        slack.invites(f"accepted wed{i}")
    for i in range(2):
        slack.invites(f"accepted tue{i}")
    answer = slack.invites("stats 90d")
    assert "Best sending day: *Wednesday* — 60% (n=10)" in answer.text
    assert "Best sending day" not in slack.invites("stats 7d").text  # nothing sent in the last 7 days
