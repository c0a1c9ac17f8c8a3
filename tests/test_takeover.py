"""The takeover: the Ministry of Health moves from @SaudiMOH to @SaudiMOH_new, someone
registers the released @SaudiMOH, citizens report it, and an administrator accepts the
reports. The handle is then both a former account of the ministry and an impersonation,
and the answer says both; the export carries both, the files can hold both, and the next
imports keep the impersonation until the files decide it (through the real bot, with
Telegram faked by the recording request, on SQLite and on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import telegram_fakes as fakes
from bot_calls import send, services, stored
from registry_edits import edit
from web_fixtures import web_client

from db.engine import open_database
from db.importer import import_path
from knowledge.answer import Verdict
from knowledge.engine import Engine
from knowledge.index import RegistryIndex
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.diff import ChangeKind
from knowledge.registry.export import export_registry
from knowledge.registry.handles import Platform
from knowledge.registry.schema import (
    AccountRef,
    AccountStatus,
    NonOfficial,
    NonOfficialReason,
)
from knowledge.registry.validation import RegistryInvalid, load_registry
from knowledge.render import render
from knowledge.understand import Lang

OLD, NEW = "SaudiMOH", "SaudiMOH_new"
SPOKESPERSON = "MOH_Spokesman"
"""An X account given to the ministry's spokesperson for the test (the bundled data has none)."""
KEY = (Platform.X, OLD.casefold())


async def verify(bot: Any, text: str, lang: str = "en") -> fakes.Call:
    await services(bot).index_cache.current()  # the answers see the last import now
    _, _, updates = bot
    [answer] = await send(bot, updates.message(f"/verify {text}", updates.user(700, lang)))
    return answer


async def rename(bot: Any, files: Path) -> None:
    edit(files / "entities.yaml", f"handle: {OLD}\n", f"handle: {NEW}\n")
    await import_path(services(bot).sessions, files)


async def take_over(bot: Any) -> str:
    """Three citizens report the released handle from the answer's Report button; an
    administrator accepts. Returns the acceptance's text."""
    _, _, updates = bot
    answer = await verify(bot, f"x.com/{OLD}")
    [button] = [
        b for row in answer.keyboard for b in row if b.get("callback_data") == f"rp:x:{OLD}"
    ]
    for user in (701, 702, 703):
        [thanks] = await send(bot, updates.press(button["callback_data"], updates.user(user, "en")))
        assert "is recorded" in thanks.text
    admin = updates.user(fakes.ADMIN_ID, "en")
    [listing] = await send(bot, updates.message("/reports", admin))
    assert "3 reports" in listing.text
    accept, _ = listing.keyboard[0]
    [accepted] = await send(bot, updates.press(accept["callback_data"], admin))
    return str(accepted.text)


async def test_a_released_handle_reported_and_accepted_is_an_impersonation_with_its_history(
    bot: Any, bundled_copy: Path
) -> None:
    await rename(bot, bundled_copy)
    before = await verify(bot, f"x.com/{OLD}")
    assert before.text.startswith("⚠️") and "until" in before.text and NEW in before.text

    accepted = await take_over(bot)

    assert f"<code>@{OLD}</code> is now on record as an impersonation" in accepted
    registry = await stored(bot)
    [record] = [n for n in registry.non_official if n.key == KEY]
    assert (record.reason, record.imitates) == (NonOfficialReason.IMPERSONATION, "moh")
    moh = next(e for e in registry.entities if e.id == "moh")
    [former] = [a for a in moh.accounts if a.key == KEY]
    assert former.status is AccountStatus.FORMER and former.until is not None

    answer = (await verify(bot, f"x.com/{OLD}")).text
    assert answer.startswith("⛔ <code>@SaudiMOH</code> is NOT an official account.")
    assert "It imitates the Ministry of Health." in answer
    assert "was the X (Twitter) account of the Ministry of Health until" in answer
    assert "the handle was released, and someone else uses it now" in answer
    assert "Reported by 3 people, reviewed on" in answer
    assert "🚩" not in str((await verify(bot, f"x.com/{OLD}")).keyboard)  # reviewed: no button
    arabic = (await verify(bot, f"x.com/{OLD}", "ar")).text
    assert arabic.startswith("⛔") and "أُفرج عن المعرّف" in arabic


async def test_the_export_holds_both_records_and_reads_back_as_valid_files(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    await rename(bot, bundled_copy)
    await take_over(bot)
    exported = tmp_path / "exported.yaml"
    exported.write_text(export_registry(await stored(bot), "yaml"), encoding="utf-8")

    files = load_registry(exported)  # a former account and a non-official record may share

    assert any(n.key == KEY for n in files.non_official)
    assert any(a.key == KEY for e in files.entities for a in e.accounts)


async def test_files_that_list_the_handle_only_as_former_keep_the_acceptance(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    """The maintainers' files hold the former account (say from an earlier export), not
    the impersonation: that does not decide the handle, so the acceptance stands, and
    the next imports neither remove it nor fold it."""
    await rename(bot, bundled_copy)
    moh = next(e for e in (await stored(bot)).entities if e.id == "moh")
    files = load_registry(bundled_copy)
    entities = [moh if e.id == "moh" else e for e in files.entities]
    with_former = tmp_path / "with_former.yaml"
    with_former.write_text(
        export_registry(files.model_copy(update={"entities": entities}), "yaml"),
        encoding="utf-8",
    )
    assert any(a.key == KEY for e in load_registry(with_former).entities for a in e.accounts)
    await import_path(services(bot).sessions, with_former)
    await take_over(bot)

    result = await import_path(services(bot).sessions, with_former)

    assert not [c for c in result.changes if c.kind is ChangeKind.NON_OFFICIAL_REMOVED]
    assert "⛔" in (await verify(bot, f"x.com/{OLD}")).text
    again = await import_path(services(bot).sessions, with_former)
    assert again.changes == [] and "⛔" in (await verify(bot, f"x.com/{OLD}")).text


async def test_a_current_account_and_a_spokespersons_account_are_never_accepted(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    files = load_registry(bundled_copy)
    moh = next(e for e in files.entities if e.id == "moh")
    person = moh.spokespeople[0].model_copy(
        update={"accounts": [AccountRef(platform=Platform.X, handle=SPOKESPERSON)]}
    )
    moh = moh.model_copy(update={"spokespeople": [person, *moh.spokespeople[1:]]})
    entities = [moh if e.id == "moh" else e for e in files.entities]
    edited = tmp_path / "spokesperson.yaml"
    edited.write_text(
        export_registry(files.model_copy(update={"entities": entities}), "yaml"),
        encoding="utf-8",
    )
    await import_path(services(bot).sessions, edited)
    _, _, updates = bot
    admin = updates.user(fakes.ADMIN_ID, "en")

    for handle in (OLD, SPOKESPERSON):
        await send(bot, updates.message(f"/report @{handle}", updates.user(710, "en")))
        [listing] = await send(bot, updates.message("/reports", admin))
        accept, dismiss = listing.keyboard[0]
        [refused] = await send(bot, updates.press(accept["callback_data"], admin))
        assert f"<code>@{handle}</code> is a current account in the registry" in refused.text
        await send(bot, updates.press(dismiss["callback_data"], admin))

    refused_keys = {KEY, (Platform.X, SPOKESPERSON.casefold())}
    assert all(n.key not in refused_keys for n in (await stored(bot)).non_official)


RELEASED = {
    "en": "@SaudiMOH was the X (Twitter) account of the Ministry of Health until 3 December "
    "2026; the handle was released, and someone else uses it now.",
    "ar": "\u2068@SaudiMOH\u2069 كان الحساب لوزارة الصحة على إكس (تويتر) حتى 3 ديسمبر 2026، "
    "ثم أُفرج عن المعرّف ويستخدمه الآن شخص آخر.",
    "fr": "@SaudiMOH était le compte X (Twitter) du ministère de la Santé jusqu'au 3 décembre "
    "2026 ; l'identifiant a été libéré, et quelqu'un d'autre l'utilise désormais.",
}


@pytest.mark.parametrize("lang", ["en", "ar", "fr"])
@pytest.mark.parametrize(
    ("reason", "verdict"),
    [("impersonation", Verdict.KNOWN_FAKE), ("not_government", Verdict.FORMER)],
)
def test_only_an_impersonation_record_makes_a_former_handle_fake(
    tmp_path: Path, reason: str, verdict: Verdict, lang: Lang
) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        f"""entities:
- id: moh
  name: {{en: Ministry of Health, ar: وزارة الصحة, fr: Ministère de la Santé}}
  kind: ministry
  {EVIDENCE}
  accounts:
  - platform: x
    handle: SaudiMOH_new
    {EVIDENCE}
  - platform: x
    handle: SaudiMOH
    status: former
    until: '2026-12-03'
    {EVIDENCE}
non_official:
- platform: x
  handle: SaudiMOH
  imitates: moh
  reason: {reason}
  {EVIDENCE}
""",
        encoding="utf-8",
    )
    registry = load_registry(path)
    engine = Engine(RegistryIndex(registry.entities, registry.non_official))

    answer = engine.answer("x.com/SaudiMOH", lang=lang)
    [check] = answer.verifications
    text = render(answer)

    assert check.verdict is verdict
    assert check.account is not None and check.account.status is AccountStatus.FORMER
    assert "SaudiMOH_new" in text  # the account in use, either way
    if verdict is Verdict.KNOWN_FAKE:
        assert text.startswith("⛔") and RELEASED[lang] in text
    else:
        assert text.startswith("⚠️") and "⛔" not in text


EVIDENCE = (
    "evidence: {sources: [{kind: news, url: 'https://example.com/a'}], checked: '2026-12', "
    "confidence: confirmed}"
)


@pytest.mark.parametrize(
    ("status", "allowed"), [("status: former\n    until: '2026-12-03'\n    ", True), ("", False)]
)
def test_only_a_former_accounts_handle_may_also_be_non_official(
    tmp_path: Path, status: str, allowed: bool
) -> None:
    text = f"""entities:
- id: moh
  name: {{en: Ministry of Health}}
  kind: ministry
  {EVIDENCE}
  accounts:
  - platform: x
    handle: SaudiMOH
    {status}{EVIDENCE}
non_official:
- platform: x
  handle: saudimoh
  imitates: moh
  reason: impersonation
  {EVIDENCE}
"""
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    if allowed:
        assert [n.handle for n in load_registry(path).non_official] == ["saudimoh"]
        return
    with pytest.raises(RegistryInvalid) as raised:
        load_registry(path)
    [problem] = raised.value.problems
    assert (problem.line, problem.field) == (12, "non_official[0].handle")
    assert "only a former account's handle may also be non-official" in problem.message


async def test_the_web_and_the_api_give_the_takeover_with_its_history(
    database_url: str, tmp_path: Path
) -> None:
    """Files a maintainer wrote after folding a takeover in: the former account and the
    impersonation side by side. The API's evidence is the impersonation's, not the old
    account's; the page says whose the handle was and until when."""
    files = load_registry(BUNDLED_REGISTRY)
    moh = next(e for e in files.entities if e.id == "moh")
    old = next(a for a in moh.accounts if a.key == KEY)
    former = old.model_copy(update={"status": AccountStatus.FORMER, "until": "2026-12-03"})
    new = old.model_copy(update={"handle": NEW, "platform_id": None})
    moh = moh.model_copy(
        update={"accounts": [new, former, *(a for a in moh.accounts if a is not old)]}
    )
    taken = NonOfficial.model_validate(
        {
            "platform": "x",
            "handle": OLD,
            "imitates": "moh",
            "reason": "impersonation",
            "evidence": {
                "sources": [{"kind": "news", "url": "https://example.com/takeover"}],
                "checked": "2026-12-03",
                "confidence": "confirmed",
            },
        }
    )
    edited = tmp_path / "takeover.yaml"
    edited.write_text(
        export_registry(
            files.model_copy(
                update={
                    "entities": [moh if e.id == "moh" else e for e in files.entities],
                    "non_official": [*files.non_official, taken],
                }
            ),
            "yaml",
        ),
        encoding="utf-8",
    )
    async with open_database(database_url) as sessions:
        await import_path(sessions, BUNDLED_REGISTRY)
        await import_path(sessions, edited)

    with web_client(database_url) as client:
        api = client.get("/api/v1/verify", params={"url": f"https://x.com/{OLD}", "lang": "en"})
        page = client.get("/en/verify", params={"q": f"https://x.com/{OLD}"})

    [check] = api.json()["verifications"]
    assert (check["verdict"], check["entity_id"], check["until"]) == (
        "known_fake",
        "moh",
        "2026-12-03",
    )
    assert check["official_handle"] == NEW and check["reason"] == "impersonation"
    assert [s["url"] for s in check["evidence"]["sources"]] == ["https://example.com/takeover"]
    assert "is NOT an official account." in page.text
    assert "until 3 December 2026; the handle was released, and someone else uses it now" in (
        page.text
    )
