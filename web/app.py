"""The ASGI application: routes, middleware, and the services it shares with the bot.

At start it migrates the database and loads the index of the stored registry; a task
reads the registry's version every few seconds (an import by `rasmi registry import` or
the bot's sync is served at once), another writes the question log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from db.engine import create_engine, migrate, session_factory
from db.registry_index import IndexCache
from db.services import Services
from web import admin, api, data, pages
from web.config import WebConfig
from web.http import RateLimit, RateLimitMiddleware, json_error
from web.site import STATIC, Site

log = logging.getLogger(__name__)


def create_app(config: WebConfig) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(config.database_url)
        await migrate(engine)
        sessions = session_factory(engine)
        services = Services(sessions, IndexCache(sessions), config.default_lang)
        await services.index_cache.current()
        app.state.site = Site(config, services)
        tasks = [
            asyncio.create_task(_every(config.refresh_seconds, services.index_cache.current)),
            asyncio.create_task(_every(config.flush_seconds, services.flush_question_log)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.flush_question_log()
            await engine.dispose()

    lang = "/{lang:str}"
    routes = [
        Mount(
            "/api/v1",
            routes=[
                Route("/ask", api.ask),
                Route("/verify", api.verify),
                Route("/entities", api.entities),
                Route("/entities/{entity_id:str}", api.entity),
                Route("/changes", api.changes),
                Route("/openapi.json", api.openapi),
            ],
        ),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/data/registry.{fmt:str}", data.download),
        Route("/", pages.root),
        Route(lang + "/", pages.home),
        Route(lang + "/search", pages.search),
        Route(lang + "/verify", pages.verify),
        Route(lang + "/entities/{entity_id:str}", pages.entity_page),
        Route(lang + "/entities/{entity_id:str}/feed.atom", data.feed),
        Route(lang + "/kinds", pages.kinds_page),
        Route(lang + "/kinds/{kind:str}", pages.kind_page),
        Route(lang + "/policies", pages.policies_page),
        Route(lang + "/about", pages.about_page),
        Route(lang + "/feed.atom", data.feed),
        Route(lang + "/admin", admin.dashboard, methods=["GET", "POST"]),
        Route(lang + "/admin/questions.csv", admin.csv_export),
    ]
    # CORS outermost, so a page on another site can read a 429's Retry-After too.
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET"],
            expose_headers=["ETag", "Retry-After"],
        ),
        Middleware(RateLimitMiddleware, limit=RateLimit(config.rate_per_minute)),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """JSON under /api/, a page in the address's language elsewhere."""
    if request.url.path.startswith("/api/"):
        return await api.not_found(request, exc)
    return await pages.not_found(request, exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged by the server; the client gets a polite answer, JSON under /api/."""
    if request.url.path.startswith("/api/"):
        return json_error(500, "Something went wrong on our side; please try again later.")
    return await pages.not_found(request, HTTPException(500))


async def _every(seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    """Runs `job` every `seconds`; a failure (the database restarting) is logged and the
    next run tries again."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception:
            log.exception("web: %s failed; trying again in %s s", job, seconds)
