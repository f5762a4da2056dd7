"""Printing as Windows users expect: every printed PDF opens in a print preview inside the program, with
"打印…" (the system print dialog: printer, pages, copies) and "另存为 PDF…" beside it.

The pages show a printed PDF with `QDesktopServices.openUrl` (as they open any file); `install_pdf_handler`
routes the file URLs of PDFs to this preview, everything else to the system as before. Without QtPdf
(PySide6-Addons) the system's PDF viewer opens the file, which prints as well.

`confirm_provisional_print` asks before printing under the provisional office code (TMP-…): the serial on
the paper keeps that code for good."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, QStandardPaths, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QImage, QKeySequence, QPainter, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

try:  # PySide6-Addons; declared in pyproject.toml, still optional at run time
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - the wheel is installed with the program
    HAVE_QTPDF = False

PRINT_DPI = 300


def _documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def paint_pdf(printer: QPrinter, path: Path, dpi: int = PRINT_DPI, pages: list[int] | None = None) -> int:
    """Draw the PDF's pages on the printer, each as an image at `dpi` on white (QtPdf renders transparent),
    filling the printer's full page; returns the number of pages sent."""
    doc = QPdfDocument()
    doc.load(str(path))
    wanted = pages if pages is not None else list(range(doc.pageCount()))
    painter = QPainter(printer)
    try:
        for n, i in enumerate(wanted):
            if n:
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
    return len(wanted)


def _printer_pages(printer: QPrinter, count: int) -> list[int]:
    """The 0-based pages the print dialog asked for (all, a range, or the current page)."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), printer.toPage() or count
        return [i for i in range(first - 1, min(last, count))]
    return list(range(count))


class PrintPreviewDialog(QDialog):
    """The printed document as it will come out of the printer: page by page, zoomable, with 打印… (the
    system print dialog), 另存为 PDF… and 关闭. Fits a 1366×768 screen."""

    def __init__(self, path: str | Path, parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(self.tr("打印预览 — {0}").format(title or self.path.name))
        self.document = QPdfDocument(self)
        self.document.load(str(self.path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("background: #8a8d91;")

        self.print_button = QPushButton(self.tr("打印(&P)…"), self)
        self.print_button.setDefault(True)
        self.save_button = QPushButton(self.tr("另存为 PDF(&S)…"), self)
        self.close_button = QPushButton(self.tr("关闭"), self)
        self.zoom = QComboBox(self)
        self.zoom.addItems([self.tr("整页"), self.tr("适合宽度"), "75%", "100%", "150%"])
        self.pages_label = QLabel(self)
        count = self.document.pageCount()
        self.pages_label.setText(self.tr("共 {0} 页").format(count))
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.close_button.clicked.connect(self.reject)
        self.zoom.currentIndexChanged.connect(self._zoom)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)

        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("显示："), self))
        bar.addWidget(self.zoom)
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else QRectF(0, 0, 1366, 728).toRect()
        self.resize(min(980, int(avail.width() * 0.92)), min(1000, int(avail.height() * 0.92)))
        self.last_printed = 0

    def _zoom(self, index: int) -> None:
        if index == 0:
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        elif index == 1:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(self.zoom.currentText().rstrip("%")) / 100)

    def new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)  # the PDF has its own margins (GB/T 9704)
        printer.setDocName(self.path.stem)
        return printer

    def print_document(self, *, exec_dialog: bool = True, printer: QPrinter | None = None) -> int:
        """The system print dialog, then the pages to the chosen printer; returns the pages sent (0: cancelled)."""
        printer = printer or self.new_printer()
        if exec_dialog:
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle(self.tr("打印"))
            dialog.setMinMax(1, max(1, self.document.pageCount()))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.last_printed = paint_pdf(printer, self.path, pages=_printer_pages(printer, self.document.pageCount()))
        finally:
            QApplication.restoreOverrideCursor()
        return self.last_printed

    def save_as(self, target: str | Path | None = None) -> Path | None:
        """A copy of the PDF where the clerk chooses (the preview's file may be a temporary one)."""
        if target is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("另存为 PDF"), str(Path(_documents_folder()) / self.path.name), self.tr("PDF 文件 (*.pdf)"))
            if not chosen:
                return None
            target = chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf"
        out = Path(target)
        if out.resolve() != self.path.resolve():
            try:
                shutil.copyfile(self.path, out)
            except OSError as exc:
                QMessageBox.warning(self, self.tr("另存为 PDF"), self.tr("无法保存：{0}").format(exc.strerror or exc))
                return None
        return out


def is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def show_pdf(parent: QWidget | None, path: str | Path, *, title: str = "") -> PrintPreviewDialog | None:
    """Show a printed PDF in the preview (non-blocking); the system viewer when QtPdf is missing."""
    path = Path(path)
    if not HAVE_QTPDF:
        _open_with_system(QUrl.fromLocalFile(str(path)))
        return None
    dialog = PrintPreviewDialog(path, parent, title=title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog


def _open_with_system(url: QUrl) -> bool:
    """The system's program for the file (our own file handler steps aside while it is called)."""
    _HANDLER.passing = True
    try:
        return QDesktopServices.openUrl(url)
    finally:
        _HANDLER.passing = False


class _PdfUrlHandler(QObject):
    """Takes the file URLs `QDesktopServices.openUrl` is asked to open: PDFs go to the preview, the rest on
    to the system."""

    def __init__(self) -> None:
        super().__init__()
        self.passing = False
        self.shown: list[PrintPreviewDialog] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        path = Path(url.toLocalFile())
        if not self.passing and HAVE_QTPDF and path.suffix.lower() == ".pdf" and is_pdf(path):
            dialog = show_pdf(QApplication.activeWindow(), path)
            if dialog is not None:
                self.shown = [d for d in self.shown if d.isVisible()] + [dialog]
            return
        QDesktopServices.openUrl(url)  # inside a handler Qt goes straight to the system


_HANDLER = _PdfUrlHandler()


def install_pdf_handler() -> None:
    """From now on a PDF opened with `QDesktopServices.openUrl` shows in the print preview."""
    if HAVE_QTPDF:
        # PySide6 6.x stubs say bytes; the binding itself takes only the slot's name as str.
        QDesktopServices.setUrlHandler("file", _HANDLER, "open")  # type: ignore[arg-type]


def uninstall_pdf_handler() -> None:
    QDesktopServices.unsetUrlHandler("file")


# --- the provisional office ------------------------------------------------------------------------------------
def confirm_provisional_print(parent: QWidget | None, ctx: object) -> bool:
    """Before printing a numbered document under the provisional office code: ask (once a session). An
    administrator may set the office up on the spot. True: go on printing."""
    from xuyi_desktop.services.print_settings import provisional_warning

    warning = provisional_warning(ctx)  # type: ignore[arg-type]
    if warning is None or getattr(ctx, "provisional_print_confirmed", False):
        return True
    box = QMessageBox(QMessageBox.Icon.Warning, QApplication.translate("print", "本单位尚未设置"), warning.message_zh,
                      QMessageBox.StandardButton.NoButton, parent)
    go = box.addButton(QApplication.translate("print", "仍然打印"), QMessageBox.ButtonRole.AcceptRole)
    setup = None
    from xuyi_desktop.domain.permissions import Permission

    if ctx.can(Permission.SETTINGS):  # type: ignore[attr-defined]
        setup = box.addButton(QApplication.translate("print", "设置本单位…"), QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton(QApplication.translate("print", "取消"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is go:
        ctx.provisional_print_confirmed = True  # type: ignore[attr-defined]
        return True
    if setup is not None and clicked is setup:
        from xuyi_desktop.ui.office_setup import OfficeSetupDialog

        dialog = OfficeSetupDialog(ctx, parent)  # type: ignore[arg-type]
        return dialog.exec() == QDialog.DialogCode.Accepted and provisional_warning(ctx) is None  # type: ignore[arg-type]
    return False


class _ProvisionalAsker(QObject):
    """Asks on the GUI thread for a print running on the thread pool (the worker waits for the answer)."""

    ask = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.ask.connect(self._ask, Qt.ConnectionType.BlockingQueuedConnection)

    @Slot(object)
    def _ask(self, holder: list) -> None:
        holder[1] = confirm_provisional_print(QApplication.activeWindow(), holder[0])

    def __call__(self, ctx: object, warning: object) -> bool:
        if QThread.currentThread() is self.thread():
            return confirm_provisional_print(QApplication.activeWindow(), ctx)
        holder: list = [ctx, False]
        self.ask.emit(holder)
        return bool(holder[1])


_ASKER: _ProvisionalAsker | None = None


def install_provisional_guard() -> None:
    """From now on a numbered print under the provisional office code asks first (services.print_settings)."""
    global _ASKER
    from xuyi_desktop.services.print_settings import set_provisional_guard

    if _ASKER is None:
        _ASKER = _ProvisionalAsker()
    set_provisional_guard(_ASKER)


def uninstall_provisional_guard() -> None:
    from xuyi_desktop.services.print_settings import set_provisional_guard

    set_provisional_guard(None)
