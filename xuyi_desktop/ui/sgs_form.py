"""Entering one 行政许可 or 行政处罚 decision: every field of the national set, the rule broken shown beside its field.

What the registry and the dictionaries already hold is not typed again: the party is picked with the entity
picker (name, code, legal representative from the registry), the 权力事项 from the catalogue (处罚依据 or the
licensing fields, and the default publicity class), and the deciding organ and data-source unit with their USCCs
come from the user's unit (字典管理). The clerk types only what is specific to the decision."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.dictionaries import LICENSE, PENALTY
from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import dictionaries
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entity_lookup import PickedEntity, party_values
from xuyi_desktop.services.sgs import RecordView, add_record
from xuyi_desktop.ui.entity_picker import EntityPicker
from xuyi_desktop.ui.record_widgets import dialog_buttons, input_text, set_input_text, show_problem, with_error_line
from xuyi_desktop.ui.widgets import error_label

_LONG = ("nr", "sy", "yj", "bz")
_CHOICES = {
    "xdr_lb": rules.RELATIVE_CATEGORIES, "xdr_zjlx": rules.ID_TYPES, "fr_zjlx": rules.ID_TYPES,
    "xklb": rules.LICENSE_CATEGORIES, "zt": rules.LICENSE_STATES, "publicity_class": rules.PUBLICITY_CLASSES,
}


class SgsRecordForm(QDialog):
    """A dialog with one input per field; `saved` carries the stored record."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, kind: RecordKind, parent: QWidget | None = None, today: dt.date | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.kind, self._today = ctx, kind, today
        self.setWindowTitle(self.tr("登记") + kind.label)
        self.inputs: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        body = QWidget(self)
        form = QFormLayout(body)
        # From the registry and the dictionaries: the party, the 权力事项.
        self.picker = EntityPicker(ctx, body, settings)
        self.picker.picked.connect(self._party_picked)
        form.addRow(self.tr("行政相对人（主体库）"), self.picker)
        self.item_combo = QComboBox(body)
        self.item_combo.setObjectName("powerItem")
        self.item_combo.setEditable(True)
        self.item_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.item_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.item_combo.setMinimumContentsLength(24)  # long item names must not widen the form past the screen
        self.item_combo.lineEdit().setPlaceholderText(self.tr("输入事项名称的几个字，从目录中选择"))
        category = PENALTY if kind is RecordKind.PENALTY else LICENSE
        self.items = dictionaries.power_items(ctx, category)
        self.item_combo.addItem("", None)
        for item in self.items:
            self.item_combo.addItem(item.name, str(item.id))
        finder = QCompleter(self.item_combo.model(), self.item_combo)
        finder.setFilterMode(Qt.MatchFlag.MatchContains)
        finder.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.item_combo.setCompleter(finder)
        self.item_combo.setCurrentIndex(0)
        self.item_combo.currentIndexChanged.connect(self._item_picked)
        form.addRow(self.tr("权力事项（目录）"), self.item_combo)
        self.defaults_note = QLabel(body)
        self.defaults_note.setWordWrap(True)
        self.defaults_note.setStyleSheet("color: #555;")
        form.addRow("", self.defaults_note)
        for f in rules.fields_for(kind):
            widget: QLineEdit | QComboBox | QPlainTextEdit
            if f.name in _CHOICES:
                widget = QComboBox(body)
                widget.addItem("")
                widget.addItems(list(_CHOICES[f.name]))
            elif f.name in _LONG:
                widget = QPlainTextEdit(body)
                widget.setFixedHeight(54)
            else:
                widget = QLineEdit(body)
                if f.kind == "date":
                    widget.setPlaceholderText("YYYY-MM-DD")
                elif f.name == "cflb":
                    widget.setPlaceholderText(self.tr("如 罚款；警告（多项用“；”隔开）"))
            widget.setObjectName(f.name)
            self.inputs[f.name] = widget
            star = "*" if f.required == rules.ALWAYS else ""
            holder, self.errors[f.name] = with_error_line(body, widget)
            form.addRow(rules.label(kind, f.name) + star, holder)
        self.draft_box = QCheckBox(self.tr("暂存（历史台账中有误的记录照原样保存，计为不合规）"), body)
        form.addRow("", self.draft_box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.summary = error_label(self)
        self.summary.setVisible(False)
        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(680, 720)
        self.result_view: RecordView | None = None
        self._fill_defaults()
        self.picker.setFocus()

    # --- what the registry and the dictionaries fill in ------------------------------------------------------

    def _fill_defaults(self) -> None:
        """决定机关, 数据来源单位 and their USCCs from the user's unit; a licence starts 有效."""
        defaults = dictionaries.sgs_defaults(self._ctx)
        if self.kind is RecordKind.LICENSE:
            defaults["zt"] = "有效"
        for name, value in defaults.items():
            if name in self.inputs:
                self.set_value(name, value)
        unit = self._ctx.user.unit if self._ctx.user and self._ctx.user.unit else "局机关"
        missing = [rules.label(self.kind, n) for n in ("jgdm", "lydwdm") if not defaults.get(n)]
        note = self.tr("机关和来源单位按“{0}”的字典条目填入").format(unit) if defaults else self.tr("字典中没有本单位的决定机关")
        if missing:
            note += self.tr("；{0}待管理员在“字典管理”中填写").format("、".join(missing))
        self.defaults_note.setText(note)

    def _party_picked(self, entity: PickedEntity | None) -> None:
        if entity is None:
            return
        try:
            values = party_values(self._ctx, entity.id)
        except DomainError as exc:
            show_problem(self.summary, exc)
            return
        for name in ("xdr_shxym", "frdb", "xdr_zjlx", "xdr_zjhm"):  # another party's fields never stay behind
            self.set_value(name, "")
        for name, value in values.items():
            self.set_value(name, value)

    def pick_item(self, name: str) -> bool:
        """Choose a 权力事项 by its name (what selecting it in the list does)."""
        index = self.item_combo.findText(name)
        if index > 0:
            self.item_combo.setCurrentIndex(index)
        return index > 0

    def _item_picked(self, index: int) -> None:
        entry_id = self.item_combo.itemData(index)
        item = next((i for i in self.items if str(i.id) == entry_id), None)
        if item is None:
            return
        for name, value in dictionaries.item_values(item).items():
            if name in self.inputs:
                self.set_value(name, value)

    def set_value(self, name: str, value: str) -> None:
        set_input_text(self.inputs[name], value)

    def values(self) -> dict[str, str]:
        """The filled-in fields only: a blank one is left to the rules (required, or empty in the export)."""
        texts = {name: input_text(widget) for name, widget in self.inputs.items()}
        return {name: text for name, text in texts.items() if text.strip()}

    def error_text(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)
        self.summary.setVisible(False)

    def save(self) -> None:
        self._clear_errors()
        try:
            values = dictionaries.complete_content(self.kind, self.values())
            view = add_record(self._ctx, self.kind, values, draft=self.draft_box.isChecked(), today=self._today)
        except ValidationError as exc:
            for p in exc.problems:
                label = self.errors.get(p.field)
                if label is not None:
                    show_problem(label, "；".join(filter(None, [label.text(), p.message_zh])))
            show_problem(self.summary, f"有 {len(exc.problems)} 处需要改正：{exc.problems[0].message_zh}")
            first = next((self.inputs[p.field] for p in exc.problems if p.field in self.inputs), None)
            if first is not None:
                first.setFocus()
            return
        except DomainError as exc:
            show_problem(self.summary, exc)
            return
        self.result_view = view
        self.saved.emit(view)
        self.accept()
