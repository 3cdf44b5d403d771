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
    ("Victoria, BC", "CA", "BC", "", "America/Vancouver"),
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
    ("Perth, WA", {"AU", "US"}),          # Perth is Australian, WA is a US state code
    ("Birmingham", {"GB", "US"}),
    ("Austin, TX / Berlin, Germany", {"US", "DE"}),
])
def test_ambiguous_text_is_not_resolved(text, could_be):
    place = resolve(text)
    assert not place.resolved and place.country == ""
    assert set(place.alternatives) == could_be and place.reason


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
