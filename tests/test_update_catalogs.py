"""scripts/update-catalogs on a copy of the catalogs: each message stays in its area file
with its translation, a new one goes into rasmi.po empty, an unused one is removed, and no
message ever ends up in two files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "update-catalogs"


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=path.parent.parent.name)


def write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as po:
        write_po(po, catalog, width=0)


def translations(folder: Path) -> dict[str, tuple[str, object]]:
    """Every message of one language folder: the file that holds it and its translation;
    fails on a message held twice."""
    held: dict[str, tuple[str, object]] = {}
    for path in sorted(folder.glob("*.po")):
        for message in read(path):
            if message.id:
                key = str(message.id[0] if isinstance(message.id, tuple) else message.id)
                assert key not in held, (key, held.get(key), path.name)
                held[key] = (path.name, message.string)
    return held


def test_update_keeps_area_files_adds_new_messages_to_rasmi_and_removes_unused(
    tmp_path: Path,
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "knowledge" / "locales", locales)
    folder = locales / "ar" / "LC_MESSAGES"
    before = translations(folder)

    # A message the code uses, lost from its area file; one the code never used.
    web = read(folder / "web.po")
    used = next(m for m in web if m.id and isinstance(m.id, str))
    web.delete(used.id)
    write(folder / "web.po", web)
    registry = read(folder / "registry.po")
    registry.add("A sentence no code says any more", "جملة لم تعد في الشيفرة")
    write(folder / "registry.po", registry)

    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--locales", str(locales)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ar/registry.po updated" in done.stdout

    after = translations(folder)  # asserts no message is in two files
    assert "A sentence no code says any more" not in after
    assert after[str(used.id)] == ("rasmi.po", "")
    for key, (name, string) in before.items():
        if key != used.id:
            assert after[key] == (name, string), key
    assert translations(locales / "fr" / "LC_MESSAGES") == translations(
        ROOT / "knowledge" / "locales" / "fr" / "LC_MESSAGES"
    )
