"""The 信用档案 view: one entity's whole credit profile on a chosen date (services.profile.get_profile), the same
sections the check reads — basic data, licences, ratings, penalties, dishonesty, commitments, lists, checks made —
with 结束 on a dishonesty record for reviewers and the two report prints. Opened from the registry (Ctrl+D) and
from the check page's result. Reading happens off the GUI thread; the view decides nothing itself.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.entities import EntityKind
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import CreditProfile
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.dishonesty import end_dishonesty
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.reports import print_credit_report, print_special_report, report_areas
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.ui.credit_check_page import class_label, grade_label
from xuyi_desktop.ui.formatting import local_time
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.profile_widgets import (
    AMBER,
    PENALTY_STATE_COLOURS,
    Col,
    ReasonDialog,
    SectionTable,
    item,
    section,
)
from xuyi_desktop.ui.rating_common import GREYED, INCENTIVE, PROVISIONAL, RESTRICTION, grade_colour
from xuyi_desktop.ui.record_text import rating_validity
from xuyi_desktop.ui.record_widgets import (
    button_row,
    dialog_buttons,
    make_headline,
    open_form,
    vertical_scroll,
)
from xuyi_desktop.ui.widgets import page_action
from xuyi_desktop.ui.workflow_widgets import date_edit

EXPIRED_BACKGROUND = QColor("#ffebee")

LICENCE_COLUMNS = (
    Col("证照名称"), Col("证照编号", "苏交运管许可淮字320830000123号"), Col("有效期起", "2026-12-31"),
    Col("有效期至", "2026-12-31"), Col("状态", "已过期"),
)
RATING_COLUMNS = (
    Col("领域", "公路水运工程建设从业单位"), Col("等级", "暂定AAA级"), Col("状态", "未评价"), Col("年度", "2026年度"),
    Col("评价机关", "盱眙县交通运输局"), Col("有效期", "2026-01-01至2026-12-31"), Col("说明"),
)
PENALTY_COLUMNS = (
    Col("决定日期", "2026-12-31"), Col("决定文书号", "盱交罚〔2026〕1234号"), Col("违法行为"),
    Col("处罚类别", "罚款、吊销许可证件"), Col("公示类别", "一般（按规则推定）"), Col("公示截止", "2026-12-31"),
    Col("状态", "公示类别待定"), Col("可申请修复", "2026-12-31"),
)
DISHONESTY_COLUMNS = (
    Col("发生日期", "2026-12-31"), Col("失信类别", "违反信用承诺"), Col("说明"), Col("来源", "县交通运输局"),
    Col("结束日期", "2026-12-31"), Col("状态", "已结束"),
)
COMMITMENT_COLUMNS = (
    Col("编号", "TMP-ABCDEF-CN-2026-000001"), Col("状态", "履约中（逾期）"), Col("承诺类型", "审批替代型（告知承诺）"),
    Col("应用领域", "行政许可"), Col("涉及业务"), Col("签署日期", "2026-12-31"), Col("期限至", "2026-12-31"),
)
LIST_COLUMNS = (Col("名单", "失信联合惩戒对象名单"), Col("列入日期", "2026-12-31"), Col("到期日期", "2026-12-31"), Col("原因"))
CHECK_COLUMNS = (Col("核查编号", "TMP-ABCDEF-HC-2026-000001"), Col("核查时间", "2026-12-31 23:59"), Col("业务类型"), Col("核查人", "reviewer01"))


class SpecialReportDialog(QDialog):
    """The period (1–5 years up to the shown day) and the areas of a 专项信用报告 (none ticked: every area)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("专项信用报告"))
        self.years_spin = QSpinBox(self)
        self.years_spin.setRange(1, 5)
        self.years_spin.setValue(3)
        self.years_spin.setSuffix(self.tr(" 年"))
        self.area_boxes = [(code, QCheckBox(name, self)) for code, name in report_areas()]
        form = QFormLayout(self)
        form.addRow(self.tr("查询期限（截至所选日期）："), self.years_spin)
        areas = QWidget(self)
        grid = QGridLayout(areas)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (_code, box) in enumerate(self.area_boxes):
            grid.addWidget(box, i // 3, i % 3)
        form.addRow(self.tr("查询领域（不选为全部领域）："), areas)
        buttons = dialog_buttons(self, self.accept, save=False)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("生成"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        form.addRow(buttons)

    def years(self) -> int:
        return self.years_spin.value()

    def domains(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.area_boxes if box.isChecked())


class ProfileDialog(QDialog):
    """信用档案 of one entity. `loaded` fires each time a profile is shown (also after 结束 or another date)."""

    loaded = Signal(object)  # CreditProfile
    changed = Signal()  # a record was changed from the view (a dishonesty record ended)
    lockable = True  # the idle lock may hide it (it holds no unsaved input)
    scroll: QScrollArea  # type: ignore[assignment]  # the file's scroll area, not QWidget.scroll()

    def __init__(self, ctx: AppContext, entity_id: uuid.UUID, parent: QWidget | None = None,
                 settings: QSettings | None = None, *, as_of: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.entity_id = entity_id
        self.profile: CreditProfile | None = None
        self.reveal = False
        self.loading = False
        self.last_pdf: Path | None = None
        self.open_after_print = True  # tests turn it off: no PDF viewer on a test machine
        self.reason_dialog: ReasonDialog | None = None
        self.setWindowTitle(self.tr("信用档案"))
        self._build(as_of or dt.date.today())
        self._fit_to_screen()
        self.reload()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self, as_of: dt.date) -> None:
        self.name_label = QLabel(self.tr("正在读取信用档案…"), self)
        make_headline(self.name_label, self.font())
        self.date_edit = date_edit(self, QDate(as_of.year, as_of.month, as_of.day))
        self.date_edit.setToolTip(self.tr("查看该主体在某一日的信用状况（评价有效期、公示期、失信记录按该日计算）；回车查看"))
        date_label = QLabel(self.tr("按某日查看："), self)
        date_label.setBuddy(self.date_edit)
        self.show_button = QPushButton(self.tr("查看"), self)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.name_label, 1)
        top.addWidget(date_label)
        top.addWidget(self.date_edit)
        top.addWidget(self.show_button)

        # 基本信息: label pairs in a grid (values selectable, long ones wrap).
        self.basic: dict[str, QLabel] = {}
        basic_box = QFrame(self)
        grid = QGridLayout(basic_box)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        fields = (("identifier", "证件号码"), ("kind", "主体类型"), ("status", "主体状态"), ("categories", "类别"),
                  ("legal_rep", "法定代表人"), ("region", "行政区划"), ("address", "住所"), ("points", "信用积分"))
        for i, (key, title) in enumerate(fields):
            value = QLabel(basic_box)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.basic[key] = value
            row, pair = divmod(i, 2)
            grid.addWidget(QLabel(self.tr(title) + "：", basic_box), row, pair * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, pair * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.reveal_button = QPushButton(self.tr("显示完整证件号码"), basic_box)
        self.reveal_button.setToolTip(self.tr("显示自然人的完整身份证号码（记入操作日志）"))
        self.reveal_button.setVisible(False)
        grid.addWidget(self.reveal_button, 3, 3, Qt.AlignmentFlag.AlignRight)

        self.licences_table = SectionTable(LICENCE_COLUMNS, self.tr("无证照记录"))
        self.ratings_table = SectionTable(RATING_COLUMNS, self.tr("该主体没有适用的信用评价领域"))
        self.penalties_table = SectionTable(PENALTY_COLUMNS, self.tr("无行政处罚记录"))
        self.dishonesty_table = SectionTable(DISHONESTY_COLUMNS, self.tr("无失信记录"))
        self.commitments_table = SectionTable(COMMITMENT_COLUMNS, self.tr("无信用承诺记录"))
        self.lists_table = SectionTable(LIST_COLUMNS, self.tr("未列入红名单、黑名单或重点关注名单"))
        self.checks_table = SectionTable(CHECK_COLUMNS, self.tr("尚无信用核查记录"))

        self.end_button = QPushButton(self.tr("结束失信记录…"), self)
        may_review = self._ctx.can(Permission.CREDIT_REVIEW)
        self.end_button.setVisible(may_review)  # reviewers only (Permission.CREDIT_REVIEW)
        self.end_button.setToolTip(self.tr("提前结束选中的失信记录（如已撤销、已履行）：须写明理由，记入操作日志"))
        dishonesty_actions = QWidget(self)
        end_row = QHBoxLayout(dishonesty_actions)
        end_row.setContentsMargins(0, 0, 0, 0)
        end_row.addStretch(1)
        end_row.addWidget(self.end_button)
        dishonesty_actions.setVisible(may_review)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 4, 0)
        column.setSpacing(6)
        self.sections = {
            "basic": section(self.tr("基本信息"), basic_box),
            "licences": section(self.tr("证照（已过期的以红色标出）"), self.licences_table),
            "ratings": section(self.tr("信用评价"), self.ratings_table),
            "penalties": section(self.tr("行政处罚（公示中／已到期／已修复／待定）"), self.penalties_table),
            "dishonesty": section(self.tr("失信记录"), self.dishonesty_table, extra=dishonesty_actions),
            "commitments": section(self.tr("信用承诺"), self.commitments_table),
            "lists": section(self.tr("名单"), self.lists_table),
            "checks": section(self.tr("信用核查记录（最近50次）"), self.checks_table),
        }
        for box in self.sections.values():
            column.addWidget(box)
        column.addStretch(1)
        self.scroll = vertical_scroll(self, content)

        # The two prints (services.reports): numbered, signed, verifiable; off the GUI thread, then opened.
        self.report_button = QPushButton(self.tr("打印信用报告"), self)
        self.special_report_button = QPushButton(self.tr("打印专项信用报告…"), self)
        for button in (self.report_button, self.special_report_button):
            button.setEnabled(self._ctx.can(Permission.PRINT))
        self.report_button.setToolTip(self.tr("信用报告：基本信息、证照、评价、处罚、承诺、失信和核查记录"))
        self.special_report_button.setToolTip(self.tr("专项信用报告（代替无违法违规证明）：所选年度和领域的行政处罚等记录"))
        self.close_button = QPushButton(self.tr("关闭 (Esc)"), self)
        bottom = button_row([self.report_button, self.special_report_button], [self.close_button])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

        for button in (self.reveal_button, self.end_button, self.report_button, self.special_report_button, self.close_button):
            button.setAutoDefault(False)
        self.show_button.setDefault(True)  # Enter shows the chosen day; Esc closes
        self.show_button.clicked.connect(self.reload)
        self.date_edit.installEventFilter(self)
        self.reveal_button.clicked.connect(self.reveal_personal)
        self.end_button.clicked.connect(lambda: self.end_selected_dishonesty())
        self.report_button.clicked.connect(lambda: self.print_report())
        self.special_report_button.clicked.connect(lambda: self.print_special_report())
        self.dishonesty_table.itemSelectionChanged.connect(self._update_buttons)
        self.close_button.clicked.connect(self.reject)
        page_action(self, self.tr("刷新"), "F5", self.reload)
        self._update_buttons()

    def _fit_to_screen(self) -> None:
        """As large as useful, never larger than the screen (1366×768 counters)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        width, height = 1180, 760
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, area.width() - 24), min(height, area.height() - 48)
        self.resize(max(width, 640), max(height, 480))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the date field shows that day (instead of closing the dialog)."""
        if (watched is self.date_edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.reload()
            return True
        return False

    # --- loading ------------------------------------------------------------------------------------------

    def as_of(self) -> dt.date:
        return self.date_edit.date().toPython()  # type: ignore[return-value]

    def reload(self) -> None:
        if self.loading:
            return
        ctx, entity_id, as_of, reveal = self._ctx, self.entity_id, self.as_of(), self.reveal
        self.loading = True
        self._set_status(self.tr("正在读取 {0} 的信用档案…").format(as_of.isoformat()))
        run_in_background(lambda: get_profile(ctx, entity_id, as_of=as_of, reveal=reveal), self._loaded, self._failed,
                          owner=self)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        text = error.message_zh if isinstance(error, DomainError) else self.tr("读取失败：{0}").format(error)
        self._set_status(text, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {RESTRICTION.name() if error else '#555'};")
        self.status_label.setVisible(bool(text))

    def _loaded(self, profile: CreditProfile) -> None:
        self.loading = False
        self.profile = profile
        e = profile.entity
        self.setWindowTitle(self.tr("信用档案 — {0}").format(e.name))
        self.name_label.setText(e.name)
        self.basic["identifier"].setText(e.identifier)
        self.basic["kind"].setText(e.kind_label)
        closed = e.status != "active"
        self.basic["status"].setText(f"<b style='color:{RESTRICTION.name()}'>{e.status_label}</b>" if closed else e.status_label)
        self.basic["categories"].setText("、".join(e.category_labels) or self.tr("未登记类别"))
        self.basic["legal_rep"].setText(e.legal_representative or "—")
        self.basic["region"].setText(e.region_code or "—")
        self.basic["address"].setText(e.address or "—")
        pts = profile.points
        self.basic["points"].setText(
            self.tr("{0:g}分（{1}）：{2}").format(pts.balance, pts.tier_name, "；".join(pts.services)) if pts else self.tr("未建立积分台账"))
        self.reveal_button.setVisible(
            e.kind == EntityKind.PERSON.value and not self.reveal and self._ctx.can(Permission.REVEAL_PERSONAL)
        )
        self._fill_licences(profile)
        self._fill_ratings(profile)
        self._fill_penalties(profile)
        self._fill_dishonesty(profile)
        self._fill_commitments(profile)
        self._fill_lists(profile)
        self._fill_checks(profile)
        notes = "；".join(profile.notes)
        self._set_status(self.tr("{0} 的信用状况").format(profile.as_of.isoformat()) + (f"。{notes}" if notes else ""))
        self._update_buttons()
        self.loaded.emit(profile)

    def _fill_licences(self, p: CreditProfile) -> None:
        rows = []
        for lic in p.licences:
            expired = lic.state == "已过期"
            cells = [item(lic.licence_type), item(lic.number), item(str(lic.valid_from or "—")),
                     item(str(lic.valid_to or "长期"), RESTRICTION if expired else None, bold=expired),
                     item(lic.state, RESTRICTION if expired else AMBER if lic.state == "未生效" else INCENTIVE, bold=expired)]
            if expired:
                for cell in cells:
                    cell.setBackground(QBrush(EXPIRED_BACKGROUND))
            rows.append(cells)
        self.licences_table.set_rows(rows, keys=[lic.state for lic in p.licences])

    def _fill_ratings(self, p: CreditProfile) -> None:
        rows = []
        for r in p.ratings:
            valid, notes = rating_validity(self, r)
            if r.document_no:
                notes.append(self.tr("文号：{0}").format(r.document_no))
            colour = PROVISIONAL if r.provisional else (grade_colour(self._scheme(r.domain), r.grade) if r.grade else GREYED)
            rows.append([
                item(r.domain_name), item(grade_label(r.grade, r.provisional), colour, bold=True), item(r.status_label, colour),
                item(self.tr("{0}年度").format(r.period) if r.period else "—"), item(r.organ or "—"), item(valid),
                item("；".join(notes)),
            ])
        self.ratings_table.set_rows(rows)

    @staticmethod
    def _scheme(code: str):
        try:
            return registry().latest(code)
        except DomainError:
            return None

    def _fill_penalties(self, p: CreditProfile) -> None:
        rows = []
        for x in p.penalties:
            pending = x.state.value == "pending_class" or x.publicity_class == "待定"
            tip = "；".join(v for v in (x.deciding_organ, x.content, x.rules_source) if v)
            state = x.state.label + (self.tr("（{0}）").format(x.repaired_on) if x.repaired_on and x.state.value == "repaired" else "")
            rows.append([
                item(str(x.decided_on or "")), item(x.document_no, tip=tip), item(x.facts, tip=x.content),
                item("、".join(x.categories)),
                item(class_label(x.publicity_class, x.class_source), AMBER if pending else RESTRICTION if x.publicity_class == "严重" else None,
                     bold=pending, tip=self.tr("公示类别待定：由审核人员在“双公示”页确定") if pending else ""),
                item(str(x.publicity_end or "—")), item(state, PENALTY_STATE_COLOURS.get(x.state.value), bold=x.in_publicity or pending),
                item(str(x.repair_from or "—")),
            ])
        self.penalties_table.set_rows(rows, keys=[x.state.value for x in p.penalties])

    def _fill_dishonesty(self, p: CreditProfile) -> None:
        rows = []
        for d in p.dishonesty:
            colour = RESTRICTION if d.active else GREYED
            ends = str(d.ends_on) if d.ends_on else self.tr("未结束")
            rows.append([
                item(str(d.occurred_on), colour), item(d.category, colour, bold=d.active), item(d.description or "—", tip=d.end_reason),
                item(d.source or d.document_no or "—"), item(ends, tip=self.tr("结束理由：{0}").format(d.end_reason) if d.end_reason else ""),
                item(self.tr("有效") if d.active else self.tr("已结束"), colour, bold=d.active),
            ])
        self.dishonesty_table.set_rows(rows, keys=[d.record_id for d in p.dishonesty])

    def _fill_commitments(self, p: CreditProfile) -> None:
        rows = []
        for c in p.commitments:
            violated = c.status == "violated"
            bad = RESTRICTION if violated or c.overdue else GREYED if c.status == "revoked" else None
            state = c.status_label + (self.tr("（逾期）") if c.overdue else "")
            business = c.business + (self.tr("；违诺事实：{0}").format(c.violation_facts) if violated and c.violation_facts else "")
            rows.append([item(c.serial), item(state, bad, bold=violated or c.overdue), item(c.type_name), item(c.area_name),
                         item(business), item(str(c.signed_on)), item(str(c.term_until))])
        self.commitments_table.set_rows(rows)

    def _fill_lists(self, p: CreditProfile) -> None:
        rows = [
            [item(m.list_name, RESTRICTION if m.list_type in ("black", "overload") else None, bold=True), item(str(m.entered_on)),
             item(str(m.expires_on or "—")), item(m.reason)]
            for m in p.lists
        ]
        self.lists_table.set_rows(rows)

    def _fill_checks(self, p: CreditProfile) -> None:
        names = {b.code: b.name for b in registry().businesses}
        rows = [[item(c.serial), item(local_time(c.at)), item(names.get(c.business, c.business)), item(c.username)] for c in p.checks]
        self.checks_table.set_rows(rows)

    def section_titles(self) -> list[str]:
        return [box.title() for box in self.sections.values()]

    # --- actions ------------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        selected = self._selected_dishonesty()
        self.end_button.setEnabled(selected is not None and selected.active and self._ctx.can(Permission.CREDIT_REVIEW))

    def _selected_dishonesty(self):
        key = self.dishonesty_table.current_key()
        if self.profile is None or key is None:
            return None
        return next((d for d in self.profile.dishonesty if d.record_id == key), None)

    def select_dishonesty(self, row: int) -> None:
        self.dishonesty_table.selectRow(row)

    def end_selected_dishonesty(self, *, exec_dialog: bool = True) -> ReasonDialog | None:
        """结束 (reviewers): the reason is asked, then services.dishonesty.end_dishonesty; the profile reloads."""
        record = self._selected_dishonesty()
        if record is None or not record.active:
            return None
        ctx = self._ctx

        def end(dialog: ReasonDialog) -> object:
            return end_dishonesty(ctx, uuid.UUID(record.record_id), reason=dialog.reason)

        dialog = ReasonDialog(
            self.tr("结束失信记录"),
            self.tr("结束 {0} 的失信记录“{1}”（{2}）。结束后记录仍保留在档案中，次日起不再作为信用核查的约束依据。").format(
                self.profile.entity.name if self.profile else "", record.category, record.occurred_on
            ),
            self, action=end,
        )
        self.reason_dialog = dialog
        return open_form(dialog, lambda _d: self._ended(), show=exec_dialog)

    def _ended(self) -> None:
        self.changed.emit()
        self.reload()

    # --- the two reports ------------------------------------------------------------------------------------

    def _save_path(self, title: str, stem: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or tempfile.gettempdir()
        name = self.profile.entity.name if self.profile else "主体"
        suggested = str(Path(folder) / f"{stem}_{name}_{self.as_of():%Y%m%d}.pdf")
        chosen, _filter = QFileDialog.getSaveFileName(self, title, suggested, self.tr("PDF 文件 (*.pdf)"))
        if not chosen:
            return None
        return Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")

    def print_report(self, out: Path | None = None) -> None:
        """信用报告 as of the shown day (a person's ID as shown: revealed only after 显示完整证件号码)."""
        out = out or self._save_path(self.tr("打印信用报告"), "信用报告")
        if out is None:
            return
        ctx, entity_id, as_of, reveal = self._ctx, self.entity_id, self.as_of(), self.reveal
        self._set_status(self.tr("正在生成信用报告…"))
        run_in_background(lambda: print_credit_report(ctx, entity_id, out, as_of=as_of, reveal=reveal),
                          self._printed, self._print_failed, owner=self)

    def print_special_report(self, out: Path | None = None, *, years: int | None = None,
                             domains: tuple[str, ...] | None = None) -> None:
        """专项信用报告: the years (1–5) and areas are asked first, then where to save it."""
        if years is None or domains is None:
            ask = SpecialReportDialog(self)
            if ask.exec() != QDialog.DialogCode.Accepted:
                return
            years, domains = ask.years(), ask.domains()
        out = out or self._save_path(self.tr("打印专项信用报告"), "专项信用报告")
        if out is None:
            return
        ctx, entity_id, as_of = self._ctx, self.entity_id, self.as_of()
        chosen_years, chosen_domains = years, domains
        self._set_status(self.tr("正在生成专项信用报告…"))
        run_in_background(lambda: print_special_report(ctx, entity_id, out, years=chosen_years, domains=chosen_domains,
                                                       as_of=as_of), self._printed, self._print_failed, owner=self)

    def _print_failed(self, error: BaseException) -> None:
        text = error.message_zh if isinstance(error, DomainError) else str(error)
        self._set_status(self.tr("打印失败：{0}").format(text), error=True)

    def _printed(self, path: object) -> None:
        self.last_pdf = Path(str(path))
        self._set_status(self.tr("已生成：{0}").format(path))
        if self.open_after_print:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def reveal_personal(self) -> None:
        """The full ID number of a person (audited by the service)."""
        self.reveal = True
        self.reload()
