"""Confirmed fraud from Slack: the summary's buttons driven by signed ``block_actions`` payloads
against the local Slack server (admin and non-admin), undo, and ``/vetcandidate block``."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.slack.presenter import CONFIRM_ACTION, NOT_FRAUD_ACTION, UNDO_ACTION, fraud_buttons
from bot.watchlists import CONFIRMED, Watchlists
from checks.model import Candidate, Report, Risk, RiskLevel
from tests.db_fixtures import TEST_SECRET, pg_url_fixture  # noqa: F401
from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import running_app, settings_for

ADMIN, OTHER = "U0ADMIN", "U0OTHER"
MESSAGE_TS = "1700000000.000042"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def record(store, vetting_id="v1"):
    report = Report(candidate=Candidate(name="Ann Lee", email="ann@ringmail.example", phone="+14155550142"),
                    risk=Risk(RiskLevel.LOW, 0), checks=(), generated_at=datetime.now(UTC))
    store.record(report, vetting_id=vetting_id, requested_by="U0USER")


def click(slack, url, action_id, *, user, vetting_id="v1", blocks=None, ephemeral=False, message=True):
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0TEST"}, "api_app_id": "A0APP",
               "trigger_id": "1337.42.abcd", "response_url": slack.response_url("b1"),
               "container": {"type": "message", "message_ts": MESSAGE_TS, "channel_id": "C0CHAN",
                             "is_ephemeral": ephemeral},
               "channel": {"id": "C0CHAN"},
               "actions": [{"type": "button", "action_id": action_id, "block_id": "fraud_actions",
                            "value": vetting_id, "action_ts": "1700000001.000001"}]}
    if message:
        payload["message"] = {"ts": MESSAGE_TS, "text": "Risk: LOW", "blocks": blocks or [
            {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "summary"}},
            fraud_buttons(vetting_id)]}
    return slack.interact(url, payload)


def test_non_admin_gets_an_ephemeral_refusal_and_nothing_changes(slack, tmp_path, backend):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN}), **backend) as (url, services, _):
        record(services.app.store)
        status, _ = click(slack, url, CONFIRM_ACTION, user=OTHER)
        (refusal,) = slack.wait_for("chat.postEphemeral")
        assert status == 200 and refusal.params["user"] == OTHER and "Only admins" in refusal.params["text"]
        assert slack.calls_to("chat.update") == []
        assert Watchlists(services.app.store).lists() == []


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, slack, tmp_path) -> dict:
    """Extra settings for ``running_app``: the default SQLite, or a migrated PostgreSQL schema."""
    if request.param == "sqlite":
        return {}
    from bot.store import Store

    over = {"database_url": request.getfixturevalue("pg_url"), "secret": TEST_SECRET}
    Store.open(settings_for(slack, tmp_path, **over), upgrade=True).close()
    return over


def test_admin_confirms_updates_the_summary_and_can_undo(slack, tmp_path, backend):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN}), **backend) as (url, services, _):
        store = services.app.store
        record(store)
        assert click(slack, url, CONFIRM_ACTION, user=ADMIN)[0] == 200
        (update,) = slack.wait_for("chat.update", where=lambda c: c.params.get("ts") == MESSAGE_TS)
        lists = Watchlists(store)
        kinds = {(e.kind, e.vetting_id) for e in lists.entries(CONFIRMED)}
        assert kinds == {("email", "v1"), ("domain", "v1"), ("phone", "v1")}
        blocks = update.params["blocks"]
        assert blocks[0]["block_id"] == "s"
        done = blocks[1]["elements"][0]["text"]
        assert "confirmed fraud" in done and ADMIN in done
        assert blocks[2]["elements"][0]["action_id"] == UNDO_ACTION
        click(slack, url, UNDO_ACTION, user=ADMIN, blocks=blocks)
        slack.wait_for("chat.update", count=2)
        assert lists.entries(CONFIRMED) == []
        assert [(a.action, a.actor) for a in lists.audit()][:2] == [("undo", ADMIN), ("confirm", ADMIN)]
        click(slack, url, NOT_FRAUD_ACTION, user=ADMIN)
        last = slack.wait_for("chat.update", count=3)[-1]
        assert "not fraud" in last.params["blocks"][-1]["elements"][0]["text"]
        assert lists.audit()[0].action == "not_fraud"


def test_undo_survives_on_a_full_summary(slack, tmp_path):
    full = [{"type": "section", "block_id": f"s{i}", "text": {"type": "mrkdwn", "text": f"check {i}"}}
            for i in range(49)] + [fraud_buttons("v1")]
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        record(services.app.store)
        click(slack, url, CONFIRM_ACTION, user=ADMIN, blocks=full)
        (update,) = slack.wait_for("chat.update", where=lambda c: c.params.get("ts") == MESSAGE_TS)
        blocks = update.params["blocks"]
        assert len(blocks) == 50 and blocks[-1]["elements"][0]["action_id"] == UNDO_ACTION
        click(slack, url, UNDO_ACTION, user=ADMIN, blocks=blocks)
        restored = slack.wait_for("chat.update", count=2)[-1].params["blocks"]
        actions = {e["action_id"] for b in restored if b["type"] == "actions" for e in b["elements"]}
        assert len(restored) <= 50 and {CONFIRM_ACTION, NOT_FRAUD_ACTION} <= actions


def test_block_with_the_database_down_is_a_clear_answer(slack, tmp_path):
    from sqlalchemy import text

    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        with services.app.store.engine.begin() as conn:  # the table is gone: every write fails
            conn.execute(text("DROP TABLE watchlist_entries"))
        status, body = slack.command(url, "block email=x@ring.example", user=ADMIN)
    assert status == 200 and body["response_type"] == "ephemeral"
    assert "database" in body["text"].lower() and "Added" not in body["text"]


def test_block_behind_another_writer_answers_in_time_and_follows_up(slack, tmp_path):
    import sqlite3

    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        path = services.app.store.engine.url.database
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # e.g. a watchlist import holding the write lock
        try:
            started = time.monotonic()
            status, body = slack.command(url, "block email=late@ring.example", user=ADMIN, response_key="k")
            acked = time.monotonic() - started
        finally:
            other.execute("ROLLBACK")
            other.close()
        (followed,) = slack.wait_response("k")
    assert status == 200 and acked < 2.9 and "result follows" in body["text"]
    assert "Added one email" in followed["text"] and followed["response_type"] == "ephemeral"


def test_block_command_admin_only(slack, tmp_path):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        _, refused = slack.command(url, 'block email=x@ring.example note="from incident"', user=OTHER)
        _, added = slack.command(url, 'block email=<mailto:X@Ring.example|X@Ring.example> note="incident 7"',
                                 user=ADMIN)
        _, again = slack.command(url, "block email=x@ring.example", user=ADMIN)
        _, bad = slack.command(url, "block email=not-an-email", user=ADMIN)
        _, usage = slack.command(url, "block shoe=size-9", user=ADMIN)
        entries = Watchlists(services.app.store).entries(CONFIRMED)
    assert "Only admins" in refused["text"]
    assert "Added one email" in added["text"] and "already on" in again["text"]
    assert "not valid" in bad["text"] and "Usage" in usage["text"]
    assert [(e.kind, e.normal, e.note) for e in entries] == [("email", "x@ring.example", "incident 7")]
    assert ADMIN not in entries[0].reference  # later vettings show the list, not who blocked


def test_a_click_is_acknowledged_before_the_database_and_the_update(slack, tmp_path):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        record(services.app.store)
        slack.rate_limit("chat.update", retry_after=2)           # the update has to wait 2 s
        started = time.monotonic()
        status, _ = click(slack, url, CONFIRM_ACTION, user=ADMIN)
        acked = time.monotonic() - started
        limited, done = slack.wait_for("chat.update", count=2)
        assert Watchlists(services.app.store).is_confirmed("v1")
    assert status == 200 and acked < 1.0, acked                    # Slack's 3 s, with room to spare
    assert done.at - limited.at >= 1.9
    assert "confirmed fraud" in done.params["blocks"][1]["elements"][0]["text"]


def test_an_ephemeral_summary_is_answered_through_its_response_url(slack, tmp_path):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        record(services.app.store)
        click(slack, url, CONFIRM_ACTION, user=OTHER, ephemeral=True)
        (refusal,) = slack.wait_response("b1")
        click(slack, url, CONFIRM_ACTION, user=ADMIN, ephemeral=True)
        _, replaced = slack.wait_response("b1", count=2)
        click(slack, url, UNDO_ACTION, user=ADMIN, ephemeral=True, message=False)
        _, _, added = slack.wait_response("b1", count=3)
        assert not Watchlists(services.app.store).is_confirmed("v1")
    assert "Only admins" in refusal["text"] and refusal["replace_original"] is False
    assert refusal["response_type"] == "ephemeral"
    assert replaced["replace_original"] is True and replaced["blocks"][0]["block_id"] == "s"
    assert "confirmed fraud" in replaced["blocks"][1]["elements"][0]["text"]
    assert replaced["blocks"][2]["elements"][0]["action_id"] == UNDO_ACTION
    # without the summary in the payload the outcome is added, never an emptied summary
    assert added["replace_original"] is False and "undone" in added["blocks"][0]["elements"][0]["text"]
    assert slack.calls_to("chat.update") == [] and slack.calls_to("chat.postEphemeral") == []


def test_block_over_http_accepts_curly_quotes_and_link_markup(slack, tmp_path):
    with running_app(slack, tmp_path, admin_users=frozenset({ADMIN})) as (url, services, _):
        _, curly = slack.command(url, "block email=ring@ring.example note=“from incident 9”", user=ADMIN)
        _, tel = slack.command(url, "block phone=<tel:+14155550142|+1 415 555 0142> note=don't", user=ADMIN)
        _, bare = slack.command(url, "block", user=ADMIN)
        entries = Watchlists(services.app.store).entries(CONFIRMED)
    assert "Added one email" in curly["text"] and "Added one phone" in tel["text"]
    assert bare["text"].startswith("Usage: `/vetcandidate block")
    assert sorted((e.kind, e.normal, e.note) for e in entries) == [
        ("email", "ring@ring.example", "from incident 9"), ("phone", "+14155550142", "don't")]
