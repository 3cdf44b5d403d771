"""Streaming parsers for OFAC's SDN list: the advanced format (SDN_ADVANCED.XML) here, and the
legacy SDN.XML (``checks.sources.ofac_legacy``). The real advanced file is ~120 MB, so elements
are cleared as soon as they are read and the whole tree is never held in memory.

Elements are matched by local name (``{*}Tag``), so a changed namespace URI does not break the
parse. The format is decided by the root element (``Sanctions`` = advanced, ``sdnList`` = legacy).
Input may be plain XML, gzip, bzip2 or a zip holding one XML file, detected by magic bytes.

Every failure is a ``BadResponse`` with a reason that can be shown to an operator.
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from lxml import etree

from checks.errors import BadResponse

DIGITAL_CURRENCY_PREFIX = "Digital Currency Address - "
#: Upper bound on the unpacked XML (the real file is ~120 MB); guards against decompression bombs.
MAX_UNPACKED_BYTES = 2 * 1024 ** 3

_ADVANCED_TAGS = ("Sanctions", "DateOfIssue", "FeatureTypeValues", "FeatureType", "PartySubType",
                  "PartyType", "Script", "DistinctParty", "SanctionsEntry", "Location",
                  "IDRegDocument", "ProfileRelationship")
_LEGACY_TAGS = ("sdnList", "Publish_Date", "sdnEntry")
#: Records under a top-level section: cleared and unlinked after use (the skipped ones are not read).
_SKIPPED = frozenset({"Location", "IDRegDocument", "ProfileRelationship"})
_RECORDS = _SKIPPED | {"DistinctParty", "SanctionsEntry", "sdnEntry"}


@dataclass(frozen=True)
class AddressEntry:
    """One published digital currency address entry (repeats in the file are kept)."""
    address: str
    ticker: str
    profile_id: str


@dataclass(frozen=True)
class SdnName:
    """A party's names for screening: primary name (Latin script preferred), other names (other
    scripts of the primary name and strong aliases; OFAC's low-quality "weak" aliases are left out)."""
    profile_id: str
    name: str
    aliases: tuple[str, ...]
    programs: tuple[str, ...]
    is_individual: bool


@dataclass
class ParsedList:
    format: str                      # "advanced" | "legacy"
    publish_date: date
    entries: list[AddressEntry]
    #: parties that have addresses, and every individual (for name screening)
    parties: dict[str, SdnName]
    party_count: int
    #: profile -> its earliest SanctionsEntry/EntryEvent date (the designation; advanced format only)
    entity_designated: dict[str, date] = field(default_factory=dict)

    @property
    def individuals(self) -> list[SdnName]:
        return [p for p in self.parties.values() if p.is_individual]


class _CappedReader:
    """File wrapper that refuses to deliver more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int):
        self._raw, self._left = raw, limit

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else 1 << 20)
        self._left -= len(data)
        if self._left < 0:
            raise BadResponse("OFAC list unpacks to more than the size limit; refusing it")
        return data


@contextlib.contextmanager
def open_list(path: Path | str, max_unpacked: int = MAX_UNPACKED_BYTES) -> Iterator[IO[bytes]]:
    """Open a list file, transparently unpacking gzip, bzip2 or zip (by magic bytes)."""
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(open(path, "rb"))
        magic = raw.read(4)
        raw.seek(0)
        if not magic:
            raise BadResponse("the OFAC list file is empty")
        stream: IO[bytes] = raw
        if magic[:2] == b"\x1f\x8b":
            stream = stack.enter_context(gzip.GzipFile(fileobj=raw))
        elif magic[:3] == b"BZh":
            stream = stack.enter_context(bz2.BZ2File(raw))
        elif magic == b"PK\x03\x04":
            archive = stack.enter_context(zipfile.ZipFile(raw))
            members = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if len(members) != 1:
                raise BadResponse("zip archive must hold exactly one .xml file")
            stream = stack.enter_context(archive.open(members[0]))
        yield _CappedReader(stream, max_unpacked)  # type: ignore[misc]


def parse_file(path: Path | str, max_unpacked: int = MAX_UNPACKED_BYTES) -> ParsedList:
    """Parse an SDN list file (advanced or legacy XML, optionally compressed)."""
    try:
        with open_list(path, max_unpacked) as stream:
            return _parse_stream(stream)
    except BadResponse:
        raise
    except etree.XMLSyntaxError as exc:
        raise BadResponse(f"OFAC list is truncated or not well-formed XML ({exc})") from None
    except EOFError:
        raise BadResponse("compressed OFAC list is truncated") from None
    except (OSError, zipfile.BadZipFile, zlib.error, ValueError) as exc:
        raise BadResponse(f"OFAC list is unreadable ({type(exc).__name__}: {exc})") from None


def _text(el: etree._Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None else ""


def _free(el: etree._Element) -> None:
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _parse_stream(stream: IO[bytes]) -> ParsedList:
    tags = tuple("{*}" + t for t in _ADVANCED_TAGS + _LEGACY_TAGS)
    parser = etree.iterparse(stream, events=("start", "end"), tag=tags, resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    from checks.sources.ofac_legacy import Legacy

    state: _Advanced | Legacy | None = None
    for event, el in parser:
        name = el.tag.rpartition("}")[2]
        if state is None:
            if event == "start" and name == "Sanctions":
                state = _Advanced()
            elif event == "start" and name == "sdnList":
                state = Legacy()
            continue
        if event == "end":
            if name not in _SKIPPED:
                state.handle(name, el)
            if name in _RECORDS:
                _free(el)
    if state is None:
        raise BadResponse("not an OFAC SDN list (root element is neither Sanctions nor sdnList)")
    return state.finish()


def _dedupe(names: list[str], skip: str) -> tuple[str, ...]:
    seen = {skip.casefold()}
    return tuple(n for n in names if n and not (n.casefold() in seen or seen.add(n.casefold())))


def _result(fmt: str, issued: date | None, entries: list[AddressEntry], party_count: int,
            raw_parties: dict[str, tuple[str, list[str], bool]],
            programs: dict[str, set[str]], dates: dict[str, date] | None = None) -> ParsedList:
    if issued is None:
        raise BadResponse("OFAC list has no publish date")
    if not entries:  # every real edition lists hundreds: this is a broken export or a changed schema
        raise BadResponse(f"OFAC list parsed ({party_count} parties) but holds no digital currency "
                          "addresses; treating it as a failed download")
    listed = {e.profile_id for e in entries}
    parties = {pid: SdnName(pid, name, _dedupe(aliases, name), tuple(sorted(programs.get(pid, ()))),
                            individual)
               for pid, (name, aliases, individual) in raw_parties.items()
               if individual or pid in listed}
    for pid in listed - parties.keys():
        parties[pid] = SdnName(pid, "", (), tuple(sorted(programs.get(pid, ()))), False)
    listed = {pid: when for pid, when in (dates or {}).items() if pid in parties}
    return ParsedList(fmt, issued, entries, parties, party_count, listed)


@dataclass
class _Advanced:
    issued: date | None = None
    digital: dict[str, str] = field(default_factory=dict)     # FeatureType ID -> ticker
    types_known: bool = False
    subtypes: dict[str, str] = field(default_factory=dict)    # PartySubType ID -> PartyType ID
    party_types: dict[str, str] = field(default_factory=dict)  # PartyType ID -> name
    latin: set[str] = field(default_factory=set)              # Script IDs of Latin script
    features: list[tuple[str, str, str]] = field(default_factory=list)  # (type id, value, profile)
    # profile -> (subtype id, primary names [(script ids, text)], other names)
    profiles: dict[str, tuple[str, list[tuple[frozenset[str], str]], list[str]]] = \
        field(default_factory=dict)
    programs: dict[str, set[str]] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)       # profile -> earliest entry event
    party_count: int = 0

    def handle(self, name: str, el: etree._Element) -> None:
        if name == "DistinctParty":
            self.party_count += 1
            for profile in el.iter("{*}Profile"):
                self._profile(profile, el.get("FixedRef", ""))
        elif name == "SanctionsEntry":
            pid = el.get("ProfileID", "")
            for comment in el.iterfind("{*}SanctionsMeasure/{*}Comment"):
                if program := _text(comment):
                    self.programs.setdefault(pid, set()).add(program)
            for when in filter(None, map(_date, el.iterfind("{*}EntryEvent/{*}Date"))):
                if pid not in self.dates or when < self.dates[pid]:
                    self.dates[pid] = when
        elif name == "FeatureType":
            text = _text(el)
            if text.startswith(DIGITAL_CURRENCY_PREFIX):
                self.digital[el.get("ID", "")] = text[len(DIGITAL_CURRENCY_PREFIX):].strip()
        elif name == "FeatureTypeValues":
            self.types_known = True
        elif name == "PartySubType":
            self.subtypes[el.get("ID", "")] = el.get("PartyTypeID", "")
        elif name == "PartyType":
            self.party_types[el.get("ID", "")] = _text(el)
        elif name == "Script":
            if el.get("ScriptCode", "").lower() in ("latin", "latn") or _text(el).lower() == "latin":
                self.latin.add(el.get("ID", ""))
        elif name == "DateOfIssue":
            self.issued = _date(el)
            if self.issued is None:
                raise BadResponse("OFAC list has an unreadable DateOfIssue")

    def _profile(self, profile: etree._Element, fixed_ref: str) -> None:
        pid = profile.get("ID") or fixed_ref
        primary: list[tuple[frozenset[str], str]] = []
        others: list[str] = []
        for alias in profile.iter("{*}Alias"):
            is_primary = alias.get("Primary") == "true"
            if not is_primary and alias.get("LowQuality") == "true":
                continue
            for doc in alias.iter("{*}DocumentedName"):
                parts = list(doc.iter("{*}NamePartValue"))
                text = " ".join(t for t in (_text(p) for p in parts) if t)
                if not text:
                    continue
                if is_primary:
                    primary.append((frozenset(p.get("ScriptID", "") for p in parts), text))
                else:
                    others.append(text)
        self.profiles[pid] = (profile.get("PartySubTypeID", ""), primary, others)
        for feature in profile.iter("{*}Feature"):
            type_id = feature.get("FeatureTypeID", "")
            if self.types_known and type_id not in self.digital:
                continue
            for detail in feature.iter("{*}VersionDetail"):
                if value := (detail.text or "").strip():
                    self.features.append((type_id, value, pid))

    def finish(self) -> ParsedList:
        entries = [AddressEntry(value, self.digital[t], pid)
                   for t, value, pid in self.features if t in self.digital]
        raw: dict[str, tuple[str, list[str], bool]] = {}
        for pid, (subtype, primary, others) in self.profiles.items():
            kind = self.party_types.get(self.subtypes.get(subtype, ""), "")
            latin = [text for scripts, text in primary if scripts & self.latin]
            ordered = latin + [text for _, text in primary if text not in latin]
            name = ordered[0] if ordered else (others[0] if others else "")
            raw[pid] = (name, ordered[1:] + others, kind.strip().lower() == "individual")
        return _result("advanced", self.issued, entries, self.party_count, raw, self.programs, self.dates)


def _date(el: etree._Element) -> date | None:
    """A ``Year``/``Month``/``Day`` element (DateOfIssue, EntryEvent/Date), or None if unreadable."""
    try:
        return date(int(el.findtext("{*}Year")), int(el.findtext("{*}Month")), int(el.findtext("{*}Day")))
    except (TypeError, ValueError):
        return None
