"""Wiring the Telegram Application: settings, database, index, handlers, menus, jobs.

`rasmi run` calls `run()`: long polling by default, a webhook when WEBHOOK_URL is set.
PTB stops cleanly on SIGINT and SIGTERM (its default stop signals) and `post_shutdown`
disposes of the database engine.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from apscheduler.triggers.cron import CronTrigger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
from bot.delivery import OutboxSender, Pace
from bot.rate_limiter import QueueRateLimiter
from bot.redis_budget import RedisBudget, RedisFloodGate
from bot.registry_commands import ensure_imported
from bot.registry_sync import sync_registry
from bot.send_queue import Limits, SendQueue
from bot.settings import Settings
from db.engine import create_engine, migrate, session_factory
from db.registry_events import RegistryWatcher
from db.registry_index import IndexCache
from db.repositories.users import PreferenceRepository
from handlers import conversation
from handlers.backlog import ALERTS_CAP
from handlers.context import SERVICES, Services
from handlers.flood import SHARED_FLOOD
from knowledge.i18n import N_, Messages
from knowledge.understand import LANGUAGES

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
"""Answers carry several links; previews of them would bury the answer."""

QUESTION_LOG_SECONDS = 5.0
"""How often buffered questions are written to the question log."""
DRAIN_SECONDS = 1.0
"""How often the outbox is drained."""

_ENGINE = "db_engine"
_SETTINGS = "settings"
_SENDER = "outbox_sender"
_WATCHER = "registry_watcher"
_QUEUE = "send_queue"
_REDIS = "redis"
PAID_WORKERS = 16
CONNECTIONS = 16
"""HTTP connections to the Bot API for sending (long polling has its own)."""
POOL_WAIT = 30.0
"""Seconds a send may wait for a free connection (PTB's default, 1 s, would lose replies
in a burst; a send that waited for a connection was never sent, so nothing is doubled)."""
"""Alerts in flight at once with paid broadcasts: 1,000/s at about 15 ms a message."""

COMMANDS = (
    ("start", N_("Start and see examples")),
    ("verify", N_("Check a handle or a link")),
    ("spokesperson", N_("Who speaks for a body")),
    ("language", N_("Choose the language")),
    ("help", N_("What you can ask")),
    ("subscribe", N_("Follow a body's accounts")),
    ("subscriptions", N_("What you follow")),
    ("unsubscribe", N_("Stop alerts")),
    ("digest", N_("Alerts once a day")),
    ("about", N_("Where the data comes from")),
)


def send_limits(settings: Settings) -> Limits:
    """The send queue's limits, from the settings."""
    return Limits(
        per_second=settings.send_per_second,
        alerts_per_second=settings.alerts_per_second,
        chat_interval=settings.send_per_chat_interval,
        group_per_minute=settings.send_group_per_minute,
        max_age=settings.reply_max_age,
        paid_alerts=settings.alerts_paid_broadcast,
    )


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot, ready to initialize. Tests pass recording `request` objects; everything
    else comes from the settings."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    replica = uuid.uuid4().hex[:12]
    # One budget per bot: Telegram counts per token, and a Redis may serve several bots.
    prefix = f"rasmi:{settings.telegram_bot_token.get_secret_value().split(':')[0]}:"
    budget = RedisBudget(redis, replica, prefix) if redis else None
    queue = SendQueue(send_limits(settings), budget)
    builder = (
        ApplicationBuilder()
        .rate_limiter(QueueRateLimiter(queue))
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .concurrent_updates(True)
        .post_init(prepare)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        # Sends go out one turn at a time, so a few connections carry them all; PTB's 256
        # cost more CPU than the answers themselves (httpcore scans every connection for
        # each request it places). A turn granted while all are busy waits for one.
        builder = builder.connection_pool_size(CONNECTIONS).pool_timeout(POOL_WAIT)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    application.bot_data[SERVICES] = Services(
        sessions=sessions,
        index_cache=IndexCache(sessions),
        default_lang=settings.default_language,
        admin_ids=frozenset(settings.admin_ids),
    )
    application.bot_data[_ENGINE] = engine
    application.bot_data[_SETTINGS] = settings
    application.bot_data[_QUEUE] = queue
    application.bot_data[ALERTS_CAP] = queue.limits.alerts_cap
    if redis is not None:
        application.bot_data[_REDIS] = redis
        application.bot_data[SHARED_FLOOD] = RedisFloodGate(
            redis, application.bot_data[SERVICES].flood, replica, prefix
        )
    application.bot_data[conversation.WINDOW] = dt.timedelta(minutes=settings.follow_up_minutes)
    handlers.register(application)
    return application


async def prepare(application: Application) -> None:  # type: ignore[type-arg]
    """Before the first update (PTB's post_init): schema, registry, index, command menus,
    the job that picks up registry imports."""
    settings: Settings = application.bot_data[_SETTINGS]
    engine: AsyncEngine = application.bot_data[_ENGINE]
    await migrate(engine)
    services: Services = application.bot_data[SERVICES]
    await ensure_imported(services.sessions, settings.registry_path)
    await services.index_cache.current()
    # Every import, by this process or another, is served at once (db/registry_events.py).
    watcher = RegistryWatcher(engine, services.index_cache)
    await watcher.start()
    application.bot_data[_WATCHER] = watcher
    async with services.sessions() as session:
        services.languages.update(await PreferenceRepository(session).all_languages())
    await set_command_menus(application)
    sender = OutboxSender(
        services.sessions,
        application.bot,
        index=lambda: services.index_cache.latest,
        pace=Pace(
            settings.alerts_per_second,
            settings.alerts_per_chat_interval,
            workers=PAID_WORKERS if settings.alerts_paid_broadcast else 1,
            paid_broadcast=settings.alerts_paid_broadcast,
        ),
        queue=application.bot_data[_QUEUE],
    )
    # A lone process (SQLite) takes back every row left `sending`; a replica, only those
    # whose lease ran out (the others may be sending theirs).
    await sender.recover(everything=engine.dialect.name == "sqlite")
    application.bot_data[_SENDER] = sender
    schedule_jobs(application, settings)


def schedule_jobs(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """The repeating work. misfire_grace_time keeps a busy moment from silently skipping
    a run (APScheduler's default grace is one second)."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _drain_outbox,
            interval=DRAIN_SECONDS,
            first=DRAIN_SECONDS,
            name="drain-outbox",
            job_kwargs={"misfire_grace_time": 30, "coalesce": True, "max_instances": 1},
        )
        if settings.registry_sync_cron:
            application.job_queue.run_custom(
                sync_registry,
                job_kwargs={
                    "trigger": CronTrigger.from_crontab(
                        settings.registry_sync_cron, timezone=dt.UTC
                    ),
                    "misfire_grace_time": 3600,
                    "coalesce": True,
                },
                name="sync-registry",
            )
        for callback, seconds, name in (
            (_flush_question_log, QUESTION_LOG_SECONDS, "flush-question-log"),
        ):
            application.job_queue.run_repeating(
                callback,
                interval=seconds,
                first=seconds,
                name=name,
                job_kwargs={"misfire_grace_time": int(seconds)},
            )


async def set_command_menus(application: Application) -> None:  # type: ignore[type-arg]
    """One menu per language; the menu without a language is Arabic, the default."""
    for lang in LANGUAGES:
        t = Messages(lang)
        menu = [BotCommand(name, t(description)) for name, description in COMMANDS]
        await application.bot.set_my_commands(menu, language_code=lang)
        if lang == "ar":
            await application.bot.set_my_commands(menu)


async def _drain_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender: OutboxSender = context.bot_data[_SENDER]
    # A little under the interval, so the next run is never skipped as still running
    # (that would halve the pace).
    await sender.drain(DRAIN_SECONDS * 0.9)


async def _flush_question_log(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.bot_data[SERVICES]
    await services.flush_question_log()


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """After the last update: the buffered question log is written, the pool closed."""
    services: Services = application.bot_data[SERVICES]
    await services.flush_question_log()
    watcher: RegistryWatcher | None = application.bot_data.get(_WATCHER)
    if watcher is not None:
        await watcher.stop()
    engine: AsyncEngine = application.bot_data[_ENGINE]
    await engine.dispose()
    redis: Redis | None = application.bot_data.get(_REDIS)
    if redis is not None:
        await redis.aclose()


def run(settings: Settings) -> int:
    """Serve until stopped: a webhook when one is configured, else long polling."""
    application = build_application(settings)
    if settings.webhook_url:
        log.info("serving a webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=(
                settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            ),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("polling Telegram for updates")
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=5)
    return 0
