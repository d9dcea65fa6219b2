"""The Slack Web API as the app sees it: the methods it calls, answered from the playground's state."""

from __future__ import annotations

import json
import mimetypes
import secrets
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from bot.playground import demo, slack_rules
from bot.playground.httpio import Request, Response, json_response
from bot.playground.store import RESPONSE_URL_USES, Posted, SlackState, StoredFile, slack_id

Answer = dict[str, Any]
# What Slack answers for a private file fetched without the bot token: its sign-in page.
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"


def _error(code: str, **extra: Any) -> Answer:
    return {"ok": False, "error": code, **extra}


def _json_field(value: Any) -> Any:
    """Blocks, views and file lists arrive as JSON strings in form-encoded calls."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def refusal(code: str, problems: list[str]) -> Answer:
    """What Slack answers a payload breaking its rules: the error and every message."""
    return _error(code, errors=problems, response_metadata={"messages": problems})


class FakeWebApi:
    """Answers /api/<method>, /respond/<token>, /files/<id>/… and /upload/<id>."""

    def __init__(self, state: SlackState, *, bot_token: str) -> None:
        self.state = state
        self.bot_token = bot_token
        self.base_url = "http://127.0.0.1"  # set once the server has its port
        self.calls: deque[tuple[str, Answer]] = deque(maxlen=2000)
        self.promised: dict[str, int] = {}  # files.getUploadURLExternal's lengths, until completed
        self.methods: dict[str, Callable[[Answer], Answer]] = {
            "api.test": lambda p: {"ok": True, "args": p},
            "auth.test": self.auth_test,
            "team.info": lambda p: {"ok": True, "team": {"id": demo.TEAM_ID, "name": demo.TEAM_NAME,
                                                         "domain": demo.TEAM_DOMAIN}},
            "users.info": self.users_info,
            "users.list": self.users_list,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.list": lambda p: {"ok": True, "channels": [self._channel_object(demo.CHANNEL_ID)],
                                             "response_metadata": {"next_cursor": ""}},
            "conversations.members": self.conversations_members,
            "conversations.history": self.conversations_history,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.info": self.files_info,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "files.upload": lambda p: _error("method_deprecated"),
            "functions.completeSuccess": lambda p: self.complete_function(p, success=True),
            "functions.completeError": lambda p: self.complete_function(p, success=False),
        }
        # Workflow step runs by function_execution_id: who ran it, where, its token, how it ended.
        self.executions: dict[str, dict[str, Any]] = {}

    # ---- HTTP ----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Route one request under /api, /respond, /files or /upload."""
        parts = request.path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            return json_response(self.api(parts[1], request))
        if parts[0] == "respond" and len(parts) == 2 and request.method == "POST":
            return self.respond(parts[1], request)
        if parts[0] == "files" and len(parts) >= 2:
            return self.download(parts[1], request)
        if parts[0] == "upload" and len(parts) == 2 and request.method == "POST":
            return self.upload(parts[1], request)
        return json_response({"ok": False, "error": "not_found"}, status="404 Not Found")

    def api(self, method: str, request: Request) -> Answer:
        """One Web API call: check the token, run the method, log it."""
        params = request.params()
        token = request.bearer() or params.pop("token", None)
        run = next((e for e in self.executions.values() if e["token"] == token), None) if token else None
        if not token:
            answer = _error("not_authed")
        elif token != self.bot_token and run is None:
            answer = _error("invalid_auth")
        elif method.startswith("functions.") and (run is None or run["id"] != params.get("function_execution_id")):
            # A workflow step completes with its own execution's token (Bolt's listener client has it).
            answer = _error("invalid_auth")
        elif method not in self.methods:
            answer = _error("unknown_method")
            self.state.note("app →", f"{method}: not faked by the playground (answered unknown_method)")
        else:
            answer = self.methods[method](params)
        self.calls.append((method, params))
        target = next((str(params[k]) for k in ("channel", "channel_id", "user", "user_id", "users") if params.get(k)), "")
        outcome = "ok" if answer.get("ok") else answer.get("error", "error")
        self.state.note("app →", f"{method} {target} ({outcome})".replace("  ", " "))
        return answer

    # ---- identity ------------------------------------------------------------------------

    def auth_test(self, params: Answer) -> Answer:
        """Who the bot token belongs to."""
        return {"ok": True, "url": f"https://{demo.TEAM_DOMAIN}.slack.com/", "team": demo.TEAM_NAME,
                "user": "invite-hygiene", "team_id": demo.TEAM_ID, "user_id": demo.BOT_USER_ID,
                "bot_id": demo.BOT_ID, "is_enterprise_install": False}

    def users_info(self, params: Answer) -> Answer:
        """A demo teammate's profile (time zone, admin flag)."""
        user_id = params.get("user", "")
        if user_id == demo.BOT_USER_ID:
            return {"ok": True, "user": {"id": user_id, "team_id": demo.TEAM_ID, "name": "invite-hygiene",
                                         "is_bot": True, "deleted": False, "profile": {"bot_id": demo.BOT_ID}}}
        mate = demo.teammate(user_id)
        if mate is None:
            return _error("user_not_found")
        return {"ok": True, "user": mate.slack_user(self.state.clock.now())}

    def users_list(self, params: Answer) -> Answer:
        """Every demo teammate."""
        now = self.state.clock.now()
        return {"ok": True, "members": [t.slack_user(now) for t in demo.TEAMMATES],
                "response_metadata": {"next_cursor": ""}}

    # ---- conversations -------------------------------------------------------------------

    def resolve_channel(self, channel: str) -> str | None:
        """A conversation id the app may post to (a user id means the app's DM with them)."""
        if channel in {demo.CHANNEL_ID, demo.CHANNEL_NAME, "#" + demo.CHANNEL_NAME}:
            return demo.CHANNEL_ID
        mate = demo.teammate(channel) or demo.user_for_dm(channel)
        return mate.dm_channel if mate else None

    def _channel_object(self, channel: str) -> Answer:
        mate = demo.user_for_dm(channel)
        if mate:
            return {"id": channel, "is_im": True, "user": mate.user_id, "is_open": True, "is_org_shared": False}
        return {"id": channel, "name": demo.CHANNEL_NAME, "is_channel": True, "is_member": True,
                "is_private": False, "is_archived": False, "num_members": len(demo.TEAMMATES) + 1}

    def conversations_open(self, params: Answer) -> Answer:
        """The app's DM with one teammate."""
        if params.get("channel"):
            channel = self.resolve_channel(params["channel"])
            return {"ok": True, "channel": {"id": channel}} if channel else _error("channel_not_found")
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            return _error("users_list_not_supplied")
        if len(users) > 1:  # group DMs: the app never opens one
            return _error("method_not_supported_for_channel_type")
        if users[0] == demo.BOT_USER_ID:
            return _error("cannot_dm_bot")
        mate = demo.teammate(users[0])
        if mate is None:
            return _error("user_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": mate.dm_channel}}

    def conversations_info(self, params: Answer) -> Answer:
        """The demo channel or a DM."""
        channel = self.resolve_channel(params.get("channel", ""))
        return {"ok": True, "channel": self._channel_object(channel)} if channel else _error("channel_not_found")

    def conversations_members(self, params: Answer) -> Answer:
        """Everyone is in the demo channel."""
        if self.resolve_channel(params.get("channel", "")) != demo.CHANNEL_ID:
            return _error("channel_not_found")
        members = [t.user_id for t in demo.TEAMMATES] + [demo.BOT_USER_ID]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    # ---- messages ------------------------------------------------------------------------

    def _refused(self, what: str, problems: list[str]) -> None:
        """Show the developer why Slack would have refused a payload (in the playground's log)."""
        shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        self.state.note("slack ✗", f"{what} refused: {shown}")

    def _content(self, params: Answer, method: str) -> tuple[str | None, list[Answer] | None, Answer | None]:
        """(text, blocks, error) of a chat.* call, held to Slack's Block Kit and mrkdwn rules."""
        problems = slack_rules.check_call(method, params) + self._unknown_images(params)
        if problems:
            self._refused(method, problems)
            return None, None, refusal("invalid_blocks", problems)
        blocks = _json_field(params.get("blocks")) if "blocks" in params else None
        text = params.get("text")
        if text is not None and len(str(text)) > 40000:
            return None, None, _error("msg_too_long")
        return (None if text is None else str(text)), blocks, None

    def chat_post_message(self, params: Answer) -> Answer:
        """Post as the app into the demo channel or a teammate's DM."""
        channel = self.resolve_channel(str(params.get("channel", "")))
        if channel is None:
            return _error("channel_not_found")
        text, blocks, problem = self._content(params, "chat.postMessage")
        if problem:
            return problem
        if not text and not blocks:
            return _error("no_text")
        metadata = _json_field(params.get("metadata")) if params.get("metadata") else None
        thread_ts = str(params.get("thread_ts") or "") or None
        if thread_ts and self.state.find(channel, thread_ts) is None:
            return _error("thread_not_found")
        posted = self.state.post(channel, text=text or "", blocks=blocks, metadata=metadata or None, thread_ts=thread_ts)
        return {"ok": True, "channel": channel, "ts": posted.ts, "message": posted.as_slack()}

    # ---- workflow steps ------------------------------------------------------------------

    def start_execution(self, execution_id: str, *, token: str, user_id: str, channel: str) -> None:
        """A workflow step run about to be sent to the app (function_executed)."""
        with self.state.lock:
            self.executions[execution_id] = {"id": execution_id, "token": token, "user": user_id,
                                             "channel": channel, "state": "running"}

    def complete_function(self, params: Answer, *, success: bool) -> Answer:
        """functions.completeSuccess / completeError: the step's run ends; the runner sees how."""
        method = "functions.completeSuccess" if success else "functions.completeError"
        problems = slack_rules.check_call(method, params)
        if problems:
            self._refused(method, problems)
            return refusal("invalid_arguments", problems)
        run = self.executions.get(str(params.get("function_execution_id")))
        if run is None:
            return _error("function_execution_not_found")
        if run["state"] != "running":
            return _error("execution_not_in_running_state")
        if success:
            outputs = _json_field(params.get("outputs")) if isinstance(params.get("outputs"), str) else params.get("outputs")
            run.update(state="completed", outputs=outputs)
            shown = " · ".join(f"{k}: {v}" for k, v in (outputs or {}).items())
            text = f":white_check_mark: Workflow step *Log a LinkedIn invite* completed. Outputs: {shown}"
        else:
            run.update(state="failed", error=str(params.get("error")))
            text = f":x: Workflow step *Log a LinkedIn invite* failed: {params.get('error')}"
        self.state.post(run["channel"], text=text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                        ephemeral_for=run["user"], system=True)
        return {"ok": True}

    def conversations_history(self, params: Answer) -> Answer:
        """A conversation's messages, newest first (metadata only with include_all_metadata)."""
        channel = self.resolve_channel(str(params.get("channel", "")))
        if channel is None:
            return _error("channel_not_found")
        with self.state.lock:
            found = [m for m in self.state.conversations.get(channel, []) if not m.ephemeral_for and not m.system]
        messages = [m.as_slack() for m in reversed(found)][: int(params.get("limit") or 100)]
        if not _truthy(params.get("include_all_metadata")):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        return {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def chat_post_ephemeral(self, params: Answer) -> Answer:
        """A message only one teammate sees."""
        channel = self.resolve_channel(str(params.get("channel", "")))
        if channel is None:
            return _error("channel_not_found")
        if demo.teammate(str(params.get("user", ""))) is None:
            return _error("user_not_in_channel")
        text, blocks, problem = self._content(params, "chat.postEphemeral")
        if problem:
            return problem
        if not text and not blocks:
            return _error("no_text")
        posted = self.state.post(channel, text=text or "", blocks=blocks, ephemeral_for=params["user"])
        return {"ok": True, "message_ts": posted.ts}

    def _own_message(self, params: Answer) -> tuple[Posted | None, Answer | None]:
        channel = self.resolve_channel(str(params.get("channel", "")))
        found = self.state.find(channel, str(params.get("ts", ""))) if channel else None
        if found is None or found.ephemeral_for:
            return None, _error("message_not_found" if channel else "channel_not_found")
        if found.user is not None:
            return None, _error("cant_update_message")
        return found, None

    def chat_update(self, params: Answer) -> Answer:
        """Change one of the app's messages in place."""
        found, problem = self._own_message(params)
        if problem or found is None:
            return problem or _error("message_not_found")
        text, blocks, problem = self._content(params, "chat.update")
        if problem:
            return problem
        self.state.replace(found, text=text, blocks=blocks)
        return {"ok": True, "channel": found.channel, "ts": found.ts, "text": found.text, "message": found.as_slack()}

    def chat_delete(self, params: Answer) -> Answer:
        """Remove one of the app's messages."""
        found, problem = self._own_message(params)
        if problem or found is None:
            return problem or _error("message_not_found")
        self.state.delete(found)
        return {"ok": True, "channel": found.channel, "ts": found.ts}

    def chat_get_permalink(self, params: Answer) -> Answer:
        """A link to a message."""
        channel = self.resolve_channel(str(params.get("channel", "")))
        ts = str(params.get("message_ts", ""))
        if channel is None or self.state.find(channel, ts) is None:
            return _error("message_not_found")
        return {"ok": True, "channel": channel,
                "permalink": f"https://{demo.TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    # ---- views ---------------------------------------------------------------------------

    def _view(self, params: Answer, *, kind: str) -> tuple[Answer | None, Answer | None]:
        view = _json_field(params.get("view"))
        if not isinstance(view, dict):
            return None, _error("invalid_arguments")
        if view.get("type") != kind:
            return None, _error("invalid_arguments", response_metadata={"messages": [f"view type must be {kind}"]})
        problems = slack_rules.check_view(view, expected=kind) + self._unknown_images({"view": view})
        if problems:
            self._refused(f"{kind} view", problems)
            return None, refusal("invalid_arguments", problems)
        return view, None

    def _modal_request(self, params: Answer) -> tuple[str, Answer, None] | tuple[None, None, Answer]:
        """The user whose trigger this is and the modal asked for, or the error Slack would answer."""
        user_id, problem = self.state.redeem_trigger(str(params.get("trigger_id", "")))
        if problem or user_id is None:
            return None, None, _error(problem or "invalid_trigger_id")
        view, bad = self._view(params, kind="modal")
        if bad or view is None:
            return None, None, bad or _error("invalid_arguments")
        return user_id, view, None

    def views_open(self, params: Answer) -> Answer:
        """Open a modal for the user whose interaction issued the trigger."""
        user_id, view, error = self._modal_request(params)
        if error is not None:
            return error
        stored = self.state.new_view(view)
        with self.state.lock:
            self.state.modals[user_id] = [stored]
            self.state.bump()
        return {"ok": True, "view": stored}

    def views_push(self, params: Answer) -> Answer:
        """Push a modal on top of the user's open one."""
        user_id, view, error = self._modal_request(params)
        if error is not None:
            return error
        with self.state.lock:
            stack = self.state.modals.get(user_id) or []
            if not stack:
                return _error("not_found")
            if len(stack) >= 3:
                return _error("push_limit_reached")
            stored = self.state.new_view(view, root=stack[0]["id"], previous=stack[-1]["id"])
            stack.append(stored)
            self.state.bump()
        return {"ok": True, "view": stored}

    def views_update(self, params: Answer) -> Answer:
        """Replace an open modal (or a Home view), keeping its id."""
        where = self.state.find_view(view_id=params.get("view_id"), external_id=params.get("external_id"))
        if where is None:
            return _error("not_found")
        user_id, index = where
        with self.state.lock:
            current = self.state.homes[user_id] if index < 0 else self.state.modals[user_id][index]
            if params.get("hash") and params["hash"] != current["hash"]:
                return _error("hash_conflict")
            view, bad = self._view(params, kind=current["type"])
            if bad or view is None:
                return bad or _error("invalid_arguments")
            stored = self.state.new_view(view, view_id=current["id"], root=current["root_view_id"],
                                         previous=current["previous_view_id"])
            if index < 0:
                self.state.homes[user_id] = stored
            else:
                self.state.modals[user_id][index] = stored
            self.state.errors.pop(current["id"], None)
            self.state.bump()
        return {"ok": True, "view": stored}

    def views_publish(self, params: Answer) -> Answer:
        """Set a teammate's App Home."""
        user_id = str(params.get("user_id", ""))
        if demo.teammate(user_id) is None:
            return _error("user_not_found")
        view, bad = self._view(params, kind="home")
        if bad or view is None:
            return bad or _error("invalid_arguments")
        with self.state.lock:
            current = self.state.homes.get(user_id)
            if current and params.get("hash") and params["hash"] != current["hash"]:
                return _error("hash_conflict")
            stored = self.state.new_view(view, view_id=current["id"] if current else None)
            self.state.homes[user_id] = stored
            self.state.bump()
        return {"ok": True, "view": stored}

    # ---- files ---------------------------------------------------------------------------

    def file_object(self, stored: StoredFile) -> Answer:
        """The `file` object of files.info and events."""
        name = quote(stored.name)
        ims = [c for c in stored.channels if c.startswith("D")]
        return {
            "id": stored.id, "created": stored.created, "timestamp": stored.created, "name": stored.name,
            "title": stored.title, "mimetype": stored.mimetype, "filetype": stored.filetype,
            "pretty_type": stored.filetype.upper(), "user": stored.user, "user_team": demo.TEAM_ID,
            "editable": False, "size": len(stored.content), "mode": "hosted", "is_external": False,
            "external_type": "", "is_public": False, "public_url_shared": False, "display_as_bot": False,
            "username": "", "url_private": f"{self.base_url}/files/{stored.id}/{name}",
            "url_private_download": f"{self.base_url}/files/{stored.id}/download/{name}",
            "permalink": f"https://{demo.TEAM_DOMAIN}.slack.com/files/{stored.user}/{stored.id}/{name}",
            "channels": [c for c in stored.channels if c.startswith("C")], "groups": [], "ims": ims,
            "comments_count": 0, "has_rich_preview": False, "file_access": "visible",
        }

    def store_file(self, *, name: str, content: bytes, user: str, channels: list[str]) -> StoredFile:
        """Keep a file's bytes under a new id."""
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        stored = StoredFile(id=slack_id("F"), name=name, title=name, mimetype=mimetype, filetype=filetype,
                            content=content, user=user, created=int(self.state.clock.now().timestamp()),
                            channels=channels)
        with self.state.lock:
            self.state.files[stored.id] = stored
        return stored

    def files_info(self, params: Answer) -> Answer:
        """A shared file's metadata, with its download URLs."""
        stored = self.state.files.get(str(params.get("file", "")))
        if stored is None:
            return _error("file_not_found")
        return {"ok": True, "file": self.file_object(stored), "comments": [], "response_metadata": {"next_cursor": ""}}

    def files_get_upload_url(self, params: Answer) -> Answer:
        """Step 1 of files_upload_v2: where to send the bytes (and how many are promised)."""
        problems = slack_rules.check_upload_url_request(params)
        if problems:
            self._refused("files.getUploadURLExternal", problems)
            return refusal("invalid_arguments", problems)
        name = str(params.get("filename") or "file")
        stored = self.store_file(name=name, content=b"", user=demo.BOT_USER_ID, channels=[])
        self.promised[stored.id] = int(params["length"])
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{stored.id}", "file_id": stored.id}

    def files_complete_upload(self, params: Answer) -> Answer:
        """Step 3 of files_upload_v2: the promised bytes arrived; share the files if a channel is named."""
        problems = slack_rules.check_complete_upload(params)
        if problems:
            self._refused("files.completeUploadExternal", problems)
            return refusal("invalid_arguments", problems)
        items = _json_field(params.get("files"))
        found = [self.state.files.get(str(item.get("id"))) for item in items if isinstance(item, dict)]
        if not all(found):
            return _error("file_not_found")
        short = [f.id for f in found if f is not None and f.id in self.promised
                 and len(f.content) != self.promised[f.id]]
        if short:
            self._refused("files.completeUploadExternal", [f"{i}: not the promised bytes" for i in short])
            return _error("file_upload_incomplete")
        for f in found:
            if f is not None:
                self.promised.pop(f.id, None)
        channel = self.resolve_channel(str(params.get("channel_id") or params.get("channels") or ""))
        files = [f for f in found if f is not None]
        for item, stored in zip(items, files, strict=False):
            stored.title = str(item.get("title") or stored.name)
            if channel:
                stored.channels.append(channel)
        if channel:
            self.state.post(channel, text=str(params.get("initial_comment") or ""), files=[f.id for f in files])
        return {"ok": True, "files": [self.file_object(f) for f in files]}

    def _unknown_images(self, params: Answer) -> list[str]:
        """Slack refuses a slack_file it does not know, or one that is not a finished image upload."""
        problems = []
        for file_id in slack_rules.slack_file_ids(params):
            stored = self.state.files.get(file_id)
            if stored is None or not stored.mimetype.startswith("image/") or file_id in self.promised:
                problems.append(f"invalid slack file {file_id}")
        return problems

    def image(self, file_id: str) -> Response:
        """An uploaded image's bytes for the page (Slack shows an image block to whoever sees the block)."""
        stored = self.state.files.get(file_id)
        if stored is None or not stored.mimetype.startswith("image/") or file_id in self.promised:
            return Response("404 Not Found", [("Content-Type", "text/plain")], b"no such image")
        return Response("200 OK", [("Content-Type", stored.mimetype), ("Cache-Control", "max-age=3600")],
                        stored.content)

    def download(self, file_id: str, request: Request) -> Response:
        """url_private(_download): the bytes, for the bot token only (else Slack's sign-in page)."""
        stored = self.state.files.get(file_id)
        if stored is None:
            return Response("404 Not Found", [("Content-Type", "text/plain")], b"file not found")
        if request.bearer() != self.bot_token:
            self.state.note("app →", f"download of {stored.name} without the bot token: got the sign-in page")
            return Response("200 OK", [("Content-Type", "text/html; charset=utf-8")], SIGN_IN_PAGE)
        self.state.note("app →", f"downloaded {stored.name} ({len(stored.content)} bytes)")
        return Response("200 OK", [("Content-Type", stored.mimetype),
                                   ("Content-Disposition", f'attachment; filename="{quote(stored.name)}"')],
                        stored.content)

    def upload(self, file_id: str, request: Request) -> Response:
        """Step 2 of files_upload_v2: the bytes themselves."""
        stored = self.state.files.get(file_id)
        if stored is None:
            return Response("404 Not Found", [("Content-Type", "text/plain")], b"unknown upload")
        stored.content = request.body
        return Response("200 OK", [("Content-Type", "text/plain")], f"OK - {len(request.body)}".encode())

    # ---- response_url --------------------------------------------------------------------

    def respond(self, token: str, request: Request) -> Response:
        """A post to a response_url: a new reply, or the original message replaced or deleted."""
        target = self.state.responses.get(token)
        if target is None:
            return json_response(_error("expired_url"), status="404 Not Found")
        target.uses += 1
        if target.uses > RESPONSE_URL_USES:
            return json_response(_error("used_url"), status="404 Not Found")
        body = request.params()
        problems = slack_rules.check_call("response_url", body)
        if problems:
            self._refused("response_url post", problems)
            return json_response(refusal("invalid_blocks", problems), status="400 Bad Request")
        blocks = _json_field(body.get("blocks")) if "blocks" in body else None
        text = body.get("text")
        self.state.note("app →", f"response_url ({'replace' if _truthy(body.get('replace_original')) else 'reply'})")
        original = self.state.find(target.channel, target.origin_ts) if target.origin_ts else None
        if original is not None and _truthy(body.get("delete_original")):
            self.state.delete(original)
        elif original is not None and _truthy(body.get("replace_original")):
            self.state.replace(original, text=None if text is None else str(text), blocks=blocks or [])
        elif body.get("response_type") == "in_channel":
            self.state.post(target.channel, text=str(text or ""), blocks=blocks, replying_to=target.replying_to)
        else:
            self.state.post(target.channel, text=str(text or ""), blocks=blocks, ephemeral_for=target.user_id,
                            replying_to=target.replying_to)
        return json_response({"ok": True})


def new_bot_token() -> str:
    """A random bot token shaped like Slack's."""
    return f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-{secrets.token_urlsafe(18)}"
