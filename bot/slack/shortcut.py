"""Message shortcut "Vet this candidate": read what can be recognised in the message (emails,
phones, wallets, GitHub links, ``key=value`` and ``Key: value`` lines, an attached file) and open
the form pre-filled, so the user reviews it; the submission runs the one pipeline."""
from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.access import check_access
from bot.slack.commands import CommandHandlers
from bot.slack.errors import AccessDenied
from bot.slack.parsing import extract_details, file_id

log = logging.getLogger(__name__)

CALLBACK_ID = "vet_message"


class ShortcutHandlers:
    def __init__(self, commands: CommandHandlers):
        self.commands = commands

    def register(self, bolt: App) -> None:
        bolt.shortcut(CALLBACK_ID)(self.message_shortcut)

    def message_shortcut(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id", "")
        try:
            check_access(self.commands.settings, user, channel)
        except AccessDenied as exc:
            log.info("refused shortcut for %s in %s", user, channel)
            respond(response_type="ephemeral", replace_original=False, text=exc.user_message())
            return
        message = body.get("message") or {}
        details = extract_details(str(message.get("text") or ""))
        files = [f for f in message.get("files") or [] if isinstance(f, dict)]
        attached = file_id(str(files[0].get("id", ""))) if files else details.resume_file_id
        self.commands.open_form(client, respond, body.get("trigger_id", ""), channel,
                                initial=details.fields, attached_file=attached)
