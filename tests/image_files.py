"""Hostile image files that several test modules need, made on the fly."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def png_bomb(path: Path, side: int = 20000) -> Path:
    """A valid 1-bit all-black PNG of side x side pixels that compresses to ~50-100 KB.

    A real decompression bomb: tiny on disk, hundreds of megapixels once decoded.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 500) for _ in range(side // 500)) + comp.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path
