"""LearnedView and the Filters tab's all-feature-maps grid: learned weights as images."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg

from digitlab.engine.mosaics import tile_mosaic
from digitlab.gui.widgets.learned_maps_grid import LearnedMapsGrid
from digitlab.gui.dialogs.learned_view import LearnedView
from digitlab.gui.model_store import ModelStore

pg.setConfigOptions(imageAxisOrder="row-major")

TIMEOUT_MS = 30_000


def first_weights(model, layer_type):
    layer = next(layer for layer in model.layers if type(layer).__name__ == layer_type)
    return layer.get_weights()[0]


def test_the_three_grids_show_the_models_first_layers(qtbot, store, tiny_models):
    view = LearnedView(store)
    qtbot.addWidget(view)
    templates = first_weights(tiny_models["multinomial"], "Dense").T.reshape(10, 28, 28)
    units = first_weights(tiny_models["dnn"], "Dense").T.reshape(64, 28, 28)
    kernels = np.transpose(first_weights(tiny_models["cnn"], "Conv2D")[:, :, 0, :], (2, 0, 1))
    grids = view.grids
    assert [grids[k].tile_count for k in ("multinomial", "dnn", "cnn")] == [10, 64, 32]
    # Templates share one colour scale (their strengths compare); units and kernels do not.
    np.testing.assert_array_equal(grids["multinomial"].image,
                                  tile_mosaic(templates, 5, shared_scale=True)[0])
    np.testing.assert_array_equal(grids["dnn"].image, tile_mosaic(units, 8)[0])
    np.testing.assert_array_equal(grids["cnn"].image, tile_mosaic(kernels, 8, zoom=8)[0])
    # Each 3x3 weight is an 8x8 block: kernel 10 (row 1, col 1 of 25-pixel cells),
    # weight (2, 0) under display pixel (x=1*25+3, y=1*25+17).
    assert grids["cnn"].hover_text(25 + 3, 25 + 17) == (
        f"kernel 10 (y=2, x=0) = {float(kernels[9, 2, 0]):.4g}")
    assert grids["multinomial"].labels[:3] == ["digit 0", "digit 1", "digit 2"]
    assert grids["cnn"].labels[-1] == "kernel 32"
    # Hover: template 7 sits in row 1, column 2 of 29-pixel cells (28 + a 1-pixel gap).
    x, y = 2 * 29 + 10, 1 * 29 + 5
    assert grids["multinomial"].hover_text(x, y) == (
        f"digit 7 (y=5, x=10) = {float(templates[7, 5, 10]):.4g}")
    assert grids["multinomial"].hover_text(28.5, 3) == "", "the gap between tiles"


def test_a_new_model_redraws_its_grid(qtbot, store, tiny_models):
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    view = LearnedView(store)
    qtbot.addWidget(view)
    before = view.grids["cnn"].image
    fresh = keras.models.clone_model(tiny_models["cnn"])  # new random weights, same layers
    with qtbot.waitSignal(store.model_saved, timeout=TIMEOUT_MS):
        store.use_model("cnn", fresh, None)
    kernels = np.transpose(first_weights(fresh, "Conv2D")[:, :, 0, :], (2, 0, 1))
    np.testing.assert_array_equal(view.grids["cnn"].image, tile_mosaic(kernels, 8, zoom=8)[0])
    assert not np.array_equal(before, view.grids["cnn"].image)
    np.testing.assert_array_equal(view.grids["dnn"].image,
                                  tile_mosaic(first_weights(tiny_models["dnn"], "Dense")
                                              .T.reshape(64, 28, 28), 8)[0])


def test_without_models_the_grids_say_why(qtbot, predictor):
    bare = LearnedView(ModelStore.from_predictor(predictor))  # Keras models not given
    qtbot.addWidget(bare)
    assert all(grid.image is None for grid in bare.grids.values())
    assert all("no model" in grid.shown_title for grid in bare.grids.values())
    loading = LearnedView(ModelStore())
    qtbot.addWidget(loading)
    assert "loading" in loading.grids["cnn"].shown_title


def test_huge_maps_are_subsampled_for_display(qtbot):
    grid = LearnedMapsGrid("maps")
    qtbot.addWidget(grid)
    maps = np.random.default_rng(0).normal(size=(3, 425, 638)).astype(np.float32)
    grid.set_maps(maps, columns=8, max_tile=160)
    assert grid.image.shape == (107, 3 * 161 - 1, 3)  # step 4: 425 -> 107, 638 -> 160
    text = grid.hover_text(161 + 10, 20)  # tile 2, display pixel (20, 10) = map (80, 40)
    assert text == f"2 (y=80, x=40) = {float(maps[1, 80, 40]):.4g}"


def test_filters_tab_shows_the_cnns_32_learned_kernels_on_the_photo(qtbot, predictor):
    from digitlab.gui.filters.filters_tab import FiltersTab
    from digitlab.gui.filters.kernel_editor import TRAINED_PRESET

    # A plain stand-in for the store (all the tab reads is .predictor): a Python-owned
    # QObject held by the tab would be freed by whichever thread's GC collects the tab.
    tab = FiltersTab(SimpleNamespace(predictor=predictor))
    qtbot.addWidget(tab)
    try:
        qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT_MS)
        assert TRAINED_PRESET in tab.kernel_editor.presets()
        mine = tab.kernel_editor.kernels()
        window = tab.show_all_maps()
        # Opening the grid never replaces the user's kernel: it shows what is in use.
        assert len(tab.kernel_editor.kernels()) == 1
        np.testing.assert_array_equal(tab.kernel_editor.kernels()[0], mine[0])
        assert not window.back_button.isEnabled()
        with qtbot.waitSignal(tab.result_shown, timeout=TIMEOUT_MS,
                              check_params_cb=lambda r: r.conv.shape[-1] == 32):
            window.cnn_button.click()
        result = tab.result
        assert result.conv_shape == (1, 425, 638, 32)
        np.testing.assert_allclose(np.moveaxis(result.kernels, -1, 0),
                                   np.moveaxis(predictor.cnn_first_layer_kernels(), -1, 0))
        grid = window.grid
        assert grid.tile_count == 32 and grid.labels[0] == "conv1 #1"
        np.testing.assert_array_equal(
            grid.image, tile_mosaic(np.moveaxis(result.conv, -1, 0), 8, max_tile=160)[0])
        assert "32 feature map(s), conv shape (1, 425, 638, 32)" in grid.title_text
        window.stage_combo.setCurrentIndex(1)
        np.testing.assert_array_equal(
            grid.image, tile_mosaic(np.moveaxis(result.pooled, -1, 0), 8, max_tile=160)[0])
        # One click puts the user's kernel back.
        assert window.back_button.isEnabled()
        with qtbot.waitSignal(tab.result_shown, timeout=TIMEOUT_MS,
                              check_params_cb=lambda r: r.conv.shape[-1] == 1):
            window.back_button.click()
        np.testing.assert_array_equal(tab.kernel_editor.kernels()[0], mine[0])
        assert tab.kernel_editor.kernel_names() == ["vertical edge (lesson)"]
        assert not window.back_button.isEnabled()
        window.close()
    finally:
        tab.shutdown()


def test_reliability_of_the_calibrated_models_in_use(qtbot, predictor, tiny_models):
    # The temperatures the store holds are the ones fitted for the files in use; their
    # diagrams and ECE come from the shipped calibration report.
    from digitlab.engine.calibration import load_calibration_report

    report = load_calibration_report()
    store = ModelStore.from_predictor(predictor, models=tiny_models,
                                      temperatures={"cnn": report["cnn"]["temperature"]})
    view = LearnedView(store)
    qtbot.addWidget(view)
    charts = view.reliability.charts
    assert charts["cnn"].ece == (report["cnn"]["ece_before"], report["cnn"]["ece_after"])
    assert charts["cnn"].title_text.startswith("CNN: ECE ")
    assert f"T = {report['cnn']['temperature']:.2f}" in charts["cnn"].title_text
    for kind in ("multinomial", "dnn"):  # no temperature for these files: not calibrated
        assert charts[kind].ece is None
        assert "not calibrated" in charts[kind].title_text
    store.shutdown()
