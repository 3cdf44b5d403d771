"""The summary's "Mark as confirmed fraud" / "Not fraud" / "Undo" buttons (``block_actions``) and
``/vetcandidate block TYPE=VALUE note="…"``.

Only ``VETCANDIDATE_ADMIN_USERS`` may use them (and the allow-lists still apply); anyone else gets an
ephemeral refusal and nothing changes. Confirming adds the vetting's identifiers to the
``confirmed-fraud`` watchlist, the audit trail records who and when, and the summary message is
updated in place. Logs name vetting IDs and Slack user IDs only.
"""
from __future__ import annotations

import logging
import shlex
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.access import check_access, is_admin
from bot.slack.errors import AccessDenied
from bot.slack.presenter import (
    CONFIRM_ACTION,
    FRAUD_BLOCK,
    NOT_FRAUD_ACTION,
    UNDO_ACTION,
    fraud_buttons,
    fraud_outcome,
)
from bot.watchlist_import import KINDS, Indicator, normal_form
from bot.watchlists import CONFIRMED, WatchlistError, Watchlists

if TYPE_CHECKING:
    from bot.slack.app import SlackServices

log = logging.getLogger(__name__)

NOT_ADMIN = ("Only admins (VETCANDIDATE_ADMIN_USERS) can mark confirmed fraud or add indicators; "
             "nothing changed.")
NO_STORE = "This deployment has no database: confirmed fraud cannot be recorded."
BLOCK_USAGE = ('Usage: `/vetcandidate block TYPE=VALUE note="…"` with TYPE one of '
               + ", ".join(KINDS) + ".")


class FraudActions:
    def __init__(self, services: SlackServices, client: WebClient):
        self.services = services
        self.settings = services.app.settings
        self.client = client

    def register(self, bolt: App) -> None:
        for action in (CONFIRM_ACTION, NOT_FRAUD_ACTION, UNDO_ACTION):
            bolt.action(action)(self.clicked)

    def _lists(self) -> Watchlists | None:
        store = self.services.app.store
        return Watchlists(store) if store is not None else None

    def _refuse(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", _error(exc))

    # -- buttons ---------------------------------------------------------------------------
    def clicked(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or (body.get("container") or {})).get("id", "") or \
            (body.get("container") or {}).get("channel_id", "")
        action = (body.get("actions") or [{}])[0]
        vetting_id, action_id = str(action.get("value") or ""), action.get("action_id", "")
        try:
            check_access(self.settings, user, channel)
        except AccessDenied as exc:
            self._refuse(channel, user, exc.user_message())
            return
        if not is_admin(self.settings, user):
            log.info("refused %s on vetting %s for non-admin %s", action_id, vetting_id, user)
            self._refuse(channel, user, NOT_ADMIN)
            return
        lists = self._lists()
        if lists is None:
            self._refuse(channel, user, NO_STORE)
            return
        day = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        try:
            if action_id == CONFIRM_ACTION:
                added = lists.confirm(vetting_id, actor=user)
                outcome = fraud_outcome(vetting_id, f":no_entry: Marked as *confirmed fraud* by <@{user}> "
                                                    f"on {day}; {added} identifiers added to `{CONFIRMED}`.",
                                        undo=True)
            elif action_id == UNDO_ACTION:
                removed = lists.undo(vetting_id, actor=user)
                text = f":leftwards_arrow_with_hook: Confirmed fraud undone by <@{user}> on {day} " \
                       f"({removed} identifiers removed)."
                outcome = [*fraud_outcome(vetting_id, text, undo=False), fraud_buttons(vetting_id)]
            else:
                removed = lists.undo(vetting_id, actor=user) if lists.is_confirmed(vetting_id) else 0
                text = f":white_check_mark: Marked *not fraud* by <@{user}> on {day}."
                outcome = fraud_outcome(vetting_id, text, undo=False)
                if not removed:
                    lists.note(vetting_id, actor=user, action="not_fraud")
        except WatchlistError as exc:
            self._refuse(channel, user, str(exc))
            return
        log.info("%s on vetting %s by %s", action_id, vetting_id, user)
        self._update(body, channel, outcome)

    def _update(self, body: dict[str, Any], channel: str, outcome: list[dict[str, Any]]) -> None:
        message = body.get("message") or {}
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts", "")
        if not ts:
            return
        blocks = [b for b in message.get("blocks") or []
                  if b.get("block_id") not in (FRAUD_BLOCK, FRAUD_BLOCK + "_done")]
        try:
            self.client.chat_update(channel=channel, ts=ts, blocks=[*blocks, *outcome][:50],
                                    text=message.get("text") or "Risk summary updated")
        except SlackApiError as exc:
            log.warning("chat.update failed: %s", _error(exc))


def block_command(settings: Any, store: Any, user: str, text: str) -> str:
    """``block TYPE=VALUE note="…"``: the ephemeral answer. Admins only; nothing changes otherwise."""
    if not is_admin(settings, user):
        return NOT_ADMIN
    if store is None:
        return NO_STORE
    try:
        words = shlex.split(text.strip())[1:]
    except ValueError:
        return "Unbalanced quotes. " + BLOCK_USAGE
    pairs = [w.partition("=") for w in words]
    note = next((v for k, _, v in pairs if k.lower() == "note"), "")
    targets = [(k.lower(), v) for k, sep, v in pairs if sep and k.lower() != "note"]
    if len(targets) != 1 or targets[0][0] not in KINDS or any(not sep for _, sep, _ in pairs):
        return BLOCK_USAGE
    kind, value = targets[0]
    value = value.strip("<>").split("|")[-1].removeprefix("mailto:")  # Slack's link markup
    try:
        normal = normal_form(kind, value)
    except ValueError as exc:
        return f"That {kind} is not valid ({exc}); nothing added."
    added = Watchlists(store).add(CONFIRMED, [Indicator(kind, value, normal, note=note[:1000],
                                                        reference=f"added by <@{user}> in Slack")],
                                  actor=user, action="block")
    log.info("block: %s added %d %s indicator(s) to %s", user, added, kind, CONFIRMED)
    if not added:
        return f"That {kind} is already on `{CONFIRMED}`."
    return f"Added one {kind} to `{CONFIRMED}`; later vettings that match it will say so."


def _error(exc: SlackApiError) -> str:
    return exc.response.get("error", "") if exc.response else ""
