"""The 信用核查 page: the counter screen. Type a name, identifier or pinyin initials, press Enter, read the standing.

Every check goes through services.credit_check (which logs it with a serial); the page holds no rules.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QBrush, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.rating_schemes import SchemeError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import CreditCheckResult, check_entity
from xuyi_desktop.services.entities import find_entities
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.ui.formatting import local_time
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.rating_common import (
    CONSEQUENCE_STYLE,
    GREYED,
    PROVISIONAL,
    RESTRICTION,
    grade_colour,
    printing_function,
)
from xuyi_desktop.ui.widgets import page_action

_BUSINESS_KEY = "credit_check/business"
PICK_LIMIT = 8  # a short pick list: the clerk narrows the query rather than scrolls


class GradeColumn:
    DOMAIN, GRADE, PROVISIONAL, VALID_UNTIL, PUBLICITY, NOTE = range(6)
    TITLES = ("领域", "等级", "暂定", "有效期至", "公示状态", "说明")


class CreditCheckPage(QWidget):
    """Search box and business type on top; the entity, its grades, consequences and dishonesty below."""

    message = Signal(str)  # a short notice for the status bar
    checked = Signal(object)  # CreditCheckResult, after it is shown
    checkFailed = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.result: CreditCheckResult | None = None
        self.hits: list[EntitySummary] = []
        self.busy = False
        self._print = printing_function("print_credit_check")
        self._build()
        self._wire()
        self._restore_business()
        self._show_empty()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("输入名称、证件号码或拼音首字母，回车核查"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(self.tr("回车核查；↓ 进入候选列表；F6 切换业务类型；Ctrl+P 打印核查结果单"))
        self.check_button = QPushButton(self.tr("核查 (Enter)"), self)
        self.business_combo = QComboBox(self)
        self.business_combo.setToolTip(self.tr("办理的业务类型（F6 切换）"))
        for business in registry().businesses:
            self.business_combo.addItem(business.name, business.code)
        business_label = QLabel(self.tr("业务类型(F6)："), self)
        business_label.setBuddy(self.business_combo)

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)

        self.pick_list = QListWidget(self)
        self.pick_list.setToolTip(self.tr("匹配到多个主体：已核查第一个；选中其他主体后回车改为核查它"))
        self.pick_box = QGroupBox(self.tr("匹配到多个主体（↑↓ 选择，回车核查）"), self)
        pick_layout = QVBoxLayout(self.pick_box)
        pick_layout.setContentsMargins(6, 4, 6, 6)
        pick_layout.addWidget(self.pick_list)
        self.pick_box.setVisible(False)

        # entity header
        self.name_label = QLabel(self)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        self.name_label.setFont(big)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = QLabel(self)
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label.setWordWrap(True)
        self.serial_label = QLabel(self)
        self.serial_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.serial_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label = QLabel(self)
        summary_font = QFont(self.font())
        summary_font.setPointSizeF(summary_font.pointSizeF() * 1.25)
        summary_font.setBold(True)
        self.summary_label.setFont(summary_font)
        self.summary_label.setWordWrap(True)
        header = QFrame(self)
        header.setFrameShape(QFrame.Shape.StyledPanel)
        header_layout = QHBoxLayout(header)
        names = QVBoxLayout()
        names.addWidget(self.name_label)
        names.addWidget(self.meta_label)
        names.addWidget(self.summary_label)
        header_layout.addLayout(names, 1)
        header_layout.addWidget(self.serial_label)

        self.grades_table = QTableWidget(0, len(GradeColumn.TITLES), self)
        self.grades_table.setHorizontalHeaderLabels([self.tr(t) for t in GradeColumn.TITLES])
        self.grades_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grades_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grades_table.setTabKeyNavigation(False)
        self.grades_table.verticalHeader().setVisible(False)
        self.grades_table.setWordWrap(True)
        heads = self.grades_table.horizontalHeader()
        heads.setHighlightSections(False)
        metrics = self.fontMetrics()
        for column, sample in (
            (GradeColumn.DOMAIN, "公路水运工程建设从业单位"),
            (GradeColumn.GRADE, "暂定AAA级"),
            (GradeColumn.PROVISIONAL, "暂定"),
            (GradeColumn.VALID_UNTIL, "2026-12-31"),
            (GradeColumn.PUBLICITY, "公示中至2026-12-31"),
        ):
            self.grades_table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        heads.setSectionResizeMode(GradeColumn.NOTE, QHeaderView.ResizeMode.Stretch)
        grades_box = QGroupBox(self.tr("信用等级"), self)
        QVBoxLayout(grades_box).addWidget(self.grades_table)

        self.consequences_list = QListWidget(self)
        self.consequences_list.setWordWrap(True)
        consequences_box = QGroupBox(self.tr("激励与约束措施"), self)
        QVBoxLayout(consequences_box).addWidget(self.consequences_list)
        self.dishonesty_list = QListWidget(self)
        self.dishonesty_list.setWordWrap(True)
        dishonesty_box = QGroupBox(self.tr("失信记录"), self)
        QVBoxLayout(dishonesty_box).addWidget(self.dishonesty_list)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(consequences_box)
        lower.addWidget(dishonesty_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setChildrenCollapsible(False)
        # 信用承诺 beside the grades: violated ones first (red), then the rest, newest first.
        self.commitments_list = QListWidget(self)
        self.commitments_list.setWordWrap(True)
        commitments_box = QGroupBox(self.tr("信用承诺"), self)
        QVBoxLayout(commitments_box).addWidget(self.commitments_list)
        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(grades_box)
        upper.addWidget(commitments_box)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        upper.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(upper)
        body.addWidget(lower)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)

        self.print_button: QPushButton | None = None
        self.print_action: QAction | None = None
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        if self._print is not None:
            self.print_button = QPushButton(self.tr("打印核查结果单 (Ctrl+P)"), self)
            self.print_action = page_action(self, self.tr("打印核查结果单"), "Ctrl+P", self.print_result)
            buttons.addWidget(self.print_button)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.check_button)
        search_row.addSpacing(12)
        search_row.addWidget(business_label)
        search_row.addWidget(self.business_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.pick_box)
        layout.addWidget(header)
        layout.addWidget(body, 1)
        layout.addLayout(buttons)
        self.header_frame = header
        self.setFocusProxy(self.search_edit)

        self.find_action = page_action(self, self.tr("查询"), "Ctrl+F", self.focus_search)
        self.business_action = page_action(self, self.tr("切换业务类型"), "F6", self.next_business)


    def _wire(self) -> None:
        self.search_edit.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.pick_list.itemActivated.connect(lambda item: self.check_pick(self.pick_list.row(item)))
        self.business_combo.currentIndexChanged.connect(self._business_changed)
        self.search_edit.installEventFilter(self)
        if self.print_button is not None:
            self.print_button.clicked.connect(self.print_result)

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        """↓ in the search box goes to the pick list; Esc clears the query."""
        from PySide6.QtCore import QEvent

        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down and self.pick_box.isVisible():
                self.pick_list.setFocus()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        return False

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.focus_search()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # --- business type ------------------------------------------------------------------------------------

    def business(self) -> str:
        return str(self.business_combo.currentData())

    def set_business(self, code: str) -> None:
        index = self.business_combo.findData(code)
        if index >= 0:
            self.business_combo.setCurrentIndex(index)

    def next_business(self) -> None:
        """F6: the next business type (wraps); a shown result is checked again for it."""
        count = self.business_combo.count()
        if count:
            self.business_combo.setCurrentIndex((self.business_combo.currentIndex() + 1) % count)

    def _restore_business(self) -> None:
        code = self._settings.value(_BUSINESS_KEY) if self._settings is not None else None
        if code:
            self.set_business(str(code))

    def _business_changed(self, _index: int) -> None:
        if self._settings is not None:
            self._settings.setValue(_BUSINESS_KEY, self.business())
        if self.result is not None and not self.busy:
            self._check_id(uuid.UUID(str(self.result.entity["id"])), self.result.entity.get("name", ""))

    # --- checking -----------------------------------------------------------------------------------------

    def check(self) -> None:
        """Enter: ranked search; the best match is checked at once, other matches go to the pick list."""
        query = self.search_edit.text().strip()
        if not query or self.busy:
            return
        business, ctx = self.business(), self._ctx

        def work() -> tuple[list[EntitySummary], CreditCheckResult | None]:
            hits = find_entities(ctx, query, limit=PICK_LIMIT)
            if not hits:
                return hits, None
            return hits, check_entity(ctx, hits[0].id, business, query=query)

        self._start(self.tr("正在核查“{0}”…").format(query))
        run_in_background(work, lambda found: self._searched(query, found), self._failed, owner=self)

    def check_pick(self, row: int) -> None:
        if 0 <= row < len(self.hits):
            self._check_id(self.hits[row].id, self.hits[row].name, query=self.search_edit.text().strip())

    def _check_id(self, entity_id: uuid.UUID, name: str, query: str = "") -> None:
        if self.busy:
            return
        business, ctx = self.business(), self._ctx
        self._start(self.tr("正在核查“{0}”…").format(name))
        run_in_background(
            lambda: check_entity(ctx, entity_id, business, query=query), self._show_result, self._failed, owner=self
        )

    def _start(self, text: str) -> None:
        self.busy = True
        self.check_button.setEnabled(False)
        self._set_status(text)

    def _searched(self, query: str, found: tuple[list[EntitySummary], CreditCheckResult | None]) -> None:
        hits, result = found
        self.hits = hits
        self.pick_list.clear()
        if result is None:
            self.busy = False
            self.check_button.setEnabled(True)
            self.pick_box.setVisible(False)
            self.result = None
            self._show_empty()
            text = self.tr("未找到与“{0}”匹配的市场主体").format(query)
            self._set_status(text, error=True)
            self.checkFailed.emit(text)
            return
        for hit in hits:
            item = QListWidgetItem(f"{hit.name}　{hit.identifier}　{hit.kind_label}　{'、'.join(hit.category_labels)}")
            self.pick_list.addItem(item)
        self.pick_list.setCurrentRow(0)
        rows = min(len(hits), 5)
        self.pick_list.setFixedHeight(self.pick_list.sizeHintForRow(0) * rows + 2 * self.pick_list.frameWidth() + 4)
        self.pick_box.setVisible(len(hits) > 1)
        self._show_result(result)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.check_button.setEnabled(True)
        text = error.message_zh if isinstance(error, DomainError) else self.tr("核查失败：{0}").format(error)
        self._set_status(text, error=True)
        self.checkFailed.emit(text)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {RESTRICTION.name() if error else '#555'};")
        self.status_label.setVisible(bool(text))

    # --- showing ------------------------------------------------------------------------------------------

    def _show_empty(self) -> None:
        self.name_label.setText(self.tr("信用核查"))
        self.meta_label.setText(self.tr("输入主体名称、统一社会信用代码/身份证号或拼音首字母（如“盱眙县路桥”输入 xyxlq），回车即核查。"))
        self.summary_label.setText("")
        self.serial_label.setText("")
        self.grades_table.setRowCount(0)
        self.consequences_list.clear()
        self.dishonesty_list.clear()
        self.commitments_list.clear()
        self._update_print()

    def _show_result(self, result: CreditCheckResult) -> None:
        self.busy = False
        self.check_button.setEnabled(True)
        self.result = result
        e = result.entity
        self.name_label.setText(e.get("name", ""))
        categories = "、".join(e.get("category_labels") or []) or self.tr("未登记类别")
        self.meta_label.setText(
            self.tr("{0}　{1}　类别：{2}").format(e.get("identifier", ""), e.get("kind_label", ""), categories)
        )
        try:
            checked_at = local_time(dt.datetime.fromisoformat(result.checked_at))
        except ValueError:
            checked_at = result.checked_at
        self.serial_label.setText(
            self.tr("核查编号：<b>{0}</b><br>业务类型：{1}<br>核查时间：{2}").format(
                result.serial, result.business_name, checked_at
            )
        )
        self._fill_grades(result)
        self._fill_consequences(result)
        self._fill_dishonesty(result)
        self._fill_commitments(result)
        self._set_status("")
        self._update_print()
        self.message.emit(self.tr("已核查：{0}（{1}），编号 {2}").format(e.get("name", ""), result.business_name, result.serial))
        self.checked.emit(result)

    def _scheme(self, code: str):  # type: ignore[no-untyped-def]
        try:
            return registry().latest(code)
        except (SchemeError, DomainError):
            return None

    def grade_text(self, row: int) -> str:
        item = self.grades_table.item(row, GradeColumn.GRADE)
        return item.text() if item else ""

    def _fill_grades(self, result: CreditCheckResult) -> None:
        table = self.grades_table
        table.setRowCount(len(result.grades))
        bold = QFont(self.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        summary: list[str] = []
        for row, g in enumerate(result.grades):
            if g.grade:
                grade = f"暂定{g.grade}级" if g.provisional else f"{g.grade}级"
            else:
                grade = "无"
            publicity = f"公示中至{g.publicity_until}" if g.publicity_until else "—"
            cells = {
                GradeColumn.DOMAIN: g.domain_name,
                GradeColumn.GRADE: grade,
                GradeColumn.PROVISIONAL: "暂定" if g.provisional else "",
                GradeColumn.VALID_UNTIL: g.valid_until or "—",
                GradeColumn.PUBLICITY: publicity,
                GradeColumn.NOTE: g.note,
            }
            for column, text in cells.items():
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
            grade_item = table.item(row, GradeColumn.GRADE)
            grade_item.setFont(bold)
            colour = PROVISIONAL if g.provisional else (grade_colour(self._scheme(g.domain), g.grade) if g.grade else GREYED)
            grade_item.setForeground(QBrush(colour))
            table.item(row, GradeColumn.PROVISIONAL).setForeground(QBrush(PROVISIONAL))
            summary.append(f"{g.domain_name}：{grade}")
        table.resizeRowsToContents()
        self.summary_label.setText("　".join(summary) if summary else self.tr("该主体没有适用的信用评价领域"))

    def _fill_consequences(self, result: CreditCheckResult) -> None:
        self.consequences_list.clear()
        names = {g.domain: g.domain_name for g in result.grades}
        several = len({c.domain for c in result.consequences if c.domain}) > 1
        bold = QFont(self.font())
        bold.setBold(True)
        for line in result.consequences:
            tag, colour = CONSEQUENCE_STYLE.get(line.kind, CONSEQUENCE_STYLE["info"])
            where = f"［{names.get(line.domain, line.domain)}］" if several and line.domain else ""
            item = QListWidgetItem(f"{tag}　{where}{line.text}")
            item.setForeground(QBrush(colour))
            item.setData(Qt.ItemDataRole.UserRole, line.kind)
            if line.kind != "info":
                item.setFont(bold)
            self.consequences_list.addItem(item)
        if result.points:  # 信用积分 (诚信港区): the tier's differentiated service, one line
            pts = result.points
            self.consequences_list.addItem(QListWidgetItem(f"积分　信用积分{pts['balance']:g}分（{pts['tier_name']}）：{'；'.join(pts['services'])}"))
        if not result.consequences:
            item = QListWidgetItem(self.tr("“{0}”业务没有适用的激励或约束措施").format(result.business_name))
            item.setForeground(QBrush(GREYED))
            self.consequences_list.addItem(item)

    def _fill_dishonesty(self, result: CreditCheckResult) -> None:
        self.dishonesty_list.clear()
        for d in result.dishonesty:
            parts = [d.get("occurred_on", ""), d.get("category", ""), d.get("description", "")]
            if d.get("document_no"):
                parts.append(f"（{d['document_no']}）")
            item = QListWidgetItem("✘ " + "　".join(p for p in parts if p))
            item.setForeground(QBrush(RESTRICTION))
            self.dishonesty_list.addItem(item)
        if not result.dishonesty:
            item = QListWidgetItem(self.tr("无有效的失信记录"))
            item.setForeground(QBrush(GREYED))
            self.dishonesty_list.addItem(item)

    def _fill_commitments(self, result: CreditCheckResult) -> None:
        self.commitments_list.clear()
        for c in result.commitments:
            violated = c.get("status") == "violated"
            state = c.get("status_label", "") + (self.tr("（逾期未办结）") if c.get("overdue") else "")
            parts = [c.get("serial", ""), state, c.get("type_name", ""), c.get("area_name", ""), c.get("business", "")]
            if violated and c.get("violation_facts"):
                parts.append(self.tr("违诺事实：{0}").format(c["violation_facts"]))
            item = QListWidgetItem(("✘ " if violated else "") + "　".join(p for p in parts if p))
            item.setData(Qt.ItemDataRole.UserRole, c.get("status", ""))
            if violated or c.get("overdue"):
                item.setForeground(QBrush(RESTRICTION))
            self.commitments_list.addItem(item)
        if not result.commitments:
            item = QListWidgetItem(self.tr("无信用承诺记录"))
            item.setForeground(QBrush(GREYED))
            self.commitments_list.addItem(item)

    def consequence_lines(self) -> list[tuple[str, str]]:
        """(kind, text) as shown, for tests and the screenshot check."""
        items = (self.consequences_list.item(i) for i in range(self.consequences_list.count()))
        return [(str(item.data(Qt.ItemDataRole.UserRole) or ""), item.text()) for item in items]

    # --- printing -----------------------------------------------------------------------------------------

    def _update_print(self) -> None:
        enabled = self.result is not None and self._ctx.can(Permission.PRINT)
        if self.print_button is not None:
            self.print_button.setEnabled(enabled)
        if self.print_action is not None:
            self.print_action.setEnabled(enabled)

    def print_result(self) -> None:
        """Ctrl+P: the result sheet as PDF (save dialog), then opened for the printer."""
        if self._print is None or self.result is None:
            return
        result = self.result
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or tempfile.gettempdir()
        suggested = str(Path(folder) / f"信用核查结果单_{result.serial}.pdf")
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("打印核查结果单"), suggested, self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        ctx, fn = self._ctx, self._print
        self._set_status(self.tr("正在生成核查结果单…"))
        run_in_background(lambda: fn(ctx, result, path), self._printed, self._print_failed, owner=self)

    def _printed(self, path: object) -> None:
        self._set_status(self.tr("核查结果单已生成：{0}").format(path))
        self.message.emit(self.tr("核查结果单已生成：{0}").format(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _print_failed(self, error: BaseException) -> None:
        text = error.message_zh if isinstance(error, DomainError) else str(error)
        self._set_status(self.tr("打印失败：{0}").format(text), error=True)
