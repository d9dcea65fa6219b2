"""A local stand-in for Slack's Web API that records every call (tests never reach Slack)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml

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


MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
_OUTPUT_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,),
                                             "number": (int, float), "slack#/types/user_id": (str,)}


def manifest_function(callback_id: str) -> dict[str, Any]:
    """A function as manifest.yml declares it (title, input_parameters, output_parameters)."""
    return (yaml.safe_load(MANIFEST.read_text(encoding="utf-8")).get("functions") or {})[callback_id]


def manifest_output_problems(callback_id: str, outputs: dict[str, Any]) -> list[str]:
    """How outputs break the function's declared output parameters (Slack: parameter_validation_failed)."""
    try:
        declared = manifest_function(callback_id)["output_parameters"]
    except KeyError:
        return [f"manifest.yml declares no function {callback_id!r}"]
    problems = [f"outputs.{name}: not an output parameter of {callback_id}" for name in outputs if name not in declared]
    for name, spec in declared.items():
        if name not in outputs:
            if spec.get("is_required"):
                problems.append(f"outputs.{name}: required")
            continue
        value, types = outputs[name], _OUTPUT_TYPES.get(spec["type"], (object,))
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            problems.append(f"outputs.{name}: must be {spec['type']}, got {type(value).__name__}")
    return problems


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
    # Org-wide (Enterprise Grid) bot tokens: the enterprise, and the workspaces auth.teams.list names.
    token_enterprises: dict[str, str] = field(default_factory=dict)
    enterprise_teams: dict[str, list[str]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)  # Block Kit rules the app's payloads broke here
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversations.history, by channel
    # Workflow step executions by function_execution_id: their token, state ("running", "completed",
    # "failed") and how they ended. functions.complete* is refused, as Slack refuses it, for an
    # unknown execution, one already ended, another token, or outputs unlike the manifest's.
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
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

    def start_execution(self, execution_id: str, *, token: str, callback_id: str = "log_linkedin_invite") -> None:
        """A workflow step Slack is about to run (its function_executed event carries `token`)."""
        with self._lock:
            self.executions[execution_id] = {"token": token, "callback_id": callback_id, "state": "running"}

    def _function_problems(self, method: str, params: dict[str, Any], token: str) -> tuple[str, list[str]]:
        """Slack's own refusals of functions.completeSuccess/completeError: (error code, problems)."""
        execution = self.executions.get(str(params.get("function_execution_id")))
        if execution is None:
            return "function_execution_not_found", [f"no execution {params.get('function_execution_id')!r}"]
        if execution["state"] != "running":
            return "execution_not_in_running_state", [f"the execution already ended ({execution['state']})"]
        if token != execution["token"]:
            return "invalid_auth", ["called with another token than the execution's bot_access_token"]
        if method == "functions.completeSuccess":
            outputs = params.get("outputs")
            outputs = json.loads(outputs) if isinstance(outputs, str) else outputs
            problems = manifest_output_problems(execution["callback_id"], outputs or {})
            if problems:
                return "parameter_validation_failed", problems
        return "", []

    def _end_execution(self, method: str, params: dict[str, Any]) -> None:
        success = method == "functions.completeSuccess"
        with self._lock:
            execution = self.executions[params["function_execution_id"]]
            execution["state"] = "completed" if success else "failed"
            execution["outputs" if success else "error"] = params.get("outputs") if success else params.get("error")

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
    def _refusal(method: str, problems: list[str], code: str = "") -> Any:
        """What Slack answers a payload it refuses."""
        if method == "response_url":
            return (400, {}, b"invalid_blocks")
        error = code or ("invalid_arguments" if method.startswith(("views.", "functions.", "files.")) else "invalid_blocks")
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
        code = ""
        if method in slack_rules.FUNCTION_METHODS and not problems:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(params.get("token") or "")
            code, problems = self._function_problems(method, params, token)
        with self._lock:
            self.calls.append(Call(method, params, dict(request.headers.items()), path))
            queued = self.responses.get(method)
            answer = queued.pop(0) if queued else None
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(params.get("token") or "")
        if answer is None and method == "auth.test":
            answer = self._auth_test(token)
        if answer is None and method == "auth.teams.list":
            answer = self._teams_list(token, params)
        if problems:
            self.record(method, problems)
            answer = self._refusal(method, problems, code)
        if answer is None:
            answer = self._default(method, params)
        elif callable(answer):
            answer = answer(params)
        if method in slack_rules.FUNCTION_METHODS and not problems and isinstance(answer, dict) and answer.get("ok"):
            self._end_execution(method, params)
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

    def _auth_test(self, token: str) -> dict[str, Any]:
        """auth.test: a workspace token names its team; an org-wide token names its enterprise."""
        enterprise = self.token_enterprises.get(token)
        if enterprise is not None:
            # An org-level token belongs to no single workspace: team_id names the org itself.
            return {"ok": True, "url": f"https://{enterprise.lower()}.enterprise.slack.com/", "team": "Grid org",
                    "user": "invite-hygiene", "team_id": enterprise, "user_id": "UBOT", "bot_id": "BBOT",
                    "enterprise_id": enterprise, "is_enterprise_install": True}
        return {"ok": True, "team_id": self.token_teams.get(token, "T1"), "user_id": "UBOT", "bot_id": "BBOT",
                "team": "Acme"}

    def _teams_list(self, token: str, params: dict[str, Any]) -> dict[str, Any]:
        """auth.teams.list: the workspaces an org-wide token was granted, two per page (to exercise cursors)."""
        enterprise = self.token_enterprises.get(token)
        if enterprise is None:
            return {"ok": False, "error": "invalid_auth"}
        teams = self.enterprise_teams.get(enterprise, [])
        start = int(params.get("cursor") or 0)
        page = teams[start:start + 2]
        next_cursor = str(start + 2) if start + 2 < len(teams) else ""
        return {"ok": True, "teams": [{"id": t, "name": t} for t in page],
                "response_metadata": {"next_cursor": next_cursor}}

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
