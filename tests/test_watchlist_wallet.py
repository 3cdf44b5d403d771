"""wallet_exposure treats watchlisted wallets like sanctioned ones: a payment to a wallet on a security
team's list (or confirmed fraud) is a one-hop exposure, named after the list."""
from __future__ import annotations

from bot.config import Settings
from bot.watchlist_import import parse
from bot.watchlist_index import build_index
from bot.watchlists import Watchlists
from checks import Candidate, Severity, Status
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
