"""Evidence of a record: its sources, the date it was checked and how sure the data is.

The seed data rates each fact (high: two independent sources including a strong one;
medium: one source, or a credible conflict). The registry's confirmation rule asks more:
a confirmed record also needs a source a person can open (``Source.openable``). A fact
the data rates high that rests only on datasets and saved copies nobody can open is
written unconfirmed, and its evidence note says why.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.registry.schema import Confidence, Evidence, Source

from .text import join_notes

COMPILED = "2026-11"
"""The seed data's README: compiled from public sources as of 2026-11. The checked date of
a record none of whose sources carries a date."""
NOTHING_TO_OPEN = (
    "The seed data rates it high, but none of its sources can be opened: unconfirmed until one can."
)


def evidence(
    sources: Sequence[Source], confidence: Confidence, note: str | None = None
) -> Evidence:
    """The evidence of one record: checked on the date of its newest dated source (ISO
    partial dates compare as text), confirmed only under the confirmation rule."""
    if not sources:
        raise ValueError("a record without sources")
    dates = [s.date for s in sources if s.date]
    notes = [note]
    if confidence is Confidence.CONFIRMED and not any(s.openable for s in sources):
        confidence = Confidence.UNCONFIRMED
        notes.append(NOTHING_TO_OPEN)
    return Evidence(
        sources=list(sources),
        checked=max(dates) if dates else COMPILED,
        confidence=confidence,
        note=join_notes(notes),
    )


def row_confidence(cell: str) -> Confidence:
    value = cell.strip().lower()
    if value == "high":
        return Confidence.CONFIRMED
    if value == "medium":
        return Confidence.UNCONFIRMED
    raise ValueError(f"unknown confidence {cell!r}")


def tag_confidence(tag: str, row: Confidence) -> Confidence:
    """The confidence an other_handles tag gives its item (see the module docstring)."""
    text = tag.lower()
    if any(word in text for word in ("unverified", "ambiguous", "conflicting")):
        return Confidence.UNCONFIRMED
    if "1src" in text:
        return Confidence.UNCONFIRMED
    if "2src" in text or "3+src" in text or "official page per khatauat" in text:
        return Confidence.CONFIRMED
    if "api-derived" in text or text.startswith("news"):
        return row
    raise ValueError(f"unknown evidence tag [{tag}]")


# --------------------------------------------------------------------------------------
# Drafts: mutable while the files are read, frozen into schema records at the end
# --------------------------------------------------------------------------------------
