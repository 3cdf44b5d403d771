"""Runs the applicable checks concurrently, each under its own timeout and all under one overall
deadline. A failing check never stops the others; every outcome becomes a ``CheckResult``."""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from checks import scoring
from checks.context import CheckContext
from checks.errors import CheckFailed, CheckSkipped, SourceError, SourceTimeout
from checks.model import Candidate, CheckResult, Finding, Report, Status
from checks.registry import Registry

log = logging.getLogger(__name__)

DISABLED_REASON = "disabled by DISABLED_CHECKS"


def missing_inputs(check: Any, candidate: Candidate) -> str:
    """Why ``check`` does not apply to ``candidate`` ("" when it does)."""
    missing = [f for f in sorted(getattr(check, "requires", ())) if not candidate.has(f)]
    if missing:
        return "needs " + ", ".join(missing)
    any_of = sorted(getattr(check, "requires_any", ()))
    if any_of and not any(candidate.has(f) for f in any_of):
        return "needs one of " + ", ".join(any_of)
    hook = getattr(check, "not_applicable", None)
    if callable(hook):
        try:
            return str(hook(candidate) or "")
        except Exception:  # a broken hook must not hide the check: run it and let run() decide
            log.error("check %s: not_applicable() raised; running the check", check.name)
    return ""


class Runner:
    def __init__(self, registry: Registry, *, check_timeout_s: float = 10.0,
                 deadline_s: float = 25.0):
        self.registry = registry
        self.check_timeout_s = check_timeout_s
        self.deadline_s = deadline_s

    def run(self, candidate: Candidate, ctx: CheckContext | None = None,
            on_result: Callable[[CheckResult], None] | None = None) -> Report:
        ctx = ctx or CheckContext()
        start = time.monotonic()
        overall = start + self.deadline_s
        results: dict[str, CheckResult] = {}
        order = [c.name for c in self.registry.checks]
        pending: dict[str, tuple[Any, float]] = {}
        done: queue.Queue[CheckResult] = queue.Queue()

        for check in self.registry.checks:
            critical = bool(getattr(check, "critical", False))
            if check.name in self.registry.disabled:
                results[check.name] = CheckResult(check.name, Status.SKIPPED, reason=DISABLED_REASON)
                continue
            why = missing_inputs(check, candidate)
            if why:
                results[check.name] = CheckResult(check.name, Status.SKIPPED, reason=why)
                continue
            timeout = getattr(check, "timeout_s", None) or self.check_timeout_s
            deadline = min(start + timeout, overall)
            pending[check.name] = (check, deadline)
            worker = threading.Thread(
                target=self._run_one, name=f"check-{check.name}", daemon=True,
                args=(check, candidate, ctx.with_deadline(deadline), critical, done))
            worker.start()

        for result in results.values():
            if on_result:
                on_result(result)
        while pending:
            next_deadline = min(d for _, d in pending.values())
            try:
                result = done.get(timeout=max(0.0, next_deadline - time.monotonic()))
            except queue.Empty:
                now = time.monotonic()
                for name, (check, deadline) in list(pending.items()):
                    if deadline <= now:
                        del pending[name]
                        limit = deadline - start
                        result = CheckResult(name, Status.TIMEOUT,
                                             reason=f"did not finish within {limit:.1f}s",
                                             duration_ms=int(limit * 1000),
                                             critical=bool(getattr(check, "critical", False)))
                        log.warning("check %s timed out (vetting %s)", name, ctx.vetting_id or "-")
                        results[name] = result
                        if on_result:
                            on_result(result)
                continue
            if result.name in pending:  # a late result after a timeout is dropped
                del pending[result.name]
                results[result.name] = result
                if on_result:
                    on_result(result)

        ordered = tuple(results[name] for name in order)
        return Report(candidate=candidate, risk=scoring.score(ordered), checks=ordered,
                      generated_at=ctx.now())

    @staticmethod
    def _run_one(check: Any, candidate: Candidate, ctx: CheckContext, critical: bool,
                 done: queue.Queue[CheckResult]) -> None:
        t0 = time.monotonic()
        status, reason, findings = Status.OK, "", ()
        try:
            returned = check.run(candidate, ctx)
            findings = tuple(returned or ())
            bad = [f for f in findings if not isinstance(f, Finding)]
            if bad:
                status, findings = Status.ERROR, ()
                reason = f"check returned {type(bad[0]).__name__} instead of Finding"
        except CheckSkipped as exc:
            status, reason = Status.SKIPPED, exc.reason
        except CheckFailed as exc:
            status = Status.TIMEOUT if exc.timeout else Status.ERROR
            reason, findings = exc.reason, exc.findings
        except SourceTimeout as exc:
            status, reason = Status.TIMEOUT, str(exc)
        except SourceError as exc:
            status, reason = Status.ERROR, str(exc) or type(exc).__name__
        except Exception as exc:  # a bug in a check must not stop the vetting
            status, reason = Status.ERROR, f"internal error in check ({type(exc).__name__})"
            # Exception messages may quote candidate data: log the type and traceback frames only.
            log.error("check %s raised %s (vetting %s)", check.name, type(exc).__name__,
                      ctx.vetting_id or "-")
        duration = int((time.monotonic() - t0) * 1000)
        done.put(CheckResult(check.name, status, findings, reason, duration, critical,
                             bool(getattr(check, "counts_as_coverage", True))))
