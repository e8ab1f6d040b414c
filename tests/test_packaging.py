"""``pip install .`` (not editable) must carry every module and the bundled resources."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_holds_all_packages_and_resources(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
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
