"""The CSV export on SQLite and PostgreSQL: columns, order, escaping, team scope, streaming."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from bot.db.models import Invite
from bot.services import exporting
from bot.services.exporting import COLUMNS, TEAM_COLUMNS, export_rows, safe_cell, write_csv
from tests.support.factories import make_invites, make_member

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def read_back(db, **kwargs) -> list[list[str]]:
    out = io.StringIO(newline="")
    write_csv(export_rows(db, **kwargs), out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_a_members_invites_one_row_each_oldest_first(db):
    dana = make_member(db, "U1", now=NOW)
    tom = make_member(db, "U2", now=NOW)
    make_invites(db, dana, [
        {"key": "in:jane-doe", "url": "https://www.linkedin.com/in/jane-doe", "name": "Jane, \"JD\" Doe",
         "days_ago": 3, "priority": "high", "with_note": True},
        {"key": "name:li lei", "name": "Li\nLei", "days_ago": 10, "status": "accepted", "changed_days_ago": 4},
    ], now=NOW)
    make_invites(db, tom, [{"key": "in:someone", "days_ago": 1}], now=NOW)
    with db.session() as s:
        s.execute(update(Invite).where(Invite.prospect_key == "in:jane-doe").values(company="Acme, Inc."))
    rows = read_back(db, team_id="T1", user_id="U1")
    assert rows[0] == list(COLUMNS) == [
        "prospect", "url", "name", "company", "status", "priority", "with_note", "sent_at", "status_changed_at",
        "source", "comment",
    ]
    assert rows[1:] == [
        ["name:li lei", "", "Li\nLei", "", "accepted", "normal", "no", "2026-11-08T10:00:00Z",
         "2026-11-14T10:00:00Z", "import", ""],
        ["in:jane-doe", "https://www.linkedin.com/in/jane-doe", 'Jane, "JD" Doe', "Acme, Inc.", "pending", "high",
         "yes", "2026-11-15T10:00:00Z", "2026-11-15T10:00:00Z", "import", ""],
    ]


def test_the_team_export_adds_the_user_and_stays_in_the_team(db):
    dana = make_member(db, "U1", now=NOW)
    tom = make_member(db, "U2", now=NOW)
    stranger = make_member(db, "U9", team_id="T2", now=NOW)
    make_invites(db, dana, [{"key": "in:a", "days_ago": 2}], now=NOW)
    make_invites(db, tom, [{"key": "in:b", "days_ago": 1}], now=NOW)
    make_invites(db, stranger, [{"key": "in:c", "days_ago": 1}], now=NOW)
    rows = read_back(db, team_id="T1")
    assert rows[0] == list(TEAM_COLUMNS) and rows[0][-1] == "user"
    assert [(r[0], r[-1]) for r in rows[1:]] == [("in:a", "U1"), ("in:b", "U2")]
    assert read_back(db, team_id="T1", user_id="UNOBODY") == [list(COLUMNS)]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Jane = Doe", "Jane = Doe"),
        ("", ""),
    ],
)
def test_formula_cells_are_escaped(value, cell):
    assert safe_cell(value) == cell


def test_formula_names_and_companies_are_escaped_in_the_file(db):
    dana = make_member(db, "U1", now=NOW)
    make_invites(db, dana, [{"key": "name:=cmd", "name": "=cmd|' /C calc'!A0", "days_ago": 1}], now=NOW)
    with db.session() as s:
        s.execute(update(Invite).values(company="@evil"))
    row = read_back(db, team_id="T1", user_id="U1")[1]
    assert (row[2], row[3]) == ("'=cmd|' /C calc'!A0", "'@evil")


def test_rows_stream_in_batches(db, monkeypatch):
    monkeypatch.setattr(exporting, "BATCH", 7)
    dana = make_member(db, "U1", now=NOW)
    make_invites(db, dana, [{"key": f"in:p{i}", "days_ago": i % 300 + 1} for i in range(250)], now=NOW)
    rows = export_rows(db, team_id="T1", user_id="U1")
    assert next(rows) == COLUMNS  # a generator: nothing is read until asked for
    assert sum(1 for _ in rows) == 250
    out = io.StringIO()
    assert write_csv(export_rows(db, team_id="T1"), out) == 250
    assert out.getvalue().count("\r\n") == 251
