"""The OFAC SDN sanctions index the checks query: digital currency addresses with the listed party
and its programs, plus the SDN individuals' names for name screening.

Lookups run on the trimmed raw value (before any validation: the list itself holds values that
fail strict validation). EVM addresses (``0x`` + 40 hex) match case-insensitively because OFAC
mixes EIP-55 and lower case; every other value matches exactly. One address may be listed under
several tickers and on several profiles: ``lookup`` returns every listing.

Persistence and refresh live in ``checks.sources.sanctions_store``. Checks get a
``SanctionsSource`` as ``ctx.sanctions``; its ``current(now)`` (= ``usable_index``) fails closed:
no list, or a list not refreshed within the limit, raises a ``SourceError``, never "clean".
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from checks.errors import NotConfigured, SourceUnavailable
from checks.sources.ofac_xml import ParsedList, SdnName

__all__ = ["DEFAULT_MAX_AGE_DAYS", "DEFAULT_OFAC_SDN_URL", "INDEX_SCHEMA", "Listing", "NoSanctionsList",
           "SanctionsIndex", "SanctionsSource", "SdnName", "StaleSanctionsList", "address_key",
           "usable_index"]

#: Official SDN list in the advanced format, from OFAC's Sanctions List Service.
DEFAULT_OFAC_SDN_URL = ("https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
                        "SDN_ADVANCED.XML")
DEFAULT_MAX_AGE_DAYS = 7
#: what a parsed edition holds: 2 = listings carry ``entity_designated``. A stored edition of an older
#: schema is still usable, and is parsed again on the next refresh even if the file is unchanged.
INDEX_SCHEMA = 2

_EVM = re.compile(r"0[xX][0-9a-fA-F]{40}")


def address_key(value: str) -> str:
    """The matching key of an address: trimmed; EVM addresses lower-cased, all else as given."""
    value = value.strip()
    return "0x" + value[2:].lower() if _EVM.fullmatch(value) else value


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Listing:
    address: str                  # as published by OFAC
    ticker: str                   # OFAC's ticker, e.g. "XBT", "ETH", "USDT" (no closed set)
    profile_id: str               # SDN profile (the legacy list's uid)
    entity: str                   # the party's primary name
    programs: tuple[str, ...]     # e.g. ("DPRK4",)
    #: the entity's designation date (its earliest SanctionsEntry/EntryEvent), if published -- not
    #: when this address was added: OFAC often adds addresses to an entity listed years earlier
    entity_designated: date | None = None


class NoSanctionsList(SourceUnavailable):
    """No sanctions list has been loaded yet."""


class StaleSanctionsList(SourceUnavailable):
    """The sanctions list has not been refreshed within the allowed age."""


class SanctionsIndex:
    """An in-memory edition of the SDN list. Immutable once built."""

    def __init__(self, listings: Iterable[Listing], *, publish_date: date, fetched_at: datetime,
                 checked_at: datetime | None = None, source: str = "",
                 individuals: Sequence[SdnName] | Callable[[], Sequence[SdnName]] = (),
                 list_format: str = "advanced", party_count: int = 0, schema: int = INDEX_SCHEMA):
        #: every published address entry in file order (the file's exact repeats included)
        self.listings: tuple[Listing, ...] = tuple(listings)
        self.publish_date = publish_date
        self.fetched_at = _aware(fetched_at)
        self.checked_at = _aware(checked_at or fetched_at)
        self.source = source
        self.list_format = list_format
        #: parties (profiles) in the whole edition, with or without addresses
        self.party_count = party_count
        self.schema = schema
        self._individuals = individuals
        by_key: dict[str, list[Listing]] = {}
        for listing in self.listings:
            bucket = by_key.setdefault(address_key(listing.address), [])
            if listing not in bucket:
                bucket.append(listing)
        self._by_key = by_key

    @classmethod
    def from_parsed(cls, parsed: ParsedList, *, source: str, fetched_at: datetime,
                    checked_at: datetime | None = None) -> SanctionsIndex:
        parties = parsed.parties
        listings = []
        for entry in parsed.entries:
            party = parties.get(entry.profile_id)
            listings.append(Listing(entry.address, entry.ticker, entry.profile_id,
                                    party.name if party else "", party.programs if party else (),
                                    parsed.entity_designated.get(entry.profile_id)))
        return cls(listings, publish_date=parsed.publish_date, fetched_at=fetched_at,
                   checked_at=checked_at, source=source, individuals=parsed.individuals,
                   list_format=parsed.format, party_count=parsed.party_count)

    def with_checked_at(self, checked_at: datetime) -> SanctionsIndex:
        clone = object.__new__(SanctionsIndex)
        clone.__dict__.update(self.__dict__)
        clone.checked_at = _aware(checked_at)
        return clone

    # -- queries -------------------------------------------------------------------------------
    def lookup(self, value: str) -> list[Listing]:
        """Every listing of ``value`` (trimmed; EVM case-insensitive, everything else exact)."""
        if not isinstance(value, str) or not value.strip():
            return []
        return list(self._by_key.get(address_key(value), ()))

    def __contains__(self, value: Any) -> bool:
        return bool(self.lookup(value))

    @property
    def total(self) -> int:
        """Address entries as published (an address listed under 3 tickers counts 3 times)."""
        return len(self.listings)

    @property
    def unique_addresses(self) -> int:
        return len(self._by_key)

    def counts_per_ticker(self, *, unique: bool = False) -> dict[str, int]:
        """Entries per ticker as published, or with ``unique=True`` distinct addresses per ticker
        (an exact repeat, or one address on two profiles, counts once). Largest first."""
        if unique:
            counts = Counter(t for t, _ in {(x.ticker, address_key(x.address)) for x in self.listings})
        else:
            counts = Counter(x.ticker for x in self.listings)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def individuals(self) -> tuple[SdnName, ...]:
        """SDN individuals (name, aliases, programs) for name screening; loaded on first use."""
        if callable(self._individuals):
            self._individuals = tuple(self._individuals())
        elif not isinstance(self._individuals, tuple):
            self._individuals = tuple(self._individuals)
        return self._individuals

    @property
    def citation(self) -> str:
        """How a finding cites this edition, e.g. "OFAC SDN, published 2025-11-19"."""
        return f"OFAC SDN, published {self.publish_date.isoformat()}"

    # -- freshness ------------------------------------------------------------------------------
    def age_days(self, now: datetime) -> float:
        """Days since the last successful refresh (a 304 counts), never negative."""
        return max(0.0, (_aware(now) - self.checked_at).total_seconds() / 86400)

    def is_stale(self, now: datetime, max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> bool:
        return self.age_days(now) > max_age_days

    def __repr__(self) -> str:
        return (f"SanctionsIndex(published={self.publish_date}, entries={self.total}, "
                f"checked_at={self.checked_at.isoformat()})")


def _days(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def usable_index(source: Any, now: datetime,
                 max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> SanctionsIndex:
    """The index a check may rely on, or a ``SourceError`` saying why there is none.

    ``source`` is a ``SanctionsStore`` (anything with ``load()``), a ``SanctionsIndex`` or None.
    A damaged cache file surfaces as the store's ``BadResponse``.
    """
    index = source.load() if source is not None and hasattr(source, "load") else source
    if index is None:
        raise NoSanctionsList("no sanctions list loaded — run `vetcandidate sanctions update`")
    if index.is_stale(now, max_age_days):
        raise StaleSanctionsList(
            f"sanctions list last refreshed {_days(index.age_days(now))} days ago (limit {max_age_days:g}); "
            f"edition of {index.publish_date.isoformat()} — run `vetcandidate sanctions update`")
    return index


class SanctionsSource:
    """What checks receive as ``ctx.sanctions``: the current usable edition, fail-closed, and a
    per-edition derived view for name screening (built once by ``name_screen_factory`` from the
    edition's individuals, kept until a new edition is stored; a 304 refresh keeps it)."""

    def __init__(self, store: Any, *, max_age_days: float = DEFAULT_MAX_AGE_DAYS,
                 name_screen_factory: Callable[[Sequence[SdnName]], Any] | None = None):
        self.store = store
        self.max_age_days = max_age_days
        self._factory = name_screen_factory
        self._screen: tuple[tuple, Any] | None = None
        self._lock = threading.Lock()

    def current(self, now: datetime) -> SanctionsIndex:
        return usable_index(self.store, now, self.max_age_days)

    def name_screen(self, index: SanctionsIndex) -> Any:
        if self._factory is None:
            raise NotConfigured("SDN name screening is not configured")
        edition = (index.source, index.publish_date, index.fetched_at)
        with self._lock:
            if self._screen is None or self._screen[0] != edition:
                self._screen = (edition, self._factory(index.individuals))
            return self._screen[1]
