"""Writing files so that nothing is clobbered and only the app's own leftovers are cleaned.

Files the app writes go through a temporary file with the app's own prefix, renamed
into place, with the user's normal permissions (umask); only those temporaries are
ever cleaned up. Also: checking early that an output can be written, and a folder
lock so two processes saving to one folder take turns. Nothing here imports
TensorFlow or Qt.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from digitlab.engine.safe_files import UnsafeFileError, kind_of

__all__ = [
    "APP_TEMP_PREFIX", "check_writable_folder", "folder_lock", "private_tempdir",
    "remove_stale_temporaries", "temp_path_beside", "user_permissions", "write_atomic",
]

#: Every temporary file Digit Lab creates starts with this; nothing else is ever cleaned up.
APP_TEMP_PREFIX = ".digitlab-tmp-"
#: A temporary older than this belongs to a write that was killed.
STALE_TEMPORARY_SECONDS = 600


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
                f"{target}: is {kind_of(st.st_mode)}; cannot write the {what} there")
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
