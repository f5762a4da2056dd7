"""The 源头治超 page: the upper level's overload notifications by state (待匹配, 待约谈, 整改中, 逾期, 已办结), import
(the one import dialog), manual matching, the interview (约谈) and the rectification result, and proposing the
治超 list from the counts. Every rule is the services' (services/overload.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import overload
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.ledger_widgets import Field, FormDialog, RowTable
from xuyi_desktop.ui.sgs_import import ImportDialog

FILTERS = (("全部", None, False), ("待匹配", "unmatched", False), ("待约谈", "open", False), ("整改中", "rectifying", False),
           ("逾期未办结", None, True), ("已办结", "closed", False))


class OverloadPage(QWidget):
    message = Signal(str)

    COLUMNS = ("文书编号", "超限日期", "车牌号", "超限率", "运输企业", "驾驶员", "状态", "办理期限", "检测地点")

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._settings = ctx, settings
        self.dialog: QDialog | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.filter_combo = QComboBox(self)
        self.filter_combo.addItems([f[0] for f in FILTERS])
        self.filter_combo.currentIndexChanged.connect(self.refresh)
        self.counts = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("显示"), self))
        top.addWidget(self.filter_combo)
        top.addWidget(self.counts, 1)
        self.table = RowTable(self.COLUMNS, self)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #333;")
        self.table.itemSelectionChanged.connect(self._show_detail)
        may_edit = self._ctx.can(Permission.ENTITY_EDIT)
        self.import_button = QPushButton(self.tr("导入抄报…"), self)
        self.resolve_button = QPushButton(self.tr("人工匹配…"), self)
        self.interview_button = QPushButton(self.tr("记录约谈…"), self)
        self.result_button = QPushButton(self.tr("整改结果…"), self)
        self.propose_button = QPushButton(self.tr("提名治超名单"), self)
        self.deductions_button = QPushButton(self.tr("评价扣分项"), self)
        self.deductions_button.clicked.connect(self.show_deductions)
        buttons = QHBoxLayout()
        for b, slot in ((self.import_button, self.import_notices), (self.resolve_button, self.resolve),
                        (self.interview_button, self.interview), (self.result_button, self.record_result),
                        (self.propose_button, self.propose)):
            b.clicked.connect(slot)
            b.setEnabled(may_edit)
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.deductions_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)

    def select_filter(self, label: str) -> None:
        self.filter_combo.setCurrentIndex([f[0] for f in FILTERS].index(label))

    def refresh(self) -> None:
        _, state, overdue = FILTERS[self.filter_combo.currentIndex()]
        try:
            rows = overload.list_notices(self._ctx, state=state, overdue=overdue)
            everything = overload.list_notices(self._ctx) if state or overdue else rows
        except DomainError as refused:
            self.message.emit(refused.message_zh)
            return
        self.table.fill(rows, lambda v: (
            v.document_no, v.occurred_on, v.plate, f"{v.overload_ratio:g}%" if v.overload_ratio is not None else "",
            v.operator_name, v.driver_name, v.state.label + ("（逾期）" if v.overdue else ""), v.due, v.place,
        ), lambda v: "#c62828" if v.overdue else ("#ef6c00" if not v.matched else ("#2e7d32" if v.state.value == "closed" else None)))
        n = {s: sum(1 for v in everything if v.state.value == s) for s in ("unmatched", "open", "rectifying", "closed")}
        late = sum(1 for v in everything if v.overdue)
        self.counts.setText(self.tr("共 {0} 份：待匹配 {1}，待约谈 {2}，整改中 {3}，已办结 {4}；逾期 {5}").format(
            len(everything), n["unmatched"], n["open"], n["rectifying"], n["closed"], late))
        self._show_detail()

    def current(self) -> Any:
        return self.table.current()

    def _show_detail(self) -> None:
        v = self.current()
        if v is None:
            self.detail.setText("")
            return
        parts = [f"抄报单位：{v.source or '—'}", f"抄报日期：{v.received_on}"]
        if v.match_note:
            parts.append(f"匹配：{v.match_note}")
        if v.interviewed_on:
            parts.append(f"约谈：{v.interviewed_on}，{v.participants}；{v.interview_content}；整改期限 {v.rectify_by}")
        if v.rectify_result:
            parts.append(f"整改结果：{v.rectify_result}（{v.rectified_on}）")
        self.detail.setText("　".join(parts))

    def _need(self) -> Any:
        v = self.current()
        if v is None:
            QMessageBox.information(self, self.tr("源头治超"), self.tr("请先在列表中选择一份抄报"))
        return v

    def _form(self, title: str, fields: list[Field], submit: Any, note: str = "") -> FormDialog:
        dialog = FormDialog(title, fields, submit, self, note=note)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_notices(self) -> ImportDialog:
        ctx = self._ctx

        def runner(path: Path, **kw: Any) -> Any:
            return overload.import_overload(ctx, path, **kw)

        def describe(r: Any) -> str:
            o = r.outcomes
            return f"新增 {o.get('created', 0)} 份（已匹配 {o.get('matched', 0)}，待匹配 {o.get('unmatched', 0)}），已登记跳过 {o.get('unchanged', 0)} 份"

        dialog = ImportDialog(ctx, runner, self.tr("导入治超抄报"), self, describe=describe)
        dialog.finished_import.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()
        return dialog

    def resolve(self) -> FormDialog | None:
        v = self._need()
        if v is None:
            return None
        return self._form(self.tr("人工匹配：{0}").format(v.document_no), [
            Field("plate", "已登记的车牌号", value=v.plate), Field("operator", "或运输企业统一社会信用代码"),
            Field("driver", "驾驶员身份证号码"),
        # A registered plate brings its operator; an operator given by code is taken as it is (the plate may be unregistered).
        ], lambda x: overload.resolve(self._ctx, v.id, plate=None if x["operator"] else (x["plate"] or None),
                                      operator=x["operator"] or None, driver=x["driver"] or None),
            note=v.match_note)

    def interview(self) -> FormDialog | None:
        v = self._need()
        if v is None:
            return None
        return self._form(self.tr("记录约谈：{0} {1}").format(v.document_no, v.operator_name), [
            Field("on", "约谈日期", "date"), Field("participants", "参加人员"), Field("content", "约谈内容", "multiline"),
            Field("deadline", "整改期限", "optional_date"), Field("result", "整改结果（填写即办结）", "multiline"),
        ], lambda x: overload.interview(self._ctx, v.id, on=x["on"], participants=x["participants"], content=x["content"],
                                        rectify_by=x["deadline"], result=x["result"]),
            note=self.tr("整改期限不填时按约谈后{0}天计。").format(overload.overload_rules().default_rectify_days))

    def record_result(self) -> FormDialog | None:
        v = self._need()
        if v is None:
            return None
        return self._form(self.tr("整改结果：{0}").format(v.document_no), [
            Field("result", "整改结果", "multiline"), Field("on", "办结日期", "date"),
        ], lambda x: overload.record_result(self._ctx, v.id, result=x["result"], on=x["on"]))

    def propose(self) -> None:
        try:
            made = overload.propose_list_entries(self._ctx)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("提名治超名单"), refused.message_zh)
            return
        names = "\n".join(f"{m.entity_name}：{m.criteria}" for m in made) or self.tr("没有达到列入情形的车辆或驾驶人")
        QMessageBox.information(self, self.tr("提名治超名单"), self.tr("已提名 {0} 个（待审核人员确认）：\n{1}").format(len(made), names))
        self.message.emit(self.tr("已提名治超名单 {0} 个").format(len(made)))

    def show_deductions(self) -> None:
        """The selected notice's operator: its notifications of that year, each one ZC-01 deduction in its rating
        (the rating form adds them with 按治超抄报添加扣分项; the CLI with rating add --overload-deductions)."""
        v = self._need()
        if v is None or v.operator_id is None:
            return
        year = v.occurred_on.year
        found = overload.deductions_for(self._ctx, v.operator_id, year)
        code = overload.overload_rules().deduction_code
        QMessageBox.information(self, self.tr("评价扣分项"), self.tr("{0} {1}年度治超抄报 {2} 份，信用评价扣分项 {3} × {2}：\n{4}").format(
            v.operator_name, year, len(found), code, "\n".join(f"{x.document_no}（{x.occurred_on}，{x.plate}）" for x in found)))
