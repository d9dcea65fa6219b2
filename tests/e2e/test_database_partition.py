"""A silent database partition under the running `invite-hygiene serve`: bounded answers, nothing saved.

The link to PostgreSQL accepts connections and then drops every byte (TcpProxy.stall): no error,
no reset, just silence. A command must still answer inside Slack's 3 seconds that nothing was
saved, /healthz must say 503 inside 2 seconds, and once the link heals (and delivers the bytes
it held) the invite must not appear in the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.conftest import Server, start_server
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

DB_DOWN_WORDS = ("temporarily unavailable", "nothing was saved")


def _keys(pg_url: str) -> set[str]:
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, connect_timeout=3) as conn:
        return {row[0] for row in conn.execute("SELECT prospect_key FROM invites")}


def _timed(call):
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


@pytest.fixture
def proxied(pg_url: str, tmp_path, e2e_slack) -> Iterator[tuple[Server, TcpProxy]]:
    url = make_url(pg_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    server = start_server(tmp_path, {
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": e2e_slack.base_url, "DATABASE_URL": through,
    }, ["--no-scheduler", "--threads", "4"])
    try:
        yield server, proxy
    finally:
        proxy.resume()
        server.process.terminate()
        server.process.wait(10)
        proxy.stop()


def test_a_stalled_link_answers_in_time_and_saves_nothing(proxied, pg_url):
    server, proxy = proxied
    status, reply = server.command("/invited", "https://www.linkedin.com/in/before-partition")
    assert status == 200 and "Logged 1 invite" in reply["text"]

    proxy.stall()
    took, (status, reply) = _timed(lambda: server.command("/invited", "https://www.linkedin.com/in/during-partition"))
    print(f"/invited while stalled: {took:.2f} s")
    assert status == 200 and all(words in reply["text"] for words in DB_DOWN_WORDS), reply
    assert took < 3.0
    took, (status, body) = _timed(lambda: server.get("/healthz"))
    print(f"/healthz while stalled: {took:.2f} s")
    assert status == 503 and json.loads(body)["database"] == "down"
    assert took < 2.0
    # Several at once (each waits for its own budget, none queues behind another's).
    took, (status, reply) = _timed(lambda: server.command("/invites", "list"))
    assert took < 3.0 and all(words in reply["text"] for words in DB_DOWN_WORDS), reply

    proxy.resume()  # the held bytes (BEGIN, the INSERT...) now reach the server, late
    deadline = time.monotonic() + 10
    while server.get("/healthz")[0] != 200:
        assert time.monotonic() < deadline, "not healthy again after the link healed"
        time.sleep(0.1)
    time.sleep(1.0)  # whatever the server received late has run by now
    keys = _keys(pg_url)
    assert "in:before-partition" in keys
    assert "in:during-partition" not in keys
    status, reply = server.command("/invited", "https://www.linkedin.com/in/after-partition")
    assert "Logged 1 invite" in reply["text"]
    assert "in:after-partition" in _keys(pg_url)


def test_a_commit_held_by_the_link_and_delivered_late_does_not_commit(proxied, pg_url):
    # The worst moment: the INSERT was answered, the COMMIT is on the wire when the link goes
    # silent. The client cannot know whether it committed and says so; when the link heals the
    # server receives the COMMIT after the client's deadline and refuses it.
    server, proxy = proxied
    proxy.stall_on(b"COMMIT", after=b"INSERT INTO invites")
    took, (status, reply) = _timed(lambda: server.command("/invited", "https://www.linkedin.com/in/commit-in-flight"))
    print(f"/invited with its COMMIT held: {took:.2f} s")
    assert status == 200 and "temporarily unavailable" in reply["text"], reply
    assert "may not have been saved" in reply["text"]
    assert took < 3.0
    proxy.resume()  # the COMMIT (and then the client's goodbye) reach the server now
    deadline = time.monotonic() + 10
    while server.get("/healthz")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1.0)
    assert "in:commit-in-flight" not in _keys(pg_url)
    status, reply = server.command("/invited", "https://www.linkedin.com/in/commit-in-flight")
    assert "Logged 1 invite" in reply["text"]
