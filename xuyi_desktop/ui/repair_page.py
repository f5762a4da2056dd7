"""The 信用修复 page: repair applications (list with status and dates, the materials checklist, 受理 / 审核 / 准予修复 /
不予修复) and, on a second tab, objections to credit records (信息异议: register, 开始审查, 决定 成立/不成立, deadlines
with the overdue ones in red).

Each step button is enabled only for the role that may take it (clerks accept, reviewers review and decide) and only
in the state it applies to; every rule and every refusal is the service's (services.repair, services.objections),
shown in its words."""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.repair import ObjectionStatus, RepairStatus
from xuyi_desktop.services import objections as objection_svc
from xuyi_desktop.services import repair as repair_svc
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.objections import ObjectionView
from xuyi_desktop.services.repair import RepairView
from xuyi_desktop.ui.profile_widgets import item
from xuyi_desktop.ui.rating_common import GREYED, INCENTIVE, INFO, PROVISIONAL, RESTRICTION
from xuyi_desktop.ui.repair_dialogs import ObjectionDialog, RepairApplyDialog
from xuyi_desktop.ui.widgets import page_action
from xuyi_desktop.ui.workflow_dialogs import OpinionDialog, refusal_text
from xuyi_desktop.ui.workflow_widgets import (
    HasId,
    fill_rows,
    open_dialog,
    row_table,
    select_view,
    selected_view,
    splitter,
)

STATUS_COLOURS = {
    RepairStatus.APPLIED: PROVISIONAL, RepairStatus.ACCEPTED: INFO, RepairStatus.REVIEWED: INFO,
    RepairStatus.APPROVED: INCENTIVE, RepairStatus.REJECTED: GREYED,
}
OBJECTION_COLOURS = {
    ObjectionStatus.RECEIVED: PROVISIONAL, ObjectionStatus.REVIEWING: INFO, ObjectionStatus.UPHELD: INCENTIVE,
    ObjectionStatus.REJECTED: GREYED,
}
OPEN, ALL = "open", ""
NEEDS_REVIEWER = "需要审核人权限"


def fit_columns(table: QTableWidget, stretch: int, cap: int = 210) -> None:
    """Columns as wide as their text but no wider than `cap` (a long name is shortened with "…", its tooltip keeps
    it), the `stretch` column taking what is left: every column stays in view on a 1366-pixel screen."""
    table.resizeColumnsToContents()
    head = table.horizontalHeader()
    for col in range(table.columnCount()):
        if col != stretch and table.columnWidth(col) > cap:
            table.setColumnWidth(col, cap)
    head.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def _permitted(button: QPushButton, ctx: AppContext, permission: Permission, hint: str) -> bool:
    """Whether the user's role may press it; if not, the tooltip says which role may."""
    allowed = ctx.can(permission)
    if not allowed:
        button.setToolTip(hint)
    return allowed


class RecordView(HasId, Protocol):
    """What both tabs show of a record in their status messages (RepairView, ObjectionView)."""

    @property
    def entity_name(self) -> str: ...
    @property
    def record_summary(self) -> str: ...


V = TypeVar("V", bound=RecordView)
D = TypeVar("D", bound=QDialog)


class _StepsTab(QWidget, Generic[V]):
    """What both tabs share: a filter over the list, a 新建 button, the list with the selected record's pane and
    its step buttons beside it; a step taken on the selected record (a refusal warns in the service's words) and
    the dialog a step opens, kept in `dialog` so the tests can drive it."""

    message = Signal(str)
    changed = Signal()

    COLUMNS: tuple[str, ...] = ()
    FILTERS: tuple[tuple[str, str], ...] = ()
    NEW = ""
    STRETCH, CAP = 2, 210

    def __init__(self, ctx: AppContext, parent: QWidget | None, today: dt.date | None) -> None:
        super().__init__(parent)
        self.ctx, self._today = ctx, today
        self.views: list[V] = []
        self.dialog: Any = None
        self.filter_combo = QComboBox(self)
        for label, data in self.FILTERS:
            self.filter_combo.addItem(self.tr(label), data)
        self.new_button = QPushButton(self.tr(self.NEW), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.table = row_table(self, self.COLUMNS, self.STRETCH)

    def _lay_out(self, top: Sequence[QWidget], side: Sequence[tuple[QWidget, int]], steps: Sequence[QPushButton],
                 sizes: list[int], new: Callable[..., object], new_text: str) -> None:
        """The filter row (`top` after the refresh button), then the list beside the pane (`side`, then the
        `steps`); the list's buttons and shortcuts wired; 新建 only for a clerk."""
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("显示"), self))
        for w in (self.filter_combo, self.refresh_button, *top):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.new_button)
        buttons = QHBoxLayout()
        for b in steps:
            buttons.addWidget(b)
        pane = QWidget(self)
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        for w, stretch in side:
            pane_layout.addWidget(w, stretch)
        pane_layout.addLayout(buttons)
        split = splitter(self, Qt.Orientation.Horizontal, (self.table, pane))
        split.setSizes(sizes)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self.can_edit = _permitted(self.new_button, self.ctx, Permission.ENTITY_EDIT, "需要窗口经办人权限")
        self.new_button.setEnabled(self.can_edit)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(lambda: self.reload())
        self.new_button.clicked.connect(lambda: new())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        page_action(self, new_text, "Ctrl+N", new)
        page_action(self, self.tr("刷新"), "F5", self.reload)

    def _load(self) -> list[V]:
        raise NotImplementedError

    def _cells(self, view: V) -> list[QTableWidgetItem]:
        raise NotImplementedError

    def _selection_changed(self) -> None:
        raise NotImplementedError

    def reload(self, select: uuid.UUID | None = None) -> None:
        """The list again as the filter asks (a refusal to the status bar), the selected record kept selected."""
        select = select or (self.current().id if self.current() else None)
        try:
            self.views = self._load()
        except DomainError as refused:
            self.views = []
            self.message.emit(refusal_text(refused))
        fill_rows(self.table, self.views, self._cells, select)
        fit_columns(self.table, self.STRETCH, self.CAP)
        self._selection_changed()

    def _show_decided(self, view: V) -> None:
        """Switch the filter to one that shows `view` when the step closed it."""

    def current(self) -> V | None:
        return selected_view(self.table, self.views)

    def select(self, record_id: uuid.UUID) -> bool:
        return select_view(self.table, self.views, record_id)

    def _saved(self, view: V | None, text: str) -> None:
        if view is None:
            return
        self._show_decided(view)
        self.reload(select=view.id)
        self.message.emit(self.tr(text).format(f"{view.entity_name} {view.record_summary}"))
        self.changed.emit()

    def _step(self, title: str, call: Callable[[uuid.UUID], V], text: str) -> V | None:
        """Take one step on the selected record: the service's refusal in a warning titled `title`, else the list
        reloaded on the record and `text` in the status bar."""
        v = self.current()
        if v is None:
            return None
        try:
            done = call(v.id)
        except DomainError as refused:
            QMessageBox.warning(self, title, refusal_text(refused))
            return None
        self._saved(done, text)
        return done

    def _open(self, dialog: D, saved: Callable[[], V | None], text: str, exec_dialog: bool) -> D:
        self.dialog = open_dialog(dialog, lambda: self._saved(saved(), text), exec_dialog)
        return dialog


class ApplicationsTab(_StepsTab[RepairView]):
    """信用修复申请: the list (open ones first), the selected application's details and checklist, the steps."""

    COLUMNS = ("状态", "市场主体", "修复的信息", "申请日期", "最早可申请日", "办理情况")
    FILTERS = (("办理中", OPEN), ("全部申请", ALL), *((s.label, s.value) for s in RepairStatus))
    NEW = "新建申请(&N)…"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(ctx, parent, today)
        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.materials_list = QListWidget(self)
        self.save_materials_button = QPushButton(self.tr("保存材料勾选"), self)
        materials = QGroupBox(self.tr("申请材料（勾选已提交的）"), self)
        mlayout = QVBoxLayout(materials)
        mlayout.addWidget(self.materials_list, 1)
        mlayout.addWidget(self.save_materials_button)
        self.accept_button = QPushButton(self.tr("受理"), self)
        self.review_button = QPushButton(self.tr("审核…"), self)
        self.approve_button = QPushButton(self.tr("准予修复…"), self)
        self.reject_button = QPushButton(self.tr("不予修复…"), self)
        self._lay_out((), ((self.detail, 3), (materials, 2)),
                      (self.accept_button, self.review_button, self.approve_button, self.reject_button), [780, 400],
                      self.new_application, self.tr("新建申请"))

        for b in (self.accept_button, self.save_materials_button):
            _permitted(b, ctx, Permission.ENTITY_EDIT, "需要窗口经办人权限")
        self.can_review = _permitted(self.review_button, ctx, Permission.CREDIT_REVIEW, NEEDS_REVIEWER + "（审核）")
        self.can_decide = ctx.can(Permission.REPAIR_APPROVE)
        for b in (self.approve_button, self.reject_button):
            _permitted(b, ctx, Permission.REPAIR_APPROVE, NEEDS_REVIEWER + "（审批信用修复）")
        self.save_materials_button.clicked.connect(self.save_materials)
        self.accept_button.clicked.connect(self.accept_selected)
        self.review_button.clicked.connect(lambda: self.review_selected())
        self.approve_button.clicked.connect(lambda: self.decide_selected(True))
        self.reject_button.clicked.connect(lambda: self.decide_selected(False))

    # --- list ---------------------------------------------------------------------------------------------
    def _load(self) -> list[RepairView]:
        choice = str(self.filter_combo.currentData() or "")
        views = repair_svc.list_applications(self.ctx, open_only=choice == OPEN,
                                             status=choice if choice not in (OPEN, ALL) else None)
        # Open ones first, the longest waiting on top; decided ones after, the latest decision first.
        open_ = sorted((v for v in views if v.status.open), key=lambda v: (v.applied_on, v.entity_name))
        done = sorted((v for v in views if not v.status.open), key=lambda v: v.decided_on or v.applied_on, reverse=True)
        return open_ + done

    @staticmethod
    def progress_text(v: RepairView) -> str:
        """The last step taken, who and when: what the clerk asks about at the counter."""
        if v.decided_on:
            return f"{v.decided_on} {v.decided_by}"
        if v.reviewed_on:
            return f"待决定（{v.reviewed_on} 审核）"
        if v.accepted_on:
            return f"待审核（{v.accepted_on} 受理）"
        return f"待受理，缺{len(v.missing)}项材料" if v.missing else "材料齐全，待受理"

    def _cells(self, v: RepairView) -> list[QTableWidgetItem]:
        texts = (v.status.label, v.entity_name, v.record_summary, v.applied_on.isoformat(), v.earliest_on.isoformat(),
                 self.progress_text(v))
        return [item(text, STATUS_COLOURS[v.status] if col == 0 else None, bold=col == 0 and v.status.open, tip=text)
                for col, text in enumerate(texts)]

    def _selection_changed(self) -> None:
        v = self.current()
        self.materials_list.clear()
        if v is None:
            self.detail.setHtml(self.tr("<p>选择一份申请查看详情；“新建申请”登记新的信用修复申请。</p>"))
        else:
            self.detail.setHtml(self._detail_html(v))
            for m in v.materials:
                entry = QListWidgetItem(("* " if m.get("required") else "") + str(m["name"]))
                entry.setData(Qt.ItemDataRole.UserRole, m["code"])
                entry.setCheckState(Qt.CheckState.Checked if m.get("ticked") else Qt.CheckState.Unchecked)
                editable = v.status.open and self.can_edit and not (m["code"] == "repair_commitment" and v.commitment_serial)
                flags = Qt.ItemFlag.ItemIsEnabled | (Qt.ItemFlag.ItemIsUserCheckable if editable else Qt.ItemFlag.NoItemFlags)
                entry.setFlags(flags)
                if m.get("required") and not m.get("ticked"):
                    entry.setForeground(RESTRICTION)
                self.materials_list.addItem(entry)
        self._update_buttons()

    def _detail_html(self, v: RepairView) -> str:
        def line(label: str, value: object) -> str:
            return f"<tr><td style='color:#555;padding-right:8px'>{label}</td><td>{html.escape(str(value or '—'))}</td></tr>"

        rows = [
            line("市场主体", v.entity_name), line("修复的信息", v.record_summary), line("申请人", v.applicant),
            line("联系人、电话", v.applicant_contact), line("申请日期", v.applied_on),
            line("最早可申请日", f"{v.earliest_on}（{v.rules_source}）"),
            line("信用修复承诺书", v.commitment_serial or "未关联（可在“信用承诺”中登记“信用修复型”承诺）"),
        ]
        if v.accepted_on:
            rows.append(line("受理", f"{v.accepted_on} {v.accepted_by}"))
        if v.reviewed_on:
            rows.append(line("审核", f"{v.reviewed_on} {v.reviewed_by}：{v.review_note}"))
        if v.decided_on:
            rows.append(line("决定", f"{v.status.label} {v.decided_on} {v.decided_by}：{v.decision_reason}"))
        missing = ""
        if v.missing and v.status.open:
            missing = f"<p style='color:#c62828'>尚缺必交材料：{html.escape('、'.join(v.missing))}</p>"
        colour = STATUS_COLOURS[v.status].name()
        return f"<h3 style='color:{colour}'>{v.status.label}</h3><table>{''.join(rows)}</table>{missing}"

    def _update_buttons(self) -> None:
        v = self.current()
        status = v.status if v else None
        self.save_materials_button.setEnabled(self.can_edit and status is not None and status.open)
        self.accept_button.setEnabled(self.can_edit and status is RepairStatus.APPLIED)
        self.review_button.setEnabled(self.can_review and status is RepairStatus.ACCEPTED)
        self.approve_button.setEnabled(self.can_decide and status is RepairStatus.REVIEWED)
        self.reject_button.setEnabled(self.can_decide and status is not None and status.open)

    # --- actions ------------------------------------------------------------------------------------------
    def new_application(self, *, exec_dialog: bool = True) -> RepairApplyDialog:
        dialog = RepairApplyDialog(self.ctx, self, today=self._today)
        return self._open(dialog, lambda: dialog.saved, "已登记信用修复申请：{0}", exec_dialog)

    def _show_decided(self, view: RepairView) -> None:
        if not view.status.open and self.filter_combo.currentData() == OPEN:
            self.filter_combo.setCurrentIndex(self.filter_combo.findData(ALL))

    def ticked_materials(self) -> tuple[str, ...]:
        out = []
        for i in range(self.materials_list.count()):
            entry = self.materials_list.item(i)
            if entry.checkState() == Qt.CheckState.Checked:
                out.append(str(entry.data(Qt.ItemDataRole.UserRole)))
        return tuple(out)

    def set_material(self, code: str, ticked: bool) -> None:
        for i in range(self.materials_list.count()):
            entry = self.materials_list.item(i)
            if entry.data(Qt.ItemDataRole.UserRole) == code:
                entry.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def save_materials(self) -> RepairView | None:
        return self._step(self.tr("申请材料"), lambda app_id: repair_svc.update_materials(
            self.ctx, app_id, ticked=self.ticked_materials()), "已保存申请材料：{0}")

    def accept_selected(self) -> RepairView | None:
        """受理: the service refuses an incomplete application naming what is missing."""
        return self._step(self.tr("受理"), lambda app_id: repair_svc.accept(self.ctx, app_id, on=self._today), "已受理：{0}")

    def review_selected(self, *, exec_dialog: bool = True) -> OpinionDialog | None:
        v = self.current()
        if v is None:
            return None
        ctx, today, app_id = self.ctx, self._today, v.id
        dialog = OpinionDialog(
            self.tr("审核信用修复申请"), self.tr("{0}：{1}\n申请人 {2}，{3}受理。").format(
                v.entity_name, v.record_summary, v.applicant, v.accepted_on or ""),
            self, note_label=self.tr("审核意见"),
            action=lambda d: repair_svc.review(ctx, app_id, note=d.note, on=today),
        )
        return self._open(dialog, lambda: dialog.result_value, "已审核：{0}", exec_dialog)

    def decide_selected(self, approve: bool, *, exec_dialog: bool = True) -> OpinionDialog | None:
        """准予修复 / 不予修复 with the reason. Approval repairs the record (it leaves publicity and the counter's
        restrictions); the service refuses a role without the right, or an application not yet reviewed."""
        v = self.current()
        if v is None:
            return None
        ctx, today, app_id = self.ctx, self._today, v.id
        effect = ("准予后该信息停止公示，不再作为失信约束的依据，信用档案中标注“已修复”；依据该记录列入的名单同时移出。"
                  if approve else "不予修复的，申请办结，须写明理由。")
        dialog = OpinionDialog(
            self.tr("准予修复") if approve else self.tr("不予修复"),
            self.tr("{0}：{1}\n{2}").format(v.entity_name, v.record_summary, effect),
            self, note_label=self.tr("决定理由"),
            action=lambda d: repair_svc.decide(ctx, app_id, approve=approve, reason=d.note, on=today),
        )
        return self._open(dialog, lambda: dialog.result_value, "准予修复：{0}" if approve else "不予修复：{0}", exec_dialog)


class ObjectionsTab(_StepsTab[ObjectionView]):
    """信息异议: register, list by deadline (overdue in red), 开始审查, 决定 (成立 / 不成立) with the reasons."""

    COLUMNS = ("状态", "处理期限", "市场主体", "被异议的记录", "异议人", "收到日期", "处理结果")
    DEADLINE = 1
    OPEN, OVERDUE, ALL = "open", "overdue", "all"
    FILTERS = (("办理中（按处理期限）", OPEN), ("已超期未处理", OVERDUE), ("全部异议", ALL))
    NEW = "登记异议(&N)…"
    STRETCH, CAP = 3, 180

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(ctx, parent, today)
        self.overdue_label = QLabel(self)
        self.overdue_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.detail = QTextBrowser(self)
        self.review_button = QPushButton(self.tr("开始审查"), self)
        self.decide_button = QPushButton(self.tr("处理决定…"), self)
        self._lay_out((self.overdue_label,), ((self.detail, 1),), (self.review_button, self.decide_button), [820, 360],
                      self.new_objection, self.tr("登记异议"))
        self.can_review = ctx.can(Permission.CREDIT_REVIEW)
        for b in (self.review_button, self.decide_button):
            _permitted(b, ctx, Permission.CREDIT_REVIEW, NEEDS_REVIEWER + "（审核信用信息）")
        self.review_button.clicked.connect(self.start_review_selected)
        self.decide_button.clicked.connect(lambda: self.decide_selected())

    def _load(self) -> list[ObjectionView]:
        choice = self.filter_combo.currentData()
        self.overdue_label.clear()
        views = objection_svc.list_objections(self.ctx, open_only=choice == self.OPEN,
                                              overdue=choice == self.OVERDUE, today=self._today)
        late = objection_svc.list_objections(self.ctx, overdue=True, today=self._today)
        self.overdue_label.setText(self.tr("已超期未处理 {0} 件").format(len(late)) if late else "")
        return views

    def _cells(self, v: ObjectionView) -> list[QTableWidgetItem]:
        result = ""
        if v.decided_on:
            result = f"{v.decided_on} {v.decision_note}"
        deadline = v.deadline.isoformat() + (self.tr("（已超期）") if v.overdue else "")
        texts = (v.status.label, deadline, v.entity_name, v.record_summary, v.objector, v.received_on.isoformat(), result)
        cells = []
        for col, text in enumerate(texts):
            colour = OBJECTION_COLOURS[v.status] if col == 0 else (RESTRICTION if col == self.DEADLINE and v.overdue else None)
            cells.append(item(text, colour, bold=v.overdue and col in (0, self.DEADLINE), tip=text))
        return cells

    def _selection_changed(self) -> None:
        v = self.current()
        if v is None:
            self.detail.setHtml(self.tr("<p>选择一件异议查看详情；“登记异议”记录新的异议。</p>"))
        else:
            late = "<span style='color:#c62828'>（已超期）</span>" if v.overdue else ""
            decided = ""
            if v.decided_on:
                action = {"withdraw": "处罚决定已撤销（保留记录）", "end": "失信记录已结束", "exit": "已移出名单",
                          "correct": "请在信用评价或信用承诺中以新版本更正", "none": "原记录不变"}.get(v.action, v.action)
                decided = (f"<p><b>{v.status.label}</b>（{v.decided_on}，{html.escape(v.reviewer)}）："
                           f"{html.escape(v.decision_note)}</p><p>处理：{action}</p>")
            e = html.escape
            self.detail.setHtml(
                f"<h3>{v.status.label}</h3><p>{e(v.entity_name)}</p><p>被异议的记录：{e(v.record_summary)}</p>"
                f"<p>异议人：{e(v.objector)}</p><p>收到：{v.received_on}　处理期限：{v.deadline}{late}</p>"
                f"<p>异议内容：{e(v.content)}</p>{decided}"
            )
        status = v.status if v else None
        self.review_button.setEnabled(self.can_review and status is ObjectionStatus.RECEIVED)
        self.decide_button.setEnabled(self.can_review and status in (ObjectionStatus.RECEIVED, ObjectionStatus.REVIEWING))

    def new_objection(self, *, exec_dialog: bool = True) -> ObjectionDialog:
        dialog = ObjectionDialog(self.ctx, self, today=self._today)
        return self._open(dialog, lambda: dialog.saved, "已登记信息异议：{0}", exec_dialog)

    def _show_decided(self, view: ObjectionView) -> None:
        if self.filter_combo.currentData() != self.ALL and view.status in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
            self.filter_combo.setCurrentIndex(self.filter_combo.findData(self.ALL))

    def start_review_selected(self) -> ObjectionView | None:
        return self._step(self.tr("开始审查"), lambda oid: objection_svc.start_review(self.ctx, oid, today=self._today),
                          "开始审查：{0}")

    def decide_selected(self, *, exec_dialog: bool = True) -> OpinionDialog | None:
        v = self.current()
        if v is None:
            return None
        ctx, today, oid = self.ctx, self._today, v.id
        dialog = OpinionDialog(
            self.tr("信息异议处理决定"),
            self.tr("{0}：{1}\n异议人 {2}：{3}\n异议成立的，处罚决定撤销、失信记录结束或移出名单（信用评价、信用承诺另以新版本更正）。").format(
                v.entity_name, v.record_summary, v.objector, v.content),
            self, note_label=self.tr("处理意见"), choices=(self.tr("异议不成立"), self.tr("异议成立")),
            choice_label=self.tr("处理结果"),
            action=lambda d: objection_svc.decide(ctx, oid, upheld=d.choice == "异议成立", note=d.note, today=today),
        )
        return self._open(dialog, lambda: dialog.result_value, "异议已处理：{0}", exec_dialog)


class RepairPage(QWidget):
    """The module page: the two tabs; their status messages go to the window's status bar."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.settings = ctx, settings
        self.tabs = QTabWidget(self)
        self.applications = ApplicationsTab(ctx, self, today=today)
        self.objections = ObjectionsTab(ctx, self, today=today)
        self.tabs.addTab(self.applications, self.tr("信用修复申请"))
        self.tabs.addTab(self.objections, self.tr("信息异议"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        for tab in (self.applications, self.objections):
            tab.message.connect(self.message.emit)
        self.applications.reload()
        self.objections.reload()
