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
