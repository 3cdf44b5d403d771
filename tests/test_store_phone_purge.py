"""A phone written without "+" is read in the claimed location's country -- as the phone check reads
it -- for the reuse fingerprints and for ``purge --candidate``; and an erasure takes the source-cache
entries of the erased vettings with it. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from bot import store_models as m
from bot.config import Settings
from bot.store import Store
from bot.store_cache import CHAIN_HISTORY, PHONE_LOOKUP, RDAP
from checks import fingerprints as fp
from checks.model import Candidate, Report, Risk, RiskLevel
from checks.phone_facts import parse_phone
from checks.resume.extract import ResumeDoc
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

FILLER = " ".join(f"word{i % 97} term{i % 89}" for i in range(200))
WALLET = "0x" + "ab" * 20


def record(store, vetting_id, *, resume="", days_ago=0.0, **fields):
    report = Report(candidate=Candidate(**fields), risk=Risk(RiskLevel.LOW, 0), checks=(),
                    generated_at=datetime.now(UTC) - timedelta(days=days_ago))
    artefacts = {"resume": ResumeDoc(kind="text", text=resume)} if resume else {}
    store.record(report, vetting_id=vetting_id, requested_by="U1", artefacts=artefacts)


def count(store, table, **where):
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar()


def kept(store):
    return sorted(r.vetting_id for r in store.history())


@pytest.mark.parametrize(("phone", "location", "e164"), [
    ("(415) 555-0123", "San Francisco, CA", "+14155550123"), ("415.555.0123", "Austin, TX", "+14155550123"),
    ("020 7946 0958", "London, UK", "+442079460958"), ("030 1234567", "Berlin, Germany", "+49301234567"),
    ("+1 415 555 0123", "Berlin, Germany", "+14155550123"), ("0044 20 7946 0958", "", "+442079460958"),
    ("tel:+14155550123", "Paris, France", "+14155550123"), ("(415) 555-0123", "", None),
    ("(415) 555-0123", "Atlantis", None), ("not a number", "Austin, TX", None),
])
def test_fingerprints_read_a_phone_as_the_phone_check_does(phone, location, e164):
    assert fp.phone_e164(phone, location) == e164 == (parse_phone(phone, location).e164 or None)


def test_a_national_number_matches_the_same_number_written_with_plus(store):
    record(store, "a1", name="Ann Lee", phone="(415) 555-0123", location="San Francisco, CA")
    index = store.reuse_index()
    for later in (Candidate(name="Bo Chan", phone="+1 415 555 0123"),
                  Candidate(name="Bo Chan", phone="415-555-0123", location="Austin, TX")):
        assert [(x.vetting_id, x.kind) for x in index.matches(index.fingerprint(later))] == [("a1", "phone")]
    elsewhere = Candidate(name="Bo Chan", phone="(415) 555-0123", location="Berlin, Germany")
    assert index.matches(index.fingerprint(elsewhere)) == []  # +49 415 ..., another number


def test_purge_by_e164_finds_a_vetting_entered_without_plus(store):
    record(store, "a1", name="Ann Lee", phone="(415) 555-0123", location="San Francisco, CA")
    record(store, "b1", name="Bo Chan", phone="(415) 555-0123", location="Berlin, Germany")
    done = store.purge_candidate("+1 415 555 0123")
    assert done.vettings == 1 and kept(store) == ["b1"]
    assert count(store, m.reuse_fingerprints, vetting_id="a1") == 0


def test_purge_finds_rows_recorded_without_a_phone_fingerprint(store):
    """Vettings recorded by an earlier version had no fingerprint for a number written without "+"."""
    record(store, "old", name="Ann Lee", phone="415 555 0123", location="SF, California")
    with store.engine.begin() as conn:
        conn.execute(delete(m.reuse_fingerprints).where(m.reuse_fingerprints.c.kind == "phone"))
    assert store.purge_candidate("+14155550123").vettings == 1 and kept(store) == []


def test_a_number_asked_without_plus_never_erases_one_stored_with_its_country_code(store):
    record(store, "us-intl", name="Ann Lee", phone="+14155550123", location="Austin, TX")
    record(store, "us-national", name="Ann Lee", phone="415.555.0123", location="San Francisco, CA")
    record(store, "no-place", name="Ann Lee", phone="+14155550123")
    record(store, "germany", name="Cy Dee", phone="+49 415 5550123", location="Berlin, Germany")
    record(store, "other", name="Di Eng", phone="(415) 555-0199", location="San Francisco, CA")
    done = store.purge_candidate("(415) 555-0123")
    # Read in Germany the asked digits are +49 415 5550123, that vetting's number: a national number
    # must not erase another person's, so only numbers also stored without "+" are read this way.
    assert done.vettings == 1 and kept(store) == ["germany", "no-place", "other", "us-intl"]
    assert store.purge_candidate("+1 (415) 555-0123").vettings == 2 and kept(store) == ["germany", "other"]


def test_the_number_printed_nationally_in_another_resume_loses_its_fingerprint(store):
    record(store, "a1", name="Ann Lee", phone="+14155550123")
    record(store, "b1", name="Bo Chan", phone="+1 212 555 0100", location="New York, NY",
           resume="Bo Chan\nReferences: Ann Lee, (415) 555-0123\n" + FILLER)
    assert count(store, m.reuse_fingerprints, vetting_id="b1", kind="resume_phone") >= 1
    index = store.reuse_index()
    assert "b1" in {x.vetting_id for x in index.matches(index.fingerprint(
        Candidate(name="Cy Dee", phone="+14155550123")))}
    store.purge_candidate("+14155550123")
    assert kept(store) == ["b1"]
    assert index.matches(index.fingerprint(Candidate(name="Cy Dee", phone="+14155550123"))) == []


def test_erasure_takes_the_cache_entries_of_the_erased_identifiers(store):
    record(store, "a1", name="Ann Lee", email="ann@mail.ann-lee.dev", phone="(415) 555-0123",
           location="San Francisco, CA", wallet=WALLET)
    record(store, "b1", name="Bo Chan", email="bo@example.com", phone="+14155550199")
    phone, rdap, chains = (store.cache(n, 3600) for n in (PHONE_LOOKUP, RDAP, CHAIN_HISTORY))
    phone.set("+14155550123", {"v": 1, "caller_name": "ANN LEE"})
    phone.set("+14155550199", {"v": 1, "caller_name": "BO CHAN"})
    rdap.set("ann-lee.dev", {"v": 1})
    rdap.set("mail.ann-lee.dev", {"v": 1})
    rdap.set("example.com", {"v": 1})
    chains.set(f"ethereum|{WALLET}|500", {"v": 1})
    chains.set("bitcoin|1somethingelse|500", {"v": 1})
    done = store.purge_candidate("ANN@mail.ann-lee.dev")
    assert done.vettings == 1 and kept(store) == ["b1"]
    assert phone.get("+14155550123") is None and phone.get("+14155550199") is not None
    assert rdap.get("ann-lee.dev") is None and rdap.get("mail.ann-lee.dev") is None
    assert rdap.get("example.com") is not None
    # wallet-history keys carry the chain and cap: the whole short-lived namespace goes
    assert count(store, m.cache_entries, namespace=CHAIN_HISTORY) == 0
    assert done.cache_entries == 1 + 2 + 2
    # a request for a number with no vetting still clears that number's cached lookup
    assert store.purge_candidate("+1 415 555 0199").vettings == 1 and phone.get("+14155550199") is None


def test_retention_purge_removes_cache_entries_with_their_vettings(db_env):
    store = Store.open(Settings.from_env({**db_env, "VETCANDIDATE_RETENTION_DAYS": "2"}), upgrade=True)
    try:
        record(store, "a1", name="Ann Lee", phone="+14155550123")
        cache = store.cache(PHONE_LOOKUP, 30 * 86400)   # asks for 30 days; retention caps it at 2
        cache.set("+14155550123", {"v": 1, "caller_name": "ANN LEE"})
        with store.engine.connect() as conn:
            expires = conn.execute(select(m.cache_entries.c.expires_at)).scalar()
        assert expires.replace(tzinfo=UTC) - datetime.now(UTC) <= timedelta(days=2)
        assert store.purge().cache_entries == 0 and cache.get("+14155550123") is not None
        later = store.purge(now=datetime.now(UTC) + timedelta(days=2, seconds=5))
        assert (later.vettings, later.cache_entries) == (1, 1) and count(store, m.cache_entries) == 0
    finally:
        store.close()
