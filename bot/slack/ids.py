"""Every action_id, callback_id and block_id the app uses, in one place."""

from enum import StrEnum


class Action(StrEnum):
    PICK_OUTCOME = "pick_outcome"
    LIST_PAGE = "list_page"
    UNDO = "undo_last"
    DIGEST_WITHDRAWN = "digest_withdrawn"
    DIGEST_ACCEPTED = "digest_accepted"
    DIGEST_SNOOZE = "digest_snooze"
    DIGEST_WITHDRAW_ALL = "digest_withdraw_all"  # the batch's "Withdrew all N" (digest and Home)
    LIST_OUTCOME = "list_outcome"  # a `list` / `find` row's outcome buttons (suffixed `:<outcome>`)
    UNDO_CHANGE = "undo_change"  # the Undo of a message logged by DM: that change, whole


class Block(StrEnum):
    CANDIDATES = "candidates"
    LIST_NAV = "list_nav"
    DIGEST_SUMMARY = "digest_summary"
    DIGEST_BATCH = "digest_batch"
    DIGEST_ROW = "digest_row"
    DIGEST_BULK = "digest_bulk"
    DIGEST_DONE = "digest_done"  # a digest replaced by the next one: its one-line summary
    LIST_ROW = "list_row"
    UNDO_CHANGE = "undo_change_actions"


class TeamAction(StrEnum):
    """The team views' action ids (kept here until bot/slack/ids.py takes them in)."""

    POST_LEADERBOARD = "post_leaderboard"
    OPEN_LOG_MODAL = "open_log_modal"
    HOME_TIER = "home_set_tier"
    HOME_DIGEST = "home_set_digest"
    HOME_LEADERBOARD = "home_set_leaderboard"


class TeamBlock(StrEnum):
    """The team views' block ids (and the Home view's callback id)."""

    LEADERBOARD_ACTIONS = "leaderboard_actions"
    HOME_VIEW = "home"
    HOME_SUMMARY = "home_summary"
    HOME_RATE = "home_rate"
    HOME_BATCH = "home_batch"
    HOME_LOG = "home_log"
    HOME_SETTINGS = "home_settings"
    HOME_SETTINGS_TEXT = "home_settings_text"
    TEAM_DIGEST_SUMMARY = "team_digest_summary"
    # Chart image blocks (bot/slack/charts.py).
    HOME_CHART = "home_trend_chart"
    STATS_CHART = "stats_trend_chart"
    TEAM_DIGEST_CHART = "team_digest_chart"
    CURVE_CHART = "curve_chart"
    HOME_TEAM = "home_team"  # the admins' team section
    HOME_TEAM_MORE = "home_team_more"
    HOME_INSIGHT = "home_insight"  # notes this month, the last LinkedIn report and its drift


class SettingsBlock(StrEnum):
    """Blocks of the workspace settings modal that are not inputs (the inputs are named by their setting)."""

    CURVE_HINT = "withdraw_curve"  # the days-to-accept curve beside withdraw_after_days


class LogModal(StrEnum):
    """Callback ids (the shortcuts' are in manifest.yml)."""

    SHORTCUT = "log_invites"
    MESSAGE_SHORTCUT = "log_from_message"  # "Log as sent invites" on a message
    VIEW = "log_invites_modal"
    FOUND_NONE = "log_found_none"  # the modal's notice when a message holds no profile URL


class WorkflowStep(StrEnum):
    """Function callback ids of the Workflow Builder steps (manifest.yml `functions`)."""

    LOG_INVITE = "log_linkedin_invite"


class LogField(StrEnum):
    """The modal's input blocks; each holds one element whose action_id is `VALUE`."""

    URLS = "log_urls"
    NAME = "log_name"
    COMPANY = "log_company"
    PRIORITY = "log_priority"
    NOTE = "log_note"
    SENT = "log_sent"


class SettingsView(StrEnum):
    """The settings modals' callback ids."""

    WORKSPACE = "workspace_settings"
    MEMBER = "member_settings"
