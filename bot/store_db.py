"""The database underneath the audit store: the URL (SQLite default, ``postgres://`` accepted), the
engine (SQLite with real transactions and WAL), the fingerprint secret, and Alembic migrations run
programmatically under a lock."""
from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from bot.config import ConfigError, Settings

# Alembic narrates its set-up at INFO; the store logs the one line that matters ("upgraded from ...").
for _name in ("alembic.runtime.plugins", "alembic.runtime.migration"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_RETENTION_DAYS = 180
DB_FILE = "vetcandidate.db"
SECRET_FILE = "secret"
MIN_SECRET_LENGTH = 16
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x7665_7463  # "vetc": one `migrate` at a time across dynos


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they are UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def retention_days(settings: Settings) -> int:
    return settings.retention_days or DEFAULT_RETENTION_DAYS


def database_url(settings: Settings) -> URL:
    raw = settings.database_url or f"sqlite:///{settings.data_dir / DB_FILE}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError("DATABASE_URL is not a database URL (sqlite:///PATH or postgresql://...)") from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, not SQLAlchemy's default psycopg2
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL: unsupported database {backend!r} (use SQLite or PostgreSQL)")
    return url


def load_secret(settings: Settings, url: URL) -> str:
    """``VETCANDIDATE_SECRET``; required with PostgreSQL, created in the data dir for SQLite."""
    if settings.secret:
        if len(settings.secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"VETCANDIDATE_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return settings.secret
    if url.get_backend_name() != "sqlite":
        raise ConfigError("VETCANDIDATE_SECRET is required when DATABASE_URL points at PostgreSQL: it keys "
                          "the reuse fingerprints, and every dyno must share it (generate one with "
                          "`python -c \"import secrets; print(secrets.token_hex(32))\"`)")
    path = settings.data_dir / SECRET_FILE
    try:
        if (existing := path.read_text().strip()):
            return existing
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{SECRET_FILE}-{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    try:
        os.link(tmp, path)  # atomic create-if-absent: a concurrent first run keeps one secret
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


def make_engine(settings: Settings) -> Engine:
    url = database_url(settings)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True,  # errors carry no values
                             connect_args={"connect_timeout": 10})
    kwargs: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if url.database in (None, "", ":memory:"):
        kwargs["poolclass"] = StaticPool
    else:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, **kwargs)  # errors never carry bound values

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=0")  # the WAL switch retries on its own clock
        _wal(cursor)
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:  # writers take the lock up front: no upgrade deadlock
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def _wal(cursor: Any, within_s: float = 30.0) -> None:
    """WAL mode, which persists in the file: set once by whichever process opens a new database
    first. Switching needs a moment alone with the file while another process may be creating the
    schema, so it is retried (with busy_timeout 0: each try answers at once) for ``within_s``."""
    import sqlite3
    import time

    deadline = time.monotonic() + within_s
    pause = 0.05
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)


# -- migrations -----------------------------------------------------------------------------
def _alembic(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic(None)  # type: ignore[arg-type]
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def current_revision(engine: Engine) -> str:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def migrate(engine: Engine) -> tuple[str, str]:
    """Upgrade to the newest schema under a lock; returns (revision before, after)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        conn = conn.execution_options(write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            before = MigrationContext.configure(conn).get_current_revision() or ""
            command.upgrade(_alembic(conn), "head")
            after = MigrationContext.configure(conn).get_current_revision() or ""
    return before, after
