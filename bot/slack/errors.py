"""Typed failures of the Slack layer, and the one place that turns them into words for users.

Messages never quote mentions or markup from the input; values that are quoted are escaped.
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.jobs import JobSubmitError

KEYS_HELP = "name, email, phone, location, wallet, github, resume"
EXAMPLE = ('/vetcandidate name="Jane Roe" email=jane@example.com phone=+14155550100 '
           'location="Austin, TX" wallet=0x… resume=F0123ABCD')


def escape(text: str) -> str:
    """Slack's three control characters; after this no mention or link markup survives."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(value: str, limit: int = 40) -> str:
    """A user-supplied fragment, shortened and escaped, for an error message."""
    value = " ".join(str(value).split()).replace("`", "'")
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"`{escape(value)}`"


class SlackUserError(Exception):
    """A failure the user can act on. ``user_message`` is safe to show (mrkdwn)."""

    def user_message(self) -> str:  # pragma: no cover - overridden
        return "Something went wrong."


class InputError(SlackUserError):
    """The command text cannot be used. Lists every problem found at once."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(f"{len(problems)} input problem(s)")
        self.problems = tuple(problems)

    def user_message(self) -> str:
        lines = ["I couldn't use that:"]
        lines += [f"• {p}" for p in self.problems]
        lines.append(f"Valid keys: {KEYS_HELP}. Quote values with spaces, e.g.")
        lines.append(f"`{escape(EXAMPLE)}`")
        lines.append("`/vetcandidate help` shows more; `/vetcandidate` alone opens a form.")
        return "\n".join(lines)


class AccessDenied(SlackUserError):
    def __init__(self, what: str):
        super().__init__(f"access denied: {what}")
        self.what = what  # "user" | "channel"

    def user_message(self) -> str:
        if self.what == "channel":
            return ("Sorry, candidate vetting isn't enabled in this channel. Please run it in one of "
                    "the channels your security team set up for it, or ask them to add this one.")
        return ("Sorry, you're not on the list of people who can vet candidates here. Your security "
                "team can add you if you need it.")


class ResumeError(SlackUserError):
    """The resume file could not be fetched or is not acceptable; the vetting does not start."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def user_message(self) -> str:
        return (f"I couldn't use the resume: {escape(self.reason)}. Nothing was vetted; try again with "
                "a PDF, DOCX or text file shared in Slack (`resume=F…` or the file's link).")


class ModalError(SlackUserError):
    def user_message(self) -> str:
        return "I couldn't open the form (Slack's trigger expired). Please run `/vetcandidate` again."


def not_in_channel_note() -> str:
    return ("I'm not a member of that channel, so only you can see this. To post vetting results "
            "there, invite me with `/invite @vetcandidate` and run the command again.")


def internal_error_message(vetting_id: str) -> str:
    return (f"Sorry, the vetting failed unexpectedly (reference `{escape(vetting_id)}`). Nothing was "
            "posted; please try again, and tell your admin if it keeps happening.")


QUEUE_UNREACHABLE = ("Could not start the vetting: the job queue is unreachable; try again in a minute. "
                     "Nothing was vetted or recorded.")


def user_message(exc: BaseException, vetting_id: str = "") -> str:
    """Words for the user for any failure: specific ones for ours, a generic one otherwise."""
    if isinstance(exc, SlackUserError):
        return exc.user_message()
    if isinstance(exc, JobSubmitError):
        return QUEUE_UNREACHABLE
    return internal_error_message(vetting_id or "-")
