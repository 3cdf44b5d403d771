"""The one logging set-up of every process: the CLI, the gunicorn worker (``bot.wsgi``) and each
spawned RQ worker process (``bot.worker``).

``LOG_LEVEL`` sets the root logger. Libraries that write request lines, request/response bodies
or SQL parameters are held at WARNING (or at ``LOG_LEVEL`` when that is higher) whatever
``LOG_LEVEL`` says, because those lines carry candidate data -- e.g. urllib3's
``"GET /v2/PhoneNumbers/+14155550100 HTTP/1.1" 200`` or slack_sdk's JSON body of a reply.
"""
from __future__ import annotations

import logging
import sys
from typing import IO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Logger -> what it would write below WARNING (checked against the installed versions).
CAPPED_LIBRARIES: dict[str, str] = {
    "urllib3": "each request line with its path and query (phone numbers, wallets, e-mail domains)",
    "slack_sdk": "Web API and response_url request/response bodies; Socket Mode frames",
    "slack_bolt": "the body of every answer it sends back to Slack",
    "sqlalchemy": "SQL statements with their bound parameters (INFO) and result rows (DEBUG)",
}
LIBRARY_FLOOR = logging.WARNING
# urllib3 also warns with the whole URL ("Failed to parse headers (url=...)", "Retrying ... /path"),
# and a remote server decides when: only its errors, which carry no URL, are let through.
FLOORS = {"urllib3": logging.ERROR}


def level_of(name: str | int) -> int:
    """``"DEBUG"``/``"debug"``/``10`` -> 10; anything unknown -> INFO."""
    if isinstance(name, int):
        return name
    value = logging.getLevelName(str(name).strip().upper())
    return value if isinstance(value, int) else logging.INFO


def configure(level: str | int, stream: IO[str] | None = None) -> None:
    """Set the root level, add one stderr handler unless the root has one already, and cap the
    libraries in ``CAPPED_LIBRARIES``. Safe to call more than once."""
    root_level = level_of(level)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(root_level)
    # A record a library logger lets through reaches the root's handlers without the root's level
    # being consulted again, so the cap is never lower than LOG_LEVEL itself.
    library_level = max(LIBRARY_FLOOR, root_level)
    for name in CAPPED_LIBRARIES:
        logging.getLogger(name).setLevel(max(library_level, FLOORS.get(name, LIBRARY_FLOOR)))
