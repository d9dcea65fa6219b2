"""`/invites list` and `/invites find <text>`: each pending row has its outcome buttons, updated in place."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Invite, InviteEvent
from tests.support.harness import visible


def statuses(db) -> dict[str, str]:
    with db.session(write=False) as s:
        return dict(s.execute(select(Invite.prospect_key, Invite.status)).all())


def row_buttons(answer_or_reply, label: str) -> list[dict]:
    blocks = answer_or_reply["blocks"] if isinstance(answer_or_reply, dict) else answer_or_reply.body["blocks"]
    return [e for b in blocks if b["type"] == "actions" and b["block_id"].startswith("list_row:")
            for e in b["elements"] if e["text"]["text"] == label]


def shown(reply: dict) -> str:
    parts = [reply.get("text", "")]
    for block in reply["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return visible("\n".join(parts)).replace("`", "").replace("*", "")


def test_each_pending_row_of_list_has_its_outcome_buttons(slack):
    slack.invited("https://linkedin.com/in/ann-a Ann A")
    slack.invited("https://linkedin.com/in/bob-b Bob B")
    slack.invites("accepted #2")
    answer = slack.invites("list all")
    assert len(row_buttons(answer, "Withdrawn")) == 1  # Bob is accepted: no buttons on his row
    assert len(row_buttons(answer, "Accepted")) == 1 and len(row_buttons(answer, "Declined")) == 1


def test_a_row_button_records_and_updates_the_list_in_place(slack, db):
    slack.invited("https://linkedin.com/in/ann-a Ann A")
    slack.invited("https://linkedin.com/in/bob-b Bob B")
    answer = slack.invites("list")
    ann = next(b for b in row_buttons(answer, "Withdrawn") if '"invite_id":1' in b["value"])
    reply = slack.click(ann)
    assert reply["replace_original"] is True
    text = shown(reply)
    assert "Marked #1 Ann A withdrawn (was pending)" in text and "/invites undo" in text
    assert "Your pending invites (1)" in text and "Bob B" in text
    assert len(row_buttons(reply, "Withdrawn")) == 1
    assert statuses(db)["in:ann-a"] == "withdrawn"
    with db.session(write=False) as s:
        assert s.scalar(select(InviteEvent.via).where(InviteEvent.to_status == "withdrawn")) == "button"
    # The old list's button again (a double click): the invite's current state, said plainly.
    again = slack.click(ann)
    assert "already withdrawn" in again["text"] and again["response_type"] == "ephemeral"


def test_a_teammate_cannot_use_someone_elses_row_button(slack, db):
    slack.invited("https://linkedin.com/in/ann-a Ann A")
    answer = slack.invites("list")
    reply = slack.click(row_buttons(answer, "Accepted")[0], user="U2")
    assert "You have no invite" in reply["text"]
    assert statuses(db) == {"in:ann-a": "pending"}


def test_find_matches_name_company_slug_and_comment_in_any_case_and_script(slack):
    slack.invited("https://linkedin.com/in/zoe-muller Zoë Müller, Straße GmbH")
    slack.invited("https://linkedin.com/in/yamada-taro 山田 太郎")
    slack.invited("https://linkedin.com/in/jane-doe-4b1a2c met at SaaStr")
    slack.invited("https://linkedin.com/in/other-person Other Person")
    slack.invited("https://linkedin.com/in/zoe-teammate Zoë Teammate", user="U2")
    for text, expected in (("ZOË", "Zoë Müller"), ("strasse", None), ("STRASSE GMBH", "Zoë Müller"),
                           ("山田", "山田 太郎"), ("jane-doe", "Jane Doe"), ("jane doe", "Jane Doe"),
                           ("saastr", "Jane Doe"), ("müller", "Zoë Müller")):
        answer = slack.invites(f"find {text}")
        if expected is None:  # ß casefolds to ss: "strasse" finds Straße
            assert "Zoë Müller" in answer.visible, text
            continue
        assert expected in answer.visible, text
        assert "Other Person" not in answer.visible, text
        assert "Teammate" not in answer.visible, text  # only your own invites
    nothing = slack.invites("find nobody-here")
    assert "none" in nothing.visible


def test_find_takes_like_wildcards_literally_and_reads_rows_an_older_version_wrote(slack, db):
    from sqlalchemy import update

    from bot.db.models import Invite

    slack.invited("https://linkedin.com/in/pat-p Pat P, 100% Growth_Co")
    slack.invited("https://linkedin.com/in/quinn-q Quinn Q, 100 Growth Co")
    slack.invited("https://linkedin.com/in/old-row Old Row, Straße GmbH")
    with db.session() as s:  # written before search_folded existed (a rolling upgrade): NULL
        s.execute(update(Invite).where(Invite.prospect_key == "in:old-row").values(search_folded=None))
    percent = slack.invites("find 100%")
    assert "Pat P" in percent.visible and "Quinn Q" not in percent.visible
    underscore = slack.invites("find growth_co")
    assert "Pat P" in underscore.visible and "Quinn Q" not in underscore.visible
    old = slack.invites("find STRASSE")
    assert "Old Row" in old.visible and "(1)" in old.text
    with db.session(write=False) as s:
        stored = dict(s.execute(select(Invite.prospect_key, Invite.search_folded)).all())
    assert stored["in:pat-p"] == "pat p\n100% growth_co\npat-p\npat p"
    assert stored["in:old-row"] == "old row\nstrasse gmbh\nold-row\nold row"  # filled in by the find, once


def test_find_rows_have_buttons_and_a_click_shows_the_find_again(slack, db):
    slack.invited("https://linkedin.com/in/ann-a Ann A, Acme")
    slack.invited("https://linkedin.com/in/bob-b Bob B, Acme")
    slack.invited("https://linkedin.com/in/cy-c Cy C, Other")
    answer = slack.invites("find acme")
    assert "Your invites matching “acme”* (2)" in answer.text
    reply = slack.click(row_buttons(answer, "Accepted")[0])
    text = shown(reply)
    assert "matching “acme” (2)" in text and "accepted" in text and "Cy C" not in text
    assert len(row_buttons(reply, "Accepted")) == 1


def test_find_without_text_and_help_naming_it(slack):
    answer = slack.invites("find")
    assert "Find what?" in answer.text and "Usage:" in answer.text
    assert "/invites find" in slack.invites("help").visible
    assert "find" in slack.invites("nonsense").text
