"""``vetcandidate worker``: run the background jobs the web dynos enqueue (Procfile ``worker``).

Needs ``REDIS_URL`` (``rediss://`` with Heroku's self-signed certificate works). Stops on SIGTERM
after the job in hand (Heroku restarts dynos daily); ``--burst`` exits when the queue is empty.
"""
from __future__ import annotations

import argparse
from typing import IO

from bot.config import ConfigError, Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("worker", help="run queued vettings from Redis (needs REDIS_URL)")
    worker.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    worker.add_argument("--processes", type=int, default=None, metavar="N",
                        help="worker processes, one vetting at a time each (default: $WORKER_PROCESSES or 4)")
    worker.add_argument("--no-maintenance", action="store_true",
                        help="do not run the daily sanctions refresh and purge in this process")


def run(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    if not settings.redis_url:
        raise ConfigError("REDIS_URL is required for `vetcandidate worker` (without it, vettings run "
                          "inside the web process)")
    from bot.worker import DEFAULT_PROCESSES, run_worker

    processes = args.processes or settings.worker_processes or DEFAULT_PROCESSES
    if not 1 <= processes <= 64:
        raise ConfigError("worker processes must be between 1 and 64")
    out.write(f"worker: {processes} process(es) waiting for vettings\n")
    out.flush()
    return run_worker(settings, burst=args.burst, maintenance=not args.no_maintenance, processes=processes)

