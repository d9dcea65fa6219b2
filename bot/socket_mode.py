"""Socket Mode for `invite-hygiene socket`: Bolt's adapter on the websocket-client library.

Bolt's default adapter (`slack_bolt.adapter.socket_mode.SocketModeHandler`) runs slack-sdk's
built-in client, which takes a connection closed by a plain TCP FIN (no close frame: load
balancers, laptops changing networks) for "no data yet": it spins a core and stays deaf for about
a minute, until its ping check gives up (measured with slack-sdk 3.48: reconnected after 57 s,
54 s of CPU). websocket-client (a maintained, pure-Python, synchronous WebSocket client, which
slack-sdk and Bolt support as a first-class Socket Mode backend) treats EOF and a reset as the end
of the connection; slack-sdk's client then asks `apps.connections.open` for a new URL and is
connected again 0.5 s later, and while Slack cannot be reached it retries about once a second,
without spinning (tests/e2e/test_socket_mode.py).

`HardenedSocketModeClient` adds three things that slack-sdk's websocket-client flavour lacks:
- a pong deadline (websocket-client's own `ping_timeout`): a link that goes silent without a FIN
  or a RST (a NAT or proxy that forgot it) would otherwise only be noticed when TCP gives up,
  many minutes later; now within about 20 s;
- a `refresh_requested` disconnect no longer leaves the app deaf for up to the loop timeout: the
  old session is closed from the thread that runs it (`_retire`);
- no second `apps.connections.open` at every start (the monitor's first check used to take the
  session `connect()` had just made, not yet opened, for a dead one).
"""

from __future__ import annotations

import contextlib
import functools
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketApp

from bot.db import bounds

# A ping every 10 s (Bolt's default for this adapter); a pong later than 5 s ends the session, so a
# silent link is replaced within about 20 s. websocket-client wants ping_interval > ping_timeout.
PING_INTERVAL_S = 10.0
PONG_TIMEOUT_S = 5.0
# How long a session just made by connect() counts as connecting before the runner thread opens it.
PENDING_SESSION_GRACE_S = 10.0


class HardenedSocketModeClient(SocketModeClient):
    """slack-sdk's websocket-client Socket Mode client, with the three fixes above.

    `_run_current_session` (slack-sdk 3.x's loop body that runs the current session) is
    overridden only to add `ping_timeout` and note which session the runner took; the e2e tests
    (a silent link, refresh_requested, one apps.connections.open at start) fail if a slack-sdk
    upgrade bypasses these overrides.
    """

    pong_timeout: float = PONG_TIMEOUT_S
    _started: WebSocketApp | None = None  # the last session the runner thread picked up
    _created_at: float = 0.0

    def connect(self) -> None:
        old = self.current_session
        if old is not None:
            # super().connect() closes the session it replaces from this thread, while the runner
            # thread still waits in select() on that socket: the fd closes under it, it is not woken
            # and stays there until its ping_timeout, so the new session starts seconds late (5.5 s
            # after half the refresh_requested disconnects, measured). Hand the close to the runner.
            old.close = functools.partial(_retire, old)  # type: ignore[method-assign]
        self._created_at = time.monotonic()  # before: super().connect() starts the monitor
        super().connect()

    def is_connected(self) -> bool:
        """Also true for a session that `connect()` just made and the runner (every 0.5 s) has not
        opened yet: the monitor, whose first check runs the moment it starts, would otherwise take
        it for a dead one and call `apps.connections.open` a second time."""
        if super().is_connected():
            return True
        pending = self.current_session is not None and self.current_session is not self._started
        return pending and time.monotonic() - self._created_at < PENDING_SESSION_GRACE_S

    def _run_current_session(self) -> None:
        session = self.current_session
        if session is None:
            return
        self._started = session
        try:
            self.logger.info("Starting to receive messages from a new connection")
            session.run_forever(
                ping_interval=self.ping_interval,
                ping_timeout=self.pong_timeout,
                http_proxy_host=self.http_proxy_host,
                http_proxy_port=self.http_proxy_port,
                http_proxy_auth=self.http_proxy_auth,
                proxy_type=self.proxy_type,
            )
            self.logger.info("Stopped receiving messages from a connection")
        except Exception as error:  # the library's own loop does the same: log, close, let the monitor reconnect
            self.logger.exception(f"Failed to start or stop the current session: {error}")
            if self.current_session is not None:
                self.current_session.close()


def _retire(session: WebSocketApp, **_: object) -> None:
    """Stop `session` from the runner thread itself: end its loop at the next wake-up and send a
    ping, whose pong is that wake-up (at the latest the loop's own timeout, PONG_TIMEOUT_S); the
    runner then closes it with websocket-client's close handshake and moves on to the new one."""
    session.keep_running = False
    with contextlib.suppress(Exception):  # already gone: the runner is not waiting on it either
        if session.sock is not None:
            session.sock.ping()


class HardenedSocketModeHandler(SocketModeHandler):
    """Bolt's websocket-client adapter (its `handle` runs the app and sends the ack), on
    `HardenedSocketModeClient` and the app's own Web API client, so `apps.connections.open`
    goes to SLACK_API_URL with the app's retry handlers."""

    def __init__(self, app: App, app_token: str, ping_interval: float = PING_INTERVAL_S) -> None:
        # Mirrors SocketModeHandler.__init__ (which would start a client of its own, threads and all).
        self.app = app
        self.app_token = app_token
        self.client = HardenedSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client, ping_interval=ping_interval,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Run the app on one envelope with the same database budget as an HTTP request: on a silent
        partition the ack says "nothing was saved" in time instead of hanging the listener."""
        with bounds.deadline(bounds.REQUEST_DB_BUDGET_S):
            super().handle(client, req)
