"""`/invites find` matching: the stored search text and ASCII folding's fast path answer exactly as the
plain definition does (every field folded in full, joined, searched)."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.prospect import fold, readable_key, search_text


def plain_fold(text: str) -> str:
    collapsed = " ".join(unicodedata.normalize("NFC", text).split())
    return unicodedata.normalize("NFC", collapsed.casefold())


def plain_found(needle: str, name_folded, company, key: str, comment) -> bool:
    slug = key.split(":", 1)[-1]
    fields = (name_folded, company, slug, readable_key(key), comment)
    return needle in "\n".join(plain_fold(t) for t in fields if t)


# Letters that fold oddly (ß, ſ, K, ǅ, dotted/dotless i, final sigma, ligatures) beside plain ASCII.
ODD = "ßſKǅİıΣςﬁÅé\u0301"
words = st.text(alphabet=st.sampled_from("abcdefjxyzADEJ0123456789 -\t" + ODD), min_size=0, max_size=12)
slugs = st.text(alphabet=st.sampled_from("abcdef0123456789-" + "ßé"), min_size=1, max_size=20)


@given(st.text(max_size=30))
@example("  Jane \t Doe ")
@example("\x1cA\x1fB")
def test_fold_of_ascii_and_any_text_is_the_plain_fold(text):
    assert fold(text) == plain_fold(text)


@settings(max_examples=300)
@given(needle=words, name=st.none() | words, company=st.none() | words, slug=slugs, comment=st.none() | words,
       kind=st.sampled_from(["in", "name"]))
@example(needle="jane doe", name=None, company=None, slug="jane-doe-4b1a2c", comment=None, kind="in")
@example(needle="doe acme", name="Jane Doe", company="Acme", slug="jane-doe", comment=None, kind="in")
@example(needle="STRASSE", name=None, company="Straße", slug="x", comment=None, kind="name")
def test_the_stored_search_text_matches_what_the_plain_definition_matches(needle, name, company, slug, comment, kind):
    key = f"{kind}:{slug}"
    folded_needle = fold(needle) or ""
    assert (folded_needle in search_text(name, company, key, comment)) == \
        plain_found(folded_needle, fold(name), company, key, comment)
