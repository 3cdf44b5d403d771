"""/vetcandidate end to end: signed requests over real HTTP to the running app, a real local Slack
Web API server recording what the bot does."""
import json
import time

import pytest

from bot.slack.fraud_actions import BLOCK_USAGE, NOT_ADMIN
from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import LISTED_WALLET, running_app

pytestmark = pytest.mark.network_edge

EMAIL, PHONE = "jane@example.com", "+14155550100"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def _dump(call) -> str:
    return json.dumps(call.params)


def test_full_flow_ack_parent_thread_summary_and_final_level(slack, tmp_path):
    with running_app(slack, tmp_path, interval_s=0.3) as (url, services, recorded):
        t0 = time.monotonic()
        status, ack = slack.command(url, f'name="Jane Roe" email={EMAIL} wallet={LISTED_WALLET}')
        ack_s = time.monotonic() - t0
        assert status == 200 and ack_s < 1.0
        assert ack["response_type"] == "ephemeral"
        assert "Jane Roe" in ack["text"] and "3 checks" in ack["text"]

        parent, reply = slack.wait_for("chat.postMessage", count=2)
        final = slack.wait_for("chat.update", where=lambda c: "CRITICAL" in c.params["text"])[0]
    assert parent.params["channel"] == "C0CHAN" and "thread_ts" not in parent.params
    assert "Jane Roe" in parent.params["text"] and "0 of 3" in parent.params["text"]
    assert reply.params["thread_ts"] == "1700000000.000001" and reply.params["channel"] == "C0CHAN"
    assert reply.params["text"].startswith("Risk: CRITICAL (score 100) for Jane Roe")
    assert reply.params["blocks"][0]["type"] == "header"
    assert "CRITICAL" in reply.params["blocks"][0]["text"]["text"]
    assert "OFAC SDN, published" in _dump(reply)
    assert final.params["ts"] == "1700000000.000001"
    # the parent never shows email, phone or wallet
    for call in [parent, *slack.calls_to("chat.update")]:
        assert EMAIL not in _dump(call) and LISTED_WALLET not in _dump(call).lower()
        assert call.params["ts" if call.method == "chat.update" else "channel"]
    # the bot token went with every call; the finished vetting was recorded exactly once
    assert all(c.headers["authorization"] == "Bearer xoxb-test-token" for c in slack.calls)
    assert len(recorded) == 1 and recorded[0][1].channel == "C0CHAN" and recorded[0][1].team == "T0TEST"
    assert recorded[0][0]["risk"]["level"] == "critical" and recorded[0][1].level == "critical"


def test_progress_updates_at_most_one_per_two_seconds(slack, tmp_path):
    class Slow:
        name, description, requires = "slow", "test", frozenset({"name"})

        def __init__(self, name, delay):
            self.name, self.delay = name, delay

        def run(self, candidate, ctx):
            time.sleep(self.delay)
            return []

    checks = [Slow("a", 0.05), Slow("b", 0.3), Slow("c", 2.4), Slow("d", 2.6)]
    with running_app(slack, tmp_path, checks=checks, interval_s=2.0) as (url, _, _):
        slack.command(url, "Jane Roe")
        slack.wait_for("chat.update", where=lambda c: "risk" in c.params["text"], timeout=20)
    posted = slack.calls_to("chat.postMessage")[0].at
    times = [posted] + [c.at for c in slack.calls_to("chat.update")]
    assert len(times) >= 3  # some progress, then the final level
    assert all(b - a >= 1.95 for a, b in zip(times, times[1:], strict=False)), times
    assert "risk LOW" in slack.calls_to("chat.update")[-1].params["text"]


def test_help_is_ephemeral_usage(slack, tmp_path):
    with running_app(slack, tmp_path) as (url, _, _):
        status, body = slack.command(url, "help")
    assert status == 200 and body["response_type"] == "ephemeral"
    assert "/vetcandidate" in json.dumps(body["blocks"]) and "resume=" in body["blocks"][0]["text"]["text"]
    assert slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("name=Jane foo=bar", "unknown key `foo=`"),
    (f"email={EMAIL} {EMAIL}", "email is given twice"),
    ('""', "nothing to check"),
    ('name="Jane Roe" Smith', "unexpected words `Smith`"),
    ("name=" + "x" * 2100, "the limit is 2000"),
    ("name=Jane <!channel> <@U0BOSS>", "mentions and channel links are not candidate details"),
])
def test_bad_input_gets_a_specific_ephemeral_message(slack, tmp_path, text, expected):
    with running_app(slack, tmp_path) as (url, _, recorded):
        status, body = slack.command(url, text)
        time.sleep(0.2)
    assert status == 200 and body["response_type"] == "ephemeral"
    assert expected in body["text"] and "Valid keys:" in body["text"]
    assert "<!channel>" not in body["text"] and "<@U0BOSS>" not in body["text"]
    assert slack.calls_to("chat.postMessage") == [] and recorded == []


def test_bare_words_are_the_name_and_markup_is_escaped(slack, tmp_path):
    with running_app(slack, tmp_path) as (url, _, _):
        status, body = slack.command(url, f"Jane Roe <mailto:{EMAIL}|{EMAIL}> <tel:{PHONE}|+1 415 555 0100>")
        assert "Jane Roe" in body["text"]
        slack.wait_for("chat.postMessage", count=2)
        status, body = slack.command(url, 'name="Bob &lt;!here&gt; &amp; co"', response_key="r2")
        assert "&lt;!here&gt;" in body["text"] and "<!here>" not in body["text"]
        parent = slack.wait_for("chat.postMessage", count=4)[2]
    assert "<!here>" not in _dump(parent) and "&lt;!here&gt; &amp;amp; co" not in _dump(parent)


def test_not_in_channel_falls_back_to_response_url(slack, tmp_path):
    slack.fail("chat.postMessage", "not_in_channel")
    with running_app(slack, tmp_path) as (url, _, recorded):
        slack.command(url, f'name="Jane Roe" wallet={LISTED_WALLET}')
        (payload,) = slack.wait_response("r1")
    assert payload["response_type"] == "ephemeral" and payload["replace_original"] is False
    assert "CRITICAL" in payload["text"] and "/invite @vetcandidate" in json.dumps(payload["blocks"])
    assert slack.calls_to("chat.update") == [] and len(slack.calls_to("chat.postMessage")) == 1
    assert len(recorded) == 1


def test_forged_and_replayed_requests_are_refused(slack, tmp_path):
    with running_app(slack, tmp_path) as (url, _, _):
        forged, _ = slack.command(url, "name=Jane", secret="not-the-secret")
        replayed, _ = slack.command(url, "name=Jane", timestamp=int(time.time()) - 600)
        time.sleep(0.2)
    assert forged == 401 and replayed == 401
    assert slack.calls == []


def test_rate_limited_replies_are_retried_and_not_lost(slack, tmp_path):
    slack.rate_limit("chat.postMessage", retry_after=1, when=lambda p: "thread_ts" not in p)
    slack.rate_limit("chat.postMessage", retry_after=1, when=lambda p: "thread_ts" in p)
    with running_app(slack, tmp_path) as (url, _, _):
        slack.command(url, f"name=Jane email={EMAIL}")
        replies = slack.wait_for("chat.postMessage", count=2, where=lambda c: "thread_ts" in c.params)
        slack.wait_for("chat.update", where=lambda c: "risk" in c.params["text"])
    parents = [c for c in slack.calls_to("chat.postMessage") if "thread_ts" not in c.params]
    assert len(parents) == 2 and parents[1].at - parents[0].at >= 1.0
    assert replies[1].at - replies[0].at >= 1.0 and replies[1].params["text"].startswith("Risk: MEDIUM")


def test_allow_lists_refuse_politely(slack, tmp_path):
    with running_app(slack, tmp_path, allowed_users=frozenset({"U0BOSS"})) as (url, _, _):
        _, by_user = slack.command(url, "name=Jane")
        _, boss = slack.command(url, "name=Jane", user="U0BOSS")
    with running_app(slack, tmp_path, allowed_channels=frozenset({"C0SEC"})) as (url, _, _):
        _, by_channel = slack.command(url, "name=Jane")
        _, modal_refused = slack.command(url, "")
    assert by_user["response_type"] == "ephemeral" and "not on the list" in by_user["text"]
    assert "Vetting Jane" in boss["text"]
    assert "isn't enabled in this channel" in by_channel["text"]
    assert "isn't enabled" in modal_refused["text"] and slack.calls_to("views.open") == []


def test_the_form_records_the_team_of_the_submission(slack, tmp_path):
    from tests.test_slack_interactive import submission

    with running_app(slack, tmp_path) as (url, _, recorded):
        payload = {**submission(slack, {"name": "Jane Roe"}), "team": {"id": "T0FORM"}}
        slack.interact(url, payload)
        slack.wait_for("chat.update", where=lambda c: "risk" in c.params["text"])
        assert recorded[0][1].team == "T0FORM" and recorded[0][1].requested_by == "U0USER"


@pytest.mark.parametrize(("text", "admin", "expected"), [
    ("block", False, NOT_ADMIN),
    ("block", True, BLOCK_USAGE),
    ("  BLOCK shoe", True, BLOCK_USAGE),
    ("block email=bad@example.com", False, NOT_ADMIN),
])
def test_block_is_never_vetted_as_a_name(slack, tmp_path, text, admin, expected):
    admins = frozenset({"U0USER"}) if admin else frozenset()
    with running_app(slack, tmp_path, admin_users=admins) as (url, _, recorded):
        status, body = slack.command(url, text)
        time.sleep(0.3)
    assert status == 200 and body["response_type"] == "ephemeral" and expected in body["text"]
    assert slack.calls_to("chat.postMessage") == [] and recorded == []


@pytest.mark.parametrize("text", ["block@corp.example phone=+14155550100",
                                  "Block-Smith jane@corp.example", "block.jane@corp.example"])
def test_a_candidate_whose_first_word_starts_with_block_is_vetted(slack, tmp_path, text):
    with running_app(slack, tmp_path) as (url, _, recorded):
        status, body = slack.command(url, text)
        slack.wait_for("chat.update", where=lambda c: "risk" in c.params["text"])
    assert status == 200 and NOT_ADMIN not in body.get("text", "") and BLOCK_USAGE not in body.get("text", "")
    assert len(recorded) == 1


class Finder:
    requires = frozenset({"name"})
    description = "test: one low finding"

    def __init__(self, name):
        self.name = name

    def run(self, candidate, ctx):
        from checks.model import Finding, Severity

        return [Finding(severity=Severity.LOW, title=f"Seen by {self.name}", source="test")]


def test_a_trimmed_fallback_keeps_the_note_the_skipped_line_and_the_buttons(slack, tmp_path):
    from checks.wallet import WalletSanctions

    slack.fail("chat.postMessage", "not_in_channel")
    checks = [Finder(f"finder_{i:02d}") for i in range(60)] + [WalletSanctions()]
    with running_app(slack, tmp_path, checks=checks) as (url, _, recorded):
        slack.command(url, "Jane Roe")
        (payload,) = slack.wait_response("r1")
    blocks = payload["blocks"]
    assert len(blocks) == 50 and "/invite @vetcandidate" in json.dumps(blocks[0])
    assert blocks[-1]["type"] == "actions" and blocks[-2]["elements"][0]["text"].startswith(
        "Skipped: wallet_sanctions (")
    assert "more findings not shown, from" in blocks[-3]["elements"][0]["text"]
    assert len(recorded) == 1


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_job_queue_is_told_to_the_user(slack, tmp_path):
    from tests.test_slack_interactive import submission

    down = f"redis://127.0.0.1:{_closed_port()}/0"
    with running_app(slack, tmp_path, redis_url=down) as (url, _, recorded):
        status, body = slack.command(url, f"name=Jane email={EMAIL}")
        slack.interact(url, submission(slack, {"name": "Jane Roe"}))
        (told,) = slack.wait_response("m1")
    assert status == 200 and body["response_type"] == "ephemeral"
    for text in (body["text"], told["text"]):
        assert text.startswith("Could not start the vetting: the job queue is unreachable; try again")
    assert "running" not in body["text"] and told["response_type"] == "ephemeral"
    assert slack.calls_to("chat.postMessage") == [] and recorded == []


def test_a_silent_job_queue_does_not_hold_the_acknowledgement(slack, tmp_path):
    import socket

    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        with running_app(slack, tmp_path, redis_url=f"redis://127.0.0.1:{port}/0") as (url, _, _):
            t0 = time.monotonic()
            status, body = slack.command(url, "name=Jane")
            took = time.monotonic() - t0
    assert status == 200 and "job queue is unreachable" in body["text"]
    assert 0.9 <= took < 2.5, took
