"""Worker throughput benchmark: sustained vettings per minute with 1 and with 2 ``vetcandidate
worker`` instances (each ``--processes`` processes, as the Procfile's worker) on the RQ queue
(real Redis), against a local Slack Web API server and local sources with injected latency (RDAP
answers each domain after ``--latency`` seconds; local DNS; the OFAC fixture list; the audit log in
SQLite, or ``--database-url``).

For each worker count: start the workers, warm each one up (the vetter is built on its first job),
then enqueue ``--n`` vettings at once and time them until the last thread reply. Prints both rates
and their ratio against the target (>= 100 vettings/minute on a 2-core box with 2 workers).

Run: python bench/throughput.py [--n 60] [--latency 0.2] [--redis-url redis://127.0.0.1:6379/14]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli import main as cli  # noqa: E402
from bot.jobs import RqJobs, redis_connection  # noqa: E402
from bot.jobs_entry import run_vetting  # noqa: E402
from bot.slack.vetting import VettingJob  # noqa: E402
from bot.worker import DEFAULT_PROCESSES  # noqa: E402
from checks.registry import load_registry  # noqa: E402
from tests.fakes.dns_server import DnsFake  # noqa: E402
from tests.fakes.rdap_server import RdapFake, days_ago  # noqa: E402
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack  # noqa: E402
from tests.sanctions_fixtures import FIXTURE  # noqa: E402

# Every check a recruiter's usual input (name, e-mail, phone, sometimes a wallet) reaches offline or
# through the local sources; Twilio, explorers and GitHub are not configured here.
KEEP = {"email_domain", "phone", "wallet_sanctions", "sanctions_name", "reuse", "watchlist"}
WALLET = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"
TARGET_PER_MIN = 100
ERR = None if os.environ.get("BENCH_WORKER_LOG") else subprocess.DEVNULL


class Bench:
    def __init__(self, env: dict[str, str], slack: FakeSlack, rdap: RdapFake, dns: DnsFake, latency: float,
                 processes: int):
        self.env, self.slack, self.rdap, self.dns, self.latency = env, slack, rdap, dns, latency
        self.jobs = RqJobs.from_url(env["REDIS_URL"])
        self.seq = 0
        self.processes = processes

    def submit(self, tag: str) -> str:
        self.seq += 1
        name = f"Bench {tag} {self.seq:04d}"
        domain = f"{tag.lower()}-corp{self.seq}.com"
        self.rdap.add_slow(domain, self.latency, registered=days_ago(400))
        self.dns.add(domain, "MX", (10, f"mx.{domain}"))
        fields = {"name": name, "email": f"hire{self.seq}@{domain}",
                  "phone": f"+1 415 555 {self.seq % 10000:04d}", "location": "San Francisco, CA"}
        if self.seq % 4 == 0:
            fields["wallet"] = WALLET
        job = VettingJob(vetting_id=f"bench{self.seq:06d}", user_id="U0USER", channel_id="C0CHAN",
                         fields=fields)
        self.jobs.submit(run_vetting, job.to_dict())
        return name

    def wait(self, names: list[str], timeout: float) -> float:
        """Wait for every name's thread reply; return the monotonic time of the last one."""
        last = 0.0
        for name in names:
            (reply,) = self.slack.wait_for("chat.postMessage", timeout=timeout, where=lambda c, n=name: (
                bool(c.params.get("thread_ts")) and f"for {n}." in c.params.get("text", "")))
            last = max(last, reply.at)
        return last

    def rate(self, workers: int, n: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-m", "bot", "worker", "--no-maintenance",
                                   "--processes", str(self.processes)], env=self.env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=ERR)
                 for _ in range(workers)]
        try:
            time.sleep(1.5)  # every worker listening before the warm-up jobs
            self.wait([self.submit("Warm") for _ in range(2 * workers * self.processes)], timeout=120)
            start = time.monotonic()
            names = [self.submit(f"Load{workers}") for _ in range(n)]
            last = self.wait(names, timeout=600)
            return n / (last - start) * 60
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="vettings per measurement")
    parser.add_argument("--latency", type=float, default=0.2, help="injected source latency, seconds")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--processes", type=int, default=DEFAULT_PROCESSES,
                        help=f"processes per worker (default {DEFAULT_PROCESSES}, as `vetcandidate worker`)")
    parser.add_argument("--database-url", default="", help="audit log (default: SQLite in a temp dir)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="vetcandidate-throughput-")
    env = {**os.environ, "VETCANDIDATE_DATA_DIR": str(Path(tmp) / "data"), "LOG_LEVEL": "WARNING",
           "REDIS_URL": args.redis_url, "PYTHONPATH": str(ROOT)}
    if args.database_url:
        env.update({"DATABASE_URL": args.database_url, "VETCANDIDATE_SECRET": "bench-secret-0123456789"})
        assert cli(["migrate"], env=env) == 0
    assert cli(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    env["DISABLED_CHECKS"] = ",".join(n for n in load_registry().names if n not in KEEP)
    redis = redis_connection(args.redis_url)
    redis.flushdb()
    with FakeSlack() as slack, RdapFake() as rdap, DnsFake() as dns:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": slack.api_url, "SLACK_FILE_HOSTS": slack.file_host,
                    "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver})
        bench = Bench(env, slack, rdap, dns, args.latency, args.processes)
        one = bench.rate(1, args.n)
        two = bench.rate(2, args.n)
    redis.flushdb()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"checks: {', '.join(sorted(KEEP))}; injected RDAP latency {args.latency * 1000:.0f} ms; "
          f"{args.n} vettings per run; {cpus} CPUs available to this run")
    print(f"(a worker is one `vetcandidate worker` with {args.processes} processes)")
    print(f"1 worker : {one:7.1f} vettings/minute")
    print(f"2 workers: {two:7.1f} vettings/minute   (ratio 2/1 = {two / one:.2f})")
    print(f"target >= {TARGET_PER_MIN}/minute with 2 workers: {'PASS' if two >= TARGET_PER_MIN else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
