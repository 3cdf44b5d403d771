"""Source caches shared by every dyno, in the store (SQLite and PostgreSQL), in front of real local
servers: RDAP domain answers, Twilio lookups and chain histories. A second process (a fresh source
with its own empty memory layer over the same database) is answered from the database; failures
are never cached; a broken cache falls through to the source and never fails the lookup."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot import store_models as m
from bot.config import Settings
from bot.store_cache import CHAIN_HISTORY, PHONE_LOOKUP, RDAP
from bot.wiring import build_sources, source_cache
from checks.errors import NotFound
from checks.sources.chains import build_chain_sources
from checks.sources.http import HttpClient
from checks.sources.phone_lookup import TwilioLookup
from checks.sources.rdap import RdapClient
from checks.sources.ttl_cache import LayeredCache
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401
from tests.fakes.explorers import EsploraFake, btc_address, esplora_tx
from tests.fakes.rdap_server import RdapFake, days_ago
from tests.fakes.twilio_server import TwilioFake

pytestmark = pytest.mark.network_edge
US = "+14155550100"


def soon() -> float:
    return time.monotonic() + 5


def http() -> HttpClient:
    return HttpClient(connect_timeout=1.0, read_timeout=2.0, retries=0)


def cache_rows(store, namespace):
    with store.engine.connect() as conn:
        return conn.execute(select(m.cache_entries).where(m.cache_entries.c.namespace == namespace)).all()


class Broken:
    """A shared cache whose every call fails (a bug, a lost database)."""

    def get(self, key):
        raise RuntimeError("cache down")

    def set(self, key, value):
        raise RuntimeError("cache down")


def test_rdap_answers_are_shared_through_the_database(store):
    with RdapFake() as fake:
        fake.add_domain("young.test", registered=days_ago(10), expires=days_ago(-355),
                        registrar="Fresh Registrar", status=("active", "client transfer prohibited"))
        first = RdapClient(http(), fake.bootstrap_url, cache=source_cache(store, RDAP, 3600))
        record = first.lookup("Young.Test.", deadline=soon())
        assert first.lookup("young.test", deadline=soon()) == record  # the memory layer
        other_dyno = RdapClient(http(), fake.bootstrap_url, cache=source_cache(store, RDAP, 3600))
        assert other_dyno.lookup("young.test", deadline=soon()) == record
        assert fake.hits["/rdap/domain/young.test"] == 1
        rows = cache_rows(store, RDAP)
        assert len(rows) == 1 and rows[0].key != "young.test" and len(rows[0].key) == 64  # a keyed hash
        assert datetime.fromisoformat(rows[0].value["registered"]) == record.registered
        left = rows[0].expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
        assert timedelta(minutes=59) < left <= timedelta(hours=1)


def test_rdap_not_found_and_failures_are_not_cached(store):
    with RdapFake() as fake:
        fake.add_not_found("gone.test")
        fake.add_error("down.test", 503)
        client = RdapClient(http(), fake.bootstrap_url, cache=source_cache(store, RDAP, 3600))
        for _ in range(2):
            with pytest.raises(NotFound):
                client.lookup("gone.test", deadline=soon())
            with pytest.raises(Exception, match="503|unavailable"):
                client.lookup("down.test", deadline=soon())
        assert fake.hits["/rdap/domain/gone.test"] == 2 and fake.hits["/rdap/domain/down.test"] == 2
        assert cache_rows(store, RDAP) == []


def test_expired_rdap_entries_are_asked_again(store):
    with RdapFake() as fake:
        fake.add_domain("short.test", registered=days_ago(400))
        cache = LayeredCache(store.cache(RDAP, 0.5), memory_ttl_s=0)  # no memory layer
        client = RdapClient(http(), fake.bootstrap_url, cache=cache)
        client.lookup("short.test", deadline=soon())
        client.lookup("short.test", deadline=soon())
        assert fake.hits["/rdap/domain/short.test"] == 1
        time.sleep(0.6)
        client.lookup("short.test", deadline=soon())
        assert fake.hits["/rdap/domain/short.test"] == 2


def test_a_broken_or_unreadable_cache_falls_through_to_the_source(store):
    with RdapFake() as fake:
        fake.add_domain("ok.test", registered=days_ago(50), registrar="R")
        for cache in (Broken(), LayeredCache(Broken(), memory_ttl_s=0)):
            client = RdapClient(http(), fake.bootstrap_url, cache=cache)
            assert client.lookup("ok.test", deadline=soon()).registrar == "R"
        shared = store.cache(RDAP, 3600)
        shared.set("ok.test", {"v": 99})  # written by some other version
        client = RdapClient(http(), fake.bootstrap_url, cache=LayeredCache(shared, memory_ttl_s=0))
        assert client.lookup("ok.test", deadline=soon()).registrar == "R"
        assert fake.hits["/rdap/domain/ok.test"] == 3
        with store.engine.begin() as conn:  # the database loses the table: reads and writes fail
            conn.execute(text("DROP TABLE cache_entries"))
        assert client.lookup("ok.test", deadline=soon()).registrar == "R"
        assert fake.hits["/rdap/domain/ok.test"] == 4


def test_twilio_answers_are_shared_and_hold_no_number(store):
    with TwilioFake() as fake:
        fake.add_number(US, "nonFixedVoip", carrier_name="Google (Grand Central) - SVR",
                        caller_name="JANE ROE", caller_type="CONSUMER")

        def lookup():
            return TwilioLookup(http(), fake.sid, fake.token, fake.url, cache_ttl_s=600,
                                shared_cache=store.cache(PHONE_LOOKUP, 3600))
        first = lookup().lookup(US, deadline=soon())
        again = lookup().lookup(US, deadline=soon())   # another process: empty memory
        assert fake.hits[US] == 1 and not first.cached and again.cached
        assert again == type(first)(**{**first.__dict__, "cached": True})
        assert again.is_voip and again.caller_name == "JANE ROE" and again.fetched_at == first.fetched_at
        rows = cache_rows(store, PHONE_LOOKUP)
        assert len(rows) == 1 and "4155550100" not in repr(rows[0].value) and "4155550100" not in rows[0].key


def test_twilio_failures_are_not_cached_and_a_broken_cache_is_no_error(store):
    with TwilioFake() as fake:
        fake.add_error(US, 429, 20429, headers={"Retry-After": "3600"})
        lookup = TwilioLookup(http(), fake.sid, fake.token, fake.url,
                              shared_cache=store.cache(PHONE_LOOKUP, 3600))
        with pytest.raises(Exception, match="rate limit"):
            lookup.lookup(US, deadline=soon())
        assert cache_rows(store, PHONE_LOOKUP) == []
        fake.add_number(US, "mobile")
        info = TwilioLookup(http(), fake.sid, fake.token, fake.url, shared_cache=Broken()).lookup(US)
        assert info.line_type == "mobile" and not info.cached


def test_chain_histories_are_shared_through_the_database(store):
    wallet = btc_address(3)
    now = datetime.now(UTC).replace(microsecond=0)
    with EsploraFake() as fake:
        fake.add(esplora_tx("a" * 64, now - timedelta(days=3), [(btc_address(9), 250_000)],
                            [(wallet, 200_000)]))
        settings = Settings(btc_explorer_url=fake.url, evm_explorers={}, tron_api_url="")

        def chains():
            return build_chain_sources(settings, http(), cache=source_cache(store, CHAIN_HISTORY, 600))
        first = chains().history("bitcoin", wallet, deadline=soon())
        asked = len(fake.requests)
        again = chains().history("bitcoin", wallet, deadline=soon())
        assert len(fake.requests) == asked and again.cached and again.transfers == first.transfers
        rows = cache_rows(store, CHAIN_HISTORY)
        assert len(rows) == 1 and wallet not in repr(rows[0].value) and wallet not in rows[0].key


def test_wiring_puts_the_store_caches_behind_each_source(store, db_env):
    settings = Settings.from_env({**db_env, "TWILIO_ACCOUNT_SID": "ACx", "TWILIO_AUTH_TOKEN": "t",
                                  "RDAP_CACHE_TTL_S": "7200", "PHONE_LOOKUP_CACHE_TTL_S": "300",
                                  "WALLET_HISTORY_CACHE_TTL_S": "900",
                                  "WALLET_EXPOSURE_MINIMUMS": "usdt=25,ETH=0.01"})
    sources = build_sources(settings, store=store)
    rdap, phone, chains = sources["rdap"].cache, sources["phone_lookup"], sources["chains"]
    assert (rdap.shared.namespace, rdap.shared.default_ttl_s, rdap.memory.ttl_s) == (RDAP, 7200, 600)
    assert (phone.shared_cache.namespace, phone.shared_cache.default_ttl_s, phone.cache.ttl_s) == (
        PHONE_LOOKUP, 300, 300)
    assert (chains.cache.shared.namespace, chains.cache.shared.default_ttl_s) == (CHAIN_HISTORY, 900)
    assert {k: str(v) for k, v in chains.minimums.items()} == {"USDT": "25", "ETH": "0.01"}
    off = build_sources(Settings.from_env({**db_env, "TWILIO_ACCOUNT_SID": "ACx", "TWILIO_AUTH_TOKEN": "t",
                                           "RDAP_CACHE_TTL_S": "0", "PHONE_LOOKUP_CACHE_TTL_S": "0",
                                           "WALLET_HISTORY_CACHE_TTL_S": "0"}), store=store)
    assert off["rdap"].cache is None and off["phone_lookup"].shared_cache is None
    assert off["phone_lookup"].cache.ttl_s == 0 and off["chains"].cache.ttl_s == 0
