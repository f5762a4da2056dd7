"""Qt print preview of a rendered PDF (needs the optional PySide6-Pdf wheel; importing this module raises
ImportError without it, and the page falls back to the system PDF viewer)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument  # ImportError without PySide6-Pdf
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget


def paint_pdf(printer: QPrinter, path: Path, dpi: int = 300) -> int:
    """Draw every page of the PDF on the printer (as images at `dpi`, on white: QtPdf renders transparent)."""
    doc = QPdfDocument()
    doc.load(str(path))
    painter = QPainter(printer)
    try:
        for i in range(doc.pageCount()):
            if i:
                printer.newPage()
            size_pt = doc.pagePointSize(i)
            image = doc.render(i, QSize(int(size_pt.width() / 72 * dpi), int(size_pt.height() / 72 * dpi)))
            white = QImage(image.size(), QImage.Format.Format_RGB32)
            white.fill(QColor("white"))
            p = QPainter(white)
            p.drawImage(QPointF(0, 0), image)
            p.end()
            page = printer.pageLayout().fullRectPixels(printer.resolution())
            painter.drawImage(QRectF(0, 0, page.width(), page.height()), white)
    finally:
        painter.end()
    return doc.pageCount()


def show_print_preview(parent: QWidget, path: Path) -> QPrintPreviewDialog:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog does not own its printer: without this reference Python frees the QPrinter when this function
    # returns and the preview paints on a deleted device (a segmentation fault, seen once QtPdf was installed).
    dialog._printer = printer  # type: ignore[attr-defined]
    dialog.setWindowTitle(path.name)
    dialog.paintRequested.connect(lambda pr: paint_pdf(pr, path))
    dialog.open()
    return dialog
