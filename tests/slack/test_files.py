"""Import by DM and export by command, through the real app against the fake Web API."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.db.models import Invite, InviteEvent
from bot.importing.linkedin import MAX_FILE_BYTES
from tests.support.factories import make_invites, make_member
from tests.support.harness import block_text
from tests.support.linkedin import ZIP_NAME, fixture, make_zip
from tests.support.signing import BOT_TOKEN

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
QUIET_S = 0.4  # how long to watch for a reply that must not come


def export_zip() -> bytes:
    return make_zip({"Invitations.csv": fixture("Invitations.csv"), "Connections.csv": fixture("Connections.csv")})


def file_shared(file_id: str, *, user: str = "U1", channel: str = "DU1", team: str = "T1") -> str:
    return json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event_id": f"Ev{file_id}", "event_time": 1763460000,
        "event": {"type": "file_shared", "channel_id": channel, "file_id": file_id, "user_id": user,
                  "file": {"id": file_id}, "event_ts": "1763460000.000100"},
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    })


def file_message(file_id: str, *, user: str = "U1", channel: str = "DU1", team: str = "T1") -> str:
    return json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event_id": f"EvM{file_id}", "event_time": 1763460000,
        "event": {"type": "message", "subtype": "file_share", "channel": channel, "channel_type": "im", "user": user,
                  "text": "", "files": [{"id": file_id, "name": "x.csv"}], "ts": "1763460000.000200"},
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    })


def send(slack, body: str, *, retry: int | None = None):
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    response = slack.dispatch(body, headers, content_type="application/json")
    assert response.status == 200, response.body
    return response


def dm_text(call) -> str:
    blocks = json.loads(call.params["blocks"]) if isinstance(call.params.get("blocks"), str) else call.params.get("blocks", [])
    return "\n".join([call.params.get("text", ""), *(block_text(b) for b in blocks)])


def count(db, model=Invite) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


def quiet(fake, method: str, expected: int) -> None:
    """No further call of `method` arrives (a lazy listener had time to run)."""
    time.sleep(QUIET_S)
    assert len(fake.of(method)) == expected


# --------------------------------------------------------------------------------------------
# Import


def test_a_zip_dmd_to_the_app_is_imported_and_summarised(slack, db, fake_slack):
    fake_slack.add_file("F1", ZIP_NAME, export_zip())
    started = time.perf_counter()
    response = send(slack, file_shared("F1"))
    assert time.perf_counter() - started < 2 and response.body == ""  # acked before the import
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert reply.params["channel"] == "DU1"
    text = dm_text(reply)
    for expected in ("Imported Basic_LinkedInDataExport_11-20-2026.zip", "4 invites added",
                     "2 invites marked accepted", "2 incoming invitations skipped", "1 unmatched: Aiko Tanaka"):
        assert expected in text
    assert "already there" not in text and "rows rejected" not in text  # nothing to say: not said
    info = fake_slack.of("files.info")[0]
    assert info.params["file"] == "F1"
    download = fake_slack.of("download")[0]
    assert download.params["file_id"] == "F1"
    assert download.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    with db.session(write=False) as s:
        priya = s.scalars(select(Invite).where(Invite.prospect_key == "in:priya-natarajan-4b1a2c")).one()
        vias = set(s.scalars(select(InviteEvent.via)))
    # U1 lives in Berlin: 9:07 AM there on March 4 is 08:07 UTC.
    assert priya.sent_at.isoformat() == "2026-03-04T08:07:00+00:00"
    assert priya.status == "accepted" and vias == {"import"}


def test_one_upload_sends_two_events_and_gets_one_reply(slack, db, fake_slack):
    fake_slack.add_file("F2", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_message("F2"))
    send(slack, file_shared("F2"))
    fake_slack.wait_for("chat.postMessage")
    quiet(fake_slack, "chat.postMessage", 1)
    assert len(fake_slack.of("files.info")) == 1 and count(db) == 4


def test_a_slack_retry_of_an_imported_file_is_dropped(slack, db, fake_slack):
    fake_slack.add_file("F3", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F3"))
    fake_slack.wait_for("chat.postMessage")
    send(slack, file_shared("F3"), retry=1)
    send(slack, file_shared("F3"), retry=2)
    quiet(fake_slack, "chat.postMessage", 1)
    assert len(fake_slack.of("download")) == 1 and count(db) == 4


def test_a_retry_whose_first_delivery_never_arrived_imports(slack, db, fake_slack):
    fake_slack.add_file("F4", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F4"), retry=1)
    assert "4 invites added" in dm_text(fake_slack.wait_for("chat.postMessage")[0])


def big_invitations(rows: int) -> bytes:
    lines = ["From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"]
    for i in range(rows):
        lines.append(f'Dana Reyes,Person {i},"3/{1 + i % 28}/26, 9:{i % 60:02d} AM","Hi, met at the expo",OUTGOING,'
                     f"https://www.linkedin.com/in/dana-reyes-sales,https://www.linkedin.com/in/person-number-{i}")
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_says_it_is_importing_then_that_message_becomes_the_summary(slack, db, fake_slack):
    data = big_invitations(4000)
    assert len(data) > 512 * 1024
    fake_slack.add_file("FBIG", "Invitations.csv", data)
    send(slack, file_shared("FBIG"))
    update = fake_slack.wait_for("chat.update")[0]
    posted = fake_slack.of("chat.postMessage")
    assert len(posted) == 1 and "Importing Invitations.csv (0.6 MB)" in dm_text(posted[0])
    assert update.params["channel"] == "DU1" and update.params["ts"]
    assert "4000 invites added" in dm_text(update) and count(db) == 4000
    quiet(fake_slack, "chat.postMessage", 1)


def test_when_the_progress_message_cannot_be_updated_the_summary_is_posted(slack, db, fake_slack):
    fake_slack.add_file("FBIG2", "Invitations.csv", big_invitations(4000))
    fake_slack.queue("chat.update", {"ok": False, "error": "message_not_found"})
    send(slack, file_shared("FBIG2"))
    posted = fake_slack.wait_for("chat.postMessage", 2)
    assert "Importing Invitations.csv" in dm_text(posted[0]) and "4000 invites added" in dm_text(posted[1])


def test_a_small_file_gets_the_summary_alone(slack, db, fake_slack):
    fake_slack.add_file("FSMALL", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("FSMALL"))
    assert "4 invites added" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    quiet(fake_slack, "chat.postMessage", 1)
    assert fake_slack.of("chat.update") == []


def test_sending_the_same_file_again_replies_and_changes_nothing(slack, db, fake_slack):
    fake_slack.add_file("F5", "Invitations.csv", fixture("Invitations.csv"))
    fake_slack.add_file("F6", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F5"))
    fake_slack.wait_for("chat.postMessage")
    send(slack, file_shared("F6"))
    again = dm_text(fake_slack.wait_for("chat.postMessage", 2)[1])
    assert "0 invites added" in again and "4 already there" in again
    assert count(db) == 4


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("Invitations.csv", b"From,To,Sent At\n\"unclosed,1,2\n", "found no known header row"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "a JPEG image"),
        ("random.bin", bytes(range(256)) * 4, "binary"),
        (ZIP_NAME, b"PK\x03\x04" + b"\x00" * 40, "not a readable zip archive"),
    ],
)
def test_a_broken_or_foreign_file_is_refused_with_what_the_app_reads(slack, db, fake_slack, name, data, expected):
    fake_slack.add_file("F7", name, data)
    send(slack, file_shared("F7"))
    text = dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert f"I couldn't import {name}" in text and expected in text
    assert "This app reads Invitations.csv, Connections.csv" in text
    assert count(db) == 0


def test_a_zip_bomb_is_refused_by_its_declared_size(slack, db, fake_slack):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Invitations.csv", b"From,To,Sent At,Message,Direction\n" + b" " * MAX_FILE_BYTES)
    fake_slack.add_file("F8", ZIP_NAME, buffer.getvalue())
    send(slack, file_shared("F8"))
    assert "would unpack to 20.0 MB, over the 20 MB limit" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert count(db) == 0


def test_a_file_over_20_mb_is_refused_without_downloading_it(slack, db, fake_slack):
    fake_slack.add_file("F9", "Connections.csv", b"tiny", size=25 * 1024 * 1024)
    send(slack, file_shared("F9"))
    text = dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert "Connections.csv is 25.0 MB, over the 20 MB limit" in text
    assert fake_slack.of("download") == []


def test_a_download_longer_than_declared_is_cut_off(slack, db, fake_slack):
    fake_slack.add_file("F10", "Invitations.csv", b"x" * (MAX_FILE_BYTES + 100_000), size=1000)
    send(slack, file_shared("F10"))
    text = dm_text(fake_slack.wait_for("chat.postMessage", timeout=15)[0])
    assert "Invitations.csv is more than 20 MB, over the 20 MB limit" in text
    assert count(db) == 0


def test_files_info_failing_gets_a_clear_dm_and_stores_nothing(slack, db, fake_slack):
    fake_slack.queue("files.info", {"ok": False, "error": "file_not_found"})
    send(slack, file_shared("FGONE"))
    text = dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert "Slack would not let me read that file (file_not_found)" in text and "nothing was imported" in text
    assert fake_slack.of("download") == [] and count(db) == 0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((403, {}, b"forbidden"), "Slack answered HTTP 403 when I downloaded Invitations.csv"),
        ((500, {}, b"oops"), "Slack answered HTTP 500"),
        ((200, {"Content-Type": "text/html; charset=utf-8"}, b"<html>Sign in</html>"), "files:read"),
    ],
)
def test_a_failed_download_gets_a_clear_dm_and_stores_nothing(slack, db, fake_slack, answer, expected):
    fake_slack.add_file("F11", "Invitations.csv", fixture("Invitations.csv"))
    fake_slack.queue("download", answer)
    send(slack, file_shared("F11"))
    text = dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert expected in text and count(db) == 0


def test_the_token_is_only_sent_to_slack(slack, db, fake_slack):
    fake_slack.add_file("F12", "Invitations.csv", b"", url_private_download="https://files.evil.example/x.csv")
    send(slack, file_shared("F12"))
    assert "is not stored on Slack" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    assert fake_slack.of("download") == []


def test_files_outside_the_dm_and_the_apps_own_uploads_are_ignored(slack, db, fake_slack):
    fake_slack.add_file("F13", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F13", channel="C1"))
    send(slack, file_shared("F13", user="UBOT", channel="DU1"))  # the export the app just uploaded
    quiet(fake_slack, "chat.postMessage", 0)
    assert fake_slack.of("files.info") == [] and count(db) == 0


def test_a_database_failure_during_import_is_dmd_with_an_error_id(slack, db, fake_slack, monkeypatch):
    from bot.services import importing

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(importing, "import_plan", broken)
    fake_slack.add_file("F14", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F14"))
    assert "error id" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    # The failure released the file: the upload's other event (or a retry) imports it once it works.
    monkeypatch.undo()
    send(slack, file_message("F14"))
    assert "4 invites added" in dm_text(fake_slack.wait_for("chat.postMessage", 2)[1])
    assert count(db) == 4


def test_a_message_with_the_file_alone_imports_it(slack, db, fake_slack):
    """Some Slack clients' uploads reach the app as the message event only."""
    fake_slack.add_file("F20", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_message("F20"))
    assert "4 invites added" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    quiet(fake_slack, "chat.postMessage", 1)
    assert count(db) == 4


def test_file_shared_first_then_its_message_gets_one_reply(slack, db, fake_slack):
    fake_slack.add_file("F21", "Invitations.csv", fixture("Invitations.csv"))
    send(slack, file_shared("F21"))
    send(slack, file_message("F21"))
    send(slack, file_message("F21"), retry=1)
    fake_slack.wait_for("chat.postMessage")
    quiet(fake_slack, "chat.postMessage", 1)
    assert len(fake_slack.of("files.info")) == 1 and count(db) == 4


def test_a_message_with_two_files_imports_both(slack, db, fake_slack):
    fake_slack.add_file("F22", "Invitations.csv", fixture("Invitations.csv"))
    fake_slack.add_file("F23", "Connections.csv", fixture("Connections.csv"))
    body = json.loads(file_message("F22"))
    body["event"]["files"].append({"id": "F23", "name": "Connections.csv"})
    send(slack, json.dumps(body))
    replies = [dm_text(call) for call in fake_slack.wait_for("chat.postMessage", 2)]
    assert any("4 invites added" in r for r in replies) and any("Imported Connections.csv" in r for r in replies)


def test_a_broken_file_gets_one_refusal_for_its_two_events(slack, db, fake_slack):
    fake_slack.add_file("F24", "notes.csv", b"hello,world\n1,2\n")
    send(slack, file_shared("F24"))
    send(slack, file_message("F24"))
    assert "found no known header row" in dm_text(fake_slack.wait_for("chat.postMessage")[0])
    quiet(fake_slack, "chat.postMessage", 1)


def test_the_apps_own_upload_message_is_ignored(slack, db, fake_slack):
    fake_slack.add_file("F25", "invites-2026-11-18.csv", b"prospect,url\n")
    send(slack, file_message("F25", user="UBOT"))
    quiet(fake_slack, "chat.postMessage", 0)
    assert fake_slack.of("files.info") == []


# --------------------------------------------------------------------------------------------
# Export


def uploaded_csv(fake_slack) -> tuple[list[list[str]], dict]:
    complete = fake_slack.wait_for("files.completeUploadExternal")[0]
    listed = json.loads(complete.params["files"])
    data = fake_slack.uploads[listed[0]["id"]]
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))), complete.params


def test_export_dms_a_csv_of_the_members_invites(slack, db, fake_slack):
    slack.invited("https://www.linkedin.com/in/jane-doe =Jane Doe, Acme")
    slack.invited("https://www.linkedin.com/in/tom-x", user="U2")
    answer = slack.invites("export")
    assert answer.status == 200 and "Sending your CSV in a DM" in answer.text
    rows, params = uploaded_csv(fake_slack)
    assert rows[0] == ["prospect", "url", "name", "company", "status", "priority", "with_note", "sent_at",
                       "status_changed_at", "source", "comment"]
    assert [r[:5] for r in rows[1:]] == [
        ["in:jane-doe", "https://www.linkedin.com/in/jane-doe", "'=Jane Doe", "Acme", "pending"]
    ]
    assert params["channel_id"] == "DU1"
    assert "Your 1 invite as CSV" in params["initial_comment"]
    get_url = fake_slack.of("files.getUploadURLExternal")[0].params
    assert get_url["filename"] == "invites-2026-11-18.csv" and int(get_url["length"]) > 100


def test_export_team_is_for_admins(slack, db, fake_slack):
    make_invites(db, make_member(db, "U2", now=NOW), [{"key": "in:tom-lead", "days_ago": 1}], now=NOW)
    refused = slack.invites("export team")
    assert "Only workspace admins and owners can export the whole team" in refused.text
    quiet(fake_slack, "files.getUploadURLExternal", 0)

    fake_slack.add_user("UADMIN", tz="UTC", name="Ada")  # in ADMIN_USER_IDS
    assert "Sending the team's CSV in a DM" in slack.invites("export team", user="UADMIN").text
    rows, params = uploaded_csv(fake_slack)
    assert rows[0][-1] == "user" and [(r[0], r[-1]) for r in rows[1:]] == [("in:tom-lead", "U2")]
    assert params["channel_id"] == "DUADMIN"


def test_a_slack_workspace_owner_may_export_the_team(slack, db, fake_slack):
    fake_slack.add_user("UOWN", tz="UTC", name="Olu", is_owner=True)
    assert "Sending the team's CSV" in slack.invites("export team", user="UOWN").text
    rows, _ = uploaded_csv(fake_slack)
    assert rows[0][-1] == "user"


def test_a_failed_upload_is_dmd(slack, db, fake_slack):
    fake_slack.queue("files.getUploadURLExternal", {"ok": False, "error": "not_allowed_token_type"})
    assert "Sending your CSV" in slack.invites("export").text
    failure = fake_slack.wait_for("chat.postMessage")[0]
    assert failure.params["channel"] == "U1" and "error id" in dm_text(failure)


def test_typing_to_the_app_gets_a_short_explanation_not_a_retry(slack, fake_slack):
    response = slack.event({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1",
                            "text": "hello?", "ts": "1.1"})
    assert response.status == 200
    (post,) = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1" and "/invites help" in post.params["text"]
    edited = slack.event({"type": "message", "subtype": "message_changed", "channel": "D1", "channel_type": "im"})
    assert edited.status == 200
