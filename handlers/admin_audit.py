"""/audit: the registry audit's summary for Rasmi's administrators, in their language.

The counts only: the list of every finding is for a maintainer's terminal (`rasmi
registry audit`), where it can be read whole. The stored registry is read page by page
and audited in a worker thread (`db.registry_audit`), so the bot goes on answering.
"""

from __future__ import annotations

import datetime as dt
import html

from telegram import Update

from db.registry_audit import audit_stored
from handlers.context import Context, services
from handlers.guards import admin_only
from handlers.language import interface_language
from handlers.sending import reply
from knowledge.i18n import N_, Messages
from knowledge.registry.audit import AuditReport, Check
from knowledge.registry.schema import EntityKind
from knowledge.render import Renderer
from knowledge.understand import Lang

LINES: dict[Check, str] = {
    Check.STALE_EVIDENCE: N_("Evidence not checked for more than {days} days: {count}"),
    Check.ALL_UNCONFIRMED: N_("Entities whose active accounts are all unconfirmed: {count}"),
    Check.NO_NUMERIC_ID: N_("Active accounts without a numeric id: {count}"),
    Check.NO_ACCOUNTS: N_("Active entities without an active account: {count}"),
    Check.TWO_CURRENT_SPOKESPEOPLE: N_("Two current spokespeople in one role: {count}"),
    Check.OLD_SPOKESPERSON: N_("Current spokespeople last reported over two years ago: {count}"),
    Check.CONFLICTING_CANDIDATE: N_(
        "Handles in conflict (listed as official, then contradicted): {count}"
    ),
    Check.SOURCE_WITHOUT_URL: N_("Sources without a link: {count}"),
}


async def audit(update: Update, context: Context) -> None:
    """/audit, for admins."""
    message = update.effective_message
    if message is None or not await admin_only(update, context):
        return
    lang = await interface_language(update, context)
    report = await audit_stored(services(context).sessions, dt.datetime.now(dt.UTC).date())
    await reply(message, summary(report, lang))


def summary(report: AuditReport, lang: Lang) -> str:
    """The audit's counts as a message (HTML: kind names come from the catalog, numbers
    and dates from the report, nothing from the registry's free text)."""
    t = Messages(lang)
    renderer = Renderer(lang, html_mode=True)
    lines = [
        t(
            "Registry audit of {date}. Entities: {entities}, accounts: {accounts}.",
            date=renderer.date(report.today),
            entities=report.entities,
            accounts=report.accounts,
        )
    ]
    lines += [
        "• " + t(LINES[check], count=report.counts[check], days=report.max_age_days)
        for check in Check
    ]
    if report.no_accounts_by_kind:
        kinds = renderer.comma_join(
            [
                f"{renderer.kind(EntityKind(kind))} {count}"
                for kind, count in report.no_accounts_by_kind.most_common()
            ]
        )
        lines.append(t("Without an account, by kind: {kinds}", kinds=html.escape(kinds)))
    if report.clean:
        lines.append(t("Nothing to fix: the registry passes every check."))
    else:
        lines.append(t("Every finding is listed by the command rasmi registry audit."))
    return "\n".join(lines)
