"""Daily maintenance under the store's lease, on SQLite and the real PostgreSQL: of two concurrent
runs only one works; the day's work is not repeated; a failed run lets the next one try."""
from __future__ import annotations

import threading
import time

from bot import maintenance
from bot.config import Settings
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401


class SlowTask:
    def __init__(self, ok: bool = True, delay: float = 0.5):
        self.ok, self.delay, self.calls = ok, delay, 0
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self.ok


def test_only_one_of_two_concurrent_runs_works(store):
    task = SlowTask()
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def run(holder: str) -> None:
        barrier.wait()
        results.append(maintenance.run_daily(store, [task], holder=holder))

    threads = [threading.Thread(target=run, args=(f"dyno.{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False, True]
    assert task.calls == 1


def test_done_for_the_day_after_success(store):
    task = SlowTask(delay=0)
    assert maintenance.run_daily(store, [task], holder="web.1") is True
    assert maintenance.run_daily(store, [task], holder="web.2") is False
    assert task.calls == 1


def test_a_failed_run_releases_the_lease(store):
    failing, other = SlowTask(ok=False, delay=0), SlowTask(delay=0)
    assert maintenance.run_daily(store, [failing, other], holder="web.1") is True
    assert other.calls == 1  # one task failing does not skip the others
    assert maintenance.run_daily(store, [other], holder="web.2") is True
    assert other.calls == 2


def test_a_raising_task_counts_as_failed(store):
    def boom() -> bool:
        raise RuntimeError("source down")

    assert maintenance.run_daily(store, [boom], holder="w.1") is True
    assert maintenance.run_daily(store, [boom], holder="w.2") is True  # released: tried again


def test_background_thread_does_not_block_and_runs_once_per_day(store, db_env):
    task = SlowTask(delay=0)
    stops = [threading.Event(), threading.Event()]
    started = time.monotonic()
    threads = [maintenance.start_background(Settings.from_env(db_env), lambda: store, interval_s=0.1,
                                            first_delay_s=0.2, tasks_factory=lambda s: [task], stop=stop)
               for stop in stops]
    assert time.monotonic() - started < 0.1  # returns at once: nothing on the boot path
    time.sleep(1.0)
    for stop in stops:
        stop.set()
    for t in threads:
        t.join(5)
    assert task.calls == 1


def test_default_tasks_refresh_and_purge(store, db_env, tmp_path):
    from tests.sanctions_fixtures import FIXTURE

    settings = Settings.from_env({**db_env, "OFAC_SDN_URL": FIXTURE.as_uri()})
    assert maintenance.run_daily(store, maintenance.default_tasks(settings, store), holder="w.1") is True
    assert store.sanctions().load() is not None


def test_web_process_runs_maintenance_only_without_redis(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from bot import wsgi

    started: list[object] = []
    monkeypatch.setattr(maintenance, "start_background", lambda settings, store_factory: started.append(
        store_factory()))
    services = SimpleNamespace(app=SimpleNamespace(store="the-store",
                                                   keep_fresh=lambda: started.append("watchlists")))
    base = {"VETCANDIDATE_DATA_DIR": str(tmp_path)}
    wsgi.start_maintenance(Settings.from_env({**base, "REDIS_URL": "redis://127.0.0.1:6379/0"}), services)
    assert started == []  # the worker does it
    wsgi.start_maintenance(Settings.from_env(base), services)
    assert started == ["watchlists", "the-store"]  # vettings run here: watchlists kept fresh too
