"""The Esplora adapter against a local server speaking Esplora's JSON: directions, amounts, paging
by last txid, the cap, and every fault as a typed error that never names the wallet."""
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from checks.errors import BadResponse, RateLimited, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.chains import IN, OUT, EsploraAdapter
from checks.sources.chains.base import CO_INPUT, CO_OUTPUT
from checks.sources.http import HttpClient
from tests.fakes.explorers import Answer, EsploraFake, btc_address, esplora_tx

pytestmark = pytest.mark.network_edge
WALLET = btc_address(1)
LISTED = "1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ"  # Kim Sang Man (DPRK4), XBT
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake():
    with EsploraFake() as server:
        yield server


def adapter(fake, **kwargs):
    return EsploraAdapter(HttpClient(retries=kwargs.pop("retries", 0), backoff_s=0.01), fake.url, **kwargs)


def soon(seconds=5.0):
    return time.monotonic() + seconds


def filler(n, start_days=1):
    """``n`` plain receipts of the wallet, newest first, a day apart."""
    return [esplora_tx(f"{i:064x}", NOW - timedelta(days=start_days + i),
                       [(btc_address(50 + i % 100), 90_000)], [(WALLET, 80_000)]) for i in range(n)]


def test_incoming_from_an_input_and_outgoing_to_outputs(fake):
    fake.add(esplora_tx("a" * 64, NOW - timedelta(days=3), [(LISTED, 2_000_000), (btc_address(9), 5_000)],
                        [(WALLET, 1_500_000), (btc_address(9), 400_000)]),
             esplora_tx("b" * 64, NOW - timedelta(days=1), [(WALLET, 1_500_000)],
                        [(btc_address(8), 1_000_000), (WALLET, 490_000)]))
    history = adapter(fake).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated, history.total_tx) == (2, False, 2)
    received = {t.counterparty: t for t in history.transfers if t.direction == IN}
    assert set(received) == {LISTED, btc_address(9)}
    assert received[LISTED].amount == Decimal("0.015") and received[LISTED].asset == "BTC"
    assert received[LISTED].time == NOW - timedelta(days=3) and received[LISTED].time.tzinfo is UTC
    sent = [t for t in history.transfers if t.direction == OUT]
    assert [(t.counterparty, t.amount, t.txid) for t in sent] == [(btc_address(8), Decimal("0.01"), "b" * 64)]
    assert history.first_seen == NOW - timedelta(days=3) and history.last_seen == NOW - timedelta(days=1)
    assert sorted(r.path for r in fake.requests) == [f"/api/address/{WALLET}", f"/api/address/{WALLET}/txs"]


def test_pages_follow_the_last_confirmed_txid_and_keep_mempool(fake):
    txs = filler(60)
    txs[55] = esplora_tx("f" * 64, NOW - timedelta(days=56), [(LISTED, 100_000)], [(WALLET, 90_000)])
    fake.add(*txs, esplora_tx("e" * 64, None, [(btc_address(3), 10_000)], [(WALLET, 9_000)]))
    history = adapter(fake).history(WALLET, deadline=soon())
    assert (history.tx_count, history.pending, history.truncated, history.requests) == (61, 1, False, 4)
    assert any(t.counterparty == LISTED and t.txid == "f" * 64 for t in history.transfers)
    chained = [r.path for r in fake.requests if "/txs/chain/" in r.path]
    assert chained == [f"/api/address/{WALLET}/txs/chain/{txs[24]['txid']}",
                       f"/api/address/{WALLET}/txs/chain/{txs[49]['txid']}"]


def test_cap_cuts_the_history_and_says_so(fake):
    fake.add(*filler(60))
    history = adapter(fake, max_tx=30).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated, history.total_tx, history.cap) == (30, True, 60, 30)
    assert history.first_seen == NOW - timedelta(days=30)
    assert len(fake.requests) == 3  # totals, first page, one more page


def test_exactly_a_full_page_is_not_truncated(fake):
    fake.add(*filler(25))
    history = adapter(fake, max_tx=25).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated) == (25, False)


def test_empty_history(fake):
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.empty and not history.truncated and history.transfers == () and history.first_seen is None


def test_only_the_configured_base_is_called(fake):
    fake.add(*filler(30))
    adapter(fake).history(WALLET, deadline=soon())
    assert fake.requests and all(r.path.startswith("/api/address/") for r in fake.requests)


@pytest.mark.parametrize("answer, error, words", [
    (Answer(503, b"Service Unavailable"), SourceUnavailable, "HTTP 503"),
    (Answer(200, b"<html>oops</html>"), BadResponse, "invalid JSON"),
    (Answer(200, {"error": "not a list"}), BadResponse, "unexpected"),
    (Answer(429, b"Too Many Requests", {"Retry-After": "3600"}), RateLimited, "rate limited until"),
    (Answer(400, b"Invalid Bitcoin address"), SourceError, "HTTP 400"),
])
def test_faults_are_typed_and_never_name_the_wallet(fake, answer, error, words):
    fake.add(*filler(3))
    fake.fault("/txs", answer, always=True)
    with pytest.raises(error) as caught:
        adapter(fake, retries=1).history(WALLET, deadline=soon())
    assert words in str(caught.value) and WALLET not in str(caught.value)


def test_timeout(fake):
    fake.fault("/txs", Answer(delay=3.0), always=True)
    started = time.monotonic()
    with pytest.raises(SourceTimeout):
        adapter(fake).history(WALLET, deadline=soon(0.5))
    assert time.monotonic() - started < 2.0


def test_a_later_page_failing_keeps_what_was_read(fake):
    txs = filler(40)
    txs[3] = esplora_tx("c" * 64, NOW - timedelta(days=4), [(LISTED, 100_000)], [(WALLET, 90_000)])
    fake.add(*txs)
    fake.fault("/txs/chain/", Answer(502, b"Bad Gateway"), always=True)
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.error and "HTTP 502" in history.error and history.tx_count == 25
    assert any(t.counterparty == LISTED for t in history.transfers)


def test_coinbase_and_op_return_have_no_counterparty(fake):
    tx = esplora_tx("d" * 64, NOW, [], [(WALLET, 625_000_000)])
    tx["vin"] = [{"txid": "0" * 64, "vout": 4294967295, "prevout": None, "is_coinbase": True}]
    tx["vout"].append({"scriptpubkey": "6a", "scriptpubkey_type": "op_return", "value": 0})
    fake.add(esplora_tx("0" * 63 + "1", NOW - timedelta(days=1), [(btc_address(4), 1)], [(WALLET, 1)]))
    fake.txs[WALLET].insert(0, tx)
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.tx_count == 2 and [t.txid for t in history.transfers] == ["0" * 63 + "1"]


def test_co_inputs_and_co_outputs(fake):
    """Spending with another input (common-input ownership) and being paid alongside another output:
    both visible, each with its own value; the payer's change back to an input is no co-output."""
    fake.add(esplora_tx("a" * 64, NOW - timedelta(days=5), [(WALLET, 300_000), (LISTED, 700_000)],
                        [(btc_address(8), 950_000), (WALLET, 40_000)]),
             esplora_tx("b" * 64, NOW - timedelta(days=2), [(btc_address(9), 500_000)],
                        [(WALLET, 100_000), (LISTED, 250_000), (btc_address(9), 140_000)]))
    history = adapter(fake).history(WALLET, deadline=soon())
    got = sorted((t.txid[0], t.direction, t.counterparty, t.amount) for t in history.transfers)
    assert got == [("a", CO_INPUT, LISTED, Decimal("0.007")), ("a", OUT, btc_address(8), Decimal("0.0095")),
                   ("b", CO_OUTPUT, LISTED, Decimal("0.0025")), ("b", IN, btc_address(9), Decimal("0.001"))]
