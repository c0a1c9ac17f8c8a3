"""Alembic environment. Rasmi calls migrations with an open connection (`db.engine.migrate`);
the `alembic` command line (for writing new revisions) connects to DATABASE_URL itself."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from db.engine import default_database_url

target_metadata = SQLModel.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    """DATABASE_URL from the environment, else Rasmi's default SQLite file (as the
    settings give it): db/ never imports bot/, where the settings live."""
    from db.engine import create_engine

    url = os.environ.get("DATABASE_URL") or default_database_url()
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    asyncio.run(run_from_settings())
