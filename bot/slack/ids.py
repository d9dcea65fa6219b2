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
