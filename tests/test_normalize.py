"""Tests for the one normalization shared by questions and registry names.

The properties guard what the index relies on (any input is accepted, a second pass changes
nothing, no invisible character survives); the examples pin the spelling traps that were
measured before this module existed, each of which broke a real lookup somewhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyarabic import araby
from pyarabic import normalize as pyarabic_normalize

from knowledge.normalize import _MAX_REMEMBERED, _TABLE, normalize, strip_article, tokens

FORBIDDEN_CATEGORIES = {"Mn", "Me", "Cf", "Cc"}

# All of Unicode, plus a bias towards the Arabic blocks and combining marks where the
# folding rules live (plain st.text() rarely draws two Arabic characters in a row).
ANY_TEXT = st.text() | st.text(
    alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
    | st.characters(categories=["Mn", "Me", "Cf", "Cc", "Zs", "Nd", "Pd", "Po"])
    | st.sampled_from(" \u0640\u200c\u200fﻻﺍé")
)


def _assert_clean(text: str) -> None:
    assert not any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in text)
    assert "\u0640" not in text
    assert text == text.strip()
    assert "  " not in text
    assert all(char == " " or not char.isspace() for char in text)


@settings(max_examples=500)
@given(ANY_TEXT)
def test_normalize_accepts_anything_and_is_idempotent(text: str) -> None:
    result = normalize(text)
    assert normalize(result) == result
    _assert_clean(result)


def test_normalize_is_idempotent_on_every_bmp_character() -> None:
    """Exhaustive where it is cheap: casefold and NFKC interact per character."""
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        result = normalize(chr(code))
        assert normalize(result) == result, hex(code)
        _assert_clean(result)


def test_normalize_is_idempotent_when_a_dropped_mark_lets_characters_compose() -> None:
    """Dropping the virama of ේ leaves a vowel sign that composes with the next one."""
    result = normalize("\u0dda\u0dcf")
    assert normalize(result) == result


@given(ANY_TEXT, st.frozensets(ANY_TEXT))
def test_tokens_accepts_anything_and_only_cuts_prefixes(
    text: str, known_words: frozenset[str]
) -> None:
    """No empty token, one token per word, each a suffix of its word: nothing is stemmed."""
    words = text.split()
    result = tokens(text, known_words)
    assert len(result) == len(words)
    for token, word in zip(result, words, strict=True):
        assert token
        assert word.endswith(token)


@given(ANY_TEXT)
def test_tokens_of_normalized_text_are_clean(text: str) -> None:
    for token in tokens(normalize(text)):
        assert token
        _assert_clean(token)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # ة / ه
        ("وزارة الصحة", "وزاره الصحه"),
        ("وزاره الصحه", "وزاره الصحه"),
        # alef with hamza or madda, alef wasla
        ("أمانة", "امانه"),
        ("إدارة", "اداره"),
        ("آل", "ال"),
        ("ٱلله", "الله"),
        # alef maksura and Persian yeh fold to ي, never to ا
        ("مستشفى", "مستشفي"),
        ("مستشفی", "مستشفي"),
        # hamza seats become a bare hamza; a lone hamza is untouched
        ("مؤسسة", "مءسسه"),
        ("مئوية", "مءويه"),
        ("هيئة", "هيءه"),
        # Persian and Urdu keyboard letters
        ("ی ک ڪ گ پ چ ڤ", "ي ك ك ق ب ج ف"),
        ("ۀ ہ ھ ە", "ه ه ه ه"),
        ("کلیة", "كليه"),
        # harakat, shadda, tanween
        ("وَزَارَةُ الصِّحَّةِ", "وزاره الصحه"),
        ("شكرًا", "شكرا"),
        # tatweel, and pyarabic's normalize_searchtext trap (it gives دما)
        ("الصـــحة", "الصحه"),
        ("دمـــى", "دمي"),
        # dagger alef and Quranic annotation marks
        ("هٰذا", "هذا"),
        ("الرحمٰن", "الرحمن"),
        ("الصحة\u06d6\u06e1", "الصحه"),
        # presentation forms: the lam-alef ligature and isolated/final/medial letters
        ("\ufefb", "لا"),
        ("\ufe8d", "ا"),
        ("\ufe8d\ufedf\ufebc\ufea4\ufe94", "الصحه"),
        # fullwidth Latin and at sign
        ("ＭＯＨ", "moh"),
        ("＠ＭＯＨ", "moh"),
        # Arabic-Indic and Persian digits
        ("رؤية ٢٠٣٠", "رءيه 2030"),
        ("۲۰۳۰", "2030"),
        # bidi and zero-width controls inside and around words
        ("وزا\u200cرة", "وزاره"),
        ("\u200fوزارة\u200e \u2067الصحة\u2069", "وزاره الصحه"),
        ("\ufeffوزارة\u061c", "وزاره"),
        ("minis\u00adtère", "ministere"),
        # French accents and ligatures, any case
        ("Ministère de la Santé", "ministere de la sante"),
        ("MINISTÈRE DE L'INTÉRIEUR", "ministere de l interieur"),
        ("Œuvre française", "oeuvre francaise"),
        ("İçişleri", "icisleri"),
        ("Straße", "strasse"),
        # punctuation separates (handles are read from the raw text elsewhere)
        ("«وزارة»، الصحة؟", "وزاره الصحه"),
        ("وزارة الصحة.", "وزاره الصحه"),
        ("@Saudi_MOH", "saudi moh"),
        # whitespace of any kind collapses to one space
        ("  وزارة\t\nالصحة\u00a0\u2028 ", "وزاره الصحه"),
        ("", ""),
    ],
)
def test_normalize_folds_known_spelling_traps(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الصحه", "صحه"),
        ("والصحه", "صحه"),
        ("بالصحه", "صحه"),
        ("كالصحه", "صحه"),
        ("فالصحه", "صحه"),
        ("للتعليم", "تعليم"),
        # a conjunction stacked on a preposition and the article
        ("وبالصحه", "صحه"),
        ("وللتعليم", "تعليم"),
        # fewer than three letters would remain: a word, not an article
        ("الله", "الله"),
        ("والي", "والي"),
        # no article at all
        ("وزاره", "وزاره"),
        ("فلسطين", "فلسطين"),
        ("moh", "moh"),
    ],
)
def test_strip_article(raw: str, expected: str) -> None:
    assert strip_article(raw) == expected


def test_tokens_strip_articles_but_never_stem() -> None:
    assert tokens(normalize("وزارة الصحة")) == ["وزاره", "صحه"]
    assert tokens(normalize("والصحة")) == ["صحه"]
    assert tokens(normalize("المدني")) == ["مدني"]
    assert tokens(normalize("أبشر")) == ["ابشر"]


def test_single_letter_clitic_needs_a_known_word() -> None:
    known = frozenset({"وزاره", "صحه"})
    assert tokens("وزاره") == ["وزاره"]
    assert tokens("وزاره", known) == ["وزاره"]
    assert tokens("لوزاره") == ["لوزاره"]
    assert tokens("لوزاره", known) == ["وزاره"]
    assert tokens("وصحه", known) == ["صحه"]
    # a known word keeps its first letter even if the rest is known too
    assert tokens("وزاره", frozenset({"وزاره", "زاره"})) == ["وزاره"]
    assert tokens("و", frozenset({""})) == ["و"]


def test_latin_tokens_pass_unchanged() -> None:
    assert tokens(normalize("Ministère al Santé MOH")) == ["ministere", "al", "sante", "moh"]
    assert tokens("alwatan lltaalim", frozenset({"watan"})) == ["alwatan", "lltaalim"]


def test_table_memory_is_bounded_by_the_number_of_distinct_characters() -> None:
    """User text can hold any code point; the lazily filled table must stop growing."""
    normalize("".join(map(chr, range(0x20000, 0x20000 + _MAX_REMEMBERED + 10))))
    assert len(_TABLE) <= _MAX_REMEMBERED


@given(st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)))
def test_an_independent_implementation_finds_no_diacritic_left(text: str) -> None:
    """pyarabic's strip_diacritics (which removes every Arabic mark) is the oracle: whatever
    it would still remove, normalize has missed."""
    out = normalize(text)
    assert araby.strip_diacritics(out) == out
    assert araby.strip_tatweel(out) == out


# pyarabic against the project's folding: where they agree, and where pyarabic is wrong.

ARABIC_LETTERS = st.sampled_from([*araby.LETTERS, " "])
# Hamza above or below and madda after a seat letter are not decoration: NFKC composes
# و + ٔ into ؤ and ا + ٓ into آ, which are letters (pyarabic strips the mark and leaves و).
COMPOSING = {araby.HAMZA_ABOVE, araby.HAMZA_BELOW, araby.MADDA_ABOVE}
MARKS = ["", araby.TATWEEL, *(m for m in araby.DIACRITICS if m not in COMPOSING)]
MARKED_TEXT = st.lists(st.tuples(ARABIC_LETTERS, st.sampled_from(MARKS)), max_size=30).map(
    lambda pairs: "".join(letter + mark for letter, mark in pairs)
)


@given(MARKED_TEXT)
def test_marks_and_tatweel_go_as_pyarabic_strips_them(text: str) -> None:
    """Deleting marks and tatweel is pyarabic's job done pyarabic's way: normalizing the
    marked text or pyarabic's stripped text gives the same words."""
    stripped = araby.strip_tatweel(araby.strip_diacritics(text))
    assert normalize(text) == normalize(stripped)


@pytest.mark.parametrize(
    ("raw", "ours", "pyarabic_gives"),
    [
        # normalize_hamza's default ("uniform") turns a seated alef into a bare hamza
        ("أبشر", "ابشر", lambda t: araby.normalize_hamza(t)),
        ("آمنة", "امنه", lambda t: araby.normalize_hamza(t)),
        # normalize_alef turns alef maqsura into alef, against its own docstring
        ("مستشفى", "مستشفي", lambda t: araby.normalize_alef(t)),
        # normalize_searchtext turns the final ى of a tatweeled word into ا
        ("دمـــى", "دمي", lambda t: pyarabic_normalize.normalize_searchtext(t)),
    ],
)
def test_where_pyarabic_folds_wrongly_the_project_table_decides(
    raw: str, ours: str, pyarabic_gives: Callable[[str], str]
) -> None:
    """The measured traps: pyarabic's answer is a different word from the one people mean,
    and the project's table gives the spelling that matches the registry's names."""
    assert normalize(raw) == ours
    assert normalize(pyarabic_gives(raw)) != ours


def test_persian_letters_and_digits_are_folded_where_pyarabic_leaves_them() -> None:
    raw = "گروه ۲۰۳۰ پیام چای"
    assert pyarabic_normalize.normalize_searchtext(raw) == araby.strip_diacritics(raw)  # untouched
    assert normalize(raw) == "قروه 2030 بيام جاي"
