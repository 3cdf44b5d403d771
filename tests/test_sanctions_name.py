from datetime import UTC, datetime

import pytest

from checks import Candidate, Severity, Status
from checks.registry import Registry
from checks.runner import Runner
from checks.sanctions_name import NameScreen, SanctionsName, strong_resemblance
from checks.sources.ofac_xml import SdnName
from tests.sanctions_fixtures import context, stored_source
from tests.shared_data import shared_file

PEOPLE = [
    SdnName("1", "Kim Sang Man", ("Kim Sang-man",), ("DPRK4",), True),
    SdnName("2", "Wu Huihui", (), ("DPRK3",), True),
    SdnName("3", "Li Jiadong", (), ("CYBER2", "DPRK3"), True),
    SdnName("4", "Andreyev Vitaliy Sergeyevich", (), ("DPRK2",), True),
    SdnName("5", "Lazarus Group", (), ("DPRK3",), False),
]


@pytest.mark.parametrize("name, expected", [
    ("Kim Sang Man", ["1"]),
    ("Sang-Man Kim", ["1"]),                 # order and punctuation do not matter
    ("KIM SANG MAN", ["1"]),
    ("Vitaliy Andreyev", ["4"]),             # listed middle name may be missing
    ("Vitaly Andreev", ["4"]),               # transliteration variants
    ("Wu Huihui", ["2"]),
    ("John Kim", []),                        # one common token is not a match
    ("Kim Smith", []),
    ("Lee Jiadong", []),                     # short tokens must match exactly
    ("Sang Kim Man Park", []),               # extra candidate token with no partner
    ("Lazarus Group", []),                   # entities are not people
    ("Jane Roe", []),
])
def test_name_screen_guards(name, expected):
    assert [m.profile_id for m in NameScreen(PEOPLE).search(name)] == expected


def test_strong_resemblance_needs_two_tokens():
    assert not strong_resemblance(["kim"], ["kim", "sang", "man"])
    assert not strong_resemblance(["sang", "man"], ["man"])


def run(name, source):
    return Runner(Registry([SanctionsName()])).run(Candidate(name=name), context(source))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return stored_source(tmp_path_factory.mktemp("names"))


def test_resemblance_is_medium_low_confidence_verify_identity(source):
    report = run("Hyon Sop Sim", source)
    finding = report.checks[0].findings[0]
    assert (finding.severity, finding.confidence) == (Severity.MEDIUM, "low")
    assert "verify identity" in finding.title
    assert finding.evidence["listed_names"] == ["Sim Hyon Sop"]
    assert report.risk.level == "medium"


def test_no_resemblance_is_info_with_edition(source):
    result = run("Jane Roe", source).checks[0]
    assert result.status == Status.OK
    assert result.findings[0].severity == Severity.INFO and "2025-11-19" in result.findings[0].evidence[
        "list_published"]


@pytest.mark.parametrize("name", ["Kim", "Al", "  ", "A B"])
def test_single_or_tiny_names_are_not_screened(name, source):
    result = run(name, source).checks[0]
    if name.strip():
        assert result.status == Status.ERROR and "given and a family name" in result.reason


def test_real_list_common_names_do_not_match(tmp_path):
    real = stored_source(tmp_path, shared_file("ofac/sdn_advanced_2025-11-19.xml.bz2"))
    screen = real.name_screen(real.current(now=datetime.now(UTC)))
    assert [m.listed_name for m in screen.search("Sang Man Kim")] == ["Kim Sang Man"]
    for common in ("John Smith", "Maria Garcia", "David Kim", "Jennifer Lee", "Anna Schmidt"):
        assert screen.search(common) == [], common


def test_alias_match_names_the_alias_it_scored_against():
    people = [SdnName("7", "WEI Zhao", ("WEI Zhang",), ("TCO",), True),
              SdnName("8", "Zhang Wei", (), ("ILLICIT-DRUGS-EO14059",), True)]
    by_id = {m.profile_id: m for m in NameScreen(people).search("Wei Zhang")}
    assert (by_id["7"].listed_name, by_id["7"].matched_name) == ("WEI Zhao", "WEI Zhang")
    assert by_id["7"].describe() == "matches alias 'WEI Zhang' of WEI Zhao"
    assert (by_id["8"].matched_name, by_id["8"].describe()) == ("Zhang Wei", "resembles Zhang Wei")


def test_a_tie_reports_the_primary_name_not_an_alias():
    (match,) = NameScreen(PEOPLE).search("Kim Sang Man")  # scores 100 on the name and on "Kim Sang-man"
    assert match.matched_name == "Kim Sang Man" and not match.via_alias


def test_check_evidence_and_wording_carry_the_matched_alias(source):
    finding = run("Abbud Zumar", source).checks[0].findings[0]
    assert finding.evidence["listed_names"] == ["Al-Zomor Abboud Abdul Latif Hassan"]
    assert finding.evidence["matched_names"] == ["ZUMAR Abbud"]
    assert "matches alias 'ZUMAR Abbud' of Al-Zomor Abboud Abdul Latif Hassan" in finding.detail
    primary = run("Hyon Sop Sim", source).checks[0].findings[0]
    assert primary.evidence["matched_names"] == ["Sim Hyon Sop"]
    assert "resembles Sim Hyon Sop" in primary.detail and "alias" not in primary.detail


def test_real_list_alias_hit_is_explained(tmp_path):
    real = stored_source(tmp_path, shared_file("ofac/sdn_advanced_2025-11-19.xml.bz2"))
    screen = real.name_screen(real.current(now=datetime.now(UTC)))
    found = {m.listed_name: m for m in screen.search("Wei Zhang")}
    assert found["WEI Zhao"].matched_name == "WEI Zhang"  # scored 100 against the alias, not "WEI Zhao"
    assert found["Zhang Wei"].matched_name == "Zhang Wei"
