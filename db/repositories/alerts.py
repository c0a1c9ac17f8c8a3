"""Subscriptions, notices and the outbox: who follows what, what to tell them, and the
delivery state of every (notice, chat) pair.

The outbox is the source of truth for delivery: a row is `queued` until the sender takes
it, `sending` while the message is on its way, then `sent`, `failed` (gave up) or
`cancelled` (the chat blocked the bot). A restart finds every unfinished row here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, case, delete, func, insert, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import NoticeRow, OutboxRow, SubscriberRow, SubscriptionRow
from knowledge.registry.diff import Change

SUBSCRIBER: Table = SubscriberRow.__table__  # type: ignore[attr-defined]
SUBSCRIPTION: Table = SubscriptionRow.__table__  # type: ignore[attr-defined]
NOTICE: Table = NoticeRow.__table__  # type: ignore[attr-defined]
OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
ENTITY, KIND, ALL = "entity", "kind", "all"
EVERYTHING = "*"
_CHUNK = 500


@dataclass(frozen=True)
class Reader:
    """A subscriber as delivery needs it."""

    chat_id: int
    lang: str
    digest_hour: int | None


@dataclass(frozen=True)
class Due:
    """An outbox row ready to send, with its notice."""

    id: int
    notice_id: int
    chat_id: int
    lang: str
    digest: bool
    attempts: int
    notice_kind: str
    entity_id: str | None
    payload: dict[str, Any]


_DUE_COLUMNS = select(
    OUTBOX.c.id,
    OUTBOX.c.notice_id,
    OUTBOX.c.chat_id,
    OUTBOX.c.lang,
    OUTBOX.c.digest,
    OUTBOX.c.attempts,
    NOTICE.c.kind,
    NOTICE.c.entity_id,
    NOTICE.c.payload,
).join(NOTICE, NOTICE.c.id == OUTBOX.c.notice_id)
"""An outbox row with its notice, in the order of `Due`'s fields."""


@dataclass
class _Followers:
    """Active chats by what they follow: (ALL, '*'), (ENTITY, id) or (KIND, kind)."""

    by_subject: dict[tuple[str, str | None], dict[int, Reader]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def add(self, row: Any) -> None:
        subject = (ALL, EVERYTHING) if row.scope == ALL else (row.scope, row.target)
        self.by_subject[subject][row.chat_id] = Reader(row.chat_id, row.lang, row.digest_hour)

    def of(self, entity_id: str | None, kind: str | None) -> list[Reader]:
        """The followers of the entity, its kind, or everything; each chat once, in the
        order of chat ids."""
        chats: dict[int, Reader] = {}
        for subject in ((ALL, EVERYTHING), (ENTITY, entity_id), (KIND, kind)):
            chats.update(self.by_subject.get(subject, {}))
        return [chats[chat_id] for chat_id in sorted(chats)]


def _served(query: Any, served_import: int | None) -> Any:
    """`query` limited to notices that are not from an import after `served_import`."""
    if served_import is None:
        return query
    return query.where(or_(NOTICE.c.import_id.is_(None), NOTICE.c.import_id <= served_import))


def send_time(value: str) -> dt.datetime:
    """When a maintainer's message goes out: 'now', or an ISO time, in UTC unless it
    says otherwise. Raises ValueError for anything else."""
    if value.lower() == "now":
        return dt.datetime.now(dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a time like 2026-12-01T09:00 (UTC)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def next_digest_time(now: dt.datetime, hour: int) -> dt.datetime:
    """The next time the clock shows `hour`:00 UTC, strictly after now."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if today > now else today + dt.timedelta(days=1)


@dataclass(frozen=True)
class Backlog:
    """What is left in the outbox, and how fast it went in the last minute."""

    due: int
    """Rows queued (or being sent) whose time has come."""
    later: int
    """Rows scheduled for later (digests, maintainers' messages, retries)."""
    sent_last_minute: int
    window: float = 60.0
    """Seconds from the first of those sends to now (less than a minute when the
    broadcast began within it)."""

    def seconds_left(self, cap: float) -> float:
        """At the last minute's pace, or at `cap` a second when it is too short to say."""
        if self.sent_last_minute < 2 or self.window < 1.0:
            return self.due / cap
        return self.due / (self.sent_last_minute / self.window)


class AlertRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    # Subscribing

    async def subscribe(self, chat_id: int, lang: str, scope: str, target: str) -> bool:
        """True when the subscription is new. Re-subscribing reactivates a chat that had
        blocked the bot and came back."""
        now = dt.datetime.now(dt.UTC)
        subscriber = await self._one(select(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == chat_id))
        if subscriber is None:
            await self._run(
                insert(SUBSCRIBER).values(chat_id=chat_id, lang=lang, active=True, created_at=now)
            )
        else:
            await self._run(
                update(SUBSCRIBER)
                .where(SUBSCRIBER.c.chat_id == chat_id)
                .values(lang=lang, active=True, deactivated_at=None, deactivated_reason=None)
            )
        exists = await self._one(
            select(SUBSCRIPTION.c.id).where(
                SUBSCRIPTION.c.chat_id == chat_id,
                SUBSCRIPTION.c.scope == scope,
                SUBSCRIPTION.c.target == target,
            )
        )
        if exists is not None:
            return False
        await self._run(
            insert(SUBSCRIPTION).values(chat_id=chat_id, scope=scope, target=target, created_at=now)
        )
        return True

    async def unsubscribe(
        self, chat_id: int, scope: str | None = None, target: str | None = None
    ) -> int:
        """Removes one subscription, or all of a chat's when no scope is given."""
        statement = delete(SUBSCRIPTION).where(SUBSCRIPTION.c.chat_id == chat_id)
        if scope is not None:
            statement = statement.where(SUBSCRIPTION.c.scope == scope)
        if target is not None:
            statement = statement.where(SUBSCRIPTION.c.target == target)
        result = await self._run(statement)
        return int(result.rowcount or 0)

    async def unsubscribe_id(self, chat_id: int, subscription_id: int) -> bool:
        result = await self._run(
            delete(SUBSCRIPTION).where(
                SUBSCRIPTION.c.chat_id == chat_id, SUBSCRIPTION.c.id == subscription_id
            )
        )
        return bool(result.rowcount)

    async def subscriptions(self, chat_id: int) -> list[tuple[int, str, str]]:
        rows = await self._rows(
            select(SUBSCRIPTION.c.id, SUBSCRIPTION.c.scope, SUBSCRIPTION.c.target)
            .where(SUBSCRIPTION.c.chat_id == chat_id)
            .order_by(SUBSCRIPTION.c.id)
        )
        return [(row.id, row.scope, row.target) for row in rows]

    async def subscriber(self, chat_id: int) -> Reader | None:
        row = await self._one(select(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == chat_id))
        return Reader(row.chat_id, row.lang, row.digest_hour) if row is not None else None

    async def set_digest(self, chat_id: int, hour: int | None) -> bool:
        result = await self._run(
            update(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == chat_id).values(digest_hour=hour)
        )
        return bool(result.rowcount)

    async def set_language(self, chat_id: int, lang: str) -> None:
        await self._run(update(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == chat_id).values(lang=lang))

    async def deactivate(self, chat_id: int, reason: str) -> None:
        """The chat blocked the bot or is gone: no more messages, and its queue is dropped."""
        now = dt.datetime.now(dt.UTC)
        await self._run(
            update(SUBSCRIBER)
            .where(SUBSCRIBER.c.chat_id == chat_id)
            .values(active=False, deactivated_at=now, deactivated_reason=reason[:200])
        )
        await self._run(
            update(OUTBOX)
            .where(OUTBOX.c.chat_id == chat_id, OUTBOX.c.state.in_([QUEUED, SENDING]))
            .values(state=CANCELLED, last_error=reason[:500])
        )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscriptions and queue follow the new id.
        Anything the new id already has is kept once."""
        new_exists = await self._one(
            select(SUBSCRIBER.c.chat_id).where(SUBSCRIBER.c.chat_id == new_chat_id)
        )
        if new_exists is None:
            old = await self._one(select(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == old_chat_id))
            if old is None:
                return
            await self._run(
                insert(SUBSCRIBER).values(
                    chat_id=new_chat_id,
                    lang=old.lang,
                    active=old.active,
                    digest_hour=old.digest_hour,
                    created_at=old.created_at,
                )
            )
        taken = {
            (row.scope, row.target)
            for row in await self._rows(
                select(SUBSCRIPTION.c.scope, SUBSCRIPTION.c.target).where(
                    SUBSCRIPTION.c.chat_id == new_chat_id
                )
            )
        }
        for row in await self._rows(
            select(SUBSCRIPTION).where(SUBSCRIPTION.c.chat_id == old_chat_id)
        ):
            if (row.scope, row.target) in taken:
                await self._run(delete(SUBSCRIPTION).where(SUBSCRIPTION.c.id == row.id))
            else:
                await self._run(
                    update(SUBSCRIPTION)
                    .where(SUBSCRIPTION.c.id == row.id)
                    .values(chat_id=new_chat_id)
                )
        queued_for_new = select(OUTBOX.c.notice_id).where(OUTBOX.c.chat_id == new_chat_id)
        await self._run(
            delete(OUTBOX).where(
                OUTBOX.c.chat_id == old_chat_id, OUTBOX.c.notice_id.in_(queued_for_new)
            )
        )
        await self._run(
            update(OUTBOX).where(OUTBOX.c.chat_id == old_chat_id).values(chat_id=new_chat_id)
        )
        await self._run(delete(SUBSCRIBER).where(SUBSCRIBER.c.chat_id == old_chat_id))

    # From changes to notices

    async def audience(self, entity_id: str | None, kind: str | None) -> list[Reader]:
        """Active chats following the entity, its kind, or everything; each chat once."""
        entity_ids = [] if entity_id is None else [entity_id]
        followers = await self._followers(entity_ids, [] if kind is None else [kind])
        return followers.of(entity_id, kind)

    async def _followers(self, entity_ids: Sequence[str], kinds: Iterable[str]) -> _Followers:
        """The active chats following everything, any of `entity_ids` or any of `kinds`,
        read once for all of them (a chat following everything is read once, not once
        per changed entity)."""
        scope, target = SUBSCRIPTION.c.scope, SUBSCRIPTION.c.target
        conditions = [or_(scope == ALL, (scope == KIND) & target.in_(list(kinds)))] + [
            (scope == ENTITY) & target.in_(entity_ids[start : start + _CHUNK])
            for start in range(0, len(entity_ids), _CHUNK)
        ]
        followers = _Followers()
        for matches in conditions:
            for row in await self._rows(
                select(
                    SUBSCRIBER.c.chat_id,
                    SUBSCRIBER.c.lang,
                    SUBSCRIBER.c.digest_hour,
                    SUBSCRIPTION.c.scope,
                    SUBSCRIPTION.c.target,
                )
                .join(SUBSCRIPTION, SUBSCRIPTION.c.chat_id == SUBSCRIBER.c.chat_id)
                .where(SUBSCRIBER.c.active.is_(True), matches)
            ):
                followers.add(row)
        return followers

    async def notify_changes(
        self,
        import_id: int,
        changes: Sequence[Change],
        kinds: dict[str, str],
        now: dt.datetime,
    ) -> int:
        """One notice per affected entity, and one outbox row per subscriber of it. Runs in
        the import's transaction, so a change is never logged without its notices."""
        by_entity: dict[str | None, list[Change]] = defaultdict(list)
        for change in changes:
            by_entity[change.entity_id].append(change)
        if not by_entity:
            return 0
        entity_ids = [entity_id for entity_id in by_entity if entity_id is not None]
        followers = await self._followers(entity_ids, {kinds[e] for e in entity_ids if e in kinds})
        created = 0
        for entity_id, entity_changes in by_entity.items():
            payload = {"changes": [c.as_dict() for c in entity_changes]}
            notice_id = await self._notice(entity_id, import_id, "change", payload, now)
            readers = followers.of(entity_id, kinds.get(entity_id or ""))
            created += await self._queue(notice_id, readers, now)
        return created

    async def schedule_message(
        self, entity_id: str | None, kind: str | None, texts: dict[str, str], at: dt.datetime
    ) -> tuple[int, int]:
        """A maintainer's message for the followers of an entity (or everyone), sent at
        `at`. Returns the notice id and the number of chats it is queued for."""
        notice_id = await self._notice(entity_id, None, "message", {"texts": texts}, at)
        readers = await self.audience(entity_id, kind)
        return notice_id, await self._queue(notice_id, readers, at)

    async def _notice(
        self,
        entity_id: str | None,
        import_id: int | None,
        kind: str,
        payload: dict[str, Any],
        deliver_at: dt.datetime,
    ) -> int:
        result = await self._run(
            insert(NOTICE)
            .values(
                created_at=dt.datetime.now(dt.UTC),
                entity_id=entity_id,
                import_id=import_id,
                kind=kind,
                payload=payload,
                deliver_at=deliver_at,
            )
            .returning(NOTICE.c.id)
        )
        notice_id: int = result.scalar_one()
        return notice_id

    async def _queue(self, notice_id: int, readers: Iterable[Reader], at: dt.datetime) -> int:
        rows = [
            {
                "notice_id": notice_id,
                "chat_id": reader.chat_id,
                "lang": reader.lang,
                "digest": reader.digest_hour is not None,
                "state": QUEUED,
                "attempts": 0,
                "next_attempt_at": at
                if reader.digest_hour is None
                else next_digest_time(at, reader.digest_hour),
            }
            for reader in readers
        ]
        for start in range(0, len(rows), _CHUNK):
            await self._run(insert(OUTBOX), rows[start : start + _CHUNK])
        return len(rows)

    # Delivery

    async def recover(self, claimed_before: dt.datetime | None = None) -> int:
        """Rows left `sending` by a crash go back to the queue, in their place: all of
        them (a single process at start), or those claimed before `claimed_before` (their
        lease ran out: the replica that claimed them died, as a live one marks its rows
        within seconds). Their message may or may not have reached the chat; resending is
        the documented policy."""
        statement = update(OUTBOX).where(OUTBOX.c.state == SENDING)
        if claimed_before is not None:
            statement = statement.where(OUTBOX.c.sent_at < claimed_before)
        result = await self._run(
            statement.values(
                state=QUEUED, sent_at=None, last_error="interrupted while sending; resent"
            )
        )
        return int(result.rowcount or 0)

    async def claim_next(
        self,
        now: dt.datetime,
        skip_chats: Iterable[int] = (),
        served_import: int | None = None,
    ) -> list[Due]:
        """Claims the oldest due row (and, for a digest, the chat's other due digest rows):
        marks it `sending`, claimed at `now` (in `sent_at`, until it is sent: the lease
        `recover` goes by) and returns it, or [] when nothing is due. On PostgreSQL the
        row is picked FOR UPDATE SKIP LOCKED, so replicas claiming at the same moment
        each get a different row and none waits; SQLite has one writer at a time (and
        one bot process)."""
        skip = list(skip_chats)[:_CHUNK]
        pick = (
            _served(select(OUTBOX.c.id, OUTBOX.c.chat_id, OUTBOX.c.digest), served_import)
            .select_from(OUTBOX.join(NOTICE, NOTICE.c.id == OUTBOX.c.notice_id))
            .where(OUTBOX.c.state == QUEUED, OUTBOX.c.next_attempt_at <= now)
            .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=OUTBOX)
        )
        if skip:
            pick = pick.where(OUTBOX.c.chat_id.not_in(skip))
        first = await self._one(pick)
        if first is None:
            return []
        ids = await self._claim([first.id], now)
        if not ids:
            return []  # on SQLite (no row locks) another worker of this process took it
        if first.digest:
            more = (
                _served(select(OUTBOX.c.id), served_import)
                .select_from(OUTBOX.join(NOTICE, NOTICE.c.id == OUTBOX.c.notice_id))
                .where(
                    OUTBOX.c.chat_id == first.chat_id,
                    OUTBOX.c.digest.is_(True),
                    OUTBOX.c.state == QUEUED,
                    OUTBOX.c.next_attempt_at <= now,
                )
                .with_for_update(skip_locked=True, of=OUTBOX)
            )
            ids += await self._claim([row.id for row in await self._rows(more)], now)
        rows = await self._rows(_DUE_COLUMNS.where(OUTBOX.c.id.in_(ids)).order_by(OUTBOX.c.id))
        return [Due(*row) for row in rows]

    async def _claim(self, ids: list[int], now: dt.datetime) -> list[int]:
        """Marks those of `ids` still queued `sending`, claimed at `now`; returns them."""
        if not ids:
            return []
        claimed = await self._rows(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.state == QUEUED)
            .values(state=SENDING, sent_at=now)
            .returning(OUTBOX.c.id)
        )
        return [row.id for row in claimed]

    async def backlog(self, now: dt.datetime) -> Backlog:
        """How much is left and how fast it is going, over every replica."""
        is_due = OUTBOX.c.next_attempt_at <= now
        due, queued = await self._one(
            select(
                func.coalesce(func.sum(case((is_due, 1), else_=0)), 0),
                func.coalesce(func.sum(case((is_due, 0), else_=1)), 0),
            ).where(OUTBOX.c.state.in_([QUEUED, SENDING]))
        )
        minute = now - dt.timedelta(minutes=1)
        count, first = await self._one(
            select(func.count(), func.min(OUTBOX.c.sent_at)).where(
                OUTBOX.c.state == SENT, OUTBOX.c.sent_at >= minute
            )
        )
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=dt.UTC)  # SQLite keeps no time zone
        window = (now - first).total_seconds() if first is not None else 60.0
        return Backlog(int(due), int(queued), int(count or 0), window)

    async def mark(self, ids: Sequence[int], state: str, **values: Any) -> None:
        if state == QUEUED:
            values.setdefault("sent_at", None)  # no longer claimed
        await self._run(
            update(OUTBOX).where(OUTBOX.c.id.in_(list(ids))).values(state=state, **values)
        )

    async def retry(
        self, ids: Sequence[int], at: dt.datetime, error: str, count_attempt: bool
    ) -> None:
        values: dict[str, Any] = {"next_attempt_at": at, "last_error": error[:500]}
        if count_attempt:
            values["attempts"] = OUTBOX.c.attempts + 1
        await self.mark(ids, QUEUED, **values)

    async def status(self) -> dict[str, int]:
        """Outbox rows per state, and subscribers active and deactivated."""
        counts = {state: 0 for state in (QUEUED, SENDING, SENT, FAILED, CANCELLED)}
        for state, count in await self._rows(
            select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state)
        ):
            counts[state] = count
        for active, count in await self._rows(
            select(SUBSCRIBER.c.active, func.count()).group_by(SUBSCRIBER.c.active)
        ):
            counts["subscribers_active" if active else "subscribers_deactivated"] = count
        counts.setdefault("subscribers_active", 0)
        counts.setdefault("subscribers_deactivated", 0)
        return counts

    async def _run(self, statement: Any, params: Any = None) -> Any:
        connection = await self._session.connection()
        return await connection.execute(statement, params)

    async def _rows(self, query: Any) -> Sequence[Any]:
        rows: Sequence[Any] = (await self._run(query)).all()
        return rows

    async def _one(self, query: Any) -> Any:
        return (await self._run(query)).first()
