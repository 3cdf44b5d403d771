from checks.model import CheckResult, Finding, RiskLevel, Severity, Status
from checks.scoring import score


def f(sev, title="t", **evidence):
    return Finding(severity=sev, title=title, evidence=evidence)


def ok(name, *findings, critical=False):
    return CheckResult(name, Status.OK, findings, critical=critical)


def test_no_findings_is_low_with_zero_score():
    risk = score([ok("a"), ok("b")])
    assert (risk.level, risk.score) == (RiskLevel.LOW, 0)


def test_level_is_highest_severity_and_score_sums_weights():
    risk = score([ok("a", f(Severity.LOW, x=1), f(Severity.MEDIUM, x=2)), ok("b", f(Severity.INFO))])
    assert risk.level == RiskLevel.MEDIUM
    assert risk.score == 5 + 15


def test_score_is_capped_at_100():
    risk = score([ok("a", f(Severity.HIGH, x=1), f(Severity.HIGH, x=2), f(Severity.HIGH, x=3))])
    assert (risk.level, risk.score) == (RiskLevel.HIGH, 100)


def test_critical_finding_makes_level_critical():
    assert score([ok("a", f(Severity.CRITICAL))]).level == RiskLevel.CRITICAL


def test_three_mediums_from_two_checks_on_different_evidence_make_high():
    risk = score([ok("a", f(Severity.MEDIUM, x=1), f(Severity.MEDIUM, x=2)),
                  ok("b", f(Severity.MEDIUM, y=1))])
    assert risk.level == RiskLevel.HIGH


def test_three_mediums_from_one_check_stay_medium():
    risk = score([ok("a", f(Severity.MEDIUM, x=1), f(Severity.MEDIUM, x=2), f(Severity.MEDIUM, x=3))])
    assert risk.level == RiskLevel.MEDIUM


def test_two_mediums_from_two_checks_stay_medium():
    assert score([ok("a", f(Severity.MEDIUM, x=1)), ok("b", f(Severity.MEDIUM, y=1))]).level == "medium"


def test_one_fact_is_counted_once():
    # the same evidence reported twice is one fact: only two distinct facts in all
    risk = score([ok("a", f(Severity.MEDIUM, x=1), f(Severity.MEDIUM, x=1)),
                  ok("b", f(Severity.MEDIUM, y=1))])
    assert risk.level == RiskLevel.MEDIUM


def test_failed_critical_check_makes_low_incomplete():
    results = [ok("a", f(Severity.LOW)),
               CheckResult("wallet_sanctions", Status.ERROR, reason="list stale", critical=True)]
    risk = score(results)
    assert risk.level == RiskLevel.INCOMPLETE
    assert risk.unchecked == ("wallet_sanctions",)


def test_failed_critical_check_makes_medium_incomplete_but_high_stands():
    failed = CheckResult("wallet_sanctions", Status.TIMEOUT, critical=True)
    assert score([ok("a", f(Severity.MEDIUM)), failed]).level == RiskLevel.INCOMPLETE
    assert score([ok("a", f(Severity.HIGH)), failed]).level == RiskLevel.HIGH


def test_failed_non_critical_check_does_not_make_incomplete():
    risk = score([ok("a"), CheckResult("b", Status.ERROR, reason="down")])
    assert risk.level == RiskLevel.LOW
    assert risk.unchecked == ("b",)


def test_partial_findings_of_failed_check_count():
    failed = CheckResult("a", Status.ERROR, (f(Severity.HIGH),), reason="half done")
    assert score([failed, ok("b")]).level == RiskLevel.HIGH


def test_no_applicable_check_completed_is_incomplete():
    assert score([CheckResult("a", Status.SKIPPED)]).level == RiskLevel.INCOMPLETE
    assert score([CheckResult("a", Status.ERROR), CheckResult("b", Status.SKIPPED)]).level == "incomplete"


def test_checks_of_our_own_records_alone_do_not_make_a_report_complete():
    own = CheckResult("reuse", Status.OK, coverage=False)
    assert score([own, CheckResult("email_domain", Status.ERROR)]).level == RiskLevel.INCOMPLETE
    assert score([own, ok("email_domain")]).level == RiskLevel.LOW
