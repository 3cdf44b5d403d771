"""RQ end to end against the real Redis: the web app enqueues, ``vetcandidate worker`` processes
(real subprocesses) run the vetting against FakeSlack and local sources, and every vetting gets
exactly one thread reply -- also when the worker running it is SIGKILLed mid-job."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot import wiring
from bot.cli import main as cli
from bot.config import Settings
from bot.jobs import QUEUE_NAME, RqJobs, redis_connection
from bot.wsgi import create_wsgi
from checks.registry import load_registry
from tests.db_fixtures import redis_url_fixture  # noqa: F401
from tests.fakes.dns_server import DnsFake
from tests.fakes.rdap_server import RdapFake, days_ago
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack, serving
from tests.sanctions_fixtures import FIXTURE

ROOT = Path(__file__).resolve().parents[1]
KEEP = {"email_domain", "wallet_sanctions", "sanctions_name"}


class Rig:
    """FakeSlack + slow local RDAP/DNS + the web app on RQ + worker subprocesses."""

    def __init__(self, env: dict[str, str], slack: FakeSlack, rdap: RdapFake, dns: DnsFake, url: str):
        self.env, self.slack, self.rdap, self.dns, self.url = env, slack, rdap, dns, url
        self.workers: list[subprocess.Popen] = []
        self.log = open(Path(env["VETCANDIDATE_DATA_DIR"]).parent / "workers.log", "ab")  # noqa: SIM115

    def worker_log(self) -> str:
        self.log.flush()
        return (Path(self.env["VETCANDIDATE_DATA_DIR"]).parent / "workers.log").read_text()[-3000:]

    def domain(self, name: str, latency: float) -> str:
        self.rdap.add_slow(name, latency, registered=days_ago(400))
        self.dns.add(name, "MX", (10, f"mx.{name}"))
        return name

    def vet(self, name: str, domain: str) -> None:
        status, body = self.slack.command(self.url, f'name="{name}" email=hire@{domain}')
        assert status == 200, body

    def start_worker(self, processes: int = 1) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "worker", "--no-maintenance",
                                 "--processes", str(processes)], env=self.env,
                                cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=self.log)
        self.workers.append(proc)
        return proc

    def replies(self, name: str) -> list[Any]:
        return [c for c in self.slack.calls_to("chat.postMessage")
                if c.params.get("thread_ts") and f"for {name}." in c.params.get("text", "")]

    def parents(self) -> list[Any]:
        return [c for c in self.slack.calls_to("chat.postMessage") if not c.params.get("thread_ts")]

    def wait_reply(self, name: str, timeout: float) -> list[Any]:
        return self.slack.wait_for("chat.postMessage", timeout=timeout, where=lambda c: (
            bool(c.params.get("thread_ts")) and f"for {name}." in c.params.get("text", "")))

    def stop(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        self.log.close()


@contextmanager
def rig(tmp_path: Path, redis_url: str) -> Iterator[Rig]:
    redis = redis_connection(redis_url)
    redis.flushdb()
    env = {**os.environ, "VETCANDIDATE_DATA_DIR": str(tmp_path / "data"),
           "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT), "CHECK_TIMEOUT_S": "10",
           "VETTING_DEADLINE_S": "20", "LOG_LEVEL": "INFO"}
    env.pop("DATABASE_URL", None)
    assert cli(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    env["DISABLED_CHECKS"] = ",".join(n for n in load_registry().names if n not in KEEP)
    with FakeSlack() as slack, RdapFake() as rdap, DnsFake() as dns:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": slack.api_url, "SLACK_FILE_HOSTS": slack.file_host,
                    "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver})
        settings = Settings.from_env(env)
        services = wiring.build_slack_services(settings)
        assert isinstance(services.jobs, RqJobs)
        with serving(create_wsgi(settings, services)) as base:
            r = Rig(env, slack, rdap, dns, base + "/slack/events")
            try:
                yield r
            finally:
                r.stop()
                redis.flushdb()
                redis.close()


def test_enqueued_vetting_is_answered_once_by_the_worker(tmp_path, redis_url):
    with rig(tmp_path, redis_url) as r:
        domain = r.domain("quick-corp.com", 0.2)
        r.vet("Quinn Quick", domain)
        assert not r.replies("Quinn Quick")  # the web process only enqueued
        r.start_worker()
        try:
            r.wait_reply("Quinn Quick", timeout=30)
        except AssertionError:
            raise AssertionError(r.worker_log()) from None
        time.sleep(1.0)
        assert len(r.replies("Quinn Quick")) == 1
        assert len(r.parents()) == 1
        assert "Quinn Quick" in r.parents()[0].params["text"]
        assert "hire@" not in r.parents()[0].params["text"]  # the parent never shows contact data


def test_job_of_a_killed_worker_runs_again_and_replies_once(tmp_path, redis_url):
    with rig(tmp_path, redis_url) as r:
        domain = r.domain("slow-corp.com", 4.0)
        first = r.start_worker()
        r.vet("Kim Killed", domain)
        r.slack.wait_for("chat.postMessage", timeout=30, where=lambda c: not c.params.get("thread_ts"))
        time.sleep(0.5)  # mid-job: the worker waits on the slow RDAP source
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert not r.replies("Kim Killed")
        r.start_worker(processes=2)  # a supervised pair takes over
        r.wait_reply("Kim Killed", timeout=60)
        assert time.monotonic() - killed_at < 60
        time.sleep(1.0)
        assert len(r.replies("Kim Killed")) == 1
        assert len(r.parents()) == 1  # the retry reused the parent message
        updates = r.slack.calls_to("chat.update")
        assert updates and len({u.params["ts"] for u in updates}) == 1  # one parent, updated in place


def test_two_workers_share_the_queue(tmp_path, redis_url):
    from rq import Worker

    with rig(tmp_path, redis_url) as r:
        r.start_worker()
        r.start_worker()
        time.sleep(2.0)  # both registered and listening
        names = [f"Pat Pair{i}" for i in range(8)]
        for i, name in enumerate(names):
            r.vet(name, r.domain(f"pair{i}-corp.com", 0.5))
        for name in names:
            r.wait_reply(name, timeout=60)
        time.sleep(1.0)
        assert all(len(r.replies(name)) == 1 for name in names)
        redis = redis_connection(r.env["REDIS_URL"])
        done = [w.successful_job_count for w in Worker.all(connection=redis) if QUEUE_NAME in w.queue_names()]
        redis.close()
        assert len(done) == 2 and all(n >= 1 for n in done), done  # both took a share


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://h:p@example.invalid:6380/0"])
def test_redis_urls(url):
    import ssl

    client = redis_connection(url)
    kwargs = client.connection_pool.connection_kwargs
    if url.startswith("rediss"):
        assert kwargs["ssl_cert_reqs"] in (None, ssl.CERT_NONE, "none")
        assert kwargs["ssl_check_hostname"] is False
    else:
        assert "ssl_cert_reqs" not in kwargs
