"""The 车辆船舶 page: vehicles, vessels and practitioners' qualifications of the registry, each opening its operator
(or the person) in the entity form; registering them by hand; importing and exporting the 运政/港航 ledgers (the one
import dialog, with progress and cancel); the templates; and the coverage figures (xuyi stats coverage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.fleet import VEHICLE_STATUSES, QualificationDraft, VehicleDraft, VesselDraft
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import fleet, ledger_exchange
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.ledger_widgets import Field, FormDialog, RowTable
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.sgs_import import ImportDialog

COLOURS = ("黄色", "蓝色", "黑色", "白色", "渐变绿色", "黄绿色")


class FleetPage(QWidget):
    message = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._settings = ctx, settings
        self.dialog: QDialog | None = None
        self.form: QDialog | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("车牌号开头（如 苏H1）、经营单位统一社会信用代码或从业人员姓名，回车查询"))
        self.search_edit.returnPressed.connect(self.refresh)
        find = QPushButton(self.tr("查询"), self)
        find.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(find)

        self.tabs = QTabWidget(self)
        self.vehicles = RowTable(("车牌号", "号牌颜色", "车辆类型", "核定", "道路运输证号", "有效期至", "状态", "经营业户"), self)
        self.vessels = RowTable(("船名", "船舶识别号", "营业运输证号", "总吨", "载重吨", "有效期至", "状态", "经营人"), self)
        self.practitioners = RowTable(("姓名", "身份证号码", "从业资格证号", "从业资格类别", "初次领证", "当前考核周期", "所属企业"), self)
        self.tabs.addTab(self.vehicles, self.tr("车辆"))
        self.tabs.addTab(self.vessels, self.tr("船舶"))
        self.tabs.addTab(self.practitioners, self.tr("从业人员"))
        for table in (self.vehicles, self.vessels, self.practitioners):
            table.doubleClicked.connect(self.open_owner)

        may_edit = self._ctx.can(Permission.ENTITY_EDIT)
        self.open_button = QPushButton(self.tr("打开经营单位/人员（双击行）"), self)
        self.add_vehicle_button = QPushButton(self.tr("新增车辆"), self)
        self.add_vessel_button = QPushButton(self.tr("新增船舶"), self)
        self.add_qualification_button = QPushButton(self.tr("登记从业资格"), self)
        self.import_button = QPushButton(self.tr("导入台账…"), self)
        self.export_button = QPushButton(self.tr("导出台账…"), self)
        self.template_button = QPushButton(self.tr("导入模板…"), self)
        self.coverage_button = QPushButton(self.tr("信用覆盖率"), self)
        for button, slot, edit in (
            (self.open_button, self.open_owner, False), (self.add_vehicle_button, self.add_vehicle, True),
            (self.add_vessel_button, self.add_vessel, True), (self.add_qualification_button, self.add_qualification, True),
            (self.import_button, self.import_ledger, True), (self.export_button, self.export_ledger, False),
            (self.template_button, self.save_template, False), (self.coverage_button, self.show_coverage, False),
        ):
            button.clicked.connect(slot)
            if edit and not may_edit:
                button.setEnabled(False)
                button.setToolTip(self.tr("当前用户没有“登记和修改”的权限"))
        row1 = QHBoxLayout()
        for b in (self.open_button, self.add_vehicle_button, self.add_vessel_button, self.add_qualification_button):
            row1.addWidget(b)
        row1.addStretch(1)
        for b in (self.import_button, self.export_button, self.template_button, self.coverage_button):
            row1.addWidget(b)
        self.summary = QLabel(self)
        self.summary.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(row1)
        self.setFocusProxy(self.search_edit)

    # --- lists --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        q = self.search_edit.text().strip()
        try:
            operator = q if q.isascii() and len(q) == 18 else None  # a USCC: that operator's vehicles and vessels
            vehicles = fleet.list_vehicles(self._ctx, operator=operator, plate_prefix="" if operator else q)
            vessels = fleet.list_vessels(self._ctx, operator=operator)
            people = fleet.list_qualifications(self._ctx, query="" if operator else q)
        except DomainError as refused:
            self.message.emit(refused.message_zh)
            return
        self.vehicles.fill(vehicles, lambda v: (v.plate, v.plate_colour, v.vehicle_type, v.capacity, v.transport_cert_no,
                                                v.cert_valid_to, v.status_label, v.operator_name),
                           lambda v: "#8a8a8a" if v.status != "active" else None)
        self.vessels.fill(vessels, lambda v: (v.name, v.ship_id, v.transport_cert_no, v.gross_tonnage, v.deadweight, v.cert_valid_to,
                                              v.status_label, v.operator_name))
        self.practitioners.fill(people, lambda p: (p.name, p.identifier, p.cert_no, p.qualification_class, p.first_issued_on,
                                                   f"{p.cycle_start} 至 {p.cycle_end}" if p.cycle_start else "", "、".join(p.employers)))
        self.summary.setText(self.tr("车辆 {0} 辆，船舶 {1} 艘，从业人员 {2} 名（最多显示500条；身份证号码已脱敏）").format(
            len(vehicles), len(vessels), len(people)))

    def current_owner(self) -> Any:
        table = self.tabs.currentWidget()
        row = table.current() if isinstance(table, RowTable) else None
        if row is None:
            return None
        return getattr(row, "operator_id", None) or getattr(row, "entity_id", None)

    def open_owner(self) -> QDialog | None:
        """The selected vehicle's or vessel's operator, or the practitioner, in the entity form."""
        from xuyi_desktop.ui.entity_form import EntityForm

        owner = self.current_owner()
        if owner is None:
            return None
        try:
            form = EntityForm(self._ctx, owner, self, self._settings)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("打开"), refused.message_zh)
            return None
        self.form = form
        form.open()
        return form

    # --- registering by hand -----------------------------------------------------------------------------

    def _form(self, title: str, fields: list[Field], submit: Any, note: str = "") -> FormDialog:
        dialog = FormDialog(title, fields, submit, self, note=note)
        dialog.accepted.connect(self.refresh)
        dialog.accepted.connect(lambda: self.message.emit(self.tr("已保存：{0}").format(title)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_vehicle(self) -> FormDialog:
        statuses = list(VEHICLE_STATUSES.values())

        def submit(v: dict[str, Any]) -> Any:
            return fleet.add_vehicle(self._ctx, VehicleDraft(
                v["operator"], v["plate"], v["colour"], v["cert_no"], v["type"], v["tonnage"],
                int(v["seats"]) if v["seats"] is not None else None, v["valid_from"], v["valid_to"], v["status"], v["notes"]))

        return self._form(self.tr("新增车辆"), [
            Field("operator", "经营业户统一社会信用代码"), Field("plate", "车牌号", placeholder="如 苏H12345、苏H1234挂、苏HD12345"),
            Field("colour", "号牌颜色", "choice", COLOURS), Field("cert_no", "道路运输证号"), Field("type", "车辆类型"),
            Field("tonnage", "核定载质量（吨）", "number"), Field("seats", "核定载客（座）", "number"),
            Field("valid_from", "道路运输证有效期起", "optional_date"), Field("valid_to", "道路运输证有效期止", "optional_date"),
            Field("status", "营运状态", "choice", statuses), Field("notes", "备注"),
        ], submit)

    def add_vessel(self) -> FormDialog:
        def submit(v: dict[str, Any]) -> Any:
            return fleet.add_vessel(self._ctx, VesselDraft(
                v["operator"], v["name"], v["ship_id"], v["cert_no"], v["gross"], v["deadweight"], v["type"], v["valid_from"],
                v["valid_to"], v["status"], v["notes"]))

        return self._form(self.tr("新增船舶"), [
            Field("operator", "经营人统一社会信用代码"), Field("name", "船名"), Field("ship_id", "船舶识别号", placeholder="CN加11位数字"),
            Field("cert_no", "船舶营业运输证号"), Field("type", "船舶类型"), Field("gross", "总吨", "number"),
            Field("deadweight", "载重吨", "number"), Field("valid_from", "营业运输证有效期起", "optional_date"),
            Field("valid_to", "营业运输证有效期止", "optional_date"), Field("status", "营运状态", "choice", list(VEHICLE_STATUSES.values())),
            Field("notes", "备注"),
        ], submit)

    def add_qualification(self) -> FormDialog:
        def submit(v: dict[str, Any]) -> Any:
            return fleet.set_qualification(self._ctx, v["person"], QualificationDraft(v["cert_no"], v["class"], v["first"], v["valid_to"]))

        return self._form(self.tr("登记从业资格"), [
            Field("person", "身份证号码"), Field("cert_no", "从业资格证号"),
            Field("class", "从业资格类别", "choice", ("道路货物运输驾驶员", "道路旅客运输驾驶员", "危险货物道路运输驾驶员", "其他")),
            Field("first", "初次领证日期", "optional_date"), Field("valid_to", "有效期至", "optional_date"),
        ], submit, note=self.tr("人员须已登记为个人（市场主体页）；驾驶员诚信考核周期自初次领证日期起算，每12个月一个周期。"))

    # --- ledgers -----------------------------------------------------------------------------------------

    def import_ledger(self) -> ImportDialog:
        ctx = self._ctx

        def runner(path: Path, **kw: Any) -> Any:
            return ledger_exchange.import_ledger(ctx, path, **kw)

        dialog = ImportDialog(ctx, runner, self.tr("导入运政/港航台账（主体、从业人员、车辆、船舶）"), self,
                              describe=ledger_exchange.outcome_text)
        dialog.finished_import.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_ledger(self, path: str | None = None, *, reveal: bool | None = None) -> None:
        path = path or QFileDialog.getSaveFileName(self, self.tr("导出台账"), "台账.xlsx", "Excel (*.xlsx)")[0]
        if not path:
            return
        if reveal is None:
            reveal = self._ctx.can(Permission.REVEAL_PERSONAL) and QMessageBox.question(
                self, self.tr("导出台账"), self.tr("是否导出完整的身份证号码和联系电话？\n选“否”则脱敏导出。导出完整个人信息将记入操作日志。"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            ) == QMessageBox.StandardButton.Yes
        ctx, full = self._ctx, bool(reveal)
        run_in_background(lambda: ledger_exchange.export_ledger(ctx, Path(path), reveal=full),
                          lambda r: self.message.emit(self.tr("已导出：{0}（{1}）").format(
                              r.path, self.tr("含完整个人信息") if r.revealed else self.tr("个人信息已脱敏"))),
                          lambda exc: self.message.emit(getattr(exc, "message_zh", str(exc))), owner=self)

    def save_template(self, path: str | None = None) -> None:
        path = path or QFileDialog.getSaveFileName(self, self.tr("保存导入模板"), "台账导入模板.xlsx", "Excel (*.xlsx)")[0]
        if path:
            ledger_exchange.write_ledger_template(Path(path))
            self.message.emit(self.tr("已生成导入模板：{0}").format(path))

    def show_coverage(self) -> QDialog:
        from xuyi_desktop.services.coverage import coverage

        result = coverage(self._ctx)
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("信用覆盖率与登记信息完整率（{0}）").format(result.as_of))
        table = RowTable(("类别", "主体数", "有效评价", "有信用记录", "覆盖率", "必填项完整率", "建议项完整率"), dialog, stretch=0)

        def pct(x: float | None) -> str:
            return "—" if x is None else f"{x * 100:.1f}%"

        table.fill(result.categories, lambda c: (c.label, c.entities, c.rated, c.with_record, pct(c.to_json()["coverage"]),
                                                 pct(c.to_json()["completeness"]["required"]), pct(c.to_json()["completeness"]["recommended"])))
        total = QLabel(self.tr("合计：{0} 个主体中 {1} 个有有效评价或信用记录（{2}）").format(
            result.entities, result.covered, pct(result.to_json()["coverage"])), dialog)
        layout = QVBoxLayout(dialog)
        layout.addWidget(total)
        layout.addWidget(table)
        dialog.resize(900, 380)
        self.dialog = dialog
        dialog.open()
        return dialog
