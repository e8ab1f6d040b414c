"""Train the three models: the lesson's recipe by default, every knob changeable.

Training talks to its caller only through plain callables: ``on_event``
receives :class:`TrainingEvent` objects (throttled at batch level), and
``should_stop`` is polled after every batch; when it returns True the fit loop
ends after that batch (``model.stop_training``, as Keras's EarlyStopping does)
and the best weights seen so far are restored. No GUI code here: the GUI's
worker turns the events into Qt signals.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from digitlab.engine import MODEL_KINDS
from digitlab.engine.augment import augmented_dataset
from digitlab.engine.data import MnistData
from digitlab.engine.devices import training_strategy
from digitlab.engine.evaluation import evaluate, keras_predict_proba
from digitlab.engine.models import build_model, check_kind
from digitlab.engine.tf_runtime import import_keras, import_tensorflow
from digitlab.engine.training_progress import TrainingEvent, make_progress_callback

#: Largest batch accepted. Measured (CNN, one epoch): peak memory is flat up to 1024
#: (~1.3 GB with TensorFlow), 2048 adds 150 MB and 4096 760 MB: activations grow with it.
MAX_BATCH_SIZE = 1024
#: Most epochs one run may ask for (early stopping usually ends far sooner).
MAX_EPOCHS = 1000

#: MNIST test accuracy reported by the lesson, for comparison in the CLI and GUI.
LESSON_ACCURACY = {"multinomial": 0.9180, "dnn": 0.9573, "cnn": 0.9845, "cnn_dropout": 0.9867}


@dataclass(frozen=True)
class TrainConfig:
    """How to train. The defaults are the lesson's recipe.

    Attributes:
        kind: ``"multinomial"``, ``"dnn"`` or ``"cnn"``.
        epochs: the most epochs to run (early stopping usually ends sooner).
        learning_rate: Adam's (initial) learning rate.
        batch_size: samples per gradient step.
        validation_split: fraction of the training set held out, taken from
            its end as ``model.fit(validation_split=...)`` does.
        patience: early stopping on ``val_loss``; epochs without improvement
            before stopping. ``0`` disables early stopping.
        dropout: CNN only: Dropout(0.25) before the dense layers.
        augment: random shifts, rotations, scale and stroke width (see
            :mod:`engine.augment`).
        pen_share: with ``augment``, the share of training digits shown redrawn as
            pen strokes each epoch (:func:`engine.augment.pen_versions`, made once
            before the first epoch, ~1.5 ms a digit); 0: none. Tried at 0.3 for the
            shipped CNN and DNN and not kept: on pen-redrawn test digits +0.2 points,
            on MNIST's own and restyled digits -0.2 to -0.5 (resources/models/README.md).
        elastic_share: with ``augment``, the share of each batch's digits also bent by a
            smooth random displacement field (:func:`engine.augment.elastic_warp`); 0: none.
            Tried at 0.5 for the shipped CNN and not kept: -0.2 points on MNIST, -0.1 on
            pen-redrawn digits, -1.6 on held-out hands' digits (resources/models/README.md).
        schedule: ``"constant"`` or ``"cosine"`` (decay to 1% over ``epochs``).
        limit: use only the first ``limit`` training samples.
        seed: seeds numpy, TensorFlow and Keras for a reproducible run.
    """

    kind: str = "cnn"
    epochs: int = 50
    learning_rate: float = 1e-4
    batch_size: int = 100
    validation_split: float = 0.2
    patience: int = 3
    dropout: bool = True
    augment: bool = False
    pen_share: float = 0.0
    elastic_share: float = 0.0
    schedule: str = "constant"
    limit: int | None = None
    seed: int | None = None

    def __post_init__(self):
        check_kind(self.kind)
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(
                f"Received epochs={self.epochs}; epochs must be between 1 and {MAX_EPOCHS}.")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"Received learning_rate={self.learning_rate}; it must be > 0.")
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(
                f"Received batch_size={self.batch_size}; it must be between 1 and "
                f"{MAX_BATCH_SIZE} (memory grows with the batch).")
        if not 0.0 <= self.validation_split < 1.0:
            raise ValueError(
                f"Received validation_split={self.validation_split}; it must be in [0, 1)."
            )
        if self.patience < 0:
            raise ValueError(f"Received patience={self.patience}; it must be >= 0.")
        for name in ("pen_share", "elastic_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Received {name}={getattr(self, name)}; it must be in [0, 1].")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError(
                f"Received schedule={self.schedule!r}; expected 'constant' or 'cosine'."
            )
        if self.limit is not None and self.limit < 2:
            raise ValueError(f"Received limit={self.limit}; it must be >= 2.")
        if self.seed is not None and not 0 <= self.seed < 2**32:
            raise ValueError(f"Received seed={self.seed}; it must be between 0 and 2**32 - 1.")


def lesson_recipe(kind: str, **overrides) -> TrainConfig:
    """The lesson's recipe: Adam 1e-4, batch 100, split 0.2, patience 3."""
    return replace(TrainConfig(kind=kind), **overrides)


def improved_recipe(kind: str, **overrides) -> TrainConfig:
    """Digit Lab's recipe for the shipped models.

    A 10x higher learning rate with cosine decay reaches a better optimum in
    fewer epochs; augmentation makes the models hold up on digits drawn by
    people (thick, thin, slanted, off-centre), not only on MNIST's test set.
    """
    base = TrainConfig(
        kind=kind,
        epochs=30,
        learning_rate=1e-3,
        batch_size=100,
        validation_split=0.1,
        patience=10,
        # A linear model cannot be invariant to shifts or slant: augmentation
        # only costs it accuracy (0.87 vs 0.927 on the test set, measured).
        augment=check_kind(kind) != "multinomial",
        schedule="cosine",
    )
    return replace(base, **overrides)


@dataclass
class TrainResult:
    """What a training run produced.

    Attributes:
        model: the trained Keras model (best weights restored).
        config: the configuration used.
        history: per-epoch lists of ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``.
        epochs_run: epochs completed.
        best_epoch: 0-based epoch whose weights were kept (None if no validation).
        stop_reason: ``"completed"``, ``"early_stopping"``, ``"user"`` or ``"nan"``.
        seconds: wall-clock training time.
        test_accuracy: accuracy on the test set, if evaluated.
    """

    model: object
    config: TrainConfig
    history: dict
    epochs_run: int
    best_epoch: int | None
    stop_reason: str
    seconds: float
    test_accuracy: float | None = None


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 ``(N, 28, 28)`` → float32 in [0, 1], as the lesson does (``/ 255``)."""
    return np.asarray(images, dtype=np.float32) / np.float32(255.0)


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float):
    """Hold out the last ``fraction`` of the samples, like ``model.fit(validation_split=...)``."""
    if fraction <= 0:
        return (x, y), None
    n_val = int(len(x) * fraction)
    if n_val < 1 or n_val >= len(x):
        raise ValueError(
            f"Received validation_split={fraction} for {len(x)} samples; "
            "it leaves no training or no validation samples."
        )
    return (x[:-n_val], y[:-n_val]), (x[-n_val:], y[-n_val:])


def train(
    config: TrainConfig,
    data: MnistData,
    on_event: Callable[[TrainingEvent], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    evaluate_test: bool = True,
    *,
    initial_model=None,
    extra_train: tuple[np.ndarray, np.ndarray] | None = None,
) -> TrainResult:
    """Train a model.

    On several GPUs the model is built and compiled inside a
    ``tf.distribute.MirroredStrategy`` scope (see :func:`engine.devices.training_strategy`);
    on one GPU or the CPU, Keras's default placement is used.

    Args:
        config: the recipe and knobs.
        data: MNIST arrays (uint8 images); ``config.limit`` slices the training set.
        on_event: called with :class:`TrainingEvent` objects (from the training
            thread; at most every 50 ms for batch events).
        should_stop: polled after every batch; True ends training after that batch.
        evaluate_test: compute the test-set accuracy at the end.
        initial_model: continue training a copy of this Keras model (fine-tuning)
            instead of a fresh one; it must be of ``config.kind`` and is left untouched.
        extra_train: ``(x (N, 28, 28) uint8 or [0, 1] float, y (N,) labels)`` added
            to the training samples only (never to the validation hold-out), e.g.
            the user's own drawings.

    Returns:
        A :class:`TrainResult` whose model holds the best weights seen.

    Raises:
        ValueError: ``initial_model`` is not of ``config.kind``, or ``extra_train``
            has the wrong shapes or labels.
    """
    import_tensorflow()
    keras = import_keras()
    if config.seed is not None:
        keras.utils.set_random_seed(config.seed)
    x = scale_images(data.x_train[: config.limit])
    y = np.asarray(data.y_train[: config.limit], dtype=np.int64)
    (x_tr, y_tr), val = split_validation(x, y, config.validation_split)
    if extra_train is not None:
        x_extra, y_extra = _check_extra_train(extra_train)
        x_tr = np.concatenate([x_tr, x_extra])
        y_tr = np.concatenate([y_tr, y_extra])
    steps = math.ceil(len(x_tr) / config.batch_size)

    strategy = training_strategy()
    # Variables (model and optimizer) must be created inside the strategy's scope
    # to be mirrored on every GPU; without a strategy this is a no-op context.
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = (
            build_model(config.kind, dropout=config.dropout)
            if initial_model is None
            else _copy_model(initial_model, config.kind)
        )
        lr = config.learning_rate
        if config.schedule == "cosine":
            lr = keras.optimizers.schedules.CosineDecay(
                lr, decay_steps=steps * config.epochs, alpha=0.01
            )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=lr),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )

    progress = make_progress_callback(keras)(
        config.epochs, steps, config.batch_size, on_event, should_stop
    )
    callbacks = [progress]
    if config.patience > 0:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss" if val is not None else "loss",
                patience=config.patience,
                restore_best_weights=True,
            )
        )

    if config.augment:
        if config.pen_share > 0 and on_event is not None:
            on_event(TrainingEvent(type="message", epochs=config.epochs, batches_per_epoch=steps,
                                   message=f"Redrawing {len(x_tr)} training digits as pen "
                                   f"strokes ({config.pen_share:.0%} of each epoch's digits)..."))
        train_ds = augmented_dataset(x_tr, y_tr, config.batch_size, config.seed, config.pen_share,
                                     should_stop, config.elastic_share)
        fit_args = {"x": train_ds, "shuffle": False}
    else:
        fit_args = {"x": x_tr, "y": y_tr, "batch_size": config.batch_size, "shuffle": True}

    t0 = time.perf_counter()
    model.fit(**fit_args, epochs=config.epochs, validation_data=val, callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - t0

    early = next((c for c in callbacks if isinstance(c, keras.callbacks.EarlyStopping)), None)
    if progress.stop_reason is not None:
        stop_reason = progress.stop_reason
        progress.restore_best()
    elif early is not None and early.stopped_epoch > 0:
        stop_reason = "early_stopping"
    else:
        stop_reason = "completed"
        progress.restore_best()
    epochs_run = len(progress.history["loss"])
    if stop_reason == "early_stopping":
        progress._emit(
            "message",
            message=(
                f"Early stopping after epoch {epochs_run}: val_loss did not improve for "
                f"{config.patience} epochs; restored the weights of epoch "
                f"{progress.best_epoch + 1}."
            ),
        )
    elif progress.best_epoch is not None:
        progress._emit(
            "message",
            message=(
                f"Kept the weights of the best epoch, {progress.best_epoch + 1} of {epochs_run}."
            ),
        )
    if stop_reason == "nan" and progress.best_weights is None:
        raise FloatingPointError(
            "the loss became NaN before any epoch finished; no usable model "
            f"(learning_rate={config.learning_rate} may be too high)"
        )
    result = TrainResult(
        model=model,
        config=config,
        history=progress.history,
        epochs_run=epochs_run,
        best_epoch=progress.best_epoch,
        stop_reason=stop_reason,
        seconds=seconds,
    )
    if evaluate_test:
        result.test_accuracy = evaluate_accuracy(model, data.x_test, data.y_test)
    progress._emit(
        "end",
        logs={"test_accuracy": result.test_accuracy} if evaluate_test else {},
        message=stop_reason,
    )
    return result


def _copy_model(model, kind: str):
    """A fresh Keras model with ``model``'s architecture and weights (``model`` is untouched)."""
    from digitlab.engine.models import infer_kind  # noqa: PLC0415

    keras = import_keras()
    found = infer_kind(model)
    if found != kind:
        raise ValueError(f"Received a {found} model to continue training; config.kind is {kind!r}.")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def _check_extra_train(extra_train) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` -> float32 ``(N, 28, 28)`` in [0, 1] and int64 ``(N,)`` labels."""
    try:
        x_raw, y_raw = extra_train
    except (TypeError, ValueError):
        raise ValueError(
            f"Received extra_train of type {type(extra_train).__name__}; expected (x, y)."
        ) from None
    x_raw, y = np.asarray(x_raw), np.asarray(y_raw)
    if x_raw.ndim != 3 or x_raw.shape[1:] != (28, 28):
        raise ValueError(f"Received extra_train x of shape {x_raw.shape}; expected (N, 28, 28).")
    if y.shape != (len(x_raw),):
        raise ValueError(
            f"Received extra_train y of shape {y.shape} for {len(x_raw)} images; "
            f"expected ({len(x_raw)},)."
        )
    if len(y) and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9):
        raise ValueError(f"Received extra_train labels {np.unique(y)[:10]}; labels must be 0..9.")
    x = scale_images(x_raw) if x_raw.dtype == np.uint8 else x_raw.astype(np.float32)
    return x, y.astype(np.int64)


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Probabilities ``(N, 10)`` for uint8 or [0, 1] float images ``(N, 28, 28)``
    (:func:`engine.evaluation.keras_predict_proba`)."""
    return keras_predict_proba(model, batch_size)(images)


def evaluate_accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``images`` whose most probable class equals ``labels``.

    The accuracy of :func:`engine.evaluation.evaluate`, the one chunked evaluation.
    """
    return evaluate(keras_predict_proba(model), images, labels).accuracy


__all__ = [
    "LESSON_ACCURACY",
    "MODEL_KINDS",
    "TrainConfig",
    "TrainResult",
    "TrainingEvent",
    "evaluate_accuracy",
    "improved_recipe",
    "lesson_recipe",
    "predict_probabilities",
    "train",
]
