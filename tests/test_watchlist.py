"""Watchlists end to end on SQLite and PostgreSQL: CLI import (CSV, MISP, STIX), replace atomicity,
--skip-invalid, oversized files, the ``watchlist`` check (fields, resume-only matches, label-wise
domains, names), confirmed fraud (confirm, undo, audit, purge keeps entries)."""
from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import cli, cli_watchlist
from bot import store_models as m
from bot.config import Settings
from bot.store import Store
from bot.watchlist_import import parse
from bot.watchlist_index import build_index
from bot.watchlists import CONFIRMED, WatchlistError, Watchlists
from checks.context import CheckContext
from checks.model import Candidate, Report, Risk, RiskLevel, Severity, Status
from checks.registry import Registry
from checks.resume.extract import ResumeDoc
from checks.runner import Runner
from checks.watchlist import Watchlist
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

FIX = Path(__file__).parent / "fixtures" / "watchlists"


def run_cli(argv, env, capsys) -> tuple[int, str]:
    code = cli.main(argv, env=env)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(name="env")
def env_fixture(db_env, capsys):
    assert cli.main(["migrate"], env=db_env) == 0
    capsys.readouterr()
    return db_env


def vet(store, candidate, text="", index=None):
    artefacts = {"resume": ResumeDoc(kind="text", text=text)} if text else {}
    ctx = CheckContext(sources={"watchlists": index or build_index(store)}, artefacts=artefacts,
                       vetting_id="now")
    return Runner(Registry([Watchlist()])).run(candidate, ctx).checks[0]


def record(store, vetting_id, text="", days_ago=0.0, **fields):
    report = Report(candidate=Candidate(**fields), risk=Risk(RiskLevel.LOW, 0), checks=(),
                    generated_at=datetime.now(UTC) - timedelta(days=days_ago))
    artefacts = {"resume": ResumeDoc(kind="text", text=text)} if text else {}
    store.record(report, vetting_id=vetting_id, requested_by="U0", artefacts=artefacts)


def test_migrated_schema_has_the_watchlist_tables(store):
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.watchlist_entries)).scalar() == 0


def test_cli_import_list_show_export_remove(env, capsys):
    code, out = run_cli(["watchlist", "import", str(FIX / "team.csv"), "--list", "team"], env, capsys)
    assert code == 0, out
    assert "imported 9 indicators into 'team' (csv)" in out and "skipped 2 non-identity" in out
    code, out = run_cli(["watchlist", "import", str(FIX / "misp_event.json"), "--list", "misp"], env, capsys)
    assert code == 0 and "(misp)" in out and "folded 1 duplicates" in out
    code, out = run_cli(["watchlist", "import", str(FIX / "stix_bundle.json"), "--list", "peer",
                         "--format", "stix"], env, capsys)
    assert code == 0 and "imported 4 indicators" in out
    code, out = run_cli(["watchlist", "list"], env, capsys)
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        ["misp", "10 entries"], ["peer", "4 entries"], ["team", "9 entries"]]
    code, out = run_cli(["watchlist", "show", "peer"], env, capsys)
    assert code == 0 and "talent@stixring.example" in out
    entry_lines = out.splitlines()[1:]
    ids = {row.id for row in Watchlists(Store.open(Settings.from_env(env))).entries("peer")}
    assert len(entry_lines) == 4 and {int(line.split("\t")[0]) for line in entry_lines} == ids
    code, out = run_cli(["watchlist", "export", "team"], env, capsys)
    assert out.startswith("type,value,severity,note,reference\n") and len(out.splitlines()) == 10
    assert parse(out.encode(), "csv").indicators                       # round-trips
    code, out = run_cli(["watchlist", "remove", "peer"], env, capsys)
    assert code == 0 and "4 entries" in out
    code, out = run_cli(["watchlist", "show", "peer"], env, capsys)
    assert code == 1 and "no watchlist named 'peer'" in out


def test_invalid_import_fails_whole_and_keeps_the_previous_list(env, tmp_path, capsys):
    assert run_cli(["watchlist", "import", str(FIX / "team.csv"), "--list", "team"], env, capsys)[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("type,value\nemail,not-an-email\nemail,new@ok.example\nbogus,1\n")
    code, out = run_cli(["watchlist", "import", str(bad), "--list", "team"], env, capsys)
    assert code == 1
    assert "line 2: invalid email" in out and "line 4: unknown type 'bogus'" in out and "unchanged" in out
    code, out = run_cli(["watchlist", "show", "team"], env, capsys)
    assert "9 entries" in out and "new@ok.example" not in out
    code, out = run_cli(["watchlist", "import", str(bad), "--list", "team", "--skip-invalid"], env, capsys)
    assert code == 0 and "dropped: 2 indicators" in out and "line 2: invalid email" in out
    code, out = run_cli(["watchlist", "show", "team"], env, capsys)
    assert "1 entries" in out and "new@ok.example" in out and "evil.example" not in out


def test_oversized_and_unreadable_files(env, tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_text("type,value\n" + "email,a@b.example\n" * 2000)
    monkeypatch.setattr(cli_watchlist, "MAX_IMPORT_BYTES", 1024)
    code, out = run_cli(["watchlist", "import", str(big), "--list", "x"], env, capsys)
    assert code == 1 and "larger than" in out
    code, out = run_cli(["watchlist", "import", str(tmp_path / "none.csv"), "--list", "x"], env, capsys)
    assert code == 1 and "cannot read" in out
    code, out = run_cli(["watchlist", "import", "ftp://feed.example/x.csv", "--list", "x"], env, capsys)
    assert code == 1 and "http(s)" in out
    code, out = run_cli(["watchlist", "import", str(big), "--list", "Bad Name!"], env, capsys)
    assert code == 1 or code == 2


def test_replace_is_atomic(store, monkeypatch):
    lists = Watchlists(store)
    lists.replace("feed", parse(b"type,value\nemail,old@evil.example\n"), source="v1", actor="t")
    index = build_index(store)
    assert index.snapshot().lookup("email", "old@evil.example")
    many = "type,value\n" + "".join(f"email,n{i}@evil.example\n" for i in range(12000))
    parsed = parse(many.encode())
    parsed.indicators.append(parsed.indicators[0].__class__("email", "x", "x" * 10, "high"))
    from bot import watchlists as wl

    real_audit = wl._audit

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(wl, "_audit", boom)        # fails after every row of the new list was written
    with pytest.raises(RuntimeError):
        lists.replace("feed", parsed, source="v2", actor="t")
    monkeypatch.setattr(wl, "_audit", real_audit)
    assert [x.entries for x in lists.lists()] == [1]
    assert index.snapshot().lookup("email", "old@evil.example")
    lists.replace("feed", parse(many.encode()), source="v2", actor="t")
    snap = index.snapshot()                         # generation moved: reloaded
    assert not snap.lookup("email", "old@evil.example") and snap.lookup("email", "n11999@evil.example")
    assert snap is index.snapshot()                 # unchanged generation: no reload


def test_confirmed_fraud_cannot_be_imported(store):
    with pytest.raises(WatchlistError):
        Watchlists(store).replace(CONFIRMED, parse(b"type,value\nemail,a@b.example\n"), source="", actor="t")


def test_check_matches_fields_domains_labelwise_and_names(store):
    Watchlists(store).replace("team", parse((FIX / "team.csv").read_bytes()), source="f", actor="t")
    result = vet(store, Candidate(name="Ryong Kim Chol", email="someone@hr.evil.example",
                                  phone="+1 (415) 555-0199",
                                  wallet="0x52908400098527886e0f7030069857d2e4169ee7"))
    assert result.status == Status.OK
    titles = [f.title for f in result.findings]
    assert titles[0] == "Payout wallet on watchlist 'team'"
    assert result.findings[0].severity == Severity.CRITICAL
    assert "Domain on watchlist 'team'" in titles and "Phone number on watchlist 'team'" in titles
    assert "Name on watchlist 'team' (similar name)" in titles
    domain = next(f for f in result.findings if f.title.startswith("Domain"))
    assert domain.evidence["matched_in"] == ["domain of the e-mail field"]
    assert domain.evidence["reference"] == "https://intel.example/inc/2026-14"
    for email in ("x@notevil.example", "x@google.com"):       # never a sibling, never the parent
        clean = vet(store, Candidate(email=email))
        assert [f.title for f in clean.findings] == ["No identifier is on a watchlist"]
    sub = vet(store, Candidate(email="me@sites.google.com")).findings
    assert any(f.title.startswith("Domain") for f in sub)


def test_a_phone_entered_without_country_code_is_read_in_the_claimed_country(store):
    Watchlists(store).replace("team", parse(b"type,value\nphone,+44 7400 123456\n"), source="f", actor="t")
    national = vet(store, Candidate(phone="07400 123456 (mobile)", location="London, UK"))
    assert [f.title for f in national.findings] == ["Phone number on watchlist 'team'"]
    elsewhere = vet(store, Candidate(phone="07400 123456", location="Berlin, Germany"))
    assert [f.title for f in elsewhere.findings] == ["No identifier is on a watchlist"]


def test_matches_found_only_in_the_resume(store):
    Watchlists(store).replace("misp", parse((FIX / "misp_event.json").read_bytes()), source="f", actor="t")
    text = ("Jane Roe\nSenior engineer\nContact: jane@outlook.example | +44 7700 900123\n"
            "Portfolio: https://www.cv.ring7-talent.example/jane\nhttps://github.com/Ring7-Dev\n")
    result = vet(store, Candidate(name="Jane Roe", email="jane@clean.example", resume_bytes=b"x"), text=text)
    got = {f.evidence["type"]: f.evidence["matched_in"] for f in result.findings if "type" in f.evidence}
    assert got == {"phone": ["resume"], "domain": ["resume"], "github": ["resume"]}


def test_confirm_undo_audit_and_later_match_wording(store):
    rnd = random.Random(7)
    text = " ".join(rnd.choice([f"w{i}" for i in range(300)]) for _ in range(300))
    record(store, "v1", text=text, name="Ann Lee", email="ann@ringmail.example", phone="+14155550142",
           github="ann-dev")
    lists = Watchlists(store)
    assert lists.confirm("v1", actor="UADMIN") == 5          # email, its domain, phone, github, resume
    assert lists.confirm("v1", actor="UADMIN") == 0          # idempotent
    record(store, "v2", name="Bob Park", email="ann@gmail.com")
    lists.confirm("v2", actor="UADMIN")
    assert ("domain", "gmail.com") not in {(e.kind, e.normal) for e in lists.entries(CONFIRMED)}
    result = vet(store, Candidate(name="Someone Else", phone="+1 415 555 0142", resume_bytes=b"x"),
                 text=text)
    titles = [f.title for f in result.findings]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f"Phone number matches a candidate confirmed as fraudulent on {today} (vetting #v1)" in titles
    assert f"Resume matches a candidate confirmed as fraudulent on {today} (vetting #v1)" in titles
    assert all("Ann" not in str(f.to_dict()) and "ann@" not in str(f.to_dict()) for f in result.findings)
    assert lists.undo("v1", actor="UADMIN") == 5
    assert not lists.is_confirmed("v1")
    assert [(a.action, a.actor, a.vetting_id) for a in lists.audit()][:2] == [
        ("undo", "UADMIN", "v1"), ("confirm", "UADMIN", "v2")]


def test_purge_keeps_confirmed_entries_as_vetting_purged(store):
    record(store, "old", days_ago=400, name="Ann Lee", email="ann@ringmail.example")
    Watchlists(store).confirm("old", actor="UADMIN")
    assert store.purge().vettings == 1
    entries = Watchlists(store).entries(CONFIRMED)
    assert entries and {(e.reference, e.vetting_id) for e in entries} == {("vetting purged", None)}
    found = vet(store, Candidate(email="ann@ringmail.example")).findings
    assert found[0].title.endswith("(vetting purged)")


def test_kept_fresh_index_loads_a_change_before_the_next_vetting(store):
    import time

    from bot.watchlist_index import WatchlistIndex

    loads: list[int] = []
    index = WatchlistIndex(store.engine, store._reuse_key, on_load=loads.append)
    stop = index.keep_fresh(interval_s=0.05)
    try:
        assert index.keep_fresh(interval_s=0.05) is stop          # one poller per process
        deadline = time.monotonic() + 15
        while not loads and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(loads) == 1 and index.generation == loads[0]   # loaded at start, before any vetting
        Watchlists(store).replace("feed", parse(b"type,value\nemail,new@evil.example\n"), source="v1",
                                  actor="t")
        while len(loads) == 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(loads) == 2 and loads[1] != loads[0]           # another writer's change, polled in
        result = vet(store, Candidate(email="new@evil.example"), index=index)
        assert result.status is Status.OK and result.findings and len(loads) == 2  # no reload inside
    finally:
        stop.set()


def test_the_poller_outlives_a_malformed_entry(store):
    import time

    from sqlalchemy import update

    from bot.watchlist_index import WatchlistIndex
    from bot.watchlists import bump_generation

    lists = Watchlists(store)
    lists.replace("feed", parse(b"type,value\nemail,a@evil.example\n"), source="v1", actor="t")
    loads: list[int] = []
    index = WatchlistIndex(store.engine, store._reuse_key, on_load=loads.append)
    stop = index.keep_fresh(interval_s=0.05)
    try:
        deadline = time.monotonic() + 15
        while not loads and time.monotonic() < deadline:
            time.sleep(0.02)
        with store.write() as conn:  # a row no snapshot can read (not hex), then a fixed one
            conn.execute(update(m.watchlist_entries).values(kind="resume", normal="not hex"))
            bump_generation(conn)
        time.sleep(0.3)
        with store.write() as conn:
            conn.execute(update(m.watchlist_entries).values(kind="email", normal="b@evil.example"))
            bump_generation(conn)
        while len(loads) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(loads) == 2 and index.snapshot().lookup("email", "b@evil.example")
    finally:
        stop.set()


def test_unreachable_watchlists_are_an_error_not_clean(tmp_path):
    from sqlalchemy import create_engine

    from bot.watchlist_index import WatchlistIndex

    index = WatchlistIndex(create_engine(f"sqlite:///{tmp_path}/missing/none.db"))
    result = Runner(Registry([Watchlist()])).run(Candidate(email="a@b.example"),
                                                 CheckContext(sources={"watchlists": index}))
    assert result.checks[0].status == Status.ERROR and "watchlists not consulted" in result.checks[0].reason


def test_real_sized_feed(store):
    rnd = random.Random(1)
    rows = ["type,value,severity,note,reference"]
    for i in range(5000):
        rows.append(rnd.choice([f"email,p{i}@feed{i % 50}.example,high,,",
                                f"domain,d{i}.feed.example,medium,,",
                                f"phone,+1415555{i % 10000:04d},high,,",
                                f"github,user-{i},low,,", f"ip,10.0.{i % 255}.1,high,,"]))
    parsed = parse("\n".join(rows).encode())
    count = Watchlists(store).replace("feed", parsed, source="gen", actor="t")
    assert count == len(parsed.indicators) and count > 3000
    snap = build_index(store).snapshot()
    assert snap.size == count


def test_values_are_never_logged(store, caplog):
    caplog.set_level(logging.DEBUG)
    record(store, "v9", name="Ann Lee", email="ann@secretring.example", phone="+14155550142")
    lists = Watchlists(store)
    lists.replace("team", parse(b"type,value\nemail,ann@secretring.example\n"), source="f", actor="t")
    lists.confirm("v9", actor="U0ADMIN")
    vet(store, Candidate(email="ann@secretring.example", phone="+14155550142"))
    assert "secretring" not in caplog.text and "5550142" not in caplog.text


def test_url_import_http_with_size_limit(env, capsys, monkeypatch):
    from tests.fakes.http_server import FakeHttpServer

    with FakeHttpServer() as server:
        server.add("/feed.json", body=(FIX / "stix_bundle.json").read_bytes())
        server.add("/big.csv", body=b"type,value\n" + b"email,a@b.example\n" * 5000)
        server.add("/gone", status=404, body=b"no")
        code, out = run_cli(["watchlist", "import", server.url("/feed.json"), "--list", "peer"], env, capsys)
        assert code == 0 and "imported 4 indicators into 'peer' (stix)" in out
        monkeypatch.setattr(cli_watchlist, "MAX_IMPORT_BYTES", 4096)
        code, out = run_cli(["watchlist", "import", server.url("/big.csv"), "--list", "big"], env, capsys)
        assert code == 1 and "sent more than 4096 bytes" in out and "nothing changed" in out
        code, out = run_cli(["watchlist", "import", server.url("/gone"), "--list", "big"], env, capsys)
        assert code == 1 and "HTTP 404" in out
