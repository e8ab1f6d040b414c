"""engine.safe_files, safe_zip, safe_writes, strict_json: only regular files are read,
reads and zip members are bounded, temporaries are the app's own, written files get the
user's permissions, JSON is valid."""

from __future__ import annotations

import json
import math
import os
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitlab.engine.safe_files import (UnsafeFileError, check_regular_file, open_regular,
                                        read_bounded)
from digitlab.engine.safe_writes import (
    APP_TEMP_PREFIX,
    check_writable_folder,
    remove_stale_temporaries,
    temp_path_beside,
    user_permissions,
    write_atomic,
)
from digitlab.engine.safe_zip import check_zip_members, read_zip_member
from digitlab.engine.strict_json import dumps_json

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev")


@posix_only
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "data.npz"
    os.mkfifo(fifo)
    done = []

    def attempt():
        with pytest.raises(UnsafeFileError, match=f"^{fifo}: is a FIFO"):
            open_regular(fifo)
        done.append(True)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)  # an open() without O_NONBLOCK would wait for a writer forever
    assert done == [True]


@posix_only
@pytest.mark.parametrize("target, kind", [("/dev/zero", "a character device"),
                                          ("/dev/null", "a character device")])
def test_devices_and_links_to_them_are_refused(tmp_path, target, kind):
    link = tmp_path / "mnist.npz"
    link.symlink_to(target)
    for path in (Path(target), link):
        with pytest.raises(UnsafeFileError, match=f"^{path}: is {kind}, not a file"):
            check_regular_file(path)
        with pytest.raises(UnsafeFileError, match=f"^{path}: is {kind}"):
            read_bounded(path, 100)


def test_folder_missing_and_empty(tmp_path):
    with pytest.raises(UnsafeFileError, match="is a folder"):
        open_regular(tmp_path)
    with pytest.raises(UnsafeFileError, match="no such file"):
        check_regular_file(tmp_path / "gone")
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(UnsafeFileError, match="empty"):
        check_regular_file(tmp_path / "empty")
    assert read_bounded(tmp_path / "empty", 10, allow_empty=True) == b""


def test_read_limit_at_and_past_the_boundary(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(UnsafeFileError, match=r"f\.bin: is 100 bytes, more than the 99 bytes"):
        read_bounded(path, 99)


def _zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../evil.npy", "/abs.npy", "a/../../b", "C:/x", "a\\..\\b"])
def test_zip_path_traversal_is_refused_in_one_line(tmp_path, name):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile itself warns about some of these names
        path = _zip(tmp_path / "a.zip", {name: b"1"})
    with zipfile.ZipFile(path) as zf:
        with pytest.raises(UnsafeFileError) as info:
            check_zip_members(zf, path, {}, 100, default_limit=100)
    assert str(info.value).startswith(f"{path}: refused: the archive holds the unsafe member")
    assert "\n" not in str(info.value)


def test_zip_declared_sizes_at_and_past_the_limits(tmp_path):
    path = _zip(tmp_path / "a.zip", {"x.npy": b"\0" * 1000, "y.npy": b"\0" * 10})
    with zipfile.ZipFile(path) as zf:
        assert len(check_zip_members(zf, path, {"x.npy": 1000, "y.npy": 10}, 1010)) == 2
        with pytest.raises(UnsafeFileError, match="'x.npy' declares 1000 bytes uncompressed, "
                                                  "more than the limit of 999 bytes"):
            check_zip_members(zf, path, {"x.npy": 999, "y.npy": 10}, 10_000)
        with pytest.raises(UnsafeFileError, match="together"):
            check_zip_members(zf, path, {"x.npy": 1000, "y.npy": 10}, 1009)
        with pytest.raises(UnsafeFileError, match="unexpected member 'y.npy'"):
            check_zip_members(zf, path, {"x.npy": 1000}, 10_000)


def test_zip_member_is_bounded_while_streaming(tmp_path):
    # The declared size is checked elsewhere; this bound holds even if that check
    # were gone or the header lied: the read stops one chunk past the limit.
    path = _zip(tmp_path / "a.zip", {"big": b"\0" * 5_000_000})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("big")
        assert len(read_zip_member(zf, info, path, 5_000_000)) == 5_000_000
        with pytest.raises(UnsafeFileError, match="'big' decompresses to more than"):
            read_zip_member(zf, info, path, 4_999_999)


def test_corrupt_member_is_one_line(tmp_path):
    path = _zip(tmp_path / "a.zip", {"m": b"hello world" * 100}, zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"hello") + 3] ^= 0xFF  # flips a byte: the CRC no longer matches
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as zf:
        with pytest.raises(UnsafeFileError, match=r"member 'm' is corrupt \(Bad CRC"):
            read_zip_member(zf, zf.getinfo("m"), path, 10_000)


def test_stale_temporaries_only_the_apps_own(tmp_path):
    target = tmp_path / "model.keras"
    mine_old = temp_path_beside(target, ".keras")
    mine_new = temp_path_beside(target, ".keras")
    users = [tmp_path / n for n in (".model-abc123.keras", ".m-backup.keras", ".hidden",
                                    f"{APP_TEMP_PREFIX}notes.txt", "model.keras")]
    for f in users:
        f.write_bytes(b"mine")
    old = time.time() - 3600
    for f in (mine_old, *users):
        os.utime(f, (old, old))
    link = tmp_path / f"{APP_TEMP_PREFIX}model.keras-abcdefgh.keras"
    link.symlink_to(users[0])  # a link is not a temporary the app wrote
    os.utime(link, (old, old), follow_symlinks=False)
    assert remove_stale_temporaries(tmp_path) == [mine_old]
    assert mine_new.exists() and all(f.exists() for f in users) and link.is_symlink()


def test_write_atomic_uses_the_umask_not_0600(tmp_path):
    old = os.umask(0o027)
    try:
        assert user_permissions() == 0o640
        path = write_atomic(tmp_path / "card.json", b"{}")
        assert path.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_check_writable_folder(tmp_path):
    (tmp_path / "x.keras").mkdir()
    with pytest.raises(UnsafeFileError, match=r"x\.keras: is a folder; cannot write the model"):
        check_writable_folder(tmp_path / "x.keras", "model")
    (tmp_path / "file").write_text("a file, not a folder")
    with pytest.raises(UnsafeFileError, match=r"cannot write the model: .*file is a file, not"):
        check_writable_folder(tmp_path / "file" / "sub" / "m.keras", "model")
    assert check_writable_folder(tmp_path / "new" / "m.keras") == tmp_path / "new" / "m.keras"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []  # no probe left behind


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_check_writable_folder_read_only(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(UnsafeFileError, match="cannot write"):
            check_writable_folder(tmp_path / "m.keras")
    finally:
        tmp_path.chmod(0o755)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_dumps_json_is_always_valid_json(value):
    text = dumps_json(value)

    def strict(constant):
        raise ValueError(f"invalid JSON constant {constant}")

    parsed = json.loads(text, parse_constant=strict)  # NaN / Infinity would fail here

    def same(a, b):
        if isinstance(a, float) and not math.isfinite(a):
            return b is None
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return a == b

    assert same(value, parsed)


def test_dumps_json_numpy_values():
    text = dumps_json({"p": np.array([0.5, np.nan, np.inf], np.float32), "n": np.int64(3)})
    assert json.loads(text) == {"p": [0.5, None, None], "n": 3}


def test_clean_stale_temporaries_at_start(tmp_path, monkeypatch):
    from digitlab.engine.paths import clean_stale_temporaries

    monkeypatch.setenv("DIGITLAB_DATA_DIR", str(tmp_path))
    models = tmp_path / "models"
    models.mkdir()
    stale = temp_path_beside(models / "cnn.keras", ".keras")
    scratch = models / f"{APP_TEMP_PREFIX}dir-abcd1234"
    scratch.mkdir()
    (scratch / "tmpfile").write_bytes(b"x")
    mine = models / "cnn.keras"
    mine.write_bytes(b"model")
    old = time.time() - 3600
    for p in (stale, scratch, mine):
        os.utime(p, (old, old))
    assert sorted(clean_stale_temporaries()) == sorted([stale, scratch])
    assert [p.name for p in models.iterdir()] == ["cnn.keras"]


def test_an_archive_listing_too_many_members_is_refused_before_parsing(tmp_path):
    from digitlab.engine.safe_zip import check_zip_directory

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(65):
            zf.writestr(f"m{i}", b"")
    with open(path, "rb") as fh:
        check_zip_directory(fh, path, max_entries=65)
        with pytest.raises(UnsafeFileError, match="lists 65 members; at most 64"):
            check_zip_directory(fh, path, max_entries=64)
        assert fh.tell() == 0
