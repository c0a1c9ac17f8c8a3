"""The maintainer's commands, as a maintainer runs them: exit codes and what they print."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import open_database
from db.repositories.questions import LoggedQuestion, QuestionLogRepository


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
