"""The App Home tab: the user's own recent vettings, published with ``views.publish`` each time the
tab is opened (``app_home_opened``).

Each line shows when, the level and score, the candidate's name, the channel and the vetting ID --
never email, phone or wallet (the history rows do not even carry them). The tab checks the same
user allow-list as the command; it belongs to no channel, so the channel list does not apply to it
(every vetting listed was run where vetting was allowed). A user without access gets a short "not
enabled for you" Home. ``home_view`` is pure; the handler does the I/O. Logs name user IDs only.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.access import check_access
from bot.slack.errors import AccessDenied, escape
from bot.slack.presenter import LEVEL_EMOJI, candidate_label, context, header, section
from bot.store import HistoryRow
from bot.store_errors import StoreError
from checks.model import RiskLevel

if TYPE_CHECKING:
    from bot.slack.app import SlackServices

log = logging.getLogger(__name__)

CALLBACK_ID = "vetcandidate_home"
HISTORY_LIMIT = 20
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")

NOT_ENABLED = ("Candidate vetting isn't enabled for you. Your security team can add you if you "
               "need it.")
NO_STORE = "This deployment keeps no audit log, so there is no history to show."
UNAVAILABLE = (":warning: Your vettings could not be loaded just now (the database did not answer). "
               "Open this tab again to retry.")
EMPTY = ("You haven't vetted anyone yet. Type `/vetcandidate` in a channel to start, or "
         "`/vetcandidate help` for how.")
INTRO = (f"The last {HISTORY_LIMIT} vettings you requested, newest first. Each full summary is in the "
         "thread where it was posted; contact details are never shown here.")


# -- pure -------------------------------------------------------------------------------------
def _when(row: HistoryRow) -> str:
    at = row.created_at.astimezone(UTC)
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _channel(channel: str) -> str:
    if not channel:
        return ""
    return f" · in <#{channel}>" if _CHANNEL_ID.match(channel) else f" · in {escape(channel)}"


def _level(row: HistoryRow) -> str:
    try:
        level = RiskLevel(row.level)
    except ValueError:
        return f"*{escape(row.level.upper())}*"
    return f"{LEVEL_EMOJI[level]} *{level.upper()}* (score {row.score})"


def row_text(row: HistoryRow) -> str:
    """One vetting: level, name, then when, where and its ID."""
    return (f"{_level(row)} · *{candidate_label(row.candidate_name)}*\n"
            f"{_when(row)}{_channel(row.channel)} · vetting `{escape(row.vetting_id)}`")


def _view(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "home", "callback_id": CALLBACK_ID, "blocks": blocks}


def home_view(rows: Sequence[HistoryRow] | None, *, note: str = "") -> dict[str, Any]:
    """The Home view. ``rows`` None: no history could be shown, and ``note`` says why."""
    blocks: list[dict[str, Any]] = [header("Your recent vettings")]
    if rows is None:
        return _view([*blocks, section(note or UNAVAILABLE)])
    blocks += [context(INTRO), {"type": "divider"}]
    if not rows:
        return _view([*blocks, section(EMPTY)])
    return _view(blocks + [section(row_text(r)) for r in rows[:HISTORY_LIMIT]])


def not_enabled_view() -> dict[str, Any]:
    return _view([header("vetcandidate"), section(NOT_ENABLED)])


def _ack(ack: Ack) -> None:
    ack()


# -- the handler --------------------------------------------------------------------------------
class HomeTab:
    def __init__(self, services: SlackServices):
        self.services = services
        self.settings = services.app.settings

    def register(self, bolt: App) -> None:
        # Acknowledged at once; the history query and views.publish run after (a slow database
        # must not hold Slack's 3 s answer, or Slack retries the event).
        bolt.event("app_home_opened")(ack=_ack, lazy=[self.opened])

    def opened(self, event: dict[str, Any], client: WebClient) -> None:
        user = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user:
            return
        view = self.view_for(user)
        try:
            client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.warning("views.publish for %s failed: %s", user,
                        exc.response.get("error", "") if exc.response else "")

    def allowed(self, user: str) -> bool:
        try:
            check_access(self.settings, user, None)
        except AccessDenied as exc:
            return exc.what != "user"  # the Home is in no channel: only the user list applies
        return True

    def view_for(self, user: str) -> dict[str, Any]:
        if not self.allowed(user):
            log.info("Home: %s is not on the allow-list", user)
            return not_enabled_view()
        store = self.services.app.store
        if store is None:
            return home_view(None, note=NO_STORE)
        try:
            rows = store.history(limit=HISTORY_LIMIT, requested_by=user)
        except StoreError as exc:
            log.warning("Home: history for %s unavailable (%s)", user, type(exc).__name__)
            return home_view(None, note=UNAVAILABLE)
        return home_view(rows)
