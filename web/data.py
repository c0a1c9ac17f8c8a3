"""About and data: the current registry as YAML, JSON and CSV, and Atom feeds of its
changes, overall and per entity, in each language."""

from __future__ import annotations

import asyncio
import datetime as dt
from xml.etree import ElementTree as ET

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from db.repositories.registry import RegistryRepository
from knowledge.registry.export import ExportFormat, export_registry
from knowledge.understand import Lang
from web.http import Body, body, cached
from web.pages import history, lang_of
from web.site import Site, site
from web.words import words

FEED_ENTRIES = 100
ATOM = "http://www.w3.org/2005/Atom"
MEDIA: dict[str, str] = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


async def download(request: Request) -> Response:
    s = site(request)
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        raise HTTPException(404)

    async def build() -> Body:
        async with s.services.sessions() as session:
            registry = await RegistryRepository(session).load()
        formats: dict[str, ExportFormat] = {"yaml": "yaml", "json": "json", "csv": "csv"}
        text = await asyncio.to_thread(export_registry, registry, formats[fmt])
        return body(text.encode(), MEDIA[fmt])

    response = await cached(request, s.bodies, s.version, build)
    response.headers["Content-Disposition"] = f'attachment; filename="rasmi-registry.{fmt}"'
    return response


async def feed(request: Request) -> Response:
    """The change log as Atom: one entry per import and entity, newest first."""
    lang, s = lang_of(request), site(request)
    entity_id = request.path_params.get("entity_id")

    async def build() -> Body:
        if entity_id is not None and entity_id not in s.index.entities:
            raise HTTPException(404)
        return await atom(s, lang, entity_id, str(request.base_url).rstrip("/"))

    return await cached(request, s.bodies, s.version, build)


async def atom(s: Site, lang: Lang, entity_id: str | None, base: str) -> Body:
    w = words(lang)
    index = s.index
    async with s.services.sessions() as session:
        rows = await RegistryRepository(session).history(entity_id, FEED_ENTRIES * 5)
    by_entity: dict[tuple[int, str], list[object]] = {}
    for row in rows:
        by_entity.setdefault((row.import_id, row.entity_id or ""), []).append(row)
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    own = (
        f"{base}/{lang}/entities/{entity_id}/feed.atom" if entity_id else f"{base}/{lang}/feed.atom"
    )
    if entity_id:
        title = w.t(
            "Changes to the official accounts of {entity}", entity=w.name(index.entities[entity_id])
        )
    else:
        title = w.t("Changes to the registry of official accounts")
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "id").text = own
    ET.SubElement(root, "link", {"rel": "self", "href": own})
    newest = rows[0].at if rows else await _last_import_time(s)
    ET.SubElement(root, "updated").text = _utc(newest).isoformat()
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = w.t("Rasmi")
    for (import_id, about), group in list(by_entity.items())[:FEED_ENTRIES]:
        entity = index.entities.get(about)
        [(at, lines)] = history(group, entity, lang, index)
        entry = ET.SubElement(root, "entry")
        label = w.name(entity) if entity else about
        ET.SubElement(entry, "title").text = (
            w.t("Update to the official accounts of {entity}", entity=label)
            if label
            else w.t("Update to the registry of official accounts")
        )
        ET.SubElement(entry, "id").text = f"{base}/changes/{import_id}/{about}"
        ET.SubElement(entry, "updated").text = _utc(at).isoformat()
        if entity is not None:
            ET.SubElement(entry, "link", {"href": f"{base}/{lang}/entities/{entity.id}"})
        ET.SubElement(entry, "content", {"type": "text"}).text = "\n".join(lines)
    xml = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return body(
        ('<?xml version="1.0" encoding="utf-8"?>\n' + xml).encode(),
        "application/atom+xml; charset=utf-8",
    )


async def _last_import_time(s: Site) -> dt.datetime:
    """When the registry was last imported: a feed with no change yet was updated then."""
    async with s.services.sessions() as session:
        last = await RegistryRepository(session).last_import()
    return last.at if last is not None else dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
