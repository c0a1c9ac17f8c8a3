"""The seed data: the CSV files the build reads, read once (their README describes them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .text import read_csv

_GENERATED = re.compile(r"generated (\d{4}-\d\d-\d\d)")


@dataclass(frozen=True)
class Seed:
    """The rows of every seed file; the steps read them and never change them."""

    suspects: list[dict[str, str]]
    curated: list[dict[str, str]]
    aured: list[dict[str, str]]
    directory: list[dict[str, str]]
    corrections: list[dict[str, str]]

    @property
    def directory_date(self) -> str | None:
        """When the national directory was crawled (its rows say 'generated YYYY-MM-DD')."""
        dates = {m.group(1) for r in self.directory if (m := _GENERATED.search(r["source"]))}
        if len(dates) > 1:
            raise ValueError(f"the directory rows give several crawl dates: {sorted(dates)}")
        return dates.pop() if dates else None


def read_seed(folder: Path) -> Seed:
    return Seed(
        suspects=read_csv(folder / "suspect_handles.csv"),
        curated=read_csv(folder / "saudi_entities.csv"),
        aured=read_csv(folder / "aured_accounts.csv"),
        directory=read_csv(folder / "govsa_directory.csv"),
        corrections=read_csv(folder / "corrections_2026-12.csv"),
    )
