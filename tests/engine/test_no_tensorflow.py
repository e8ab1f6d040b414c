"""The Draw path and ``digitlab predict`` / ``evaluate`` never import TensorFlow or Keras.

Each check runs in a fresh interpreter (this test process has TensorFlow loaded
already) and lists the heavy modules that ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Printed last by every probe: the forbidden modules that were imported.
REPORT = """
import json, sys
print(json.dumps(sorted(m for m in sys.modules
                        if m.split(".")[0] in ("tensorflow", "keras", "tf_keras", "jax", "torch"))))
"""


def heavy_modules_after(code: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITLAB_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", code + REPORT], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_drawing_and_predicting_import_no_tensorflow(tmp_path):
    code = f"""
import numpy as np
from digitlab.engine.inference import Predictor, load_predictor
from digitlab.engine.preprocess import preprocess_drawing

canvas = np.zeros((280, 280), np.uint8)
canvas[60:220, 130:150] = 255  # a stroke: a 1
predictor = Predictor.load_shipped()
prediction = predictor.predict(canvas, feature_maps=True)
assert not prediction.is_empty and len(prediction.feature_maps) == 5
assert preprocess_drawing(canvas).image28.shape == (28, 28)
load_predictor({{"cnn": {str(FIXTURES / "keras-3.3.3-cnn.keras")!r}}}).predict(canvas)
"""
    assert heavy_modules_after(code, tmp_path) == []


def test_the_apps_model_loading_reads_the_files_without_tensorflow(tmp_path):
    # What the app's load worker does before the first prediction (engine.model_sources),
    # a bad user file falling back to the shipped one included.
    code = """
from digitlab.engine import MODEL_KINDS
from digitlab.engine.inference import Predictor
from digitlab.engine.model_sources import load_models
from digitlab.engine.paths import user_model_path
user_model_path("cnn").parent.mkdir(parents=True)
user_model_path("cnn").write_bytes(b"PK not a model")
networks, info, notes = load_models()
assert tuple(networks) == MODEL_KINDS and info["cnn"].source == "shipped", info
assert any("Your cnn model could not be loaded" in note for note in notes), notes
Predictor(networks)
"""
    assert heavy_modules_after(code, tmp_path) == []


def test_digitlab_predict_imports_no_tensorflow(tmp_path):
    image = tmp_path / "one.png"
    import numpy as np
    from PIL import Image

    canvas = np.full((120, 100), 255, np.uint8)
    canvas[20:100, 45:55] = 0
    Image.fromarray(canvas).save(image)
    code = f"""
from digitlab.cli import main
assert main(["predict", {str(image)!r}, "--json"]) == 0
assert main(["predict", {str(image)!r}, "--model",
             "cnn={FIXTURES / 'keras-3.3.3-cnn.keras'}"]) == 0
"""
    assert heavy_modules_after(code, tmp_path) == []


@pytest.mark.parametrize("argv", [["evaluate", "--model", "dnn", "--confusion", "--json"]])
def test_digitlab_evaluate_imports_no_tensorflow(argv, tmp_path):
    code = f"""
from digitlab.cli import main
assert main({argv!r}) == 0
"""
    assert heavy_modules_after(code, tmp_path) == []


def test_the_probe_sees_tensorflow_when_it_is_imported(tmp_path):
    # The checks above can fail: a path that loads a model through Keras is caught.
    code = """
from digitlab.engine.models import load_model, shipped_model_path
load_model(shipped_model_path("multinomial"))
"""
    assert "tensorflow" in heavy_modules_after(code, tmp_path)
