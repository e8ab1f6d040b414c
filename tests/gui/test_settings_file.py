"""The app's settings follow DIGITLAB_DATA_DIR: tests and trial runs never touch the real ones."""

from __future__ import annotations

from digitlab.gui.app import app_settings


def test_settings_follow_the_data_dir_override(tmp_path, monkeypatch, qapp):
    monkeypatch.setenv("DIGITLAB_DATA_DIR", str(tmp_path))
    settings = app_settings()
    settings.setValue("probe", 1)
    settings.sync()
    assert settings.fileName() == str(tmp_path / "settings.ini")
    assert (tmp_path / "settings.ini").is_file()
