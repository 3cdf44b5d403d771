"""A local Slack Socket Mode endpoint for tests: a real WebSocket server (the ``websockets``
library) on 127.0.0.1 and an OS-chosen port, speaking Slack's Socket Mode protocol.

    with FakeSocketMode() as socket_mode, FakeSlack(connections_open=socket_mode.issue_url) as slack:
        ...start the app with SLACK_API_URL=slack.api_url and an xapp- token...
        socket_mode.wait_connected()
        envelope_id = socket_mode.slash_command("help", response_url=slack.response_url())
        ack = socket_mode.wait_ack(envelope_id)     # {"envelope_id": ..., "payload": {...}}

As Slack does: ``apps.connections.open`` hands out a ``ws://…/link/?ticket=…`` URL whose ticket
this server checks in the opening handshake (an unknown or reused ticket gets HTTP 401); each new
connection first gets a ``hello`` message; envelopes are pushed as JSON text frames; the server
pings every ``ping_interval`` seconds and drops a client that does not answer with a pong. Every
text frame the client sends is recorded with its arrival time.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

APP_ID = "A0APP"


@dataclass(frozen=True)
class Received:
    """One text frame from the app, decoded; ``at`` is ``time.monotonic()`` on arrival."""

    message: dict[str, Any]
    at: float


@dataclass(frozen=True)
class Pushed:
    envelope: dict[str, Any]
    at: float


@dataclass
class FakeSocketMode:
    ping_interval: float = 1.0
    ping_timeout: float = 5.0
    received: list[Received] = field(default_factory=list)
    pushed: list[Pushed] = field(default_factory=list)
    handshakes: list[str] = field(default_factory=list)  # request paths, accepted or not
    refused: list[str] = field(default_factory=list)     # paths refused (bad ticket)
    closed: list[int | None] = field(default_factory=list)  # close codes of finished connections

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._live: list[ServerConnection] = []
        self._connected = 0
        self._server = serve(self._handle, "127.0.0.1", 0, process_request=self._check_ticket,
                             compression=None, ping_interval=self.ping_interval,
                             ping_timeout=self.ping_timeout, server_header=None)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="fake-socket-mode")

    # -- addresses -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    def issue_url(self) -> str:
        """A fresh single-use WebSocket URL, as ``apps.connections.open`` answers it."""
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"

    # -- pushing envelopes ---------------------------------------------------------------------
    def push(self, envelope_type: str, payload: dict[str, Any], *, accepts_response_payload: bool = True,
             envelope_id: str | None = None) -> str:
        """Send one envelope to the connected app; returns its envelope_id."""
        envelope = {"envelope_id": envelope_id or str(uuid.uuid4()), "type": envelope_type,
                    "accepts_response_payload": accepts_response_payload, "payload": payload}
        with self._cond:
            assert self._live, "no app is connected"
            connection = self._live[-1]
            self.pushed.append(Pushed(envelope, time.monotonic()))
        connection.send(json.dumps(envelope))
        return envelope["envelope_id"]

    def slash_command(self, text: str, *, response_url: str, user: str = "U0USER",
                      channel: str = "C0CHAN", command: str = "/vetcandidate") -> str:
        """Push a ``slash_commands`` envelope with the fields Slack sends (all strings)."""
        payload = {"token": "legacy-verification-token", "team_id": "T0TEST", "team_domain": "test",
                   "channel_id": channel, "channel_name": "hiring", "user_id": user,
                   "user_name": "recruiter", "command": command, "text": text, "api_app_id": APP_ID,
                   "is_enterprise_install": "false", "response_url": response_url,
                   "trigger_id": f"1337.42.{uuid.uuid4().hex[:8]}"}
        return self.push("slash_commands", payload)

    # -- inspection ----------------------------------------------------------------------------
    @property
    def connections(self) -> int:
        """How many connections completed the handshake so far."""
        with self._cond:
            return self._connected

    def keepalive_latency(self) -> float:
        """Ping-to-pong time of the newest live connection's last keepalive; 0.0: no pong seen yet."""
        with self._cond:
            return self._live[-1].latency if self._live else 0.0

    def wait_connected(self, count: int = 1, timeout: float = 30.0,
                       alive: Callable[[], bool] | None = None) -> None:
        """Wait until ``count`` connections were accepted; ``alive()`` false aborts early (a dead app)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._connected < count:
                assert alive is None or alive(), "the app exited before connecting"
                assert time.monotonic() < deadline, f"{self._connected} of {count} connections in {timeout}s"
                self._cond.wait(0.05)

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> Received:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r for r in self.received if r.message.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                assert time.monotonic() < deadline, f"no acknowledgement of {envelope_id} in {timeout}s"
                self._cond.wait(0.05)

    def pushed_at(self, envelope_id: str) -> float:
        with self._cond:
            return next(p.at for p in self.pushed if p.envelope["envelope_id"] == envelope_id)

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # -- server side ---------------------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._cond:
            self.handshakes.append(request.path)
            if parts.path == "/link/" and ticket in self._tickets:
                self._tickets.discard(ticket)  # single use, like Slack's
                return None
            self.refused.append(request.path)
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            self._live.append(connection)
            self._connected += 1
            self._cond.notify_all()
        connection.send(json.dumps({
            "type": "hello", "num_connections": len(self._live),
            "debug_info": {"host": "applink-fake-1", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID}}))
        try:
            for frame in connection:
                if isinstance(frame, bytes):  # Slack only speaks text frames; keep it visible
                    frame = frame.decode("utf-8", "replace")
                try:
                    message = json.loads(frame)
                except ValueError:
                    message = {"unparsed": frame}
                with self._cond:
                    self.received.append(Received(message, time.monotonic()))
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._live.remove(connection)
                self.closed.append(connection.close_code)
                self._cond.notify_all()
