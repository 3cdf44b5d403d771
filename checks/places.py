"""Claimed locations -> country (ISO 3166-1 alpha-2) and IANA time zones, from a small data table.

``resolve("Austin, TX")`` gives ``Place(country="US", subdivision="TX", city="Austin",
timezones=("America/Chicago",))``. Anything unsure -- unknown text, or text that could mean two
countries ("Georgia", "Dover, DE", "Vancouver", "London") -- is *not* resolved: ``Place.resolved`` is
False and ``reason`` says why. Guessing would turn a typo into an accusation of inconsistency. When
every way of reading ambiguous text is known, ``Place.readings`` lists them (each a resolved Place), so
a caller can ask whether *some* reading fits ("Vancouver" and a Washington-state number).

The table is ``checks/data/places.json`` (aliases, US/CA/AU subdivisions, cities, a few countries'
time zones); country names in several languages come from the locale data bundled with
``phonenumbers``. This module is shared by the phone and consistency checks; it is not a check.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checks.jurisdictions import SanctionsTable, load_sanctions_table

DATA_FILE = Path(__file__).with_name("data") / "places.json"
_LANGS = ("en", "de", "es", "fr", "it", "nl", "pt", "pl", "sv")
_FILLER = re.compile(r"\b(?:fully|remote(?:ly)?|anywhere|worldwide|wfh|work from home|hybrid|onsite|on-site|"
                     r"based|located|living|in|from|the|only|preferred|time ?zones?)\b", re.I)
_DIGITS = re.compile(r"\S*\d\S*")  # postcodes, "100%"
_ALTERNATIVES = re.compile(r"\s*(?:/|\||;|\bor\b)\s*", re.I)
_PARTS = re.compile(r"\s*(?:,|\s-\s|\(|\))\s*")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")


@dataclass(frozen=True)
class Place:
    query: str
    country: str = ""                    # ISO 3166-1 alpha-2; "" when not resolved
    subdivision: str = ""                # "TX", "ON", "NSW", ...
    city: str = ""                       # the table's spelling
    timezones: tuple[str, ...] = ()      # IANA names; () when only the country is known and not listed
    alternatives: tuple[str, ...] = ()   # countries an ambiguous text could mean
    reason: str = ""                     # why not resolved
    readings: tuple[Place, ...] = ()     # ambiguous text: every reading, each resolved; () when unknown

    @property
    def resolved(self) -> bool:
        return bool(self.country)

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.city, self.subdivision, self.country) if p) or self.query


@dataclass
class _Reading:
    country: str
    subdivision: str = ""
    city: str = ""
    zones: tuple[str, ...] = ()
    score: int = 1
    conflict: str = ""  # a part that names a place in another country
    extra: list[str] = field(default_factory=list)


def key(text: str) -> str:
    """Comparison form of a place name: accent-, case- and punctuation-insensitive."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[.'\u2019]", "", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


@lru_cache(maxsize=1)
def _locale_names() -> dict[str, frozenset[str]]:
    """Country names in several languages from phonenumbers' locale data. Importing it loads all of
    phonenumbers' geocoding data (~0.6 s), so it is only consulted when the table has no match."""
    try:
        from phonenumbers.geodata.locale import LOCALE_DATA
    except ImportError:  # pragma: no cover - an older/newer phonenumbers layout: aliases still work
        return {}
    names: dict[str, set[str]] = {}
    for code, by_lang in LOCALE_DATA.items():
        for lang in _LANGS:
            value = by_lang.get(lang)
            while isinstance(value, str) and value.startswith("*"):
                value = by_lang.get(value[1:])
            if value:
                names.setdefault(key(value), set()).add(code)
    return {k: frozenset(v) for k, v in names.items()}


@dataclass(frozen=True)
class _Table:
    countries: dict[str, frozenset[str]]
    iso: frozenset[str]
    country_zones: dict[str, tuple[str, ...]]
    groups: tuple[frozenset[str], ...]
    subdivisions: dict[str, frozenset[tuple[str, str]]]
    subdivision_zones: dict[tuple[str, str], tuple[str, ...]]
    cities: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]]


@lru_cache(maxsize=1)
def table() -> _Table:
    import phonenumbers

    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    countries: dict[str, set[str]] = {}
    for name, code in [*((n, c) for c, n in data["country_names"].items()), *data["country_aliases"].items()]:
        countries.setdefault(key(name), set()).add(code)
    iso = set(phonenumbers.SUPPORTED_REGIONS) | set(data["country_names"]) | {"XK"}
    subs: dict[str, set[tuple[str, str]]] = {}
    sub_zones: dict[tuple[str, str], tuple[str, ...]] = {}
    for country, rows in data["subdivisions"].items():
        for raw_code, (name, *zones) in rows.items():
            code = raw_code.lstrip("-")
            sub_zones[(country, code)] = tuple(zones)
            subs.setdefault(key(name), set()).add((country, code))
            if not raw_code.startswith("-"):
                subs.setdefault(key(code), set()).add((country, code))
    cities: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {}
    for name, rows in data["cities"].items():
        for country, sub, *zones in (rows if isinstance(rows[0], list) else [rows]):
            cities.setdefault(key(name), []).append((name, country, sub.lstrip("-"), tuple(zones)))
    groups = tuple(frozenset([parent, *children]) for parent, children in data["associated"].items())
    return _Table({k: frozenset(v) for k, v in countries.items()}, frozenset(iso),
                  {k: tuple(v) for k, v in data["country_timezones"].items()}, groups,
                  {k: frozenset(v) for k, v in subs.items()}, sub_zones,
                  {k: tuple(v) for k, v in cities.items()})


def _country_codes(part: str, other_languages: bool = False) -> frozenset[str]:
    t, k = table(), key(part)
    codes = set(t.countries.get(k, ()) or (_locale_names().get(k, ()) if other_languages else ()))
    if len(k) == 2 and k.upper() in t.iso:
        codes.add(k.upper())
    return frozenset(codes)


def _readings(part: str) -> list[_Reading]:
    """Every way the last part of a location can be read."""
    t, k = table(), key(part)
    out = [_Reading(c, zones=t.country_zones.get(c, ())) for c in sorted(_country_codes(part))]
    out += [_Reading(c, s, zones=t.subdivision_zones[(c, s)]) for c, s in sorted(t.subdivisions.get(k, ()))]
    out += [_Reading(c, s, name, zones) for name, c, s, zones in t.cities.get(k, ())]
    if not out:  # "Alemania", "Brasilien": other languages, only when nothing else matched
        out = [_Reading(c, zones=t.country_zones.get(c, ())) for c in sorted(_country_codes(part, True))]
    return out


def _extend(reading: _Reading, earlier: list[str]) -> _Reading:
    """Consume parts right to left while they narrow the reading down (subdivision, then city)."""
    t = table()
    for part in reversed(earlier):
        k = key(part)
        if reading.country in _country_codes(part):
            continue  # "Austin, Texas, US, USA"
        subs = [s for c, s in t.subdivisions.get(k, ()) if c == reading.country]
        if not reading.city and not reading.subdivision and subs:
            reading.subdivision, reading.score = subs[0], reading.score + 1
            reading.zones = t.subdivision_zones[(reading.country, subs[0])]
            continue
        cities = [row for row in t.cities.get(k, ()) if row[1] == reading.country
                  and (not reading.subdivision or not row[2] or row[2] == reading.subdivision)]
        if not reading.city and cities:
            name, _, sub, zones = cities[0]
            reading.city, reading.zones, reading.score = name, zones, reading.score + 1
            reading.subdivision = reading.subdivision or sub
            continue
        elsewhere = {row[1] for row in t.cities.get(k, ())} | set(_country_codes(part))
        if elsewhere - {reading.country}:
            reading.conflict = part
        reading.extra.append(part)
    return reading


def _split_words(part: str) -> list[str]:
    """'Austin TX' -> ['Austin', 'TX'] when the tail names a country or subdivision."""
    words = part.split()
    for n in (1, 2, 3):
        if len(words) > n:
            tail = " ".join(words[-n:])
            if _country_codes(tail) or table().subdivisions.get(key(tail)):
                return [" ".join(words[:-n]), tail]
    return [part]


def _clean_part(part: str) -> str:
    part = _DIGITS.sub(" ", part).strip(" -")
    if not key(part) or _readings(part):
        return part
    return _FILLER.sub(" ", part).strip(" -")


def _resolve_one(text: str) -> Place | None:
    parts = [p for p in (_clean_part(p) for p in _PARTS.split(text)) if key(p)]
    if not parts:
        return None
    if len(parts) == 1 and not _readings(parts[0]):
        parts = _split_words(parts[0])
    readings = [_extend(r, parts[:-1]) for r in _readings(parts[-1])]
    if not readings:
        return Place(text, reason="not in the place table")
    best = max(r.score for r in readings)
    top = [r for r in readings if r.score == best]
    clean = [r for r in top if not r.conflict]
    countries = sorted({r.country for r in clean})
    if len(countries) != 1:
        others = {c for r in top if r.conflict for c in _country_codes(r.conflict)}
        others |= {row[1] for r in top if r.conflict for row in table().cities.get(key(r.conflict), ())}
        alternatives = tuple(sorted({r.country for r in top} | others))
        return Place(text, alternatives=alternatives, readings=_ambiguous_readings(text, top),
                     reason="ambiguous: could be " + " or ".join(alternatives))
    chosen = [r for r in clean if r.country == countries[0]]
    zones = tuple(dict.fromkeys(z for r in chosen for z in r.zones))
    same = len(chosen) == 1
    return Place(text, countries[0], chosen[0].subdivision if same else "", chosen[0].city if same else "",
                 zones)


def _ambiguous_readings(text: str, top: list[_Reading]) -> tuple[Place, ...]:
    """Every place ambiguous text could name: the equally good readings, and for a part that named a
    place in another country ("Paris" in "Paris, TX" when only Paris, France were listed) that place."""
    t = table()
    out = [Place(text, r.country, r.subdivision, r.city, r.zones) for r in top if not r.conflict]
    for r in (r for r in top if r.conflict):
        out.append(Place(text, r.country, r.subdivision, "", r.zones))
        out += [Place(text, c, timezones=t.country_zones.get(c, ())) for c in _country_codes(r.conflict)]
        out += [Place(text, c, s, name, zones) for name, c, s, zones in t.cities.get(key(r.conflict), ())]
    unique = {(p.country, p.subdivision, p.city): p for p in out}
    return tuple(unique[k] for k in sorted(unique))


@lru_cache(maxsize=2048)
def resolve(text: str) -> Place:
    """Resolve a free-text claimed location; never raises."""
    raw = (text or "").strip()
    try:
        table()
    except (OSError, ValueError, KeyError, TypeError):  # e.g. the data file missing from a build
        return Place(raw, reason=f"place table unavailable ({DATA_FILE.name})")
    cleaned = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    cleaned = "".join(ch for ch in cleaned if ch.isprintable())[:200]
    found = [p for p in (_resolve_one(alt) for alt in _ALTERNATIVES.split(cleaned) if alt.strip()) if p]
    if not found:
        return Place(raw, reason="no place named")
    failed = [p for p in found if not p.resolved]
    readings = tuple(r for p in found for r in (p.readings if not p.resolved else (p,)))
    if failed and (len(found) == 1 or not all(p.readings for p in failed)):
        return Place(raw, alternatives=failed[0].alternatives, reason=failed[0].reason,
                     readings=readings if len(found) == 1 else ())
    if failed or len({p.country for p in found}) > 1:  # "Austin, TX / Berlin", "Austin, TX / Georgia"
        alternatives = tuple(sorted({p.country for p in readings}))
        return Place(raw, alternatives=alternatives, reason="several places: " + " or ".join(alternatives),
                     readings=readings)
    if len(found) == 1:
        return Place(raw, found[0].country, found[0].subdivision, found[0].city, found[0].timezones)
    zones = tuple(dict.fromkeys(z for p in found for z in p.timezones))
    return Place(raw, found[0].country, timezones=zones)


def same_jurisdiction(a: str, b: str) -> bool:
    """True when two country codes are the same or one is a territory associated with the other
    (a Guernsey or Puerto Rico number is consistent with "UK" / "US")."""
    a, b = a.upper(), b.upper()
    return a == b or any(a in group and b in group for group in table().groups)


@lru_cache(maxsize=1024)
def _offsets(zone: str, year: int) -> tuple | str:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return zone
    return tuple(datetime(year, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7))


def timezones_overlap(a: tuple[str, ...], b: tuple[str, ...], when: datetime) -> bool:
    """True when some zone of ``a`` keeps the same clock as some zone of ``b`` in winter and summer
    (America/Detroit and America/New_York agree; America/Phoenix and America/Denver do not)."""
    left = {_offsets(z, when.year) for z in a}
    return any(_offsets(z, when.year) in left for z in b)


def one_clock(zones: tuple[str, ...], when: datetime) -> bool:
    """True when ``zones`` is not empty and all of them keep one clock, winter and summer: a certain
    time zone (Texas's Chicago and Denver zones are not one; Detroit and New York are)."""
    return len({_offsets(z, when.year) for z in zones}) == 1


# -- comprehensively sanctioned jurisdictions: the table's types and checks are in checks.jurisdictions --
SANCTIONS_FILE = Path(__file__).with_name("data") / "sanctioned_jurisdictions.json"


@lru_cache(maxsize=1)
def sanctioned_jurisdictions() -> SanctionsTable:
    """Loads and validates the table; raises ``ValueError``/``OSError`` when it is missing or bad."""
    return load_sanctions_table(SANCTIONS_FILE)
