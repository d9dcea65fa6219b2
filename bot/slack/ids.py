"""Every action_id, callback_id and block_id the app uses, in one place."""

from enum import StrEnum


class Action(StrEnum):
    PICK_OUTCOME = "pick_outcome"
    LIST_PAGE = "list_page"
    UNDO = "undo_last"
    DIGEST_WITHDRAWN = "digest_withdrawn"
    DIGEST_ACCEPTED = "digest_accepted"
    DIGEST_SNOOZE = "digest_snooze"


class Block(StrEnum):
    CANDIDATES = "candidates"
    LIST_NAV = "list_nav"
    DIGEST_SUMMARY = "digest_summary"
    DIGEST_BATCH = "digest_batch"
    DIGEST_ROW = "digest_row"


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
    HOME_TEAM = "home_team"  # the admins' team section
    HOME_TEAM_MORE = "home_team_more"
    HOME_INSIGHT = "home_insight"  # notes this month, the last LinkedIn report and its drift


class SettingsBlock(StrEnum):
    """Blocks of the workspace settings modal that are not inputs (the inputs are named by their setting)."""

    CURVE_HINT = "withdraw_curve"  # the days-to-accept curve beside withdraw_after_days


class LogModal(StrEnum):
    """Callback ids (the shortcut's is in manifest.yml)."""

    SHORTCUT = "log_invites"
    VIEW = "log_invites_modal"


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
