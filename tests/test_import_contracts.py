"""The layers are declared in pyproject.toml [tool.importlinter] and checked by import-linter.

The contracts: engine/ imports no Qt, pyqtgraph, GUI or command line; the Draw,
Filters and Train feature folders are independent; gui/ is layered (window >
features > dialogs > model store > widgets | workers > common); no import
cycles between siblings. A planted violation must break them, and importing
every engine module must load no Qt at run time either.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` with the project's contracts on the installed or a copied package."""
    env = None
    if package_parent is not None:
        # A copy earlier on the path wins over the editable install (its finder comes last).
        env = {"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=package_parent or ROOT)


def test_the_import_contracts_hold():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "planted", "contract"), [
    ("engine/filter_geometry.py", "import PySide6.QtCore\n", "The engine imports no Qt"),
    ("engine/mosaics.py", "import digitlab.gui.common.style\n", "The engine imports no Qt"),
    ("gui/draw/draw_tab.py", "import digitlab.gui.filters.filters_tab\n",
     "Features are independent"),
    ("gui/widgets/learned_maps_grid.py", "import digitlab.gui.workers.jobs\n", "GUI layers"),
    ("gui/common/tab.py", "import digitlab.gui.main_window\n", "GUI layers"),
])
def test_a_planted_violation_breaks_its_contract(tmp_path, module, planted, contract):
    copy = tmp_path / "digitlab"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "tests", "resources", "build", "*.egg-info", "__pycache__"))
    (copy / "resources").mkdir()
    init = "resources/__init__.py"
    (copy / init).write_text((ROOT / init).read_text())
    target = copy / module
    target.write_text(planted + target.read_text())
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout


def test_importing_every_engine_module_loads_no_qt():
    modules = sorted(
        "digitlab.engine." + ".".join(p.relative_to(ENGINE).with_suffix("").parts)
        for p in ENGINE.rglob("*.py")
        if p.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')"
        " or m.startswith('digitlab.gui')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
