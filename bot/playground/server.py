"""The playground process: the real app on a loopback port, and the page with its pretend Slack."""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.clock import OffsetClock
from bot.config import Settings
from bot.playground import demo
from bot.playground.applink import AppLink
from bot.playground.fake_api import FakeWebApi, new_bot_token
from bot.playground.httpio import MAX_BODY
from bot.playground.interactions import Interactions
from bot.playground.routes import PageApp
from bot.playground.seed import prepare_workspace
from bot.playground.servers import ServerThread
from bot.playground.store import SlackState
from bot.playground.timeline import ClockControl

log = logging.getLogger("bot.playground")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Options:
    """How to run the playground."""

    host: str = LOOPBACK
    port: int = 3000
    db_path: Path | None = None  # None: a fresh demo database in a temporary folder
    scheduler: bool = True
    app_threads: int = 8
    page_threads: int = 16


def playground_settings(base: Settings, *, api_url: str, database_url: str, bot_token: str, secret: str) -> Settings:
    """The operator's settings with every Slack value pointing at the playground (names and knobs kept)."""
    return base.model_copy(update={
        "slack_bot_token": SecretStr(bot_token), "slack_signing_secret": SecretStr(secret),
        "slack_app_token": None, "slack_client_id": None, "slack_client_secret": None,
        "slack_api_url": api_url, "database_url": database_url, "admin_user_ids": demo.ADMIN_USER_IDS,
    })


class Playground:
    """Start with `start()`, stop with `stop()`; `url` is the page."""

    def __init__(self, base: Settings, options: Options | None = None) -> None:
        self.options = options or Options()
        self.clock = OffsetClock()
        self.state = SlackState(self.clock)
        self.bot_token = new_bot_token()
        self.signing_secret = secrets.token_hex(32)
        self.fake = FakeWebApi(self.state, bot_token=self.bot_token)
        self.base = base
        self._tmp: Path | None = None
        self._stopped = threading.Event()
        self._scheduler = None
        self.page: PageApp | None = None

    # ---- life cycle ---------------------------------------------------------------------

    def start(self) -> str:
        """Bring everything up; returns the page's address."""
        from bot.bootstrap import build
        from bot.web import WebApp

        self.page = PageApp(self)
        self.page_server = ServerThread(self.page, host=self.options.host, port=self.options.port,
                                        threads=self.options.page_threads, max_body=MAX_BODY,
                                        name="playground-page")
        internal = f"http://{LOOPBACK}:{self.page_server.port}"
        self.fake.base_url = internal
        self.settings = playground_settings(
            self.base, api_url=f"{internal}/api/", database_url=self._database_url(),
            bot_token=self.bot_token, secret=self.signing_secret,
        )
        runtime = build(self.settings, clock=self.clock)
        self.db = runtime.db
        prepare_workspace(self.db, now=self.clock.now())
        app = runtime.app()
        self.app_server = ServerThread(WebApp(app, self.db), host=LOOPBACK, port=0,
                                       threads=self.options.app_threads, name="playground-app").start()
        self.app_url = f"http://{LOOPBACK}:{self.app_server.port}"
        link = AppLink(f"{self.app_url}/slack/events", self.signing_secret, self.state)
        self.run_cycle = runtime.cycle()
        self.clock_control = ClockControl(self.clock, self.run_cycle, self.state)
        self.interactions = Interactions(settings=self.settings, state=self.state, fake=self.fake, link=link,
                                         public_url=internal)
        if self.options.scheduler:
            # As in `serve`: the app's own scheduler runs too, on the playground's clock.
            self._scheduler = runtime.start_scheduler()
        self.page_server.start()
        self.state.note("playground", f"app listening on {self.app_url}/slack/events; database {self._db_label()}")
        return self.url

    def _database_url(self) -> str:
        if self.options.db_path is not None:
            return f"sqlite:///{self.options.db_path.resolve()}"
        self._tmp = Path(tempfile.mkdtemp(prefix="invite-hygiene-playground-"))
        return f"sqlite:///{self._tmp / 'playground.db'}"

    def _db_label(self) -> str:
        return str(self.options.db_path) if self.options.db_path else "a fresh temporary demo database"

    @property
    def url(self) -> str:
        """The page, as a browser on this machine reaches it."""
        host = self.options.host
        shown = LOOPBACK if host in {"0.0.0.0", "::", ""} else host
        return f"http://{shown}:{self.page_server.port}/"

    def wait(self) -> None:
        """Block until stop() (or Ctrl+C in the caller)."""
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop the servers and the scheduler; drop the temporary database."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        for server in (getattr(self, "page_server", None), getattr(self, "app_server", None)):
            if server is not None:
                server.stop()
        if getattr(self, "db", None) is not None:
            self.db.dispose()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
