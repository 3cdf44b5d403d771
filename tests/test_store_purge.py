"""Retention: purge past VETCANDIDATE_RETENTION_DAYS and purge one person on request, on SQLite and
PostgreSQL. Only an anonymous count survives."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot import store_models as m
from bot.config import Settings
from bot.store import Store
from checks.model import Candidate, Report, Risk, RiskLevel
from checks.resume.extract import ResumeDoc
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

RESUME = " ".join(f"word{i % 97} term{i % 89}" for i in range(200))


def record(opened, vetting_id, *, days_ago=0.0, text="", **fields):
    report = Report(candidate=Candidate(**fields), risk=Risk(RiskLevel.LOW, 0), checks=(),
                    generated_at=datetime.now(UTC) - timedelta(days=days_ago))
    artefacts = {"resume": ResumeDoc(kind="text", text=text)} if text else {}
    opened.record(report, vetting_id=vetting_id, requested_by="U1", artefacts=artefacts)


def rows(opened, table, **where):
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with opened.engine.connect() as conn:
        return conn.execute(query).scalar()


def test_retention_purge_keeps_recent_and_counts_anonymously(store):
    record(store, "old", days_ago=181, name="Ann Lee", email="ann@example.com", text=RESUME)
    record(store, "edge", days_ago=179, name="Bo Chan", phone="+14155550100")
    record(store, "new", name="Cy Dee", wallet="0x" + "ab" * 20)
    done = store.purge()
    assert (done.vettings, done.fingerprints) == (1, 1 + 2 + 32)  # email, two name tokens, resume bands
    assert [r.vetting_id for r in store.history()] == ["new", "edge"]
    assert rows(store, m.reuse_fingerprints, vetting_id="old") == 0
    assert rows(store, m.resume_signatures) == 0
    assert store.purge().vettings == 0
    assert store.purged_total() == 1
    with store.engine.connect() as conn:
        log = conn.execute(select(m.purge_log).order_by(m.purge_log.c.id)).all()
    assert [(r.reason, r.vettings) for r in log] == [("retention", 1), ("retention", 0)]
    assert set(log[0]._mapping) == {"id", "purged_at", "reason", "vettings", "fingerprints"}


def test_retention_days_come_from_the_environment(db_env):
    opened = Store.open(Settings.from_env({**db_env, "VETCANDIDATE_RETENTION_DAYS": "2"}), upgrade=True)
    try:
        assert opened.retention_days == 2
        record(opened, "three-days", days_ago=3, email="a@example.com")
        record(opened, "one-day", days_ago=1, email="b@example.com")
        assert opened.purge().vettings == 1
        assert [r.vetting_id for r in opened.history()] == ["one-day"]
    finally:
        opened.close()


def test_purge_one_person_on_request(store):
    record(store, "a1", days_ago=10, name="Ann Lee", email="Ann@Example.com", phone="+14155550100")
    record(store, "a2", name="Ann Lee", email="ann@example.com")
    record(store, "b1", name="Bo Chan", email="bo@example.com",
           text="Bo Chan, references: ann@example.com\n" + RESUME)
    done = store.purge_candidate("ANN@example.com ")
    assert done.vettings == 2
    assert [r.vetting_id for r in store.history()] == ["b1"]
    # Bo's vetting stays; only the fingerprint of Ann's address printed in Bo's resume goes.
    assert rows(store, m.reuse_fingerprints, vetting_id="b1", kind="resume_email") == 0
    assert rows(store, m.reuse_fingerprints, vetting_id="b1", kind="email") == 1
    assert store.purged_total() == 2


def test_purge_by_phone_or_wallet_in_any_written_form(store):
    record(store, "p", name="Ann Lee", phone="+14155550100")
    record(store, "w", name="Bo Chan", wallet="0x" + "AB" * 20)
    record(store, "x", name="Cy Dee", phone="not a number")
    assert store.purge_candidate("+1 (415) 555-0100").vettings == 1
    assert store.purge_candidate("0x" + "ab" * 20).vettings == 1
    assert store.purge_candidate("not a number").vettings == 1  # raw match when there is no normal form
    assert store.history() == [] and rows(store, m.reuse_fingerprints) == 0
    assert store.purge_candidate("nobody@example.com").vettings == 0


def test_purged_identifiers_are_no_longer_matched(store):
    record(store, "a1", name="Ann Lee", phone="+14155550100")
    index = store.reuse_index()
    prints = index.fingerprint(Candidate(name="Bo Chan", phone="+14155550100"))
    assert [x.vetting_id for x in index.matches(prints)] == ["a1"]
    store.purge_candidate("+14155550100")
    assert index.matches(prints) == []
