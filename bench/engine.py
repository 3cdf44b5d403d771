"""Engine benchmark: K checks, each waiting on a local HTTP source with latency L.

Prints total wall time and the ratio total / L (the floor is L: the slowest source's latency;
goal <= 1.1 for K = 8), then the CLI's cold start. The source runs in its own process, as a remote
source would: its CPU time is not charged to the engine. Run: python bench/engine.py
"""
from __future__ import annotations

import json
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import Candidate, Check, CheckContext, Finding, Severity  # noqa: E402
from checks.registry import Registry  # noqa: E402
from checks.runner import Runner  # noqa: E402
from checks.sources.http import HttpClient  # noqa: E402


def slow_server(latency_s: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            time.sleep(latency_s)
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default backlog of 5 drops simultaneous connects

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _serve(latency_s: float, port_out) -> None:  # the child process: the source, off our GIL
    server = slow_server(latency_s)
    port_out.send(server.server_address[1])
    threading.Event().wait()


def source_process(latency_s: float) -> tuple[multiprocessing.Process, int]:
    """The slow source in its own process, as a remote source would be: its CPU time is not ours."""
    receive, send = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(latency_s, send), daemon=True)
    proc.start()
    return proc, receive.recv()


def make_check(i: int, url: str) -> Check:
    class Waits(Check):
        name = f"bench_{i}"
        description = "waits on a local source"
        requires = frozenset({"email"})

        def run(self, candidate, ctx):
            response, data = ctx.source("http").get_json(url, deadline=ctx.deadline)
            return [Finding(severity=Severity.INFO, title="answered", evidence={"ok": data["ok"]})]

    return Waits()


def bench_engine(k: int, latency_s: float, rounds: int = 5) -> None:
    proc, port = source_process(latency_s)
    url = f"http://127.0.0.1:{port}/x"
    runner = Runner(Registry([make_check(i, url) for i in range(k)]))
    ctx = CheckContext(sources={"http": HttpClient()})
    candidate = Candidate(email="a@example.com")
    runner.run(candidate, ctx)  # warm-up: connection pools, imports
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        report = runner.run(candidate, ctx)
        times.append(time.perf_counter() - start)
        assert all(r.status == "ok" for r in report.checks), report.checks
    total = statistics.median(times)
    print(f"engine: K={k} checks, source latency L={latency_s * 1000:.0f} ms: "
          f"total {total * 1000:.0f} ms (median of {rounds}), ratio total/L = {total / latency_s:.3f}")
    proc.terminate()
    proc.join()


def bench_cold_start(rounds: int = 5) -> None:
    for label, args in (("--help", ["--help"]),
                        ("check --name (no network)", ["check", "--name", "Jane Roe", "--format", "json",
                                                       "--no-record"])):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        print(f"cli cold start, vetcandidate {label}: {statistics.median(times) * 1000:.0f} ms "
              f"(median of {rounds})")


if __name__ == "__main__":
    bench_engine(8, 0.5)
    bench_engine(8, 0.1)
    bench_engine(32, 0.2)
    bench_cold_start()
