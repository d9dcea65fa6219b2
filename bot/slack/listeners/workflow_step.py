"""The Workflow Builder step `log_linkedin_invite` (Bolt's `app.function`; manifest.yml `functions`).

Slack sends `function_executed` with the step's inputs and a token for this execution (Bolt puts it
on the listener's client). The step logs the invite for `sender` through `/invited`'s service (same
rules; its warnings become the `warnings` output) and completes with `functions.completeSuccess`,
or with `functions.completeError` saying why (not a LinkedIn profile URL, a duplicate, not a
member): never left hanging. The execution's change id is made from its `function_execution_id`,
and the event is claimed once per event id: a redelivered event logs nothing twice, and one whose
first delivery logged but could not complete completes with that invite.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_bolt.context.complete import Complete
from slack_bolt.context.fail import Fail
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.capture import StepInputError, read_step_inputs
from bot.services import invites as invite_service
from bot.services.errors import ServiceError
from bot.slack.deps import Deps
from bot.slack.errors import reply_for
from bot.slack.ids import WorkflowStep
from bot.slack.listeners import alerts
from bot.slack.mrkdwn import plain
from bot.slack.once import once_per_event
from bot.slack.render import capture as render_capture

log = logging.getLogger("bot.slack.workflow_step")

NO_WARNINGS = "No warnings."


class StepRefused(ServiceError):
    """The step cannot log this invite; the message is its error in Workflow Builder's run history."""


def register(app: App, deps: Deps) -> None:
    """The step's listener (Bolt acks function_executed itself)."""

    def log_invite(event: dict, inputs: dict, complete: Complete, fail: Fail, client: WebClient,
                   context: BoltContext) -> None:
        try:
            outputs = run_step(deps, client, team_id=context.team_id, execution_id=event["function_execution_id"],
                               inputs=inputs or {})
        except Exception as error:  # noqa: BLE001 - every failure ends the step with its reason, never hanging
            message = str(error) if isinstance(error, ServiceError) else plain(reply_for(error, deps.commands)["text"])
            fail(error=message)
            return
        complete(outputs=outputs)
        alerts.check_after(deps, team_id=context.team_id, user_id=inputs["sender"], client=_bot_client(context))

    app.function(WorkflowStep.LOG_INVITE)(once_per_event(deps, log_invite))


def _bot_client(context: BoltContext) -> WebClient:
    """The app's own token for what follows the step (alert DMs), not the execution's."""
    return WebClient(token=context.bot_token or context.client.token, base_url=context.client.base_url)


def run_step(deps: Deps, client: WebClient, *, team_id: str, execution_id: str, inputs: dict) -> dict:
    """Log the step's invite; its outputs, or StepRefused with the reason."""
    try:
        step = read_step_inputs(inputs)
    except StepInputError as error:
        raise StepRefused(str(error)) from None
    _check_member(client, step.sender)
    actor = deps.actor(team_id=team_id, user_id=step.sender, client=client)
    change_id = invite_service.change_id_for("workflow", team_id, execution_id)
    earlier = invite_service.logged_in_change(deps.db, actor, change_id)
    if earlier:  # logged by an earlier delivery of this execution that could not complete
        return {"invite_id": earlier[0].id, "prospect": earlier[0].prospect_key, "warnings": NO_WARNINGS}
    now = deps.clock.now()
    result = invite_service.log_invites(deps.db, actor, step.request, now=now, source="workflow", change_id=change_id)
    if not result.logged:
        raise StepRefused(render_capture.workflow_warnings(
            invite_service.LogResult(duplicates=result.duplicates), actor, now=now, commands=deps.commands))
    invite = result.logged[0]
    warnings = render_capture.workflow_warnings(result, actor, now=now, commands=deps.commands)
    return {"invite_id": invite.id, "prospect": invite.prospect_key, "warnings": warnings or NO_WARNINGS}


def _check_member(client: WebClient, user_id: str) -> None:
    """`sender` is a person in this workspace (users.info): StepRefused when not."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "user_not_visible"):
            raise StepRefused(f"{user_id} is not a member of this workspace, so no invite was logged.") from None
        raise
    if user.get("deleted") or user.get("is_bot"):
        raise StepRefused(f"{user_id} is not an active member of this workspace, so no invite was logged.")
