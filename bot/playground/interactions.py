"""What a person does on the page, turned into the requests Slack would send the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.config import Settings
from bot.playground import demo, slack_rules
from bot.playground import slack_requests as req
from bot.playground.applink import FORM, JSON, AppLink, Delivery
from bot.playground.demo import Teammate
from bot.playground.fake_api import FakeWebApi
from bot.playground.store import Posted, ResponseTarget, SlackState, slack_id

Outcome = dict[str, Any]  # what the page is told: {"ok": bool, "message": str}


def _failure(delivery: Delivery) -> str:
    """Slack's words for an app that did not answer well."""
    if delivery.status == 0:
        return "dispatch_failed"
    if delivery.status == 404:
        return "no listener in the app for this (HTTP 404)"
    return f"http_{delivery.status}"


class Interactions:
    """Slash commands, clicks, modal submits, Home tab opens and file drops."""

    def __init__(self, *, settings: Settings, state: SlackState, fake: FakeWebApi, link: AppLink,
                 public_url: str) -> None:
        self.settings = settings
        self.state = state
        self.fake = fake
        self.link = link
        self.public_url = public_url

    def commands(self) -> tuple[str, str]:
        """The two slash commands the app registers."""
        return self.settings.invited_command, self.settings.invites_command

    def _mate(self, user_id: str) -> Teammate:
        mate = demo.teammate(user_id)
        if mate is None:
            raise LookupError(f"no demo teammate {user_id!r}")
        return mate

    def _event_time(self) -> int:
        return int(self.state.clock.now().timestamp())

    def _response_url(self, target: ResponseTarget) -> str:
        return f"{self.public_url}/respond/{self.state.issue_response_url(target)}"

    def _notice(self, channel: str, user_id: str, text: str) -> None:
        self.state.post(channel, text=text, ephemeral_for=user_id, system=True)

    # ---- the message box ------------------------------------------------------------------

    def type_message(self, user_id: str, channel: str, text: str) -> Outcome:
        """A slash command, or a plain message (the app hears plain messages in its DMs only)."""
        mate = self._mate(user_id)
        text = text.strip()
        if not text:
            return {"ok": False, "message": f"Type a command such as {self.commands()[1]} help"}
        if text.startswith("/"):
            return self.slash_command(mate, channel, text)
        posted = self.state.post(channel, text=req_escape(text), user=mate.user_id)
        if channel == mate.dm_channel:
            event = {"type": "message", "channel": channel, "user": mate.user_id, "text": posted.text,
                     "ts": posted.ts, "event_ts": posted.ts, "channel_type": "im", "team": demo.TEAM_ID}
            self.link.send(req.event_body(event, event_time=self._event_time()), content_type=JSON,
                           what="event message.im")
        return {"ok": True, "message": ""}

    def slash_command(self, mate: Teammate, channel: str, text: str) -> Outcome:
        """POST the command as Slack does and show the ack's reply."""
        command, _, rest = text.partition(" ")
        if command not in self.commands():
            self._notice(channel, mate.user_id, f"`{command}` is not a valid command. In this workspace the app "
                                                f"answers {' and '.join(f'`{c}`' for c in self.commands())}.")
            return {"ok": False, "message": f"{command} is not a command here"}
        response_url = self._response_url(ResponseTarget(mate.user_id, channel, None, replying_to=text))
        # Slack escapes & < > in what people type before sending it (should_escape only adds link wrapping).
        body = req.command_body(mate=mate, command=command, text=req_escape(rest.strip()), channel=channel,
                                response_url=response_url, trigger_id=self.state.issue_trigger(mate.user_id))
        delivery = self.link.send(body, content_type=FORM, what=f"slash command {command}")
        if not delivery.ok:
            self._notice(channel, mate.user_id, f"{command} failed with the error \"{_failure(delivery)}\"")
            return {"ok": False, "message": f"the app answered HTTP {delivery.status}"}
        reply = delivery.json()
        if reply is None and delivery.body.strip():
            reply = {"text": delivery.body}
        problems = slack_rules.check_command_ack(reply) if isinstance(reply, dict) else []
        if problems:
            # Slack shows nothing of an ack it refuses, only that the command failed.
            self.state.note("slack ✗", f"{command} ack refused: {'; '.join(problems[:3])}")
            self._notice(channel, mate.user_id, f"{command} failed with the error \"invalid_blocks\"")
            return {"ok": False, "message": "the app's reply breaks Slack's Block Kit rules"}
        if reply and (reply.get("text") or reply.get("blocks")):
            visible = reply.get("response_type") == "in_channel"
            self.state.post(channel, text=str(reply.get("text") or ""), blocks=reply.get("blocks"),
                            ephemeral_for=None if visible else mate.user_id, replying_to=text)
        return {"ok": True, "message": ""}

    def shortcut(self, user_id: str, callback_id: str) -> Outcome:
        """A global shortcut from the ⚡ menu."""
        mate = self._mate(user_id)
        body = req.shortcut_body(mate=mate, callback_id=callback_id, trigger_id=self.state.issue_trigger(user_id))
        delivery = self.link.send(body, content_type=FORM, what=f"shortcut {callback_id}")
        return {"ok": delivery.ok, "message": "" if delivery.ok else _failure(delivery)}

    def message_shortcut(self, user_id: str, *, channel: str, ts: str, callback_id: str) -> Outcome:
        """A message shortcut from a message's ⋯ menu: message_action with the message."""
        mate = self._mate(user_id)
        message = self.state.find(channel, ts)
        if message is None or message.ephemeral_for is not None or message.system:
            return {"ok": False, "message": "That message is gone."}
        body = req.message_shortcut_body(
            mate=mate, callback_id=callback_id, trigger_id=self.state.issue_trigger(user_id), channel=channel,
            message=message.as_slack(),
            response_url=self._response_url(ResponseTarget(user_id, channel, None)))
        delivery = self.link.send(body, content_type=FORM, what=f"message shortcut {callback_id}")
        return {"ok": delivery.ok, "message": "" if delivery.ok else _failure(delivery)}

    def run_workflow_step(self, user_id: str, inputs: Mapping[str, Any]) -> Outcome:
        """Workflow Builder runs the app's step for this teammate: function_executed, with a token for the run."""
        mate = self._mate(user_id)
        execution_id = slack_id("Fx")
        token = f"xwfp-{slack_id('', 12)}-{slack_id('', 24).lower()}"
        self.fake.start_execution(execution_id, token=token, user_id=mate.user_id, channel=demo.CHANNEL_ID)
        step = {k: v for k, v in inputs.items() if k in STEP_INPUTS and v not in (None, "")}
        step["sender"] = mate.user_id  # "Person who used this workflow"
        body = req.function_executed_body(callback_id=demo.WORKFLOW_STEP, function=STEP_FUNCTION, inputs=step,
                                          execution_id=execution_id, token=token, event_time=self._event_time())
        delivery = self.link.send(body, content_type=JSON, what=f"event function_executed ({demo.WORKFLOW_STEP})")
        if not delivery.ok:
            return {"ok": False, "message": f"function_executed: {_failure(delivery)}"}
        run = self.fake.executions[execution_id]
        if run["state"] == "running":
            return {"ok": False, "message": "The app acknowledged the step but has not completed it (yet)."}
        return {"ok": run["state"] == "completed",
                "message": "The step completed." if run["state"] == "completed" else f"The step failed: {run['error']}"}

    # ---- clicks ---------------------------------------------------------------------------

    def act_on_message(self, user_id: str, *, channel: str, ts: str, block_id: str, action_id: str, value: Any,
                       values: list[req.Raw]) -> Outcome:
        """A button or menu in a message: block_actions with the message, its container and a response_url."""
        mate = self._mate(user_id)
        message = self.state.find(channel, ts)
        if message is None or message.ephemeral_for not in (None, user_id):
            return {"ok": False, "message": "That message is gone."}
        element = req.find_element(message.blocks, block_id, action_id)
        if element is None:
            return {"ok": False, "message": "That control is no longer in the message."}
        body = req.block_actions_body(
            mate=mate, action=req.action_object(element, block_id, value),
            container={"type": "message", "message_ts": ts, "channel_id": channel,
                       "is_ephemeral": bool(message.ephemeral_for)},
            trigger_id=self.state.issue_trigger(user_id), state=req.state_values(message.blocks, values),
            channel=channel, message=None if message.ephemeral_for else message.as_slack(),
            response_url=self._response_url(ResponseTarget(user_id, channel, ts)),
        )
        return self._deliver_action(body, action_id)

    def act_on_view(self, user_id: str, *, view_id: str, block_id: str, action_id: str, value: Any,
                    values: list[req.Raw]) -> Outcome:
        """A control in a modal or the Home tab: block_actions with the view and its state."""
        mate = self._mate(user_id)
        view = self._view(user_id, view_id)
        if view is None:
            return {"ok": False, "message": "That view is closed."}
        element = req.find_element(view["blocks"], block_id, action_id)
        if element is None:
            return {"ok": False, "message": "That control is no longer in the view."}
        body = req.block_actions_body(
            mate=mate, action=req.action_object(element, block_id, value),
            container={"type": "view", "view_id": view_id}, trigger_id=self.state.issue_trigger(user_id),
            state=req.state_values(view["blocks"], values), view=view,
        )
        return self._deliver_action(body, action_id)

    def _deliver_action(self, body: str, action_id: str) -> Outcome:
        delivery = self.link.send(body, content_type=FORM, what=f"block_actions {action_id}")
        return {"ok": delivery.ok, "message": "" if delivery.ok else f"The app answered: {_failure(delivery)}"}

    def _view(self, user_id: str, view_id: str) -> dict[str, Any] | None:
        with self.state.lock:
            candidates = [*(self.state.modals.get(user_id) or []), self.state.homes.get(user_id)]
        return next((v for v in candidates if v and v["id"] == view_id), None)

    # ---- modals ---------------------------------------------------------------------------

    def submit(self, user_id: str, view_id: str, values: list[req.Raw]) -> Outcome:
        """Submit the top modal: view_submission, then do what the ack's response_action says."""
        mate = self._mate(user_id)
        view = self.state.top_modal(user_id)
        if view is None or view["id"] != view_id:
            return {"ok": False, "message": "That modal is closed."}
        missing = req.missing_required(view["blocks"], values)
        if missing:
            self._set_errors(view_id, missing)
            return {"ok": False, "message": "Fill in the required fields."}
        state = req.state_values(view["blocks"], values)
        body = req.view_submission_body(mate=mate, view=view, state=state,
                                        trigger_id=self.state.issue_trigger(user_id))
        delivery = self.link.send(body, content_type=FORM, what=f"view_submission {view.get('callback_id', '')}")
        if not delivery.ok:
            self._set_errors(view_id, {"": f"We had some trouble connecting ({_failure(delivery)}). Try again?"})
            return {"ok": False, "message": _failure(delivery)}
        ack = delivery.json() or {}
        problems = slack_rules.check_view_submission_ack(ack, view)
        if problems:
            self.state.note("slack ✗", f"view_submission ack refused: {'; '.join(problems[:3])}")
            self._set_errors(view_id, {"": "We had some trouble connecting (invalid response). Try again?"})
            return {"ok": False, "message": "the app's response_action breaks Slack's rules"}
        self._after_submit(user_id, view, ack)
        return {"ok": True, "message": ""}

    def _after_submit(self, user_id: str, view: dict[str, Any], ack: Mapping[str, Any]) -> None:
        action = ack.get("response_action")
        with self.state.lock:
            stack = self.state.modals.get(user_id) or []
            if action == "errors":
                self.state.errors[view["id"]] = {str(k): str(v) for k, v in (ack.get("errors") or {}).items()}
            elif action == "update" and isinstance(ack.get("view"), Mapping):
                stack[-1] = self.state.new_view(dict(ack["view"]), view_id=view["id"], root=view["root_view_id"],
                                                previous=view["previous_view_id"])
            elif action == "push" and isinstance(ack.get("view"), Mapping):
                stack.append(self.state.new_view(dict(ack["view"]), root=stack[0]["id"], previous=view["id"]))
            elif action == "clear":
                stack.clear()
            elif stack:
                stack.pop()
            self.state.bump()

    def _set_errors(self, view_id: str, errors: dict[str, str]) -> None:
        with self.state.lock:
            self.state.errors[view_id] = errors
            self.state.bump()

    def close(self, user_id: str, view_id: str, values: list[req.Raw]) -> Outcome:
        """Cancel or ×: close the top modal, telling the app when it asked (notify_on_close)."""
        mate = self._mate(user_id)
        view = self.state.top_modal(user_id)
        if view is None or view["id"] != view_id:
            return {"ok": True, "message": ""}
        with self.state.lock:
            self.state.modals[user_id].pop()
            self.state.bump()
        if view.get("notify_on_close"):
            body = req.view_closed_body(mate=mate, view=view, state=req.state_values(view["blocks"], values))
            self.link.send(body, content_type=FORM, what="view_closed")
        return {"ok": True, "message": ""}

    # ---- App Home and files -----------------------------------------------------------------

    def open_tab(self, user_id: str, tab: str) -> Outcome:
        """Opening the app's Home or Messages tab sends app_home_opened."""
        mate = self._mate(user_id)
        event: dict[str, Any] = {"type": "app_home_opened", "user": mate.user_id, "channel": mate.dm_channel,
                                 "tab": "messages" if tab == "messages" else "home",
                                 "event_ts": f"{self.state.clock.now().timestamp():.6f}"}
        home = self.state.homes.get(mate.user_id)
        if home is not None:
            event["view"] = home
        delivery = self.link.send(req.event_body(event, event_time=self._event_time()), content_type=JSON,
                                  what=f"event app_home_opened ({event['tab']})")
        return {"ok": delivery.ok, "message": "" if delivery.ok else _failure(delivery)}

    def share_file(self, user_id: str, name: str, content: bytes) -> Outcome:
        """A file dropped in the app DM: stored, shown, announced with file_shared and message events."""
        mate = self._mate(user_id)
        stored = self.fake.store_file(name=name, content=content, user=mate.user_id, channels=[mate.dm_channel])
        posted: Posted = self.state.post(mate.dm_channel, text="", user=mate.user_id, files=[stored.id])
        shared = {"type": "file_shared", "channel_id": mate.dm_channel, "file_id": stored.id,
                  "user_id": mate.user_id, "file": {"id": stored.id}, "event_ts": posted.ts}
        first = self.link.send(req.event_body(shared, event_time=self._event_time()), content_type=JSON,
                               what=f"event file_shared ({name})")
        message = {"type": "message", "subtype": "file_share", "text": "", "user": mate.user_id, "upload": True,
                   "files": [self.fake.file_object(stored)], "channel": mate.dm_channel, "channel_type": "im",
                   "ts": posted.ts, "event_ts": posted.ts, "display_as_bot": False}
        self.link.send(req.event_body(message, event_time=self._event_time()), content_type=JSON,
                       what="event message.im (file_share)")
        return {"ok": first.ok, "message": "" if first.ok else f"file_shared: {_failure(first)}"}


# The step's parameters as manifest.yml declares them (function_executed carries them).
STEP_INPUTS = ("profile_url", "priority", "with_note", "comment")
STEP_FUNCTION: dict[str, Any] = {
    "title": "Log a LinkedIn invite",
    "description": "Log an invite someone sent on LinkedIn, with the same checks and warnings as /invited",
    "input_parameters": [
        {"type": "string", "name": "profile_url", "title": "LinkedIn profile URL", "is_required": True},
        {"type": "slack#/types/user_id", "name": "sender", "title": "Sent by", "is_required": True},
        {"type": "string", "name": "priority", "title": "Priority", "is_required": False},
        {"type": "boolean", "name": "with_note", "title": "Sent with a note", "is_required": False},
        {"type": "string", "name": "comment", "title": "Comment", "is_required": False},
    ],
    "output_parameters": [
        {"type": "integer", "name": "invite_id", "title": "Invite number", "is_required": True},
        {"type": "string", "name": "prospect", "title": "Prospect", "is_required": True},
        {"type": "string", "name": "warnings", "title": "Warnings", "is_required": True},
    ],
}


def req_escape(text: str) -> str:
    """Escape typed text as Slack does before it reaches anyone (& < >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
