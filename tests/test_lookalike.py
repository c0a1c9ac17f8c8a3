"""Handles that imitate an official one.

The examples are the imitations the notes measured (a zero for an O, Cyrillic letters,
"rn" for "m", a capital I for an l, "_Official", a year), checked against the real handles
of the seed data so that no official account is ever called a look-alike of another. The
index is checked against a brute-force reading of the same rules, so that its shortcuts
(neighbour generation, a length-bucketed scan) never lose a resemblance.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import DamerauLevenshtein

from knowledge import lookalike
from knowledge.lookalike import (
    LookalikeIndex,
    Reason,
    Resemblance,
    allowed_distance,
    skeleton,
)

SEED = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudi_entities.csv"

OFFICIAL = [
    "SaudiMOH",
    "moe_gov_sa",
    "AljawazatKSA",
    "MojKsa",
    "MOFKSA",
    "Absher",
    "TawakkalnaApp",
    "SaudiVision2030",
]

CYRILLIC_MOH = "\u041c\u041e\u041d"  # М О Н: Cyrillic capitals drawn like M O H

# (imitation, the official handle it imitates, reason, distance)
IMITATIONS: list[tuple[str, str, Reason, int]] = [
    ("@SaudiM0H", "SaudiMOH", "homoglyph", 0),
    (f"@Saudi{CYRILLIC_MOH}", "SaudiMOH", "homoglyph", 0),
    ("@SaudlMOH", "SaudiMOH", "homoglyph", 0),
    ("@Saud1MOH", "SaudiMOH", "homoglyph", 0),
    ("@Saud|MOH", "SaudiMOH", "homoglyph", 0),
    ("@Saudi_MOH", "SaudiMOH", "homoglyph", 0),
    ("@Saudi.M.O.H", "SaudiMOH", "homoglyph", 0),
    ("@S\u0430udiMOH", "SaudiMOH", "homoglyph", 0),  # Cyrillic а
    ("@\u0405audiMOH", "SaudiMOH", "homoglyph", 0),  # Cyrillic Ѕ
    ("@SaudiM\u039fH", "SaudiMOH", "homoglyph", 0),  # Greek Ο
    ("@SaudíMOH", "SaudiMOH", "homoglyph", 0),  # an accent
    ("@ＳａｕｄｉＭ０Ｈ", "SaudiMOH", "homoglyph", 0),  # fullwidth, with a zero
    ("@rnoe_gov_sa", "moe_gov_sa", "homoglyph", 0),
    ("@AIjawazatKSA", "AljawazatKSA", "homoglyph", 0),
    ("@Ab$her", "Absher", "homoglyph", 0),
    ("@Tavvakkalna_App", "TawakkalnaApp", "homoglyph", 0),
    ("@SaudiMOH_Official", "SaudiMOH", "affix", 0),
    ("@SaudiMOH_0fficial", "SaudiMOH", "affix", 0),
    ("@SaudiMOH2024", "SaudiMOH", "affix", 0),
    ("@Real_SaudiMOH", "SaudiMOH", "affix", 0),
    ("@MOH_Saudi", "SaudiMOH", "affix", 0),
    ("@MOH_KSA", "SaudiMOH", "affix", 0),
    ("@SaudiMOH_gov_sa", "SaudiMOH", "affix", 0),
    ("@moe_gov", "moe_gov_sa", "affix", 0),
    ("@Aljawazat", "AljawazatKSA", "affix", 0),
    ("@MojKsa1", "MojKsa", "affix", 0),
    ("@Absher_SA", "Absher", "affix", 0),
    ("@SaudiVision", "SaudiVision2030", "affix", 0),
    ("@SaudiMOHH", "SaudiMOH", "edit_distance", 1),  # a doubled letter, even in an acronym
    ("@SaudiMOOH", "SaudiMOH", "edit_distance", 1),
    ("@Absherr", "Absher", "edit_distance", 1),
    ("@Abshir", "Absher", "edit_distance", 1),
    ("@Absehr", "Absher", "edit_distance", 1),  # a transposition is one edit
    ("@AljawazatKS", "AljawazatKSA", "edit_distance", 2),  # "ks" is no affix: two edits
    ("@AljawazetKSA", "AljawazatKSA", "edit_distance", 1),
    ("@AljwazatKSA", "AljawazatKSA", "edit_distance", 1),
    ("@AljwazetKSA", "AljawazatKSA", "edit_distance", 2),  # two edits from 8 characters
    ("@TawaklnaApp", "TawakkalnaApp", "edit_distance", 2),
]


@pytest.fixture(scope="module")
def index() -> LookalikeIndex:
    return LookalikeIndex((handle, ("entity", handle)) for handle in OFFICIAL)


@pytest.mark.parametrize(("imitation", "official", "reason", "distance"), IMITATIONS)
def test_imitations_are_found(
    index: LookalikeIndex, imitation: str, official: str, reason: Reason, distance: int
) -> None:
    found = index.find(imitation)
    assert found, imitation
    assert found[0] == Resemblance(official, ("entity", official), reason, distance)


@pytest.mark.parametrize(
    "handle",
    [
        "SaudiMOH",
        "@SaudiMOH",
        "saudimoh",  # platforms ignore case
        "SAUDIMOH",
        "＠ＳａｕｄｉＭＯＨ",  # the same handle typed in fullwidth
        "@Saudi\u200bMOH",  # with an invisible mark
        " MOE_GOV_SA ",
    ],
)
def test_an_official_handle_is_not_a_lookalike(index: LookalikeIndex, handle: str) -> None:
    assert index.find(handle) == []


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("SaudiMOI", []),  # moi vs moh: one edit between two real acronyms, not an imitation
        ("SaudiMOE", ["moe_gov_sa"]),  # the same: it imitates moe, not moh
        ("KSA_MOJ1", ["MojKsa"]),
        ("Ebshir", []),  # two edits in a 6-letter skeleton
        ("Tawakalna", []),  # without its "App", four edits away
        ("NHC_KSA", []),
        ("spagov", []),
        ("وزارة_الصحة", []),  # Arabic is never folded: alef is not l, heh is not o
        ("@هيئة", []),
        ("", []),
        ("@", []),
        ("___", []),
        ("x" * 500, []),
    ],
)
def test_what_a_handle_does_not_resemble(
    index: LookalikeIndex, handle: str, expected: list[str]
) -> None:
    assert [r.official for r in index.find(handle)] == expected


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("SaudiMOH", "moh"),
        ("@Saudi_MOH", "moh"),
        ("moe_gov_sa", "moe"),
        ("KSAMOFA", "mofa"),
        ("MOFKSA", "mof"),
        ("SAMA_GOV", "sama"),  # "sa" is only a suffix: SAMA keeps its letters
        ("Saudi", "saudl"),  # an affix alone is not stripped to nothing
        ("tc_gov", "tc"),
        ("SaudiVision2030", "vlslon"),
        ("motls19955", "motls"),
        ("SaudiMOH_Official2024", "moh"),
        ("rn.vv", "mw"),
        ("Ｓａｕｄｉ\u200fＭＯＨ", "moh"),
        ("SaudiMOH\u0662\u0660\u0662\u0664", "moh"),  # Arabic-Indic digits are digits
        ("c/HRSDsa", "hrsd"),  # a YouTube custom URL: the name is what a reader sees
        ("+966920033333", ""),  # numbers are not read as names
        ("100064123456789", ""),
        ("وزارة", ""),
        ("SaudiMOHوزارة", ""),  # any Arabic letter: nothing is folded
    ],
)
def test_skeleton(handle: str, expected: str) -> None:
    assert skeleton(handle) == expected


def test_results_are_ordered_and_limited() -> None:
    index = LookalikeIndex(
        [("SaudiMOH", 1), ("MOH_KSA", 2), ("SaudiMOHH", 3), ("MOHSaudi", 4), ("x.moh", 5)]
    )
    found = [(r.key, r.reason, r.distance) for r in index.find("Saudi_M0H", limit=10)]
    assert found == [
        (1, "homoglyph", 0),
        (2, "affix", 0),
        (4, "affix", 0),
        (3, "edit_distance", 1),
    ]  # x.moh ("xmoh") is an edit from "moh", but four letters are an acronym's length
    assert [r.key for r in index.find("Saudi_M0H")] == [1, 2, 4]
    assert index.find("Saudi_M0H", limit=0) == []


def test_one_handle_on_several_platforms_gives_one_result_each() -> None:
    index = LookalikeIndex([("SaudiMOH", ("moh", "x")), ("saudimoh", ("moh", "instagram"))])
    assert {r.key for r in index.find("SaudiM0H")} == {("moh", "x"), ("moh", "instagram")}


def test_handles_of_one_skeleton_come_in_the_order_given() -> None:
    """The index keeps one position for a skeleton, and a tuple only when several share it:
    results the sort cannot tell apart must still come in the caller's order."""
    index = LookalikeIndex([("saudimoh", 1), ("SaudiMOH", 2), ("SAUDIMOH", 3)])
    assert len(index) == 3
    assert [r.key for r in index.find("SaudiM0H", limit=10)] == [1, 2, 3]
    assert [r.key for r in index.find("SaudiMOOH", limit=10)] == [1, 2, 3]


# --- the seed data ------------------------------------------------------------------------

# Two real accounts of different bodies whose handles differ only by an affix. Both are
# official; the caller answers an exact match as official before asking for look-alikes,
# and a citizen asking about "@jazan_ksa" should hear about both.
KNOWN_NEAR_PAIRS = {frozenset({"jazansa", "jazangov"})}  # Jazan municipality / emirate


def _seed_handles() -> list[str]:
    with SEED.open(encoding="utf-8") as rows:
        return [row["x_handle"].lstrip("@") for row in csv.DictReader(rows) if row["x_handle"]]


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_no_official_handle_resembles_another() -> None:
    handles = _seed_handles()
    assert len(handles) >= 50
    for handle in handles:
        others = LookalikeIndex((o, o) for o in handles if o.casefold() != handle.casefold())
        for r in others.find(handle, limit=10):
            pair = frozenset({handle.casefold(), r.official.casefold()})
            assert pair in KNOWN_NEAR_PAIRS, (handle, r)


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_the_seed_imitations_resemble_their_targets() -> None:
    index = LookalikeIndex((h, h) for h in _seed_handles())
    for fake, target in [
        ("SaudiM0H", "SaudiMOH"),
        (f"Saudi{CYRILLIC_MOH}", "SaudiMOH"),
        ("SaudlMOH", "SaudiMOH"),
        ("rnoe_gov_sa", "moe_gov_sa"),
        ("AIjawazatKSA", "AljawazatKSA"),
        ("SaudiMOH_Official", "SaudiMOH"),
        ("SaudiMOH2024", "SaudiMOH"),
        ("Saudi_MOH", "SaudiMOH"),
    ]:
        assert [r.official for r in index.find(fake, limit=1)] == [target], fake


# --- the index agrees with the rules read naively -----------------------------------------


def _brute_force(officials: dict[str, tuple[str, str]], handle: str) -> set[str]:
    """The officials (handle -> skeleton, collapsed skeleton) `handle` resembles, compared
    with every one."""
    shape = skeleton(handle)
    if not shape or handle.casefold() in {o.casefold() for o in officials}:
        return set()
    collapsed = lookalike._collapse(shape)
    found = set()
    for official, (other, other_collapsed) in officials.items():
        if not other:
            continue
        distance = DamerauLevenshtein.distance(shape, other)
        if distance <= allowed_distance(len(other)) or collapsed == other_collapsed:
            found.add(official)
    return found


def _mutations(rng: random.Random, handle: str) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
    i = rng.randrange(len(handle))
    for _ in range(rng.choice([1, 1, 2, 3])):
        i = rng.randrange(len(handle))
        edit = rng.choice(["sub", "ins", "del", "swap", "affix"])
        if edit == "sub":
            handle = handle[:i] + rng.choice(letters) + handle[i + 1 :]
        elif edit == "ins":
            handle = handle[:i] + rng.choice(letters) + handle[i:]
        elif edit == "del" and len(handle) > 2:
            handle = handle[:i] + handle[i + 1 :]
        elif edit == "swap" and i + 1 < len(handle):
            handle = handle[:i] + handle[i + 1] + handle[i] + handle[i + 2 :]
        else:
            handle += rng.choice(["_sa", "KSA", "2024", "_official", "gov"])
    return handle


def test_the_index_finds_exactly_what_the_rules_say() -> None:
    rng = random.Random(20261127)
    syllables = ["ma", "mo", "sa", "al", "ri", "ya", "da", "na", "ka", "ha", "ba", "ta", "qa"]
    officials = sorted(
        {
            "".join(rng.choice(syllables) for _ in range(rng.randint(1, 6)))
            + rng.choice(["", "", "_sa", "KSA", "gov"])
            for _ in range(1500)
        }
    )
    index = LookalikeIndex((o, o) for o in officials)
    shapes = {o: (skeleton(o), lookalike._collapse(skeleton(o))) for o in officials}
    for _ in range(300):
        query = _mutations(rng, rng.choice(officials))
        found = {r.official for r in index.find(query, limit=len(officials))}
        assert found == _brute_force(shapes, query), query


# --- properties ---------------------------------------------------------------------------

HANDLE_LIKE = st.text(
    alphabet=st.sampled_from("SaudiMOH_0l1I|!$rnvv.-@")
    | st.characters(categories=["Lu", "Ll", "Nd", "Mn", "Cf", "Zs"]),
    max_size=40,
)


@settings(max_examples=300)
@given(st.text() | HANDLE_LIKE)
def test_skeleton_never_raises_and_is_folded(handle: str) -> None:
    shape = skeleton(handle)
    assert shape == shape.lower()
    assert not any(c.isspace() or unicodedata.category(c) in {"Cf", "Mn"} for c in shape)
    assert not any(c in "._-|!$@" for c in shape)
    if handle.isascii():  # platforms ignore case, and so does a reader of skeletons
        assert skeleton(handle.upper()) == skeleton(handle.lower()) == shape


@settings(max_examples=300, deadline=None)
@given(st.lists(HANDLE_LIKE, max_size=8), st.text() | HANDLE_LIKE)
def test_find_never_raises_and_never_flags_an_official_handle(
    officials: list[str], handle: str
) -> None:
    index = LookalikeIndex((o, i) for i, o in enumerate(officials))
    for r in index.find(handle, limit=20):
        assert r.official.strip().lstrip("@").casefold() != handle.strip().lstrip("@").casefold()
    for official in officials:
        assert index.find(official) == []


def test_the_confusables_table_is_latin_lookalikes_only() -> None:
    """Generated from TR39: each source a non-ASCII letter or digit NFKC leaves alone, from
    no Arabic block, and each target one lowercase ASCII letter or digit."""
    for target, sources in lookalike._CONFUSABLE_SOURCES.items():
        assert len(target) == 1 and target.isascii() and target == target.lower()
        for source in sources:
            assert not source.isascii()
            assert unicodedata.normalize("NFKC", source) == source
            assert not unicodedata.name(source).startswith("ARABIC")
    table = lookalike._LETTER_FOLD
    for cyrillic, latin in zip("аеорсхАВЕКМНОРСТХЅІЈ", "aeopcxabekmhopctxslj", strict=True):
        assert table[ord(cyrillic)] == latin, cyrillic
    for greek, latin in zip("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖο", "abehlkmnoptxyzo", strict=True):
        assert table[ord(greek)] == latin, greek
