"""A local stand-in for Slack's Socket Mode: `apps.connections.open` plus the WebSocket link.

One loopback port serves both halves, as SLACK_API_URL points at it:

- `POST /api/apps.connections.open` (app token in `Authorization: Bearer xapp-…`) answers
  `{"ok": true, "url": "ws://127.0.0.1:<port>/link/?ticket=…"}`; every other Web API method is
  forwarded to `upstream` (a `FakeSlack`), or answered `{"ok": true}` when there is none.
- `GET /link/?ticket=…` with `Upgrade: websocket` completes the RFC 6455 handshake (a ticket is
  good once), sends `{"type": "hello", …}` as Slack does, then reads the client's frames: text
  frames (acks) are queued on the `Link`, pings are answered with pongs, a close frame is echoed.

The test drives each `Link`: send envelopes, read acks, send `disconnect`, drop the TCP
connection without a close frame, with a FIN (`drop_fin`) or a RST (`drop_rst`), or keep it open
and answer nothing, pings included (`go_silent`). `refuse()`
resets every new connection (Web API and WebSocket) at once, as when Slack cannot be reached,
until `restore()`.
Written by hand on raw sockets so the test controls exactly what goes on the wire.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import queue
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_TOKEN = "xapp-1-A0TEST-0000-testapptoken0123456789"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


class _Reader:
    """Buffered reads from a socket: the HTTP head, then exact-length WebSocket frames."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def until(self, marker: bytes, limit: int = 65536) -> bytes:
        while marker not in self.buf:
            if len(self.buf) > limit:
                raise ValueError("request head too long")
            self._fill()
        head, self.buf = self.buf.split(marker, 1)
        return head

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server-to-client frame: FIN set, unmasked."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


class Link:
    """One accepted WebSocket connection (after the handshake and `hello`)."""

    def __init__(self, number: int, sock: socket.socket, reader: _Reader) -> None:
        self.number = number
        self.sock = sock
        self._reader = reader
        self._send_lock = threading.Lock()
        self.opened_at = time.monotonic()
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.closed = threading.Event()  # the client closed it, or it was dropped
        self.close_frame_received = False
        self.pings = 0
        self.silent = False

    def send_json(self, message: dict[str, Any]) -> None:
        self._send(OP_TEXT, json.dumps(message).encode())

    def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next JSON text frame the client sent (an ack)."""
        return self.messages.get(timeout=timeout)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """What Slack sends before it retires a connection; the client should open a new one."""
        self.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink-1"}})

    def drop_fin(self) -> None:
        """Cut the TCP connection with a FIN and no close frame (a load balancer's idle cut)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.closed.set()

    def drop_rst(self) -> None:
        """Cut the TCP connection with a RST (SO_LINGER 0, then close): a reset by the network."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # Wakes this link's reader thread (sends nothing): a socket another thread is blocked
            # in recv() on is only really closed, and the RST only sent, when that recv returns.
            self.sock.shutdown(socket.SHUT_RD)
        self.sock.close()
        self.closed.set()

    def go_silent(self) -> None:
        """Keep the TCP connection but answer nothing, pings included (a proxy that forgot it)."""
        self.silent = True

    def _send(self, opcode: int, payload: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(_frame(opcode, payload))

    def serve(self) -> None:
        """Read client frames until the connection ends."""
        try:
            while True:
                opcode, payload = self._read_frame()
                if self.silent:
                    continue
                if opcode == OP_TEXT:
                    self.messages.put(json.loads(payload.decode()))
                elif opcode == OP_PING:
                    self.pings += 1
                    self._send(OP_PONG, payload)
                elif opcode == OP_CLOSE:
                    self.close_frame_received = True
                    with contextlib.suppress(OSError):
                        self._send(OP_CLOSE, payload[:2])
                    break
        except (OSError, EOFError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.closed.set()

    def _read_frame(self) -> tuple[int, bytes]:
        opcode, data = None, b""
        while True:
            b0, b1 = self._reader.exact(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._reader.exact(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._reader.exact(8))
            if not b1 & 0x80:
                raise ValueError("client frames must be masked")
            mask = self._reader.exact(4)
            payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self._reader.exact(n)))
            frame_op = b0 & 0x0F
            if frame_op >= 0x8:  # control frames are never fragmented and may interleave
                return frame_op, payload
            opcode = frame_op if opcode is None else opcode
            data += payload
            if b0 & 0x80:
                return opcode, data


class FakeSocketMode:
    """Start with `start()`; `base_url` is what SLACK_API_URL points at."""

    def __init__(self, upstream: str | None = None, app_token: str = APP_TOKEN) -> None:
        self.upstream = upstream
        self.app_token = app_token
        self.port = 0
        self.opens: list[float] = []  # monotonic times of apps.connections.open calls
        self.links: list[Link] = []
        self.refused_handshakes = 0
        self.refusing = False
        self.refused_connections = 0
        self._tickets: set[str] = set()
        self._counter = itertools.count(1)
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        """Listen on a free loopback port."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def refuse(self) -> None:
        """Reset every new connection, Web API and WebSocket alike, until `restore()` (the port
        stays ours, so nothing else can take it meanwhile)."""
        self.refusing = True

    def restore(self) -> None:
        self.refusing = False

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for link in self.links:
            if not link.closed.is_set():
                link.drop_fin()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # --- what the tests wait for -----------------------------------------------------------

    @property
    def current(self) -> Link:
        with self._lock:
            return self.links[-1]

    def wait_link(self, count: int, timeout: float) -> Link:
        """Wait until `count` links have been opened in all; the newest one."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.links) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.links)} Socket Mode connections, expected {count}, "
                                       f"after {timeout:.0f} s ({len(self.opens)} apps.connections.open calls)")
                self._lock.wait(left)
            return self.links[count - 1]

    # --- serving ---------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if self.refusing:
                self.refused_connections += 1
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        reader = _Reader(conn)
        try:
            head = reader.until(b"\r\n\r\n").decode("latin-1")
        except (OSError, EOFError, ValueError):
            conn.close()
            return
        request_line, *header_lines = head.split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        path = urlsplit(target).path
        try:
            if method == "GET" and headers.get("upgrade", "").lower() == "websocket":
                self._websocket(conn, reader, target, headers)
                return
            body = reader.exact(int(headers.get("content-length", "0") or 0))
            if method == "POST" and path.startswith("/api/"):
                self._web_api(conn, path[len("/api/"):], headers, body)
            else:
                self._respond(conn, 404, {"ok": False, "error": "unknown_method"})
        except (OSError, EOFError, ValueError):
            pass
        finally:
            if not any(link.sock is conn for link in self.links):
                with contextlib.suppress(OSError):
                    conn.close()

    def _web_api(self, conn: socket.socket, api_method: str, headers: dict[str, str], body: bytes) -> None:
        if api_method == "apps.connections.open":
            if headers.get("authorization") != f"Bearer {self.app_token}":
                self._respond(conn, 200, {"ok": False, "error": "invalid_auth"})
                return
            ticket = f"ticket-{next(self._counter)}"
            with self._lock:
                self._tickets.add(ticket)
                self.opens.append(time.monotonic())
            url = f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id=A0TEST"
            self._respond(conn, 200, {"ok": True, "url": url})
            return
        if self.upstream is None:
            self._respond(conn, 200, {"ok": True})
            return
        forward = {k: v for k, v in headers.items() if k in {"content-type", "authorization", "user-agent"}}
        request = urllib.request.Request(self.upstream + api_method, data=body, headers=forward, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        self._respond(conn, status, data)

    @staticmethod
    def _respond(conn: socket.socket, status: int, body: dict[str, Any] | bytes) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\n"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)

    def _websocket(self, conn: socket.socket, reader: _Reader, target: str, headers: dict[str, str]) -> None:
        ticket = (parse_qs(urlsplit(target).query).get("ticket") or [""])[0]
        key = headers.get("sec-websocket-key", "")
        with self._lock:
            valid = ticket in self._tickets and headers.get("sec-websocket-version") == "13" and key
            self._tickets.discard(ticket)
        if not valid:
            self.refused_handshakes += 1
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        with self._lock:
            link = Link(len(self.links) + 1, conn, reader)
            link.send_json({
                "type": "hello", "num_connections": 1,
                "debug_info": {"host": "fake-applink-1", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0TEST"},
            })
            self.links.append(link)
            self._lock.notify_all()
        link.serve()


def slash_command_envelope(command: str, text: str, *, envelope_id: str, user_id: str = "U1",
                           team_id: str = "T1", channel_id: str = "C1",
                           response_url: str = "http://127.0.0.1:9/respond") -> dict[str, Any]:
    """A `slash_commands` envelope as Slack sends it over Socket Mode."""
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy-verification-token", "team_id": team_id, "team_domain": "acme",
            "channel_id": channel_id, "channel_name": "sales", "user_id": user_id, "user_name": user_id.lower(),
            "command": command, "text": text, "api_app_id": "A0TEST", "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        },
    }
