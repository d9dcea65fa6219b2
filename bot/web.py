"""The HTTP face of the app: one WSGI application, served by waitress (one process) or gunicorn (workers)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot import metrics
from bot.db import bounds
from bot.db.engine import Database
from bot.slack.request import SlackRequest

log = logging.getLogger("bot.web")

MAX_BODY_BYTES = 1024 * 1024
SLACK_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")

StartResponse = Callable[..., Any]


class WebApp:
    """Routes /slack/events (and OAuth paths) to Bolt, answers /healthz and /metrics, refuses the rest."""

    def __init__(self, app: App, db: Database) -> None:
        self.bolt = SlackRequestHandler(app)
        self.app = app
        self.db = db
        metrics.enable()
        metrics.watch(db.engine)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in {"GET", "HEAD"}:
            return self._health(start_response)
        if path == "/metrics" and method in {"GET", "HEAD"}:
            return self._metrics(start_response)
        if path == "/slack/events" and method == "POST":
            started = time.perf_counter()
            refusal = self._refuse(environ)
            if refusal:
                log.warning("refused %s %s: %s", method, path, refusal[1])
                metrics.request("other", "refused", time.perf_counter() - started)
                return _send(start_response, refusal[0], {"error": refusal[1]})
            return self._dispatch(environ, start_response)
        flow = self.app.oauth_flow
        if flow is not None and method == "GET" and path in {flow.install_path, flow.redirect_uri_path}:
            return self._oauth(environ, start_response)
        return _send(start_response, "404 Not Found", {"error": "not found"})

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt's dispatch, with one log line per request: workspace, user, what, outcome, duration."""
        started = time.perf_counter()
        request = WsgiHttpRequest(environ)
        bolt_request = SlackRequest(body=request.get_body(), query=request.query_string, headers=request.get_headers())
        # All of the request's database work shares one budget (listeners run in this thread,
        # before the response): on a silent partition it answers "nothing was saved" in time.
        with bounds.deadline(bounds.REQUEST_DB_BUDGET_S):
            response = self.app.dispatch(bolt_request)
        elapsed = (time.perf_counter() - started) * 1000
        context = bolt_request.context
        outcome = context.get("outcome", _outcome(response.status))
        log.info(
            "request team=%s user=%s %s outcome=%s status=%d %.1fms",
            context.team_id or "-", context.user_id or "-", describe(bolt_request.body),
            outcome, response.status, elapsed,
        )
        metrics.request(metrics.request_kind(bolt_request.body), outcome, elapsed / 1000)
        wsgi_response = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        start_response(wsgi_response.status, wsgi_response.get_headers())
        return wsgi_response.get_body()

    def _oauth(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt's install and redirect pages, counted as oauth requests."""
        started = time.perf_counter()
        seen: list[str] = []

        def recording(status: str, headers: list, exc_info: Any = None) -> Any:
            seen.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.bolt(environ, recording)
        status = int(seen[0].split()[0]) if seen else 500
        metrics.request("oauth", _outcome(status), time.perf_counter() - started)
        return body

    @staticmethod
    def _metrics(start_response: StartResponse) -> Iterable[bytes]:
        data, content_type = metrics.exposition()
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(data)))])
        return [data]

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        if self.db.ping():
            return _send(start_response, "200 OK", {"status": "ok", "database": "ok"})
        return _send(start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"})

    @staticmethod
    def _refuse(environ: dict[str, Any]) -> tuple[str, str] | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", "bad Content-Length"
        if length > MAX_BODY_BYTES:
            return "413 Payload Too Large", "request body over 1 MB"
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type not in SLACK_CONTENT_TYPES:
            return "415 Unsupported Media Type", "not a Slack request"
        # Bolt verifies the signature; headers it cannot even parse (Bolt would raise on them) stop here.
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not timestamp.isdigit() or len(timestamp) > 12 or not signature.startswith("v0="):
            return "401 Unauthorized", "missing or malformed Slack signature headers"
        return None


def describe(body: dict[str, Any]) -> str:
    """What a Slack request is, for the log: the command, action, view or event type (never its text)."""
    if body.get("command"):
        return f"command={body['command']}"
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        return f"action={actions[0].get('action_id', '?')}"
    if body.get("type") in {"view_submission", "view_closed"}:
        return f"view={(body.get('view') or {}).get('callback_id', '?')}"
    if body.get("type") == "event_callback":
        return f"event={(body.get('event') or {}).get('type', '?')}"
    return f"type={body.get('type', '?')}"


def _outcome(status: int) -> str:
    """The outcome of a request that no listener named: ok, refused (4xx) or error (5xx)."""
    return "ok" if status < 400 else "refused" if status < 500 else "error"


def _send(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def serve(web_app: WebApp, *, host: str, port: int, threads: int = 8) -> None:
    """Serve the WSGI app with waitress until interrupted."""
    from waitress import serve as waitress_serve

    log.info("listening on http://%s:%d (POST /slack/events, GET /healthz)", host, port)
    waitress_serve(web_app, host=host, port=port, threads=threads, ident="invite-hygiene",
                   # waitress drops anything far larger before it reaches us; up to 8 MB it is our
                   # clean 413 (the connection stays readable for the client).
                   max_request_body_size=8 * MAX_BODY_BYTES, clear_untrusted_proxy_headers=True)
