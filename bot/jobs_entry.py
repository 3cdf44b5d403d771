"""What an RQ worker runs: ``bot.jobs_entry.run_vetting(job_data)`` (see ``bot.jobs.ROUTES``).

The vetter -- pipeline, sources, store, Slack client -- is built from ``Settings.from_env()`` once
per worker process (``bot.worker`` builds it while the worker waits for its first job) and reused by
every job.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from bot.config import Settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_vetter: Any = None


def build_vetter(settings: Settings) -> Any:
    """A ``SlackVetter`` on this process's own services (its jobs backend gives the checkpoints)."""
    from bot import wiring
    from bot.slack.app import build_client
    from bot.slack.files import FileFetcher, scheme_of
    from bot.slack.vetting import SlackVetter

    services = wiring.build_slack_services(settings)
    services.app.keep_fresh()
    client = build_client(settings)
    fetcher = FileFetcher(client=client, http=services.http, token=settings.slack_bot_token,
                          allowed_hosts=settings.slack_file_hosts, scheme=scheme_of(settings.slack_api_url))
    return SlackVetter(services, client, fetcher)


def vetter() -> Any:
    global _vetter
    with _lock:
        if _vetter is None:
            _vetter = build_vetter(Settings.from_env(os.environ))
        return _vetter


def reset() -> None:
    """Forget the built vetter (tests that change the environment)."""
    global _vetter
    with _lock:
        _vetter = None


def run_vetting(job_data: Mapping[str, Any]) -> None:
    vetter().run(job_data)
