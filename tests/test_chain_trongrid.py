"""The TronGrid adapter against a local server speaking TronGrid v1's JSON: TRC-20 and TRX merged,
hex addresses normalised to base58, millisecond timestamps, fingerprint paging (never following
``links.next``), the API key header, the cap, and faults."""
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from checks.errors import BadResponse, RateLimited, SourceError, SourceTimeout
from checks.sources.chains import IN, OUT, TronGridAdapter, tron_address
from checks.sources.http import HttpClient
from tests.fakes.explorers import Answer, TronGridFake, trc20_row, tron_address_of, tron_hex, trx_row

pytestmark = pytest.mark.network_edge
WALLET = tron_address_of(1)
CHEIL = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"  # CHEIL CREDIT BANK (DPRK4), USDT on TRON
USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake():
    with TronGridFake(require_key="TKEY") as server:
        yield server


def adapter(fake, **kwargs):
    kwargs.setdefault("api_key", "TKEY")
    return TronGridAdapter(HttpClient(retries=kwargs.pop("retries", 0), backoff_s=0.01), fake.url, **kwargs)


def soon(seconds=5.0):
    return time.monotonic() + seconds


def day(n):
    return NOW - timedelta(days=n)


def test_address_forms():
    hex41 = tron_hex(CHEIL)
    assert hex41.startswith("41") and tron_address(hex41) == CHEIL
    assert tron_address(hex41.upper()) == CHEIL and tron_address("0x" + hex41[2:]) == CHEIL
    assert tron_address(CHEIL) == CHEIL and tron_address(None) == ""


def test_trc20_and_trx_merge_with_hex_normalised(fake):
    fake.add_trc20(trc20_row("aa" * 32, day(2), CHEIL, WALLET, USDT, 250_000_000))
    fake.add_trx(trx_row("bb" * 32, day(3), WALLET, tron_address_of(5), 12_500_000),
                 trx_row("cc" * 32, day(4), tron_address_of(6), WALLET, 1_000_000, result="REVERT"))
    history = adapter(fake).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated, history.chain) == (3, False, "tron")
    usdt, trx = (next(t for t in history.transfers if t.txid == x) for x in ("aa" * 32, "bb" * 32))
    assert (usdt.direction, usdt.counterparty, usdt.amount, usdt.asset, usdt.token_contract) == (
        IN, CHEIL, Decimal(250), "USDT", USDT)
    assert usdt.time == day(2)  # milliseconds dropped, UTC
    assert (trx.direction, trx.counterparty, trx.amount, trx.asset, trx.native) == (
        OUT, tron_address_of(5), Decimal("12.5"), "TRX", True)
    assert "cc" * 32 not in {t.txid for t in history.transfers}  # failed: nothing moved
    assert {r.path for r in fake.requests} == {f"/v1/accounts/{WALLET}/transactions",
                                               f"/v1/accounts/{WALLET}/transactions/trc20"}
    assert all(r.headers.get("TRON-PRO-API-KEY") == "TKEY" for r in fake.requests)


def test_fingerprint_paging_finds_a_later_page_and_never_follows_links(fake):
    rows = [trc20_row(f"{i:064x}", day(i + 1), tron_address_of(40 + i), WALLET, USDT, 5_000_000)
            for i in range(5)]
    rows.append(trc20_row("ff" * 32, day(20), CHEIL, WALLET, USDT, 99_000_000))
    fake.add_trc20(*rows)
    history = adapter(fake, page_size=2).history(WALLET, deadline=soon())
    assert history.tx_count == 6 and any(t.counterparty == CHEIL for t in history.transfers)
    trc20 = [r for r in fake.requests if r.path.endswith("/trc20")]
    assert len(trc20) == 3 and "fingerprint" not in trc20[0].query
    assert all(r.query.get("fingerprint") for r in trc20[1:])  # paged by fingerprint, on the fake


def test_cap(fake):
    fake.add_trx(*[trx_row(f"{i:064x}", day(i + 1), tron_address_of(40 + i), WALLET, 10**6)
                   for i in range(7)])
    history = adapter(fake, max_tx=4, page_size=2).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated) == (4, True)
    assert history.first_seen == day(4)


def test_empty(fake):
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.empty and not history.truncated


def test_wrong_key(fake):
    with pytest.raises(SourceError, match="HTTP 401"):
        adapter(fake, api_key="nope").history(WALLET, deadline=soon())


@pytest.mark.parametrize("answer, error, words", [
    (Answer(200, {"success": False, "error": f"account {WALLET} is invalid", "statusCode": 400}), SourceError,
     "answered with an error: account <wallet>"),
    (Answer(200, b"\x00\x01"), BadResponse, "invalid JSON"),
    (Answer(200, {"success": True, "data": {"not": "a list"}}), BadResponse, "unexpected"),
    (Answer(429, {"Error": "request rate exceeded"}, {"Retry-After": "600"}), RateLimited,
     "rate limited until"),
    (Answer(503, b"busy"), SourceError, "HTTP 503"),
])
def test_faults(fake, answer, error, words):
    fake.fault("/transactions", answer, always=True)
    with pytest.raises(error) as caught:
        adapter(fake, retries=1).history(WALLET, deadline=soon())
    assert words in str(caught.value) and WALLET not in str(caught.value)


def test_timeout(fake):
    fake.fault("/transactions", Answer(delay=3.0), always=True)
    with pytest.raises(SourceTimeout):
        adapter(fake).history(WALLET, deadline=soon(0.5))


def test_later_page_failure_is_a_partial_history(fake):
    fake.add_trc20(*[trc20_row(f"{i:064x}", day(i + 1), CHEIL, WALLET, USDT, 10**7) for i in range(3)])
    fake.fault("fingerprint=", Answer(500, b"oops"), always=True)
    history = adapter(fake, page_size=2).history(WALLET, deadline=soon())
    assert "HTTP 500" in history.error and history.tx_count == 2
