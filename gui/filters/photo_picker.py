"""Which photo and which channel the Filters tab filters: the "Photo" box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitlab import resources
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.style import IMAGE_FILTER

PHOTOS_DIR = resources.path("photos")
DEFAULT_PHOTO = "rocket.jpg"
#: Channel menu text -> ``engine.images.extract_channel`` channel; R first, as the lesson
#: slices R. (Texts keep the "FiltersTab" translation context they were written in.)
CHANNEL_CHOICES = {QT_TRANSLATE_NOOP("FiltersTab", "Red"): "red",
                   QT_TRANSLATE_NOOP("FiltersTab", "Green"): "green",
                   QT_TRANSLATE_NOOP("FiltersTab", "Blue"): "blue",
                   # The lesson's grey image: the mean of R, G and B.
                   QT_TRANSLATE_NOOP("FiltersTab", "Grey (R+G+B)/3"): "mean",
                   QT_TRANSLATE_NOOP("FiltersTab", "Luminance"): "gray"}
_PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif")


def describe_photo(photo) -> str:
    """The photo line: "rocket.jpg: 640×427", or the working and original sizes."""
    name = Path(photo.path).name
    width, height = photo.size
    if photo.downscaled:
        ow, oh = photo.original_size
        return translate("FiltersTab", "{0}: working size {1}×{2} (original {3}×{4})").format(
            name, width, height, ow, oh)
    return translate("FiltersTab", "{0}: {1}×{2}").format(name, width, height)


class PhotoPicker(QGroupBox):
    """A sample photo, Open…, the channel, and a line saying what is shown.

    The picker only asks; the tab loads the photo and tells the picker what
    happened (:meth:`show_loading`, :meth:`show_photo`, :meth:`show_failure`).

    Signals:
        photo_requested(str): the user picked a sample or opened a file (its path).
        channel_changed(): another channel was chosen (see :meth:`channel`).
    """

    photo_requested = Signal(str)
    channel_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("FiltersTab", "Photo"), parent)
        self.photo_combo = QComboBox()
        for sample in sorted(p for p in PHOTOS_DIR.iterdir()
                             if p.suffix.lower() in _PHOTO_SUFFIXES):
            self.photo_combo.addItem(sample.name, str(sample))
        self.photo_combo.setCurrentText(DEFAULT_PHOTO)
        self.photo_combo.activated.connect(self._on_sample_chosen)
        self.open_button = QPushButton(translate("FiltersTab", "Open…"))
        self.open_button.setToolTip(
            translate("FiltersTab", "Open a photo (or drop one on this tab)."))
        self.open_button.clicked.connect(self.choose_file)
        self.channel_combo = QComboBox()
        for text, channel in CHANNEL_CHOICES.items():
            self.channel_combo.addItem(translate("FiltersTab", text), channel)
        self.channel_combo.setToolTip(
            translate("FiltersTab", "The lesson filters one channel: image[:, :, 0] (red)."))
        self.channel_combo.currentIndexChanged.connect(self.channel_changed)
        self.photo_label = QLabel(translate("FiltersTab", "Loading photo…"))
        self.photo_label.setWordWrap(True)

        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_combo, 1)
        photo_row.addWidget(self.open_button)
        channel_row = QHBoxLayout()
        channel_row.addWidget(QLabel(translate("FiltersTab", "Channel")))
        channel_row.addWidget(self.channel_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(photo_row)
        layout.addLayout(channel_row)
        layout.addWidget(self.photo_label)

    @staticmethod
    def default_photo() -> str:
        """The path of the photo shown first (the lesson's rocket)."""
        return str(PHOTOS_DIR / DEFAULT_PHOTO)

    def channel(self) -> str:
        """The chosen ``engine.images`` channel: red, green, blue, mean (grey) or gray."""
        return self.channel_combo.currentData()

    @Slot()
    def choose_file(self) -> None:
        """Open…: ask for a photo file."""
        path, _ = QFileDialog.getOpenFileName(self, translate("FiltersTab", "Open photo"),
                                              str(PHOTOS_DIR),
                                              translate("FileDialogs", IMAGE_FILTER))
        if path:
            self.photo_requested.emit(path)

    def show_loading(self, path: str) -> None:
        self.photo_label.setText(translate("FiltersTab", "Loading {0}…").format(Path(path).name))

    def show_photo(self, photo) -> None:
        """``photo`` (an ``engine.images.Photo``) is on screen; the picker names it too."""
        self._select(photo.path)
        self.photo_label.setText(describe_photo(photo))

    def show_failure(self, path: str, current_photo) -> None:
        """``path`` could not be opened; ``current_photo`` (or None) stays on screen."""
        # The previous photo stays: the picker and the line must name it again.
        if current_photo is not None:
            self._select(current_photo.path)
        self.photo_label.setText(
            describe_photo(current_photo) if current_photo is not None
            else translate("FiltersTab", "No photo: {0} could not be opened.").format(
                Path(path).name))

    def _select(self, path: str) -> None:
        """Show ``path`` in the picker, adding a photo opened from disk after the samples."""
        index = self.photo_combo.findData(str(path))
        if index < 0:
            self.photo_combo.addItem(Path(path).name, str(path))
            index = self.photo_combo.count() - 1
        self.photo_combo.setCurrentIndex(index)

    @Slot(int)
    def _on_sample_chosen(self, _index: int) -> None:
        self.photo_requested.emit(self.photo_combo.currentData())
