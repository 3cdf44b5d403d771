"""Alembic environment. ``bot.store.migrate`` passes an open connection (already inside a
transaction, holding the migration lock) as ``config.attributes["connection"]``. Run by hand
(``alembic -c <ini with script_location=bot/migrations>``), it connects to ``DATABASE_URL``."""
from __future__ import annotations

from alembic import context

from bot.store_models import metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.config import Settings
    from bot.store_db import make_engine

    engine = make_engine(Settings.from_env())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `vetcandidate migrate`")
run_migrations_online()
