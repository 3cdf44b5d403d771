"""The ``watchlists`` source the ``watchlist`` check (and ``wallet_exposure``) receive: every list's
entries in memory, as hash indexes -- O(1) per identifier (a domain walks its own labels) -- loaded
once and reloaded only when the database's watchlist generation counter has moved.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from bot import store_models as m
from bot.store_db import utc
from bot.watchlists import generation
from checks import fingerprints as fp
from checks.errors import SourceUnavailable

log = logging.getLogger(__name__)


class Hit(NamedTuple):
    """One watchlist entry. For ``confirmed-fraud`` the value is never shown to a later vetting."""

    entry_id: int
    list_name: str
    kind: str
    value: str
    severity: str
    note: str
    reference: str
    vetting_id: str | None
    added: Any  # as the driver returns it; ``added_at`` is the aware datetime

    @property
    def added_at(self) -> datetime:
        when = self.added if isinstance(self.added, datetime) else datetime.fromisoformat(self.added)
        return utc(when)


@dataclass(frozen=True)
class _Person:  # the shape NameScreen indexes (an SDN individual), for ``name`` entries
    name: str
    profile_id: str
    aliases: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    is_individual: bool = True


class Snapshot:
    """An immutable view of every list at one generation."""

    def __init__(self, rows, key: bytes | None):
        self.exact: dict[tuple[str, str], list[Hit]] = {}
        self.names: list[Hit] = []
        self.resumes: dict[int, tuple[Hit, tuple[int, ...]]] = {}
        self.bands: dict[str, set[int]] = {}
        self.lists: set[str] = set()
        self.size = 0
        self._key = key
        for r in rows:  # id, list_name, kind, value, severity, note, reference, vetting_id, added_at, normal
            hit = Hit(*r[:9])
            self.size += 1
            self.lists.add(hit.list_name)
            kind, normal = r[2], r[9]
            if kind == "name":
                self.names.append(hit)
            elif kind == "resume":
                if key is not None:
                    sig = fp.unpack_signature(bytes.fromhex(normal))
                    self.resumes[hit.entry_id] = (hit, sig)
                    for band in fp.bands(key, sig):
                        self.bands.setdefault(band, set()).add(hit.entry_id)
            else:
                self.exact.setdefault((kind, normal), []).append(hit)
        self._screen = None
        self._screen_lock = threading.Lock()

    def lookup(self, kind: str, normal: str) -> list[Hit]:
        return list(self.exact.get((kind, normal), ()))

    def domain(self, host: str) -> list[Hit]:
        """Entries for ``host`` and every parent domain, label by label (``hr.evil.example`` ->
        ``evil.example`` -> ``example``): never a sibling that merely ends in the same letters."""
        labels = host.split(".")
        out: list[Hit] = []
        for i in range(len(labels)):
            out += self.exact.get(("domain", ".".join(labels[i:])), ())
        return out

    def name(self, name: str) -> list[tuple[Hit, float]]:
        """Guarded fuzzy matches (the sanctions name screen's rules) against ``name`` entries."""
        if not self.names:
            return []
        from checks.sanctions_name import NameScreen

        with self._screen_lock:
            if self._screen is None:
                self._screen = NameScreen(_Person(h.value, str(i)) for i, h in enumerate(self.names))
        return [(self.names[int(x.profile_id)], x.score) for x in self._screen.search(name)]

    def resume(self, text: str) -> list[tuple[Hit, float]]:
        if not self.resumes or self._key is None or not text:
            return []
        sig = fp.minhash(self._key, text)
        ids = {i for band in fp.bands(self._key, sig) for i in self.bands.get(band, ())}
        out = []
        for i in sorted(ids):
            hit, theirs = self.resumes[i]
            if (score := fp.similarity(sig, theirs)) >= fp.NEAR_DUPLICATE:
                out.append((hit, score))
        return out


class WatchlistIndex:
    """``ctx.source("watchlists")``. ``snapshot()`` asks the database for one integer (the
    generation) and reloads the entries only when it moved."""

    def __init__(self, engine: Engine, key: bytes | None = None, *,
                 on_load: Callable[[int], None] | None = None):
        self._engine = engine
        self._key = key
        self._lock = threading.Lock()
        self._gen: int | None = None
        self._snap: Snapshot | None = None
        self._on_load = on_load
        self._refresher: tuple[int, threading.Event] | None = None  # (pid, stop)

    @property
    def generation(self) -> int | None:
        """The generation held in memory (None before the first load)."""
        return self._gen

    def keep_fresh(self, interval_s: float = 15.0) -> threading.Event:
        """Load now and then poll the generation in a daemon thread, so that a change made by
        another process (an import, a confirmed fraud) is loaded here before a vetting needs it,
        instead of inside that vetting. Once per process: a forked child starts its own. Returns
        the event that stops the thread."""
        with self._lock:
            if self._refresher is not None and self._refresher[0] == os.getpid():
                return self._refresher[1]
            stop = threading.Event()
            self._refresher = (os.getpid(), stop)
        threading.Thread(target=self._refresh_loop, args=(stop, interval_s), daemon=True,
                         name="watchlist-refresh").start()
        return stop

    def _refresh_loop(self, stop: threading.Event, interval_s: float) -> None:
        delay = 0.0
        while not stop.wait(delay):
            delay = interval_s
            try:
                self.snapshot()
            except SourceUnavailable as exc:  # the next vetting reports it; keep polling
                log.warning("watchlist refresh failed: %s", exc)
            except Exception as exc:  # e.g. a malformed entry: never let the poller die for good
                log.error("watchlist refresh failed: %s", type(exc).__name__)

    def snapshot(self) -> Snapshot:
        try:
            with self._engine.connect() as conn:
                current = generation(conn)
                if self._snap is not None and current == self._gen:
                    return self._snap
                with self._lock:
                    if self._snap is None or current != self._gen:
                        e = m.watchlist_entries.c
                        rows = conn.exec_driver_sql(*_raw(e)) if conn.dialect.name == "sqlite" else \
                            conn.execute(select(e.id, e.list_name, e.kind, e.value, e.severity, e.note,
                                                e.reference, e.vetting_id, e.added_at, e.normal))
                        self._snap, self._gen = Snapshot(rows, self._key), current
                        if self._on_load:
                            self._on_load(current)
                    return self._snap
        except SQLAlchemyError as exc:
            raise SourceUnavailable(f"watchlists unavailable ({type(exc).__name__})") from None

    def wallet_hits(self, normal: str) -> list[Hit]:
        """For ``wallet_exposure``: watchlisted wallets, treated like sanctioned ones."""
        return self.snapshot().lookup("wallet", normal)


def _raw(_columns: Any) -> tuple[str]:
    """SQLite: skip SQLAlchemy's per-row datetime parsing (``Hit.added_at`` parses on demand)."""
    return ("SELECT id, list_name, kind, value, severity, note, reference, vetting_id, added_at, normal "
            "FROM watchlist_entries",)


def build_index(store) -> WatchlistIndex:
    return WatchlistIndex(store.engine, store._reuse_key)  # the reuse key: resume fingerprints compare
