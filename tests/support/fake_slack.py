"""A local stand-in for Slack's Web API that records every call (tests never reach Slack)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.playground import slack_rules

Handler = Any  # a dict to answer with, or a callable(params) -> dict | (status, headers, dict)

# Every Block Kit rule broken in this process since the last `take_violations()`, by any fake or
# harness: tests/conftest.py fails the test that caused one (Slack itself would have refused it).
VIOLATIONS: list[str] = []
_VIOLATIONS_LOCK = threading.Lock()


def record_violations(where: str, problems: list[str]) -> None:
    """Remember payload rules broken by what the app sent (or acked)."""
    if problems:
        with _VIOLATIONS_LOCK:
            VIOLATIONS.extend(f"{where}: {p}" for p in problems)


def take_violations() -> list[str]:
    """The violations recorded so far, forgotten once taken."""
    with _VIOLATIONS_LOCK:
        found = list(VIOLATIONS)
        VIOLATIONS.clear()
    return found


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage") or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    path: str


@dataclass
class FakeSlack:
    """Start with `start()`; `base_url` is what SLACK_API_URL points at."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: dict[str, list[Handler]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # files.info answers by file id
    file_bytes: dict[str, bytes] = field(default_factory=dict)  # served at the file's download URL
    uploads: dict[str, bytes] = field(default_factory=dict)  # bytes POSTed to upload URLs, by file id
    token_teams: dict[str, str] = field(default_factory=dict)  # auth.test's team by bot token (else T1)
    violations: list[str] = field(default_factory=list)  # Block Kit rules the app's payloads broke here
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversations.history, by channel
    # files.getUploadURLExternal's promises by file id: {"filename", "length"} until completed.
    pending_uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_hashes: dict[str, str] = field(default_factory=dict)  # views.publish: the Home view's hash, by user

    def start(self) -> FakeSlack:
        """Serve on a free loopback port in a daemon thread."""
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.startswith("/api/"):  # Web API methods called with GET (conversations.history)
                    fake._handle(self)
                else:
                    fake._handle_download(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._lock = threading.Lock()
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        """The Web API base URL (with trailing slash)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url that lands here."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/respond/{name}"

    def queue(self, method: str, *answers: Handler) -> None:
        """Answer the next calls of a method with these (then fall back to the default)."""
        self.responses.setdefault(method, []).extend(answers)

    def add_user(self, user_id: str, *, tz: str = "UTC", name: str | None = None, **extra: Any) -> None:
        """A user `users.info` knows about."""
        self.users[user_id] = {
            "id": user_id, "name": name or user_id.lower(), "real_name": name or user_id, "tz": tz,
            "profile": {"display_name": name or user_id, "real_name": name or user_id}, **extra,
        }

    def add_file(self, file_id: str, name: str, data: bytes, *, user: str = "U1", size: int | None = None,
                 **extra: Any) -> dict[str, Any]:
        """A file `files.info` knows about, downloadable (with the bot token) at its url_private_download."""
        root = f"http://127.0.0.1:{self._server.server_address[1]}"
        info = {
            "id": file_id, "name": name, "title": name, "user": user, "size": len(data) if size is None else size,
            "mimetype": "text/csv", "filetype": "csv", "mode": "hosted",
            "url_private": f"{root}/files-pri/T1-{file_id}/{name}",
            "url_private_download": f"{root}/files-pri/T1-{file_id}/download/{name}", **extra,
        }
        self.files[file_id] = info
        self.file_bytes[file_id] = data
        return info

    def post(self, params: dict[str, Any]) -> dict[str, Any]:
        """What chat.postMessage does: the message lands in the channel's history (with its metadata)."""
        channel = str(params.get("channel"))
        message: dict[str, Any] = {"type": "message", "ts": f"{time.time():.6f}", "text": params.get("text")}
        metadata = params.get("metadata")
        if metadata:
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        with self._lock:
            self.posted.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def of(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least `count` calls of a method arrived (listeners run in threads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} call(s) to {method}, got {len(self.of(method))}: {self.calls}")

    def reset(self) -> None:
        """Forget the recorded calls and queued answers."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.posted.clear()

    def record(self, where: str, problems: list[str]) -> None:
        """Keep violations here and in the process-wide list the test teardown checks."""
        with self._lock:
            self.violations.extend(f"{where}: {p}" for p in problems)
        record_violations(where, problems)

    def last_view(self, callback_id: str) -> dict[str, Any] | None:
        """The newest view with this callback_id the app opened, pushed or updated."""
        with self._lock:
            calls = list(self.calls)
        for call in reversed(calls):
            if call.method in {"views.open", "views.push", "views.update"}:
                view = call.params.get("view")
                view = json.loads(view) if isinstance(view, str) else view
                if isinstance(view, dict) and view.get("callback_id") == callback_id:
                    return view
        return None

    # ---- internals ------------------------------------------------------------------------

    @staticmethod
    def _refusal(method: str, problems: list[str]) -> Any:
        """What Slack answers a payload it refuses."""
        if method == "response_url":
            return (400, {}, b"invalid_blocks")
        error = "invalid_arguments" if method.startswith(("views.", "files.")) else "invalid_blocks"
        return {"ok": False, "error": error, "errors": problems, "response_metadata": {"messages": problems}}

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        if request.path.startswith("/upload/"):
            self._handle_upload(request, request.rfile.read(length) if length else b"")
            return
        raw = request.rfile.read(length).decode("utf-8") if length else ""
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type:
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw, keep_blank_values=True).items()}
        path, _, query = request.path.partition("?")
        if query:
            params.update({k: v[0] if len(v) == 1 else v for k, v in parse_qs(query, keep_blank_values=True).items()})
        method = "response_url" if path.startswith("/respond/") else path.rsplit("/", 1)[-1]
        problems = slack_rules.check_call(method, params) + self._unknown_files(method, params)
        with self._lock:
            self.calls.append(Call(method, params, dict(request.headers.items()), path))
            queued = self.responses.get(method)
            answer = queued.pop(0) if queued else None
        if answer is None and method == "auth.test":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            answer = {"ok": True, "team_id": self.token_teams.get(token, "T1"), "user_id": "UBOT", "bot_id": "BBOT",
                      "team": "Acme"}
        if problems:
            self.record(method, problems)
            answer = self._refusal(method, problems)
        if answer is None:
            answer = self._default(method, params)
        elif callable(answer):
            answer = answer(params)
        status, headers, body = (answer if isinstance(answer, tuple) else (200, {}, answer))
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        for key, value in headers.items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _send(self, request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], data: bytes,
              content_type: str) -> None:
        request.send_response(status)
        request.send_header("Content-Type", headers.pop("Content-Type", content_type))
        for key, value in headers.items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _handle_download(self, request: BaseHTTPRequestHandler) -> None:
        """GET a file's url_private_download: recorded as "download"; queue answers to make it fail."""
        parts = request.path.split("/")
        file_id = parts[2].split("-", 1)[-1] if len(parts) > 2 and parts[1] == "files-pri" else ""
        params = {"file_id": file_id}
        with self._lock:
            self.calls.append(Call("download", params, dict(request.headers.items()), request.path))
            queued = self.responses.get("download")
            answer = queued.pop(0) if queued else None
        if callable(answer):
            answer = answer(params)
        if answer is None:
            data = self.file_bytes.get(file_id)
            answer = (200, {}, data) if data is not None else (404, {}, b"not found")
        status, headers, body = answer
        body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._send(request, status, dict(headers), body, "application/octet-stream")

    def _handle_upload(self, request: BaseHTTPRequestHandler, data: bytes) -> None:
        """POST to an upload URL from files.getUploadURLExternal: the bytes are kept by file id."""
        file_id = request.path.rsplit("/", 1)[-1]
        with self._lock:
            self.calls.append(Call("upload", {"file_id": file_id, "data": data}, dict(request.headers.items()),
                                   request.path))
            self.uploads[file_id] = data
            queued = self.responses.get("upload")
            answer = queued.pop(0) if queued else None
        status, headers, body = answer if isinstance(answer, tuple) else (200, {}, b"OK - " + str(len(data)).encode())
        self._send(request, status, dict(headers), body, "text/plain")

    def _default(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "response_url":
            return {"ok": True}
        if method == "auth.test":
            return {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT", "team": "Acme"}
        if method == "users.info":
            user = self.users.get(params.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))}}
        if method == "chat.postMessage":
            return self.post(params)
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": f"{time.time():.6f}"}
        if method == "conversations.history":
            messages = list(reversed(self.posted.get(params.get("channel", ""), [])))
            if params.get("include_all_metadata") not in {"true", "1", True}:
                messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
            return {"ok": True, "messages": messages[: int(params.get("limit") or 100)], "has_more": False}
        if method == "files.info":
            info = self.files.get(params.get("file", ""))
            return {"ok": True, "file": info} if info else {"ok": False, "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            return self._upload_url(params)
        if method == "files.completeUploadExternal":
            return self._complete_upload(params)
        if method == "views.publish":
            return self._publish(params)
        if method in {"views.open", "views.update", "views.push"}:
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else (view or {})
            return {"ok": True, "view": {"id": "V" + f"{len(self.of(method))}", **view}}
        return {"ok": True}

    # ---- files_upload_v2, strictly ----------------------------------------------------------

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """Step 1: a file id (shaped like Slack's) and an upload URL on this server."""
        with self._lock:
            file_id = f"F{len(self.pending_uploads) + len(self.uploads) + 1:010d}"
            while file_id in self.pending_uploads or file_id in self.files:
                file_id = f"F{int(file_id[1:]) + 1:010d}"
            self.pending_uploads[file_id] = {"filename": params["filename"], "length": int(params["length"])}
        root = f"http://127.0.0.1:{self._server.server_address[1]}"
        return {"ok": True, "upload_url": f"{root}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """Step 3: every file listed was promised and got exactly its promised bytes; then it exists."""
        listed = json.loads(params["files"])
        problems: list[str] = []
        with self._lock:
            for item in listed:
                promise = self.pending_uploads.get(item["id"])
                data = self.uploads.get(item["id"])
                if promise is None:
                    problems.append(f"files.completeUploadExternal: {item['id']} was not issued by getUploadURLExternal")
                elif data is None:
                    problems.append(f"files.completeUploadExternal: nothing was uploaded for {item['id']}")
                elif len(data) != promise["length"]:
                    problems.append(f"files.completeUploadExternal: {item['id']} got {len(data)} bytes, "
                                    f"{promise['length']} were announced")
        if problems:
            self.record("files.completeUploadExternal", problems)
            return {"ok": False, "error": "file_upload_incomplete" if listed else "invalid_arguments"}
        answered = []
        for item in listed:
            with self._lock:
                promise = self.pending_uploads.pop(item["id"])
                data = self.uploads[item["id"]]
            name = promise["filename"]
            image = name.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
            info = self.add_file(item["id"], name, data, user="UBOT", title=item.get("title") or name,
                                 mimetype="image/png" if name.lower().endswith(".png") else
                                 ("image/*" if image else "application/octet-stream"),
                                 filetype=name.rsplit(".", 1)[-1].lower(),
                                 channels=[params["channel_id"]] if params.get("channel_id") else [])
            answered.append(info)
        return {"ok": True, "files": answered}

    def _unknown_files(self, method: str, params: dict[str, Any]) -> list[str]:
        """Slack refuses blocks naming a slack_file it does not know (or that is not an image)."""
        if method not in slack_rules.VIEW_METHODS and method not in slack_rules.MESSAGE_METHODS:
            return []
        problems = []
        for file_id in slack_rules.slack_file_ids(params):
            info = self.files.get(file_id)
            if info is None or not str(info.get("mimetype", "")).startswith("image/"):
                problems.append(f"invalid slack file {file_id} (not an uploaded image)")
        return problems

    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.publish with Slack's `hash`: a publish from an older view than the one shown is refused."""
        user = str(params.get("user_id"))
        with self._lock:
            current = self.home_hashes.get(user)
            if params.get("hash") and params["hash"] != current:
                return {"ok": False, "error": "hash_conflict"}
            new_hash = f"{time.time_ns()}.{len(self.calls)}"
            self.home_hashes[user] = new_hash
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else (view or {})
        return {"ok": True, "view": {"id": "VHOME" + user, "hash": new_hash, **view}}
