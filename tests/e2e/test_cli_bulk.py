"""`invite-hygiene import` and `export` as an operator runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli_bulk import add_parsers, cmd_export, cmd_import
from bot.config import Settings
from bot.db.models import Invite
from tests.e2e.conftest import console_script
from tests.support.linkedin import FIXTURES


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "Basic_LinkedInDataExport_11-20-2026.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "Invitations.csv", "Invitations.csv")
        archive.write(FIXTURES / "Connections.csv", "Connections.csv")
    return path


@pytest.fixture
def run(db, monkeypatch, tmp_path):
    """Parse argv with the real subcommand definitions and run the command against the test database."""
    url = db.engine.url.render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=url)
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str) -> int:
        parser = argparse.ArgumentParser(prog="invite-hygiene")
        add_parsers(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(argv)
        return {"import": cmd_import, "export": cmd_export}[args.command](settings, args)

    return invoke


def invites(db) -> dict[str, Invite]:
    with db.session(write=False) as s:
        return {i.prospect_key: i for i in s.scalars(select(Invite))}


def test_import_prints_the_summary_and_again_changes_nothing(run, db, export_file, capsys):
    assert run("import", str(export_file), "--team", "T1", "--user", "U1") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:6] == [
        "Imported Basic_LinkedInDataExport_11-20-2026.zip (Invitations.csv, Connections.csv).",
        "• 4 invites added",
        "• 2 invites marked accepted",
        "• 2 incoming invitations skipped (only the ones you sent are logged)",
        "• 2 of 4 connections matched no invite of yours (connected another way, or never logged)",
        "• 1 unmatched: Aiko Tanaka: a member-id or Sales Navigator link can't be matched to a connection, so mark "
        "it yourself with /invites accepted <name>",
    ]
    assert not any(line.startswith("• 0 ") for line in out[2:])
    stored = invites(db)
    # An unknown member's zone is the workspace's (UTC by default).
    assert stored["in:priya-natarajan-4b1a2c"].sent_at.isoformat() == "2026-03-04T09:07:00+00:00"
    assert run("import", str(export_file), "--team", "T1", "--user", "U1") == 0
    again = capsys.readouterr().out
    assert "• 0 invites added" in again and "• 4 already there" in again and "• 0 invites marked accepted" in again
    assert len(invites(db)) == 4


def test_dry_run_and_time_zone(run, db, export_file, capsys):
    assert run("import", str(export_file), "--team", "T1", "--user", "U1", "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run of Basic_LinkedInDataExport_11-20-2026.zip") and "4 invites would be added" in out
    assert invites(db) == {}
    assert run("import", str(FIXTURES / "Invitations.csv"), "--team", "T1", "--user", "U1", "--tz", "Asia/Tokyo") == 0
    assert invites(db)["in:priya-natarajan-4b1a2c"].sent_at.isoformat() == "2026-03-04T00:07:00+00:00"


def test_refusals_are_clear_and_change_nothing(run, db, tmp_path, capsys):
    garbage = tmp_path / "Invitations.csv"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert run("import", str(garbage), "--team", "T1", "--user", "U1") == 1
    err = capsys.readouterr().err
    assert "the file is a PNG image, not a CSV" in err and "This app reads Invitations.csv" in err
    assert run("import", str(tmp_path / "missing.csv"), "--team", "T1", "--user", "U1") == 2
    assert "cannot read" in capsys.readouterr().err
    assert run("import", str(garbage), "--team", "T1", "--user", "U1", "--tz", "Mars/Olympus") == 2
    assert "not an IANA time zone" in capsys.readouterr().err
    big = tmp_path / "Connections.csv"
    with big.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    assert run("import", str(big), "--team", "T1", "--user", "U1") == 1
    assert "Connections.csv is 65.0 MB, over the 64 MB limit" in capsys.readouterr().err
    assert invites(db) == {}
    with pytest.raises(SystemExit):
        run("import", str(garbage), "--team", "T1")  # --user is required
    assert "--user" in capsys.readouterr().err


def test_an_export_over_the_slack_upload_bound_imports_from_the_command_line(run, db, tmp_path, capsys):
    """Slack uploads stop at 20 MB; a big export (250,000 rows is about 37 MB) is imported here."""
    path = tmp_path / "Invitations.csv"
    lines = (FIXTURES / "Invitations.csv").read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[1] + "\n" + "\n" * (21 * 1024 * 1024))
    assert run("import", str(path), "--team", "T1", "--user", "U1") == 0
    assert "• 1 invite added" in capsys.readouterr().out
    assert len(invites(db)) == 1


def test_export_writes_csv_on_stdout(run, db, export_file, capsys):
    run("import", str(export_file), "--team", "T1", "--user", "U1")
    run("import", str(FIXTURES / "Invitations_old.csv"), "--team", "T1", "--user", "U2")
    capsys.readouterr()
    assert run("export", "--team", "T1", "--user", "U1") == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out, newline="")))
    assert rows[0][:2] == ["prospect", "url"] and "user" not in rows[0]
    assert len(rows) == 5 and "exported 4 of U1's invites" in captured.err
    assert run("export", "--team", "T1") == 0
    team = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert team[0][-1] == "user" and sorted({r[-1] for r in team[1:]}) == ["U1", "U2"] and len(team) == 7


def test_the_console_script(tmp_path, export_file):
    """Through the installed `invite-hygiene` script, once bot/cli.py routes `import` and `export`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    help_text = subprocess.run([*console_script(), "--help"], capture_output=True, text=True, env=env, cwd=tmp_path)
    if " import " not in help_text.stdout and "import," not in help_text.stdout:
        pytest.skip("bot/cli.py does not route `import` and `export` to bot.cli_bulk yet")
    done = subprocess.run([*console_script(), "import", str(export_file), "--team", "T1", "--user", "U1"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "• 4 invites added" in done.stdout
    exported = subprocess.run([*console_script(), "export", "--team", "T1"], capture_output=True, env=env,
                              cwd=tmp_path, timeout=60)
    assert exported.returncode == 0
    assert exported.stdout.decode("utf-8").startswith("prospect,url,name,company,status,priority,with_note")


def test_the_import_summary_names_the_command_as_configured(db, monkeypatch, tmp_path, export_file, capsys):
    url = db.engine.url.render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=url, invites_command="/pile")
    monkeypatch.chdir(tmp_path)
    parser = argparse.ArgumentParser(prog="invite-hygiene")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    assert cmd_import(settings, parser.parse_args(["import", str(export_file), "--team", "T1", "--user", "U1"])) == 0
    out = capsys.readouterr().out
    assert "mark it yourself with /pile accepted <name>" in out and "/invites" not in out
