"""Writing a canned answer from an ``http.server`` handler, shared by the local fakes."""
from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from typing import Any


def send_answer(handler: BaseHTTPRequestHandler, answer: Any) -> None:
    """``answer`` has status, body (bytes), content_type, headers and delay (seconds)."""
    if answer.delay:
        time.sleep(answer.delay)
    try:
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(answer.body)
    except OSError:
        pass  # the client gave up (timeout tests)
