"""Writing the registry out: YAML to edit and re-import, JSON for programs, CSV for
spreadsheets (one row per account, so a journalist can filter and sort; its source
columns are the source a citizen would be shown, and how many sources there are)."""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from knowledge.registry.handles import profile_url
from knowledge.registry.schema import Evidence, Registry
from knowledge.registry.yaml_io import dump_registry

ExportFormat = Literal["yaml", "json", "csv"]

CSV_COLUMNS = (
    "entity_id",
    "name_ar",
    "name_en",
    "name_fr",
    "kind",
    "entity_status",
    "website",
    "platform",
    "handle",
    "url",
    "role",
    "account_status",
    "since",
    "until",
    "confidence",
    "checked",
    "source_kind",
    "source_url",
    "source_date",
    "sources",
)


def export_registry(registry: Registry, fmt: ExportFormat) -> str:
    if fmt == "yaml":
        return dump_registry(registry)
    if fmt == "json":
        data = registry.model_dump(mode="json", exclude_defaults=True)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _csv(registry)


def _csv(registry: Registry) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entity in registry.entities:
        base = {
            "entity_id": entity.id,
            "name_ar": entity.name.ar or "",
            "name_en": entity.name.en or "",
            "name_fr": entity.name.fr or "",
            "kind": entity.kind.value,
            "entity_status": entity.status.value,
            "website": entity.website or "",
        }
        if not entity.accounts:
            writer.writerow({**base, **_evidence_columns(entity.evidence)})
        for account in entity.accounts:
            writer.writerow(
                {
                    **base,
                    "platform": account.platform.value,
                    "handle": account.handle,
                    "url": profile_url(account.platform, account.handle),
                    "role": account.role.value,
                    "account_status": account.status.value,
                    "since": account.since or "",
                    "until": account.until or "",
                    **_evidence_columns(account.evidence),
                }
            )
    return out.getvalue()


def _evidence_columns(evidence: Evidence) -> dict[str, str]:
    """The strongest openable source, else the first one (a dataset: its kind only, as
    its note is provenance), and the number of sources in all."""
    shown = evidence.strongest or evidence.sources[0]
    return {
        "confidence": evidence.confidence.value,
        "checked": evidence.checked,
        "source_kind": shown.kind.value,
        "source_url": shown.url or "",
        "source_date": shown.date or "",
        "sources": str(len(evidence.sources)),
    }
