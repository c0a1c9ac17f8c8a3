"""Alerts to subscribers, in words: what one import changed for one entity, a maintainer's
message, and the daily digest that gathers several of them.

The change log (`knowledge.registry.diff`) keeps whole records as JSON; a subscriber must
never see that JSON, so every change kind gets a sentence from the catalog. The pieces of
an answer are reused (`knowledge.render.Renderer`: HTML escaping, Unicode isolates around
handles in Arabic, platform and role names, evidence lines, dates), so an alert says a
thing the way an answer does. Notices are rendered when they are sent, possibly long after
the import, from stored payloads: a record that no longer validates, or a change kind this
version does not know, still gives a readable line instead of an exception that would
block the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from knowledge.i18n import N_
from knowledge.registry.diff import ChangeKind
from knowledge.registry.handles import Platform, display_handle
from knowledge.registry.schema import (
    Account,
    AccountRole,
    Entity,
    EntityStatus,
    Evidence,
    LocalizedText,
    NonOfficialReason,
)
from knowledge.render import Renderer
from knowledge.understand import Lang

MAX_CHARS = 4000
"""Telegram refuses messages over 4096 UTF-16 units; the margin covers what a caller adds."""
NAME_CHARS = 200
"""Registry texts may hold 2000 characters: one long name must not crowd out the changes."""

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=StrEnum)

_FIELDS: dict[str, str] = {
    "platform": N_("platform"),
    "handle": N_("spelling of the handle"),
    "platform_id": N_("platform ID"),
    "role": N_("role"),
    "status": N_("status"),
    "since": N_("start date"),
    "until": N_("end date"),
    "as_of": N_("date of the information"),
    "evidence": N_("sources"),
    "note": N_("note"),
    "aliases": N_("other names"),
    "kind": N_("type of body"),
    "parent": N_("parent body"),
    "website": N_("website"),
    "name": N_("name"),
    "title": N_("title"),
    "accounts": N_("accounts"),
    "contact": N_("contact details"),
    "reason": N_("reason"),
    "imitates": N_("imitated body"),
    "successors": N_("successors"),
    "status_date": N_("date of the change"),
}
"""What a record's field is called for a reader: "was updated: role, sources"."""
_OTHER_FIELD = N_("other details")

_ORDER = [
    ChangeKind.ENTITY_REMOVED,
    ChangeKind.ENTITY_ADDED,
    ChangeKind.ENTITY_STATUS_CHANGED,
    ChangeKind.ENTITY_RENAMED,
    ChangeKind.NON_OFFICIAL_ADDED,
    ChangeKind.HANDLE_CHANGED,
    ChangeKind.ACCOUNT_ADDED,
    ChangeKind.ACCOUNT_RETIRED,
    ChangeKind.ACCOUNT_REMOVED,
    ChangeKind.ACCOUNT_REACTIVATED,
    ChangeKind.SPOKESPERSON_CHANGED,
    ChangeKind.SPOKESPERSON_ADDED,
    ChangeKind.SPOKESPERSON_REMOVED,
    ChangeKind.SPOKESPERSON_UPDATED,
    ChangeKind.NON_OFFICIAL_REMOVED,
    ChangeKind.NON_OFFICIAL_UPDATED,
    ChangeKind.ACCOUNT_UPDATED,
    ChangeKind.ENTITY_UPDATED,
]
"""What a subscriber most needs first, so a long notice cut short drops the minor edits:
the entity's fate, warnings and handles, then people, then corrections of the record."""
_RANK = {kind: rank for rank, kind in enumerate(_ORDER)}

_GROUPED = (ChangeKind.ACCOUNT_UPDATED, ChangeKind.ENTITY_UPDATED)
"""Kinds the diff reports once per field: one line per record reads better."""


def render_change_notice(
    changes: Sequence[Mapping[str, Any]],
    entity: Entity | None,
    lang: Lang,
    html_mode: bool,
    *,
    entities: Mapping[str, Entity] | None = None,
) -> str:
    """One message for one entity's changes of one import.

    `changes` are `Change.as_dict()` dicts (extra keys, such as a change-log row's id, are
    ignored). `entity` is the entity as it is NOW in the registry, or None if it was
    removed: its name is then read from the changes themselves. `entities` (the registry's
    entities by id, e.g. `RegistryIndex.entities`) lets a merger name its successors;
    without it they are named by id. The message stays under MAX_CHARS: when an entity
    has too many changes, the first ones are shown and the rest are counted.
    """
    notice = _Notice(lang, html_mode, entities or {})
    label = notice.entity_label(entity, changes)
    items = notice.items(changes, label)
    if label:
        header = notice.t("Update to the official accounts of {entity}", entity=label)
    else:
        header = notice.t("Update to the registry of official accounts")
    return _assemble(
        "🔔 " + notice.s.bold(header),
        items,
        lambda n: notice.t.plural("… and {n} more change", "… and {n} more changes", n),
        notice.footer(),
    )[0]


def change_lines(
    changes: Sequence[Mapping[str, Any]],
    entity: Entity | None,
    lang: Lang,
    *,
    entities: Mapping[str, Entity] | None = None,
) -> list[str]:
    """The changes of one import to one entity as plain sentences, most important first,
    without the alert's header and footer: the history on the web directory's pages."""
    notice = _Notice(lang, False, entities or {})
    items = notice.items(changes, notice.entity_label(entity, changes))
    return [item.removeprefix("• ") for item in items]


def render_message_notice(text: str, entity: Entity | None, lang: Lang, html_mode: bool) -> str:
    """A maintainer's scheduled message: a header naming the entity (if any), the text,
    escaped like any other string that did not come from the catalog, and the footer. A
    text too long for one message is cut with an ellipsis rather than refused by Telegram."""
    notice = _Notice(lang, html_mode, {})
    if entity is not None:
        name = notice.plain(notice.name(entity))
        header = notice.t("Message from Rasmi about {entity}", entity=name)
    else:
        header = notice.t("Message from Rasmi")
    top = "📢 " + notice.s.bold(header)
    footer = notice.footer()

    def message(body: str) -> str:
        return f"{top}\n\n{notice.s.text(body)}\n\n{footer}"

    body = text.strip()
    if message_length(message(body)) < MAX_CHARS:
        return message(body)
    # Escaping lengthens text unevenly ("&" becomes five characters): search for the
    # longest beginning that fits.
    low, high = 0, len(body)
    while low < high:
        middle = (low + high + 1) // 2
        if message_length(message(body[:middle] + "…")) < MAX_CHARS:
            low = middle
        else:
            high = middle - 1
    return message(body[:low].rstrip() + "…")


def render_digest(parts: Sequence[str], lang: Lang, html_mode: bool) -> str:
    """Several notices (already rendered, in `lang`) as one daily digest message.

    Each notice carries its own "how to stop" footer; the digest says it once, at the end.
    The digest stays under MAX_CHARS: the notices that do not fit are counted, not shown
    (use `render_digests` to deliver all of them in as few messages as needed)."""
    return _digest(parts, lang, html_mode)[0]


def render_digests(parts: Sequence[str], lang: Lang, html_mode: bool) -> list[str]:
    """The day's notices as few digest messages as fit Telegram's limit, none left out.

    A notice too long to share a message with the digest's header is sent as it is (it
    was rendered under the limit on its own)."""
    messages: list[str] = []
    group: list[str] = []

    def flush() -> None:
        if len(group) == 1 and not _fits_whole(group, lang, html_mode):
            messages.append(group[0])
        elif group:
            messages.append(render_digest(group, lang, html_mode))
        group.clear()

    for part in parts:
        if group and not _fits_whole([*group, part], lang, html_mode):
            flush()
        group.append(part)
    flush()
    return messages


def message_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two). Markup is
    counted too, which only errs on the safe side."""
    return len(text.encode("utf-16-le")) // 2


def _fits_whole(parts: Sequence[str], lang: Lang, html_mode: bool) -> bool:
    """Whether one digest shows all of `parts`, none of them only counted."""
    return _digest(parts, lang, html_mode)[1] == 0


def _digest(parts: Sequence[str], lang: Lang, html_mode: bool) -> tuple[str, int]:
    notice = _Notice(lang, html_mode, {})
    footer = notice.footer()
    bodies = [part.removesuffix("\n\n" + footer).strip() for part in parts]
    header = notice.t.plural(
        "Your daily digest: {n} update", "Your daily digest: {n} updates", len(bodies)
    )
    return _assemble(
        "🗞 " + notice.s.bold(header),
        bodies,
        lambda n: notice.t.plural("… and {n} more update", "… and {n} more updates", n),
        footer,
        separator="\n\n",
    )


def _assemble(
    header: str,
    items: Sequence[str],
    more: Callable[[int], str],
    footer: str,
    separator: str = "\n",
) -> tuple[str, int]:
    """Header, as many items as fit under MAX_CHARS, a count of the others, footer; and
    how many items were counted rather than shown."""
    limit = MAX_CHARS - 1
    sep = message_length(separator)
    used = message_length(header) + sep + message_length(footer) + 2
    shown: list[str] = []
    for index, item in enumerate(items):
        left = len(items) - index - 1
        reserve = sep + message_length(more(left)) if left else 0
        cost = message_length(item) + (sep if shown else 0)
        if used + cost + reserve > limit:
            break
        shown.append(item)
        used += cost
    hidden = len(items) - len(shown)
    body = separator.join([*shown, more(hidden)] if hidden else shown)
    if not body:
        return f"{header}\n\n{footer}", hidden
    return f"{header}{separator}{body}\n\n{footer}", hidden


class _Notice(Renderer):
    """The answer renderer, taught to read change-log records (plain JSON dicts)."""

    def __init__(self, lang: Lang, html_mode: bool, entities: Mapping[str, Entity]):
        super().__init__(lang, html_mode)
        self.entities = entities
        self.subject = ""
        """The entity's name, escaped: what the sentences of a change notice are about."""

    def footer(self) -> str:
        return self.t("To stop these alerts: /unsubscribe")

    # What the notice is about

    def entity_label(self, entity: Entity | None, changes: Sequence[Mapping[str, Any]]) -> str:
        """The entity's current name, or, once it is gone, the name its records last had."""
        if entity is not None:
            return self.plain(self.name(entity))
        for change in changes:
            kind = _kind(change)
            if kind is ChangeKind.ENTITY_REMOVED:
                name = self.localized_value(_record(change.get("old")).get("name"))
            elif kind is ChangeKind.ENTITY_ADDED:
                name = self.localized_value(_record(change.get("new")).get("name"))
            elif kind is ChangeKind.ENTITY_RENAMED:
                name = self.localized_value(change.get("new"))
            else:
                continue
            if name:
                return name
        ids = [str(c["entity_id"]) for c in changes if c.get("entity_id")]
        return self.plain(ids[0]) if ids else ""

    def items(self, changes: Sequence[Mapping[str, Any]], entity: str) -> list[str]:
        """One bulleted item per change (per record for field-by-field updates), the most
        important first."""
        self.subject = entity
        groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for index, change in enumerate(sorted(changes, key=_rank)):
            kind = _kind(change)
            if kind in _GROUPED:
                key = (str(kind), str(change.get("subject") or change.get("entity_id")))
            else:
                key = ("", str(index))
            groups.setdefault(key, []).append(change)
        return ["• " + self.item(group) for group in groups.values()]

    def item(self, group: list[Mapping[str, Any]]) -> str:
        change = group[0]
        kind = _kind(change)
        old, new = _record(change.get("old")), _record(change.get("new"))
        t = self.t
        # "Official" only for an account that meets the confirmation rule (Account.official);
        # an unconfirmed one is named as listed, never as official.
        if kind is ChangeKind.HANDLE_CHANGED:
            values = {
                "old": self.handle(old),
                "platform": self.platform_name(new or old),
                "entity": self.subject,
                "new": self.official_handle(new),
            }
            if _official(new):
                text = t(
                    "{old} is no longer the official {platform} account of {entity}; "
                    "its official account is now {new}.",
                    **values,
                )
            else:
                text = t(
                    "The registry now lists {new} as the {platform} account of {entity}, "
                    "in place of {old}; it is not confirmed as official.",
                    **values,
                )
            return text + self.evidence_line(new)
        if kind is ChangeKind.ACCOUNT_ADDED:
            return self.account_added(new) + self.evidence_line(new)
        if kind is ChangeKind.ACCOUNT_RETIRED:
            values = {"handle": self.handle(old or new), "platform": self.platform_name(new)}
            if isinstance(new.get("until"), str):
                return t(
                    "The {platform} account {handle} has not been in use since {date}.",
                    date=self.when(new["until"]),
                    **values,
                )
            return t("The {platform} account {handle} is no longer in use.", **values)
        if kind is ChangeKind.ACCOUNT_REMOVED:
            return t(
                "The {platform} account {handle} was removed from the registry.",
                handle=self.handle(old),
                platform=self.platform_name(old),
            )
        if kind is ChangeKind.ACCOUNT_REACTIVATED:
            values = {"handle": self.official_handle(new), "platform": self.platform_name(new)}
            if _official(new):
                text = t("The {platform} account {handle} is official again.", **values)
            else:
                text = t(
                    "The {platform} account {handle} is in use again; it is not confirmed "
                    "as official.",
                    **values,
                )
            return text + self.evidence_line(new)
        if kind is ChangeKind.ACCOUNT_UPDATED:
            # Here old and new are one field's values; the account is named by the subject.
            platform, _, handle = str(change.get("subject") or "").partition(":")
            record = {"platform": platform, "handle": handle}
            fields = [str(c.get("field") or "") for c in group]
            return self.account_updated(record, fields)
        if kind in (
            ChangeKind.SPOKESPERSON_ADDED,
            ChangeKind.SPOKESPERSON_REMOVED,
            ChangeKind.SPOKESPERSON_CHANGED,
            ChangeKind.SPOKESPERSON_UPDATED,
        ):
            return self.spokesperson(kind, old, new, change)
        if kind is ChangeKind.ENTITY_RENAMED:
            return t(
                "{old} is now called {new}.",
                old=self.localized_value(change.get("old")) or self.subject,
                new=self.localized_value(change.get("new")) or self.subject,
            )
        if kind is ChangeKind.ENTITY_STATUS_CHANGED:
            return self.status(old, new)
        if kind is ChangeKind.ENTITY_ADDED:
            name = self.localized_value(new.get("name")) or self.subject
            return t("{entity} was added to the registry.", entity=name)
        if kind is ChangeKind.ENTITY_REMOVED:
            name = self.localized_value(old.get("name")) or self.subject
            return t("{entity} was removed from the registry.", entity=name)
        if kind is ChangeKind.ENTITY_UPDATED:
            return self.updated(self.subject, [str(c.get("field") or "") for c in group])
        if kind in (
            ChangeKind.NON_OFFICIAL_ADDED,
            ChangeKind.NON_OFFICIAL_REMOVED,
            ChangeKind.NON_OFFICIAL_UPDATED,
        ):
            return self.non_official(kind, old, new)
        return self.updated(self.subject, [str(change.get("field") or "")])

    def account_added(self, new: dict[str, Any]) -> str:
        t = self.t
        role = _role(new)
        values = {"platform": self.platform_name(new), "handle": self.official_handle(new)}
        official = _official(new)
        if role is None or role is AccountRole.MAIN:
            if official:
                return t("New official {platform} account: {handle}.", **values)
            return t(
                "New {platform} account listed, not confirmed as official: {handle}.", **values
            )
        values["role"] = self.role(role)
        if official:
            return t("New official {platform} account: {handle} ({role}).", **values)
        return t(
            "New {platform} account listed, not confirmed as official: {handle} ({role}).",
            **values,
        )

    def spokesperson(
        self,
        kind: ChangeKind,
        old: dict[str, Any],
        new: dict[str, Any],
        change: Mapping[str, Any],
    ) -> str:
        t = self.t
        name = self.localized_value(new.get("name")) or self.localized_value(old.get("name"))
        name = name or self.plain(str(change.get("subject") or ""))
        title = self.localized_value(new.get("title"))
        if kind is ChangeKind.SPOKESPERSON_REMOVED:
            return t("{name} was removed from the registry's spokespeople.", name=name)
        if kind is ChangeKind.SPOKESPERSON_UPDATED:
            if new.get("until") and not old.get("until"):
                return t(
                    "{name} has not been the spokesperson since {date}.",
                    name=name,
                    date=self.when(new["until"]),
                )
            fields = _changed_fields(old, new)
            if "title" in fields and title:
                text = t("New title for {name}: {title}.", name=name, title=title)
                rest = [f for f in fields if f != "title"]
                return text + ("\n  " + self.updated(name, rest) if rest else "")
            return self.updated(name, fields)
        if new.get("until"):
            # A past spokesperson recorded for history: not news of who speaks now.
            if kind is ChangeKind.SPOKESPERSON_CHANGED:
                previous = self.localized_value(old.get("name"))
                return t(
                    "{new} replaces {old} in the registry's list of former spokespeople.",
                    new=name,
                    old=previous,
                )
            return t("Added to the registry as a former spokesperson: {name}.", name=name)
        if kind is ChangeKind.SPOKESPERSON_CHANGED:
            previous = self.localized_value(old.get("name"))
            if title:
                text = t(
                    "New spokesperson: {new}, {title} (previously {old}).",
                    new=name,
                    title=title,
                    old=previous,
                )
            else:
                text = t("New spokesperson: {new} (previously {old}).", new=name, old=previous)
        elif title:
            text = t("New spokesperson: {name}, {title}.", name=name, title=title)
        else:
            text = t("New spokesperson: {name}.", name=name)
        return text + self.evidence_line(new)

    def status(self, old: dict[str, Any], new: dict[str, Any]) -> str:
        t = self.t
        status = new.get("status")
        successors = [s for s in new.get("successors") or [] if isinstance(s, str)]
        same = old.get("status") == status and (old.get("successors") or []) == successors
        if same:
            return self.updated(self.subject, _changed_fields(old, new))
        if status == EntityStatus.ACTIVE:
            return t("{entity} is active again.", entity=self.subject)
        date = new.get("status_date")
        return self.became(
            self.subject,
            [self.entity_name(i) for i in successors],
            self.when(date) if isinstance(date, str) else None,
        )

    def non_official(self, kind: ChangeKind, old: dict[str, Any], new: dict[str, Any]) -> str:
        t = self.t
        record = new or old
        values = {"handle": self.handle(record), "platform": self.platform_name(record)}
        if kind is ChangeKind.NON_OFFICIAL_REMOVED:
            return t(
                "{handle} on {platform} was taken off the list of accounts known not to be "
                "official; that does not make it official.",
                **values,
            )
        if kind is ChangeKind.NON_OFFICIAL_UPDATED:
            return self.account_updated(record, _changed_fields(old, new))
        reason = _enum(NonOfficialReason, new.get("reason"))
        # Only an impersonation, with its evidence, is a red mark; the other reasons say
        # "not confirmed" or "not a government account", never "fake".
        if reason is not NonOfficialReason.IMPERSONATION:
            text = t("{handle} on {platform} is not confirmed as an official account.", **values)
            return "⚠️ " + text + (" " + self.reason(reason) if reason is not None else "")
        imitated = new.get("imitates")
        if isinstance(imitated, str):
            text = t(
                "Warning: {handle} on {platform} is NOT an official account of {entity}.",
                entity=self.entity_name(imitated),
                **values,
            )
        else:
            text = t("Warning: {handle} on {platform} is NOT an official account.", **values)
        return "⛔ " + text + " " + self.reason(reason)

    def updated(self, what: str, fields: Sequence[str]) -> str:
        """A correction of the record of an entity or a person: which parts changed,
        never their JSON."""
        return self.t(
            "The registry's record of {subject} was updated: {fields}.",
            subject=what,
            fields=self.fields(fields),
        )

    def account_updated(self, record: Mapping[str, Any], fields: Sequence[str]) -> str:
        return self.t(
            "The registry's record of the {platform} account {handle} was updated: {fields}.",
            platform=self.platform_name(record),
            handle=self.handle(record),
            fields=self.fields(fields),
        )

    def fields(self, fields: Sequence[str]) -> str:
        labels: list[str] = []
        for field in fields:
            label = self.t(_FIELDS.get(field, _OTHER_FIELD))
            if label not in labels:
                labels.append(label)
        return self.comma_join(labels or [self.t(_OTHER_FIELD)])

    # Pieces of records

    def plain(self, value: str) -> str:
        """A registry string, clipped and escaped."""
        return self.s.text(_clip(value))

    def localized_value(self, value: object) -> str:
        text = _model(LocalizedText, value)
        return self.plain(self.localized(text)) if text else ""

    def entity_name(self, entity_id: str) -> str:
        entity = self.entities.get(entity_id)
        return self.plain(self.name(entity) if entity else entity_id)

    def handle(self, record: Mapping[str, Any]) -> str:
        """A handle as people write it, inert (no link, no Telegram mention): a former or
        fake handle may belong to anyone by now."""
        platform = _platform(record)
        handle = str(record.get("handle") or "")
        label = display_handle(platform, handle) if platform else handle
        return self.s.code(_clip(label))

    def official_handle(self, record: Mapping[str, Any]) -> str:
        """An account's handle, in HTML a link to its profile when it is official
        (`Account.official`); inert otherwise (plain text would put the address in the
        middle of the sentence)."""
        platform = _platform(record)
        handle = str(record.get("handle") or "")
        if platform is None or not handle or not self.s.html or not _official(record):
            return self.handle(record)
        return self.profile_link(platform, handle)

    def platform_name(self, record: Mapping[str, Any]) -> str:
        platform = _platform(record)
        return self.platform(platform) if platform else self.plain(str(record.get("platform")))

    def evidence_line(self, record: Mapping[str, Any]) -> str:
        evidence = _model(Evidence, record.get("evidence"))
        return "\n  " + self.evidence(evidence) if evidence else ""

    def when(self, value: object) -> str:
        """A stored date in words; a value that is no date (or has a year too large for
        one: OverflowError) is shown as it was stored."""
        try:
            return self.date(str(value))
        except (ValueError, OverflowError):
            return self.plain(str(value))


def _kind(change: Mapping[str, Any]) -> ChangeKind | None:
    return _enum(ChangeKind, change.get("kind"))


def _rank(change: Mapping[str, Any]) -> int:
    kind = _kind(change)
    return _RANK[kind] if kind is not None else len(_RANK)


def _record(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _model(model: type[M], value: object) -> M | None:
    """A record part read with the registry's own model, or None if it no longer fits."""
    if value is None:
        return None
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _official(record: Mapping[str, Any]) -> bool:
    """Whether a stored account record is official by THE rule (`Account.official`)."""
    account = _model(Account, record)
    return account is not None and account.official


def _platform(record: Mapping[str, Any]) -> Platform | None:
    return _enum(Platform, record.get("platform"))


def _role(record: Mapping[str, Any]) -> AccountRole | None:
    """The account's role; the change log omits it when it is the default, main."""
    return _enum(AccountRole, record.get("role", AccountRole.MAIN.value))


def _enum(enum: type[E], value: object) -> E | None:
    """A stored value as the enum it was, or None if this version does not know it."""
    if not isinstance(value, str):
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields that differ; the log leaves out fields at their default, so a field
    present on one side only changed too."""
    return [key for key in {**old, **new} if old.get(key) != new.get(key)]


def _clip(value: str) -> str:
    return value if len(value) <= NAME_CHARS else value[: NAME_CHARS - 1] + "…"
