"""Step 1, suspect_handles.csv: handles that must never be called official.

Read first, so that no later step writes a suspect handle as an account. Each handle of a
row becomes one non-official record with the reason its status gives
(``decisions/suspect_statuses.csv``: CONFLICT and AMBIGUOUS are conflicting, FLAGGED
MISLEADING is not_government; never impersonation without its evidence), the entity it is
claimed for (``decisions/suspect_claims.csv``) and the numeric id the row gives. Rows that
are no handle on a registry platform (the look-alike web portals among them: the format
cannot express them) are skipped with the reason in ``decisions/suspect_skips.csv``, and
single handles with the reason in ``decisions/suspect_handle_skips.csv``.
"""

from __future__ import annotations

import re

from knowledge.registry.handles import FORMATS, Platform, handle_key
from knowledge.registry.schema import NonOfficialReason

from .decisions import Decisions
from .seed import Seed
from .state import NonOfficialDraft, Report, State
from .text import sentence, valid_handle


def suspect_handles(
    row: dict[str, str], decisions: Decisions, report: Report | None
) -> list[tuple[Platform, str]]:
    """The handles a row names; what cannot be a handle is reported (when a report is
    given) or, without a documented skip, an error."""
    item = row["handle_or_item"]
    for prefix, why in decisions.suspect_skips.items():
        if item.startswith(prefix):
            if report is not None:
                report.skip(f"suspect_handles.csv '{item}'", why)
            return []
    platform = Platform.X
    text = item
    first, _, rest = item.partition(" ")
    if first in {p.value for p in Platform} and rest:
        platform, text = Platform(first), rest
    telegram = re.fullmatch(r"(\S+) \(Telegram channel\)", text)
    if telegram:
        platform, text = Platform.TELEGRAM, telegram.group(1)
    found: list[tuple[Platform, str]] = []
    for candidate in re.split(r"\s+(?:vs|/)\s+", text):
        handle = candidate.strip().strip('"').removeprefix("@")
        if valid_handle(platform, handle):
            found.append((platform, handle))
        elif report is not None:
            report.skip(
                f"suspect_handles.csv '{item}': {platform.value} '{handle}'",
                f"not a possible {platform.value} handle ({FORMATS[platform].description})",
            )
    if not found:
        raise ValueError(f"suspect row with no handle and no documented skip: {item!r}")
    return found


def _imitates(decisions: Decisions, claimed_for: str, handle: str) -> str | None:
    if claimed_for in decisions.claimed_for:
        return decisions.claimed_for[claimed_for]
    if handle.casefold() in decisions.claimed_per_handle:
        return decisions.claimed_per_handle[handle.casefold()]
    raise ValueError(f"no entity known for the claim {claimed_for!r} ({handle})")


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    previous_note = ""
    for row in seed.suspects:
        # "Same" in the note column repeats the row above.
        if row["note"].strip().rstrip(".").casefold() == "same":
            row = {**row, "note": previous_note}
        previous_note = row["note"]
        status = row["status"]
        handles = suspect_handles(row, decisions, state.report)
        state.suspect_keys.update(handle_key(p, h) for p, h in handles)
        if not handles:
            continue
        code = next((c for word, c in decisions.suspect_statuses.items() if word in status), None)
        if code is None:
            raise ValueError(f"suspect status not understood: {status!r}")
        reason = NonOfficialReason(code)
        where = re.sub(r"\s+vs\s*/?\s*$", "", row["where_seen"]).strip()
        ids = dict(re.findall(r"(\w+) id (\d+)", where))
        for platform, handle in handles:
            skip = decisions.suspect_handle_skips.get(handle_key(platform, handle))
            if skip:
                state.report.skip(f"suspect_handles.csv {platform.value} @{handle}", skip)
                continue
            imitates = _imitates(decisions, row["claimed_for"], handle)
            note = [sentence(row["note"])]
            if status != status.upper():
                note.append(sentence(f"Status in the seed data: {status}"))
            draft = NonOfficialDraft(platform, handle, imitates, reason, [where], note)
            draft.platform_id = ids.get(handle)
            state.non_official.append(draft)
    return state
