"""``pip install .`` (not editable) carries every module and resource under one import root."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The repository folders that become subpackages of ``digitlab``.
PACKAGE_FOLDERS = ("cli", "engine", "gui", "resources")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a clean copy: a build/ folder left in the checkout would hide a
    # module the package configuration forgets.
    tmp_path = tmp_path_factory.mktemp("wheel")
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in PACKAGE_FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "__init__.py", "__main__.py"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(src)],
        check=True, capture_output=True, cwd=tmp_path)
    return next(tmp_path.glob("digitlab-*.whl"))


@pytest.mark.slow
def test_wheel_holds_all_packages_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {"digitlab/__init__.py", "digitlab/__main__.py"} | {
        "digitlab/" + str(p.relative_to(ROOT)) for folder in PACKAGE_FOLDERS
        for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts
    }
    assert sources - names == set()
    for resource in ("data/mnist.npz", "models/cnn.keras", "models/cnn.json",
                     "photos/rocket.jpg", "photos/README.md", "models/README.md",
                     "models/gate.keras", "models/calibration.json", "i18n/digitlab_ko.qm",
                     "fonts/DigitLabHangul-Regular.ttf", "fonts/OFL.txt"):
        assert f"digitlab/resources/{resource}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "digitlab = digitlab.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_install_adds_one_top_level_import_name(wheel, tmp_path):
    # An empty virtualenv (no pip, no setuptools): whatever appears in its
    # site-packages after the install was put there by Digit Lab's wheel.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    before = set(p.name for p in site.iterdir())
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True)
    added = set(p.name for p in site.iterdir()) - before
    top_level = {name for name in added if not name.endswith(".dist-info")}
    assert top_level == {"digitlab"}
    assert {name for name in added if name.endswith(".dist-info")} == {"digitlab-0.2.0.dist-info"}
    # python -m digitlab works from the installed package, outside the checkout.
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import digitlab.engine, digitlab.resources as r; print(r.ROOT)"],
                         capture_output=True, text=True, cwd=tmp_path, check=True)
    assert str(site / "digitlab" / "resources") == out.stdout.strip()
