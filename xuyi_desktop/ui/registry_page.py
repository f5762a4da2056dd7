"""The 市场主体 page: one search box, the lazy registry table, and new / edit / delete, all from the keyboard."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import delete_entity
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.ui.data_events import listen
from xuyi_desktop.ui.entity_form import EntityForm
from xuyi_desktop.ui.entity_table_model import SORTABLE, Column, EntityTableModel
from xuyi_desktop.ui.operations import OperationRunner
from xuyi_desktop.ui.record_widgets import SelectionMode, confirm, make_record_list, open_window, search_box
from xuyi_desktop.ui.widgets import page_action

_HEADER_KEY = "registry/header2"  # 2: with the 信用等级 and 失信 columns (issue 19)
# Record kinds whose writes change what the list shows (the entity itself; its grade and marks come with it).
REFRESH_KINDS = {"entity", "rating", "dishonesty_record", "list_entry"}
# Typical widest content per column: widths that fit without measuring a million rows.
_SAMPLES = {
    Column.KIND: "单位",
    Column.IDENTIFIER: "91320830PYQLFT169T",
    Column.GRADE: "AAA / AA",
    Column.DISHONEST: "失信",
    Column.CATEGORIES: "道路运输经营者、港口经营者",
    Column.STATUS: "存续",
    Column.PHONE: "0517-88888888",
    Column.UPDATED: "2024-12-31 23:59",
}


class RegistryPage(QWidget):
    """Find, register, edit and delete market entities."""

    entitiesChanged = Signal()  # something was saved or deleted: the status bar recounts
    deleteFinished = Signal(bool)  # a delete (run off the GUI thread) ended: True deleted, False refused
    message = Signal(str)  # a short notice for the status bar

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.form: EntityForm | None = None
        self.profile_dialog: QWidget | None = None
        self.model = EntityTableModel(ctx, parent=self)
        self._build()
        self.ops = OperationRunner(self, self.tr("删除主体"), busy_widgets=(self.delete_button,))
        self._last_sort = (int(self.model.sort_column), self.model.sort_order)
        self._wire()
        self.restore_state()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = search_box(self, self.tr("输入名称、证件号码或拼音首字母，回车查询"))
        self.search_edit.setToolTip(self.tr("Ctrl+F 回到查询框；↓ 进入列表；Esc 清除查询"))
        self.search_button = QPushButton(self.tr("查询"), self)
        self.description = QLabel(self.model.description(), self)
        self.description.setStyleSheet("color: #555;")

        self.table = QTableView(self)
        self.table.setModel(self.model)
        make_record_list(self.table, selection=SelectionMode.SingleSelection, tab_keys=False, alternating=True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring, however many rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        metrics, arrow = self.fontMetrics(), 28  # room for the padding and the sort arrow
        for column, sample in _SAMPLES.items():
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + arrow
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(self.model.sort_column, self.model.sort_order)
        self.table.setSortingEnabled(True)

        self.new_button = QPushButton(self.tr("新增 (Ctrl+N)"), self)
        self.edit_button = QPushButton(self.tr("编辑 (Enter)"), self)
        self.delete_button = QPushButton(self.tr("删除 (Del)"), self)
        self.profile_button = QPushButton(self.tr("信用档案 (Ctrl+D)"), self)
        self.profile_button.setToolTip(self.tr("选中主体的信用档案：评价、处罚、失信、承诺、证照、名单和核查记录"))
        self.new_action = page_action(self, self.tr("新增"), "Ctrl+N", self.new_entity)
        self.find_action = page_action(self, self.tr("查询"), "Ctrl+F", self.focus_search)
        self.refresh_action = page_action(self, self.tr("刷新"), "F5", self.refresh)
        self.profile_action = page_action(self, self.tr("信用档案"), "Ctrl+D", self.open_profile)
        self.delete_action = page_action(self.table, self.tr("删除"), "Del", self.delete_selected)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # never while typing in the search box

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.profile_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.description)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.search_edit)


    def _wire(self) -> None:
        self.search_edit.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda index: self.edit_entity(self.model.entity_id(index.row())))
        self.new_button.clicked.connect(self.new_entity)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.profile_button.clicked.connect(self.open_profile)
        self.model.descriptionChanged.connect(self.description.setText)
        self.model.searchFinished.connect(self._search_finished)
        self.model.searchFailed.connect(self.message)
        self.model.loadFailed.connect(self.message)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsRemoved.connect(self._update_buttons)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        listen(self, REFRESH_KINDS, self._data_changed)  # a sync import, another page or counter wrote
        self._update_buttons()

    # --- keyboard -----------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on a row edits it; ↓ in the search box goes to the list; Esc in the search box clears it."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_selected()
            return True
        if watched is self.search_edit and key == Qt.Key.Key_Down and self.model.rowCount():
            self.table.setFocus()
            if self.current_row() < 0:
                self.select_row(0)
            return True
        if (
            watched is self.search_edit
            and key == Qt.Key.Key_Escape
            and (self.search_edit.text() or self.model.filter_text)
        ):
            self.search_edit.clear()
            self.search()
            return True
        return False

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # --- search and sort ----------------------------------------------------------------------------------

    def search(self) -> None:
        """Enter in the search box: ranked hits for the text (off the GUI thread); empty text shows everything."""
        self.model.set_filter(self.search_edit.text())

    def _search_finished(self, hits: int) -> None:
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(not self.model.filter_text)  # hits come best first, not in a column's order
        if hits:
            self.select_row(0)

    def _sort_indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        """Only indexed columns sort (the model ignores the others); put the arrow back where the order really is."""
        header = self.table.horizontalHeader()
        if section in SORTABLE:
            self._last_sort = (section, order)
            header.setSortIndicatorShown(True)
            return
        with QSignalBlocker(header):
            header.setSortIndicator(*self._last_sort)

    def refresh(self) -> None:
        """F5: read the list again (another counter may have registered something)."""
        self.model.refresh()
        self.entitiesChanged.emit()

    def _data_changed(self) -> None:
        """Records were written elsewhere: read the list again, the clerk's selected entity still selected."""
        keep = self.current_entity_id()
        if keep is not None and self.model.filter_text:  # a search answers later (and selects its first hit)
            self.model.searchFinished.connect(lambda _n: self.select_entity(keep), Qt.ConnectionType.SingleShotConnection)
        self.model.refresh()
        if keep is not None and not self.model.filter_text:
            self.select_entity(keep)

    # --- selection ----------------------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current_entity_id(self) -> uuid.UUID | None:
        return self.model.entity_id(self.current_row())

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        if not index.isValid():
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def select_entity(self, entity_id: uuid.UUID) -> bool:
        row = self.model.row_of(entity_id)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def _update_buttons(self) -> None:
        """Edit and delete need a row; new, edit and delete need the right to register (asked of the context)."""
        selected, may_edit = self.current_row() >= 0, self._ctx.can(Permission.ENTITY_EDIT)
        self.new_button.setEnabled(may_edit)
        self.new_action.setEnabled(may_edit)
        self.edit_button.setEnabled(selected)  # opening needs only the right to see; saving is checked by the services
        self.delete_button.setEnabled(selected and may_edit)
        self.profile_button.setEnabled(selected)
        self.profile_action.setEnabled(selected)
        self.delete_action.setEnabled(may_edit)
        if not may_edit:
            tip = self.tr("当前用户没有“登记和修改”的权限")
            self.new_button.setToolTip(tip)
            self.delete_button.setToolTip(tip)

    # --- new, edit, delete --------------------------------------------------------------------------------

    def new_entity(self) -> EntityForm:
        """Ctrl+N: an empty form."""
        return self._open_form(EntityForm(self._ctx, None, self, self._settings))

    def edit_selected(self) -> EntityForm | None:
        entity_id = self.current_entity_id()
        return self.edit_entity(entity_id) if entity_id else None

    def edit_entity(self, entity_id: uuid.UUID | None) -> EntityForm | None:
        """Open the form on an entity (Enter or double-click on its row)."""
        if entity_id is None:
            return None
        try:
            form = EntityForm(self._ctx, entity_id, self, self._settings)
        except NotFoundError:
            QMessageBox.warning(self, self.tr("编辑"), self.tr("该主体已被删除或不存在，列表将刷新。"))
            self.model.refresh()
            return None
        except DomainError as refused:  # e.g. no right to see the full personal data the form needs
            QMessageBox.warning(self, self.tr("编辑"), refused.message_zh)
            return None
        return self._open_form(form)

    def _open_form(self, form: EntityForm) -> EntityForm:
        """Window-modal and not blocking (open, not exec), so the event loop and the tests keep running."""
        self.form = form
        form.saved.connect(self._saved)
        form.openRequested.connect(self._open_existing)
        return open_window(form, self._form_closed, activate=True)

    def _form_closed(self, form: EntityForm) -> None:
        if self.form is form:
            self.form = None
            self.table.setFocus()
        form.deleteLater()

    def _saved(self, summary: EntitySummary) -> None:
        """Show the saved entity in place, selected, without losing the clerk's scroll position."""
        self.select_row(self.model.show_saved(summary))
        self.message.emit(self.tr("已保存：{0}").format(summary.name))
        self.entitiesChanged.emit()

    def _open_existing(self, entity_id: uuid.UUID) -> None:
        self.select_entity(entity_id)
        self.edit_entity(entity_id)

    def open_profile(self) -> QWidget | None:
        """Ctrl+D: the selected entity's 信用档案 (window-modal, Esc closes, the list keeps its place)."""
        entity_id = self.current_entity_id()
        if entity_id is None:
            return None
        from xuyi_desktop.ui.profile_view import ProfileDialog

        self.profile_dialog = dialog = ProfileDialog(self._ctx, entity_id, self, self._settings)
        return open_window(dialog, self._profile_closed)

    def _profile_closed(self, dialog: QWidget) -> None:
        if self.profile_dialog is dialog:
            self.profile_dialog = None
            self.table.setFocus()
        dialog.deleteLater()

    def delete_selected(self) -> None:
        """Soft delete after the clerk confirms the entity by name; the change log keeps the record. The write
        runs off the GUI thread; `deleteFinished` tells when it ended."""
        if self.ops.busy:
            return  # a delete is running: Del again must not ask (or write) twice
        row = self.current_row()
        summary = self.model.summary(row)
        if summary is None:
            return
        if not confirm(
            self,
            self.tr("删除主体"),
            self.tr("确定删除“{0}”（{1}）吗？\n删除后不再出现在列表和查询结果中，修改记录仍然保留。").format(
                summary.name, summary.identifier
            ),
        ):
            return
        ctx, entity_id, version = self._ctx, summary.id, summary.version

        def deleted(_result: object) -> None:
            self.model.remove_entity(summary.id)
            self.select_row(min(row, self.model.rowCount() - 1))
            self.message.emit(self.tr("已删除：{0}").format(summary.name))
            self.entitiesChanged.emit()
            self.deleteFinished.emit(True)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                QMessageBox.warning(self, self.tr("删除主体"), exc.message_zh + self.tr("\n列表将刷新。"))
                self.model.refresh()
            else:  # not a refusal (a lost database): the kit's one failure box
                self.ops.show_failure(exc)
            self.deleteFinished.emit(False)

        # off the GUI thread (the service opens its own session); the delete button waits for the answer
        self.ops.run(self.tr("正在删除…"), lambda: delete_entity(ctx, entity_id, expected_version=version),
                     deleted, failed=refused)

    # --- state --------------------------------------------------------------------------------------------

    def save_state(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_HEADER_KEY, self.table.horizontalHeader().saveState())

    def restore_state(self) -> None:
        """Column widths and the clerk's last order; restoring does not signal, so the model is told here."""
        state = self._settings.value(_HEADER_KEY) if self._settings is not None else None
        header = self.table.horizontalHeader()
        if not state or not header.restoreState(state):
            return
        section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        if section not in SORTABLE:
            section, order = self._last_sort
            header.setSortIndicator(section, order)
        self._last_sort = (section, order)
        self.model.sort(section, order)
        header.setSortIndicatorShown(True)
