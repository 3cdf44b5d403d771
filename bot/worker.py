"""``vetcandidate worker``: consumes the RQ queue the web dynos fill (``REDIS_URL``).

One job at a time per process, in the process itself (RQ's ``SimpleWorker``: the vetter is built
once per process, ``bot.jobs_entry``); a vetting mostly waits on sources, so run more worker
processes to go faster. While a job runs, a thread renews its heartbeat every
``HEARTBEAT_S``; when a worker dies (dyno killed, OOM) the heartbeat lapses after ``HEARTBEAT_TTL_S``
and the next registry clean-up by any live worker (every ``MAINTENANCE_S``) puts the job back on
the queue (RQ retries, ``bot.jobs.JOB_RETRIES``): a dead worker's job runs again within a minute.
A vetting mostly waits (on sources, and 2 s between progress updates of one Slack message), so
``vetcandidate worker`` runs ``--processes`` (default ``DEFAULT_PROCESSES``) such workers under one
supervisor. The daily sanctions refresh and purge (``bot.maintenance``) run in a thread of each
``vetcandidate worker``; a database lease makes one of them do it.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import uuid
from typing import Any

from rq import Queue, SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.worker import WorkerStatus

from bot.config import Settings
from bot.jobs import QUEUE_NAME, redis_connection

log = logging.getLogger(__name__)

HEARTBEAT_S = 5
HEARTBEAT_TTL_S = 20
MAINTENANCE_S = 10
#: the worker's own registration TTL; also bounds how long an idle worker blocks on the queue
WORKER_TTL_S = 30
#: worker processes per ``vetcandidate worker`` (each about 80 MB; a basic dyno has 512 MB)
DEFAULT_PROCESSES = 4


class VetWorker(SimpleWorker):
    """SimpleWorker with a short, renewed job heartbeat (see the module docstring)."""

    heartbeat_s: float = HEARTBEAT_S
    heartbeat_ttl_s: int = HEARTBEAT_TTL_S

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return self.heartbeat_ttl_s

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, execution, stop), daemon=True,
                                name="job-heartbeat")
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            stop.set()
            beat.join(timeout=5)
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, execution: Any, stop: threading.Event) -> None:
        while not stop.wait(self.heartbeat_s):
            try:
                with self.connection.pipeline() as pipe:
                    execution.heartbeat(job.started_job_registry, self.heartbeat_ttl_s, pipe)
                    self.heartbeat(self.worker_ttl + 60, pipeline=pipe)
                    pipe.execute()
            except Exception as exc:  # Redis blip: the next beat tries again
                log.warning("job %s heartbeat failed (%s)", job.id, type(exc).__name__)


def worker_name() -> str:
    dyno = os.environ.get("DYNO") or socket.gethostname()
    return f"{dyno}.{os.getpid()}.{uuid.uuid4().hex[:6]}"


def make_worker(redis: Any, *, queue_name: str = QUEUE_NAME, name: str | None = None,
                maintenance_s: int = MAINTENANCE_S) -> VetWorker:
    queue = Queue(queue_name, connection=redis, serializer=JSONSerializer)
    return VetWorker([queue], connection=redis, serializer=JSONSerializer, name=name or worker_name(),
                     worker_ttl=WORKER_TTL_S, maintenance_interval=maintenance_s)


def run_worker(settings: Settings, *, burst: bool = False, queue_name: str = QUEUE_NAME,
               maintenance: bool = True, processes: int = 1) -> int:
    """Work until stopped (SIGTERM/SIGINT: finish the jobs in hand first) or, with ``burst``, until
    the queue is empty. With ``processes`` > 1 this process supervises that many worker processes
    (restarting one that dies) and runs the daily maintenance itself. Exit 0."""
    if processes > 1:
        return _supervise(settings, processes, burst=burst, queue_name=queue_name, maintenance=maintenance)
    if maintenance:
        from bot import jobs_entry

        start_maintenance(settings, lambda: jobs_entry.vetter().services.app.store)
    return _work(settings, burst=burst, queue_name=queue_name)


def start_maintenance(settings: Settings, store_factory: Any) -> None:
    from bot import maintenance as daily

    daily.start_background(settings, store_factory=store_factory)


def _prebuild_vetter() -> None:
    """Build this process's vetter (and so warm the resume sandbox and the watchlists) while the
    worker waits for its first job, instead of inside that job."""
    from bot import jobs_entry

    try:
        jobs_entry.vetter()
    except Exception as exc:  # e.g. database down: the first job builds it and reports
        log.warning("worker: vetter not built ahead of the first job (%s)", type(exc).__name__)


def _work(settings: Settings, *, burst: bool, queue_name: str) -> int:
    redis = redis_connection(settings.redis_url)
    worker = make_worker(redis, queue_name=queue_name)
    threading.Thread(target=_prebuild_vetter, daemon=True, name="vetter-prebuild").start()
    log.info("worker %s listening on %s", worker.name, queue_name)
    worker.work(burst=burst, logging_level=settings.log_level, with_scheduler=False)
    return 0


def _child(settings: Settings, burst: bool, queue_name: str, parent: int) -> None:
    from bot import log_setup

    log_setup.configure(settings.log_level)  # a spawned interpreter: nothing is configured yet

    def orphaned() -> None:  # the supervisor was killed: stop after the job in hand
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, daemon=True, name="parent-watch").start()
    sys.exit(_work(settings, burst=burst, queue_name=queue_name))


def _supervise(settings: Settings, processes: int, *, burst: bool, queue_name: str, maintenance: bool) -> int:
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or sockets inherited
    stopping = threading.Event()

    def start() -> Any:
        proc = ctx.Process(target=_child, args=(settings, burst, queue_name, os.getpid()), daemon=False)
        proc.start()
        return proc

    procs = [start() for _ in range(processes)]

    def stop(signum: int, frame: Any) -> None:
        stopping.set()
        for proc in procs:
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if maintenance:
        from bot.wiring import build_store

        start_maintenance(settings, functools.cache(lambda: build_store(settings)))
    log.info("supervising %d worker processes on %s", processes, queue_name)
    while True:
        if all(not p.is_alive() for p in procs) and (stopping.is_set() or burst):
            return 0
        for i, proc in enumerate(procs):
            if not proc.is_alive() and not stopping.is_set() and not burst:
                log.warning("worker process %s exited (%s); starting another", proc.pid, proc.exitcode)
                procs[i] = start()
        stopping.wait(1.0)
