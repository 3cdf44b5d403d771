"""Phone check benchmark (offline path): the first-call cost -- importing phonenumbers, loading a
region's metadata, carrier and time-zone data, the place table and the sanctions table, and (only for
a location in another language) phonenumbers' locale data -- measured in fresh interpreters, then
numbers/second for the warmed-up check over numbers from many regions.

Run: python bench/phone.py [--seconds S]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import Candidate, CheckContext  # noqa: E402
from checks.phone import Phone  # noqa: E402

CASES = [  # number, location: VoIP ranges, mobiles, landlines, service numbers, invalid, no "+", homonyms
    ("+14155550100", "Austin, TX"), ("+12125551234", "New York, NY"), ("+16135550123", "Toronto, ON"),
    ("+445612345678", "Berlin, Germany"), ("+447400123456", "London, UK"), ("+442079460000", "London"),
    ("+31851234567", "Amsterdam"), ("+815012345678", "Tokyo"), ("+827012345678", "Seoul"),
    ("+4915112345678", "Remote \u2013 DE"), ("+5511987654321", "S\u00e3o Paulo, Brazil"),
    ("+8613912345678", "Shanghai"), ("+61412345678", "Sydney, NSW"), ("+2348031234567", "Lagos, Nigeria"),
    ("+85021234567", "Austin, TX"), ("+982123456789", ""), ("+963112345678", "Damascus, Syria"),
    ("+448001234567", ""), ("+1 415 555", "Austin, TX"), ("030 123456", "Berlin, Germany"),
    ("+13605550123", "Vancouver"), ("+4915112345678", "Melbourne"), ("call me", ""),  # ambiguous; no number
    ("07400 123456", "London"), ("021 123 4567", "Hamilton"),  # no "+", ambiguous place
    ("+44 7400 123456 (mobile)", ""), ("+49 30 1234567 (B\u00fcro)", "Berlin"),  # a label after the number
]

FIRST_CALL = """
import time
t0 = time.perf_counter()
from checks import Candidate, CheckContext
from checks.phone import Phone
t1 = time.perf_counter()
Phone().run(Candidate(phone="+445612345678", location="Berlin, Germany"), CheckContext())
t2 = time.perf_counter()
Phone().run(Candidate(phone="+14155550100", location="Austin, TX"), CheckContext())
t3 = time.perf_counter()
Phone().run(Candidate(phone="+34612345678", location="Madrid, Espa\u00f1a"), CheckContext())
t4 = time.perf_counter()
Phone().run(Candidate(phone="+4915112345678", location="Alemania"), CheckContext())
t5 = time.perf_counter()
print(" ".join(f"{(b - a) * 1000:.1f}" for a, b in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]))
"""


def first_call(runs: int = 5) -> list[float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", FIRST_CALL], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
        samples.append(tuple(float(x) for x in out))
    return [statistics.median(s[i] for s in samples) for i in range(len(samples[0]))]


def throughput(seconds: float) -> tuple[int, float]:
    check, ctx = Phone(), CheckContext()
    candidates = [Candidate(phone=p, location=loc) for p, loc in CASES]
    for c in candidates:  # warm every region's metadata first: steady state only
        _run(check, c, ctx)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for c in candidates:
            _run(check, c, ctx)
        done += len(candidates)
    return done, time.perf_counter() - start


def _run(check: Phone, candidate: Candidate, ctx: CheckContext) -> None:
    try:
        check.run(candidate, ctx)
    except Exception:  # CheckFailed for a number without "+" and no country: still a full evaluation
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    imports, first, second, third, locale = first_call()
    print("first call (fresh interpreter, median of 5):")
    print(f"  import checks.phone (phonenumbers, normalize)        {imports:8.1f} ms")
    print(f"  first run (+44 metadata, carrier, tz, place table)   {first:8.1f} ms")
    print(f"  next run, new region (+1)                            {second:8.1f} ms")
    print(f"  next run, new region (+34)                           {third:8.1f} ms")
    print(f"  location in another language (locale data, once)    {locale:8.1f} ms")
    done, elapsed = throughput(args.seconds)
    print(f"offline check, warmed up, {len(CASES)} numbers from {len({c[0][:3] for c in CASES})} prefixes:")
    print(f"  {done / elapsed:,.0f} numbers/second ({elapsed / done * 1e6:.0f} us per number, {done} runs)")


if __name__ == "__main__":
    main()
