"""GET /metrics of one process: what each kind of work adds to it (the multi-worker scrape: tests/e2e/test_workers.py)."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.services import ledger
from bot.services.importing import import_upload
from bot.web import WebApp
from tests.conftest import NOW
from tests.support.factories import make_member
from tests.support.linkedin import fixture
from tests.support.signing import command_body, sign
from tests.support.wsgi import call


@pytest.fixture
def web(slack, db):
    return WebApp(slack.app, db)


def scrape(web) -> dict[tuple[str, tuple], float]:
    response = call(web, "GET", "/metrics")
    assert response.status == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.body) for s in family.samples}


def grew(before, after, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def command(web, text_: str):
    body = command_body("/invites", text_)
    return call(web, "POST", "/slack/events", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})


def test_commands_count_by_outcome_with_latency(web):
    before = scrape(web)
    assert command(web, "help").status == 200
    assert command(web, "frobnicate").status == 200  # a usage error: answered, counted as such
    after = scrape(web)
    assert grew(before, after, "invite_hygiene_requests_total", kind="command", outcome="ok") == 1
    assert grew(before, after, "invite_hygiene_requests_total", kind="command", outcome="error:UsageError") == 1
    assert grew(before, after, "invite_hygiene_request_seconds_count", kind="command", outcome="ok") == 1


def test_requests_refused_before_bolt_count_too(web):
    before = scrape(web)
    body = command_body("/invites", "list")
    assert call(web, "POST", "/slack/events", body=body, headers={"Content-Type": "text/plain", **sign(body)}).status == 415
    assert grew(before, scrape(web), "invite_hygiene_requests_total", kind="other", outcome="refused") == 1


def test_deliveries_count_sent_and_skipped(web, db):
    make_member(db, "U1", now=NOW)
    before = scrape(web)
    for _ in range(2):  # the second finds the ledger's row: skipped, not sent twice
        ledger.deliver(db, team_id="T1", recipient="U1", kind="daily_digest", local_date=date(2026, 11, 18), now=NOW,
                       post=lambda held: ("D1", "1.0"), what="test")
    after = scrape(web)
    assert grew(before, after, "invite_hygiene_deliveries_total", kind="daily_digest", outcome="sent") == 1
    assert grew(before, after, "invite_hygiene_deliveries_total", kind="daily_digest", outcome="skipped") == 1


def test_import_rows_count_by_outcome(web, db):
    actor = make_member(db, "U1", now=NOW)
    before = scrape(web)
    summary = import_upload(db, actor, "Invitations.csv", fixture("Invitations.csv"), now=NOW)
    after = scrape(web)
    assert summary.added > 0
    assert grew(before, after, "invite_hygiene_import_rows_total", outcome="added") == summary.added
    assert grew(before, after, "invite_hygiene_import_rows_total", outcome="incoming_skipped") == summary.incoming_skipped


def test_database_errors_count_by_class(web, db):
    before = scrape(web)
    with pytest.raises(Exception), db.session() as session:  # noqa: B017 - the driver's own class differs by backend
        session.execute(text("SELECT * FROM no_such_table"))
    after = scrape(web)
    grown = {labels: after[(name, labels)] - before.get((name, labels), 0.0)
             for name, labels in after if name == "invite_hygiene_database_errors_total"}
    assert sum(grown.values()) == 1
    ((_, error_class),) = next(labels for labels, n in grown.items() if n)
    assert error_class in {"OperationalError", "UndefinedTable"}


def test_oauth_pages_count_as_oauth(db, fake_slack):
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.slack.app import create_app, install_for
    from tests.support.signing import SIGNING_SECRET

    settings = Settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                        slack_client_secret="oauth-client-secret-abc", slack_api_url=fake_slack.base_url)
    clock = FixedClock(NOW)
    web = WebApp(create_app(settings, db, clock=clock, install=install_for(settings, db, clock)), db)
    before = scrape(web)
    assert call(web, "GET", "/slack/install").status == 200
    after = scrape(web)
    assert grew(before, after, "invite_hygiene_requests_total", kind="oauth", outcome="ok") == 1
    assert "oauth-client-secret-abc" not in call(web, "GET", "/metrics").body
