"""Find an entity and pick one of its credit records: the first half of a repair application, an objection and a
manual list proposal. The records come from the entity's credit profile (services.profile.get_profile), shown as
the profile states them; the widget decides nothing (the services refuse what may not be done, with the reason).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.profile import CreditProfile, PenaltyState
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.profile_widgets import PENALTY_STATE_COLOURS, item
from xuyi_desktop.ui.rating_common import GREYED
from xuyi_desktop.ui.record_widgets import SelectionMode, query_row, record_table, show_problem
from xuyi_desktop.ui.widgets import error_label

# What a picker lists: the records a repair applies to (penalties in publicity, dishonesty in force), every
# record an objection may dispute, or the records a list entry may rest on.
REPAIRABLE, DISPUTABLE, LIST_SOURCES = "repairable", "disputable", "list_sources"


@dataclass(frozen=True)
class PickRow:
    kind: str  # penalty / dishonesty / rating / commitment / list
    record_id: str
    kind_label: str
    text: str
    day: dt.date | None
    state: str
    state_key: str = ""  # a PenaltyState value (colour), or ""
    earliest: dt.date | None = None  # the earliest day repair may be applied for (repairable records)


def _dishonesty_earliest(category: str, occurred: dt.date) -> dt.date | None:
    from xuyi_desktop.services.repair import repair_rules

    try:
        return repair_rules().dishonesty_earliest(category, occurred)
    except DomainError:
        return None


def rows_of(profile: CreditProfile, mode: str) -> list[PickRow]:
    """The profile's records a picker in `mode` offers, as the profile states them."""
    out: list[PickRow] = []
    for p in profile.penalties:
        if mode == REPAIRABLE and p.state is not PenaltyState.IN_PUBLICITY:
            continue
        if p.state is PenaltyState.WITHDRAWN:
            continue
        until = f"（至{p.publicity_end}）" if p.state is PenaltyState.IN_PUBLICITY and p.publicity_end else ""
        out.append(PickRow("penalty", p.lineage_id, "行政处罚", f"{p.document_no}　{p.publicity_class}　{p.facts}".strip(),
                           p.decided_on, p.state.label + until, p.state.value, p.repair_from))
    for d in profile.dishonesty:
        if mode == REPAIRABLE and not d.active:
            continue
        state = "有效" if d.active else (f"已修复（{d.repaired_on}）" if d.repaired_on else f"已结束（{d.ends_on}）")
        out.append(PickRow("dishonesty", d.record_id, "失信记录", f"{d.category}　{d.description}".strip(), d.occurred_on,
                           state, "in_publicity" if d.active else "expired",
                           _dishonesty_earliest(d.category, d.occurred_on) if mode == REPAIRABLE else None))
    if mode != DISPUTABLE:
        return out
    for h in profile.rating_history:
        out.append(PickRow("rating", h.rating_id, "信用评价", f"{h.domain_name} {h.period}年度 {h.grade}级", h.decision_date,
                           h.status_label))
    for c in profile.commitments:
        out.append(PickRow("commitment", c.record_id, "信用承诺", f"{c.serial}　{c.type_name}　{c.business}", c.signed_on,
                           c.status_label))
    for m in profile.lists:
        if m.record_id:
            out.append(PickRow("list", m.record_id, "名单", m.list_name, m.entered_on,
                               f"至{m.expires_on}" if m.expires_on else ""))
    return out


class RecordPicker(QWidget):
    """An entity box (identifier, name or pinyin initials; Enter or 查找) over the table of its records."""

    entityFound = Signal()
    selectionChanged = Signal()

    def __init__(self, ctx: AppContext, mode: str, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.mode, self._today = ctx, mode, today
        self.profile: CreditProfile | None = None
        self.rows: list[PickRow] = []
        # find(text=None): the button's `checked` must not reach it as the text.
        self.entity_edit, self.find_button, top = query_row(
            self, self.tr("统一社会信用代码 / 身份证号码 / 名称 / 拼音首字母，回车查找"), self.tr("查找"), lambda: self.find(),
        )
        self.find_button.setAutoDefault(False)
        self.entity_label = QLabel(self)
        self.entity_label.setWordWrap(True)
        self.error = error_label(self)
        titles = ["类型", "记录", "日期", "状态"] + (["最早可申请日"] if mode == REPAIRABLE else [])
        self.table = record_table(self, titles, selection=SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(self.fontMetrics().height() * 8)
        top.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.entity_label)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        self.table.itemSelectionChanged.connect(self.selectionChanged.emit)

    @property
    def entity_id(self) -> str | None:
        return self.profile.entity.id if self.profile else None

    @property
    def entity_name(self) -> str:
        return self.profile.entity.name if self.profile else ""

    def find(self, text: str | None = None) -> bool:  # type: ignore[override]  # the picker's own verb (tests, dialogs)
        """Look the entity up and list its records; a refusal (none, several) is shown under the box."""
        from xuyi_desktop.services.credit_check import resolve_query
        from xuyi_desktop.services.profile import get_profile

        if text is not None:
            self.entity_edit.setText(text)
        self.error.setVisible(False)
        query = self.entity_edit.text().strip()
        if not query:
            return False
        try:
            entity_id = resolve_query(self.ctx, query)
            self.profile = get_profile(self.ctx, entity_id, as_of=self._today)
        except DomainError as refused:
            self.profile, self.rows = None, []
            self.entity_label.clear()
            show_problem(self.error, refused)
            self._fill()
            return False
        e = self.profile.entity
        self.entity_label.setText(f"<b>{html.escape(e.name)}</b>　{e.identifier}　{e.kind_label}　{e.status_label}")
        self.rows = rows_of(self.profile, self.mode)
        self._fill()
        self.entityFound.emit()
        return True

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows) or 1)
        self.table.clearSpans()
        if not self.rows:
            empty = {REPAIRABLE: "该主体没有公示中的行政处罚或有效的失信记录，无需信用修复",
                     DISPUTABLE: "该主体没有可提出异议的信用记录", LIST_SOURCES: "该主体没有行政处罚或失信记录"}[self.mode]
            cell = item(empty if self.profile else "", GREYED)
            cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(0, 0, cell)
            self.table.setSpan(0, 0, 1, self.table.columnCount())
            self.selectionChanged.emit()
            return
        for r, row in enumerate(self.rows):
            cells = [row.kind_label, row.text, str(row.day or ""), row.state]
            if self.mode == REPAIRABLE:
                cells.append(str(row.earliest or ""))
            for c, text in enumerate(cells):
                cell = item(text, PENALTY_STATE_COLOURS.get(row.state_key) if c == 3 else None, tip=text)
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if len(self.rows) == 1:
            self.table.selectRow(0)
        self.selectionChanged.emit()

    def selected(self) -> PickRow | None:
        chosen = self.table.selectionModel().selectedRows()
        if not chosen or not self.rows:
            return None
        return self.rows[chosen[0].row()] if chosen[0].row() < len(self.rows) else None

    def select_record(self, record_id: str) -> bool:
        for r, row in enumerate(self.rows):
            if row.record_id == str(record_id):
                self.table.selectRow(r)
                return True
        return False
