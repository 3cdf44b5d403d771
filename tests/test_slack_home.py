"""The App Home tab: golden Block Kit for the pure view, and end to end -- a signed
``app_home_opened`` event over HTTP to the running app, answered by ``views.publish`` to the local
Slack server, listing what the real audit store holds."""
from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import wiring
from bot.config import Settings
from bot.slack.home import CALLBACK_ID, NOT_ENABLED, UNAVAILABLE, HomeTab, home_view
from bot.store import HistoryRow, Store
from checks.model import Candidate
from checks.registry import Registry
from tests.fakes.slack_server import FakeSlack, sign
from tests.test_slack_support import LISTED_WALLET, running_app

pytestmark = pytest.mark.network_edge

GOLDEN = Path(__file__).parent / "golden"
EMAIL, PHONE = "jane@example.com", "+14155550100"


class HomeSlack(FakeSlack):
    """The local Slack, also answering ``views.publish`` as Slack does."""

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(p.get("view") or {})}}
        return super()._answer(method, p)


@pytest.fixture
def slack():
    with HomeSlack() as fake:
        yield fake


def open_home(url: str, user: str = "U0USER", tab: str = "home") -> int:
    body = json.dumps({
        "token": "legacy", "team_id": "T0TEST", "api_app_id": "A0APP", "type": "event_callback",
        "event_id": f"Ev0{user}{tab}", "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab,
                  "event_ts": "1700000000.000100"}})
    headers = {**sign(body), "Content-Type": "application/json"}
    return requests.post(url, data=body.encode(), headers=headers, timeout=10).status_code


def rows() -> list[HistoryRow]:
    return [HistoryRow("abc123def456", datetime(2026, 11, 24, 12, 0, tzinfo=UTC), "U0USER", "T0TEST",
                       "C0CHAN", "critical", 100, "Kim Example"),
            HistoryRow("0123456789ab", datetime(2026, 11, 23, 9, 30, tzinfo=UTC), "U0USER", "T0TEST",
                       "C0OTHER", "incomplete", 5, "Sam <!channel> Doe"),
            HistoryRow("feedbeef0001", datetime(2026, 11, 22, 8, 0, tzinfo=UTC), "U0USER", "", "", "low", 0,
                       "")]


def test_golden_home_view():
    view = home_view(rows())
    path = GOLDEN / "slack_home.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(view, indent=2, ensure_ascii=False) + "\n")
    assert view == json.loads(path.read_text())
    dumped = json.dumps(view)
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped
    assert "<!date^1795521600^{date_short_pretty} {time}|2026-11-24 12:00 UTC>" in dumped


def test_empty_and_unavailable_views_say_so():
    assert "haven't vetted anyone yet" in json.dumps(home_view([]))
    broken = json.dumps(home_view(None, note=UNAVAILABLE))
    assert "could not be loaded" in broken and "haven't vetted" not in broken


def test_home_lists_the_users_own_vettings_without_contact_data(slack, tmp_path):
    with running_app(slack, tmp_path) as (url, services, _):
        slack.command(url, f'name="Jane Roe" email={EMAIL} phone={PHONE} wallet={LISTED_WALLET}')
        slack.wait_for("chat.update", where=lambda c: "CRITICAL" in c.params["text"])
        services.app.vet(Candidate(name="Other Person", email="o@example.com"), vetting_id="other0000001",
                         requested_by="U0OTHER", channel="C0CHAN")
        assert open_home(url) == 200
        (published,) = slack.wait_for("views.publish")
        assert open_home(url, tab="messages") == 200  # the Messages tab gets no Home view
        (vetting_id,) = [r.vetting_id for r in services.app.store.history(requested_by="U0USER")]
    view = published.params["view"]
    assert published.params["user_id"] == "U0USER"
    assert view["type"] == "home" and view["callback_id"] == CALLBACK_ID
    lines = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert len(lines) == 1  # only the requester's own vetting
    assert "*CRITICAL*" in lines[0] and "*Jane Roe*" in lines[0] and "in <#C0CHAN>" in lines[0]
    assert f"vetting `{vetting_id}`" in lines[0] and "<!date^" in lines[0]
    dumped = json.dumps(view).lower()
    assert EMAIL not in dumped and PHONE not in dumped and "4155550100" not in dumped
    assert LISTED_WALLET not in dumped and "other person" not in dumped
    assert len(slack.calls_to("views.publish")) == 1


def test_home_checks_the_user_allow_list_only(slack, tmp_path):
    with running_app(slack, tmp_path, allowed_users=frozenset({"U0BOSS"}),
                     allowed_channels=frozenset({"C0SEC"})) as (url, _, _):
        assert open_home(url, user="U0USER") == 200
        assert open_home(url, user="U0BOSS") == 200
        refused, boss = slack.wait_for("views.publish", count=2)
    assert refused.params["user_id"] == "U0USER"
    assert [b["text"]["text"] for b in refused.params["view"]["blocks"][1:]] == [NOT_ENABLED]
    assert boss.params["user_id"] == "U0BOSS"
    assert "haven't vetted anyone yet" in json.dumps(boss.params["view"])


def test_an_unreachable_database_is_said_not_hidden(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(data_dir=tmp_path, secret="s" * 32,
                        database_url=f"postgresql+psycopg://u:p@127.0.0.1:{port}/none?connect_timeout=2")
    store = Store.open(settings, upgrade=False)
    app = wiring.build(settings, sources={}, registry=Registry([]), store=store)
    services = wiring.build_slack_services(settings, app)
    try:
        view = HomeTab(services).view_for("U0USER")
    finally:
        services.jobs.shutdown()
        store.close()
    assert [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"] == [UNAVAILABLE]
