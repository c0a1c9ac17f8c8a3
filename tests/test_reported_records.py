"""An impersonation accepted from citizens' reports lives in the database until a
maintainer folds it into the files: the next import of files that do not list it keeps
it, files that list its handle decide, and the export carries it for the maintainer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import telegram_fakes as fakes
from bot_calls import send, services, stored

from db.importer import import_path
from knowledge.registry.diff import ChangeKind
from knowledge.registry.export import export_registry
from knowledge.registry.handles import Platform
from knowledge.registry.schema import NonOfficialReason
from knowledge.registry.validation import load_registry

FAKE = "SaudiM0H"
"""A look-alike of @SaudiMOH (a zero for the O) that the bundled files do not list."""
KEY = (Platform.X, FAKE.casefold())


async def verify(bot: Any, handle: str) -> str:
    await services(bot).index_cache.current()  # the answers see the last import now
    _, _, updates = bot
    [answer] = await send(bot, updates.message(f"/verify @{handle}", updates.user(600, "en")))
    return str(answer.text)


async def accept_reports(bot: Any) -> None:
    _, _, updates = bot
    for user in (601, 602, 603):
        await send(bot, updates.message(f"/report @{FAKE}", updates.user(user, "en")))
    admin = updates.user(fakes.ADMIN_ID, "en")
    [listing] = await send(bot, updates.message("/reports", admin))
    accept, _ = listing.keyboard[0]
    [accepted] = await send(bot, updates.press(accept["callback_data"], admin))
    assert "now on record as an impersonation" in accepted.text


async def test_an_accepted_report_survives_the_next_import_of_the_files(
    bot: Any, bundled_copy: Path
) -> None:
    await accept_reports(bot)
    result = await import_path(services(bot).sessions, bundled_copy)

    assert not [c for c in result.changes if c.kind is ChangeKind.NON_OFFICIAL_REMOVED]
    [record] = [n for n in (await stored(bot)).non_official if n.key == KEY]
    assert record.reason is NonOfficialReason.IMPERSONATION
    text = await verify(bot, FAKE)
    assert "⛔" in text and "Reported by 3 people, reviewed on" in text
    # The export a maintainer folds into the files carries it, with its mark.
    exported = export_registry(await stored(bot), "yaml")
    assert f"handle: {FAKE}" in exported and "note: reported by 3 people, reviewed on" in exported

    # Imported again, the same files still leave it alone (nothing to report either).
    again = await import_path(services(bot).sessions, bundled_copy)
    assert again.changes == [] and "⛔" in await verify(bot, FAKE)


async def test_files_that_list_the_reported_handle_decide(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    await accept_reports(bot)
    files = load_registry(bundled_copy)
    moh = next(e for e in files.entities if e.id == "moh")
    model = next(a for a in moh.accounts if a.platform is Platform.X)
    listed = model.model_copy(update={"handle": FAKE, "platform_id": None})
    entities = [
        e.model_copy(update={"accounts": [*e.accounts, listed]}) if e.id == "moh" else e
        for e in files.entities
    ]
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        export_registry(files.model_copy(update={"entities": entities}), "yaml"),
        encoding="utf-8",
    )

    result = await import_path(services(bot).sessions, edited)

    kinds = {(c.kind, c.subject) for c in result.changes}
    assert (ChangeKind.NON_OFFICIAL_REMOVED, f"x:{FAKE}") in kinds
    registry = await stored(bot)
    assert all(n.key != KEY for n in registry.non_official)
    [account] = [a for e in registry.entities for a in e.accounts if a.key == KEY]
    text = await verify(bot, FAKE)
    assert "⛔" not in text and "Ministry of Health" in text
    assert account.official == ("✅" in text)


async def test_once_the_files_list_it_deleting_it_from_them_removes_it(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    await accept_reports(bot)
    registry = await stored(bot)
    [record] = [n for n in registry.non_official if n.key == KEY]
    files = load_registry(bundled_copy)
    folded = tmp_path / "folded.yaml"
    folded.write_text(
        export_registry(
            files.model_copy(update={"non_official": [*files.non_official, record]}), "yaml"
        ),
        encoding="utf-8",
    )
    await import_path(services(bot).sessions, folded)
    assert "⛔" in await verify(bot, FAKE)

    # A maintainer deletes it from the files: the next import removes it, whatever its note.
    result = await import_path(services(bot).sessions, bundled_copy)

    kinds = {(c.kind, c.subject) for c in result.changes}
    assert (ChangeKind.NON_OFFICIAL_REMOVED, f"x:{FAKE}") in kinds
    assert all(n.key != KEY for n in (await stored(bot)).non_official)
    assert "⛔" not in await verify(bot, FAKE)
