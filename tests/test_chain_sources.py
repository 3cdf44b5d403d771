"""The ``chains`` source: built from Settings, one adapter per configured explorer, a per-address TTL
cache in front (complete histories only), and minimum overrides."""
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.config import Settings
from checks.errors import NotConfigured, SourceUnavailable
from checks.sources.chains import (
    ChainSources,
    EsploraAdapter,
    EtherscanAdapter,
    HistoryCache,
    TronGridAdapter,
    build_chain_sources,
    parse_minimums,
)
from checks.sources.http import HttpClient
from tests.fakes.explorers import (
    Answer,
    EsploraFake,
    EtherscanFake,
    btc_address,
    esplora_tx,
    evm_address,
    evm_tx,
)

pytestmark = pytest.mark.network_edge
NOW = datetime.now(UTC).replace(microsecond=0)


def soon():
    return time.monotonic() + 5


def test_build_from_settings_env():
    settings = Settings.from_env({
        "BTC_EXPLORER_URL": "https://blockstream.info/api",
        "EVM_EXPLORER_URL": "eth=https://eth.blockscout.com/api,BSC=https://api.etherscan.io/v2/api?chainid=56",
        "EVM_EXPLORER_API_KEY": "SECRETKEY", "TRON_API_URL": "https://api.trongrid.io", "TRON_API_KEY": "t",
        "WALLET_HISTORY_MAX_TX": "120"})
    chains = build_chain_sources(settings, HttpClient())
    assert chains.chains == ("bitcoin", "ethereum", "bsc", "tron")
    assert chains.for_family("evm") == ["ethereum", "bsc"] and chains.for_family("bitcoin") == ["bitcoin"]
    assert isinstance(chains["bitcoin"], EsploraAdapter) and isinstance(chains["tron"], TronGridAdapter)
    bsc = chains["bsc"]
    assert isinstance(bsc, EtherscanAdapter) and bsc.symbol == "BNB" and bsc.api_key == "SECRETKEY"
    assert {chains[c].max_tx for c in chains.chains} == {120}
    assert chains.endpoints()["bsc"] == "api.etherscan.io" and "SECRETKEY" not in repr(chains)
    assert chains.cache.ttl_s == 600


def test_defaults_and_unconfigured():
    chains = build_chain_sources(Settings.from_env({}), HttpClient())
    assert chains.chains == ("bitcoin", "ethereum", "tron")
    assert chains.endpoints() == {"bitcoin": "blockstream.info", "ethereum": "eth.blockscout.com",
                                  "tron": "api.trongrid.io"}
    empty = build_chain_sources(Settings(btc_explorer_url="", tron_api_url=""), HttpClient())
    assert empty.chains == () and empty.for_family("evm") == []
    with pytest.raises(NotConfigured):
        empty["bitcoin"]


def test_optional_settings_are_read_when_present():
    class Extended:
        btc_explorer_url, evm_explorers, tron_api_url = "http://127.0.0.1:9/api", {}, ""
        wallet_history_max_tx, wallet_history_cache_ttl_s = 50, 0
        wallet_exposure_minimums = "usdt=25, BTC=0.001"
    chains = build_chain_sources(Extended(), HttpClient())
    assert chains.minimums == {"USDT": Decimal(25), "BTC": Decimal("0.001")} and chains.cache.ttl_s == 0


def test_parse_minimums():
    assert parse_minimums("ETH=0.01,TRX=10") == {"ETH": Decimal("0.01"), "TRX": Decimal(10)}
    assert parse_minimums({"usdc": "2"}) == {"USDC": Decimal(2)} and parse_minimums("") == {}
    for bad in ("ETH=x", "ETH=-1", "=1", "ETH=NaN"):
        with pytest.raises(ValueError):
            parse_minimums(bad)


def test_two_explorers_for_one_chain_is_refused():
    http = HttpClient()
    with pytest.raises(ValueError, match="two explorers"):
        ChainSources([EtherscanAdapter(http, "http://a/api"),
                      EtherscanAdapter(http, "http://b/api", chain="eth")])


def test_cache_serves_complete_histories_per_address_until_the_ttl():
    clock = [0.0]
    cache = HistoryCache(ttl_s=60, clock=lambda: clock[0])
    wallet = evm_address(1)
    with EtherscanFake() as fake:
        fake.add_native(evm_tx("0x01", NOW - timedelta(days=1), evm_address(2), wallet, 10**18))
        chains = ChainSources([EtherscanAdapter(HttpClient(retries=0), fake.url)], cache=cache)
        first = chains.history("ethereum", wallet, deadline=soon())
        again = chains.history("ethereum", wallet.upper().replace("0X", "0x"), deadline=soon())
        assert len(fake.requests) == 2 and again.cached and not first.cached
        assert again.transfers == first.transfers and again.requests == 0
        clock[0] = 61
        chains.history("ethereum", wallet, deadline=soon())
        assert len(fake.requests) == 4


def test_failures_and_partial_histories_are_not_cached():
    wallet = btc_address(1)
    with EsploraFake() as fake:
        fake.add(*[esplora_tx(f"{i:064x}", NOW - timedelta(days=i + 1), [(btc_address(9), 2)], [(wallet, 1)])
                   for i in range(30)])
        chains = ChainSources([EsploraAdapter(HttpClient(retries=0), fake.url)])
        fake.fault("/txs", Answer(503, b"down"))
        with pytest.raises(SourceUnavailable):
            chains.history("bitcoin", wallet, deadline=soon())
        fake.fault("/txs/chain/", Answer(503, b"down"))
        assert chains.history("bitcoin", wallet, deadline=soon()).error
        complete = chains.history("bitcoin", wallet, deadline=soon())
        assert not complete.error and not complete.cached and complete.tx_count == 30
        assert chains.history("bitcoin", wallet, deadline=soon()).cached and len(chains.cache) == 1


def test_cache_is_bounded():
    cache = HistoryCache(ttl_s=60, max_entries=2)
    history = object.__new__(type("H", (), {"error": ""}))
    for key in ("a", "b", "c"):
        cache.put((key,), history)
    assert len(cache) == 2 and cache.get(("a",)) is None and cache.get(("c",)) is history


class JsonStore:
    """The shape of the store's DbCache: string keys (it stores keyed hashes of them), JSON values."""

    def __init__(self):
        self.data = {}

    def get(self, key):
        return json.loads(self.data[key]) if key in self.data else None

    def set(self, key, value, ttl_s=None):
        self.data[key] = json.dumps(value)


def test_a_json_key_value_store_can_hold_the_cache():
    store, wallet = JsonStore(), btc_address(1)
    with EsploraFake() as fake:
        fake.add(esplora_tx("a" * 64, NOW - timedelta(days=2), [(btc_address(9), 200_000)],
                            [(wallet, 150_000)]),
                 esplora_tx("b" * 64, None, [(wallet, 150_000)], [(btc_address(8), 100_000)]))
        chains = ChainSources([EsploraAdapter(HttpClient(retries=0), fake.url)], cache=store)
        first = chains.history("bitcoin", wallet, deadline=soon())
        again = chains.history("bitcoin", wallet, deadline=soon())
        assert len(fake.requests) == 2 and again.cached
        assert again.transfers == first.transfers and again.first_seen == first.first_seen
        assert (again.tx_count, again.pending, again.total_tx, again.cap) == (2, 1, 2, 500)
        assert again.txs == first.txs and [t for t, _ in first.txs] == ["b" * 64, "a" * 64]  # newest first
        assert all(wallet not in value for value in store.data.values())  # DbCache hashes the keys
        store.data = dict.fromkeys(store.data, '{"v": 0}')  # unreadable entries are misses
        assert not chains.history("bitcoin", wallet, deadline=soon()).cached
