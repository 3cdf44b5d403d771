"""The lazy half of a Slack vetting, run as a background job after the 3-second acknowledgement.

Post a parent message in the channel (name and progress only), run the one pipeline
(``wiring.App.vet``), reply in the parent's thread with the risk summary, then update the parent
with the final level. When the bot cannot post in the channel, everything goes to the requester
through ``response_url`` (ephemeral) with a note on how to invite the bot. A failed thread reply
is retried without blocks, then delivered through ``response_url``: the result is never lost.
A job retried after its worker died answers with the report already recorded for it, if any
(``store.vetting_for_job``), instead of running every check again: the reply is the audit log's.

A job is a JSON-able dict (``VettingJob.to_dict``) so a queue can carry it to another process.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack.errors import SlackUserError, user_message
from bot.slack.files import FileFetcher
from bot.slack.messages import fallback_note_block, final_parent_message, progress_message
from bot.slack.presenter import Message, render_summary, section
from bot.slack.progress import ThrottledUpdater
from bot.slack.stored import report_from_dict
from checks.errors import SourceError
from checks.model import Candidate, CheckResult, Report, Status
from checks.runner import missing_inputs

if TYPE_CHECKING:
    from bot.slack.app import SlackServices

log = logging.getLogger(__name__)

NO_CHANNEL = ("not_in_channel", "channel_not_found", "is_archived")
FIELDS = ("name", "email", "phone", "location", "wallet", "github")


@dataclass(frozen=True)
class VettingJob:
    vetting_id: str
    user_id: str
    channel_id: str
    response_url: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    resume_file_id: str = ""
    origin: str = "command"  # command | modal
    team_id: str = ""        # the Slack workspace, recorded with the vetting

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fields": dict(self.fields)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VettingJob:
        known = {f.name for f in fields(cls)}  # a job queued by another version still runs
        given = {k: v for k, v in dict(data.get("fields", {})).items() if k in FIELDS}
        return cls(**{**{k: v for k, v in data.items() if k in known}, "fields": given})


def applicable_checks(registry: Any, candidate: Candidate) -> int:
    return sum(1 for c in registry.enabled() if not missing_inputs(c, candidate))


class SlackVetter:
    def __init__(self, services: SlackServices, client: WebClient, fetcher: FileFetcher):
        self.services = services
        self.client = client
        self.fetcher = fetcher

    def run(self, job_data: Mapping[str, Any]) -> None:
        """The job entry point. Never raises: every failure ends as a message to the requester."""
        job = VettingJob.from_dict(job_data)
        try:
            self._run(job)
        except SlackUserError as exc:
            log.info("vetting %s not started: %s", job.vetting_id, type(exc).__name__)
            self.respond(job, Message(blocks=[section(exc.user_message())], text=exc.user_message()))
        except Exception as exc:
            log.error("vetting %s failed: %s", job.vetting_id, type(exc).__name__)
            text = user_message(exc, job.vetting_id)
            self.respond(job, Message(blocks=[section(text)], text=text))

    # -- the flow ------------------------------------------------------------------------------
    def _run(self, job: VettingJob) -> None:
        started = time.monotonic()
        # Exactly-once: a job whose worker died runs again. Its checkpoint (kept by the jobs backend
        # across retries) says whether the parent was posted (reuse it) and the answer delivered.
        checkpoint = self._checkpoint(job)
        if checkpoint is not None and checkpoint.get("replied"):
            log.info("vetting %s already answered; retried job ends here", job.vetting_id)
            return
        parent_ts = checkpoint.get("parent_ts") if checkpoint is not None else None
        recorded = self._recorded(job)
        if recorded is not None:  # an interrupted run got as far as the audit log: answer with it
            log.info("vetting %s resumed after an interrupted run: replying with the recorded report",
                     job.vetting_id)
            updater = self._updater(job, parent_ts) if parent_ts else None
            if not parent_ts:  # the parent is unknown (or was never posted): post one, final at once
                parent_ts = self._post_parent(job, final_parent_message(
                    recorded, requester=job.user_id, vetting_id=job.vetting_id))
            self._deliver(job, recorded, parent_ts, updater, checkpoint)
            return
        candidate = self._candidate(job)
        total = applicable_checks(self.services.app.registry, candidate)
        log.info("vetting %s started by %s in %s (%s, %d checks)", job.vetting_id, job.user_id,
                 job.channel_id, job.origin, total)
        if parent_ts:
            log.info("vetting %s resumed after an interrupted run (not recorded yet)", job.vetting_id)
        else:
            parent_ts = self._post_parent(job, progress_message(
                candidate.name, 0, total, requester=job.user_id, vetting_id=job.vetting_id))
            if parent_ts and checkpoint is not None:
                checkpoint.set("parent_ts", parent_ts)
        updater = self._updater(job, parent_ts) if parent_ts else None
        done = 0

        def on_result(result: CheckResult) -> None:
            nonlocal done
            if result.status == Status.SKIPPED or updater is None:
                return
            done += 1
            updater.update(progress_message(candidate.name, done, total, requester=job.user_id,
                                            vetting_id=job.vetting_id))

        # The finished vetting is recorded inside vet(), once, with its report and fingerprints
        # (one transaction). Nothing is recorded for a vetting that did not run (bad input,
        # refused access, unreadable resume). The job key makes a retried job record once.
        report = self.services.app.vet(candidate, vetting_id=job.vetting_id, on_result=on_result,
                                       requested_by=job.user_id, team=job.team_id, channel=job.channel_id,
                                       job_key=job.vetting_id, slack_ts=parent_ts or None)
        self._deliver(job, report, parent_ts, updater, checkpoint)
        log.info("vetting %s finished: %s in %.2fs", job.vetting_id, report.risk.level,
                 time.monotonic() - started)

    def _deliver(self, job: VettingJob, report: Report, parent_ts: str | None,
                 updater: ThrottledUpdater | None, checkpoint: Any) -> None:
        """The thread reply and the parent's final level; or, with no parent, ``response_url``."""
        if checkpoint is not None and checkpoint.get("replied"):  # a parallel run answered meanwhile
            log.info("vetting %s already answered; not replying twice", job.vetting_id)
            return
        if parent_ts:
            summary = render_summary(report, sanctions_line=self.sanctions_line(), vetting_id=job.vetting_id)
            if not self._post_thread(job, parent_ts, summary):
                self.respond(job, summary)
            self._mark_replied(checkpoint)
            if updater is not None:
                updater.finish(final_parent_message(report, requester=job.user_id, vetting_id=job.vetting_id))
        else:  # the note takes one of Slack's 50 blocks: the summary leaves room for it
            summary = render_summary(report, sanctions_line=self.sanctions_line(), vetting_id=job.vetting_id,
                                     reserve=1)
            self.respond(job, Message(blocks=[fallback_note_block(), *summary.blocks], text=summary.text))
            self._mark_replied(checkpoint)

    def _updater(self, job: VettingJob, parent_ts: str) -> ThrottledUpdater:
        return ThrottledUpdater(lambda msg: self._update_parent(job, parent_ts, msg),
                                interval_s=self.services.update_interval_s)

    def _recorded(self, job: VettingJob) -> Report | None:
        """The report an earlier run of this job recorded, or None (also when it cannot be read)."""
        store = self.services.app.store
        if store is None:
            return None
        try:
            vetting_id = store.vetting_for_job(job.vetting_id)
            data = store.report(vetting_id) if vetting_id else None
            return report_from_dict(data) if data else None
        except Exception as exc:  # unreadable: run the vetting again rather than answer nothing
            log.warning("vetting %s: recorded report not usable (%s)", job.vetting_id, type(exc).__name__)
            return None

    def _checkpoint(self, job: VettingJob) -> Any:
        make = getattr(self.services.jobs, "checkpoint", None)
        try:
            return make(job.vetting_id) if make is not None else None
        except Exception as exc:  # e.g. Redis unreachable: answer anyway (at least once)
            log.warning("vetting %s: no job checkpoint (%s)", job.vetting_id, type(exc).__name__)
            return None

    @staticmethod
    def _mark_replied(checkpoint: Any) -> None:
        if checkpoint is not None:
            try:
                checkpoint.set("replied", True)
            except Exception as exc:
                log.warning("job checkpoint not saved (%s)", type(exc).__name__)

    def _candidate(self, job: VettingJob) -> Candidate:
        fields = {k: v for k, v in job.fields.items() if k in FIELDS}
        if not job.resume_file_id:
            return Candidate(**fields)
        resume = self.fetcher.fetch(job.resume_file_id, vetting_id=job.vetting_id)
        return Candidate(**fields, resume_bytes=resume.data, resume_filename=resume.filename)

    def sanctions_line(self) -> str:
        source = self.services.app.sources.get("sanctions")
        if source is None or not hasattr(source, "current"):
            return ""
        try:
            return source.current(now=datetime.now(UTC)).citation
        except SourceError as exc:
            return f"unavailable ({exc})"

    # -- Slack calls ---------------------------------------------------------------------------
    def _post_parent(self, job: VettingJob, message: Message) -> str | None:
        try:
            response = self.client.chat_postMessage(channel=job.channel_id, blocks=message.blocks,
                                                    text=message.text, unfurl_links=False)
            return str(response["ts"])
        except Exception as exc:  # not_in_channel, channel_not_found, or Slack unreachable
            log.info("vetting %s: cannot post in %s (%s); using response_url", job.vetting_id,
                     job.channel_id, _error(exc))
            return None

    def _update_parent(self, job: VettingJob, ts: str, message: Message) -> None:
        self.client.chat_update(channel=job.channel_id, ts=ts, blocks=message.blocks, text=message.text)

    def _post_thread(self, job: VettingJob, parent_ts: str, message: Message) -> bool:
        for blocks in (message.blocks, None):  # blocks first; plain text if Slack refuses them
            try:
                kwargs = {"blocks": blocks} if blocks else {}
                self.client.chat_postMessage(channel=job.channel_id, thread_ts=parent_ts,
                                             text=message.text, unfurl_links=False, **kwargs)
                return True
            except Exception as exc:
                log.warning("vetting %s: thread reply failed (%s)", job.vetting_id, _error(exc))
                if _error(exc) in NO_CHANNEL:
                    return False
        return False

    def respond(self, job: VettingJob, message: Message) -> bool:
        """An ephemeral message to the requester: ``response_url``, else ``chat.postEphemeral``."""
        if job.response_url:
            webhook = WebhookClient(job.response_url, timeout=10, retry_handlers=[
                ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=3)])
            try:
                result = webhook.send(text=message.text, blocks=message.blocks, response_type="ephemeral",
                                      replace_original=False)
                if result.status_code == 200:
                    return True
                log.warning("vetting %s: response_url answered %s", job.vetting_id, result.status_code)
            except Exception as exc:
                log.warning("vetting %s: response_url failed (%s)", job.vetting_id, type(exc).__name__)
        try:
            self.client.chat_postEphemeral(channel=job.channel_id, user=job.user_id, text=message.text,
                                           blocks=message.blocks)
            return True
        except SlackApiError as exc:
            log.error("vetting %s: could not reach the requester (%s)", job.vetting_id, _error(exc))
            return False


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error", ""))
    return type(exc).__name__
