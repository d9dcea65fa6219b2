"""A TCP proxy the tests can cut, stall and restore: the database going away and coming back."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Forward a local port to a target.

    `stop()` drops every connection and the listener (a refused, reset link). `stall()` is the
    silent partition: connections are still accepted, bytes are read and held, nothing reaches
    the other side and nothing comes back. `resume()` forwards what was held, in order (as a
    healed network delivers late packets), then carries on.
    """

    def __init__(self, target: tuple[str, int], port: int = 0) -> None:
        self.target = target
        self.port = port
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._flowing = threading.Event()
        self._flowing.set()
        self._marker: bytes | None = None
        self._after: bytes | None = None

    def start(self) -> TcpProxy:
        """Listen (on the same port as before, after a stop)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stall(self) -> None:
        """Accept and hold: no byte is forwarded in either direction until `resume()`."""
        self._flowing.clear()

    def stall_on(self, marker: bytes, *, after: bytes | None = None) -> None:
        """Stall when the client next sends `marker` (that chunk is held as well), after `after`."""
        self._after = after
        self._marker = marker

    def resume(self) -> None:
        """Forward what was held and flow again."""
        self._flowing.set()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._conns.clear()
        self._flowing.set()  # held pipes wake up and find their sockets closed

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._conns.append(client)
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        self._flowing.wait()  # a stalled link accepts, and then nothing happens
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        self._conns.append(upstream)
        for a, b, outbound in ((client, upstream, True), (upstream, client, False)):
            threading.Thread(target=self._pipe, args=(a, b, outbound), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, outbound: bool) -> None:
        try:
            while data := source.recv(65536):
                if outbound and self._after is not None and self._after in data:
                    self._after = None
                elif outbound and self._after is None and self._marker is not None and self._marker in data:
                    self._marker = None
                    self._flowing.clear()
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._flowing.wait()
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
