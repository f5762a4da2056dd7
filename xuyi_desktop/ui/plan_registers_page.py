"""工作台账: the plan's registers in tabs — 宣传活动, 信用培训 (参训人员、培训证明), “信易+”场景 (受益主体和金额), 诚信典型,
信用网站信息 (报送 → 审核 → 发布) — each with its add form, its own actions and an .xlsx export. Every form calls one
service function of services.plan_registers; the page holds no rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services import plan_registers as pr
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.plan_common import PlanPage, fill_table, plan_buttons, read_only_table, row_data, unit_combo
from xuyi_desktop.ui.widgets import error_label
from xuyi_desktop.ui.workflow_widgets import date_edit


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text / multiline / date / choice / unit / int / float / files
    options: Sequence[str] = ()
    required: bool = False


class FormDialog(QDialog):
    """A form built from fields; OK calls `submit(**values)` and shows a refusal under the form."""

    def __init__(self, title: str, fields: Sequence[Field], submit: Callable[..., Any], parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(560, 200 + 34 * len(fields))
        self._fields, self._submit = fields, submit
        self.result_value: Any = None
        self.widgets: dict[str, QWidget] = {}
        today = today or dt.date.today()
        form = QFormLayout()
        for f in fields:
            w: QWidget
            if f.kind == "multiline":
                w = QPlainTextEdit(self)
                w.setMaximumHeight(90)
            elif f.kind == "date":
                w = date_edit(self, today)
            elif f.kind == "choice":
                w = QComboBox(self)
                for o in f.options:
                    w.addItem(o, o)
            elif f.kind == "unit":
                w = unit_combo(self, all_label="（本人所属单位）")
            elif f.kind == "int":
                w = QSpinBox(self)
                w.setRange(0, 10_000_000)
                w.setSpecialValueText("不填")
            elif f.kind == "float":
                w = QDoubleSpinBox(self)
                w.setRange(0, 1_000_000)
                w.setDecimals(4)
                w.setSpecialValueText("不填")
            elif f.kind == "files":
                w = QLineEdit(self)
                w.setPlaceholderText("文件路径，多个用分号分隔")
                pick = QPushButton("选择…", self)
                pick.clicked.connect(lambda _c=False, edit=w: self._pick(edit))
                row = QWidget(self)
                h = QHBoxLayout(row)
                h.setContentsMargins(0, 0, 0, 0)
                h.addWidget(w, 1)
                h.addWidget(pick)
                form.addRow(f.label, row)
                self.widgets[f.key] = w
                continue
            else:
                w = QLineEdit(self)
            form.addRow(f.label + ("（必填）" if f.required else ""), w)
            self.widgets[f.key] = w
        self.error = error_label(self)
        plan_buttons(self, form, self.error, self.save)

    def _pick(self, edit: QLineEdit) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择文件")
        if paths:
            edit.setText(";".join(paths))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self._fields:
            w = self.widgets[f.key]
            if isinstance(w, QPlainTextEdit):
                out[f.key] = w.toPlainText()
            elif isinstance(w, QDateEdit):
                out[f.key] = w.date().toPython()
            elif isinstance(w, QComboBox):
                out[f.key] = str(w.currentData() or "")
            elif isinstance(w, QSpinBox):
                out[f.key] = w.value() or None
            elif isinstance(w, QDoubleSpinBox):
                out[f.key] = w.value() or None
            elif f.kind == "files":
                out[f.key] = [p for p in w.text().split(";") if p.strip()]  # type: ignore[attr-defined]
            else:
                out[f.key] = w.text()  # type: ignore[attr-defined]
        return out

    def set_text(self, key: str, text: str) -> None:
        w = self.widgets[key]
        if isinstance(w, QPlainTextEdit):
            w.setPlainText(text)
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(text)))
        else:
            w.setText(text)  # type: ignore[attr-defined]

    def save(self) -> bool:
        try:
            self.result_value = self._submit(**self.values())
        except DomainError as refused:
            self.error.setText(refused.message_zh)
            self.error.setVisible(True)
            return False
        self.accept()
        return True


class RegisterTab(QWidget):
    """One register: its table (the service's columns), 新增, its own actions, export."""

    changed = Signal()

    def __init__(self, page: PlanRegistersPage, register: str) -> None:
        super().__init__(page)
        self.page, self.register = page, register
        self.spec = pr.REGISTERS[register]
        self.rows: list[dict[str, Any]] = []
        self.table: QTableWidget = read_only_table(self, [h for _, h, _ in self.spec.columns], stretch=2)
        self.table.cellDoubleClicked.connect(lambda r, _c: self.open_row(r))
        self.buttons = QHBoxLayout()
        add = QPushButton("新增…", self)
        add.clicked.connect(lambda: self.page.add(self.register))
        self.buttons.addWidget(add)
        self.buttons.addStretch(1)
        export = QPushButton("导出…", self)
        export.clicked.connect(lambda: self.page.export(self.register))
        self.buttons.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.buttons)

    def action(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(lambda: slot())
        self.buttons.insertWidget(self.buttons.count() - 2, button)
        return button

    def fill(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        fill_table(self.table, [[r.get(k) for k, _, _ in self.spec.columns] for r in rows], data=[r["id"] for r in rows])

    def current(self) -> dict[str, Any] | None:
        rid = row_data(self.table)
        return next((r for r in self.rows if r["id"] == rid), None)

    def open_row(self, row: int) -> None:
        rid = row_data(self.table, row)
        if rid:
            self.page.show_record(self.register, str(rid), self)


class PlanRegistersPage(PlanPage):
    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(ctx, settings, parent, today)
        opts = pr.register_options()
        today = today or dt.date.today()
        self.year = QSpinBox(self)
        self.year.setRange(2020, 2100)
        self.year.setValue(today.year)
        self.year.setSpecialValueText("全部年度")
        self.year.setMinimum(2019)
        self.unit = unit_combo(self)
        refresh = QPushButton("查询", self)
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        for w in (QLabel("年度", self), self.year, QLabel("单位", self), self.unit, refresh):
            top.addWidget(w)
        top.addStretch(1)
        self.tabs = QTabWidget(self)
        self.tab: dict[str, RegisterTab] = {}
        for code in pr.REGISTERS:
            tab = RegisterTab(self, code)
            self.tab[code] = tab
            self.tabs.addTab(tab, pr.REGISTERS[code].label)
        self.tab["training"].action("添加参训人员…", lambda: self.add_attendee())
        self.tab["scenario"].action("登记受益主体…", lambda: self.add_benefit())
        self.tab["model"].action("登记结果…", lambda: self.set_outcome())
        self.tab["website"].action("审核通过", lambda: self.review(True))
        self.tab["website"].action("退回修改…", lambda: self.review(False))
        self.tab["website"].action("发布…", lambda: self.publish())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.forms: dict[str, list[Field]] = {
            "campaign": [Field("held_on", "活动日期", "date"), Field("kind", "活动类型", "choice", opts.campaign_kinds),
                         Field("theme", "主题", required=True), Field("place", "地点"), Field("unit", "组织单位", "unit"),
                         Field("reach", "覆盖人数", "int"), Field("media_links", "媒体报道（每行一条）", "multiline"),
                         Field("photos", "照片", "files")],
            "training": [Field("held_on", "培训日期", "date"), Field("kind", "培训类型", "choice", opts.training_kinds),
                         Field("topic", "培训主题", required=True), Field("trainer", "授课人"), Field("place", "地点"),
                         Field("unit", "组织单位", "unit"), Field("hours", "学时", "float")],
            "scenario": [Field("name", "场景名称", required=True), Field("business_type", "业务类型", "choice", opts.scenario_types),
                         Field("started_on", "开始日期", "date"), Field("unit", "实施单位", "unit"),
                         Field("description", "场景说明", "multiline"), Field("measures", "激励措施")],
            "model": [Field("kind", "类型", "choice", opts.model_kinds), Field("nominated_on", "推荐日期", "date"),
                      Field("entity", "已登记主体（证件号码，可不填）"), Field("name", "名称"), Field("unit", "推荐单位", "unit"),
                      Field("edition", "评选届次", "choice", ("", *opts.editions)), Field("reason", "推荐理由", "multiline", required=True)],
            "website": [Field("kind", "信息类别", "choice", opts.website_kinds), Field("title", "标题", required=True),
                        Field("content", "内容", "multiline", required=True), Field("unit", "报送单位", "unit")],
        }
        self.refresh()

    def refresh(self) -> None:
        year = self.year.value() if self.year.value() != self.year.minimum() else None
        unit = str(self.unit.currentData() or "") or None
        for code, tab in self.tab.items():
            try:
                tab.fill(pr.list_register(self._ctx, code, year=year, unit=unit))
            except DomainError as refused:
                self.message.emit(refused.message_zh)
        self.refreshed.emit()

    def _after(self, dialog: FormDialog, exec_dialog: bool, done: str) -> FormDialog:
        if exec_dialog and dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.message.emit(done)
        return dialog

    def add(self, register: str, *, exec_dialog: bool = True) -> FormDialog:
        submit = {"campaign": lambda **v: pr.add_campaign(self._ctx, **v),
                  "training": lambda **v: pr.add_training(self._ctx, **v),
                  "scenario": lambda **v: pr.add_scenario(self._ctx, **v),
                  "model": lambda **v: pr.add_model(self._ctx, **v),
                  "website": lambda **v: pr.submit_website_item(self._ctx, on=self._today, **v)}[register]
        dialog = FormDialog(f"新增{pr.REGISTERS[register].label}", self.forms[register], submit, self, today=self._today)
        return self._after(dialog, exec_dialog, f"已登记{pr.REGISTERS[register].label}")

    def add_attendee(self, *, exec_dialog: bool = True) -> FormDialog | None:
        row = self.tab["training"].current()
        if row is None:
            QMessageBox.information(self, "添加参训人员", "请先选择一次培训")
            return None
        fields = [Field("entity", "已登记主体（证件号码，可不填）"), Field("person_name", "姓名"), Field("org_name", "所在单位"),
                  Field("certificate_no", "培训证明编号"), Field("certificate_file", "证明扫描件", "files")]

        def submit(**v: Any) -> Any:
            files = v.pop("certificate_file")
            return pr.add_attendee(self._ctx, row["id"], certificate_file=files[0] if files else None, **v)

        return self._after(FormDialog(f"添加参训人员：{row['topic']}", fields, submit, self, today=self._today), exec_dialog, "已添加参训人员")

    def add_benefit(self, *, exec_dialog: bool = True) -> FormDialog | None:
        row = self.tab["scenario"].current()
        if row is None:
            QMessageBox.information(self, "登记受益主体", "请先选择一个场景")
            return None
        fields = [Field("entity", "已登记主体（证件号码，可不填）"), Field("beneficiary", "受益主体名称"), Field("granted_on", "日期", "date"),
                  Field("measure", "激励措施", "choice", pr.register_options().benefit_measures), Field("amount_wan", "金额（万元）", "float"),
                  Field("note", "备注")]
        return self._after(FormDialog(f"登记受益主体：{row['name']}", fields, lambda **v: pr.add_benefit(self._ctx, row["id"], **v), self,
                                      today=self._today), exec_dialog, "已登记受益主体")

    def set_outcome(self, *, exec_dialog: bool = True) -> FormDialog | None:
        row = self.tab["model"].current()
        if row is None:
            QMessageBox.information(self, "登记结果", "请先选择一个推荐对象")
            return None
        fields = [Field("outcome", "结果", "choice", tuple(pr.OUTCOMES)), Field("on", "日期", "date"), Field("note", "说明")]
        dialog = FormDialog(f"登记结果：{row['name']}", fields, lambda **v: pr.set_model_outcome(self._ctx, row["id"], **v), self,
                            today=self._today)
        combo = dialog.widgets["outcome"]
        assert isinstance(combo, QComboBox)
        for i, label in enumerate(pr.OUTCOMES.values()):
            combo.setItemText(i, label)
        return self._after(dialog, exec_dialog, "已登记结果")

    def review(self, approve: bool) -> bool:
        row = self.tab["website"].current()
        if row is None:
            return False
        note = ""
        if not approve:
            note, ok = QInputDialog.getMultiLineText(self, "退回修改", "审核意见（必填）")
            if not ok:
                return False
        try:
            pr.review_website_item(self._ctx, row["id"], approve=approve, note=note, on=self._today)
        except DomainError as refused:
            QMessageBox.warning(self, "未审核", refused.message_zh)
            return False
        self.refresh()
        self.message.emit("已审核通过" if approve else "已退回修改")
        return True

    def publish(self, url: str | None = None) -> bool:
        row = self.tab["website"].current()
        if row is None:
            return False
        if url is None:
            url, ok = QInputDialog.getText(self, "发布", "发布网址")
            if not ok:
                return False
        try:
            pr.publish_website_item(self._ctx, row["id"], url=url, on=self._today)
        except DomainError as refused:
            QMessageBox.warning(self, "未发布", refused.message_zh)
            return False
        self.refresh()
        return True

    def export(self, register: str, path: str | Path | None = None) -> Path | None:
        year = self.year.value() if self.year.value() != self.year.minimum() else None
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            name = f"{pr.REGISTERS[register].label.strip('“”')}台账.xlsx"
            path, _ = QFileDialog.getSaveFileName(self, "导出台账", str(Path(folder) / name), "Excel (*.xlsx)")
            if not path:
                return None
        try:
            n = pr.export_register(self._ctx, register, Path(path), year=year, unit=str(self.unit.currentData() or "") or None)
        except DomainError as refused:
            QMessageBox.warning(self, "未导出", refused.message_zh)
            return None
        self.message.emit(f"已导出 {n} 条：{path}")
        return Path(path)
