"""Stopping a playground server while a request is still being answered (the Ctrl+C race CI found)."""

from __future__ import annotations

import logging
import threading
import urllib.request

import pytest

from bot.playground.servers import ServerThread


def test_a_stop_during_a_request_lets_it_finish_and_logs_no_error(caplog: pytest.LogCaptureFixture):
    """The request in flight when the stop begins gets its whole answer, and waitress logs no
    "Exception when servicing": the server's wake-up pipe is closed only after its last task (before,
    the stop closed it first, and the finishing task's wake-up failed with EBADF, a traceback on Ctrl+C)."""
    entered, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        entered.set()
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    server = ServerThread(app, host="127.0.0.1", port=0, threads=2, name="test-server").start()
    answers: list[tuple[int, bytes] | Exception] = []

    def ask() -> None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=5) as response:
                answers.append((response.status, response.read()))
        except Exception as error:  # noqa: BLE001 - recorded for the assertion
            answers.append(error)

    caplog.set_level(logging.ERROR, logger="waitress")
    client = threading.Thread(target=ask)
    client.start()
    assert entered.wait(5)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(0.3)  # the stop has begun and waits on the task in flight
    release.set()
    stopper.join(10)
    client.join(10)
    assert not stopper.is_alive() and not server.thread.is_alive()
    assert answers == [(200, b"done")]
    assert not [r for r in caplog.records if r.name.startswith("waitress")], caplog.text
