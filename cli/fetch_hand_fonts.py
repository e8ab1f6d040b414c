"""``digitlab fetch-hand-fonts``: install more handwriting fonts for ``train-gate``.

The gate learns what other writers' letters and digits look like from handwriting-style
fonts. Debian packages a few (the README lists them); Google Fonts' handwriting fonts come
as Fontsource packages on the npm registry, which this command fetches with ``npm pack``
(nothing else is downloaded) and installs where :func:`engine.gate_fonts.find_fonts`
looks: each package's Latin regular WOFF file as ``<name without hyphens>.woff``, with its
licence beside it. Training (``train --hand-digits``, ``train-gate --more-hands``) and the
benchmarks use them; the app never does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: Where the fonts go by default: a folder :func:`engine.gate_fonts.find_fonts` reads.
DEFAULT_DEST = Path.home() / ".local/share/fonts/digitlab-hands"
#: The most a font or licence file in a package may hold; a Latin WOFF is ~10-100 KB.
MAX_MEMBER_BYTES = 4 * 1024 * 1024


def add_parser(sub) -> None:
    p = sub.add_parser(
        "fetch-hand-fonts", help="install more handwriting fonts for training and benchmarks (npm)",
        description="Fetch the Fontsource packages of the handwriting fonts that 'train "
        "--hand-digits', 'train-gate --more-hands' and the benchmarks use beside Debian's "
        "(engine/gate_fonts.py: FONTSOURCE_HANDS, and FONTSOURCE_EXTRA_HANDS for 'train "
        "--hand-digits --extra-hands') with 'npm pack', and install each one's "
        "Latin regular WOFF file and licence. Needs npm.")
    p.add_argument("--dest", default=str(DEFAULT_DEST),
                   help=f"the folder to install into (default: {DEFAULT_DEST})")


def woff_member(names: list[str], package: str) -> str | None:
    """The member of a Fontsource tarball holding the Latin regular WOFF, else any Latin
    WOFF of normal style, else ``None``."""
    wanted = f"package/files/{package}-latin-400-normal.woff"
    if wanted in names:
        return wanted
    prefix = f"package/files/{package}-latin-"
    others = sorted(n for n in names if n.startswith(prefix) and n.endswith("-normal.woff")
                    and n[len(prefix):-len("-normal.woff")].isdigit())
    return others[0] if others else None


def install_from_tarball(tarball: Path, package: str, dest: Path) -> Path:
    """Copy one package's Latin WOFF (and LICENSE) out of its npm tarball into ``dest``.

    Reads only the two members it names, as regular files under a size limit; writes to
    names of its own (``dest/<family>.woff``, ``dest/<family>.LICENSE``).

    Returns:
        The installed font file.

    Raises:
        ValueError: the tarball holds no such font, or a member is not a small regular file.
    """
    from digitlab.engine.gate_fonts import fontsource_family  # noqa: PLC0415
    from digitlab.engine.safe_writes import write_atomic  # noqa: PLC0415

    family = fontsource_family(package)
    with tarfile.open(tarball, "r:gz") as tar:
        names = tar.getnames()
        member = woff_member(names, package)
        if member is None:
            raise ValueError(f"Received @fontsource/{package} without a Latin WOFF file")
        font = dest / f"{family}.woff"
        write_atomic(font, _read_member(tar, member))
        if "package/LICENSE" in names:
            write_atomic(dest / f"{family}.LICENSE", _read_member(tar, "package/LICENSE"))
    return font


def _read_member(tar: tarfile.TarFile, name: str) -> bytes:
    info = tar.getmember(name)
    if not info.isfile() or info.size > MAX_MEMBER_BYTES:
        raise ValueError(f"Received {name} of {info.size} bytes; expected a regular file of "
                         f"at most {MAX_MEMBER_BYTES} bytes")
    data = tar.extractfile(info).read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(f"Received {name} larger than {MAX_MEMBER_BYTES} bytes")
    return data


def npm_pack(package: str, folder: Path) -> Path:
    """``npm pack @fontsource/<package>`` into ``folder``; the tarball's path."""
    done = subprocess.run(["npm", "pack", f"@fontsource/{package}", "--silent",
                           "--pack-destination", str(folder)],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise ValueError(f"npm pack @fontsource/{package} failed: "
                         f"{(done.stderr or done.stdout).strip()[-300:]}")
    name = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    path = folder / name
    if not name or not path.is_file():
        raise ValueError(f"npm pack @fontsource/{package} wrote no tarball")
    return path


def run(args: argparse.Namespace) -> int:
    from digitlab.engine import gate_fonts  # noqa: PLC0415

    packages = (*gate_fonts.FONTSOURCE_HANDS, *gate_fonts.FONTSOURCE_EXTRA_HANDS)
    if shutil.which("npm") is None:
        raise ValueError("npm was not found; install it first (Debian: apt-get install npm)")
    dest = Path(args.dest).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages:
            try:
                font = install_from_tarball(npm_pack(package, Path(tmp)), package, dest)
                print(f"installed {font}")
            except (ValueError, OSError, subprocess.TimeoutExpired, tarfile.TarError) as exc:
                failed.append(package)
                print(f"skipped @fontsource/{package}: {exc}", file=sys.stderr)
    print(f"{len(packages) - len(failed)} of {len(packages)} fonts in {dest}")
    return 1 if failed else 0
