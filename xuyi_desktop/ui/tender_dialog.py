"""招投标核查: the tender-day window reached from the 信用核查 page — a batch check of a bidders' list (file picker,
progress, cancel, the summary with the rows that matched nothing or several), the consortium check (members
picked like at the counter) and the register of third-party credit reports. Every action is a service call on a
worker thread (services.tender); the dialog holds no rule."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from PySide6.QtCore import QDate, QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.tender import grades_text, report_summary
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import find_entities
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.tender import (
    BatchCancelled,
    BatchResult,
    ConsortiumResult,
    ReportInput,
    ReportView,
    add_report,
    batch_check,
    check_consortium,
    list_reports,
    void_report,
)
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.rating_common import CONSEQUENCE_STYLE, GREYED, INCENTIVE, RESTRICTION
from xuyi_desktop.ui.workflow_dialogs import ServiceDialog, refusal_text
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of, row_table, splitter


def _set_row(table: QTableWidget, row: int, cells: list[str], colour: QColor | None = None) -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        if colour is not None:
            item.setForeground(QBrush(colour))
        table.setItem(row, column, item)


def _business_combo(parent: QWidget, default: str = "tender") -> QComboBox:
    combo = QComboBox(parent)
    for business in registry().businesses:
        combo.addItem(business.name, business.code)
    combo.setCurrentIndex(max(0, combo.findData(default)))
    return combo


class _Progress(QObject):
    """Emitted from the worker thread, delivered (queued) on the GUI thread."""

    changed = Signal(int, int)


# --- batch ----------------------------------------------------------------------------------------------

class BatchTab(QWidget):
    """A list (.xlsx) of bidders, award nominees or fund applicants → one check and one sheet each, and a summary."""

    COLUMNS = ("行号", "名单中的名称", "名单中的代码", "核查情况", "主体名称", "信用等级", "核查结论", "约束措施及说明", "核查编号")
    finished_batch = Signal(object)  # BatchResult, or the exception that ended it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cancel = threading.Event()
        self.running = False
        self.result: BatchResult | None = None
        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText(self.tr("投标人、中标候选人或资金申请单位名单（.xlsx，含“统一社会信用代码”或“名称”列）"))
        browse = QPushButton(self.tr("选择名单…"), self)
        browse.clicked.connect(self._browse)
        self.business_combo = _business_combo(self)
        self.out_edit = QLineEdit(self)
        out_browse = QPushButton(self.tr("另存为…"), self)
        out_browse.clicked.connect(self._browse_out)
        self.summary_check = QCheckBox(self.tr("同时保存汇总表（.xlsx）"), self)
        self.summary_check.setChecked(True)
        self.summary_edit = QLineEdit(self)
        self.summary_check.toggled.connect(self.summary_edit.setEnabled)
        self.start_button = QPushButton(self.tr("开始核查"), self)
        self.cancel_button = QPushButton(self.tr("取消核查"), self)
        self.cancel_button.setEnabled(False)
        self.open_button = QPushButton(self.tr("打开结果 PDF"), self)
        self.open_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button.clicked.connect(self._open_pdf)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.table = row_table(self, tuple(self.tr(t) for t in self.COLUMNS), 7, wrap=True)
        metrics = self.fontMetrics()
        for column, sample in ((0, "行号 "), (1, "盱眙县路桥工程有限公司"), (2, "91320830MA1XXXXXXX"), (3, "名称不唯一"),
                               (4, "盱眙县路桥工程有限公司"), (5, "暂定AA级"), (6, "可享受激励"), (8, "TMP-ABCDEF-HC-2026-000001")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 20)

        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("名单文件"), self), 0, 0)
        grid.addWidget(self.file_edit, 0, 1)
        grid.addWidget(browse, 0, 2)
        grid.addWidget(QLabel(self.tr("业务类型"), self), 1, 0)
        grid.addWidget(self.business_combo, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(QLabel(self.tr("结果 PDF"), self), 2, 0)
        grid.addWidget(self.out_edit, 2, 1)
        grid.addWidget(out_browse, 2, 2)
        grid.addWidget(self.summary_check, 3, 0)
        grid.addWidget(self.summary_edit, 3, 1)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(QLabel(self.tr("每个主体核查一次（各有核查编号），生成一份 PDF：汇总表在前，各主体的信用核查结果单附后。"
                                        "名单中未找到或名称不唯一的行列入汇总表，不会遗漏。"), self))
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self._signals = _Progress(self)
        self._signals.changed.connect(self._on_progress)
        self.start_button.setEnabled(ctx.can(Permission.PRINT))

    def set_file(self, path: str) -> None:
        """The list to check; the PDF and the summary go beside it unless the clerk chose other names."""
        self.file_edit.setText(path)
        source = Path(path)
        self.out_edit.setText(str(source.with_name(f"{source.stem}_信用核查结果.pdf")))
        self.summary_edit.setText(str(source.with_name(f"{source.stem}_信用核查汇总.xlsx")))

    def _browse(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择核查名单"), folder, "Excel (*.xlsx)")
        if path:
            self.set_file(path)

    def _browse_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("结果 PDF 另存为"), self.out_edit.text(), self.tr("PDF 文件 (*.pdf)"))
        if path:
            self.out_edit.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def start(self) -> None:
        if self.running:
            return
        source, out = self.file_edit.text().strip(), self.out_edit.text().strip()
        if not source or not out:
            self.status.setText(self.tr("请先选择名单文件和结果 PDF 的保存位置"))
            return
        summary = self.summary_edit.text().strip() if self.summary_check.isChecked() else None
        business, ctx, signals, cancel = str(self.business_combo.currentData()), self._ctx, self._signals, self._cancel
        cancel.clear()
        self.running = True
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.open_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        self.status.setText(self.tr("正在读取名单并核查…"))

        def work() -> BatchResult:
            return batch_check(ctx, source, business, out, summary=summary or None,
                               progress=lambda d, t: signals.changed.emit(d, t), cancelled=cancel.is_set)

        run_in_background(work, self._done, self._failed, owner=self)

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.status.setText(self.tr("正在取消…"))

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finish(self) -> None:
        self.running = False
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _done(self, result: BatchResult) -> None:
        self._finish()
        self.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.open_button.setEnabled(True)
        problems = result.problems
        text = self.tr("已核查{0}家；有问题的行{1}行；已生成 {2}（{3}页）").format(
            len(result.checked), len(problems), result.out, result.pages)
        if result.summary:
            text += self.tr("；汇总表 {0}").format(result.summary)
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {RESTRICTION.name()};" if problems else "")
        self._fill(result)
        self.finished_batch.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(refusal_text(error) if isinstance(error, BatchCancelled | DomainError)
                            else self.tr("批量核查失败：{0}").format(error))
        self.status.setStyleSheet(f"color: {RESTRICTION.name()};")
        self.finished_batch.emit(error)

    def _fill(self, result: BatchResult) -> None:
        self.table.setRowCount(len(result.rows))
        for i, row in enumerate(result.rows):
            j = row.to_json()
            r = row.result
            notes = list(j["restrictions"])
            if r is not None and r.third_party_reports is not None:
                notes.append(self.tr("第三方信用报告：{0}").format(report_summary(r.third_party_reports)))
            if row.message:
                notes.append(row.message)
            cells = [str(row.row), row.name, j["identifier"], row.status_label, j["entity_name"] or "",
                     grades_text(r) if r else "", r.verdict_label if r else "", "；".join(notes), r.serial if r else ""]
            _set_row(self.table, i, cells, RESTRICTION if row.problem else None)
            if r is not None and r.verdict == "restriction":  # checked, with restrictions: the verdict and what binds
                for column in (6, 7):
                    self.table.item(i, column).setForeground(QBrush(RESTRICTION))
        self.table.resizeRowsToContents()

    def problem_rows(self) -> list[tuple[str, str]]:
        """(核查情况, 名单中的名称) of the rows shown in red because they matched nothing or several (tests)."""
        out = []
        for i in range(self.table.rowCount()):
            status = self.table.item(i, 3).text()
            if status != "已核查":
                out.append((status, self.table.item(i, 1).text()))
        return out

    def _open_pdf(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.out)))


# --- consortium -----------------------------------------------------------------------------------------

class ConsortiumTab(QWidget):
    """Pick the members (search like at the counter), check: each member's result and the consortium's lowest grade."""

    checked = Signal(object)  # ConsortiumResult, or the exception

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.busy = False
        self.result: ConsortiumResult | None = None
        self.members: list[tuple[uuid.UUID, str, str]] = []
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("名称、证件号码或拼音首字母，回车查找"))
        self.search_edit.setClearButtonEnabled(True)
        find = QPushButton(self.tr("查找"), self)
        self.hits_list = QListWidget(self)
        self.hits_list.setToolTip(self.tr("双击或按“加入联合体”把主体加为成员"))
        add = QPushButton(self.tr("加入联合体 ↓"), self)
        self.members_list = QListWidget(self)
        remove = QPushButton(self.tr("移除成员"), self)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("联合体名称（可不填，默认由成员名称组成）"))
        self.business_combo = _business_combo(self)
        self.check_button = QPushButton(self.tr("核查联合体"), self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        find.clicked.connect(self.search)
        self.search_edit.returnPressed.connect(self.search)
        add.clicked.connect(self.add_selected)
        self.hits_list.itemActivated.connect(lambda _item: self.add_selected())
        remove.clicked.connect(self.remove_selected)
        self.check_button.clicked.connect(self.check)

        picker = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.search_edit, 1)
        row.addWidget(find)
        picker.addLayout(row)
        picker.addWidget(self.hits_list, 2)
        picker.addWidget(add)
        picker.addWidget(QLabel(self.tr("联合体成员（第一个为牵头人）"), self))
        picker.addWidget(self.members_list, 2)
        picker.addWidget(remove)
        form = QFormLayout()
        form.addRow(self.tr("联合体名称"), self.name_edit)
        form.addRow(self.tr("业务类型"), self.business_combo)
        picker.addLayout(form)
        picker.addWidget(self.check_button)
        left = QWidget(self)
        left.setLayout(picker)

        self.title_label = QLabel(self.tr("联合体核查：按各评价领域取成员中最低的信用等级，任一成员的约束措施适用于联合体。"), self)
        self.title_label.setWordWrap(True)
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.2)
        self.title_label.setFont(big)
        self.grades_table = row_table(self, (self.tr("评价领域"), self.tr("联合体等级"), self.tr("说明")), 2, wrap=True)
        self.grades_table.setColumnWidth(0, self.fontMetrics().horizontalAdvance("公路水运工程建设从业单位") + 20)
        self.consequences_list = QListWidget(self)
        self.consequences_list.setWordWrap(True)
        self.members_table = row_table(self, tuple(self.tr(t) for t in ("成员", "证件号码", "信用等级", "核查结论", "核查编号")), 0,
                                       wrap=True)
        result_box = QWidget(self)
        right = QVBoxLayout(result_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.title_label)
        right.addWidget(self.status)
        grades_box = QGroupBox(self.tr("联合体信用等级"), self)
        QVBoxLayout(grades_box).addWidget(self.grades_table)
        cons_box = QGroupBox(self.tr("激励与约束措施（联合体）"), self)
        QVBoxLayout(cons_box).addWidget(self.consequences_list)
        members_box = QGroupBox(self.tr("各成员核查结果"), self)
        QVBoxLayout(members_box).addWidget(self.members_table)
        right.addWidget(grades_box, 2)
        right.addWidget(cons_box, 3)
        right.addWidget(members_box, 2)
        split = splitter(self, Qt.Orientation.Horizontal, (left, result_box), (2, 5))
        split.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(split)
        self._hits: list[tuple[uuid.UUID, str, str]] = []

    def search(self) -> None:
        query, ctx = self.search_edit.text().strip(), self._ctx
        if not query:
            return
        run_in_background(lambda: find_entities(ctx, query, limit=8), self._found, self._failed, owner=self)

    def _found(self, hits: list[EntitySummary]) -> None:
        self._hits = [(h.id, h.name, h.identifier) for h in hits]
        self.hits_list.clear()
        for _, name, ident in self._hits:
            self.hits_list.addItem(f"{name}　{ident}")
        if self._hits:
            self.hits_list.setCurrentRow(0)
            self.status.setText("")
        else:
            self.status.setText(self.tr("未找到与“{0}”匹配的市场主体").format(self.search_edit.text().strip()))

    def add_member(self, entity_id: uuid.UUID, name: str, identifier: str) -> None:
        if any(m[0] == entity_id for m in self.members):
            self.status.setText(self.tr("“{0}”已是联合体成员").format(name))
            return
        self.members.append((entity_id, name, identifier))
        self.members_list.addItem(f"{name}　{identifier}")

    def add_selected(self) -> None:
        row = self.hits_list.currentRow()
        if 0 <= row < len(self._hits):
            self.add_member(*self._hits[row])

    def remove_selected(self) -> None:
        row = self.members_list.currentRow()
        if 0 <= row < len(self.members):
            del self.members[row]
            self.members_list.takeItem(row)

    def check(self) -> None:
        if self.busy:
            return
        ids = [str(m[0]) for m in self.members]
        business, name, ctx = str(self.business_combo.currentData()), self.name_edit.text().strip(), self._ctx
        self.busy = True
        self.check_button.setEnabled(False)
        self.status.setText(self.tr("正在核查{0}个成员…").format(len(ids)))
        run_in_background(lambda: check_consortium(ctx, ids, business, name=name), self._show, self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.check_button.setEnabled(True)
        self.status.setText(refusal_text(error))
        self.status.setStyleSheet(f"color: {RESTRICTION.name()};")
        self.checked.emit(error)

    def _show(self, result: ConsortiumResult) -> None:
        self.busy = False
        self.check_button.setEnabled(True)
        self.result = result
        self.status.setStyleSheet("")
        self.status.setText(self.tr("业务类型：{0}　联合体结论：{1}").format(result.business_name, result.verdict_label))
        if result.verdict == "restriction":
            self.status.setStyleSheet(f"color: {RESTRICTION.name()}; font-weight: bold;")
        self.title_label.setText(result.name)
        self.grades_table.setRowCount(len(result.grades))
        for i, g in enumerate(result.grades):
            grade = f"{'暂定' if g.provisional else ''}{g.grade}级" if g.grade else self.tr("无有效等级")
            _set_row(self.grades_table, i, [g.domain_name, grade, g.note])
            item = self.grades_table.item(i, 1)
            bold = QFont(item.font())
            bold.setBold(True)
            item.setFont(bold)
        self.grades_table.resizeRowsToContents()
        self.consequences_list.clear()
        for line in result.consequences:
            tag, colour = CONSEQUENCE_STYLE.get(line.kind, CONSEQUENCE_STYLE["info"])
            entry = QListWidgetItem(f"{tag}　{line.text}\n　　依据：{line.source}")
            entry.setForeground(QBrush(colour))
            entry.setData(Qt.ItemDataRole.UserRole, line.kind)
            self.consequences_list.addItem(entry)
        for s in result.suppressed:
            entry = QListWidgetItem(self.tr("— 不适用：{0}（{1}）").format(s["text"], s["reason"]))
            entry.setForeground(QBrush(GREYED))
            entry.setData(Qt.ItemDataRole.UserRole, "suppressed")
            self.consequences_list.addItem(entry)
        if not result.consequences and not result.suppressed:
            entry = QListWidgetItem(self.tr("“{0}”业务没有适用的激励或约束措施").format(result.business_name))
            entry.setForeground(QBrush(GREYED))
            self.consequences_list.addItem(entry)
        self.members_table.setRowCount(len(result.members))
        for i, m in enumerate(result.members):
            tint = RESTRICTION if m.verdict == "restriction" else (INCENTIVE if m.verdict == "incentive" else None)
            _set_row(self.members_table, i, [m.entity.get("name", ""), str(m.entity.get("identifier", "")), grades_text(m),
                                             m.verdict_label, m.serial], tint)
        for column in (1, 2, 3, 4):
            self.members_table.resizeColumnToContents(column)
        self.checked.emit(result)

    def consortium_grade(self, row: int = 0) -> str:
        item = self.grades_table.item(row, 1)
        return item.text() if item else ""

    def consequence_kinds(self) -> list[str]:
        return [str(self.consequences_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.consequences_list.count())]


# --- third-party credit reports -------------------------------------------------------------------------

class ReportDialog(ServiceDialog[ReportView]):
    """登记第三方信用报告: the entity (identifier, name or initials), agency, whether registered, number, dates."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("登记第三方信用报告"))
        self.entity_edit = QLineEdit(self)
        self.entity_edit.setPlaceholderText(self.tr("统一社会信用代码 / 名称 / 拼音首字母"))
        self.agency_edit = QLineEdit(self)
        self.agency_edit.setPlaceholderText(self.tr("出具报告的信用服务机构"))
        self.registered_check = QCheckBox(self.tr("出具机构已在江苏省信用服务机构管理系统备案（或在信用中国网站公示）"), self)
        self.registration_edit = QLineEdit(self)
        self.registration_edit.setPlaceholderText(self.tr("备案编号或公示网址（可不填）"))
        self.number_edit = QLineEdit(self)
        today = QDate.currentDate()
        self.issued_edit = date_edit(self, today)
        self.until_edit = date_edit(self, today.addYears(1).addDays(-1))
        self.grade_edit = QLineEdit(self)
        self.grade_edit.setPlaceholderText(self.tr("报告给出的信用等级或结论，如 AAA"))
        self.remarks_edit = QLineEdit(self)
        form = QFormLayout()
        form.addRow(self.tr("主体"), self.entity_edit)
        form.addRow(self.tr("出具机构"), self.agency_edit)
        form.addRow("", self.registered_check)
        form.addRow(self.tr("备案编号"), self.registration_edit)
        form.addRow(self.tr("报告编号"), self.number_edit)
        form.addRow(self.tr("出具日期"), self.issued_edit)
        form.addRow(self.tr("有效期至"), self.until_edit)
        form.addRow(self.tr("报告结论"), self.grade_edit)
        form.addRow(self.tr("备注"), self.remarks_edit)
        buttons = self.save_buttons()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("未备案机构出具的报告、已过有效期的报告，核查时显示其状态，不作为有效报告。"), self))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def _entity_key(self) -> str:
        text = self.entity_edit.text().strip()
        if not text:
            return ""
        hits = find_entities(self.ctx, text, limit=2)
        if len(hits) == 1 or (hits and (hits[0].identifier == text.upper() or hits[0].name == text)):
            return str(hits[0].id)
        if len(hits) > 1:
            raise ValidationError(FieldProblem("entity", f"“{text}”匹配到多个主体，请输入统一社会信用代码或完整名称", "ambiguous"))
        return text

    def save(self) -> ReportView | None:
        def add() -> ReportView:
            key = self._entity_key()
            if not key:
                raise ValidationError(FieldProblem("entity", "请填写主体", "entity required"))
            return add_report(self.ctx, ReportInput(
                key, self.agency_edit.text(), self.registered_check.isChecked(), self.number_edit.text(),
                day_of(self.issued_edit), day_of(self.until_edit), grade=self.grade_edit.text(),
                agency_registration_no=self.registration_edit.text(), remarks=self.remarks_edit.text(),
            ))

        return self._saving(add)


class ReportsTab(QWidget):
    """The register: valid reports first; register a new one; a reviewer voids one entered in error."""

    COLUMNS = ("主体", "证件号码", "出具机构", "机构备案", "报告编号", "出具日期", "有效期至", "报告结论", "状态")
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.views: list[ReportView] = []
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("按机构、报告编号或主体名称筛选，回车"))
        self.filter_edit.setClearButtonEnabled(True)
        self.valid_check = QCheckBox(self.tr("只显示有效报告"), self)
        refresh = QPushButton(self.tr("刷新"), self)
        self.add_button = QPushButton(self.tr("登记报告…"), self)
        self.void_button = QPushButton(self.tr("作废…"), self)
        self.add_button.setEnabled(ctx.can(Permission.ENTITY_EDIT))
        self.void_button.setEnabled(ctx.can(Permission.CREDIT_REVIEW))
        self.void_button.setToolTip(self.tr("作废误登记的报告（须审核权限，写明理由）"))
        self.status = QLabel(self)
        self.table = row_table(self, tuple(self.tr(t) for t in self.COLUMNS), 8, wrap=True)
        metrics = self.fontMetrics()
        for column, sample in ((0, "盱眙县路桥工程有限公司"), (1, "91320830MA1XXXXXXX"), (2, "江苏信用评估有限公司"),
                               (3, "机构备案"), (4, "JSXY-2026-00420"), (5, "2026-12-31"), (6, "2026-12-31"), (7, "报告结论")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 20)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.valid_check)
        top.addWidget(refresh)
        top.addStretch(0)
        top.addWidget(self.add_button)
        top.addWidget(self.void_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        refresh.clicked.connect(self.refresh)
        self.filter_edit.returnPressed.connect(self.refresh)
        self.valid_check.toggled.connect(lambda _checked: self.refresh())
        self.add_button.clicked.connect(self.new_report)
        self.void_button.clicked.connect(self.void_selected)
        self.dialog: ReportDialog | None = None

    def refresh(self) -> None:
        ctx, text, valid = self._ctx, self.filter_edit.text().strip(), self.valid_check.isChecked()
        run_in_background(lambda: list_reports(ctx, text=text, valid_only=valid), self._show, self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(refusal_text(error))

    def _show(self, views: list[ReportView]) -> None:
        self.views = views
        self.table.setRowCount(len(views))
        for i, v in enumerate(views):
            cells = [v.entity_name, v.entity_identifier, v.agency_name, "已备案" if v.agency_registered else "未备案",
                     v.report_no, v.issued_on.isoformat(), v.valid_until.isoformat(), v.grade, v.state_label]
            _set_row(self.table, i, cells, None if v.valid else RESTRICTION)
        self.status.setText(self.tr("共{0}份，其中有效{1}份").format(len(views), sum(v.valid for v in views)))
        self.loaded.emit()

    def new_report(self) -> None:
        self.dialog = ReportDialog(self._ctx, self)
        self.dialog.accepted.connect(self.refresh)
        self.dialog.open()

    def void_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.views):
            self.status.setText(self.tr("请先选中要作废的报告"))
            return
        view = self.views[row]
        reason, ok = QInputDialog.getText(self, self.tr("作废第三方信用报告"),
                                          self.tr("作废“{0}”的报告 {1} 的理由：").format(view.entity_name, view.report_no))
        if not ok:
            return
        try:
            void_report(self._ctx, view.id, reason=reason)
        except DomainError as exc:
            self.status.setText(refusal_text(exc))
            return
        self.refresh()


# --- the dialog -----------------------------------------------------------------------------------------

class TenderDialog(QDialog):
    """招投标核查: batch check, consortium check, third-party credit reports (tabs). Fits a 1366×768 screen."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("招投标核查"))
        self.tabs = QTabWidget(self)
        self.batch = BatchTab(ctx, self)
        self.consortium = ConsortiumTab(ctx, self)
        self.reports = ReportsTab(ctx, self)
        self.tabs.addTab(self.batch, self.tr("批量核查"))
        self.tabs.addTab(self.consortium, self.tr("联合体核查"))
        self.tabs.addTab(self.reports, self.tr("第三方信用报告"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.resize(1180, 680)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.reports:
            self.reports.refresh()

    def reject(self) -> None:
        """Closing while a batch runs cancels it (no file is written)."""
        self.batch.cancel()
        super().reject()

