"""``/vetcandidate`` and the form's submission: check access, parse, hand the vetting to a
background job (``services.jobs.submit``) and acknowledge. Nothing slow happens before ``ack``; a
job that cannot be queued (Redis unreachable) is said so to the user instead of "N checks running"."""
from __future__ import annotations

import logging
import re
import threading
import uuid
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs import JobSubmitError
from bot.slack import modal
from bot.slack.access import check_access
from bot.slack.errors import AccessDenied, InputError, ModalError, user_message
from bot.slack.messages import ack_text, help_message
from bot.slack.parsing import ParsedCommand, parse_command
from bot.slack.presenter import Message, section
from bot.slack.vetting import SlackVetter, VettingJob, applicable_checks
from checks.model import Candidate

if TYPE_CHECKING:
    from bot.slack.app import SlackServices

log = logging.getLogger(__name__)

COMMAND = "/vetcandidate"
#: a first word "block" is always the block command (its handler answers usage for bad arguments)
BLOCK_WAIT_S = 2.0  # Slack wants its answer within 3 s
_BLOCK = re.compile(r"^\s*block(?:\s|$)", re.IGNORECASE)  # the word alone: not block@corp or Block-Smith


def new_vetting_id() -> str:
    return uuid.uuid4().hex[:12]


class CommandHandlers:
    def __init__(self, services: SlackServices, vetter: SlackVetter):
        self.services = services
        self.settings = services.app.settings
        self.vetter = vetter

    def register(self, bolt: App) -> None:
        bolt.command(COMMAND)(self.command)
        bolt.view(modal.CALLBACK_ID)(self.submission)

    # -- /vetcandidate ---------------------------------------------------------------------------
    def command(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user, channel = body.get("user_id", ""), body.get("channel_id", "")
        text = body.get("text") or ""
        try:
            check_access(self.settings, user, channel)
        except AccessDenied as exc:
            log.info("refused %s for %s in %s", COMMAND, user, channel)
            ack(response_type="ephemeral", text=exc.user_message())
            return
        word = text.strip().lower()
        if word in ("help", "-h", "--help", "?"):
            message = help_message()
            ack(response_type="ephemeral", text=message.text, blocks=message.blocks)
            return
        if not word:
            ack()
            self.open_form(client, respond, body.get("trigger_id", ""), channel)
            return
        if _BLOCK.match(text):
            self._block(ack, respond, user, text)
            return
        try:
            parsed = parse_command(text)
        except InputError as exc:
            log.info("bad %s input from %s: %d problem(s)", COMMAND, user, len(exc.problems))
            ack(response_type="ephemeral", text=exc.user_message())
            return
        job = self._job(parsed, user, channel, body.get("response_url", ""), "command",
                        team=str(body.get("team_id") or ""))
        try:  # the acknowledgement goes out when this listener returns, so submitting first is free
            self.services.jobs.submit(self.vetter.run, job.to_dict())
        except JobSubmitError as exc:
            log.error("vetting %s not started: %s", job.vetting_id, type(exc).__name__)
            ack(response_type="ephemeral", text=user_message(exc, job.vetting_id))
            return
        ack(response_type="ephemeral", text=ack_text(parsed.name, self._count(parsed)))

    def open_form(self, client: WebClient, respond: Respond, trigger_id: str, channel: str,
                  **view_args: Any) -> None:
        try:
            client.views_open(trigger_id=trigger_id, view=modal.build_view(channel_id=channel, **view_args))
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error", "") if exc.response else "")
            respond(response_type="ephemeral", replace_original=False, text=ModalError().user_message())

    def _block(self, ack: Ack, respond: Respond, user: str, text: str) -> None:
        """Answer in the acknowledgement when the write is quick; a database held by another writer
        must not make Slack time out: then the answer follows through ``respond``, exactly once."""
        lock, done = threading.Lock(), threading.Event()
        state: dict[str, Any] = {"answer": None, "late": False}

        def work() -> None:
            answer = self._block_reply(user, text)
            with lock:
                state["answer"], post = answer, state["late"]
            done.set()
            if post:
                respond(response_type="ephemeral", replace_original=False, text=answer)

        threading.Thread(target=work, daemon=True, name="block").start()
        done.wait(BLOCK_WAIT_S)
        with lock:
            answer = state["answer"]
            state["late"] = answer is None
        ack(response_type="ephemeral",
            text=answer if answer is not None else "Still writing to the database; the result follows here.")

    def _block_reply(self, user: str, text: str) -> str:
        from bot.slack.fraud_actions import block_command

        return block_command(self.settings, self.services.app.store, user, text)

    # -- the form --------------------------------------------------------------------------------
    def submission(self, ack: Ack, body: dict[str, Any]) -> None:
        user = (body.get("user") or {}).get("id", "")
        submission, errors = modal.read_submission(body)
        if submission is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            check_access(self.settings, user, submission.channel_id)
        except AccessDenied as exc:
            log.info("refused form submission from %s for %s", user, submission.channel_id)
            block = "channel" if exc.what == "channel" else "name"
            ack(response_action="errors", errors={block: _short_refusal(exc)})
            return
        ack()
        job = self._job(submission.parsed, user, submission.channel_id, submission.response_url, "modal",
                        team=_team_of(body))
        try:
            self.services.jobs.submit(self.vetter.run, job.to_dict())
        except JobSubmitError as exc:
            log.error("vetting %s not started: %s", job.vetting_id, type(exc).__name__)
            text = user_message(exc, job.vetting_id)
            # the form closes with this request's answer; tell the requester off the request thread
            threading.Thread(target=self.vetter.respond, args=(job, Message([section(text)], text)),
                             name="notify", daemon=True).start()

    # -- helpers ---------------------------------------------------------------------------------
    def _job(self, parsed: ParsedCommand, user: str, channel: str, response_url: str,
             origin: str, *, team: str = "") -> VettingJob:
        return VettingJob(vetting_id=new_vetting_id(), user_id=user, channel_id=channel,
                          response_url=response_url, fields=dict(parsed.fields),
                          resume_file_id=parsed.resume_file_id, origin=origin, team_id=team)

    def _count(self, parsed: ParsedCommand) -> int:
        preview = Candidate(**parsed.fields, resume_bytes=b"" if parsed.resume_file_id else None)
        return applicable_checks(self.services.app.registry, preview)


def _team_of(body: dict[str, Any]) -> str:
    """The workspace of an interaction (views, shortcuts): ``team.id``, else the user's team."""
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
    return str(team)


def _short_refusal(exc: AccessDenied) -> str:
    if exc.what == "channel":
        return "Vetting isn't enabled in that channel. Pick one your security team set up."
    return "You're not on the list of people who can vet candidates here."
