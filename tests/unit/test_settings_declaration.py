"""One declaration of the workspace settings: the input model, the model's CHECKs and the modal agree with it."""

from __future__ import annotations

import annotated_types
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import CheckConstraint

from bot.db.models import Workspace
from bot.domain.settings import RULES, SETTINGS, rule_problems, setting
from bot.domain.tiers import TIERS
from bot.services.admin import SettingsInvalid, WorkspaceSettingsInput, validate_workspace_settings
from bot.slack.render.modals import workspace_view

DEFAULTS = {s.name: s.default for s in SETTINGS} | {
    "working_days": "12345", "digest_channel": None, "timezone": "UTC"}
NON_NUMERIC = {"working_days", "digest_channel", "timezone", "holidays"}


def test_product_defaults_and_one_safe_weekly_setting_per_tier():
    assert {s.name: (s.default, s.min, s.max) for s in SETTINGS} == {
        "withdraw_after_days": (14, 1, 365), "expire_after_days": (180, 2, 3650),
        "resend_cooldown_days": (21, 0, 365), "pending_warn_at": (200, 1, 100_000),
        "pending_limit": (300, 1, 100_000), "max_withdrawals_per_day": (20, 1, 500),
        "safe_weekly_free": (80, 1, 1000), "safe_weekly_premium": (120, 1, 1000),
        "safe_weekly_sales_navigator": (150, 1, 1000), "nudge_hour": (9, 0, 23),
        "leaderboard_min_sample": (10, 1, 10_000),
        "notes_per_month_free": (5, 0, 1000), "notes_per_month_premium": (None, 0, 1000),
        "notes_per_month_sales_navigator": (None, 0, 1000),
    }
    assert [setting(t.setting).default for t in TIERS] == [t.safe_weekly for t in TIERS]
    assert [setting(t.notes_setting).default for t in TIERS] == [t.notes_per_month for t in TIERS]
    assert {s.name for s in SETTINGS if s.optional} == {t.notes_setting for t in TIERS}


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_the_input_models_bounds_come_from_the_declaration(s):
    field = WorkspaceSettingsInput.model_fields[s.name]
    bounds = {type(m): m for m in field.metadata}
    assert bounds[annotated_types.Ge].ge == s.min and bounds[annotated_types.Le].le == s.max
    assert set(WorkspaceSettingsInput.model_fields) - NON_NUMERIC == {x.name for x in SETTINGS}


def test_the_models_checks_and_defaults_come_from_the_declaration():
    checks = {c.name: str(c.sqltext) for c in Workspace.__table__.constraints if isinstance(c, CheckConstraint)}
    expected = {f"ck_workspaces_{s.name}": f"{s.name} IS NULL OR {s.name} BETWEEN {s.min} AND {s.max}"
                if s.optional else f"{s.name} BETWEEN {s.min} AND {s.max}" for s in SETTINGS}
    expected |= {f"ck_workspaces_{r.name}": f"{r.field} {r.op} {r.other}" for r in RULES}
    assert checks == expected
    for s in SETTINGS:
        column = Workspace.__table__.c[s.name]
        if s.default is None:
            assert column.default is None and column.server_default is None and column.nullable
            continue
        assert column.default.arg == s.default and str(column.server_default.arg) == str(s.default)


def test_the_modal_inputs_come_from_the_declaration():
    blocks = {b["block_id"]: b for b in workspace_view(DEFAULTS)["blocks"]}
    for s in SETTINGS:
        block = blocks[s.name]
        assert block["label"]["text"] == s.label and block["hint"]["text"] == s.modal_hint
        element = block["element"]
        if element["type"] == "number_input":
            assert (element["min_value"], element["max_value"]) == (str(s.min), str(s.max))
            assert element.get("initial_value") == (None if s.default is None else str(s.default))
            assert block["optional"] is s.optional
        else:
            assert [o["value"] for o in element["options"]] == [str(v) for v in range(s.min, s.max + 1)]
            assert element["initial_option"]["value"] == str(s.default)


def test_worded_range_errors():
    assert setting("withdraw_after_days").out_of_range == "Withdraw after must be between 1 and 365 days."
    assert setting("pending_limit").out_of_range == "Pending limit must be between 1 and 100,000 pending invites."
    assert setting("withdraw_after_days").not_a_number == "Enter a whole number of days."
    assert setting("nudge_hour").not_a_number == "Pick an hour from the list."
    assert rule_problems(DEFAULTS | {"pending_limit": 150}) == {
        "pending_limit": "Pending limit must be at least the warning level (200)."}
    assert rule_problems(DEFAULTS | {"expire_after_days": 14}) == {
        "expire_after_days": "Expire after must be more than Withdraw after (14 days)."}
    assert rule_problems(DEFAULTS) == {}


ANY_VALUE = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(allow_nan=True),
                      st.booleans(), st.lists(st.integers(), max_size=2), st.from_regex(r"-?\d{1,7}", fullmatch=True))


@given(st.dictionaries(st.sampled_from(sorted(DEFAULTS)), ANY_VALUE, max_size=4))
def test_any_values_are_accepted_or_refused_in_words(changes):
    try:
        validate_workspace_settings(DEFAULTS | changes)
    except SettingsInvalid as error:
        assert error.errors and set(error.errors) <= set(DEFAULTS)
        for message in error.errors.values():
            assert "Input should" not in message and "pydantic" not in message, message
            assert message[0].isupper() and message.endswith("."), message
