"""The phone check offline: a table of real-format numbers across regions (VoIP ranges, service
numbers, North American numbers, sanctioned country codes, invalid numbers, numbers without "+"),
the one region/time-zone vs location finding, and fairness (a country alone is never scored)."""
from datetime import UTC, datetime

import pytest

from checks import Candidate, CheckFailed, Severity, Status
from checks.context import CheckContext
from checks.normalize import phone as normal_phone
from checks.phone import ENABLE_LIVE, LINE_SIGNALS, Phone, PhoneFacts, parse_phone
from checks.registry import Registry
from checks.runner import Runner

SUMMER = datetime(2026, 7, 1, 12, tzinfo=UTC)
MISMATCH = "Phone number's country differs from the claimed location"
MATCH = "Phone number's country matches the claimed location"


def run(phone, location="", name="Jane Roe"):
    ctx = CheckContext(clock=lambda: SUMMER)
    return Phone().run(Candidate(name=name, phone=phone, location=location), ctx)


def titled(findings, text):
    return [f for f in findings if text in f.title]


TYPES = [
    # number, region, libphonenumber type, severity of the type finding, title fragment
    ("+44 56 1234 5678", "GB", "VOIP", Severity.MEDIUM, "VoIP number"),
    ("+31 85 123 4567", "NL", "VOIP", Severity.MEDIUM, "VoIP number"),
    ("+81 50-1234-5678", "JP", "VOIP", Severity.MEDIUM, "VoIP number"),
    ("+82 70-1234-5678", "KR", "VOIP", Severity.MEDIUM, "VoIP number"),
    ("+44 70 1234 5678", "GB", "PERSONAL_NUMBER", Severity.MEDIUM, "Personal (follow-me)"),
    ("+44 90 1234 5678", "GB", "PREMIUM_RATE", Severity.MEDIUM, "Premium-rate"),
    ("+44 76 4012 3456", "GB", "PAGER", Severity.LOW, "Pager"),
    ("+44 55 1234 5678", "GB", "UAN", Severity.LOW, "UAN"),
    ("+44 800 123 4567", "GB", "TOLL_FREE", Severity.LOW, "Toll-free"),
    ("+1 800 555 0100", "US", "TOLL_FREE", Severity.LOW, "Toll-free"),
    ("+33 884 01 23 45", "FR", "SHARED_COST", Severity.LOW, "Shared-cost"),
    ("+44 7400 123456", "GB", "MOBILE", Severity.INFO, "Valid mobile number (GB, allocated to Three)"),
    ("+49 151 12345678", "DE", "MOBILE", Severity.INFO, "Valid mobile number (DE, allocated to T-Mobile)"),
    ("+55 11 98765-4321", "BR", "MOBILE", Severity.INFO, "Valid mobile number (BR"),
    ("+81 3-1234-5678", "JP", "FIXED_LINE", Severity.INFO, "Valid fixed line number (JP)"),
    ("+1 (415) 555-0100", "US", "FIXED_LINE_OR_MOBILE", Severity.INFO, "Valid fixed line or mobile number"),
    ("+1 613 555 0123", "CA", "FIXED_LINE_OR_MOBILE", Severity.INFO, "fixed line or mobile number (CA)"),
]


@pytest.mark.parametrize("number, region, kind, severity, title", TYPES)
def test_number_types(number, region, kind, severity, title):
    facts = parse_phone(number)
    assert facts.valid and facts.region == region and facts.number_type == kind
    findings = run(number)
    typed = [f for f in findings if f.evidence.get("type") == kind]
    assert typed[0].severity == severity and title in typed[0].title
    assert typed[0].evidence["phone"] == normal_phone(number)
    assert max(f.severity for f in findings) == severity  # no location: nothing else to say


def test_every_flagged_kind_states_why():
    for kind, (severity, _, title, why) in LINE_SIGNALS.items():
        assert severity < Severity.HIGH and title and len(why) > 30, kind


def test_north_american_numbers_say_what_offline_data_cannot_know():
    findings = run("+14155550100")
    limits = titled(findings, "Offline data cannot tell")
    assert len(limits) == 1 and limits[0].severity == Severity.INFO
    assert ENABLE_LIVE in limits[0].detail and "Google Voice" in limits[0].detail
    assert "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN" in limits[0].detail
    assert not titled(run("+447400123456"), "Offline data cannot tell")  # GB mobiles are typed offline


@pytest.mark.parametrize("number, jurisdiction", [
    ("+850 2 123 4567", "North Korea"), ("+98 21 2345 6789", "Iran"), ("+53 7 123 4567", "Cuba"),
    ("+380 65 212 3456", "Crimea"), ("+7 365 212 3456", "Crimea"), ("+380 692 123 456", "Crimea"),
])
def test_comprehensively_sanctioned_jurisdictions_are_critical_compliance_facts(number, jurisdiction):
    findings = run(number)
    critical = [f for f in findings if f.severity == Severity.CRITICAL]
    assert len(critical) == 1 and jurisdiction in critical[0].title
    assert critical[0].title.startswith("Compliance:")
    assert "not a judgement about the person" in critical[0].detail
    assert critical[0].confidence == "high" and critical[0].evidence["data_as_of"] == "2025-07-01"
    assert "OFAC" in critical[0].source


def test_an_invalid_number_in_a_sanctioned_code_is_still_flagged_with_less_confidence():
    findings = run("+850 238 1234")
    assert titled(findings, "not a valid number for KP")
    critical = titled(findings, "Compliance:")
    assert critical[0].severity == Severity.CRITICAL and critical[0].confidence == "medium"


@pytest.mark.parametrize("number, location", [
    ("+963 11 234 5678", ""), ("+963 11 234 5678", "Damascus, Syria"),  # programme revoked 2025-07-01
    ("+380 62 212 3456", ""), ("+7 949 123 4567", ""),                     # no unambiguous DNR/LNR range
    ("+234 803 123 4567", "Lagos, Nigeria"), ("+86 139 1234 5678", "Shanghai, China"),
    ("+7 916 123 4567", "Moscow"), ("+98 21 2345 6789", "Tehran, Iran"),
])
def test_a_country_by_itself_is_never_scored(number, location):
    findings = run(number, location)
    above_info = [f for f in findings if f.severity > Severity.INFO]
    assert all(f.severity == Severity.CRITICAL and f.title.startswith("Compliance:") for f in above_info)
    if "+963" in number:
        assert not above_info


@pytest.mark.parametrize("number, region, reason", [
    ("+1 415 555", "US", "too short"), ("+44 20 1234", "GB", "not in any range"),
    ("+44 7700 900123", "GB", "not in any range"),  # Ofcom's drama range: fictional
    ("+49 30 1234567891234567", "DE", "too long"), ("+999 99999999999999999999999999999999999999", "", ""),
    ("555-CALL-NOW", "US", "not in any range"),  # a vanity number is a number, here not a real one
])
def test_invalid_numbers_are_a_medium_finding_never_a_crash(number, region, reason):
    findings = run(number, "Austin, TX")
    invalid = titled(findings, "phone number is not a valid number for")
    assert len(invalid) == 1 and invalid[0].severity == Severity.MEDIUM
    assert invalid[0].title.endswith(region or "any country") and reason in invalid[0].detail
    assert not titled(findings, MISMATCH)  # an invalid number has no region to compare


@pytest.mark.parametrize("number, location, e164", [
    ("030 123456", "Berlin, Germany", "+4930123456"),
    ("(415) 555-0100", "Austin, TX", "+14155550100"),
    ("020 7946 0000", "London, UK", "+442079460000"),
    ("0044 20 7946 0000", "Austin, TX", "+442079460000"),   # "00" written for "+"
    ("tel:+44-20-7946-0000", "", "+442079460000"),
    ("11 98765-4321", "S\u00e3o Paulo, Brazil", "+5511987654321"),
])
def test_numbers_without_plus_are_read_in_the_claimed_country(number, location, e164):
    facts = parse_phone(number, location)
    assert facts.valid and facts.e164 == e164
    assert normal_phone(number, facts.default_region or None) == e164


@pytest.mark.parametrize("text, location, why", [
    ("abc", "", "no digits"), ("call me", "", "no digits"), ("n/a", "Austin, TX", "no digits"),
    ("+", "", "no digits"), ("12", "", "only 2 digits"), ("911", "Berlin, Germany", "only 3 digits"),
    ("call me at 415 555 0100", "", "words or letters besides an extension"),
    ("415 555 0100 call me", "Austin, TX", "words or letters besides an extension"),
    ("+44 7400 123456 (call me maybe at home)", "", "words or letters besides an extension"),  # > 20 letters
    ("not a phone", "Austin, TX", "no digits"),
])
def test_text_that_is_no_number_is_a_medium_finding_not_an_error(text, location, why):
    result = Runner(Registry([Phone()])).run(Candidate(phone=text, location=location)).checks[0]
    assert result.status == Status.OK, result.reason
    junk = titled(result.findings, "Phone field is not a phone number")
    assert len(result.findings) == 1 and len(junk) == 1
    assert junk[0].severity == Severity.MEDIUM and junk[0].confidence == "high"
    assert junk[0].evidence == {"phone": text, "reason": junk[0].evidence["reason"]} and why in junk[0].detail
    assert parse_phone(text, location).problem.startswith("not a phone number")


@pytest.mark.parametrize("text", ["415 555 0100 ext 12", "415-555-0100 x12", "+1 415 555 0100 #12",
                                  "tel:+1-415-555-0100;ext=12", "Mobile: +44 7400 123456", "1-800-FLOWERS"])
def test_extensions_labels_and_vanity_letters_are_still_numbers(text):
    assert not titled(run(text, "Austin, TX"), "not a phone number")
    assert parse_phone(text, "Austin, TX").valid


def test_without_plus_and_without_a_country_the_check_cannot_decide():
    for location in ("", "Narnia"):
        with pytest.raises(CheckFailed, match="no country code"):
            run("4155550100", location)
    result = Runner(Registry([Phone()])).run(Candidate(phone="4155550100", location="Narnia")).checks[0]
    assert result.status == Status.ERROR and "no country code" in result.reason


def test_a_number_valid_in_two_readings_countries_is_not_guessed():
    # "0412 345 678" is a valid French number and a valid Australian mobile as written
    candidate = Candidate(phone="0412 345 678", location="Paris / Sydney")
    result = Runner(Registry([Phone()])).run(candidate).checks[0]
    assert result.status == Status.ERROR and "no country code" in result.reason
    assert all(text in result.reason for text in ("FR and in AU", "Paris, FR", "Sydney, NSW, AU"))
    assert not parse_phone("0412 345 678", "Paris / Sydney").e164


def test_region_mismatch_is_one_medium_finding_with_both_sides():
    findings = run("+44 56 1234 5678", "Berlin, Germany")
    mismatch = titled(findings, MISMATCH)
    assert len(mismatch) == 1 and mismatch[0].severity == Severity.MEDIUM
    evidence = mismatch[0].evidence
    assert evidence["phone_region"] == "GB" and "Europe/London" in evidence["phone_timezones"]
    assert evidence["location_country"] == "DE" and evidence["location_timezones"] == ["Europe/Berlin"]
    assert evidence["location"] == "Berlin, Germany"
    assert len([f for f in findings if "location" in f.title.lower()]) == 1


@pytest.mark.parametrize("number, location, title, severity", [
    ("+49 151 12345678", "Austin, TX", MISMATCH, Severity.MEDIUM),
    ("+1 212 555 1234", "New York, NY", MATCH, Severity.INFO),
    ("+1 312 555 0123", "Chicago", MATCH, Severity.INFO),
    ("+44 7781 123456", "London, UK", MATCH, Severity.INFO),       # Guernsey mobile, UK location
    ("+1 787 555 0100", "Remote \u2013 US", MATCH, Severity.INFO),  # Puerto Rico
    ("+1 800 555 0100", "Toronto, ON", MATCH, Severity.INFO),      # NANP toll-free belongs to all of +1
    ("+1 415 555 0100", "Austin, TX", "time zone differs", Severity.MEDIUM),  # see test_phone_location
    ("+1 415 555 0100", "Remote \u2013 US", MATCH, Severity.INFO),
    ("+61 412 345 678", "Sydney, NSW", MATCH, Severity.INFO),
    ("+882 16 123456", "Austin, TX", "global service", Severity.INFO),
    ("+49 30 123456", "Narnia", "could not be resolved", Severity.INFO),
    ("+49 30 123456", "Georgia / Narnia", "could not be resolved", Severity.INFO),
    ("+49 30 123456", "Georgia", MISMATCH, Severity.MEDIUM),  # neither reading is in Germany
])
def test_phone_region_and_time_zone_versus_claimed_location(number, location, title, severity):
    findings = run(number, location)
    versus = [f for f in findings if f.evidence.get("location") == location]
    assert len(versus) == 1, [f.title for f in findings]
    assert title in versus[0].title and versus[0].severity == severity


def test_unresolved_location_names_its_candidates():
    finding = titled(run("+49 30 123456", "Georgia / Narnia"), "could not be resolved")[0]
    assert finding.evidence["could_be"] == ["GE", "US"] and "ambiguous" in finding.evidence["reason"]


def test_parse_phone_is_a_reusable_api():
    facts = parse_phone("+1 415 555 0100", "Austin, TX")
    assert isinstance(facts, PhoneFacts)
    assert (facts.e164, facts.region, facts.country_code, facts.number_type) == (
        "+14155550100", "US", 1, "FIXED_LINE_OR_MOBILE")
    assert facts.timezones == ("America/Los_Angeles",) and facts.regions == ("US",)
    assert facts.location.country == "US" and facts.location.city == "Austin"
    assert parse_phone("+44 7400 123456").carrier == "Three"
    assert not parse_phone("").e164 and not parse_phone("\x00").valid


def test_through_the_runner_with_no_sources():
    report = Runner(Registry([Phone()])).run(Candidate(phone="+44 56 1234 5678", location="Austin, TX"))
    result = report.checks[0]
    assert result.status == Status.OK and report.risk.level == "medium"
    assert {f.severity for f in result.findings} == {Severity.MEDIUM}


def test_missing_sanctions_data_is_an_error_that_keeps_offline_findings(monkeypatch, tmp_path):
    from checks import places

    monkeypatch.setattr(places, "SANCTIONS_FILE", tmp_path / "missing.json")
    places.sanctioned_jurisdictions.cache_clear()
    try:
        result = Runner(Registry([Phone()])).run(Candidate(phone="+85021234567")).checks[0]
    finally:
        monkeypatch.undo()
        places.sanctioned_jurisdictions.cache_clear()
    assert result.status == Status.ERROR and "sanctioned-jurisdiction data unusable" in result.reason
    assert result.findings and not any(f.severity == Severity.CRITICAL for f in result.findings)
