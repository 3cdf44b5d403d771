"""A small reusable HTTP server for tests, on 127.0.0.1 and an OS-chosen port.

    with FakeHttpServer() as server:
        server.add("/list.xml", body=data, etag='"v1"')      # answers 304 to If-None-Match: "v1"
        server.add("/denied", status=403, body=b"Forbidden")
        server.add("/cut", body=data, truncate_at=1000)      # announces len(data), sends 1000 bytes, closes
        server.add("/dyn", responder=lambda request: Route(status=503))
        client.get(server.url("/list.xml"))
        server.requests[-1].header("If-None-Match")

Unknown paths answer 404. Every request is recorded in order (method, path, headers).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    #: sent as ETag; a request whose If-None-Match carries it gets 304
    etag: str | None = None
    #: sent as Last-Modified; a request whose If-Modified-Since equals it gets 304
    last_modified: str | None = None
    #: send only this many body bytes (Content-Length still announces the whole body), then close
    truncate_at: int | None = None
    #: computes the route per request instead (receives the RecordedRequest)
    responder: Callable[[RecordedRequest], Route] | None = None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class FakeHttpServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-http", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, **route: object) -> Route:
        self.routes[path] = Route(**route)  # type: ignore[arg-type]
        return self.routes[path]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FakeHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: RecordedRequest) -> Route:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.path.split("?", 1)[0])
        if route is None:
            return Route(status=404, body=b"not found")
        return route.responder(request) if route.responder else route


def _not_modified(route: Route, request: RecordedRequest) -> bool:
    if route.etag is not None and (tags := request.header("If-None-Match")):
        return any(t.strip() in (route.etag, "*") for t in tags.split(","))
    return route.last_modified is not None and request.header("If-Modified-Since") == route.last_modified


def _handler_for(server: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            request = RecordedRequest("GET", self.path, dict(self.headers.items()))
            route = server._record(request)
            status, body = route.status, route.body
            if _not_modified(route, request):
                status, body = 304, b""
            self.send_response(status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag is not None:
                self.send_header("ETag", route.etag)
            if route.last_modified is not None:
                self.send_header("Last-Modified", route.last_modified)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            if route.truncate_at is not None:
                self.wfile.write(body[:route.truncate_at])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
            pass

    return Handler
