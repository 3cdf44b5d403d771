"""Pure: a Report as Slack Block Kit plus a plain-text ``text`` fallback. No I/O, no clock.

Layout: a header with the level, a section saying what it means (and what could not be checked),
the sanctions list edition, then one section per check that found something or could not decide
(severity, title, evidence, source), and a context line for checks with nothing to report and for
skipped ones with the reason. Slack's limits (50 blocks, 3,000 characters per section text, 150
per header) are respected by truncating with a note. Every user-supplied string is escaped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.slack.errors import escape
from checks.model import CheckResult, Finding, Report, RiskLevel, Severity, Status

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 2000
TRUNCATED = "… (truncated: Slack shows at most 3,000 characters here)"

LEVEL_EMOJI = {RiskLevel.LOW: ":large_green_circle:", RiskLevel.MEDIUM: ":large_yellow_circle:",
               RiskLevel.HIGH: ":large_orange_circle:", RiskLevel.CRITICAL: ":red_circle:",
               RiskLevel.INCOMPLETE: ":white_circle:"}
LEVEL_NOTE = {
    RiskLevel.LOW: "No strong signal found. This is not a clearance.",
    RiskLevel.MEDIUM: "Moderate signals with innocent explanations: verify before acting.",
    RiskLevel.HIGH: "Direct evidence of fabrication or a link to fraud: verify identity.",
    RiskLevel.CRITICAL: "A compliance fact (sanctions): stop and escalate.",
    RiskLevel.INCOMPLETE: "Some checks could not decide: the result is not a clearance.",
}
SEVERITY_MARK = {Severity.INFO: ":information_source:", Severity.LOW: ":small_blue_diamond:",
                 Severity.MEDIUM: ":large_yellow_circle:", Severity.HIGH: ":large_orange_circle:",
                 Severity.CRITICAL: ":red_circle:"}


@dataclass(frozen=True)
class Message:
    blocks: list[dict[str, Any]]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"blocks": self.blocks, "text": self.text}


def clip(text: str, limit: int, note: str = TRUNCATED) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(note)].rstrip() + note


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER, "…"),
                                       "emoji": True}}


def level_title(report: Report) -> str:
    risk = report.risk
    return f"{LEVEL_EMOJI[risk.level]} Risk: {risk.level.upper()} (score {risk.score})"


def candidate_label(name: str) -> str:
    """How a candidate is named in Slack: the name, escaped -- never email, phone or wallet."""
    return escape(name) if name else "the candidate (no name given)"


def _value(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def finding_text(f: Finding) -> str:
    line = f"{SEVERITY_MARK[f.severity]} *{f.severity.label.upper()}* {escape(f.title)}"
    if f.confidence != "medium":
        line += f" _(confidence {f.confidence})_"
    parts = [line]
    if f.detail:
        parts.append(f"      {escape(f.detail)}")
    if f.evidence:
        evidence = ", ".join(f"{escape(k)}: `{escape(_value(v)).replace('`', chr(39))}`"
                             for k, v in f.evidence.items())
        parts.append(f"      evidence: {evidence}")
    if f.source:
        parts.append(f"      source: {escape(f.source)}")
    return "\n".join(parts)


def check_text(result: CheckResult) -> str:
    status = {Status.OK: "done", Status.ERROR: ":warning: could not decide",
              Status.TIMEOUT: ":warning: timed out"}.get(result.status, str(result.status))
    head = f"*{escape(result.name)}* · {status} · {result.duration_ms} ms"
    if result.reason:
        head += f"\n_{escape(result.reason)}_"
    findings = sorted(result.findings, key=lambda f: -f.severity)
    return "\n".join([head, *(finding_text(f) for f in findings)])


def _worst(result: CheckResult) -> int:
    return max((f.severity for f in result.findings), default=-1)


def render_summary(report: Report, *, sanctions_line: str = "", vetting_id: str = "",
                   reserve: int = 0) -> Message:
    """The thread reply: the whole risk summary. ``reserve`` blocks of the 50 are left for the caller
    (e.g. a note put in front); the buttons, the level and the closing lines are always kept, and
    check sections that do not fit are replaced by one note naming them."""
    risk = report.risk
    intro = f"*{candidate_label(report.candidate.name)}*: {LEVEL_NOTE[risk.level]}"
    if risk.unchecked:
        intro += "\n:warning: Could not check: " + ", ".join(escape(n) for n in risk.unchecked)
    blocks: list[dict[str, Any]] = [header(level_title(report)), section(intro)]
    meta = [f"Sanctions list: {escape(sanctions_line)}" if sanctions_line else ""]
    if vetting_id:
        meta.append(f"vetting `{escape(vetting_id)}`")
    if any(meta):
        blocks.append(context(" · ".join(m for m in meta if m)))
    blocks.append({"type": "divider"})

    shown = [r for r in report.checks if r.findings or r.failed]
    shown.sort(key=lambda r: (-_worst(r), not r.failed))
    quiet = [r for r in report.checks if r.status == Status.OK and not r.findings]
    skipped = [r for r in report.checks if r.status == Status.SKIPPED]
    tail: list[dict[str, Any]] = []
    if quiet:
        tail.append(context("Nothing found by: " + ", ".join(escape(r.name) for r in quiet)))
    if skipped:
        tail.append(context("Skipped: " + "; ".join(f"{escape(r.name)} ({escape(r.reason)})"
                                                   for r in skipped)))
    buttons = [fraud_buttons(vetting_id)] if vetting_id else []
    room = MAX_BLOCKS - reserve - len(blocks) - len(tail) - len(buttons)
    if len(shown) > room:
        keep = max(0, room - 1)  # one block for the note
        blocks += [section(check_text(r)) for r in shown[:keep]]
        hidden = shown[keep:]
        findings = sum(len(r.findings) for r in hidden)
        blocks.append(context(
            f":scissors: {findings} more findings not shown, from {len(hidden)} more checks (Slack allows "
            f"{MAX_BLOCKS} blocks per message): " + ", ".join(escape(r.name) for r in hidden)))
    else:
        blocks += [section(check_text(r)) for r in shown]
    return Message(blocks=blocks + tail + buttons, text=summary_fallback(report))


FRAUD_BLOCK = "fraud_actions"
CONFIRM_ACTION, NOT_FRAUD_ACTION, UNDO_ACTION = "fraud_confirm", "fraud_not", "fraud_undo"


def _button(text: str, action_id: str, value: str, style: str = "") -> dict[str, Any]:
    button = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id,
              "value": value}
    if style:
        button["style"] = style
    return button


def fraud_buttons(vetting_id: str) -> dict[str, Any]:
    """"Mark as confirmed fraud" / "Not fraud" (admins only), carrying the vetting ID."""
    return {"type": "actions", "block_id": FRAUD_BLOCK, "elements": [
        _button("Mark as confirmed fraud", CONFIRM_ACTION, vetting_id, "danger"),
        _button("Not fraud", NOT_FRAUD_ACTION, vetting_id)]}


def fraud_outcome(vetting_id: str, text: str, *, undo: bool) -> list[dict[str, Any]]:
    """What replaces the buttons once an admin decided: who and when, and an Undo button."""
    done = {"type": "context", "block_id": FRAUD_BLOCK + "_done",
            "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}
    if not undo:
        return [done]
    return [done, {"type": "actions", "block_id": FRAUD_BLOCK, "elements": [
        _button("Undo", UNDO_ACTION, vetting_id)]}]


def summary_fallback(report: Report) -> str:
    """Plain text for notifications and clients without blocks: level and key findings."""
    risk = report.risk
    text = (f"Risk: {risk.level.upper()} (score {risk.score}) for {candidate_label(report.candidate.name)}"
            f". {LEVEL_NOTE[risk.level]}")
    key = [(name, f) for name, f in report.findings() if f.severity > Severity.INFO][:5]
    if key:
        text += " Key findings: " + "; ".join(f"[{f.severity.label.upper()}] {escape(f.title)} ({name})"
                                              for name, f in key) + "."
    if risk.unchecked:
        text += " Could not check: " + ", ".join(escape(n) for n in risk.unchecked) + "."
    return clip(text, MAX_FALLBACK, "…")
