"""One tier table: every surface that names an account tier writes it from the table, the same way."""

from __future__ import annotations

import json
import re

import pytest

from bot.domain.commands import INVITES_USAGE, parse_invites
from bot.domain.commands import SetTier as SetTierCommand
from bot.domain.invites import Tier
from bot.domain.tiers import TIERS, tier_info
from tests.slack.test_home import open_home, published
from tests.unit.test_home_blocks import home_as_text

NAMES = {t.name for t in TIERS}
TYPED = "tier " + "|".join(t.id for t in TIERS)
# Any spelling of a tier a person would read as one; each must be the table's name, exactly.
SPELLINGS = re.compile(r"\b(free|basic|premium|sales[ _-]?navigator)\b", re.IGNORECASE)


def spellings(text: str) -> set[str]:
    """Every tier spelling in a text, leaving out the typed words of the usage line."""
    return {m.group(0) for m in SPELLINGS.finditer(text.replace(TYPED, ""))}


def shown_text(node) -> str:
    """Every string a person reads in a Block Kit structure (its "text" values), not ids or values."""
    if isinstance(node, dict):
        return "\n".join([node["text"] if isinstance(node.get("text"), str) else "",
                          *(shown_text(v) for k, v in node.items() if k != "text" or not isinstance(v, str))])
    if isinstance(node, list):
        return "\n".join(shown_text(v) for v in node)
    return ""


def view_of(call) -> dict:
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_the_table_has_one_row_per_tier_with_the_product_defaults():
    assert [t.tier for t in TIERS] == list(Tier)
    assert {t.id: (t.safe_weekly, t.notes_per_month) for t in TIERS} == {
        "free": (80, 5), "premium": (120, None), "sales_navigator": (150, None)}
    assert len(NAMES) == len(TIERS)


@pytest.mark.parametrize("row", TIERS, ids=lambda t: t.id)
def test_every_word_of_the_table_and_the_name_set_that_tier(row):
    for word in {*row.words, row.id, row.name, row.name.upper(), row.name.lower()}:
        assert parse_invites(f"tier {word}") == SetTierCommand(row.tier), word


def test_the_usage_help_and_the_refusal_list_the_ids_of_the_table(slack):
    assert TYPED in INVITES_USAGE
    assert TYPED in slack.invites("help").text
    refused = slack.invites("tier gold").text
    ids = [t.id for t in TIERS]
    assert f"use {', '.join(ids[:-1])} or {ids[-1]}." in refused


@pytest.mark.parametrize("row", TIERS, ids=lambda t: t.id)
def test_replies_stats_and_summary_write_the_tables_name(slack, row):
    answer = slack.invites(f"tier {row.id}").text
    assert f"*{row.name}*" in answer and str(row.safe_weekly) in answer
    stats = slack.invites("stats").text
    assert f"({row.name} account)" in stats
    summary = slack.invites("").text
    assert f"({row.name})" in summary
    for text in (answer, stats, summary):
        assert spellings(text) <= NAMES, text


def test_the_pace_warning_writes_the_tables_name(slack, db):
    from tests.support.factories import set_workspace

    slack.invited("https://linkedin.com/in/a-a")
    set_workspace(db, safe_weekly_free=2)
    text = slack.invited("https://linkedin.com/in/b-b").text
    assert f"for a {tier_info(Tier.FREE).name} account" in text
    assert spellings(text) <= NAMES


@pytest.mark.parametrize("row", TIERS, ids=lambda t: t.id)
def test_home_writes_the_tables_names(slack, fake_slack, row):
    slack.invites(f"tier {row.id}")
    open_home(slack)
    view = published(fake_slack)
    text = home_as_text(view)
    assert f"({row.name} account)" in text and f"LinkedIn account: *{row.name}*" in text
    (select,) = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e.get("type") == "static_select"]
    assert [o["text"]["text"] for o in select["options"]] == [f"{t.name} — safe {t.safe_weekly} a week" for t in TIERS]
    assert select["initial_option"]["value"] == row.id
    assert spellings(text) <= NAMES


def test_both_settings_modals_write_the_tables_names(slack, fake_slack):
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")
    slack.invites("settings", user="UADMIN")
    admin = view_of(fake_slack.of("views.open")[-1])
    labels = {b["block_id"]: b["label"]["text"] for b in admin["blocks"] if b["type"] == "input"}
    for t in TIERS:
        assert t.name in labels[f"safe_weekly_{t.id}"]
        assert t.name in labels[f"notes_per_month_{t.id}"]
    slack.invites("settings", user="U2")
    member = view_of(fake_slack.of("views.open")[-1])
    (tier_block,) = [b for b in member["blocks"] if b["block_id"] == "account_tier"]
    assert [o["text"]["text"] for o in tier_block["element"]["options"]] == [t.name for t in TIERS]
    assert [o["value"] for o in tier_block["element"]["options"]] == [t.id for t in TIERS]
    assert spellings(shown_text(admin) + shown_text(member)) <= NAMES
