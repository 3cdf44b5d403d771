"""The summary's "Mark as confirmed fraud" / "Not fraud" / "Undo" buttons (``block_actions``) and
``/vetcandidate block TYPE=VALUE note="…"``.

Only ``VETCANDIDATE_ADMIN_USERS`` may use them (and the allow-lists still apply); anyone else gets an
ephemeral refusal and nothing changes. Confirming adds the vetting's identifiers to the
``confirmed-fraud`` watchlist, the audit trail records who and when, and the summary message is
updated in place (``chat.update``; an ephemeral summary through its ``response_url``). A click is
acknowledged at once; the database write and the update run afterwards in a Bolt lazy listener.
Logs name vetting IDs and Slack user IDs only.
"""
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import IntegrityError

from bot.slack.access import check_access, is_admin
from bot.slack.errors import AccessDenied, escape, quote
from bot.slack.parsing import _TOKEN, MAX_TEXT, _prepare
from bot.slack.presenter import (
    CONFIRM_ACTION,
    FRAUD_BLOCK,
    NOT_FRAUD_ACTION,
    UNDO_ACTION,
    fraud_buttons,
    fraud_outcome,
)
from bot.store_errors import StoreError
from bot.watchlist_import import KINDS, Indicator, normal_form
from bot.watchlists import CONFIRMED, WatchlistError, Watchlists

if TYPE_CHECKING:
    from bot.slack.app import SlackServices

log = logging.getLogger(__name__)

NOT_ADMIN = ("Only admins (VETCANDIDATE_ADMIN_USERS) can mark confirmed fraud or add indicators; "
             "nothing changed.")
NO_STORE = "This deployment has no database: confirmed fraud cannot be recorded."
STORE_DOWN = "The database could not be reached; nothing changed. Try again in a minute."
BLOCK_USAGE = ('Usage: `/vetcandidate block TYPE=VALUE note="…"` with TYPE one of '
               + ", ".join(KINDS) + ".")
MAX_BLOCKS = 50
_BLOCK_WORD = re.compile(r"^\s*block(?:\s+|$)", re.IGNORECASE)


def _ack(ack: Ack) -> None:
    ack()


def _is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


class FraudActions:
    def __init__(self, services: SlackServices, client: WebClient):
        self.services = services
        self.settings = services.app.settings
        self.client = client

    def register(self, bolt: App) -> None:
        # Acknowledged at once; ``clicked`` runs after the acknowledgement (Bolt's lazy listener: with
        # process_before_response the HTTP answer waits only for ``_ack``).
        for action in (CONFIRM_ACTION, NOT_FRAUD_ACTION, UNDO_ACTION):
            bolt.action(action)(ack=_ack, lazy=[self.clicked])

    def _lists(self) -> Watchlists | None:
        store = self.services.app.store
        return Watchlists(store) if store is not None else None

    def _refuse(self, body: dict[str, Any], channel: str, user: str, text: str) -> None:
        if _is_ephemeral(body) and body.get("response_url"):  # the bot may not be in that channel
            self._respond(body["response_url"], text=text, response_type="ephemeral", replace_original=False)
            return
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", _error(exc))

    @staticmethod
    def _respond(url: str, **message: Any) -> None:
        webhook = WebhookClient(url, timeout=10, retry_handlers=[
            ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=3)])
        try:
            result = webhook.send(**message)
        except Exception as exc:  # a network failure: the decision is recorded; say so in the log only
            log.warning("response_url failed (%s)", type(exc).__name__)
            return
        if result.status_code != 200:
            log.warning("response_url answered %s", result.status_code)

    # -- buttons ---------------------------------------------------------------------------
    def clicked(self, body: dict[str, Any]) -> None:
        """The work behind a click, after the acknowledgement."""
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or (body.get("container") or {})).get("id", "") or \
            (body.get("container") or {}).get("channel_id", "")
        action = (body.get("actions") or [{}])[0]
        vetting_id, action_id = str(action.get("value") or ""), action.get("action_id", "")
        try:
            check_access(self.settings, user, channel)
        except AccessDenied as exc:
            self._refuse(body, channel, user, exc.user_message())
            return
        if not is_admin(self.settings, user):
            log.info("refused %s on vetting %s for non-admin %s", action_id, vetting_id, user)
            self._refuse(body, channel, user, NOT_ADMIN)
            return
        lists = self._lists()
        if lists is None:
            self._refuse(body, channel, user, NO_STORE)
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
            self._refuse(body, channel, user, str(exc))
            return
        except (StoreError, IntegrityError) as exc:  # after the ack nobody else would tell the admin
            log.error("%s on vetting %s failed: %s", action_id, vetting_id, type(exc).__name__)
            self._refuse(body, channel, user, STORE_DOWN)
            return
        log.info("%s on vetting %s by %s", action_id, vetting_id, user)
        self._update(body, channel, outcome)

    def _update(self, body: dict[str, Any], channel: str, outcome: list[dict[str, Any]]) -> None:
        message = body.get("message") or {}
        blocks = [b for b in message.get("blocks") or []
                  if b.get("block_id") not in (FRAUD_BLOCK, FRAUD_BLOCK + "_done")]
        text = message.get("text") or "Risk summary updated"
        if _is_ephemeral(body):  # chat.update cannot reach an ephemeral message; its response_url can
            url = body.get("response_url") or ""
            if not url:
                log.warning("no response_url for an ephemeral summary: not updated")
            elif blocks:
                self._respond(url, text=text, blocks=_with_outcome(blocks, outcome), replace_original=True)
            else:  # the payload did not carry the summary: add the outcome rather than erase it
                self._respond(url, text=text, blocks=outcome, response_type="ephemeral",
                              replace_original=False)
            return
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts", "")
        if not ts:
            return
        try:
            self.client.chat_update(channel=channel, ts=ts, blocks=_with_outcome(blocks, outcome), text=text)
        except SlackApiError as exc:
            log.warning("chat.update failed: %s", _error(exc))


def _with_outcome(blocks: list[dict[str, Any]], outcome: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary with the decision (and its Undo or buttons) at the end: a full summary loses its
    last body blocks, never the outcome."""
    return [*blocks[:MAX_BLOCKS - len(outcome)], *outcome]


def parse_block(text: str) -> tuple[str, str, str]:
    """``block TYPE=VALUE note="…"`` -> (type, value, note), tokenised like the vetting command
    (straight or curly quotes, Slack's link markup unwrapped). ``ValueError`` with what to fix."""
    body = _BLOCK_WORD.sub("", text or "", count=1)
    if not body.strip():
        raise ValueError(BLOCK_USAGE)
    if len(body) > MAX_TEXT:
        raise ValueError(f"The text is {len(body)} characters long; the limit is {MAX_TEXT}. {BLOCK_USAGE}")
    problems: list[str] = []
    body = _prepare(body, problems)
    given: dict[str, str] = {}
    for match in _TOKEN.finditer(body):
        if match.group("key") is None:
            token = match.group("q") if match.group("q") is not None else match.group("bare")
            problems.append(f"{quote(token)} is not TYPE=VALUE or note=\"…\"")
            continue
        key = match.group("key").lower()
        value = next((v for v in (match.group("kq"), match.group("ks"), match.group("kv")) if v is not None),
                     "").strip()
        if key not in (*KINDS, "note"):
            problems.append(f"unknown type {quote(match.group('key') + '=', 24)}")
        elif value.startswith(('"', "'")):
            problems.append(f"the quote after {key}= is not closed")
        elif not value:
            problems.append(f"{key}= has no value")
        elif key in given:
            problems.append(f"{key} is given twice")
        else:
            given[key] = value
    note = given.pop("note", "")
    if not problems and len(given) != 1:
        problems.append("give exactly one TYPE=VALUE" + (f" (got {len(given)})" if given else ""))
    if problems:
        raise ValueError("I couldn't use that: " + "; ".join(problems) + ". " + BLOCK_USAGE)
    ((kind, value),) = given.items()
    return kind, value, note


def block_command(settings: Any, store: Any, user: str, text: str) -> str:
    """``block TYPE=VALUE note="…"``: the ephemeral answer. Admins only; nothing changes otherwise."""
    if not is_admin(settings, user):
        return NOT_ADMIN
    if store is None:
        return NO_STORE
    try:
        kind, value, note = parse_block(text)
    except ValueError as exc:
        return str(exc)
    try:
        normal = normal_form(kind, value)
    except ValueError as exc:
        return f"That {kind} is not valid ({escape(str(exc))}); nothing added."
    try:  # who blocked it is in the watchlist audit trail, not in what later vettings show
        added = Watchlists(store).add(CONFIRMED, [Indicator(kind, value, normal, note=note[:1000],
                                                            reference="added in Slack (block)")],
                                      actor=user, action="block")
    except (StoreError, IntegrityError) as exc:  # e.g. the list removed at that very moment
        log.error("block by %s failed: %s", user, type(exc).__name__)
        return STORE_DOWN
    log.info("block: %s added %d %s indicator(s) to %s", user, added, kind, CONFIRMED)
    if not added:
        return (f"That {kind} is already on `{CONFIRMED}` (blocked, or kept from a purged vetting); "
                "nothing added.")
    return f"Added one {kind} to `{CONFIRMED}`; later vettings that match it will say so."


def _error(exc: SlackApiError) -> str:
    return exc.response.get("error", "") if exc.response else ""
