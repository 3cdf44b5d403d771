"""The phone check's one region/time-zone vs claimed location finding: ambiguous place names (every
reading is tried; a reading in the phone's country is consistent, none is a less confident mismatch)
and the time-zone rule (medium only when both sides are one certain clock and they differ)."""
from datetime import UTC, datetime

import pytest

from checks import Candidate, Severity
from checks.context import CheckContext
from checks.phone import Phone, parse_phone

SUMMER = datetime(2026, 7, 1, 12, tzinfo=UTC)
MISMATCH = "Phone number's country differs from the claimed location"
ONE_READING = "Phone number's country matches one reading of the claimed location"
ZONE = "Phone area's time zone differs from the claimed location's"


def versus(phone, location):
    findings = Phone().run(Candidate(name="Jane Roe", phone=phone, location=location),
                           CheckContext(clock=lambda: SUMMER))
    about = [f for f in findings if f.evidence.get("location") == location]
    assert len(about) == 1, [f.title for f in findings]  # one fact, one finding
    return about[0]


@pytest.mark.parametrize("phone, location, reading", [
    ("+1 360 555 0123", "Vancouver", "Vancouver, WA, US"),      # Washington-state area code
    ("+1 604 555 0100", "Vancouver", "Vancouver, BC, CA"),
    ("+1 321 555 0123", "Melbourne", "Melbourne, FL, US"),
    ("+61 412 345 678", "Melbourne", "Melbourne, VIC, AU"),
    ("+92 300 1234567", "Hyderabad", "Hyderabad, PK"),
    ("+91 98765 43210", "Hyderabad", "Hyderabad, IN"),
    ("+1 519 555 0123", "London", "London, ON, CA"),
    ("+44 7400 123456", "London", "London, GB"),
    ("+44 7781 123456", "London", "London, GB"),                # a Guernsey mobile: a UK reading fits
    ("+1 902 555 0123", "Sydney", "Sydney, NS, CA"),
    ("+44 7400 123456", "Perth", "Perth, GB"),
    ("+1 404 555 0100", "Georgia", "GA, US"),                   # the US state
    ("+995 32 212 3456", "Georgia", "GE"),                      # the country
    ("+1 617 555 0100", "Cambridge", "Cambridge, MA, US"),
    ("+1 876 555 0100", "Kingston", "Kingston, JM"),
    ("+1 441 295 1234", "Hamilton", "Hamilton, BM"),
    ("+1 876 555 0100", "Toronto", None),                        # a Jamaican mobile is not Canada's
    ("+1 415 555 0100", "Austin, TX / Georgia", "Austin, TX, US or GA, US"),
])
def test_an_ambiguous_place_with_a_reading_in_the_phone_country_is_consistent(phone, location, reading):
    finding = versus(phone, location)
    if reading is None:
        assert finding.title == MISMATCH and finding.confidence == "high"
        return
    assert finding.title == ONE_READING and finding.severity == Severity.INFO
    assert finding.evidence["matched_reading"] == reading and reading in finding.detail
    assert len(finding.evidence["location_readings"]) >= 2 and " or " in finding.detail


def test_a_matched_reading_in_another_time_zone_is_said_but_not_scored():
    finding = versus("+1 212 555 1234", "Vancouver")  # New York number, Vancouver WA is Pacific
    assert finding.severity == Severity.INFO and "time zone differs" in finding.detail


@pytest.mark.parametrize("phone, location", [
    ("+49 151 12345678", "Vancouver"), ("+44 7400 123456", "Melbourne"), ("+49 30 123456", "Georgia"),
    ("+49 30 123456", "Hamilton"), ("+33 6 12 34 56 78", "Austin, TX / Georgia"),
])
def test_an_ambiguous_place_with_no_reading_in_the_phone_country_is_less_confident(phone, location):
    finding = versus(phone, location)
    assert finding.title == MISMATCH and finding.severity == Severity.MEDIUM
    assert finding.confidence == "medium" and "ambiguous" in finding.detail
    assert all(label in finding.detail for label in finding.evidence["location_readings"])
    assert "matched_reading" not in finding.evidence
    unambiguous = versus("+49 151 12345678", "Vancouver, BC")
    assert unambiguous.title == MISMATCH and unambiguous.confidence == "high"


def test_a_number_without_plus_is_read_when_every_reading_shares_a_calling_code():
    facts = parse_phone("(360) 555-0123", "Vancouver")       # Canada or the US: both +1
    assert facts.valid and facts.e164 == "+13605550123" and facts.region == "US" and not facts.ruled_out


@pytest.mark.parametrize("phone, location, e164, read_as, ruled_out", [
    ("07400 123456", "London", "+447400123456", "GB", ["London, ON, CA"]),
    ("020 7946 0958", "London", "+442079460958", "GB", ["London, ON, CA"]),
    ("(519) 555-0100", "London", "+15195550100", "CA", ["London, GB"]),
    ("1 519 555 0100", "London", "+15195550100", "CA", ["London, GB"]),   # North America's optional "1"
    ("(903) 555-1234", "Paris", "+19035551234", "US", ["Paris, FR"]),     # Paris, TX
    ("01 42 68 53 00", "Paris", "+33142685300", "FR", ["Paris, TX, US"]),
    ("0412 345 678", "Sydney", "+61412345678", "AU", ["Sydney, NS, CA"]),
    ("03 9123 4567", "Melbourne", "+61391234567", "AU", ["Melbourne, FL, US"]),
    ("021 123 4567", "Hamilton", "+64211234567", "NZ", ["Hamilton, BM", "Hamilton, ON, CA"]),
    ("295 1234", "Hamilton", "+14412951234", "BM", ["Hamilton, NZ", "Hamilton, ON, CA"]),
])
def test_without_plus_an_ambiguous_place_reads_the_one_country_where_the_number_is_valid(
        phone, location, e164, read_as, ruled_out):
    facts = parse_phone(phone, location)
    assert facts.valid and facts.e164 == e164 and facts.region == read_as
    assert sorted(facts.ruled_out) == sorted(ruled_out)
    finding = versus(phone, location)
    assert finding.title == ONE_READING and finding.severity == Severity.INFO
    assert finding.evidence["read_as"] == read_as
    assert sorted(finding.evidence["not_valid_as_written_in"]) == sorted(ruled_out)
    assert f"read as a {read_as} number" in finding.detail and all(r in finding.detail for r in ruled_out)


def test_written_as_the_country_writes_it_decides_between_readings():
    # "(903) 555-1234" is also a valid +44 903... number, but in Britain it would be written "09035 551234"
    facts = parse_phone("(903) 555-1234", "London")
    assert facts.valid and facts.e164 == "+19035551234" and facts.ruled_out == ("London, GB",)


def test_the_report_for_a_national_number_and_an_ambiguous_city_is_complete():
    from checks.registry import Registry
    from checks.runner import Runner

    report = Runner(Registry([Phone()])).run(Candidate(phone="07400 123456", location="London"))
    assert report.checks[0].status == "ok" and report.risk.level != "incomplete"
    assert any(f.title == "Valid mobile number (GB, allocated to Three)" for f in report.checks[0].findings)


@pytest.mark.parametrize("phone, location, severity, confidence, why", [
    # each side one certain clock, and they differ: medium (the severity guide's region/timezone signal)
    ("+1 415 555 0100", "Austin, TX", Severity.MEDIUM, "medium", "neither"),
    ("+1 212 555 1234", "Seattle", Severity.MEDIUM, "medium", "neither"),
    ("+1 303 555 0100", "Phoenix", Severity.MEDIUM, "medium", "neither"),  # Arizona keeps no DST
    ("+7 423 212 3456", "Moscow", Severity.MEDIUM, "medium", "neither"),     # Vladivostok area code
    ("+61 8 9123 4567", "Sydney, NSW", Severity.INFO, "low", "the number's area spans several"),
    # one side spans several clocks: the difference is not certain, so it is context only
    ("+1 415 555 0100", "Texas", Severity.INFO, "low", "the claimed place spans several"),
    ("+1 415 555 0100", "Florida", Severity.INFO, "low", "the claimed place spans several"),
    ("+1 605 555 0100", "Seattle", Severity.INFO, "low", "the number's area spans several"),  # SD: 2 zones
])
def test_same_country_time_zone_rule(phone, location, severity, confidence, why):
    finding = versus(phone, location)
    assert finding.title == ZONE and (finding.severity, finding.confidence) == (severity, confidence)
    assert finding.evidence["phone_timezones"] and finding.evidence["location_timezones"]
    if severity == Severity.MEDIUM:
        assert "spans several" not in finding.detail and "ask" in finding.detail
    else:
        assert why in finding.detail and "not certain" in finding.detail


@pytest.mark.parametrize("phone, location", [
    ("+1 313 555 0100", "New York, NY"),     # Detroit and New York keep one clock
    ("+1 207 555 0100", "Portland"),         # Oregon or Maine: the US, no single time zone claimed
    ("+1 415 555 0100", "Remote \u2013 US"),
    ("+1 512 555 0100", "Texas"),
])
def test_same_clock_or_no_specific_place_is_a_match(phone, location):
    finding = versus(phone, location)
    assert finding.title == "Phone number's country matches the claimed location"
    assert finding.severity == Severity.INFO
