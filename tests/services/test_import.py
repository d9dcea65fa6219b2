"""Importing LinkedIn's export for one member, on SQLite and PostgreSQL: counts, dates, acceptances,
idempotence, all-or-nothing, concurrency and speed."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from bot.db.models import Invite, InviteEvent
from bot.domain.commands import InviteRef, LogRequest, SentSpec
from bot.domain.import_plan import plan_import, prospect_of
from bot.domain.invites import Priority, Status
from bot.domain.prospect import NotAProfileUrl, prospect_from_url
from bot.importing.linkedin import MAX_FILE_BYTES, RejectedRow, UnsupportedFile, parse_upload
from bot.services import importing
from bot.services.importing import ImportSummary, import_upload
from bot.services.invites import log_invites, record_outcome, undo_last
from bot.slack.render.imports import summary_lines
from tests.support.factories import make_invites, make_member
from tests.support.linkedin import CONN_HEADER, DANA, INV_HEADER, ZIP_NAME, fixture, make_zip

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def export_zip() -> bytes:
    return make_zip({
        "Profile.csv": b"First Name,Last Name\nDana,Reyes\n",
        "Invitations.csv": fixture("Invitations.csv"),
        "Connections.csv": fixture("Connections.csv"),
    })


def snapshot(db) -> tuple[list, list]:
    """Every invite and audit row, to compare before and after."""
    with db.session(write=False) as s:
        invites = [
            (i.id, i.member_id, i.prospect_key, i.url, i.name, i.company, i.sent_at, i.status, i.priority,
             i.with_note, i.source, i.status_changed_at)
            for i in s.scalars(select(Invite).order_by(Invite.id))
        ]
        events = [
            (e.id, e.invite_id, e.change_id, e.from_status, e.to_status, e.via, e.actor)
            for e in s.scalars(select(InviteEvent).order_by(InviteEvent.id))
        ]
    return invites, events


def was_imported(db, actor, change_id: str) -> bool:
    """True when an import with this change id stored an audit row for the member."""
    with db.session(write=False) as s:
        return s.scalar(
            select(InviteEvent.id).where(InviteEvent.member_id == actor.member_id, InviteEvent.change_id == change_id)
            .limit(1)
        ) is not None


def invites_by_key(db) -> dict[str, Invite]:
    with db.session(write=False) as s:
        return {i.prospect_key: i for i in s.scalars(select(Invite))}


def at_ny(year, month, day, hour, minute) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY).astimezone(UTC)


@pytest.fixture
def dana(db):
    return make_member(db, "U1", tz="America/New_York", now=NOW)


# --------------------------------------------------------------------------------------------
# The fixtures, exactly


def test_export_zip_logs_outgoing_and_reconciles_connections(db, dana):
    summary = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW, change_id="c" * 36)
    assert (summary.added, summary.already_there, summary.accepted, summary.incoming_skipped) == (4, 0, 2, 2)
    assert summary.unmatched == ["Aiko Tanaka"]  # a member-id URL is never guessed onto a slug
    assert summary.rejected == [] and summary.hidden_skipped == 1
    assert summary.archive == ZIP_NAME and summary.files == ["Invitations.csv", "Connections.csv"]
    found = invites_by_key(db)
    assert set(found) == {
        "in:priya-natarajan-4b1a2c", "in:zoë-brandt", "in:li-lei-8a7b6c", "mid:ACoAAB1x2y3zQ4r5S6t7U8v9W0",
    }
    priya, zoe = found["in:priya-natarajan-4b1a2c"], found["in:zoë-brandt"]
    # Sent At is the member's wall time (New York): 9:07 AM EST is 14:07 UTC.
    assert priya.sent_at == at_ny(2026, 3, 4, 9, 7)
    assert zoe.sent_at == at_ny(2026, 3, 2, 16, 15)  # written with a narrow no-break space before PM
    # Accepted on the Connected On day (local noon), the company filled from Connections.
    assert (priya.status, priya.status_changed_at) == ("accepted", at_ny(2026, 2, 8, 12, 0))
    assert (zoe.status, zoe.status_changed_at, zoe.company) == ("accepted", at_ny(2026, 1, 14, 12, 0), "Woodgrove")
    assert priya.company == "Northwind Analytics, Inc."
    assert found["in:li-lei-8a7b6c"].status == "pending" and found["in:li-lei-8a7b6c"].name == "李雷"
    aiko = found["mid:ACoAAB1x2y3zQ4r5S6t7U8v9W0"]
    assert aiko.status == "pending" and aiko.with_note and not found["in:li-lei-8a7b6c"].with_note
    assert {i.source for i in found.values()} == {"import"}
    assert priya.url == "https://www.linkedin.com/in/priya-natarajan-4b1a2c"
    _, events = snapshot(db)
    assert sorted((e[3], e[4], e[5]) for e in events) == sorted(
        [(None, "accepted", "import")] * 2 + [(None, "pending", "import")] * 2
    )
    assert {e[2] for e in events} == {"c" * 36} and {e[6] for e in events} == {"U1"}
    assert was_imported(db, dana, "c" * 36) and not was_imported(db, dana, "d" * 36)


def test_importing_the_same_file_again_changes_nothing(db, dana):
    import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    before = snapshot(db)
    again = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW + timedelta(hours=1))
    assert (again.added, again.already_there, again.accepted, again.incoming_skipped) == (0, 4, 0, 2)
    assert again.unmatched == ["Aiko Tanaka"]
    assert snapshot(db) == before
    # The two files sent separately, in either order, are the same import.
    assert import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW).added == 0
    assert import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW).accepted == 0
    assert snapshot(db) == before


def test_files_sent_separately_reconcile_in_either_order(db, dana):
    first = import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW)
    assert (first.added, first.accepted, first.connections) == (0, 0, 4)
    second = import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    # Connections were not kept: an Invitations.csv alone logs pending invites.
    assert (second.added, second.accepted) == (4, 0)
    third = import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW)
    assert (third.added, third.accepted) == (0, 2)
    assert invites_by_key(db)["in:zoë-brandt"].status == "accepted"


def test_older_layout_matches_by_name_and_resaved_connections(db, dana):
    old = import_upload(db, dana, "Invitations_old.csv", fixture("Invitations_old.csv"), now=NOW)
    assert (old.added, old.incoming_skipped, old.accepted) == (2, 1, 0)
    assert any("matched by name only" in note for note in old.notes)
    found = invites_by_key(db)
    assert set(found) == {"name:marcus lee", "name:renée dubois"}
    assert found["name:marcus lee"].url is None and found["name:marcus lee"].name == "Marcus Lee"
    conn = import_upload(db, dana, "Connections_resaved.csv", fixture("Connections_resaved.csv"), now=NOW)
    assert (conn.added, conn.accepted, conn.hidden_skipped) == (0, 2, 1)
    found = invites_by_key(db)
    assert found["name:marcus lee"].status_changed_at == at_ny(2023, 10, 9, 12, 0)  # 9-Oct-23
    assert found["name:renée dubois"].status_changed_at == at_ny(2023, 9, 17, 12, 0)


def test_spreadsheet_resave_with_iso_and_utc_times_and_bad_rows(db, dana):
    summary = import_upload(db, dana, "Invitations_resaved.csv", fixture("Invitations_resaved.csv"), now=NOW)
    assert (summary.added, summary.incoming_skipped) == (3, 1)
    assert [(r.line, r.file) for r in summary.rejected] == [
        (5, "Invitations_resaved.csv"), (6, "Invitations_resaved.csv"),
    ]
    assert "Sent At 'not a date'" in summary.rejected[0].reason
    assert "is not a LinkedIn profile URL" in summary.rejected[1].reason
    found = invites_by_key(db)
    assert found["in:marcus-lee-22"].sent_at == at_ny(2023, 10, 2, 15, 45)
    # A time with a zone is not re-read in the member's zone.
    assert found["in:gracekim"].sent_at == datetime(2023, 9, 20, 18, 22, 31, tzinfo=UTC)
    assert found["in:gracekim"].with_note
    assert found["sn:ACwAAAx1y2z3"].status == "pending"
    assert summary.unmatched == ["Sam Reed"]


def test_sales_navigator_and_member_ids_are_never_guessed_onto_slugs(db, dana):
    invitations = INV_HEADER + (
        f'Dana Reyes,Sam Reed,"10/1/26, 9:00 AM",,OUTGOING,{DANA},https://www.linkedin.com/sales/lead/ACwAAAx1y2z3,NAME\n'
        f'Dana Reyes,Aiko Tanaka,"10/1/26, 9:05 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/ACoAAB1x2y3z\n'
    ).replace(",NAME\n", "\n")
    connections = CONN_HEADER + (
        "Sam,Reed,https://www.linkedin.com/in/sam-reed,,Acme,CTO,02 Oct 2026\n"
        "Aiko,Tanaka,https://www.linkedin.com/in/aiko-tanaka,,Globex,VP,03 Oct 2026\n"
    )
    data = make_zip({"Invitations.csv": invitations.encode(), "Connections.csv": connections.encode()})
    summary = import_upload(db, dana, ZIP_NAME, data, now=NOW)
    assert (summary.added, summary.accepted) == (2, 0)
    assert sorted(summary.unmatched) == ["Aiko Tanaka", "Sam Reed"]
    assert {i.status for i in invites_by_key(db).values()} == {"pending"}
    text = "\n".join(summary_lines(summary))
    assert "2 unmatched: Sam Reed, Aiko Tanaka" in text and "/invites accepted" in text


# --------------------------------------------------------------------------------------------
# Meeting what is already stored


def test_connections_accept_an_invite_logged_by_hand(db, dana):
    request = LogRequest((prospect_from_url("https://www.linkedin.com/in/priya-natarajan-4b1a2c"),), "Priya", None,
                         None, SentSpec(day=date(2026, 2, 1)), Priority.HIGH, False)
    logged = log_invites(db, dana, request, now=NOW)
    summary = import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW, change_id="k" * 36)
    assert summary.accepted == 1
    invite = invites_by_key(db)["in:priya-natarajan-4b1a2c"]
    assert (invite.id, invite.status, invite.priority, invite.source) == (logged.logged[0].id, "accepted", "high", "command")
    assert invite.status_changed_at == at_ny(2026, 2, 8, 12, 0)
    _, events = snapshot(db)
    assert events[-1][1:] == (invite.id, "k" * 36, "pending", "accepted", "import", "U1")
    # An invite already decided is left alone.
    assert import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW).accepted == 0


def test_an_invite_logged_by_hand_at_another_time_is_already_there(db, dana):
    # Logged by hand with `--sent 2026-03-04` (local noon), later withdrawn: the import's 9:07 AM row is the same invite.
    request = LogRequest((prospect_from_url("https://www.linkedin.com/in/priya-natarajan-4b1a2c"),), None, None,
                         None, SentSpec(day=date(2026, 3, 4)), Priority.NORMAL, False)
    log_invites(db, dana, request, now=NOW)
    record_outcome(db, dana, InviteRef(prospect_key="in:priya-natarajan-4b1a2c"), Status.WITHDRAWN, now=NOW)
    summary = import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    assert (summary.added, summary.already_there) == (3, 1)
    assert invites_by_key(db)["in:priya-natarajan-4b1a2c"].status == "withdrawn"


def test_an_old_decided_invite_does_not_hide_a_new_one(db, dana):
    make_invites(db, dana, [{"key": "in:li-lei-8a7b6c", "days_ago": 400, "status": "withdrawn"}], now=NOW)
    summary = import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    assert (summary.added, summary.already_there) == (4, 0)
    with db.session(write=False) as s:
        statuses = s.scalars(select(Invite.status).where(Invite.prospect_key == "in:li-lei-8a7b6c")).all()
    assert sorted(statuses) == ["pending", "withdrawn"]


def test_a_pending_invite_at_any_time_is_already_there(db, dana):
    make_invites(db, dana, [{"key": "in:li-lei-8a7b6c", "days_ago": 2}], now=NOW)
    summary = import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    assert (summary.added, summary.already_there) == (3, 1)


def test_repeated_and_older_rows_in_one_file(db, dana):
    text = INV_HEADER + "".join(
        f'Dana Reyes,Jo Park,"{sent}",,OUTGOING,{DANA},https://www.linkedin.com/in/jo-park\n'
        for sent in ("5/1/26, 9:00 AM", "5/1/26, 9:00 AM", "1/2/25, 8:00 AM")
    )
    summary = import_upload(db, dana, "Invitations.csv", text.encode(), now=NOW)
    assert (summary.added, summary.already_there) == (1, 1)
    assert [(r.line, r.reason) for r in summary.rejected] == [
        (4, "an older invitation to the same person as line 2: only the newest is logged")
    ]
    assert invites_by_key(db)["in:jo-park"].sent_at == at_ny(2026, 5, 1, 9, 0)


def test_other_members_and_teams_are_not_touched(db, dana):
    tom = make_member(db, "U2", tz="UTC", now=NOW)
    other_team = make_member(db, "U1", team_id="T2", tz="UTC", now=NOW)
    make_invites(db, tom, [{"key": "in:priya-natarajan-4b1a2c", "days_ago": 300}], now=NOW)
    make_invites(db, other_team, [{"key": "in:zoë-brandt", "days_ago": 300}], now=NOW)
    summary = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    assert (summary.added, summary.accepted) == (4, 2)
    with db.session(write=False) as s:
        others = s.scalars(select(Invite.status).where(Invite.member_id != dana.member_id)).all()
    assert others == ["pending", "pending"]


# --------------------------------------------------------------------------------------------
# Refusals, rejected rows, all or nothing


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "a PNG image"),
        ("notes.csv", b"hello,world\n1,2\n", "found no known header row"),
        ("empty.csv", b"", "the file is empty"),
        ("Basic_LinkedInDataExport.zip", b"PK\x03\x04 broken", "not a readable zip archive"),
        (ZIP_NAME, make_zip({"Invitations.csv": INV_HEADER.encode() + b" " * MAX_FILE_BYTES}), "would unpack to"),
        ("big.csv", b"x" * (MAX_FILE_BYTES + 1), "over the 20 MB limit"),
    ],
)
def test_a_file_that_is_none_of_the_formats_is_refused_and_nothing_changes(db, dana, name, data, message):
    make_invites(db, dana, [{"key": "in:keep-me", "days_ago": 3}], now=NOW)
    before = snapshot(db)
    with pytest.raises(UnsupportedFile, match=message) as refused:
        import_upload(db, dana, name, data, now=NOW)
    assert "This app reads Invitations.csv, Connections.csv" in str(refused.value)
    assert snapshot(db) == before


def test_an_error_halfway_leaves_the_database_as_it_was(db, dana, monkeypatch):
    make_invites(db, dana, [{"key": "in:priya-natarajan-4b1a2c", "days_ago": 300}], now=NOW)
    before = snapshot(db)
    seen = []

    def broken(session, *args, **kwargs):
        # The invites are in (inside the transaction); writing their audit rows fails.
        seen.append(session.scalar(select(func.count()).select_from(Invite)))
        raise RuntimeError("disk full, halfway")

    monkeypatch.setattr(importing, "_insert_audit", broken)
    with pytest.raises(RuntimeError, match="halfway"):
        import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    assert seen == [4]
    assert snapshot(db) == before


def test_dry_run_reports_the_same_and_stores_nothing(db, dana):
    before = snapshot(db)
    dry = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW, dry_run=True)
    assert snapshot(db) == before
    real = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    assert (dry.added, dry.accepted, dry.unmatched) == (real.added, real.accepted, real.unmatched)
    assert summary_lines(dry)[0].startswith("Dry run of") and "would be added" in summary_lines(dry)[1]


def test_rejected_rows_are_listed_ten_at_most_with_the_count(db, dana):
    good = f'Dana Reyes,Jo Park,"5/1/26, 9:00 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/jo-park\n'
    bad = "".join(
        f'Dana Reyes,P{n},"13/45/26, 9:00 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/p{n}\n' for n in range(12)
    )
    future = f'Dana Reyes,Fu Ture,"12/30/26, 9:00 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/fu-ture\n'
    summary = import_upload(db, dana, "Invitations.csv", (INV_HEADER + good + bad + future).encode(), now=NOW)
    assert summary.added == 1 and len(summary.rejected) == 13
    assert summary.rejected[-1].line == 15 and "is in the future" in summary.rejected[-1].reason
    lines = summary_lines(summary)
    shown = [line for line in lines if line.startswith("    line ")]
    assert "• 13 rows rejected (the first 10 shown):" in lines
    assert len(shown) == 10 and shown[0].startswith("    line 3 of Invitations.csv: Sent At '13/45/26, 9:00 AM'")


def test_summary_in_words():
    summary = ImportSummary(
        files=["Invitations.csv"], added=1, already_there=2, accepted=1, incoming_skipped=1,
        rejected=[RejectedRow(4, "Direction is empty", "Invitations.csv")],
    )
    assert summary_lines(summary) == [
        "Imported Invitations.csv.",
        "• 1 invite added",
        "• 2 already there",
        "• 1 invite marked accepted",
        "• 1 incoming invitation skipped (only the ones you sent are logged)",
        "• 1 row rejected:",
        "    line 4 of Invitations.csv: Direction is empty",
    ]


def test_summary_leaves_out_what_did_not_happen():
    lines = summary_lines(ImportSummary(files=["Connections.csv"], accepted=2, connections=4,
                                        connections_without_invite=2))
    assert lines == [
        "Imported Connections.csv.",
        "• 0 invites added",
        "• 2 invites marked accepted",
        "• 2 of 4 connections matched no invite of yours (connected another way, or never logged)",
    ]
    assert not any(line.startswith("• 0 ") and "skipped" in line for line in lines)


def test_connections_that_matched_no_invite_are_counted(db, dana):
    import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    summary = import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW)
    keys = {i for i in invites_by_key(db)}
    plan = importing.plan_import(parse_upload("Connections.csv", fixture("Connections.csv")), tz=dana.tz, now=NOW,
                       cooldown_days=21)
    expected = sum(1 for conn_keys in plan.connection_keys if not set(conn_keys) & keys)
    assert summary.connections_without_invite == expected > 0
    alone = import_upload(db, make_member(db, "U9", now=NOW), "Connections.csv", fixture("Connections.csv"), now=NOW)
    assert alone.connections_without_invite == alone.connections == len(plan.connection_keys)


# --------------------------------------------------------------------------------------------
# Races, undo, scale


def test_concurrent_imports_of_the_same_file_store_each_invite_once(db, dana):
    data = export_zip()
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        start.wait()
        try:
            results.append(import_upload(db, dana, ZIP_NAME, data, now=NOW))
        except Exception as error:  # noqa: BLE001 - surfaced by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(r.added for r in results) == [0, 4]
    assert sorted(r.accepted for r in results) == [0, 2]
    assert len(invites_by_key(db)) == 4 and len(snapshot(db)[0]) == 4


def _log(db, actor, url: str) -> None:
    request = LogRequest((prospect_from_url(url),), None, None, None, SentSpec(), Priority.NORMAL, False)
    log_invites(db, actor, request, now=NOW)


def _during_planning(monkeypatch, action) -> list[int]:
    """Run `action` in another thread while the import matches its rows (the first time); returns the calls."""
    real_prepare = importing._prepare
    calls: list[int] = []

    def prepare(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            failures: list[BaseException] = []

            def run():
                try:
                    action()
                except BaseException as error:  # noqa: BLE001 - surfaced by the assert below
                    failures.append(error)

            other = threading.Thread(target=run)
            other.start()
            other.join(10)
            assert not other.is_alive() and failures == [], f"the other write did not go through: {failures}"
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(importing, "_prepare", prepare)
    return calls


def test_other_writes_go_through_while_an_import_reads_and_plans(db, dana, monkeypatch):
    """The import holds no lock while it matches its rows: another member's /invited is not kept waiting."""
    make_invites(db, dana, [{"key": "in:someone-else", "days_ago": 3}, {"key": "in:old-one", "days_ago": 90,
                                                                           "status": "accepted"}], now=NOW)
    bob = make_member(db, "U2", now=NOW)
    calls = _during_planning(monkeypatch, lambda: _log(db, bob, "https://www.linkedin.com/in/bob-prospect"))
    summary = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    assert len(calls) == 1  # dana's invites did not change: the fingerprints agree, matched once
    assert (summary.added, summary.accepted) == (4, 2)
    assert _keys_of(db, bob) == ["in:bob-prospect"]


def _keys_of(db, actor) -> list[str]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Invite.prospect_key).where(Invite.member_id == actor.member_id)))


def test_an_invite_logged_while_the_import_plans_is_already_there(db, dana, monkeypatch):
    """The member logs a prospect of the file meanwhile: the write sees the change and matches again.

    Priya is among the connections: without matching again, the import would add her as accepted
    beside the pending invite just logged (the unique index only covers pending invites)."""
    calls = _during_planning(monkeypatch, lambda: _log(db, dana, "https://www.linkedin.com/in/priya-natarajan-4b1a2c"))
    summary = import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    assert len(calls) == 2
    assert (summary.added, summary.already_there, summary.accepted) == (3, 1, 2)
    priyas = [i for i in snapshot(db)[0] if i[2] == "in:priya-natarajan-4b1a2c"]
    assert [(i[7], i[10]) for i in priyas] == [("accepted", "command")]


def test_an_outcome_the_plan_missed_is_not_overwritten(db, dana, monkeypatch):
    """Declined by hand while the import planned, and (forced here) unseen by the write's check:
    the import accepts only invites still pending, and counts and audits only those."""
    _log(db, dana, "https://www.linkedin.com/in/priya-natarajan-4b1a2c")
    _during_planning(monkeypatch, lambda: record_outcome(
        db, dana, InviteRef(prospect_key="in:priya-natarajan-4b1a2c"), Status.DECLINED, now=NOW))
    real_load = importing._load
    monkeypatch.setattr(importing, "_fingerprint", lambda session, actor: "blind")
    monkeypatch.setattr(importing, "_load", _remember_first_fingerprint(real_load, blind_value="blind"))
    summary = import_upload(db, dana, "Connections.csv", fixture("Connections.csv"), now=NOW, change_id="m" * 36)
    assert summary.accepted == 0
    priya = invites_by_key(db)["in:priya-natarajan-4b1a2c"]
    assert priya.status == "declined"
    assert not was_imported(db, dana, "m" * 36)  # no audit row claims an acceptance


def test_a_lost_race_with_a_logged_invite_is_retried_once(db, dana, monkeypatch):
    """Logged after the write checked (PostgreSQL's last instant): the unique index refuses, the retry counts it."""
    calls = _during_planning(monkeypatch, lambda: _log(db, dana, "https://www.linkedin.com/in/li-lei-8a7b6c"))
    real_fingerprint = importing._fingerprint
    checks = []

    def blind(session, actor):
        checks.append(1)
        # The first check misses the change, as if the invite were committed right after it.
        return None if len(checks) == 1 else real_fingerprint(session, actor)

    monkeypatch.setattr(importing, "_fingerprint", blind)
    monkeypatch.setattr(importing, "_load", _remember_first_fingerprint(importing._load, blind_value=None))
    summary = import_upload(db, dana, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    assert len(calls) == 2 and len(checks) == 2  # the first attempt failed on the index, the second matched it
    assert (summary.added, summary.already_there) == (3, 1)
    assert len(snapshot(db)[0]) == 4


def _remember_first_fingerprint(real_load, *, blind_value):
    """_load whose first snapshot carries `blind_value` as fingerprint (what the blind check returns)."""
    loads = []

    def load(session, actor):
        loads.append(1)
        found = real_load(session, actor)
        if len(loads) == 1:
            found.fingerprint = blind_value
        return found

    return load


def test_undo_reverts_an_import_as_one_change(db, dana):
    request = LogRequest((prospect_from_url("https://www.linkedin.com/in/priya-natarajan-4b1a2c"),), None, None,
                         None, SentSpec(day=date(2026, 3, 1)), Priority.NORMAL, False)
    log_invites(db, dana, request, now=NOW - timedelta(days=1))
    before = snapshot(db)[0]
    import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    undone = undo_last(db, dana, now=NOW)
    assert len(undone.reverted) == 4  # three added (one accepted at once), one accepted by hand's invite
    after = snapshot(db)[0]
    assert [(i[2], i[7]) for i in after] == [(i[2], i[7]) for i in before]


def _big_export(n: int) -> bytes:
    start = datetime(2024, 1, 1, 9, 0)
    invitations, connections = [INV_HEADER], [CONN_HEADER]
    for i in range(n):
        t = start + timedelta(minutes=7 * i)
        sent = f"{t.month}/{t.day}/{t.year % 100}, {(t.hour % 12) or 12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
        invitations.append(f'Dana Reyes,Person {i},"{sent}",,OUTGOING,{DANA},https://www.linkedin.com/in/person-{i}\n')
        if i % 2 == 0:
            connections.append(f"Person,{i},https://www.linkedin.com/in/person-{i},,Acme,CEO,{t + timedelta(days=3):%d %b %Y}\n")
    return make_zip({"Invitations.csv": "".join(invitations).encode(), "Connections.csv": "".join(connections).encode()})


@pytest.mark.slow
def test_twenty_thousand_rows_import_set_based(db, dana):
    data = _big_export(20_000)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        summary = import_upload(db, dana, ZIP_NAME, data, now=NOW)
        first = len(statements)
        again = import_upload(db, dana, ZIP_NAME, data, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert (summary.added, summary.accepted) == (20_000, 10_000)
    assert (again.added, again.already_there, again.accepted) == (0, 20_000, 0)
    # Set-based: a handful of statements for 20,000 rows (one per row would be 40,000).
    assert first <= 12 and len(statements) - first <= 8, statements


# --------------------------------------------------------------------------------------------
# The pure half


SLUG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=120)


@given(slug=SLUG, form=st.sampled_from([
    "https://www.linkedin.com/in/{}", "https://www.linkedin.com/in/{}/", "https://linkedin.com/in/{}",
    "https://www.linkedin.com/in/{}?trk=x", "https://www.linkedin.com/in/{}".upper(),
]))
def test_the_fast_path_agrees_with_prospect_from_url(slug, form):
    url = form.format(slug)
    try:
        expected = prospect_from_url(url)
    except NotAProfileUrl:
        with pytest.raises(NotAProfileUrl):
            prospect_of(url)
        return
    assert prospect_of(url).key == expected.key
    if url.startswith("https://www.linkedin.com/in/") and url == expected.url:
        assert prospect_of(url) == expected


CELL = st.text(alphabet=st.sampled_from('ab ,"\n\u202fé李;0123456789/:-APMUTC'), max_size=14)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELL, min_size=7, max_size=7), max_size=8),
    header=st.sampled_from([INV_HEADER, CONN_HEADER, "From,To,Sent At,Message,Direction\n"]),
    direction=st.sampled_from(["OUTGOING", "INCOMING", ""]),
)
def test_generated_rows_plan_without_surprises(rows, header, direction):
    body = "".join(
        ",".join('"' + c.replace('"', '""') + '"' for c in row[:4] + [direction] + row[5:]) + "\n" for row in rows
    )
    try:
        parsed = parse_upload("upload.csv", (header + body).encode())
    except UnsupportedFile:
        return
    plan = plan_import(parsed, tz=NY, now=NOW, cooldown_days=21)
    assert len(plan.invites) + plan.repeated + len(plan.rejected) >= len(parsed.outgoing)
    assert all(invite.sent_at.tzinfo is not None and len(invite.key) <= 300 for invite in plan.invites)
    assert len({invite.key for invite in plan.invites}) == len(plan.invites)


def test_odd_characters_survive_the_bulk_insert(db, dana):
    name = 'Zoë "Z" O\'Brien \\ back\tslash 🚀 <@U1>'
    cell = '"' + name.replace('"', '""') + '"'
    text = INV_HEADER + f'Dana Reyes,{cell},"5/1/26, 9:00 AM",,OUTGOING,{DANA},https://www.linkedin.com/in/zo%C3%AB-o\n'
    assert import_upload(db, dana, "Invitations.csv", text.encode(), now=NOW).added == 1
    invite = invites_by_key(db)["in:zoë-o"]
    assert invite.name == name and invite.url == "https://www.linkedin.com/in/zo%C3%AB-o"


def test_bulk_rows_are_stored_as_sqlalchemy_stores_them(db, dana):
    import_upload(db, dana, ZIP_NAME, export_zip(), now=NOW)
    expected = at_ny(2026, 3, 4, 9, 7)
    with db.session(write=False) as s:
        # Compared in SQL: on SQLite a datetime stored in another text form would not be equal.
        assert s.scalar(select(Invite.prospect_key).where(Invite.sent_at == expected)) == "in:priya-natarajan-4b1a2c"
        assert s.scalar(select(func.count()).select_from(Invite).where(Invite.created_at == NOW, Invite.with_note)) == 2
        assert s.scalar(select(func.count()).select_from(InviteEvent).where(InviteEvent.at == NOW)) == 4
