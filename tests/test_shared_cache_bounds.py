"""The shared cache never holds a check up: with another process holding SQLite's write lock (a
watchlist import, a purge), a cache write returns within ``SHARED_WAIT_S`` and lands in the
background once the lock is free; reads are never blocked (WAL)."""
from __future__ import annotations

import sqlite3
import time

from bot.config import Settings
from bot.store import Store
from checks.sources import ttl_cache
from checks.sources.ttl_cache import shared_get, shared_set


def test_a_write_behind_another_writer_does_not_hold_the_caller(tmp_path):
    store = Store.open(Settings.from_env({"VETCANDIDATE_DATA_DIR": str(tmp_path)}))
    try:
        cache = store.cache("rdap", 3600)
        other = sqlite3.connect(tmp_path / "vetcandidate.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        try:
            started = time.monotonic()
            shared_set(cache, "example.com", {"created": "2020-01-01"})
            assert time.monotonic() - started < ttl_cache.SHARED_WAIT_S + 0.5
            started = time.monotonic()
            assert shared_get(cache, "example.com") is None  # not written yet, and not waited for
            assert time.monotonic() - started < ttl_cache.SHARED_WAIT_S + 0.5
        finally:
            other.execute("ROLLBACK")
            other.close()
        deadline = time.monotonic() + 10
        while shared_get(cache, "example.com") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert shared_get(cache, "example.com") == {"created": "2020-01-01"}  # landed afterwards
    finally:
        store.close()
