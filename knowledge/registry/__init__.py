"""The registry of official accounts: its schema, files, validation, diff and export."""

from pathlib import Path

BUNDLED_REGISTRY = Path(__file__).resolve().parent / "bundled"
"""The registry shipped with Rasmi, built from the seed data by
scripts/build_bundled_registry.py."""
