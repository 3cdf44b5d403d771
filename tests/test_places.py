"""The place table: claimed locations -> country and time zones, honest about what it cannot resolve;
and the dated, sourced sanctioned-jurisdiction table."""
import json
from datetime import UTC, date, datetime

import pytest

from checks import places
from checks.places import resolve, same_jurisdiction, sanctioned_jurisdictions, timezones_overlap

RESOLVED = [
    # text, country, subdivision, city, a time zone it must include
    ("Austin, TX", "US", "TX", "Austin", "America/Chicago"),
    ("Austin TX", "US", "TX", "Austin", "America/Chicago"),
    ("Austin, Texas, USA", "US", "TX", "Austin", "America/Chicago"),
    ("Berlin, Germany", "DE", "", "Berlin", "Europe/Berlin"),
    ("Berlin, DE", "DE", "", "Berlin", "Europe/Berlin"),
    ("Remote \u2013 US", "US", "", "", "America/New_York"),
    ("Remote (Germany)", "DE", "", "", "Europe/Berlin"),
    ("US only, remote", "US", "", "", "America/Los_Angeles"),
    ("London, UK", "GB", "", "London", "Europe/London"),
    ("S\u00e3o Paulo, Brazil", "BR", "", "Sao Paulo", "America/Sao_Paulo"),
    ("sao paulo", "BR", "", "Sao Paulo", "America/Sao_Paulo"),
    ("Toronto, ON, Canada", "CA", "ON", "Toronto", "America/Toronto"),
    ("Victoria, BC", "CA", "BC", "Victoria", "America/Vancouver"),
    ("Victoria, Australia", "AU", "VIC", "", "Australia/Melbourne"),
    ("Melbourne, Victoria", "AU", "VIC", "Melbourne", "Australia/Melbourne"),
    ("Vancouver, WA", "US", "WA", "Vancouver", "America/Los_Angeles"),
    ("Vancouver, Canada", "CA", "BC", "Vancouver", "America/Vancouver"),
    ("London, ON", "CA", "ON", "London", "America/Toronto"),
    ("Melbourne, FL", "US", "FL", "Melbourne", "America/New_York"),
    ("Hyderabad, Pakistan", "PK", "", "Hyderabad", "Asia/Karachi"),
    ("Paris, TX", "US", "TX", "Paris", "America/Chicago"),
    ("Sydney, Nova Scotia", "CA", "NS", "Sydney", "America/Halifax"),
    ("Tbilisi, Georgia", "GE", "", "Tbilisi", "Asia/Tbilisi"),
    ("Atlanta, Georgia", "US", "GA", "Atlanta", "America/New_York"),
    ("San Jos\u00e9, Costa Rica", "CR", "", "San Jose", "America/Costa_Rica"),
    ("Texas", "US", "TX", "", "America/Denver"),
    ("Ontario", "CA", "ON", "", "America/Toronto"),
    ("New York, NY 10001", "US", "NY", "New York", "America/New_York"),
    ("Birmingham, AL", "US", "AL", "Birmingham", "America/Chicago"),
    ("Perth, Western Australia", "AU", "WA", "Perth", "Australia/Perth"),
    ("Spokane, WA", "US", "WA", "", "America/Los_Angeles"),
    ("Deutschland", "DE", "", "", "Europe/Berlin"),
    ("U.S.A.", "US", "", "", "America/Chicago"),
    ("gb", "GB", "", "", "Europe/London"),
    ("South Korea", "KR", "", "", "Asia/Seoul"),
    ("Kyiv, Ukraine", "UA", "", "Kyiv", "Europe/Kyiv"),
    ("Remote / US", "US", "", "", "America/Chicago"),
]


@pytest.mark.parametrize("text, country, subdivision, city, zone", RESOLVED)
def test_resolves(text, country, subdivision, city, zone):
    place = resolve(text)
    assert place.resolved, place.reason
    assert (place.country, place.subdivision, place.city) == (country, subdivision, city)
    assert zone in place.timezones
    assert place.query == text.strip()


@pytest.mark.parametrize("text, country", [
    ("Trinidad and Tobago", "TT"), ("Bosnia and Herzegovina", "BA"), ("C\u00f4te d\u2019Ivoire", "CI"),
    ("Czechia", "CZ"), ("Holland", "NL"), ("Mexico", "MX"), ("Nigeria", "NG"), ("Lagos, Nigeria", "NG"),
])
def test_country_names_and_iso_codes_without_listed_time_zones(text, country):
    assert resolve(text).country == country


@pytest.mark.parametrize("text, could_be", [
    ("Georgia", {"GE", "US"}),            # the country or the US state
    ("CA", {"CA", "US"}),                 # Canada or California
    ("IN", {"IN", "US"}),
    ("Dover, DE", {"DE", "US"}),          # Delaware or Germany, and Dover is not in the table
    ("Perth, WA", {"AU", "GB", "US"}),    # Perth is Australian or Scottish, WA is a US state code
    ("Birmingham", {"GB", "US"}),
    ("Austin, TX / Berlin, Germany", {"US", "DE"}),
])
def test_ambiguous_text_is_not_resolved(text, could_be):
    place = resolve(text)
    assert not place.resolved and place.country == ""
    assert set(place.alternatives) == could_be and place.reason


HOMONYMS = [  # a bare name that notable places in several countries share: every reading is listed
    ("Vancouver", {"Vancouver, BC, CA", "Vancouver, WA, US"}),
    ("Melbourne", {"Melbourne, VIC, AU", "Melbourne, FL, US"}),
    ("Hyderabad", {"Hyderabad, IN", "Hyderabad, PK"}),
    ("London", {"London, GB", "London, ON, CA"}),
    ("Perth", {"Perth, WA, AU", "Perth, GB"}),
    ("Cambridge", {"Cambridge, GB", "Cambridge, MA, US"}),
    ("Paris", {"Paris, FR", "Paris, TX, US"}),
    ("Sydney", {"Sydney, NSW, AU", "Sydney, NS, CA"}),
    ("Victoria", {"VIC, AU", "Victoria, BC, CA", "Victoria, SC"}),
    ("Georgia", {"GE", "GA, US"}),
    ("Santiago", {"Santiago, CL", "Santiago, DO"}), ("Valencia", {"Valencia, ES", "Valencia, VE"}),
    ("C\u00f3rdoba", {"Cordoba, AR", "Cordoba, ES"}), ("Tripoli", {"Tripoli, LY", "Tripoli, LB"}),
    ("Kingston", {"Kingston, JM", "Kingston, ON, CA"}), ("San Jose", {"San Jose, CA, US", "San Jose, CR"}),
    ("Richmond", {"Richmond, VA, US", "Richmond, BC, CA"}),
    ("Hamilton", {"Hamilton, ON, CA", "Hamilton, NZ", "Hamilton, BM"}),
    ("Newcastle", {"Newcastle, GB", "Newcastle, NSW, AU"}),
    ("Birmingham", {"Birmingham, GB", "Birmingham, AL, US"}),
    ("Dover, DE", {"DE", "DE, US"}),                       # Germany or Delaware; Dover itself is not listed
    ("Austin, TX / Georgia", {"Austin, TX, US", "GE", "GA, US"}),
]


@pytest.mark.parametrize("text, labels", HOMONYMS)
def test_ambiguous_names_list_every_reading(text, labels):
    place = resolve(text)
    assert not place.resolved and place.reason
    assert {r.label for r in place.readings} == labels
    assert all(r.resolved and not r.readings for r in place.readings)
    assert set(place.alternatives) == {r.country for r in place.readings}


@pytest.mark.parametrize("text", ["Wellington", "Portland", "Washington", "Berlin"])
def test_a_name_only_one_country_uses_is_not_ambiguous(text):
    place = resolve(text)  # Portland (OR, ME) and Washington (DC, WA) are both in the US: country only
    assert place.resolved and not place.readings
    assert (place.city == "") == (text in ("Portland", "Washington"))


def test_unknown_parts_leave_no_readings():
    for text in ("Narnia", "Austin, TX / Narnia", "Georgia / Narnia"):
        assert not resolve(text).resolved and resolve(text).readings == ()


def test_one_clock():
    summer = datetime(2026, 7, 1, tzinfo=UTC)
    assert places.one_clock(("America/Detroit", "America/New_York"), summer)
    assert not places.one_clock(("America/Chicago", "America/Denver"), summer)
    assert not places.one_clock((), summer)


@pytest.mark.parametrize("text", ["Remote", "Anywhere", "", "   ", "\x00\n", "Narnia", "Korea", "EMEA",
                                  "<!channel>", "A" * 5000, "123456"])
def test_unknown_or_empty_text_is_honestly_unresolved(text):
    place = resolve(text)
    assert not place.resolved and place.reason and place.timezones == ()


def test_label():
    assert resolve("austin, tx").label == "Austin, TX, US"
    assert resolve("Narnia").label == "Narnia"


@pytest.mark.parametrize("a, b, same", [
    ("US", "US", True), ("PR", "US", True), ("US", "GU", True), ("GG", "GB", True), ("JE", "GG", True),
    ("GB", "IE", False), ("CA", "US", False), ("re", "fr", True),
])
def test_same_jurisdiction(a, b, same):
    assert same_jurisdiction(a, b) is same


def test_timezones_compare_by_clock_not_by_name():
    summer = datetime(2026, 7, 1, tzinfo=UTC)
    assert timezones_overlap(("America/Detroit",), ("America/New_York",), summer)
    indiana = ("America/Indiana/Indianapolis",)
    assert timezones_overlap(indiana, ("America/Chicago", "America/New_York"), summer)
    assert not timezones_overlap(("America/Phoenix",), ("America/Denver",), summer)  # no DST in Arizona
    assert not timezones_overlap(("America/Los_Angeles",), ("America/Chicago",), summer)
    assert timezones_overlap(("Not/AZone",), ("Not/AZone",), summer)  # unknown names compare as names


def test_place_table_is_consistent():
    data = json.loads(places.DATA_FILE.read_text(encoding="utf-8"))
    table = places.table()
    for country, rows in data["subdivisions"].items():
        for code, (name, *zones) in rows.items():
            assert zones and name, (country, code)
    for name, rows in data["cities"].items():
        for country, *_ in rows if isinstance(rows[0], list) else [rows]:
            assert country in table.iso, (name, country)
    for alias, code in data["country_aliases"].items():
        assert code in table.iso, alias


def test_sanctioned_jurisdictions_are_dated_sourced_and_current():
    table = sanctioned_jurisdictions()
    assert date.fromisoformat(table.as_of) >= date(2025, 7, 1)  # after Syria's revocation took effect
    assert "ofac.treasury.gov" in table.source
    names = {j.region: j for j in table.jurisdictions}
    assert {"KP", "IR", "CU"} <= set(names) and "SY" not in names
    assert all(j.programme for j in table.jurisdictions)
    assert table.match("850212345678")[1] == "+850"
    assert table.match("982123456789")[0].name == "Iran"
    assert table.match("5371234567")[0].name == "Cuba"
    assert table.match("380652123456")[0].region == "UA"     # Crimea (Ukrainian area code 65)
    assert table.match("73652123456")[0].region == "UA"      # Crimea (Russian-assigned 365)
    # Syria (revoked), Donetsk and Luhansk oblast codes and +7 949 (no unambiguous range), the US
    for not_listed in ("963112345678", "380622123456", "380642123456", "79491234567", "14155550100"):
        assert table.match(not_listed) is None, not_listed


def test_a_missing_place_table_degrades_to_unresolved(monkeypatch, tmp_path):
    monkeypatch.setattr(places, "DATA_FILE", tmp_path / "missing.json")
    places.table.cache_clear()
    places.resolve.cache_clear()
    try:
        place = resolve("Austin, TX")
        assert not place.resolved and "place table unavailable" in place.reason
    finally:
        monkeypatch.undo()
        places.table.cache_clear()
        places.resolve.cache_clear()
    assert resolve("Austin, TX").resolved
