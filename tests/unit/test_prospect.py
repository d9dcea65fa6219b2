"""Tests for bot.domain.prospect: LinkedIn profile URL and name normalisation to prospect keys."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.domain.prospect import (
    MAX_URL_LENGTH,
    NotAProfileUrl,
    Prospect,
    is_fuzzy_key,
    looks_like_url,
    name_key,
    parse_key,
    prospect_from_name,
    prospect_from_url,
)

MID = "ACoAAB1cDeFgHiJkLmNoPqRsTuVwXyZ_0123-4"
SN = "ACwAAAB1cDeFgHiJkLmNoPqRsTuVwXyZ0123"

# --- accepted URLs ------------------------------------------------------------------------------

ACCEPTED = [
    # plain /in/ slugs, every scheme/host variant
    ("https://www.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("http://www.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("https://linkedin.com/in/jane-doe", "in:jane-doe"),
    ("linkedin.com/in/jane-doe", "in:jane-doe"),
    ("www.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("//www.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("HTTPS://WWW.LINKEDIN.COM/in/jane-doe", "in:jane-doe"),
    ("https://www.LinkedIn.com/IN/Jane-Doe", "in:jane-doe"),
    ("https://www.linkedin.com./in/jane-doe", "in:jane-doe"),
    ("https://www.linkedin.com:443/in/jane-doe", "in:jane-doe"),
    ("  https://www.linkedin.com/in/jane-doe  ", "in:jane-doe"),
    # country and mobile subdomains
    ("https://uk.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("https://de.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("https://m.linkedin.com/in/jane-doe", "in:jane-doe"),
    ("fr.linkedin.com/in/jane-doe", "in:jane-doe"),
    # trailing slashes, sub-pages, query strings, fragments, /mwlite
    ("https://www.linkedin.com/in/jane-doe/", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe//", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe/details/experience/", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe/overlay/contact-info/", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe?originalSubdomain=uk", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe/?utm_source=share&utm_medium=member_ios", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe#experience", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe?x=1#frag/with/slashes", "in:jane-doe"),
    ("https://www.linkedin.com/mwlite/in/jane-doe", "in:jane-doe"),
    ("https://www.linkedin.com/mwlite/in/jane-doe/", "in:jane-doe"),
    ("https://www.linkedin.com/in/jane-doe-1a2b3c4d", "in:jane-doe-1a2b3c4d"),
    # Slack's <url> and <url|label> wrapping
    ("<https://www.linkedin.com/in/jane-doe>", "in:jane-doe"),
    ("<https://www.linkedin.com/in/jane-doe|linkedin.com/in/jane-doe>", "in:jane-doe"),
    # percent-encoded non-ASCII, NFC vs NFD, case
    ("https://www.linkedin.com/in/zo%C3%AB-brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/zo%c3%ab-brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/zoë-brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/ZOË-Brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/zoe\u0308-brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/zoe%CC%88-brandt", "in:zoë-brandt"),
    ("https://www.linkedin.com/in/%E5%BC%A0%E4%BC%9F", "in:张伟"),
    ("https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller-123", "in:jürgen-müller-123"),
    ("https://www.linkedin.com/in/%6A%61%6E%65", "in:jane"),
    ("https://www.linkedin.com/in/50%25-off", "in:50%-off"),
    # member IDs keep their case, even under /in/
    (f"https://www.linkedin.com/in/{MID}", f"mid:{MID}"),
    (f"https://www.linkedin.com/in/{MID}/", f"mid:{MID}"),
    (f"linkedin.com/in/{MID}?miniProfileUrn=urn", f"mid:{MID}"),
    # a lower-case "acoaa" slug is an ordinary vanity slug
    ("https://www.linkedin.com/in/acoaab1cdefg", "in:acoaab1cdefg"),
    # Sales Navigator
    (f"https://www.linkedin.com/sales/lead/{SN},NAME_SEARCH,abcd", f"sn:{SN}"),
    (f"https://www.linkedin.com/sales/lead/{SN},NAME_SEARCH,abcd?_ntb=xyz", f"sn:{SN}"),
    (f"https://www.linkedin.com/sales/people/{SN},NAME_SEARCH,x", f"sn:{SN}"),
    (f"https://www.linkedin.com/sales/lead/{SN}%2CNAME_SEARCH%2Cabcd", f"sn:{SN}"),
    (f"https://www.linkedin.com/sales/lead/{SN}", f"sn:{SN}"),
    (f"https://www.linkedin.com/sales/lead/{SN}/", f"sn:{SN}"),
    (f"linkedin.com/SALES/LEAD/{SN},OUT_OF_NETWORK,q", f"sn:{SN}"),
    # legacy /pub/
    ("https://www.linkedin.com/pub/jane-doe/12/345/678", "pub:jane-doe/12/345/678"),
    ("https://uk.linkedin.com/pub/Jane-Doe/12/345/678/", "pub:jane-doe/12/345/678"),
    ("http://www.linkedin.com/pub/jane-doe/a/bc/1de?trk=x", "pub:jane-doe/a/bc/1de"),
    ("https://www.linkedin.com/pub/zo%C3%AB-brandt/1/2/3", "pub:zoë-brandt/1/2/3"),
]


@pytest.mark.parametrize(("url", "key"), ACCEPTED)
def test_accepted_urls_normalise_to_key(url: str, key: str) -> None:
    prospect = prospect_from_url(url)
    assert prospect.key == key
    assert prospect.url is not None
    assert prospect.url.startswith("https://www.linkedin.com/")
    assert prospect_from_url(prospect.url) == prospect


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("linkedin.com/in/Jane-Doe/?x=1", "https://www.linkedin.com/in/jane-doe"),
        ("https://de.linkedin.com/in/zo%C3%AB-brandt", "https://www.linkedin.com/in/zo%C3%AB-brandt"),
        (f"https://m.linkedin.com/in/{MID}", f"https://www.linkedin.com/in/{MID}"),
        (
            f"https://www.linkedin.com/sales/people/{SN},NAME_SEARCH,x",
            f"https://www.linkedin.com/sales/lead/{SN}",
        ),
        (
            "https://uk.linkedin.com/pub/Jane-Doe/12/345/678/",
            "https://www.linkedin.com/pub/jane-doe/12/345/678",
        ),
    ],
)
def test_canonical_display_url(url: str, canonical: str) -> None:
    assert prospect_from_url(url).url == canonical


# --- refused URLs -------------------------------------------------------------------------------

REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("<>", "empty"),
    ("jane doe", "spaces"),
    ("https://www.linkedin.com/in/jane doe", "spaces"),
    ("https://www.linkedin.com/in/jane\tdoe", "spaces"),
    ("https://www.linkedin.com/in/jane\x00doe", "control"),
    # not a LinkedIn host
    ("https://linkedin.com.evil.com/in/jane-doe", "not a LinkedIn host"),
    ("https://evillinkedin.com/in/jane-doe", "not a LinkedIn host"),
    ("https://www.linkedin.co/in/jane-doe", "not a LinkedIn host"),
    ("https://example.com/in/jane-doe", "not a LinkedIn host"),
    ("https://example.com/?u=linkedin.com/in/jane-doe", "not a LinkedIn host"),
    ("https://linkedin.com@evil.com/in/jane-doe", "credentials"),
    ("https://evil.com#@linkedin.com/in/jane-doe", "not a LinkedIn host"),
    ("https://www.linkedin.com:abc/in/jane-doe", "port"),
    ("https://bad_label.linkedin.com/in/jane-doe", "malformed host"),
    ("https://..linkedin.com/in/jane-doe", "malformed host"),
    ("https:///in/jane-doe", "no host"),
    ("/in/jane-doe", "no host"),
    # wrong scheme or malformed scheme
    ("ftp://www.linkedin.com/in/jane-doe", "ftp: is not a web address"),
    ("javascript:alert(1)//linkedin.com/in/x", "not a web address"),
    ("mailto:jane@linkedin.com", "not a web address"),
    ("https:www.linkedin.com/in/jane-doe", "malformed web address"),
    # short links
    ("https://lnkd.in/abc123", "short links"),
    ("lnkd.in/abc123", "short links"),
    # not a profile path
    ("https://www.linkedin.com/", "not a profile path"),
    ("https://www.linkedin.com", "not a profile path"),
    ("https://www.linkedin.com/company/acme", "not a profile path"),
    ("https://www.linkedin.com/feed/", "not a profile path"),
    ("https://www.linkedin.com/posts/jane-doe_activity-123", "not a profile path"),
    ("https://www.linkedin.com/jobs/view/123", "not a profile path"),
    ("https://www.linkedin.com/school/mit/", "not a profile path"),
    ("https://www.linkedin.com/mwlite/", "not a profile path"),
    ("https://www.linkedin.com/profile/view?id=123", "not a profile path"),
    ("https://www.linkedin.com/?in/jane-doe", "not a profile path"),
    ("https://www.linkedin.com/sales/company/123", "Sales Navigator"),
    ("https://www.linkedin.com/sales/search/people", "Sales Navigator"),
    ("https://www.linkedin.com/pub/dir/jane/doe", "directory"),
    # empty ids and slugs
    ("https://www.linkedin.com/in/", "empty profile slug"),
    ("https://www.linkedin.com/in", "empty profile slug"),
    ("https://www.linkedin.com/in/?x=1", "empty profile slug"),
    ("https://www.linkedin.com/sales/lead/", "empty Sales Navigator ID"),
    ("https://www.linkedin.com/sales/lead/,NAME_SEARCH,x", "empty Sales Navigator ID"),
    ("https://www.linkedin.com/pub/", "empty /pub/"),
    # bad characters once decoded
    ("https://www.linkedin.com/in/jane%20doe", "spaces"),
    ("https://www.linkedin.com/in/%0A", "spaces"),
    ("https://www.linkedin.com/in/jane%00doe", "control"),
    ("https://www.linkedin.com/in/jane%E2%80%8Bdoe", "invisible"),  # zero-width space
    ("https://www.linkedin.com/in/jane%E2%80%AEdoe", "invisible"),  # right-to-left override
    ("https://www.linkedin.com/in/jane%2Fdoe", "path separator"),
    ("https://www.linkedin.com/in/jane%5Cdoe", "path separator"),
    ("https://www.linkedin.com/sales/lead/AC%20wA,NAME_SEARCH", "spaces"),
    ("https://www.linkedin.com/sales/lead/AC$wA,NAME_SEARCH", "malformed Sales Navigator ID"),
    ("https://www.linkedin.com/in/ACoAA$bad", "malformed LinkedIn member ID"),
    # invalid percent-encoding / UTF-8
    ("https://www.linkedin.com/in/jane%", "percent-encoding"),
    ("https://www.linkedin.com/in/jane%zzdoe", "percent-encoding"),
    ("https://www.linkedin.com/in/jane%C3", "UTF-8"),
    ("https://www.linkedin.com/in/%FF%FE", "UTF-8"),
    ("https://www.linkedin.com/in/%ED%A0%80", "UTF-8"),  # encoded surrogate
    # too long
    ("https://www.linkedin.com/in/" + "a" * MAX_URL_LENGTH, "too long"),
    ("x" * 1_000_000, "too long"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refused_urls_say_why(url: str, reason: str) -> None:
    with pytest.raises(NotAProfileUrl, match=reason.replace("$", r"\$")) as excinfo:
        prospect_from_url(url)
    assert isinstance(excinfo.value, ValueError)


def test_lone_surrogate_is_refused_not_crashed() -> None:
    with pytest.raises(NotAProfileUrl):
        prospect_from_url("https://www.linkedin.com/in/jane\ud800doe")


def test_non_string_is_refused() -> None:
    with pytest.raises(NotAProfileUrl):
        prospect_from_url(None)  # type: ignore[arg-type]


def test_prospect_is_frozen() -> None:
    prospect = prospect_from_url("linkedin.com/in/jane-doe")
    with pytest.raises(AttributeError):
        prospect.key = "in:other"  # type: ignore[misc]


# --- looks_like_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://www.linkedin.com/in/jane-doe",
        "http://example.com",
        "ftp://example.com/x",
        "www.example.com",
        "WWW.linkedin.com/in/x",
        "linkedin.com/in/jane-doe",
        "uk.LinkedIn.com/in/jane-doe",
        "lnkd.in/abc",
        "<https://www.linkedin.com/in/jane-doe|jane>",
        "  linkedin.com/in/jane-doe ",
    ],
)
def test_looks_like_url_true(text: str) -> None:
    assert looks_like_url(text)


@pytest.mark.parametrize("text", ["Jane Doe", "jane-doe", "Zoë Brandt", "", "O'Brien", "Dr. J. Doe", "a:b"])
def test_looks_like_url_false(text: str) -> None:
    assert not looks_like_url(text)


# --- names and keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Jane Doe", "name:jane doe"),
        ("  Jane   Doe  ", "name:jane doe"),
        ("Jane\tDoe\n", "name:jane doe"),
        ("JANE DOE", "name:jane doe"),
        ("Zoë Brandt", "name:zoë brandt"),
        ("Zoe\u0308 Brandt", "name:zoë brandt"),
        ("ZOË BRANDT", "name:zoë brandt"),
        ("Jane\u00a0Doe", "name:jane doe"),
        ("Jane\u3000Doe", "name:jane doe"),
        ("Strauß", "name:strauss"),
        ("STRAUSS", "name:strauss"),
        ("张伟", "name:张伟"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key
    assert prospect_from_name(name) == Prospect(key=key, url=None)


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\u00a0", "Jane\x00Doe", "Jane\ud800"])
def test_name_key_refuses_empty_or_control(name: str) -> None:
    with pytest.raises(ValueError):
        name_key(name)


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("in:jane-doe", ("in", "jane-doe")),
        (f"mid:{MID}", ("mid", MID)),
        (f"sn:{SN}", ("sn", SN)),
        ("pub:jane-doe/12/345/678", ("pub", "jane-doe/12/345/678")),
        ("name:jane doe", ("name", "jane doe")),
        ("in:a:b", ("in", "a:b")),
    ],
)
def test_parse_key(key: str, parts: tuple[str, str]) -> None:
    assert parse_key(key) == parts


@pytest.mark.parametrize(
    "key", ["", "jane-doe", "in:", "xx:jane", ":jane", "IN:jane", "in: jane", "in:jane doe", "name: jane "]
)
def test_parse_key_refuses(key: str) -> None:
    with pytest.raises(ValueError):
        parse_key(key)


def test_is_fuzzy_key() -> None:
    assert is_fuzzy_key(name_key("Jane Doe"))
    assert not is_fuzzy_key(prospect_from_url("linkedin.com/in/jane-doe").key)
    assert not is_fuzzy_key(prospect_from_url(f"linkedin.com/in/{MID}").key)


# --- properties ---------------------------------------------------------------------------------


def _assert_well_formed(prospect: Prospect) -> None:
    kind, value = parse_key(prospect.key)
    assert kind in {"in", "mid", "sn", "pub"}
    assert value
    assert not any(ch.isspace() for ch in prospect.key)
    assert prospect.url is not None
    assert prospect.url.isascii()
    # idempotence: the canonical URL maps back to exactly the same prospect
    assert prospect_from_url(prospect.url) == prospect


def _try(text: str) -> Prospect | None:
    try:
        return prospect_from_url(text)
    except NotAProfileUrl as exc:
        assert str(exc)
        return None


@given(st.text())
@example("https://www.linkedin.com/in/\u0130stanbul")
@example("linkedin.com/in/%C4%B0")
@example("linkedin.com/in/\u1e9e")
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    prospect = _try(text)
    if prospect is not None:
        _assert_well_formed(prospect)


_NASTY_PIECES = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%,/:;@+=!$&'()*")
    + list("éëüøßıİΣςσ张伟ÅåŁłǅẞ\u0301\u0308 \t\x00\u200b\u202e")
    + ["%C3%AB", "%2C", "%2F", "%20", "%ZZ", "%C3", "%E5%BC%A0", "%25", "ACoAA", "ACwAA"]
)
_CLEAN_PIECES = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    + list("éëüøßıİΣςσ张伟ÅåŁłǅẞ")
    + ["%C3%AB", "%C3%A9", "%E5%BC%A0", "%25", "e\u0301"]
)
_SLUGS = st.one_of(
    st.lists(_CLEAN_PIECES, min_size=1, max_size=12).map("".join),
    st.lists(_CLEAN_PIECES, min_size=1, max_size=12).map(lambda ps: "ACoAA" + "".join(ps)),
    st.lists(_NASTY_PIECES, max_size=12).map("".join),
    st.text(max_size=20),
)


def _mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Pick from `good` most of the time, from `bad` sometimes."""
    return st.one_of(
        st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), st.sampled_from(bad)
    )


_URL_SHAPES = st.tuples(
    _mostly(["", "http://", "https://", "HTTPS://", "//"], ["ftp://", "https:", "http:/", "https:///"]),
    _mostly(
        [
            "linkedin.com",
            "www.linkedin.com",
            "uk.linkedin.com",
            "M.LinkedIn.COM",
            "www.linkedin.com.",
            "www.linkedin.com:443",
        ],
        [
            "www.linkedin.com:x",
            "lnkd.in",
            "linkedin.com.evil.com",
            "evillinkedin.com",
            "user@linkedin.com",
            "",
            "a_b.linkedin.com",
        ],
    ),
    st.sampled_from(["", "", "/mwlite", "/MWLITE", "/"]),
    _mostly(
        ["/in/", "/IN/", "/pub/", "/sales/lead/", "/sales/people/"],
        ["/pub/dir/", "/company/", "/", "", "/sales/x/"],
    ),
    _SLUGS,
    st.sampled_from(["", ",NAME_SEARCH,abcd", "/", "/12/345/678", "/details/experience/", "//"]),
    st.sampled_from(["", "?originalSubdomain=uk", "?a=b&c=d", "#frag", "?x=1#y", "?"]),
)


@given(_URL_SHAPES)
def test_realistic_shapes_never_crash_and_are_idempotent(parts: tuple[str, ...]) -> None:
    prospect = _try("".join(parts))
    if prospect is not None:
        _assert_well_formed(prospect)


_VANITY_CHARS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789-") + list("éëüøåłñçőžäöπλ张伟"))
_VANITY_SLUGS = st.lists(_VANITY_CHARS, min_size=1, max_size=30).map("".join)


@given(
    slug=_VANITY_SLUGS,
    case=st.sampled_from(["lower", "upper", "title", "swap"]),
    form=st.sampled_from(["NFC", "NFD"]),
    encode=st.booleans(),
    prefix=st.sampled_from(
        [
            "https://www.linkedin.com",
            "http://linkedin.com",
            "linkedin.com",
            "www.linkedin.com",
            "HTTPS://UK.LINKEDIN.COM",
            "https://de.linkedin.com",
            "m.linkedin.com",
            "https://www.linkedin.com/mwlite",
        ]
    ),
    suffix=st.sampled_from(["", "/", "?originalSubdomain=uk", "/#top", "/details/experience/"]),
)
def test_variants_of_a_slug_share_one_key(
    slug: str, case: str, form: str, encode: bool, prefix: str, suffix: str
) -> None:
    recase = {"lower": str.lower, "upper": str.upper, "title": str.title, "swap": str.swapcase}[case]
    variant = recase(slug)
    variant = unicodedata.normalize(form, variant)
    assume(not variant.startswith("ACoAA"))
    if encode:
        variant = quote(variant, safe="")
    prospect = prospect_from_url(f"{prefix}/in/{variant}{suffix}")
    assert prospect.key == "in:" + unicodedata.normalize("NFC", slug.lower())
    assert prospect == prospect_from_url(f"https://www.linkedin.com/in/{slug}")
    _assert_well_formed(prospect)


@given(
    member_id=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", max_size=40
    ),
    prefix=st.sampled_from(
        ["https://www.linkedin.com/in/", "linkedin.com/in/", "https://uk.linkedin.com/mwlite/in/"]
    ),
    suffix=st.sampled_from(["", "/", "?trk=x"]),
)
def test_member_ids_keep_case(member_id: str, prefix: str, suffix: str) -> None:
    full_id = "ACoAA" + member_id
    prospect = prospect_from_url(prefix + full_id + suffix)
    assert prospect.key == f"mid:{full_id}"
    _assert_well_formed(prospect)


@given(
    lead_id=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1),
    kind=st.sampled_from(["lead", "people", "LEAD"]),
    tail=st.sampled_from(["", ",NAME_SEARCH,abcd", "%2CNAME_SEARCH%2Cx", ",OUT_OF_NETWORK,Q?_ntb=1"]),
)
def test_sales_navigator_ids_keep_case(lead_id: str, kind: str, tail: str) -> None:
    prospect = prospect_from_url(f"https://www.linkedin.com/sales/{kind}/{lead_id}{tail}")
    assert prospect.key == f"sn:{lead_id}"
    _assert_well_formed(prospect)


@given(st.text())
def test_name_key_is_stable_and_has_no_stray_whitespace(name: str) -> None:
    try:
        key = name_key(name)
    except ValueError:
        return
    kind, value = parse_key(key)
    assert kind == "name"
    assert value == " ".join(value.split())
    assert all(not ch.isspace() or ch == " " for ch in value)
    assert name_key(value) == key
