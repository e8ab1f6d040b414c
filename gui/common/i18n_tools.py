"""Regenerate the GUI's translations and its Korean font (a developer tool, not used at run time).

Usage (from the repository root)::

    python -m digitlab.gui.common.i18n_tools update    # lupdate: gui/, engine/ -> *.ts
    python -m digitlab.gui.common.i18n_tools release   # lrelease: *.ts -> *.qm (shipped)
    python -m digitlab.gui.common.i18n_tools font /usr/share/fonts/truetype/nanum/NanumGothic.ttf \
        /usr/share/fonts/truetype/nanum/NanumGothicBold.ttf   # needs fontTools

After ``update``, translate the new entries (Qt Linguist: ``pyside6-linguist``, or
by hand in the XML), then ``release``. The tests fail while an entry is unfinished
or a wrapped string is missing from the ``.ts``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from digitlab import resources

GUI_ROOT = Path(__file__).resolve().parents[1]
#: Engine texts the GUI shows in the user's language take a ``translate`` argument.
ENGINE_ROOT = GUI_ROOT.parent / "engine"
I18N_DIR = resources.path("i18n")
FONT_DIR = resources.path("fonts")
TARGETS = ("ko",)
FONT_FAMILY = "DigitLab Hangul"
#: Printable ASCII, Hangul compatibility jamo and CJK punctuation, besides the syllables.
BASE_CODEPOINTS = [*range(0x20, 0x7F), *range(0x3000, 0x3004), *range(0x3131, 0x318F)]


def ts_path(code: str) -> Path:
    """``resources/i18n/digitlab_<code>.ts``."""
    return I18N_DIR / f"digitlab_{code}.ts"


def qm_path(code: str) -> Path:
    """``resources/i18n/digitlab_<code>.qm``."""
    return I18N_DIR / f"digitlab_{code}.qm"


def sources() -> list[Path]:
    """Every Python file of the GUI and the engine, sorted (what lupdate scans)."""
    return sorted(p for root in (GUI_ROOT, ENGINE_ROOT) for p in root.rglob("*.py")
                  if "__pycache__" not in p.parts)


def tool(name: str) -> str:
    """The path of a PySide6 tool such as ``pyside6-lupdate`` (beside Python, else on PATH).

    Raises:
        FileNotFoundError: when the tool is in neither place.
    """
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found beside {sys.executable} or on PATH; "
                                "it ships with PySide6.")
    return found


def update(ts: Path, files: list[Path] | None = None) -> None:
    """Run lupdate over ``files`` (the GUI by default) into ``ts``, dropping vanished entries."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    args = [tool("pyside6-lupdate"), *map(str, files or sources()),
            "-no-obsolete", "-locations", "none", "-silent", "-ts", str(ts)]
    subprocess.run(args, check=True)


def release(ts: Path, qm: Path) -> None:
    """Compile ``ts`` into ``qm`` with lrelease."""
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """The ``<message>`` elements of a ``.ts`` file by ``(context, source)``."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            found[(name, message.findtext("source"))] = message
    return found


def translated_text(ts: Path) -> str:
    """All translations of ``ts`` joined (the characters the font must carry)."""
    return "".join(m.findtext("translation") or "" for m in messages(ts).values())


def subset_font(source: Path, target: Path, text: str) -> None:
    """Subset ``source`` to KS X 1001's 2,350 syllables plus ``text``'s, renamed (OFL 1.1 §3).

    The OFL forbids a modified font to use a Reserved Font Name ("NanumGothic"),
    so the subset is called :data:`FONT_FAMILY`.
    """
    from fontTools import subset  # noqa: PLC0415 - build-time only
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    common = [c for c in range(0xAC00, 0xD7A4)
              if len(chr(c).encode("euc-kr", errors="ignore")) == 2]
    used = {ord(ch) for ch in text if ord(ch) >= 0x1100}
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({*BASE_CODEPOINTS, *common, *used}))
    subsetter.subset(font)
    style = font["name"].getDebugName(2) or "Regular"
    names = {1: FONT_FAMILY, 3: f"{FONT_FAMILY} {style}; subset of NanumGothic 3.021",
             4: f"{FONT_FAMILY} {style}" if style != "Regular" else FONT_FAMILY,
             6: f"{FONT_FAMILY.replace(' ', '')}-{style}", 16: FONT_FAMILY,
             13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
             14: "https://openfontlicense.org"}
    table = font["name"]
    table.names = [r for r in table.names if r.nameID not in (*names, 7, 20)]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    font.save(str(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlab.gui.common.i18n_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="lupdate the .ts files from the GUI sources")
    sub.add_parser("release", help="lrelease the .ts files into the shipped .qm files")
    font = sub.add_parser("font", help="subset NanumGothic into resources/fonts")
    font.add_argument("regular", type=Path)
    font.add_argument("bold", type=Path, nargs="?")
    args = parser.parse_args(argv)
    for code in TARGETS:
        if args.command == "update":
            update(ts_path(code))
        elif args.command == "release":
            release(ts_path(code), qm_path(code))
        else:
            text = translated_text(ts_path(code)) if ts_path(code).exists() else ""
            FONT_DIR.mkdir(exist_ok=True)
            subset_font(args.regular, FONT_DIR / "DigitLabHangul-Regular.ttf", text)
            if args.bold:
                subset_font(args.bold, FONT_DIR / "DigitLabHangul-Bold.ttf", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
