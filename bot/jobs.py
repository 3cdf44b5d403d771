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

``RqJobs`` (when ``REDIS_URL`` is set; ``build_jobs`` in ``bot.wiring`` chooses) puts the job on an
RQ queue instead, for ``vetcandidate worker`` (``bot.worker``). RQ carries a function *path*: the
Slack vetting (``SlackVetter.run``) travels as ``bot.jobs_entry.run_vetting``, which rebuilds the
vetter in the worker; other plain module-level functions travel under their own name. Arguments
are serialised as JSON. A job whose worker died is retried (``JOB_RETRIES``); ``checkpoint(key)``
gives the job a small record that survives the retry, so a reply is not posted twice. ``submit``
raises ``JobSubmitError`` when the job could not be queued (Redis unreachable), so the caller can
tell the user; the web process's Redis client gives up after ``REDIS_TIMEOUT_S``, well inside
Slack's 3-second acknowledgement.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: enough for bursts of concurrent vettings: each mostly waits on I/O
DEFAULT_MAX_WORKERS = 48
#: the RQ queue vetting jobs go to, and how long a finished job's record stays in Redis
QUEUE_NAME = "vetcandidate"
JOB_KEPT_S = 3600              # a finished job (and its arguments) in Redis
FAILED_JOB_KEPT_S = 24 * 3600  # a failed one, for `rq requeue`
#: a job whose worker died (or that failed) runs again, up to this many times
JOB_RETRIES = 3
#: a checkpoint outlives every retry of its job
CHECKPOINT_TTL_S = 24 * 3600
#: functions that cannot travel by their own name (bound methods), by ``__qualname__``
ROUTES = {"SlackVetter.run": "bot.jobs_entry.run_vetting"}
#: connect and read timeout of the enqueuing Redis client (no retries): an unreachable Redis is
#: reported to the user instead of holding up the acknowledgement
REDIS_TIMEOUT_S = 1.0


class JobSubmitError(Exception):
    """The job could not be queued (the queue is unreachable or shut down); it will not run."""


class Jobs(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        """Run ``fn(*args)`` in the background. Raises ``JobSubmitError`` when it could not be
        queued; never raises because the job itself failed."""

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
        try:
            future = self._pool.submit(self._run, fn, *args)
        except RuntimeError:  # the pool is shutting down
            raise JobSubmitError("the job pool is shut down") from None
        future.add_done_callback(_log_failure)

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.gate.wait_quiet()
        return fn(*args)

    def checkpoint(self, key: str) -> MemoryCheckpoint:
        return MemoryCheckpoint(key)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


class InlineJobs:
    """Runs the job at once in the caller's thread (scripts and some tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            log.error("background job failed: %s", type(exc).__name__)

    def checkpoint(self, key: str) -> MemoryCheckpoint:
        return MemoryCheckpoint(key)

    def shutdown(self, wait: bool = True) -> None:
        pass


def _log_failure(future: Future) -> None:
    exc = future.exception()
    if exc is not None:  # the message may quote candidate data: log the type only
        log.error("background job failed: %s", type(exc).__name__)


# -- checkpoints: what a job already did, kept across its retries ---------------------------------
class MemoryCheckpoint:
    """In-process jobs are not retried by a queue; the record lives as long as the process."""

    _records: dict[str, dict[str, Any]] = {}
    _lock = threading.Lock()

    def __init__(self, key: str):
        self.key = key

    def get(self, name: str) -> Any:
        with self._lock:
            return self._records.get(self.key, {}).get(name)

    def set(self, name: str, value: Any) -> None:
        with self._lock:
            self._records.setdefault(self.key, {})[name] = value


class RedisCheckpoint:
    """One Redis hash per job key (``vetcandidate:job:<key>``), JSON values, expiring after a day."""

    def __init__(self, redis: Any, key: str):
        self.redis = redis
        self.key = f"vetcandidate:job:{key}"

    def get(self, name: str) -> Any:
        raw = self.redis.hget(self.key, name)
        return None if raw is None else json.loads(raw)

    def set(self, name: str, value: Any) -> None:
        with self.redis.pipeline() as pipe:
            pipe.hset(self.key, name, json.dumps(value))
            pipe.expire(self.key, CHECKPOINT_TTL_S)
            pipe.execute()


# -- RQ --------------------------------------------------------------------------------------------
def redis_connection(url: str, *, timeout_s: float | None = None) -> Any:
    """A Redis client for ``REDIS_URL``. ``rediss://`` (Heroku Redis) uses TLS without verifying the
    server's self-signed certificate, as Heroku documents for its Redis add-on. ``timeout_s`` bounds
    connecting and each reply (None: redis-py's defaults, which the worker's blocking reads need)."""
    import redis

    kw: dict[str, Any] = {}
    if timeout_s is not None:
        kw = {"socket_connect_timeout": timeout_s, "socket_timeout": timeout_s}
    if url.startswith("rediss://"):
        return redis.Redis.from_url(url, ssl_cert_reqs=None, ssl_check_hostname=False, **kw)
    return redis.Redis.from_url(url, **kw)


def job_path(fn: Callable[..., Any]) -> str:
    """The importable name RQ runs ``fn`` by; TypeError for lambdas and nested functions."""
    qualname = getattr(fn, "__qualname__", "")
    if qualname in ROUTES:
        return ROUTES[qualname]
    if getattr(fn, "__self__", None) is not None or not qualname or "<" in qualname or "." in qualname:
        raise TypeError(f"{qualname or fn!r} cannot run on a queue: use a module-level function")
    return f"{fn.__module__}.{qualname}"


class RqJobs:
    """Enqueue on RQ (``REDIS_URL``); ``vetcandidate worker`` runs the jobs."""

    def __init__(self, redis: Any, *, queue_name: str = QUEUE_NAME, job_timeout_s: int = 180,
                 retries: int = JOB_RETRIES):
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.redis = redis
        self.queue = Queue(queue_name, connection=redis, serializer=JSONSerializer)
        self.job_timeout_s = job_timeout_s
        self.retries = retries

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float = REDIS_TIMEOUT_S, **kw: Any) -> RqJobs:
        return cls(redis_connection(url, timeout_s=timeout_s), **kw)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        from rq import Retry

        path = job_path(fn)
        try:
            # A job's arguments are candidate data, beyond the reach of `purge --candidate`: kept
            # only an hour after success and a day after failure (time enough to requeue it).
            job = self.queue.enqueue(path, *args, job_timeout=self.job_timeout_s,
                                     retry=Retry(max=self.retries), result_ttl=JOB_KEPT_S,
                                     failure_ttl=FAILED_JOB_KEPT_S, description=path)
        except Exception as exc:  # Redis down or unreachable: the caller tells the user
            log.error("could not enqueue %s: %s", path, type(exc).__name__)
            raise JobSubmitError(f"the job queue is unreachable ({type(exc).__name__})") from None
        log.info("enqueued %s as job %s", path, job.id)

    def checkpoint(self, key: str) -> RedisCheckpoint:
        return RedisCheckpoint(self.redis, key)

    def shutdown(self, wait: bool = True) -> None:
        self.redis.close()
