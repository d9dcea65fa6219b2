"""The page's HTTP routes: static files, /play/* for the page, and the pretend Slack's own paths."""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

from bot.clock import OffsetClock
from bot.db.engine import Database
from bot.playground import demo
from bot.playground.fake_api import FakeWebApi
from bot.playground.httpio import Request, Response, StartResponse, json_response
from bot.playground.interactions import Interactions
from bot.playground.page import snapshot
from bot.playground.seed import seed_history
from bot.playground.store import SlackState
from bot.playground.timeline import ClockControl


class Playground(Protocol):
    """What the page needs of the running playground (bot.playground.server.Playground), named here
    so the page does not import the server that builds it."""

    options: Any
    clock: OffsetClock
    clock_control: ClockControl
    db: Database
    fake: FakeWebApi
    interactions: Interactions
    state: SlackState

log = logging.getLogger("bot.playground")
FAKE_PREFIXES = ("/api/", "/respond/", "/files/", "/upload/")
IMAGE_PREFIX = "/play/image/"  # bot.playground.blockkit renders slack_file images from here
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
# Every /play POST carries this header: a page on another site cannot add it without a CORS preflight,
# which this server never grants, so no other site can drive the playground from a visitor's browser.
GUARD_HEADER = "x-playground"


def _static(name: str) -> Response:
    folder = resources.files("bot.playground") / "static"
    target = folder / name
    if "/" in name or name.startswith(".") or not target.is_file():
        return Response("404 Not Found", [("Content-Type", "text/plain")], b"not found")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith("javascript"):
        kind += "; charset=utf-8"
    return Response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-cache")], target.read_bytes())


class PageApp:
    """WSGI: the page and its JSON endpoints in front of the playground."""

    def __init__(self, playground: Playground) -> None:
        self.pg = playground
        self.posts: dict[str, Callable[[Request], Any]] = {
            "/play/command": self.command, "/play/action": self.action, "/play/submit": self.submit,
            "/play/close": self.close, "/play/open": self.open_tab, "/play/upload": self.upload,
            "/play/clock": self.clock, "/play/seed": self.seed, "/play/shortcut": self.shortcut,
            "/play/message_shortcut": self.message_shortcut, "/play/workflow": self.workflow,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request.of(environ)
        try:
            response = self.route(request)
        except LookupError as error:
            response = json_response({"ok": False, "message": str(error)}, status="400 Bad Request")
        except Exception:  # noqa: BLE001 - one broken click must not take the page down; logged in full
            log.exception("playground request failed: %s %s", request.method, request.path)
            response = json_response({"ok": False, "message": "The playground hit an error; see its log."},
                                     status="500 Internal Server Error")
        return response.send(start_response)

    def route(self, request: Request) -> Response:
        """Pick the handler for a path."""
        if request.path.startswith(FAKE_PREFIXES):
            return self.pg.fake.handle(request)
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        if self.pg.options.host in {"127.0.0.1", "localhost"} and host and host not in LOCAL_HOSTS:
            return Response("421 Misdirected Request", [("Content-Type", "text/plain")], b"loopback only")
        if request.method == "GET":
            if request.path in {"/", "/index.html"}:
                return _static("index.html")
            if request.path.startswith("/static/"):
                return _static(request.path.removeprefix("/static/"))
            if request.path == "/play/state":
                return self.state(request)
            if request.path == "/healthz":
                return json_response({"ok": True})
            if request.path.startswith(IMAGE_PREFIX):  # what an image block referencing a slack_file shows
                return self.pg.fake.image(request.path.removeprefix(IMAGE_PREFIX))
            return Response("404 Not Found", [("Content-Type", "text/plain")], b"not found")
        handler = self.posts.get(request.path)
        if request.method != "POST" or handler is None:
            return Response("404 Not Found", [("Content-Type", "text/plain")], b"not found")
        if request.headers.get(GUARD_HEADER) != "1":
            return json_response({"ok": False, "message": "missing X-Playground header"}, status="403 Forbidden")
        return json_response(handler(request))

    # ---- handlers -------------------------------------------------------------------------

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.json()
        if not isinstance(data, dict):
            raise LookupError("expected a JSON object")
        return data

    @staticmethod
    def _user(data: dict[str, Any]) -> str:
        user = str(data.get("user", ""))
        if demo.teammate(user) is None:
            raise LookupError(f"no demo teammate {user!r}")
        return user

    def state(self, request: Request) -> Response:
        """The page's picture of Slack for one teammate (only the version when nothing changed)."""
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        mate = demo.teammate(query.get("user", "")) or demo.TEAMMATES[0]
        since = query.get("since", "")
        if since.isdigit() and int(since) == self.pg.state.version:
            return json_response({"version": self.pg.state.version, "unchanged": True})
        return json_response(snapshot(self.pg.state, mate, commands=self.pg.interactions.commands()))

    def command(self, request: Request) -> dict[str, Any]:
        """The message box."""
        data = self._body(request)
        user = self._user(data)
        mate = demo.teammate(user)
        channel = str(data.get("channel") or demo.CHANNEL_ID)
        if mate is None or channel not in {demo.CHANNEL_ID, mate.dm_channel}:
            raise LookupError("you can write in #sales-team or your DM with the app")
        return self.pg.interactions.type_message(user, channel, str(data.get("text", "")))

    def action(self, request: Request) -> dict[str, Any]:
        """A click or a choice in a message, a modal or the Home tab."""
        data = self._body(request)
        user = self._user(data)
        common = {"block_id": str(data.get("block_id", "")), "action_id": str(data.get("action_id", "")),
                  "value": data.get("value"), "values": list(data.get("values") or [])}
        if data.get("view_id"):
            return self.pg.interactions.act_on_view(user, view_id=str(data["view_id"]), **common)
        return self.pg.interactions.act_on_message(user, channel=str(data.get("channel", "")),
                                                   ts=str(data.get("ts", "")), **common)

    def submit(self, request: Request) -> dict[str, Any]:
        """A modal's submit button."""
        data = self._body(request)
        return self.pg.interactions.submit(self._user(data), str(data.get("view_id", "")),
                                           list(data.get("values") or []))

    def close(self, request: Request) -> dict[str, Any]:
        """A modal's Cancel or ×."""
        data = self._body(request)
        return self.pg.interactions.close(self._user(data), str(data.get("view_id", "")),
                                          list(data.get("values") or []))

    def open_tab(self, request: Request) -> dict[str, Any]:
        """The app's Home or Messages tab was opened."""
        data = self._body(request)
        return self.pg.interactions.open_tab(self._user(data), str(data.get("tab", "home")))

    def upload(self, request: Request) -> dict[str, Any]:
        """A file dropped into the DM (raw bytes; the name in the query string)."""
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        user = self._user(query)
        name = unquote(query.get("name", "")).replace("/", "_").replace("\\", "_").strip() or "upload.bin"
        if not request.body:
            raise LookupError("the file is empty")
        return self.pg.interactions.share_file(user, name[:200], request.body)

    def clock(self, request: Request) -> dict[str, Any]:
        """+1 day, +1 week or next 09:00 (in the chosen teammate's zone), then one nudge cycle."""
        data = self._body(request)
        mate = demo.teammate(self._user(data))
        step = str(data.get("step", ""))
        if mate is None or step not in {"day", "week", "nine"}:
            raise LookupError("step must be day, week or nine")
        moved = self.pg.clock_control.move(step, zone=mate.zone)
        return {"ok": True, "message": moved.summary(), "sent": len(moved.report.sent)}

    def seed(self, request: Request) -> dict[str, Any]:
        """Fill the demo history (once per database)."""
        started = time.monotonic()
        report = seed_history(self.pg.db, now=self.pg.clock.now())
        if report.already:
            return {"ok": True, "message": "This database already holds the demo history."}
        message = (f"Seeded {report.invites} invites with {report.outcomes} outcomes over three months "
                   f"in {time.monotonic() - started:.1f} s.")
        self.pg.state.note("playground", message)
        return {"ok": True, "message": message}

    def shortcut(self, request: Request) -> dict[str, Any]:
        """A global shortcut."""
        data = self._body(request)
        return self.pg.interactions.shortcut(self._user(data), str(data.get("callback_id", "")))

    def message_shortcut(self, request: Request) -> dict[str, Any]:
        """A message shortcut on a message in #sales-team."""
        data = self._body(request)
        callback_id = str(data.get("callback_id", ""))
        if callback_id not in {c for _, c in demo.MESSAGE_SHORTCUTS}:
            raise LookupError(f"no message shortcut {callback_id!r}")
        return self.pg.interactions.message_shortcut(self._user(data), channel=str(data.get("channel", "")),
                                                     ts=str(data.get("ts", "")), callback_id=callback_id)

    def workflow(self, request: Request) -> dict[str, Any]:
        """The "Run workflow step" form: Workflow Builder runs the app's step for this teammate."""
        data = self._body(request)
        inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
        return self.pg.interactions.run_workflow_step(self._user(data), inputs)
