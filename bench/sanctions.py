"""OFAC SDN benchmark on the real 2025-11-19 snapshot (shared data).

The bzip2 snapshot is first unpacked to a temp file (not timed). Then, each in a fresh subprocess so
peak RSS is its own, the same file is turned into an index by
  streaming  checks.sources.ofac_xml.parse_file + SanctionsIndex.from_parsed (iterparse + clearing)
  naive      xml.etree.ElementTree.parse (the whole DOM) + the same extraction
and wall time, peak RSS and the ratios are printed. Then the index is stored the way the app keeps it
(the database: SQLite, and PostgreSQL when reachable) and its start-up load is timed the way the app
does it, ``Store.open(settings).sanctions().load()`` (median of 11), with first access to the
individuals' names (lazy); then lookups per second.

Targets: streaming <= 0.5x naive time, peak RSS <= 150 MB, index load <= 50 ms.
Run: python bench/sanctions.py [SNAPSHOT.xml.bz2]
"""
from __future__ import annotations

import bz2
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks.sources.ofac_xml import DIGITAL_CURRENCY_PREFIX, parse_file  # noqa: E402
from checks.sources.sanctions import Listing, SanctionsIndex  # noqa: E402
from checks.sources.sanctions_store import SanctionsStore, SourceMeta  # noqa: E402

SNAPSHOT = ROOT.parent / "shared/data/ofac/sdn_advanced_2025-11-19.xml.bz2"
NOW = datetime(2025, 11, 20, tzinfo=UTC)
PG_URL = os.environ.get("VETCANDIDATE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = f"bench_sanctions_{os.getpid()}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_streaming(xml: str) -> SanctionsIndex:
    return SanctionsIndex.from_parsed(parse_file(xml), source=xml, fetched_at=NOW)


def build_naive(xml: str) -> SanctionsIndex:
    """What a first version typically does: load the whole document, then walk it."""
    import xml.etree.ElementTree as ET

    root = ET.parse(xml).getroot()
    ns = {"o": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {"o": ""}
    tickers = {ft.get("ID"): ft.text[len(DIGITAL_CURRENCY_PREFIX):]
               for ft in root.iterfind(".//o:FeatureType", ns)
               if (ft.text or "").startswith(DIGITAL_CURRENCY_PREFIX)}
    party_type = {pt.get("ID"): pt.text for pt in root.iterfind(".//o:PartyType", ns)}
    individual = {st.get("ID") for st in root.iterfind(".//o:PartySubType", ns)
                  if party_type.get(st.get("PartyTypeID")) == "Individual"}
    programs: dict[str, set[str]] = {}
    for entry in root.iterfind("o:SanctionsEntries/o:SanctionsEntry", ns):
        for comment in entry.iterfind("o:SanctionsMeasure/o:Comment", ns):
            if comment.text:
                programs.setdefault(entry.get("ProfileID"), set()).add(comment.text)
    listings, people = [], []
    for profile in root.iterfind("o:DistinctParties/o:DistinctParty/o:Profile", ns):
        pid = profile.get("ID")
        alias = profile.find(".//o:Alias[@Primary='true']", ns)
        parts = alias.find("o:DocumentedName", ns).iterfind(".//o:NamePartValue", ns)
        name = " ".join(v.text or "" for v in parts)
        progs = tuple(sorted(programs.get(pid, ())))
        if profile.get("PartySubTypeID") in individual:
            people.append((pid, name, progs))
        for feature in profile.iterfind("o:Feature", ns):
            if feature.get("FeatureTypeID") in tickers:
                for detail in feature.iterfind(".//o:VersionDetail", ns):
                    listings.append(Listing(detail.text.strip(), tickers[feature.get("FeatureTypeID")], pid,
                                            name, progs))
    return SanctionsIndex(listings, publish_date=NOW.date(), fetched_at=NOW, individuals=people)


def child(mode: str, xml: str) -> None:
    start = time.perf_counter()
    index = (build_streaming if mode == "streaming" else build_naive)(xml)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "entries": index.total, "individuals": len(index.individuals),
                      "peak_rss_mb": peak_rss_mb()}))


def run_child(mode: str, xml: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, xml], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def databases(work: Path) -> list[tuple[str, dict[str, str]]]:
    """SQLite (a file in the temp dir) and, when reachable, PostgreSQL in a fresh schema
    (``VETCANDIDATE_BENCH_PG_URL``, default the tests' server)."""
    found = [("SQLite", {"VETCANDIDATE_DATA_DIR": str(work / "sqlite")})]
    url = PG_URL
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{PG_SCHEMA}"')
    except Exception as exc:  # no server: say so and go on with SQLite
        print(f"PostgreSQL not reachable ({type(exc).__name__}): SQLite only")
        return found
    sep = "&" if "?" in url else "?"
    found.append(("PostgreSQL", {"VETCANDIDATE_DATA_DIR": str(work / "pg"),
                                 "VETCANDIDATE_SECRET": "bench-" * 6,
                                 "DATABASE_URL": f"{url}{sep}options={quote(f'-csearch_path={PG_SCHEMA}')}"}))
    return found


def db_loads(label: str, env: dict[str, str], index: SanctionsIndex) -> SanctionsIndex | None:
    """How the app loads the list: ``Store.open(settings).sanctions().load()`` (bot/store.py)."""
    from bot.config import Settings
    from bot.store import Store

    settings = Settings.from_env(env)
    try:
        with contextlib.closing(Store.open(settings, upgrade=True)) as store:
            store.sanctions().save(index, SourceMeta(sha256="bench"))
        starts, loads, warm, names = [], [], [], []
        for _ in range(11):
            start = time.perf_counter()
            with contextlib.closing(Store.open(settings)) as opened:  # a new process's first load
                sanctions = opened.sanctions()
                begin = time.perf_counter()
                loaded = sanctions.load()
                loads.append(time.perf_counter() - begin)
                starts.append(time.perf_counter() - start)
                begin = time.perf_counter()
                sanctions.load()  # edition unchanged: one small query
                warm.append(time.perf_counter() - begin)
                begin = time.perf_counter()
                count = len(loaded.individuals)
                names.append(time.perf_counter() - begin)
    finally:
        if label == "PostgreSQL":
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
    assert loaded is not None and loaded.total == index.total
    print(f"{label} index load at start-up (sanctions().load() on a new Store): median "
          f"{statistics.median(loads) * 1e3:.1f} ms (min {min(loads) * 1e3:.1f}, max {max(loads) * 1e3:.1f}; "
          f"target <= 50 ms); with Store.open: {statistics.median(starts) * 1e3:.1f} ms; "
          f"later loads (unchanged edition): {statistics.median(warm) * 1e3:.2f} ms; "
          f"first access to {count} individuals' names (lazy): {statistics.median(names) * 1e3:.1f} ms")
    return loaded


def main() -> int:
    snapshot = Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT
    if not snapshot.is_file():
        print(f"snapshot not found: {snapshot} (the shared data folder is absent)")
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-sanctions-"))
    try:
        xml = work / "sdn_advanced.xml"
        with bz2.open(snapshot, "rb") as src, open(xml, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        print(f"snapshot {snapshot.name}: {xml.stat().st_size / 1e6:.1f} MB unpacked (not timed)")
        baseline = subprocess.run([sys.executable, "-c",
                                   "import resource, lxml.etree, checks.sources.sanctions;"
                                   "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"],
                                  check=True, capture_output=True, text=True, cwd=ROOT)
        results = {mode: run_child(mode, str(xml)) for mode in ("streaming", "naive")}
        s, n = results["streaming"], results["naive"]
        print(f"interpreter + imports baseline RSS: {float(baseline.stdout):.0f} MB")
        for mode, r in results.items():
            print(f"{mode:>9}: {r['seconds']:6.2f} s  peak RSS {r['peak_rss_mb']:7.1f} MB  "
                  f"entries {r['entries']}  individuals {r['individuals']}")
        print(f"ratio streaming/naive: time {s['seconds'] / n['seconds']:.2f}x (target <= 0.5), "
              f"peak RSS {s['peak_rss_mb'] / n['peak_rss_mb']:.2f}x; streaming peak RSS target <= 150 MB")

        built = build_streaming(str(xml))
        loaded = None
        for label, env in databases(work):
            loaded = db_loads(label, env, built) or loaded
        store = SanctionsStore(work / "data")
        store.save(built, SourceMeta(sha256="bench"))
        start = time.perf_counter()
        file_loaded = SanctionsStore(work / "data").load()
        print(f"(the pre-database cache file, {store.path.stat().st_size / 1e3:.0f} KB: "
              f"{(time.perf_counter() - start) * 1e3:.1f} ms to load)")
        loaded = loaded or file_loaded

        listed = [x.address for x in loaded.listings]
        probes = listed + [a.upper().replace("0X", "0x") for a in listed if a.startswith("0x")] + \
            [f"bc1qnotlisted{i:040d}" for i in range(len(listed))] + ["  0x" + "ab" * 20 + " "] * 100
        rounds = max(1, 200_000 // len(probes))
        start = time.perf_counter()
        hits = sum(bool(loaded.lookup(p)) for _ in range(rounds) for p in probes)
        elapsed = time.perf_counter() - start
        total = rounds * len(probes)
        print(f"lookups: {total / elapsed:,.0f} per second ({hits:,} hits in {total:,})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
