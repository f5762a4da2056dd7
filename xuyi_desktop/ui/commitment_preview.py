"""The commitment page's print preview: the shared preview dialog (ui/print_preview.py). Importing this
module raises ImportError without QtPdf, and the page falls back to the system PDF viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPdf import QPdfDocument  # noqa: F401 - ImportError without PySide6-Addons
from PySide6.QtWidgets import QWidget

from xuyi_desktop.ui.print_preview import PrintPreviewDialog, paint_pdf, show_pdf

__all__ = ["paint_pdf", "show_print_preview"]


def show_print_preview(parent: QWidget, path: Path) -> PrintPreviewDialog | None:
    return show_pdf(parent, path)
