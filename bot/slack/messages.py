"""Pure: the small messages around a vetting -- help, the acknowledgement, and the parent message
(candidate name, progress, final level; never email, phone or wallet)."""
from __future__ import annotations

from bot.slack.errors import EXAMPLE, KEYS_HELP, escape, not_in_channel_note
from bot.slack.presenter import LEVEL_EMOJI, Message, candidate_label, context, section
from checks.model import Report

HELP = f"""*Vet a remote candidate for fraud signals* (fabricated identity, throw-away domains, VoIP \
numbers, recycled resumes, sanctioned payout wallets).

• `/vetcandidate` alone opens a form.
• `{EXAMPLE}`
• Keys: {KEYS_HELP}. Quote values with spaces. Bare emails, phone numbers, wallets, GitHub links and \
Slack file links are recognised without a key; other bare words are the name.
• `resume=` takes a Slack file ID or the file's link (PDF, DOCX or text).
• Message shortcut *Vet this candidate* reads the details from a message and lets you review them.

I answer in a thread with one risk level and the findings behind it, each with its evidence and \
source. It is a signal for a human to weigh, never a verdict; it never considers nationality or any \
other protected trait."""


def help_message() -> Message:
    return Message(blocks=[section(HELP)], text="How to use /vetcandidate")


def ack_text(name: str, checks: int) -> str:
    plural = "check" if checks == 1 else "checks"
    return f"Vetting {candidate_label(name)}: {checks} {plural} running… The summary follows in this channel."


def _footer(requester: str, vetting_id: str) -> dict:
    who = f"requested by <@{requester}> · " if requester else ""
    return context(f"{who}vetting `{escape(vetting_id)}`")


def progress_message(name: str, done: int, total: int, *, requester: str = "",
                     vetting_id: str = "") -> Message:
    label = candidate_label(name)
    text = f"Vetting {label}: {done} of {total} checks done"
    blocks = [section(f":hourglass_flowing_sand: *Vetting {label}* · {done} of {total} checks done…"),
              _footer(requester, vetting_id)]
    return Message(blocks=blocks, text=text)


def final_parent_message(report: Report, *, requester: str = "", vetting_id: str = "") -> Message:
    risk = report.risk
    label = candidate_label(report.candidate.name)
    ran = sum(1 for r in report.checks if str(r.status) != "skipped")
    text = f"Vetting {label}: risk {risk.level.upper()} (score {risk.score})"
    blocks = [section(f"{LEVEL_EMOJI[risk.level]} *Vetting {label}* · risk *{risk.level.upper()}* "
                      f"(score {risk.score}) · {ran} checks · summary in the thread"),
              _footer(requester, vetting_id)]
    return Message(blocks=blocks, text=text)


def fallback_note_block() -> dict:
    return section(f":information_source: {not_in_channel_note()}")
