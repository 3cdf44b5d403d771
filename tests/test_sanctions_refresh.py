"""Refreshing the OFAC SDN list: downloads from a real local HTTP server (conditional requests, 403,
broken bodies, compression), local sources, and the real 2025-10-30 -> 2025-11-19 update (shared
data; skipped when absent — those two parses take ~20 s and run once per module)."""
from __future__ import annotations

import bz2
import gzip
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from checks.sources.http import HttpClient
from checks.sources.sanctions import usable_index
from checks.sources.sanctions_store import SanctionsStore, refresh
from tests.fakes.http_server import FakeHttpServer
from tests.shared_data import SHARED_DATA

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
ADVANCED = FIXTURES / "sdn_advanced_small.xml"
SHARED = SHARED_DATA
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
LAST_MODIFIED = "Wed, 19 Nov 2025 20:15:00 GMT"
UA = "vetcandidate-tests/1.0 (security@example.test)"


@pytest.fixture
def server():
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def http():
    client = HttpClient(retries=0, user_agent=UA)
    yield client
    client.close()


@pytest.fixture
def seeded(tmp_path, server, http) -> SanctionsStore:
    """A store already holding the fixture edition (2025-11-19), fetched at NOW."""
    server.add("/good.xml", body=ADVANCED.read_bytes())
    store = SanctionsStore(tmp_path)
    assert refresh(store, http, server.url("/good.xml"), now=NOW).status == "updated"
    return store


@pytest.mark.network_edge
@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_download_then_not_modified(tmp_path, server, http, validator):
    kwargs = {"etag": '"sdn-2025-11-19"'} if validator == "etag" else {"last_modified": LAST_MODIFIED}
    server.add("/SDN_ADVANCED.XML", body=ADVANCED.read_bytes(), **kwargs)
    store, url = SanctionsStore(tmp_path), server.url("/SDN_ADVANCED.XML")
    first = refresh(store, http, url, now=NOW)
    assert first.status == "updated" and first.index is not None and first.added == 17
    assert first.index.publish_date == date(2025, 11, 19)
    assert first.index.lookup("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz")
    later = NOW + timedelta(days=6)
    second = refresh(store, http, url, now=later)
    assert second.status == "not_modified" and second.ok
    sent = [r.header("If-None-Match" if validator == "etag" else "If-Modified-Since")
            for r in server.requests_to("/SDN_ADVANCED.XML")]
    assert sent == [None, kwargs[validator]]
    assert all(r.header("User-Agent") == UA for r in server.requests)
    stored = SanctionsStore(tmp_path).load()
    assert stored is not None and (stored.fetched_at, stored.checked_at) == (NOW, later)
    assert usable_index(stored, later + timedelta(days=6), 7) is stored  # a 304 keeps the list fresh


@pytest.mark.network_edge
def test_403_is_reported_plainly_and_keeps_previous(seeded, server, http):
    before = seeded.path.read_bytes()
    server.add("/denied.xml", status=403, body=b"<html>Access Denied</html>")
    outcome = refresh(seeded, http, server.url("/denied.xml"), now=NOW + timedelta(days=1))
    assert outcome.status == "failed" and not outcome.ok
    assert outcome.reason.startswith("OFAC refused the download (HTTP 403)")
    assert "set VETCANDIDATE_USER_AGENT" in outcome.reason
    assert seeded.path.read_bytes() == before and outcome.index is not None


def _broken(name: str) -> dict:
    data = ADVANCED.read_bytes()
    return {
        "cut_connection": {"body": data, "truncate_at": len(data) // 3},
        "empty_body": {"body": b""},
        "truncated_xml": {"body": data[: len(data) // 2]},
        "zero_entries": {"body": (FIXTURES / "sdn_advanced_empty.xml").read_bytes()},
        "html_page": {"body": b"<html><body>Maintenance</body></html>"},
        "truncated_gzip": {"body": gzip.compress(data)[:300]},
        "not_found": {"status": 404, "body": b"no"},
        "server_error": {"status": 503, "body": b"busy"},
    }[name]


@pytest.mark.network_edge
@pytest.mark.parametrize("case", ["cut_connection", "empty_body", "truncated_xml", "zero_entries",
                                  "html_page", "truncated_gzip", "not_found", "server_error"])
def test_bad_download_fails_and_keeps_previous_edition(seeded, server, http, case):
    before = seeded.path.read_bytes()
    server.add("/bad.xml", **_broken(case))
    outcome = refresh(seeded, http, server.url("/bad.xml"), now=NOW + timedelta(days=1))
    assert outcome.status == "failed" and outcome.reason
    assert outcome.index is not None and outcome.index.publish_date == date(2025, 11, 19)
    assert seeded.path.read_bytes() == before
    assert os.listdir(seeded.dir) == ["index.jsonl"]  # the temp download is gone


@pytest.mark.network_edge
def test_first_download_failing_leaves_no_list(tmp_path, server, http):
    server.add("/empty.xml", body=b"")
    outcome = refresh(SanctionsStore(tmp_path), http, server.url("/empty.xml"), now=NOW)
    assert (outcome.status, outcome.index) == ("failed", None) and "empty" in outcome.reason
    assert SanctionsStore(tmp_path).load() is None


@pytest.mark.network_edge
def test_size_cap_and_leftover_temp_files(tmp_path, server, http):
    leftover = tmp_path / "sanctions" / ".download-killed.tmp"
    leftover.parent.mkdir()
    leftover.write_bytes(b"partial")
    os.utime(leftover, (0, 0))
    server.add("/big.xml", body=ADVANCED.read_bytes())
    outcome = refresh(SanctionsStore(tmp_path), http, server.url("/big.xml"), now=NOW, max_bytes=1000)
    assert outcome.status == "failed" and "more than 1000 bytes" in outcome.reason
    assert os.listdir(leftover.parent) == []


@pytest.mark.network_edge
@pytest.mark.parametrize("pack", [gzip.compress, bz2.compress], ids=["gz", "bz2"])
def test_compressed_downloads(tmp_path, server, http, pack):
    server.add("/sdn_advanced.xml.x", body=pack(ADVANCED.read_bytes()))
    outcome = refresh(SanctionsStore(tmp_path), http, server.url("/sdn_advanced.xml.x"), now=NOW)
    assert outcome.status == "updated" and outcome.index is not None and outcome.index.total == 17


def test_local_path_and_file_url(tmp_path, http):
    store = SanctionsStore(tmp_path / "data")
    packed = tmp_path / "sdn.xml.bz2"
    packed.write_bytes(bz2.compress(ADVANCED.read_bytes()))
    assert refresh(store, http, str(packed), now=NOW).status == "updated"
    again = refresh(store, http, str(packed), now=NOW + timedelta(hours=1))
    assert (again.status, again.reason) == ("not_modified", "content unchanged")
    assert store.load().checked_at == NOW + timedelta(hours=1)
    via_url = refresh(store, http, ADVANCED.as_uri(), now=NOW)
    assert via_url.status == "updated" and store.load().source == ADVANCED.as_uri()
    missing = refresh(store, http, str(tmp_path / "nope.xml"), now=NOW)
    assert missing.status == "failed" and "not found" in missing.reason


def test_older_edition_is_refused_unless_forced(tmp_path, http):
    store = SanctionsStore(tmp_path / "data")
    refresh(store, http, str(ADVANCED), now=NOW)
    older = tmp_path / "older.xml"
    older.write_text(ADVANCED.read_text(encoding="utf-8").replace("<Day>19</Day>", "<Day>1</Day>", 1),
                     encoding="utf-8")
    refused = refresh(store, http, str(older), now=NOW)
    assert refused.status == "failed" and "older than the stored 2025-11-19" in refused.reason
    assert store.load().publish_date == date(2025, 11, 19)
    assert refresh(store, http, str(older), now=NOW, force=True).status == "updated"
    assert store.load().publish_date == date(2025, 11, 1)


def test_damaged_cache_is_replaced(tmp_path, http):
    store = SanctionsStore(tmp_path)
    store.dir.mkdir(parents=True)
    store.path.write_bytes(b"\x00garbage")
    assert refresh(store, http, str(ADVANCED), now=NOW).status == "updated"
    assert store.load().total == 17


# -- the real snapshots -------------------------------------------------------------------------------
SNAPSHOTS = SHARED / "ofac"
SECTION_5 = """
0x098B716B8Aaf21512996dC57EB0615e2383E2f96 | ETH | Lazarus Group | DPRK3
0x08723392Ed15743cc38513C4925f5e6be5c17243 | ETH | Lazarus Group | DPRK3
0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c | ETH ARB BSC | Sim Hyon Sop | NPWMD
0x97b1043abd9e6fc31681635166d430a458d14f9c | ETH | Kim Sang Man | DPRK4
0xb6f5ec1a0a9cd1526536d3f0426c429529471f40 | ETH USDT USDC | Kim Sang Man | DPRK4
1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ | XBT | Kim Sang Man | DPRK4
1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T | XBT | Andreyev Vitaliy Sergeyevich | DPRK2
TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz | USDT | CHEIL CREDIT BANK | DPRK4
1986rYHckYbJpGQJy6ornuMyD2N5MTqwDt | XBT | Wu Huihui | DPRK3
0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193 | ETH | Semenov Roman | DPRK3
bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd | XBT | Sinbad | CYBER2 DPRK3
134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak | XBT | Tian Yinyin | CYBER2 DPRK3
1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE | XBT | Li Jiadong | CYBER2 DPRK3
1GcKLUUXodTQcLcPD7VLMgvCc4hs5Q775 | XBT | Hydra Market | CYBER2
1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz | XBT USDT | SUEX OTC, S.R.O. | CYBER2
LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6 | LTC | Secondeye Solution; RAZA Mujtaba Ali | CYBER2 ELECTION-EO13848
rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66 | XRP | CHATEX | CYBER2
42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi | SOL | Sokolovski Rolan | ILLICIT-DRUGS-EO14059
bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23 | BNB | Sokolovski Rolan | ILLICIT-DRUGS-EO14059
qq3vlashthktqpeppuv7trmw070e3mydgq63zq348v | BCH | SOUTHFRONT | CYBER2 ELECTION-EO13848 NPWMD
0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2 | ETH USDT USDC | Valerian Labs, Inc. | ILLICIT-DRUGS-EO14059
TFwjPScaJRCbSWVAywE1S1WgaUgSnyYUbD | TRX | GARANTEX EUROPE OU | CYBER4 RUSSIA-EO14024
TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq | XBT | Wang Mingming | ILLICIT-DRUGS-EO14059
t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy | ZEC | KARASAVIDI Dmitrii | CYBER2
XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2 | DASH | KARASAVIDI Dmitrii | CYBER2
"""
ROWS = [tuple(part.strip() for part in line.split("|")) for line in SECTION_5.strip().splitlines()]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    old, new = SNAPSHOTS / "sdn_advanced_2025-10-30.xml.bz2", SNAPSHOTS / "sdn_advanced_2025-11-19.xml.bz2"
    for path in (old, new):
        if not path.is_file():
            pytest.skip(f"real OFAC snapshot not available: {path} is missing (shared data absent)")
    store = SanctionsStore(tmp_path_factory.mktemp("real-sanctions"))
    first = refresh(store, HttpClient(), str(old), now=NOW - timedelta(days=20))
    second = refresh(store, HttpClient(), str(new), now=NOW)
    return first, second, SanctionsStore(store.dir.parent).load()


def test_real_update_between_editions(real):
    first, second, _ = real
    assert first.status == "updated" and first.index.publish_date == date(2025, 10, 30)
    counts = first.index.counts_per_ticker()
    assert (counts["XBT"], counts["ETH"], counts["USDT"], counts["TRX"]) == (516, 74, 40, 24)
    assert first.index.total == 695
    assert "BNB" not in counts and "SOL" not in counts
    assert (second.status, second.previous_publish_date, second.added, second.removed) == \
        ("updated", date(2025, 10, 30), 66, 0)


def test_real_counts(real):
    index = real[2]
    assert index.publish_date == date(2025, 11, 19) and index.citation == "OFAC SDN, published 2025-11-19"
    assert index.counts_per_ticker() == {
        "XBT": 519, "USDT": 93, "ETH": 77, "TRX": 29, "LTC": 11, "XMR": 8, "BCH": 7, "DASH": 3, "ZEC": 3,
        "USDC": 2, "ARB": 1, "BNB": 1, "BSC": 1, "BSV": 1, "BTG": 1, "ETC": 1, "SOL": 1, "XRP": 1, "XVG": 1}
    unique = index.counts_per_ticker(unique=True)
    assert (unique["XBT"], unique["LTC"], unique["USDT"]) == (517, 10, 93)
    assert (index.total, index.unique_addresses, index.party_count) == (761, 745, 18367)
    assert len({x.profile_id for x in index.listings}) == 79
    cheil = [x for x in index.listings if x.profile_id == "22985"]
    assert len(cheil) == 53 and {(x.ticker, x.entity, x.programs) for x in cheil} == \
        {("USDT", "CHEIL CREDIT BANK", ("DPRK4",))}


@pytest.mark.parametrize("address, tickers, entities, programs", ROWS, ids=[r[0][:12] for r in ROWS])
def test_real_verified_addresses(real, address, tickers, entities, programs):
    hits = real[2].lookup(address)
    assert {x.ticker for x in hits} == set(tickers.split())
    assert {x.entity for x in hits} == set(entities.split("; "))
    assert {x.programs for x in hits} == {tuple(programs.split())}
    assert real[2].lookup(address.lower() if address.startswith("0x") else address) == hits


def test_real_evm_entries_match_in_any_case(real):
    evm = [x for x in real[2].listings if x.address.startswith("0x") and len(x.address) == 42]
    assert len(evm) == 90 and sum(x.address != x.address.lower() for x in evm) == 44
    assert all(x in real[2].lookup(x.address.upper().replace("0X", "0x")) for x in evm)


def test_real_individuals_for_name_screening(real):
    people = {p.profile_id: p for p in real[2].individuals}
    assert len(people) > 7000
    assert (people["43377"].name, people["43377"].programs) == ("Kim Sang Man", ("DPRK4",))
    assert people["42498"].name == "Sim Hyon Sop" and "22985" not in people
