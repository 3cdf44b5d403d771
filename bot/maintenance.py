"""Daily upkeep: refresh the OFAC sanctions list and purge data past retention.

It runs in a daemon thread -- of every ``vetcandidate worker`` when ``REDIS_URL`` is set, else of
the web process (started after boot, first run ``FIRST_DELAY_S`` later: never on the boot path).
Each thread wakes every ``CHECK_EVERY_S``; the store's ``daily-maintenance`` lease makes one
process do the day's work: taken for ``LOCK_TTL_S`` while working, then held for the rest of the day
after success, released after a failure so that the next wake-up (on any dyno) tries again.
Logs carry counts and outcomes only.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings

log = logging.getLogger(__name__)

LEASE = "daily-maintenance"
DAY_S = 24 * 3600
LOCK_TTL_S = 3600
CHECK_EVERY_S = 3600
FIRST_DELAY_S = 60

Task = Callable[[], bool]


def holder_id() -> str:
    return f"{os.environ.get('DYNO') or socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def default_tasks(settings: Settings, store: Any) -> list[Task]:
    return [lambda: refresh_sanctions(settings, store), lambda: purge(store)]


def refresh_sanctions(settings: Settings, store: Any) -> bool:
    from bot.wiring import build_http
    from checks.sources.sanctions_store import refresh

    outcome = refresh(store.sanctions(), build_http(settings), settings.ofac_sdn_url, now=datetime.now(UTC))
    if not outcome.ok:
        log.error("daily sanctions refresh failed: %s", outcome.reason)
        return False
    log.info("daily sanctions refresh: %s, edition %s", outcome.status,
             outcome.index.publish_date.isoformat())
    return True


def purge(store: Any) -> bool:
    result = store.purge()
    log.info("daily purge: %d vettings, %d fingerprints removed", result.vettings, result.fingerprints)
    return True


def run_daily(store: Any, tasks: Sequence[Task], *, holder: str | None = None) -> bool:
    """Do the day's tasks unless another process holds the lease (working, or done today).
    True when this call did the work (even if a task failed), False when it was not its turn.
    ``holder`` must be new for each run (the default): a holder may renew its own lease."""
    holder = holder or holder_id()
    if not store.acquire_lease(LEASE, holder, LOCK_TTL_S):
        return False
    ok = True
    try:
        for task in tasks:
            try:
                ok = task() and ok
            except Exception as exc:  # one task failing does not skip the others
                log.error("daily maintenance task failed: %s", type(exc).__name__)
                ok = False
    finally:
        try:
            if ok:  # done for the day: keep the lease so no other dyno repeats it
                store.acquire_lease(LEASE, holder, DAY_S - CHECK_EVERY_S / 2)
            else:
                store.release_lease(LEASE, holder)
        except Exception as exc:
            log.error("maintenance lease not updated: %s", type(exc).__name__)
    log.info("daily maintenance %s", "done" if ok else "incomplete; retried at the next wake-up")
    return True


def maintenance_loop(stop: threading.Event, store_factory: Callable[[], Any],
                     tasks_factory: Callable[[Any], Sequence[Task]], *, interval_s: float,
                     first_delay_s: float) -> None:
    delay = first_delay_s
    while not stop.wait(delay):
        delay = interval_s
        try:
            store = store_factory()
            if store is None:
                log.warning("daily maintenance skipped: no store")
                continue
            run_daily(store, tasks_factory(store))  # a fresh holder: a held day is not renewed
        except Exception as exc:  # e.g. database unreachable: try again at the next wake-up
            log.error("daily maintenance failed: %s", type(exc).__name__)


def start_background(settings: Settings, store_factory: Callable[[], Any], *,
                     interval_s: float = CHECK_EVERY_S, first_delay_s: float = FIRST_DELAY_S,
                     tasks_factory: Callable[[Any], Sequence[Task]] | None = None,
                     stop: threading.Event | None = None) -> threading.Thread:
    """Start the daily-maintenance daemon thread; returns at once."""
    tasks_factory = tasks_factory or (lambda store: default_tasks(settings, store))
    thread = threading.Thread(target=maintenance_loop, name="daily-maintenance", daemon=True,
                              args=(stop or threading.Event(), store_factory, tasks_factory),
                              kwargs={"interval_s": interval_s, "first_delay_s": first_delay_s})
    thread.start()
    return thread
