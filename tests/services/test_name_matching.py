"""Matching an invite by (part of) its name, in any case and any script, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from sqlalchemy import select

from bot.db.models import Invite
from bot.domain.commands import InviteRef, parse_invited
from bot.domain.invites import Status
from bot.domain.prospect import fold
from bot.services.errors import Ambiguous, NotFound
from bot.services.importing import import_upload
from bot.services.invites import log_invites, record_outcome
from tests.conftest import NOW
from tests.support.factories import make_member
from tests.support.linkedin import DANA, INV_HEADER

# (stored name, what the member types): case differs beyond ASCII, in several scripts.
SPELLINGS = [
    ("Zoë Ünal", "zoë ünal"),
    ("Zoë Ünal", "ÜNAL"),
    ("ÇAĞLA Demir", "çağla"),
    ("Hans Straße", "STRASSE"),
    ("HANS STRASSE", "straße"),
    ("ΣΩΚΡΑΤΗΣ Παππάς", "σωκρατης"),
    ("Σωκράτης Παππάς", "ΠΑΠΠΆΣ"),
    ("Женя Иванова", "ЖЕНЯ ИВАНОВА"),
    (unicodedata.normalize("NFD", "Zoë Ünal"), "ZOË"),  # stored decomposed, typed composed
    ("Zoë Ünal", unicodedata.normalize("NFD", "zoë")),  # and the other way round
]


def log(db, actor, text: str):
    return log_invites(db, actor, parse_invited(text, today=date(2026, 11, 18)), now=NOW)


@pytest.mark.parametrize(("stored", "typed"), SPELLINGS)
def test_an_outcome_by_name_matches_in_any_case_and_script(db, stored, typed):
    dana = make_member(db, "U1", now=NOW)
    log(db, dana, f"https://www.linkedin.com/in/someone-1 {stored}")
    result = record_outcome(db, dana, InviteRef(text=typed), Status.ACCEPTED, now=NOW)
    assert result.invite.name == stored and result.previous is Status.PENDING


def test_several_matches_in_other_scripts_are_offered_as_candidates(db):
    dana = make_member(db, "U1", now=NOW)
    log(db, dana, "https://www.linkedin.com/in/zoe-1 Zoë Ünal")
    log(db, dana, "https://www.linkedin.com/in/zoe-2 ZOË ÜNAL-BRANDT")
    log(db, dana, "https://www.linkedin.com/in/zoe-3 Zoe Unal")  # no diaeresis: another name
    with pytest.raises(Ambiguous) as raised:
        record_outcome(db, dana, InviteRef(text="zoë ünal"), Status.ACCEPTED, now=NOW)
    assert sorted(c.label.split(" · ")[0] for c in raised.value.candidates) == ["ZOË ÜNAL-BRANDT", "Zoë Ünal"]


def test_like_wildcards_in_the_typed_name_are_literal(db):
    dana = make_member(db, "U1", now=NOW)
    log(db, dana, "https://www.linkedin.com/in/zoe-1 Zoë Ünal")
    for typed in ("z%l", "zo_ü", "%"):
        with pytest.raises(NotFound):
            record_outcome(db, dana, InviteRef(text=typed), Status.ACCEPTED, now=NOW)


def test_a_teammates_invite_is_not_matched(db):
    dana = make_member(db, "U1", now=NOW)
    tom = make_member(db, "U2", now=NOW)
    log(db, tom, "https://www.linkedin.com/in/zoe-1 Zoë Ünal")
    with pytest.raises(NotFound):
        record_outcome(db, dana, InviteRef(text="zoë"), Status.ACCEPTED, now=NOW)


def test_imported_invites_match_by_name_too(db):
    dana = make_member(db, "U1", now=NOW)
    csv = (INV_HEADER + f'Dana Reyes,Çağla Ünal-Straße,"11/10/26, 9:07 AM",,OUTGOING,{DANA},'
           "https://www.linkedin.com/in/cagla-u\n").encode()
    assert import_upload(db, dana, "Invitations.csv", csv, now=NOW).added == 1
    result = record_outcome(db, dana, InviteRef(text="ÇAĞLA ÜNAL-STRASSE"), Status.ACCEPTED, now=NOW)
    assert result.invite.name == "Çağla Ünal-Straße"


def test_every_write_path_stores_the_folded_name(db):
    dana = make_member(db, "U1", now=NOW)
    log(db, dana, "https://www.linkedin.com/in/a-1 Zoë ÜNAL")
    log(db, dana, "ΣΩΚΡΑΤΗΣ")  # by name alone
    csv = (INV_HEADER + f'Dana Reyes,Hans Straße,"11/10/26, 9:07 AM",,OUTGOING,{DANA},'
           "https://www.linkedin.com/in/hans-s\n").encode()
    import_upload(db, dana, "Invitations.csv", csv, now=NOW)
    with db.session(write=False) as s:
        rows = dict(s.execute(select(Invite.name, Invite.name_folded)).all())
    assert rows == {"Zoë ÜNAL": "zoë ünal", "ΣΩΚΡΑΤΗΣ": "σωκρατησ", "Hans Straße": "hans strasse"}


@pytest.mark.parametrize(("text", "folded"), [
    ("Zoë Ünal", "zoë ünal"),
    (unicodedata.normalize("NFD", "Zoë"), "zoë"),
    ("Straße", "strasse"),
    ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
    ("σίσυφος", "σίσυφοσ"),
    ("  Jane \t Doe ", "jane doe"),
    ("ǅemal", "ǆemal"),
    (None, None),
])
def test_fold_is_nfc_casefolded_with_collapsed_spaces(text, folded):
    assert fold(text) == folded
    if folded is not None:
        assert fold(folded) == folded and unicodedata.is_normalized("NFC", folded)
