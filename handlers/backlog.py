"""How much of the outbox is left and when it will be done, for `/status` and
`rasmi notice status`: counted over every replica, in the database."""

from __future__ import annotations

import datetime as dt
import math

from db.repositories.alerts import Backlog
from knowledge.i18n import Messages

ALERTS_CAP = "alerts_cap"
"""bot_data key: the alerts' configured pace (messages a second), for the estimate when
nothing went out in the last minute."""
DEFAULT_CAP = 30.0


def backlog_text(t: Messages, backlog: Backlog, cap: float, now: dt.datetime) -> str:
    """The backlog in a sentence, and when it will be done at the last minute's pace (or
    the configured one when nothing went out in it). Replies go first, so a burst of
    questions pushes the time back."""
    text = t(
        "Backlog: {due} alerts to send now, {later} later; {sent} sent in the last minute.",
        due=backlog.due,
        later=backlog.later,
        sent=backlog.sent_last_minute,
    )
    if not backlog.due:
        return text
    seconds = backlog.seconds_left(cap)
    minutes = max(1, math.ceil(seconds / 60))
    done = now + dt.timedelta(seconds=seconds)
    return (
        text
        + "\n"
        + t.plural(
            "It will be sent in about {n} minute, around {at} UTC.",
            "It will be sent in about {n} minutes, around {at} UTC.",
            minutes,
            at=f"{done:%H:%M}",
        )
    )
