"""Just enough WSGI: a parsed request and a response to send."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

MAX_BODY = 20 * 1024 * 1024  # a LinkedIn export zip is a few MB

StartResponse = Callable[..., Any]


@dataclass
class Request:
    """Method, path, headers, query and body of one request."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @classmethod
    def of(cls, environ: dict[str, Any]) -> Request:
        """Read a WSGI environ (the body included)."""
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                   environ.get("QUERY_STRING", ""), headers, body)

    def bearer(self) -> str | None:
        """The token of an `Authorization: Bearer` header."""
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None

    def params(self) -> dict[str, Any]:
        """Query string and body merged: JSON or form-encoded, one value per name."""
        merged: dict[str, Any] = {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=True).items()}
        if not self.body:
            return merged
        if "json" in self.headers.get("content-type", ""):
            data = self.json()
            if isinstance(data, dict):
                merged.update(data)
            return merged
        form = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        merged.update({k: v[-1] for k, v in form.items()})
        return merged

    def json(self) -> Any:
        """The body as JSON (None when it is not)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Response:
    """Status line, headers and body."""

    status: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def send(self, start_response: StartResponse) -> Iterable[bytes]:
        """Hand the response to the WSGI server."""
        start_response(self.status, [*self.headers, ("Content-Length", str(len(self.body)))])
        return [self.body]


def json_response(data: Any, *, status: str = "200 OK") -> Response:
    """A JSON response."""
    return Response(status, [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")],
                    json.dumps(data, ensure_ascii=False).encode())
