"""A local Slack for tests, on 127.0.0.1 and an OS-chosen port: the Web API (JSON answers as Slack
gives them), private file downloads with bearer auth, and ``response_url`` endpoints -- plus the
other half of Slack, which signs (v0 HMAC) and POSTs commands and interactions to the app.

    with FakeSlack() as slack:
        slack.fail("chat.postMessage", "not_in_channel")           # the next call answers ok:false
        slack.rate_limit("chat.postMessage", retry_after=1)        # the next call answers HTTP 429
        slack.add_file("F0123ABCD", b"%PDF…", "cv.pdf", "pdf")
        status, body = slack.command(app_url, 'name="Jane Roe"', secret="s")
        slack.wait_for("chat.update", count=2)
        slack.responses["r1"]                                         # what was posted to a response_url

Every Web API call is recorded (method, params with ``blocks``/``view`` decoded, headers).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import requests

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
APP_TOKEN = "xapp-1-A0APP-1-test-app-token"


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class Planned:
    status: int = 200
    error: str = ""
    retry_after: int = 0
    when: Callable[[dict[str, Any]], bool] | None = None


@dataclass
class FakeFile:
    id: str
    data: bytes
    name: str
    filetype: str
    url: str = ""          # url_private_download; default: served here
    size: int | None = None
    content_type: str = "application/octet-stream"


@dataclass
class FakeSlack:
    token: str = BOT_TOKEN
    calls: list[ApiCall] = field(default_factory=list)
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization)
    files: dict[str, FakeFile] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    planned: dict[str, list[Planned]] = field(default_factory=dict)
    app_token: str = APP_TOKEN
    connections_open: Callable[[], str] | None = None  # Socket Mode URLs (tests/fakes/socket_mode_server)

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._ts = 0
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="fake-slack")

    # -- addresses -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    @property
    def file_host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base_url}/response/{key}"

    # -- scripting -----------------------------------------------------------------------------
    def fail(self, method: str, error: str, times: int = 1, when: Callable | None = None) -> None:
        self.planned.setdefault(method, []).extend(Planned(error=error, when=when) for _ in range(times))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1,
                   when: Callable | None = None) -> None:
        self.planned.setdefault(method, []).extend(
            Planned(status=429, retry_after=retry_after, when=when) for _ in range(times))

    def add_file(self, file_id: str, data: bytes, name: str, filetype: str, **kw: Any) -> FakeFile:
        self.files[file_id] = FakeFile(file_id, data, name, filetype, **kw)
        return self.files[file_id]

    # -- inspection ----------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0,
                 where: Callable[[ApiCall], bool] | None = None) -> list[ApiCall]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count or time.monotonic() >= deadline:
                    assert len(found) >= count, f"{method}: {len(found)} of {count} calls in {timeout}s"
                    return found
                self._cond.wait(0.05)

    def wait_response(self, key: str = "r1", count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.responses.get(key, [])) < count:
                assert time.monotonic() < deadline, f"no {count} response(s) on {key} in {timeout}s"
                self._cond.wait(0.05)
            return list(self.responses[key])

    # -- the other half: Slack calling the app -------------------------------------------------
    def command(self, app_url: str, text: str, *, user: str = "U0USER", channel: str = "C0CHAN",
                response_key: str = "r1", **kw: Any) -> tuple[int, dict[str, Any] | str]:
        form = {"token": "legacy", "team_id": "T0TEST", "team_domain": "test", "channel_id": channel,
                "channel_name": "hiring", "user_id": user, "user_name": "recruiter",
                "command": "/vetcandidate",
                "text": text, "api_app_id": "A0APP", "response_url": self.response_url(response_key),
                "trigger_id": "1337.42.abcd"}
        return post_signed(app_url, urlencode(form), **kw)

    def interact(self, app_url: str, payload: dict[str, Any], **kw: Any) -> tuple[int, dict[str, Any] | str]:
        return post_signed(app_url, urlencode({"payload": json.dumps(payload)}), **kw)

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- server side ---------------------------------------------------------------------------
    def _next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts:06d}"

    def _api(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict, dict]:
        with self._cond:
            self.calls.append(ApiCall(method, params, headers, time.monotonic()))
            self._cond.notify_all()
            queue = self.planned.get(method, [])
            plan = next((p for p in queue if p.when is None or p.when(params)), None)
            if plan is not None:
                queue.remove(plan)
                if plan.status == 429:
                    return 429, {"Retry-After": str(plan.retry_after)}, {"ok": False, "error": "ratelimited"}
                return 200, {}, {"ok": False, "error": plan.error}
            if method == "apps.connections.open":  # the one method that takes the app-level token
                return 200, {}, self._connections_open(headers.get("authorization", ""))
            if headers.get("authorization") != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            return 200, {}, self._answer(method, params)

    def _connections_open(self, authorization: str) -> dict[str, Any]:
        error = ("not_allowed_token_type" if authorization == f"Bearer {self.token}" else
                 "invalid_auth" if authorization != f"Bearer {self.app_token}" else
                 "socket_mode_not_enabled" if self.connections_open is None else "")
        return {"ok": False, "error": error} if error else {"ok": True, "url": self.connections_open()}

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "vetcandidate",
                    "team_id": "T0TEST", "user_id": "U0BOT", "bot_id": "B0BOT"}
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {"ok": True, "channel": p.get("channel"), "ts": ts,
                    "message": {"text": p.get("text"), "ts": ts, "thread_ts": p.get("thread_ts")}}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0VIEW", **(p.get("view") or {})}}
        if method == "files.info":
            f = self.files.get(str(p.get("file")))
            if f is None:
                return {"ok": False, "error": "file_not_found"}
            url = f.url or f"{self.base_url}/files-pri/T0TEST-{f.id}/download/{f.name}"
            return {"ok": True, "file": {"id": f.id, "name": f.name, "filetype": f.filetype,
                                         "size": len(f.data) if f.size is None else f.size,
                                         "url_private_download": url, "url_private": url}}
        return {"ok": False, "error": "unknown_method"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # load tests open many connections at once


def _decode_params(body: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        params = json.loads(body or b"{}")
    else:
        params = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    for key in ("blocks", "view"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path.startswith("/response/"):
                key = self.path.rsplit("/", 1)[-1]
                with fake._cond:
                    fake.responses.setdefault(key, []).append(json.loads(body or b"{}"))
                    fake._cond.notify_all()
                return self._send(200, b"ok", "text/plain")
            if not self.path.startswith("/api/"):
                return self._send(404, b"not found", "text/plain")
            method = self.path[len("/api/"):].split("?")[0]
            params = _decode_params(body, headers.get("content-type", ""))
            status, extra, answer = fake._api(method, params, headers)
            self._send(status, json.dumps(answer).encode(), "application/json; charset=utf-8", extra)

        def do_GET(self) -> None:  # noqa: N802
            auth = self.headers.get("Authorization") or ""
            with fake._cond:
                fake.downloads.append((self.path, auth))
                fake._cond.notify_all()
            if self.path in fake.redirects:
                return self._send(302, b"", "text/plain", {"Location": fake.redirects[self.path]})
            if self.path.startswith("/files-pri/"):
                file_id = self.path.split("/")[2].split("-", 1)[-1]
                f = fake.files.get(file_id)
                if f is None:
                    return self._send(404, b"not found", "text/plain")
                if auth != f"Bearer {fake.token}":  # Slack answers a login page to the unauthenticated
                    return self._send(200, b"<html>sign in</html>", "text/html")
                return self._send(200, f.data, f.content_type)
            self._send(404, b"not found", "text/plain")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


def post_signed(url: str, body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                timeout: float = 10.0) -> tuple[int, dict[str, Any] | str]:
    response = requests.post(url, data=body.encode(), headers=sign(body, secret, timestamp), timeout=timeout)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


@contextmanager
def serving(wsgi_app: Any):
    """Serve a WSGI app on 127.0.0.1 (threaded wsgiref, port 0); yields its base URL."""
    from bot.cli_slack import make_threaded_server

    server = make_threaded_server("127.0.0.1", 0, wsgi_app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
