"""The worker family: latest-request-wins jobs and long jobs, one signal vocabulary."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from PySide6.QtCore import QObject, Slot

from digitlab.gui.workers.jobs import LatestJob, LongJob

TIMEOUT_MS = 10_000


class Recorder(LatestJob):
    """Doubles numbers; the first request waits until released, so others queue up."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.seen: list[int] = []

    def work(self, request: int) -> int:
        self.seen.append(request)
        if len(self.seen) == 1:
            assert self.release.wait(5)
        if request < 0:
            raise ValueError(f"Received request={request}; it must be >= 0.\nSecond line")
        return 2 * request


@pytest.fixture
def job():
    worker = Recorder()
    yield worker
    worker.release.set()
    worker.stop()


def test_only_the_newest_waiting_request_is_worked_on_and_answered(qtbot, job):
    replies = []
    job.result.connect(replies.append)
    job.submit(1)
    qtbot.waitUntil(lambda: job.seen == [1], timeout=TIMEOUT_MS)
    for request in (2, 3, 4):  # arrive while 1 is in flight: each replaces the one waiting
        job.submit(request)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT_MS):
        job.release.set()
    assert job.seen == [1, 4]
    # 1's answer is stale (4 was waiting when it came): only 4 is answered.
    assert [(r.request, r.value) for r in replies] == [(4, 8)]
    assert not job.isRunning(), "the thread ends when there is no work"


def test_a_failure_is_one_line_and_the_next_request_still_runs(qtbot, job):
    job.release.set()
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT_MS) as failure:
        job.submit(-1)
    assert failure.args == ["Received request=-1; it must be >= 0."]
    job.wait(TIMEOUT_MS)
    with qtbot.waitSignal(job.result, timeout=TIMEOUT_MS) as answer:
        job.submit(5)
    assert answer.args[0].value == 10


def test_after_stop_nothing_more_runs(qtbot, job):
    job.release.set()
    job.stop()
    job.submit(7)
    assert not job.isRunning() and job.seen == []


class Long(LongJob):
    failure_prefix = "Counting failed: "

    def __init__(self, steps: int, fail_at: int | None = None):
        super().__init__()
        self.steps, self.fail_at = steps, fail_at
        self.gate = threading.Event()

    def work(self):
        for step in range(self.steps):
            if self.should_stop():
                return None if self.isInterruptionRequested() else f"stopped at {step}"
            if step == self.fail_at:
                raise OSError("disk full\nand more")
            self.report(step)
            if step == 0:
                assert self.gate.wait(5)
        return "done"


def test_a_long_job_reports_progress_then_its_result(qtbot):
    job = Long(3)
    job.gate.set()
    progress, results = [], []
    job.progress.connect(progress.append)
    job.result.connect(results.append)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT_MS):
        job.start()
    qtbot.waitUntil(lambda: results == ["done"], timeout=TIMEOUT_MS)
    assert progress == [0, 1, 2]


def test_stop_keeps_the_work_done_and_interruption_drops_the_result(qtbot):
    job = Long(100)
    progress = []
    job.progress.connect(progress.append)
    with qtbot.waitSignal(job.result, timeout=TIMEOUT_MS) as answer:
        job.start()
        qtbot.waitUntil(lambda: progress == [0], timeout=TIMEOUT_MS)  # step 0 done, waiting
        job.stop_training()
        job.gate.set()
    assert answer.args == ["stopped at 1"]
    job.wait(TIMEOUT_MS)

    closing = Long(100)
    results = []
    closing.result.connect(results.append)
    with qtbot.waitSignal(closing.finished, timeout=TIMEOUT_MS):
        closing.start()
        closing.requestInterruption()  # the window is closing: no result is shown
        closing.gate.set()
    assert results == []


def test_a_long_job_failure_is_prefixed_and_one_line(qtbot):
    job = Long(3, fail_at=1)
    job.gate.set()
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT_MS) as failure:
        job.start()
    assert failure.args == ["Counting failed: disk full"]
    job.wait(TIMEOUT_MS)


class Owner(QObject):
    """Drops its job in its ``finished`` slot, as the Train tab and the fine-tune panel do."""

    def __init__(self, job: LongJob):
        super().__init__()
        self.job = job
        job.finished.connect(self.on_finished)

    @Slot()
    def on_finished(self) -> None:
        self.job.release()
        self.job = None


def test_a_job_released_in_its_finished_slot_still_reaches_every_later_listener(qtbot):
    """Each of 100 quick jobs reaches a listener connected after its owner.

    With ``deleteLater()`` instead of ``release()``, PySide dropped the later
    listener's ``finished`` in about a third of the runs: the Train tab's stop
    tests timed out with the run long over.
    """
    missed = 0
    for _ in range(100):
        job = Long(1)
        job.gate.set()
        owner = Owner(job)
        heard: list[str] = []
        job.result.connect(heard.append)
        job.finished.connect(partial(heard.append, "finished"))
        deleted = []
        job.destroyed.connect(partial(deleted.append, True))
        job.start()
        qtbot.waitUntil(lambda: bool(deleted), timeout=TIMEOUT_MS)  # noqa: B023
        qtbot.wait(5)  # anything still queued for the listener arrives now or never
        missed += heard != ["done", "finished"]
        assert owner.job is None
    assert missed == 0, f"{missed} of 100 listeners never heard 'finished'"


def test_a_signal_wait_that_times_out_says_what_the_job_reported(qtbot, job_failures):
    from pytestqt.exceptions import TimeoutError as QtTimeoutError

    from tests.gui.conftest import explain_timeout

    job = Long(3, fail_at=1)
    job.gate.set()
    with pytest.raises(QtTimeoutError) as waited:
        with qtbot.waitSignals([job.result, job.finished], timeout=1000):
            job.start()
    assert job_failures == ["Long: Counting failed: disk full"]
    explain_timeout(waited.value, job_failures)  # what the GUI conftest does on a timeout
    message = str(waited.value)
    assert message.startswith("Received 1 of the 2 expected signals")
    assert message.endswith("failed signals during the test: Long: Counting failed: disk full")
    job.wait(TIMEOUT_MS)
