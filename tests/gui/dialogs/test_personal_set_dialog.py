"""Save drawings as labelled digits, browse and delete them (the personal set)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from digitlab.engine.personal import PersonalSet
from digitlab.gui.model_store import ModelStore
from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog, SaveDigitDialog, counts_text

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def personal(tmp_path):
    return PersonalSet(tmp_path / "personal")


@pytest.fixture
def image(mnist):
    return mnist.x_test[0].astype(np.float32) / 255.0  # a 7


def save_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def test_counts_text():
    assert counts_text([]) == "no drawings yet"
    assert counts_text([7]) == "1 drawing — 0: 0 · 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 0 · 6: 0 · " \
                               "7: 1 · 8: 0 · 9: 0"
    assert counts_text([1, 7, 7]).startswith("3 drawings — 0: 0 · 1: 1")
    assert counts_text([1, 7, 7], compact=True) == "3 drawings — 1: 1 · 7: 2"


def test_saving_with_the_suggested_label(qtbot, personal, image):
    dialog = SaveDigitDialog(image, personal, suggested=7)
    qtbot.addWidget(dialog)
    assert dialog.label == 7 and save_button(dialog).isEnabled()
    with qtbot.waitSignal(dialog.saved) as blocker:
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    sample = blocker.args[0]
    assert dialog.result() == QDialog.DialogCode.Accepted
    (saved,) = personal.samples()
    assert saved.id == sample.id and saved.label == 7
    np.testing.assert_array_equal(saved.image, np.round(image * 255).astype(np.uint8))
    assert saved.path.name.startswith("7_") and saved.path.suffix == ".png"


def test_a_digit_key_picks_the_label(qtbot, personal, image):
    dialog = SaveDigitDialog(image, personal, suggested=None)
    qtbot.addWidget(dialog)
    assert dialog.label is None and not save_button(dialog).isEnabled()
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    assert dialog.label == 3 and save_button(dialog).isEnabled()
    assert dialog.save() is not None
    assert [s.label for s in personal.samples()] == [3]


def test_a_failed_write_is_shown_and_the_dialog_stays(qtbot, tmp_path, image):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    dialog = SaveDigitDialog(image, PersonalSet(blocked), suggested=1)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.save() is None
    assert dialog.error_label.text().startswith("Could not save:")
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted


def test_browser_lists_filters_and_deletes(qtbot, personal, mnist):
    for index, label in ((2, 1), (0, 7), (17, 7)):
        personal.add(mnist.x_test[index], label)
    (personal.folder / "7_notes.txt").write_text("not a sample")
    dialog = PersonalSetDialog(personal)
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["1", "7", "7"]
    assert dialog.counts_label.text().startswith("3 drawings")
    assert "7_notes.txt" in dialog.warning_label.text()
    assert not dialog.delete_button.isEnabled()

    dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData(7))
    sevens = dialog.shown_samples
    assert [s.label for s in sevens] == [7, 7] and dialog.list.count() == 2

    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    dialog.select_ids([sevens[0].id])
    assert dialog.delete_button.isEnabled()
    with qtbot.waitSignal(dialog.set_changed):
        dialog.list.setFocus()
        qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert not sevens[0].path.exists() and sevens[1].path.exists()
    assert [s.id for s in personal.samples()] == [personal.samples()[0].id, sevens[1].id]
    assert dialog.list.count() == 1 and dialog.counts_label.text().startswith("2 drawings")


def test_ctrl_s_in_the_draw_tab_saves_the_model_input(qtbot, tiny_models, mnist):
    from digitlab.engine.inference import Predictor
    from digitlab.gui.draw.draw_tab import DrawTab

    tab = DrawTab(ModelStore.from_predictor(Predictor.from_keras(tiny_models)))
    qtbot.addWidget(tab)
    lab = tab.lab
    assert not lab.save_action.isEnabled(), "nothing drawn: nothing to save"
    tab.show_digit(mnist.x_test[0])
    assert lab.save_action.isEnabled()
    assert lab.save_action.shortcut().toString() == "Ctrl+S"
    lab.save_action.trigger()
    dialog = lab.save_dialog
    assert dialog.isVisible() and dialog.label == tab.last_prediction.digit
    dialog.set_label(7)
    dialog.save()
    (sample,) = PersonalSet().samples()  # the default folder (tests' private data dir)
    expected = np.round(tab.last_prediction.preprocess.image28 * 255).astype(np.uint8)
    np.testing.assert_array_equal(sample.image, expected)
    assert tab.message_text.startswith("Saved as a 7 (1 drawing in your set")
    browser = lab.show_personal_set()
    assert browser.list.count() == 1
    browser.close()
