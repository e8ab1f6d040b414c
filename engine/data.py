"""Load MNIST: the bundled copy, a user's ``.npz``, or a folder of IDX files.

Everything returned is validated: shapes ``(N, 28, 28)``, dtype ``uint8``
(0 = background, 255 = ink), labels ``uint8`` in 0..9, one label per image.
Nothing here touches the network.
"""

from __future__ import annotations

import gzip
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab import resources

#: The bundled copy of the MNIST database (LeCun, Cortes, Burges; CC BY-SA 3.0).
BUNDLED_MNIST = resources.path("data", "mnist.npz")

_KEYS = ("x_train", "y_train", "x_test", "y_test")
_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class MnistFormatError(ValueError):
    """A user-given MNIST file or folder does not have MNIST's layout."""


@dataclass(frozen=True)
class MnistData:
    """The four MNIST arrays.

    Attributes:
        x_train: ``(N, 28, 28) uint8`` training images, ink bright.
        y_train: ``(N,) uint8`` training labels, 0..9.
        x_test: ``(M, 28, 28) uint8`` test images.
        y_test: ``(M,) uint8`` test labels.
        source: where the arrays came from, for messages.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str = "bundled"

    def limit(self, n_train: int | None = None, n_test: int | None = None) -> MnistData:
        """Return the first ``n_train`` training and ``n_test`` test samples."""
        for name, value in (("n_train", n_train), ("n_test", n_test)):
            if value is not None and value < 1:
                raise ValueError(f"Received {name}={value}; it must be >= 1.")
        return MnistData(
            self.x_train[:n_train],
            self.y_train[:n_train],
            self.x_test[:n_test],
            self.y_test[:n_test],
            self.source,
        )


def load_mnist(source: str | Path | None = None) -> MnistData:
    """Load MNIST.

    Args:
        source: ``None`` for the bundled copy; a path to an ``.npz`` with the
            keys ``x_train, y_train, x_test, y_test`` (the layout
            ``keras.datasets.mnist.load_data()`` reads); or a folder holding
            the four IDX files (``train-images-idx3-ubyte`` etc., optionally
            ``.gz``).

    Returns:
        A validated :class:`MnistData`.

    Raises:
        FileNotFoundError: the path does not exist.
        MnistFormatError: missing keys, wrong shapes, dtypes or labels.
    """
    path = BUNDLED_MNIST if source is None else Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"MNIST source not found: {path}")
    arrays = _read_idx_folder(path) if path.is_dir() else _read_npz(path)
    _validate(arrays, path)
    return MnistData(**arrays, source="bundled" if source is None else str(path))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    # np.load would also read a lone .npy array or report a text file as "pickled
    # data"; an .npz is a zip archive, so say plainly when the file is not one.
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise MnistFormatError(f"{path}: cannot read ({exc})") from exc
    if not is_zip:
        raise MnistFormatError(
            f"{path}: not a readable .npz file (not a zip archive; expected the arrays "
            f"{', '.join(_KEYS)} as numpy.savez writes them)")
    try:
        # allow_pickle=False: an .npz from elsewhere must not run code.
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in _KEYS if k not in npz.files]
            if missing:
                raise MnistFormatError(
                    f"{path}: missing key(s) {', '.join(missing)}; "
                    f"found {', '.join(npz.files) or 'none'}"
                )
            return {k: npz[k] for k in _KEYS}
    except MnistFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise MnistFormatError(f"{path}: not a readable .npz file ({exc})") from exc


def _read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in _IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        # Some distributions use a dot before idx ("train-images.idx3-ubyte").
        candidates += [
            folder / stem.replace("-idx", ".idx"),
            folder / f"{stem.replace('-idx', '.idx')}.gz",
        ]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise MnistFormatError(f"{folder}: missing IDX file {stem}[.gz]")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into a numpy array.

    Raises:
        MnistFormatError: bad magic number, unsupported type or truncated data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise MnistFormatError(f"{path}: cannot read ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise MnistFormatError(f"{path}: not an IDX file (bad magic number)")
    type_code, ndim = raw[2], raw[3]
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if type_code not in dtypes:
        raise MnistFormatError(f"{path}: unsupported IDX data type 0x{type_code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistFormatError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(dtypes[type_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise MnistFormatError(
            f"{path}: IDX header says shape {shape} ({expected} bytes) "
            f"but the file holds {len(raw) - header} bytes of data"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _validate(arrays: dict[str, np.ndarray], path: Path) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MnistFormatError(f"{path}: x_{split} has shape {x.shape}; expected (N, 28, 28)")
        if x.dtype != np.uint8:
            raise MnistFormatError(f"{path}: x_{split} has dtype {x.dtype}; expected uint8")
        if y.ndim != 1:
            raise MnistFormatError(f"{path}: y_{split} has shape {y.shape}; expected (N,)")
        if not np.issubdtype(y.dtype, np.integer):
            raise MnistFormatError(
                f"{path}: y_{split} has dtype {y.dtype}; expected an integer type"
            )
        if len(x) != len(y):
            raise MnistFormatError(
                f"{path}: x_{split} has {len(x)} images but y_{split} has {len(y)} labels"
            )
        if len(x) == 0:
            raise MnistFormatError(f"{path}: x_{split} is empty")
        if y.min() < 0 or y.max() > 9:
            bad = y[(y < 0) | (y > 9)][0]
            raise MnistFormatError(f"{path}: y_{split} has label {bad}; labels must be 0..9")
        arrays[f"y_{split}"] = y.astype(np.uint8)
