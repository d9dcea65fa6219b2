"""Waitress servers that run in a thread and can be stopped (the app's and the page's)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from bot.web import MAX_BODY_BYTES

log = logging.getLogger("bot.playground")


class ServerThread:
    """A waitress server on a background thread; port 0 picks a free one."""

    def __init__(self, app: Callable[..., Any], *, host: str, port: int, threads: int,
                 max_body: int = 8 * MAX_BODY_BYTES, name: str) -> None:
        self.server = create_server(app, host=host, port=port, threads=threads, ident="invite-hygiene",
                                    max_request_body_size=max_body, clear_untrusted_proxy_headers=True)
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server.effective_port)  # type: ignore[union-attr]

    def _run(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the socket closed under us while stopping
            self.server.run()

    def start(self) -> ServerThread:
        """Serve in the background."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let the requests in flight finish (2 s at most), then close every connection.

        Waitress's own order: a task that finishes wakes the server loop through a pipe that closing
        the connections closes too (EBADF, a traceback on Ctrl+C, and an answer cut off).
        """
        server: Any = self.server
        with contextlib.suppress(Exception):  # best effort: the process may be exiting anyway
            server.accepting = False
            server.task_dispatcher.shutdown(timeout=2)
            while server._map:
                for channel in list(server._map.values()):
                    channel.handle_close()
        self.thread.join(timeout=2)
