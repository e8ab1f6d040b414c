"""Load MNIST: the bundled copy, a user's ``.npz``, or a folder of IDX files.

Everything returned is validated: shapes ``(N, 28, 28)``, dtype ``uint8``
(0 = background, 255 = ink), labels ``uint8`` in 0..9, one label per image.
Nothing here touches the network.
"""

from __future__ import annotations

import contextlib
import gzip
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab import resources
from digitlab.engine.errors import one_line
from digitlab.engine.safe_files import UnsafeFileError, open_regular
from digitlab.engine.safe_zip import check_zip_directory, check_zip_members

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


#: Most images per split a user's MNIST file may hold: twice MNIST's 60,000 training
#: images. Training scales them to float32 (x4), so this keeps a run under ~1 GB.
MAX_IMAGES = 120_000
#: npy headers are a few hundred bytes; numpy itself refuses more than 10,000.
_MAX_NPY_HEADER = 10_000


def load_mnist(source: str | Path | None = None, max_images: int | None = None) -> MnistData:
    """Load MNIST.

    Args:
        source: ``None`` for the bundled copy; a path to an ``.npz`` with the
            keys ``x_train, y_train, x_test, y_test`` (the layout
            ``keras.datasets.mnist.load_data()`` reads); or a folder holding
            the four IDX files (``train-images-idx3-ubyte`` etc., optionally
            ``.gz``).
        max_images: most images per split (default :data:`MAX_IMAGES`); every
            size is checked against it before anything is allocated.

    Returns:
        A validated :class:`MnistData`.

    Raises:
        FileNotFoundError: the path does not exist.
        MnistFormatError: not a regular file or folder, missing keys, wrong shapes,
            dtypes or labels, or more data than ``max_images`` implies.
    """
    limit = MAX_IMAGES if max_images is None else int(max_images)
    path = BUNDLED_MNIST if source is None else Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"MNIST source not found: {path}")
    arrays = _read_idx_folder(path, limit) if path.is_dir() else _read_npz(path, limit)
    _validate(arrays, path)
    return MnistData(**arrays, source="bundled" if source is None else str(path))


def _expected(key: str, limit: int) -> tuple[int, int]:
    """(ndim, most bytes of data) of one MNIST array: images (N, 28, 28), labels (N,)."""
    if key.startswith("x_"):
        return 3, limit * 28 * 28  # uint8, checked from the header before the data is read
    return 1, limit * 8  # labels: any integer type up to 64 bits


def _check_dtype(path, key: str, dtype: np.dtype) -> None:
    """Refuse, from the header, a dtype MNIST's arrays cannot have (before reading data)."""
    if key.startswith("x_") and dtype != np.uint8:
        raise MnistFormatError(f"{path}: {key} has dtype {dtype}; expected uint8")
    if key.startswith("y_") and dtype.kind not in "ui":
        raise MnistFormatError(f"{path}: {key} has dtype {dtype}; expected an integer type")


def _check_shape(path, key: str, shape: tuple, limit: int) -> None:
    """Refuse an array shape that is not MNIST's, before its data is allocated."""
    ndim, _ = _expected(key, limit)
    if len(shape) != ndim or (ndim == 3 and tuple(shape[1:]) != (28, 28)):
        want = "(N, 28, 28)" if ndim == 3 else "(N,)"
        raise MnistFormatError(f"{path}: {key} has shape {tuple(shape)}; expected {want}")
    if shape[0] > limit:
        raise MnistFormatError(
            f"{path}: {key} holds {shape[0]:,} samples, more than the limit of {limit:,}")


def _read_npz(path: Path, limit: int) -> dict[str, np.ndarray]:
    # np.load would allocate whatever a member's header declares before any shape
    # check (a 14 MB .npz reached 3 GB): read the zip ourselves, member by member,
    # checking declared sizes, then each npy header, then reading the data bounded.
    try:
        fh = open_regular(path, "MNIST .npz file", allow_empty=True)
    except UnsafeFileError as exc:
        raise MnistFormatError(str(exc)) from None
    with fh:
        if not zipfile.is_zipfile(fh):
            raise MnistFormatError(
                f"{path}: not a readable .npz file (not a zip archive; expected the arrays "
                f"{', '.join(_KEYS)} as numpy.savez writes them)")
        try:
            check_zip_directory(fh, path)
            with zipfile.ZipFile(fh) as zf:
                limits = {f"{k}.npy": _expected(k, limit)[1] + _MAX_NPY_HEADER for k in _KEYS}
                # Other arrays (x_val, ...) are never read, so they cost nothing; they
                # are bounded like an image array all the same.
                biggest = max(limits.values())
                infos = check_zip_members(zf, path, limits, sum(limits.values()) + 4 * biggest,
                                          default_limit=biggest)
                by_name = {i.filename: i for i in infos}
                missing = [k for k in _KEYS if f"{k}.npy" not in by_name]
                if missing:
                    found = [n.removesuffix(".npy") for n in by_name]
                    raise MnistFormatError(
                        f"{path}: missing key(s) {', '.join(missing)}; "
                        f"found {', '.join(found) or 'none'}")
                return {k: _read_npy_member(zf, by_name[f"{k}.npy"], path, k, limit)
                        for k in _KEYS}
        except UnsafeFileError as exc:
            raise MnistFormatError(str(exc)) from None
        except (OSError, EOFError, zipfile.BadZipFile, NotImplementedError) as exc:
            raise MnistFormatError(
                f"{path}: not a readable .npz file ({one_line(exc, name_file=False)})") from None


def _read_npy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, key: str,
                     limit: int) -> np.ndarray:
    """One ``.npy`` member: header checked against MNIST's shapes, then the data."""
    fmt = np.lib.format
    try:
        with zf.open(info) as member:
            version = fmt.read_magic(member)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(member, _MAX_NPY_HEADER)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = fmt.read_array_header_2_0(member, _MAX_NPY_HEADER)
            else:
                raise ValueError(f"unsupported npy version {version}")
            if dtype.hasobject:
                raise MnistFormatError(
                    f"{path}: {key} holds Python objects (pickled data), which Digit Lab "
                    "refuses to load")
            if dtype.kind not in "uif" or dtype.itemsize > 8:
                raise MnistFormatError(f"{path}: {key} has dtype {dtype}; expected numbers")
            _check_shape(path, key, shape, limit)
            _check_dtype(path, key, dtype)
            count = int(np.prod(shape, dtype=np.int64))
            nbytes = count * dtype.itemsize
            data = member.read(nbytes)
            if len(data) != nbytes:
                raise MnistFormatError(
                    f"{path}: {key} is truncated ({len(data):,} of {nbytes:,} bytes)")
    except (MnistFormatError, UnsafeFileError):
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise MnistFormatError(
            f"{path}: {key} is not a readable array ({one_line(exc, name_file=False)})") from None
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C").astype(dtype.newbyteorder("="))


def _read_idx_folder(folder: Path, limit: int) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in _IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        # Some distributions use a dot before idx ("train-images.idx3-ubyte").
        candidates += [
            folder / stem.replace("-idx", ".idx"),
            folder / f"{stem.replace('-idx', '.idx')}.gz",
        ]
        # exists() (not is_file()): a FIFO or device named like an IDX file is
        # reported as what it is, not as missing.
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            raise MnistFormatError(f"{folder}: missing IDX file {stem}[.gz]")
        arrays[key] = read_idx(found, key=key, max_images=limit)
    return arrays


_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path, key: str | None = None,
             max_images: int | None = None) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into a numpy array.

    The header is read first and the data size it implies is checked against
    ``max_images`` before anything else is read or allocated; a gzip file is
    decompressed as a stream, never past what the header says.

    Args:
        path: the IDX file (``.gz`` for gzip).
        key: ``"x_train"`` etc. to require MNIST's shape for that array; None for
            any IDX array of at most ``max_images * 784`` values.
        max_images: default :data:`MAX_IMAGES`.

    Raises:
        MnistFormatError: not a regular file, bad magic number, unsupported type,
            a shape over the limit, truncated data or data beyond what the header says.
    """
    path = Path(path)
    limit = MAX_IMAGES if max_images is None else int(max_images)
    try:
        raw_fh = open_regular(path, "IDX file")
    except UnsafeFileError as exc:
        raise MnistFormatError(str(exc)) from None
    try:
        with raw_fh, (gzip.GzipFile(fileobj=raw_fh, mode="rb") if path.suffix == ".gz"
                      else contextlib.nullcontext(raw_fh)) as fh:
            return _read_idx_stream(fh, path, key, limit)
    except MnistFormatError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistFormatError(f"{path}: cannot read ({one_line(exc, name_file=False)})") from None


def _read_idx_stream(fh, path: Path, key: str | None, limit: int) -> np.ndarray:
    head = fh.read(4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise MnistFormatError(f"{path}: not an IDX file (bad magic number)")
    type_code, ndim = head[2], head[3]
    if type_code not in _IDX_DTYPES:
        raise MnistFormatError(f"{path}: unsupported IDX data type 0x{type_code:02x}")
    dims = fh.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise MnistFormatError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", dims)
    dtype = np.dtype(_IDX_DTYPES[type_code])
    if key is not None:
        _check_shape(path, key, shape, limit)
        _check_dtype(path, key, dtype)
    count = int(np.prod(shape, dtype=object)) if ndim else 1
    if count > limit * 28 * 28:
        raise MnistFormatError(
            f"{path}: IDX header says shape {shape}, {count:,} values, more than the limit "
            f"of {limit * 28 * 28:,}")
    expected = count * dtype.itemsize
    data = fh.read(expected)
    if len(data) != expected or fh.read(1):
        got = len(data) if len(data) < expected else f"more than {expected}"
        raise MnistFormatError(
            f"{path}: IDX header says shape {shape} ({expected} bytes) "
            f"but the file holds {got} bytes of data")
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


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
