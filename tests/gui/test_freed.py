"""Every tab, panel and dialog is freed as soon as it is dropped (pyqtgraph's test_ref_cycles idea).

A reference cycle through a widget leaves it to Python's cyclic GC, which runs
in whatever thread allocates - TensorFlow's training thread included - and
destroying Qt objects there deadlocked the suite. So with the collector off,
dropping the last reference must free the widget at once. A widget with
workers is shut down first, as the window does.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest


def _personal(tmp_path):
    from digitlab.engine.personal import PersonalSet

    return PersonalSet(tmp_path / "personal")


def _save_digit(store, tmp_path):
    from digitlab.gui.dialogs.personal_set_dialog import SaveDigitDialog

    return SaveDigitDialog(np.zeros((28, 28), np.float32), _personal(tmp_path), 3)


def _window(store, tmp_path):
    from PySide6.QtCore import QSettings

    from digitlab.gui.main_window import MainWindow

    return MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def _window_with_every_tab(store, tmp_path):
    window = _window(store, tmp_path)
    assert len(window.pages) == 3  # Filters and Train are built when first needed
    return window


def _make(dotted: str, *args):
    def factory(store, tmp_path):
        module, name = dotted.rsplit(".", 1)
        cls = getattr(__import__(module, fromlist=[name]), name)
        return cls(*[store if a == "store" else _personal(tmp_path) if a == "personal" else a
                     for a in args])
    return factory


G = "digitlab.gui."
WIDGETS = {
    # tabs and the window
    "DrawTab": _make(G + "draw.draw_tab.DrawTab", "store"),
    "FiltersTab": _make(G + "filters.filters_tab.FiltersTab", "store"),
    "TrainTab": _make(G + "train.train_tab.TrainTab", "store"),
    "MainWindow": _window,
    "MainWindow with every tab built": _window_with_every_tab,
    # panels and views
    "DrawCanvas": _make(G + "draw.draw_canvas.DrawCanvas"),
    "ProbabilityChart": _make(G + "draw.probability_chart.ProbabilityChart", "CNN"),
    "PreprocessStrip": _make(G + "draw.preprocess_strip.PreprocessStrip"),
    "FeatureMapGrid": _make(G + "draw.feature_map_grid.FeatureMapGrid"),
    "WhyPanel": _make(G + "draw.why_panel.WhyPanel", "store"),
    "AttributionMaps": _make(G + "draw.attribution_maps.AttributionMaps"),
    "FilterView": _make(G + "filters.filter_view.FilterView"),
    "FilterSettingsPanel": _make(G + "filters.filter_settings_panel.FilterSettingsPanel"),
    "KernelEditor": _make(G + "filters.kernel_editor.KernelEditor"),
    "WorkedExample": _make(G + "filters.worked_example.WorkedExample"),
    "TrainSettingsPanel": _make(G + "train.train_settings_panel.TrainSettingsPanel"),
    "TrainProgressPanel": _make(G + "train.train_progress_panel.TrainProgressPanel"),
    "TrainingCurves": _make(G + "train.training_curves.TrainingCurves"),
    "RunMonitor": _make(G + "train.run_monitor.RunMonitor"),
    "RunResults": _make(G + "train.run_results.RunResults"),
    "ConfusionMatrixView": _make(G + "train.confusion_matrix_view.ConfusionMatrixView"),
    "FinetunePanel": _make(G + "train.finetune_panel.FinetunePanel", "store", "personal"),
    "MisclassifiedGallery": _make(G + "widgets.misclassified_gallery.MisclassifiedGallery"),
    "LearnedMapsGrid": _make(G + "widgets.learned_maps_grid.LearnedMapsGrid", "maps"),
    # dialogs
    "CodeDialog": _make(G + "dialogs.code_dialog.CodeDialog", "Code", "x = 1\n", False),
    "PersonalSetDialog": _make(G + "dialogs.personal_set_dialog.PersonalSetDialog", "personal"),
    "SaveDigitDialog": _save_digit,
    "LearnedView": _make(G + "dialogs.learned_view.LearnedView", "store"),
    "SweepDialog": _make(G + "draw.sweep_dialog.SweepDialog", "store"),
    "FeatureMapsWindow": _make(G + "filters.feature_maps_window.FeatureMapsWindow"),
    "PhotoPicker": _make(G + "filters.photo_picker.PhotoPicker"),
}


@pytest.mark.parametrize("name", list(WIDGETS))
def test_a_dropped_widget_is_freed_at_once_not_left_to_the_cyclic_gc(name, store, tmp_path):
    gc.collect()
    gc.disable()
    try:
        widget = WIDGETS[name](store, tmp_path)
        if name.startswith("MainWindow"):
            widget.close()  # the window's one way to stop: every tab, then the store
        elif hasattr(widget, "shutdown"):
            widget.shutdown()  # stop its workers first, as the main window does
        ref = weakref.ref(widget)
        del widget
        assert ref() is None, f"{name} is kept alive by a reference cycle"
    finally:
        gc.enable()
