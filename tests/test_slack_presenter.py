"""The pure Block Kit presenter: golden JSON for typical reports, Slack's limits, escaping.

Regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 pytest tests/test_slack_presenter.py`` and review the diff."""
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.slack.messages import final_parent_message, progress_message
from bot.slack.presenter import FRAUD_BLOCK, MAX_BLOCKS, MAX_SECTION, render_summary
from checks.model import Candidate, CheckResult, Finding, Report, Severity, Status
from checks.scoring import score

GOLDEN = Path(__file__).parent / "golden"
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SDN = "OFAC SDN, published 2026-11-20"
WALLET = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"


def report(candidate, *results):
    return Report(candidate=candidate, risk=score(results), checks=tuple(results), generated_at=WHEN)


def low_report():
    return report(
        Candidate(name="Jane Roe", email="jane@old-firm.com"),
        CheckResult("email_domain", Status.OK, (
            Finding(severity=Severity.INFO, confidence="high", title="E-mail domain registered 10 years ago",
                    evidence={"domain": "old-firm.com", "age_days": 3650}, source="RDAP (Verisign)"),),
            "", 120),
        CheckResult("sanctions_name", Status.OK, (), "", 3),
        CheckResult("wallet_sanctions", Status.SKIPPED, reason="needs wallet", critical=True),
        CheckResult("phone", Status.SKIPPED, reason="needs phone"))


def critical_report():
    return report(
        Candidate(name="Kim Example", wallet=WALLET),
        CheckResult("wallet_sanctions", Status.OK, (
            Finding(severity=Severity.CRITICAL, confidence="high", title="Wallet is on the OFAC SDN list",
                    detail="Paying this address is prohibited.",
                    evidence={"address": WALLET, "entity": "Example Front LLC", "programs": ["DPRK3"]},
                    source=SDN),
            Finding(severity=Severity.LOW, confidence="high", title="Crypto payout requested",
                    evidence={"chain": "evm"}, source="US advisory")), "", 4, critical=True),
        CheckResult("sanctions_name", Status.OK, (), "", 2),
        CheckResult("email_domain", Status.SKIPPED, reason="needs email"))


def incomplete_report():
    return report(
        Candidate(name="Sam <!channel> Doe", wallet="bc1qexample", email="sam@fresh.dev"),
        CheckResult("wallet_sanctions", Status.ERROR, (
            Finding(severity=Severity.LOW, confidence="high", title="Crypto payout requested",
                    evidence={"chain": "bitcoin"}, source="US advisory"),),
            "sanctions screening not done: no sanctions list loaded", 1, critical=True),
        CheckResult("email_domain", Status.TIMEOUT, (), "did not finish within 10.0s", 10000),
        CheckResult("sanctions_name", Status.OK, (
            Finding(severity=Severity.MEDIUM, confidence="low", title="Name resembles an SDN-listed person: "
                    "verify identity", evidence={"listed": "<@U0EVIL> Doe"}, source=SDN),), "", 8))


def github_report():
    return report(
        Candidate(name="Alex Doe", github="alexdoe-dev"),
        CheckResult("github_profile", Status.OK, (
            Finding(severity=Severity.MEDIUM, confidence="high", title="GitHub account created 21 days ago",
                    detail="Accounts opened weeks before an application are a documented persona pattern.",
                    evidence={"login": "alexdoe-dev", "created": "2026-11-03", "age_days": 21},
                    source="GitHub REST API"),
            Finding(severity=Severity.LOW, confidence="medium", title="All public repositories are forks",
                    evidence={"login": "alexdoe-dev", "repos": 7, "forks": 7}, source="GitHub REST API")),
            "", 310),
        CheckResult("sanctions_name", Status.OK, (), "", 2))


GOLDEN_CASES = {"low": low_report, "critical": critical_report, "incomplete": incomplete_report,
                "github": github_report}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_block_kit(name):
    made = GOLDEN_CASES[name]()
    message = render_summary(made, sanctions_line=SDN, vetting_id="abc123def456").to_dict()
    path = GOLDEN / f"slack_summary_{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(message, indent=2, ensure_ascii=False) + "\n")
    assert message == json.loads(path.read_text())


def test_levels_and_fallback_text():
    low = render_summary(low_report(), sanctions_line=SDN)
    assert low.text.startswith("Risk: LOW (score 0) for Jane Roe. No strong signal found.")
    crit = render_summary(critical_report())
    assert "[CRITICAL] Wallet is on the OFAC SDN list (wallet_sanctions)" in crit.text
    assert WALLET not in crit.text  # the fallback carries titles, not identifiers
    inc = render_summary(incomplete_report())
    assert inc.text.startswith("Risk: INCOMPLETE") and "Could not check: wallet_sanctions" in inc.text


def test_user_supplied_text_is_escaped_everywhere():
    dumped = json.dumps([render_summary(incomplete_report()).to_dict(),
                         progress_message("Sam <!channel> Doe", 1, 3).to_dict()])
    assert "<!channel>" not in dumped and "<@U0EVIL>" not in dumped
    assert "&lt;!channel&gt;" in dumped and "&lt;@U0EVIL&gt;" in dumped


def test_parent_message_never_shows_email_phone_or_wallet():
    made = critical_report()
    for message in (progress_message(made.candidate.name, 0, 2, requester="U0USER", vetting_id="v1"),
                    final_parent_message(made, requester="U0USER", vetting_id="v1")):
        dumped = json.dumps(message.to_dict())
        assert WALLET not in dumped and "Kim Example" in dumped
    unnamed = progress_message("", 0, 2)
    assert "no name given" in unnamed.text


def test_slack_limits_are_respected_with_a_note():
    huge = Finding(severity=Severity.MEDIUM, title="Long finding", detail="x" * 900,
                   evidence={"k": "y" * 200}, source="test")
    results = [CheckResult(f"check_{i:02d}", Status.OK, (huge,) * (6 if i == 0 else 1), "", 1)
               for i in range(70)]
    message = render_summary(report(Candidate(name="A B"), *results), sanctions_line=SDN)
    assert len(message.blocks) <= MAX_BLOCKS
    assert "25 more findings not shown, from 25 more checks" in json.dumps(message.blocks[-1])
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert all(len(t) <= MAX_SECTION for t in texts)
    assert texts[1].endswith("(truncated: Slack shows at most 3,000 characters here)")
    assert len(message.text) <= 2000


@pytest.mark.parametrize("reserve", [0, 1])
def test_trimming_keeps_the_skipped_line_the_buttons_and_a_note(reserve):
    results = [CheckResult(f"check_{i:02d}", Status.OK, (
        Finding(severity=Severity.LOW, title=f"Finding {i}", source="test"),) * (2 if i % 2 else 1), "", 1)
        for i in range(60)]
    skipped = CheckResult("wallet_sanctions", Status.SKIPPED, reason="needs wallet", critical=True)
    made = report(Candidate(name="A B"), *results, skipped)
    blocks = render_summary(made, sanctions_line=SDN, vetting_id="abc123def456", reserve=reserve).blocks
    assert len(blocks) == MAX_BLOCKS - reserve  # every block used, none cut off
    assert blocks[-1]["block_id"] == FRAUD_BLOCK and blocks[-1]["type"] == "actions"
    assert blocks[-2]["elements"][0]["text"] == "Skipped: wallet_sanctions (needs wallet)"
    note = blocks[-3]["elements"][0]["text"]
    names = note.split("per message): ")[1].split(", ")
    shown = [b for b in blocks if b["type"] == "section"][1:]  # after the intro
    assert len(shown) + len(names) == 60 and len(names) > 0
    findings = sum(2 if int(n.removeprefix("check_")) % 2 else 1 for n in names)
    assert note.startswith(f":scissors: {findings} more findings not shown, from {len(names)} more checks")
