"""The "Report" button under look-alike, unknown, unconfirmed and former-handle answers,
and the callback data of the reports' buttons: `rp:<platform>:<handle>` files a report,
`rpa:<platform>:<key>` accepts a handle's reports, `rpd:<platform>:<key>` dismisses them.
A button whose data would not fit in Telegram's 64 bytes is not offered. Kept apart from
`handlers.reports` so the answers' keyboards can offer the button without importing the
handlers."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from knowledge.answer import Answer, Verdict
from knowledge.i18n import Messages
from knowledge.registry.handles import Platform, display_handle
from knowledge.understand import Lang

REPORT = "rp"
ACCEPT = "rpa"
DISMISS = "rpd"
PATTERN = r"^rp[ad]?:"
REPORTABLE = frozenset({Verdict.LOOKALIKE, Verdict.UNKNOWN, Verdict.UNCONFIRMED, Verdict.FORMER})
"""Answers under which a citizen may report the handle; never an official one. A former
handle may be reported: whoever took it since the body released it may imitate the body."""


def report_data(action: str, platform: Platform, handle: str) -> str | None:
    text = f"{action}:{platform.value}:{handle}"
    return text if len(text.encode()) <= 64 else None


def report_rows(answer: Answer, lang: Lang) -> list[list[InlineKeyboardButton]]:
    """A "Report" button for each handle of a verification answer that may be reported."""
    t = Messages(lang)
    rows = []
    for v in answer.verifications:
        platform = v.platform or Platform.X
        data = report_data(REPORT, platform, v.handle)
        if v.verdict in REPORTABLE and data is not None:
            shown = display_handle(platform, v.handle)
            label = t("🚩 Report {handle} as an impersonation", handle=shown)
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    return rows
