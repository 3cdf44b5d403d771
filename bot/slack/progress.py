"""Progress on the parent message, at most one ``chat.update`` every ``interval_s`` per vetting.

``update`` never blocks the vetting: it keeps only the latest state and, when the interval has not
passed, schedules one send for when it has (a timer thread). ``finish`` is called once with the
final state: it cancels anything pending, waits out the interval, and sends synchronously, so the
final level always lands last and is never dropped by the throttle.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class ThrottledUpdater:
    def __init__(self, send: Callable[[Any], None], *, interval_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._send = send
        self.interval_s = interval_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()  # one chat.update at a time, in order
        self._pending: Any = None
        self._timer: threading.Timer | None = None
        self._closed = False
        self.last_sent = clock()  # the parent was just posted: that counts as the first write
        self.sent = 0

    def update(self, state: Any) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending = state
            if self._timer is not None:
                return
            wait = self.last_sent + self.interval_s - self._clock()
            if wait <= 0:
                self._timer = threading.Timer(0, self._flush)
            else:
                self._timer = threading.Timer(wait, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        with self._send_lock:
            with self._lock:
                self._timer = None
                state, self._pending = self._pending, None
                if self._closed or state is None:
                    return
                self.last_sent = self._clock()
            self._do_send(state)

    def finish(self, state: Any) -> None:
        with self._lock:
            self._closed = True
            self._pending = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        with self._send_lock:  # an update already in flight completes first
            wait = self.last_sent + self.interval_s - self._clock()
            if wait > 0:
                self._sleep(wait)
            self.last_sent = self._clock()
            self._do_send(state)

    def _do_send(self, state: Any) -> None:
        try:
            self._send(state)
            self.sent += 1
        except Exception as exc:  # progress is best effort; the thread reply carries the result
            log.warning("progress update failed: %s", type(exc).__name__)
