"""The 信用评价 page's year-end work, each over the function its CLI command calls: 导入评价结果 (`xuyi import ratings`,
off the GUI thread with progress, cancel and the error workbook), the import template (`xuyi import
ratings-template`), and the question "which year and domain" that 公示名单 (`xuyi print publicity`) and 批量打印证书
(`xuyi print certificates`) ask first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.exchange.pipeline import ImportCancelled
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.record_widgets import button_row, dialog_buttons
from xuyi_desktop.ui.sgs_import import ImportDialog


class YearDomainDialog(QDialog):
    """评价年度 and 评价领域 (and, for the publicity list, which statuses it lists)."""

    def __init__(self, title: str, parent: QWidget | None = None, *, period: int | None = None, domain: str | None = None,
                 with_statuses: bool = False) -> None:
        from xuyi_desktop.services.schemes import registry

        super().__init__(parent)
        self.setWindowTitle(title)
        reg = registry()
        self.period_spin = QSpinBox(self)
        self.period_spin.setRange(2000, 2100)
        self.period_spin.setValue(period or dt.date.today().year - 1)
        self.domain_combo = QComboBox(self)
        for code in reg.codes():
            scheme = reg.latest(code)
            self.domain_combo.addItem(scheme.name + ("" if scheme.active else "（仅历史）"), code)
        if domain is not None and self.domain_combo.findData(domain) >= 0:
            self.domain_combo.setCurrentIndex(self.domain_combo.findData(domain))
        form = QFormLayout(self)
        form.addRow(self.tr("评价年度："), self.period_spin)
        form.addRow(self.tr("评价领域："), self.domain_combo)
        self.publicity_box = QCheckBox(RatingStatus.PUBLICITY.label, self)
        self.effective_box = QCheckBox(RatingStatus.EFFECTIVE.label, self)
        self.publicity_box.setChecked(True)
        if with_statuses:
            row = button_row([self.publicity_box, self.effective_box])
            form.addRow(self.tr("列入名单："), row)
        buttons = dialog_buttons(self, self.accept, save=False)
        form.addRow(buttons)

    def choice(self) -> tuple[int, str, tuple[RatingStatus, ...]]:
        statuses = tuple(s for s, box in ((RatingStatus.PUBLICITY, self.publicity_box), (RatingStatus.EFFECTIVE, self.effective_box))
                         if box.isChecked())
        return self.period_spin.value(), str(self.domain_combo.currentData()), statuses or (RatingStatus.PUBLICITY,)

    @staticmethod
    def ask(parent: QWidget, title: str, *, period: int | None = None, domain: str | None = None,
            with_statuses: bool = False) -> tuple[int, str, tuple[RatingStatus, ...]] | None:
        dialog = YearDomainDialog(title, parent, period=period, domain=domain, with_statuses=with_statuses)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RatingImportDialog(ImportDialog):
    """导入评价结果: the shared import dialog (progress bar, cancel, status) over services.rating_exchange.import_ratings,
    all or nothing; a file with errors leaves its error workbook beside it (cells marked, a 原因 column), which the
    clerk opens from here, corrects and imports again."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        from xuyi_desktop.services.rating_exchange import import_ratings

        self._create = False

        def runner(path: Path, *, progress, cancel, **_unused: object):
            def tick(done: int, total: int) -> None:
                if cancel():  # raised inside the import's transaction: it rolls back, nothing is written
                    raise ImportCancelled()
                progress(done, total)

            return import_ratings(ctx, path, create_missing=self._create, progress=tick)

        super().__init__(ctx, runner, "导入评价结果", parent)
        self.source_edit.setVisible(False)  # the rating sheet's headers are known by their aliases: no mapping step
        self.valid_only.setVisible(False)  # all or nothing, as `xuyi import ratings`
        self.create_missing = QCheckBox(self.tr("同时登记系统中没有的主体（需名称和有效证件号码）"), self)
        self.layout().insertWidget(1, self.create_missing)
        self.errors_button = QPushButton(self.tr("打开错误报告"), self)
        self.errors_button.setVisible(False)
        self.errors_button.clicked.connect(self.open_errors)
        self.layout().itemAt(self.layout().count() - 1).layout().insertWidget(0, self.errors_button)
        self.errors_path: Path | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择评价结果文件"), "", "Excel (*.xlsx)")
        if path:
            self.path_edit.setText(path)

    def start(self) -> None:
        self._create = self.create_missing.isChecked()
        self.errors_button.setVisible(False)
        super().start()

    def _done(self, result) -> None:
        self.progress.setRange(0, max(result.rows, 1))
        self.progress.setValue(max(result.rows, 1))
        if result.ok:
            created = f"，新登记主体 {result.entities_created} 个" if result.entities_created else ""
            self.status.setText(f"导入完成：{result.imported} 条评价（草稿）{created}。导入的评价需经审核、公示后生效。")
            self.cancel_button.setText(self.tr("关闭"))
        else:
            self.errors_path = result.errors_path
            self.status.setText(f"{result.rows} 行中有 {result.failed_rows} 行有误，未导入任何数据。"
                                f"错误报告（出错单元格标红，“原因”列说明原因）：{result.errors_path}")
            self.errors_button.setVisible(True)
        self._finish(result)

    def open_errors(self) -> None:
        if self.errors_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.errors_path)))
