"""The 名单管理 page: per list (红名单, 黑名单, 重点关注名单, 治超名单) the proposals waiting for a reviewer (待确认) and
the members with entry, expiry and reason; 提名候选 (the list's criteria evaluated on every candidate's profile, off
the GUI thread), 人工提名 (治超: one of its ten cases), 确认列入 / 不予列入 / 提前移出 with a reason (reviewers), and
公布名单 as .xlsx or as a numbered PDF with a signed code.

The criteria, the validity and every refusal are services.credit_lists'; the page only asks and shows."""

from __future__ import annotations

import datetime as dt
import html
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabBar,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.credit_lists import ListDefinition
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import credit_lists as svc
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_lists import EntryView
from xuyi_desktop.ui.credit_record_picker import LIST_SOURCES, RecordPicker
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.profile_widgets import item
from xuyi_desktop.ui.rating_common import GREYED, INCENTIVE, PROVISIONAL, RESTRICTION
from xuyi_desktop.ui.widgets import page_action
from xuyi_desktop.ui.workflow_dialogs import OpinionDialog, ServiceDialog, refusal_text
from xuyi_desktop.ui.workflow_widgets import fill_rows, open_dialog, row_table, select_view, selected_view

LIST_COLOURS = {"red": INCENTIVE, "black": RESTRICTION, "watch": PROVISIONAL, "overload": RESTRICTION}


def short_name(d: ListDefinition) -> str:
    """红名单 from 守信联合激励对象名单（红名单）: the word in brackets when there is one."""
    if d.name.endswith("）") and "（" in d.name:
        return d.name[d.name.rindex("（") + 1:-1]
    return d.name


class ProposalDialog(ServiceDialog[EntryView]):
    """人工提名: the entity, the reason, the list's case (治超: required, one of the ten) and, optionally, the record the
    entry rests on (a repair of that record ends the entry early)."""

    NO_SOURCE = "（不指定）"

    def __init__(self, ctx: AppContext, definition: ListDefinition, parent: QWidget | None = None, *,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.definition, self._today = ctx, definition, today
        self.setWindowTitle(self.tr("人工提名：{0}").format(definition.name))
        self.picker = RecordPicker(ctx, LIST_SOURCES, self, today=today)
        self.case_combo = QComboBox(self)
        for c in definition.cases:
            self.case_combo.addItem(f"{c.code}. {c.text}", c.code)
        self.case_combo.setVisible(bool(definition.cases))
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setPlaceholderText(self.tr("提名理由，如：一年内违法超限运输4次（盱交罚〔2026〕12号等）"))
        self.reason_edit.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.reason_edit.setTabChangesFocus(True)
        form = QFormLayout()
        if definition.cases:
            form.addRow(self.tr("列入情形"), self.case_combo)
        form.addRow(self.tr("提名理由"), self.reason_edit)
        self.buttons = self.save_buttons(self.tr("提名"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("提名对象；可选依据的记录（该记录信用修复后自动提前移出）："), self))
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("提名后列入“待确认”，由审核人员确认列入。"), self))
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(820, 560)
        self.picker.entity_edit.setFocus()

    def set_case(self, code: str) -> None:
        self.case_combo.setCurrentIndex(max(0, self.case_combo.findData(code)))

    def save(self) -> EntryView | None:
        def propose() -> EntryView:
            if self.picker.entity_id is None:
                raise ValidationError(FieldProblem("entity", "请先查找提名对象", "entity required"))
            source = self.picker.selected()
            return svc.add_entry(
                self.ctx, uuid.UUID(self.picker.entity_id), self.definition.type, reason=self.reason_edit.toPlainText(),
                case_code=str(self.case_combo.currentData() or "") if self.definition.cases else "",
                source_record=source.record_id if source else None, today=self._today,
            )

        return self._saving(propose)


class ListsPage(QWidget):
    message = Signal(str)
    refreshed = Signal()

    PROPOSAL_COLUMNS = ("市场主体", "证件号码", "提名依据", "提名日期", "批次")
    MEMBER_COLUMNS = ("市场主体", "证件号码", "列入事由", "列入日期", "有效期至", "状态")

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.settings, self._today = ctx, settings, today
        self.definitions = list(svc.list_definitions().values())
        self.views: list[EntryView] = []
        self.proposals: list[EntryView] = []
        self.members: list[EntryView] = []
        self.busy = False
        self.last_published: Path | None = None
        self.dialog: Any = None
        self._build()
        self.reload()

    # --- building -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.type_bar = QTabBar(self)
        for d in self.definitions:
            index = self.type_bar.addTab(short_name(d))
            self.type_bar.setTabToolTip(index, d.name)
            self.type_bar.setTabTextColor(index, LIST_COLOURS.get(d.type, GREYED))
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.TextFormat.RichText)

        self.proposal_table = row_table(self, self.PROPOSAL_COLUMNS, 2)
        self.propose_button = QPushButton(self.tr("提名候选"), self)
        self.propose_button.setToolTip(self.tr("按认定标准评估全部主体的信用档案，符合的列入“待确认”"))
        self.add_button = QPushButton(self.tr("人工提名…"), self)
        self.confirm_button = QPushButton(self.tr("确认列入…"), self)
        self.decline_button = QPushButton(self.tr("不予列入…"), self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # busy: the length of an evaluation over every candidate is not known ahead
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setVisible(False)
        self.busy_label = QLabel(self)
        proposal_buttons = QHBoxLayout()
        for w in (self.propose_button, self.busy_bar, self.busy_label):
            proposal_buttons.addWidget(w)
        proposal_buttons.addStretch(1)
        for w in (self.add_button, self.confirm_button, self.decline_button):
            proposal_buttons.addWidget(w)
        proposals = QGroupBox(self.tr("待确认的提名"), self)
        pl = QVBoxLayout(proposals)
        pl.addWidget(self.proposal_table, 1)
        pl.addLayout(proposal_buttons)

        self.member_table = row_table(self, self.MEMBER_COLUMNS, 2)
        self.history_check = QCheckBox(self.tr("显示已到期、已移出和未列入的记录"), self)
        self.remove_button = QPushButton(self.tr("提前移出…"), self)
        self.publish_button = QPushButton(self.tr("公布名单"), self)
        menu = QMenu(self.publish_button)
        self.publish_xlsx_action = QAction(self.tr("导出 Excel（.xlsx）…"), self)
        self.publish_pdf_action = QAction(self.tr("打印 PDF（带编号和核验码）…"), self)
        menu.addAction(self.publish_xlsx_action)
        menu.addAction(self.publish_pdf_action)
        self.publish_button.setMenu(menu)
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.history_check)
        member_buttons.addStretch(1)
        member_buttons.addWidget(self.remove_button)
        member_buttons.addWidget(self.publish_button)
        members = QGroupBox(self.tr("名单成员"), self)
        ml = QVBoxLayout(members)
        ml.addWidget(self.member_table, 1)
        ml.addLayout(member_buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.type_bar)
        layout.addWidget(self.info_label)
        layout.addWidget(proposals, 2)
        layout.addWidget(members, 3)

        self.can_edit = self.ctx.can(Permission.ENTITY_EDIT)
        self.can_review = self.ctx.can(Permission.CREDIT_REVIEW)
        self.can_publish = self.ctx.can(Permission.EXPORT) and self.ctx.can(Permission.PRINT)
        for b, allowed, hint in (
            (self.propose_button, self.can_edit, "需要窗口经办人权限"), (self.add_button, self.can_edit, "需要窗口经办人权限"),
            (self.confirm_button, self.can_review, "需要审核人权限"), (self.decline_button, self.can_review, "需要审核人权限"),
            (self.remove_button, self.can_review, "需要审核人权限"), (self.publish_button, self.can_publish, "需要导出和打印权限"),
        ):
            if not allowed:
                b.setToolTip(self.tr(hint))

        self.type_bar.currentChanged.connect(lambda _i: self.reload())
        self.history_check.toggled.connect(lambda _on: self._fill())
        self.proposal_table.itemSelectionChanged.connect(self._update_buttons)
        self.member_table.itemSelectionChanged.connect(self._update_buttons)
        self.propose_button.clicked.connect(self.propose)
        self.add_button.clicked.connect(lambda: self.add_by_hand())
        self.confirm_button.clicked.connect(lambda: self.confirm_selected())
        self.decline_button.clicked.connect(lambda: self.decline_selected())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.publish_xlsx_action.triggered.connect(lambda: self.publish(kind="xlsx"))
        self.publish_pdf_action.triggered.connect(lambda: self.publish(kind="pdf"))
        page_action(self, self.tr("刷新"), "F5", self.reload)

    # --- data -----------------------------------------------------------------------------------------------
    @property
    def definition(self) -> ListDefinition:
        return self.definitions[max(0, self.type_bar.currentIndex())]

    def set_type(self, list_type: str) -> None:
        for i, d in enumerate(self.definitions):
            if d.type == list_type:
                self.type_bar.setCurrentIndex(i)
                self.reload()
                return

    def _info_html(self, d: ListDefinition) -> str:
        years = f"{d.validity_months // 12}年" if d.validity_months % 12 == 0 else f"{d.validity_months}个月"
        if d.cases:
            how = f"列入情形（{len(d.cases)}种）：" + "；".join(f"{c.code}. {html.escape(c.text)}" for c in d.cases[:3]) + "……（人工提名时选择）"
        elif d.rules:
            how = "认定标准（提名候选按此评估）：" + "；或".join(html.escape(r.text) for r in d.rules)
        else:
            how = "无自动认定标准，人工提名"
        colour = LIST_COLOURS.get(d.type, GREYED).name()
        return f"<b style='color:{colour}'>{html.escape(d.name)}</b>　有效期 {years}<br><span style='color:#555'>{how}</span>"

    def reload(self, select: uuid.UUID | None = None) -> None:
        d = self.definition
        self.info_label.setText(self._info_html(d))
        try:
            self.views = svc.entries(self.ctx, d.type, today=self._today)
        except DomainError as refused:
            self.views = []
            self.message.emit(refusal_text(refused))
        self._fill(select)
        self.refreshed.emit()

    def _fill(self, select: uuid.UUID | None = None) -> None:
        self.proposals = [v for v in self.views if v.status == "proposed"]
        if self.history_check.isChecked():
            self.members = [v for v in self.views if v.status != "proposed"]
        else:
            self.members = sorted((v for v in self.views if v.active), key=lambda v: (v.expires_on or dt.date.max, v.entity_name))
        fill_rows(self.proposal_table, self.proposals, lambda v: [
            item(text, tip=text) for text in (v.entity_name, v.identifier, v.criteria, v.proposed_on.isoformat(), v.period)],
            select)
        fill_rows(self.member_table, self.members, self._member_cells, select)
        for table, stretch in ((self.proposal_table, 2), (self.member_table, 2)):
            table.resizeColumnsToContents()
            table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self._update_buttons()

    def _member_cells(self, v: EntryView) -> list[QTableWidgetItem]:
        reason = "；".join(x for x in (v.criteria if v.criteria != "人工提名" else "", v.reason) if x)
        texts = (v.entity_name, v.identifier, reason, str(v.entered_on or ""), str(v.expires_on or ""), self._member_state(v))
        return [item(text, (INCENTIVE if v.active else GREYED) if c == 5 else None, tip=text) for c, text in enumerate(texts)]

    def _member_state(self, v: EntryView) -> str:
        if v.status == "exited":
            return f"已移出 {v.exit_on or ''} {v.exit_reason}".strip()
        if v.status == "removed":
            return f"未列入：{v.exit_reason}"
        if not v.active:
            return "已到期" if v.expires_on and v.expires_on < (self._today or dt.date.today()) else "未到列入日期"
        return f"已列入，已于 {v.published_on} 公布" if v.published_on else "已列入，未公布"

    def current_proposal(self) -> EntryView | None:
        return selected_view(self.proposal_table, self.proposals)

    def current_member(self) -> EntryView | None:
        return selected_view(self.member_table, self.members)

    def select_proposal(self, entry_id: uuid.UUID) -> bool:
        return select_view(self.proposal_table, self.proposals, entry_id)

    def select_member(self, entry_id: uuid.UUID) -> bool:
        return select_view(self.member_table, self.members, entry_id)

    def _update_buttons(self) -> None:
        idle = not self.busy
        proposal = self.current_proposal()
        member = self.current_member()
        self.propose_button.setEnabled(self.can_edit and idle and bool(self.definition.rules))
        if self.can_edit:
            self.propose_button.setToolTip(self.tr("按认定标准评估全部主体的信用档案，符合的列入“待确认”") if self.definition.rules
                                           else self.tr("该名单没有自动认定标准，请按列入情形人工提名"))
        self.add_button.setEnabled(self.can_edit and idle)
        self.confirm_button.setEnabled(self.can_review and idle and proposal is not None)
        self.decline_button.setEnabled(self.can_review and idle and proposal is not None)
        self.remove_button.setEnabled(self.can_review and idle and member is not None and member.status == "confirmed")
        self.publish_button.setEnabled(self.can_publish and idle)
        self.type_bar.setEnabled(idle)

    # --- proposing --------------------------------------------------------------------------------------------
    def propose(self) -> None:
        """提名候选: the criteria on every candidate's profile — seconds on a large register, so off the GUI thread."""
        if self.busy:
            return
        ctx, d, today = self.ctx, self.definition, self._today
        self.busy = True
        self.busy_bar.setVisible(True)
        self.busy_label.setText(self.tr("正在按认定标准评估…"))
        self._update_buttons()
        run_in_background(lambda: svc.propose(ctx, d.type, today=today), self._proposed, self._propose_failed, owner=self)

    def _done_busy(self) -> None:
        self.busy = False
        self.busy_bar.setVisible(False)
        self.busy_label.clear()

    def _proposed(self, made: object) -> None:
        self._done_busy()
        views = list(made) if isinstance(made, list) else []
        self.reload()
        text = (self.tr("按认定标准提名 {0} 个候选对象，待审核人员确认").format(len(views)) if views
                else self.tr("没有新的候选对象（已提名或已在名单中的不重复提名）"))
        self.busy_label.setText(text)
        self.message.emit(f"{self.definition.name}：{text}")

    def _propose_failed(self, error: BaseException) -> None:
        self._done_busy()
        self._update_buttons()
        QMessageBox.warning(self, self.tr("提名候选"), refusal_text(error))

    def add_by_hand(self, *, exec_dialog: bool = True) -> ProposalDialog:
        dialog = ProposalDialog(self.ctx, self.definition, self, today=self._today)
        self.dialog = open_dialog(dialog, lambda: self._changed(dialog.saved, "已提名：{0}"), exec_dialog)
        return dialog

    def _changed(self, view: EntryView | None, text: str) -> None:
        if view is None:
            return
        self.reload(select=view.id)
        self.message.emit(self.tr(text).format(f"{view.entity_name}（{view.list_name}）"))

    # --- reviewers' decisions -----------------------------------------------------------------------------------
    def confirm_selected(self, *, exec_dialog: bool = True) -> OpinionDialog | None:
        v = self.current_proposal()
        if v is None:
            return None
        ctx, today, eid, d = self.ctx, self._today, v.id, self.definition
        dialog = OpinionDialog(
            self.tr("确认列入"), self.tr("将 {0} 列入{1}（自列入日期起{2}个月）。\n提名依据：{3}").format(
                v.entity_name, d.name, d.validity_months, v.criteria),
            self, note_label=self.tr("确认理由"), date_label=self.tr("列入日期"), day=today or dt.date.today(),
            action=lambda dlg: svc.confirm(ctx, eid, reason=dlg.note, entered_on=dlg.day, today=today),
        )
        return self._run(dialog, "已列入：{0}", exec_dialog)

    def decline_selected(self, *, exec_dialog: bool = True) -> OpinionDialog | None:
        v = self.current_proposal()
        if v is None:
            return None
        ctx, today, eid = self.ctx, self._today, v.id
        dialog = OpinionDialog(
            self.tr("不予列入"), self.tr("{0} 的提名不予列入{1}。").format(v.entity_name, self.definition.name),
            self, note_label=self.tr("不予列入的理由"),
            action=lambda dlg: svc.remove(ctx, eid, reason=dlg.note, today=today),
        )
        return self._run(dialog, "不予列入：{0}", exec_dialog)

    def remove_selected(self, *, exec_dialog: bool = True) -> OpinionDialog | None:
        v = self.current_member()
        if v is None:
            return None
        ctx, today, eid = self.ctx, self._today, v.id
        dialog = OpinionDialog(
            self.tr("提前移出"), self.tr("将 {0} 提前移出{1}（原有效期至 {2}）。").format(
                v.entity_name, self.definition.name, v.expires_on or "—"),
            self, note_label=self.tr("移出理由"),
            action=lambda dlg: svc.remove(ctx, eid, reason=dlg.note, today=today),
        )
        return self._run(dialog, "已提前移出：{0}", exec_dialog)

    def _run(self, dialog: OpinionDialog, text: str, exec_dialog: bool) -> OpinionDialog:
        self.dialog = open_dialog(dialog, lambda: self._changed(dialog.result_value, text), exec_dialog)
        return dialog

    # --- publishing -----------------------------------------------------------------------------------------------
    def publish(self, path: str | Path | None = None, *, kind: str = "pdf") -> None:
        """公布名单: the members in force as .xlsx (services.credit_lists.publish) or as the numbered PDF
        (services.credit_prints.print_list_publication); both mark the members published."""
        d = self.definition
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
            day = (self._today or dt.date.today()).isoformat()
            suffix, label = (".pdf", "PDF 文件 (*.pdf)") if kind == "pdf" else (".xlsx", "Excel 工作簿 (*.xlsx)")
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("公布名单"), str(Path(folder) / f"{short_name(d)}-{day}{suffix}"), self.tr(label))
            if not chosen:
                return
            path = chosen
        out = Path(path)
        ctx, today = self.ctx, self._today
        self.busy = True
        self.busy_label.setText(self.tr("正在生成公布文件…"))
        self._update_buttons()

        def work() -> str:
            if out.suffix.lower() == ".pdf":
                from xuyi_desktop.services.credit_prints import print_list_publication

                printed = print_list_publication(ctx, d.type, out, today=today)
                return f"已公布{d.name}：{printed.path}（{printed.count} 个，编号 {printed.serial}）"
            written, count = svc.publish(ctx, d.type, out, today=today)
            return f"已公布{d.name}：{written}（{count} 个）"

        self._publishing = out
        run_in_background(work, self._published, self._publish_failed, owner=self)

    def _published(self, text: object) -> None:
        self._done_busy()
        self.last_published = self._publishing
        self.reload()
        self.busy_label.setText(str(text))
        self.message.emit(str(text))

    def _publish_failed(self, error: BaseException) -> None:
        self._done_busy()
        self._update_buttons()
        QMessageBox.warning(self, self.tr("公布名单"), refusal_text(error))
