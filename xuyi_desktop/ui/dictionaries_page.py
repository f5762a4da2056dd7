"""字典管理 (administrators): the deciding organs with their USCCs, the 权力事项 catalogue, licence types and townships
(services/dictionaries.py — the same functions as `xuyi dict …`). Entries are added, edited and ended (停用), never
deleted; each change is audited and travels to the other offices with the next sync package."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.dictionaries import KINDS, UNVERIFIED, DictField, DictKind
from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import dictionaries
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.dictionaries import EntryView
from xuyi_desktop.ui.record_widgets import (
    SelectionMode,
    button_row,
    dialog_buttons,
    input_text,
    open_form,
    record_table,
    search_box,
    set_input_text,
    show_problem,
    with_error_line,
)
from xuyi_desktop.ui.widgets import attach_unit_completer, error_label, page_action

# 局属各单位 are the unit dictionary (resources/units.toml, services.units): shown here beside the others, read-only.
UNITS = "units"
_UNITS_KIND = DictKind(UNITS, "局属各单位", (
    DictField("name", "单位名称"), DictField("unit_kind", "类别"), DictField("aliases", "其他写法"),
), "局属各单位由 resources/units.toml 维护（修改后重新启动程序生效），用户的所属单位和决定机关的“适用单位”从中选择")


def _unit_views() -> list[EntryView]:
    import uuid

    from xuyi_desktop.services.units import unit_dictionary

    return [EntryView(uuid.uuid5(uuid.NAMESPACE_URL, f"unit:{u.name}"), UNITS,
                      {"name": u.name, "unit_kind": u.kind, "aliases": "、".join(u.aliases)}, False, None, "", 1)
            for u in unit_dictionary().units]


class EntryDialog(QDialog):
    """新增 / 修改 one entry: one input per field of the kind, the service's message under the field it concerns."""

    def __init__(self, ctx: AppContext, kind: DictKind, entry: EntryView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.kind, self.entry = ctx, kind, entry
        self.saved: EntryView | None = None
        self.setWindowTitle((self.tr("修改") if entry else self.tr("新增")) + kind.label)
        self.inputs: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for f in kind.fields:
            widget: QLineEdit | QComboBox | QPlainTextEdit
            if f.kind == "choice":
                widget = QComboBox(self)
                widget.addItems(list(f.choices))
            elif f.kind == "long":
                widget = QPlainTextEdit(self)
                widget.setFixedHeight(60)
            else:
                widget = QLineEdit(self)
                widget.setMaxLength(f.max_length)
                if f.kind in ("uscc", "region"):
                    widget.setPlaceholderText(self.tr("不知道可留空（显示为待核实）"))
                if f.name == "unit":
                    attach_unit_completer(widget)
            widget.setObjectName(f.name)
            self.inputs[f.name] = widget
            holder, self.errors[f.name] = with_error_line(self, widget)
            form.addRow(f.label + ("*" if f.required else ""), holder)
        if entry is not None:
            for name, value in entry.values.items():
                self.set_value(name, value)
        self.error = error_label(self)
        note = QLabel(self.tr("初始数据保存后不再标记“待核实”。") if entry and entry.starter else "", self)
        note.setStyleSheet("color: #555;")
        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        next(iter(self.inputs.values())).setFocus()

    def set_value(self, name: str, value: str) -> None:
        set_input_text(self.inputs[name], value)

    def values(self) -> dict[str, str]:
        return {name: input_text(widget) for name, widget in self.inputs.items()}

    def save(self) -> bool:
        for label in (*self.errors.values(), self.error):
            label.clear()
            label.setVisible(False)
        try:
            if self.entry is None:
                self.saved = dictionaries.add_entry(self._ctx, self.kind.code, self.values())
            else:
                self.saved = dictionaries.edit_entry(self._ctx, self.kind.code, self.entry.id, self.values(),
                                                     expected_version=self.entry.version)
        except ValidationError as exc:
            for p in exc.problems:
                label = self.errors.get(p.field, self.error)
                show_problem(label, "；".join(filter(None, [label.text(), p.message_zh])))
            first = next((self.inputs[p.field] for p in exc.problems if p.field in self.inputs), None)
            if first is not None:
                first.setFocus()
            return False
        except DomainError as exc:
            show_problem(self.error, exc)
            return False
        self.accept()
        return True


class DictionariesPage(QWidget):
    """One kind at a time: its entries in a table (filter as you type), 新增 / 修改 / 停用 / 恢复使用."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._may_edit = ctx.can(Permission.SETTINGS)
        self._views: list[EntryView] = []
        self.dialog: EntryDialog | None = None
        self.kind_combo = QComboBox(self)
        for k in KINDS.values():
            self.kind_combo.addItem(k.label, k.code)
        self.kind_combo.addItem(self.tr("局属各单位（只读）"), UNITS)
        self.filter_edit = search_box(self, self.tr("筛选（名称、代码、依据……）Ctrl+F"))
        self.ended_check = QCheckBox(self.tr("显示已停用"), self)
        self.add_button = QPushButton(self.tr("新增…"), self)
        self.add_button.setToolTip(self.tr("新增条目 (Ctrl+N)"))
        self.edit_button = QPushButton(self.tr("修改…"), self)
        self.edit_button.setToolTip(self.tr("修改选中的条目 (回车)"))
        self.end_button = QPushButton(self.tr("停用…"), self)
        self.reopen_button = QPushButton(self.tr("恢复使用"), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        for b in (self.add_button, self.edit_button, self.end_button, self.reopen_button):
            b.setEnabled(self._may_edit)
        self.table = record_table(self, [], selection=SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.count_label = QLabel(self)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("字典"), self))
        top.addWidget(self.kind_combo)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.ended_check)
        buttons = button_row([self.add_button, self.edit_button, self.end_button, self.reopen_button],
                             [self.count_label, self.refresh_button])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

        self.kind_combo.currentIndexChanged.connect(self.refresh)
        self.ended_check.toggled.connect(self.refresh)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_selected)
        self.end_button.clicked.connect(lambda: self.end_selected())
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        page_action(self, self.tr("新增"), "Ctrl+N", self.add_entry)
        page_action(self, self.tr("筛选"), "Ctrl+F", self._focus_filter)
        self.refresh()

    @property
    def kind(self) -> DictKind:
        return KINDS.get(str(self.kind_combo.currentData()), _UNITS_KIND)

    def set_kind(self, code: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(code))

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self.edit_selected()
            return
        super().keyPressEvent(event)

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def refresh(self) -> None:
        kind = self.kind
        try:
            if kind is _UNITS_KIND:
                self._views = _unit_views()
            else:
                self._views = dictionaries.list_entries(self._ctx, kind.code, include_ended=self.ended_check.isChecked())
        except DomainError as exc:
            self.message.emit(exc.message_zh)
            self._views = []
        columns = [f.label for f in kind.fields] + [self.tr("状态")]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(self._views))
        for row, v in enumerate(self._views):
            for col, f in enumerate(kind.fields):
                text = v.values.get(f.name, "")
                if not text and f.kind in ("uscc", "region"):
                    text = UNVERIFIED
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if text == UNVERIFIED:
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.table.setItem(row, col, item)
            status = QTableWidgetItem(v.status_label)
            if v.starter or v.ended_on:
                status.setForeground(Qt.GlobalColor.darkYellow if v.starter else Qt.GlobalColor.gray)
            self.table.setItem(row, len(kind.fields), status)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for col in range(self.table.columnCount()):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 320))
        header.setStretchLastSection(True)
        self.note.setText(kind.note + ("" if self._may_edit or kind is _UNITS_KIND else self.tr("（只有管理员可以修改字典）")))
        self._apply_filter(self.filter_edit.text())
        self._update_buttons()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        shown = 0
        for row, v in enumerate(self._views):
            hit = not needle or any(needle in x.lower() for x in (*v.values.values(), v.status_label))
            self.table.setRowHidden(row, not hit)
            shown += hit
        self.count_label.setText(self.tr("共 {0} 条").format(shown))

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected(self) -> EntryView | None:
        row = self.selected_row()
        return self._views[row] if row >= 0 else None

    def select_name(self, name: str) -> bool:
        for row, v in enumerate(self._views):
            if v.name == name and not self.table.isRowHidden(row):
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        v = self.selected()
        editable = self._may_edit and self.kind is not _UNITS_KIND
        self.add_button.setEnabled(editable)
        self.ended_check.setEnabled(self.kind is not _UNITS_KIND)
        if not editable:
            v = None
        self.edit_button.setEnabled(self._may_edit and v is not None)
        self.end_button.setEnabled(self._may_edit and v is not None and v.ended_on is None)
        self.reopen_button.setEnabled(self._may_edit and v is not None and v.ended_on is not None)

    def _open(self, entry: EntryView | None) -> EntryDialog | None:
        if not self._may_edit or self.kind is _UNITS_KIND:
            return None
        self.dialog = dialog = EntryDialog(self._ctx, self.kind, entry, self)
        return open_form(dialog, self._saved)

    def add_entry(self) -> EntryDialog | None:
        return self._open(None)

    def edit_selected(self) -> EntryDialog | None:
        v = self.selected()
        return self._open(v) if v is not None else None

    def _saved(self, dialog: EntryDialog) -> None:
        if dialog.saved is not None:
            self.refresh()
            self.select_name(dialog.saved.name)
            self.message.emit(self.tr("已保存：{0}").format(dialog.saved.name))

    def end_selected(self, reason: str | None = None) -> bool:
        v = self.selected()
        if v is None or not self._may_edit or self.kind is _UNITS_KIND:
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("停用"), self.tr("停用“{0}”的原因：").format(v.name))
            if not ok:
                return False
        try:
            dictionaries.end_entry(self._ctx, self.kind.code, v.id, reason=reason)
        except DomainError as exc:
            self.message.emit(exc.message_zh)
            return False
        self.refresh()
        self.message.emit(self.tr("已停用：{0}").format(v.name))
        return True

    def reopen_selected(self) -> bool:
        v = self.selected()
        if v is None or not self._may_edit or self.kind is _UNITS_KIND:
            return False
        try:
            dictionaries.reopen_entry(self._ctx, self.kind.code, v.id)
        except DomainError as exc:
            self.message.emit(exc.message_zh)
            return False
        self.refresh()
        self.select_name(v.name)
        self.message.emit(self.tr("已恢复使用：{0}").format(v.name))
        return True
