"""The database tables. Alembic migrations in `db/migrations` create them; never
`create_all`, so a deployed database and a fresh one always have the same schema.

The registry tables mirror `knowledge.registry.schema` column for column; records that are
lists or small documents (aliases, evidence, names of people) are JSON, because they are
always read and written whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class EntityRow(SQLModel, table=True):
    __tablename__ = "entity"

    id: str = Field(primary_key=True, max_length=100)
    position: int = Field(index=True)
    """Order in the imported files, so an export reads like the file it came from; the
    index reads the registry in pages of positions."""
    name_ar: str | None = None
    name_en: str | None = None
    name_fr: str | None = None
    aliases: list[str] = _json()
    kind: str = Field(max_length=40, index=True)
    parent_id: str | None = Field(default=None, max_length=100)
    website: str | None = None
    status: str = Field(max_length=20)
    successors: list[str] = _json()
    status_date: str | None = Field(default=None, max_length=10)
    evidence: dict[str, Any] = _json()
    note: str | None = None


class AccountRow(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("platform", "handle_key", name="uq_account_handle"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(
        sa_column=Column(
            String(100), ForeignKey("entity.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int
    platform: str = Field(max_length=20)
    handle: str = Field(max_length=120)
    handle_key: str = Field(max_length=120)
    """The handle as platforms compare it (case-folded): one owner per key."""
    platform_id: str | None = Field(default=None, max_length=25, index=True)
    role: str = Field(max_length=30)
    status: str = Field(max_length=20)
    since: str | None = Field(default=None, max_length=10)
    until: str | None = Field(default=None, max_length=10)
    evidence: dict[str, Any] = _json()
    note: str | None = None


class SpokespersonRow(SQLModel, table=True):
    __tablename__ = "spokesperson"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(
        sa_column=Column(
            String(100), ForeignKey("entity.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int
    role: str = Field(default="spokesperson", max_length=40)
    name: dict[str, Any] = _json()
    title: dict[str, Any] | None = _json(nullable=True)
    since: str | None = Field(default=None, max_length=10)
    until: str | None = Field(default=None, max_length=10)
    as_of: str | None = Field(default=None, max_length=10)
    accounts: list[dict[str, Any]] = _json()
    contact: dict[str, Any] | None = _json(nullable=True)
    evidence: dict[str, Any] = _json()


class NonOfficialRow(SQLModel, table=True):
    __tablename__ = "non_official"
    __table_args__ = (UniqueConstraint("platform", "handle_key", name="uq_non_official_handle"),)

    id: int | None = Field(default=None, primary_key=True)
    position: int
    platform: str = Field(max_length=20)
    handle: str = Field(max_length=120)
    handle_key: str = Field(max_length=120)
    platform_id: str | None = Field(default=None, max_length=25)
    imitates: str | None = Field(default=None, max_length=100)
    reason: str = Field(max_length=20)
    note: str | None = None
    evidence: dict[str, Any] = _json()


class RegistryImportRow(SQLModel, table=True):
    """One successful import: what was read, when, and what it changed."""

    __tablename__ = "registry_import"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    source: str
    digest: str = Field(max_length=64)
    """SHA-256 of the files read, to tell which version of the registry is loaded."""
    entities: int
    accounts: int
    spokespeople: int
    changes: int


class ChangeRow(SQLModel, table=True):
    """The change log: one row per change an import made. Alerts are built on it."""

    __tablename__ = "registry_change"
    __table_args__ = (Index("ix_registry_change_entity_id_id", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(
        sa_column=Column(Integer, ForeignKey("registry_import.id"), nullable=False, index=True)
    )
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    entity_id: str | None = Field(default=None, max_length=100)
    kind: str = Field(max_length=40)
    subject: str | None = None
    field: str | None = Field(default=None, max_length=40)
    old: Any = _json(nullable=True)
    new: Any = _json(nullable=True)


class UserPreferenceRow(SQLModel, table=True):
    """A Telegram user's chosen language: the only thing kept about a user, and no text."""

    __tablename__ = "user_preference"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    lang: str = Field(max_length=5)
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class QuestionLogRow(SQLModel, table=True):
    """What people ask and whether it was answered, for maintainers; never who asked."""

    __tablename__ = "question_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    text: str = Field(max_length=1000)
    lang: str = Field(max_length=5)
    intent: str = Field(max_length=30, index=True)
    answered: bool
    source: str = Field(max_length=20)
    """Where the question came from: private, group, inline, forward, cli."""


class SubscriberRow(SQLModel, table=True):
    """A chat that receives alerts: its language, and whether it still can."""

    __tablename__ = "subscriber"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    lang: str = Field(max_length=5)
    active: bool = True
    digest_hour: int | None = None
    """UTC hour of a daily digest; None for immediate alerts."""
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    deactivated_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    deactivated_reason: str | None = Field(default=None, max_length=200)


class SubscriptionRow(SQLModel, table=True):
    """What a chat follows: one entity, every entity of a kind, or everything."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("chat_id", "scope", "target", name="uq_subscription"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("subscriber.chat_id", ondelete="CASCADE", onupdate="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    scope: str = Field(max_length=10)
    """'entity', 'kind' or 'all'."""
    target: str = Field(max_length=100, index=True)
    """The entity id, the kind, or '*'."""
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class NoticeRow(SQLModel, table=True):
    """One thing to tell subscribers: the changes of one import to one entity, or a
    maintainer's scheduled message. Its words are made per language when it is sent."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    entity_id: str | None = Field(default=None, max_length=100, index=True)
    import_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("registry_import.id"), nullable=True)
    )
    kind: str = Field(max_length=20)
    """'change' (from the change log) or 'message' (written by a maintainer)."""
    payload: dict[str, Any] = _json()
    """For 'change': {"changes": [change rows as dicts]}; for 'message': {"texts": {lang:
    text}}."""
    deliver_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class OutboxRow(SQLModel, table=True):
    """One notice for one chat: the delivery state lives here, not in memory, so a
    restart resumes where it stopped."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("notice_id", "chat_id", name="uq_outbox_notice_chat"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(
        sa_column=Column(Integer, ForeignKey("notice.id", ondelete="CASCADE"), nullable=False)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    lang: str = Field(max_length=5)
    digest: bool = False
    """Held for the chat's daily digest rather than sent on its own."""
    state: str = Field(max_length=12)
    """queued, sending, sent, failed, cancelled."""
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(default=None, max_length=500)


class PolicyRow(SQLModel, table=True):
    """A policy or standard of the registry (`knowledge.registry.schema.Policy`): its
    texts and sources are small documents, read and written whole."""

    __tablename__ = "policy"

    id: str = Field(primary_key=True, max_length=100)
    position: int
    title: dict[str, Any] = _json()
    body: dict[str, Any] = _json()
    sources: list[dict[str, Any]] = _json()
    updated: str = Field(max_length=10)


class CitizenReportRow(SQLModel, table=True):
    """A citizen's report that a handle impersonates a government body. The reporter is
    kept only as a salted hash: enough to refuse a second report of one handle and to
    count a day's reports, never enough to tell who it was."""

    __tablename__ = "citizen_report"
    __table_args__ = (
        UniqueConstraint("platform", "handle_key", "reporter", name="uq_citizen_report"),
        Index("ix_citizen_report_reporter_at", "reporter", "at"),
        Index("ix_citizen_report_status_handle", "status", "platform", "handle_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    platform: str = Field(max_length=20)
    handle: str = Field(max_length=120)
    handle_key: str = Field(max_length=120)
    note: str | None = Field(default=None, max_length=300)
    lang: str = Field(max_length=5)
    reporter: str = Field(max_length=64)
    """HMAC-SHA-256 of the Telegram user id with the deployment's salt, in hex."""
    status: str = Field(max_length=10)
    """open, accepted, dismissed, or folded (accepted, and an import's files have listed
    the handle since: the files decide)."""
    decided_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
