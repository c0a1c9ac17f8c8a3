"""The running directory: its services, caches and templates, kept on `app.state.site`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from db.services import Services
from knowledge.index import RegistryIndex
from knowledge.understand import Lang
from web.config import WebConfig
from web.http import Body, BodyCache, VersionCache, body
from web.words import LANGS, LANGUAGE_NAMES, words

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def environment() -> Environment:
    """Autoescape on for every template: registry text and questions are never HTML."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass(frozen=True)
class Answered:
    """An API answer's body, and what the question log keeps of it."""

    body: Body
    lang: Lang
    intent: str
    answered: bool


@dataclass
class Site:
    config: WebConfig
    services: Services
    env: Environment = field(default_factory=environment)
    bodies: BodyCache = field(default_factory=BodyCache)
    answers: VersionCache[Answered] = field(default_factory=VersionCache)
    """API answers by question: the same handle is asked again and again."""

    @property
    def index(self) -> RegistryIndex:
        return self.services.index_cache.latest

    @property
    def version(self) -> str:
        return self.index.version

    def page(self, template: str, lang: Lang, path: str, status: int = 200, **values: Any) -> Body:
        """A page in `lang`: the template with the language's words, and the same page's
        address in the other languages for the language links."""
        w = words(lang)
        html = self.env.get_template(template).render(
            w=w,
            t=w.t,
            plural=w.plural,
            lang=lang,
            path=path,
            langs=LANGS,
            language_names=LANGUAGE_NAMES,
            bot=self.config.bot_username,
            year=dt.datetime.now(dt.UTC).year,
            **values,
        )
        return body(html.encode(), "text/html; charset=utf-8", status)


def site(request: Request) -> Site:
    found: Any = request.app.state.site
    assert isinstance(found, Site)
    return found
