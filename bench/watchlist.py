"""Watchlist benchmark: import time (parse + validate + atomic replace) of a 100,000-indicator CSV
and MISP event, index load time, and identifier lookups per second through the ``watchlist``
check's own path (normal forms, label-wise domains) and the raw index.

Run: python bench/watchlist.py [--n 100000] [--database-url URL]   (default: a temporary SQLite file)
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.watchlist_import import parse  # noqa: E402
from bot.watchlist_index import build_index  # noqa: E402
from bot.watchlists import Watchlists  # noqa: E402
from checks.model import Candidate  # noqa: E402
from checks.watchlist import identifiers  # noqa: E402


def rows(n: int, seed: int = 1) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = rnd.choice(("email", "domain", "phone", "github", "url"))
        value = {"email": f"persona{i}@ring{i % 997}.example", "domain": f"d{i}.front{i % 31}.example",
                 "phone": f"+1{rnd.choice((415, 646, 312, 206))}{2000000 + i:07d}",
                 "github": f"dev-{i}", "url": f"https://cv{i % 500}.example/p/{i}"}[kind]
        out.append((kind, value))
    return out


def csv_feed(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"{k},{v},high,bench,https://intel.example/{i}\n" for i, (k, v) in enumerate(items))
    return ("type,value,severity,note,reference\n" + body).encode()


def misp_feed(items: list[tuple[str, str]]) -> bytes:
    misp = {"email": "email-src", "domain": "domain", "phone": "phone-number", "github": "github-username",
            "url": "url"}
    attrs = [{"uuid": f"00000000-0000-4000-8000-{i:012d}", "type": misp[k], "value": v, "category": "Other"}
             for i, (k, v) in enumerate(items)]
    return json.dumps({"Event": {"info": "bench", "Attribute": attrs}}).encode()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = {"VETCANDIDATE_DATA_DIR": str(tmp), "LOG_LEVEL": "WARNING"}
    if args.database_url:
        env.update(DATABASE_URL=args.database_url, VETCANDIDATE_SECRET="bench-secret-0123456789")
    store = Store.open(Settings.from_env(env), upgrade=True)
    lists = Watchlists(store)
    items = rows(args.n)
    print(f"backend: {store.engine.dialect.name}; {args.n:,} indicators")
    for name, data in (("csv", csv_feed(items)), ("misp", misp_feed(items))):
        parsed, parse_s = timed(lambda data=data: parse(data))
        count, write_s = timed(lambda parsed=parsed, name=name: lists.replace(
            f"bench-{name}", parsed, source="bench", actor="bench"))
        print(f"import {name:4}: {len(data) / 1e6:6.1f} MB, parse+validate {parse_s:5.2f} s, "
              f"atomic replace {write_s:5.2f} s, total {parse_s + write_s:5.2f} s ({count:,} stored)")
    index = build_index(store)
    snap, load_s = timed(index.snapshot)
    print(f"index load: {snap.size:,} entries in {load_s:.2f} s")
    probes = items[::7][:20000] + [("email", f"clean{i}@nowhere.example") for i in range(20000)]
    normal = [(k, parse(f"type,value\n{k},{v}\n".encode()).indicators[0].normal) for k, v in probes[:2000]]
    _, raw_s = timed(lambda: [snap.domain(v) if k == "domain" else snap.lookup(k, v)
                              for _ in range(50) for k, v in normal])
    print(f"raw index lookups: {50 * len(normal) / raw_s:,.0f}/s")
    candidates = [Candidate(email=f"persona{i}@hr.ring{i % 997}.example", phone=f"+1415{2000000 + i:07d}",
                            github=f"dev-{i}") for i in range(5000)]
    ids, ident_s = timed(lambda: [identifiers(c, None) for c in candidates])
    flat = [x for group in ids for x in group]
    _, look_s = timed(lambda: [snap.domain(v) if k == "domain" else snap.lookup(k, v) for k, v, _ in flat])
    print(f"candidate identifiers: {len(flat) / (ident_s + look_s):,.0f}/s end to end "
          f"(normal forms {ident_s:.2f} s + lookups {look_s:.3f} s for {len(flat):,} identifiers)")
    _, check_s = timed(index.snapshot)
    print(f"unchanged-generation check per vetting: {check_s * 1000:.2f} ms")
    store.close()


if __name__ == "__main__":
    main()
