"""Parsing what people type after `/invited` and `/invites` into typed requests. Pure."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property

from bot.domain.invites import OUTCOMES, PERIODS, Period, Priority, Status, Tier
from bot.domain.prospect import NotAProfileUrl, Prospect, looks_like_url, prospect_from_url
from bot.domain.tiers import parse_tier, typed_choices, typed_list

MAX_URLS_PER_COMMAND = 100
MAX_BACKDATE_DAYS = 3650
MAX_SNOOZE_DAYS = 90

# What follows the log command (one source: its usage line and its line in help).
INVITED_SYNTAX = (
    "<linkedin url> [more urls] [name[, company] | comment] [--sent 2026-11-10|3d] "
    "[--priority high|normal|low] [--note]"
)
INVITED_DESCRIPTION = "log invites you sent"
COMMENT_MAX = 500
_TEXT_MAX = 200
# How long a refusal that lists bad lines may grow (the modal shows it under its field; Slack
# documents no limit for those messages, a long one is hard to read and may be cut).
MAX_PROBLEM_CHARS = 1000


@dataclass(frozen=True)
class Commands:
    """The two slash commands as this installation names them (INVITED_COMMAND / INVITES_COMMAND).

    Built once from the settings and passed down to whatever names a command to the user.
    Texts here are plain: the Slack renderers escape them for mrkdwn.
    """

    invited: str = "/invited"
    invites: str = "/invites"

    @classmethod
    def from_settings(cls, settings: object) -> Commands:
        """The names configured in `Settings` (defaults when unset)."""
        return cls(invited=getattr(settings, "invited_command", None) or cls.invited,
                   invites=getattr(settings, "invites_command", None) or cls.invites)

    @property
    def invited_usage(self) -> str:
        """The usage line of the log command."""
        return f"`{self.invited} {INVITED_SYNTAX}`"

    @cached_property
    def invites_usage(self) -> str:
        """The usage line of everything else, made from the registry."""
        return f"`{self.invites} [{' | '.join(entry.usage_form for entry in REGISTRY)}]`"

    def usage(self, default_usage: str) -> str:
        """A UsageError's usage line (written with the default names) with this installation's names."""
        if default_usage == INVITED_USAGE:
            return self.invited_usage
        if default_usage == INVITES_USAGE:
            return self.invites_usage
        return default_usage


DEFAULT_COMMANDS = Commands()
# The usage lines with the default names: what a UsageError carries (see Commands.usage).
INVITED_USAGE = DEFAULT_COMMANDS.invited_usage
# INVITES_USAGE is set below the registry it is made from.


class UsageError(ValueError):
    """The text could not be understood; the message says exactly what and why."""

    def __init__(self, message: str, *, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


# Slack wraps links as <url> or <url|label>, and mentions as <@U123>; & < > arrive as entities.
_SLACK_LINK = re.compile(r"<((?:https?://|mailto:)[^>|]*)(?:\|[^>]*)?>")
# Control characters and lone surrogates: never part of a name a person typed.
_INVISIBLE = {"Cc", "Cs"}
# Phones and Slack turn "--" into an em or en dash; people mean the option.
_DASHES = re.compile(r"(?:(?<=\s)|^)[\u2014\u2013\u2012\u2015](?=[A-Za-z])")


def clean_text(text: str) -> str:
    """Undo Slack's link wrapping and entity escaping, normalise dashes, drop control characters."""
    text = _SLACK_LINK.sub(lambda m: m.group(1), text or "")
    text = html.unescape(text)
    text = _DASHES.sub("--", text)
    # Control characters (other than whitespace) carry nothing a person meant to type.
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    return text.strip()


def _tokens(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class SentSpec:
    """When an invite was sent: now, a calendar day (local), or N days ago."""

    day: date | None = None
    days_ago: int | None = None

    def resolve(self, *, now: datetime, tz) -> datetime:
        """The sent instant in UTC-aware form; a bare day means local noon, capped at now."""
        if self.days_ago is not None:
            return now - timedelta(days=self.days_ago)
        if self.day is not None:
            local = datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=tz)
            return min(local, now.astimezone(tz)).astimezone(now.tzinfo)
        return now


def parse_sent(value: str, *, today: date) -> SentSpec:
    """`2026-11-10`, `3d`, `today` or `yesterday`; never in the future."""
    raw = value.strip().lower()
    usage = INVITED_USAGE
    if raw in {"today", "now", "0d"}:
        return SentSpec()
    if raw == "yesterday":
        return SentSpec(days_ago=1)
    match = re.fullmatch(r"(\d{1,5})\s*(d|day|days)", raw)
    if match:
        days = int(match.group(1))
        if days > MAX_BACKDATE_DAYS:
            raise UsageError(f"`--sent {value}` is more than {MAX_BACKDATE_DAYS} days ago.", usage=usage)
        return SentSpec(days_ago=days)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise UsageError(
            f"`--sent {value}` is not a date: use a date like `2026-11-10` or days ago like `3d`.",
            usage=usage,
        ) from None
    return sent_on(day, today=today)


def sent_on(day: date, *, today: date) -> SentSpec:
    """A calendar day the invite was sent (`--sent 2026-11-10`, the modal's date picker)."""
    if day > today:
        raise UsageError(f"The date sent, {day.isoformat()}, is in the future.", usage=INVITED_USAGE)
    if (today - day).days > MAX_BACKDATE_DAYS:
        raise UsageError(f"The date sent, {day.isoformat()}, is more than {MAX_BACKDATE_DAYS} days ago.",
                         usage=INVITED_USAGE)
    return SentSpec(day=day) if day < today else SentSpec()


def parse_priority(value: str) -> Priority:
    """`high`, `normal` or `low` (any case)."""
    try:
        return Priority(value.strip().lower())
    except ValueError:
        raise UsageError(f"`--priority {_short(value, 40)}`: use high, normal or low.", usage=INVITED_USAGE) from None


@dataclass(frozen=True)
class LogRequest:
    """`/invited …`: one or more prospects (or a name alone) and how they were invited."""

    prospects: tuple[Prospect, ...]
    name: str | None
    company: str | None
    comment: str | None  # free text that is not a person's name (stored in Invite.notes)
    sent: SentSpec
    priority: Priority
    with_note: bool


# ---- /invited: one grammar for the command's text and the Log invites modal ------------------


class LogPart(StrEnum):
    """The parts of a log request a refusal can be about (the modal shows each under its field)."""

    URLS = "urls"
    TEXT = "text"  # the free text: name[, company] or comment


@dataclass(frozen=True)
class UrlEntry:
    """Text meant as profile URLs: a token typed after `/invited`, or one line of the modal's URL box."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class LogDraft:
    """What `/invited`'s text or the Log invites modal's fields say, before the rules are applied."""

    urls: tuple[UrlEntry, ...] = ()
    text: str = ""
    sent: SentSpec = field(default_factory=SentSpec)
    priority: Priority = Priority.NORMAL
    with_note: bool = False


class LogRefused(UsageError):
    """A log request refused; `problems` says what is wrong with each part."""

    def __init__(self, problems: dict[LogPart, str]) -> None:
        super().__init__(" ".join(problems.values()), usage=INVITED_USAGE)
        self.problems = problems


def _option_value(tokens: list[str], index: int, option: str, usage: str) -> tuple[str, int]:
    token = tokens[index]
    if "=" in token:
        return token.split("=", 1)[1], index + 1
    if index + 1 >= len(tokens) or tokens[index + 1].startswith("--"):
        raise UsageError(f"`{option}` needs a value.", usage=usage)
    return tokens[index + 1], index + 2


def parse_invited(text: str, *, today: date) -> LogRequest:
    """Parse `/invited` text; raises UsageError with a specific reason."""
    usage = INVITED_USAGE
    tokens = _tokens(clean_text(text))
    urls: list[UrlEntry] = []
    words: list[str] = []
    sent = SentSpec()
    priority = Priority.NORMAL
    with_note = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        lowered = token.lower()
        option = lowered.split("=", 1)[0]
        if option == "--sent":
            value, i = _option_value(tokens, i, "--sent", usage)
            sent = parse_sent(value, today=today)
            continue
        if option == "--priority":
            value, i = _option_value(tokens, i, "--priority", usage)
            priority = parse_priority(value)
            continue
        if option in {"--note", "--with-note"}:
            with_note, i = True, i + 1
            continue
        if option in {"--high", "--low", "--normal"}:
            priority, i = Priority(option[2:]), i + 1
            continue
        if lowered.startswith("--") and len(lowered) > 2:
            raise UsageError(f"Unknown option `{token}`.", usage=usage)
        if looks_like_url(token):
            urls.append(UrlEntry(token))
        else:
            words.append(token)
        i += 1
    return read_log_draft(LogDraft(tuple(urls), " ".join(words), sent, priority, with_note))


def read_log_draft(draft: LogDraft) -> LogRequest:
    """The rules of logging, whichever way the request came: raises LogRefused naming each bad part."""
    problems: dict[LogPart, str] = {}
    prospects: list[Prospect] = []
    bad: list[str] = []
    for entry in draft.urls:
        found = []
        for token in entry.text.split():
            try:
                found.append(prospect_from_url(token))
            except NotAProfileUrl as error:
                bad.append(_not_a_link(entry, str(error)))
                break
        else:
            prospects.extend(p for p in found if p.key not in {q.key for q in prospects})
    if bad:
        lines = any(entry.line is not None for entry in draft.urls)
        problems[LogPart.URLS] = listing(bad, noun="lines" if lines else "links")
    elif len(prospects) > MAX_URLS_PER_COMMAND:
        problems[LogPart.URLS] = f"That is {len(prospects)} profiles; log at most {MAX_URLS_PER_COMMAND} at a time."
    name = company = comment = None
    text = " ".join(draft.text.split())
    if text and not any(ch.isalpha() for ch in text):
        problems[LogPart.TEXT] = f"“{_short(text, 60)}” has no letters: it can't be a name or a comment."
    elif text:
        before, _, after = text.partition(",")
        if not before.strip() and after.strip() and not draft.urls:
            problems[LogPart.TEXT] = "Put the name before the company: “Jane Doe, Acme”."
        elif not before.strip():  # ", Acme" after URLs: the company of them all
            company = after.strip()[:_TEXT_MAX] or None
        elif len(prospects) <= 1 and reads_as_name(before):
            name, company = before.strip()[:_TEXT_MAX], after.strip()[:_TEXT_MAX] or None
        elif draft.urls:
            comment = _short(text, COMMENT_MAX)
        else:
            problems[LogPart.TEXT] = (
                f"“{_short(text, 60)}” doesn't read as a person's name. Paste their LinkedIn profile URL "
                "(the text is then kept as a comment), or write the name like “Jane Doe”."
            )
    if not draft.urls and not text:
        problems[LogPart.URLS] = "Tell me who you invited: paste a LinkedIn profile URL, or write their name."
    if problems:
        raise LogRefused(problems)
    return LogRequest(tuple(prospects), name, company, comment, draft.sent, draft.priority, draft.with_note)


def _not_a_link(entry: UrlEntry, reason: str = "") -> str:
    """Why text meant as a profile link is refused, in a user's words (the command's and the modal's)."""
    shown = _short(" ".join(entry.text.split()), 80)
    where = "That" if entry.line is None else f"Line {entry.line}"
    return f"{where} isn't a LinkedIn profile link: “{shown}”{_hint(reason)}."


def _hint(reason: str) -> str:
    """The few refusals where saying why changes what the person does next."""
    if "lnkd.in" in reason:
        return " (a short link: open it and paste the profile's full link)"
    page = re.match(r"not a profile path: /([\w-]{1,20})/", reason)
    return f" (a /{page.group(1)}/ page, not a person's profile)" if page else ""


def listing(sentences: list[str], *, noun: str, limit: int = MAX_PROBLEM_CHARS) -> str:
    """Whole sentences while they fit in `limit` characters, then "and N more <noun>."."""
    shown: list[str] = []
    for n, sentence in enumerate(sentences):
        left = len(sentences) - n - 1
        tail = f" and {left} more {noun}." if left else ""
        candidate = " ".join([*shown, sentence])
        if len(candidate) + len(tail) > limit and shown:
            break
        shown.append(sentence)
    left = len(sentences) - len(shown)
    text = " ".join(shown)
    return text + (f" and {left} more {noun}." if left else "")


# Lower-case words that belong in names (van Gogh, da Silva, bin Salman).
_NAME_PARTICLES = frozenset({
    "al", "bin", "binti", "bint", "da", "das", "de", "del", "della", "der", "den", "di", "do", "dos", "du",
    "e", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "y", "zu", "af", "av",
})
_NAME_MAX_WORDS = 5


def reads_as_name(text: str) -> bool:
    """True when free text reads as a person's name (`Jane Doe`, `Zoë O'Brien`, `山田 太郎`), not a remark.

    A name has one to five words with letters and no digits, and its words start with a capital
    (or a letter of a script without case), lower-case particles aside: `met at SaaStr` is a remark.
    """
    if any(ch.isdigit() for ch in text):
        return False
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not 1 <= len(words) <= _NAME_MAX_WORDS:
        return False
    for word in words:
        letters = [ch for ch in word if ch.isalpha()]
        if letters[0].islower() and len(letters) > 1 and word.lower() not in _NAME_PARTICLES:
            return False
    return True


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---- /invites ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    pass


@dataclass(frozen=True)
class Help:
    pass


LIST_FILTERS = ("pending", "stale", "accepted", "declined", "withdrawn", "expired", "all")


@dataclass(frozen=True)
class ListInvites:
    status: str = "pending"
    page: int = 1


# The longest text `find` looks for (it travels in the result's buttons, inside Slack's 2,000 characters).
FIND_MAX = 200


@dataclass(frozen=True)
class Find:
    """`find <text>`: your invites whose name, company, slug or comment contains the text."""

    text: str
    page: int = 1


@dataclass(frozen=True)
class InviteRef:
    """How a person points at one of their invites: `#12`, a URL, a slug or a name."""

    invite_id: int | None = None
    prospect_key: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class RecordOutcome:
    outcome: Status
    ref: InviteRef


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Stats:
    period: Period = field(default_factory=lambda: PERIODS["30d"])


@dataclass(frozen=True)
class Leaderboard:
    period: Period = field(default_factory=lambda: PERIODS["30d"])
    visibility: str | None = None  # "hide" | "show"


@dataclass(frozen=True)
class SetTier:
    tier: Tier


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Snooze:
    days: int


@dataclass(frozen=True)
class ImportHelp:
    pass


@dataclass(frozen=True)
class Export:
    team: bool = False


@dataclass(frozen=True)
class OpenSettings:
    pass


@dataclass(frozen=True)
class ForgetMe:
    pass


@dataclass(frozen=True)
class Away:
    """`/invites away until 2026-12-24` (the last day away) or `away 2w` (that many days, today included)."""

    until: date | None = None
    days: int | None = None

    def last_day(self, today: date) -> date:
        """The last local day away: digests and alerts resume the day after."""
        if self.until is not None:
            return self.until
        return today + timedelta(days=(self.days or 1) - 1)


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class ReportLinkedIn:
    """`/invites linkedin <count>`: the pending count LinkedIn shows (My Network → Manage → Sent)."""

    count: int


@dataclass(frozen=True)
class ShowCurve:
    """`/invites curve`: the team's days-to-accept curve and the threshold it suggests."""


InvitesCommand = (
    Summary | Help | ListInvites | Find | RecordOutcome | Undo | Stats | Leaderboard | SetTier | Pause | Resume
    | Snooze | ImportHelp | Export | OpenSettings | ForgetMe | ShowCurve | Away | Back | ReportLinkedIn
)

_OUTCOME_WORDS = {
    "accepted": Status.ACCEPTED,
    "accept": Status.ACCEPTED,
    "declined": Status.DECLINED,
    "decline": Status.DECLINED,
    "ignored": Status.DECLINED,
    "withdrawn": Status.WITHDRAWN,
    "withdraw": Status.WITHDRAWN,
}
def _period(args: list[str], default: str = "30d") -> Period:
    if not args:
        return PERIODS[default]
    if len(args) > 1:
        raise UsageError(f"Expected one period, got `{' '.join(args)}`: use 7d, 30d, 90d or all.", usage=INVITES_USAGE)
    value = args[0].lower()
    if value not in PERIODS:
        raise UsageError(f"`{args[0]}` is not a period: use 7d, 30d, 90d or all.", usage=INVITES_USAGE)
    return PERIODS[value]


def parse_ref(text: str) -> InviteRef:
    """`#12`, a LinkedIn URL, a bare slug or a name."""
    text = text.strip()
    match = re.fullmatch(r"#\s*(\d{1,12})", text)
    if match:
        return InviteRef(invite_id=int(match.group(1)))
    if looks_like_url(text) and " " not in text:
        try:
            return InviteRef(prospect_key=prospect_from_url(text).key)
        except NotAProfileUrl as error:
            raise UsageError(_not_a_link(UrlEntry(text), str(error)), usage=INVITES_USAGE) from None
    return InviteRef(text=text)


# ---- the registry: each subcommand declared once ------------------------------------------


@dataclass(frozen=True)
class Args:
    """What follows `/invites`: the subcommand word as typed, its words, and the rest as one text."""

    verb: str
    words: list[str]
    rest: str
    commands: Commands


@dataclass(frozen=True)
class Subcommand:
    """One `/invites` subcommand: the parser, the usage line and help are all made from these.

    `names` are shown (`accepted|declined|withdrawn`), `aliases` are understood too; `syntax` is
    what follows the name in help, `brief` its shorter form for the usage line; `more` lists other
    forms help shows (`leaderboard hide|show`); `example` must parse to `command`.
    """

    names: tuple[str, ...]
    syntax: str
    description: str
    parse: Callable[[Args], InvitesCommand]
    command: type
    example: str
    aliases: tuple[str, ...] = ()
    brief: str | None = None
    more: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.names or not all(n.strip() and n == n.strip().lower() for n in self.names):
            raise ValueError(f"a subcommand needs a name in lower case: {self.names!r}")
        if not self.description.strip() or "\n" in self.description:
            raise ValueError(f"`{'|'.join(self.names)}` needs a one-line description")

    @property
    def shown(self) -> str:
        """The names as help shows them: `accepted|declined|withdrawn`."""
        return "|".join(self.names)

    @property
    def form(self) -> str:
        """Name and syntax: `list [pending|stale|…]`."""
        return f"{self.shown} {self.syntax}".strip()

    @property
    def usage_form(self) -> str:
        """Name and brief syntax, for the usage line."""
        return f"{self.shown} {self.brief if self.brief is not None else self.syntax}".strip()


def _no_args(verb: str, args: list[str]) -> None:
    if args:
        raise UsageError(f"`{verb}` takes nothing after it (got `{_short(' '.join(args), 40)}`).", usage=INVITES_USAGE)


def _bare(command: type[InvitesCommand]) -> Callable[[Args], InvitesCommand]:
    """A parser for a subcommand that takes nothing after it."""
    def parse(args: Args) -> InvitesCommand:
        _no_args(args.verb, args.words)
        return command()
    return parse


def _parse_list(args: Args) -> ListInvites:
    status, page = "pending", 1
    for arg in args.words:
        lowered = arg.lower()
        if lowered in LIST_FILTERS:
            status = lowered
        elif lowered.isdigit() and 1 <= int(lowered) <= 10_000:
            page = int(lowered)
        else:
            raise UsageError(
                f"`list {_short(arg, 40)}`: list one of {', '.join(LIST_FILTERS)} (and a page number).",
                usage=INVITES_USAGE,
            )
    return ListInvites(status, page)


def _parse_find(args: Args) -> Find:
    text = " ".join(args.rest.split())
    if not text:
        raise UsageError(f"Find what? e.g. `{args.commands.invites} find acme` (a name, company, slug or comment).",
                         usage=INVITES_USAGE)
    if len(text) > FIND_MAX:
        raise UsageError(f"That is {len(text)} characters to find; look for at most {FIND_MAX}.", usage=INVITES_USAGE)
    return Find(text)


def _parse_outcome(args: Args) -> RecordOutcome:
    if not args.rest:
        raise UsageError(f"Which invite? `{args.commands.invites} {args.verb} <url|slug|#id|name>`.", usage=INVITES_USAGE)
    return RecordOutcome(_OUTCOME_WORDS[args.verb], parse_ref(args.rest))


def _parse_leaderboard(args: Args) -> Leaderboard:
    words = args.words
    if words and words[0].lower() in {"hide", "show"}:
        _no_args(f"{args.verb} {words[0]}", words[1:])
        return Leaderboard(visibility=words[0].lower())
    return Leaderboard(_period(words))


def _parse_tier(args: Args) -> SetTier:
    tier = parse_tier(args.rest)
    if tier is None:
        shown = f"`{_short(args.rest)}` is not an account tier" if args.rest else "Which tier?"
        raise UsageError(f"{shown}: use {typed_list()}.", usage=INVITES_USAGE)
    return SetTier(tier)


def _parse_snooze(args: Args) -> Snooze:
    match = re.fullmatch(r"(\d{1,3})\s*d?", " ".join(args.words).lower()) if args.words else None
    if not match or not 1 <= int(match.group(1)) <= MAX_SNOOZE_DAYS:
        raise UsageError(f"Snooze for how long? e.g. `{args.commands.invites} snooze 3d` (1 to {MAX_SNOOZE_DAYS} days).",
                         usage=INVITES_USAGE)
    return Snooze(int(match.group(1)))


MAX_AWAY_DAYS = 365
MAX_LINKEDIN_PENDING = 100_000


def _parse_away(args: Args) -> Away:
    words = [w.lower() for w in args.words]
    if words and words[0] == "until":
        words = words[1:]
    text = " ".join(words)
    example = f"`{args.commands.invites} away until 2026-12-24` or `{args.commands.invites} away 2w`"
    if not text:
        raise UsageError(f"Away until when? e.g. {example}.", usage=INVITES_USAGE)
    match = re.fullmatch(r"(\d{1,3})\s*(d|day|days|w|wk|week|weeks)", text)
    if match:
        days = int(match.group(1)) * (7 if match.group(2).startswith("w") else 1)
        if not 1 <= days <= MAX_AWAY_DAYS:
            raise UsageError(f"Away for 1 to {MAX_AWAY_DAYS} days: {example}.", usage=INVITES_USAGE)
        return Away(days=days)
    try:
        return Away(until=date.fromisoformat(text))
    except ValueError:
        raise UsageError(f"`away {_short(' '.join(args.words), 40)}` is not a date or a length: {example}.",
                         usage=INVITES_USAGE) from None


def _parse_linkedin(args: Args) -> ReportLinkedIn:
    text = "".join(args.words).replace(",", "")
    if not text.isdigit() or int(text) > MAX_LINKEDIN_PENDING:
        raise UsageError(
            f"How many invites does LinkedIn show as sent and pending (My Network → Manage → Sent)? "
            f"e.g. `{args.commands.invites} linkedin 212`.", usage=INVITES_USAGE)
    return ReportLinkedIn(int(text))


def _parse_export(args: Args) -> Export:
    if args.words and [a.lower() for a in args.words] != ["team"]:
        raise UsageError(f"`export {' '.join(args.words)}`: use `export` or `export team`.", usage=INVITES_USAGE)
    return Export(team=bool(args.words))


REGISTRY: tuple[Subcommand, ...] = (
    Subcommand(("list",), "[pending|stale|accepted|declined|withdrawn|expired|all]", "your invites, newest first",
               _parse_list, ListInvites, "list stale", aliases=("ls",), brief="[status]"),
    Subcommand(("find",), "<text>", "your invites whose name, company, slug or comment contains the text",
               _parse_find, Find, "find acme", aliases=("search",)),
    Subcommand(("accepted", "declined", "withdrawn"), "<url|slug|#id|name>", "record an outcome",
               _parse_outcome, RecordOutcome, "accepted #12", aliases=("accept", "decline", "ignored", "withdraw")),
    Subcommand(("undo",), "", "revert your last change", _bare(Undo), Undo, "undo"),
    Subcommand(("stats",), "[7d|30d|90d|all]", "your acceptance rate and pace",
               lambda a: Stats(_period(a.words)), Stats, "stats 90d", aliases=("stat", "me"), brief="[period]"),
    Subcommand(("leaderboard",), "[7d|30d|90d|all]", "the team's acceptance rates",
               _parse_leaderboard, Leaderboard, "leaderboard 7d", aliases=("lb", "board"), brief="[period]",
               more=("leaderboard hide|show",)),
    Subcommand(("tier",), typed_choices(), "your LinkedIn account tier (sets your safe weekly limit)",
               _parse_tier, SetTier, "tier premium"),
    Subcommand(("pause",), "", "stop your daily digest", _bare(Pause), Pause, "pause"),
    Subcommand(("resume",), "", "your daily digest back on", _bare(Resume), Resume, "resume"),
    Subcommand(("snooze",), "3d", "no daily digest for a few days", _parse_snooze, Snooze, "snooze 3d"),
    Subcommand(("away",), "until 2026-12-24|2w", "no digests or alerts while you're away",
               _parse_away, Away, "away until 2026-12-24", brief="until <date>|2w"),
    Subcommand(("back",), "", "you're back: digests and alerts again", _bare(Back), Back, "back"),
    Subcommand(("linkedin",), "<count>", "compare the pending count LinkedIn shows with what you logged",
               _parse_linkedin, ReportLinkedIn, "linkedin 212"),
    Subcommand(("curve",), "", "your team's days to acceptance and the withdraw threshold it suggests",
               _bare(ShowCurve), ShowCurve, "curve"),
    Subcommand(("import",), "", "how to import LinkedIn's export files", lambda a: ImportHelp(), ImportHelp, "import"),
    Subcommand(("export",), "[team]", "your invites as CSV in a DM (`team`: everyone's, for admins)",
               _parse_export, Export, "export"),
    Subcommand(("settings",), "", "workspace settings (admins) or your own",
               lambda a: OpenSettings(), OpenSettings, "settings", aliases=("config",)),
    Subcommand(("forget-me",), "", "delete everything stored about you",
               lambda a: ForgetMe(), ForgetMe, "forget-me", aliases=("forgetme", "forget")),
    Subcommand(("help",), "", "this list", lambda a: Help(), Help, "help", aliases=("?", "-h", "--help")),
)


def _index(registry: tuple[Subcommand, ...]) -> dict[str, Subcommand]:
    by_word: dict[str, Subcommand] = {}
    for entry in registry:
        for word in (*entry.names, *entry.aliases):
            if word in by_word:
                raise ValueError(f"`{word}` is declared twice in the command registry")
            by_word[word] = entry
    return by_word


_BY_WORD = _index(REGISTRY)
INVITES_USAGE = DEFAULT_COMMANDS.invites_usage


def find_subcommand(word: str) -> Subcommand | None:
    """The registry entry a word (a name or an alias, any case) names."""
    return _BY_WORD.get(word.lower())


def parse_invites(text: str, *, commands: Commands = DEFAULT_COMMANDS) -> InvitesCommand:
    """Parse `/invites` text through the registry; raises UsageError with a specific reason."""
    cleaned = clean_text(text)
    tokens = _tokens(cleaned)
    if not tokens:
        return Summary()
    entry = find_subcommand(tokens[0])
    if entry is None:
        raise UsageError(f"I don't know `{_short(tokens[0], 40)}`.", usage=INVITES_USAGE)
    rest = cleaned[len(tokens[0]) :].strip()
    return entry.parse(Args(tokens[0].lower(), tokens[1:], rest, commands))


__all__ = ["OUTCOMES"]
