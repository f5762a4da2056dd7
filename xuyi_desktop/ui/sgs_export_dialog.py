"""导出报送批次 / 导出公示版 / 发布到上级平台: `xuyi export sgs` and `xuyi export publication`, off the GUI thread.

The format is chosen from the export profiles shipped as data (resources/exchange/profiles: the upper
platform's templates) or this system's own two-sheet workbook; the period from a month or two dates. A
reporting batch marks what it exported 已报送; a period without records writes the profile's zero report.
The same service call as the CLI (services.sgs_exchange.export_sgs): same file, same rows marked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.platform_export import PublicationResult, export_publication, publication_profiles
from xuyi_desktop.services.sgs_exchange import ExportResult, export_sgs, sgs_profiles
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.record_widgets import button_row, path_row
from xuyi_desktop.ui.workflow_widgets import date_edit

OWN_FORMAT = "本系统格式（行政许可、行政处罚各一张表）"


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


class SgsExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, public: bool = False, publication: bool = False,
                 today: dt.date | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._public, self._publication, self._today = ctx, public, publication, today
        self._folder = folder or Path.home()
        self.result_value: ExportResult | BaseException | None = None
        self.setWindowTitle(self.tr("发布到上级平台") if publication else self.tr("导出公示版") if public else self.tr("导出报送批次"))
        today_ = today or dt.date.today()

        self.profile_combo = QComboBox(self)
        self.profiles = publication_profiles() if publication else sgs_profiles()
        for p in self.profiles:
            self.profile_combo.addItem(p.title, p.name)
        if not publication:
            self.profile_combo.addItem(OWN_FORMAT, "")
        if public:
            self.profile_combo.setCurrentIndex(self.profile_combo.count() - 1)
        self.month_combo = QComboBox(self)
        self.month_combo.addItem(self.tr("自定义期间"), None)
        y, m = today_.year, today_.month
        for _ in range(24):  # the last two years, last month first (the report of the month just ended)
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            self.month_combo.addItem(f"{y}年{m}月", (y, m))
        self.from_edit = date_edit(self, None)
        self.to_edit = date_edit(self, None)
        self.month_combo.currentIndexChanged.connect(self._month_chosen)
        self.month_combo.setCurrentIndex(1)
        self._month_chosen()
        period = QHBoxLayout()
        period.addWidget(self.from_edit)
        period.addWidget(QLabel("～", self))
        period.addWidget(self.to_edit)
        self.batch_edit = QLineEdit(self)
        self.batch_edit.setPlaceholderText(self.tr("不填则自动生成"))
        self.unit_edit = QLineEdit(self)
        self.unit_edit.setPlaceholderText(self.tr("零报送说明上的报送单位（默认：本人所属单位）"))
        self.path_edit, where = path_row(self, self.tr("选择…"), self._browse)

        form = QFormLayout()
        form.addRow(self.tr("导出格式"), self.profile_combo)
        form.addRow(self.tr("所属月份"), self.month_combo)
        form.addRow(self.tr("决定日期"), period)
        if not public and not publication:
            form.addRow(self.tr("报送批次号"), self.batch_edit)
        if not public:
            form.addRow(self.tr("报送单位"), self.unit_edit)
        form.addRow(self.tr("保存到"), where)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.explain.setText(
            self.tr("按所选平台的发布格式导出所选期间的记录（个人证件号码隐去中间部分），不改动记录；本期没有记录时生成零报送说明。")
            if publication else
            self.tr("公示版：不含已撤销、已修复、已过公示期和不予公示的记录，个人证件号码隐去中间部分；不标记已报送。")
            if public else
            self.tr("报送批次：导出本期未报送的记录（以及更正、撤销后待重报的记录），并标记为已报送。"
                    "被平台退回且尚未更正的记录不导出。本期没有任何决定时生成零报送说明。")
        )
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.start_button = QPushButton(self.tr("导出"), self)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.reject)
        buttons = button_row([], [self.start_button, close])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.explain)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.profile_combo.currentIndexChanged.connect(self._suggest_path)
        self.month_combo.currentIndexChanged.connect(self._suggest_path)
        self._suggest_path()
        self.resize(620, self.sizeHint().height())

    # --- choices ----------------------------------------------------------------------------------------

    def _month_chosen(self) -> None:
        ym = self.month_combo.currentData()
        if ym is None:
            return
        first, last = _month_bounds(*ym)
        self.from_edit.setDate(QDate(first.year, first.month, first.day))
        self.to_edit.setDate(QDate(last.year, last.month, last.day))

    def set_period(self, date_from: dt.date, date_to: dt.date) -> None:
        self.month_combo.setCurrentIndex(0)
        self.from_edit.setDate(QDate(date_from.year, date_from.month, date_from.day))
        self.to_edit.setDate(QDate(date_to.year, date_to.month, date_to.day))

    def set_profile(self, name: str) -> None:
        index = self.profile_combo.findData(name)
        if index >= 0:
            self.profile_combo.setCurrentIndex(index)

    def _suggest_path(self) -> None:
        name = self.profile_combo.currentData() or "双公示"
        ym = self.month_combo.currentData()
        when = f"{ym[0]}-{ym[1]:02d}" if ym else dt.date.today().isoformat()
        what = "发布" if self._publication else "公示版" if self._public else "报送"
        self.path_edit.setText(str(self._folder / f"{name}_{what}_{when}.xlsx"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path_edit.text(), "Excel (*.xlsx)")
        if path:
            self.path_edit.setText(path if path.lower().endswith(".xlsx") else path + ".xlsx")

    # --- export -----------------------------------------------------------------------------------------

    def start(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.status.setText(self.tr("请选择保存位置"))
            return
        out = Path(text)
        date_from = self.from_edit.date().toPython()
        date_to = self.to_edit.date().toPython()
        profile = self.profile_combo.currentData() or None
        batch = self.batch_edit.text().strip() or None
        unit = self.unit_edit.text().strip() or None
        ctx, public, today = self._ctx, self._public, self._today
        self.start_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy: one transaction, no figure to show until it ends
        self.status.setText(self.tr("正在导出…"))

        if self._publication:
            def publish() -> PublicationResult:
                return export_publication(ctx, profile or "", date_from=date_from, date_to=date_to, out=out, unit=unit,  # type: ignore[arg-type]
                                          today=today)

            run_in_background(publish, self._published, self._failed, owner=self)
            return

        def work() -> ExportResult:
            return export_sgs(ctx, date_from=date_from, date_to=date_to, out=out, batch_no=batch, public=public,  # type: ignore[arg-type]
                              profile=profile, unit=unit, today=today)

        run_in_background(work, self._done, self._failed, owner=self)

    def _done(self, result: ExportResult) -> None:
        self.result_value = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.start_button.setEnabled(True)
        if result.zero_report:
            text = self.tr("本期没有记录，已生成零报送说明：{0}").format(result.path)
        elif result.public:
            text = self.tr("已导出公示版：行政许可 {0} 条，行政处罚 {1} 条 → {2}").format(result.licenses, result.penalties, result.path)
        else:
            text = self.tr("已导出报送批次 {0}：行政许可 {1} 条，行政处罚 {2} 条，已标记为已报送 → {3}").format(
                result.batch_no, result.licenses, result.penalties, result.path)
        if result.held_back:
            text += self.tr("\n{0} 条被平台退回的记录尚未更正，仍为“待重报”，未导出：{1}").format(
                len(result.held_back), "、".join(result.held_back[:5]))
        if result.incomplete:
            text += self.tr("\n{0} 条缺少平台必填项，未导出：{1}").format(len(result.incomplete), "、".join(result.incomplete[:5]))
        self.status.setText(text)
        self.exported.emit(result)

    def _published(self, result: PublicationResult) -> None:
        self.result_value = result  # type: ignore[assignment]
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.start_button.setEnabled(True)
        self.status.setText(self.tr("本期没有记录，已生成零报送说明：{0}").format(result.path) if result.zero_report
                            else self.tr("已导出 {0} 条 → {1}").format(result.rows, result.path))
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.result_value = exc
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.start_button.setEnabled(True)
        self.status.setText(exc.message_zh if isinstance(exc, DomainError) else self.tr("导出失败：{0}").format(exc))
