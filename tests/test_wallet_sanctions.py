import pytest

from checks import Candidate, Severity, Status
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.sanctions import SanctionsSource
from checks.sources.sanctions_store import SanctionsStore
from checks.wallet import WalletSanctions
from tests.sanctions_fixtures import context, stored_source
from tests.shared_data import shared_file


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return stored_source(tmp_path_factory.mktemp("sanctions"))


def screen(wallet, source):
    return Runner(Registry([WalletSanctions()])).run(Candidate(wallet=wallet), context(source))


def critical(report):
    hits = [f for f in report.checks[0].findings if f.severity == Severity.CRITICAL]
    assert len(hits) == 1, report.checks[0].findings
    return hits[0]


@pytest.mark.parametrize("wallet", [
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",      # as published (EIP-55)
    "0x098b716b8aaf21512996dc57eb0615e2383e2f96",      # lower case
    "  0X098B716B8AAF21512996DC57EB0615E2383E2F96 ",   # upper case, padded
])
def test_evm_hit_is_critical_whatever_the_case(wallet, source):
    report = screen(wallet, source)
    hit = critical(report)
    assert report.risk.level == "critical" and report.risk.score == 100
    assert hit.evidence["entities"] == ["Lazarus Group"]
    assert hit.evidence["programs"] == ["DPRK3"]
    assert hit.source == "OFAC SDN, published 2025-11-19"


def test_one_address_under_several_tickers_reports_all(source):
    hit = critical(screen("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c", source))
    assert hit.evidence["tickers"] == ["ARB", "BSC", "ETH"]
    assert hit.evidence["entities"] == ["Sim Hyon Sop"]


def test_address_on_two_profiles_names_both(source):
    hit = critical(screen("LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6", source))
    assert len(hit.evidence["sdn_profiles"]) == 2
    assert "Secondeye Solution" in hit.evidence["entities"]


@pytest.mark.parametrize("wallet, entity", [
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz", "CHEIL CREDIT BANK"),
    ("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd", "Sinbad"),
])
def test_tron_usdt_and_bech32_hits(wallet, entity, source):
    assert critical(screen(wallet, source)).evidence["entities"] == [entity]


def test_non_evm_match_is_exact(source):
    report = screen("ta3941ufavmvibskq6fmjxxmasnovx86mz", source)  # base58 is case-sensitive
    assert not [f for f in report.checks[0].findings if f.severity == Severity.CRITICAL]


def test_no_hit_names_the_edition_and_does_not_say_safe(source):
    report = screen("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", source)
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "low"
    miss = next(f for f in result.findings if "not on the OFAC SDN list" in f.title)
    assert "2025-11-19" in miss.title and "does not mean the wallet is safe" in miss.detail
    assert any(f.title == "Crypto payout requested" and f.severity == Severity.LOW for f in result.findings)


def test_missing_list_fails_closed_and_keeps_payout_findings(tmp_path):
    source = SanctionsSource(SanctionsStore(tmp_path))
    report = screen("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", source)
    result = report.checks[0]
    assert result.status == Status.ERROR and "sanctions update" in result.reason
    assert report.risk.level == "incomplete" and report.risk.unchecked == ("wallet_sanctions",)
    assert [f.title for f in result.findings][0] == "Crypto payout requested"


def test_stale_list_fails_closed(tmp_path):
    source = stored_source(tmp_path, checked_days_ago=9, max_age_days=7)
    result = screen("0x098B716B8Aaf21512996dC57EB0615e2383E2f96", source).checks[0]
    assert result.status == Status.ERROR and "last refreshed 9 days ago" in result.reason
    assert not [f for f in result.findings if f.severity == Severity.CRITICAL]


def test_unconfigured_source_is_an_error(tmp_path):
    result = screen("0x098B716B8Aaf21512996dC57EB0615e2383E2f96", None).checks[0]
    assert result.status == Status.ERROR and "not configured" in result.reason


@pytest.mark.parametrize("wallet, severity, words", [
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f97", Severity.MEDIUM, "EIP-55"),
    ("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecx", Severity.MEDIUM, "checksum"),
    ("hello-world", Severity.LOW, "not recognised"),
])
def test_invalid_addresses_are_findings(wallet, severity, words, source):
    result = screen(wallet, source).checks[0]
    assert result.status == Status.OK
    problem = next(f for f in result.findings if f.severity == severity and "Crypto" not in f.title)
    assert words in problem.title + problem.detail + str(dict(problem.evidence))


def test_privacy_coin_raises_the_payout_signal(source):
    monero = ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3Xjrp"
              "DtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A")
    result = screen(monero, source).checks[0]
    payout = result.findings[0]
    assert payout.severity == Severity.MEDIUM and "privacy coin" in payout.title


def test_listed_value_that_fails_validation_is_still_screened(tmp_path):
    # The real list files a TRON-format address under XBT and a 64-hex value under XMR: screening
    # runs on the raw value before any validation.
    index_source = stored_source(tmp_path / "real", shared_file("ofac/sdn_advanced_2025-11-19.xml.bz2"))
    xmr = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"
    hit = critical(screen(xmr, index_source))
    assert hit.evidence["tickers"] == ["XMR"]
    for wallet, entity in [("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq", "Wang Mingming"),
                           ("1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T", "Andreyev Vitaliy Sergeyevich"),
                           ("0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193", "Semenov Roman")]:
        assert critical(screen(wallet, index_source)).evidence["entities"] == [entity]
