"""Background jobs: work that must not hold up Slack's 3-second acknowledgement.

The interface is one method, ``submit(fn, *args)``: run ``fn(*args)`` soon, somewhere, once.
Callers pass a plain function (or bound method) and JSON-able arguments only -- a dict, strings,
numbers -- so that a queue backend can carry them to another process unchanged.

``InProcessJobs`` (the default) runs jobs on a bounded thread pool in this process. Threads are
right here: a vetting spends its time waiting on sources and on Slack, not on the CPU. On a clean
shutdown (gunicorn's graceful stop, SIGTERM on Heroku) the interpreter waits for running jobs.
Its ``AckFirst`` gate (shared with ``bot.wsgi``) lets a job start only once no Slack request is
being acknowledged in this process (or after 0.25 s): one GIL serves both, and acknowledgements
are the part with a deadline (Slack's 3 s).

An RQ backend (when ``REDIS_URL`` is set) belongs behind the same ``submit``; ``build_jobs`` in
``bot.wiring`` chooses. It will need ``fn`` to be importable by name in the worker, which holds
for the Slack vetting job (``bot.slack.vetting.SlackVetter.run`` on the worker's own services).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: enough for bursts of concurrent vettings: each mostly waits on I/O
DEFAULT_MAX_WORKERS = 48


class Jobs(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        """Run ``fn(*args)`` in the background. Never raises because the job failed."""

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting jobs; with ``wait`` let running ones finish."""


class AckFirst:
    """Acknowledgements before background work, in one process (one GIL): a job starts once no
    Slack request is being answered, or after ``max_wait_s`` at the latest. Under a burst of
    commands this keeps every acknowledgement fast; the vettings start a moment later."""

    def __init__(self, max_wait_s: float = 0.25):
        self.max_wait_s = max_wait_s
        self._inflight = 0
        self._quiet = threading.Condition()

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._quiet:
            self._inflight += 1
        try:
            yield
        finally:
            with self._quiet:
                self._inflight -= 1
                if not self._inflight:
                    self._quiet.notify_all()

    def wait_quiet(self) -> None:
        with self._quiet:
            self._quiet.wait_for(lambda: not self._inflight, timeout=self.max_wait_s)


class InProcessJobs:
    def __init__(self, max_workers: int = DEFAULT_MAX_WORKERS, gate: AckFirst | None = None):
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="job")
        self.gate = gate or AckFirst()

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        future = self._pool.submit(self._run, fn, *args)
        future.add_done_callback(_log_failure)

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.gate.wait_quiet()
        return fn(*args)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


class InlineJobs:
    """Runs the job at once in the caller's thread (scripts and some tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            log.error("background job failed: %s", type(exc).__name__)

    def shutdown(self, wait: bool = True) -> None:
        pass


def _log_failure(future: Future) -> None:
    exc = future.exception()
    if exc is not None:  # the message may quote candidate data: log the type only
        log.error("background job failed: %s", type(exc).__name__)
