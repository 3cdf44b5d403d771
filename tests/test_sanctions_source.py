"""OFAC SDN source: streaming parse, index, persistence, refresh over a real local HTTP server, and
facts of the real 2025-11-19 snapshot (shared data; skipped when absent)."""
from __future__ import annotations

import bz2
import gzip
import os
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.errors import BadResponse, SourceError
from checks.sources.ofac_xml import parse_file
from checks.sources.sanctions import (
    Listing,
    NoSanctionsList,
    SanctionsIndex,
    SanctionsSource,
    StaleSanctionsList,
    usable_index,
)
from checks.sources.sanctions_store import SanctionsStore, SourceMeta
from tests.shared_data import SHARED_DATA

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
ADVANCED = FIXTURES / "sdn_advanced_small.xml"
LEGACY = FIXTURES / "sdn_legacy_small.xml"
EMPTY_LIST = FIXTURES / "sdn_advanced_empty.xml"
SHARED = SHARED_DATA
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
SIM = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"
CHEIL_USDT = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
LAZARUS_EIP55 = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return SanctionsIndex.from_parsed(parse_file(ADVANCED), source=str(ADVANCED), fetched_at=NOW)


def by(listings: list[Listing]) -> set[tuple[str, str, str]]:
    return {(x.ticker, x.profile_id, x.entity) for x in listings}


# -- parsing --------------------------------------------------------------------------------------
def test_advanced_fixture_parses_addresses_names_and_programs():
    parsed = parse_file(ADVANCED)
    assert (parsed.format, parsed.publish_date, parsed.party_count) == ("advanced", date(2025, 11, 19), 11)
    assert len(parsed.entries) == 17
    p = parsed.parties
    assert p["43377"].name == "Kim Sang Man" and "김 상만" in p["43377"].aliases  # Latin preferred
    assert p["45404"].name == "Wang Mingming" and p["45404"].aliases == ("王 明明",)
    assert p["22985"].aliases == ("FIRST CREDIT BANK",)  # weak (low-quality) alias left out
    assert p["27307"].aliases == ()
    # programs come after the parties in the file, one profile has two SanctionsEntries
    assert p["30520"].programs == ("CYBER2", "ELECTION-EO13848")
    assert p["44437"].programs == ("CYBER2", "DPRK3")
    assert {x.profile_id for x in parsed.individuals} == {"2677", "30520", "42498", "43377", "45404", "56360"}
    assert "4238" not in p  # a vessel without addresses is not kept


def test_legacy_sdn_xml():
    parsed = parse_file(LEGACY)
    assert (parsed.format, parsed.publish_date, parsed.party_count) == ("legacy", date(2025, 11, 19), 3)
    assert [(e.ticker, e.address) for e in parsed.entries] == [
        ("ETH", SIM), ("ARB", SIM), ("USDT", CHEIL_USDT)]
    assert parsed.parties["22985"].programs == ("DPRK4",)
    assert parsed.parties["22985"].aliases == ("FIRST CREDIT BANK",)
    assert {x.name for x in parsed.individuals} == {"SIM Hyon Sop", "AL-ZOMOR Abboud Abdul Latif Hassan"}


@pytest.mark.parametrize("source", [ADVANCED, LEGACY])
@pytest.mark.parametrize("namespace", ['xmlns="urn:example:other"', ""])
def test_namespace_does_not_matter(tmp_path, source, namespace):
    changed = tmp_path / "list.xml"
    changed.write_text(re.sub(r'xmlns="[^"]*"', namespace, source.read_text(encoding="utf-8"), count=1),
                       encoding="utf-8")
    assert parse_file(changed) == parse_file(source)


def _pack(kind: str, data: bytes, dest: Path) -> Path:
    if kind == "gz":
        dest.write_bytes(gzip.compress(data))
    elif kind == "bz2":
        dest.write_bytes(bz2.compress(data))
    else:
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("SDN_ADVANCED.XML", data)
    return dest


@pytest.mark.parametrize("kind", ["gz", "bz2", "zip"])
def test_compression_detected_by_magic_bytes(tmp_path, kind):
    packed = _pack(kind, ADVANCED.read_bytes(), tmp_path / "misleading-name.xml")
    assert parse_file(packed) == parse_file(ADVANCED)


BROKEN = {
    "empty": (lambda d: b"", "empty"),
    "truncated": (lambda d: d[: len(d) // 2], "truncated or not well-formed"),
    "garbage": (lambda d: b"\x00\x01 not xml at all", "not well-formed"),
    "html": (lambda d: b"<html><body>Service Unavailable</body></html>", "not an OFAC SDN list"),
    "truncated_bz2": (lambda d: bz2.compress(d)[:2000], "truncated"),
    "corrupt_gz": (lambda d: gzip.compress(d)[:10] + b"\xff" * 200, "unreadable"),
    "no_entries": (lambda d: EMPTY_LIST.read_bytes(), r"\(0 parties\) but holds no digital currency"),
    "no_addresses": (lambda d: (FIXTURES / "sdn_advanced_no_addresses.xml").read_bytes(),
                     r"\(2 parties\) but holds no digital currency addresses"),
    "no_date": (lambda d: d.replace(b"<DateOfIssue", b"<Skipped").replace(b"</DateOfIssue>", b"</Skipped>"),
                "no publish date"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_unusable_files_raise_bad_response(tmp_path, case):
    make, reason = BROKEN[case]
    path = tmp_path / "list.xml"
    path.write_bytes(make(ADVANCED.read_bytes()))
    with pytest.raises(BadResponse, match=reason):
        parse_file(path)


def test_unpacked_size_is_capped(tmp_path):
    packed = _pack("gz", ADVANCED.read_bytes(), tmp_path / "list.xml.gz")
    with pytest.raises(BadResponse, match="size limit"):
        parse_file(packed, max_unpacked=4096)


def test_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    dtd = f'<!DOCTYPE Sanctions [<!ENTITY x SYSTEM "{secret.as_uri()}"><!ENTITY y "INTERNAL">]>'
    text = ADVANCED.read_text(encoding="utf-8").replace("<Sanctions ", dtd + "\n<Sanctions ", 1)
    path = tmp_path / "list.xml"
    path.write_text(text.replace(CHEIL_USDT, CHEIL_USDT + "&x;&y;"), encoding="utf-8")
    assert parse_file(path).entries[0].address == CHEIL_USDT


# -- index ----------------------------------------------------------------------------------------
def test_lookup_evm_case_insensitive_across_tickers(index):
    hits = index.lookup("  0X4F47BC496083C727C5FBE3CE9CDF2B0F6496270C\n")
    assert [x.ticker for x in hits] == ["ETH", "ARB", "BSC"]
    assert {(x.entity, x.programs, x.address) for x in hits} == {("Sim Hyon Sop", ("NPWMD",), SIM)}
    assert by(index.lookup(LAZARUS_EIP55.lower())) == {("ETH", "27307", "Lazarus Group")}
    assert index.lookup(LAZARUS_EIP55)[0].address == LAZARUS_EIP55  # as published


def test_lookup_other_addresses_exact(index):
    cheil = index.lookup(f" {CHEIL_USDT} ")
    assert [(x.ticker, x.entity, x.programs) for x in cheil] == [("USDT", "CHEIL CREDIT BANK", ("DPRK4",))]
    assert index.lookup(CHEIL_USDT.lower()) == [] and index.lookup(CHEIL_USDT.upper()) == []
    assert by(index.lookup("LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6")) == {
        ("LTC", "30518", "Secondeye Solution"), ("LTC", "30520", "RAZA Mujtaba Ali")}
    assert by(index.lookup("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")) == {("XBT", "45404", "Wang Mingming")}
    bech32 = "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd"
    assert index.lookup(bech32)[0].programs == ("CYBER2", "DPRK3")
    assert index.lookup("0x" + "0" * 40) == [] and index.lookup("") == [] and index.lookup("   ") == []
    assert "42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi" in index


def test_counts_and_metadata(index):
    assert index.counts_per_ticker() == {
        "ETH": 5, "XBT": 4, "USDT": 3, "LTC": 2, "ARB": 1, "BSC": 1, "SOL": 1}
    assert index.counts_per_ticker(unique=True)["LTC"] == 1
    assert (index.total, index.unique_addresses, index.party_count) == (17, 13, 11)
    assert index.citation == "OFAC SDN, published 2025-11-19"
    assert len(index.individuals) == 6


def test_exact_repeat_counts_as_entry_but_is_returned_once():
    entry = Listing("3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR", "XBT", "1", "Blender.io", ("CYBER2",))
    idx = SanctionsIndex([entry, entry], publish_date=date(2025, 11, 19), fetched_at=NOW)
    assert idx.total == 2 and idx.lookup(entry.address) == [entry]
    assert idx.counts_per_ticker(unique=True) == {"XBT": 1}


@given(flips=st.lists(st.booleans(), min_size=40, max_size=40), pad=st.sampled_from(["", " ", "\t", "\n "]))
def test_any_case_of_a_listed_evm_address_matches(index, flips, pad):
    body = "".join(c.upper() if f else c.lower() for c, f in zip(SIM[2:], flips, strict=True))
    assert len(index.lookup(pad + "0x" + body + pad)) == 3


def test_staleness_is_measured_from_last_check(index):
    fresh = index.with_checked_at(NOW - timedelta(days=2))
    assert fresh.age_days(NOW) == pytest.approx(2) and not fresh.is_stale(NOW, 7)
    assert usable_index(fresh, NOW, 7) is fresh
    assert usable_index(fresh, NOW.replace(tzinfo=None), 7) is fresh  # naive = UTC
    old = index.with_checked_at(NOW - timedelta(days=8))
    assert old.is_stale(NOW, 7) and old.fetched_at == index.fetched_at
    with pytest.raises(StaleSanctionsList, match=r"last refreshed 8 days ago \(limit 7\)") as err:
        usable_index(old, NOW, 7)
    assert isinstance(err.value, SourceError) and "2025-11-19" in str(err.value)
    with pytest.raises(NoSanctionsList, match=r"^no sanctions list loaded — run `vetcandidate sanctions upd"):
        usable_index(None, NOW, 7)


# -- persistence ----------------------------------------------------------------------------------
def test_store_round_trip_and_lazy_names(tmp_path, index):
    store = SanctionsStore(tmp_path)
    assert store.load() is None
    with pytest.raises(NoSanctionsList):
        usable_index(store, NOW, 7)
    store.save(index, SourceMeta(etag='"abc"', last_modified="Wed, 19 Nov 2025 20:00:00 GMT", sha256="00"))
    loaded = SanctionsStore(tmp_path).load()
    assert loaded is not None and loaded.listings == index.listings
    assert (loaded.publish_date, loaded.checked_at, loaded.source) == (index.publish_date, NOW, index.source)
    assert callable(loaded._individuals)  # names parsed only when name screening asks
    assert loaded.individuals == tuple(index.individuals)
    assert SanctionsStore(tmp_path).meta() == SourceMeta('"abc"', "Wed, 19 Nov 2025 20:00:00 GMT", "00")
    assert usable_index(SanctionsStore(tmp_path), NOW, 7).lookup(SIM)


def test_damaged_cache_fails_closed_and_failed_write_keeps_previous(tmp_path, index, monkeypatch):
    store = SanctionsStore(tmp_path)
    store.save(index, SourceMeta())
    before = store.path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OSError):
        store.save(index.with_checked_at(NOW + timedelta(days=1)), SourceMeta())
    monkeypatch.undo()
    assert store.path.read_bytes() == before and os.listdir(store.dir) == ["index.jsonl"]
    store.path.write_bytes(b'{"format": 1, "entr')
    with pytest.raises(BadResponse, match="damaged"):
        usable_index(SanctionsStore(tmp_path), NOW, 7)


def test_source_for_checks_fails_closed_and_builds_name_screen_once_per_edition(tmp_path, index):
    built = []
    source = SanctionsSource(SanctionsStore(tmp_path), max_age_days=7,
                             name_screen_factory=lambda people: built.append(len(people)) or len(people))
    with pytest.raises(NoSanctionsList):
        source.current(now=NOW)
    store = source.store
    store.save(index, SourceMeta())
    current = source.current(now=NOW)
    assert current.lookup(SIM) and source.name_screen(current) == 6
    store.mark_checked(NOW + timedelta(days=1))  # a 304: same edition, new object
    assert source.name_screen(source.current(now=NOW + timedelta(days=2))) == 6 and built == [6]
    with pytest.raises(StaleSanctionsList):
        source.current(now=NOW + timedelta(days=9))
    with pytest.raises(SourceError, match="not configured"):
        SanctionsSource(store).name_screen(current)
