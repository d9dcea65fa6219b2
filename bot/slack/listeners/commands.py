"""`/invited` and `/invites`: ack with the reply; rules live in services, words in render."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain import commands as cmd
from bot.domain.commands import parse_invited, parse_invites
from bot.services import insight as insight_service
from bot.services import invites as invite_service
from bot.services import stats as stats_service
from bot.services.curve import team_curve
from bot.services.leaderboard import member_insights
from bot.services.members import Actor, update_member
from bot.slack import charts, render
from bot.slack.deps import Deps, Origin
from bot.slack.listeners import alerts, files, log_modal, privacy, settings_modal, team
from bot.slack.render import insight as render_insight
from bot.slack.render import team as render_team


def register(app: App, deps: Deps) -> None:
    """Attach the two slash commands."""

    def invited(ack: Ack, command: dict, client: WebClient, context: BoltContext) -> None:
        actor = deps.actor(team_id=context.team_id, user_id=command["user_id"], client=client)
        now = deps.clock.now()
        text = command.get("text") or ""
        if not text.strip():
            ack(**log_modal.open_log_modal(deps, actor, Origin.of_command(command, client, team_id=actor.team_id)))
            return
        request = parse_invited(text, today=now.astimezone(actor.tz).date())
        result = invite_service.log_invites(deps.db, actor, request, now=now)
        ack(response_type="ephemeral", **render.log_reply(result, actor, now=now, commands=deps.commands))
        # An alert the new invites crossed goes out right after the reply.
        alerts.check_after_log(deps, actor, result, client=client)

    def invites(ack: Ack, command: dict, client: WebClient, context: BoltContext) -> None:
        parsed = parse_invites(command.get("text") or "", commands=deps.commands)
        # A command that only reads: the member lookup and the service's reads in one transaction.
        with deps.db.reading() if _reads_only(parsed) else nullcontext():
            actor = deps.actor(team_id=context.team_id, user_id=command["user_id"], client=client)
            reply = run_invites(deps, actor, parsed, Origin.of_command(command, client, team_id=actor.team_id))
        ack(response_type="ephemeral", **reply)
        if isinstance(parsed, cmd.Stats):  # no chart cached for today: it follows the reply
            charts.after_stats(deps, actor, client, reply, response_url=command.get("response_url"), now=deps.clock.now())
        if isinstance(parsed, cmd.ShowCurve):  # the same for the team's curve
            charts.after_curve(deps, actor, client, reply, response_url=command.get("response_url"), now=deps.clock.now())
        # Changes that move the pile or the limit: an undo brings invites back, an outcome lowers the
        # pile (re-arming the alert), a tier changes the safe limit. Reads and lists check nothing.
        if isinstance(parsed, cmd.Undo | cmd.RecordOutcome | cmd.SetTier):
            alerts.check_after(deps, team_id=actor.team_id, user_id=actor.user_id, client=client)

    # The reply is the ack.
    app.command(deps.settings.invited_command)(invited)
    app.command(deps.settings.invites_command)(invites)


def _reads_only(parsed: cmd.InvitesCommand) -> bool:
    """Subcommands whose reply is read, not written (the stored curve, find's folded text and a first
    sight's member row are written in their own transactions and read nowhere after in the request)."""
    if isinstance(parsed, cmd.Leaderboard):
        return parsed.visibility is None
    return isinstance(parsed, cmd.Summary | cmd.Help | cmd.ListInvites | cmd.Find | cmd.Stats | cmd.ShowCurve
                      | cmd.ImportHelp)


def run_invites(deps: Deps, actor: Actor, parsed: cmd.InvitesCommand, origin: Origin) -> render.Reply:
    """One `/invites` subcommand: call its service, render its reply."""
    now = deps.clock.now()
    db = deps.db
    commands = deps.commands
    match parsed:
        case cmd.Summary():
            stats = stats_service.member_stats(db, actor, period=cmd.PERIODS["30d"], now=now)
            return render.summary_reply(stats, actor, commands=commands)
        case cmd.Help():
            return render.help_reply(commands=commands)
        case cmd.ListInvites(status=status, page=page):
            found = invite_service.list_invites(db, actor, status=status, page=page, now=now)
            return render.list_reply(found, actor, now=now, commands=commands)
        case cmd.Find(text=text, page=page):
            found = invite_service.find_invites(db, actor, text=text, page=page, now=now)
            return render.list_reply(found, actor, now=now, commands=commands)
        case cmd.RecordOutcome(outcome=outcome, ref=ref):
            result = invite_service.record_outcome(db, actor, ref, outcome, now=now)
            return render.outcome_reply(result, actor, commands=commands)
        case cmd.Undo():
            return render.undo_reply(invite_service.undo_last(db, actor, now=now), actor)
        case cmd.Stats(period=period):
            # Read-only: inside the listener's `reading()` block, one transaction for all three.
            stats = stats_service.member_stats(db, actor, period=period, now=now)
            insights = render_team.insights_lines(member_insights(db, actor, period=period, now=now))
            curve = team_curve(db, actor.team_id, now=now)
            threshold = actor.settings.withdraw_after_days
            insights.append(render_insight.stats_curve_line(curve, withdraw_after_days=threshold))
            return charts.stats_reply(deps, actor, render.stats_reply(stats, actor, insights=insights), now=now)
        case cmd.ShowCurve():
            curve = team_curve(db, actor.team_id, now=now)
            reply = render_insight.curve_reply(curve, withdraw_after_days=actor.settings.withdraw_after_days)
            return charts.curve_reply(deps, reply, team_id=actor.team_id, now=now)
        case cmd.SetTier(tier=tier):
            update_member(db, actor, account_tier=str(tier))
            limit = actor.settings.safe_weekly[tier]
            return render.simple(
                f"Your account tier is now *{render.TIER_NAMES[tier]}*: a safe pace is {limit} invites a week."
            )
        case cmd.Pause():
            update_member(db, actor, nudges_enabled=False)
            return render.simple(
                f"Paused: no daily digest until you `{render.escape(commands.invites)} resume`. {_RISK_STILL_SENT}")
        case cmd.Resume():
            update_member(db, actor, nudges_enabled=True, snoozed_until=None)
            return render.simple("Resumed: your daily digest is back on.")
        case cmd.Snooze(days=days):
            until = now + timedelta(days=days)
            update_member(db, actor, snoozed_until=until)
            return render.simple(f"Snoozed: no digest until {render.local_day(until, actor)}. {_RISK_STILL_SENT}")
        case cmd.ReportLinkedIn(count=linkedin):
            drift = insight_service.report_linkedin(db, actor, linkedin, now=now)
            return render_insight.linkedin_reply(drift, commands=commands)
        case cmd.Away():
            away = insight_service.set_away(db, actor, parsed.last_day(now.astimezone(actor.tz).date()), now=now)
            return render_insight.away_reply(away.last_day, commands=commands)
        case cmd.Back():
            return render_insight.back_reply(insight_service.come_back(db, actor, now=now))
        case cmd.ImportHelp():
            return render.import_help_reply()
        case cmd.Leaderboard():
            return team.leaderboard_command(deps, actor, parsed, origin)
        case cmd.Export(team=whole_team):
            return files.export_command(deps, actor, whole_team, origin)
        case cmd.OpenSettings():
            return settings_modal.open_settings(deps, actor, origin)
        case cmd.ForgetMe():
            return privacy.forget_me_prompt(deps, actor, origin)
    raise AssertionError(f"unhandled command {parsed!r}")


# The alerts are about the member's LinkedIn account, not the routine: they still come.
_RISK_STILL_SENT = ("You'll still get a DM if your pending invites or this week's sends reach a level "
                    "that risks a LinkedIn restriction.")
