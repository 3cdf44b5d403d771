"""The per-vetting chat.update throttle (real threads and time, short intervals)."""
import threading
import time

from bot.jobs import InlineJobs, InProcessJobs
from bot.slack.progress import ThrottledUpdater


def recorder():
    sent, lock = [], threading.Lock()

    def send(state):
        with lock:
            sent.append((time.monotonic(), state))
    return sent, send


def test_updates_are_coalesced_and_spaced_and_the_final_state_lands_last():
    sent, send = recorder()
    start = time.monotonic()
    updater = ThrottledUpdater(send, interval_s=0.3)
    for i in range(1, 6):
        updater.update(i)  # all within the first interval: one send, of the latest state
        time.sleep(0.01)
    time.sleep(0.45)
    updater.update(6)
    time.sleep(0.4)
    updater.update(7)  # pending when the vetting ends: superseded by the final state
    updater.finish("final")
    times = [start] + [t for t, _ in sent]
    assert [s for _, s in sent] == [5, 6, "final"]
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:], strict=False))


def test_finish_without_updates_still_waits_for_the_interval():
    sent, send = recorder()
    start = time.monotonic()
    ThrottledUpdater(send, interval_s=0.2).finish("final")
    assert [s for _, s in sent] == ["final"] and sent[0][0] - start >= 0.19


def test_a_failing_send_does_not_break_the_vetting():
    def boom(state):
        raise RuntimeError("slack down")

    updater = ThrottledUpdater(boom, interval_s=0.0)
    updater.update(1)
    updater.finish("final")
    assert updater.sent == 0


def test_jobs_run_in_the_background_and_failures_are_contained():
    done = threading.Event()
    jobs = InProcessJobs(max_workers=2)
    jobs.submit(lambda: 1 / 0)
    jobs.submit(done.set)
    assert done.wait(2)
    jobs.shutdown()
    seen = []
    InlineJobs().submit(seen.append, {"vetting_id": "v1"})
    assert seen == [{"vetting_id": "v1"}]


def test_jobs_wait_while_requests_are_answered_but_not_forever():
    from bot.jobs import AckFirst

    gate = AckFirst(max_wait_s=1.0)
    jobs = InProcessJobs(max_workers=2, gate=gate)
    started = []
    with gate.request():
        t0 = time.monotonic()
        jobs.submit(lambda: started.append(time.monotonic()))
        time.sleep(0.2)
        assert started == []  # still answering a request
    jobs.shutdown(wait=True)
    assert 0.19 <= started[0] - t0 < 0.5
    slow = AckFirst(max_wait_s=0.1)
    with slow.request():
        t0 = time.monotonic()
        slow.wait_quiet()
        assert 0.09 <= time.monotonic() - t0 < 0.5
