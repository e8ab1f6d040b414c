"""Every interval the app waits or throttles by, stated once with its reason.

Throttles coalesce a fast stream (mouse moves, spin-box drags, batch events)
into at most one piece of work per interval, so the GUI thread stays free for
drawing and, on two cores, for TensorFlow's training threads.
"""

#: Live predictions while drawing: at most one per this many ms, so a burst of
#: mouse moves costs one forward pass and drawing stays smooth.
PREDICT_THROTTLE_MS = 40
#: The Filters tab waits this long after the last change of a kernel or setting.
FILTER_DEBOUNCE_MS = 30
#: "Why this digit" waits this long after the last change of the drawing.
EXPLAIN_IDLE_MS = 200
#: The sweep dialog follows the drawing at most this often (a sweep is ~15 ms).
SWEEP_FOLLOW_MS = 150
#: How often training progress is redrawn at most (Train tab, fine-tuning).
#: Redrawing it for every batch event the worker sends (~20 a second) kept the
#: GUI thread busy a fifth of the time, and on two cores every millisecond of
#: that is one TensorFlow's compute threads wait: the Train tab trained at
#: 0.66x plain model.fit (tests/benchmarks/bench_training.py; README figures).
PROGRESS_REDRAW_MS = 250
#: The training curves' running point moves at most this often: redrawing the
#: two plots costs 10-15 ms of GUI-thread CPU (their axes and grid), the progress
#: line ~3 ms.
CURVES_REDRAW_MS = 1000
#: How long a transient status-bar message stays (the model summary stays for good).
STATUS_MS = 10_000
