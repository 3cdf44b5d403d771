"""On-chain exposure benchmark: a wallet with 500 transactions behind local explorers that add
LATENCY (100 ms) to every answer.

For each API family: wall time of one history read (cap WALLET_HISTORY_MAX_TX = 500; the median of
READS reads, the first on a cold connection), the request count, and the ratio to the floor =
sequential pages x latency (Esplora pages are chained by the last txid, 25 a page; Etherscan's two
listings and TronGrid's two listings are read side by side). Target: ratio <= 1.2. For Etherscan the
same two pages are also fetched bare (no parsing): the difference is this code's share; the rest is
the local explorer's (it serialises ~300 KB of JSON per answer under its own GIL). Then the whole
check through the Runner on the Bitcoin wallet, and counterparty lookups per second against the
full sanctions index, built from the real 2025-11-19 SDN_ADVANCED.XML snapshot in ../shared/data
with checks.sources.sanctions_store.refresh into a temp dir (parsing is not timed).

The explorers run in a child process (a real explorer does not share this process's GIL).
Run: python bench/exposure.py [SNAPSHOT.xml.bz2]
"""
from __future__ import annotations

import math
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import Candidate  # noqa: E402
from checks.context import CheckContext  # noqa: E402
from checks.registry import Registry  # noqa: E402
from checks.runner import Runner  # noqa: E402
from checks.sources.chains import (  # noqa: E402
    ChainSources,
    EsploraAdapter,
    EtherscanAdapter,
    HistoryCache,
    TronGridAdapter,
)
from checks.sources.chains.base import side_by_side  # noqa: E402
from checks.sources.http import HttpClient  # noqa: E402
from checks.sources.sanctions import SanctionsSource  # noqa: E402
from checks.sources.sanctions_store import SanctionsStore, refresh  # noqa: E402
from checks.wallet_exposure import WalletExposure  # noqa: E402
from tests.fakes.explorers import (  # noqa: E402
    EsploraFake,
    EtherscanFake,
    TronGridFake,
    btc_address,
    esplora_tx,
    evm_address,
    evm_tx,
    token_tx,
    trc20_row,
    tron_address_of,
    trx_row,
)

SNAPSHOT = ROOT.parent / "shared/data/ofac/sdn_advanced_2025-11-19.xml.bz2"
LATENCY, N, CAP, READS = 0.100, 500, 500, 7
NOW = datetime.now(UTC).replace(microsecond=0)
USDT_ETH, USDT_TRON = "0xdAC17F958D2ee523a2206206994597C13D831ec7", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def when(i: int) -> datetime:
    return NOW - timedelta(hours=6 * (i + 1))


def explorers(conn) -> None:
    """Child process: the three local explorers (a remote explorer does not share our GIL)."""
    btc_wallet, evm_wallet, tron_wallet = btc_address(1), evm_address(1), tron_address_of(1)
    with EsploraFake(latency=LATENCY) as btc, EtherscanFake(latency=LATENCY) as eth, \
            TronGridFake(latency=LATENCY) as tron:
        btc.add(*[esplora_tx(f"{i:064x}", when(i), [(btc_address(2 + i % 250), 60_000)],
                             [(btc_wallet, 50_000)]) for i in range(N)])
        eth.add_native(*[evm_tx(f"0x{i:064x}", when(i), evm_address(2 + i % 250), evm_wallet, 10**16)
                         for i in range(N)])
        eth.add_token(*[token_tx(f"0x{i + N:064x}", when(i), evm_address(2 + i % 250), evm_wallet, USDT_ETH,
                                 10**7) for i in range(N)])
        tron.add_trc20(*[trc20_row(f"{i:064x}", when(i), tron_address_of(2 + i % 250), tron_wallet, USDT_TRON,
                                   10**7) for i in range(N)])
        tron.add_trx(*[trx_row(f"{i + N:064x}", when(i), tron_address_of(2 + i % 250), tron_wallet, 10**6)
                       for i in range(N)])
        fakes = {"btc": btc, "eth": eth, "tron": tron}
        conn.send({name: fake.url for name, fake in fakes.items()})
        while (command := conn.recv()) != "stop":
            fake = fakes[command]
            conn.send(len(fake.requests))
            fake.requests.clear()


class Remote:
    def __init__(self) -> None:
        self.conn, child = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=explorers, args=(child,), daemon=True)
        self.process.start()
        self.urls = self.conn.recv()

    def requests(self, name: str) -> int:
        """Requests the explorer has seen since the last call."""
        self.conn.send(name)
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(timeout=5)


def measure(label: str, remote: Remote, name: str, adapter, wallet: str, floor_pages: int) -> None:
    """READS history reads on one adapter: the median wall time is the figure (this box is shared:
    a single sample swings by 10-30 ms); requests are per read."""
    remote.requests(name)
    walls = []
    for _ in range(READS):
        started = time.perf_counter()
        history = adapter.history(wallet, deadline=time.monotonic() + 60)
        walls.append(time.perf_counter() - started)
    wall, floor = statistics.median(walls), floor_pages * LATENCY
    print(f"{label:<34} {wall:6.3f} s  (min {min(walls):.3f})  {remote.requests(name) // READS:3d} requests  "
          f"{history.tx_count} tx (truncated={history.truncated})  floor {floor_pages} pages x "
          f"{LATENCY * 1000:.0f} ms = {floor:.1f} s  ratio {wall / floor:.2f}")


def bare_fetch(label: str, http: HttpClient, urls: list[str]) -> None:
    """The same pages fetched side by side without parsing: what the explorer and HTTP cost alone."""
    walls = []
    for _ in range(READS):
        started = time.perf_counter()
        side_by_side(*[lambda url=url: http.get(url) for url in urls])
        walls.append(time.perf_counter() - started)
    wall = statistics.median(walls)
    print(f"{label:<34} {wall:6.3f} s  (min {min(walls):.3f})  {len(urls):3d} requests  no parsing"
          f"{'':32}ratio {wall / LATENCY:.2f}")


def main() -> None:
    remote = Remote()
    try:
        run(remote)
    finally:
        remote.stop()


def run(remote: Remote) -> None:
    http = HttpClient(retries=0)
    urls = remote.urls
    btc_wallet, evm_wallet, tron_wallet = btc_address(1), evm_address(1), tron_address_of(1)
    print(f"== one history read, {N} transactions, +{LATENCY * 1000:.0f} ms per answer, cap {CAP}")
    esplora = EsploraAdapter(http, urls["btc"], max_tx=CAP)
    measure("Esplora (25/page, chained)", remote, "btc", esplora, btc_wallet, math.ceil(CAP / 25))
    etherscan = EtherscanAdapter(http, urls["eth"], max_tx=CAP)
    measure("Etherscan (offset 501, 2 listings)", remote, "eth", etherscan, evm_wallet, 1)
    bare_fetch("  same 2 pages, bare GETs", http,
               [etherscan._url(action, evm_wallet, 1, CAP + 1) for action in ("txlist", "tokentx")])
    measure("Etherscan (offset 100, 2 listings)", remote, "eth",
            EtherscanAdapter(http, urls["eth"], max_tx=CAP, page_size=100), evm_wallet, 6)
    measure("TronGrid (limit 200, 2 listings)", remote, "tron",
            TronGridAdapter(http, urls["tron"], max_tx=CAP), tron_wallet, 3)
    print()

    print("== the whole check (Runner), Bitcoin wallet, full sanctions index")
    if not SNAPSHOT.is_file() and len(sys.argv) < 2:
        print(f"skipped: {SNAPSHOT} is missing")
        return
    snapshot = sys.argv[1] if len(sys.argv) > 1 else str(SNAPSHOT)
    with tempfile.TemporaryDirectory() as tmp:
        store = SanctionsStore(Path(tmp))
        outcome = refresh(store, http, snapshot, now=datetime.now(UTC))
        assert outcome.status == "updated", outcome.reason
        sanctions = SanctionsSource(store)
        index = sanctions.current(datetime.now(UTC))
        chains = ChainSources([esplora], cache=HistoryCache(ttl_s=0))
        ctx = CheckContext(sources={"sanctions": sanctions, "chains": chains})
        remote.requests("btc")
        started = time.perf_counter()
        report = Runner(Registry([WalletExposure()])).run(Candidate(wallet=btc_wallet), ctx)
        wall = time.perf_counter() - started
        result = report.checks[0]
        floor = math.ceil(CAP / 25) * LATENCY
        print(f"status {result.status}, {len(result.findings)} finding(s), {wall:.3f} s wall "
              f"({remote.requests('btc')} requests), ratio to the {floor:.1f} s floor {wall / floor:.2f}")

        print("\n== counterparty lookups against the full index "
              f"({index.unique_addresses} addresses, edition {index.publish_date})")
        history = esplora.history(btc_wallet, deadline=time.monotonic() + 60)
        sample = [t.counterparty for t in history.transfers] + [x.address for x in index.listings]
        sample += [a.upper() for a in sample[:200]] + [evm_address(i) for i in range(200)]
        rounds, started = 0, time.perf_counter()
        while time.perf_counter() - started < 1.0:
            for address in sample:
                index.lookup(address)
            rounds += 1
        elapsed = time.perf_counter() - started
        print(f"{rounds * len(sample) / elapsed:,.0f} lookups/s ({len(sample)} mixed addresses: clean, "
              "listed, other case, EVM)")
        judge = WalletExposure()
        started = time.perf_counter()
        for _ in range(20):
            judge._exposure({"bitcoin": history}, index, {"BTC": 0})
        per_run = (time.perf_counter() - started) / 20
        print(f"judging {history.tx_count} transactions (lookups included): {per_run * 1000:.2f} ms")


if __name__ == "__main__":
    main()
