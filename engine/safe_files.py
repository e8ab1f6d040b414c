"""Reading user files so that every read ends: regular files only, bounded sizes.

One place for the rules every opener follows (MNIST ``.npz`` and IDX files,
``.keras`` models, photos, digit images, the personal set):

- a path is read only if it is a *regular file* after resolving links: a FIFO
  would block forever, ``/dev/zero`` never ends, a folder is not a file;
- every read is bounded by a byte limit chosen by the caller from what the
  format implies, and refused past it with a message naming the file and the limit.

Zip archives are checked by :mod:`digitlab.engine.safe_zip`; files the app writes go
through :mod:`digitlab.engine.safe_writes`. Nothing here imports TensorFlow or Qt.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["UnsafeFileError", "check_regular_file", "kind_of", "open_regular", "read_bounded",
           "size_text"]


class UnsafeFileError(ValueError):
    """A path that must not be read (not a regular file, too large, hostile archive).

    The message is one line and starts with the path.
    """


def size_text(n: int) -> str:
    """A byte count as people read it (``"1.5 MiB"``)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


def kind_of(mode: int) -> str:
    """What a non-regular file is, from its ``st_mode`` (``"a FIFO (named pipe)"``)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular_file(path: str | os.PathLike, what: str = "file",
                       max_bytes: int | None = None, allow_empty: bool = False) -> Path:
    """Check that ``path`` is a regular file (links resolved) of a bounded size.

    Args:
        path: the path as the user gave it.
        what: what the file should be, for messages ("model file", "image").
        max_bytes: refuse files larger than this.
        allow_empty: accept a 0-byte file.

    Returns:
        The path, ``~`` expanded (not resolved, so messages show what the user typed).

    Raises:
        UnsafeFileError: missing, a folder, FIFO, device or socket, empty, too large,
            or not accessible.
    """
    p = Path(path).expanduser()
    try:
        st = os.stat(p)  # follows symlinks: a link to /dev/zero is a device
    except FileNotFoundError:
        raise UnsafeFileError(f"{p}: no such {what}") from None
    except PermissionError:
        raise UnsafeFileError(f"{p}: permission denied") from None
    except OSError as exc:
        raise UnsafeFileError(f"{p}: cannot read ({exc.strerror or exc})") from None
    _check_stat(p, st, what, max_bytes, allow_empty)
    return p


def _check_stat(p: Path, st: os.stat_result, what: str, max_bytes: int | None,
                allow_empty: bool) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFileError(f"{p}: is {kind_of(st.st_mode)}, not a {what}")
    if st.st_size == 0 and not allow_empty:
        raise UnsafeFileError(f"{p}: the file is empty")
    if max_bytes is not None and st.st_size > max_bytes:
        raise UnsafeFileError(
            f"{p}: is {size_text(st.st_size)}, more than the {size_text(max_bytes)} "
            f"a {what} may be")


def open_regular(path: str | os.PathLike, what: str = "file", max_bytes: int | None = None,
                 allow_empty: bool = False):
    """Open a regular file for binary reading, never blocking on a FIFO.

    The check is made on the opened descriptor (``fstat``), so a file swapped for
    a FIFO or device between a check and the open is still refused.

    Returns:
        A binary file object (the caller closes it).

    Raises:
        UnsafeFileError: as :func:`check_regular_file`.
    """
    p = Path(path).expanduser()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise UnsafeFileError(f"{p}: no such {what}") from None
    except PermissionError:
        raise UnsafeFileError(f"{p}: permission denied") from None
    except IsADirectoryError:
        raise UnsafeFileError(f"{p}: is a folder, not a {what}") from None
    except OSError as exc:
        raise UnsafeFileError(f"{p}: cannot open ({exc.strerror or exc})") from None
    try:
        _check_stat(p, os.fstat(fd), what, max_bytes, allow_empty)
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)  # a regular file: reads block as usual from here
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike, max_bytes: int, what: str = "file",
                 allow_empty: bool = False) -> bytes:
    """All bytes of a regular file of at most ``max_bytes`` (checked while reading too).

    Raises:
        UnsafeFileError: as :func:`check_regular_file`, or the file grew past the limit.
    """
    p = Path(path).expanduser()
    with open_regular(p, what, max_bytes, allow_empty) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # /proc-like files report size 0 and then keep going
        raise UnsafeFileError(f"{p}: holds more than the {size_text(max_bytes)} a {what} may be")
    return data
