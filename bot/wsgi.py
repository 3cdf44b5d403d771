"""The WSGI entry point (HTTP mode): ``gunicorn bot.wsgi:app`` (see the Procfile).

``/slack/events`` is Bolt's WSGI adapter; ``GET /healthz`` answers 200 with JSON naming the OFAC
list's edition and age (``"status": "degraded"`` when the list is missing or stale -- the process is
up, the wallet check fails closed). ``app`` is built on first access, once per worker process, from
the environment; tests and ``vetcandidate serve`` call ``create_wsgi`` with their own settings.
"""
from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings
from checks.errors import SourceError

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def health(sources: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    source = sources.get("sanctions")
    if source is None:
        return {"status": "degraded", "sanctions": {"error": "sanctions source not configured"}}
    max_age = getattr(source, "max_age_days", None)
    try:
        index = source.store.load()
    except SourceError as exc:
        return {"status": "degraded", "sanctions": {"error": str(exc)}}
    if index is None:
        return {"status": "degraded", "sanctions": {"error": "no sanctions list loaded"}}
    stale = max_age is not None and index.is_stale(now, max_age)
    return {"status": "degraded" if stale else "ok",
            "sanctions": {"published": index.publish_date.isoformat(),
                          "age_days": round(index.age_days(now), 2),
                          "max_age_days": max_age, "stale": stale}}


class SlackWsgi:
    """Bolt's WSGI handler plus /healthz."""

    def __init__(self, bolt: Any, sources: Mapping[str, Any], gate: Any = None):
        self.handler = SlackRequestHandler(bolt, path=EVENTS_PATH)
        self.sources = sources
        self.gate = gate  # bot.jobs.AckFirst: background jobs wait while requests are answered

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            body = json.dumps(health(self.sources)).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
            return [body] if environ["REQUEST_METHOD"] == "GET" else [b""]
        if self.gate is None:
            return self.handler(environ, start_response)
        with self.gate.request():
            return self.handler(environ, start_response)


def create_wsgi(settings: Settings, services: Any = None) -> SlackWsgi:
    from bot import wiring

    services = services or wiring.build_slack_services(settings)
    bolt = wiring.build_slack_app(settings, services)
    return SlackWsgi(bolt, services.app.sources, getattr(services.jobs, "gate", None))


def start_maintenance(settings: Settings, services: Any) -> None:
    """Without ``REDIS_URL`` the web process runs the vettings, so it keeps the watchlists fresh and
    runs the daily sanctions refresh and purge itself, in a daemon thread whose first run is a
    minute after boot (``bot.maintenance``). With Redis, the worker does both."""
    if settings.redis_url:
        return
    if hasattr(getattr(services, "app", None), "keep_fresh"):
        services.app.keep_fresh()  # vettings run in this process
    from bot import maintenance

    store = getattr(getattr(services, "app", None), "store", None)
    maintenance.start_background(settings, store_factory=lambda: store)


def create_served(settings: Settings) -> SlackWsgi:
    """``create_wsgi`` plus the daily-maintenance thread: the served app (gunicorn, ``serve``)."""
    from bot import wiring

    services = wiring.build_slack_services(settings)
    wsgi = create_wsgi(settings, services)
    start_maintenance(settings, services)
    return wsgi


def _from_environment() -> SlackWsgi:
    import os
    from pathlib import Path

    from dotenv import load_dotenv

    from bot.config import ConfigError
    from bot.store_errors import StoreError
    from checks.registry import PluginError

    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        settings = Settings.from_env(os.environ)
        from bot import log_setup

        log_setup.configure(settings.log_level)
        return create_served(settings)
    except (ConfigError, PluginError, StoreError) as exc:  # one line, not a traceback; the dyno stops
        sys.stderr.write(f"vetcandidate: cannot start: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(3) from None  # gunicorn's "worker failed to boot": the master stops too


_lock = threading.Lock()
_app: SlackWsgi | None = None


def __getattr__(name: str) -> Any:  # PEP 562: ``bot.wsgi.app`` is built on first access
    global _app
    if name != "app":
        raise AttributeError(name)
    with _lock:
        if _app is None:
            _app = _from_environment()
        return _app
