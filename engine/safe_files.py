"""Opening and writing user files so that every read ends and nothing is clobbered.

One place for the rules every opener follows (MNIST ``.npz`` and IDX files,
``.keras`` models, photos, digit images, the personal set):

- a path is read only if it is a *regular file* after resolving links: a FIFO
  would block forever, ``/dev/zero`` never ends, a folder is not a file;
- every read is bounded by a byte limit chosen by the caller from what the
  format implies, and refused past it with a message naming the file and the limit;
- zip archives (``.npz``, ``.keras``) are checked member by member: no path
  traversal, declared and actual decompressed sizes bounded, streamed;
- files the app writes go through a temporary file with the app's own prefix,
  renamed into place, with the user's normal permissions (umask), and only those
  temporaries are ever cleaned up.

Nothing here imports TensorFlow or Qt, so every loader can use it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

__all__ = [
    "APP_TEMP_PREFIX", "MAX_ZIP_ENTRIES", "UnsafeFileError", "check_regular_file",
    "check_zip_directory", "dumps_json", "folder_lock",
    "open_regular", "private_tempdir", "read_bounded", "read_zip_member",
    "remove_stale_temporaries",
    "check_writable_folder", "user_permissions", "check_zip_members", "temp_path_beside",
    "write_atomic",
]

#: Every temporary file Digit Lab creates starts with this; nothing else is ever cleaned up.
APP_TEMP_PREFIX = ".digitlab-tmp-"
#: A temporary older than this belongs to a write that was killed.
STALE_TEMPORARY_SECONDS = 600
_READ_CHUNK = 1 << 20


class UnsafeFileError(ValueError):
    """A path that must not be read (not a regular file, too large, hostile archive).

    The message is one line and starts with the path.
    """


def _size_text(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


def _kind_of(mode: int) -> str:
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
        raise UnsafeFileError(f"{p}: is {_kind_of(st.st_mode)}, not a {what}")
    if st.st_size == 0 and not allow_empty:
        raise UnsafeFileError(f"{p}: the file is empty")
    if max_bytes is not None and st.st_size > max_bytes:
        raise UnsafeFileError(
            f"{p}: is {_size_text(st.st_size)}, more than the {_size_text(max_bytes)} "
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
        raise UnsafeFileError(f"{p}: holds more than the {_size_text(max_bytes)} a {what} may be")
    return data


# --- zip archives --------------------------------------------------------------------------


def _unsafe_member_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in PurePosixPath(name).parts


#: Most members an archive the app reads may list (an .npz holds 4, a .keras 3 plus assets).
MAX_ZIP_ENTRIES = 64
_EOCD = b"PK\x05\x06"


def check_zip_directory(fh, path: str | os.PathLike, max_entries: int = MAX_ZIP_ENTRIES) -> None:
    """Refuse an archive listing too many members, from its end record, before parsing it.

    ``zipfile.ZipFile`` builds one object per member of the central directory at once:
    a small file listing a million empty members would cost hundreds of MB and
    seconds before any member could be checked.

    Args:
        fh: the archive, opened binary and seekable (position is restored).
        path: for messages.
        max_entries: most members allowed.

    Raises:
        UnsafeFileError: more members than ``max_entries``, or a central directory
            larger than that many entries can take.
    """
    position = fh.tell()
    try:
        size = fh.seek(0, os.SEEK_END)
        tail_start = max(0, size - (22 + 65535))
        fh.seek(tail_start)
        tail = fh.read()
    finally:
        fh.seek(position)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # not a zip: zipfile says so in its own words
    entries = int.from_bytes(tail[at + 10:at + 12], "little")
    directory = int.from_bytes(tail[at + 12:at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        # ZIP64: the real counts are elsewhere; an archive of the app's sizes never needs it.
        raise UnsafeFileError(f"{path}: refused: a ZIP64 archive (larger than this app reads)")
    if entries > max_entries or directory > max_entries * (46 + 1024):
        raise UnsafeFileError(
            f"{path}: refused: the archive lists {entries:,} members; at most {max_entries} "
            "are expected")


def check_zip_members(zf: zipfile.ZipFile, path: str | os.PathLike,
                      limits: dict[str, int], max_total: int,
                      default_limit: int | None = None) -> list[zipfile.ZipInfo]:
    """Check the names and declared sizes of every member of an open zip archive.

    Args:
        zf: the open archive.
        path: the archive's path, for messages.
        limits: most uncompressed bytes per member name.
        max_total: most uncompressed bytes of all members together.
        default_limit: the limit of members not in ``limits``; None refuses them.

    Returns:
        The members (``ZipInfo``), in archive order.

    Raises:
        UnsafeFileError: a path-traversal or duplicate name, an encrypted member,
            a member not allowed, or a declared size over its limit or the total.
    """
    infos = zf.infolist()
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_member_name(name):
            raise UnsafeFileError(
                f"{path}: refused: the archive holds the unsafe member name {name!r} "
                "(an absolute path or '..' escapes the archive)")
        if name in seen:
            raise UnsafeFileError(f"{path}: refused: the archive holds {name!r} twice")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise UnsafeFileError(f"{path}: refused: member {name!r} is encrypted")
        limit = limits.get(name, default_limit)
        if limit is None:
            raise UnsafeFileError(
                f"{path}: unexpected member {name!r} in the archive "
                f"(expected {', '.join(sorted(limits))})")
        if info.file_size > limit:
            raise UnsafeFileError(
                f"{path}: member {name!r} declares {_size_text(info.file_size)} uncompressed, "
                f"more than the limit of {_size_text(limit)}")
        total += info.file_size
        if total > max_total:
            raise UnsafeFileError(
                f"{path}: the archive's members declare more than {_size_text(max_total)} "
                "uncompressed together (the limit)")
    return infos


def read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str | os.PathLike,
                    limit: int) -> bytes:
    """Read one member, streaming, and refuse it once it passes ``limit`` bytes.

    Raises:
        UnsafeFileError: more than ``limit`` bytes, or corrupt data (CRC, truncated).
    """
    chunks, size = [], 0
    try:
        with zf.open(info) as member:
            while True:
                chunk = member.read(min(_READ_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise UnsafeFileError(
                        f"{path}: member {info.filename!r} decompresses to more than "
                        f"{_size_text(limit)} (the limit)")
                chunks.append(chunk)
    except UnsafeFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        text = str(exc).strip().splitlines()
        raise UnsafeFileError(
            f"{path}: member {info.filename!r} is corrupt "
            f"({text[0] if text else type(exc).__name__})") from None
    return b"".join(chunks)


# --- writing ---------------------------------------------------------------------------------


def user_permissions() -> int:
    """The mode a new file gets from the user's umask (e.g. 0o644 for umask 022)."""
    umask = None
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
                    break
    except (OSError, ValueError):
        pass
    if umask is None:  # no /proc: the classic read-and-restore (not thread-safe, rare)
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def temp_path_beside(path: Path, suffix: str = "") -> Path:
    """Create an empty, uniquely named temporary file beside ``path`` (app prefix).

    Temporaries left in that folder by writes killed long ago are removed first, so
    a kill leaves nothing behind past the next write there.
    """
    remove_stale_temporaries(path.parent)
    fd, name = tempfile.mkstemp(prefix=f"{APP_TEMP_PREFIX}{path.name}-", suffix=suffix,
                                dir=path.parent)
    os.close(fd)
    return Path(name)


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a unique temporary and a rename (never half-written).

    The file gets the user's normal permissions (umask), not ``mkstemp``'s 0600.

    Raises:
        OSError: the folder is not writable (``path`` is untouched then).
    """
    path = Path(path)
    tmp = temp_path_beside(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, user_permissions())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


_TEMP_NAME = re.compile(re.escape(APP_TEMP_PREFIX) + r".+-[A-Za-z0-9_]{8}[^/]*$")
_TEMP_DIR_NAME = re.compile(re.escape(APP_TEMP_PREFIX) + r"dir-[A-Za-z0-9_]{8}$")
_tempdir_lock = threading.Lock()


@contextlib.contextmanager
def private_tempdir(folder: str | os.PathLike) -> Iterator[Path]:
    """Point :mod:`tempfile` at a new app-owned folder inside ``folder`` for a while.

    Libraries that make their own temporaries (Keras's save makes a folder with
    ``tempfile.mkdtemp()``) then make them where the app can find them: the folder
    is removed afterwards, and, if the process is killed, by the next write in
    ``folder`` (:func:`remove_stale_temporaries`).
    """
    with _tempdir_lock:
        private = Path(tempfile.mkdtemp(prefix=f"{APP_TEMP_PREFIX}dir-", dir=folder))
        saved = tempfile.tempdir
        tempfile.tempdir = str(private)
        try:
            yield private
        finally:
            tempfile.tempdir = saved
            shutil.rmtree(private, ignore_errors=True)


def remove_stale_temporaries(folder: str | os.PathLike,
                             max_age: float = STALE_TEMPORARY_SECONDS) -> list[Path]:
    """Delete this app's temporaries in ``folder`` left by writes killed long ago.

    Only regular files named with :data:`APP_TEMP_PREFIX` as :func:`temp_path_beside`
    makes them are touched; no glob built from user text, so a user's own
    ``.m-backup.keras`` or hidden files are never removed.

    Returns:
        The files removed.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        is_file_name, is_dir_name = _TEMP_NAME.match(entry.name), _TEMP_DIR_NAME.match(entry.name)
        if not (is_file_name or is_dir_name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if now - st.st_mtime <= max_age:
                continue
            if is_dir_name and stat.S_ISDIR(st.st_mode):
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
            elif is_file_name and stat.S_ISREG(st.st_mode):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # another process got there first, or no permission: harmless
            pass
    return removed


def check_writable_folder(target: str | os.PathLike, what: str = "output") -> Path:
    """Check, before long work, that a file can be written at ``target``.

    Creates missing parent folders, then creates and removes one app temporary
    there: the only test that answers for read-only mounts, ACLs and quotas alike.

    Raises:
        UnsafeFileError: ``target`` is a folder (or a non-regular file), or its
            folder cannot be created or written.
    """
    target = Path(target).expanduser()
    if target.exists() or target.is_symlink():
        try:
            st = os.stat(target)
        except OSError as exc:
            raise UnsafeFileError(f"{target}: cannot write the {what} ({exc.strerror})") from None
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFileError(
                f"{target}: is {_kind_of(st.st_mode)}; cannot write the {what} there")
    ancestor = target.parent
    while not (ancestor.exists() or ancestor.is_symlink()) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise UnsafeFileError(
            f"{target}: cannot write the {what}: {ancestor} is a file, not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp_path_beside(target).unlink()
    except OSError as exc:
        raise UnsafeFileError(
            f"{target}: cannot write the {what} in {target.parent} "
            f"({exc.strerror or exc})") from None
    return target


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on a folder (``flock`` on the folder itself; no lock file).

    Two processes saving to the same folder take turns, so a model and its card
    always come from the same run. A no-op where ``flock`` is unavailable.
    """
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# --- JSON ------------------------------------------------------------------------------------


def _finite(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "dtype") and hasattr(obj, "tolist"):  # numpy scalars and arrays
        return _finite(obj.tolist())
    return obj


def dumps_json(obj, **kwargs) -> str:
    """``json.dumps`` that always writes valid JSON (RFC 8259).

    NaN and infinities, which ``json.dumps`` writes as the invalid bare ``NaN``
    and ``Infinity``, become ``null``; numpy numbers become plain numbers.
    """
    return json.dumps(_finite(obj), allow_nan=False, **kwargs)
