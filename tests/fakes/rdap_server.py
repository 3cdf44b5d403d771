"""A local RDAP service for tests: an IANA-style bootstrap pointing at itself plus per-domain answers.

    with RdapFake() as fake:
        fake.add_domain("young.test", registered=days_ago(10))
        real = shared_rdap_file("whoisit_fixtures/verisign_domain_GOOGLE.COM_2021-06-09.json")
        fake.add_file("google.com", real)
        fake.add_not_found("gone.test"); fake.add_error("down.test", 500); fake.add_slow("slow.test", 3.0)
        client = RdapClient(HttpClient(retries=0), fake.bootstrap_url)

TLDs of added domains are listed in the bootstrap automatically (``fake.tlds`` adds more;
``fake.bootstrap`` replaces the document). ``fake.hits`` counts requests per path,
``fake.requests`` keeps (path, headers) in order. Real bodies are read from the shared data
directory at test time (``shared_rdap_file`` skips the test when it is absent).
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.fakes.respond import send_answer
from tests.shared_data import SHARED_DATA, shared_file

SHARED_RDAP_DIR = SHARED_DATA / "rdap"
REAL_404 = "jarthod-rdap_vcr/centralnic_404_domain_jsiqpmcurt.design.json"


def shared_rdap_file(relative: str) -> Path:
    """Path of a real RDAP body in the shared data; skips the calling test when it is missing."""
    return shared_file(f"rdap/{relative}")


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def rdap_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def domain_object(name: str, *, registered: datetime | None = None, expires: datetime | None = None,
                  last_changed: datetime | None = None, registrar: str | None = "Example Registrar, Inc.",
                  registrar_id: str = "9999", status: tuple[str, ...] = ("client transfer prohibited",),
                  base_url: str = "") -> dict[str, Any]:
    """An RDAP domain object in the shape registries answer with (RFC 9083, gTLD profile)."""
    events = [{"eventAction": action, "eventDate": rdap_date(when)}
              for action, when in (("registration", registered), ("expiration", expires),
                                   ("last changed", last_changed)) if when is not None]
    events.append({"eventAction": "last update of RDAP database", "eventDate": rdap_date(datetime.now(UTC))})
    obj: dict[str, Any] = {
        "objectClassName": "domain", "handle": f"{abs(hash(name)) % 10**10}_DOMAIN_TEST-VRSN",
        "ldhName": name.upper(),
        "links": [{"value": f"{base_url}domain/{name}", "rel": "self", "href": f"{base_url}domain/{name}",
                   "type": "application/rdap+json"}],
        "status": list(status), "events": events, "entities": [],
        "secureDNS": {"delegationSigned": False},
        "nameservers": [{"objectClassName": "nameserver", "ldhName": f"NS1.{name.upper()}"}],
        "rdapConformance": ["rdap_level_0", "icann_rdap_technical_implementation_guide_0",
                            "icann_rdap_response_profile_0"],
        "notices": [{"title": "Terms of Use", "description": ["Test data."], "links": []}],
    }
    if registrar is not None:
        obj["entities"].append({
            "objectClassName": "entity", "handle": registrar_id, "roles": ["registrar"],
            "publicIds": [{"type": "IANA Registrar ID", "identifier": registrar_id}],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]],
        })
    return obj


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/rdap+json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # concurrency tests open many connections at once


class RdapFake:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}  # lower-case domain -> answer
        self.tlds: set[str] = set()
        self.bootstrap: dict[str, Any] | None = None  # replaces the generated document when set
        self.bootstrap_answer: Answer | None = None  # e.g. Answer(500) or a delay
        self.bootstrap_delay = 0.0
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.bootstrap_url = self.url + "dns.json"
        self.rdap_url = self.url + "rdap/"  # the base URL the bootstrap lists
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> RdapFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- configuring answers --------------------------------------------------------------------
    def _put(self, name: str, answer: Answer) -> None:
        name = name.lower().rstrip(".")
        self.answers[name] = answer
        self.tlds.add(name.rsplit(".", 1)[-1])

    def add_domain(self, name: str, **kwargs: Any) -> dict[str, Any]:
        """Generated domain object; keyword arguments as for ``domain_object``. Returns it."""
        obj = domain_object(name, base_url=self.rdap_url, **kwargs)
        self.add_json(name, obj)
        return obj

    def add_json(self, name: str, obj: Any, status: int = 200, delay: float = 0.0) -> None:
        self._put(name, Answer(status, json.dumps(obj).encode(), delay=delay))

    def add_file(self, name: str, path: Path, status: int = 200) -> None:
        self._put(name, Answer(status, Path(path).read_bytes()))

    def add_not_found(self, name: str) -> None:
        """404 with the real CentralNic not-found body (an empty body when the data is absent)."""
        path = SHARED_RDAP_DIR / REAL_404
        self._put(name, Answer(404, path.read_bytes() if path.is_file() else b""))

    def add_error(self, name: str, status: int = 500, body: bytes = b"internal error") -> None:
        self._put(name, Answer(status, body, content_type="text/plain"))

    def add_slow(self, name: str, delay: float, **kwargs: Any) -> None:
        self._put(name, Answer(200, json.dumps(domain_object(name, **kwargs)).encode(), delay=delay))

    def add_invalid_json(self, name: str) -> None:
        self._put(name, Answer(200, b'{"objectClassName": "domain", "ldhName": '))

    def add_redirect(self, name: str, location: str, status: int = 302) -> None:
        """Redirect; ``location`` may be relative (e.g. "/other/domain/x.test")."""
        self._put(name, Answer(status, b"", headers={"Location": location}))

    def bootstrap_document(self) -> dict[str, Any]:
        if self.bootstrap is not None:
            return self.bootstrap
        return {"description": "RDAP bootstrap file for Domain Name System registrations (test)",
                "publication": rdap_date(datetime.now(UTC)), "version": "1.0",
                "services": [[sorted(self.tlds), [self.rdap_url]]] if self.tlds else []}

    # -- serving --------------------------------------------------------------------------------
    def _respond(self, path: str) -> Answer:
        if path.split("?")[0] == "/dns.json":
            if self.bootstrap_answer is not None:
                return self.bootstrap_answer
            return Answer(200, json.dumps(self.bootstrap_document()).encode(), "application/json",
                          delay=self.bootstrap_delay)
        if "/domain/" in path:
            name = path.split("?")[0].rsplit("/domain/", 1)[1].lower()
            if name in self.answers:
                return self.answers[name]
            path = REAL_404 if (SHARED_RDAP_DIR / REAL_404).is_file() else ""
            return Answer(404, (SHARED_RDAP_DIR / path).read_bytes() if path else b"")
        return Answer(404, b"not found", "text/plain")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with fake._lock:
                    fake.hits[self.path] += 1
                    fake.requests.append((self.path, dict(self.headers)))
                answer = fake._respond(self.path)
                send_answer(self, answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
