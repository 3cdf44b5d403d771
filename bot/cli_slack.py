"""``vetcandidate serve`` (Slack HTTP mode) and ``vetcandidate socket`` (Socket Mode).

``serve`` runs gunicorn in-process with the Procfile's settings on ``$PORT``; ``serve --dev`` uses
the standard library's threaded WSGI server instead (no gunicorn needed). Production on Heroku uses
the Procfile's ``web`` line, which is the same server with the same options.

Sizing: one process (the in-process job pool, the sanctions index and each vetting's progress
throttle live once), ``gthread`` workers with 16 threads -- a request holds a thread only until
Slack's acknowledgement (milliseconds); the vettings run on the job pool (``bot.jobs``).
"""
from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import IO, Any

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

#: keep in step with the Procfile's web line
GUNICORN_OPTIONS: dict[str, Any] = {"worker_class": "gthread", "workers": 1, "threads": 16,
                                    "timeout": 30, "graceful_timeout": 25, "keepalive": 5}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="Slack HTTP mode on $PORT: /slack/events and /healthz")
    serve.add_argument("--dev", action="store_true",
                       help="use the standard library's WSGI server instead of gunicorn")
    serve.add_argument("--host", default="0.0.0.0", help="interface to bind (default 0.0.0.0)")
    sub.add_parser("socket", help="Slack Socket Mode (needs SLACK_APP_TOKEN; no public URL)")


def run_serve(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from bot.wsgi import create_served

    create = lambda: create_served(settings)  # noqa: E731 - built inside the serving process
    if args.dev:
        app = create()
        server = make_threaded_server(args.host, settings.port, app)
        out.write(f"serving /slack/events and /healthz on http://{args.host}:{server.server_port}\n")
        out.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in {**GUNICORN_OPTIONS, "bind": f"{args.host}:{settings.port}",
                               "accesslog": "-"}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create()

    _Gunicorn().run()
    return 0


def make_threaded_server(host: str, port: int, app: Any) -> Any:
    """A threaded wsgiref server (dev mode and tests); ``port`` 0 picks a free one."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class _Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class _Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - path-only access log
            log.debug("%s %s", self.address_string(), format % args)

    return make_server(host, port, app, server_class=_Server, handler_class=_Quiet)


def run_socket(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    if not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN (an xapp- app-level token) is required for Socket Mode")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot import wiring
    from bot.wsgi import start_maintenance

    services = wiring.build_slack_services(settings)
    bolt = wiring.build_slack_app(settings, services, socket_mode=True)
    start_maintenance(settings, services)  # without Redis: watchlists kept fresh, daily refresh and purge
    out.write("connecting to Slack in Socket Mode\n")
    out.flush()
    handler = SocketModeHandler(bolt, settings.slack_app_token)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        handler.connect()
        stop.wait()  # Heroku sends SIGTERM on restarts: stop taking work, finish what was acknowledged
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)
        handler.close()
        services.jobs.shutdown(wait=True)
    out.write("Socket Mode stopped\n")
    return 0
