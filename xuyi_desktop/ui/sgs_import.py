"""The import dialog of the one import pipeline, off the GUI thread: progress bar, cancel (nothing written),
valid-only choice, and a header-mapping step when the file's columns are not recognised (remembered per source).
`ImportDialog` runs any pipeline import (ledgers, 治超抄报); `SgsImportDialog` is the 双公示 one."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.exchange.pipeline import ImportCancelled, ImportResult, MappingNeeded
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.record_widgets import button_row, path_row

# runner(path, valid_only=, source=, mapping=, progress=, cancel=) -> ImportResult, run on a worker thread
Runner = Callable[..., ImportResult]


class _Progress(QObject):
    """Emitted from the worker thread; delivered (queued) on the GUI thread."""

    changed = Signal(int, int)


class ImportDialog(QDialog):
    """Choose a file, import it through `runner` with progress and cancel, map unknown headers, report."""

    finished_import = Signal(object)  # ImportResult, or the exception that ended it

    def __init__(self, ctx: AppContext, runner: Runner, title: str, parent: QWidget | None = None,
                 describe: Callable[[ImportResult], str] | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._runner, self._describe = ctx, runner, describe
        self._cancel = threading.Event()
        self._mapping: dict[str, str] = {}
        self._source: str | None = None
        self.result_value: ImportResult | BaseException | None = None
        self.setWindowTitle(title)
        self.path_edit, row = path_row(self, self.tr("选择文件…"), self._browse)
        self.source_edit = QLineEdit(self)
        self.source_edit.setPlaceholderText(self.tr("来源系统（可不填；用于记住表头对应关系）"))
        self.valid_only = QCheckBox(self.tr("只导入无误的行（有误的行写入错误报告）"), self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.mapping_box = QWidget(self)
        self.mapping_form = QFormLayout(self.mapping_box)
        self.mapping_box.setVisible(False)
        self.start_button = QPushButton(self.tr("开始导入"), self)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = button_row([], [self.start_button, self.cancel_button])
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.source_edit)
        layout.addWidget(self.valid_only)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._signals = _Progress(self)
        self._signals.changed.connect(self._on_progress)
        self._running = False
        self.resize(560, 260)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择台账"), "", "Excel (*.xlsx)")
        if path:
            self.path_edit.setText(path)

    def start(self) -> None:
        if self._running:
            return
        path = Path(self.path_edit.text().strip())
        self._collect_mapping()
        self._cancel.clear()
        self._running = True
        self.start_button.setEnabled(False)
        self.status.setText(self.tr("正在读取和检查…"))
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        valid_only, source, mapping = self.valid_only.isChecked(), self.source_edit.text().strip() or None, dict(self._mapping)
        signals, cancel, runner = self._signals, self._cancel, self._runner

        def work() -> ImportResult:
            return runner(path, valid_only=valid_only, source=source, mapping=mapping,
                          progress=lambda d, t: signals.changed.emit(d, t), cancel=cancel.is_set)

        run_in_background(work, self._done, self._failed, owner=self)

    def cancel(self) -> None:
        if self._running:
            self._cancel.set()
            self.status.setText(self.tr("正在取消…"))
        else:
            self.reject()

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(f"已检查 {done}/{total} 行")

    def _finish(self, value: ImportResult | BaseException) -> None:
        self._running = False
        self.start_button.setEnabled(True)
        self.result_value = value
        self.finished_import.emit(value)

    def _done(self, result: ImportResult) -> None:
        self.progress.setRange(0, max(result.rows, 1))
        self.progress.setValue(max(result.rows, 1))
        if result.ok:
            self.status.setText(f"导入完成：{self._describe(result) if self._describe else f'{result.imported} 条'}")
        else:
            written = f"已导入 {result.imported} 条，" if result.valid_only else "未写入任何数据，"
            self.status.setText(f"{result.failed_rows} 行有误，{written}错误报告：{result.errors_path}")
        self._finish(result)

    def _failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if isinstance(exc, MappingNeeded):
            self._show_mapping(exc)
            self.status.setText(exc.message_zh)
        elif isinstance(exc, ImportCancelled | DomainError):
            self.status.setText(exc.message_zh)
        else:
            self.status.setText(f"导入失败：{exc}")
        self._finish(exc)

    def _show_mapping(self, exc: MappingNeeded) -> None:
        """One drop-down per missing column: which of the file's unrecognised headers it is."""
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self._source = exc.source
        for fld in exc.missing:
            combo = QComboBox(self.mapping_box)
            combo.addItem("")
            combo.addItems(exc.unknown)
            combo.setObjectName(f"map_{fld}")
            combo.setProperty("field", fld)
            self.mapping_form.addRow(exc.labels.get(fld, fld), combo)
        self.mapping_box.setVisible(True)
        self.start_button.setText(self.tr("按对应关系导入"))

    def _collect_mapping(self) -> None:
        for combo in self.mapping_box.findChildren(QComboBox):
            if combo.currentText():
                self._mapping[combo.currentText()] = str(combo.property("field"))


class SgsImportDialog(ImportDialog):
    """导入双公示台账."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        from xuyi_desktop.services.sgs_exchange import import_sgs

        def runner(path: Path, **kw: object) -> ImportResult:
            return import_sgs(ctx, path, today=today, **kw)  # type: ignore[arg-type]

        super().__init__(ctx, runner, "导入双公示台账", parent)
