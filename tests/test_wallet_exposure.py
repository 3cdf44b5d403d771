"""wallet_exposure through the real Runner, with the real sanctions index (official-schema fixture)
and local explorers speaking each API's JSON: exposure found, dust and forgeries explained, age,
truncation, and every fault reported as error -- never as "no exposure"."""
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.chains import build_chain_sources
from checks.sources.http import HttpClient
from checks.sources.sanctions import SanctionsSource
from checks.sources.sanctions_store import SanctionsStore
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
    token_tx,
    trc20_row,
    tron_address_of,
)
from tests.sanctions_fixtures import stored_source

pytestmark = pytest.mark.network_edge
NOW = datetime.now(UTC).replace(microsecond=0)
BTC, EVM, TRON = btc_address(1), evm_address(1), tron_address_of(1)
LAZARUS = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
LAZARUS_2 = "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B"
KIM_ETH, KIM_BTC = "0xb6f5ec1a0a9cd1526536d3f0426c429529471f40", "1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ"
CHEIL = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
USDT_ETH, USDT_TRON = "0xdAC17F958D2ee523a2206206994597C13D831ec7", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def day(n):
    return NOW - timedelta(days=n)


@pytest.fixture(scope="module")
def sanctions(tmp_path_factory):
    return stored_source(tmp_path_factory.mktemp("sanctions"))


@pytest.fixture
def fakes():
    with EsploraFake() as btc, EtherscanFake() as eth, EtherscanFake() as bsc, TronGridFake() as tron:
        yield {"btc": btc, "eth": eth, "bsc": bsc, "tron": tron}


def screen(wallet, fakes, sanctions, *, max_tx=500, timeout=None, evm=("eth",)):
    settings = Settings(btc_explorer_url=fakes["btc"].url, tron_api_url=fakes["tron"].url,
                        evm_explorers={("ethereum" if k == "eth" else k): fakes[k].url for k in evm},
                        wallet_history_max_tx=max_tx)
    chains = build_chain_sources(settings, HttpClient(retries=1, backoff_s=0.01))
    check = WalletExposure()
    if timeout:
        check.timeout_s = timeout
    ctx = CheckContext(sources={"sanctions": sanctions, "chains": chains})
    return Runner(Registry([check])).run(Candidate(wallet=wallet), ctx)


def test_a_chain_without_a_configured_explorer_is_skipped(fakes, sanctions):
    settings = Settings(btc_explorer_url="", tron_api_url=fakes["tron"].url, evm_explorers={})
    ctx = CheckContext(sources={"sanctions": sanctions,
                                "chains": build_chain_sources(settings, HttpClient(retries=0))})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=BTC), ctx).checks[0]
    assert (result.status, result.reason) == (Status.SKIPPED, "no Bitcoin explorer configured")
    assert not any(f.requests for f in fakes.values())


def only(findings, severity):
    picked = [f for f in findings if f.severity == severity]
    assert len(picked) == 1, [(f.severity, f.title) for f in findings]
    return picked[0]


def test_incoming_official_usdt_on_tron_from_a_listed_address_is_high(fakes, sanctions):
    fakes["tron"].add_trc20(trc20_row("aa" * 32, day(40), CHEIL, TRON, USDT_TRON, 250_000_000))
    report = screen(TRON, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "high"
    hit = only(result.findings, Severity.HIGH)
    assert "received funds from" in hit.title and "CHEIL CREDIT BANK" in hit.title
    ev = hit.evidence
    assert (ev["entity"], ev["programs"], ev["direction"], ev["txid"], ev["amount"], ev["asset"]) == (
        "CHEIL CREDIT BANK", ["DPRK4"], "in", "aa" * 32, "250", "USDT")
    assert ev["date"] == day(40).date().isoformat() and ev["list_published"] == "2025-11-19"
    assert ev["chains_examined"] == ["tron"] and ev["token_contract"] == USDT_TRON
    assert hit.source.startswith("OFAC SDN, published 2025-11-19")


def test_outgoing_native_transfer_in_another_letter_case_is_high(fakes, sanctions):
    # Etherscan lower-cases addresses; OFAC lists this one in EIP-55 mixed case.
    fakes["eth"].add_native(evm_tx("0x01", day(90), EVM, LAZARUS, 2 * 10**17))
    hit = only(screen(EVM.upper().replace("0X", "0x"), fakes, sanctions).checks[0].findings, Severity.HIGH)
    assert "sent funds to" in hit.title and hit.confidence == "high"
    assert hit.evidence["listed_addresses"] == [LAZARUS.lower()] and hit.evidence["amount"] == "0.2"
    assert hit.evidence["asset"] == "ETH" and hit.evidence["chain"] == "ethereum"


def test_bitcoin_input_paying_the_wallet_is_high(fakes, sanctions):
    fakes["btc"].add(esplora_tx("b" * 64, day(100), [(KIM_BTC, 1_100_000)], [(BTC, 1_000_000)]))
    hit = only(screen(BTC, fakes, sanctions).checks[0].findings, Severity.HIGH)
    assert hit.evidence["entity"] == "Kim Sang Man" and hit.evidence["amount"] == "0.01"
    assert hit.evidence["asset"] == "BTC" and hit.evidence["direction"] == "in"


def test_listed_transaction_only_on_a_later_page(fakes, sanctions):
    txs = [esplora_tx(f"{i:064x}", day(40 + i), [(btc_address(60 + i), 90_000)], [(BTC, 80_000)])
           for i in range(40)]
    txs[33] = esplora_tx("c" * 64, day(73), [(KIM_BTC, 90_000)], [(BTC, 80_000)])
    fakes["btc"].add(*txs)
    result = screen(BTC, fakes, sanctions).checks[0]
    assert only(result.findings, Severity.HIGH).evidence["txid"] == "c" * 64
    assert any("/txs/chain/" in r.path for r in fakes["btc"].requests)


def test_clean_history_says_what_was_examined_and_is_no_clearance(fakes, sanctions):
    fakes["eth"].add_native(evm_tx("0x01", day(200), evm_address(7), EVM, 10**18))
    fakes["eth"].add_token(token_tx("0x02", day(100), EVM, evm_address(8), USDT_ETH, 10**8))
    report = screen(EVM, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "low"
    summary = only(result.findings, Severity.INFO)
    assert summary.title == "On-chain history examined" and "not a clearance" in summary.detail
    assert summary.evidence["transactions_examined"] == 2 and summary.evidence["history_truncated"] is False
    assert summary.evidence["first_seen"] == day(200).date().isoformat()


def test_empty_history_is_never_used(fakes, sanctions):
    result = screen(EVM, fakes, sanctions, evm=("eth", "bsc")).checks[0]
    assert result.status == Status.OK
    finding = only(result.findings, Severity.INFO)
    assert finding.title == "Never used on chain: nothing to corroborate"
    assert finding.evidence["chains_examined"] == ["bsc", "ethereum"]
    assert "only for the chains" in finding.detail


def test_exposure_on_a_second_evm_chain(fakes, sanctions):
    fakes["bsc"].add_native(evm_tx("0x0b", day(50), EVM, KIM_ETH, 10**17))
    hit = only(screen(EVM, fakes, sanctions, evm=("eth", "bsc")).checks[0].findings, Severity.HIGH)
    assert hit.evidence["chain"] == "bsc" and hit.evidence["asset"] == "BNB"


def test_truncation_at_the_cap(fakes, sanctions):
    txs = [esplora_tx(f"{i:064x}", day(5 + i), [(btc_address(60 + i), 90_000)], [(BTC, 80_000)])
           for i in range(40)]
    txs[35] = esplora_tx("c" * 64, day(40), [(KIM_BTC, 90_000)], [(BTC, 80_000)])  # beyond the cap
    fakes["btc"].add(*txs)
    result = screen(BTC, fakes, sanctions, max_tx=30).checks[0]
    assert result.status == Status.OK and not [f for f in result.findings if f.severity >= Severity.LOW]
    summary = only(result.findings, Severity.INFO)
    assert summary.evidence["history_truncated"] is True and summary.evidence["transactions_examined"] == 30
    assert "cut at the most recent 30" in summary.detail  # and no "first used" claim


def test_several_entities_one_finding_each_with_count_and_latest(fakes, sanctions):
    fakes["eth"].add_native(evm_tx("0x01", day(30), LAZARUS.lower(), EVM, 10**18),
                            evm_tx("0x02", day(20), EVM, LAZARUS_2.lower(), 10**17),
                            evm_tx("0x03", day(60), KIM_ETH, EVM, 10**18))
    highs = [f for f in screen(EVM, fakes, sanctions).checks[0].findings if f.severity == Severity.HIGH]
    by_entity = {f.evidence["entity"]: f for f in highs}
    assert set(by_entity) == {"Lazarus Group", "Kim Sang Man"}
    lazarus = by_entity["Lazarus Group"]
    assert lazarus.evidence["transactions"] == 2 and lazarus.evidence["txid"] == "0x02"
    assert lazarus.evidence["direction"] == "both" and "exchanged funds with" in lazarus.title


@pytest.mark.parametrize("row, why", [
    (trc20_row("d1" * 32, day(40), CHEIL, TRON, USDT_TRON, 500_000), "under the 1 USDT minimum"),
    (trc20_row("d2" * 32, day(40), CHEIL, TRON, USDT_TRON, 0), "zero-value"),
    (trc20_row("d3" * 32, day(40), TRON, CHEIL, USDT_TRON, 0), "zero-value"),
    (trc20_row("d4" * 32, day(40), CHEIL, TRON, tron_address_of(77), 10**12), "not a known stablecoin"),
])
def test_dust_poisoning_and_fake_tokens_are_info(fakes, sanctions, row, why):
    fakes["tron"].add_trc20(row)
    report = screen(TRON, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "low"
    note = next(f for f in result.findings if "OFAC-listed" in f.title)
    assert note.severity == Severity.INFO
    assert any(why in reason for reason in note.evidence["why_no_evidence"])
    assert why in note.detail


def test_real_payment_next_to_dust_is_one_high(fakes, sanctions):
    fakes["tron"].add_trc20(trc20_row("e1" * 32, day(40), CHEIL, TRON, USDT_TRON, 1),
                            trc20_row("e2" * 32, day(80), CHEIL, TRON, USDT_TRON, 30_000_000))
    hit = only(screen(TRON, fakes, sanctions).checks[0].findings, Severity.HIGH)
    assert hit.evidence["txid"] == "e2" * 32 and hit.evidence["ignored_transfers"] == 1


def test_first_used_within_30_days_is_low(fakes, sanctions):
    fakes["eth"].add_native(evm_tx("0x01", day(12), evm_address(7), EVM, 10**18))
    low = only(screen(EVM, fakes, sanctions).checks[0].findings, Severity.LOW)
    assert low.title == f"Wallet first used on {day(12).date().isoformat()}"
    assert low.evidence["first_used"] == day(12).date().isoformat()


@pytest.mark.parametrize("wallet, words", [
    ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3Xjrp"
     "DtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A", "Monero hides"),
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet"),
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f97", "not a valid address (EIP-55"),
    ("LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6", "no history source for Litecoin"),
    ("42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi", "no history source for Solana"),
])
def test_not_applicable_says_why_and_calls_nothing(fakes, sanctions, wallet, words):
    result = screen(wallet, fakes, sanctions).checks[0]
    assert result.status == Status.SKIPPED and words in result.reason  # the runner asks not_applicable
    assert WalletExposure().not_applicable(Candidate(wallet=wallet))
    direct = WalletExposure().run(Candidate(wallet=wallet), CheckContext(sources={"sanctions": sanctions}))
    finding = only(direct, Severity.INFO)  # called directly, run() still says why
    assert finding.title == "On-chain history not examined" and words in finding.evidence["reason"]
    assert not any(f.requests for f in fakes.values())


def test_no_sanctions_list_is_an_error_before_any_request(fakes, tmp_path):
    result = screen(EVM, fakes, SanctionsSource(SanctionsStore(tmp_path))).checks[0]
    assert result.status == Status.ERROR and "sanctions update" in result.reason
    assert not fakes["eth"].requests


@pytest.mark.parametrize("family, answer, words", [
    ("btc", Answer(503, b"down"), "HTTP 503"),
    ("btc", Answer(429, b"", {"Retry-After": "3600"}), "rate limited until"),
    ("btc", Answer(200, b"<html>"), "invalid JSON"),
    ("eth", Answer(body={"status": "0", "message": "NOTOK", "result": "Invalid API Key"}), "Invalid API Key"),
    ("eth", Answer(body={"status": "0", "message": "NOTOK", "result": "Max rate limit reached"}),
     "rate limited"),
    ("tron", Answer(body={"success": False, "error": "bad request", "statusCode": 400}), "bad request"),
])
def test_source_faults_are_errors_never_no_exposure(fakes, sanctions, family, answer, words):
    wallet = {"btc": BTC, "eth": EVM, "tron": TRON}[family]
    fakes[family].fault("/", answer, always=True)
    report = screen(wallet, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.ERROR and words in result.reason and wallet not in result.reason
    assert not any("Never used" in f.title or "history examined" in f.title for f in result.findings)


def test_timeout_is_an_error_within_the_budget(fakes, sanctions):
    fakes["tron"].fault("/", Answer(delay=4.0), always=True)
    result = screen(TRON, fakes, sanctions, timeout=1.5).checks[0]
    assert result.status == Status.ERROR and "in time" in result.reason and result.duration_ms < 1500


def test_a_later_fault_keeps_the_exposure_found(fakes, sanctions):
    txs = [esplora_tx(f"{i:064x}", day(40 + i), [(btc_address(60 + i), 90_000)], [(BTC, 80_000)])
           for i in range(30)]
    txs[2] = esplora_tx("c" * 64, day(42), [(KIM_BTC, 90_000)], [(BTC, 80_000)])
    fakes["btc"].add(*txs)
    fakes["btc"].fault("/txs/chain/", Answer(500, b"oops"), always=True)
    report = screen(BTC, fakes, sanctions)
    result = report.checks[0]
    assert result.status == Status.ERROR and "history incomplete" in result.reason
    assert only(result.findings, Severity.HIGH).evidence["entity"] == "Kim Sang Man"
    assert report.risk.level == "high"


def test_the_wallet_is_never_logged(fakes, sanctions, caplog):
    fakes["eth"].fault("/", Answer(500, b"x"), always=True)
    with caplog.at_level(logging.DEBUG, logger="checks"):
        screen(EVM, fakes, sanctions)
        screen(BTC, fakes, sanctions)
    assert EVM not in caplog.text and BTC not in caplog.text


def test_one_evm_chain_failing_is_an_error_even_if_another_is_empty(fakes, sanctions):
    fakes["bsc"].fault("/", Answer(503, b"down"), always=True)
    result = screen(EVM, fakes, sanctions, evm=("eth", "bsc")).checks[0]
    assert result.status == Status.ERROR and "bsc" in result.reason and result.findings == ()
