import threading
import time

from checks import Candidate, CheckFailed, Finding, Severity, Status
from checks.context import CheckContext
from checks.errors import SourceTimeout, SourceUnavailable
from checks.registry import Registry
from checks.runner import DISABLED_REASON, Runner


def make_check(name, behaviour, requires=("email",), timeout_s=None, critical=False, requires_any=()):
    attrs = {"name": name, "description": name, "requires": frozenset(requires),
             "requires_any": frozenset(requires_any), "timeout_s": timeout_s, "critical": critical,
             "run": lambda self, candidate, ctx: behaviour(candidate, ctx)}
    return type(name.title(), (), attrs)()


def sleeper(seconds):
    def run(candidate, ctx):
        time.sleep(seconds)
        return [Finding(severity=Severity.LOW, title="slept", evidence={"s": seconds})]
    return run


CANDIDATE = Candidate(email="a@example.com")


def test_checks_run_concurrently():
    n, t = 8, 0.3
    registry = Registry([make_check(f"c{i}", sleeper(t)) for i in range(n)])
    start = time.monotonic()
    report = Runner(registry).run(CANDIDATE)
    elapsed = time.monotonic() - start
    assert all(r.status == Status.OK for r in report.checks)
    assert elapsed < t * 2.5, f"{n} checks of {t}s took {elapsed:.2f}s: not concurrent"


def test_per_check_timeout_does_not_wait_for_the_slow_check():
    registry = Registry([make_check("slow", sleeper(5), timeout_s=0.2), make_check("fast", sleeper(0))])
    start = time.monotonic()
    report = Runner(registry).run(CANDIDATE)
    assert time.monotonic() - start < 1.5
    slow, fast = report.checks
    assert slow.status == Status.TIMEOUT and "0.2" in slow.reason
    assert fast.status == Status.OK and fast.findings


def test_overall_deadline_caps_every_check():
    registry = Registry([make_check("a", sleeper(5), timeout_s=10),
                         make_check("b", sleeper(5), timeout_s=10)])
    start = time.monotonic()
    report = Runner(registry, deadline_s=0.3).run(CANDIDATE)
    assert time.monotonic() - start < 1.5
    assert [r.status for r in report.checks] == [Status.TIMEOUT, Status.TIMEOUT]
    assert report.risk.level == "incomplete"


def test_default_timeout_applies_when_check_has_none():
    registry = Registry([make_check("a", sleeper(5))])
    report = Runner(registry, check_timeout_s=0.2).run(CANDIDATE)
    assert report.checks[0].status == Status.TIMEOUT


def test_errors_are_contained_and_typed():
    def boom(candidate, ctx):
        raise RuntimeError("secret candidate data a@example.com")

    def down(candidate, ctx):
        raise SourceUnavailable("cannot reach rdap.example")

    def slow_source(candidate, ctx):
        raise SourceTimeout("rdap.example did not answer in time")

    def partial(candidate, ctx):
        raise CheckFailed("twilio down", [Finding(severity=Severity.MEDIUM, title="VoIP prefix")])

    def wrong_type(candidate, ctx):
        return ["not a finding"]

    registry = Registry([make_check("boom", boom), make_check("down", down),
                         make_check("slowsrc", slow_source), make_check("partial", partial),
                         make_check("wrong", wrong_type), make_check("fine", sleeper(0))])
    boom_r, down_r, slow_r, partial_r, wrong_r, fine_r = Runner(registry).run(CANDIDATE).checks
    assert boom_r.status == Status.ERROR and "RuntimeError" in boom_r.reason
    assert "a@example.com" not in boom_r.reason
    assert (down_r.status, down_r.reason) == (Status.ERROR, "cannot reach rdap.example")
    assert slow_r.status == Status.TIMEOUT
    assert partial_r.status == Status.ERROR and partial_r.findings[0].title == "VoIP prefix"
    assert wrong_r.status == Status.ERROR and "instead of Finding" in wrong_r.reason
    assert fine_r.status == Status.OK


def test_skipped_reasons_and_disabled_checks():
    registry = Registry([make_check("needs_phone", sleeper(0), requires=("phone",)),
                         make_check("any_of", sleeper(0), requires=(), requires_any=("wallet", "github")),
                         make_check("off", sleeper(0))], disabled=frozenset({"off"}))
    phone_r, any_r, off_r = Runner(registry).run(CANDIDATE).checks
    assert (phone_r.status, phone_r.reason) == (Status.SKIPPED, "needs phone")
    assert (any_r.status, any_r.reason) == (Status.SKIPPED, "needs one of github, wallet")
    assert (off_r.status, off_r.reason) == (Status.SKIPPED, DISABLED_REASON)


def test_a_check_that_finds_it_does_not_apply_is_skipped_with_its_reason():
    from checks import CheckSkipped

    def no_explorer(candidate, ctx):
        raise CheckSkipped("no Bitcoin explorer configured")

    (result,) = Runner(Registry([make_check("skips", no_explorer)])).run(CANDIDATE).checks
    assert result.status == Status.SKIPPED and result.findings == ()
    assert result.reason == "no Bitcoin explorer configured"


def test_each_check_gets_its_own_deadline_and_shared_sources():
    seen = {}

    def look(candidate, ctx):
        seen[threading.current_thread().name] = (ctx.time_left(), ctx.source("thing"))
        return []

    registry = Registry([make_check("a", look, timeout_s=1), make_check("b", look, timeout_s=5)])
    Runner(registry).run(CANDIDATE, CheckContext(sources={"thing": 42}))
    assert seen["check-a"][0] <= 1 < seen["check-b"][0] <= 5
    assert seen["check-a"][1] == seen["check-b"][1] == 42


def test_missing_source_is_an_error_not_clean():
    def needs(candidate, ctx):
        ctx.source("rdap")
        return []

    result = Runner(Registry([make_check("a", needs)])).run(CANDIDATE).checks[0]
    assert result.status == Status.ERROR and "not configured" in result.reason


def test_progress_callback_sees_every_result_once():
    calls = []
    registry = Registry([make_check("a", sleeper(0)), make_check("b", sleeper(0), requires=("phone",))])
    Runner(registry).run(CANDIDATE, on_result=calls.append)
    assert sorted(r.name for r in calls) == ["a", "b"]


def test_not_applicable_hook_skips_with_its_reason():
    check = make_check("chain", sleeper(0))
    type(check).not_applicable = lambda self, candidate: "Monero hides its history by design"
    result = Runner(Registry([check])).run(CANDIDATE).checks[0]
    assert (result.status, result.reason) == (Status.SKIPPED, "Monero hides its history by design")
