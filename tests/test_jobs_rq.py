"""The jobs interface on RQ (real Redis) and exactly-once replies of a retried vetting job."""
from __future__ import annotations

import logging
import socket
import time

import pytest

from bot import wiring
from bot.cli import main as cli
from bot.config import Settings
from bot.jobs import (
    JOB_RETRIES,
    REDIS_TIMEOUT_S,
    InProcessJobs,
    JobSubmitError,
    MemoryCheckpoint,
    RqJobs,
    job_path,
)
from bot.slack.app import build_client
from bot.slack.files import FileFetcher, scheme_of
from bot.slack.vetting import SlackVetter, VettingJob
from tests.db_fixtures import redis_url_fixture  # noqa: F401
from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import running_app, settings_for


def module_level_job(data: dict) -> None:
    pass


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def test_job_paths():
    vetter = SlackVetter.__new__(SlackVetter)
    assert job_path(vetter.run) == "bot.jobs_entry.run_vetting"
    assert job_path(module_level_job) == "tests.test_jobs_rq.module_level_job"

    def nested(data: dict) -> None:
        pass

    for fn in (nested, lambda data: None, InProcessJobs().submit):
        with pytest.raises(TypeError):
            job_path(fn)


def test_build_jobs_chooses_by_redis_url(tmp_path):
    base = {"VETCANDIDATE_DATA_DIR": str(tmp_path)}
    assert isinstance(wiring.build_jobs(Settings.from_env(base)), InProcessJobs)
    # no connection on the boot path: an unreachable Redis is only noticed by the first enqueue
    jobs = wiring.build_jobs(Settings.from_env({**base, "REDIS_URL": "rediss://:pw@127.0.0.1:1/0"}))
    assert isinstance(jobs, RqJobs)
    assert jobs.job_timeout_s >= 2 * Settings.from_env(base).vetting_deadline_s


def test_submit_enqueues_json_with_retries(redis_url):
    from rq.job import Job

    jobs = RqJobs.from_url(redis_url, queue_name="vetcandidate-test-submit")
    jobs.queue.empty()
    try:
        jobs.submit(module_level_job, {"vetting_id": "abc123", "fields": {"name": "Ann"}})
        (job_id,) = jobs.queue.job_ids
        job = Job.fetch(job_id, connection=jobs.redis, serializer=jobs.queue.serializer)
        assert job.func_name == "tests.test_jobs_rq.module_level_job"
        assert list(job.args) == [{"vetting_id": "abc123", "fields": {"name": "Ann"}}]
        assert job.retries_left == JOB_RETRIES and job.timeout == jobs.job_timeout_s
        assert b"Ann" not in (job.description or "").encode()  # the description is the path only
    finally:
        jobs.queue.empty()
        jobs.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_submit_raises_a_typed_error_when_redis_is_down(caplog):
    jobs = RqJobs.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    with caplog.at_level(logging.ERROR, logger="bot.jobs"), pytest.raises(JobSubmitError):
        jobs.submit(module_level_job, {"fields": {"email": "secret@example.com"}})
    assert "could not enqueue" in caplog.text and "secret@" not in caplog.text


def test_a_silent_redis_fails_the_submit_within_about_a_second():
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        jobs = RqJobs.from_url(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        t0 = time.monotonic()
        with pytest.raises(JobSubmitError):
            jobs.submit(module_level_job, {"fields": {}})
        took = time.monotonic() - t0
    assert REDIS_TIMEOUT_S * 0.9 <= took < 2 * REDIS_TIMEOUT_S + 0.5, took


def test_redis_checkpoint_round_trip(redis_url):
    jobs = RqJobs.from_url(redis_url)
    cp = jobs.checkpoint("ck-test")
    jobs.redis.delete(cp.key)
    assert cp.get("parent_ts") is None
    cp.set("parent_ts", "1700000000.000001")
    cp.set("replied", True)
    again = jobs.checkpoint("ck-test")
    assert again.get("parent_ts") == "1700000000.000001" and again.get("replied") is True
    assert 0 < jobs.redis.ttl(cp.key) <= 24 * 3600
    jobs.redis.delete(cp.key)
    jobs.shutdown()


def _vetter(services, settings) -> SlackVetter:
    client = build_client(settings)
    fetcher = FileFetcher(client=client, http=services.http, token=settings.slack_bot_token,
                          allowed_hosts=settings.slack_file_hosts, scheme=scheme_of(settings.slack_api_url))
    return SlackVetter(services, client, fetcher)


def _thread_replies(slack: FakeSlack) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]


def test_a_job_run_twice_replies_once(slack, tmp_path):
    with running_app(slack, tmp_path) as (_, services, recorded):
        vetter = _vetter(services, settings_for(slack, tmp_path))
        job = VettingJob(vetting_id="twice0000001", user_id="U0USER", channel_id="C0CHAN",
                         fields={"name": "Tess Twice"}).to_dict()
        vetter.run(job)
        vetter.run(job)  # e.g. the queue retried it after the reply went out
        assert len(_thread_replies(slack)) == 1
        assert len([c for c in slack.calls_to("chat.postMessage") if not c.params.get("thread_ts")]) == 1
        assert len(recorded) == 1


def test_an_interrupted_job_reuses_its_parent_and_replies_once(slack, tmp_path):
    with running_app(slack, tmp_path) as (_, services, recorded):
        vetter = _vetter(services, settings_for(slack, tmp_path))
        MemoryCheckpoint("resume000001").set("parent_ts", "1700000000.999999")  # the first run got this far
        job = VettingJob(vetting_id="resume000001", user_id="U0USER", channel_id="C0CHAN",
                         fields={"name": "Rey Resumed"}).to_dict()
        vetter.run(job)
        (reply,) = _thread_replies(slack)
        assert reply.params["thread_ts"] == "1700000000.999999"
        assert not [c for c in slack.calls_to("chat.postMessage") if not c.params.get("thread_ts")]
        assert services.app.store.vetting_for_job("resume000001") == "resume000001"


def test_worker_command_needs_redis_url(tmp_path, capsys):
    assert cli(["worker", "--burst"], env={"VETCANDIDATE_DATA_DIR": str(tmp_path)}) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def test_a_shut_down_pool_refuses_jobs_with_the_typed_error():
    jobs = InProcessJobs(max_workers=1)
    jobs.shutdown()
    with pytest.raises(JobSubmitError):
        jobs.submit(module_level_job, {})
