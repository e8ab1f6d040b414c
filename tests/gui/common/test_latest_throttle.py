"""LatestThrottle: the first event at once, then only the newest, at most once per interval."""

from __future__ import annotations

from digitlab.gui.common.latest_throttle import LatestThrottle

INTERVAL_MS = 80


def test_a_burst_is_handed_on_as_its_first_and_its_newest_event(qtbot):
    seen = []
    throttle = LatestThrottle(INTERVAL_MS)
    throttle.ready.connect(seen.append)
    for event in range(10):
        throttle.submit(event)
    assert seen == [0] and throttle.has_pending
    qtbot.waitUntil(lambda: seen == [0, 9], timeout=20 * INTERVAL_MS)
    assert not throttle.has_pending
    # Nothing more arrives: no repeat of the last event.
    qtbot.wait(3 * INTERVAL_MS)
    assert seen == [0, 9]
    # A quiet interval later, the next event is handed on at once again.
    throttle.submit(10)
    assert seen == [0, 9, 10]


def test_a_discarded_event_is_never_handed_on(qtbot):
    seen = []
    throttle = LatestThrottle(INTERVAL_MS)
    throttle.ready.connect(seen.append)
    throttle.submit("batch 1")
    throttle.submit("batch 7")
    throttle.discard()  # e.g. the epoch ended and was shown meanwhile
    assert not throttle.has_pending
    qtbot.wait(3 * INTERVAL_MS)
    assert seen == ["batch 1"]


def test_a_falsy_event_still_counts(qtbot):
    seen = []
    throttle = LatestThrottle(INTERVAL_MS)
    throttle.ready.connect(seen.append)
    throttle.submit(1)
    throttle.submit(None)
    qtbot.waitUntil(lambda: seen == [1, None], timeout=20 * INTERVAL_MS)
