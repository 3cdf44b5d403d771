"""The sanctions edition kept in the database: stored by the unchanged ``refresh()``, read back by
the unchanged ``SanctionsSource``, shared by every process, refreshed without re-reading the data."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import store_models as m
from bot.config import Settings
from bot.store import Store
from checks.errors import SourceUnavailable
from checks.sanctions_name import NameScreen
from checks.sources.http import HttpClient
from checks.sources.sanctions import NoSanctionsList, SanctionsSource, StaleSanctionsList
from checks.sources.sanctions_store import SanctionsStore, SourceMeta, refresh
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401
from tests.sanctions_fixtures import FIXTURE

LAZARUS = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
NOW = datetime.now(UTC).replace(microsecond=0)


def test_refresh_stores_the_edition_and_the_source_reads_it_back(store, db_env):
    sanctions = store.sanctions()
    assert sanctions.load() is None
    with pytest.raises(NoSanctionsList):
        SanctionsSource(sanctions).current(NOW)

    outcome = refresh(sanctions, HttpClient(), str(FIXTURE), now=NOW)
    assert outcome.status == "updated", outcome.reason

    other = Store.open(Settings.from_env(db_env))  # another dyno, its own connection pool
    try:
        source = SanctionsSource(other.sanctions(), max_age_days=7, name_screen_factory=NameScreen)
        index = source.current(NOW)
        assert index.publish_date == date(2025, 11, 19)
        assert [x.entity for x in index.lookup(LAZARUS.upper().replace("0X", "0x"))] == ["Lazarus Group"]
        reference = SanctionsStore(db_env["VETCANDIDATE_DATA_DIR"] + "/file")
        assert refresh(reference, HttpClient(), str(FIXTURE), now=NOW).ok
        expected = reference.load()
        assert index.listings == expected.listings and index.total == expected.total
        assert index.counts_per_ticker() == expected.counts_per_ticker()
        assert index.individuals == expected.individuals  # read on demand from the database
        assert source.name_screen(index) is source.name_screen(source.current(NOW))
        assert (index.fetched_at, index.checked_at, index.source) == (NOW, NOW, str(FIXTURE))
    finally:
        other.close()


def test_same_content_marks_checked_without_a_new_edition(store):
    sanctions = store.sanctions()
    assert refresh(sanctions, HttpClient(), str(FIXTURE), now=NOW - timedelta(days=10)).status == "updated"
    source = SanctionsSource(sanctions, max_age_days=7)
    with pytest.raises(StaleSanctionsList):
        source.current(NOW)
    first = sanctions.load()
    again = refresh(sanctions, HttpClient(), str(FIXTURE), now=NOW)
    assert again.status == "not_modified"
    index = source.current(NOW)
    assert index.checked_at == NOW and index.fetched_at == NOW - timedelta(days=10)
    assert index.listings is first.listings  # the entries were not decoded again
    with store.engine.connect() as conn:
        assert len(conn.execute(select(m.sanctions_editions.c.id)).all()) == 1


def test_only_the_newest_editions_keep_their_data(store):
    sanctions = store.sanctions()
    assert refresh(sanctions, HttpClient(), str(FIXTURE), now=NOW).status == "updated"
    loaded = sanctions.load()
    for i in range(2):  # store two more copies under new validators: three rows in all
        sanctions.save(loaded, SourceMeta(etag=f'"{i}"'))
    assert sanctions.meta() == SourceMeta(etag='"1"')
    with store.engine.connect() as conn:
        rows = conn.execute(select(m.sanctions_editions.c.id, m.sanctions_editions.c.entries)
                            .order_by(m.sanctions_editions.c.id)).all()
    assert len(rows) == 3 and [r.entries is not None for r in rows] == [False, True, True]


def test_cached_file_edition_is_imported_on_first_migration(tmp_path):
    data = tmp_path / "data"
    assert refresh(SanctionsStore(data), HttpClient(), str(FIXTURE), now=NOW).status == "updated"
    opened = Store.open(Settings.from_env({"VETCANDIDATE_DATA_DIR": str(data)}))
    try:
        index = opened.sanctions().load()
        assert index is not None and index.publish_date == date(2025, 11, 19) and index.checked_at == NOW
    finally:
        opened.close()


def test_database_down_is_a_source_error(tmp_path):
    settings = Settings.from_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x",
                                  "VETCANDIDATE_SECRET": "0123456789abcdef0123"})
    down = Store.open(settings, upgrade=False)
    try:
        with pytest.raises(SourceUnavailable, match="sanctions list database unavailable"):
            SanctionsSource(down.sanctions()).current(NOW)
    finally:
        down.close()
