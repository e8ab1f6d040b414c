"""Reading zip archives (``.npz``, ``.keras``) member by member, bounded and streamed.

An archive is refused before parsing if its end record lists too many members, then
each member is checked: no path traversal, no duplicates or encryption, declared and
actual decompressed sizes bounded. Nothing here imports TensorFlow or Qt.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import PurePosixPath

from digitlab.engine.errors import one_line
from digitlab.engine.safe_files import UnsafeFileError, size_text

__all__ = ["MAX_ZIP_ENTRIES", "check_zip_directory", "check_zip_members", "read_zip_member"]

_READ_CHUNK = 1 << 20


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
                f"{path}: member {name!r} declares {size_text(info.file_size)} uncompressed, "
                f"more than the limit of {size_text(limit)}")
        total += info.file_size
        if total > max_total:
            raise UnsafeFileError(
                f"{path}: the archive's members declare more than {size_text(max_total)} "
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
                        f"{size_text(limit)} (the limit)")
                chunks.append(chunk)
    except UnsafeFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnsafeFileError(
            f"{path}: member {info.filename!r} is corrupt "
            f"({one_line(exc, name_file=False)})") from None
    return b"".join(chunks)
