"""The audit store on SQLite and PostgreSQL: migrations from empty, recording in one transaction,
history, secret handling, caches and leases."""
from __future__ import annotations

import multiprocessing
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from bot import store_models as m
from bot.config import ConfigError, Settings
from bot.store import AlreadyRecorded, Store, StoreError, current_revision, database_url, head_revision
from checks.model import Candidate, CheckResult, Finding, Report, Risk, RiskLevel, Severity, Status
from tests.db_fixtures import TEST_SECRET, db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

TABLES = {"vettings", "reuse_fingerprints", "resume_signatures", "sanctions_editions", "cache_entries",
          "purge_log", "leases", "alembic_version"}


def report(name="Jane Roe", *, when=None, level=RiskLevel.LOW, **fields) -> Report:
    return Report(candidate=Candidate(name=name, **fields), risk=Risk(level, 0), checks=(),
                  generated_at=when or datetime.now(UTC))


def count(opened, table) -> int:
    with opened.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_migrations_up_from_empty(db_env):
    settings = Settings.from_env(db_env)
    opened = Store.open(settings, upgrade=False) if "DATABASE_URL" in db_env else None
    if opened is not None:  # PostgreSQL: nothing happens on open; migrate creates everything
        assert current_revision(opened.engine) == ""
        assert opened.migrate() == ("", head_revision())
    else:  # SQLite: the schema upgrades itself on open
        opened = Store.open(settings)
    try:
        assert set(inspect(opened.engine).get_table_names()) >= TABLES
        assert current_revision(opened.engine) == head_revision()
        assert opened.migrate() == (head_revision(), head_revision())  # idempotent
    finally:
        opened.close()


def test_migrated_schema_matches_the_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), m.metadata)
    assert diff == []


def test_postgres_without_migrate_says_so(pg_url, tmp_path):
    settings = Settings.from_env({"DATABASE_URL": pg_url, "VETCANDIDATE_SECRET": TEST_SECRET,
                                  "VETCANDIDATE_DATA_DIR": str(tmp_path)})
    with pytest.raises(StoreError, match="vetcandidate migrate"):
        Store.open(settings)  # PostgreSQL never upgrades on open: that is the release phase's job
    opened = Store.open(settings, upgrade=False)
    try:
        with pytest.raises(StoreError, match="schema missing"):
            opened.describe()
        opened.migrate()
        assert opened.describe().startswith(f"postgresql, schema {head_revision()}, 0 vettings kept")
    finally:
        opened.close()


def test_record_and_history(store):
    old = datetime.now(UTC) - timedelta(hours=2)
    store.record(report("Ann Lee", when=old, email="ann@example.com"), vetting_id="v-old", requested_by="U1",
                 team="T1", channel="C1")
    store.record(report("Bo Chan", level=RiskLevel.HIGH, phone="+14155550100"), vetting_id="v-new",
                 requested_by="U2", job_key="slack:abc")
    rows = store.history(10)
    assert [r.vetting_id for r in rows] == ["v-new", "v-old"]
    assert (rows[0].level, rows[0].requested_by, rows[1].channel) == ("high", "U2", "C1")
    assert rows[1].created_at == old
    assert [r.vetting_id for r in store.history(10, requested_by="U1")] == ["v-old"]
    assert store.history(1)[0].vetting_id == "v-new"
    assert store.report("v-old")["candidate"]["email"] == "ann@example.com"
    assert store.vetting_for_job("slack:abc") == "v-new" and store.vetting_for_job("nope") is None
    store.set_slack_ts("v-new", "1700000000.000100")
    with store.engine.connect() as conn:
        assert conn.execute(select(m.vettings.c.slack_ts).where(m.vettings.c.id == "v-new")).scalar() \
            == "1700000000.000100"


def test_nul_characters_do_not_break_recording(store):
    finding = Finding(severity=Severity.INFO, title="Resume metadata", evidence={"author": "J\x00R"})
    rep = Report(candidate=Candidate(name="Jane\x00Roe"), risk=Risk(RiskLevel.LOW, 0),
                 checks=(CheckResult("resume", Status.OK, (finding,)),), generated_at=datetime.now(UTC))
    store.record(rep, vetting_id="v1")
    stored = store.report("v1")
    assert stored["candidate"]["name"] == "Jane\ufffdRoe"
    assert stored["checks"][0]["findings"][0]["evidence"] == {"author": "J\ufffdR"}


def test_same_job_key_is_recorded_once(store):
    store.record(report(email="a@example.com"), vetting_id="v1", job_key="job-1")
    with pytest.raises(AlreadyRecorded):
        store.record(report(email="a@example.com"), vetting_id="v2", job_key="job-1")
    assert count(store, m.vettings) == 1 and store.vetting_for_job("job-1") == "v1"


def test_fingerprints_hold_no_plain_identifiers(store):
    store.record(report("Jane Roe", email="Jane@Example.com", phone="+1 415 555 0100", wallet="0xAbC",
                        github="octocat"), vetting_id="v1")
    with store.engine.connect() as conn:
        digests = [r.digest for r in conn.execute(select(m.reuse_fingerprints))]
    assert len(digests) == 6  # email, phone, wallet, github, two name tokens
    # keyed digests only: hex, so no plain identifier (each has a non-hex character) can hide in
    # them; a bare "abc" would match random hex by chance, so the full forms are used
    assert all(len(d) >= 32 and set(d) <= set("0123456789abcdef") for d in digests)
    for plain in ("jane", "example", "+14155550100", "0xabc", "octocat", "roe"):
        assert not any(plain in d.lower() for d in digests)


def test_recording_is_one_transaction(store, monkeypatch):
    original = Store._insert_fingerprints

    def half_then_fail(conn, vetting_id, created, prints):
        original(conn, vetting_id, created, prints)  # the rows are written ...
        raise RuntimeError("disk full")              # ... and then the write fails

    monkeypatch.setattr(Store, "_insert_fingerprints", staticmethod(half_then_fail))
    with pytest.raises(RuntimeError):
        store.record(report(email="a@example.com", phone="+14155550100"), vetting_id="v1")
    assert count(store, m.vettings) == 0 and count(store, m.reuse_fingerprints) == 0
    monkeypatch.undo()
    store.record(report(email="a@example.com"), vetting_id="v1")  # nothing half-recorded blocks a retry
    assert count(store, m.vettings) == 1


def test_sqlite_secret_is_created_once_and_private(tmp_path):
    settings = Settings.from_env({"VETCANDIDATE_DATA_DIR": str(tmp_path)})
    first = Store.open(settings)
    first.close()
    secret = tmp_path / "secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    content = secret.read_text()
    assert len(content.strip()) == 64
    Store.open(settings).close()
    assert secret.read_text() == content
    assert list(tmp_path.glob(".secret-*")) == []


def test_secret_rules():
    with pytest.raises(ConfigError, match="VETCANDIDATE_SECRET is required when DATABASE_URL points at"):
        Store.open(Settings.from_env({"DATABASE_URL": "postgres://u@127.0.0.1:1/x"}))
    with pytest.raises(ConfigError, match="at least 16"):
        Store.open(Settings.from_env({"DATABASE_URL": "sqlite://", "VETCANDIDATE_SECRET": "short"}))


def test_fingerprints_depend_on_the_secret(tmp_path):
    def digests(secret: str) -> set[str]:
        st = Store.open(Settings.from_env({"DATABASE_URL": "sqlite://", "VETCANDIDATE_SECRET": secret,
                                           "VETCANDIDATE_DATA_DIR": str(tmp_path)}))
        st.record(report(email="a@example.com"), vetting_id="v1")
        with st.engine.connect() as conn:
            out = set(conn.execute(select(m.reuse_fingerprints.c.digest)).scalars())
        st.close()
        return out

    assert digests(TEST_SECRET) == digests(TEST_SECRET)
    assert not digests(TEST_SECRET) & digests(TEST_SECRET + "x")


def test_database_urls():
    assert database_url(Settings.from_env({"DATABASE_URL": "postgres://u:p@h:5432/db"})).drivername \
        == "postgresql+psycopg"
    url = database_url(Settings.from_env({"VETCANDIDATE_DATA_DIR": "/tmp/x"}))
    assert (url.drivername, url.database) == ("sqlite", "/tmp/x/vetcandidate.db")
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        database_url(Settings.from_env({"DATABASE_URL": "mysql://h/db"}))
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_url(Settings.from_env({"DATABASE_URL": "not a url"}))


def test_unreachable_database_is_a_store_error(tmp_path):
    settings = Settings.from_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x",
                                  "VETCANDIDATE_SECRET": TEST_SECRET})
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open(settings)


def test_cache_with_ttl(store):
    cache = store.cache("rdap", default_ttl_s=60)
    assert cache.get("example.com") is None
    cache.set("example.com", {"created": "2020-01-01"})
    cache.set("example.com", {"created": "2021-01-01"})  # upsert
    assert cache.get("example.com") == {"created": "2021-01-01"}
    assert store.cache("phone").get("example.com") is None  # namespaces are apart
    cache.set("gone", [1], ttl_s=-1)
    assert cache.get("gone") is None
    with store.engine.connect() as conn:
        keys = set(conn.execute(select(m.cache_entries.c.key)).scalars())
    assert "example.com" not in keys and all(len(k) == 64 for k in keys)
    assert store.purge().cache_entries == 1
    cache.delete("example.com")
    assert cache.get("example.com") is None


def test_leases(store):
    assert store.acquire_lease("daily", "dyno-1", 60)
    assert not store.acquire_lease("daily", "dyno-2", 60)
    assert store.acquire_lease("daily", "dyno-1", 60)  # renewal
    store.release_lease("daily", "dyno-1")
    assert store.acquire_lease("daily", "dyno-2", -1)  # taken, but already expired ...
    assert store.acquire_lease("daily", "dyno-1", 60)  # ... so another holder may take it over


def _first_use(data_dir: str, worker: int) -> str:
    opened = Store.open(Settings.from_env({"VETCANDIDATE_DATA_DIR": data_dir}))
    try:
        for j in range(10):
            opened.record(report(email=f"a{j}@example.com"), vetting_id=f"w{worker}-{j}")
    finally:
        opened.close()
    return (Path(data_dir) / "secret").read_text()


def test_concurrent_first_use_of_sqlite(tmp_path):
    """Several processes open a fresh SQLite store at once: one schema, one secret, no lost write."""
    with multiprocessing.get_context("fork").Pool(4) as pool:
        secrets = pool.starmap(_first_use, [(str(tmp_path), i) for i in range(4)])
    assert len(set(secrets)) == 1
    opened = Store.open(Settings.from_env({"VETCANDIDATE_DATA_DIR": str(tmp_path)}))
    try:
        assert len(opened.history(100)) == 40
    finally:
        opened.close()
