"""The registry audit: each weakness found where it is, counted, and `--strict` for CI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import telegram_fakes as fakes

from bot.cli import main
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.audit import Check, audit_registry, period_end
from knowledge.registry.schema import Entity, Registry, Spokesperson
from knowledge.registry.validation import load_registry

TODAY = dt.date(2026, 12, 3)

REGISTRY = """\
entities:
  - id: moh
    name: {en: Ministry of Health, ar: وزارة الصحة}
    kind: ministry
    website: https://www.moh.gov.sa
    evidence:
      sources: [{kind: official_website, url: "https://www.moh.gov.sa"}]
      checked: 2026-11-01
      confidence: confirmed
    accounts:
      - platform: x
        handle: SaudiMOH
        platform_id: "490074932"
        evidence:
          sources: [{kind: official_website, url: "https://www.moh.gov.sa/contact"}]
          checked: 2026-11
          confidence: confirmed
      - platform: instagram
        handle: saudimoh
        evidence:
          sources: [{kind: dataset, note: a directory of accounts}]
          checked: "2024"
          confidence: unconfirmed
      - platform: youtube
        handle: SaudiMOH
        evidence:
          sources: [{kind: news, url: "https://news.example/moh"}]
          checked: 2026-10
          confidence: unconfirmed
    spokespeople:
      - name: {en: Old Speaker}
        as_of: 2021-03
        evidence:
          sources: [{kind: news, url: "https://news.example/speaker"}]
          checked: 2021-03
          confidence: unconfirmed
  - id: mewa
    name: {en: Ministry of Environment}
    kind: ministry
    evidence:
      sources: [{kind: dataset, note: seed}]
      checked: "2025-12"
      confidence: unconfirmed
    accounts:
      - platform: x
        handle: MEWA_KSA
        platform_id: "123456"
        evidence:
          sources: [{kind: dataset, note: seed}]
          checked: 2026-06
          confidence: unconfirmed
  - id: empty-fund
    name: {en: A Fund}
    kind: fund
    evidence:
      sources: [{kind: news, url: "https://news.example/fund"}]
      checked: 2026-01
      confidence: unconfirmed
  - id: empty-authority
    name: {en: An Authority}
    kind: authority
    evidence:
      sources: [{kind: news, url: "https://news.example/authority"}]
      checked: 2026-01
      confidence: unconfirmed
  - id: old-body
    name: {en: A Dissolved Body}
    kind: authority
    status: dissolved
    evidence:
      sources: [{kind: news, url: "https://news.example/old"}]
      checked: 2026-01
      confidence: unconfirmed
non_official:
  - platform: x
    handle: MOH_Saudi
    imitates: moh
    reason: conflicting
    evidence:
      sources: [{kind: news, url: "https://news.example/conflict"}]
      checked: 2026-09
      confidence: unconfirmed
  - platform: x
    handle: Fake_MOH
    imitates: moh
    reason: impersonation
    evidence:
      sources: [{kind: news, url: "https://news.example/fake"}]
      checked: 2026-09
      confidence: confirmed
"""


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return path


def found(registry: Registry, check: Check, max_age: int = 365) -> list[tuple[str | None, str]]:
    report = audit_registry(registry, TODAY, max_age)
    return [(f.entity_id, f.subject) for f in report.findings if f.check is check]


def test_partial_dates_are_read_as_the_last_day_they_may_mean() -> None:
    assert period_end("2024") == dt.date(2024, 12, 31)
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert period_end("2025-06-15") == dt.date(2025, 6, 15)


def test_each_check_finds_exactly_the_weak_records(registry_file: Path) -> None:
    registry = load_registry(registry_file)
    # 2024 ends on 2024-12-31, over a year before TODAY; "2025-12" is within the year.
    assert found(registry, Check.STALE_EVIDENCE) == [
        ("moh", "account instagram @saudimoh"),
        ("moh", "spokesperson Old Speaker"),
    ]
    assert found(registry, Check.ALL_UNCONFIRMED) == [("mewa", "entity")]
    assert found(registry, Check.NO_NUMERIC_ID) == [("moh", "account instagram @saudimoh")]
    assert found(registry, Check.NO_ACCOUNTS) == [
        ("empty-fund", "entity"),
        ("empty-authority", "entity"),
    ]
    assert found(registry, Check.OLD_SPOKESPERSON) == [("moh", "spokesperson Old Speaker")]
    assert found(registry, Check.CONFLICTING_CANDIDATE) == [("moh", "non_official x @MOH_Saudi")]
    assert found(registry, Check.SOURCE_WITHOUT_URL) == [
        ("moh", "account instagram @saudimoh"),
        ("mewa", "entity"),
        ("mewa", "account x @MEWA_KSA"),
    ]
    assert found(registry, Check.TWO_CURRENT_SPOKESPEOPLE) == []
    report = audit_registry(registry, TODAY)
    assert dict(report.no_accounts_by_kind) == {"fund": 1, "authority": 1}
    assert (report.entities, report.accounts) == (5, 4)


def test_max_age_moves_the_stale_line(registry_file: Path) -> None:
    registry = load_registry(registry_file)
    stale = found(registry, Check.STALE_EVIDENCE, max_age=200)
    assert ("mewa", "entity") in stale  # checked 2025-12, 337 days before TODAY
    assert ("moh", "account x @SaudiMOH") not in stale


def test_two_current_spokespeople_in_one_role_are_reported(registry_file: Path) -> None:
    """Validation rejects such an entity in a file; a stored row can still hold one (it
    was imported before the rule), and the audit must see it."""
    registry = load_registry(registry_file)
    moh = registry.entities[0]
    person = moh.spokespeople[0]
    second = Spokesperson.model_validate(
        {**person.model_dump(), "name": {"en": "New Speaker"}, "as_of": "2026-11"}
    )
    doubled = Entity.model_construct(**{**dict(moh), "spokespeople": [person, second]})
    report = audit_registry(Registry.model_construct(entities=[doubled]), TODAY)
    pairs = [f for f in report.findings if f.check is Check.TWO_CURRENT_SPOKESPEOPLE]
    assert [(f.subject, f.detail) for f in pairs] == [
        ("spokesperson New Speaker", "also current in the role 'spokesperson': Old Speaker")
    ]


def test_cli_prints_the_table_and_strict_exits_1(
    registry_file: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["registry", "audit", str(registry_file)]) == 0
    out = capsys.readouterr().out
    assert "no_accounts                      2" in out
    assert "Without accounts, by kind: fund 1, authority 1" in out or (
        "Without accounts, by kind: authority 1, fund 1" in out
    )
    assert main(["registry", "audit", "--strict", str(registry_file)]) == 1
    capsys.readouterr()
    assert main(["registry", "audit", "--json", str(registry_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["conflicting_candidate"] == 1
    assert data["counts"]["stale_evidence"] == 2
    assert len(data["findings"]) == sum(data["counts"].values())


def test_a_clean_registry_passes_strict(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    clean = tmp_path / "clean.yaml"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    clean.write_text(
        f"""\
entities:
  - id: moh
    name: {{en: Ministry of Health}}
    kind: ministry
    evidence:
      sources: [{{kind: official_website, url: "https://www.moh.gov.sa"}}]
      checked: {today}
      confidence: confirmed
    accounts:
      - platform: x
        handle: SaudiMOH
        platform_id: "490074932"
        evidence:
          sources: [{{kind: official_website, url: "https://www.moh.gov.sa"}}]
          checked: {today}
          confidence: confirmed
""",
        encoding="utf-8",
    )
    assert main(["registry", "audit", "--strict", str(clean)]) == 0
    assert "Nothing found." in capsys.readouterr().out


def test_the_stored_registry_is_audited_like_its_file(
    registry_file: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["registry", "import", str(registry_file)]) == 0
    capsys.readouterr()
    assert main(["registry", "audit", "--json", str(registry_file)]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert main(["registry", "audit", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["counts"] == from_file["counts"]
    assert stored["findings"] == from_file["findings"]


def test_the_bundled_registry_can_be_audited() -> None:
    report = audit_registry(load_registry(BUNDLED_REGISTRY), TODAY)
    assert report.entities > 300
    assert report.counts[Check.NO_ACCOUNTS] == sum(report.no_accounts_by_kind.values())


async def test_admins_get_the_summary_in_their_language(bot: Any) -> None:
    application, request, updates = bot
    request.clear()
    await application.process_update(
        updates.message("/audit", updates.user(10, language_code="en"))
    )
    [refused] = [c for c in request.calls if c.method == "sendMessage"]
    assert "administrators" in refused.text

    report = audit_registry(load_registry(BUNDLED_REGISTRY), dt.datetime.now(dt.UTC).date())
    request.clear()
    admin = updates.user(fakes.ADMIN_ID, language_code="fr")
    await application.process_update(updates.message("/audit", admin))
    [summary] = [c for c in request.calls if c.method == "sendMessage"]
    assert f"Entités : {report.entities}, comptes : {report.accounts}." in summary.text
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    assert any(f" {month} " in summary.text.splitlines()[0] for month in months.split())
    no_id = report.counts[Check.NO_NUMERIC_ID]
    assert f"Comptes actifs sans identifiant numérique : {no_id}" in summary.text
    assert f"Sources sans lien : {report.counts[Check.SOURCE_WITHOUT_URL]}" in summary.text
    assert "Sans compte, par type : " in summary.text
    assert "ministry" not in summary.text  # kinds are named in the admin's language
