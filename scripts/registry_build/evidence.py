"""Evidence of a record: its sources, the date it was checked and how sure the data is."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.registry.schema import Confidence, Evidence

CHECKED = "2026-11"
"""The seed data's README: compiled from public sources as of 2026-11."""


def evidence(sources: Sequence[str], confidence: Confidence, note: str | None = None) -> Evidence:
    if not sources:
        raise ValueError("a record without sources")
    return Evidence(
        sources=list(dict.fromkeys(sources)), checked=CHECKED, confidence=confidence, note=note
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
