"""Citizens' reports of handles that impersonate government bodies, and their review.

A reporter is kept only as a salted hash of their Telegram id (`reporter_hash`): enough to
refuse a second report of the same handle and to count a day's reports, never enough to
tell who reported. An accepted report becomes a non-official record of reason
impersonation in the registry tables, written like an import (an import row, a change-log
row, the alert and the announcement to running bots), so the export, the alerts and the
answers all see it. The acceptance stands (status accepted) until an import's files list
the handle: that import folds it (status folded, in the import's own transaction), and
from then on the files decide. Imports keep only the records of standing acceptances
(`standing`, `knowledge.registry.former`); the source's note is provenance for people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CitizenReportRow
from db.registry_events import announce_import
from db.repositories.alerts import AlertRepository
from db.repositories.registry import (
    ACCOUNT,
    NON_OFFICIAL,
    REPORTS_SOURCE,
    SPOKESPERSON,
    RegistryRepository,
)
from db.text import storable
from knowledge.registry.diff import diff_registries
from knowledge.registry.former import reported_source_note
from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    AccountStatus,
    Confidence,
    Evidence,
    LocalizedText,
    NonOfficial,
    NonOfficialReason,
    Registry,
    Source,
    SourceKind,
)

REPORT: Table = CitizenReportRow.__table__  # type: ignore[attr-defined]
OPEN, ACCEPTED, DISMISSED, FOLDED = "open", "accepted", "dismissed", "folded"
NOTE_CHARS = 300

HandleKey = tuple[str, str]
"""(platform, handle key) as the registry compares handles."""


def reporter_hash(user_id: int, salt: str) -> str:
    """HMAC-SHA-256 of the user id: without the salt, nobody can test a user id against it."""
    return hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


class Filed(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    """This reporter already reported this handle."""
    LIMIT = "limit"
    """This reporter reached the day's limit."""
    REVIEWED = "reviewed"
    """The handle is on record as an impersonation already."""


@dataclass(frozen=True)
class ReportedHandle:
    """The open reports of one handle, for an administrator's review."""

    platform: Platform
    handle: str
    key: str
    count: int
    notes: list[str]


@dataclass(frozen=True)
class Decision:
    reports: int
    """How many open reports the decision closed (0: nothing was open)."""
    record: NonOfficial | None = None
    """For an acceptance: the registry record written."""
    refused: str | None = None
    """Why an acceptance was not written: 'official' (the handle is a current account of
    a body or a spokesperson; a former account's handle may be accepted)."""


class ReportRepository:
    """The citizen_report table, seen through one session (one transaction)."""

    def __init__(self, session: AsyncSession):
        self._session = session

    async def file(
        self,
        platform: Platform,
        handle: str,
        note: str | None,
        lang: str,
        reporter: str,
        at: dt.datetime,
        per_day: int,
    ) -> Filed:
        key = handle_key(platform, handle)[1]
        mine = select(REPORT.c.status).where(
            REPORT.c.platform == platform.value,
            REPORT.c.handle_key == key,
            REPORT.c.reporter == reporter,
        )
        if (await self._execute(mine)).first() is not None:
            return Filed.DUPLICATE
        recorded = select(NON_OFFICIAL.c.id).where(
            NON_OFFICIAL.c.platform == platform.value,
            NON_OFFICIAL.c.handle_key == key,
            NON_OFFICIAL.c.reason == NonOfficialReason.IMPERSONATION.value,
        )
        if (await self._execute(recorded.limit(1))).first() is not None:
            return Filed.REVIEWED
        today = select(func.count()).where(
            REPORT.c.reporter == reporter, REPORT.c.at > at - dt.timedelta(days=1)
        )
        if (await self._execute(today)).scalar_one() >= per_day:
            return Filed.LIMIT
        row = {
            "at": at,
            "platform": platform.value,
            "handle": handle,
            "handle_key": key,
            "note": storable(note) if note is not None else None,
            "lang": lang,
            "reporter": reporter,
            "status": OPEN,
        }
        await self._execute(insert(REPORT).values(**row))
        return Filed.STORED

    async def pending(self, limit: int = 20) -> list[ReportedHandle]:
        """Handles with open reports, the most reported first."""
        rows = (
            await self._execute(
                select(REPORT.c.platform, REPORT.c.handle, REPORT.c.handle_key, REPORT.c.note)
                .where(REPORT.c.status == OPEN)
                .order_by(REPORT.c.id)
            )
        ).all()
        grouped: dict[HandleKey, list[Any]] = {}
        for row in rows:
            grouped.setdefault((row.platform, row.handle_key), []).append(row)
        handles = [
            ReportedHandle(
                Platform(first.platform),
                first.handle,
                first.handle_key,
                len(group),
                [r.note for r in group if r.note],
            )
            for first, group in ((group[0], group) for group in grouped.values())
        ]
        handles.sort(key=lambda h: -h.count)
        return handles[:limit]

    async def under_review(self, keys: Iterable[HandleKey], threshold: int) -> set[HandleKey]:
        """Of `keys` ((platform, handle key) pairs), those with at least `threshold` open
        reports: answers say "reported, under review" for them, and never ⛔ before a
        decision."""
        wanted = set(keys)
        if not wanted:
            return set()
        query = (
            select(REPORT.c.platform, REPORT.c.handle_key)
            .where(
                REPORT.c.status == OPEN,
                REPORT.c.handle_key.in_(sorted({k for _, k in wanted})),
            )
            .group_by(REPORT.c.platform, REPORT.c.handle_key)
            .having(func.count() >= threshold)
        )
        found = {(row.platform, row.handle_key) for row in (await self._execute(query)).all()}
        return found & wanted

    async def standing(self) -> set[tuple[Platform, str]]:
        """The handles of acceptances no import's files have listed yet: imports keep
        their records (`knowledge.registry.former.keep_dropped_records`)."""
        query = select(REPORT.c.platform, REPORT.c.handle_key).where(REPORT.c.status == ACCEPTED)
        rows = (await self._execute(query.distinct())).all()
        return {(Platform(row.platform), row.handle_key) for row in rows}

    async def fold(self, keys: Iterable[tuple[Platform, str]]) -> int:
        """Marks the acceptances of `keys` folded: an import's files list these handles,
        so from now on the files decide what the registry says of them. Called in the
        import's transaction, so a rolled-back import folds nothing. `decided_at` stays
        the date of the acceptance."""
        folded = 0
        for platform, key in sorted(set(keys)):
            result = await self._execute(
                update(REPORT)
                .where(
                    REPORT.c.platform == platform.value,
                    REPORT.c.handle_key == key,
                    REPORT.c.status == ACCEPTED,
                )
                .values(status=FOLDED)
            )
            folded += result.rowcount
        return folded

    async def spelling(self, platform: Platform, key: str) -> str | None:
        """The handle as its first reporter wrote it (`key` is case-folded)."""
        query = (
            select(REPORT.c.handle)
            .where(REPORT.c.platform == platform.value, REPORT.c.handle_key == key)
            .order_by(REPORT.c.id)
            .limit(1)
        )
        spelled: str | None = (await self._execute(query)).scalar()
        return spelled

    async def dismiss(self, platform: Platform, key: str, at: dt.datetime) -> Decision:
        return Decision(await self._close(platform, key, DISMISSED, at))

    async def accept(
        self,
        platform: Platform,
        key: str,
        at: dt.datetime,
        imitates: str | None,
        title: Callable[[int, str], LocalizedText],
    ) -> Decision:
        """Writes the handle into the registry as impersonation, with the evidence "reported
        by N people, reviewed on DATE" (`title(n, date)` gives it in every language), as
        one change of an import of its own; then closes the reports."""
        open_reports = (
            await self._execute(
                select(REPORT.c.handle).where(
                    REPORT.c.platform == platform.value,
                    REPORT.c.handle_key == key,
                    REPORT.c.status == OPEN,
                )
            )
        ).all()
        if not open_reports:
            return Decision(0)
        registry = RegistryRepository(self._session)
        await registry.lock_for_import()
        if await self._in_use(platform, key):
            return Decision(0, refused="official")
        count, date = len(open_reports), at.date().isoformat()
        source = Source(
            kind=SourceKind.MAINTAINER,
            title=title(count, date),
            date=date,
            note=reported_source_note(count, date),
        )
        old = await registry.non_official()
        record = _impersonation(old, platform, open_reports[0].handle, key, imitates, source)
        new = [n for n in old if n.key != record.key] + [record]
        before, after = Registry(non_official=old), Registry(non_official=new)
        changes = diff_registries(before, after)
        import_id = await registry.start_import(REPORTS_SOURCE, f"report:{platform}:{key}", at)
        await registry.replace(before, after)
        await registry.finish_import(import_id, await registry.counts(), changes, at)
        kind = await registry.kind_of(imitates) if imitates else None
        kinds = {imitates: kind} if imitates and kind else {}
        await AlertRepository(self._session).notify_changes(import_id, changes, kinds, at)
        await announce_import(self._session, import_id)
        return Decision(await self._close(platform, key, ACCEPTED, at), record)

    async def _in_use(self, platform: Platform, key: str) -> bool:
        """Whether the handle is a current account of a body or of a spokesperson: that
        can never be an impersonation. A former account's handle can: the body released
        it, and whoever took it since may imitate the body (the takeover)."""
        account = select(ACCOUNT.c.id).where(
            ACCOUNT.c.platform == platform.value,
            ACCOUNT.c.handle_key == key,
            ACCOUNT.c.status == AccountStatus.ACTIVE.value,
        )
        if (await self._execute(account.limit(1))).first() is not None:
            return True
        people = await self._execute(select(SPOKESPERSON.c.accounts))
        return any(
            handle_key(Platform(ref["platform"]), ref["handle"]) == (platform, key)
            for (refs,) in people
            for ref in refs
        )

    async def _close(self, platform: Platform, key: str, status: str, at: dt.datetime) -> int:
        result = await self._execute(
            update(REPORT)
            .where(
                REPORT.c.platform == platform.value,
                REPORT.c.handle_key == key,
                REPORT.c.status == OPEN,
            )
            .values(status=status, decided_at=at)
        )
        closed: int = result.rowcount
        return closed

    async def _execute(self, statement: Any) -> Any:
        connection = await self._session.connection()
        return await connection.execute(statement)


def _impersonation(
    old: list[NonOfficial],
    platform: Platform,
    handle: str,
    key: str,
    imitates: str | None,
    source: Source,
) -> NonOfficial:
    """The record of an accepted report: a new one, or the handle's existing record made
    an impersonation with the reports added to its evidence."""
    evidence = Evidence(
        sources=[source], checked=source.date or "", confidence=Confidence.UNCONFIRMED
    )
    existing = next((n for n in old if n.key == (platform, key)), None)
    if existing is None:
        return NonOfficial(
            platform=platform,
            handle=handle,
            imitates=imitates,
            reason=NonOfficialReason.IMPERSONATION,
            evidence=evidence,
        )
    sources = [*existing.evidence.sources, source]
    return existing.model_copy(
        update={
            "reason": NonOfficialReason.IMPERSONATION,
            "imitates": existing.imitates or imitates,
            "evidence": evidence.model_copy(update={"sources": sources}),
        }
    )
