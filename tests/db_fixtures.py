"""Real-database fixtures: every store test runs on SQLite (a temp file) and on the real PostgreSQL
(a uniquely named schema, dropped afterwards). When PostgreSQL (or Redis) is unreachable the test
SKIPS on a laptop with the reason, but FAILS under ``CI=true`` (``.ci/run`` starts both services).

Import the fixtures into the test module: ``from tests.db_fixtures import db_env_fixture, pg_url_fixture,
store_fixture  # noqa: F401`` (a fixture's name is the part before ``_fixture``; ``pg_url`` is needed by
``db_env``). If these move to tests/conftest.py, the imports simply go.
Override the servers with ``VETCANDIDATE_TEST_PG_URL`` / ``VETCANDIDATE_TEST_REDIS_URL``.
"""
from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest

PG_URL = os.environ.get("VETCANDIDATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VETCANDIDATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_SECRET = "test-secret-0123456789abcdef"


def unavailable(reason: str) -> None:
    """Skip with ``reason``; under CI=true a missing service is a failure, not a skip."""
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason} (CI=true: the real service is required)", pytrace=False)
    pytest.skip(reason)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or ''}{parts.path}"


@functools.cache
def pg_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means: no usable server
        detail = " ".join(str(exc).split())[:120]
        return f"PostgreSQL not reachable at {_where(PG_URL)} ({type(exc).__name__}: {detail})"
    return None


@functools.cache
def redis_problem() -> str | None:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                return f"Redis at {_where(REDIS_URL)} did not answer PING"
    except OSError as exc:
        return f"Redis not reachable at {_where(REDIS_URL)} ({exc})"
    return None


@pytest.fixture(name="pg_url")
def pg_url_fixture() -> Iterator[str]:
    """A DATABASE_URL whose search_path is a fresh, empty schema (dropped after the test)."""
    if (problem := pg_problem()) is not None:
        unavailable(problem)
    import psycopg

    schema = f"vc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(name="redis_url")
def redis_url_fixture() -> str:
    if (problem := redis_problem()) is not None:
        unavailable(problem)
    return REDIS_URL


@pytest.fixture(name="db_env", params=["sqlite", "postgresql"])
def db_env_fixture(request, tmp_path) -> dict[str, str]:
    """Environment for one backend: SQLite (default URL, file in the data dir) or PostgreSQL."""
    env = {"VETCANDIDATE_DATA_DIR": str(tmp_path / "data"), "CHECK_TIMEOUT_S": "5",
           "VETTING_DEADLINE_S": "8", "LOG_LEVEL": "WARNING"}
    if request.param == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("pg_url")
        env["VETCANDIDATE_SECRET"] = TEST_SECRET
    return env


@pytest.fixture(name="store")
def store_fixture(db_env):
    from bot.config import Settings
    from bot.store import Store

    opened = Store.open(Settings.from_env(db_env), upgrade=True)
    try:
        yield opened
    finally:
        opened.close()
