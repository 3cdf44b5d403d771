"""The vetting form: a modal with a field per candidate attribute, a resume ``file_input`` and the
channel to post in (``response_url_enabled``, so the submission carries a ``response_url`` for that
channel). Pure builders and a pure reader of the submitted state."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.parsing import MAX_VALUE, ParsedCommand, file_id, validate_fields

CALLBACK_ID = "vetcandidate_form"
FIELDS = (("name", "Name", "Jane Roe"), ("email", "Email", "jane@example.com"),
          ("phone", "Phone", "+1 415 555 0100"), ("location", "Claimed location", "Austin, TX"),
          ("wallet", "Crypto payout wallet", "0x… / bc1… / T…"),
          ("github", "GitHub", "login or https://github.com/login"))
RESUME_TYPES = ["pdf", "docx", "txt", "md"]


def _text_input(key: str, label: str, placeholder: str, initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                               "max_length": MAX_VALUE[key],
                               "placeholder": {"type": "plain_text", "text": placeholder}}
    if initial:
        element["initial_value"] = initial[: MAX_VALUE[key]]
    return {"type": "input", "block_id": key, "optional": True,
            "label": {"type": "plain_text", "text": label}, "element": element}


def build_view(*, channel_id: str = "", initial: Mapping[str, str] | None = None,
               attached_file: str = "") -> dict[str, Any]:
    initial = initial or {}
    blocks = [_text_input(key, label, hint, initial.get(key, "")) for key, label, hint in FIELDS]
    blocks.append({"type": "input", "block_id": "resume", "optional": True,
                   "label": {"type": "plain_text", "text": "Resume"},
                   "element": {"type": "file_input", "action_id": "value", "filetypes": RESUME_TYPES,
                               "max_files": 1}})
    if attached_file:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
                       "The file attached to the message is used as the resume unless you upload one."}]})
    select: dict[str, Any] = {"type": "conversations_select", "action_id": "value",
                              "response_url_enabled": True, "default_to_current_conversation": True,
                              "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if channel_id:
        select["initial_conversation"] = channel_id
    blocks.append({"type": "input", "block_id": "channel",
                   "label": {"type": "plain_text", "text": "Post the result in"}, "element": select})
    return {"type": "modal", "callback_id": CALLBACK_ID,
            "title": {"type": "plain_text", "text": "Vet a candidate"},
            "submit": {"type": "plain_text", "text": "Vet"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "private_metadata": json.dumps({"channel": channel_id, "file": attached_file}),
            "blocks": blocks}


@dataclass(frozen=True)
class Submission:
    parsed: ParsedCommand
    channel_id: str
    response_url: str


def read_submission(body: Mapping[str, Any]) -> tuple[Submission | None, dict[str, str]]:
    """The submission, or Slack ``response_action=errors`` messages by block id."""
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    fields: dict[str, str] = {}
    for key, _label, _hint in FIELDS:
        value = ((values.get(key) or {}).get("value") or {}).get("value") or ""
        if value.strip():
            fields[key] = value.strip()
    files = ((values.get("resume") or {}).get("value") or {}).get("files") or []
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    resume = file_id(str(files[0].get("id", ""))) if files else file_id(str(meta.get("file", "")))
    channel = ((values.get("channel") or {}).get("value") or {}).get("selected_conversation") or ""
    errors: dict[str, str] = {}
    for key, value in fields.items():
        problems: list[str] = []
        validate_fields({key: value}, problems)
        if problems:
            errors[key] = problems[0][:150]
    if not fields and not resume:
        errors["name"] = "Give at least one detail (name, email, phone, location, wallet, GitHub or resume)."
    if not channel:
        errors["channel"] = "Choose where to post the result."
    if errors:
        return None, errors
    urls = body.get("response_urls") or []
    response_url = next((u.get("response_url", "") for u in urls if u.get("channel_id") == channel),
                        urls[0].get("response_url", "") if urls else "")
    return Submission(ParsedCommand(fields, resume), channel, response_url), {}
