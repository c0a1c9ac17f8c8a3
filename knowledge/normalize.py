"""One spelling-insensitive form for questions and registry names, so the two can meet.

Citizens write the same name many ways: with or without hamza seats, ة or ه, ى or ي,
harakat, tatweel, Persian keyboard letters, Arabic-Indic digits, presentation forms pasted
from PDFs, invisible bidi marks copied from social media, French accents or none. The
registry's names and aliases go through the very same `normalize`, so an exact lookup or a
fuzzy score compares like with like. `tokens` then drops the article and clitics that
Arabic glues to words ("والصحة", "للتعليم"); nothing is ever stemmed, because light
stemmers turn وزارة into زار and أبشر into شر (measured before this module was written).

Punctuation is a separator here. Handles and links (@Saudi_MOH, x.com/SaudiMOH) are pulled
out of the raw text by the handles code before anything is normalized, so nothing is lost
by turning "@", "_", ".", "/" or "-" into spaces; keeping them would only make "وزارة
الصحة." differ from "وزارة الصحة".

pyarabic supplies what it gets right: its list of Arabic diacritics (harakat, shadda,
sukun, dagger alef, Quranic marks), tatweel and the letter constants the folds are written
with. Its normalizers are not used: `normalize_hamza` folds أ to ء, `normalize_alef` folds ى
to ا and `normalize_searchtext` turns دمـــى into دما (checked on 0.6.15), and it folds
neither Persian letters nor digits; tests/test_normalize.py compares the two. Its
`tokenize` keeps punctuation as tokens, which matching has no use for: punctuation is a
separator here.
"""

from __future__ import annotations

import re
import unicodedata

from pyarabic import araby

__all__ = ["normalize", "strip_article", "tokens"]

# Deleted outright: pyarabic's diacritics (harakat, shadda, sukun, hamza above/below,
# dagger alef, honorific and Quranic marks) and tatweel; the Quranic signs it leaves out
# because they are not marks (end of ayah, rub el hizb, small waw and yeh, place of
# sajdah); bidi and zero-width controls. Every other mark and format character is caught
# by category in `_FoldTable.__missing__`.
_DELETED = (
    araby.TATWEEL
    + "".join(araby.DIACRITICS)
    + "\u06dd\u06de\u06e5\u06e6\u06e9"
    + "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    + "\u2066\u2067\u2068\u2069\ufeff\u00ad"  # bidi, zero-width, BOM, soft hyphen
)

# Letter folds: the spellings people actually type for one letter become one letter.
# Hamza seats on و and ي become a bare ء rather than the seat letter, so مؤسسة and مءسسه
# agree while مؤسسة never turns into a different word spelled with و.
# Arabic letters by pyarabic's names; Persian and Urdu keyboard letters, which pyarabic
# does not name, as literals.
_FOLDS = {
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
    araby.ALEF_MAKSURA: araby.YEH,
    "ی": araby.YEH,
    araby.TEH_MARBUTA: araby.HEH,
    "ۀ": araby.HEH,
    "ہ": araby.HEH,
    "ھ": araby.HEH,
    "ە": araby.HEH,
    "ک": araby.KAF,
    "ڪ": araby.KAF,
    araby.WAW_HAMZA: araby.HAMZA,
    araby.YEH_HAMZA: araby.HAMZA,
    "گ": araby.QAF,
    "ڤ": araby.FEH,
    "چ": araby.JEEM,
    "پ": araby.BEH,
    # French ligatures have no decomposition, so accent stripping alone would miss them.
    "œ": "oe",
    "æ": "ae",
}

_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Cs"})

# A ceiling on remembered characters: user text can contain any of 1.1M code points, and
# the table must not grow without bound in a long-running bot. Real text uses a few hundred.
_MAX_REMEMBERED = 50_000


class _FoldTable(dict[int, str | None]):
    """`str.translate` table that works out unseen characters on first use and remembers them.

    Why lazy: the rules "delete every mark and format character", "every punctuation or
    symbol separates", "every decimal digit becomes ASCII" cover thousands of code points.
    Enumerating them at import scans all 1.1M code points (about 0.2 s); instead a miss
    costs one Python call per distinct character, after which `str.translate` finds the
    answer in C. The explicit folds above are loaded up front and win over the rules.
    """

    def __missing__(self, code: int) -> str | None:
        value = _classify(chr(code))
        if len(self) < _MAX_REMEMBERED:
            self[code] = value
        return value


def _classify(char: str) -> str | None:
    """What one character not in the explicit folds becomes (None deletes it)."""
    if char.isspace():  # tab, newline, NBSP, line separator...: words stay apart
        return " "
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return None
    if category[0] in "PS":
        return " "
    digit = unicodedata.decimal(char, None)
    if digit is not None:  # ٢٠٣٠ and ۲۰۳۰ (and any other script's digits) -> 2030
        return str(digit)
    return char


_TABLE = _FoldTable(str.maketrans(dict.fromkeys(_DELETED, None) | _FOLDS))


def normalize(text: str) -> str:
    """The matching form of `text`: folded, unmarked, punctuation-free, single-spaced.

    Order matters. NFKC first turns presentation forms (ﻻ, ﺍ), fullwidth Latin and ＠ into
    ordinary characters, so the later steps see plain letters; casefold follows (it can
    produce characters NFKC would still change, hence the second NFKC). Marks are deleted
    before any splitting because harakat are not word characters: splitting first would
    break وَزَارَة apart. Latin accents are removed by decomposing only what still carries a
    combining mark, then recomposing, so é becomes e while Hangul or Indic vowel signs are
    left as they were and a second call changes nothing.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = text.translate(_TABLE)
    if not text.isascii() and not unicodedata.is_normalized("NFD", text):
        text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_TABLE))
    return " ".join(text.split())


# The article with what may precede it: an optional conjunction (و, ف), then ال, بال, كال or
# لل (ل + ال with its alef dropped). This covers the notes' list (ال وال بال كال فال لل) and
# the stacked forms (وبال, فبال, وكال, ولل...) that grammar allows. "وبالتالي" is و + ب + ال.
_ARTICLE = re.compile(r"[وف]?(?:ال|بال|كال|لل)")

# Three letters must remain: "الله" or "الي" are words, not an article on a 1-2 letter stem.
_MIN_STEM = 3

_SINGLE_LETTER_CLITICS = frozenset("وبلفك")


def strip_article(token: str) -> str:
    """`token` without a leading article (with its conjunction or preposition).

    The article is dropped only when at least three letters remain, so short words that
    merely begin with ال keep their shape. `token` must already be normalized.
    """
    match = _ARTICLE.match(token)
    if match is not None and len(token) - match.end() >= _MIN_STEM:
        return token[match.end() :]
    return token


def tokens(text: str, known_words: frozenset[str] = frozenset()) -> list[str]:
    """The words of normalized `text`, each without its article or clitic; never stemmed.

    A bare one-letter prefix (و ب ل ف ك) is removed only when the rest is a known registry
    word and the token itself is not: the letters are far too common as first letters
    (وزاره, بنك, كليه) to strip on sight. `known_words` should be the tokens of every
    registry name and alias, built with this same function. Latin words pass unchanged.

    `text` is expected to be the output of `normalize`; it is not normalized again because
    the index build calls both on up to a million aliases.
    """
    result = []
    for token in text.split():
        stripped = strip_article(token)
        if (
            stripped == token
            and token[0] in _SINGLE_LETTER_CLITICS
            and token not in known_words
            and len(token) > 1
            and token[1:] in known_words
        ):
            stripped = token[1:]
        result.append(stripped)
    return result
