"""For decision makers (admins only, with WEB_ADMIN_TOKEN): what the public asks.

Questions per day by language and by intent, the most-asked bodies, the unanswered
questions and their most common words, and the look-alike handles people asked about (a
burst of them may be an impersonation campaign); charts as server-rendered SVG; a CSV.
The question log keeps no user ids, so none can appear here.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import hmac
import io
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from db.repositories.insights import AskedText, DayCount, InsightsRepository
from knowledge.answer import Verdict
from knowledge.engine import Engine
from knowledge.normalize import tokens
from knowledge.understand import Lang
from web.http import PRIVATE, body, send
from web.pages import lang_of
from web.site import Site, site
from web.words import LANGUAGE_NAMES, words

COOKIE = "rasmi_admin"
DAYS = 30
ASKED = 2000
"""Distinct questions read for the bodies, words and look-alikes (the most asked)."""
TOP = 15
SHORT_WORDS = 2
"""Words this short (articles, particles) tell nothing about a gap."""


@dataclass(frozen=True)
class Insights:
    days: list[tuple[str, int]]
    by_lang: list[tuple[str, int]]
    by_intent: list[tuple[str, int]]
    bodies: list[tuple[str, str, int]]
    """(entity id, name, times asked)."""
    unanswered: list[tuple[str, int]]
    words: list[tuple[str, int]]
    lookalikes: list[tuple[str, str, int]]
    """(handle asked about, the official handle it resembles, times)."""


def cookie_value(token: str) -> str:
    """What the sign-in cookie holds: a digest of the token, never the token itself."""
    return hashlib.sha256(b"rasmi-admin:" + token.encode()).hexdigest()


def authorized(request: Request, token: str | None) -> bool:
    """The sign-in cookie, or the token itself as `Authorization: Bearer`."""
    if not token:
        return False
    cookie = request.cookies.get(COOKIE, "")
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
    return hmac.compare_digest(cookie.encode(), cookie_value(token).encode()) or (
        hmac.compare_digest(bearer.encode(), token.encode())
    )


async def dashboard(request: Request) -> Response:
    lang, s = lang_of(request), site(request)
    token = s.config.admin_token
    if request.method == "POST":
        # The form is urlencoded: read it without a multipart parser.
        form = parse_qs((await request.body()).decode(errors="replace"))
        given = form.get("token", [""])[0]
        if token and hmac.compare_digest(given.encode(), token.encode()):
            response = RedirectResponse(f"/{lang}/admin", 303)
            response.set_cookie(
                COOKIE, cookie_value(given), httponly=True, samesite="strict", path="/"
            )
            return response
        return send(request, s.page("login.html", lang, "/admin", 403, failed=True), PRIVATE)
    if not authorized(request, token):
        status = 404 if not token else 401
        if status == 404:
            return send(request, s.page("error.html", lang, "/", 404, code=404), PRIVATE)
        return send(request, s.page("login.html", lang, "/admin", 401, failed=False), PRIVATE)
    found = await insights(s, lang)
    return send(request, s.page("admin.html", lang, "/admin", insights=found, days=DAYS), PRIVATE)


async def csv_export(request: Request) -> Response:
    lang, s = lang_of(request), site(request)
    if not authorized(request, s.config.admin_token):
        return send(request, s.page("error.html", lang, "/", 404, code=404), PRIVATE)
    rows = await _per_day(s)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "lang", "intent", "questions", "unanswered"])
    for row in rows:
        writer.writerow([row.day, row.lang, row.intent, row.questions, row.unanswered])
    response = send(request, body(out.getvalue().encode(), "text/csv; charset=utf-8"), PRIVATE)
    response.headers["Content-Disposition"] = 'attachment; filename="rasmi-questions.csv"'
    return response


async def _per_day(s: Site) -> list[DayCount]:
    async with s.services.sessions() as session:
        return await InsightsRepository(session).per_day(_since())


def _since() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=DAYS)


async def insights(s: Site, lang: Lang) -> Insights:
    async with s.services.sessions() as session:
        repository = InsightsRepository(session)
        per_day = await repository.per_day(_since())
        asked = await repository.texts(_since(), ASKED)
    return await asyncio.to_thread(summarize, per_day, asked, s.services.engine, lang)


def summarize(
    per_day: list[DayCount], asked: list[AskedText], engine: Engine, lang: Lang
) -> Insights:
    """Counts, and what the engine makes of the most-asked questions (CPU work: run in a
    worker thread)."""
    days: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    for row in per_day:
        days[row.day] += row.questions
        langs[row.lang] += row.questions
        intents[row.intent] += row.questions
    bodies: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    missed_words: Counter[str] = Counter()
    lookalikes: Counter[tuple[str, str]] = Counter()
    for item in asked:
        answer = engine.answer(item.text)
        if answer.confident is not None:
            bodies[answer.confident.current.id] += item.times
        for v in answer.verifications:
            if v.verdict in (Verdict.LOOKALIKE, Verdict.KNOWN_FAKE):
                resembles = v.official.handle if v.official else ""
                lookalikes[(v.handle, resembles)] += item.times
        if not item.answered:
            missed[item.text] += item.times
            for word in set(tokens(item.text)):
                if len(word) > SHORT_WORDS:
                    missed_words[word] += item.times
    w = words(lang)
    index = engine.index
    return Insights(
        days=sorted(days.items()),
        by_lang=[(LANGUAGE_NAMES.get(code, code), n) for code, n in langs.most_common()],
        by_intent=intents.most_common(),
        bodies=[(i, w.name(index.entities[i]), n) for i, n in bodies.most_common(TOP)],
        unanswered=missed.most_common(TOP),
        words=missed_words.most_common(TOP),
        lookalikes=[(h, o, n) for (h, o), n in lookalikes.most_common(TOP)],
    )
