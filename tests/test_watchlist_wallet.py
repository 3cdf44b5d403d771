"""wallet_exposure treats watchlisted wallets like sanctioned ones: a payment to a wallet on a security
team's list (or confirmed fraud) is a one-hop exposure, cited to the list -- and a confirmed-fraud
wallet, an earlier candidate's, is named by its date and vetting, never shown."""
from __future__ import annotations

from bot.config import Settings
from bot.watchlist_import import Indicator, parse
from bot.watchlist_index import build_index
from bot.watchlists import CONFIRMED, Watchlists
from checks import Candidate, Severity, Status, normalize
from checks.context import CheckContext
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.chains import build_chain_sources
from checks.sources.http import HttpClient
from checks.wallet_exposure import WalletExposure
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401
from tests.fakes.explorers import evm_address, evm_tx
from tests.test_wallet_exposure import day, fakes, sanctions  # noqa: F401 - fixtures

EVM = evm_address(1)
RING = "0x52908400098527886E0F7030069857D2E4169EE7"


def test_payment_to_a_watchlisted_wallet_is_high(store, fakes, sanctions):  # noqa: F811
    Watchlists(store).replace("ring-a", parse(f"type,value,note\nwallet,{RING},payout hub\n".encode()),
                              source="t", actor="t")
    fakes["eth"].add_native(evm_tx("0x01", day(40), EVM, RING.lower(), 3 * 10**17))
    settings = Settings(evm_explorers={"ethereum": fakes["eth"].url})
    chains = build_chain_sources(settings, HttpClient(retries=1, backoff_s=0.01))
    ctx = CheckContext(sources={"sanctions": sanctions, "chains": chains, "watchlists": build_index(store)})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=EVM), ctx).checks[0]
    assert result.status == Status.OK
    (hit,) = [f for f in result.findings if f.severity == Severity.HIGH]
    assert hit.title == "Wallet sent funds to a watchlisted address (watchlist 'ring-a')"
    assert hit.evidence["listed_addresses"] == [RING.lower()]
    assert hit.evidence["list"] == "ring-a" and "OFAC" not in hit.source + hit.detail
    assert hit.source.startswith("vetcandidate watchlists (ring-a); history from ")
    assert "sanctioned" not in hit.detail and "your security team listed" in hit.detail


def test_confirmed_fraud_wallet_is_named_by_date_and_vetting_never_shown(store, fakes, sanctions):  # noqa: F811
    lists = Watchlists(store)
    lists.add(CONFIRMED, [Indicator("wallet", RING, normalize.wallet(RING))], actor="U0ADMIN",
              vetting_id="v-77")
    fakes["eth"].add_native(evm_tx("0x01", day(40), RING.lower(), EVM, 3 * 10**17),
                            evm_tx("0x02", day(30), EVM, RING.lower(), 10**17))
    settings = Settings(evm_explorers={"ethereum": fakes["eth"].url})
    chains = build_chain_sources(settings, HttpClient(retries=1, backoff_s=0.01))
    ctx = CheckContext(sources={"sanctions": sanctions, "chains": chains, "watchlists": build_index(store)})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=EVM), ctx).checks[0]
    (hit,) = [f for f in result.findings if f.severity == Severity.HIGH]
    when = lists.entries(CONFIRMED)[0].added_at.strftime("%Y-%m-%d")
    assert hit.title == ("Wallet exchanged funds with a wallet linked to a vetting confirmed as fraud on "
                         f"{when}")
    ev = hit.evidence
    assert (ev["confirmed_on"], ev["vetting"], ev["list"]) == (when, "v-77", CONFIRMED)
    assert (ev["transactions"], ev["direction"], ev["chain"]) == (2, "both", "ethereum")
    entry = lists.entries(CONFIRMED)[0].id
    assert ev["watchlist_entries"] == [entry]
    # txid, amount and date would lead an explorer from this wallet straight to that one
    assert not {"txid", "amount", "date", "token_contract", "listed_addresses"} & ev.keys()
    assert hit.source.startswith("vetcandidate watchlists (confirmed-fraud); history from ")
    assert "vetting #v-77" in hit.detail and "OFAC" not in hit.source + hit.detail + hit.title
    assert f"An admin can follow vetting #v-77 (watchlist entry #{entry})" in hit.detail
    text = repr((hit.title, hit.detail, dict(hit.evidence), hit.source)).lower()
    assert RING.lower()[2:] not in text  # the earlier person's wallet appears nowhere
    assert "0x01" not in text and "0x02" not in text
    assert day(30).date().isoformat() not in text and day(40).date().isoformat() not in text


def test_ofac_and_other_watchlist_hits_keep_the_transaction(store, fakes, sanctions):  # noqa: F811
    Watchlists(store).replace("ring-a", parse(f"type,value,note\nwallet,{RING},payout hub\n".encode()),
                              source="t", actor="t")
    fakes["eth"].add_native(evm_tx("0x07", day(12), EVM, RING.lower(), 2 * 10**17))
    settings = Settings(evm_explorers={"ethereum": fakes["eth"].url})
    ctx = CheckContext(sources={"sanctions": sanctions, "watchlists": build_index(store),
                                "chains": build_chain_sources(settings, HttpClient(retries=0))})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=EVM), ctx).checks[0]
    (hit,) = [f for f in result.findings if f.severity == Severity.HIGH]
    assert (hit.evidence["txid"], hit.evidence["amount"], hit.evidence["date"]) == (
        "0x07", "0.2", day(12).date().isoformat())
    assert "transaction 0x07" in hit.detail


def test_confirmed_fraud_dust_is_info_and_still_hides_the_transaction(store, fakes, sanctions):  # noqa: F811
    Watchlists(store).add(CONFIRMED, [Indicator("wallet", RING, normalize.wallet(RING))], actor="U0ADMIN",
                          vetting_id="v-3")
    fakes["eth"].add_native(evm_tx("0x09", day(5), RING.lower(), EVM, 0))  # zero-value: no evidence
    settings = Settings(evm_explorers={"ethereum": fakes["eth"].url})
    ctx = CheckContext(sources={"sanctions": sanctions, "watchlists": build_index(store),
                                "chains": build_chain_sources(settings, HttpClient(retries=0))})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=EVM), ctx).checks[0]
    note = next(f for f in result.findings if "confirmed as fraud" in f.title)
    assert note.severity == Severity.INFO and "zero-value" in note.detail
    assert not {"txid", "amount", "date"} & note.evidence.keys()
    assert "0x09" not in note.detail and "An admin can follow vetting #v-3" in note.detail


def test_one_way_confirmed_fraud_wording(store, fakes, sanctions):  # noqa: F811
    Watchlists(store).add(CONFIRMED, [Indicator("wallet", RING, normalize.wallet(RING))], actor="U0ADMIN",
                          vetting_id="v-9")
    fakes["eth"].add_native(evm_tx("0x05", day(10), EVM, RING.lower(), 10**17))
    settings = Settings(evm_explorers={"ethereum": fakes["eth"].url})
    ctx = CheckContext(sources={"sanctions": sanctions, "watchlists": build_index(store),
                                "chains": build_chain_sources(settings, HttpClient(retries=0))})
    result = Runner(Registry([WalletExposure()])).run(Candidate(wallet=EVM), ctx).checks[0]
    (hit,) = [f for f in result.findings if f.severity == Severity.HIGH]
    assert hit.title.startswith("Wallet paid a wallet linked to a vetting confirmed as fraud on ")
