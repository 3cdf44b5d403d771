"""Only the configured explorer is ever called: an explorer answering with a redirect to another
host (a second local server speaking the same API) is refused on every adapter -- that server sees
no request, no API key leaves, and wallet_exposure ends as error, never as "no exposure"."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from checks import Candidate, Status
from checks.context import CheckContext
from checks.errors import SourceError
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.chains import (
    ChainSources,
    EsploraAdapter,
    EtherscanAdapter,
    HistoryCache,
    TronGridAdapter,
)
from checks.sources.chains.base import host_allowlist
from checks.sources.http import HttpClient
from checks.wallet_exposure import WalletExposure
from tests.fakes.explorers import (
    Answer,
    EsploraFake,
    EtherscanFake,
    TronGridFake,
    btc_address,
    esplora_tx,
    evm_address,
    evm_tx,
    trc20_row,
    tron_address_of,
)
from tests.sanctions_fixtures import stored_source

pytestmark = pytest.mark.network_edge
NOW = datetime.now(UTC).replace(microsecond=0)
USDT_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
CASES = {
    "esplora": (EsploraFake, lambda http, url: EsploraAdapter(http, url), btc_address(1)),
    "etherscan": (lambda: EtherscanFake(require_key="EKEY"),
                  lambda http, url: EtherscanAdapter(http, url, api_key="EKEY"), evm_address(1)),
    "trongrid": (lambda: TronGridFake(require_key="TKEY"),
                 lambda http, url: TronGridAdapter(http, url, api_key="TKEY"), tron_address_of(1)),
}


def filled(kind, fake, wallet):
    """The second server holds a real-looking history, so following the redirect would 'work'."""
    when = NOW - timedelta(days=3)
    if kind == "esplora":
        fake.add(esplora_tx("a" * 64, when, [(btc_address(9), 2_000)], [(wallet, 1_000)]))
    elif kind == "etherscan":
        fake.add_native(evm_tx("0x01", when, evm_address(9), wallet, 10**17))
    else:
        fake.add_trc20(trc20_row("b" * 64, when, tron_address_of(9), wallet, USDT_TRON, 10**7))
    return fake


@pytest.fixture(scope="module")
def sanctions(tmp_path_factory):
    return stored_source(tmp_path_factory.mktemp("sanctions"))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_redirect_to_another_host_is_refused_and_is_an_error(kind, sanctions):
    make_fake, make_adapter, wallet = CASES[kind]
    with make_fake() as explorer, filled(kind, make_fake(), wallet) as elsewhere:
        target = elsewhere.url.rstrip("/") + "/"
        explorer.fault("/", Answer(302, b"", {"Location": target + "moved"}), always=True)
        adapter = make_adapter(HttpClient(retries=0), explorer.url)
        with pytest.raises(SourceError, match="host not allowed"):
            adapter.history(wallet, deadline=time.monotonic() + 5)

        ctx = CheckContext(sources={"sanctions": sanctions,
                                    "chains": ChainSources([adapter], cache=HistoryCache(0))})
        report = Runner(Registry([WalletExposure()])).run(Candidate(wallet=wallet), ctx)
        result = report.checks[0]
        assert result.status == Status.ERROR and "host not allowed" in result.reason
        assert wallet not in result.reason and report.risk.level == "incomplete"
        assert not any("Never used" in f.title or "history examined" in f.title for f in result.findings)
        assert explorer.requests and elsewhere.requests == []  # the other host got nothing, no key


def test_same_host_redirect_is_followed():
    wallet = btc_address(1)
    with EsploraFake() as explorer:
        explorer.add(esplora_tx("c" * 64, NOW - timedelta(days=2), [(btc_address(9), 2_000)],
                                [(wallet, 1_000)]))
        path = f"/api/address/{wallet}/txs"
        explorer.fault(path, Answer(302, b"", {"Location": path + "?moved=1"}))
        adapter = EsploraAdapter(HttpClient(retries=0), explorer.url)
        assert adapter.history(wallet, deadline=time.monotonic() + 5).tx_count == 1
        assert any(r.query.get("moved") == "1" for r in explorer.requests)


def test_allowlist_is_the_configured_host_and_port_and_keeps_https():
    assert host_allowlist("https://blockstream.info/api") == (frozenset({"blockstream.info"}), "https")
    assert host_allowlist("http://127.0.0.1:8080/api") == (frozenset({"127.0.0.1:8080"}), None)
    assert host_allowlist("https://API.etherscan.io:8443/v2/api?chainid=1") == (
        frozenset({"api.etherscan.io:8443"}), "https")
