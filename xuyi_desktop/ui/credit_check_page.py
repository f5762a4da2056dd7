"""The 信用核查 page: the counter screen. Type a name, identifier or pinyin initials, press Enter, read the verdict.

A query that names one entity (an identifier, an exact name, a fragment with one hit) is checked at once; a
fragment that matches several shows the candidates and checks nothing (no serial used) until the clerk picks one.
Every check is one explicit request (Enter, a pick): switching the business type (F6) marks the shown result as
belonging to the old business and waits for Enter. The page shows the check result as services.credit_check
composed it from the credit profile — verdict, incentives and restrictions with their source, the incentives a
restriction overrode, grades, penalties in publicity, dishonesty, commitments, lists; it holds no rule.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.rating_schemes import SchemeError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import AmbiguousQueryError, CreditCheckResult, check_entity, run_check
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.ui.formatting import local_time
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.profile_widgets import (
    AMBER,
    CLASS_SOURCE_NOTE,
    PENALTY_STATE_COLOURS,
    Col,
    SectionTable,
    VerdictBanner,
    item,
    section,
)
from xuyi_desktop.ui.rating_common import (
    CONSEQUENCE_STYLE,
    GREYED,
    PROVISIONAL,
    RESTRICTION,
    grade_colour,
    printing_function,
)
from xuyi_desktop.ui.record_widgets import (
    SelectionMode,
    button_row,
    make_headline,
    open_window,
    record_table,
    search_box,
    vertical_scroll,
)
from xuyi_desktop.ui.widgets import page_action

_BUSINESS_KEY = "credit_check/business"


def list_badges(lists: list[dict]) -> str:
    """【红名单】, 【黑名单】 … beside the name: a membership the clerk must not miss below the fold."""
    colours = {"red": "#2e7d32", "watch": AMBER.name()}
    out = []
    for m in lists:
        name = str(m.get("name", ""))
        short = name[name.rindex("（") + 1:-1] if name.endswith("）") and "（" in name else name
        out.append(f"<span style='color:{colours.get(str(m.get('type')), RESTRICTION.name())}; font-weight:bold'>【{short}】</span>")
    return "".join(out)
CANDIDATE_ROWS = 8  # rows the candidate list shows before it scrolls


class GradeColumn:
    DOMAIN, GRADE, PERIOD, ORGAN, VALID_UNTIL, NOTE = range(6)
    COLUMNS = (
        Col("领域", "公路水运工程建设从业单位"), Col("等级", "暂定AAA级"), Col("年度", "2026年度"),
        Col("评价机关", "盱眙县交通运输局"), Col("有效期至", "2026-12-31"), Col("说明"),
    )


class ConsequenceColumn:
    KIND, TEXT, SOURCE = range(3)
    COLUMNS = (Col("类型", "— 不适用"), Col("措施"), Col("依据（触发的信用信息）"))


class PenaltyColumn:
    DECIDED, DOCUMENT, FACTS, CATEGORIES, CLASS, END, STATE = range(7)
    COLUMNS = (
        Col("决定日期", "2026-12-31"), Col("决定文书号", "盱交罚〔2026〕1234号"), Col("违法行为"),
        Col("处罚类别", "罚款、吊销许可证件"), Col("公示类别", "一般（按规则推定）"), Col("公示截止", "2026-12-31"),
        Col("状态", "公示类别待定"),
    )


class CandidateColumn:
    NAME, IDENTIFIER, KIND, CATEGORIES, STATUS = range(5)
    TITLES = ("名称", "证件号码", "类型", "类别", "状态")


DISHONESTY_COLUMNS = (
    Col("发生日期", "2026-12-31"), Col("失信类别", "违反信用承诺"), Col("说明"), Col("文号", "盱交罚〔2026〕12号"),
    Col("结束日期", "2026-12-31"),
)
COMMITMENT_COLUMNS = (
    Col("编号", "TMP-ABCDEF-CN-2026-000001"), Col("状态", "履约中（逾期）"), Col("承诺类型", "审批替代型（告知承诺）"),
    Col("应用领域", "行政许可"), Col("涉及业务"), Col("期限至", "2026-12-31"),
)
LIST_COLUMNS = (Col("名单", "失信联合惩戒对象名单"), Col("列入日期", "2026-12-31"), Col("到期日期", "2026-12-31"), Col("原因"))


def grade_label(grade: str | None, provisional: bool) -> str:
    if not grade:
        return "无"
    return f"暂定{grade}级" if provisional else f"{grade}级"


def class_label(klass: str, source: str) -> str:
    note = CLASS_SOURCE_NOTE.get(source, "")
    return f"{klass}（{note}）" if note and klass != "待定" else klass


class CreditCheckPage(QWidget):
    """Search box and business type on top; the verdict, the entity and its whole credit profile below."""

    message = Signal(str)  # a short notice for the status bar
    checked = Signal(object)  # CreditCheckResult, after it is shown
    checkFailed = Signal(str)
    candidatesShown = Signal(int)  # an ambiguous query: how many candidates (nothing was checked)
    scroll: QScrollArea  # type: ignore[assignment]  # the result's scroll area (tests read it), not QWidget.scroll()

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.result: CreditCheckResult | None = None
        self._result_query = ""
        self.hits: list[EntitySummary] = []
        self.busy = False
        self.profile_dialog: QWidget | None = None
        self._print = printing_function("print_credit_check")
        self._build()
        self._wire()
        self._restore_business()
        self._show_empty()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = search_box(self, self.tr("输入名称、证件号码或拼音首字母，回车核查"))
        self.search_edit.setToolTip(
            self.tr("回车核查；匹配到多个主体时先列出候选（↓ 进入列表，回车核查）；F6 切换业务类型；Ctrl+P 打印核查结果单；Ctrl+D 信用档案")
        )
        self.check_button = QPushButton(self.tr("核查 (Enter)"), self)
        self.business_combo = QComboBox(self)
        self.business_combo.setToolTip(self.tr("办理的业务类型（F6 切换，回车按新业务类型核查）"))
        for business in registry().businesses:
            self.business_combo.addItem(business.name, business.code)
        business_label = QLabel(self.tr("业务类型(F6)："), self)
        business_label.setBuddy(self.business_combo)

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)

        # Candidates of an ambiguous query: nothing is checked (and no serial used) until the clerk picks one.
        self.candidate_table = record_table(self, [self.tr(t) for t in CandidateColumn.TITLES],
                                            selection=SelectionMode.SingleSelection, tab_keys=False)
        self.candidate_table.setWordWrap(False)
        heads = self.candidate_table.horizontalHeader()
        heads.setHighlightSections(False)
        heads.setSectionResizeMode(CandidateColumn.NAME, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for column, sample in (
            (CandidateColumn.IDENTIFIER, "91320830PYQLFT169T"), (CandidateColumn.KIND, "单位"),
            (CandidateColumn.CATEGORIES, "公路水运工程建设从业单位"), (CandidateColumn.STATUS, "存续"),
        ):
            self.candidate_table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self.candidate_label = QLabel(self)
        self.candidate_label.setWordWrap(True)
        self.candidate_box = QGroupBox(self.tr("匹配到多个主体：请选择要核查的主体（↑↓ 选择，回车或双击核查）"), self)
        candidate_layout = QVBoxLayout(self.candidate_box)
        candidate_layout.setContentsMargins(6, 4, 6, 6)
        candidate_layout.addWidget(self.candidate_label)
        candidate_layout.addWidget(self.candidate_table)
        self.candidate_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.candidate_box.setVisible(False)

        # The entity and the check's identity.
        self.name_label = QLabel(self)
        make_headline(self.name_label, self.font())
        self.meta_label = QLabel(self)
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label.setWordWrap(True)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.serial_label = QLabel(self)
        self.serial_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.serial_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QFrame(self)
        header.setFrameShape(QFrame.Shape.StyledPanel)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(10, 6, 10, 6)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name_label)
        names.addWidget(self.meta_label)
        names.addWidget(self.summary_label)
        header_layout.addLayout(names, 1)
        header_layout.addWidget(self.serial_label)
        self.header_frame = header

        self.banner = VerdictBanner(self)

        # The profile as the check saw it: one scrolling column of sections, each as tall as its rows.
        self.consequences_table = SectionTable(ConsequenceColumn.COLUMNS, self.tr("该业务没有适用的激励或约束措施"))
        self.grades_table = SectionTable(GradeColumn.COLUMNS, self.tr("该主体没有适用的信用评价领域"))
        self.penalties_table = SectionTable(PenaltyColumn.COLUMNS, self.tr("无公示期内的行政处罚"))
        self.dishonesty_table = SectionTable(DISHONESTY_COLUMNS, self.tr("无有效的失信记录"))
        self.commitments_table = SectionTable(COMMITMENT_COLUMNS, self.tr("无信用承诺记录"))
        self.lists_table = SectionTable(LIST_COLUMNS, self.tr("未列入红名单、黑名单或重点关注名单"))
        content = QWidget()
        sections = QVBoxLayout(content)
        sections.setContentsMargins(0, 0, 4, 0)
        sections.setSpacing(6)
        sections.addWidget(section(self.tr("激励与约束措施（约束优先；被约束排除的激励以灰色列出）"), self.consequences_table))
        sections.addWidget(section(self.tr("信用等级"), self.grades_table))
        sections.addWidget(section(self.tr("行政处罚（公示期内及公示类别待定）"), self.penalties_table))
        sections.addWidget(section(self.tr("信用承诺"), self.commitments_table))
        pair = QHBoxLayout()
        pair.setSpacing(6)
        pair.addWidget(section(self.tr("失信记录"), self.dishonesty_table), 3)
        pair.addWidget(section(self.tr("名单"), self.lists_table), 2)
        sections.addLayout(pair)
        sections.addStretch(1)
        self.scroll = vertical_scroll(self, content)

        self.profile_button = QPushButton(self.tr("信用档案 (Ctrl+D)"), self)
        self.profile_button.setToolTip(self.tr("打开该主体的信用档案：全部评价、处罚、失信、承诺、证照和核查记录"))
        self.profile_action = page_action(self, self.tr("信用档案"), "Ctrl+D", self.open_profile)
        self.print_button: QPushButton | None = None
        self.print_action = None
        buttons = button_row([self.profile_button])
        if self._print is not None:
            self.print_button = QPushButton(self.tr("打印核查结果单 (Ctrl+P)"), self)
            self.print_action = page_action(self, self.tr("打印核查结果单"), "Ctrl+P", self.print_result)
            buttons.addWidget(self.print_button)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.check_button)
        search_row.addSpacing(12)
        search_row.addWidget(business_label)
        search_row.addWidget(self.business_combo)
        self.tender_button = QPushButton(self.tr("招投标核查…"), self)  # batch, consortium, third-party reports
        self.tender_button.clicked.connect(self.open_tender)
        search_row.addWidget(self.tender_button)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.candidate_box)
        layout.addWidget(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll, 1)
        self.filler = QWidget(self)  # takes the room the result would, while there is none (candidates, empty)
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.filler, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.search_edit)

        self.find_action = page_action(self, self.tr("查询"), "Ctrl+F", self.focus_search)
        self.business_action = page_action(self, self.tr("切换业务类型"), "F6", self.next_business)

    def open_tender(self) -> None:
        """The 招投标核查 dialog (ui/tender_dialog.py): batch check of a list, consortium, third-party reports."""
        from xuyi_desktop.ui.tender_dialog import TenderDialog

        self.tender_dialog = TenderDialog(self._ctx, self)
        self.tender_dialog.open()

    def _wire(self) -> None:
        self.search_edit.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.candidate_table.activated.connect(lambda index: self.check_pick(index.row()))
        self.business_combo.currentIndexChanged.connect(self._business_changed)
        self.search_edit.installEventFilter(self)
        self.candidate_table.installEventFilter(self)
        self.profile_button.clicked.connect(self.open_profile)
        if self.print_button is not None:
            self.print_button.clicked.connect(self.print_result)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↓ in the search box goes to the candidates; Esc clears the query (in the list: back to the query)."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search_edit:
            if key == Qt.Key.Key_Down and self.candidate_box.isVisible():
                self.candidate_table.setFocus()
                if self.candidate_table.currentRow() < 0:
                    self.candidate_table.selectRow(0)
                return True
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        if watched is self.candidate_table and key == Qt.Key.Key_Escape:
            self.focus_search()
            return True
        return False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.focus_search()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # --- business type ------------------------------------------------------------------------------------

    def business(self) -> str:
        return str(self.business_combo.currentData())

    def set_business(self, code: str) -> None:
        index = self.business_combo.findData(code)
        if index >= 0:
            self.business_combo.setCurrentIndex(index)

    def next_business(self) -> None:
        """F6: the next business type (wraps). Nothing is checked until the clerk presses Enter."""
        count = self.business_combo.count()
        if count:
            self.business_combo.setCurrentIndex((self.business_combo.currentIndex() + 1) % count)

    def _restore_business(self) -> None:
        code = self._settings.value(_BUSINESS_KEY) if self._settings is not None else None
        if code:
            self.set_business(str(code))

    def _business_changed(self, _index: int) -> None:
        if self._settings is not None:
            self._settings.setValue(_BUSINESS_KEY, self.business())
        self._show_staleness()

    def _show_staleness(self) -> None:
        """Grey the verdict and say so while the shown result belongs to another business type than the chosen one."""
        result = self.result
        if result is None:
            return
        if self.stale:
            self.banner.show_verdict(result.verdict, result.verdict_label, self._verdict_reason(result), stale=True)
            self._set_status(
                self.tr("业务类型已切换为“{0}”：下面仍是“{1}”业务的核查结果（{2}）。按回车按新业务类型重新核查。").format(
                    self.business_combo.currentText(), result.business_name, result.serial
                ),
                warn=True,
            )
        else:
            self.banner.show_verdict(result.verdict, result.verdict_label, self._verdict_reason(result))
            self._set_status("")

    @property
    def stale(self) -> bool:
        """The shown result was checked for another business type than the one now chosen."""
        return self.result is not None and self.result.business != self.business()

    # --- checking -----------------------------------------------------------------------------------------

    def check(self) -> None:
        """Enter: check what the query names. After F6, the shown entity is checked again for the new business;
        a query naming several entities lists them and checks nothing."""
        query = self.search_edit.text().strip()
        if not query or self.busy:
            return
        if self.stale and query == self._result_query:
            assert self.result is not None
            self._check_id(uuid.UUID(str(self.result.entity["id"])), self.result.entity.get("name", ""), query=query)
            return
        business, ctx = self.business(), self._ctx

        def work() -> CreditCheckResult:
            # what `xuyi check` runs; several hits: AmbiguousQueryError, nothing logged or numbered
            return run_check(ctx, query, business)

        self._start(self.tr("正在核查“{0}”…").format(query))
        run_in_background(work, lambda result: self._show_result(result, query), self._failed, owner=self)

    def check_pick(self, row: int) -> None:
        """Enter or double-click on a candidate: check that one (one serial)."""
        if 0 <= row < len(self.hits):
            hit = self.hits[row]
            self._check_id(hit.id, hit.name, query=self.search_edit.text().strip())

    def _check_id(self, entity_id: uuid.UUID, name: str, query: str = "") -> None:
        if self.busy:
            return
        business, ctx = self.business(), self._ctx
        self._start(self.tr("正在核查“{0}”…").format(name))
        run_in_background(
            lambda: check_entity(ctx, entity_id, business, query=query),
            lambda result: self._show_result(result, query), self._failed, owner=self,
        )

    def _start(self, text: str) -> None:
        self.busy = True
        self.check_button.setEnabled(False)
        self._set_status(text)

    def _done(self) -> None:
        self.busy = False
        self.check_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self._done()
        if isinstance(error, AmbiguousQueryError):
            self._show_candidates(error)
            return
        text = error.message_zh if isinstance(error, DomainError) else self.tr("核查失败：{0}").format(error)
        self.result = None
        self._show_empty()
        self._set_status(text, error=True)
        self.checkFailed.emit(text)

    def _set_status(self, text: str, *, error: bool = False, warn: bool = False) -> None:
        self.status_label.setText(text)
        colour = RESTRICTION.name() if error else AMBER.name() if warn else "#555"
        self.status_label.setStyleSheet(f"color: {colour};" + (" font-weight: bold;" if warn or error else ""))
        self.status_label.setVisible(bool(text))

    # --- candidates ---------------------------------------------------------------------------------------

    def _show_candidates(self, ambiguous: AmbiguousQueryError) -> None:
        self.hits = list(ambiguous.hits)
        self.result = None
        self._show_empty(hide_header=True)
        table = self.candidate_table
        table.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            cells = (hit.name, hit.identifier, hit.kind_label, "、".join(hit.category_labels), hit.status_label)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if column == CandidateColumn.STATUS and hit.status != "active":
                    cell.setForeground(QBrush(RESTRICTION))
                table.setItem(row, column, cell)
        rows = min(len(self.hits), CANDIDATE_ROWS)
        row_height = table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + row_height * rows + 2 * table.frameWidth() + 2)
        table.selectRow(0)
        query = self.search_edit.text().strip()
        more = self.tr("（只列出前{0}个，可输入更多字缩小范围）").format(len(self.hits)) if len(self.hits) >= 20 else ""
        self.candidate_label.setText(
            self.tr("“{0}”匹配到{1}个主体{2}。尚未核查，也未使用核查编号：选中要核查的主体后回车。").format(query, len(self.hits), more)
        )
        self.candidate_box.setVisible(True)
        self._set_status("")
        self.candidatesShown.emit(len(self.hits))

    def candidate_names(self) -> list[str]:
        return [self.candidate_table.item(r, CandidateColumn.NAME).text() for r in range(self.candidate_table.rowCount())]

    # --- showing ------------------------------------------------------------------------------------------

    def _show_empty(self, *, hide_header: bool = False) -> None:
        self.candidate_box.setVisible(False)
        self.header_frame.setVisible(not hide_header)
        self.name_label.setText(self.tr("信用核查"))
        self.meta_label.setText(
            self.tr("输入主体名称、统一社会信用代码/身份证号或拼音首字母（如“盱眙县路桥”输入 xyxlq），回车即核查；"
                    "匹配到多个主体时先列出候选，选中后才核查。")
        )
        self.summary_label.setText("")
        self.serial_label.setText("")
        self.banner.clear()
        self.scroll.setVisible(False)
        self.filler.setVisible(True)
        for table in self._tables():
            table.set_rows([])
        self._update_actions()

    def _tables(self) -> tuple[SectionTable, ...]:
        return (self.consequences_table, self.grades_table, self.penalties_table, self.dishonesty_table,
                self.commitments_table, self.lists_table)

    def _show_result(self, result: CreditCheckResult, query: str = "") -> None:
        self._done()
        self.result = result
        self._result_query = query
        self.candidate_box.setVisible(False)
        self.header_frame.setVisible(True)
        self.scroll.setVisible(True)
        self.filler.setVisible(False)
        e = result.entity
        self.name_label.setText(e.get("name", ""))
        categories = "、".join(e.get("category_labels") or []) or self.tr("未登记类别")
        status = e.get("status_label", "")
        status_html = (f"<span style='color:{RESTRICTION.name()}; font-weight:bold'>状态：{status}</span>"
                       if e.get("status") not in (None, "active") else f"状态：{status}")
        self.meta_label.setText(
            self.tr("{0}　{1}　类别：{2}　{3}").format(e.get("identifier", ""), e.get("kind_label", ""), categories, status_html)
            + (f"　{list_badges(result.lists)}" if result.lists else "")
        )
        try:
            checked_at = local_time(dt.datetime.fromisoformat(result.checked_at))
        except ValueError:
            checked_at = result.checked_at
        self.serial_label.setText(
            self.tr("核查编号：<b>{0}</b><br>业务类型：<b>{1}</b><br>核查时间：{2}<br>核查人：{3}").format(
                result.serial, result.business_name, checked_at, result.checked_by_name or result.checked_by
            )
        )
        self.summary_label.setText(
            "　".join(f"{g.domain_name}：{grade_label(g.grade, g.provisional)}" for g in result.grades)
            or self.tr("该主体没有适用的信用评价领域")
        )
        self.banner.show_verdict(result.verdict, result.verdict_label, self._verdict_reason(result))
        self._fill_consequences(result)
        self._fill_grades(result)
        self._fill_penalties(result)
        self._fill_dishonesty(result)
        self._fill_commitments(result)
        self._fill_lists(result)
        self.scroll.verticalScrollBar().setValue(0)
        self._set_status("")
        self._show_staleness()  # the clerk switched the business type (F6) while the check ran
        self._update_actions()
        self.message.emit(self.tr("已核查（{0}）：{1}").format(result.business_name, result.serial))
        self.checked.emit(result)

    def _verdict_reason(self, result: CreditCheckResult) -> str:
        """The banner's second half: which facts led to the verdict (the sources the service named)."""
        def sources(kind: str) -> str:
            return "；".join(dict.fromkeys(c.source for c in result.consequences if c.kind == kind and c.source))

        if result.verdict == "restriction":
            text = self.tr("“{0}”业务存在约束措施。依据：{1}").format(result.business_name, sources("restriction") or "—")
            if result.suppressed:
                text += self.tr("。{0}项激励措施因此不适用").format(len(result.suppressed))
            return text
        if result.verdict == "incentive":
            return self.tr("“{0}”业务可享受激励措施。依据：{1}").format(result.business_name, sources("incentive") or "—")
        why = "；".join(f"{g.domain_name}{grade_label(g.grade, g.provisional)}" + (f"（{g.note}）" if g.note and not g.grade else "")
                       for g in result.grades)
        return self.tr("“{0}”业务没有适用的激励措施，也没有约束措施。{1}").format(result.business_name, why)

    def _scheme(self, code: str) -> Any:
        try:
            return registry().latest(code)
        except (SchemeError, DomainError):
            return None

    def grade_text(self, row: int) -> str:
        cell = self.grades_table.item(row, GradeColumn.GRADE)
        return cell.text() if cell and not self.grades_table.empty else ""

    def _fill_grades(self, result: CreditCheckResult) -> None:
        rows = []
        for g in result.grades:
            grade = grade_label(g.grade, g.provisional)
            colour = PROVISIONAL if g.provisional else (grade_colour(self._scheme(g.domain), g.grade) if g.grade else GREYED)
            if g.valid_from and g.valid_until:
                valid = g.valid_until
                valid_tip = f"{g.valid_from} 至 {g.valid_until}"
            else:
                valid, valid_tip = g.valid_until or "—", ""
            note = g.note
            if g.provisional:
                note = self.tr("暂定：{0}").format(g.note) if g.note else self.tr("暂定（上一年度未参评）")
            elif not g.grade and not note:
                note = self.tr("未评价")
            rows.append([
                item(g.domain_name),
                item(grade, colour, bold=True),
                item(self.tr("{0}年度").format(g.period) if g.period else "—"),
                item(g.organ or "—"),
                item(valid, tip=valid_tip),
                item(note, PROVISIONAL if g.provisional else None, tip=note),
            ])
        self.grades_table.set_rows(rows)

    def _fill_consequences(self, result: CreditCheckResult) -> None:
        names = {g.domain: g.domain_name for g in result.grades}
        several = len({c.domain for c in result.consequences if c.domain}) > 1
        rows, kinds = [], []
        for line in result.consequences:
            tag, colour = CONSEQUENCE_STYLE.get(line.kind, CONSEQUENCE_STYLE["info"])
            where = f"［{names.get(line.domain, line.domain)}］" if several and line.domain else ""
            rows.append([
                item(tag, colour, bold=line.kind != "info"),
                item(where + line.text, colour, bold=line.kind == "restriction"),
                item(line.source or "—"),
            ])
            kinds.append(line.kind)
        for s in result.suppressed:
            text = self.tr("不适用：{0}（因{1}）").format(s.get("text", ""), s.get("overridden_by_source", ""))
            rows.append([
                item(self.tr("— 不适用"), GREYED),
                item(text, GREYED, tip=s.get("reason", "")),
                item(self.tr("被约束措施排除"), GREYED, tip=self.tr("约束措施：{0}").format(s.get("overridden_by", ""))),
            ])
            kinds.append("suppressed")
        if result.points:  # 信用积分 (诚信港区): the tier's differentiated service
            pts = result.points
            rows.append([item(self.tr("积分")), item(self.tr("信用积分{0:g}分（{1}）：{2}").format(
                pts["balance"], pts["tier_name"], "；".join(pts["services"]))), item(self.tr("信用积分台账"))])
            kinds.append("points")
        self.consequences_table.set_rows(rows, keys=kinds)

    def consequence_lines(self) -> list[tuple[str, str]]:
        """(kind, text) as shown — kind incentive/restriction/info, or suppressed for an overridden incentive."""
        table = self.consequences_table
        out = []
        for row, texts in enumerate(table.row_texts()):
            kind = str(table.key(row) or "")
            text = texts[ConsequenceColumn.TEXT] if kind == "suppressed" else f"{texts[0]}　{texts[ConsequenceColumn.TEXT]}"
            out.append((kind, text))
        return out

    def _fill_penalties(self, result: CreditCheckResult) -> None:
        rows = []
        for p in result.penalties:
            pending = p.get("state") == "pending_class" or p.get("publicity_class") == "待定"
            klass = class_label(p.get("publicity_class", ""), p.get("class_source", ""))
            tip = "；".join(x for x in (p.get("organ", ""), p.get("content", ""), p.get("rules", "")) if x)
            rows.append([
                item(p.get("decided_on") or ""),
                item(p.get("document_no", ""), tip=tip),
                item(p.get("facts", ""), tip=p.get("content", "")),
                item("、".join(p.get("categories") or [])),
                item(klass, AMBER if pending else RESTRICTION if p.get("publicity_class") == "严重" else None, bold=pending,
                     tip=self.tr("公示类别待定：由审核人员在“双公示”页确定") if pending else ""),
                item(p.get("publicity_end") or "—"),
                item(p.get("state_label", ""), PENALTY_STATE_COLOURS.get(p.get("state", ""))),
            ])
        self.penalties_table.set_rows(rows, keys=[p.get("id") for p in result.penalties])

    def _fill_dishonesty(self, result: CreditCheckResult) -> None:
        rows = [
            [item(d.get("occurred_on", ""), RESTRICTION), item(d.get("category", ""), RESTRICTION, bold=True),
             item(d.get("description", "") or d.get("source", "")), item(d.get("document_no", "") or "—"),
             item(d.get("ends_on") or self.tr("未结束"))]
            for d in result.dishonesty
        ]
        self.dishonesty_table.set_rows(rows)

    def _fill_commitments(self, result: CreditCheckResult) -> None:
        rows = []
        for c in result.commitments:
            violated = c.get("status") == "violated"
            bad = RESTRICTION if violated or c.get("overdue") else None
            state = c.get("status_label", "") + (self.tr("（逾期）") if c.get("overdue") else "")
            business = c.get("business", "")
            if violated and c.get("violation_facts"):
                business += self.tr("；违诺事实：{0}").format(c["violation_facts"])
            rows.append([item(c.get("serial", "")), item(state, bad, bold=bad is not None), item(c.get("type_name", "")),
                         item(c.get("area_name", "")), item(business), item(c.get("term_until", ""))])
        self.commitments_table.set_rows(rows, keys=[c.get("status", "") for c in result.commitments])

    def _fill_lists(self, result: CreditCheckResult) -> None:
        rows = [
            [item(m.get("name", ""), RESTRICTION if m.get("type") in ("black", "overload") else None, bold=True),
             item(m.get("entered_on", "")), item(m.get("expires_on") or "—"), item(m.get("reason", ""))]
            for m in result.lists
        ]
        self.lists_table.set_rows(rows)

    # --- profile and printing -----------------------------------------------------------------------------

    def _update_actions(self) -> None:
        shown = self.result is not None
        self.profile_button.setEnabled(shown)
        self.profile_action.setEnabled(shown)
        may_print = shown and self._ctx.can(Permission.PRINT)
        if self.print_button is not None:
            self.print_button.setEnabled(may_print)
        if self.print_action is not None:
            self.print_action.setEnabled(may_print)

    def open_profile(self) -> QWidget | None:
        """Ctrl+D: the checked entity's 信用档案 (window-modal, Esc closes)."""
        if self.result is None:
            return None
        from xuyi_desktop.ui.profile_view import ProfileDialog

        dialog = ProfileDialog(self._ctx, uuid.UUID(str(self.result.entity["id"])), self, self._settings)
        self.profile_dialog = dialog
        return open_window(dialog, self._profile_closed)

    def _profile_closed(self, dialog: QWidget) -> None:
        if self.profile_dialog is dialog:
            self.profile_dialog = None
        dialog.deleteLater()
        self.focus_search()

    def print_result(self) -> None:
        """Ctrl+P: the result sheet as PDF (save dialog), then opened for the printer."""
        if self._print is None or self.result is None:
            return
        result = self.result
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or tempfile.gettempdir()
        suggested = str(Path(folder) / f"信用核查结果单_{result.serial}.pdf")
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("打印核查结果单"), suggested, self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        ctx, fn = self._ctx, self._print
        self._set_status(self.tr("正在生成核查结果单…"))
        run_in_background(lambda: fn(ctx, result, path), self._printed, self._print_failed, owner=self)

    def _printed(self, path: object) -> None:
        self._set_status(self.tr("核查结果单已生成：{0}").format(path))
        self.message.emit(self.tr("核查结果单已生成：{0}").format(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _print_failed(self, error: BaseException) -> None:
        text = error.message_zh if isinstance(error, DomainError) else str(error)
        self._set_status(self.tr("打印失败：{0}").format(text), error=True)
