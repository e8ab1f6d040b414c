"""engine.model_sources: which model file wins, setting the user's aside, the status line."""

from __future__ import annotations

from digitlab.engine.model_sources import ModelInfo, describe_models, set_user_models_aside
from digitlab.engine.paths import user_model_path


def test_the_status_line_names_each_model_its_accuracy_and_origin():
    info = {"multinomial": ModelInfo("shipped", "m.keras", 0.9261),
            "dnn": ModelInfo("user", None, None),
            "cnn": ModelInfo("loading")}
    assert describe_models(info) == ("Models: multinomial 92.61% (shipped) · "
                                     "DNN accuracy … (yours, not saved) · CNN: loading…")
    assert describe_models({}) == "Models: multinomial: none · DNN: none · CNN: none"


def test_restoring_keeps_the_users_models_as_bak_and_drops_their_cards():
    cnn = user_model_path("cnn")
    cnn.parent.mkdir(parents=True)
    cnn.write_bytes(b"model")
    cnn.with_suffix(".json").write_text("{}")
    kept, problems = set_user_models_aside()
    assert problems == []
    assert kept == [cnn.with_name("cnn.keras.bak")]
    assert kept[0].read_bytes() == b"model"
    assert not cnn.exists() and not cnn.with_suffix(".json").exists()
    assert set_user_models_aside() == ([], [])  # nothing left to set aside
