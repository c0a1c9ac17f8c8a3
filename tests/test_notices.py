"""Alerts in words: every change kind reads as a sentence in Arabic, English and French,
names the handles and people involved, escapes registry strings in HTML, isolates
handles in Arabic, and never exceeds Telegram's message size.

The changes come from real diffs of small registries, so the notices are tested on what
the change log actually records (defaults left out, whole records kept), not on guesses.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from knowledge.notices import (
    MAX_CHARS,
    message_length,
    render_change_notice,
    render_digest,
    render_digests,
    render_message_notice,
)
from knowledge.registry.diff import ChangeKind, diff_registries
from knowledge.registry.schema import Entity, Registry
from knowledge.render import FSI, PDI
from knowledge.understand import LANGUAGES, Lang

EVIDENCE = {
    "sources": [{"kind": "official_website", "url": "https://www.moh.gov.sa/?a=1&b=<2>"}],
    "checked": "2026-11-20",
    "confidence": "unconfirmed",
}
NEWER = {
    "sources": [
        {
            "kind": "government_announcement",
            "url": "https://www.moh.gov.sa/news",
            "title": {"en": "Ministry <press> release"},
        }
    ],
    "checked": "2026-11-25",
    "confidence": "confirmed",
}
NAME = {
    "ar": "وزارة <b>الصحة</b>",
    "en": "Ministry of <b>Health</b>",
    "fr": "Ministère <b>Santé</b>",
}
OLD_NAME = {"ar": "وزارة الصحة العامة", "en": "Public Health Ministry", "fr": "Ministère Hygiène"}
MOE_NAME = {"ar": "وزارة التعليم", "en": "Ministry of Education", "fr": "Ministère Éducation"}
TITLE = {"ar": "المتحدث <b>الرسمي</b>", "en": "Official <b>spokesman</b>", "fr": "Porte-parole"}
FAKE = {"platform": "x", "handle": "SaudiM0H", "reason": "impersonation", "evidence": EVIDENCE}


def acc(handle: str, **fields: Any) -> dict[str, Any]:
    return {"platform": "x", "handle": handle, "evidence": EVIDENCE, **fields}


def person(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": {"en": name}, "title": TITLE, "evidence": EVIDENCE, **fields}


def moh(**fields: Any) -> dict[str, Any]:
    return {"id": "moh", "name": NAME, "kind": "ministry", "evidence": EVIDENCE, **fields}


def moe() -> dict[str, Any]:
    return {"id": "moe", "name": MOE_NAME, "kind": "ministry", "evidence": EVIDENCE}


def registry(*entities: dict[str, Any], non_official: Any = ()) -> Registry:
    return Registry.model_validate({"entities": list(entities), "non_official": list(non_official)})


@dataclass(frozen=True)
class Case:
    """Two registries whose diff holds `kind` for moh, and what its notice must say."""

    kind: ChangeKind
    old: Registry
    new: Registry
    says: str
    """A piece of the English sentence for this kind: the right branch was taken."""
    handles: list[str] = field(default_factory=list)
    names: list[dict[str, str] | str] = field(default_factory=list)

    def changes(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in diff_registries(self.old, self.new) if c.entity_id == "moh"]

    def entity(self) -> Entity | None:
        return next((e for e in self.new.entities if e.id == "moh"), None)


CASES = [
    Case(
        ChangeKind.HANDLE_CHANGED,
        registry(moh(accounts=[acc("SaudiMOH")])),
        registry(moh(accounts=[acc("SaudiMOH", status="former"), acc("SaudiMOH2")])),
        "as the X (Twitter) account of",
        handles=["SaudiMOH", "SaudiMOH2"],
    ),
    Case(
        ChangeKind.ACCOUNT_ADDED,
        registry(moh(accounts=[acc("SaudiMOH")])),
        registry(moh(accounts=[acc("SaudiMOH"), acc("MOH_News", role="news")])),
        "New X (Twitter) account listed, not confirmed as official:",
        handles=["MOH_News"],
    ),
    Case(
        ChangeKind.ACCOUNT_RETIRED,
        registry(moh(accounts=[acc("SaudiMOH")])),
        registry(moh(accounts=[acc("SaudiMOH", status="former", until="2025-03")])),
        "has not been in use since March 2025",
        handles=["SaudiMOH"],
    ),
    Case(
        ChangeKind.ACCOUNT_REMOVED,
        registry(moh(accounts=[acc("SaudiMOH"), acc("MOH_care", role="customer_care")])),
        registry(moh(accounts=[acc("SaudiMOH")])),
        "was removed from the registry",
        handles=["MOH_care"],
    ),
    Case(
        ChangeKind.ACCOUNT_REACTIVATED,
        registry(moh(accounts=[acc("SaudiMOH", status="former")])),
        registry(moh(accounts=[acc("SaudiMOH")])),
        "is in use again; it is not confirmed as official",
        handles=["SaudiMOH"],
    ),
    Case(
        ChangeKind.ACCOUNT_UPDATED,
        registry(moh(accounts=[acc("SaudiMOH")])),
        registry(moh(accounts=[acc("SaudiMOH", role="news", evidence=NEWER)])),
        "was updated: role, sources.",
        handles=["SaudiMOH"],
    ),
    Case(
        ChangeKind.SPOKESPERSON_ADDED,
        registry(moh()),
        registry(moh(spokespeople=[person("Dr. <i>Ali</i>", since="2025-08")])),
        "New spokesperson: Dr. &lt;i&gt;Ali&lt;/i&gt;, Official &lt;b&gt;spokesman&lt;/b&gt;.",
        names=["Dr. <i>Ali</i>", TITLE],
    ),
    Case(
        ChangeKind.SPOKESPERSON_REMOVED,
        registry(moh(spokespeople=[person("Dr. <i>Ali</i>")])),
        registry(moh()),
        "was removed from the registry's spokespeople",
        names=["Dr. <i>Ali</i>"],
    ),
    Case(
        ChangeKind.SPOKESPERSON_CHANGED,
        registry(moh(spokespeople=[person("Ibtisam Al-Shehri", as_of="2019")])),
        registry(moh(spokespeople=[person("Mona Al-Ajmi", since="2025-08")])),
        "(previously Ibtisam Al-Shehri)",
        names=["Mona Al-Ajmi", "Ibtisam Al-Shehri", TITLE],
    ),
    Case(
        ChangeKind.SPOKESPERSON_UPDATED,
        registry(moh(spokespeople=[person("Mona Al-Ajmi")])),
        registry(moh(spokespeople=[person("Mona Al-Ajmi", until="2026-01")])),
        "has not been the spokesperson since January 2026",
        names=["Mona Al-Ajmi"],
    ),
    Case(
        ChangeKind.ENTITY_RENAMED,
        registry(moh(name=OLD_NAME)),
        registry(moh()),
        "is now called",
        names=[OLD_NAME],
    ),
    Case(
        ChangeKind.ENTITY_STATUS_CHANGED,
        registry(moh(), moe()),
        registry(moh(status="merged", successors=["moe"], status_date="2026-10-01"), moe()),
        "became <b>Ministry of Education</b> on 1 October 2026",
        names=[MOE_NAME],
    ),
    Case(
        ChangeKind.ENTITY_ADDED,
        registry(),
        registry(moh(accounts=[acc("SaudiMOH")])),
        "was added to the registry",
    ),
    Case(
        ChangeKind.ENTITY_REMOVED,
        registry(moh(accounts=[acc("SaudiMOH")])),
        registry(),
        "was removed from the registry",
    ),
    Case(
        ChangeKind.ENTITY_UPDATED,
        registry(moh()),
        registry(moh(website="https://www.moh.gov.sa", aliases=["MOH"])),
        "was updated: other names, website.",
    ),
    Case(
        ChangeKind.NON_OFFICIAL_ADDED,
        registry(moh()),
        registry(moh(), non_official=[{**FAKE, "imitates": "moh"}]),
        "is NOT an official account of",
        handles=["SaudiM0H"],
    ),
    Case(
        ChangeKind.NON_OFFICIAL_REMOVED,
        registry(moh(), non_official=[{**FAKE, "imitates": "moh"}]),
        registry(moh()),
        "that does not make it official",
        handles=["SaudiM0H"],
    ),
    Case(
        ChangeKind.NON_OFFICIAL_UPDATED,
        registry(moh(), non_official=[{**FAKE, "imitates": "moh"}]),
        registry(moh(), non_official=[{**FAKE, "imitates": "moh", "reason": "not_government"}]),
        "was updated: reason.",
        handles=["SaudiM0H"],
    ),
]
ENTITIES = {e.id: e for e in CASES[0].new.entities} | {
    e.id: e for case in CASES for e in case.new.entities
}


def tags(text: str) -> set[str]:
    return set(re.findall(r"</?([a-zA-Z]+)", text))


def expected(value: dict[str, str] | str, lang: Lang, html_mode: bool) -> str:
    text = value if isinstance(value, str) else value[lang]
    return html.escape(text, quote=False) if html_mode else text


def test_every_change_kind_has_a_case() -> None:
    assert {case.kind for case in CASES} == set(ChangeKind)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind.value)
def test_each_case_is_a_real_diff_of_its_kind(case: Case) -> None:
    assert case.kind in {c["kind"] for c in case.changes()}


@pytest.mark.parametrize("html_mode", [True, False], ids=["html", "plain"])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind.value)
def test_every_change_kind_reads_in_every_language(case: Case, lang: Lang, html_mode: bool) -> None:
    text = render_change_notice(case.changes(), case.entity(), lang, html_mode, entities=ENTITIES)
    assert text.strip()
    assert "{" not in text and "}" not in text
    assert '"sources"' not in text and "confidence" not in text  # no raw JSON
    assert "/unsubscribe" in text
    assert message_length(text) < MAX_CHARS
    for name in [NAME, *case.names]:
        assert expected(name, lang, html_mode) in text, name
    for handle in case.handles:
        assert f"@{handle}" in text
        if lang == "ar":  # isolated: inert inside <code>, or the label of a link
            assert f"{FSI}@{handle}{PDI}" in text or f"{FSI}<code>@{handle}</code>{PDI}" in text
    if lang != "ar":
        assert FSI not in text
    if html_mode:
        assert tags(text) <= {"b", "i", "a", "code"}
        assert NAME[lang] not in text and "&lt;b&gt;" in text
        assert "<script>" not in text and "<2>" not in text and "<press>" not in text
    if lang == "en" and html_mode:
        assert case.says in text


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind.value)
def test_arabic_and_french_are_translated(case: Case, lang: Lang) -> None:
    english = render_change_notice(case.changes(), case.entity(), "en", False)
    text = render_change_notice(case.changes(), case.entity(), lang, False)
    assert text != english
    if lang == "ar":
        assert re.search(r"[\u0600-\u06ff]", text.splitlines()[0])


def test_a_removed_entity_is_named_from_its_last_record() -> None:
    case = next(c for c in CASES if c.kind is ChangeKind.ENTITY_REMOVED)
    assert case.entity() is None
    text = render_change_notice(case.changes(), None, "en", False)
    assert text.splitlines()[0] == "🔔 Update to the official accounts of Ministry of <b>Health</b>"


def test_successors_are_named_by_id_without_the_registry() -> None:
    case = next(c for c in CASES if c.kind is ChangeKind.ENTITY_STATUS_CHANGED)
    text = render_change_notice(case.changes(), case.entity(), "en", True)
    assert "became <b>moe</b> on 1 October 2026" in text


def test_evidence_of_a_new_account_is_shown_and_unconfirmed_is_said() -> None:
    case = next(c for c in CASES if c.kind is ChangeKind.HANDLE_CHANGED)
    for lang, word in [("en", "unconfirmed"), ("fr", "non confirmé"), ("ar", "غير مؤكد")]:
        text = render_change_notice(case.changes(), case.entity(), lang, True)  # type: ignore[arg-type]
        assert word in text
        assert "https://www.moh.gov.sa/?a=1&amp;b=&lt;2&gt;" in text


def test_the_new_official_handle_is_a_link_the_old_one_is_not() -> None:
    old = registry(moh(accounts=[acc("SaudiMOH")]))
    new = registry(
        moh(accounts=[acc("SaudiMOH", status="former"), acc("SaudiMOH2", evidence=NEWER)])
    )
    changes = [c.as_dict() for c in diff_registries(old, new)]
    text = render_change_notice(changes, new.entities[0], "en", True)
    assert '<a href="https://x.com/SaudiMOH2">@SaudiMOH2</a>' in text
    assert "<code>@SaudiMOH</code>" in text and 'x.com/SaudiMOH"' not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_only_an_account_that_meets_the_confirmation_rule_is_called_official(lang: Lang) -> None:
    """An alert says "official" of an added, reactivated or new handle only when the
    account is official (Account.official); otherwise it says it is not confirmed."""
    kinds = (ChangeKind.HANDLE_CHANGED, ChangeKind.ACCOUNT_ADDED, ChangeKind.ACCOUNT_REACTIVATED)
    official = {"en": "official", "fr": "officiel", "ar": "رسمي"}[lang]
    not_confirmed = {"en": "not confirmed", "fr": "non confirmé", "ar": "لم يتأكد"}[lang]
    for case in (c for c in CASES if c.kind in kinds):
        unconfirmed = render_change_notice(case.changes(), case.entity(), lang, True)
        bullet = next(line for line in unconfirmed.splitlines() if line.startswith("• "))
        assert not_confirmed in bullet or "n'est pas confirmé" in bullet, (case.kind, bullet)
        confirmed = Case(
            case.kind,
            Registry.model_validate_json(
                case.old.model_dump_json().replace('"unconfirmed"', '"confirmed"')
            ),
            Registry.model_validate_json(
                case.new.model_dump_json().replace('"unconfirmed"', '"confirmed"')
            ),
            case.says,
        )
        text = render_change_notice(confirmed.changes(), confirmed.entity(), lang, True)
        bullet = next(line for line in text.splitlines() if line.startswith("• "))
        assert official in bullet and not_confirmed not in bullet, (case.kind, bullet)
        assert '<a href="https://x.com/' in bullet


def test_an_unconfirmed_new_handle_is_inert_and_only_an_impersonation_is_red() -> None:
    case = next(c for c in CASES if c.kind is ChangeKind.HANDLE_CHANGED)
    text = render_change_notice(case.changes(), case.entity(), "en", True)
    assert "<code>@SaudiMOH2</code>" in text and "x.com/SaudiMOH2" not in text
    for reason, mark in [("impersonation", "⛔"), ("unverified", "⚠️"), ("not_government", "⚠️")]:
        listed = registry(moh(), non_official=[{**FAKE, "imitates": "moh", "reason": reason}])
        changes = [c.as_dict() for c in diff_registries(registry(moh()), listed)]
        text = render_change_notice(changes, listed.entities[0], "en", True)
        assert mark in text and (mark == "⛔") == ("⛔" in text), reason
        assert ("NOT an official account" in text) == (reason == "impersonation")


def test_the_most_important_changes_come_first() -> None:
    old = registry(moh(accounts=[acc("SaudiMOH")]))
    new = registry(moh(website="https://www.moh.gov.sa", accounts=[acc("SaudiMOH2")]))
    kinds = [c["kind"] for c in [c.as_dict() for c in diff_registries(old, new)]]
    assert kinds == [ChangeKind.ENTITY_UPDATED, ChangeKind.HANDLE_CHANGED]
    changes = [c.as_dict() for c in diff_registries(old, new)]
    lines = [line for line in render_change_notice(changes, None, "en", False).splitlines()]
    bullets = [line for line in lines if line.startswith("• ")]
    assert "in place of" in bullets[0]
    assert "was updated: website." in bullets[1]


@pytest.mark.parametrize("html_mode", [True, False], ids=["html", "plain"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_many_changes_stay_under_the_limit_and_are_counted(lang: Lang, html_mode: bool) -> None:
    accounts = [acc(f"MOH_region_{i:03}", role="regional") for i in range(150)]
    old = registry(moh())
    new = registry(moh(website="https://www.moh.gov.sa", accounts=accounts))
    changes = [c.as_dict() for c in diff_registries(old, new)]
    assert len(changes) == 151 and changes[0]["kind"] == ChangeKind.ENTITY_UPDATED
    text = render_change_notice(changes, new.entities[0], lang, html_mode)
    assert message_length(text) < MAX_CHARS
    shown = sum(1 for line in text.splitlines() if line.startswith("• "))
    hidden = len(changes) - shown
    assert 5 < shown < 150
    assert "…" in text and str(hidden) in text.splitlines()[-3]
    # The new accounts come first; the correction of the website is what is left out.
    assert "@MOH_region_000" in text and "https://www.moh.gov.sa<" not in text
    if lang == "en":
        assert f"… and {hidden} more changes" in text
        assert "was updated" not in text
    assert text.rstrip().endswith("/unsubscribe" if lang != "ar" else "\u200e")


def test_long_registry_names_are_clipped() -> None:
    name = {"en": "&" * 2000}
    old = registry(moh(name=name, accounts=[acc("SaudiMOH")]))
    new = registry(moh(name=name, accounts=[acc("SaudiMOH2")]))
    changes = [c.as_dict() for c in diff_registries(old, new)]
    text = render_change_notice(changes, new.entities[0], "en", True)
    assert message_length(text) < MAX_CHARS
    assert "@SaudiMOH2" in text


def test_unknown_kinds_and_broken_records_still_read() -> None:
    changes: list[dict[str, Any]] = [
        {"kind": "account_moved", "entity_id": "moh", "field": "x", "old": 1, "new": [2]},
        {"kind": "handle_changed", "entity_id": "moh", "old": "?", "new": {"platform": "myspace"}},
        {"kind": "spokesperson_added", "entity_id": "moh", "subject": "A", "new": {"name": 3}},
        {"kind": "entity_status_changed", "entity_id": "moh", "old": None, "new": None},
    ]
    for lang in LANGUAGES:
        text = render_change_notice(changes, None, lang, True)
        assert text.count("• ") == 4
        assert "{" not in text and "moh" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_maintainers_message_is_escaped_and_names_its_entity(lang: Lang) -> None:
    entity = registry(moh()).entities[0]
    text = render_message_notice("Read <script>this</script> & that", entity, lang, True)
    assert "&lt;script&gt;this&lt;/script&gt; &amp; that" in text
    assert html.escape(NAME[lang], quote=False) in text.splitlines()[0]
    assert tags(text) == {"b"}
    general = render_message_notice("Hello", None, lang, False)
    assert "Hello" in general and "{" not in general and "/unsubscribe" in general


def test_a_long_message_is_cut_under_the_limit() -> None:
    text = render_message_notice("&" * 10_000, None, "en", True)
    assert message_length(text) < MAX_CHARS
    assert "&amp;…" in text and text.endswith("/unsubscribe")


def notices(count: int, lang: Lang = "en") -> list[str]:
    case = next(c for c in CASES if c.kind is ChangeKind.HANDLE_CHANGED)
    parts = []
    for i in range(count):
        name = {"ar": f"جهة {i}", "en": f"Body {i}", "fr": f"Organisme {i}"}
        entity = Entity.model_validate({**moh(name=name), "id": f"body-{i}"})
        parts.append(render_change_notice(case.changes(), entity, lang, True))
    return parts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_has_one_header_and_one_footer(lang: Lang) -> None:
    digest = render_digest(notices(2, lang), lang, True)
    assert digest.count("/unsubscribe") == 1
    assert digest.count("🔔") == 2 and digest.startswith("🗞 <b>")
    assert "{" not in digest
    if lang == "en":
        assert digest.startswith("🗞 <b>Your daily digest: 2 updates</b>\n\n🔔")


def test_a_long_digest_counts_what_it_cannot_show_and_digests_show_everything() -> None:
    parts = notices(20)
    digest = render_digest(parts, "en", True)
    assert message_length(digest) < MAX_CHARS
    shown = digest.count("🔔")
    assert 0 < shown < 20
    assert f"… and {20 - shown} more updates" in digest
    messages = render_digests(parts, "en", True)
    assert len(messages) > 1
    assert all(message_length(m) < MAX_CHARS for m in messages)
    assert sum(m.count("🔔") for m in messages) == 20
    assert all(f"Body {i}<" in "".join(messages) for i in range(20))
    assert not any("more updates" in m for m in messages)
