"""Builds real sanctions sources for check tests: the hand-written fixture in the official
SDN_ADVANCED schema, stored and served exactly as production does."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from checks.context import CheckContext
from checks.sanctions_name import NameScreen
from checks.sources.http import HttpClient
from checks.sources.sanctions import SanctionsSource
from checks.sources.sanctions_store import SanctionsStore, refresh

FIXTURE = Path(__file__).parent / "fixtures" / "ofac" / "sdn_advanced_small.xml"


def stored_source(data_dir: Path, xml: Path = FIXTURE, *, checked_days_ago: float = 0,
                  max_age_days: float = 7) -> SanctionsSource:
    store = SanctionsStore(data_dir)
    when = datetime.now(UTC) - timedelta(days=checked_days_ago)
    outcome = refresh(store, HttpClient(), str(xml), now=when)
    assert outcome.status == "updated", outcome.reason
    return SanctionsSource(store, max_age_days=max_age_days, name_screen_factory=NameScreen)


def context(source: SanctionsSource | None) -> CheckContext:
    return CheckContext(sources={"sanctions": source})
