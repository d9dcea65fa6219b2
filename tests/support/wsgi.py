"""Call the WSGI app in process, as waitress would."""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class WsgiResponse:
    status: int
    headers: dict[str, str]
    body: str


def call(app, method: str, url: str, *, body: str = "", headers: dict[str, str] | None = None) -> WsgiResponse:
    """One request through a WSGI callable."""
    parts = urlsplit(url)
    data = body.encode()
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
        "SERVER_NAME": "localhost", "SERVER_PORT": "3000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data)), "wsgi.errors": io.StringIO(),
    }
    for key, value in (headers or {}).items():
        name = key.upper().replace("-", "_")
        if name in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            environ[name] = value
        else:
            environ[f"HTTP_{name}"] = value
    captured: dict = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = {}
        for k, v in response_headers:
            captured["headers"][k.lower()] = (captured["headers"].get(k.lower(), "") + "\n" + v).strip()

    chunks = app(environ, start_response)
    text = b"".join(chunks).decode("utf-8", "replace")
    return WsgiResponse(captured["status"], captured["headers"], text)
