"""Where things live: the per-user data folder and the shipped resources (from source or a frozen build)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "xuyi_desktop"
APP_AUTHOR = "XuyiTransport"


def data_dir() -> Path:
    """The per-user data folder; XUYI_DATA_DIR overrides it (tests never touch the real one)."""
    override = os.environ.get("XUYI_DATA_DIR")
    path = Path(override) if override else Path(user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource_path(*parts: str) -> Path:
    """A file under resources/, found the same way from a source checkout, an installed wheel or PyInstaller."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parent / "resources"]
    for root in candidates:
        if root.is_dir():
            return root.joinpath(*parts)
    return candidates[-1].joinpath(*parts)
