"""Which model file each kind uses: the user's own or the shipped one.

For each of ``engine.MODEL_KINDS`` the user's model
(:func:`engine.paths.user_model_path`) wins when it exists and loads; a bad
user file falls back to the shipped model with a note saying why. Restoring
the shipped models sets the user's files aside as ``<kind>.keras.bak``
instead of deleting them. :class:`ModelInfo` records where a model in use came
from and :func:`describe_models` turns that into the app's status line. No
Qt: the app's model loader calls these off the GUI thread.

Choosing and reading the files needs no TensorFlow: :func:`load_models` reads
them straight into the numpy networks the Draw tab predicts with
(:mod:`engine.keras_reader`), so the app predicts before TensorFlow is imported;
:func:`load_keras_models` loads the same files into Keras afterwards, for the
parts of the lesson that train or take gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitlab.engine import MODEL_KINDS
from digitlab.engine.errors import one_line

__all__ = ["ModelInfo", "describe_models", "load_keras_models", "load_kind", "load_models",
           "measure_accuracy", "set_user_models_aside"]

#: Test images per chunk when an accuracy is measured (a stop request is checked between).
ACCURACY_CHUNK = 2000

@dataclass(frozen=True)
class ModelInfo:
    """Where a model in use came from.

    Attributes:
        source: ``"shipped"``, ``"user"``, ``"loading"`` or ``"missing"``.
        path: the file it was loaded from or saved to; None while loading, when
            missing, or when a user model could not be saved (memory only).
        test_accuracy: accuracy on the MNIST test set, None until known.
    """

    source: str
    path: str | None = None
    test_accuracy: float | None = None


def _english(context: str, source: str) -> str:
    return source


def describe_models(info: dict[str, ModelInfo],
                    translate: Callable[[str, str], str] = _english) -> str:
    """One status line, e.g. ``"Models: multinomial 92.6% (shipped) · CNN 99.1% (yours)"``.

    Args:
        info: kind -> where its model came from.
        translate: ``(context, source) -> text``; the GUI passes Qt's (English by default).
    """
    labels = {"multinomial": translate("ModelStore", "multinomial"),
              "dnn": translate("ModelStore", "DNN"), "cnn": translate("ModelStore", "CNN")}
    parts = []
    for kind in MODEL_KINDS:
        item = info.get(kind, ModelInfo("missing"))
        if item.source == "missing":
            parts.append(translate("ModelStore", "{0}: none").format(labels[kind]))
            continue
        if item.source == "loading":
            parts.append(translate("ModelStore", "{0}: loading…").format(labels[kind]))
            continue
        accuracy = (translate("ModelStore", "accuracy …") if item.test_accuracy is None
                    else f"{item.test_accuracy:.2%}")
        if item.source != "user":
            origin = translate("ModelStore", "shipped")
        elif item.path is None:
            origin = translate("ModelStore", "yours, not saved")
        else:
            origin = translate("ModelStore", "yours")
        parts.append(
            translate("ModelStore", "{0} {1} ({2})").format(labels[kind], accuracy, origin))
    return translate("ModelStore", "Models: {0}").format(" · ".join(parts))


def _load_usable(path: Path, kind: str):
    """Read a model file into the numpy network, without TensorFlow.

    Raises:
        engine.models.ModelFileError: the file is bad, or holds layers the
            predictor does not implement (so that one odd file cannot stop all
            models from loading).
    """
    from digitlab.engine.keras_reader import read_model_network  # noqa: PLC0415

    return read_model_network(path, expected_kind=kind)[0]


def load_kind(kind: str, shipped_dir: str | Path | None = None,
              prefer_user: bool = True, translate: Callable[[str, str], str] = _english,
              ) -> tuple[object | None, ModelInfo, str]:
    """Read the model ``kind`` should use: the user's when it loads, else the shipped one.

    Args:
        kind: one of ``engine.MODEL_KINDS``.
        shipped_dir: where the shipped ``<kind>.keras`` files are; by default
            ``engine.models.SHIPPED_MODELS_DIR``.
        prefer_user: False to ignore the user's file (restoring the shipped models).
        translate: ``(context, source) -> text`` for the note (English by default).

    Returns:
        ``(network or None, ModelInfo, note)``: the ``engine.numpy_layers.Network``
        read from the file named by ``ModelInfo.path``; ``note`` is "" or one line for
        the status bar (a user file that fell back, a missing shipped file).
    """
    from digitlab.engine.models import (  # noqa: PLC0415
        SHIPPED_MODELS_DIR,
        ModelFileError,
        read_test_accuracy,
    )
    from digitlab.engine.paths import user_model_path  # noqa: PLC0415

    note = ""
    user_path = user_model_path(kind)
    if prefer_user and user_path.exists():
        try:
            model = _load_usable(user_path, kind)
            return model, ModelInfo("user", str(user_path), read_test_accuracy(user_path)), ""
        except ModelFileError as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 - one odd user file must not stop all models
            reason = f"{user_path}: {one_line(exc)}"
        note = translate("ModelSources", "Your {0} model could not be loaded ({1}); "
                                         "using the shipped one.").format(kind, reason)
    shipped = Path(shipped_dir or SHIPPED_MODELS_DIR) / f"{kind}.keras"
    if not shipped.exists():
        missing = translate("ModelSources", "No {0} model: {1} is missing (train one in the "
                                            "Train tab).").format(kind, shipped)
        return None, ModelInfo("missing"), " ".join(filter(None, (note, missing)))
    try:
        model = _load_usable(shipped, kind)
    except ModelFileError as exc:
        return None, ModelInfo("missing"), " ".join(filter(None, (note, str(exc))))
    return model, ModelInfo("shipped", str(shipped), read_test_accuracy(shipped)), note


def load_models(shipped_dir: str | Path | None = None, prefer_user: bool = True,
                should_stop: Callable[[], bool] | None = None,
                translate: Callable[[str, str], str] = _english):
    """:func:`load_kind` for every kind.

    Returns:
        ``(networks, info, notes)``: kind -> numpy network (kinds that loaded), kind ->
        :class:`ModelInfo` (every kind), and the notes; None if ``should_stop``
        said stop between two kinds. No TensorFlow is imported.
    """
    models, info, notes = {}, {}, []
    for kind in MODEL_KINDS:
        if should_stop is not None and should_stop():
            return None
        model, info[kind], note = load_kind(kind, shipped_dir, prefer_user, translate)
        if model is not None:
            models[kind] = model
        if note:
            notes.append(note)
    return models, info, tuple(notes)


def load_keras_models(info: dict[str, ModelInfo],
                      should_stop: Callable[[], bool] | None = None):
    """Load the files :func:`load_models` chose into Keras (imports TensorFlow).

    Args:
        info: kind -> :class:`ModelInfo`; each kind with a ``path`` is loaded from it.
        should_stop: checked between two files.

    Returns:
        ``(models, notes)``: kind -> Keras model, and one line per file Keras could
        not load (the numpy network read from it stays in use); None if stopped.
    """
    from digitlab.engine.models import ModelFileError, load_model  # noqa: PLC0415 - TF

    models, notes = {}, []
    for kind, item in info.items():
        if item.path is None or item.source not in ("user", "shipped"):
            continue
        if should_stop is not None and should_stop():
            return None
        try:
            models[kind], _ = load_model(item.path, expected_kind=kind)
        except ModelFileError as exc:
            notes.append(f"Keras could not load the {kind} model ({exc}).")
    return models, tuple(notes)


def measure_accuracy(predictor, kind: str, data,
                     should_stop: Callable[[], bool] | None = None) -> float | None:
    """Test accuracy of ``predictor``'s ``kind`` model on ``data`` (``engine.data.MnistData``).

    The one chunked evaluation (:func:`engine.evaluation.evaluate`) on the numpy
    network (no TensorFlow), so that a stop request (closing the window right after
    start-up) is answered between chunks. Returns None if stopped.
    """
    from digitlab.engine.evaluation import evaluate, predictor_predict_proba  # noqa: PLC0415

    report = evaluate(predictor_predict_proba(predictor, kind), data.x_test, data.y_test,
                      chunk_size=ACCURACY_CHUNK, should_stop=should_stop)
    return None if report is None else report.accuracy


def set_user_models_aside() -> tuple[list[Path], list[str]]:
    """Rename the user's model files to ``<kind>.keras.bak`` and drop their cards.

    Returns:
        ``(kept, problems)``: the ``.bak`` paths written, and one line per file that
        could not be set aside (the caller says so; the rest still happens).
    """
    from digitlab.engine.paths import user_model_path  # noqa: PLC0415

    kept, problems = [], []
    for kind in MODEL_KINDS:
        path = user_model_path(kind)
        try:
            if path.exists():
                backup = path.with_name(path.name + ".bak")
                path.replace(backup)
                kept.append(backup)
            path.with_suffix(".json").unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"Could not set {path} aside ({exc}).")
    return kept, problems
