"""The form (views.open + view_submission) and the "Vet this candidate" message shortcut, over HTTP."""
import json

import pytest

from bot.slack.modal import CALLBACK_ID
from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import running_app

pytestmark = pytest.mark.network_edge


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def submission(slack, values, *, channel="C0OTHER", user="U0USER", metadata=None):
    state = {key: {"value": {"type": "plain_text_input", "value": value}} for key, value in values.items()}
    state["channel"] = {"value": {"type": "conversations_select", "selected_conversation": channel}}
    if "resume" in values:
        state["resume"] = {"value": {"type": "file_input", "files": [{"id": values["resume"]}]}}
    return {"type": "view_submission", "team": {"id": "T0TEST"}, "user": {"id": user}, "api_app_id": "A0APP",
            "view": {"id": "V0VIEW", "type": "modal", "callback_id": CALLBACK_ID,
                     "private_metadata": json.dumps(metadata or {"channel": "C0CHAN", "file": ""}),
                     "state": {"values": state}},
            "response_urls": [{"block_id": "channel", "action_id": "value", "channel_id": channel,
                               "response_url": slack.response_url("m1")}]}


def blocks_by_id(view):
    return {b.get("block_id"): b for b in view["blocks"]}


def test_bare_command_opens_the_form_and_submission_runs_the_pipeline(slack, tmp_path):
    slack.add_file("F0RESUME01", b"Jane Roe - Senior Engineer", "jane.txt", "text")
    with running_app(slack, tmp_path) as (url, _, recorded):
        status, body = slack.command(url, "")
        assert status == 200 and body in ("", {})
        (opened,) = slack.wait_for("views.open")
        view = opened.params["view"]
        assert opened.params["trigger_id"] == "1337.42.abcd" and view["callback_id"] == CALLBACK_ID
        blocks = blocks_by_id(view)
        assert set(blocks) >= {"name", "email", "phone", "location", "wallet", "github", "resume", "channel"}
        assert blocks["resume"]["element"]["type"] == "file_input"
        select = blocks["channel"]["element"]
        assert select["response_url_enabled"] is True and select["initial_conversation"] == "C0CHAN"

        status, body = slack.interact(url, submission(slack, {"name": "Jane Roe", "email": "jane@example.com",
                                                              "resume": "F0RESUME01"}))
        assert status == 200 and body in ("", {})
        parent, reply = slack.wait_for("chat.postMessage", count=2)
        slack.wait_for("chat.update", where=lambda c: "risk" in c.params["text"])
    assert parent.params["channel"] == "C0OTHER" and reply.params["thread_ts"] == "1700000000.000001"
    assert slack.downloads == [("/files-pri/T0TEST-F0RESUME01/download/jane.txt", "Bearer xoxb-test-token")]
    evidence = recorded[0][0]["checks"][-1]["findings"][0]["evidence"]
    assert evidence["bytes"] == 26 and evidence["file"] == "jane.txt"
    assert recorded[0][1].channel == "C0OTHER" and recorded[0][1].requested_by.startswith("U")


def test_empty_submission_and_refused_channel_get_inline_errors(slack, tmp_path):
    with running_app(slack, tmp_path, allowed_channels=frozenset({"C0CHAN"})) as (url, _, _):
        _, empty = slack.interact(url, submission(slack, {}, channel="C0CHAN"))
        _, refused = slack.interact(url, submission(slack, {"name": "Jane Roe"}, channel="C0OTHER"))
    assert empty["response_action"] == "errors" and "at least one detail" in empty["errors"]["name"]
    assert refused["response_action"] == "errors" and "isn't enabled" in refused["errors"]["channel"]
    assert slack.calls_to("chat.postMessage") == []


def shortcut(slack, text, files=(), channel="C0CHAN"):
    return {"type": "message_action", "callback_id": "vet_message", "trigger_id": "1337.42.abcd",
            "team": {"id": "T0TEST"}, "user": {"id": "U0USER"}, "channel": {"id": channel},
            "message": {"type": "message", "text": text, "ts": "1699999999.000100",
                        "files": [{"id": f} for f in files]},
            "response_url": slack.response_url("s1"), "api_app_id": "A0APP"}


def test_message_shortcut_opens_a_prefilled_form(slack, tmp_path):
    text = ("New applicant\n*Name:* Jane Roe\nEmail <mailto:jane@example.com|jane@example.com>, call "
            "<tel:+14155550100|+1 415 555 0100>; payout 0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c <!here>")
    with running_app(slack, tmp_path) as (url, _, _):
        status, _ = slack.interact(url, shortcut(slack, text, files=["F0RESUME01"]))
        (opened,) = slack.wait_for("views.open")
    blocks = blocks_by_id(opened.params["view"])
    initial = {k: b["element"].get("initial_value") for k, b in blocks.items() if k and b["type"] == "input"}
    assert status == 200
    assert initial["name"] == "Jane Roe" and initial["email"] == "jane@example.com"
    assert initial["phone"] == "+14155550100" and initial["wallet"].startswith("0x4f47")
    metadata = json.loads(opened.params["view"]["private_metadata"])
    assert metadata == {"channel": "C0CHAN", "file": "F0RESUME01"}
    assert "<!here>" not in json.dumps(opened.params["view"])


def test_message_shortcut_refused_outside_allowed_channels(slack, tmp_path):
    with running_app(slack, tmp_path, allowed_channels=frozenset({"C0SEC"})) as (url, _, _):
        slack.interact(url, shortcut(slack, "Jane Roe jane@example.com"))
        (payload,) = slack.wait_response("s1")
    assert payload["response_type"] == "ephemeral" and "isn't enabled in this channel" in payload["text"]
    assert slack.calls_to("views.open") == []
