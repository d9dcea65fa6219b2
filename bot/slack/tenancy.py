"""The workspace of a request is the one Bolt authorized; a body naming another one is refused.

Bolt picks the team it authorizes from the body (`view.app_installed_team_id`, then `team.id`, then
`authorizations[0]`…), while listeners used to read `team.id` or `team_id` themselves: a payload
naming T1 but signed for T2's installation acted on T1's data with T2's token. Here every team id
the body names must be the authorized one, and listeners read the team from `context` only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

log = logging.getLogger("bot.slack.tenancy")


def named_teams(body: dict[str, Any]) -> set[str]:
    """Every workspace id a request body names as its own (not the actor's home team in Slack Connect)."""
    found: set[str] = set()
    team = body.get("team")
    if isinstance(team, dict):
        found.add(team.get("id") or "")
    elif isinstance(team, str):
        found.add(team)
    found.add(body.get("team_id") or "")
    view = body.get("view")
    if isinstance(view, dict):
        found.update({view.get("team_id") or "", view.get("app_installed_team_id") or ""})
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations and isinstance(authorizations[0], dict):
        found.add(authorizations[0].get("team_id") or "")
    found.discard("")
    return found


def authorized_team(context: BoltContext) -> str | None:
    """The team of the installation (or single bot token) Bolt authorized this request with."""
    result = context.authorize_result
    return result.team_id if result is not None else None


def require_authorized_team(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002
    """Global middleware: refuse a request whose body names a team other than the authorized one."""
    authorized = authorized_team(context)
    named = named_teams(body)
    if authorized is None or named <= {authorized}:
        if authorized is not None:
            context["team_id"] = authorized
        return next()
    context["outcome"] = "refused"
    log.warning("refused request: body names team(s) %s, authorized for %s",
                ",".join(sorted(named - {authorized})), authorized)
    return BoltResponse(status=403, body='{"error":"this request names a workspace it is not authorized for"}',
                        headers={"Content-Type": "application/json"})
