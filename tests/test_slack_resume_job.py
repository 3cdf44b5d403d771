"""A vetting job run again after its worker died, when the first run already recorded the vetting:
the reply is the recorded report (the audit log's), and no check runs twice."""
from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.jobs import MemoryCheckpoint
from bot.slack.app import build_client
from bot.slack.files import FileFetcher, scheme_of
from bot.slack.presenter import render_summary
from bot.slack.vetting import SlackVetter, VettingJob
from checks.model import Candidate, Finding, Severity
from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import running_app, settings_for

pytestmark = pytest.mark.network_edge


class CountingCheck:
    """Says which run it is, so a second run of the checks would show in the reply."""

    name = "counting"
    description = "test: numbers its runs"
    requires = frozenset({"name"})

    def __init__(self) -> None:
        self.runs = itertools.count(1)

    def run(self, candidate: Candidate, ctx: Any) -> list[Finding]:
        n = next(self.runs)
        return [Finding(severity=Severity.MEDIUM, title=f"Seen on run {n}", evidence={"run": n},
                        source="test")]


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def _vetter(services, settings) -> SlackVetter:
    client = build_client(settings)
    fetcher = FileFetcher(client=client, http=services.http, token=settings.slack_bot_token,
                          allowed_hosts=settings.slack_file_hosts, scheme=scheme_of(settings.slack_api_url))
    return SlackVetter(services, client, fetcher)


def _first_run(services, key: str):
    """What the interrupted run did: vetted and recorded under the job key, then died."""
    return services.app.vet(Candidate(name="Rey Resumed", email="rey@example.com"), vetting_id=key,
                            requested_by="U0USER", team="T0TEST", channel="C0CHAN", job_key=key)


def test_a_resumed_job_replies_with_the_recorded_report(slack, tmp_path):
    counting = CountingCheck()
    with running_app(slack, tmp_path, checks=[counting], interval_s=0.1) as (_, services, recorded):
        vetter = _vetter(services, settings_for(slack, tmp_path))
        original = _first_run(services, "resumed00001")
        MemoryCheckpoint("resumed00001").set("parent_ts", "1700000000.999999")
        job = VettingJob(vetting_id="resumed00001", user_id="U0USER", channel_id="C0CHAN", team_id="T0TEST",
                         fields={"name": "Rey Resumed", "email": "rey@example.com"},
                         resume_file_id="F0GONE0001").to_dict()  # a retry must not fetch it again
        vetter.run(job)
        vetter.run(job)  # retried once more after replying: nothing more
        expected = render_summary(original, sanctions_line=vetter.sanctions_line(), vetting_id="resumed00001")
        (final,) = slack.calls_to("chat.update")
        assert len(recorded) == 1
    (reply,) = [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert reply.params["thread_ts"] == "1700000000.999999"
    assert reply.params["blocks"] == expected.blocks and reply.params["text"] == expected.text
    assert "Seen on run 1" in reply.params["text"] and "run 2" not in str(slack.calls)
    assert next(counting.runs) == 2  # the checks ran once, in the first run
    assert final.params["ts"] == "1700000000.999999" and "risk MEDIUM" in final.params["text"]
    assert slack.calls_to("files.info") == [] and slack.downloads == []


def test_a_resumed_job_without_its_parent_posts_one_with_the_final_level(slack, tmp_path):
    counting = CountingCheck()
    with running_app(slack, tmp_path, checks=[counting]) as (_, services, _):
        vetter = _vetter(services, settings_for(slack, tmp_path))
        _first_run(services, "resumed00002")
        vetter.run(VettingJob(vetting_id="resumed00002", user_id="U0USER", channel_id="C0CHAN",
                              fields={"name": "Rey Resumed"}).to_dict())
    parent, reply = slack.calls_to("chat.postMessage")
    assert "risk MEDIUM" in parent.params["text"] and "thread_ts" not in parent.params
    assert reply.params["thread_ts"] == "1700000000.000001" and "Seen on run 1" in reply.params["text"]
    assert next(counting.runs) == 2


def test_a_job_queued_by_another_version_still_runs():
    job = VettingJob.from_dict({"vetting_id": "v1", "user_id": "U1", "channel_id": "C1",
                                "fields": {"name": "Ann", "shoe": "x"}, "added_later": True})
    assert job.fields == {"name": "Ann"} and job.team_id == ""
    assert VettingJob.from_dict(job.to_dict()) == job
