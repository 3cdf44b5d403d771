import dataclasses
import json
from datetime import UTC, datetime

import pytest

from checks.model import Candidate, CheckResult, Confidence, Finding, Report, Risk, RiskLevel, Severity


def test_finding_is_frozen_and_evidence_immutable():
    finding = Finding(severity="high", title="x", evidence={"a": 1})
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.MEDIUM
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.title = "y"
    with pytest.raises(TypeError):
        finding.evidence["a"] = 2


def test_finding_needs_title_and_known_severity():
    with pytest.raises(ValueError):
        Finding(severity=Severity.LOW, title=" ")
    with pytest.raises(ValueError):
        Finding(severity="severe", title="x")


def test_candidate_trims_and_reports_given_fields():
    c = Candidate(name="  Jane ", email="", resume_path="/tmp/cv.pdf")
    assert c.name == "Jane"
    assert c.given_fields() == ("name", "resume")
    assert c.to_dict()["resume"] == "cv.pdf"
    with pytest.raises(ValueError):
        c.has("shoe_size")


def test_report_json_matches_contract_shape():
    when = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    finding = Finding(severity=Severity.CRITICAL, title="Wallet on SDN list", detail="d",
                      confidence=Confidence.HIGH, evidence={"address": "0xabc", "when": when},
                      source="OFAC SDN, published 2026-11-20")
    report = Report(candidate=Candidate(name="Jane", wallet="0xabc"),
                    risk=Risk(RiskLevel.CRITICAL, 100),
                    checks=(CheckResult("wallet_sanctions", "ok", (finding,), "", 3),), generated_at=when)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["version"] == "1" and data["generated_at"] == "2026-11-24T12:00:00Z"
    assert set(data["candidate"]) == {"name", "email", "phone", "location", "wallet", "github", "resume"}
    assert data["risk"] == {"level": "critical", "score": 100}
    check = data["checks"][0]
    assert set(check) == {"name", "status", "duration_ms", "reason", "findings"}
    assert check["findings"][0] == {
        "severity": "critical", "title": "Wallet on SDN list", "detail": "d", "confidence": "high",
        "evidence": {"address": "0xabc", "when": "2026-11-24T12:00:00Z"},
        "source": "OFAC SDN, published 2026-11-20"}
