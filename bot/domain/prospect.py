"""Prospect identity: normalise LinkedIn profile URLs (or bare names) to one stable key.

Keys are ``in:<slug>``, ``mid:<member id>``, ``sn:<sales navigator id>``, ``pub:<legacy path>``
or ``name:<name>``. Everything here is pure: no I/O, no network, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote

__all__ = [
    "KEY_KINDS",
    "MAX_URL_LENGTH",
    "NotAProfileUrl",
    "Prospect",
    "fold",
    "is_fuzzy_key",
    "looks_like_url",
    "name_key",
    "parse_key",
    "prospect_from_name",
    "prospect_from_url",
]

MAX_URL_LENGTH = 2000
KEY_KINDS = frozenset({"in", "mid", "sn", "pub", "name"})

_CANONICAL_ORIGIN = "https://www.linkedin.com"
_MEMBER_ID_PREFIX = "ACoAA"
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_SCHEME_SLASHES_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_HOST_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?$")
_PORT_RE = re.compile(r"^[0-9]{1,5}$")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_OPAQUE_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")
# Unicode categories refused inside slugs: controls, invisible formatting (bidi overrides,
# zero-width characters), surrogates, private use, unassigned, and every kind of separator.
_REFUSED_SLUG_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_REFUSED_NAME_CATEGORIES = frozenset({"Cc", "Cs"})
# Whitespace (str.isspace) or a C0/C1 control character (category Cc): one regex, fast on big imports.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


class NotAProfileUrl(ValueError):
    """Raised when text is not a LinkedIn profile URL; the message says why."""


@dataclass(frozen=True)
class Prospect:
    """A prospect's stable identity key plus a canonical profile URL for display (None for names)."""

    key: str
    url: str | None


def looks_like_url(text: str) -> bool:
    """Return True when the user clearly meant this token as a URL rather than a name."""
    token = text.strip()
    lowered = token.lower()
    return (
        bool(_SCHEME_SLASHES_RE.match(token))
        or lowered.startswith(("www.", "<http", "//"))
        or "linkedin.com" in lowered
        or "lnkd.in" in lowered
    )


def prospect_from_url(text: str) -> Prospect:
    """Normalise a LinkedIn profile URL to a Prospect, raising NotAProfileUrl for anything else."""
    if not isinstance(text, str):
        raise NotAProfileUrl("not text")
    if len(text) > MAX_URL_LENGTH:
        raise NotAProfileUrl(f"too long to be a profile URL (over {MAX_URL_LENGTH} characters)")
    raw = _unwrap_slack_link(text.strip())
    if not raw:
        raise NotAProfileUrl("empty")
    if _SPACE_OR_CONTROL.search(raw):
        raise NotAProfileUrl("a URL cannot contain spaces or control characters")
    host, path = _split_host_and_path(raw)
    _check_host(host)
    return _prospect_from_path(path)


def fold(text: str | None) -> str | None:
    """Text as names are compared in any case and script: NFC, spaces collapsed, casefolded, NFC again.

    Python's casefold, not SQL's lower(): SQLite's lower() folds ASCII only, so matching is done on
    this stored form on every database (ß and SS, Σ and ς, Ü and ü agree).
    """
    if text is None:
        return None
    if text.isascii():  # NFC changes no ASCII text, and casefold of ASCII is lower
        return " ".join(text.split()).lower()
    collapsed = " ".join(unicodedata.normalize("NFC", text).split())
    return unicodedata.normalize("NFC", collapsed.casefold())


def name_key(name: str) -> str:
    """Return the ``name:`` key for an invite logged by name alone (NFC, collapsed spaces, casefolded)."""
    if not isinstance(name, str):
        raise ValueError("a name must be text")
    collapsed = " ".join(unicodedata.normalize("NFC", name).split())
    if not collapsed:
        raise ValueError("a name cannot be empty")
    if any(unicodedata.category(ch) in _REFUSED_NAME_CATEGORIES for ch in collapsed):
        raise ValueError("a name cannot contain control characters")
    folded = unicodedata.normalize("NFC", collapsed.casefold())
    return "name:" + folded


def prospect_from_name(name: str) -> Prospect:
    """Return a URL-less Prospect keyed by ``name_key(name)``."""
    return Prospect(key=name_key(name), url=None)


def readable_key(key: str) -> str:
    """A prospect key as a person reads it: `in:jane-doe-4b1a2c` → "Jane Doe"; other keys' values as they are.

    LinkedIn ends many slugs with a hex or number suffix (`-4b1a2c`, `-12345678`): those are dropped
    from the end; a slug without letters is shown as it is.
    """
    kind, _, value = key.partition(":")
    if kind != "in" or not value:
        return value or key
    words = [w for w in value.split("-") if w]
    while len(words) > 1 and _SLUG_SUFFIX.fullmatch(words[-1]):
        words.pop()
    if not any(ch.isalpha() for w in words for ch in w):
        return value
    return " ".join(w[:1].upper() + w[1:] for w in words)


def search_text(name: str | None, company: str | None, key: str, comment: str | None) -> str:
    """What `/invites find` looks in, folded: name, company, slug (as typed and as read), comment.

    One line each (a folded needle holds no line break, so it never matches across two); stored
    as `Invite.search_folded`, so the database does the matching on every backend alike.
    """
    slug = key.split(":", 1)[-1]
    return "\n".join(fold(t) or "" for t in (name, company, slug, readable_key(key), comment) if t)


# A suffix LinkedIn adds to make a slug unique: hex or digits, at least 4 long, with a digit.
_SLUG_SUFFIX = re.compile(r"(?=[0-9a-f]*[0-9])[0-9a-f]{4,}")


def parse_key(key: str) -> tuple[str, str]:
    """Split a stored key such as ``in:jane-doe`` into ``("in", "jane-doe")``; ValueError if malformed."""
    if not isinstance(key, str):
        raise ValueError("a key must be text")
    kind, sep, value = key.partition(":")
    if not sep or kind not in KEY_KINDS:
        raise ValueError(f"unknown key kind in {key!r}")
    if not value or value != value.strip():
        raise ValueError(f"empty or padded value in key {key!r}")
    if kind != "name" and any(ch.isspace() for ch in value):
        raise ValueError(f"whitespace in key {key!r}")
    return kind, value


def is_fuzzy_key(key: str) -> bool:
    """Return True for keys that identify a prospect by name only (and so may collide)."""
    return key.startswith("name:")


# --- internals ---------------------------------------------------------------------------------


def _unwrap_slack_link(text: str) -> str:
    """Strip Slack's ``<url>`` / ``<url|label>`` wrapping, if present."""
    if len(text) >= 2 and text[0] == "<" and text[-1] == ">":
        return text[1:-1].partition("|")[0].strip()
    return text


def _split_host_and_path(raw: str) -> tuple[str, str]:
    """Return (host, path) of a URL whose scheme is optional; query and fragment are dropped."""
    rest = raw
    scheme_match = _SCHEME_RE.match(rest)
    if scheme_match and rest[scheme_match.end() : scheme_match.end() + 2] == "//":
        scheme = scheme_match.group(1).lower()
        if scheme not in ("http", "https"):
            raise NotAProfileUrl(f"{scheme[:20]}: is not a web address")
        rest = rest[scheme_match.end() + 2 :]
    elif rest.startswith("//"):
        rest = rest[2:]
    elif scheme_match and scheme_match.group(1).lower() in ("http", "https"):
        raise NotAProfileUrl("malformed web address (expected '//' after the scheme)")
    elif scheme_match and "." not in scheme_match.group(1):
        raise NotAProfileUrl(f"{scheme_match.group(1).lower()[:20]}: is not a web address")
    for sep in ("#", "?"):
        rest = rest.partition(sep)[0]
    authority, slash, path = rest.partition("/")
    return authority, slash + path


def _check_host(authority: str) -> None:
    """Raise NotAProfileUrl unless the authority is linkedin.com or a subdomain of it."""
    if not authority:
        raise NotAProfileUrl("no host name")
    if "@" in authority:
        raise NotAProfileUrl("URLs with credentials are not accepted")
    host, colon, port = authority.partition(":")
    if colon and not _PORT_RE.match(port):
        raise NotAProfileUrl("invalid port")
    host = host.lower().removesuffix(".")
    if host == "lnkd.in" or host.endswith(".lnkd.in"):
        raise NotAProfileUrl("lnkd.in short links can't be resolved offline; paste the full profile URL")
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        raise NotAProfileUrl(f"not a LinkedIn host: {host[:100]!r}")
    if not all(_HOST_LABEL_RE.match(label) for label in host.split(".")):
        raise NotAProfileUrl(f"malformed host name: {host[:100]!r}")


def _prospect_from_path(path: str) -> Prospect:
    """Map a linkedin.com path to a Prospect, or raise NotAProfileUrl."""
    segments = [seg for seg in path.split("/") if seg]
    if segments and segments[0].lower() == "mwlite":
        segments = segments[1:]
    if not segments:
        raise NotAProfileUrl("not a profile path (no /in/<name>)")
    section = segments[0].lower()
    if section == "in":
        return _from_in(segments[1:])
    if section == "sales":
        return _from_sales(segments[1:])
    if section == "pub":
        return _from_pub(segments[1:])
    raise NotAProfileUrl(f"not a profile path: /{segments[0][:50]}/… is not a person's profile")


def _from_in(rest: list[str]) -> Prospect:
    """Handle ``/in/<slug>[/anything]``."""
    if not rest:
        raise NotAProfileUrl("empty profile slug after /in/")
    slug = _decode_segment(rest[0], "profile slug")
    if slug.startswith(_MEMBER_ID_PREFIX):
        if not _OPAQUE_ID_RE.match(slug):
            raise NotAProfileUrl("malformed LinkedIn member ID")
        return Prospect(key=f"mid:{slug}", url=f"{_CANONICAL_ORIGIN}/in/{slug}")
    slug = _fold(slug)
    return Prospect(key=f"in:{slug}", url=f"{_CANONICAL_ORIGIN}/in/{quote(slug, safe='')}")


def _from_sales(rest: list[str]) -> Prospect:
    """Handle Sales Navigator ``/sales/lead/<id>,…`` and ``/sales/people/<id>,…``."""
    if not rest or rest[0].lower() not in ("lead", "people"):
        raise NotAProfileUrl("not a Sales Navigator lead or people URL")
    if len(rest) < 2:
        raise NotAProfileUrl("empty Sales Navigator ID")
    lead_id = _decode_segment(rest[1], "Sales Navigator ID").partition(",")[0]
    if not lead_id:
        raise NotAProfileUrl("empty Sales Navigator ID")
    if not _OPAQUE_ID_RE.match(lead_id):
        raise NotAProfileUrl("malformed Sales Navigator ID")
    return Prospect(key=f"sn:{lead_id}", url=f"{_CANONICAL_ORIGIN}/sales/lead/{lead_id}")


def _from_pub(rest: list[str]) -> Prospect:
    """Handle legacy ``/pub/<name>/<a>/<b>/<c>`` profile URLs."""
    if not rest:
        raise NotAProfileUrl("empty /pub/ profile path")
    if rest[0].lower() == "dir":
        raise NotAProfileUrl("/pub/dir/ is a people directory, not a profile")
    parts = [_fold(_decode_segment(seg, "/pub/ path")) for seg in rest]
    encoded = "/".join(quote(part, safe="") for part in parts)
    return Prospect(key="pub:" + "/".join(parts), url=f"{_CANONICAL_ORIGIN}/pub/{encoded}")


def _decode_segment(segment: str, what: str) -> str:
    """Percent-decode one path segment as UTF-8 and refuse invisible, spacing or separator characters."""
    if _BAD_PERCENT_RE.search(segment):
        raise NotAProfileUrl(f"invalid percent-encoding in {what}")
    try:
        decoded = unquote(segment, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise NotAProfileUrl(f"{what} is not valid UTF-8 once decoded") from None
    if not decoded:
        raise NotAProfileUrl(f"empty {what}")
    for ch in decoded:
        if ch.isspace() or unicodedata.category(ch) in _REFUSED_SLUG_CATEGORIES:
            raise NotAProfileUrl(f"{what} contains spaces, control or invisible characters")
        if ch in "/\\":
            raise NotAProfileUrl(f"{what} contains a path separator")
    return decoded


def _fold(text: str) -> str:
    """NFC-normalise and lower-case (re-normalising so the result is a fixed point)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())
