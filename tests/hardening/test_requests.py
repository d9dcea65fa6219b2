"""Hostile or broken HTTP requests are refused before anything is stored or logged."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import func, select

from bot.db.models import Invite
from bot.web import WebApp
from tests.support.signing import SIGNING_SECRET, command_body, sign
from tests.support.wsgi import call

SECRET_TEXT = "https://www.linkedin.com/in/very-private-prospect"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def web(slack, db):
    return WebApp(slack.app, db)


def stored(db) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Invite))


def post(web, body, headers, content_type=FORM):
    return call(web, "POST", "/slack/events", body=body, headers={"Content-Type": content_type, **headers})


BODY = command_body("/invited", SECRET_TEXT)


BIG = BODY + "&x=" + "a" * (1024 * 1024)


def now() -> int:
    return int(time.time())


# Headers are built when the test runs, not when it is collected: a suite takes minutes.
@pytest.mark.parametrize(
    ("name", "headers", "body", "content_type", "status"),
    [
        ("wrong secret", lambda: sign(BODY, secret="wrong-secret-000000"), BODY, FORM, 401),
        ("altered body", lambda: sign(BODY), BODY.replace("very-private", "very-public"), FORM, 401),
        ("timestamp 6 minutes old", lambda: sign(BODY, timestamp=now() - 360), BODY, FORM, 401),
        ("timestamp 6 minutes ahead", lambda: sign(BODY, timestamp=now() + 360), BODY, FORM, 401),
        ("no signature headers", dict, BODY, FORM, 401),
        ("malformed signature", lambda: {"X-Slack-Request-Timestamp": str(now()), "X-Slack-Signature": "v1=zz"},
         BODY, FORM, 401),
        ("non-numeric timestamp", lambda: {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
         BODY, FORM, 401),
        ("not a Slack content type", lambda: sign(BODY), BODY, "text/plain", 415),
        ("body over 1 MB", lambda: sign(BIG), BIG, FORM, 413),
    ],
)
def test_refused_and_nothing_stored_or_logged(web, db, caplog, name, headers, body, content_type, status):
    caplog.set_level(logging.DEBUG)
    response = post(web, body, headers(), content_type)
    assert response.status == status, name
    assert stored(db) == 0
    assert "very-private-prospect" not in caplog.text
    assert SIGNING_SECRET not in caplog.text


def test_the_same_request_signed_right_is_accepted(web, db):
    response = post(web, BODY, sign(BODY))
    assert response.status == 200 and stored(db) == 1


def test_healthz_and_unknown_paths(web):
    assert call(web, "GET", "/healthz").status == 200
    assert call(web, "GET", "/slack/events").status == 404
    assert call(web, "DELETE", "/slack/events").status == 404
