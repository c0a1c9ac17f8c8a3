"""The seed data: the CSV files the build reads, read once (their README describes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .text import read_csv


@dataclass(frozen=True)
class Seed:
    """The rows of every seed file; the steps read them and never change them."""

    suspects: list[dict[str, str]]
    curated: list[dict[str, str]]
    aured: list[dict[str, str]]
    directory: list[dict[str, str]]
    corrections: list[dict[str, str]]


def read_seed(folder: Path) -> Seed:
    return Seed(
        suspects=read_csv(folder / "suspect_handles.csv"),
        curated=read_csv(folder / "saudi_entities.csv"),
        aured=read_csv(folder / "aured_accounts.csv"),
        directory=read_csv(folder / "govsa_directory.csv"),
        corrections=read_csv(folder / "corrections_2026-12.csv"),
    )
