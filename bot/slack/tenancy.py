"""The workspace of a request is the one Bolt authorized; a body naming another one is refused.

Bolt picks the team it authorizes from the body (`view.app_installed_team_id`, then `team.id`, then
`authorizations[0]`…), while listeners used to read `team.id` or `team_id` themselves: a payload
naming T1 but signed for T2's installation acted on T1's data with T2's token. Here every team id
the body names must be the authorized one, and listeners read the team from `context` only.

Enterprise Grid org-wide installs: one installation (and token) for the org, so Bolt's authorized
"team" is the org itself. The request's workspace is the one its body names; it must belong to the
authorizing org (our workspace row says so, or on first sight Slack's `auth.teams.list` does), and
it is the team every listener sees in `context.team_id`: each workspace of the org keeps its own data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.db.engine import Database
from bot.services.members import join_enterprise, workspace_enterprise

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


def org_wide_enterprise(context: BoltContext) -> str | None:
    """The Enterprise Grid org whose org-wide installation authorized this request, else None.

    Bolt looks an org-wide install up by the request's enterprise alone (its team is NULL), so the
    authorized token serves every workspace of that org: which one the request is for comes from
    the body, and must be a workspace of that org.
    """
    result = context.authorize_result
    enterprise = context.enterprise_id
    if result is None or not context.is_enterprise_install or not enterprise or result.enterprise_id != enterprise:
        return None
    return enterprise


def request_workspace(body: dict[str, Any], enterprise_id: str) -> set[str]:
    """The workspace(s) an org-wide request names (Slack may send `team: null` and the user's team instead)."""
    named = named_teams(body) - {enterprise_id}
    if not named:
        user = body.get("user")
        if isinstance(user, dict) and user.get("team_id"):
            named.add(user["team_id"])
    return named


def granted_workspaces(client: WebClient) -> set[str] | None:
    """The workspaces of the org the org-wide token was granted (auth.teams.list), None when Slack would not say."""
    teams: set[str] = set()
    cursor: str | None = None
    try:
        while True:
            page = client.auth_teams_list(cursor=cursor, limit=200) if cursor else client.auth_teams_list(limit=200)
            teams.update(t["id"] for t in page.get("teams") or [] if t.get("id"))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return teams
    except SlackApiError as error:
        log.warning("auth.teams.list failed: %s", error.response.get("error"))
        return None


# Events about the org-wide installation itself, not about one workspace of the org: the workspace
# the envelope names may be the very one whose access just went.
ORG_LEVEL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked", "team_access_granted", "team_access_revoked"})


def _org_level_event(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return body.get("type") == "event_callback" and isinstance(event, dict) and event.get("type") in ORG_LEVEL_EVENTS


class _Checked(Middleware):
    """The check as Bolt's own middleware class: called with the request, no per-request kwargs building."""

    def __init__(self, check: Callable[[BoltContext, dict[str, Any], Callable[[], Any]], Any]) -> None:
        self._check = check

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:  # noqa: A002
        return self._check(req.context, req.body, next)

    @property
    def name(self) -> str:
        return "require_authorized_team"


def require_authorized_team(db: Database, clock: Clock) -> Middleware:
    """Global middleware: refuse a request whose body names a team other than the authorized one.

    With an org-wide install the authorized "team" is the org: the request's workspace is the one
    its body names, accepted when our data says it belongs to that org, or (first sight) when Slack
    lists it among the workspaces the org granted the app. Each workspace keeps its own rows.
    """

    def middleware(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002
        enterprise = org_wide_enterprise(context)
        if enterprise is not None:
            return _org_wide(context, body, next, enterprise)
        authorized = authorized_team(context)
        named = named_teams(body)
        if authorized is None or named <= {authorized}:
            if authorized is not None:
                context["team_id"] = authorized
            return next()
        return _refuse(context, named - {authorized}, authorized)

    def _org_wide(context: BoltContext, body: dict[str, Any], next: Callable[[], Any], enterprise: str) -> Any:
        if _org_level_event(body):  # its listener acts on the org (and the workspaces it names) only
            context["team_id"] = None
            return next()
        named = request_workspace(body, enterprise)
        if len(named) > 1:
            return _refuse(context, named, enterprise)
        if not named:  # an org's token acts in one of its workspaces, never in none in particular
            return _refuse(context, {"(none)"}, enterprise)
        (team,) = named
        known, belongs_to = workspace_enterprise(db, team_id=team)
        if belongs_to != enterprise:
            if belongs_to is not None:  # a workspace of another org
                return _refuse(context, named, enterprise)
            granted = granted_workspaces(context.client)
            if granted is None or team not in granted:
                return _refuse(context, named, enterprise)
            join_enterprise(db, team_id=team, enterprise_id=enterprise, now=clock.now())
            log.info("enterprise %s: workspace %s joins (%s)", enterprise, team, "known" if known else "new")
        context["team_id"] = team
        return next()

    return _Checked(middleware)


def _refuse(context: BoltContext, named: set[str], authorized: str) -> BoltResponse:
    context["outcome"] = "refused"
    log.warning("refused request: body names team(s) %s, authorized for %s", ",".join(sorted(named)), authorized)
    return BoltResponse(status=403, body='{"error":"this request names a workspace it is not authorized for"}',
                        headers={"Content-Type": "application/json"})
