"""The 信用积分 page (诚信港区 pilot): every ledger (lowest balance first), one ledger's entries with the running
balance, its tier and the tier's differentiated service; adding or deducting under a rule (with reason and
evidence), correcting an entry by a reversing one, and printing the 积分明细 statement. Rules: the services'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import points
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.ledger_widgets import Field, FormDialog, RowTable
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.record_widgets import query_row


class PointsPage(QWidget):
    message = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._settings = ctx, settings
        self.dialog: QDialog | None = None
        self.ledger: points.Ledger | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.entity_edit, _show, top = query_row(
            self, self.tr("驾驶员身份证号码或企业统一社会信用代码，回车查看积分"), self.tr("查看"), self.open_entered,
        )
        self.accounts = RowTable(("名称", "证件号码", "积分", "档次"), self, stretch=0)
        self.accounts.itemSelectionChanged.connect(self._account_chosen)
        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-size: 14px;")
        self.services = QLabel(self)
        self.services.setWordWrap(True)
        self.services.setStyleSheet("color: #2e7d32;")
        self.entries = RowTable(("日期", "类别", "规则", "分值", "余额", "事由", "证据", "经办人"), self, stretch=5)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.header)
        rl.addWidget(self.services)
        rl.addWidget(self.entries, 1)
        split = QSplitter(self)
        split.addWidget(self.accounts)
        split.addWidget(right)
        split.setSizes([360, 900])
        may_edit = self._ctx.can(Permission.ENTITY_EDIT)
        self.add_button = QPushButton(self.tr("加分/扣分…"), self)
        self.correct_button = QPushButton(self.tr("冲正所选记录…"), self)
        self.print_button = QPushButton(self.tr("打印积分明细…"), self)
        self.rules_button = QPushButton(self.tr("积分规则"), self)
        buttons = QHBoxLayout()
        for b, slot, edit in ((self.add_button, self.add_entry, True), (self.correct_button, self.correct, True),
                              (self.print_button, self.print_statement, False), (self.rules_button, self.show_rules, False)):
            b.clicked.connect(slot)
            if edit:
                b.setEnabled(may_edit)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        try:
            rows = points.ledgers(self._ctx)
        except DomainError as refused:
            self.message.emit(refused.message_zh)
            return
        current = self.ledger.entity_id if self.ledger else None
        self.accounts.fill(rows, lambda x: (x.entity_name, x.identifier, f"{x.standing.balance:g}", x.standing.tier.name),
                           lambda x: "#c62828" if x.standing.balance < 80 else None)
        if current is not None:
            self.show_ledger(str(current))

    def _account_chosen(self) -> None:
        row = self.accounts.current()
        if row is not None and (self.ledger is None or self.ledger.entity_id != row.entity_id):
            self.show_ledger(str(row.entity_id))

    def open_entered(self) -> None:
        if self.entity_edit.text().strip():
            self.show_ledger(self.entity_edit.text().strip())

    def show_ledger(self, entity: str) -> None:
        try:
            ledger = points.get_ledger(self._ctx, entity)
        except DomainError as refused:
            self.message.emit(refused.message_zh)
            self.header.setText(refused.message_zh)
            return
        self.ledger = ledger
        t = ledger.standing.tier
        self.header.setText(self.tr("{0}（{1}，{2}）：{3}分，{4}").format(
            ledger.entity_name, ledger.subject_label or "—", ledger.identifier, f"{ledger.standing.balance:g}", t.name)
            if ledger.entries else self.tr("{0}：尚无积分记录（首次加分或扣分时开户，记入初始{1:g}分）").format(
                ledger.entity_name, points.point_rules().initial))
        self.services.setText(self.tr("差异化服务：") + "；".join(t.services) if ledger.entries else "")
        self.entries.fill(list(reversed(ledger.entries)), lambda e: (
            e.occurred_on, e.kind_label + ("（已冲正）" if e.corrected_by else ""), f"{e.rule_code} {e.rule_name}".strip(),
            f"{e.points:+g}", f"{e.balance_after:g}", e.reason, e.evidence, e.recorded_by,
        ), lambda e: "#c62828" if e.points < 0 else None)

    def add_entry(self) -> FormDialog | None:
        if self.ledger is None:
            QMessageBox.information(self, self.tr("信用积分"), self.tr("请先输入证件号码查看一个主体"))
            return None
        entity = str(self.ledger.entity_id)
        rules = points.point_rules()
        choices = [f"{r.code} {r.name}（{r.points:+g}）" for r in rules.rules]

        def submit(v: dict[str, Any]) -> Any:
            code = v["rule"].split(" ", 1)[0]
            return points.add_entry(self._ctx, entity, code, reason=v["reason"], evidence=v["evidence"], points=v["points"], on=v["on"])

        dialog = FormDialog(self.tr("加分/扣分：{0}").format(self.ledger.entity_name), [
            Field("rule", "规则", "choice", choices), Field("reason", "事由"), Field("evidence", "证据（文书号、照片编号等）"),
            Field("points", "分值（不填按规则）", "number"), Field("on", "发生日期", "date"),
        ], submit, self, note=self.tr("积分记录只增不改：记错了请“冲正”，原记录保留。"))
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def correct(self, reason: str | None = None) -> None:
        entry = self.entries.current()
        if entry is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("冲正"), self.tr("冲正理由："))
            if not ok:
                return
        try:
            points.correct_entry(self._ctx, entry.id, reason=reason)
        except DomainError as refused:
            QMessageBox.warning(self, self.tr("冲正"), refused.message_zh)
            return
        self.refresh()
        self.message.emit(self.tr("已冲正"))

    def print_statement(self, path: str | None = None) -> None:
        if self.ledger is None:
            return
        name = f"信用积分明细_{self.ledger.entity_name}_{dt.date.today():%Y%m%d}.pdf"
        path = path or QFileDialog.getSaveFileName(self, self.tr("打印积分明细"), name, "PDF (*.pdf)")[0]
        if not path:
            return
        ctx, entity = self._ctx, str(self.ledger.entity_id)
        run_in_background(lambda: points.print_statement(ctx, entity, Path(path)),
                          lambda p: self.message.emit(self.tr("已生成积分明细：{0}").format(p)),
                          lambda exc: self.message.emit(getattr(exc, "message_zh", str(exc))), owner=self)

    def show_rules(self) -> None:
        r = points.point_rules()
        lines = [f"{r.name}（{r.version}）：开户{r.initial:g}分，范围{r.floor:g}–{r.ceiling:g}分", ""]
        lines += [f"{x.code}　{x.points:+g}　{x.name}{'（须证据）' if x.evidence else ''}" for x in r.rules]
        lines += [""] + [f"{t.name}（≥{t.min_points:g}）：{'；'.join(t.services)}" for t in r.tiers]
        QMessageBox.information(self, self.tr("积分规则"), "\n".join(lines))
