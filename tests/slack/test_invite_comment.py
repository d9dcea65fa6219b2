"""Free text after `/invited`: a person's name, else the invite's comment, shown wherever the invite is."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db.models import Invite
from bot.services.sweep import run_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.conftest import NOW
from tests.slack.test_command_names import everything
from tests.slack.test_files import uploaded_csv
from tests.slack.test_home import open_home, published
from tests.support.factories import make_member
from tests.support.harness import visible

SAM = "https://www.linkedin.com/in/sam-nolan"


def stored(db) -> list[Invite]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Invite).order_by(Invite.id)))


def test_text_that_is_not_a_name_is_the_comment_and_the_slug_is_the_person(slack, db):
    answer = slack.invited(f"{SAM} met at SaaStr --note")
    assert "Logged 1 invite" in answer.visible
    assert "Sam Nolan" in answer.visible and "met at SaaStr" in answer.visible
    (invite,) = stored(db)
    assert (invite.name, invite.notes, invite.with_note) == (None, "met at SaaStr", True)
    listed = slack.invites("list").visible
    assert "Sam Nolan" in listed and "met at SaaStr" in listed


def test_a_name_and_company_stay_a_name_and_company(slack, db):
    slack.invited("https://www.linkedin.com/in/jane-doe-4b1a2c Jane Doe, Acme")
    (invite,) = stored(db)
    assert (invite.name, invite.company, invite.notes) == ("Jane Doe", "Acme", None)


def test_without_a_name_the_slug_is_made_readable(slack):
    answer = slack.invited("https://www.linkedin.com/in/jane-doe-4b1a2c")
    assert "Jane Doe" in answer.visible


def test_text_without_letters_is_refused_with_the_usage_line(slack, db):
    for text in (";;; !!", f"{SAM} ;;; !!"):
        answer = slack.invited(text)
        assert "Usage: `/invited" in answer.visible, text
        assert "no letters" in answer.visible, text
    assert stored(db) == []


def test_a_comment_alone_is_not_logged_as_a_person(slack, db):
    answer = slack.invited("met at SaaStr")
    assert "Usage: `/invited" in answer.visible and "name" in answer.visible
    assert stored(db) == []


def test_the_comment_is_in_the_export(slack, db, fake_slack):
    slack.invited(f"{SAM} met at SaaStr")
    slack.invites("export")
    rows, _ = uploaded_csv(fake_slack)
    header, row = rows
    assert "comment" in header and row[header.index("comment")] == "met at SaaStr"
    assert row[header.index("name")] == ""


def test_the_comment_is_in_the_digest_and_home(slack, db, settings, fake_slack):
    make_member(db, "U1", tz="UTC", now=NOW)
    slack.invited(f"{SAM} met at SaaStr --sent 30d")
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(NOW))
    run_cycle(db, now=NOW, send=send)
    digest = visible(everything(fake_slack.wait_for("chat.postMessage")[0].params))
    assert "Sam Nolan" in digest and "met at SaaStr" in digest
    open_home(slack)
    home = visible(everything({"view": published(fake_slack)}))
    assert "Sam Nolan" in home and "met at SaaStr" in home
