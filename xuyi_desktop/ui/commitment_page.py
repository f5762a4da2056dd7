"""The 信用承诺 page: the list (filter by text and status, or the overdue follow-up list), a new commitment,
践诺 / 违诺, and the 信用承诺书: save as PDF, preview (Qt print preview when QtPdf is installed, else the
system PDF viewer, which also prints), and batch printing into one PDF with a progress dialog.
Every rule lives in services.commitments; the page only asks and shows."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.commitments import CommitmentStatus
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import commitments as svc
from xuyi_desktop.services.commitments import CommitmentView
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.commitment_dialog import CommitmentDialog, ViolationDialog
from xuyi_desktop.ui.ledger_widgets import pydate
from xuyi_desktop.ui.operations import OperationRunner, run_in_background
from xuyi_desktop.ui.record_widgets import (
    GREEN,
    GREY,
    RED,
    RecordPage,
    button_row,
    confirm,
    dialog_buttons,
    list_and_detail,
    open_form,
    record_table,
)
from xuyi_desktop.ui.widgets import page_action
from xuyi_desktop.ui.workflow_widgets import date_edit

OVERDUE = "overdue"


class Column:
    SERIAL, STATUS, ENTITY, TYPE, AREA, BUSINESS, SIGNED, TERM = range(8)
    TITLES = ("编号", "状态", "承诺主体", "承诺类型", "应用领域", "涉及业务", "签署日期", "履约期限至")


class DateRangeDialog(QDialog):
    """开始日期 and 结束日期 of a period (default: this year so far)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        today = QDate.currentDate()
        self.start_edit = date_edit(self, QDate(today.year(), 1, 1))
        self.end_edit = date_edit(self, today)
        form = QFormLayout(self)
        form.addRow(self.tr("开始日期："), self.start_edit)
        form.addRow(self.tr("结束日期："), self.end_edit)
        buttons = dialog_buttons(self, self.accept, save=False)
        form.addRow(buttons)

    @staticmethod
    def ask(parent: QWidget, title: str) -> tuple[dt.date, dt.date] | None:
        dialog = DateRangeDialog(title, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return pydate(dialog.start_edit.date()), pydate(dialog.end_edit.date())


class _BatchSignals(QObject):
    progress = Signal(int, int)


class CommitmentPage(RecordPage):
    # 已践诺 / 撤销 ended (they run off the GUI thread): True written and the list reloaded, False refused
    actionFinished = Signal(bool)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, settings, parent)
        self.views: list[CommitmentView] = []
        self.last_pdf: Path | None = None
        self.last_batch: svc.BatchPrinted | None = None
        self.progress: QProgressDialog | None = None
        self.batch_running = False
        self._cancel = False
        self.last_export: Path | None = None
        self.last_indicator: svc.AreaIndicator | None = None
        self._build()
        # 已践诺 and 撤销 write off the GUI thread; meanwhile the status buttons are disabled (no second change).
        self.ops = OperationRunner(self, self.tr("信用承诺"),
                                   busy_widgets=(self.fulfil_button, self.violate_button, self.revoke_button))
        self.reload()

    # --- building -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("名称、编号、业务或证件号码，回车筛选"))
        self.status_combo = QComboBox(self)
        self.status_combo.addItem(self.tr("全部状态"), "")
        for s in CommitmentStatus:
            self.status_combo.addItem(s.label, s.value)
        self.status_combo.addItem(self.tr("逾期未办结"), OVERDUE)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 3)
        top.addWidget(self.status_combo, 1)

        self.table = record_table(self, Column.TITLES, selection=QAbstractItemView.SelectionMode.ExtendedSelection)
        self.detail = QTextBrowser(self)
        split = list_and_detail(self, self.table, self.detail)

        self.new_button = QPushButton(self.tr("新建承诺(&N)"), self)
        self.fulfil_button = QPushButton(self.tr("已践诺"), self)
        self.violate_button = QPushButton(self.tr("违诺…"), self)
        self.revoke_button = QPushButton(self.tr("撤销…"), self)
        self.pdf_button = QPushButton(self.tr("保存 PDF…"), self)
        self.preview_button = QPushButton(self.tr("打印预览"), self)
        self.batch_button = QPushButton(self.tr("批量打印…"), self)
        # Publication and the plan's indicator (`xuyi commitment export`, `xuyi commitment indicator`).
        self.export_button = QPushButton(self.tr("承诺公示导出…"), self)
        self.export_button.setToolTip(self.tr("导出期间内签署的信用承诺公示表 .xlsx（自然人证件号码脱敏），附应用领域指标"))
        self.indicator_button = QPushButton(self.tr("应用领域指标…"), self)
        self.indicator_button.setToolTip(self.tr("期间内有信用承诺的应用领域数（建设方案指标）"))
        # Two rows (record actions, then printing) so the window still fits a 720-pixel-wide screen area.
        actions = button_row([self.new_button, self.fulfil_button, self.violate_button, self.revoke_button])
        printing = button_row([self.export_button, self.indicator_button],
                              [self.preview_button, self.pdf_button, self.batch_button])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(actions)
        layout.addLayout(printing)

        self.search_edit.returnPressed.connect(self.reload)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.new_button.clicked.connect(self.new_commitment)
        self.fulfil_button.clicked.connect(self.fulfil_selected)
        self.violate_button.clicked.connect(self.violate_selected)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.preview_button.clicked.connect(self.preview)
        self.batch_button.clicked.connect(lambda: self.print_batch())
        self.export_button.clicked.connect(lambda: self.export_publicity())
        self.indicator_button.clicked.connect(lambda: self.show_indicator())
        page_action(self, self.tr("新建承诺"), "Ctrl+N", self.new_commitment)
        page_action(self, self.tr("筛选"), "Ctrl+F", self.search_edit.setFocus)
        page_action(self, self.tr("打印预览"), "Ctrl+P", self.preview)
        self._update_buttons()

    # --- list ---------------------------------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        status = str(self.status_combo.currentData() or "")
        try:
            self.views = svc.list_commitments(
                self.ctx, status=status if status and status != OVERDUE else None, overdue=status == OVERDUE,
                text=self.search_edit.text(),
            )
        except DomainError as refused:
            self.views = []
            self.message.emit(refused.message_zh)
        self._fill(select)

    def _fill(self, select: uuid.UUID | None) -> None:
        self.table.setRowCount(len(self.views))
        for row, v in enumerate(self.views):
            state = v.status.label + (self.tr("（逾期）") if v.overdue else "")
            cells = (v.serial, state, v.entity_name, v.type_name, v.area_name, v.business, v.signed_on.isoformat(), v.term_until.isoformat())
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == Column.STATUS:
                    colour = RED if v.status is CommitmentStatus.VIOLATED or v.overdue else GREEN if v.status is CommitmentStatus.FULFILLED else GREY if v.status is CommitmentStatus.REVOKED else None
                    if colour is not None:
                        item.setForeground(QBrush(colour))
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, str(v.id))
                self.table.setItem(row, col, item)
            if select is not None and v.id == select:
                self.table.selectRow(row)
        self._size_columns()
        self._selection_changed()

    def selected(self) -> list[CommitmentView]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.views[r] for r in rows if r < len(self.views)]

    def current(self) -> CommitmentView | None:
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def _selection_changed(self) -> None:
        v = self.current()
        if v is None:
            self.detail.setHtml(self.tr("<p>选择一份承诺查看详情。</p>") if not self.selected() else self.tr("已选择 {0} 份").format(len(self.selected())))
        else:
            items = "".join(f"<li>{t}</li>" for t in v.items)
            outcome = ""
            if v.outcome_on:
                outcome = f"<p><b>{v.status.label}</b>：{v.outcome_on.isoformat()} {v.outcome_note}</p>"
            if v.violation_facts:
                outcome += f"<p style='color:#c62828'>违诺事实：{v.violation_facts}" + (f"（{v.penalty_document_no}）" if v.penalty_document_no else "") + "</p>"
            late = "（<span style='color:#c62828'>逾期未办结</span>）" if v.overdue else ""
            self.detail.setHtml(
                f"<h3>{v.serial}</h3><p>{v.entity_name}（{v.identifier}）</p><p>{v.type_name}　{v.area_name}</p>"
                f"<p>涉及业务：{v.business}</p><p>签署：{v.signed_on.isoformat()} {v.signer}　履约期限至 {v.term_until.isoformat()}"
                f"{late}</p><ol>{items}</ol>{outcome}"
            )
        self._update_buttons()

    def _size_columns(self) -> None:
        """Columns fitted to their contents, but 涉及业务 never narrower than its title plus a few words: a Stretch
        section was squeezed to nothing when the long entity names already filled a 1366-pixel screen."""
        self.table.resizeColumnsToContents()
        business = self.table.columnWidth(Column.BUSINESS)
        floor = self.table.fontMetrics().horizontalAdvance("涉及业务" * 2)
        self.table.setColumnWidth(Column.BUSINESS, min(max(business, floor), floor * 2))

    def _update_buttons(self) -> None:
        v = self.current()
        active = v is not None and v.status is CommitmentStatus.ACTIVE
        can_edit, can_review = self.ctx.can(Permission.ENTITY_EDIT), svc.may_revoke(self.ctx)
        self.fulfil_button.setEnabled(active and can_edit)
        self.violate_button.setEnabled(active and can_edit)
        self.revoke_button.setEnabled(active and can_review)  # the service's right for 撤销 (a reviewer's)
        self.revoke_button.setToolTip("" if can_review else self.tr("撤销承诺须由审核人员办理"))
        printable = v is not None and v.status is not CommitmentStatus.REVOKED
        self.pdf_button.setEnabled(printable and not self.batch_running)
        self.preview_button.setEnabled(printable and not self.batch_running)
        self.batch_button.setEnabled(bool(self.views) and not self.batch_running)
        self.export_button.setEnabled(self.ctx.can(Permission.EXPORT))

    # --- actions ------------------------------------------------------------------------------------------
    def new_commitment(self, *, exec_dialog: bool = True) -> CommitmentDialog:
        return open_form(CommitmentDialog(self.ctx, self), lambda d: self._saved(d.saved), show=exec_dialog)

    def _saved(self, view: CommitmentView | None) -> None:
        if view is None:
            return
        self.status_combo.setCurrentIndex(0)
        self.search_edit.clear()
        self.reload(select=view.id)
        self.message.emit(self.tr("已登记信用承诺 {0}：{1}").format(view.serial, view.entity_name))

    def fulfil_selected(self) -> bool:
        """已践诺 of the selected commitment, after a question; True when the change was started."""
        v = self.current()
        if v is None or self.ops.busy:
            return False
        if not confirm(self, self.tr("已践诺"), self.tr("确认承诺 {0}（{1}）已践诺？").format(v.serial, v.entity_name)):
            return False
        ctx, cid = self.ctx, v.id

        def fulfilled(done: CommitmentView) -> None:
            self.reload(select=done.id)
            self.message.emit(self.tr("承诺 {0} 已践诺").format(done.serial))

        return self._change(self.tr("已践诺"), lambda: svc.fulfil(ctx, cid), fulfilled)

    def violate_selected(self, *, exec_dialog: bool = True) -> ViolationDialog | None:
        v = self.current()
        if v is None:
            return None
        return open_form(ViolationDialog(self.ctx, v, self), lambda d: self._violated(d.saved), show=exec_dialog)

    def _violated(self, view: CommitmentView | None) -> None:
        if view is None:
            return
        self.reload(select=view.id)
        self.message.emit(self.tr("承诺 {0} 已登记违诺，并记入失信记录").format(view.serial))

    def revoke_selected(self) -> bool:
        """撤销 (a reviewer's) with a reason; True when the change was started."""
        v = self.current()
        if v is None or self.ops.busy:
            return False
        if not svc.may_revoke(self.ctx):  # asked before the reason is typed, not after
            QMessageBox.warning(self, self.tr("撤销承诺"), self.tr("撤销承诺须由审核人员办理"))
            return False
        reason, ok = QInputDialog.getText(self, self.tr("撤销承诺"), self.tr("撤销原因："))
        if not ok or not reason.strip():
            return False
        ctx, cid = self.ctx, v.id
        return self._change(self.tr("撤销承诺"), lambda: svc.revoke(ctx, cid, reason=reason),
                            lambda done: self.reload(select=done.id))

    def _change(self, title: str, work: Callable[[], CommitmentView], shown: Callable[[CommitmentView], None]) -> bool:
        """Run a status change off the GUI thread (the service opens its own session); its answer comes back
        here: the list reloads, or the service's refusal shows in a warning under `title`, as before."""

        def done(view: CommitmentView) -> None:
            shown(view)
            self.actionFinished.emit(True)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                QMessageBox.warning(self, title, exc.message_zh)
            else:
                self.ops.show_failure(exc)
            self.actionFinished.emit(False)

        return self.ops.run(title, work, done, failed=refused) is not None

    # --- publication and the indicator --------------------------------------------------------------------
    def export_publicity(self) -> None:
        """承诺公示导出: commitments signed in a period as the public .xlsx (`xuyi commitment export`)."""
        period = DateRangeDialog.ask(self, self.tr("承诺公示导出"))
        if period is None:
            return
        start, end = period
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("承诺公示导出"), str(Path(self._default_folder()) / f"信用承诺公示_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"),
            self.tr("Excel 文件 (*.xlsx)"),
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        ctx, out = self.ctx, Path(path)
        run_in_background(lambda: svc.export_publicity(ctx, out, start, end), lambda done: self._exported(out, done),
                          lambda exc: self._refused(self.tr("承诺公示导出"), exc), owner=self)

    def _exported(self, out: Path, done: tuple[int, svc.AreaIndicator]) -> None:
        count, indicator = done
        self.last_export = out
        self.message.emit(self.tr("已导出 {0} 条：{1}").format(count, out))
        QMessageBox.information(self, self.tr("承诺公示导出"), self.tr("已导出 {0} 条：{1}\n\n{2}").format(count, out, indicator.text()))

    def show_indicator(self) -> None:
        """应用领域指标: application areas with commitments in a period (`xuyi commitment indicator`)."""
        period = DateRangeDialog.ask(self, self.tr("应用领域指标"))
        if period is None:
            return
        try:
            indicator = svc.area_indicator(self.ctx, *period)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("应用领域指标"), refused.message_zh)
            return
        self.last_indicator = indicator
        QMessageBox.information(self, self.tr("应用领域指标"), indicator.text())

    def _refused(self, title: str, error: BaseException) -> None:
        QMessageBox.warning(self, title, getattr(error, "message_zh", str(error)))

    # --- printing -----------------------------------------------------------------------------------------
    def _default_folder(self) -> str:
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    def _pdf_path(self, path: str | Path | None, title: str, name: str) -> str | Path | None:
        """`path` when the caller gave one, else the PDF file the clerk picks (offered in Documents); None: cancelled."""
        if path is not None:
            return path
        chosen, _filter = QFileDialog.getSaveFileName(
            self, title, str(Path(self._default_folder()) / name), self.tr("PDF 文件 (*.pdf)"),
        )
        return chosen or None

    def save_pdf(self, path: str | Path | None = None) -> None:
        v = self.current()
        if v is None:
            return
        path = self._pdf_path(path, self.tr("保存信用承诺书"), f"信用承诺书-{v.serial}.pdf")
        if path is None:
            return
        ctx, cid, out = self.ctx, v.id, Path(path)
        run_in_background(lambda: svc.print_commitment(ctx, cid, out), self._printed, self._print_failed, owner=self)

    def _printed(self, path: object) -> None:
        self.last_pdf = Path(str(path))
        self.message.emit(self.tr("承诺书已生成：{0}").format(path))

    def _print_failed(self, error: BaseException) -> None:
        self.batch_running = False
        if self.progress is not None:
            self.progress.reset()
        self._update_buttons()
        QMessageBox.warning(self, self.tr("打印信用承诺书"), getattr(error, "message_zh", str(error)))

    def preview(self) -> None:
        """Render the form to a temporary PDF and show it: Qt's print preview (with the printer dialog) when
        QtPdf is installed, otherwise the system's PDF viewer, which prints as well."""
        v = self.current()
        if v is None:
            return
        folder = Path(tempfile.mkdtemp(prefix="xuyi-preview-"))
        ctx, cid, out = self.ctx, v.id, folder / f"信用承诺书-{v.serial}.pdf"
        run_in_background(lambda: svc.print_commitment(ctx, cid, out), self._show_preview, self._print_failed, owner=self)

    def _show_preview(self, path: object) -> None:
        self.last_pdf = Path(str(path))
        try:
            from xuyi_desktop.ui.commitment_preview import show_print_preview
        except ImportError:  # no QtPdf: the system viewer shows and prints the PDF
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_pdf)))
        else:
            show_print_preview(self, self.last_pdf)
        self.message.emit(self.tr("已生成预览：{0}").format(self.last_pdf.name))

    def print_batch(self, path: str | Path | None = None) -> None:
        """The selected commitments (or, with none selected, every one listed) into one PDF, with progress."""
        chosen = self.selected() or self.views  # the service leaves the revoked ones out and says which
        if not chosen:
            return
        path = self._pdf_path(path, self.tr("批量打印信用承诺书"), f"信用承诺书-{len(chosen)}份.pdf")
        if path is None:
            return
        self.progress = QProgressDialog(self.tr("正在生成 {0} 份承诺书…").format(len(chosen)), self.tr("取消"), 0, len(chosen), self)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self._cancel_batch)
        signals = _BatchSignals(self)
        progress = self.progress
        # total: what the service prints (the revoked ones it leaves out are not counted)

        def show(done: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(done)

        signals.progress.connect(show)
        self._cancel = False
        self.batch_running = True
        self._update_buttons()
        ctx, ids, out = self.ctx, [v.id for v in chosen], Path(path)

        def work() -> svc.BatchPrinted:
            return svc.print_commitment_batch(ctx, ids, out, progress=signals.progress.emit, cancelled=lambda: self._cancel)

        run_in_background(work, self._batch_done, self._print_failed, owner=self)

    def _cancel_batch(self) -> None:
        self._cancel = True

    def _batch_done(self, done: object) -> None:
        assert isinstance(done, svc.BatchPrinted)
        self.batch_running = False
        if self.progress is not None:
            self.progress.reset()
        self._update_buttons()
        self.last_pdf = done.path
        self.last_batch = done
        text = self.tr("批量承诺书已生成（{0}份）：{1}").format(done.printed, done.path)
        if done.left_out:
            text += "；" + done.left_out_text()
            QMessageBox.information(self, self.tr("批量打印信用承诺书"), text)
        self.message.emit(text)
