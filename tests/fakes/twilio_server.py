"""A local Twilio Lookup v2 service for tests: real HTTP on 127.0.0.1, Twilio's JSON shapes.

    with TwilioFake(sid="ACtest", token="secret") as fake:
        fake.add_number("+14155550100", "nonFixedVoip", carrier_name="Google (Grand Central) - SVR")
        fake.add_error("+14155550101", 404)                       # Twilio's 20404 body
        fake.add_answer("+14155550102", Answer(429, headers={"Retry-After": "30"}))
        client = TwilioLookup(HttpClient(retries=0), "ACtest", "secret", fake.url)

Requests without the right basic auth get Twilio's 401 (error 20003); unknown numbers get its 404
(error 20404). ``add_sequence`` serves answers in order (e.g. a 429, then a 200). ``fake.hits``
counts requests per number; ``fake.requests`` keeps (path, query, headers) in order.
"""
from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.respond import send_answer

PREFIX = "/v2/PhoneNumbers/"
ERROR_MESSAGES = {20003: "Authenticate", 20404: "The requested resource {path} was not found",
                  20429: "Too Many Requests", 60601: "Authorization required for Canada lookups",
                  60606: "Lookup Package is Not Enabled", 60607: "Lookup Unsupported Country"}
STATUS_CODES = {401: 20003, 404: 20404, 429: 20429}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def error_body(status: int, code: int | None = None, path: str = "", message: str | None = None) -> dict:
    """Twilio's REST error document: ``{"code", "message", "more_info", "status"}``."""
    code = code or STATUS_CODES.get(status, 20500)
    text = message or ERROR_MESSAGES.get(code, "Error").format(path=path)
    return {"code": code, "message": text, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}


def lookup_body(e164: str, line_type: str | None = "mobile", *, carrier_name: str | None = "Verizon Wireless",
                mobile_country_code: str | None = "311", mobile_network_code: str | None = "489",
                lti_error: int | None = None, caller_name: str | None = None, caller_type: str | None = None,
                caller_error: int | None = None, with_caller: bool = True, country_code: str = "US",
                calling_country_code: str = "1", national_format: str = "") -> dict[str, Any]:
    """A Lookup v2 answer for ``Fields=line_type_intelligence,caller_name``."""
    lti = {"error_code": lti_error, "mobile_country_code": mobile_country_code,
           "mobile_network_code": mobile_network_code, "carrier_name": carrier_name, "type": line_type}
    if lti_error is not None:
        lti.update(mobile_country_code=None, mobile_network_code=None, carrier_name=None, type=None)
    caller = {"caller_name": caller_name, "caller_type": caller_type, "error_code": caller_error}
    return {"calling_country_code": calling_country_code, "country_code": country_code, "phone_number": e164,
            "national_format": national_format or e164, "valid": True, "validation_errors": [],
            "caller_name": caller if with_caller else None, "sim_swap": None, "call_forwarding": None,
            "line_status": None, "line_type_intelligence": lti, "identity_match": None,
            "reassigned_number": None, "sms_pumping_risk": None, "phone_number_quality_score": None,
            "pre_fill": None, "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{e164}"}


def invalid_body(e164: str, errors: tuple[str, ...] = ("TOO_SHORT",)) -> dict[str, Any]:
    return {"calling_country_code": None, "country_code": None, "phone_number": e164, "national_format": None,
            "valid": False, "validation_errors": list(errors), "caller_name": None, "sim_swap": None,
            "call_forwarding": None, "line_status": None, "line_type_intelligence": None,
            "identity_match": None, "reassigned_number": None, "sms_pumping_risk": None,
            "phone_number_quality_score": None, "pre_fill": None,
            "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{e164}"}


class TwilioFake:
    def __init__(self, sid: str = "ACtest00000000000000000000000000", token: str = "test-token") -> None:
        self.sid, self.token = sid, token
        self.answers: dict[str, list[Answer]] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> TwilioFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- configuring answers --------------------------------------------------------------------
    def add_sequence(self, e164: str, answers: list[Answer]) -> None:
        """Serve these in order; the last one repeats."""
        self.answers[e164] = list(answers)

    def add_answer(self, e164: str, answer: Answer) -> None:
        self.add_sequence(e164, [answer])

    def add_json(self, e164: str, obj: Any, status: int = 200, delay: float = 0.0,
                 headers: dict[str, str] | None = None) -> None:
        self.add_answer(e164, Answer(status, json.dumps(obj).encode(), delay, dict(headers or {})))

    def add_number(self, e164: str, line_type: str | None = "mobile", *, delay: float = 0.0,
                   **kwargs: Any) -> dict[str, Any]:
        body = lookup_body(e164, line_type, **kwargs)
        self.add_json(e164, body, delay=delay)
        return body

    def add_invalid(self, e164: str, errors: tuple[str, ...] = ("TOO_SHORT",)) -> None:
        self.add_json(e164, invalid_body(e164, errors))

    def add_error(self, e164: str, status: int, code: int | None = None, message: str | None = None,
                  headers: dict[str, str] | None = None) -> None:
        body = error_body(status, code, f"/PhoneNumbers/{e164}", message)
        self.add_json(e164, body, status, headers=headers)

    def add_raw(self, e164: str, body: bytes, status: int = 200, content_type: str = "application/json",
                delay: float = 0.0) -> None:
        self.add_answer(e164, Answer(status, body, delay, content_type=content_type))

    # -- serving --------------------------------------------------------------------------------
    def _authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        return header == f"Basic {expected}"

    def _respond(self, path: str, headers: dict[str, str]) -> Answer:
        if not self._authorised(headers.get("Authorization")):
            return Answer(401, json.dumps(error_body(401)).encode(),
                          headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
        if not path.startswith(PREFIX):
            return Answer(404, json.dumps(error_body(404, path=path)).encode())
        number = unquote(path[len(PREFIX):])
        with self._lock:
            queue = self.answers.get(number)
            if not queue:
                return Answer(404, json.dumps(error_body(404, path=f"/PhoneNumbers/{number}")).encode())
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                headers = dict(self.headers)
                with fake._lock:
                    fake.hits[unquote(parts.path[len(PREFIX):])] += 1
                    fake.requests.append((parts.path, parse_qs(parts.query), headers))
                answer = fake._respond(parts.path, headers)
                send_answer(self, answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
