"""Shared key/value caches with expiry (RDAP answers, phone lookups ...) and leases ("only one dyno
runs the daily refresh"), both in the audit database so every dyno sees them.

Cache keys are stored as keyed hashes (a phone lookup is keyed by a phone number); values are JSON.
A cache never fails its caller: a database error reads as a miss and a lost write, with a warning.

The namespaces and their keys (``bot.wiring`` fills them; ``bot.store_purge`` erases by them):
``rdap`` -- the ASCII domain name; ``phone_lookup`` -- the E.164 number; ``chain_history`` --
``chain|address|cap`` as ``checks.sources.chains`` makes it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot import store_models as m
from bot.store import StoreError, utc

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)
_C = m.cache_entries.c
_L = m.leases.c
RDAP, PHONE_LOOKUP, CHAIN_HISTORY = "rdap", "phone_lookup", "chain_history"


def key_hash(secret_key: bytes, namespace: str, key: str) -> str:
    """What ``cache_entries.key`` holds for ``key`` in ``namespace``."""
    return hmac.new(secret_key, f"{namespace}\x00{key}".encode(), hashlib.sha256).hexdigest()


def _upsert(conn: Connection, row: dict) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(m.cache_entries).values(row)
    conn.execute(stmt.on_conflict_do_update(index_elements=["namespace", "key"],
                                            set_={"value": stmt.excluded.value,
                                                  "expires_at": stmt.excluded.expires_at}))


class DbCache:
    """One namespace of the shared cache: ``get(key)`` / ``set(key, value, ttl_s)`` / ``delete(key)``."""

    def __init__(self, store: Store, namespace: str, key: bytes, default_ttl_s: float = 86400.0):
        if not namespace or len(namespace) > 32:
            raise ValueError("cache namespace must be 1-32 characters")
        self._store = store
        self.namespace = namespace
        self._key = key
        self.default_ttl_s = default_ttl_s

    def _hash(self, key: str) -> str:
        return key_hash(self._key, self.namespace, key)

    def get(self, key: str) -> Any | None:
        try:
            with self._store.engine.connect() as conn:
                row = conn.execute(select(_C.value, _C.expires_at).where(
                    _C.namespace == self.namespace, _C.key == self._hash(key))).first()
        except SQLAlchemyError as exc:
            log.warning("cache %s unavailable (%s)", self.namespace, type(exc).__name__)
            return None
        if row is None or utc(row.expires_at) <= self._store.now():
            return None
        return row.value

    def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        ttl = self.default_ttl_s if ttl_s is None else ttl_s
        # Entries never outlive the retention period (a cached lookup may hold personal data).
        ttl = min(ttl, self._store.retention_days * 86400)
        row = {"namespace": self.namespace, "key": self._hash(key), "value": value,
               "expires_at": self._store.now() + timedelta(seconds=ttl)}
        try:
            with self._store.write() as conn:
                _upsert(conn, row)
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("cache %s not written (%s)", self.namespace, type(exc).__name__)

    def delete(self, key: str) -> None:
        try:
            with self._store.write() as conn:
                conn.execute(delete(m.cache_entries).where(_C.namespace == self.namespace,
                                                           _C.key == self._hash(key)))
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("cache %s entry not deleted (%s)", self.namespace, type(exc).__name__)


def delete_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(m.cache_entries).where(_C.expires_at <= now)).rowcount or 0


def delete_keys(conn: Connection, secret_key: bytes, namespace: str, keys: Iterable[str]) -> int:
    """Erase these keys' entries from one namespace (``purge --candidate``)."""
    hashes = sorted({key_hash(secret_key, namespace, k) for k in keys})
    if not hashes:
        return 0
    return conn.execute(delete(m.cache_entries).where(_C.namespace == namespace,
                                                      _C.key.in_(hashes))).rowcount or 0


def delete_namespace(conn: Connection, namespace: str) -> int:
    return conn.execute(delete(m.cache_entries).where(_C.namespace == namespace)).rowcount or 0


def acquire_lease(store: Store, name: str, holder: str, ttl_s: float, now: datetime | None = None) -> bool:
    """Take (or renew) the named lease until now + ttl_s; False while someone else holds it."""
    now = now or store.now()
    expires = now + timedelta(seconds=ttl_s)
    try:
        with store.write() as conn:
            query = select(_L.holder, _L.expires_at).where(_L.name == name)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                conn.execute(insert(m.leases).values(name=name, holder=holder, expires_at=expires))
                return True
            if row.holder != holder and utc(row.expires_at) > now:
                return False
            conn.execute(update(m.leases).where(_L.name == name).values(holder=holder, expires_at=expires))
            return True
    except IntegrityError:  # another process inserted it first
        return False


def release_lease(store: Store, name: str, holder: str) -> None:
    with store.write() as conn:
        conn.execute(delete(m.leases).where(_L.name == name, _L.holder == holder))
