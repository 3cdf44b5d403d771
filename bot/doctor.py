"""``vetcandidate doctor``: configuration and reachability of every configured source, as a table.
Exit 1 when anything that is configured fails."""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from bot import wiring
from bot.config import Settings
from bot.store import StoreError
from checks.errors import SourceError

PROBE_TIMEOUT_S = 8.0


def _data_dir(settings: Settings) -> str:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.data_dir):
        pass
    return str(settings.data_dir)


def _sanctions(app: wiring.App) -> str:
    index = app.sources["sanctions"].current(now=datetime.now(UTC))
    return (f"{index.citation}; refreshed {index.age_days(datetime.now(UTC)):.1f} days ago; "
            f"{index.unique_addresses} addresses")


def _twilio(app: wiring.App, deadline: float) -> str:
    app.sources["phone_lookup"].check_credentials(deadline=deadline)
    return "credentials accepted"


def _github(app: wiring.App, deadline: float) -> str:
    limit, remaining, reset = app.sources["github"].rate_limit(deadline=deadline)
    return f"{remaining}/{limit} requests left until {reset:%H:%M} UTC"


def _reachable(app: wiring.App, url: str, deadline: float) -> str:
    """A configured base URL answers; a redirect off its host (or to plain http) is refused, as
    in the checks themselves."""
    from checks.sources.chains.base import host_allowlist

    hosts, scheme = host_allowlist(url)
    response = app.sources["http"].get(url, deadline=deadline, max_bytes=256_000, allowed_hosts=hosts,
                                       allowed_scheme=scheme, ok_statuses=tuple(range(100, 500)))
    return f"reachable (HTTP {response.status})"


def _redis(settings: Settings) -> str:
    from bot.jobs import QUEUE_NAME, redis_connection

    try:
        client = redis_connection(settings.redis_url, timeout_s=2.0)
        client.ping()
        waiting = client.llen(f"rq:queue:{QUEUE_NAME}")
    except Exception as exc:  # redis.ConnectionError, TimeoutError, bad URL
        raise SourceError(f"cannot reach Redis: {type(exc).__name__}") from None
    return f"reachable, {waiting} vetting(s) waiting"


def _slack(settings: Settings) -> str:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url,
                       timeout=int(PROBE_TIMEOUT_S), retry_handlers=[])
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        raise SourceError(f"auth.test refused: {exc.response.get('error', 'unknown error')}") from None
    except Exception as exc:  # URLError, timeouts
        raise SourceError(f"cannot reach {settings.slack_api_url}: {type(exc).__name__}") from None
    return f"bot {answer.get('user_id', '?')} in team {answer.get('team', '?')}"


def probes(settings: Settings, app: wiring.App) -> list[tuple[str, Callable[[float], str]]]:
    rdap, dns = app.sources["rdap"], app.sources["dns"]
    checks: list[tuple[str, Callable[[float], str]]] = [
        ("data directory", lambda deadline: f"writable: {_data_dir(settings)}"),
        ("checks", lambda deadline: f"{len(app.registry.enabled())} enabled: "
                                    + ", ".join(c.name for c in app.registry.enabled())),
        ("RDAP bootstrap", lambda deadline: f"{rdap.check_bootstrap(deadline=deadline)} TLDs from "
                                            f"{settings.rdap_bootstrap_url}"),
        ("DNS", lambda deadline: dns.check(deadline=deadline)),
        ("database", lambda deadline: app.store.describe() if app.store else "not configured"),
        ("OFAC SDN list", lambda deadline: _sanctions(app)),
    ]
    if settings.redis_url:
        checks.append(("Redis job queue", lambda deadline: _redis(settings)))
    if app.sources.get("phone_lookup") is not None:
        checks.append(("Twilio Lookup", lambda deadline: _twilio(app, deadline)))
    if app.sources.get("github") is not None:
        checks.append(("GitHub API", lambda deadline: _github(app, deadline)))
    explorers = {"bitcoin": settings.btc_explorer_url, **settings.evm_explorers,
                 "tron": settings.tron_api_url}
    for chain, url in explorers.items():
        if url:
            checks.append((f"explorer {chain}", lambda deadline, url=url: _reachable(app, url, deadline)))
    if settings.slack_bot_token:
        checks.append(("Slack auth.test", lambda deadline: _slack(settings)))
    return checks


def run_doctor(settings: Settings, out: IO[str]) -> int:
    failures = 0
    try:
        app = wiring.build(settings)
    except Exception as exc:  # a broken plugin or unusable configuration
        out.write(f"FAIL  configuration  {exc}\n")
        return 1
    rows = []
    for label, probe in probes(settings, app):
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        try:
            rows.append(("ok", label, probe(deadline)))
        except (SourceError, StoreError, OSError) as exc:
            failures += 1
            rows.append(("FAIL", label, str(exc)))
    width = max(len(label) for _, label, _ in rows)
    for status, label, detail in rows:
        out.write(f"{status.ljust(4)}  {label.ljust(width)}  {detail}\n")
    out.write("all good\n" if not failures else f"{failures} problem(s)\n")
    return 1 if failures else 0
