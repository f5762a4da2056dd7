"""The rating form: the fields follow the domain's scheme, and the grade the scheme gives is shown as the clerk types.

The grade is never typed where a score or points decide it; the service derives it again on save (the live
grade is only a preview from the same pure domain functions).
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.rating_schemes import RatingScheme, SchemeError
from xuyi_desktop.domain.ratings import derive_grade, score_from_deductions
from xuyi_desktop.services import ratings as ratings_service
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.ratings import RatingInput, RatingView, add_rating, correct_rating
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.ui.operations import OperationRunner
from xuyi_desktop.ui.rating_common import GREYED, grade_colour
from xuyi_desktop.ui.record_widgets import button_row, confirm, show_problem, with_error_line
from xuyi_desktop.ui.widgets import error_label
from xuyi_desktop.ui.workflow_widgets import date_edit

_GEOMETRY_KEY = "rating_form/geometry"
def _overload_domain() -> str:
    from xuyi_desktop.services.overload import overload_rules

    return overload_rules().rating_domain


FIELDS = ("domain", "period", "score", "points", "deductions", "grade", "evaluating_organ", "decision_date", "document_no")


def schemes_for(entity: EntitySummary) -> list[RatingScheme]:
    """Active domains that fit the entity's kind; those of its registered categories first."""
    reg = registry()
    person = entity.kind == EntityKind.PERSON.value
    fitting = []
    for code in reg.codes():
        scheme = reg.latest(code)
        if not scheme.active:
            continue
        person_domain = all(CATEGORIES[c][1] is EntityKind.PERSON for c in scheme.applies_to if c in CATEGORIES)
        if person_domain == person:
            fitting.append(scheme)
    cats = set(entity.categories)
    return sorted(fitting, key=lambda s: not (cats & set(s.applies_to)))


class RatingForm(QDialog):
    """New rating, or a correction (a new version of `correcting`, same domain and period)."""

    saved = Signal(object)  # RatingView
    saveFinished = Signal(bool)  # a save attempt ended: True written (the form closed), False refused (values kept)

    def __init__(
        self,
        ctx: AppContext,
        entity: EntitySummary,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        *,
        timeline: list[RatingView] | None = None,
        correcting: RatingView | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._entity = entity
        self._settings = settings
        self._timeline = list(timeline or [])
        self._correcting = correcting
        self._closing = False
        self._dirty = False
        self.saved_view: RatingView | None = None
        self.scheme: RatingScheme | None = None
        self.setWindowTitle(self.tr("更正信用评价") if correcting else self.tr("新增信用评价"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._build()
        self._fill_domains()
        if correcting is not None:
            self._load(correcting)
        self._domain_changed()
        self._wire()
        self._dirty = False
        self._restore_geometry()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.errors: dict[str, QLabel] = {}
        title = QLabel(f"<b>{self._entity.name}</b>　{self._entity.identifier}　{self._entity.kind_label}", self)
        self.domain_combo = QComboBox(self)
        self.period_spin = QSpinBox(self)
        this_year = dt.date.today().year
        self.period_spin.setRange(2000, this_year + 1)
        self.period_spin.setValue(this_year - 1)  # ratings are decided for the year just ended
        self.period_spin.setSuffix(self.tr(" 年度"))
        self.score_edit = QLineEdit(self)
        self.score_edit.setPlaceholderText(self.tr("如 94.5"))
        self.points_edit = QLineEdit(self)
        self.points_edit.setPlaceholderText(self.tr("不良行为记分，如 6"))
        self.grade_combo = QComboBox(self)  # only where the scheme decides by neither score nor points

        self.deductions_table = QTableWidget(0, 2, self)
        self.deductions_table.setHorizontalHeaderLabels([self.tr("扣分项"), self.tr("扣分")])
        self.deductions_table.verticalHeader().setVisible(False)
        self.deductions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.deductions_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.deductions_table.setColumnWidth(1, self.fontMetrics().horizontalAdvance("000.00") + 48)
        self.deductions_table.setMinimumHeight(self.fontMetrics().height() * 6)
        self.add_deduction_button = QPushButton(self.tr("添加扣分项 (Ctrl+D)"), self)
        self.remove_deduction_button = QPushButton(self.tr("删除所选"), self)
        self.deductions_box = QGroupBox(self.tr("扣分项"), self)
        box_layout = QVBoxLayout(self.deductions_box)
        box_layout.addWidget(self.deductions_table)
        # One ZC-01 per 治超抄报 of the period (road/water operators; services/overload.py decides which).
        self.overload_button = QPushButton(self.tr("按治超抄报添加扣分项"), self)
        row = button_row([self.add_deduction_button, self.remove_deduction_button, self.overload_button])
        box_layout.addLayout(row)
        self.errors["deductions"] = error_label(self.deductions_box)
        box_layout.addWidget(self.errors["deductions"])

        self.organ_edit = QLineEdit(self)
        self.organ_edit.setPlaceholderText(self.tr("如 盱眙县交通运输局"))
        self.date_edit = date_edit(self, QDate.currentDate())
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.document_edit = QLineEdit(self)
        self.document_edit.setPlaceholderText(self.tr("如 盱交〔2025〕12号"))
        self.basis_edit = QPlainTextEdit(self)
        self.basis_edit.setPlaceholderText(self.tr("评价依据、扣分事实等"))
        self.basis_edit.setTabChangesFocus(True)
        self.basis_edit.setMaximumHeight(self.fontMetrics().height() * 5)

        # the derived grade, large, read-only
        self.grade_label = QLabel("—", self)
        self.grade_label.setObjectName("derivedGrade")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 3.2)
        big.setBold(True)
        self.grade_label.setFont(big)
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("AAA") * 4)
        self.grade_caption = QLabel(self.tr("按规则得出的等级"), self)
        self.grade_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_notes = QLabel(self)
        self.grade_notes.setWordWrap(True)
        self.grade_notes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_notes.setStyleSheet("color: #ef6c00;")
        self.basis_label = QLabel(self)
        self.basis_label.setWordWrap(True)
        self.basis_label.setStyleSheet("color: #555;")
        self.basis_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grade_panel = QFrame(self)
        grade_panel.setFrameShape(QFrame.Shape.StyledPanel)
        grade_panel.setMinimumWidth(240)
        panel = QVBoxLayout(grade_panel)
        panel.addWidget(self.grade_caption)
        panel.addWidget(self.grade_label)
        panel.addWidget(self.grade_notes)
        panel.addWidget(self.basis_label)
        panel.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        self._field(form, self.tr("领域"), self.domain_combo, "domain")
        self._field(form, self.tr("年度"), self.period_spin, "period")
        self.score_row = self._field(form, self.tr("得分"), self.score_edit, "score")
        self.points_row = self._field(form, self.tr("不良行为记分"), self.points_edit, "points")
        self.grade_row = self._field(form, self.tr("等级"), self.grade_combo, "grade")
        form.addRow(self.deductions_box)
        self._field(form, self.tr("评价机关"), self.organ_edit, "evaluating_organ")
        self._field(form, self.tr("评定日期"), self.date_edit, "decision_date")
        self._field(form, self.tr("文号"), self.document_edit, "document_no")
        self._field(form, self.tr("依据说明"), self.basis_edit, "basis_notes")

        self.general_error = error_label(self)
        self.warning_label = QLabel(self)
        self.warning_label.setStyleSheet("color: #ef6c00;")
        self.warning_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("保存 (Ctrl+S)"), self)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.cancel_button = QPushButton(self.tr("取消 (Esc)"), self)
        self.cancel_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.general_error, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        columns.addWidget(grade_panel, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(columns, 1)
        layout.addWidget(self.warning_label)
        layout.addLayout(buttons)
        self.warning_label.setVisible(False)

    def _field(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> QWidget:
        box, self.errors[field] = with_error_line(self, widget, spacing=2)
        caption = QLabel(label, self)
        caption.setBuddy(widget)
        form.addRow(caption, box)
        box.setProperty("caption", caption)
        return box

    def _set_row_visible(self, row: QWidget, visible: bool) -> None:
        row.setVisible(visible)
        row.property("caption").setVisible(visible)

    def _fill_domains(self) -> None:
        cats = set(self._entity.categories)
        for scheme in schemes_for(self._entity):
            text = scheme.name if cats & set(scheme.applies_to) else self.tr("{0}（未登记该类别）").format(scheme.name)
            self.domain_combo.addItem(text, scheme.code)

    def _load(self, r: RatingView) -> None:
        index = self.domain_combo.findData(r.domain)
        if index < 0:
            self.domain_combo.addItem(r.domain_name, r.domain)
            index = self.domain_combo.count() - 1
        self.domain_combo.setCurrentIndex(index)
        self.period_spin.setValue(r.period)
        self.domain_combo.setEnabled(False)  # a correction keeps its domain and period
        self.period_spin.setEnabled(False)
        self._domain_changed()
        if r.deductions:
            for d in r.deductions:
                self.add_deduction(d.get("code"), d.get("points"))
        elif r.score is not None:
            self.score_edit.setText(f"{r.score:g}")
        if r.points is not None:
            self.points_edit.setText(f"{r.points:g}")
        if self.grade_combo.findText(r.grade) >= 0:
            self.grade_combo.setCurrentText(r.grade)
        self.organ_edit.setText(r.evaluating_organ)
        if r.decision_date:
            self.date_edit.setDate(QDate(r.decision_date.year, r.decision_date.month, r.decision_date.day))
        self.document_edit.setText(r.document_no)
        self.basis_edit.setPlainText(r.basis_notes)

    def _wire(self) -> None:
        self.domain_combo.currentIndexChanged.connect(self._domain_changed)
        self.period_spin.valueChanged.connect(self._domain_changed)
        for edit in (self.score_edit, self.points_edit, self.organ_edit, self.document_edit):
            edit.textChanged.connect(self._changed)
        self.basis_edit.textChanged.connect(self._changed)
        self.date_edit.dateChanged.connect(self._changed)
        self.grade_combo.currentIndexChanged.connect(self._changed)
        self.add_deduction_button.clicked.connect(lambda: self.add_deduction())
        self.remove_deduction_button.clicked.connect(self.remove_deduction)
        self.overload_button.clicked.connect(self.add_overload_deductions)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        # The write runs off the GUI thread; while it runs 保存 and 取消 are disabled (restored after it).
        self.ops = OperationRunner(self, self.tr("保存"), busy_widgets=(self.save_button, self.cancel_button))
        QShortcut(QKeySequence("Ctrl+D"), self, lambda: self.add_deduction())

    # --- the scheme decides the fields --------------------------------------------------------------------

    def _domain_changed(self, *_args: object) -> None:
        code = self.domain_combo.currentData()
        self._clear_problem("period")
        self._clear_problem("domain")
        try:
            self.scheme = registry().for_period(str(code), self.period_spin.value()) if code else None
        except (SchemeError, DomainError) as exc:
            self.scheme = None
            self._show_problems([FieldProblem("period", getattr(exc, "message_zh", str(exc)))])
        scheme = self.scheme
        uses_score = bool(scheme and scheme.uses_score)
        uses_points = bool(scheme and scheme.uses_points)
        uses_deductions = bool(scheme and scheme.uses_deductions and scheme.max_score is not None)
        self._set_row_visible(self.score_row, uses_score)
        self._set_row_visible(self.points_row, uses_points)
        self._set_row_visible(self.grade_row, bool(scheme) and not uses_score and not uses_points)
        self.deductions_box.setVisible(uses_deductions)
        self.overload_button.setVisible(bool(scheme) and scheme.code == _overload_domain())
        if not uses_deductions:
            self.deductions_table.setRowCount(0)
        self.grade_combo.clear()
        if scheme is not None:
            self.grade_combo.addItems(list(scheme.grades))
            self.grade_combo.setCurrentIndex(-1)
            basis = {"score": "按得分评定", "points": "按不良行为记分评定", "score_and_points": "按得分和记分评定"}
            text = basis.get(scheme.score_basis, "")
            if scheme.max_score is not None and uses_score:
                text += self.tr("（满分{0:g}）").format(scheme.max_score)
            if uses_deductions:
                text += self.tr("，可逐项扣分")
            self.basis_label.setText(self.tr("{0} {1}版：{2}").format(scheme.name, scheme.version, text))
            previous = self.previous_grade()
            if previous:
                self.basis_label.setText(
                    self.basis_label.text() + self.tr("\n上一年度等级：{0}级").format(previous)
                )
        else:
            self.basis_label.setText("")
        self._changed()

    def previous_grade(self) -> str | None:
        """The effective grade of the year before, as the service sees it (the rise cap depends on it)."""
        code = self.domain_combo.currentData()
        if not code:
            return None
        return ratings_service.previous_grade(self._ctx, self._entity.id, code, self.period_spin.value())

    # --- deductions ---------------------------------------------------------------------------------------

    def add_deduction(self, code: str | None = None, points: float | None = None) -> int:
        scheme = self.scheme
        if scheme is None or not scheme.deductions:
            return -1
        table = self.deductions_table
        row = table.rowCount()
        table.insertRow(row)
        combo = QComboBox(table)
        for item in scheme.deductions:
            how = self.tr("直接定{0}级").format(item.direct_grade) if item.direct_grade else self.tr("扣{0:g}分").format(item.points)
            combo.addItem(f"{item.code} {item.name}（{how}）", item.code)
        spin = QDoubleSpinBox(table)
        spin.setRange(0, scheme.max_score or 100)
        spin.setDecimals(2)
        table.setCellWidget(row, 0, combo)
        table.setCellWidget(row, 1, spin)
        if code is not None and combo.findData(code) >= 0:
            combo.setCurrentIndex(combo.findData(code))
        spin.setValue(points if points is not None else scheme.deductions[max(combo.currentIndex(), 0)].points)

        def item_changed(_index: int) -> None:
            chosen = scheme.deduction(str(combo.currentData()))
            if chosen is not None:
                spin.setValue(chosen.points)

        combo.currentIndexChanged.connect(item_changed)
        spin.valueChanged.connect(self._changed)
        combo.currentIndexChanged.connect(self._changed)
        table.selectRow(row)
        combo.setFocus()
        self._changed()
        return row

    def add_overload_deductions(self) -> int:
        """One deduction row per overload notification of the entity in the period; returns how many."""
        from xuyi_desktop.services.overload import deductions_for, overload_rules

        found = deductions_for(self._ctx, self._entity.id, self.period_spin.value())
        for _ in found:
            self.add_deduction(overload_rules().deduction_code)
        self.basis_label.setText(self.basis_label.text().split("\n治超抄报")[0]
                                 + self.tr("\n治超抄报 {0} 份：{1}").format(len(found), "、".join(v.document_no for v in found) or "无"))
        return len(found)

    def remove_deduction(self) -> None:
        rows = sorted({i.row() for i in self.deductions_table.selectedIndexes()}, reverse=True)
        if not rows and self.deductions_table.rowCount():
            rows = [self.deductions_table.rowCount() - 1]
        for row in rows:
            self.deductions_table.removeRow(row)
        self._changed()

    def deductions(self) -> tuple[tuple[str, float | None], ...]:
        items = []
        for row in range(self.deductions_table.rowCount()):
            combo = cast(QComboBox, self.deductions_table.cellWidget(row, 0))  # as add_deduction put them
            spin = cast(QDoubleSpinBox, self.deductions_table.cellWidget(row, 1))
            items.append((str(combo.currentData()), float(spin.value())))
        return tuple(items)

    # --- live grade ---------------------------------------------------------------------------------------

    def _number(self, edit: QLineEdit, field: str, label: str) -> tuple[float | None, list[FieldProblem]]:
        text = edit.text().strip().replace("，", ".").replace("。", ".")
        if not text:
            return None, []
        try:
            return float(text), []
        except ValueError:
            return None, [FieldProblem(field, self.tr("{0}应为数字").format(label))]

    def _measures(self) -> tuple[float | None, float | None, str | None, list[FieldProblem]]:
        """Score (typed, or from the deductions), points and a direct grade, with what is wrong with them."""
        scheme = self.scheme
        problems: list[FieldProblem] = []
        score, p1 = self._number(self.score_edit, "score", self.tr("得分")) if scheme and scheme.uses_score else (None, [])
        points, p2 = self._number(self.points_edit, "points", self.tr("记分")) if scheme and scheme.uses_points else (None, [])
        problems += p1 + p2
        direct = None
        items = self.deductions()
        if scheme is not None and items:
            try:
                computed, direct = score_from_deductions(scheme, items)
            except ValidationError as invalid:
                problems += invalid.problems
            else:
                score = computed
        return score, points, direct, problems

    def _changed(self, *_args: object) -> None:
        self._dirty = True
        self.update_grade()

    def update_grade(self) -> str | None:
        """Show the grade the scheme gives for what is typed so far; return it (None while incomplete)."""
        scheme = self.scheme
        from_deductions = bool(self.deductions_table.rowCount())
        self.score_edit.setReadOnly(from_deductions)
        self.score_edit.setStyleSheet("background: #f0f0f0; color: #333;" if from_deductions else "")
        self.score_edit.setPlaceholderText(self.tr("由扣分项计算") if from_deductions else self.tr("如 94.5"))
        self.score_edit.setToolTip(self.tr("由扣分项计算（满分减扣分）") if from_deductions else "")
        if scheme is None:
            return self._show_grade(None, [])
        if not scheme.uses_score and not scheme.uses_points:
            return self._show_grade(self.grade_combo.currentText() or None, [self.tr("该领域的等级直接填写")])
        score, points, direct, problems = self._measures()
        if from_deductions and score is not None:
            text = f"{score:g}"
            if self.score_edit.text() != text:
                self.score_edit.blockSignals(True)
                self.score_edit.setText(text)
                self.score_edit.blockSignals(False)
        if problems:
            return self._show_grade(None, [p.message_zh for p in problems])
        if (scheme.uses_score and score is None) or (scheme.uses_points and points is None):
            need = []
            if scheme.uses_score and score is None:
                need.append(self.tr("得分"))
            if scheme.uses_points and points is None:
                need.append(self.tr("记分"))
            return self._show_grade(None, [self.tr("填写{0}后显示等级").format("和".join(need))], hint=True)
        try:
            derived = derive_grade(scheme, score, points, direct_grade=direct, previous_grade=self.previous_grade())
        except ValidationError as invalid:
            return self._show_grade(None, [p.message_zh for p in invalid.problems])
        return self._show_grade(derived.grade, list(derived.notes))

    def _show_grade(self, grade: str | None, notes: list[str], *, hint: bool = False) -> str | None:
        self.grade_label.setText(f"{grade}级" if grade else "—")
        colour = grade_colour(self.scheme, grade) if grade else GREYED
        self.grade_label.setStyleSheet(f"color: {colour.name()};")
        self.grade_notes.setText("\n".join(notes))
        self.grade_notes.setStyleSheet("color: #555;" if hint else "color: #ef6c00;")
        self.derived_grade = grade
        return grade

    def derived_text(self) -> str:
        return self.grade_label.text()

    # --- saving -------------------------------------------------------------------------------------------

    def _clear_problem(self, field: str) -> None:
        label = self.errors.get(field)
        if label is not None:
            label.clear()
            label.setVisible(False)

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        general = []
        for problem in problems:
            label = self.errors.get(problem.field)
            if label is None or not label.parentWidget().isVisibleTo(self):
                general.append(problem.message_zh)
                continue
            text = (label.text() + "\n" if label.text() else "") + problem.message_zh
            show_problem(label, text)
        if general:
            show_problem(self.general_error, "；".join(general))

    def _clear_problems(self) -> None:
        for field in self.errors:
            self._clear_problem(field)
        self.general_error.clear()
        self.general_error.setVisible(False)

    def _focus_first(self, problems: list[FieldProblem]) -> None:
        targets = {
            "domain": self.domain_combo, "period": self.period_spin, "score": self.score_edit,
            "points": self.points_edit, "grade": self.grade_combo, "deductions": self.deductions_table,
            "evaluating_organ": self.organ_edit, "decision_date": self.date_edit, "document_no": self.document_edit,
        }
        fields = {p.field for p in problems}
        for field, widget in targets.items():
            if field in fields and widget.isVisibleTo(self):
                widget.setFocus()
                return

    def data(self) -> tuple[RatingInput | None, list[FieldProblem]]:
        scheme = self.scheme
        if scheme is None:
            return None, [FieldProblem("domain", self.tr("请选择评价领域"))]
        items = self.deductions()
        score, p1 = self._number(self.score_edit, "score", self.tr("得分")) if scheme.uses_score and not items else (None, [])
        points, p2 = self._number(self.points_edit, "points", self.tr("记分")) if scheme.uses_points else (None, [])
        grade = None
        if not scheme.uses_score and not scheme.uses_points:
            grade = self.grade_combo.currentText() or None
        d = self.date_edit.date()
        data = RatingInput(
            entity=self._entity.id, domain=scheme.code, period=self.period_spin.value(), score=score, points=points,
            deductions=items, grade=grade, evaluating_organ=self.organ_edit.text(),
            decision_date=dt.date(d.year(), d.month(), d.day()), document_no=self.document_edit.text(),
            basis_notes=self.basis_edit.toPlainText(),
        )
        return data, p1 + p2

    @property
    def saving(self) -> bool:
        """A save is running in the background."""
        return self.ops.busy

    def save(self) -> bool:
        """Ctrl+S: the service checks and derives, off the GUI thread; its messages appear beside their fields.
        True when the save started (its end is `saveFinished`), False when refused before (or while one runs)."""
        if self.ops.busy:
            return False  # Ctrl+S again while saving must not write twice
        self._clear_problems()
        data, problems = self.data()
        if problems or data is None:
            self._show_problems(problems)
            self._focus_first(problems)
            self.saveFinished.emit(False)
            return False
        ctx, correcting = self._ctx, self._correcting
        row = data

        def write() -> RatingView:  # worker thread: the service opens its own session
            if correcting is not None:
                return correct_rating(ctx, correcting.id, row)
            return add_rating(ctx, row)

        return self.ops.run(self.tr("正在保存…"), write, self._written, failed=self._refused) is not None

    def _written(self, view: RatingView) -> None:
        self.saved_view = view
        self._closing = True
        self.accept()
        self.saved.emit(view)
        self.saveFinished.emit(True)

    def _refused(self, exc: BaseException) -> None:
        """The service's refusal beside its field (or in the general line), as a save on the GUI thread showed it."""
        if isinstance(exc, ValidationError):
            self._show_problems(exc.problems)
            self._focus_first(exc.problems)
        elif isinstance(exc, DomainError):
            self._show_problems([FieldProblem("general", exc.message_zh)])
        else:  # e.g. database locked: say so, keep the typed values
            QMessageBox.critical(self, self.tr("保存"), self.tr("保存失败，本次未写入。\n原因：{0}").format(exc))
        self.saveFinished.emit(False)

    # --- closing ------------------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc: ask before throwing away what was typed; not while a save runs (its answer decides)."""
        if self.ops.busy:
            return
        if not self._closing and self._dirty:
            if not confirm(self, self.tr("放弃填写"), self.tr("填写的评价尚未保存，确定放弃吗？")):
                return
        self._closing = True
        super().reject()

    def done(self, result: int) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        super().done(result)

    def _restore_geometry(self) -> None:
        geometry = self._settings.value(_GEOMETRY_KEY) if self._settings is not None else None
        if not geometry or not self.restoreGeometry(geometry):
            self.resize(980, 640)

