"""The app's modals as Block Kit (pure): the Log invites form and the two settings forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.commands import MAX_URLS_PER_COMMAND
from bot.domain.invites import Priority
from bot.domain.settings import SETTINGS, Setting
from bot.domain.tiers import TIERS
from bot.services.members import Actor
from bot.slack.ids import LogField, LogModal, SettingsBlock, SettingsView
from bot.slack.payloads import LogModalMeta

# Each input block holds one element with this action_id (the listeners read state by it).
VALUE = "value"
WITH_NOTE = "with_note"
_TEXT_MAX = 200

# ---- Log invites ------------------------------------------------------------------------------


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None) -> dict:
    block: dict[str, Any] = {
        "type": "input", "block_id": block_id, "label": _plain(label), "optional": optional,
        "element": {**element, "action_id": VALUE},
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


PRIORITY_OPTIONS = [_option(Priority.HIGH, "High"), _option(Priority.NORMAL, "Normal"), _option(Priority.LOW, "Low")]
NOTE_OPTION = _option(WITH_NOTE, "The invite carried a personal note")


def log_view(*, today: date, channel_id: str | None, from_message: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The "Log invites" modal, dated today (the member's local day) by default.

    `from_message`: opened by the message shortcut, with the profile URLs found in the message
    (filled in, one per line; none found is said at the top).
    """
    urls_element: dict[str, Any] = {
        "type": "plain_text_input", "multiline": True,
        "placeholder": _plain("One per line: https://www.linkedin.com/in/…"),
    }
    notice: list[dict[str, Any]] = []
    if from_message is not None:
        if from_message:
            urls_element["initial_value"] = "\n".join(from_message)
            noun = "profile" if len(from_message) == 1 else "profiles"
            notice = [_context(f":link: {len(from_message)} LinkedIn {noun} found in the message: check them, then Log.")]
        else:
            notice = [_context(":information_source: I found no LinkedIn profile URL in that message. "
                               "Paste the profiles below, or write a name.")]
    source = "shortcut" if from_message is not None else "modal"
    return {
        "type": "modal",
        "callback_id": LogModal.VIEW,
        "title": _plain("Log invites"),
        "submit": _plain("Log"),
        "close": _plain("Cancel"),
        "private_metadata": LogModalMeta.of(channel_id, source=source).dump(),
        "blocks": [
            *notice,
            _input(LogField.URLS, "LinkedIn profile URLs", urls_element,
                   optional=True, hint=f"Up to {MAX_URLS_PER_COMMAND}. Leave empty to log a name alone."),
            _input(LogField.NAME, "Name", {"type": "plain_text_input", "max_length": _TEXT_MAX},
                   optional=True, hint="For one profile, or a person whose URL you don't have. "
                                       "Text that isn't a name (\"met at SaaStr\") is kept as a comment."),
            _input(LogField.COMPANY, "Company", {"type": "plain_text_input", "max_length": _TEXT_MAX}, optional=True),
            _input(LogField.PRIORITY, "Priority", {
                "type": "static_select", "options": PRIORITY_OPTIONS, "initial_option": PRIORITY_OPTIONS[1],
            }, optional=False),
            _input(LogField.NOTE, "Note", {"type": "checkboxes", "options": [NOTE_OPTION]}, optional=True),
            _input(LogField.SENT, "Date sent", {"type": "datepicker", "initial_date": today.isoformat()},
                   optional=False),
        ],
    }


# ---- settings -----------------------------------------------------------------------------------

DAYS = [("1", "Mon"), ("2", "Tue"), ("3", "Wed"), ("4", "Thu"), ("5", "Fri"), ("6", "Sat"), ("7", "Sun")]
ZONES = [
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm",
    "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Athens",
    "Europe/Istanbul", "Europe/Kyiv", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
    "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth",
    "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
    "America/St_Johns", "America/Halifax", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/Santiago", "America/Bogota", "America/Lima", "America/New_York", "America/Toronto",
    "America/Chicago", "America/Mexico_City", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
]


def _choice(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def _setting_block(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
                   hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": {"type": "plain_text", "text": label[:2000]}, "element": {**element, "action_id": VALUE}}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:2000]}
    return block


def _setting_setting_block(setting: Setting, current: object) -> dict[str, Any]:
    """A declared setting's input: its label, hint and range from the declaration."""
    if setting.choose:  # a short range (the hour) reads better as a list
        options = [_choice(setting.shown_as.format(v), str(v)) for v in range(setting.min, setting.max + 1)]
        chosen = next((o for o in options if o["value"] == str(current)), options[0])
        element: dict[str, Any] = {"type": "static_select", "options": options, "initial_option": chosen}
    else:
        element = {"type": "number_input", "is_decimal_allowed": False,
                   "min_value": str(setting.min), "max_value": str(setting.max)}
        if current is not None:  # an optional setting left empty means no limit
            element["initial_value"] = str(current)
    return _setting_block(setting.name, setting.label, element, hint=setting.modal_hint, optional=setting.optional)


def workspace_view(current: dict[str, Any], *, curve_hint: str | None = None,
                   curve_image: dict[str, Any] | None = None) -> dict[str, Any]:
    """The admin modal, every setting filled in with its current value (the team's curve beside the
    threshold, and its chart when today's is already made)."""
    blocks = []
    for s in SETTINGS:
        blocks.append(_setting_setting_block(s, current[s.name]))
        if s.name == "withdraw_after_days" and curve_hint:
            blocks.append({"type": "context", "block_id": SettingsBlock.CURVE_HINT,
                           "elements": [{"type": "plain_text", "text": curve_hint[:2000]}]})
            if curve_image is not None:
                blocks.append(curve_image)
    days = [_choice(label, value) for value, label in DAYS]
    blocks.append(_setting_block("working_days", "Digest on these days",
                         {"type": "checkboxes", "options": days,
                          "initial_options": [d for d in days if d["value"] in str(current["working_days"])]}))
    channel = {"type": "conversations_select", "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if current.get("digest_channel"):
        channel["initial_conversation"] = current["digest_channel"]
    blocks.append(_setting_block("digest_channel", "Weekly team digest in", channel, optional=True))
    holidays = {"type": "plain_text_input", "max_length": 2000,
                "placeholder": {"type": "plain_text", "text": "2026-12-24, 2026-12-25, 2027-01-01"}}
    if current.get("holidays"):
        holidays["initial_value"] = str(current["holidays"])
    blocks.append(_setting_block("holidays", "Holidays (no digests)", holidays, optional=True,
                                 hint="Dates without a daily or weekly digest, separated by commas. A weekly "
                                      "digest due on a holiday goes out on the next working day."))
    zones = list(dict.fromkeys([str(current["timezone"]), *ZONES]))[:100]
    zone_options = [_choice(z.replace("_", " "), z) for z in zones]
    blocks.append(_setting_block("timezone", "Workspace time zone (for members whose zone is unknown)",
                         {"type": "static_select", "options": zone_options, "initial_option": zone_options[0]}))
    return {"type": "modal", "callback_id": SettingsView.WORKSPACE, "title": {"type": "plain_text", "text": "Workspace settings"},
            "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks}


def member_view(actor: Actor) -> dict[str, Any]:
    """A member's own settings: tier, digest on/off, shown on the leaderboard."""
    tiers = [_choice(t.name, t.id) for t in TIERS]
    yes_no = {"on": _choice("On", "on"), "off": _choice("Off", "off")}
    shown = {"show": _choice("Shown", "show"), "hide": _choice("Hidden", "hide")}
    blocks = [
        _setting_block("account_tier", "Your LinkedIn account",
               {"type": "static_select", "options": tiers, "initial_option": tiers[[t.tier for t in TIERS].index(actor.tier)]}),
        _setting_block("nudges", "Daily digest", {"type": "radio_buttons", "options": list(yes_no.values()),
                                          "initial_option": yes_no["on" if actor.nudges_enabled else "off"]}),
        _setting_block("leaderboard", "On the team leaderboard", {
            "type": "radio_buttons", "options": list(shown.values()),
            "initial_option": shown["show" if actor.show_on_leaderboard else "hide"]}),
    ]
    return {"type": "modal", "callback_id": SettingsView.MEMBER, "title": {"type": "plain_text", "text": "Your settings"},
            "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks}
