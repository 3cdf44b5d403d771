"""One small in-memory cache for every source: entries expire after ``ttl_s`` seconds, the least
recently used go first past ``max_entries``, safe across threads. ``ttl_s <= 0`` disables it.

``LayeredCache`` puts one in front of a shared JSON cache (the store's ``DbCache``, which every dyno
sees); a failure of the shared layer never reaches the caller."""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Generic, Protocol, TypeVar

V = TypeVar("V")
log = logging.getLogger(__name__)


class TtlCache(Generic[V]):
    def __init__(self, ttl_s: float, max_entries: int = 2048,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The live value, or None (never stored, expired or evicted)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, value: V) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + self.ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class JsonCache(Protocol):
    """A shared key/value cache of JSON values (the store's ``DbCache``): string keys, expiry its own."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...


#: How long a check waits for the shared cache. A database busy with another writer (SQLite) or
#: unreachable (PostgreSQL's 10 s connect timeout) must not turn an answer the source already gave
#: into a timeout: past this the read is a miss and the write carries on in the background.
SHARED_WAIT_S = 0.5
_MAX_PENDING = 32  # calls still running on a stuck database; beyond this they are skipped at once
_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pending = 0


def _bounded(call: Callable[[], Any], what: str) -> Any | None:
    global _pool, _pending
    with _pool_lock:
        if _pending >= _MAX_PENDING:
            log.warning("shared cache %s skipped: the database is not answering", what)
            return None
        if _pool is None or _pool[0] != os.getpid():  # pool threads do not survive a fork
            _pool = (os.getpid(), ThreadPoolExecutor(4, thread_name_prefix="shared-cache"))
        _pending += 1
        pool = _pool[1]

    def run() -> Any:
        global _pending
        try:
            return call()
        finally:
            with _pool_lock:
                _pending -= 1

    future = pool.submit(run)
    try:
        return future.result(timeout=SHARED_WAIT_S)
    except FutureTimeout:
        log.warning("shared cache %s slower than %.1fs; going on without it", what, SHARED_WAIT_S)
    except Exception as exc:  # a cache must never fail the check that uses it
        log.warning("shared cache %s failed (%s)", what, type(exc).__name__)
    return None


def shared_get(cache: JsonCache | None, key: str) -> Any | None:
    """Read a shared cache, waiting at most ``SHARED_WAIT_S``; a failure or a slow database is a
    miss (the caller falls through to the source)."""
    if cache is None:
        return None
    return _bounded(lambda: cache.get(key), "read")


def shared_set(cache: JsonCache | None, key: str, value: Any) -> None:
    """Write a shared cache, waiting at most ``SHARED_WAIT_S`` (the write goes on without the
    caller); a failure is a lost write, never an error."""
    if cache is None:
        return
    _bounded(lambda: cache.set(key, value), "write")


class LayeredCache:
    """An in-memory ``TtlCache`` in front of a shared ``JsonCache``: a ``JsonCache`` itself, for JSON
    values. A hit in the shared layer is copied into memory; a shared-layer failure is a miss or a
    lost write. Keep ``memory_ttl_s`` short: another process's erasure (``purge --candidate``) clears
    only the shared layer, so an in-memory copy lives on for at most that long."""

    def __init__(self, shared: JsonCache | None, memory_ttl_s: float, max_entries: int = 2048,
                 clock: Callable[[], float] = time.monotonic):
        self.shared = shared
        self.memory: TtlCache[Any] = TtlCache(memory_ttl_s, max_entries, clock)

    def get(self, key: str) -> Any | None:
        value = self.memory.get(key)
        if value is None:
            value = shared_get(self.shared, key)
            if value is not None:
                self.memory.put(key, value)
        return value

    def set(self, key: str, value: Any) -> None:
        self.memory.put(key, value)
        shared_set(self.shared, key, value)
