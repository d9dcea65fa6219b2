"""`invite-hygiene sweep` as an operator runs it: JSON lines, real deliveries, exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from tests.support.factories import make_invites, make_member
from tests.support.signing import BOT_TOKEN

WED = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)


@pytest.fixture
def cli_env(db, fake_slack, monkeypatch, tmp_path):
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    monkeypatch.chdir(tmp_path)


def run(capsys, *args):
    assert main(["sweep", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_dry_run_then_real_run_at_local_nine_in_each_zone(db, cli_env, fake_slack, capsys):
    tokyo = make_member(db, "UTOKYO", tz="Asia/Tokyo", now=WED)
    chicago = make_member(db, "UCHI", tz="America/Chicago", now=WED)
    make_invites(db, tokyo, [{"key": "in:t-stale", "days_ago": 16}, {"key": "in:t-fresh", "days_ago": 1}], now=WED)
    make_invites(db, chicago, [{"key": "in:c-stale", "days_ago": 15, "priority": "low"},
                               {"key": "in:c-high", "days_ago": 20, "priority": "high"}], now=WED)
    # 00:30 UTC Wednesday: 09:30 in Tokyo (due), 18:30 Tuesday in Chicago (due for Tuesday).
    lines = run(capsys, "--dry-run", "--now", "2026-11-18T00:30:00Z")
    by_user = {line["user"]: line for line in lines}
    assert by_user["UTOKYO"] == {
        "team": "T1", "user": "UTOKYO", "kind": "daily_digest", "local_date": "2026-11-18", "pending": 2,
        "risk": "ok", "stale": ["in:t-stale"], "batch": ["in:t-stale"], "expired": [], "reinvite": [],
    }
    assert by_user["UCHI"]["local_date"] == "2026-11-17" and by_user["UCHI"]["stale"] == ["in:c-stale"]
    assert fake_slack.of("chat.postMessage") == []
    sent = run(capsys, "--now", "2026-11-18T00:30:00Z")
    assert sorted(line["user"] for line in sent) == ["UCHI", "UTOKYO"]
    assert len(fake_slack.of("chat.postMessage")) == 2
    assert run(capsys, "--now", "2026-11-18T01:30:00Z") == []
    # Chicago's Wednesday 09:00 is 15:00 UTC: its next digest, the high-priority invite still not stale (20 < 28).
    later = run(capsys, "--now", "2026-11-18T15:00:00Z")
    assert [(line["user"], line["local_date"], line["batch"]) for line in later] == [
        ("UCHI", "2026-11-18", ["in:c-stale"])
    ]


def test_team_filter(db, cli_env, capsys):
    a = make_member(db, "UA", team_id="TA", now=WED)
    b = make_member(db, "UB", team_id="TB", now=WED)
    make_invites(db, a, [{"key": "in:x", "days_ago": 20}], now=WED)
    make_invites(db, b, [{"key": "in:y", "days_ago": 20}], now=WED)
    lines = run(capsys, "--dry-run", "--team", "TB", "--now", "2026-11-18T10:00:00Z")
    assert [line["team"] for line in lines] == ["TB"]


def test_bad_now_is_a_clear_error(db, cli_env, capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--now", "yesterday-ish"])
    assert "not an ISO-8601 instant" in capsys.readouterr().err


def test_purge_needs_the_confirmation_flag(db, cli_env, capsys):
    make_member(db, "UA", team_id="TA", now=WED)
    assert main(["purge", "--team", "TA"]) == 2
    assert "--yes-delete-everything" in capsys.readouterr().err
    assert main(["purge", "--team", "TA", "--yes-delete-everything"]) == 0
    assert "purged TA: 1 members, 0 invites" in capsys.readouterr().out
