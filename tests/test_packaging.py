"""``pip install .`` (not editable) must carry every module and the bundled resources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_holds_all_packages_and_resources(tmp_path):
    # Build from a clean copy: a build/ folder left in the checkout would hide a
    # module the package configuration forgets.
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("engine", "gui", "resources"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(src)],
        check=True, capture_output=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("digitlab-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        str(p.relative_to(ROOT)) for folder in ("engine", "gui", "resources")
        for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts
    }
    assert sources - names == set()
    for resource in ("resources/data/mnist.npz", "resources/models/cnn.keras",
                     "resources/models/cnn.json", "resources/photos/rocket.jpg",
                     "resources/photos/README.md", "resources/models/README.md"):
        assert resource in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "digitlab = engine.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
