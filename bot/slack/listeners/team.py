"""Team views: the leaderboard command and its Post-to-channel button, App Home, the channel digest sender."""

from __future__ import annotations

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import commands as cmd
from bot.domain.invites import PERIODS, Tier
from bot.services import home as home_service
from bot.services import team_view
from bot.services.errors import ServiceError
from bot.services.leaderboard import team_leaderboard
from bot.services.members import Actor, update_member
from bot.slack import charts, render
from bot.slack.deps import Deps, Origin
from bot.slack.errors import ack_only, reporting
from bot.slack.ids import TeamAction
from bot.slack.listeners import log_modal
from bot.slack.listeners.settings_modal import is_admin
from bot.slack.once import once_per_event
from bot.slack.payloads import BadPayload, HomeSwitch, PostLeaderboard, load
from bot.slack.render import home
from bot.slack.render import team as render_team


def register(app: App, deps: Deps) -> None:
    """Post to channel, App Home (open, Log invites, the member's settings): ack at once, work after."""

    def post_leaderboard(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        period = PERIODS[load(PostLeaderboard, action.get("value")).period]
        actor = _actor(deps, body, client, context)
        channel_id = (body.get("channel") or {}).get("id")
        if not channel_id:
            raise ServiceError("I can't tell which channel this came from: "
                               f"run `{deps.commands.invites} leaderboard` there again.")
        board = team_leaderboard(deps.db, team_id=actor.team_id, period=period, now=deps.clock.now())
        try:
            client.chat_postMessage(channel=channel_id, unfurl_links=False, **render_team.leaderboard_public(board))
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in render_team.CANNOT_POST:
                raise
            respond(response_type="ephemeral", replace_original=False,
                    **render_team.cannot_post_reply(code, channel_id=channel_id))
            return
        respond(replace_original=True, **render_team.posted_reply(board, channel_id=channel_id))

    def home_opened(event: dict, client: WebClient, context: BoltContext) -> None:
        if event.get("tab") != "home":
            return
        actor = deps.actor(team_id=context.team_id, user_id=event["user"], client=client)
        publish_home(deps, actor, client)

    def log_from_home(body: dict, client: WebClient, context: BoltContext) -> None:
        actor = _actor(deps, body, client, context)
        origin = Origin(client=client, team_id=actor.team_id, user_id=actor.user_id, trigger_id=body.get("trigger_id"))
        reply = log_modal.open_log_modal(deps, actor, origin)
        if reply:  # a Home click has no response_url: say why the form did not open in the app's DM
            client.chat_postMessage(channel=actor.user_id, **reply)

    def set_tier(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        tier = _tier((action.get("selected_option") or {}).get("value"))
        _change_setting(deps, _actor(deps, body, client, context), client, account_tier=str(tier))

    def set_digest(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        on = load(HomeSwitch, action.get("value")).on
        # Resuming also ends a snooze, as `/invites resume` does.
        changes = {"nudges_enabled": True, "snoozed_until": None} if on else {"nudges_enabled": False}
        _change_setting(deps, _actor(deps, body, client, context), client, **changes)

    def set_leaderboard(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        shown = load(HomeSwitch, action.get("value")).on
        _change_setting(deps, _actor(deps, body, client, context), client, show_on_leaderboard=shown)

    # Slack gets its 200 at once (events are redelivered after 3 seconds); the work runs after.
    # One publish per event id: Slack's redeliveries of the open are dropped.
    app.event("app_home_opened")(ack=ack_only, lazy=[reporting(once_per_event(deps, home_opened), deps.commands)])
    for action_id, work in (
        (TeamAction.POST_LEADERBOARD, post_leaderboard),
        (TeamAction.OPEN_LOG_MODAL, log_from_home),
        (TeamAction.HOME_TIER, set_tier),
        (TeamAction.HOME_DIGEST, set_digest),
        (TeamAction.HOME_LEADERBOARD, set_leaderboard),
    ):
        app.action(action_id)(ack=ack_only, lazy=[reporting(work, deps.commands)])


def _actor(deps: Deps, body: dict, client: WebClient, context: BoltContext) -> Actor:
    """The clicking member, in the workspace Bolt authorized (never the body's `team`)."""
    return deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)


def _tier(value: str | None) -> Tier:
    try:
        return Tier(value or "")
    except ValueError:
        raise BadPayload("That choice is out of date; reopen the Home tab.") from None


def _change_setting(deps: Deps, actor: Actor, client: WebClient, **changes: object) -> None:
    """One of the member's own settings changed from Home: store it, then show the Home again."""
    update_member(deps.db, actor, **changes)
    publish_home(deps, actor, client)


def publish_home(deps: Deps, actor: Actor, client: WebClient) -> None:
    """Build the member's Home from fresh figures and publish it (on open and after each change)."""
    now = deps.clock.now()
    data = home_service.home_data(deps.db, actor, now=now)
    # The lead's view: for admins only, asked live (a member never sees the others' rows).
    team = team_view.team_rows(deps.db, actor.team_id, now=now) if is_admin(deps, client, actor.user_id) else None
    view = home.home_view(data, now=now, tz=actor.tz, limits=actor.settings.safe_weekly, commands=deps.commands,
                          team=team)
    charts.publish_home(deps, actor, client, view, weeks=data.weeks, now=now)  # the text now, the chart after


def leaderboard_command(deps: Deps, actor: Actor, parsed: cmd.Leaderboard, origin: Origin) -> render.Reply:
    """`/invites leaderboard [period|hide|show]`."""
    if parsed.visibility is not None:
        shown = parsed.visibility == "show"
        update_member(deps.db, actor, show_on_leaderboard=shown)
        return render_team.visibility_reply(shown=shown, min_sample=actor.settings.leaderboard_min_sample,
                                            commands=deps.commands)
    board = team_leaderboard(deps.db, team_id=actor.team_id, period=parsed.period, now=deps.clock.now())
    channel_id = origin.channel_id or ""
    # In a DM the button would only post to the person who already sees it.
    can_post = bool(channel_id) and not channel_id.startswith("D")
    return render_team.leaderboard_reply(board, channel_id=channel_id, can_post=can_post,
                                         commands=deps.commands)

