"""The Qt (PySide6) desktop UI: thin widgets over xuyi_desktop.services; no SQL and no business rules here."""

import time

STARTED_AT = time.time()  # first thing the UI does: `xuyi-desktop --quit-after-shown` reports time from here
STARTED_PERF = time.perf_counter()

from xuyi_desktop.ui.qt_compat import protect_singletons

protect_singletons()  # before any widget exists: see qt_compat for the PySide6 6.12 / Python 3.11 reference bug
