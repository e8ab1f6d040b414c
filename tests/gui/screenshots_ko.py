"""Take the Korean screenshots of every tab from the real app (not a test: a script).

Run under Xvfb with a Korean locale; the app follows it (no setting is written)::

    LANG=ko_KR.UTF-8 XDG_CONFIG_HOME=$(mktemp -d) QT_QPA_PLATFORM=xcb \\
        xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python tests/gui/screenshots_ko.py resources/screenshots

Add ``FONTCONFIG_FILE=`` a fontconfig file that lists only ``/usr/share/fonts/truetype/dejavu``
(plus ``<include>/etc/fonts/conf.d</include>``) to see a fresh Debian/Ubuntu without
Korean fonts: the Hangul then comes from the bundled ``resources/fonts`` subset.
Saves ``draw_ko.png``, ``filters_ko.png``, ``train_ko.png`` and ``why_ko.png``
(``import -window root`` from ImageMagick: the whole 1366x768 screen).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(out: Path) -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("DigitLab")
    app.setApplicationName("digitlab")
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    from digitlab.gui.draw.draw_sources import mnist_test_set
    from digitlab.gui.main_window import MainWindow
    from digitlab.gui.model_store import ModelStore

    store = ModelStore()
    window = MainWindow(store)
    window.move(0, 0)
    window.resize(1366, 740)
    window.show()
    store.start_loading()

    def wait(seconds: float, until=lambda: False) -> None:
        end = time.time() + seconds
        while time.time() < end and not until():
            app.processEvents()
            time.sleep(0.02)

    def shoot(name: str) -> None:
        subprocess.run(["import", "-window", "root", str(out / f"{name}_ko.png")], check=True)

    wait(120, lambda: store.is_ready)
    x_test, _ = mnist_test_set()
    window.draw_tab.show_digit(x_test[0])
    for index, name in enumerate(("draw", "filters", "train")):
        window.tabs.setCurrentIndex(index)
        wait(4)
        if name == "filters":
            wait(30, lambda: window.filters_tab.result is not None)
            wait(2)
        shoot(name)
    window.tabs.setCurrentIndex(0)
    window.draw_tab.lower_tabs.setCurrentIndex(1)  # Why this digit
    wait(8)
    shoot("why")
    window.close()
    store.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots"))
