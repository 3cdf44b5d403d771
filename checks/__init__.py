"""vetcandidate's check engine: the public surface for check authors."""
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, CheckSkipped, SourceError
from checks.model import (
    Candidate,
    CheckResult,
    Confidence,
    Finding,
    Report,
    RiskLevel,
    Severity,
    Status,
)

__all__ = [
    "Candidate", "Check", "CheckContext", "CheckFailed", "CheckResult", "CheckSkipped", "Confidence",
    "Finding", "Report", "RiskLevel", "Severity", "SourceError", "Status",
]
