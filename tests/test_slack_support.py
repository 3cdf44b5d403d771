"""Helpers shared by the tests/test_slack_*.py files (no tests here): simple checks and the app
served over real HTTP against FakeSlack."""
from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot import wiring
from bot.config import Settings
from bot.store import Store
from bot.wsgi import create_wsgi
from checks.model import Candidate, Finding, Severity
from checks.registry import Registry
from checks.wallet import WalletSanctions
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack, serving
from tests.sanctions_fixtures import stored_source

LISTED_WALLET = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"


class NameSeen:
    name = "name_seen"
    description = "test: notes that a name was given"
    requires = frozenset({"name"})

    def run(self, candidate: Candidate, ctx: Any) -> list[Finding]:
        return [Finding(severity=Severity.INFO, title="Name given",
                        evidence={"words": len(candidate.name.split())}, source="test")]


class SlowEmail:
    name = "slow_email"
    description = "test: a slow source about the email domain"
    requires = frozenset({"email"})
    delay_s = 0.3

    def run(self, candidate: Candidate, ctx: Any) -> list[Finding]:
        time.sleep(self.delay_s)
        return [Finding(severity=Severity.MEDIUM, title="Domain registered 100 days ago",
                        evidence={"domain": candidate.email.rsplit("@", 1)[-1]}, source="test RDAP")]


class ResumeSeen:
    name = "resume_seen"
    description = "test: what resume arrived"
    requires = frozenset({"resume"})

    def run(self, candidate: Candidate, ctx: Any) -> list[Finding]:
        return [Finding(severity=Severity.INFO, title="Resume received",
                        evidence={"bytes": len(candidate.resume_bytes or b""),
                                  "file": candidate.resume_filename}, source="test")]


class StoredVettings:
    """What the audit log recorded, read back from the store: a list of (report JSON, history row)."""

    def __init__(self, store: Store):
        self.store = store

    def _items(self) -> list[tuple[dict, Any]]:
        return [(self.store.report(row.vetting_id), row) for row in self.store.history(limit=100)]

    def __len__(self) -> int:
        return len(self._items())

    def __getitem__(self, i: int) -> tuple[dict, Any]:
        return self._items()[i]

    def __eq__(self, other: object) -> bool:
        return self._items() == other


def default_checks() -> list[Any]:
    return [NameSeen(), SlowEmail(), WalletSanctions(), ResumeSeen()]


def settings_for(slack: FakeSlack, tmp_path: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url, "slack_file_hosts": (slack.file_host,),
        "data_dir": tmp_path / "data", "check_timeout_s": 5.0, "vetting_deadline_s": 8.0}
    values.update(over)
    return Settings(**values)


@contextmanager
def running_app(slack: FakeSlack, tmp_path: Path, *, checks: list[Any] | None = None,
                interval_s: float = 0.3, sanctions: bool = True, **settings_over: Any):
    """Yields (events URL, SlackServices, recorded vettings) with the app served over real HTTP."""
    settings = settings_for(slack, tmp_path, **settings_over)
    sources = {"sanctions": stored_source(Path(tempfile.mkdtemp(dir=tmp_path)))} if sanctions else {}
    store = Store.open(settings)  # the real embedded SQLite audit log
    app = wiring.build(settings, sources=sources, registry=Registry(checks or default_checks()), store=store)
    services = wiring.build_slack_services(settings, app, update_interval_s=interval_s)
    recorded = StoredVettings(store)
    with serving(create_wsgi(settings, services)) as base:
        try:
            yield base + "/slack/events", services, recorded
        finally:
            services.jobs.shutdown(wait=True)
