"""MNIST loading: the bundled copy, a user's .npz, IDX folders, and clear errors."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from digitlab.engine.data import MnistFormatError, load_mnist, read_idx


def test_bundled_mnist_is_complete_and_canonical(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (60000,) and mnist.y_test.shape == (10000,)
    # Facts from the MNIST database itself (see resources/data/README.md).
    assert list(mnist.y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(mnist.y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert list(np.bincount(mnist.y_test)) == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]
    assert mnist.x_train.mean() == pytest.approx(33.318, abs=1e-3)


def _write_idx(path, array, gz=False):
    codes = {np.dtype("uint8"): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    data = header + array.tobytes()
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_round_trip(tmp_path, mnist, gz):
    small = mnist.limit(50, 20)
    suffix = ".gz" if gz else ""
    _write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", small.x_train, gz)
    _write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", small.y_train, gz)
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", small.x_test, gz)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", small.y_test, gz)
    loaded = load_mnist(tmp_path)
    np.testing.assert_array_equal(loaded.x_train, small.x_train)
    np.testing.assert_array_equal(loaded.y_test, small.y_test)
    assert loaded.source == str(tmp_path)


def test_user_npz_is_accepted(tmp_path, mnist):
    small = mnist.limit(30, 10)
    path = tmp_path / "mine.npz"
    np.savez(
        path, x_train=small.x_train, y_train=small.y_train, x_test=small.x_test, y_test=small.y_test
    )
    assert load_mnist(path).x_train.shape == (30, 28, 28)


def _npz(tmp_path, **overrides):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 255, (10, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 10).astype(np.uint8),
        "x_test": rng.integers(0, 255, (5, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 5).astype(np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"y_test": None}, "missing key(s) y_test"),
        ({"x_train": np.zeros((10, 32, 32), np.uint8)}, "x_train has shape (10, 32, 32)"),
        ({"x_test": np.zeros((5, 28, 28), np.float32)}, "x_test has dtype float32"),
        ({"y_train": np.arange(10, 20)}, "label 10"),
        ({"y_train": np.zeros(9, np.uint8)}, "10 images but y_train has 9 labels"),
        ({"y_test": np.full(5, 0.5)}, "y_test has dtype float64"),
    ],
)
def test_bad_user_npz_names_the_problem(tmp_path, overrides, message):
    with pytest.raises(MnistFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mnist(_npz(tmp_path, **overrides))


def test_missing_and_non_npz_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_mnist(tmp_path / "nope.npz")
    junk = tmp_path / "junk.npz"
    junk.write_text("not a zip")
    with pytest.raises(MnistFormatError, match="not a readable .npz"):
        load_mnist(junk)
    with pytest.raises(MnistFormatError, match="missing IDX file train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_truncated_idx_file_is_refused(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    _write_idx(path, np.arange(10, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(MnistFormatError, match="holds 7 bytes"):
        read_idx(path)
    path.write_bytes(b"\x12\x34\x08\x01")
    with pytest.raises(MnistFormatError, match="bad magic"):
        read_idx(path)


def test_limit_slices_and_validates(mnist):
    small = mnist.limit(100, 7)
    assert len(small.x_train) == 100 and len(small.y_test) == 7
    with pytest.raises(ValueError, match="n_train=0"):
        mnist.limit(0)


# --- issue 11: sizes checked before allocating, regular files only, parsers never crash --------

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

_GROWTH_SCRIPT = (
    "import json, sys\n"
    "from digitlab.engine.data import MnistFormatError, load_mnist\n"
    "def status(key):\n"
    "    with open('/proc/self/status') as fh:\n"
    "        return int(next(l.split()[1] for l in fh if l.startswith(key))) // 1024\n"
    "before = status('VmRSS')\n"
    "try:\n"
    "    load_mnist(sys.argv[1], max_images=int(sys.argv[2]))\n"
    "    error = None\n"
    "except MnistFormatError as exc:\n"
    "    error = str(exc)\n"
    "print(json.dumps({'error': error, 'grew_mb': status('VmHWM') - before}))\n")


def _growth(path: Path, max_images: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _GROWTH_SCRIPT, str(path), str(max_images)],
                         capture_output=True, text=True, cwd=ROOT, check=True, timeout=120)
    return json.loads(out.stdout)


def _idx_folder(folder: Path, n_train: int, gz: bool = True, extra: bytes = b"") -> Path:
    folder.mkdir(exist_ok=True)
    suffix = ".gz" if gz else ""
    for stem, shape in (("train-images-idx3-ubyte", (n_train, 28, 28)),
                        ("train-labels-idx1-ubyte", (n_train,)),
                        ("t10k-images-idx3-ubyte", (5, 28, 28)),
                        ("t10k-labels-idx1-ubyte", (5,))):
        header = bytes([0, 0, 0x08, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
        path = folder / f"{stem}{suffix}"
        opener = gzip.open if gz else open
        with opener(path, "wb") as fh:
            fh.write(header)
            size = int(np.prod(shape))
            for start in range(0, size, 1 << 24):  # zeros, streamed: a tiny .gz
                fh.write(b"\0" * min(1 << 24, size - start))
            if stem.startswith("train-images"):
                fh.write(extra)
    return folder


def test_gzip_idx_bomb_is_refused_from_its_header_before_reading(tmp_path):
    # 100,000 images = 78 MB of pixels in a ~80 KB .gz; the limit is scaled down to 1,000.
    folder = _idx_folder(tmp_path / "idx", 100_000)
    assert sum(f.stat().st_size for f in folder.iterdir()) < 1_000_000
    report = _growth(folder, 1000)
    assert report["error"].startswith(f"{folder}/train-images-idx3-ubyte.gz: x_train holds "
                                      "100,000 samples, more than the limit of 1,000")
    assert report["grew_mb"] < 40, report  # reading before checking: >= 78 MB


def test_idx_data_past_what_the_header_says_is_refused_without_reading_it_all(tmp_path):
    folder = _idx_folder(tmp_path / "idx", 10, extra=b"\0" * 50_000_000)
    report = _growth(folder, 1000)
    assert "but the file holds more than 7840 bytes of data" in report["error"]
    assert report["grew_mb"] < 30, report


def test_npz_bomb_is_refused_from_the_npy_header_before_allocating(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, x_train=np.zeros((100_000, 28, 28), np.uint8),
                        y_train=np.zeros(100_000, np.uint8),
                        x_test=np.zeros((5, 28, 28), np.uint8), y_test=np.zeros(5, np.uint8))
    assert path.stat().st_size < 1_000_000
    # A declared-size check alone would pass here (the member limit is bytes, and the
    # limit below makes it small); it is the header's shape that is refused.
    report = _growth(path, 1000)
    assert report["error"].startswith(f"{path}: member 'x_train.npy' declares") or \
        report["error"].startswith(f"{path}: x_train holds 100,000 samples")
    assert report["grew_mb"] < 40, report


def test_npy_header_shape_is_checked_even_when_the_member_is_small(tmp_path):
    # The member is tiny (the header lies about the shape): refused before np allocates.
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|u1", "fortran_order": False,
                                                  "shape": (10**9, 28, 28)})
    path = tmp_path / "mnist.npz"
    ok = {k: np.zeros((5, 28, 28) if k.startswith("x") else 5, np.uint8)
          for k in ("y_train", "x_test", "y_test")}
    np.savez(path, **ok)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("x_train.npy", buffer.getvalue() + b"\0" * 100)
    with pytest.raises(MnistFormatError, match=r"x_train holds 1,000,000,000 samples, more than "
                                               r"the limit of 120,000"):
        load_mnist(path)


def test_max_images_at_and_past_the_boundary(tmp_path, mnist):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=mnist.x_train[:50], y_train=mnist.y_train[:50],
             x_test=mnist.x_test[:10], y_test=mnist.y_test[:10])
    assert len(load_mnist(path, max_images=50).x_train) == 50
    with pytest.raises(MnistFormatError,
                       match="x_train holds 50 samples, more than the limit of 49"):
        load_mnist(path, max_images=49)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_device_and_links_are_refused_at_once(tmp_path):
    fifo = tmp_path / "mnist.npz"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.npz"
    zero.symlink_to("/dev/zero")
    for path, kind in ((fifo, "a FIFO"), (zero, "a character device"),
                       (Path("/dev/zero"), "a character device")):
        with pytest.raises(MnistFormatError, match=f"^{path}: is {kind}"):
            load_mnist(path)
    folder = tmp_path / "idx"
    _idx_folder(folder, 5, gz=False)
    (folder / "t10k-labels-idx1-ubyte").unlink()
    os.mkfifo(folder / "t10k-labels-idx1-ubyte")
    with pytest.raises(MnistFormatError, match="t10k-labels-idx1-ubyte: is a FIFO"):
        load_mnist(folder)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64))
def test_idx_parser_never_crashes(data):
    import io

    from digitlab.engine.data import _read_idx_stream

    try:
        array = _read_idx_stream(io.BytesIO(data), Path("x"), None, 10)
    except MnistFormatError as exc:
        assert str(exc).startswith("x: ")
    else:
        assert array.size * array.itemsize == len(data) - 4 - 4 * data[3]


@settings(max_examples=150, deadline=None)
@given(shape=st.lists(st.integers(0, 40), min_size=0, max_size=4),
       dtype=st.sampled_from(["u1", "i1", "<i2", ">i4", "<f4", "<f8", "<c8", "<U2", "?"]),
       key=st.sampled_from(["x_train", "y_train"]))
def test_npy_members_are_checked_and_never_crash(tmp_path_factory, shape, dtype, key):
    path = tmp_path_factory.mktemp("npz") / "mnist.npz"
    arrays = {"x_train": np.zeros((3, 28, 28), np.uint8), "y_train": np.zeros(3, np.uint8),
              "x_test": np.zeros((3, 28, 28), np.uint8), "y_test": np.zeros(3, np.uint8)}
    arrays[key] = np.zeros(shape, dtype)
    np.savez(path, **arrays)
    try:
        data = load_mnist(path, max_images=30)
    except MnistFormatError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
    else:
        assert data.x_train.shape[1:] == (28, 28) and data.x_train.dtype == np.uint8
        assert len(data.x_train) <= 30


def test_an_npz_listing_a_huge_number_of_members_is_refused_quickly(tmp_path):
    path = tmp_path / "mnist.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(5000):
            zf.writestr(f"x{i}.npy", b"")
    with pytest.raises(MnistFormatError, match="lists 5,000 members; at most 64"):
        load_mnist(path)


def test_extra_arrays_in_an_npz_are_ignored(tmp_path, mnist):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=mnist.x_train[:20], y_train=mnist.y_train[:20],
             x_test=mnist.x_test[:5], y_test=mnist.y_test[:5],
             x_val=np.zeros((50, 28, 28), np.uint8), notes=np.array([1.5, 2.5]))
    assert len(load_mnist(path).x_train) == 20
