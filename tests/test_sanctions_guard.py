"""Guards on a new OFAC edition (none without addresses; none losing more than half of them unless
forced) and the per-party designation date ("entity designated", not when an address was listed):
parsed from SanctionsEntry/EntryEvent, kept by both stores, older stored editions still loadable, and
shown by wallet_sanctions."""
from __future__ import annotations

import json
import re
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot import store_models as m
from bot.cli import main
from checks import Candidate, Severity
from checks.errors import BadResponse
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.http import HttpClient
from checks.sources.ofac_xml import parse_file
from checks.sources.sanctions import SanctionsSource
from checks.sources.sanctions_store import SanctionsStore, refresh
from checks.wallet import WalletSanctions
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401
from tests.fakes.http_server import FakeHttpServer
from tests.sanctions_fixtures import context
from tests.shared_data import shared_file

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
ADVANCED = FIXTURES / "sdn_advanced_small.xml"
NO_ADDRESSES = FIXTURES / "sdn_advanced_no_addresses.xml"
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
CHEIL = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
CHEIL_SINCE = date(2017, 9, 26)


def fewer(tmp_path: Path, *keep: str) -> Path:
    """The fixture (13 unique addresses) with only the address features containing one of ``keep``,
    and a later publish date: an edition that lost some of its addresses."""
    text = ADVANCED.read_text(encoding="utf-8").replace("<Day>19</Day>", "<Day>21</Day>", 1)
    text = re.sub(r'<Feature ID="\d+" FeatureTypeID="\d+">.*?</Feature>',
                  lambda f: f.group(0) if any(k in f.group(0) for k in keep + ('FeatureTypeID="1"',)) else "",
                  text, flags=re.DOTALL)
    path = tmp_path / "fewer.xml"
    path.write_text(text, encoding="utf-8")
    return path


# -- no addresses, or far fewer ---------------------------------------------------------------------
def test_parties_without_any_address_are_a_failed_parse():
    with pytest.raises(BadResponse, match=r"OFAC list parsed \(2 parties\) but holds no digital currency"):
        parse_file(NO_ADDRESSES)


@pytest.mark.network_edge
def test_download_without_addresses_keeps_the_stored_edition(tmp_path):
    store = SanctionsStore(tmp_path)
    assert refresh(store, HttpClient(), str(ADVANCED), now=NOW).status == "updated"
    before = store.path.read_bytes()
    with FakeHttpServer() as server:
        server.add("/SDN_ADVANCED.XML", body=NO_ADDRESSES.read_bytes())
        outcome = refresh(store, HttpClient(retries=0), server.url("/SDN_ADVANCED.XML"),
                          now=NOW + timedelta(days=1), force=True)  # not even with --force
    assert outcome.status == "failed" and "no digital currency addresses" in outcome.reason
    assert outcome.index is not None and outcome.index.publish_date == date(2025, 11, 19)
    assert store.path.read_bytes() == before


def test_losing_more_than_half_the_addresses_needs_force(tmp_path):
    store = SanctionsStore(tmp_path / "data")
    assert refresh(store, HttpClient(), str(ADVANCED), now=NOW).status == "updated"
    shrunk = fewer(tmp_path, "TA39")  # Cheil's two USDT addresses left of 13
    outcome = refresh(store, HttpClient(), str(shrunk), now=NOW + timedelta(days=1))
    assert outcome.status == "failed"
    assert outcome.reason.startswith("downloaded edition 2025-11-21 lists 2 digital currency addresses, "
                                     "less than half of the 13 in the stored edition of 2025-11-19")
    assert "sanctions update --force" in outcome.reason
    assert store.load().publish_date == date(2025, 11, 19) and store.load().unique_addresses == 13
    forced = refresh(store, HttpClient(), str(shrunk), now=NOW + timedelta(days=1), force=True)
    assert forced.status == "updated" and (forced.removed, store.load().unique_addresses) == (15, 2)


def test_losing_less_than_half_is_accepted(tmp_path):
    store = SanctionsStore(tmp_path / "data")
    assert refresh(store, HttpClient(), str(ADVANCED), now=NOW).status == "updated"
    kept = fewer(tmp_path, "0x", "TA39")  # the 5 EVM and 2 TRON addresses: 7 of 13
    assert refresh(store, HttpClient(), str(kept), now=NOW).status == "updated"
    assert store.load().unique_addresses == 7


def test_cli_refuses_the_drop_and_force_accepts_it(env, capsys, tmp_path):
    assert main(["sanctions", "update", "--source", str(ADVANCED)], env=env) == 0
    shrunk = fewer(tmp_path, "TA39")
    capsys.readouterr()
    assert main(["sanctions", "update", "--source", str(shrunk)], env=env) == 1
    out = capsys.readouterr().out
    assert "less than half of the 13" in out and "kept the stored edition published 2025-11-19" in out
    assert main(["sanctions", "update", "--source", str(shrunk), "--force"], env=env) == 0
    assert "updated: edition published 2025-11-21" in capsys.readouterr().out


# -- entity designated -----------------------------------------------------------------------------
def test_designation_date_per_profile_from_entry_events():
    parsed = parse_file(ADVANCED)
    assert parsed.entity_designated["22985"] == CHEIL_SINCE
    assert parsed.entity_designated["2677"] == date(1995, 1, 23)  # an individual, for name screening
    assert "27307" not in parsed.entity_designated  # no EntryEvent in the fixture: no date, not a guess
    assert "4238" not in parsed.entity_designated  # not kept at all (a vessel without addresses)
    assert parse_file(FIXTURES / "sdn_legacy_small.xml").entity_designated == {}  # SDN.XML has none


def test_file_store_keeps_the_date_and_loads_an_older_file(tmp_path):
    store = SanctionsStore(tmp_path)
    assert refresh(store, HttpClient(), str(ADVANCED), now=NOW).status == "updated"
    loaded = SanctionsStore(tmp_path).load()
    assert [x.entity_designated for x in loaded.lookup(CHEIL)] == [CHEIL_SINCE] and loaded.schema == 2
    assert loaded.lookup("0x098B716B8Aaf21512996dC57EB0615e2383E2f96")[0].entity_designated is None

    head, _, names = store.path.read_bytes().partition(b"\n")  # as the previous version wrote it
    header = json.loads(head)
    del header["schema"]
    header["profiles"] = {pid: row[:2] for pid, row in header["profiles"].items()}
    store.path.write_bytes(json.dumps(header).encode() + b"\n" + names)
    old = SanctionsStore(tmp_path).load()
    assert old.schema == 1 and old.lookup(CHEIL)[0].entity_designated is None
    assert old.lookup(CHEIL)[0].entity == "CHEIL CREDIT BANK"
    # the same file again: parsed anew (not "unchanged"), so the dates arrive
    again = refresh(store, HttpClient(), str(ADVANCED), now=NOW + timedelta(hours=1))
    assert again.status == "updated" and again.index.lookup(CHEIL)[0].entity_designated == CHEIL_SINCE
    assert refresh(store, HttpClient(), str(ADVANCED), now=NOW + timedelta(hours=2)).status == "not_modified"


def test_database_store_keeps_the_date_and_loads_an_older_row(store):
    sanctions = store.sanctions()
    assert refresh(sanctions, HttpClient(), str(ADVANCED), now=NOW).status == "updated"
    assert store.sanctions().load().lookup(CHEIL)[0].entity_designated == CHEIL_SINCE
    body = {"profiles": {"22985": ["CHEIL CREDIT BANK", ["DPRK4"]]}, "entries": [[CHEIL, "USDT", "22985"]]}
    with store.engine.connect() as conn, conn.execution_options(write=True).begin():
        conn.execute(update(m.sanctions_editions).values(  # the row as the previous version stored it
            entries=zlib.compress(json.dumps(body).encode())))
    old = store.sanctions().load()
    assert old.schema == 1 and old.lookup(CHEIL)[0].entity_designated is None and old.total == 1
    again = refresh(store.sanctions(), HttpClient(), str(ADVANCED), now=NOW + timedelta(hours=1))
    assert again.status == "updated"
    assert store.sanctions().load().lookup(CHEIL)[0].entity_designated == CHEIL_SINCE


def test_wallet_sanctions_hit_says_entity_designated(tmp_path):
    store = SanctionsStore(tmp_path)
    assert refresh(store, HttpClient(), str(ADVANCED), now=datetime.now(UTC)).status == "updated"
    report = Runner(Registry([WalletSanctions()])).run(Candidate(wallet=CHEIL),
                                                       context(SanctionsSource(store)))
    (hit,) = [f for f in report.checks[0].findings if f.severity == Severity.CRITICAL]
    assert hit.evidence["entity_designated"] == "2017-09-26" and "listed_since" not in hit.evidence
    assert "CHEIL CREDIT BANK (entity designated 2017-09-26)" in hit.detail
    assert "listed since" not in hit.detail and "may have been added later" in hit.detail


def test_real_snapshots_an_address_added_years_after_its_entity(tmp_path):
    """CHEIL's TRON address is absent from the 2025-10-30 edition and present in 2025-11-19, while the
    bank was designated in 2017: the hit must date the entity, never claim the address since 2017."""
    older = SanctionsStore(tmp_path / "old")
    assert refresh(older, HttpClient(), str(shared_file("ofac/sdn_advanced_2025-10-30.xml.bz2")),
                   now=datetime.now(UTC)).status == "updated"
    assert not older.load().lookup(CHEIL)
    newer = SanctionsStore(tmp_path / "new")
    assert refresh(newer, HttpClient(), str(shared_file("ofac/sdn_advanced_2025-11-19.xml.bz2")),
                   now=datetime.now(UTC)).status == "updated"
    report = Runner(Registry([WalletSanctions()])).run(Candidate(wallet=CHEIL),
                                                       context(SanctionsSource(newer)))
    (hit,) = [f for f in report.checks[0].findings if f.severity == Severity.CRITICAL]
    assert hit.evidence["entity_designated"] == "2017-09-26"
    assert "entity designated 2017-09-26" in hit.detail and "since 2017" not in hit.detail


def test_real_snapshot_dates(tmp_path):
    parsed = parse_file(shared_file("ofac/sdn_advanced_2025-11-19.xml.bz2"))
    assert parsed.entity_designated["22985"] == CHEIL_SINCE  # CHEIL CREDIT BANK
    listed = {e.profile_id for e in parsed.entries}
    assert listed <= parsed.entity_designated.keys()  # every party with an address has its date
    assert min(parsed.entity_designated[p] for p in listed) > date(1990, 1, 1)
