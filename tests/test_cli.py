"""The maintainer's commands, as a maintainer runs them: exit codes and what they print."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from registry_edits import edit, without_entities

from bot.cli import main
from db.engine import open_database
from db.repositories.questions import LoggedQuestion, QuestionLogRepository
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.export import export_registry
from knowledge.registry.validation import load_registry


@pytest.fixture(autouse=True)
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_reports_a_valid_registry_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], example_registry: Path
) -> None:
    code, out, _ = run(capsys, "registry", "check", str(example_registry), "--json")
    assert code == 0
    assert json.loads(out) == {
        "valid": True,
        "entities": 4,
        "accounts": 5,
        "spokespeople": 1,
        "non_official": 1,
    }
    code, out, _ = run(capsys, "registry", "history")
    assert out.strip() == "No changes recorded."


def test_an_invalid_file_is_rejected_whole_and_the_database_is_unchanged(
    capsys: pytest.CaptureFixture[str], example_registry: Path, tmp_path: Path
) -> None:
    assert run(capsys, "registry", "import", str(example_registry))[0] == 0
    before = run(capsys, "registry", "export", "--format", "json")[1]

    bad = tmp_path / "bad.yaml"
    text = example_registry.read_text(encoding="utf-8")
    text = text.replace("handle: HRSD_SA", "handle: MOISaudiArabia")  # moi's handle
    text = text.replace("successors: [hrsd]", "successors: [hrsd-2020]")
    text = text.replace("handle: MLSD_SA", "handle: MLSD SA")
    bad.write_text(text, encoding="utf-8")

    code, out, err = run(capsys, "registry", "import", str(bad))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 4
    assert "successors[0]: no entity has the id 'hrsd-2020'" in err
    assert "'MLSD SA' is not a valid x handle" in err
    assert "already belongs to 'hrsd'" in err or "already belongs to 'moi'" in err
    assert all(line.startswith(f"{bad}:") for line in lines[:3])
    assert lines[-1] == "3 problem(s) found; nothing was written."

    code, out, _ = run(capsys, "registry", "import", str(bad), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert {p["line"] for p in report["problems"]} == {
        p["line"] for p in report["problems"] if p["line"] is not None
    }
    assert len(report["problems"]) == 3

    assert run(capsys, "registry", "export", "--format", "json")[1] == before


def test_import_summary_history_and_export(
    capsys: pytest.CaptureFixture[str], example_registry: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "registry", "import", str(example_registry), "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["entities"], summary["accounts"], summary["spokespeople"]) == (4, 5, 1)
    assert summary["changes"] == []

    text = example_registry.read_text(encoding="utf-8").replace(
        "handle: SaudiMOH\n", "handle: SaudiMOH_new\n"
    )
    example_registry.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "registry", "import", str(example_registry))
    assert code == 0
    assert "1 change(s):" in out
    assert "moh: handle_changed x @SaudiMOH -> @SaudiMOH_new" in out

    code, out, _ = run(capsys, "registry", "history", "moh")
    assert "moh: handle_changed x @SaudiMOH -> @SaudiMOH_new" in out

    target = tmp_path / "out.yaml"
    assert run(capsys, "registry", "export", "--format", "yaml", "-o", str(target))[0] == 0
    code, out, _ = run(capsys, "registry", "import", str(target))
    assert "0 changes" in out


def test_usage_errors_exit_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["registry", "export", "--format", "xml"])
    assert exc.value.code == 2


def test_questions_shows_what_went_unanswered(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    async def log() -> None:
        async with open_database(database_url) as sessions, sessions() as session, session.begin():
            await QuestionLogRepository(session).record(
                [
                    LoggedQuestion("وزارة الصحة", "ar", "official_accounts", True, "private"),
                    LoggedQuestion("وزارة السعادة", "ar", "official_accounts", False, "private"),
                    LoggedQuestion("وزارة السعادة", "ar", "official_accounts", False, "group"),
                ]
            )

    asyncio.run(log())
    code, out, _ = run(capsys, "questions", "--days", "1")
    assert code == 0
    assert "Questions in the last 1 day(s): 3, unanswered: 2" in out
    assert "2  وزارة السعادة" in out
    code, out, _ = run(capsys, "questions", "--json")
    assert json.loads(out)["top_unanswered"] == [["وزارة السعادة", 2]]


def exported(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run(capsys, "registry", "export", "--format", "json")
    assert code == 0
    return out


def test_an_empty_registry_is_rejected_and_nothing_changes(
    capsys: pytest.CaptureFixture[str], example_registry: Path, tmp_path: Path
) -> None:
    assert run(capsys, "registry", "import", str(example_registry))[0] == 0
    before = exported(capsys)
    for name, text in (("empty.yaml", ""), ("no-entities.yaml", "entities: []\n")):
        empty = tmp_path / name
        empty.write_text(text, encoding="utf-8")
        code, out, err = run(capsys, "registry", "import", str(empty))
        assert code == 1, err
        assert err.strip() == (
            f"{empty}: not imported: the registry has no entities: importing it would "
            "remove every entity. Nothing was written."
        )
        code, out, _ = run(capsys, "registry", "import", str(empty), "--json")
        assert code == 1 and json.loads(out)["refused"] is True
        code, _, err = run(capsys, "registry", "check", str(empty))
        assert code == 1 and "the registry has no entities" in err
        assert exported(capsys) == before
    assert "No changes recorded." in run(capsys, "registry", "history")[1]


@pytest.fixture
def shrunk(tmp_path: Path) -> Path:
    """The bundled registry less a tenth of its entities: a file cut short."""
    path = tmp_path / "shrunk.yaml"
    cut = without_entities(load_registry(BUNDLED_REGISTRY), 0.1)
    path.write_text(export_registry(cut, "yaml"), encoding="utf-8")
    return path


def test_an_import_removing_more_than_the_threshold_needs_allow_removals(
    capsys: pytest.CaptureFixture[str], shrunk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "registry", "import")[0] == 0
    before = exported(capsys)
    total = len(load_registry(BUNDLED_REGISTRY).entities)
    removed = total - len(load_registry(shrunk).entities)

    code, out, err = run(capsys, "registry", "import", str(shrunk))
    assert code == 3
    assert f"{removed} entity_removed" in " ".join(err.split())
    assert f"it would remove or retire {removed} of {total} entities" in err
    assert err.strip().endswith("allow removals to import it anyway. Nothing was written.")
    assert exported(capsys) == before

    # A higher threshold, set by the operator, lets the same file through.
    monkeypatch.setenv("IMPORT_MAX_REMOVALS", "0.2")
    code, out, err = run(capsys, "registry", "import", str(shrunk), "--dry-run")
    assert code == 0 and out.startswith("Dry run, nothing written.")
    monkeypatch.delenv("IMPORT_MAX_REMOVALS")

    code, out, _ = run(capsys, "registry", "import", str(shrunk), "--allow-removals", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["entities"] == total - removed
    assert [c["kind"] for c in result["changes"]].count("entity_removed") == removed
    assert exported(capsys) != before


def test_dry_run_prints_the_changes_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], example_registry: Path
) -> None:
    assert run(capsys, "registry", "import", str(example_registry))[0] == 0
    before = exported(capsys)
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")

    code, out, _ = run(capsys, "registry", "import", str(example_registry), "--dry-run")
    assert code == 0
    assert out.startswith(f"Dry run, nothing written. Importing {example_registry} (1 file)")
    assert "moh: handle_changed x @SaudiMOH -> @SaudiMOH_new" in out
    code, out, _ = run(capsys, "registry", "import", str(example_registry), "--dry-run", "--json")
    assert json.loads(out)["dry_run"] is True and json.loads(out)["import_id"] == 0

    assert exported(capsys) == before
    assert "No changes recorded." in run(capsys, "registry", "history")[1]


def test_a_long_change_list_is_summarized_and_json_keeps_every_change(
    capsys: pytest.CaptureFixture[str], shrunk: Path
) -> None:
    assert run(capsys, "registry", "import")[0] == 0
    code, out, _ = run(capsys, "registry", "import", str(shrunk), "--allow-removals")
    assert code == 0
    lines = out.splitlines()
    changes = int(lines[1].split()[0])
    assert changes > 20
    start = lines.index("The first 20 (--json lists them all):")
    kinds = lines[2:start]
    assert sum(int(line.split()[0]) for line in kinds) == changes
    assert len(lines[start + 1 :]) == 20

    # The same changes again, as JSON (a dry run against the state before).
    code, out, _ = run(capsys, "registry", "import", "--dry-run", "--json", "--allow-removals")
    assert code == 0 and len(json.loads(out)["changes"]) == changes


def test_a_renamed_handle_is_exported_as_a_former_account(
    capsys: pytest.CaptureFixture[str], example_registry: Path, tmp_path: Path
) -> None:
    """X keeps an account's numeric id when its handle changes: the former record of the
    old handle keeps it too, ends on the import's date, and the export re-imports as is."""
    edit(example_registry, "handle: SaudiMOH\n", 'handle: SaudiMOH\n        platform_id: "4567"\n')
    assert run(capsys, "registry", "import", str(example_registry))[0] == 0
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    assert run(capsys, "registry", "import", str(example_registry))[0] == 0

    registry = json.loads(exported(capsys))
    moh = next(e for e in registry["entities"] if e["id"] == "moh")
    accounts = {a["handle"]: a for a in moh["accounts"]}
    assert accounts["SaudiMOH"]["status"] == "former"
    assert accounts["SaudiMOH"]["until"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert accounts["SaudiMOH"]["platform_id"] == "4567"
    assert accounts["SaudiMOH_new"].get("status", "active") == "active"

    again = tmp_path / "exported.yaml"
    assert run(capsys, "registry", "export", "-o", str(again))[0] == 0
    assert "0 changes" in run(capsys, "registry", "import", str(again))[1]
