"""Parsing `/invited` and `/invites` text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import commands as c
from bot.domain.invites import Priority, Status, Tier

TODAY = date(2026, 11, 18)


def test_one_url():
    req = c.parse_invited("https://www.linkedin.com/in/jane-doe", today=TODAY)
    assert [p.key for p in req.prospects] == ["in:jane-doe"]
    assert (req.name, req.priority, req.with_note) == (None, Priority.NORMAL, False)


def test_same_person_twice_in_one_command_is_one_prospect():
    req = c.parse_invited("linkedin.com/in/Jane-Doe https://uk.linkedin.com/in/jane-doe/", today=TODAY)
    assert len(req.prospects) == 1


def test_options_in_any_position_and_equals_form():
    req = c.parse_invited("--note --priority=low https://linkedin.com/in/a-b Ann B --sent=2026-11-01", today=TODAY)
    assert req.with_note and req.priority is Priority.LOW and req.name == "Ann B"
    assert req.sent == c.SentSpec(day=date(2026, 11, 1))


@pytest.mark.parametrize("dash", ["\u2014", "\u2013"])
def test_phone_dashes_mean_options(dash):
    assert c.parse_invited(f"https://linkedin.com/in/a-b {dash}note", today=TODAY).with_note


def test_slack_wrapped_links_and_entities():
    req = c.parse_invited("<https://www.linkedin.com/in/a-b|a-b> Smith &amp; Co", today=TODAY)
    assert req.prospects[0].key == "in:a-b" and req.name == "Smith & Co"


def test_sent_forms():
    assert c.parse_sent("3d", today=TODAY) == c.SentSpec(days_ago=3)
    assert c.parse_sent("yesterday", today=TODAY) == c.SentSpec(days_ago=1)
    assert c.parse_sent("today", today=TODAY) == c.SentSpec()
    with pytest.raises(c.UsageError, match="future"):
        c.parse_sent("2026-11-19", today=TODAY)
    with pytest.raises(c.UsageError, match="not a date"):
        c.parse_sent("last tuesday", today=TODAY)


def test_sent_day_is_local_noon_and_never_after_now():
    now = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    tokyo = ZoneInfo("Asia/Tokyo")
    assert c.SentSpec(day=date(2026, 11, 17)).resolve(now=now, tz=tokyo) == datetime(2026, 11, 17, 3, 0, tzinfo=UTC)
    # Today at local noon is still ahead for Los Angeles at 00:00 local: capped at now.
    la = ZoneInfo("America/Los_Angeles")
    assert c.SentSpec(day=date(2026, 11, 18)).resolve(now=now, tz=la) == now
    assert c.SentSpec(days_ago=2).resolve(now=now, tz=la) == now - timedelta(days=2)


def test_several_urls_keep_text_as_the_comment():
    req = c.parse_invited("https://linkedin.com/in/a-a https://linkedin.com/in/b-b met at SaaStr", today=TODAY)
    assert req.comment == "met at SaaStr" and req.name is None
    # A name cannot be several people's: with several URLs it is kept as the comment too.
    req = c.parse_invited("https://linkedin.com/in/a-a https://linkedin.com/in/b-b Jane Doe, Acme", today=TODAY)
    assert (req.name, req.company, req.comment) == (None, None, "Jane Doe, Acme")
    req = c.parse_invited("https://linkedin.com/in/a-a https://linkedin.com/in/b-b , Acme", today=TODAY)
    assert (req.name, req.company, req.comment) == (None, "Acme", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tell me who you invited"),
        ("--note", "Tell me who you invited"),
        ("https://linkedin.com/in/a --priority", "needs a value"),
        (", Acme", "name before the company"),
        ("https://twitter.com/jane", "isn't a LinkedIn profile link: “https://twitter.com/jane”"),
    ],
)
def test_invited_errors(text, message):
    with pytest.raises(c.UsageError, match=message) as info:
        c.parse_invited(text, today=TODAY)
    assert info.value.usage == c.INVITED_USAGE


def test_too_many_urls():
    text = " ".join(f"https://linkedin.com/in/p{i}" for i in range(c.MAX_URLS_PER_COMMAND + 1))
    with pytest.raises(c.UsageError, match="at most 100"):
        c.parse_invited(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", c.Summary()),
        ("help", c.Help()),
        ("LIST", c.ListInvites()),
        ("list stale 2", c.ListInvites("stale", 2)),
        ("accepted #12", c.RecordOutcome(Status.ACCEPTED, c.InviteRef(invite_id=12))),
        ("withdraw Jane  Doe", c.RecordOutcome(Status.WITHDRAWN, c.InviteRef(text="Jane  Doe"))),
        ("declined https://linkedin.com/in/x-y", c.RecordOutcome(Status.DECLINED, c.InviteRef(prospect_key="in:x-y"))),
        ("undo", c.Undo()),
        ("stats", c.Stats()),
        ("stats all", c.Stats(c.PERIODS["all"])),
        ("leaderboard 7d", c.Leaderboard(c.PERIODS["7d"])),
        ("leaderboard hide", c.Leaderboard(visibility="hide")),
        ("tier Sales Navigator", c.SetTier(Tier.SALES_NAVIGATOR)),
        ("tier premium", c.SetTier(Tier.PREMIUM)),
        ("pause", c.Pause()),
        ("resume", c.Resume()),
        ("snooze 3d", c.Snooze(3)),
        ("import", c.ImportHelp()),
        ("export team", c.Export(team=True)),
        ("settings", c.OpenSettings()),
        ("forget-me", c.ForgetMe()),
    ],
)
def test_invites_subcommands(text, expected):
    assert c.parse_invites(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dance", "I don't know `dance`"),
        ("accepted", "Which invite?"),
        ("stats 45d", "not a period"),
        ("undo everything", "takes nothing after it"),
        ("snooze 0d", "Snooze for how long"),
        ("snooze 91d", "Snooze for how long"),
        ("tier", "Which tier?"),
        ("export all", "use `export` or `export team`"),
        ("list 1 2 three", "list one of"),
    ],
)
def test_invites_errors(text, message):
    with pytest.raises(c.UsageError, match=message) as info:
        c.parse_invites(text)
    assert info.value.usage == c.INVITES_USAGE


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_invited_any_text_parses_or_explains(text):
    try:
        c.parse_invited(text, today=TODAY)
    except c.UsageError as error:
        assert str(error)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_invites_any_text_parses_or_explains(text):
    try:
        c.parse_invites(text)
    except c.UsageError as error:
        assert str(error)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=50))
def test_very_long_text(chunk):
    text = (chunk * (10_000 // len(chunk) + 1))[:10_000]
    for parse in (lambda t: c.parse_invites("accepted " + t), lambda t: c.parse_invited(t, today=TODAY)):
        try:
            parse(text)
        except c.UsageError as error:
            assert str(error)


def test_free_text_that_is_not_a_name_is_the_comment():
    req = c.parse_invited("https://www.linkedin.com/in/sam-nolan met at SaaStr --note", today=TODAY)
    assert (req.name, req.company, req.comment, req.with_note) == (None, None, "met at SaaStr", True)


@pytest.mark.parametrize(
    ("text", "name", "company"),
    [("Jane Doe", "Jane Doe", None), ("Jane Doe, Acme", "Jane Doe", "Acme"), ("Zoë O'Brien-Smith", "Zoë O'Brien-Smith", None),
     ("Ludwig van Beethoven, Wien", "Ludwig van Beethoven", "Wien"), ("山田 太郎", "山田 太郎", None)],
)
def test_free_text_that_reads_as_a_name_is_the_name(text, name, company):
    req = c.parse_invited(f"https://linkedin.com/in/x-y {text}", today=TODAY)
    assert (req.name, req.company, req.comment) == (name, company, None)


@pytest.mark.parametrize("text", [";;; !!", "https://linkedin.com/in/x-y ;;; !!", "https://linkedin.com/in/x-y 42"])
def test_text_without_letters_is_refused(text):
    with pytest.raises(c.UsageError, match="no letters") as info:
        c.parse_invited(text, today=TODAY)
    assert info.value.usage == c.INVITED_USAGE


def test_a_comment_without_a_url_is_refused():
    with pytest.raises(c.UsageError, match="doesn't read as a person's name"):
        c.parse_invited("met at SaaStr", today=TODAY)


@pytest.mark.parametrize(
    ("key", "shown"),
    [("in:jane-doe-4b1a2c", "Jane Doe"), ("in:sam-nolan", "Sam Nolan"), ("in:jdoe", "Jdoe"),
     ("in:józef-kowalski-12345678", "Józef Kowalski"), ("in:12345", "12345"), ("in:stale-e2e", "Stale E2e"),
     ("in:jane-doe-2", "Jane Doe 2"), ("in:p63", "P63"), ("mid:ACoAAB12", "ACoAAB12"),
     ("name:jane doe", "jane doe")],
)
def test_a_slug_made_readable(key, shown):
    from bot.domain.prospect import readable_key

    assert readable_key(key) == shown
