"""`/invited` through the real app: signed requests, replies as the user sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Invite, InviteEvent
from tests.support.factories import set_workspace


def count_invites(db, **where) -> int:
    with db.session(write=False) as s:
        stmt = select(func.count()).select_from(Invite)
        for key, value in where.items():
            stmt = stmt.where(getattr(Invite, key) == value)
        return s.scalar(stmt)


def test_logs_one_invite_and_confirms_ephemerally(slack, db):
    answer = slack.invited("https://www.linkedin.com/in/jane-doe")
    assert answer.status == 200
    assert answer.body["response_type"] == "ephemeral"
    assert "Logged 1 invite" in answer.text
    assert "jane-doe" in answer.text
    with db.session(write=False) as s:
        invite = s.scalars(select(Invite)).one()
        event = s.scalars(select(InviteEvent)).one()
    assert invite.prospect_key == "in:jane-doe"
    assert invite.status == "pending" and invite.source == "command"
    assert (event.from_status, event.to_status, event.via, event.actor) == (None, "pending", "command", "U1")


def test_same_person_in_another_url_form_is_a_duplicate(slack, db):
    slack.invited("https://www.linkedin.com/in/jane-doe")
    answer = slack.invited("http://uk.linkedin.com/in/Jane-Doe/?originalSubdomain=uk")
    assert "already pending" in answer.text
    assert "not logged twice" in answer.text
    assert count_invites(db) == 1


def test_several_urls_name_and_options(slack, db, clock):
    answer = slack.invited(
        "https://linkedin.com/in/a-one https://linkedin.com/in/b-two met at SaaStr --sent 3d --priority high --note"
    )
    assert "Logged 2 invites" in answer.text
    with db.session(write=False) as s:
        invites = s.scalars(select(Invite).order_by(Invite.id)).all()
    assert [i.prospect_key for i in invites] == ["in:a-one", "in:b-two"]
    assert all(i.priority == "high" and i.with_note for i in invites)
    assert all(i.sent_at == clock.now() - timedelta(days=3) for i in invites)
    assert all(i.notes == "met at SaaStr" for i in invites)


def test_name_and_company_without_url(slack, db):
    answer = slack.invited("Jane Doe, Acme Corp")
    assert "Logged 1 invite" in answer.text
    with db.session(write=False) as s:
        invite = s.scalars(select(Invite)).one()
    assert (invite.prospect_key, invite.name, invite.company) == ("name:jane doe", "Jane Doe", "Acme Corp")


def test_sent_date_is_read_in_the_members_zone(slack, db):
    slack.invited("https://linkedin.com/in/x-y --sent 2026-11-10")
    with db.session(write=False) as s:
        invite = s.scalars(select(Invite)).one()
    # U1 is in Europe/Berlin: noon there is 11:00 UTC in November.
    assert invite.sent_at.isoformat() == "2026-11-10T11:00:00+00:00"


def test_teammate_collision_is_warned_and_still_logged(slack, db):
    slack.invited("https://linkedin.com/in/jane-doe", user="U2")
    answer = slack.invited("https://linkedin.com/in/jane-doe", user="U1")
    assert "teammate is already on" in answer.text
    assert "Tom" in answer.text
    assert count_invites(db) == 2


def test_reinvite_inside_cooldown_warns_with_reopen_date(slack, db, clock):
    slack.invited("https://linkedin.com/in/jane-doe --sent 30d")
    clock.advance(timedelta(days=-0))
    assert "withdrawn" in slack.invites("withdrawn jane-doe").text
    clock.advance(timedelta(days=5))
    answer = slack.invited("https://linkedin.com/in/jane-doe")
    reopen = (clock.now() - timedelta(days=5) + timedelta(days=21)).astimezone().strftime("%b %-d")
    assert "LinkedIn blocks a new invite until" in answer.text
    assert reopen in answer.text
    assert count_invites(db, status="pending") == 1


def test_a_reinvite_inside_the_cooldown_is_a_warning_not_a_tick(slack, db, clock):
    slack.invited("https://linkedin.com/in/jane-doe --sent 30d")
    slack.invites("withdrawn jane-doe")
    clock.advance(timedelta(days=5))
    answer = slack.invited("https://linkedin.com/in/jane-doe")
    first = answer.body["blocks"][0]["text"]["text"]
    assert first.startswith(":warning: Logged 1 invite") and ":white_check_mark:" not in first
    assert ":warning: You withdrew" in first and "LinkedIn blocks a new invite until" in first
    # Mixed: the fresh one is a tick, the re-invite is still flagged on its own line.
    clock.advance(timedelta(days=1))
    slack.invited("https://linkedin.com/in/ann-lee --sent 30d")
    slack.invites("withdrawn ann-lee")
    mixed = slack.invited("https://linkedin.com/in/ann-lee https://linkedin.com/in/new-one").body
    text = mixed["blocks"][0]["text"]["text"]
    assert text.startswith(":white_check_mark: Logged 2 invites") and ":warning: You withdrew" in text


def test_counts_of_one_are_singular(slack, db):
    slack.invites("help")  # the workspace's row, so its settings can be set
    set_workspace(db, safe_weekly_free=1, pending_warn_at=1, pending_limit=5)
    answer = slack.invited("https://linkedin.com/in/only-one")
    assert "1 invite in the last 7 days: at or past the safe limit of 1" in answer.text
    assert "1 invite pending (warning level 1)" in answer.text


def test_weekly_pace_near_and_at_the_tier_limit(slack, db):
    urls = " ".join(f"https://linkedin.com/in/p{i}" for i in range(63))
    assert "near the safe limit of 80" not in slack.invited(urls).text
    answer = slack.invited("https://linkedin.com/in/p63")
    assert "64 invites in the last 7 days, near the safe limit of 80" in answer.text
    more = " ".join(f"https://linkedin.com/in/q{i}" for i in range(16))
    answer = slack.invited(more)
    assert "80 invites in the last 7 days: at or past the safe limit of 80" in answer.text


def test_pending_pile_warning(slack, db):
    urls = " ".join(f"https://linkedin.com/in/p{i}" for i in range(100))
    slack.invited(urls + " --sent 20d")
    slack.invited(" ".join(f"https://linkedin.com/in/r{i}" for i in range(99)) + " --sent 20d")
    answer = slack.invited("https://linkedin.com/in/last-one --sent 10d")
    assert "200 invites pending (warning level 200)" in answer.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/in/jane", "isn't a LinkedIn profile link"),
        ("https://linkedin.com/in/jane --sent tomorrow", "is not a date"),
        ("https://linkedin.com/in/jane --sent 2099-01-01", "is in the future"),
        ("https://linkedin.com/in/jane --priority urgent", "use high, normal or low"),
        ("https://linkedin.com/in/jane --bogus", "Unknown option `--bogus`"),
        ("https://linkedin.com/company/acme", "isn't a LinkedIn profile link"),
    ],
)
def test_bad_input_gets_a_specific_error_and_the_usage_line(slack, db, text, expected):
    answer = slack.invited(text)
    assert answer.status == 200
    assert expected in answer.text
    assert "Usage:" in answer.text
    assert count_invites(db) == 0


def test_odd_text_reaches_the_handler_and_is_kept(slack, db):
    name = 'Zoë "Z" O\'Brien & <Partners> 🚀'
    answer = slack.invited(f"https://linkedin.com/in/zoe-obrien {name}")
    assert "Logged 1 invite" in answer.text
    assert "&lt;Partners&gt;" in answer.text  # escaped in mrkdwn, never a Slack link/mention
    with db.session(write=False) as s:
        assert s.scalars(select(Invite.name)).one() == name


def test_newlines_and_long_text(slack, db):
    answer = slack.invited("https://linkedin.com/in/a-a\nhttps://linkedin.com/in/b-b\n" + "x" * 3000)
    assert "Logged 2 invites" in answer.text
    assert count_invites(db) == 2


def test_slack_link_formatting_and_em_dash_options(slack, db):
    answer = slack.invited("<https://www.linkedin.com/in/jane-doe|linkedin.com/in/jane-doe> —priority high")
    assert "Logged 1 invite" in answer.text
    with db.session(write=False) as s:
        assert s.scalars(select(Invite.priority)).one() == "high"
