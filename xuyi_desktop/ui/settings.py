"""Where the UI keeps window geometry: an INI file in the per-user data folder (XUYI_DATA_DIR in tests)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from xuyi_desktop.paths import data_dir

SETTINGS_FILE = "desktop-ui.ini"


def ui_settings() -> QSettings:
    """An INI file rather than the Windows registry: it travels with the data folder and tests can isolate it."""
    return QSettings(str(data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)
