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


def probes(settings: Settings, app: wiring.App) -> list[tuple[str, Callable[[float], str]]]:
    rdap, dns = app.sources["rdap"], app.sources["dns"]
    return [
        ("data directory", lambda deadline: f"writable: {_data_dir(settings)}"),
        ("checks", lambda deadline: f"{len(app.registry.enabled())} enabled: "
                                    + ", ".join(c.name for c in app.registry.enabled())),
        ("RDAP bootstrap", lambda deadline: f"{rdap.check_bootstrap(deadline=deadline)} TLDs from "
                                            f"{settings.rdap_bootstrap_url}"),
        ("DNS", lambda deadline: dns.check(deadline=deadline)),
        ("OFAC SDN list", lambda deadline: _sanctions(app)),
    ] + ([("Twilio Lookup", lambda deadline: _twilio(app, deadline))]
         if app.sources.get("phone_lookup") is not None else [])


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
        except (SourceError, OSError) as exc:
            failures += 1
            rows.append(("FAIL", label, str(exc)))
    width = max(len(label) for _, label, _ in rows)
    for status, label, detail in rows:
        out.write(f"{status.ljust(4)}  {label.ljust(width)}  {detail}\n")
    out.write("all good\n" if not failures else f"{failures} problem(s)\n")
    return 1 if failures else 0
