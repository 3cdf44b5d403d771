"""The Etherscan-compatible adapter against a local server speaking Etherscan's envelopes: txlist and
tokentx merged, page/offset paging, the cap, configured query parameters kept, and every fault."""
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from checks.errors import BadResponse, RateLimited, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.chains import IN, OUT, EtherscanAdapter
from checks.sources.http import HttpClient
from tests.fakes.explorers import Answer, EtherscanFake, evm_address, evm_tx, token_tx

pytestmark = pytest.mark.network_edge
WALLET = evm_address(1)
LAZARUS = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake():
    with EtherscanFake(require_key="KEY") as server:
        yield server


def adapter(fake, url=None, **kwargs):
    kwargs.setdefault("api_key", "KEY")
    kwargs.setdefault("rate_limit_wait_s", 0.01)
    http = HttpClient(retries=kwargs.pop("retries", 0), backoff_s=0.01)
    return EtherscanAdapter(http, url or fake.url, **kwargs)


def soon(seconds=5.0):
    return time.monotonic() + seconds


def day(n):
    return NOW - timedelta(days=n)


def receipts(n):
    return [evm_tx(f"0x{i:04x}", day(i + 1), evm_address(10 + i), WALLET, 10**15) for i in range(n)]


def test_native_and_token_transfers_merge_with_directions_and_amounts(fake):
    fake.add_native(evm_tx("0x01", day(2), WALLET, LAZARUS, 5 * 10**16),
                    evm_tx("0x02", day(5), evm_address(7), WALLET, 10**18))
    fake.add_token(token_tx("0x03", day(1), LAZARUS, WALLET, USDT, 250_000_000),
                   token_tx("0x04", day(9), evm_address(8), WALLET, evm_address(99), 10**20, symbol="USDT",
                            decimals=18))
    history = adapter(fake).history(WALLET.upper().replace("0X", "0x"), deadline=soon())
    assert (history.tx_count, history.truncated, history.chain) == (4, False, "ethereum")
    by_tx = {t.txid: t for t in history.transfers}
    first = by_tx["0x01"]
    assert (first.direction, first.counterparty, first.amount, first.asset) == (
        OUT, LAZARUS.lower(), Decimal("0.05"), "ETH")
    assert by_tx["0x01"].native and by_tx["0x02"].direction == IN and by_tx["0x02"].amount == 1
    assert (by_tx["0x03"].amount, by_tx["0x03"].token_contract, by_tx["0x03"].asset) == (
        Decimal(250), USDT.lower(), "USDT")
    assert by_tx["0x04"].amount == 100 and by_tx["0x04"].token_contract == evm_address(99)
    assert by_tx["0x03"].time == day(1)
    actions = sorted(r.query["action"] for r in fake.requests)
    assert actions == ["tokentx", "txlist"]
    for r in fake.requests:
        assert (r.query["module"], r.query["sort"], r.query["address"], r.query["apikey"]) == (
            "account", "desc", WALLET, "KEY")
        assert r.query["offset"] == "501" and r.query["page"] == "1"


def test_configured_query_parameters_are_kept(fake):
    fake.add_native(evm_tx("0x01", day(2), WALLET, evm_address(3), 1))
    history = adapter(fake, url=fake.url + "?chainid=56&apikey=KEY", api_key="OTHER", chain="bsc").history(
        WALLET, deadline=soon())
    assert history.tx_count == 1 and history.transfers[0].asset == "BNB" and history.chain == "bsc"
    assert all(r.query["chainid"] == "56" and r.query["apikey"] == "KEY" for r in fake.requests)


def test_a_listed_transaction_on_a_later_page_is_found(fake):
    fake.add_native(*receipts(7))
    fake.add_native(evm_tx("0xbeef", day(30), LAZARUS, WALLET, 10**18))
    history = adapter(fake, page_size=3).history(WALLET, deadline=soon())
    assert history.tx_count == 8 and any(t.txid == "0xbeef" for t in history.transfers)
    pages = sorted(int(r.query["page"]) for r in fake.requests if r.query["action"] == "txlist")
    assert pages == [1, 2, 3]


def test_cap_keeps_the_most_recent_and_says_it_was_cut(fake):
    fake.add_native(*receipts(6))
    history = adapter(fake, max_tx=3).history(WALLET, deadline=soon())
    assert (history.tx_count, history.truncated) == (3, True)
    assert sorted(t.txid for t in history.transfers) == ["0x0000", "0x0001", "0x0002"]


def test_unread_older_listing_does_not_leave_gaps(fake):
    # tokentx is cut at the cap (recent), txlist is short and old: old txlist entries newer than the
    # oldest token row read may be kept, older ones may not (unread token rows could be newer).
    fake.add_token(*[token_tx(f"0xa{i:03x}", day(i + 1), evm_address(20), WALLET, USDT, 10**6)
                     for i in range(5)])
    fake.add_native(evm_tx("0xold", day(400), evm_address(21), WALLET, 10**18))
    history = adapter(fake, max_tx=3).history(WALLET, deadline=soon())
    assert history.truncated and "0xold" not in {t.txid for t in history.transfers}


def test_empty_envelope_is_an_empty_history(fake):
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.empty and not history.truncated and history.requests == 2


def test_failed_and_self_transactions_move_nothing(fake):
    fake.add_native(evm_tx("0x01", day(1), WALLET, LAZARUS, 10**18, failed=True),
                    evm_tx("0x02", day(2), WALLET, WALLET, 10**18))
    history = adapter(fake).history(WALLET, deadline=soon())
    assert history.tx_count == 2 and history.transfers == ()


def test_error_envelope_is_an_error_without_wallet_or_key(fake):
    with pytest.raises(SourceError) as caught:
        adapter(fake, api_key="WRONG").history(WALLET, deadline=soon())
    assert "Missing/Invalid API Key" in str(caught.value) and WALLET not in str(caught.value)


def test_error_text_echoing_the_wallet_is_redacted(fake):
    fake.fault("/api", Answer(body={"status": "0", "message": "NOTOK",
                                    "result": f"Error! Invalid address {WALLET.upper()}"}), always=True)
    with pytest.raises(SourceError) as caught:
        adapter(fake).history(WALLET, deadline=soon())
    assert "<wallet>" in str(caught.value) and WALLET.lower() not in str(caught.value).lower()


def test_rate_limit_envelope_is_retried_then_reported(fake):
    limited = Answer(body={"status": "0", "message": "NOTOK",
                           "result": "Max calls per sec rate limit reached (5/sec)"})
    fake.add_native(evm_tx("0x01", day(1), evm_address(5), WALLET, 1))
    fake.fault("/api", limited, limited)
    assert adapter(fake).history(WALLET, deadline=soon()).tx_count == 1
    fake.fault("/api", limited, always=True)
    with pytest.raises(RateLimited, match="rate limited"):
        adapter(fake).history(WALLET, deadline=soon())


@pytest.mark.parametrize("answer, error, words", [
    (Answer(502, b"Bad Gateway"), SourceUnavailable, "HTTP 502"),
    (Answer(200, b"{not json"), BadResponse, "invalid JSON"),
    (Answer(200, ["a", "list"]), BadResponse, "unexpected"),
    (Answer(429, b"", {"Retry-After": "3600"}), RateLimited, "rate limited until"),
    (Answer(200, {"status": "1", "message": "OK", "result": [{"hash": "0x1", "timeStamp": "soon"}]}),
     BadResponse, "timeStamp"),
])
def test_faults(fake, answer, error, words):
    fake.fault("/api", answer, always=True)
    with pytest.raises(error, match=words):
        adapter(fake, retries=1).history(WALLET, deadline=soon())


def test_timeout(fake):
    fake.fault("/api", Answer(delay=3.0), always=True)
    with pytest.raises(SourceTimeout):
        adapter(fake).history(WALLET, deadline=soon(0.5))


def test_one_listing_failing_after_data_keeps_the_data(fake):
    fake.add_native(evm_tx("0x01", day(1), LAZARUS, WALLET, 10**18))
    fake.fault("action=tokentx", Answer(200, b"garbage"), always=True)
    history = adapter(fake).history(WALLET, deadline=soon())
    assert "invalid JSON" in history.error and history.tx_count == 1 and history.transfers[0].txid == "0x01"


def test_both_listings_failing_is_an_error(fake):
    fake.add_native(evm_tx("0x01", day(1), LAZARUS, WALLET, 10**18))
    fake.fault("action=", Answer(200, b"garbage"), always=True)
    with pytest.raises(BadResponse):
        adapter(fake).history(WALLET, deadline=soon())
