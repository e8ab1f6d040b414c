"""Checking a ``.keras`` archive before Keras (or any reader) sees it; no TensorFlow here.

A ``.keras`` file is a zip archive of ``config.json`` (the architecture),
``metadata.json`` and ``model.weights.h5``. Before anything is deserialized:

- the path must be a regular file of bounded size, the archive intact, with no
  path-traversal names;
- ``config.json`` must hold only plain Keras classes and no serialized code;
- the architecture is walked layer by layer, computing every output shape and
  parameter count from the config (not from what the file claims), so a config
  that would allocate gigabytes when Keras builds it is refused first;
- ``model.weights.h5`` may be at most what that parameter count implies, checked
  on its declared size and again while it is decompressed, streaming.

The members that pass come back as bytes, so the loader can hand Keras a clean
in-memory archive: Keras then extracts nothing to the temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from digitlab.engine import model_shapes
from digitlab.engine.errors import one_line
from digitlab.engine.safe_files import UnsafeFileError, open_regular
from digitlab.engine.safe_zip import check_zip_directory, check_zip_members, read_zip_member

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


@dataclass(frozen=True)
class ModelLimits:
    """Bounds for one ``.keras`` file (tests scale them down to make small bombs).

    Attributes:
        max_parameters: most trainable + non-trainable values the architecture may
            have. The lesson's CNN has 130,890; 2 million leaves room for a user's
            bigger experiments while its weights stay a few MB.
        bytes_per_parameter: most bytes the weights file may spend per parameter:
            float64 values for the weights and up to three optimizer slots (Adam keeps
            two; the shipped CNN's file spends 12.3 bytes per parameter).
        weights_overhead: HDF5 metadata allowance on top (groups, attributes).
        max_config_bytes: a lesson config.json is ~8 KB.
        max_file_bytes: the whole ``.keras`` file.
        max_other_member_bytes: each other member (metadata, assets) — assets are
            never extracted, only their declared size counts.
        max_activation_values: most values one layer may output per image (a probe
            run and every prediction allocate them).
    """

    max_parameters: int = 2_000_000
    bytes_per_parameter: int = 32
    weights_overhead: int = 1 << 20
    max_config_bytes: int = 1 << 20
    max_file_bytes: int = 128 << 20
    max_other_member_bytes: int = 1 << 20
    max_activation_values: int = 4_000_000

    def weights_limit(self, parameters: int) -> int:
        """Most bytes ``model.weights.h5`` may hold for ``parameters`` parameters."""
        return parameters * self.bytes_per_parameter + self.weights_overhead


DEFAULT_LIMITS = ModelLimits()


class ModelArchiveError(ValueError):
    """A ``.keras`` file that must not be loaded; the message starts with the path."""


@dataclass(frozen=True)
class ModelArchive:
    """A checked ``.keras`` archive.

    Attributes:
        path: the file (``~`` expanded).
        config: the parsed ``config.json``.
        parameters: the parameter count the architecture implies.
        members: ``{name: bytes}`` of config.json, metadata.json (if any) and
            model.weights.h5 — everything a loader needs, already size-checked.
    """

    path: Path
    config: dict
    parameters: int
    members: dict

    def clean_zip(self) -> io.BytesIO:
        """An in-memory ``.keras`` archive holding only the checked members."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
            for name, data in self.members.items():
                zf.writestr(name, data)
        buffer.seek(0)
        return buffer


def check_model_archive(path: str | os.PathLike,
                        limits: ModelLimits = DEFAULT_LIMITS) -> ModelArchive:
    """Check a ``.keras`` file and read its members, bounded, without Keras.

    Args:
        path: a ``.keras`` file.
        limits: the bounds (see :class:`ModelLimits`).

    Returns:
        A :class:`ModelArchive`.

    Raises:
        ModelArchiveError: one line naming the file: not a regular file, not a zip,
            corrupt, unsafe member names, serialized code, an architecture that is
            too large or cannot be sized, or members larger than it implies.
    """
    p = Path(path).expanduser()
    try:
        fh = open_regular(p, "model file", max_bytes=limits.max_file_bytes)
    except UnsafeFileError as exc:
        raise ModelArchiveError(str(exc)) from None
    with fh:
        if not zipfile.is_zipfile(fh):
            raise ModelArchiveError(f"{p}: not a Keras model (.keras files are zip archives)")
        try:
            check_zip_directory(fh, p)
            with zipfile.ZipFile(fh) as zf:
                return _check_open_archive(zf, p, limits)
        except UnsafeFileError as exc:
            raise ModelArchiveError(str(exc)) from None
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise ModelArchiveError(
                f"{p}: the archive is corrupt ({one_line(exc, name_file=False)})") from None


def _check_open_archive(zf: zipfile.ZipFile, p: Path, limits: ModelLimits) -> ModelArchive:
    weights_cap = limits.weights_limit(limits.max_parameters)
    sizes = {CONFIG: limits.max_config_bytes, METADATA: limits.max_other_member_bytes,
             WEIGHTS: weights_cap}
    infos = check_zip_members(zf, p, sizes, limits.max_config_bytes + weights_cap
                              + 16 * limits.max_other_member_bytes,
                              default_limit=limits.max_other_member_bytes)
    by_name = {i.filename: i for i in infos}
    if CONFIG not in by_name:
        raise ModelArchiveError(f"{p}: not a Keras model (no config.json inside)")
    if WEIGHTS not in by_name:
        raise ModelArchiveError(f"{p}: not a Keras model (no model.weights.h5 inside)")
    raw = read_zip_member(zf, by_name[CONFIG], p, limits.max_config_bytes)
    try:
        config = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelArchiveError(f"{p}: config.json is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ModelArchiveError(f"{p}: config.json does not describe a model")
    code = find_custom_code(config)
    if code is not None:
        # Refused before Keras deserializes anything: safe_mode stops Lambda layers,
        # but an unknown class would still be looked up (and its module imported).
        raise ModelArchiveError(
            f"{p}: refused: it contains serialized code ({code}), which Digit Lab "
            "refuses to run; use model files only from sources you trust")
    try:
        parameters = model_shapes.count_parameters(config, limits.max_activation_values)
    except model_shapes.ShapeError as exc:
        raise ModelArchiveError(f"{p}: {exc}") from None
    if parameters > limits.max_parameters:
        raise ModelArchiveError(
            f"{p}: the architecture has {parameters:,} parameters, more than the limit of "
            f"{limits.max_parameters:,}")
    members = {CONFIG: raw}
    if METADATA in by_name:
        members[METADATA] = read_zip_member(zf, by_name[METADATA], p,
                                            limits.max_other_member_bytes)
    # The weights may hold what the architecture needs and no more (padding, a bomb):
    # checked on the size the archive declares, then again while decompressing.
    weights_limit = limits.weights_limit(parameters)
    check_zip_members(zf, p, {**sizes, WEIGHTS: weights_limit}, 1 << 62,
                      default_limit=limits.max_other_member_bytes)
    members[WEIGHTS] = read_zip_member(zf, by_name[WEIGHTS], p, weights_limit)
    # HDF5 compresses datasets itself: a small file may declare a huge array, which
    # Keras would read whole. The declared sizes must fit what the architecture needs.
    _check_h5_declared_sizes(members[WEIGHTS], p, weights_limit)
    return ModelArchive(p, config, parameters, members)


#: Most groups and datasets in model.weights.h5 (the lesson's CNN has a few dozen).
_MAX_H5_OBJECTS = 10_000


def _check_h5_declared_sizes(data: bytes, p: Path, limit: int) -> None:
    """Refuse a weights file whose datasets declare more bytes than ``limit`` together.

    Raises:
        ModelArchiveError: too many objects, too many declared bytes, or not HDF5.
    """
    import h5py  # noqa: PLC0415 - Keras's own HDF5 reader; no TensorFlow

    declared, objects = 0, 0

    def visit(name, obj):
        nonlocal declared, objects
        objects += 1
        if objects > _MAX_H5_OBJECTS:
            raise ModelArchiveError(
                f"{p}: model.weights.h5 holds more than {_MAX_H5_OBJECTS:,} objects")
        if isinstance(obj, h5py.Dataset):
            declared += int(obj.size or 0) * obj.dtype.itemsize
            if declared > limit:
                raise ModelArchiveError(
                    f"{p}: model.weights.h5 declares more than {limit:,} bytes of arrays "
                    f"(at {name!r}), more than the architecture's parameters need")

    try:
        with h5py.File(io.BytesIO(data), "r") as h5:
            h5.visititems(visit)
    except ModelArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - h5py raises OSError, KeyError, ValueError...
        raise ModelArchiveError(
            f"{p}: model.weights.h5 is not a readable HDF5 file "
            f"({one_line(exc, name_file=False)})") from None


#: Classes that carry Python code (or load it) inside a model file.
_CODE_CLASSES = frozenset({"Lambda", "__lambda__", "TFSMLayer"})


def find_custom_code(config) -> str | None:
    """Name the first object in a Keras model config that is not plain Keras.

    Args:
        config: the parsed ``config.json`` of a ``.keras`` file.

    Returns:
        ``None`` when every serialized object comes from a ``keras`` module and
        none carries code; otherwise a short description such as ``"a Lambda
        layer"`` or ``"class my_pkg.layers.Custom"``.
    """
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            name, module = node.get("class_name"), node.get("module")
            if name in _CODE_CLASSES:
                return f"a {name} layer"
            # "keras" or "keras.<sub>", never a look-alike such as "keras_evil".
            if isinstance(module, str) and module != "keras" and not module.startswith("keras."):
                return f"class {module}.{name}"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def check_probe_outputs(path: str | os.PathLike, outputs) -> None:
    """Refuse a model whose outputs on the probe images are not (N, 10) finite values.

    Args:
        path: the model file, for the message.
        outputs: the model's output on the probe images (array-like, (N, 10)).

    Raises:
        ModelArchiveError: wrong shape, or NaN / infinity (huge finite weights
            overflow to these, and a NaN would reach the JSON a user reads).
    """
    import numpy as np  # noqa: PLC0415

    out = np.asarray(outputs)
    if out.ndim != 2 or out.shape[1] != 10:
        raise ModelArchiveError(
            f"{path}: the model returns shape {out.shape[1:]} for 28x28 images; expected (10,)")
    if not np.isfinite(out).all():
        raise ModelArchiveError(
            f"{path}: the model's outputs are NaN or infinite on a test image "
            "(its weights are too large or broken)")
