"""The running `invite-hygiene serve`, driven only through signed HTTP requests."""

from __future__ import annotations

import json
import subprocess
import time

from tests.e2e.conftest import console_script, start_server
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, command_body, sign


def test_healthz_answers_json(server):
    status, body = server.get("/healthz")
    assert status == 200
    assert json.loads(body)["database"] == "ok"


def test_command_round_trip(server):
    status, reply = server.command("/invited", "https://www.linkedin.com/in/e2e-jane Jane, Acme --note")
    assert status == 200
    assert reply["response_type"] == "ephemeral"
    assert "Logged 1 invite" in reply["text"]
    status, reply = server.command("/invites", "list")
    assert "e2e-jane" in json.dumps(reply)
    status, reply = server.command("/invites", "accepted e2e-jane")
    assert "accepted" in reply["text"]


def test_wrong_signature_is_refused_and_changes_nothing(server):
    body = command_body("/invited", "https://www.linkedin.com/in/forged-one")
    status, _ = server.post(body, sign(body, secret="not-the-secret"))
    assert status == 401
    _, reply = server.command("/invites", "list all")
    assert "forged-one" not in json.dumps(reply)


def test_stale_timestamp_is_refused(server):
    body = command_body("/invited", "https://www.linkedin.com/in/stale-one")
    status, _ = server.post(body, sign(body, timestamp=int(time.time()) - 6 * 60))
    assert status == 401
    _, reply = server.command("/invites", "list all")
    assert "stale-one" not in json.dumps(reply)


def test_altered_body_is_refused(server):
    body = command_body("/invited", "https://www.linkedin.com/in/original")
    headers = sign(body)
    status, _ = server.post(body.replace("original", "altered"), headers)
    assert status == 401


def test_missing_signature_headers_and_non_slack_content(server):
    body = command_body("/invited", "https://www.linkedin.com/in/nosig")
    assert server.post(body, {})[0] == 401
    assert server.post(body, sign(body), content_type="text/plain")[0] == 415
    big = "x" * (1024 * 1024 + 10)
    assert server.post(big, sign(big))[0] == 413


def test_unknown_path_is_404(server):
    assert server.get("/nope")[0] == 404


def test_one_log_line_per_request_without_secrets_or_text(server):
    server.command("/invited", "https://www.linkedin.com/in/private-person-xyz")
    server.command("/invites", "frobnicate")
    time.sleep(0.2)
    logs = server.logs()
    assert "request team=T1 user=U1 command=/invited outcome=ok status=200" in logs
    assert "command=/invites outcome=error:UsageError status=200" in logs
    assert BOT_TOKEN not in logs and SIGNING_SECRET not in logs
    assert "private-person-xyz" not in logs


def test_missing_secret_stops_startup_naming_the_variable(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxb-real-looking-1", "HOME": str(tmp_path)}
    result = subprocess.run([*console_script(), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_SIGNING_SECRET" in lines[0]


def test_placeholder_token_is_refused(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxb-your-token", "SLACK_SIGNING_SECRET": "abc123def456",
           "HOME": str(tmp_path)}
    result = subprocess.run([*console_script(), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "SLACK_BOT_TOKEN" in result.stderr


def test_serve_migrates_a_fresh_postgres_free_sqlite_file(tmp_path, e2e_slack):
    srv = start_server(tmp_path, {
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": e2e_slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
    })
    try:
        assert srv.command("/invited", "https://linkedin.com/in/fresh-db")[1]["text"].startswith(":white_check_mark:")
    finally:
        srv.process.terminate()
        srv.process.wait(10)


def test_metrics_of_one_process(server):
    from prometheus_client.parser import text_string_to_metric_families

    server.command("/invites", "help")
    status, text = server.get("/metrics")
    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"invite_hygiene_requests", "invite_hygiene_request_seconds"} <= names
