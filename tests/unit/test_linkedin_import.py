"""The LinkedIn export parser: real-layout fixtures, table-driven edge cases, robustness."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.importing import linkedin
from bot.importing.linkedin import (
    ACCEPTED,
    MAX_FILE_BYTES,
    ConnectionRow,
    InvitationRow,
    ParsedExport,
    RejectedRow,
    UnsupportedFile,
    parse_connected_on,
    parse_connections_csv,
    parse_invitations_csv,
    parse_sent_at,
    parse_upload,
)
from tests.support.linkedin import CONN_HEADER, DANA, INV_HEADER, OLD_HEADER, ZIP_NAME, fixture, make_zip


def export_zip() -> bytes:
    return make_zip(
        {
            "Profile.csv": b"First Name,Last Name\nDana,Reyes\n",
            "Invitations.csv": fixture("Invitations.csv"),
            "Connections.csv": fixture("Connections.csv"),
            "messages.csv": b"CONVERSATION ID,FROM\n1,Dana\n",
        }
    )


# --------------------------------------------------------------------------------------------
# The fixtures, exactly


def test_invitations_fixture_current_layout():
    result = parse_upload("Invitations.csv", fixture("Invitations.csv"))
    assert result.files == ["Invitations.csv"]
    assert result.layouts == {"Invitations.csv": "invitations-7col"}
    assert result.rejected == [] and result.connections == [] and result.hidden_skipped == 0
    assert [(r.line, r.name, r.direction) for r in result.invitations] == [
        (2, "Priya Natarajan", "OUTGOING"),
        (3, "Tom Okafor", "INCOMING"),
        (4, "Zoë Brandt", "OUTGOING"),  # its message spans lines 4-6
        (7, "李雷", "OUTGOING"),
        (8, "José Martínez", "INCOMING"),
        (9, "Aiko Tanaka", "OUTGOING"),
    ]
    assert len(result.outgoing) == 4 and len(result.incoming) == 2
    assert result.invitations[0] == InvitationRow(
        line=2,
        name="Priya Natarajan",
        sent_at=datetime(2026, 3, 4, 9, 7),
        direction="OUTGOING",
        message="",
        invitee_url="https://www.linkedin.com/in/priya-natarajan-4b1a2c",
        inviter_url=DANA,
    )
    tom = result.invitations[1]
    assert tom.sent_at == datetime(2025, 12, 15, 23, 40)
    assert tom.message == "Hi Dana, saw your post"
    assert tom.inviter_url == "https://www.linkedin.com/in/tomokafor"
    zoe = result.invitations[2]
    assert zoe.sent_at == datetime(2026, 3, 2, 16, 15)  # U+202F before PM
    assert zoe.sent_at.tzinfo is None
    assert zoe.message == (
        'Hi Zoë, loved your talk on "pipeline hygiene", especially the part on follow-ups.\n\n'
        "Would be great to connect!"
    )
    assert zoe.invitee_url == "https://www.linkedin.com/in/zo%C3%AB-brandt"
    assert result.invitations[3].sent_at == datetime(2026, 2, 27, 0, 5)  # 12:05 AM
    assert result.invitations[4].sent_at == datetime(2026, 2, 20, 12, 30)  # 12:30 PM
    assert result.invitations[5].invitee_url == "https://www.linkedin.com/in/ACoAAB1x2y3zQ4r5S6t7U8v9W0"


def test_invitations_fixture_old_layout():
    result = parse_upload("Invitations.csv", fixture("Invitations_old.csv"))
    assert result.layouts == {"Invitations.csv": "invitations-5col"}
    assert any("matched by name only" in note for note in result.notes)
    assert result.invitations == [
        InvitationRow(2, "Marcus Lee", datetime(2023, 10, 2, 15, 45), "OUTGOING", "", None, None),
        InvitationRow(
            3,
            "Grace Kim",
            datetime(2023, 9, 28, 10, 12),
            "INCOMING",
            "Hello Dana, we met at the Q3 kickoff",
            None,
            None,
        ),
        InvitationRow(4, "Renée Dubois", datetime(2023, 9, 15, 9, 0), "OUTGOING", "", None, None),
    ]
    assert result.rejected == []


def test_connections_fixture_with_preamble():
    result = parse_upload("Connections.csv", fixture("Connections.csv"))
    assert result.layouts == {"Connections.csv": "connections"}
    assert result.hidden_skipped == 1  # line 7
    assert result.rejected == [] and result.invitations == []
    assert result.connections == [
        ConnectionRow(
            5,
            "Priya",
            "Natarajan",
            "https://www.linkedin.com/in/priya-natarajan-4b1a2c",
            "Northwind Analytics, Inc.",
            "Head of Talent",
            date(2026, 2, 8),
        ),
        ConnectionRow(
            6,
            "Zoë",
            "Brandt",
            "https://www.linkedin.com/in/zo%C3%AB-brandt",
            "Woodgrove",
            '"Chief" of Staff',
            date(2026, 1, 14),
        ),
        ConnectionRow(
            8,
            "Tom",
            "Okafor",
            "https://www.linkedin.com/in/tomokafor",
            "Contoso",
            "Account Executive",
            date(2025, 12, 16),
        ),
        ConnectionRow(
            9,
            "José",
            "Martínez",
            "https://www.linkedin.com/in/jose-martinez-mx",
            "Fabrikam",
            "Ingeniero de Ventas",
            date(2026, 2, 21),
        ),
    ]


def test_connections_fixture_resaved():
    data = fixture("Connections_resaved.csv")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # the fixture really is a re-save
    result = parse_upload("Connections_resaved.csv", data)
    assert result.notes == []
    assert result.hidden_skipped == 1
    assert [(c.line, c.first_name, c.last_name, c.company, c.connected_on) for c in result.connections] == [
        (2, "Marcus", "Lee", "Tailspin Toys", date(2023, 10, 9)),
        (3, "Renée", "Dubois", "Adatum, SA", date(2023, 9, 17)),
        (5, "Grace", "Kim", "Litware", date(2023, 9, 28)),
    ]
    assert result.connections[1].url == "https://www.linkedin.com/in/renée-dubois"


def test_text_entry_points_match_upload():
    text = fixture("Invitations.csv").decode()
    assert (
        parse_invitations_csv(text).invitations
        == parse_upload("x.csv", fixture("Invitations.csv")).invitations
    )
    text = fixture("Connections.csv").decode()
    assert (
        parse_connections_csv(text).connections
        == parse_upload("x.csv", fixture("Connections.csv")).connections
    )


# --------------------------------------------------------------------------------------------
# Dates

SENT_AT = [
    ("3/4/26, 9:07 AM", datetime(2026, 3, 4, 9, 7)),
    ("3/4/26, 9:07\u202fAM", datetime(2026, 3, 4, 9, 7)),
    ("3/4/26, 9:07\u00a0PM", datetime(2026, 3, 4, 21, 7)),
    ("03/04/26, 09:07 am", datetime(2026, 3, 4, 9, 7)),
    ("12/15/25, 12:00 AM", datetime(2025, 12, 15, 0, 0)),
    ("12/15/25, 12:59 PM", datetime(2025, 12, 15, 12, 59)),
    ("3/4/26, 9:07:31 PM", datetime(2026, 3, 4, 21, 7, 31)),
    ("2026-09-15 18:22:31 UTC", datetime(2026, 9, 15, 18, 22, 31, tzinfo=UTC)),
    ("2026-09-15T20:22:31+02:00", datetime(2026, 9, 15, 18, 22, 31, tzinfo=UTC)),
    ("2026-09-15T18:22:31Z", datetime(2026, 9, 15, 18, 22, 31, tzinfo=UTC)),
    ("2026-03-04", datetime(2026, 3, 4)),
    ("2026-03-04 09:07", datetime(2026, 3, 4, 9, 7)),
    ("2026-03-04T09:07:00", datetime(2026, 3, 4, 9, 7)),
    ("3/4/2026 9:07", datetime(2026, 3, 4, 9, 7)),
    ("3/4/2026 9:07 AM", datetime(2026, 3, 4, 9, 7)),
    ("3/4/2026 21:07", datetime(2026, 3, 4, 21, 7)),
    ("3/4/2026", datetime(2026, 3, 4)),
    ("  3/4/26,  9:07 AM ", datetime(2026, 3, 4, 9, 7)),
    ("04.03.2026 09:07", datetime(2026, 3, 4, 9, 7)),
]


@pytest.mark.parametrize(("value", "expected"), SENT_AT)
def test_sent_at_forms(value, expected):
    parsed, why = parse_sent_at(value)
    assert (parsed, why) == (expected, "")
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("13/45/26", "is not a date like 3/4/26, 9:07 AM"),
        ("2/30/26, 9:07 AM", "is not a date like 3/4/26, 9:07 AM"),
        ("3/4/26, 13:07 PM", "is not a date like 3/4/26, 9:07 AM"),
        ("3/4/26, 0:07 AM", "is not a date like 3/4/26, 9:07 AM"),
        ("3/4/26, 9:7 AM", "is not a date like 3/4/26, 9:07 AM"),
        ("3/4/269:07", "is not a date like 3/4/26, 9:07 AM"),
        ("2026-03-04 24:00", "is not a date like 3/4/26, 9:07 AM"),
        ("2026-03-04T09:07:00+25:00", "is not a date like 3/4/26, 9:07 AM"),
        ("yesterday", "is not a date like 3/4/26, 9:07 AM"),
        ("1/1/1970 0:00", "is before 2003, when LinkedIn started"),
    ],
)
def test_sent_at_rejects(value, why):
    assert parse_sent_at(value) == (None, why)


CONNECTED_ON = [
    ("08 Feb 2026", date(2026, 2, 8)),
    ("8 Feb 2026", date(2026, 2, 8)),
    ("9-Oct-23", date(2023, 10, 9)),
    ("09-oct-2023", date(2023, 10, 9)),
    ("9 Sept 2023", date(2023, 9, 9)),
    ("8 February 2026", date(2026, 2, 8)),
    ("Feb 8, 2026", date(2026, 2, 8)),
    ("2026-02-08", date(2026, 2, 8)),
    ("2026-02-08 00:00:00", date(2026, 2, 8)),
    ("2/8/2026", date(2026, 2, 8)),
    ("2/8/26", date(2026, 2, 8)),
    ("08.02.2026", date(2026, 2, 8)),
    ("08\u00a0Feb\u00a02026", date(2026, 2, 8)),
]


@pytest.mark.parametrize(("value", "expected"), CONNECTED_ON)
def test_connected_on_forms(value, expected):
    assert parse_connected_on(value) == (expected, "")


@pytest.mark.parametrize(
    "value", ["31 Feb 2026", "08 Fev 2026", "08 Fe 2026", "2026-13-01", "13/45/2026", "Feb 2026"]
)
def test_connected_on_rejects(value):
    assert parse_connected_on(value) == (None, "is not a date like 08 Feb 2026")


# --------------------------------------------------------------------------------------------
# Rejected rows: line numbers and reasons

OK_ROW = f'Dana Reyes,Priya Natarajan,"3/4/26, 9:07 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/priya\n'

INVITATION_REJECTS = [
    pytest.param(
        'Dana Reyes,Bob,"3/4/26, 9:07 AM"\n' + OK_ROW,
        [RejectedRow(2, "expected 7 columns, found 3")],
        1,
        id="short-row",
    ),
    pytest.param(
        OK_ROW + f'Dana Reyes,Bob,"3/4/26, 9:07 AM",,,{DANA},https://www.linkedin.com/in/bob\n',
        [RejectedRow(3, "Direction is empty (expected OUTGOING or INCOMING)")],
        1,
        id="missing-direction",
    ),
    pytest.param(
        f'Dana Reyes,Bob,"3/4/26, 9:07 AM",,SENT,{DANA},https://www.linkedin.com/in/bob\n',
        [RejectedRow(2, "Direction 'SENT' is not OUTGOING or INCOMING")],
        0,
        id="bad-direction",
    ),
    pytest.param(
        OK_ROW + f"Dana Reyes,Bob,13/45/26,,OUTGOING,{DANA},\n",
        [RejectedRow(3, "Sent At '13/45/26' is not a date like 3/4/26, 9:07 AM")],
        1,
        id="bad-date",
    ),
    pytest.param(
        f"Dana Reyes,Bob,,,OUTGOING,{DANA},\n",
        [RejectedRow(2, "Sent At is empty")],
        0,
        id="empty-date",
    ),
    pytest.param(
        f"Dana Reyes,{'x' * 100},{'9' * 100},,OUTGOING,{DANA},\n",
        [RejectedRow(2, f"Sent At '{'9' * 59}…' is not a date like 3/4/26, 9:07 AM")],
        0,
        id="long-value-truncated",
    ),
    pytest.param(
        f'Dana Reyes,,"3/4/26, 9:07 AM",,OUTGOING,{DANA},\n',
        [RejectedRow(2, "To is empty and so is inviteeProfileUrl")],
        0,
        id="no-invitee",
    ),
    pytest.param(
        ',,"3/4/26, 9:07 AM",,INCOMING,,\n',
        [RejectedRow(2, "From is empty and so is inviterProfileUrl")],
        0,
        id="no-inviter",
    ),
    pytest.param(
        'Dana Reyes,Bob,"3/4/26, 13:00 PM",,outbound,,\n',
        [
            RejectedRow(
                2,
                "Direction 'outbound' is not OUTGOING or INCOMING; "
                "Sent At '3/4/26, 13:00 PM' is not a date like 3/4/26, 9:07 AM",
            )
        ],
        0,
        id="two-problems",
    ),
    pytest.param(
        OK_ROW
        + 'Dana Reyes,Bob,"3/4/26, 9:07 AM","Hi Bob, an unclosed quote,OUTGOING,,\n'
        + "Dana Reyes,Cy,2026-03-04,,OUTGOING,,\n"
        + "Dana Reyes,Di,2026-03-05,,OUTGOING,,\n",
        [
            RejectedRow(
                3,
                "expected 7 columns, found 4 (the row runs from line 3 to line 5: is a quote left open?)",
            )
        ],
        1,
        id="unclosed-quote",
    ),
    pytest.param(
        "\n"
        + OK_ROW
        + "\n  \n,,,,,,\n"
        + OK_ROW.rstrip("\n")
        + ",,,\n"
        + 'A,B,"3/4/26, 9:07 AM",,OUTGOING,,,x\n',
        [RejectedRow(8, "expected 7 columns, found 8")],
        2,
        id="blank-and-padded-rows",
    ),
]


@pytest.mark.parametrize(("body", "rejected", "accepted"), INVITATION_REJECTS)
def test_invitation_rejects(body, rejected, accepted):
    result = parse_invitations_csv(INV_HEADER + body)
    assert result.rejected == rejected
    assert all(r.file == "Invitations.csv" for r in result.rejected)
    assert len(result.invitations) == accepted


CONNECTION_REJECTS = [
    pytest.param(
        "Ann,Lee,https://www.linkedin.com/in/annlee,,Contoso,CTO,13/45/2026\n",
        [RejectedRow(5, "Connected On '13/45/2026' is not a date like 08 Feb 2026")],
        0,
        0,
        id="bad-date",
    ),
    pytest.param(
        "Ann,Lee,https://www.linkedin.com/in/annlee,,Contoso,CTO,\n,,,,,,not a date\n,,,,,,\n",
        [RejectedRow(5, "Connected On is empty")],
        0,
        1,
        id="empty-date-and-hidden",
    ),
    pytest.param(
        'Ann,Lee,https://www.linkedin.com/in/annlee,,"Contoso, Ltd",CTO\nBo,Ek,,,,,08 Feb 2026\n',
        [RejectedRow(5, "expected 7 columns, found 6")],
        1,
        0,
        id="short-row-and-no-url",
    ),
]


@pytest.mark.parametrize(("body", "rejected", "accepted", "hidden"), CONNECTION_REJECTS)
def test_connection_rejects(body, rejected, accepted, hidden):
    text = 'Notes:\n"Some emails may be missing, see settings."\n\n' + CONN_HEADER + body
    result = parse_connections_csv(text)
    assert (result.rejected, len(result.connections), result.hidden_skipped) == (rejected, accepted, hidden)


def test_line_numbers_count_preamble_quoted_breaks_and_cr_only_files():
    text = (
        'Notes:\r"A note\r\nover two lines"\r\n\r\n'
        + CONN_HEADER.replace("\n", "\r\n")
        + 'Ann,Lee,,,"Multi\r\nline, Inc.",CTO,08 Feb 2026\r\nBo,Ek,,,,,bad\r\n'
    )
    result = parse_connections_csv(text)
    assert [c.line for c in result.connections] == [6]
    assert result.connections[0].company == "Multi\r\nline, Inc."
    assert result.rejected == [RejectedRow(8, "Connected On 'bad' is not a date like 08 Feb 2026")]
    old_mac = (OLD_HEADER + 'A,B,"3/4/26, 9:07 AM",,OUTGOING\nA,C,x,,OUTGOING\n').replace("\n", "\r")
    result = parse_invitations_csv(old_mac)
    assert [r.line for r in result.invitations] == [2]
    assert result.rejected == [RejectedRow(3, "Sent At 'x' is not a date like 3/4/26, 9:07 AM")]


def test_overlong_cell_is_rejected_and_reading_resumes():
    text = INV_HEADER + 'Dana Reyes,Bob,"' + "x" * 140_000 + "\n" + OK_ROW
    result = parse_invitations_csv(text)
    assert result.rejected == [RejectedRow(2, "a cell runs over 131072 characters (is a quote left open?)")]
    assert [r.line for r in result.invitations] == [3]


def test_mostly_unreadable_file_is_refused(monkeypatch):
    monkeypatch.setattr(linkedin, "MAX_REJECTED_ROWS", 3)
    bad = "Dana,Bob\n"
    assert len(parse_invitations_csv(INV_HEADER + bad * 4 + OK_ROW * 4).rejected) == 4
    with pytest.raises(
        UnsupportedFile, match=r"over 3 rows could not be read, more than could \(the first, line 2: "
    ):
        parse_invitations_csv(INV_HEADER + bad * 4 + OK_ROW * 3)
    dates = f"Dana Reyes,Bob,soon,,OUTGOING,{DANA},\n"
    with pytest.raises(UnsupportedFile, match="Sent At 'soon' is not a date"):
        parse_invitations_csv(INV_HEADER + OK_ROW + dates * 4)


# --------------------------------------------------------------------------------------------
# Layouts, encodings, separators, dispatch


def test_connections_without_url_column_or_preamble():
    text = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\nAnn,Lee,,Contoso,CTO,08 Feb 2020\n"
    )
    result = parse_connections_csv(text)
    assert result.layouts == {"Connections.csv": "connections-no-url"}
    assert result.connections == [ConnectionRow(2, "Ann", "Lee", None, "Contoso", "CTO", date(2020, 2, 8))]


def test_header_matching_is_trimmed_case_insensitive_and_by_name():
    text = '\ufeff  sent at , FROM,to,DIRECTION , message\n"3/4/26, 9:07 AM",José,Ann,OUTGOING,hi\n'
    result = parse_invitations_csv(text)
    assert result.invitations == [
        InvitationRow(2, "Ann", datetime(2026, 3, 4, 9, 7), "OUTGOING", "hi", None, None)
    ]


def test_names_are_nfc_and_direction_is_case_insensitive():
    decomposed = "Jose\u0301 Marti\u0301nez"
    result = parse_invitations_csv(OLD_HEADER + f'Dana Reyes,{decomposed},"3/4/26, 9:07 AM", Hi ,outgoing\n')
    assert result.invitations == [
        InvitationRow(2, "José Martínez", datetime(2026, 3, 4, 9, 7), "OUTGOING", "Hi", None, None)
    ]


def test_non_ascii_digits_are_not_dates():
    assert parse_sent_at("٣/٤/٢٦, 9:07 AM") == (None, "is not a date like 3/4/26, 9:07 AM")


def test_cp1252_resave():
    text = fixture("Connections_resaved.csv").decode("utf-8-sig")
    result = parse_upload("Connections.csv", text.encode("cp1252"))
    assert [c.first_name for c in result.connections] == ["Marcus", "Renée", "Grace"]
    assert result.notes == ["Connections.csv: not UTF-8, read as Windows-1252"]


def test_utf16_tab_separated_resave():
    text = (
        "From\tTo\tSent At\tMessage\tDirection\r\n"
        "Dana Reyes\tMarcus Lee\t10/2/23, 3:45 PM\t\tOUTGOING\r\n"
        'Grace Kim\tDana Reyes\t9/28/23, 10:12 AM\t"Hello Dana\tfrom Grace"\tINCOMING\r\n'
        "Dana Reyes\tRenée Dubois\t9/15/23, 9:00 AM\t\tOUTGOING\r\n"
    )
    result = parse_upload("Invitations.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    assert [r.name for r in result.invitations] == ["Marcus Lee", "Grace Kim", "Renée Dubois"]
    assert result.invitations[1].message == "Hello Dana\tfrom Grace"
    assert result.invitations[2].sent_at == datetime(2023, 9, 15, 9, 0)
    assert "Invitations.txt: not UTF-8, read as UTF-16" in result.notes


def test_semicolon_resave_with_day_first_dates():
    text = (
        "From;To;Sent At;Message;Direction\n"
        "Dana Reyes;Ann Lee;15/03/2026 09:07;;OUTGOING\n"
        "Dana Reyes;Bo Ek;04/03/2026 17:30;Hi, Bo;OUTGOING\n"
        'Dana Reyes;Cy Fu;"3/4/26, 9:07 AM";;OUTGOING\n'
    )
    result = parse_upload("Invitations.csv", text.encode())
    assert [r.sent_at for r in result.invitations] == [
        datetime(2026, 3, 15, 9, 7),
        datetime(2026, 3, 4, 17, 30),
        datetime(2026, 3, 4, 9, 7),  # LinkedIn's own form stays month first
    ]
    assert "Invitations.csv: columns separated by ';' (spreadsheet re-save)" in result.notes
    assert "Invitations.csv: re-saved dates like 15/03/2026 read as day/month/year" in result.notes


def test_slash_dates_stay_month_first_when_the_file_disagrees_with_itself():
    text = OLD_HEADER + "D,Ann,15/03/2026 09:07,,OUTGOING\nD,Bo,03/15/2026 09:07,,OUTGOING\n"
    result = parse_invitations_csv(text)
    assert [r.name for r in result.invitations] == ["Bo"]
    assert [r.line for r in result.rejected] == [2]


@pytest.mark.parametrize(
    ("filename", "fixture_name", "kind"),
    [
        ("Invitations.csv", "Connections.csv", "connections"),
        ("export (1).txt", "Invitations.csv", "invitations"),
        ("", "Invitations_old.csv", "invitations"),
        ("C:\\Users\\dana\\Downloads\\Connections.csv", "Connections.csv", "connections"),
    ],
)
def test_dispatch_on_content_not_name(filename, fixture_name, kind):
    result = parse_upload(filename, fixture(fixture_name))
    assert bool(result.invitations) == (kind == "invitations")
    assert bool(result.connections) == (kind == "connections")
    assert len(result.files) == 1 and "\\" not in result.files[0]
    if not filename:
        assert result.files == ["Invitations.csv"]


def test_text_entry_point_refuses_the_other_file():
    with pytest.raises(UnsupportedFile, match="Invitations.csv holds the Connections.csv header") as caught:
        parse_invitations_csv(fixture("Connections.csv").decode())
    assert "From,To,Sent At,Message,Direction" in str(caught.value)
    with pytest.raises(UnsupportedFile, match="expected the Connections.csv header"):
        parse_connections_csv(fixture("Invitations.csv").decode())


def test_header_only_file_is_fine():
    result = parse_upload("Invitations.csv", INV_HEADER.encode())
    assert (result.invitations, result.rejected, result.files) == ([], [], ["Invitations.csv"])


# --------------------------------------------------------------------------------------------
# Refused files


def _truncated_zip() -> bytes:
    data = export_zip()
    return data[: len(data) // 2]


UNSUPPORTED = [
    ("Invitations.csv", b"", "the file is empty"),
    ("Invitations.csv", b"  \r\n\n\t", "the file is empty"),
    ("Invitations.csv", b"\xef\xbb\xbf", "the file is empty"),
    ("Invitations.csv", b"From,To\x00,Sent At\n", "NUL bytes"),
    ("Invitations.csv", b"\x81\x8d\x8f\x90\x9d" * 10, "not text (neither UTF-8 nor Windows-1252)"),
    ("Invitations.csv", b"\xff\xfeF\x00\x00", "not valid UTF-16"),
    ("report.pdf", b"%PDF-1.7\n...", "a PDF document"),
    ("Invitations.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Excel workbook"),
    (
        "Invitations.csv",
        b"Name,Email\nAnn,ann@example.com\n",
        "found no known header row (the file starts 'Name,Email')",
    ),
    ("Connections.csv", b"Notes:\nsomething\n\nFirst,Last\n", "the file starts 'Notes:'"),
    ("Invitations.csv", ("x" * 500 + "\n").encode(), "'" + "x" * 59 + "…'"),
    ("export.zip", b"From this day on\n", "'export.zip' is not a readable zip archive"),
    (ZIP_NAME, _truncated_zip(), "is not a readable zip archive, it may be truncated or corrupt"),
    (ZIP_NAME, b"PK\x03\x04" + bytes(40), "truncated or corrupt"),
    (ZIP_NAME, make_zip({}), "empty zip archive: looked for Invitations.csv and Connections.csv"),
    (
        ZIP_NAME,
        make_zip({"Profile.csv": b"a\n", "Skills.csv": b"b\n"}),
        "holds neither Invitations.csv nor Connections.csv (looked in every folder; found 'Profile.csv', 'Skills.csv')",
    ),
    (
        "book.xlsx",
        make_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
        "is an Excel workbook (.xlsx)",
    ),
    (
        ZIP_NAME,
        make_zip({"Invitations.csv": b"Name,Email\n"}),
        f"Invitations.csv in {ZIP_NAME}: found no known header row",
    ),
    ("big.csv", b" " * (MAX_FILE_BYTES + 1), "the file is 20.0 MB, over the 20 MB limit"),
]


@pytest.mark.parametrize(("filename", "data", "message"), UNSUPPORTED)
def test_unsupported_files(filename, data, message):
    with pytest.raises(UnsupportedFile) as caught:
        parse_upload(filename, data)
    assert message in caught.value.problem
    assert str(caught.value).endswith(f"This app reads {ACCEPTED}.")
    assert "Invitations.csv, Connections.csv from LinkedIn's data export" in str(caught.value)


def test_unknown_header_message_names_both_expected_headers():
    with pytest.raises(UnsupportedFile) as caught:
        parse_upload("x.csv", b"Name,Email\n")
    message = str(caught.value)
    assert (
        "'From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl' (Invitations.csv)" in message
    )
    assert (
        "'First Name,Last Name,URL,Email Address,Company,Position,Connected On' (Connections.csv)" in message
    )


def test_text_too_large_or_binary():
    with pytest.raises(UnsupportedFile, match="over the 20 MB limit"):
        parse_invitations_csv(" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(UnsupportedFile, match="NUL"):
        parse_connections_csv("First Name,Connected On\n\x00,08 Feb 2026\n")


# --------------------------------------------------------------------------------------------
# Zip archives


def test_export_zip_reads_both_files_anywhere_case_insensitively():
    data = make_zip(
        {
            "Basic_LinkedInDataExport_11-20-2026/Profile.csv": b"First Name\nDana\n",
            "Basic_LinkedInDataExport_11-20-2026/INVITATIONS.CSV": fixture("Invitations.csv"),
            "Basic_LinkedInDataExport_11-20-2026/connections.csv": fixture("Connections.csv"),
            "__MACOSX/Basic_LinkedInDataExport_11-20-2026/._Invitations.csv": b"\x00\x05\x16\x07",
            "Basic_LinkedInDataExport_11-20-2026/Articles/": b"",
        }
    )
    result = parse_upload(ZIP_NAME, data)
    assert result.archive == ZIP_NAME
    assert result.files == [
        "Basic_LinkedInDataExport_11-20-2026/INVITATIONS.CSV",
        "Basic_LinkedInDataExport_11-20-2026/connections.csv",
    ]
    assert (len(result.invitations), len(result.outgoing), len(result.connections)) == (6, 4, 4)
    assert result.hidden_skipped == 1 and result.rejected == [] and result.notes == []
    assert result.layouts == {
        "Basic_LinkedInDataExport_11-20-2026/INVITATIONS.CSV": "invitations-7col",
        "Basic_LinkedInDataExport_11-20-2026/connections.csv": "connections",
    }


def test_zip_is_recognised_by_content_and_notes_missing_and_duplicate_members():
    data = make_zip(
        {
            "deep/copy/Invitations.csv": b"Name\n",
            "Invitations.csv": fixture("Invitations_old.csv"),
        },
        compression=zipfile.ZIP_STORED,
    )
    result = parse_upload("upload.bin", data)
    assert result.files == ["Invitations.csv"] and len(result.invitations) == 3
    assert (
        "upload.bin: read Invitations.csv; ignored other copies: 'deep/copy/Invitations.csv'" in result.notes
    )
    assert "upload.bin: no Connections.csv in the archive" in result.notes


def test_zip_rejected_rows_say_which_file():
    data = make_zip(
        {
            "Invitations.csv": (OLD_HEADER + "D,Ann,bad,,OUTGOING\n").encode(),
            "Connections.csv": (CONN_HEADER + "Ann,Lee,,,,,bad\n").encode(),
        }
    )
    result = parse_upload(ZIP_NAME, data)
    assert result.rejected == [
        RejectedRow(2, "Sent At 'bad' is not a date like 3/4/26, 9:07 AM"),
        RejectedRow(2, "Connected On 'bad' is not a date like 08 Feb 2026"),
    ]
    assert [r.file for r in result.rejected] == ["Invitations.csv", "Connections.csv"]


def test_zip_bomb_refused_by_declared_size():
    data = make_zip({"Invitations.csv": INV_HEADER.encode() + b" " * MAX_FILE_BYTES})
    assert len(data) < 100_000
    with pytest.raises(UnsupportedFile, match=r"would unpack to 20\.0 MB, over the 20 MB limit"):
        parse_upload(ZIP_NAME, data)


def test_zip_declared_sizes_count_together(monkeypatch):
    monkeypatch.setattr(linkedin, "MAX_FILE_BYTES", 1500)
    data = make_zip(
        {"Invitations.csv": fixture("Invitations.csv"), "Connections.csv": fixture("Connections.csv")}
    )
    with pytest.raises(UnsupportedFile, match="would unpack to"):
        parse_upload(ZIP_NAME, data)
    assert parse_upload(ZIP_NAME, make_zip({"Connections.csv": fixture("Connections.csv")})).connections


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size in the central directory (and the local header)."""
    out = bytearray(data)
    central = out.find(b"PK\x01\x02")
    out[central + 24 : central + 28] = struct.pack("<I", size)
    out[22:26] = struct.pack("<I", size)
    return bytes(out)


def test_zip_lying_about_its_size_is_refused(monkeypatch):
    stored = make_zip({"Invitations.csv": fixture("Invitations.csv")}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsupportedFile, match="truncated or corrupt"):
        parse_upload(ZIP_NAME, _lie_about_size(stored, 100))
    monkeypatch.setattr(linkedin, "MAX_FILE_BYTES", 5000)
    honest = make_zip({"Invitations.csv": INV_HEADER.encode() + OK_ROW.encode() * 100})
    assert len(honest) < 5000
    with pytest.raises(UnsupportedFile, match=r"would unpack to 13\.2 KB, over the 4\.9 KB limit"):
        parse_upload(ZIP_NAME, honest)
    with pytest.raises(UnsupportedFile, match="unpacks to more than|truncated or corrupt"):
        parse_upload(ZIP_NAME, _lie_about_size(honest, 100))


def test_streaming_cap_stops_reading_past_the_budget():
    data = make_zip({"Invitations.csv": fixture("Invitations.csv")})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("Invitations.csv")
        assert linkedin._read_capped(archive, info, info.file_size - 1) is None
        assert linkedin._read_capped(archive, info, info.file_size) == fixture("Invitations.csv")


def test_password_protected_member():
    data = bytearray(make_zip({"Invitations.csv": fixture("Invitations.csv")}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # general purpose flag: encrypted
    data[6] |= 0x1
    with pytest.raises(UnsupportedFile, match="Invitations.csv in .* is password-protected"):
        parse_upload(ZIP_NAME, bytes(data))


# --------------------------------------------------------------------------------------------
# Robustness: nothing but UnsupportedFile, ever

ROBUST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID_UPLOADS = [
    fixture("Invitations.csv"),
    fixture("Invitations_old.csv"),
    fixture("Connections.csv"),
    fixture("Connections_resaved.csv"),
    export_zip(),
    make_zip({"Invitations.csv": fixture("Invitations.csv")}, compression=zipfile.ZIP_STORED),
]


def _parse_or_refuse(filename: str, data: bytes) -> ParsedExport | None:
    try:
        result = parse_upload(filename, data)
    except UnsupportedFile as exc:
        assert exc.problem and ACCEPTED in str(exc)
        return None
    lines = [row.line for row in (*result.invitations, *result.connections, *result.rejected)]
    assert all(line >= 1 for line in lines)
    assert result.hidden_skipped >= 0
    return result


@ROBUST
@given(data=st.binary(max_size=3000), filename=st.sampled_from(["Invitations.csv", "x.zip", ""]))
def test_any_bytes_parse_or_refuse(data, filename):
    _parse_or_refuse(filename, data)


@ROBUST
@given(data=st.binary(max_size=500))
def test_bytes_behind_a_zip_magic_parse_or_refuse(data):
    _parse_or_refuse(ZIP_NAME, b"PK\x03\x04" + data)


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID_UPLOADS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif op == "insert":
            data[position:position] = draw(
                st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b"\xe2\x80"])
            )
        elif op == "delete":
            del data[position : position + draw(st.integers(1, 8))]
        else:
            del data[position:]
    return bytes(data)


@ROBUST
@given(data=mutated())
def test_mutated_and_truncated_fixtures_parse_or_refuse(data):
    _parse_or_refuse(ZIP_NAME if data.startswith(b"PK") else "Invitations.csv", data)


CELL = st.text(alphabet=st.sampled_from('ab ,"\n\r\u202fé李;\t0123456789/:-APM'), max_size=12)


@ROBUST
@given(
    rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=8),
    header=st.sampled_from([INV_HEADER, OLD_HEADER, CONN_HEADER, 'Notes:\n"x, y"\n\n' + CONN_HEADER]),
)
def test_generated_rows_are_accepted_or_rejected_with_real_line_numbers(rows, header):
    body = "".join(
        ",".join('"' + c.replace('"', '""') + '"' if c else "" for c in row) + "\n" for row in rows
    )
    text = header + body
    result = _parse_or_refuse("upload.csv", text.encode())
    assert result is not None
    physical_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    lines = [row.line for row in (*result.invitations, *result.connections, *result.rejected)]
    header_line = header.count("\n")
    assert all(header_line < line <= physical_lines for line in lines)
    assert len(lines) + result.hidden_skipped <= len(rows)


@ROBUST
@given(text=st.text(max_size=400))
def test_any_text_parses_or_refuses(text):
    for parse in (parse_invitations_csv, parse_connections_csv):
        with contextlib.suppress(UnsupportedFile):
            parse(text)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 99), st.integers(0, 14), st.integers(0, 33), st.integers(0, 14), st.integers(0, 61),
       st.sampled_from(["AM", "PM"]), st.sampled_from([" ", "\u202f"]), st.sampled_from(["", " ", "\t"]))
def test_linkedin_form_fast_path_agrees_with_the_general_parser(year, month, day, hour, minute, half, gap, pad):
    """`M/D/YY, H:MM AM` (every current export) takes a fast path: same answers, valid or not."""
    value = f"{pad}{month}/{day}/{year:02d}, {hour}:{minute:02d}{gap}{half}{pad}"
    assert parse_sent_at(value) == linkedin.parse_sent_at_general(value)
    assert parse_sent_at(value, day_first=True) == linkedin.parse_sent_at_general(value, day_first=True)


def test_linkedin_form_fast_path_reads_the_usual_stamp():
    assert parse_sent_at("12/15/25, 11:40\u202fPM") == (datetime(2025, 12, 15, 23, 40), "")
    assert parse_sent_at("3/4/26, 12:05 AM") == (datetime(2026, 3, 4, 0, 5), "")


@pytest.mark.parametrize("text", [
    "a,b\nc,d\n", "a,b\r\nc,d\r\n", "a,b\rc,d\r", "a,b\nc,d", '"x\ny",b\r\n"p\r\nq",r', "", "\n\n", "a\u2028b,c\nd,e\n",
    "a,b\r\nc\rd\n",
])
def test_lines_are_those_of_a_universal_newline_reader(text):
    assert list(linkedin._lines(text)) == list(io.StringIO(text, newline=""))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_bulk_binding_of_datetimes_is_sqlalchemys(value):
    """The import binds its datetimes for SQLite without SQLAlchemy's formatter: the same text."""
    from sqlalchemy.dialects import sqlite

    from bot.db.bulk import _quick_sqlite_datetime, binder
    from bot.db.models import Invite

    dialect = sqlite.dialect()
    reference = Invite.__table__.c.sent_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert binder(dialect, Invite.__table__, ("sent_at",))((value,)) == (reference(value),)
    assert _quick_sqlite_datetime(reference) is not reference  # the quick way is the one taken
