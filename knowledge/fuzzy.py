"""Fuzzy lookup of a name among many, fast enough for a million aliases.

A query is first narrowed with a trigram index (the candidates sharing the most of the
query's rarest trigrams) and only those are scored with rapidfuzz: the notes measured
9 ms per query at 1M names this way against 848 ms for scoring them all, with the same
best match. Even at 1,000 names the narrowing is faster (0.13 ms against 3.1 ms a search)
and as accurate on the labeled questions, so it is used at every size.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

RAREST_TRIGRAMS = 6
CANDIDATES = 300
SLIP_LENGTH = 5
"""Shorter words must be typed right to count as the same word."""
LONG_WORD = 8
"""From this length, two slips still make the same word."""


def trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class FuzzyIndex:
    """Names (already normalized) searched by similarity; results are name positions."""

    def __init__(self, names: Sequence[str]):
        self._names = list(names)
        self._postings: dict[str, array[int]] = {}
        for position, name in enumerate(self._names):
            for gram in trigrams(name):
                posting = self._postings.get(gram)
                if posting is None:
                    posting = self._postings[gram] = array("I")
                posting.append(position)

    def __len__(self) -> int:
        return len(self._names)

    def name(self, position: int) -> str:
        return self._names[position]

    def search(
        self, query: str, limit: int = 10, cutoff: float = 50
    ) -> list[tuple[int, float, str]]:
        """The best-scoring names: position, WRatio score (0-100) and name, best first."""
        if not query:
            return []
        choices = {position: self._names[position] for position in self._candidates(query)}
        matches = process.extract(
            query, choices, scorer=fuzz.WRatio, processor=None, limit=limit, score_cutoff=cutoff
        )
        return [(position, score, name) for name, score, position in matches]

    def _candidates(self, query: str) -> list[int]:
        postings = [p for p in (self._postings.get(g) for g in trigrams(query)) if p is not None]
        postings.sort(key=len)
        counts: Counter[int] = Counter()
        for posting in postings[:RAREST_TRIGRAMS]:
            counts.update(posting)
        return [position for position, _ in counts.most_common(CANDIDATES)]


def shares_a_word(words: set[str], core: str) -> bool:
    """Whether a name core has one of `words`, as typed or with a slip (one edit, two in
    long words). 'مواطن' is not 'موانء' (two edits in five letters): a name that only looks
    alike is another body, not a name to offer."""
    for word in core.split():
        if word in words:
            return True
        if len(word) < SLIP_LENGTH:
            continue
        for typed in words:
            allowed = 2 if min(len(word), len(typed)) >= LONG_WORD else 1
            if len(typed) >= SLIP_LENGTH and Levenshtein.distance(word, typed) <= allowed:
                return True
    return False
