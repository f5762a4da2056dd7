"""The 信用评价 page: pick an entity, see its rating timeline, enter or correct a rating and move it through
草稿 → 已审核 → 公示中 → 生效 (or 撤销). Every rule lives in services.ratings; the page only asks and shows."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.file_types import sniff
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import TRANSITIONS, RatingStatus
from xuyi_desktop.services import attachments
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import find_entities
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.ratings import (
    RatingView,
    add_objection,
    attach_file,
    decide_objection,
    list_ratings,
    set_status,
)
from xuyi_desktop.ui.attachment_viewer import AttachmentViewer
from xuyi_desktop.ui.operations import OperationRunner, run_in_background
from xuyi_desktop.ui.rating_actions import RatingImportDialog, YearDomainDialog
from xuyi_desktop.ui.rating_common import GREYED, grade_colour, printing_function
from xuyi_desktop.ui.rating_form import RatingForm
from xuyi_desktop.ui.record_widgets import (
    SelectionMode,
    list_and_detail,
    open_window,
    pick_label,
    record_table,
    save_template,
    search_box,
)
from xuyi_desktop.ui.widgets import page_action

_SPLITTER_KEY = "rating_page/splitter"


class _Progress(QObject):
    """Emitted on the worker thread, delivered queued on the GUI thread."""

    changed = Signal(int, int)


class TimelineColumn:
    PERIOD, DOMAIN, GRADE, STATUS, VALID, VERSION, MEASURE, DOCUMENT = range(8)
    TITLES = ("年度", "领域", "等级", "状态", "有效期", "版本", "得分/记分", "文号")


# Workflow buttons: (label, target status)
WORKFLOW = (
    ("审核", RatingStatus.REVIEWED),
    ("公示", RatingStatus.PUBLICITY),
    ("生效", RatingStatus.EFFECTIVE),
    ("撤销", RatingStatus.REVOKED),
)


def correction_numbers(ratings: list[RatingView]) -> dict[uuid.UUID, int]:
    """1 for an original rating, 2 for its first correction, …: follows supersedes_id."""
    by_id = {r.id: r for r in ratings}
    numbers: dict[uuid.UUID, int] = {}

    def number(r: RatingView, depth: int = 0) -> int:
        if r.id in numbers:
            return numbers[r.id]
        parent = by_id.get(r.supersedes_id) if r.supersedes_id else None
        n = 1 if parent is None or depth > 50 else number(parent, depth + 1) + 1
        numbers[r.id] = n
        return n

    for r in ratings:
        number(r)
    return numbers


class RatingPage(QWidget):
    message = Signal(str)
    searchFinished = Signal(int)
    timelineChanged = Signal()
    # a workflow move (审核, 公示, 生效, 撤销 …) ended; it runs off the GUI thread: True written, False refused
    moveFinished = Signal(bool)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.entity: EntitySummary | None = None
        self.hits: list[EntitySummary] = []
        self.ratings: list[RatingView] = []
        self.form: RatingForm | None = None
        self.import_dialog: RatingImportDialog | None = None
        self.batch_running = False
        self._cancel_batch = False
        self.last_pdf: Path | None = None
        self.last_sheet: Path | None = None
        self._print = printing_function("print_certificate")
        self._build()
        # workflow moves write off the GUI thread; meanwhile the workflow buttons are disabled (no second move)
        self.ops = OperationRunner(self, self.tr("信用评价"), busy_widgets=tuple(self.workflow_buttons.values()))
        self._wire()
        self._update_buttons()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = search_box(self, self.tr("输入名称、证件号码或拼音首字母，回车查找主体"))
        self.hit_list = QListWidget(self)
        self.hit_list.setToolTip(self.tr("↑↓ 选择主体，回车显示其评价"))
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_edit)
        left_layout.addWidget(self.hit_list, 1)

        self.entity_label = QLabel(self.tr("请先查找并选择市场主体"), self)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.entity_label.setFont(font)
        self.entity_meta = QLabel(self)
        self.entity_meta.setStyleSheet("color: #555;")

        self.table = record_table(self, [self.tr(t) for t in TimelineColumn.TITLES], selection=SelectionMode.SingleSelection,
                                  tab_keys=False, alternating=True)
        metrics = self.fontMetrics()
        for column, sample in (
            (TimelineColumn.PERIOD, "2025"),
            (TimelineColumn.GRADE, "AAA"),
            (TimelineColumn.STATUS, "公示中"),
            (TimelineColumn.VALID, "2025-01-01 至 2025-12-31"),
            (TimelineColumn.VERSION, "第2版（更正）"),
            (TimelineColumn.MEASURE, "得分 99.5"),
        ):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self.table.horizontalHeader().setSectionResizeMode(TimelineColumn.DOMAIN, QHeaderView.ResizeMode.Stretch)
        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)

        self.new_button = QPushButton(self.tr("新增评价 (Ctrl+N)"), self)
        self.correct_button = QPushButton(self.tr("更正"), self)
        self.workflow_buttons: dict[RatingStatus, QPushButton] = {}
        for label, target in WORKFLOW:
            self.workflow_buttons[target] = QPushButton(self.tr(label), self)
        self.objection_button = QPushButton(self.tr("登记异议"), self)
        self.decide_button = QPushButton(self.tr("处理异议"), self)
        self.attach_button = QPushButton(self.tr("添加附件"), self)
        self.open_attachment_button = QPushButton(self.tr("查看附件"), self)
        self.print_button: QPushButton | None = None
        if self._print is not None:
            self.print_button = QPushButton(self.tr("打印证书"), self)

        edit_row = QHBoxLayout()  # two short rows, so the page fits a small window
        edit_row.addWidget(self.new_button)
        edit_row.addWidget(self.correct_button)
        edit_row.addWidget(self.objection_button)
        edit_row.addWidget(self.decide_button)
        edit_row.addWidget(self.attach_button)
        edit_row.addWidget(self.open_attachment_button)
        edit_row.addStretch(1)
        flow_row = QHBoxLayout()
        flow_row.addWidget(QLabel(self.tr("流程："), self))
        for button in self.workflow_buttons.values():
            flow_row.addWidget(button)
        flow_row.addStretch(1)
        if self.print_button is not None:
            flow_row.addWidget(self.print_button)
        # The year's work on many ratings at once (the same functions as `xuyi import ratings`, `xuyi import
        # ratings-template`, `xuyi print publicity`, `xuyi print certificates`).
        self.import_button = QPushButton(self.tr("导入评价结果…"), self)
        self.template_button = QPushButton(self.tr("下载模板…"), self)
        self.publicity_button = QPushButton(self.tr("公示名单…"), self)
        self.batch_button = QPushButton(self.tr("批量打印证书…"), self)
        self.import_button.setToolTip(self.tr("导入上级下发的信用评价结果 .xlsx（全部或全不；有误则生成错误报告）"))
        self.template_button.setToolTip(self.tr("生成信用评价结果导入模板（含下拉列表和填写说明）"))
        self.publicity_button.setToolTip(self.tr("打印某年度某领域的信用评价结果公示名单 PDF"))
        self.batch_button.setToolTip(self.tr("某年度某领域全部已生效评价的证书，合为一个 PDF"))
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel(self.tr("年度工作："), self))
        for button in (self.import_button, self.template_button, self.publicity_button, self.batch_button):
            year_row.addWidget(button)
        year_row.addStretch(1)
        buttons = QVBoxLayout()
        buttons.addLayout(edit_row)
        buttons.addLayout(flow_row)
        buttons.addLayout(year_row)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.entity_label)
        right_layout.addWidget(self.entity_meta)
        inner = list_and_detail(right, self.table, self.detail, collapsible=False, vertical=True)
        right_layout.addWidget(inner, 1)
        right_layout.addLayout(buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([280, 900])
        state = self._settings.value(_SPLITTER_KEY) if self._settings is not None else None
        if state:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.setFocusProxy(self.search_edit)

        self.new_action = page_action(self, self.tr("新增评价"), "Ctrl+N", self.new_rating)
        page_action(self, self.tr("查询"), "Ctrl+F", self.focus_search)
        page_action(self, self.tr("刷新"), "F5", self.reload)


    def _wire(self) -> None:
        self.search_edit.returnPressed.connect(self.search)
        self.hit_list.currentRowChanged.connect(self._hit_chosen)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.correct_selected())
        self.new_button.clicked.connect(self.new_rating)
        self.correct_button.clicked.connect(self.correct_selected)
        for target, button in self.workflow_buttons.items():
            button.clicked.connect(lambda _checked=False, t=target: self.move_selected(t))
        self.objection_button.clicked.connect(self.register_objection)
        self.decide_button.clicked.connect(self.decide_objection)
        self.attach_button.clicked.connect(self.add_attachment)
        self.open_attachment_button.clicked.connect(self.open_attachment)
        if self.print_button is not None:
            self.print_button.clicked.connect(self.print_certificate)
        self.import_button.clicked.connect(lambda: self.import_results())
        self.template_button.clicked.connect(lambda: self.save_template())
        self.publicity_button.clicked.connect(lambda: self.print_publicity())
        self.batch_button.clicked.connect(lambda: self.print_batch())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.entity is None:
            self.focus_search()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # --- entity -------------------------------------------------------------------------------------------

    def search(self) -> None:
        query = self.search_edit.text().strip()
        if not query:
            return
        ctx = self._ctx
        run_in_background(
            lambda: find_entities(ctx, query, limit=30), self._searched,
            lambda exc: self.message.emit(getattr(exc, "message_zh", str(exc))), owner=self,
        )

    def _searched(self, hits: list[EntitySummary]) -> None:
        self.hits = hits
        self.hit_list.blockSignals(True)
        self.hit_list.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.name}\n{hit.identifier}　{'、'.join(hit.category_labels)}")
            item.setToolTip(hit.name)
            self.hit_list.addItem(item)
        self.hit_list.blockSignals(False)
        if hits:
            self.hit_list.setCurrentRow(0)  # the best match is shown at once
        else:
            self.message.emit(self.tr("未找到匹配的市场主体"))
        self.searchFinished.emit(len(hits))

    def _hit_chosen(self, row: int) -> None:
        if 0 <= row < len(self.hits):
            self.show_entity(self.hits[row])

    def show_entity(self, entity: EntitySummary) -> None:
        self.entity = entity
        self.entity_label.setText(entity.name)
        cats = "、".join(entity.category_labels) or self.tr("未登记类别")
        self.entity_meta.setText(f"{entity.identifier}　{entity.kind_label}　{cats}")
        self.reload()

    def reload(self, select: uuid.UUID | None = None) -> None:
        """Read the timeline again (quick: one entity's ratings) and keep the selection if possible."""
        if self.entity is None:
            return
        keep = select or self.current_id()
        try:
            self.ratings = list_ratings(self._ctx, self.entity.id)
        except DomainError as refused:
            self.ratings = []
            self.message.emit(refused.message_zh)
        self._fill()
        row = next((i for i, r in enumerate(self.ratings) if r.id == keep), 0 if self.ratings else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._selection_changed()
        self.timelineChanged.emit()

    def _fill(self) -> None:
        numbers = correction_numbers(self.ratings)
        table = self.table
        table.setRowCount(len(self.ratings))
        bold = QFont(self.font())
        bold.setBold(True)
        for row, r in enumerate(self.ratings):
            valid = ""
            if r.valid_from or r.valid_until:
                valid = f"{r.valid_from or ''} 至 {r.valid_until or ''}"
            elif r.status is RatingStatus.PUBLICITY and r.publicity_end:
                valid = self.tr("公示至 {0}").format(r.publicity_end)
            n = numbers.get(r.id, 1)
            measure = []
            if r.score is not None:
                measure.append(f"得分 {r.score:g}")
            if r.points is not None:
                measure.append(f"记分 {r.points:g}")
            cells = {
                TimelineColumn.PERIOD: str(r.period),
                TimelineColumn.DOMAIN: r.domain_name,
                TimelineColumn.GRADE: r.grade,
                TimelineColumn.STATUS: r.status.label,
                TimelineColumn.VALID: valid,
                TimelineColumn.VERSION: f"第{n}版" + ("（更正）" if n > 1 else ""),
                TimelineColumn.MEASURE: "，".join(measure),
                TimelineColumn.DOCUMENT: r.document_no,
            }
            greyed = r.status in (RatingStatus.SUPERSEDED, RatingStatus.REVOKED)
            for column, text in cells.items():
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(r.id))
                if greyed:
                    item.setForeground(QBrush(GREYED))
                table.setItem(row, column, item)
            grade_item = table.item(row, TimelineColumn.GRADE)
            grade_item.setFont(bold)
            if not greyed:
                from xuyi_desktop.services.schemes import registry

                try:
                    scheme = registry().for_period(r.domain, r.period)
                except Exception:  # noqa: BLE001 - colour only
                    scheme = None
                grade_item.setForeground(QBrush(grade_colour(scheme, r.grade)))
            if r.status is RatingStatus.EFFECTIVE:
                table.item(row, TimelineColumn.STATUS).setFont(bold)

    # --- selection ----------------------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current(self) -> RatingView | None:
        row = self.current_row()
        return self.ratings[row] if 0 <= row < len(self.ratings) else None

    def current_id(self) -> uuid.UUID | None:
        r = self.current()
        return r.id if r else None

    def status_texts(self) -> list[str]:
        return [self.table.item(row, TimelineColumn.STATUS).text() for row in range(self.table.rowCount())]

    def _selection_changed(self) -> None:
        self._show_detail(self.current())
        self._update_buttons()

    def _show_detail(self, r: RatingView | None) -> None:
        if r is None:
            self.detail.setHtml("")
            return
        lines = [f"<b>{r.period}年度 {r.domain_name}：{r.grade}级</b>（{r.status.label}，规则 {r.scheme_version}）"]
        if r.grade_notes:
            lines.append(f"<span style='color:#ef6c00'>{r.grade_notes}</span>")
        if r.deductions:
            items = "；".join(f"{d.get('code')} {d.get('name')} −{d.get('points', 0):g}" for d in r.deductions)
            lines.append(f"扣分项：{items}")
        facts = [
            ("评价机关", r.evaluating_organ), ("评定日期", r.decision_date and r.decision_date.isoformat()),
            ("文号", r.document_no), ("公示期", r.publicity_start and f"{r.publicity_start} 至 {r.publicity_end}"),
            ("证书编号", r.certificate_serial), ("依据说明", r.basis_notes),
        ]
        lines += [f"{k}：{v}" for k, v in facts if v]
        outcome = {"pending": "待处理", "upheld": "成立", "rejected": "不成立"}
        for o in r.objections:
            text = f"异议（{o['received_on']}，{o['objector']}）：{o['content']} — {outcome.get(o['outcome'], o['outcome'])}"
            if o.get("outcome_note"):
                text += f"：{o['outcome_note']}"
            lines.append(text)
        self.detail.setHtml("<br>".join(lines))

    def _pending_objections(self, r: RatingView | None) -> list[dict]:
        return [o for o in (r.objections if r else []) if o.get("outcome") == "pending"]

    def _update_buttons(self) -> None:
        r = self.current()
        may_edit = self._ctx.can(Permission.ENTITY_EDIT)
        may_approve = self._ctx.can(Permission.RATING_APPROVE)
        self.new_button.setEnabled(self.entity is not None and may_edit)
        self.new_action.setEnabled(self.entity is not None and may_edit)
        self.correct_button.setEnabled(r is not None and r.correctable and may_edit)
        allowed = TRANSITIONS[r.status] if r is not None else frozenset()
        for target, button in self.workflow_buttons.items():
            button.setEnabled(may_approve and target in allowed)
            button.setToolTip("" if may_approve else self.tr("当前用户没有“审核信用评价”的权限"))
        in_publicity = r is not None and r.status is RatingStatus.PUBLICITY
        self.objection_button.setEnabled(in_publicity and may_edit)
        self.decide_button.setEnabled(in_publicity and may_approve and bool(self._pending_objections(r)))
        self.attach_button.setEnabled(r is not None and may_edit)
        self.open_attachment_button.setEnabled(r is not None)
        if self.print_button is not None:
            self.print_button.setEnabled(
                r is not None and r.status is RatingStatus.EFFECTIVE and self._ctx.can(Permission.PRINT)
            )
        self.import_button.setEnabled(may_edit)
        may_print = self._ctx.can(Permission.PRINT)
        self.publicity_button.setEnabled(may_print)
        self.batch_button.setEnabled(may_print and not self.batch_running)

    # --- entering and correcting --------------------------------------------------------------------------

    def new_rating(self) -> RatingForm | None:
        """Ctrl+N: an empty form for the chosen entity."""
        if self.entity is None or not self._ctx.can(Permission.ENTITY_EDIT):
            return None
        return self._open_form(RatingForm(self._ctx, self.entity, self, self._settings, timeline=self.ratings))

    def correct_selected(self) -> RatingForm | None:
        r = self.current()
        if self.entity is None or r is None or not self.correct_button.isEnabled():
            return None
        return self._open_form(
            RatingForm(self._ctx, self.entity, self, self._settings, timeline=self.ratings, correcting=r)
        )

    def _open_form(self, form: RatingForm) -> RatingForm:
        self.form = form
        form.saved.connect(self._saved)
        return open_window(form, self._form_closed, activate=True)

    def _form_closed(self, form: RatingForm) -> None:
        if self.form is form:
            self.form = None
            self.table.setFocus()
        form.deleteLater()

    def _saved(self, view: RatingView) -> None:
        self.reload(select=view.id)
        text = self.tr("已保存：{0}年度 {1} {2}级（草稿）").format(view.period, view.domain_name, view.grade)
        if view.warnings:
            text += "；" + "；".join(view.warnings)
        self.message.emit(text)

    # --- workflow -----------------------------------------------------------------------------------------

    def move_selected(self, target: RatingStatus) -> bool:
        """Move the selected rating to `target` after the questions the move needs (a reason to 撤销, a reason to
        take effect before the publicity ends); the write runs off the GUI thread and `moveFinished` tells its
        end. True when the move was started."""
        r = self.current()
        if r is None or target not in TRANSITIONS[r.status] or self.ops.busy:
            return False
        title = self.tr("信用评价")
        note = ""
        if target is RatingStatus.REVOKED:
            note, ok = QInputDialog.getMultiLineText(
                self, self.tr("撤销评价"), self.tr("撤销“{0}年度 {1} {2}级”的理由：").format(r.period, r.domain_name, r.grade)
            )
            if not ok or not note.strip():
                return False
        override = ""
        if target is RatingStatus.EFFECTIVE and r.publicity_end and dt.date.today() <= r.publicity_end:
            if not self._ctx.can(Permission.CREDIT_REVIEW):
                QMessageBox.warning(self, title, self.tr("公示期至{0}，公示期满后才能生效。").format(r.publicity_end))
                return False
            override, ok = QInputDialog.getMultiLineText(
                self, self.tr("提前生效"),
                self.tr("公示期至{0}，尚未届满。确需现在生效的，请写明理由（记入操作日志）：").format(r.publicity_end),
            )
            if not ok or not override.strip():
                return False
        ctx, rid, before = self._ctx, r.id, r.status

        def moved(view: RatingView) -> None:
            self.reload(select=view.id)
            text = self.tr("{0}年度 {1}：{2} → {3}").format(view.period, view.domain_name, before.label, target.label)
            if view.warnings:
                text += "（" + "；".join(view.warnings) + "）"
            self.message.emit(text)
            self.moveFinished.emit(True)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                QMessageBox.warning(self, title, exc.message_zh)
                self.reload()
            else:
                self.ops.show_failure(exc)
            self.moveFinished.emit(False)

        work = lambda: set_status(ctx, rid, target, note=note.strip(), override_reason=override.strip())  # noqa: E731
        return self.ops.run(title, work, moved, failed=refused) is not None

    def register_objection(self) -> None:
        r = self.current()
        if r is None or r.status is not RatingStatus.PUBLICITY:
            return
        objector, ok = QInputDialog.getText(self, self.tr("登记异议"), self.tr("异议人："))
        if not ok or not objector.strip():
            return
        content, ok = QInputDialog.getMultiLineText(self, self.tr("登记异议"), self.tr("异议内容："))
        if not ok:
            return
        try:
            add_objection(self._ctx, r.id, objector=objector, content=content)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("登记异议"), refused.message_zh)
            return
        self.reload(select=r.id)
        self.message.emit(self.tr("已登记异议：{0}").format(objector.strip()))

    def decide_objection(self) -> None:
        r = self.current()
        pending = self._pending_objections(r)
        if r is None or not pending:
            return
        title = self.tr("处理异议")
        labels = [f"{o['received_on']} {o['objector']}：{o['content'][:30]}" for o in pending]
        index = pick_label(self, title, self.tr("选择要处理的异议："), labels)
        if index is None:
            return
        chosen = pending[index]
        box = QMessageBox(self)
        box.setWindowTitle(title)
        box.setText(self.tr("异议人：{0}\n内容：{1}\n\n异议是否成立？成立则评价退回草稿、需要更正。").format(chosen["objector"], chosen["content"]))
        upheld_button = box.addButton(self.tr("成立"), QMessageBox.ButtonRole.YesRole)
        box.addButton(self.tr("不成立"), QMessageBox.ButtonRole.NoRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is None or box.buttonRole(clicked) == QMessageBox.ButtonRole.RejectRole:
            return
        upheld = clicked is upheld_button
        note, ok = QInputDialog.getMultiLineText(self, title, self.tr("处理意见："))
        if not ok:
            return
        try:
            decide_objection(self._ctx, uuid.UUID(chosen["id"]), upheld=upheld, note=note)
        except DomainError as refused:
            QMessageBox.warning(self, title, refused.message_zh)
            return
        self.reload(select=r.id)
        self.message.emit(self.tr("异议已处理：{0}").format("成立，评价退回草稿" if upheld else "不成立"))

    def add_attachment(self) -> None:
        r = self.current()
        if r is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("添加附件"), "", self.tr("文件 (*.pdf *.jpg *.jpeg *.png *.doc *.docx *.xls *.xlsx *.ofd);;所有文件 (*)")
        )
        if not path:
            return
        try:
            attach_file(self._ctx, r.id, Path(path))
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("添加附件"), refused.message_zh)
            return
        self.message.emit(self.tr("已添加附件：{0}").format(Path(path).name))

    def open_attachment(self) -> None:
        """Open one of the rating's attachments with the PC's own viewer; the bytes come from the database, so
        this works on any counter and in any office the rating reached by sync."""
        r = self.current()
        if r is None:
            return
        title = self.tr("查看附件")
        try:
            found = attachments.list_attachments(self._ctx, r.id)
            if not found:
                self.message.emit(self.tr("本评价没有附件"))
                return
            index = pick_label(self, title, self.tr("选择附件："), [f"{a.name}（{a.size / 1024:.0f} KB）" for a in found])
            if index is None:
                return
            chosen = found[index]
            path = attachments.attachment_file(self._ctx, chosen.id)
        except DomainError as refused:
            QMessageBox.warning(self, title, refused.message_zh)
            return
        # The file was checked by content when attached and again now; it is handed on under the extension of
        # what it is (a PDF stays a PDF whatever it was called). Pictures open in the program's own viewer.
        kind = sniff(path.read_bytes())
        if kind is not None and kind.image:
            self._viewer = AttachmentViewer(path, chosen.name, self)
            self._viewer.open()
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.message.emit(self.tr("已打开附件：{0}").format(chosen.name))

    def print_certificate(self) -> None:
        r = self.current()
        if r is None or self._print is None or r.status is not RatingStatus.EFFECTIVE:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or tempfile.gettempdir()
        name = f"信用等级证书_{self.entity.name if self.entity else ''}_{r.period}_{r.domain_name}.pdf"
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("打印证书"), str(Path(folder) / name), self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        ctx, fn, rid = self._ctx, self._print, r.id
        run_in_background(lambda: fn(ctx, rid, path), self._printed, self._print_failed, owner=self)

    def _printed(self, path: object) -> None:
        self.reload()  # the certificate serial is now shown
        self.message.emit(self.tr("证书已生成：{0}").format(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _print_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, self.tr("打印证书"), getattr(error, "message_zh", str(error)))

    # --- the year's work: import, template, publicity list, batch certificates -------------------------------

    def _documents(self) -> Path:
        return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or tempfile.gettempdir())

    def _year_and_domain(self, title: str, *, with_statuses: bool = False) -> tuple[int, str, tuple[RatingStatus, ...]] | None:
        """Asked first; the selected rating's year and domain are offered."""
        r = self.current()
        return YearDomainDialog.ask(self, title, period=r.period if r else None, domain=r.domain if r else None,
                                    with_statuses=with_statuses)

    def import_results(self) -> RatingImportDialog:
        """导入评价结果: the import dialog (`xuyi import ratings`); the timeline is read again when it succeeds."""
        dialog = RatingImportDialog(self._ctx, self)
        dialog.finished_import.connect(self._imported)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _imported(self, result: object) -> None:
        if getattr(result, "ok", False):
            self.message.emit(self.tr("已导入 {0} 条评价（草稿）").format(getattr(result, "imported", 0)))
            self.reload()

    def save_template(self) -> Path | None:
        """下载模板: the import template with its drop-downs and notes (`xuyi import ratings-template`)."""
        from xuyi_desktop.services.rating_exchange import write_rating_template

        out = save_template(self, self._documents() / "信用评价结果导入模板.xlsx", write_rating_template)
        if out is not None:
            self.message.emit(self.tr("导入模板已保存：{0}").format(out))
        return out

    def print_publicity(self) -> None:
        """公示名单: the publicity list of a year and domain, off the GUI thread — as a PDF (`xuyi print publicity`),
        or, when the clerk saves it as .xlsx, the spreadsheet for the website (`xuyi export publicity`: ratings in
        publicity and in effect, persons' ID numbers masked)."""
        from xuyi_desktop.services.printing import print_publicity_list
        from xuyi_desktop.services.rating_exchange import export_publicity

        chosen = self._year_and_domain(self.tr("公示名单"), with_statuses=True)
        if chosen is None:
            return
        period, domain, statuses = chosen
        pdf_filter, xlsx_filter = self.tr("PDF 文件 (*.pdf)"), self.tr("Excel 表格（网站公示用，含公示中和已生效）(*.xlsx)")
        path, picked = QFileDialog.getSaveFileName(
            self, self.tr("保存公示名单"), str(self._documents() / f"信用评价结果公示名单_{period}_{domain}.pdf"),
            f"{pdf_filter};;{xlsx_filter}",
        )
        if not path:
            return
        as_sheet = path.lower().endswith(".xlsx") or (picked == xlsx_filter and not path.lower().endswith(".pdf"))
        if not path.lower().endswith((".pdf", ".xlsx")):
            path += ".xlsx" if as_sheet else ".pdf"
        ctx, out = self._ctx, Path(path)
        if as_sheet:
            run_in_background(lambda: export_publicity(ctx, period=period, domain=domain, out=out),
                              lambda result: self._sheet_exported(out, result),
                              lambda exc: self._document_failed(self.tr("公示名单"), exc), owner=self)
            return
        run_in_background(lambda: print_publicity_list(ctx, period, domain, out, statuses=statuses),
                          self._document_printed, lambda exc: self._document_failed(self.tr("公示名单"), exc), owner=self)

    def _sheet_exported(self, out: Path, result: object) -> None:
        self.last_sheet = out
        self.message.emit(self.tr("已导出：{0}，{1} 条 → {2}").format(getattr(result, "title", ""), getattr(result, "rows", 0), out))

    def print_batch(self) -> None:
        """批量打印证书: every effective certificate of a year and domain into one PDF (`xuyi print certificates`),
        with progress and cancel (nothing written, no serial recorded as printed, when cancelled)."""
        from xuyi_desktop.services.printing import print_certificates_batch

        if self.batch_running:
            return
        chosen = self._year_and_domain(self.tr("批量打印证书"))
        if chosen is None:
            return
        period, domain, _statuses = chosen
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("批量打印证书"), str(self._documents() / f"信用等级证书_{period}_{domain}.pdf"), self.tr("PDF 文件 (*.pdf)"),
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.batch_progress = QProgressDialog(self.tr("正在生成证书…"), self.tr("取消"), 0, 0, self)
        self.batch_progress.setWindowTitle(self.tr("批量打印证书"))
        self.batch_progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.batch_progress.setMinimumDuration(300)
        self.batch_progress.canceled.connect(self._cancel_batch_print)
        signals = _Progress(self)
        signals.changed.connect(self._batch_progressed)
        self._cancel_batch = False
        self.batch_running = True
        self._update_buttons()
        ctx = self._ctx

        def work() -> Path:
            return print_certificates_batch(ctx, period, domain, path, progress=signals.changed.emit,
                                            cancelled=lambda: self._cancel_batch)

        run_in_background(work, self._batch_done, self._batch_failed, owner=self)

    def _batch_progressed(self, done: int, total: int) -> None:
        if self.batch_progress.maximum() != total:
            self.batch_progress.setMaximum(total)
        self.batch_progress.setValue(done)
        self.batch_progress.setLabelText(self.tr("正在生成证书 {0}/{1}…").format(done, total))

    def _cancel_batch_print(self) -> None:
        self._cancel_batch = True

    def _batch_done(self, path: object) -> None:
        self.batch_running = False
        self.batch_progress.reset()
        self._update_buttons()
        self.reload()  # serials given to certificates printed for the first time
        self._document_printed(path)

    def _batch_failed(self, error: BaseException) -> None:
        self.batch_running = False
        self.batch_progress.reset()
        self._update_buttons()
        self._document_failed(self.tr("批量打印证书"), error)

    def _document_printed(self, path: object) -> None:
        self.last_pdf = Path(str(path))
        self.message.emit(self.tr("已生成：{0}").format(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _document_failed(self, title: str, error: BaseException) -> None:
        QMessageBox.warning(self, title, getattr(error, "message_zh", str(error)))

    def save_state(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_SPLITTER_KEY, self.splitter.saveState())
