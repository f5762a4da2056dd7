"""The entity form: register or edit one market entity, with the services' rules shown beside each field as typed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from typing import cast

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.entities import CATEGORIES, EntityDraft, EntityKind, EntityStatus, check_entity_draft
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import CreditProfile
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import (
    LookalikeNameError,
    RelationView,
    entity_history,
    entity_relations,
    get_entity,
    may_override_lookalike,
    register_entity,
    update_entity,
)
from xuyi_desktop.services.entity_file import licence_expiry_state
from xuyi_desktop.services.entity_views import EntityDetail, EntitySummary, HistoryEntry
from xuyi_desktop.services.errors import ConcurrentEditError, DuplicateIdentifierError, SimilarNameWarning
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.ui.formatting import action_label, change_summary, local_time
from xuyi_desktop.ui.licence_editor import LicenceEditor
from xuyi_desktop.ui.operations import OperationRunner, run_in_background
from xuyi_desktop.ui.profile_widgets import AMBER, PENALTY_STATE_COLOURS, Col, SectionTable, item
from xuyi_desktop.ui.rating_common import GREYED, INCENTIVE, PROVISIONAL, RESTRICTION
from xuyi_desktop.ui.record_text import rating_validity
from xuyi_desktop.ui.record_widgets import confirm, record_table, with_error_line
from xuyi_desktop.ui.widgets import error_label

# Fields that have their own message line, in the order the clerk meets them (the first one gets the focus).
FIELDS = ("name", "identifier", "kind", "categories", "phone", "region_code", "licences")
_PROBE_REASON = "probe"  # only used to ask the rules whether a written reason would make the identifier pass
_GEOMETRY_KEY = "entity_form/geometry"
_log = logging.getLogger(__name__)
EXPIRED_BACKGROUND = QColor("#ffebee")
EXPIRING_BACKGROUND = QColor("#fff3e0")

RATING_COLUMNS = (
    Col("领域", "公路水运工程建设从业单位"), Col("等级", "暂定AAA级"), Col("状态", "未评价"), Col("年度", "2026年度"),
    Col("评价机关", "盱眙县交通运输局"), Col("有效期", "2026-01-01至2026-12-31"), Col("说明"),
)
COMMITMENT_COLUMNS = (
    Col("编号", "TMP-ABCDEF-CN-2026-000001"), Col("状态", "履约中（逾期）"), Col("承诺类型", "审批替代型（告知承诺）"),
    Col("涉及业务"), Col("签署日期", "2026-12-31"), Col("期限至", "2026-12-31"),
)
PENALTY_COLUMNS = (
    Col("决定日期", "2026-12-31"), Col("决定文书号", "盱交罚〔2026〕1234号"), Col("违法行为"),
    Col("公示类别", "一般"), Col("公示截止", "2026-12-31"), Col("状态", "公示类别待定"),
)
DISHONESTY_COLUMNS = (
    Col("发生日期", "2026-12-31"), Col("失信类别", "违反信用承诺"), Col("说明"), Col("结束日期", "2026-12-31"), Col("状态", "已结束"),
)
LIST_COLUMNS = (Col("名单", "失信联合惩戒对象名单（黑名单）"), Col("列入日期", "2026-12-31"), Col("到期日期", "2026-12-31"), Col("原因"))
PERSON_COLUMNS = (Col("名称"), Col("证件号码", "320830********1234"), Col("关系", "从业人员（如驾驶员）"), Col("职务", "安全管理人员"), Col("起始日期", "2026-12-31"))
LICENCE_COLUMNS = (
    Col("证照名称", "道路运输经营许可证"), Col("证照编号"), Col("有效期起", "2026-12-31"), Col("有效期至", "2026-12-31"),
    Col("状态", "30天内到期"),
)


class EntityForm(QDialog):
    """Create (entity_id None) or edit an entity. Emits `saved` with the masked summary of what was written.

    Personal data: a user who may edit gets the full ID number and phone (get_entity(reveal=True), audited by the
    service as personal.reveal), because a save must send the real values. Anyone else sees them masked and the
    form read-only; 显示完整信息 (only with the REVEAL_PERSONAL right) fetches them, again audited. While the two
    fields are masked they are read-only and the form refuses to save, so a masked value can never be written.
    """

    saved = Signal(object)  # EntitySummary
    saveFinished = Signal(bool)  # a save attempt ended: True written (the form closed), False refused (values kept)
    openRequested = Signal(object)  # uuid.UUID of an existing entity the clerk wants to see instead

    def __init__(
        self,
        ctx: AppContext,
        entity_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        *,
        reveal: bool | None = None,
    ) -> None:
        """`reveal`: load the full personal data at once (audited). Default: no — opening an entity is not a
        reveal; 显示完整信息 reveals (and is logged), and a save keeps masked fields unchanged."""
        super().__init__(parent)
        self._ctx = ctx
        self._may_edit = ctx.can(Permission.ENTITY_EDIT)
        self._masked = False
        self._settings = settings
        self._entity_id = entity_id
        self._version: int | None = None
        self._override_reason: str | None = None
        self._lookalike_reason: str | None = None  # a reviewer's reason to register a name that looks like another
        self._override_identifier = ""
        self._touched: set[str] = set()
        self._save_attempted = False
        self._closing = False
        self.saved_summary: EntitySummary | None = None
        self.errors: dict[str, QLabel] = {}

        self._build()
        self.profile: CreditProfile | None = None
        self.relations: list[RelationView] = []
        self.file_loading = False
        if reveal is None:
            reveal = False
        detail = get_entity(ctx, entity_id, reveal=reveal) if entity_id else None
        self._linked_summary = detail.summary if detail is not None else None
        if detail is not None:
            self._load(detail)
            self.link_button.setVisible(self._may_edit)
            self._set_masked(detail.summary.masked and (detail.summary.kind == EntityKind.PERSON.value or bool(detail.summary.phone)))
            if not self._may_edit:
                self._make_read_only()
        self.setWindowTitle(
            (self.tr("编辑市场主体 — {0}") if self._may_edit else self.tr("查看市场主体 — {0}")).format(detail.summary.name)
            if detail
            else self.tr("新增市场主体")
        )
        self._initial = self._draft()[0]
        self._restore_geometry()
        self.name_edit.setFocus()
        if detail is not None:
            self.load_file()

    # --- building -----------------------------------------------------------------------------------------

    def _field(self, form: QFormLayout, label: str, widget: QWidget, field: str | None = None) -> QWidget:
        """A form row: the widget, and under it the red line for its problems (if the rules know the field).
        Returns the row's field cell."""
        if field is None:
            form.addRow(label, widget)
            return widget
        box, self.errors[field] = with_error_line(self, widget, spacing=2)
        form.addRow(label, box)
        cast(QLabel, form.labelForField(box)).setBuddy(widget)  # addRow(str, …) made a QLabel
        return box

    def _build(self) -> None:
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("必填，与营业执照或身份证一致"))
        self.identifier_edit = QLineEdit(self)
        self.identifier_edit.setPlaceholderText(self.tr("必填：统一社会信用代码或身份证号"))
        self.override_button = QPushButton(self.tr("校验位人工确认…"), self)
        self.reveal_button = QPushButton(self.tr("显示完整信息"), self)
        self.reveal_button.setToolTip(self.tr("显示完整的证件号码和联系电话（将记入操作日志）"))
        self.reveal_button.setVisible(False)
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.clicked.connect(self.reveal_personal)
        self.override_button.setToolTip(self.tr("证照上的代码确实如此（如早期试点代码）时，填写理由后可以登记"))
        self.override_button.setVisible(False)
        self.override_button.clicked.connect(self.confirm_check_character)
        self.override_note = QLabel(self)
        self.override_note.setWordWrap(True)
        self.override_note.setStyleSheet("color: #8d6e00;")
        self.override_note.setVisible(False)
        self.warning_label = QLabel(self)  # soft warnings (e.g. 15-digit ID converted): amber, never blocking
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #8d6e00;")
        self.warning_label.setVisible(False)

        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem(self.tr("自动识别（按证件号码）"), "")
        for kind in EntityKind:
            self.kind_combo.addItem(self.tr(kind.label), kind.value)  # Qt keeps plain strings, not our enums
        self.categories_list = QListWidget(self)
        for code, (label, kind) in CATEGORIES.items():
            item = QListWidgetItem(self.tr(label), self.categories_list)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(self.tr("适用于：{0}").format(self.tr(kind.label)))
        rows = self.categories_list.count()
        self.categories_list.setFixedHeight(
            self.categories_list.sizeHintForRow(0) * rows + 2 * self.categories_list.frameWidth() + 4
        )
        self.legal_rep_edit = QLineEdit(self)
        self.address_edit = QLineEdit(self)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText(self.tr("手机号11位，或区号-号码"))
        self.region_edit = QLineEdit(self)
        self.region_edit.setPlaceholderText(self.tr("留空则取自证件号码"))
        self.status_combo = QComboBox(self)
        for status in EntityStatus:
            self.status_combo.addItem(self.tr(status.label), status.value)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.licence_editor = LicenceEditor(self)

        identifier_box = QWidget(self)
        identifier_row = QHBoxLayout(identifier_box)
        identifier_row.setContentsMargins(0, 0, 0, 0)
        identifier_row.addWidget(self.identifier_edit, 1)
        identifier_row.addWidget(self.override_button)
        identifier_row.addWidget(self.reveal_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._field(form, self.tr("名称(&N)"), self.name_edit, "name")
        identifier_cell = self._field(form, self.tr("证件号码(&I)"), identifier_box, "identifier")
        cast(QLabel, form.labelForField(identifier_cell)).setBuddy(self.identifier_edit)
        form.addRow("", self.override_note)
        form.addRow("", self.warning_label)
        self._field(form, self.tr("主体类型(&K)"), self.kind_combo, "kind")
        self._field(form, self.tr("法定代表人/负责人(&L)"), self.legal_rep_edit)
        self._field(form, self.tr("地址(&A)"), self.address_edit)
        self._field(form, self.tr("联系电话(&P)"), self.phone_edit, "phone")
        self._field(form, self.tr("行政区划代码(&R)"), self.region_edit, "region_code")
        self._field(form, self.tr("状态(&T)"), self.status_combo)
        self._field(form, self.tr("备注(&B)"), self.notes_edit)
        basic = QGroupBox(self.tr("基本信息"), self)
        basic_layout = QVBoxLayout(basic)
        basic_layout.addLayout(form)
        basic_layout.addStretch(1)  # spare height goes below the fields, not between them and their messages

        categories = QGroupBox(self.tr("类别(&C)"), self)
        categories_layout = QVBoxLayout(categories)
        categories_layout.addWidget(self.categories_list)
        self.errors["categories"] = error_label(categories)
        categories_layout.addWidget(self.errors["categories"])
        licences = QGroupBox(self.tr("证照"), self)
        licences_layout = QVBoxLayout(licences)
        licences_layout.addWidget(self.licence_editor)
        self.errors["licences"] = error_label(licences)
        licences_layout.addWidget(self.errors["licences"])

        left = QVBoxLayout()
        left.addWidget(basic, 1)
        left.addWidget(categories)
        right = QVBoxLayout()
        right.addWidget(licences, 1)
        self.history_table: QTableWidget | None = None
        if self._entity_id is not None:
            right.addWidget(self._build_history(), 1)

        self.general_error = error_label(self)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(self.tr("保存 (Ctrl+S)"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(self.tr("取消 (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in a field moves on; it never saves by surprise
            button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        # Saves run off the GUI thread; while one runs these buttons are disabled (restored as they were after it).
        self.ops = OperationRunner(self, self.tr("保存"), busy_widgets=(self.save_button, self.cancel_button))

        basic_page = QWidget(self)
        columns = QHBoxLayout(basic_page)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(basic_page, self.tr("基本信息"))
        self.file_tables: dict[str, SectionTable] = {}
        if self._entity_id is not None:
            self._build_file_tabs()
        else:
            self.tabs.tabBar().setVisible(False)  # a new entity has no file yet
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(150)
        self._validate_timer.timeout.connect(self.validate)
        self._set_tab_order()
        self._watch()

    # --- the entity's file (read-only tabs from the credit profile) -----------------------------------------

    _FILE_TABS = (
        ("ratings", "信用评价", RATING_COLUMNS, "该主体没有适用的信用评价领域"),
        ("commitments", "信用承诺", COMMITMENT_COLUMNS, "无信用承诺记录"),
        ("penalties", "行政处罚（双公示）", PENALTY_COLUMNS, "无行政处罚记录"),
        ("dishonesty", "失信记录", DISHONESTY_COLUMNS, "无失信记录"),
        ("lists", "名单", LIST_COLUMNS, "未列入红名单、黑名单或重点关注名单"),
        ("persons", "关联人员", PERSON_COLUMNS, "没有关联的单位或人员"),
        ("licences", "证照有效期", LICENCE_COLUMNS, "无证照记录"),
    )
    # Tabs: one per section, except 失信记录 and 名单 which share one (both are about the entity's standing).
    _TAB_OF = {"ratings": "信用评价", "commitments": "信用承诺", "penalties": "行政处罚", "dishonesty": "失信与名单",
               "lists": "失信与名单", "persons": "关联人员", "licences": "证照"}

    def _build_file_tabs(self) -> None:
        pages: dict[str, QVBoxLayout] = {}
        self.file_tab_index: dict[str, int] = {}
        for key, title, columns, empty in self._FILE_TABS:
            tab = self._TAB_OF[key]
            if tab not in pages:
                scroll = QScrollArea(self)
                scroll.setWidgetResizable(True)
                scroll.setFrameShape(QScrollArea.Shape.NoFrame)
                inner = QWidget(scroll)
                pages[tab] = QVBoxLayout(inner)
                scroll.setWidget(inner)
                self.file_tab_index[tab] = self.tabs.addTab(scroll, self.tr(tab))
            table = SectionTable([Col(self.tr(c.title), c.sample) for c in columns], self.tr(empty), self)
            self.file_tables[key] = table
            box = QGroupBox(self.tr(title), self)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(table)
            if key == "persons":  # `xuyi entity link` in the window
                self.link_button = QPushButton(self.tr("添加关联…"), box)
                self.link_button.setVisible(False)  # shown for a registered entity to users who may edit
                self.link_button.clicked.connect(lambda: self.add_link())
                box_layout.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignLeft)
            pages[tab].addWidget(box)
        for layout in pages.values():
            layout.addStretch(1)
        self.file_status = QLabel(self.tr("正在读取信用档案…"), self)
        self.file_status.setStyleSheet("color: #555;")
        self.tabs.setCornerWidget(self.file_status, Qt.Corner.TopRightCorner)

    def add_link(self, *, exec_dialog: bool = True) -> QDialog | None:
        """添加关联…: a person linked to this unit, or this person to a unit (services.entities.link_person, as
        `xuyi entity link`); the 关联人员 tab is read again after saving."""
        from xuyi_desktop.ui.link_dialog import LinkDialog

        summary = self._linked_summary
        if summary is None or not self._may_edit:
            return None
        dialog = LinkDialog(self._ctx, summary.id, summary.name, summary.kind, self)
        dialog.accepted.connect(self.load_file)
        self.link_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def load_file(self) -> None:
        """The ratings, commitments, penalties, lists, linked persons and licences, read off the GUI thread
        (masked: reading the file is not a reveal)."""
        if self._entity_id is None:
            return
        ctx, entity_id = self._ctx, self._entity_id
        self.file_loading = True

        def read() -> tuple[CreditProfile, list[RelationView]]:
            return get_profile(ctx, entity_id), entity_relations(ctx, entity_id)

        run_in_background(read, self._file_loaded, self._file_failed, owner=self)

    def _file_failed(self, exc: BaseException) -> None:
        self.file_loading = False
        from xuyi_desktop.ui.error_dialog import clerk_message

        self.file_status.setText(self.tr("信用档案读取失败：{0}").format(clerk_message(exc)))
        self.file_status.setStyleSheet(f"color: {RESTRICTION.name()};")

    def _file_loaded(self, result: tuple[CreditProfile, list[RelationView]]) -> None:
        self.file_loading = False
        p, self.relations = result
        self.profile = p
        t = self.file_tables
        ratings = []
        for r in p.ratings:
            valid, notes = rating_validity(self, r)
            grade = (self.tr("暂定{0}级") if r.provisional else self.tr("{0}级")).format(r.grade) if r.grade else self.tr("未评价")
            colour = PROVISIONAL if r.provisional else (None if r.grade else GREYED)
            ratings.append([item(r.domain_name), item(grade, colour, bold=True), item(r.status_label, colour),
                            item(self.tr("{0}年度").format(r.period) if r.period else "—"), item(r.organ or "—"), item(valid),
                            item("；".join(notes))])
        t["ratings"].set_rows(ratings)
        commitments = []
        for c in p.commitments:
            violated = c.status == "violated"
            bad = RESTRICTION if violated or c.overdue else GREYED if c.status == "revoked" else None
            state = c.status_label + (self.tr("（逾期）") if c.overdue else "")
            commitments.append([item(c.serial), item(state, bad, bold=violated or c.overdue), item(c.type_name),
                                item(c.business + (self.tr("；违诺事实：{0}").format(c.violation_facts) if violated and c.violation_facts else "")),
                                item(str(c.signed_on)), item(str(c.term_until))])
        t["commitments"].set_rows(commitments)
        t["penalties"].set_rows([
            [item(str(x.decided_on or "")), item(x.document_no, tip=x.deciding_organ), item(x.facts, tip=x.content),
             item(x.publicity_class, RESTRICTION if x.publicity_class == "严重" else AMBER if x.publicity_class == "待定" else None),
             item(str(x.publicity_end or "—")), item(x.state.label, PENALTY_STATE_COLOURS.get(x.state.value), bold=x.in_publicity)]
            for x in p.penalties
        ])
        t["dishonesty"].set_rows([
            [item(str(d.occurred_on), RESTRICTION if d.active else GREYED), item(d.category, RESTRICTION if d.active else GREYED, bold=d.active),
             item(d.description or "—"), item(str(d.ends_on) if d.ends_on else self.tr("未结束")),
             item(self.tr("有效") if d.active else self.tr("已结束"), RESTRICTION if d.active else GREYED, bold=d.active)]
            for d in p.dishonesty
        ])
        t["lists"].set_rows([
            [item(m.list_name, RESTRICTION if m.list_type in ("black", "overload") else INCENTIVE if m.list_type == "red" else None, bold=True),
             item(str(m.entered_on)), item(str(m.expires_on or "—")), item(m.reason)]
            for m in p.lists
        ])
        t["persons"].set_rows(
            [[item(r.other.name), item(r.other.identifier), item(r.relation_type.label), item(r.title or "—"),
              item(str(r.start_date or "—"))] for r in self.relations],
            keys=[r.other.id for r in self.relations],
        )
        self._fill_licences(p)
        counts = {"信用评价": len(p.ratings), "信用承诺": len(p.commitments), "行政处罚": len(p.penalties),
                  "失信与名单": len(p.dishonesty) + len(p.lists), "关联人员": len(self.relations), "证照": len(p.licences)}
        for tab, index in self.file_tab_index.items():
            self.tabs.setTabText(index, self.tr("{0}（{1}）").format(self.tr(tab), counts[tab]))
        self.file_status.setText(self.tr("信用档案：{0}").format(p.as_of.isoformat()))
        self._highlight_licence_editor(p.as_of)

    def _fill_licences(self, p: CreditProfile) -> None:
        rows = []
        for lic in p.licences:
            state = licence_expiry_state(lic.valid_to, p.as_of) if lic.state != "未生效" else ""
            text = {"expired": self.tr("已过期"), "expiring": self.tr("{0}天内到期").format((lic.valid_to - p.as_of).days if lic.valid_to else 0)}.get(state, lic.state)
            colour = RESTRICTION if state == "expired" else AMBER if state == "expiring" else INCENTIVE if lic.state == "有效" else AMBER
            cells = [item(lic.licence_type), item(lic.number), item(str(lic.valid_from or "—")),
                     item(str(lic.valid_to or "长期"), colour if state else None, bold=bool(state)), item(text, colour, bold=bool(state))]
            if state:
                for cell in cells:
                    cell.setBackground(QBrush(EXPIRED_BACKGROUND if state == "expired" else EXPIRING_BACKGROUND))
            rows.append(cells)
        self.file_tables["licences"].set_rows(rows, keys=[licence_expiry_state(lic.valid_to, p.as_of) for lic in p.licences])

    def _highlight_licence_editor(self, as_of: dt.date) -> None:
        """The editable licence rows on 基本信息: an expired end date red, one within the warning period amber."""
        table = self.licence_editor.table
        blocker = table.blockSignals(True)
        try:
            for row in range(table.rowCount()):
                cell = table.item(row, 3)
                if cell is None:
                    continue
                try:
                    valid_to = dt.date.fromisoformat(cell.text().strip()) if cell.text().strip() else None
                except ValueError:
                    continue
                state = licence_expiry_state(valid_to, as_of)
                if state:
                    cell.setBackground(QBrush(EXPIRED_BACKGROUND if state == "expired" else EXPIRING_BACKGROUND))
                    cell.setForeground(QBrush(RESTRICTION if state == "expired" else AMBER))
                    cell.setToolTip(self.tr("已过期") if state == "expired" else self.tr("即将到期"))
        finally:
            table.blockSignals(blocker)

    def _set_tab_order(self) -> None:
        """Tab walks the form top to bottom, left column first, then licences, history and the buttons."""
        chain: list[QWidget] = [
            self.name_edit,
            self.identifier_edit,
            self.override_button,
            self.kind_combo,
            self.legal_rep_edit,
            self.address_edit,
            self.phone_edit,
            self.region_edit,
            self.status_combo,
            self.notes_edit,
            self.categories_list,
            self.licence_editor.table,
            self.licence_editor.add_button,
            self.licence_editor.remove_button,
        ]
        if self.history_table is not None:
            chain.append(self.history_table)
        chain += [self.save_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _build_history(self) -> QGroupBox:
        box = QGroupBox(self.tr("修改记录"), self)
        table = record_table(box, [self.tr("时间"), self.tr("办公室"), self.tr("操作"), self.tr("摘要")], tab_keys=False)
        header = table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(box)
        layout.addWidget(table)
        self.history_table = table
        return box

    def _watch(self) -> None:
        """Every edit marks its field as touched and re-runs the rules shortly after the clerk pauses."""
        for edit, field in (
            (self.name_edit, "name"),
            (self.identifier_edit, "identifier"),
            (self.legal_rep_edit, ""),
            (self.address_edit, ""),
            (self.phone_edit, "phone"),
            (self.region_edit, "region_code"),
        ):
            edit.textEdited.connect(lambda _text, f=field: self._changed(f))
            edit.textChanged.connect(lambda _text: self._validate_timer.start())
            edit.returnPressed.connect(self.focusNextChild)
        self.identifier_edit.textChanged.connect(self._identifier_changed)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._changed("kind", also=("identifier", "categories")))
        self.status_combo.currentIndexChanged.connect(lambda _i: self._changed(""))
        self.categories_list.itemChanged.connect(lambda _item: self._changed("categories"))
        self.notes_edit.textChanged.connect(lambda: self._changed(""))
        self.licence_editor.changed.connect(lambda: self._changed("licences"))

    # --- loading and reading ------------------------------------------------------------------------------

    def _load(self, detail: EntityDetail) -> None:
        summary = detail.summary
        self._version = summary.version
        self.name_edit.setText(summary.name)
        self.identifier_edit.setText(summary.identifier)
        if detail.check_override_reason:  # keep the earlier written reason for the unchanged identifier
            self._override_reason, self._override_identifier = detail.check_override_reason, summary.identifier
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(summary.kind))
        self.kind_combo.setEnabled(False)
        self.kind_combo.setToolTip(self.tr("已登记主体的类型不能更改"))
        for row in range(self.categories_list.count()):
            item = self.categories_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in summary.categories
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.legal_rep_edit.setText(summary.legal_representative)
        self.address_edit.setText(detail.address)
        self.phone_edit.setText(summary.phone)
        self.region_edit.setText(summary.region_code)
        self.status_combo.setCurrentIndex(self.status_combo.findData(summary.status))
        self.notes_edit.setPlainText(detail.notes)
        self.licence_editor.set_licences(detail.licences)
        self._touched.clear()
        self._show_history(entity_history(self._ctx, summary.id))
        self._refresh_override()

    def _set_masked(self, masked: bool) -> None:
        """Masked values are shown read-only; the button to reveal them only to those with the right."""
        self._masked = masked
        for edit in (self.identifier_edit, self.phone_edit):
            edit.setReadOnly(masked or not self._may_edit)
        self.reveal_button.setVisible(masked and self._ctx.can(Permission.REVEAL_PERSONAL))
        if masked:
            self.override_button.setVisible(False)
            self._show_problems([])

    def _make_read_only(self) -> None:
        """No right to register or edit: the form only shows the entity."""
        for edit in (self.name_edit, self.identifier_edit, self.legal_rep_edit, self.address_edit, self.phone_edit, self.region_edit):
            edit.setReadOnly(True)
        self.notes_edit.setReadOnly(True)
        for widget in (self.status_combo, self.categories_list, self.licence_editor):
            widget.setEnabled(False)
        self.override_button.setVisible(False)
        self.save_button.setEnabled(False)
        self.save_button.setToolTip(self.tr("当前用户没有“登记和修改”的权限"))

    def reveal_personal(self) -> bool:
        """显示完整信息: the full ID number and phone from the service (which checks the right and audits)."""
        if self._entity_id is None or not self._masked:
            return False
        try:
            detail = get_entity(self._ctx, self._entity_id, reveal=True)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("显示完整信息"), refused.message_zh)
            return False
        summary = detail.summary
        self.identifier_edit.setText(summary.identifier)
        self.phone_edit.setText(summary.phone)
        self._initial = replace(self._initial, identifier=summary.identifier, phone=summary.phone)
        self._set_masked(False)
        self._refresh_override()
        return True

    def _show_history(self, entries: list[HistoryEntry]) -> None:
        if self.history_table is None:
            return
        self.history_table.setRowCount(len(entries))
        for row, entry in enumerate(sorted(entries, key=lambda e: (e.at, e.version), reverse=True)):
            for column, text in enumerate(
                (local_time(entry.at), entry.office_code, action_label(entry.action), change_summary(entry))
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history_table.setItem(row, column, item)

    def _draft(self) -> tuple[EntityDraft, list[FieldProblem]]:
        """What the clerk typed, as a draft; plus problems the form itself finds (dates that are not dates)."""
        codes = tuple(
            self.categories_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.categories_list.count())
            if self.categories_list.item(row).checkState() == Qt.CheckState.Checked
        )
        licences, date_problems = self.licence_editor.licences()
        draft = EntityDraft(
            name=self.name_edit.text(),
            identifier=self.identifier_edit.text(),
            kind=EntityKind(self.kind_combo.currentData()) if self.kind_combo.currentData() else None,
            categories=codes,
            legal_representative=self.legal_rep_edit.text(),
            address=self.address_edit.text(),
            phone=self.phone_edit.text(),
            region_code=self.region_edit.text(),
            status=EntityStatus(self.status_combo.currentData()),
            notes=self.notes_edit.toPlainText(),
            licences=licences,
        )
        return draft, [FieldProblem("licences", message) for message in date_problems]

    def is_dirty(self) -> bool:
        return self._draft()[0] != self._initial

    # --- validation ---------------------------------------------------------------------------------------

    def _changed(self, field: str, also: tuple[str, ...] = ()) -> None:
        if field:
            self._touched.add(field)
            self._touched.update(also)
        self._validate_timer.start()

    def _identifier_changed(self, text: str) -> None:
        if text.strip() != self._override_identifier:
            self._override_reason, self._override_identifier = None, ""  # a reason covers one exact code only

    def _rule_problems(self, draft: EntityDraft) -> tuple[list[FieldProblem], list[FieldProblem]]:
        """(problems, warnings) from the domain rules; nothing is decided here."""
        try:
            checked = check_entity_draft(draft, override_reason=self._override_reason)
        except ValidationError as exc:
            return exc.problems, []
        return [], list(checked.warnings)

    def _overridable(self, draft: EntityDraft) -> bool:
        """Would a written reason make the identifier pass? (Only a wrong USCC check character can be overridden.)"""
        try:
            check_entity_draft(draft, override_reason=_PROBE_REASON)
        except ValidationError as exc:
            return not exc.for_field("identifier")
        return True

    def validate(self) -> list[FieldProblem]:
        """Run the rules now and show the problems of the fields the clerk has touched (all of them after a save)."""
        self._validate_timer.stop()
        if self._entity_id is not None and not self._may_edit:
            return []  # nothing here will be saved
        draft, own = self._draft()
        problems, warnings = self._rule_problems(draft)
        if self._masked:  # masked fields are kept as stored (the service checks the real values)
            problems = [p for p in problems if p.field not in ("identifier", "phone", "kind", "region_code")]
            warnings = []
        problems += own
        shown = problems if self._save_attempted else [p for p in problems if p.field in self._touched]
        self._show_problems(shown)
        soft = [w.message_zh for w in warnings if w.field == "identifier"]
        self.warning_label.setText("\n".join(soft))
        self.warning_label.setVisible(bool(soft))
        self._refresh_override(draft, problems)
        return problems

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field if problem.field in self.errors else "", []).append(problem.message_zh)
        for field, label in self.errors.items():
            messages = by_field.get(field, [])
            label.setText("\n".join(messages))
            label.setVisible(bool(messages))
        general = by_field.get("", [])
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))

    def _refresh_override(self, draft: EntityDraft | None = None, problems: list[FieldProblem] | None = None) -> None:
        draft = draft or self._draft()[0]
        if problems is None:
            problems = self._rule_problems(draft)[0]
        blocked = any(p.field == "identifier" for p in problems)
        self.override_button.setVisible(bool(self._override_reason) or (blocked and self._overridable(draft)))
        self.override_button.setText(self.tr("修改确认理由…") if self._override_reason else self.tr("校验位人工确认…"))
        if self._override_reason:
            self.override_note.setText(self.tr("校验位已人工确认，理由：{0}").format(self._override_reason))
        self.override_note.setVisible(bool(self._override_reason))

    def confirm_check_character(self) -> None:
        """Accept a wrong USCC check character only with a written reason (it goes into the change log)."""
        reason, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("校验位人工确认"),
            self.tr(
                "该统一社会信用代码的校验位与国家标准的计算结果不符。\n"
                "如已核对营业执照，代码确实如此（如早期试点代码），请填写理由（将记入修改记录）："
            ),
            self._override_reason or "",
        )
        if ok and reason.strip():
            self._override_reason, self._override_identifier = reason.strip(), self.identifier_edit.text().strip()
        elif ok:
            self._override_reason, self._override_identifier = None, ""
        self.validate()

    def _ask_lookalike_reason(self, refused: LookalikeNameError) -> bool:
        """A reviewer may register a name that renders like a registered one (`--lookalike-reason` in the CLI):
        only with a written reason, which the service audits. Clerks see the refusal under the name field."""
        reason, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("名称形似已登记主体"),
            self.tr("{0}\n\n如已核对证照，确属另一主体，请填写理由（将记入操作日志）：").format(refused.message_zh),
            self._lookalike_reason or "",
        )
        if not (ok and reason.strip()):
            return False
        self._lookalike_reason = reason.strip()
        return True

    def _focus_first(self, problems: list[FieldProblem]) -> None:
        fields = {p.field for p in problems}
        targets = {
            "name": self.name_edit,
            "identifier": self.identifier_edit,
            "kind": self.kind_combo,
            "categories": self.categories_list,
            "phone": self.phone_edit,
            "region_code": self.region_edit,
            "licences": self.licence_editor.table,
        }
        for field in FIELDS:
            if field in fields:
                targets[field].setFocus()
                return

    # --- saving -------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Ctrl+S: check, then register or update off the GUI thread; on any refusal the typed values stay in the
        form. True when the save was started (its end is `saveFinished`), False when refused before it started."""
        if self.ops.busy:
            return False  # a save is running: Ctrl+S again must not write twice
        if self._entity_id is not None and not self._may_edit:
            QMessageBox.warning(self, self.tr("保存"), self.tr("当前用户没有“登记和修改”的权限"))
            self.saveFinished.emit(False)
            return False
        self._save_attempted = True
        problems = self.validate()
        if problems:
            self._focus_first(problems)
            self.saveFinished.emit(False)
            return False
        return self._submit(self._draft()[0], allow_similar=False)

    @property
    def saving(self) -> bool:
        """A save is running in the background (the buttons are disabled until it ends)."""
        return self.ops.busy

    def _writer(self, draft: EntityDraft, allow_similar: bool) -> Callable[[], EntitySummary]:
        """The service call for the worker thread, with the form's state read now, on the GUI thread. The
        services open their own session per call (AppContext.transaction), so the worker shares none."""
        ctx, entity_id, version = self._ctx, self._entity_id, self._version
        override, lookalike, masked = self._override_reason, self._lookalike_reason, self._masked

        def write() -> EntitySummary:
            if entity_id is None:
                detail = register_entity(ctx, draft, allow_similar=allow_similar, override_reason=override,
                                         lookalike_reason=lookalike)
            else:
                detail = update_entity(
                    ctx,
                    entity_id,
                    draft,
                    expected_version=version,
                    allow_similar=allow_similar,
                    override_reason=override,
                    lookalike_reason=lookalike,
                    masked_unchanged=masked,  # the masked ID number and phone stay as stored
                )
            return get_entity(ctx, detail.summary.id).summary  # masked, as the table shows it

        return write

    def _submit(self, draft: EntityDraft, allow_similar: bool) -> bool:
        """Start the write in the background; the answer comes back on the GUI thread (_written or _refused)."""
        started = self.ops.run(
            self.tr("正在保存…"), self._writer(draft, allow_similar), self._written,
            failed=lambda exc: self._refused(exc, draft, allow_similar),
        )
        return started is not None

    def _written(self, summary: EntitySummary) -> None:
        self.saved_summary = summary
        self._closing = True
        self.accept()
        self.saved.emit(self.saved_summary)
        self.saveFinished.emit(True)

    def _refused(self, exc: BaseException, draft: EntityDraft, allow_similar: bool) -> None:
        """The service said no: the same message at the same place as a save on the GUI thread showed it; a
        confirmation (similar name, conflict, look-alike reason) is asked here and the save started again."""
        if not self._retry_after(exc, draft, allow_similar):
            self.saveFinished.emit(False)

    def _retry_after(self, exc: BaseException, draft: EntityDraft, allow_similar: bool) -> bool:
        """True when the clerk's answer started the save again (its own end then emits saveFinished)."""
        title = self.tr("保存")
        if isinstance(exc, SimilarNameWarning):
            question = self.tr("{0}\n\n名称相近的主体已经存在，仍要保存吗？").format(exc.message_zh)
            return confirm(self, self.tr("名称相近"), question) and self._submit(draft, allow_similar=True)
        if isinstance(exc, DuplicateIdentifierError):
            self._show_problems([FieldProblem("identifier", exc.message_zh)])
            self.identifier_edit.setFocus()
            if confirm(
                self,
                self.tr("证件号码已登记"),
                self.tr("{0}\n\n要打开已登记的“{1}”吗？（本窗口填写的内容将不保存）").format(
                    exc.message_zh, exc.existing.name
                ),
            ):
                self._closing = True
                super().reject()
                self.openRequested.emit(exc.existing.id)
            return False
        if isinstance(exc, ConcurrentEditError):
            if not confirm(
                self,
                self.tr("保存冲突"),
                self.tr(
                    "{0}\n\n您填写的内容仍保留在本窗口中。要以您填写的内容为准再次保存吗？\n"
                    "（将替换对方的修改，两次修改都会留在修改记录中；选“否”可继续编辑或取消）"
                ).format(exc.message_zh),
            ):
                return False
            self._version = exc.actual  # the clerk has seen the conflict and chosen their values
            return self._submit(draft, allow_similar)
        if isinstance(exc, LookalikeNameError):
            self._show_problems(exc.problems)
            self._focus_first(exc.problems)
            return may_override_lookalike(self._ctx) and self._ask_lookalike_reason(exc) and self._submit(draft, allow_similar)
        if isinstance(exc, ValidationError):
            self._show_problems(exc.problems)
            self._focus_first(exc.problems)
            return False
        if isinstance(exc, DomainError):
            QMessageBox.warning(self, title, exc.message_zh)
            return False
        # e.g. database locked or gone: say so, keep the typed values
        from xuyi_desktop.ui.error_dialog import show_error

        show_error(self, title, self.tr("保存失败，本次未写入，填写的内容仍保留在窗口中。"), exc)
        return False

    # --- closing ------------------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc or the close button: ask before throwing away edits."""
        if self.ops.busy:
            return  # a save is running: its answer decides whether the form closes
        if not self._closing and self.is_dirty():
            if not confirm(self, self.tr("放弃修改"), self.tr("填写的内容尚未保存，确定放弃吗？")):
                return
        self._closing = True
        super().reject()

    def done(self, result: int) -> None:
        self._save_geometry()
        super().done(result)

    def _restore_geometry(self) -> None:
        geometry = self._settings.value(_GEOMETRY_KEY) if self._settings is not None else None
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 640)

    def _save_geometry(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
