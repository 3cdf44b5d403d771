"""Slack HTTP-mode load benchmark: gunicorn started exactly as the Procfile's ``web`` line, against
a local Slack Web API server and local sources with injected latency (an RDAP server answering each
domain after ``--latency`` seconds, a local DNS server, the OFAC fixture list). Fires ``--n``
concurrent signed ``/vetcandidate`` commands and prints ack p50/p99 and time-to-thread-summary
p50/p99 against the targets: ack p99 <= 150 ms; summary <= 1.25 x slowest source latency + 0.3 s.

Run: python bench/slack_load.py [--n 32] [--latency 0.5]
(BENCH_SERVER_LOG=FILE keeps gunicorn's access log; GUNICORN_CMD_ARGS adds server options.)
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bot.cli import main as cli  # noqa: E402
from checks.registry import load_registry  # noqa: E402
from tests.fakes.dns_server import DnsFake  # noqa: E402
from tests.fakes.rdap_server import RdapFake, days_ago  # noqa: E402
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign  # noqa: E402
from tests.sanctions_fixtures import FIXTURE  # noqa: E402

KEEP = {"email_domain", "wallet_sanctions", "sanctions_name"}
WALLET = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, cwd: str) -> subprocess.Popen:
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    args = web.split(":", 1)[1].replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1").split()
    assert args[0] == "gunicorn", web
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w")  # noqa: SIM115 - for the child
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", *args[1:]], cwd=cwd, env=env,
                            stdout=log, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + proc.stderr.read().decode()[-3000:]) from None
            time.sleep(0.1)


def send_all(host: str, port: int, path: str, prepared: list[tuple[str, str, dict[str, str]]],
             results: Any) -> None:
    """In a separate process (as Slack is another machine): fire every prepared command at once
    and report (name, send time, ack seconds). time.monotonic is one clock for every process."""
    barrier = threading.Barrier(len(prepared))
    out: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def one(name: str, body: str, headers: dict[str, str]) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.connect()
        barrier.wait()
        t0 = time.monotonic()
        conn.request("POST", path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        payload = json.loads(response.read())
        took = time.monotonic() - t0
        conn.close()
        assert response.status == 200 and "Vetting" in payload["text"], (response.status, payload)
        with lock:
            out.append((name, t0, took))

    threads = [threading.Thread(target=one, args=args) for args in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(out)


def fire(slack: FakeSlack, url: str, n: int, tag: str) -> tuple[list[float], list[float]]:
    """n signed commands at once from another process; ack times and time to the thread summary."""
    parts = urlsplit(url)
    prepared = []
    for i in range(n):
        name = f"Bench {tag} {i:02d}"
        text = f'name="{name}" email=hire{i}@{tag.lower()}-corp{i}.com'
        text += f" wallet={WALLET}" if i % 4 == 0 else ""
        form = {"team_id": "T0TEST", "channel_id": "C0CHAN", "user_id": "U0USER", "command": "/vetcandidate",
                "text": text, "response_url": slack.response_url(f"{tag}{i}"), "trigger_id": "1.2.3"}
        body = urlencode(form)
        prepared.append((name, body, sign(body, SIGNING_SECRET)))
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    client = ctx.Process(target=send_all, args=(parts.hostname, parts.port, parts.path, prepared, results))
    client.start()
    sent = results.get(timeout=120)
    client.join(30)
    acks = [took for _, _, took in sent]
    summaries: list[float] = []
    for name, t0, _ in sent:
        (reply,) = slack.wait_for("chat.postMessage", timeout=60, where=lambda c, name=name: (
            "thread_ts" in c.params and f"for {name}." in c.params["text"]))
        summaries.append(reply.at - t0)
    return acks, summaries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=32, help="concurrent commands")
    parser.add_argument("--latency", type=float, default=0.5, help="injected source latency, seconds")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="vetcandidate-bench-")
    data_dir = Path(tmp) / "data"
    env = {**os.environ, "VETCANDIDATE_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    assert cli(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    disabled = ",".join(n for n in load_registry().names if n not in KEEP)
    with FakeSlack() as slack, RdapFake() as rdap, DnsFake() as dns:
        for tag in ("warm", "load"):
            for i in range(args.n):
                domain = f"{tag}-corp{i}.com"
                rdap.add_slow(domain, args.latency, registered=days_ago(400))
                dns.add(domain, "MX", (10, f"mx.{domain}"))
        port = free_port()
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": slack.api_url, "SLACK_FILE_HOSTS": slack.file_host, "PORT": str(port),
                    "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver,
                    "DISABLED_CHECKS": disabled, "PYTHONPATH": str(ROOT)})
        proc = start_gunicorn(env, port, tmp)
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            warm_acks, warm_sum = fire(slack, url, 1, "Warm")  # first request after boot (auth.test)
            time.sleep(2.5)
            acks, summaries = fire(slack, url, args.n, "Load")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    target_ack, target_sum = 0.150, 1.25 * args.latency + 0.3
    print(f"server: gunicorn as in the Procfile; checks: {', '.join(sorted(KEEP))}; "
          f"injected RDAP latency {args.latency:.2f}s")
    print(f"first command after boot: ack {warm_acks[0] * 1000:.0f} ms, summary {warm_sum[0]:.2f} s")
    print(f"{args.n} concurrent commands:")
    print(f"  ack       p50 {statistics.median(acks) * 1000:6.1f} ms   p99 {pct(acks, 99) * 1000:6.1f} ms"
          f"   target p99 <= {target_ack * 1000:.0f} ms: {'PASS' if pct(acks, 99) <= target_ack else 'FAIL'}")
    print(f"  summary   p50 {statistics.median(summaries):6.3f} s    p99 {pct(summaries, 99):6.3f} s "
          f"   target <= {target_sum:.3f} s: {'PASS' if pct(summaries, 99) <= target_sum else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
