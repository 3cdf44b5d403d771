"""wallet_exposure, continued: Bitcoin co-inputs (spending together with a listed address) and
co-outputs, the party's designation date, and WALLET_HISTORY_MAX_TX bounding the wallet over all its
chains -- through the real Runner, the fixture sanctions index and local explorers."""
from __future__ import annotations

import pytest

from checks import Confidence, Severity, Status
from tests.fakes.explorers import btc_address, esplora_tx, evm_address, evm_tx, trc20_row
from tests.test_wallet_exposure import (  # noqa: F401 - fixtures
    BTC,
    CHEIL,
    EVM,
    KIM_BTC,
    KIM_ETH,
    TRON,
    USDT_TRON,
    day,
    fakes,
    only,
    sanctions,
    screen,
)

pytestmark = pytest.mark.network_edge


def test_listed_co_input_is_high_even_for_a_small_amount(fakes, sanctions):  # noqa: F811
    # the wallet and Kim Sang Man's address sign one transaction (Esplora's real tx shape)
    fakes["btc"].add(esplora_tx("c" * 64, day(60), [(BTC, 2_000_000), (KIM_BTC, 5_000)],
                                [(btc_address(8), 1_990_000), (BTC, 10_000)]))
    report = screen(BTC, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "high"
    hit = only(result.findings, Severity.HIGH)
    assert hit.title == "Wallet spent together with an OFAC-listed address (Kim Sang Man)"
    assert hit.confidence == Confidence.HIGH
    ev = hit.evidence
    assert (ev["direction"], ev["txid"], ev["amount"]) == ("co-input", "c" * 64, "0.00005")
    assert ev["listed_addresses"] == [KIM_BTC] and ev["programs"] == ["DPRK4"]
    assert "common-input ownership" in hit.detail and "at least as strong as a payment" in hit.detail


def test_listed_co_output_of_a_payment_is_info(fakes, sanctions):  # noqa: F811
    # someone paid the wallet and, in the same transaction, Kim Sang Man's address
    fakes["btc"].add(esplora_tx("d" * 64, day(60), [(btc_address(9), 3_000_000)],
                                [(BTC, 1_000_000), (KIM_BTC, 1_900_000)]))
    result = screen(BTC, fakes, sanctions).checks[0]
    assert result.status == Status.OK and not [f for f in result.findings if f.severity >= Severity.LOW]
    note = next(f for f in result.findings if "OFAC-listed" in f.title)
    assert note.severity == Severity.INFO and note.evidence["direction"] == "co-output"
    assert "another output of a payment to this wallet" in note.detail


def test_exposure_names_the_designation_date(fakes, sanctions):  # noqa: F811
    fakes["tron"].add_trc20(trc20_row("aa" * 32, day(40), CHEIL, TRON, USDT_TRON, 250_000_000))
    hit = only(screen(TRON, fakes, sanctions).checks[0].findings, Severity.HIGH)
    assert hit.evidence["entity_designated"] == "2017-09-26" and "listed_since" not in hit.evidence
    assert "entity designated 2017-09-26 -- the address may have been added to the list later" in hit.detail
    assert "on the SDN list since" not in hit.detail


def interleaved(explorers, listed_on_bsc: int):
    """20 transactions on each of ethereum (odd days ago) and bsc (even days ago); the bsc one
    ``listed_on_bsc`` days ago pays Kim Sang Man's address."""
    explorers["eth"].add_native(*[evm_tx(f"0xe{n:02d}", day(n), evm_address(40 + n), EVM, 10**16)
                                  for n in range(1, 40, 2)])
    explorers["bsc"].add_native(*[evm_tx(f"0xb{n:02d}", day(n), EVM, KIM_ETH if n == listed_on_bsc
                                         else evm_address(40 + n), 10**16) for n in range(2, 41, 2)])


def test_the_cap_bounds_the_wallet_over_all_chains(fakes, sanctions):  # noqa: F811
    interleaved(fakes, listed_on_bsc=36)  # inside bsc's own 20, outside the wallet's newest 30
    result = screen(EVM, fakes, sanctions, max_tx=30, evm=("eth", "bsc")).checks[0]
    assert result.status == Status.OK and not [f for f in result.findings if f.severity >= Severity.LOW]
    summary = only(result.findings, Severity.INFO)
    ev = summary.evidence
    assert (ev["transactions_examined"], ev["history_truncated"], ev["max_transactions"]) == (30, True, 30)
    assert ev["per_chain"] == {"bsc": 15, "ethereum": 15}
    assert (ev["first_seen"], ev["last_seen"]) == (day(30).date().isoformat(), day(1).date().isoformat())
    assert "cut at the most recent 30 transactions across these chains" in summary.detail
    assert "on bsc, ethereum were not examined" in summary.detail


def test_a_listed_transfer_inside_the_wallet_cap_is_found(fakes, sanctions):  # noqa: F811
    interleaved(fakes, listed_on_bsc=4)
    hit = only(screen(EVM, fakes, sanctions, max_tx=30, evm=("eth", "bsc")).checks[0].findings,
               Severity.HIGH)
    assert (hit.evidence["chain"], hit.evidence["txid"]) == ("bsc", "0xb04")
    assert (hit.evidence["transactions_examined"], hit.evidence["history_truncated"]) == (30, True)


def test_under_the_cap_nothing_is_cut(fakes, sanctions):  # noqa: F811
    interleaved(fakes, listed_on_bsc=36)
    result = screen(EVM, fakes, sanctions, max_tx=40, evm=("eth", "bsc")).checks[0]
    assert only(result.findings, Severity.HIGH).evidence["txid"] == "0xb36"
    summary = next(f for f in result.findings if f.title == "On-chain history examined")
    assert summary.evidence["transactions_examined"] == 40 and summary.evidence["history_truncated"] is False
