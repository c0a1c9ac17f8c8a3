"""Answers that are not an entity's card: the guide to fake accounts, and a minister's
personal account.

"حساب وهمي" or "how do I report a fake account" names no body: what helps is how to check
a handle here and where each platform takes reports. The platforms' help pages are public
addresses kept in one table (`REPORT_PAGES`), shown whole as labelled links. A minister's
personal account is the official's, not the body's: it is labelled so, and linked only
when the registry confirms it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.registry.handles import Platform
from knowledge.registry.schema import AccountRole, AccountStatus, Entity

if TYPE_CHECKING:
    from knowledge.answer import Answer
    from knowledge.render import Renderer

REPORT_PAGES: dict[Platform, str] = {
    Platform.X: "https://help.x.com/en/forms/authenticity/impersonation",
    Platform.INSTAGRAM: "https://help.instagram.com/446663175382270",
    Platform.TIKTOK: (
        "https://support.tiktok.com/en/safety-hc/report-a-problem/report-an-impersonation-account"
    ),
    Platform.SNAPCHAT: "https://help.snapchat.com/hc/en-us/requests/new",
    Platform.TELEGRAM: (
        "https://telegram.org/faq#q-there-39s-illegal-content-on-telegram-how-do-i-take-it-down"
    ),
}
"""Where each platform takes reports of impersonating accounts: its own help page."""


def fakes_guide(renderer: Renderer) -> str:
    """How to check a handle here, and how to report an impersonator on each platform."""
    t, s = renderer.t, renderer.s
    lines = [
        "🛡️ " + s.bold(t("Fake accounts: how to check and report them")),
        t(
            "1. To check an account, send me its handle or link, for example {handle} or "
            "{link}: I tell you whether it is an official account in the registry.",
            handle=renderer.handle_text(Platform.X, "SaudiMOH"),
            link=s.latin("x.com/SaudiMOH"),
        ),
        t(
            "2. Do not open its links or give it personal information, codes or payments "
            "until you are sure."
        ),
        t(
            "3. Report it to the platform: open its profile, tap ⋯, choose Report, then "
            "impersonation. Each platform's help page:"
        ),
    ]
    help_page = t("help page")  # outside the f-string, where the extractor reads it
    lines.extend(
        "• " + renderer.on(platform, s.link(url, help_page))
        for platform, url in REPORT_PAGES.items()
    )
    return "\n".join(lines)


def personal_accounts(renderer: Renderer, answer: Answer) -> str:
    """The minister's own accounts for a body the question named, labelled as personal;
    without one on record, that fact and the body's own card."""
    t, s = renderer.t, renderer.s
    match = answer.confident
    assert match is not None, "a minister's account is answered for one body"
    entity: Entity = match.current
    name = renderer.name_text(entity)
    accounts = [
        a
        for a in entity.accounts
        if a.role is AccountRole.MINISTER
        and a.status is AccountStatus.ACTIVE
        and (answer.platform is None or a.platform is answer.platform)
    ]
    if not accounts:
        notice = "ℹ️ " + t(
            "The registry has no personal account of the minister ({entity}) on record.",
            entity=name,
        )
        return notice + "\n\n" + renderer.entity_card(entity, answer.platform)
    lines = ["👤 " + s.bold(t("The minister's personal account ({entity})", entity=name))]
    for account in accounts:
        if account.official:  # linked; otherwise inert, and the evidence line says why
            lines.append(renderer.profile_line(account.platform, account.handle))
        else:
            handle = renderer.handle_text(account.platform, account.handle)
            lines.append(f"• {renderer.platform(account.platform)}: {handle}")
        lines.append("  " + renderer.evidence(account.evidence))
    lines.append(
        t(
            "It is the official's own account, not the body's. For the body's official "
            "accounts, ask for {entity}.",
            entity=renderer.subject_text(entity),
        )
    )
    return "\n".join(lines)
