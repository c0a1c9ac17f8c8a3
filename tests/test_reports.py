"""Citizens' reports through the real bot (Telegram faked by the recording request):
/report and the Report button, de-duplication and the daily limit by salted hash, the
admins' /reports with accept and dismiss, and an accepted report in the registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import telegram_fakes as fakes
from bot_calls import send, services
from sqlalchemy import select

from db.models import CitizenReportRow
from db.repositories.registry import RegistryRepository
from db.repositories.reports import ReportRepository, reporter_hash
from knowledge.registry.export import export_registry
from knowledge.registry.handles import Platform
from knowledge.registry.schema import NonOfficialReason, SourceKind

ADMIN = fakes.ADMIN_ID
FAKE = "SaudiM0H"
"""A look-alike of the Ministry of Health's @SaudiMOH (a zero for the O) that no registry lists."""


async def stored_reports(bot: Any) -> list[CitizenReportRow]:
    async with services(bot).sessions() as session:
        return list((await session.exec(select(CitizenReportRow))).scalars())  # type: ignore[call-overload]


async def test_a_report_is_stored_with_a_hash_never_the_user(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(501, language_code="en")
    [reply] = await send(bot, updates.message(f"/report @{FAKE} it asks for my national ID", user))
    assert "Your report about <code>@SaudiM0H</code> is recorded" in reply.text
    [row] = await stored_reports(bot)
    assert (row.platform, row.handle, row.handle_key, row.status) == (
        "x",
        FAKE,
        FAKE.casefold(),
        "open",
    )
    assert row.note == "it asks for my national ID" and row.lang == "en"
    assert row.reporter != "501" and "501" not in row.reporter and len(row.reporter) == 64
    assert row.reporter == reporter_hash(501, fakes.TOKEN)  # the salt: the bot token by default

    [again] = await send(bot, updates.message(f"/report x.com/{FAKE.lower()}", user))
    assert "You have already reported" in again.text
    assert len(await stored_reports(bot)) == 1


async def test_bad_input_gets_a_polite_answer_in_the_users_language_and_changes_nothing(
    bot: Any,
) -> None:
    _, _, updates = bot
    user = updates.user(502, language_code="fr")
    [usage] = await send(bot, updates.message("/report", user))
    assert "Envoyez l'identifiant après la commande" in usage.text
    [bad] = await send(bot, updates.message("/report @not-a<handle>", user))
    assert "n'est ni un identifiant ni un lien de compte" in bad.text
    assert "<handle>" not in bad.text and "&lt;handle&gt;" in bad.text
    [long] = await send(bot, updates.message(f"/report @{FAKE} " + "a" * 301, user))
    assert "Votre remarque est trop longue" in long.text and "300" in long.text
    assert await stored_reports(bot) == []


async def test_five_reports_a_day_per_person(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(503, language_code="ar")
    for n in range(5):
        [ok] = await send(bot, updates.message(f"/report @fake_handle_{n}", user))
        assert "شكرًا لك. سُجّل بلاغك" in ok.text
    [limit] = await send(bot, updates.message("/report @fake_handle_5", user))
    assert "بلغت الحد الأقصى للبلاغات في اليوم الواحد (5)" in limit.text
    assert len(await stored_reports(bot)) == 5
    # Another person is not limited by this one's reports.
    [other] = await send(bot, updates.message("/report @fake_handle_5", updates.user(504)))
    assert "سُجّل بلاغك" in other.text


async def test_the_report_button_sits_under_look_alike_answers_not_official_ones(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(505, language_code="en")
    [unknown] = await send(bot, updates.message(f"/verify @{FAKE}", user))
    buttons = [b for row in unknown.keyboard for b in row if "callback_data" in b]
    [report] = [b for b in buttons if b["callback_data"].startswith("rp:")]
    assert report["callback_data"] == f"rp:x:{FAKE}"
    assert len(report["callback_data"].encode()) <= 64
    [official] = await send(bot, updates.message("/verify @SaudiMOH", user))
    assert not any(
        b.get("callback_data", "").startswith("rp:") for row in official.keyboard for b in row
    )
    [thanks] = await send(bot, updates.press(report["callback_data"], user))
    assert "Your report about <code>@SaudiM0H</code> is recorded" in thanks.text
    [row] = await stored_reports(bot)
    assert row.note is None


async def test_several_reports_put_a_handle_under_review_and_never_mark_it_fake(
    bot: Any,
) -> None:
    _, _, updates = bot
    await send(bot, updates.message(f"/report @{FAKE}", updates.user(506)))
    async with services(bot).sessions() as session:
        assert await ReportRepository(session).under_review([("x", FAKE.casefold())], 2) == set()
    await send(bot, updates.message(f"/report @{FAKE}", updates.user(507)))
    async with services(bot).sessions() as session:
        assert await ReportRepository(session).under_review(
            [("x", FAKE.casefold()), ("instagram", FAKE.casefold())], 2
        ) == {("x", FAKE.casefold())}
    [answer] = await send(bot, updates.message(f"/verify @{FAKE}", updates.user(508, "en")))
    assert "⛔" not in answer.text
    assert "Several people reported this account as an impersonation" in answer.text
    [other] = await send(bot, updates.message("/verify @fake_handle_9", updates.user(509, "fr")))
    assert "signalé" not in other.text
    # An unknown handle may be reported too, from its answer's button.
    assert [b["callback_data"] for row in other.keyboard for b in row] == ["rp:x:fake_handle_9"]


async def test_admins_review_reports_grouped_by_handle_and_accept_them(bot: Any) -> None:
    _, _, updates = bot
    for user_id in (511, 512, 513):
        await send(bot, updates.message(f"/report @{FAKE} fake giveaway", updates.user(user_id)))
    await send(bot, updates.message("/report @other_fake1", updates.user(514)))

    [refused] = await send(bot, updates.message("/reports", updates.user(515, "en")))
    assert "Only Rasmi's administrators can do that." in refused.text

    admin = updates.user(ADMIN, language_code="en")
    first, second = await send(bot, updates.message("/reports", admin))
    assert "<code>@SaudiM0H</code> on X (Twitter): 3 reports" in first.text
    assert first.text.count("fake giveaway") == 3
    assert "<code>@other_fake1</code> on X (Twitter): 1 report" in second.text
    accept, _ = first.keyboard[0]
    assert accept["callback_data"] == f"rpa:x:{FAKE.casefold()}"

    [citizen_press] = await send(
        bot, updates.press(accept["callback_data"], updates.user(516, "en"))
    )
    assert "Only Rasmi's administrators" in citizen_press.text
    [accepted] = await send(bot, updates.press(accept["callback_data"], admin))
    assert (
        "<code>@SaudiM0H</code> is now on record as an impersonation, with 3 reports as its "
        "evidence" in accepted.text
    )
    [twice] = await send(bot, updates.press(accept["callback_data"], admin))
    assert "already reviewed" in twice.text

    async with services(bot).sessions() as session:
        registry = await RegistryRepository(session).load()
        history = await RegistryRepository(session).history(limit=5)
    [record] = [n for n in registry.non_official if n.handle == FAKE]
    assert record.reason is NonOfficialReason.IMPERSONATION and record.imitates == "moh"
    [source] = record.evidence.sources
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert (source.kind, source.date, source.note) == (
        SourceKind.MAINTAINER,
        today,
        f"reported by 3 people, reviewed on {today}",
    )
    assert source.title is not None and source.title.en is not None
    assert source.title.en.startswith("Reported by 3 people, reviewed on")
    assert source.title.ar is not None and source.title.ar.startswith("أبلغ عنه 3 أشخاص")
    assert (history[0].kind, history[0].subject) == ("non_official_added", f"x:{FAKE}")
    assert f"handle: {FAKE}" in export_registry(registry, "yaml")

    [verdict] = await send(bot, updates.message(f"/verify @{FAKE}", updates.user(517, "en")))
    assert "⛔" in verdict.text and "Reported by 3 people, reviewed on" in verdict.text
    [arabic] = await send(bot, updates.message(f"/verify @{FAKE}", updates.user(519, "ar")))
    assert "⛔" in arabic.text and "أبلغ عنه 3 أشخاص، وروجع في" in arabic.text
    [again] = await send(bot, updates.message(f"/report @{FAKE}", updates.user(518, "en")))
    assert "already been reviewed" in again.text

    _, dismiss_other = second.keyboard[0]
    [dismissed] = await send(bot, updates.press(dismiss_other["callback_data"], admin))
    assert "Dismissed 1 report about <code>@other_fake1</code>." in dismissed.text
    [empty] = await send(bot, updates.message("/reports", admin))
    assert "No reports are waiting for review." in empty.text
    assert [n.handle for n in registry.non_official].count("other_fake1") == 0


async def test_an_official_account_cannot_be_accepted_as_a_fake(bot: Any) -> None:
    _, _, updates = bot
    await send(bot, updates.message("/report @SaudiMOH", updates.user(521)))
    admin = updates.user(ADMIN, language_code="en")
    [listing] = await send(bot, updates.message("/reports", admin))
    accept, _ = listing.keyboard[0]
    [refused] = await send(bot, updates.press(accept["callback_data"], admin))
    assert "is a current account in the registry" in refused.text
    async with services(bot).sessions() as session:
        registry = await RegistryRepository(session).load()
    assert all(n.key != (Platform.X, "saudimoh") for n in registry.non_official)


async def test_a_reported_handle_is_written_as_its_platform_writes_it(bot: Any) -> None:
    """A Facebook page has no @ (an @ would read as a mention of someone else); in Arabic
    the handle is an isolated left-to-right run."""
    _, _, updates = bot
    [english] = await send(
        bot, updates.message("/report facebook.com/SaudiM0H", updates.user(531, "en"))
    )
    assert "Your report about <code>SaudiM0H</code> is recorded" in english.text
    [check] = await send(
        bot, updates.message("/verify facebook.com/SaudiM0H", updates.user(531, "en"))
    )
    labels = [b["text"] for row in check.keyboard for b in row if "callback_data" in b]
    assert "🚩 Report SaudiM0H as an impersonation" in labels
    [arabic] = await send(bot, updates.message(f"/report @{FAKE}", updates.user(532, "ar")))
    assert "\u2068<code>@SaudiM0H</code>\u2069" in arabic.text


async def test_a_note_with_a_nul_character_is_stored_without_it(bot: Any) -> None:
    """PostgreSQL's text cannot hold NUL: the note is stored without it, not dropped."""
    _, _, updates = bot
    [reply] = await send(
        bot, updates.message(f"/report @{FAKE} fake\x00 giveaway", updates.user(541, "en"))
    )
    assert "is recorded" in reply.text
    [row] = await stored_reports(bot)
    assert row.note == "fake giveaway"
