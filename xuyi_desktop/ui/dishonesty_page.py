"""The 失信记录 page: the records (filter by text, only those in force), 登记 a record entered by hand (court
enforcement lists, other authorities' findings) and 结束 one early with a reason. The same functions as
`xuyi dishonesty add|list|show|end` (services.dishonesty), whose permissions decide: clerks register, reviewers end.
A 违诺 registers its record from the 信用承诺 page."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import dishonesty as svc
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import resolve_query
from xuyi_desktop.services.dishonesty import DishonestyView
from xuyi_desktop.ui.ledger_widgets import pydate
from xuyi_desktop.ui.record_widgets import (
    GREY,
    RED,
    RecordPage,
    button_row,
    dialog_buttons,
    list_and_detail,
    open_form,
    record_table,
    search_box,
    show_problem,
)
from xuyi_desktop.ui.widgets import error_label, page_action
from xuyi_desktop.ui.workflow_widgets import date_edit

# Offered in the 失信类别 box (any other text may be typed): the kinds a county transport bureau records by hand.
CATEGORIES = ("严重失信主体名单", "法院失信被执行人", "重大税收违法失信主体", "其他部门认定的失信行为", "违反信用承诺")


class Column:
    ENTITY, OCCURRED, CATEGORY, STATE, ENDS, DOCUMENT, SOURCE = range(7)
    TITLES = ("主体名称", "失信行为日期", "失信类别", "状态", "结束日期", "文书号", "来源")


class DishonestyDialog(QDialog):
    """登记失信记录: entity (identifier, name or pinyin initials), date, category, facts, document, source, end."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: DishonestyView | None = None
        self.setWindowTitle(self.tr("登记失信记录"))
        self.resize(600, 440)
        self.entity_edit = QLineEdit(self)
        self.entity_edit.setPlaceholderText(self.tr("统一社会信用代码 / 身份证号码 / 名称 / 拼音首字母"))
        self.date_edit = date_edit(self, QDate.currentDate())
        self.category_combo = QComboBox(self)
        self.category_combo.setEditable(True)
        self.category_combo.addItems(CATEGORIES)
        self.category_combo.setCurrentText("")
        self.category_combo.lineEdit().setPlaceholderText(self.tr("选择或填写，如 法院失信被执行人"))
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText(self.tr("失信事实"))
        self.document_edit = QLineEdit(self)
        self.document_edit.setPlaceholderText(self.tr("认定文书号，如 (2025)苏0830执123号"))
        self.source_edit = QLineEdit(self)
        self.source_edit.setPlaceholderText(self.tr("认定机关或名单名称"))
        self.ends_check = QCheckBox(self.tr("有结束日期"), self)
        self.ends_edit = date_edit(self, QDate.currentDate().addYears(1))
        self.ends_edit.setEnabled(False)
        self.ends_check.toggled.connect(self.ends_edit.setEnabled)
        ends_row = QHBoxLayout()
        ends_row.addWidget(self.ends_check)
        ends_row.addWidget(self.ends_edit, 1)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("失信主体"), self.entity_edit)
        form.addRow(self.tr("失信行为日期"), self.date_edit)
        form.addRow(self.tr("失信类别"), self.category_combo)
        form.addRow(self.tr("失信事实"), self.description_edit)
        form.addRow(self.tr("文书号"), self.document_edit)
        form.addRow(self.tr("来源"), self.source_edit)
        form.addRow(self.tr("结束日期"), ends_row)
        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> DishonestyView | None:
        """Checked by the service; on success the dialog closes with `saved` set, otherwise the reason is shown."""
        self.error.setVisible(False)
        try:
            text = self.entity_edit.text().strip()
            if not text:
                raise ValidationError(FieldProblem("entity", "请填写失信主体", "entity required"))
            entity = resolve_query(self.ctx, text)  # one entity, or refused naming the candidates
            record_id = svc.add_dishonesty(
                self.ctx, entity, occurred_on=pydate(self.date_edit.date()), category=self.category_combo.currentText(),
                description=self.description_edit.toPlainText(), document_no=self.document_edit.text(),
                source=self.source_edit.text(), ends_on=pydate(self.ends_edit.date()) if self.ends_check.isChecked() else None,
            )
            self.saved = svc.get_dishonesty(self.ctx, record_id)
        except DomainError as exc:
            show_problem(self.error, exc)
            return None
        self.accept()
        return self.saved


class DishonestyPage(RecordPage):
    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, settings, parent)
        self.all_views: list[DishonestyView] = []
        self.views: list[DishonestyView] = []
        self.dialog: DishonestyDialog | None = None
        self._build()
        self.reload()

    def _build(self) -> None:
        self.filter_edit = search_box(self, self.tr("按主体名称、类别、文书号或来源筛选（Ctrl+F）"))
        self.active_check = QCheckBox(self.tr("只看有效的"), self)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.active_check)

        self.table = record_table(self, [self.tr(t) for t in Column.TITLES], selection=QAbstractItemView.SelectionMode.SingleSelection,
                                  tab_keys=False, alternating=True)
        self.table.horizontalHeader().setSectionResizeMode(Column.ENTITY, QHeaderView.ResizeMode.Stretch)
        self.detail = QTextBrowser(self)
        split = list_and_detail(self, self.table, self.detail, collapsible=False)

        self.add_button = QPushButton(self.tr("登记失信记录(&N)"), self)
        self.end_button = QPushButton(self.tr("结束…"), self)
        self.end_button.setToolTip(self.tr("提前结束失信记录（须审核权限，写明理由）；记录保留在历史中"))
        buttons = button_row([self.add_button, self.end_button])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.filter_edit)

        self.filter_edit.textChanged.connect(lambda _t: self._apply_filter())
        self.filter_edit.returnPressed.connect(self.table.setFocus)
        self.active_check.toggled.connect(lambda _on: self.reload())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button.clicked.connect(lambda: self.add_record())
        self.end_button.clicked.connect(lambda: self.end_selected())
        page_action(self, self.tr("登记失信记录"), "Ctrl+N", self.add_record)
        page_action(self, self.tr("筛选"), "Ctrl+F", self.focus_filter)
        page_action(self, self.tr("刷新"), "F5", self.reload)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # --- list ---------------------------------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        try:
            self.all_views = svc.list_dishonesty(self.ctx, active_only=self.active_check.isChecked())
        except DomainError as refused:
            self.all_views = []
            self.message.emit(refused.message_zh)
        self._apply_filter(select)

    def _apply_filter(self, select: uuid.UUID | None = None) -> None:
        keep = select or (self.current().id if self.current() else None)
        words = self.filter_edit.text().split()
        self.views = [v for v in self.all_views
                      if all(w in f"{v.entity_name} {v.category} {v.document_no} {v.source} {v.description}" for w in words)]
        self._fill(keep)

    def _fill(self, select: uuid.UUID | None) -> None:
        table = self.table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self.views))
        for row, v in enumerate(self.views):
            state = ("有效" + (f"（至{v.ends_on:%m-%d}）" if v.ends_on else "")) if v.active else "已结束"
            cells = (v.entity_name, v.occurred_on.isoformat(), v.category, state,
                     v.ends_on.isoformat() if v.ends_on else "", v.document_no, v.source)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == Column.ENTITY:
                    item.setToolTip(text)
                if col == Column.STATE:
                    item.setForeground(QBrush(RED if v.active else GREY))
                table.setItem(row, col, item)
        for col in range(1, len(Column.TITLES)):
            table.resizeColumnToContents(col)
        table.blockSignals(False)
        row = next((i for i, v in enumerate(self.views) if v.id == select), -1)
        if row >= 0:
            table.selectRow(row)
        self._selection_changed()

    def current(self) -> DishonestyView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        row = rows[0].row() if rows else -1
        return self.views[row] if 0 <= row < len(self.views) else None

    def _selection_changed(self) -> None:
        v = self.current()
        if v is None:
            self.detail.setHtml(self.tr("<p>共 {0} 条。选择一条查看详情。</p>").format(len(self.views)))
        else:
            facts = [("失信行为日期", v.occurred_on.isoformat()), ("失信类别", v.category), ("失信事实", v.description),
                     ("文书号", v.document_no), ("来源", v.source), ("结束日期", v.ends_on.isoformat() if v.ends_on else ""),
                     ("结束理由", v.end_reason)]
            state = "<span style='color:#c62828'>有效</span>" if v.active else "已结束"
            self.detail.setHtml(f"<h3>{v.entity_name}</h3><p>{state}</p>"
                                + "".join(f"<p>{k}：{text}</p>" for k, text in facts if text))
        self._update_buttons()

    def _update_buttons(self) -> None:
        v = self.current()
        may_add = self.ctx.can(Permission.ENTITY_EDIT)
        may_end = self.ctx.can(Permission.CREDIT_REVIEW)
        self.add_button.setEnabled(may_add)
        self.add_button.setToolTip("" if may_add else self.tr("当前用户没有“登记和修改”的权限"))
        # Not yet ended early (a record ended today is in force until tonight: the profile reads it so).
        open_record = v is not None and not v.end_reason and (v.ends_on is None or v.ends_on >= dt.date.today())
        self.end_button.setEnabled(open_record and may_end)
        if not may_end:
            self.end_button.setToolTip(self.tr("结束失信记录须审核权限"))

    # --- actions ------------------------------------------------------------------------------------------
    def add_record(self, *, exec_dialog: bool = True) -> DishonestyDialog | None:
        if not self.ctx.can(Permission.ENTITY_EDIT):
            return None
        self.dialog = dialog = DishonestyDialog(self.ctx, self)
        return open_form(dialog, lambda d: self._added(d.saved), show=exec_dialog)

    def _added(self, view: DishonestyView | None) -> None:
        if view is None:
            return
        self.filter_edit.clear()
        self.reload(select=view.id)
        self.message.emit(self.tr("已登记失信记录：{0}（{1}）").format(view.entity_name, view.category))

    def end_selected(self) -> bool:
        """结束: the reason is asked (and audited); ends today, as `xuyi dishonesty end ID --reason …`."""
        v = self.current()
        if v is None or not self.end_button.isEnabled():
            return False
        reason, ok = QInputDialog.getMultiLineText(
            self, self.tr("结束失信记录"),
            self.tr("结束“{0}：{1}”（{2}）的理由（记入操作日志）：").format(v.entity_name, v.category, v.occurred_on),
        )
        if not ok or not reason.strip():
            return False
        try:
            done = svc.end_dishonesty(self.ctx, v.id, reason=reason)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("结束失信记录"), refused.message_zh)
            self.reload()
            return False
        self.reload(select=done.id)
        self.message.emit(self.tr("已结束失信记录：{0}（{1}）").format(done.entity_name, done.category))
        return True
