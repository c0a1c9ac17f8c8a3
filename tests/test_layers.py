"""The layers ARCHITECTURE.md states, enforced on every import statement of the code:
knowledge/ imports neither Telegram nor the database; db/ does not import bot/; the
Telegram handlers and the web directory do not import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "knowledge": {"telegram", "db", "bot", "handlers", "web", "sqlalchemy", "sqlmodel"},
    "db": {"bot", "handlers", "web", "telegram"},
    "handlers": {"web", "bot"},
    "web": {"handlers", "bot", "telegram"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every module `path` imports, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    broken = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in files
    }
    assert {path: names for path, names in broken.items() if names} == {}


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.settings import Settings\n    import telegram.ext\n")
    assert imported_packages(module) == {"bot", "telegram"}
