"""Every Bolt listener, one module per surface, each with a `register(app, deps)` (create_app calls them).

Where a request lands (ids in bot/slack/ids.py, button values in bot/slack/payloads.py):

- `/invited`, `/invites` (every subcommand of the registry in bot/domain/commands.py): `commands`
- list pages, `list` / `find` rows' outcome buttons, candidates: `actions`
- digest and Home batch rows (Withdrawn / Accepted / Snooze) and the batch's "Withdrew all N": `digest`
- App Home (open, its buttons and selects), Post to channel: `team`
- the Log invites shortcut and modal: `log_modal` · the settings modals: `settings_modal`
- files shared in the DM, DM messages, export: `files` · forget-me, user_change: `privacy`
- app_uninstalled, tokens_revoked, team_access_granted/revoked (Grid org-wide installs): `lifecycle`
- alerts after a command crossed a level (lazy): `alerts`

Listeners are thin: identify the member (team from Bolt's `context`), call one service, render
with bot/slack/render, answer.
"""
