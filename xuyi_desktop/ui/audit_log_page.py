"""操作日志 / 登录日志: the audit trail newest first, paged lazily, filtered, verified and exported to Excel."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services import audit
from xuyi_desktop.services.audit import AuditRow
from xuyi_desktop.services.audit_anchor import held_anchors, verify_with_anchors
from xuyi_desktop.services.audit_export import action_label, export_audit, record_label, record_names
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.output_files import write_text_file
from xuyi_desktop.ui.error_dialog import clerk_message, show_message
from xuyi_desktop.ui.ledger_widgets import pydate
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.record_widgets import button_row, make_record_list, search_box
from xuyi_desktop.ui.widgets import ElidedLabel
from xuyi_desktop.ui.workflow_widgets import date_edit

PAGE_SIZE = 200
HEADERS = ("序号", "时间", "办公室", "用户", "操作", "对象", "摘要")
# Action families a clerk filters by (prefix of the stored action); the first means no filter.
ACTION_TYPES = (
    ("全部操作", ""),
    ("市场主体", "entity."),
    ("查看个人信息", "personal."),
    ("信用评价", "rating"),
    ("导出", "export."),
    ("打印", "print"),
    ("备份与恢复", "backup."),
    ("用户管理", "user."),
    ("系统设置", "settings."),
    ("签名密钥", "signing_key."),
    ("越权被拒", "permission.denied"),
    ("按证件号码查询", "search.identifier"),
)
LOGIN_TYPES = (
    ("全部", ""),
    ("登录成功", "login.success"),
    ("登录失败", "login.failure"),
    ("账户锁定", "login.locked"),
    ("锁定期间拒绝", "login.refused_locked"),
    ("锁屏", "screen.locked"),
    ("退出登录", "logout"),
)
# Action names and record names: services.audit_export (resources/audit/actions.toml), shared with the export.


def local_seconds(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AuditTableModel(QAbstractTableModel):
    """Rows of audit.list_entries, newest first; the next page (before_seq) is read in the background on scroll."""

    loaded = Signal(int)  # rows now held
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._rows: list[AuditRow] = []
        self._names: dict[tuple[str, str], str] = {}  # (record_table, record_id) → the record's name, per page
        self._filters: dict[str, Any] = {}
        self._generation = 0
        self._loading = False
        self._at_end = True

    # --- data ---
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                str(row.seq),
                local_seconds(row.at),
                row.office_code,
                row.username,
                action_label(row.action),
                self.target_text(row),
                row.summary,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 4:
                return self.tr("操作代码：{0}").format(row.action)
            if column == 5 and row.record_id:
                return f"{self.target_text(row)}\n{row.record_table}:{row.record_id}"
            return row.summary if column == 6 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def target_text(self, row: AuditRow) -> str:
        if not row.record_id:
            return record_label(row.record_table) if row.record_table else ""
        return self._names.get((row.record_table, row.record_id)) or f"{record_label(row.record_table)} {row.record_id[:8]}"

    def row_at(self, row: int) -> AuditRow:
        return self._rows[row]

    @property
    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    @property
    def loading(self) -> bool:
        return self._loading

    # --- paging ---
    def set_filters(self, **filters: Any) -> None:
        """Start over with new filters (results of an older query still on its way are dropped)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._names = {}
        self._filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self._at_end = False
        self._loading = False
        self.endResetModel()
        self._load_page()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._at_end and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load_page()

    def _load_page(self) -> None:
        self._loading = True
        generation, filters = self._generation, dict(self._filters)
        before = self._rows[-1].seq if self._rows else None
        ctx = self._ctx

        def read() -> tuple[list[AuditRow], dict[tuple[str, str], str]]:
            rows = audit.list_entries(ctx, before_seq=before, limit=PAGE_SIZE, **filters)
            return rows, record_names(ctx, rows)  # the page's records named in one query per record type

        run_in_background(
            read,
            lambda result: self._page_arrived(generation, *result),
            lambda exc: self._page_failed(generation, exc),
            owner=self,
        )

    def _page_arrived(self, generation: int, rows: list[AuditRow], names: dict[tuple[str, str], str] | None = None) -> None:
        if generation != self._generation:
            return
        self._names.update(names or {})
        self._loading = False
        self._at_end = len(rows) < PAGE_SIZE
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit(len(self._rows))

    def _page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._at_end = True
        self.failed.emit(clerk_message(exc))


class AuditLogPage(QWidget):
    """The two logs (tabs), the filters, 校验 and 导出Excel."""

    message = Signal(str)
    verified = Signal(object)  # ChainReport
    anchored = Signal(object)  # services.audit_anchor.AnchorCheck
    exported = Signal(int)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self._started = False
        self._build()

    def _build(self) -> None:
        self.tabs = QTabBar(self)
        self.tabs.addTab(self.tr("操作日志"))
        self.tabs.addTab(self.tr("登录日志"))
        self.tabs.setExpanding(False)

        self.user_edit = search_box(self, self.tr("用户名"))
        self.user_edit.setMaximumWidth(140)
        self.type_combo = QComboBox(self)
        self.date_check = QCheckBox(self.tr("日期"), self)
        today = QDate.currentDate()
        self.since_edit = date_edit(self, today.addDays(-30))
        self.until_edit = date_edit(self, today)
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(False)
        self.text_edit = search_box(self, self.tr("摘要包含…"))
        self.search_button = QPushButton(self.tr("查询"), self)
        self.verify_button = QPushButton(self.tr("校验"), self)
        self.verify_button.setToolTip(self.tr("从第一条起校验操作日志的哈希链，发现被改动或删除的日志"))
        self.export_button = QPushButton(self.tr("导出Excel…"), self)
        self.anchor_button = QPushButton(self.tr("对照锚点…"), self)
        self.anchor_button.setToolTip(self.tr("对照备份、同步包或其他单位导出的锚点文件中签名的日志链头，发现被改写或截断的日志"))
        self.anchors_out_button = QPushButton(self.tr("导出锚点…"), self)
        self.anchors_out_button.setToolTip(self.tr("导出本机保存的锚点（含从其他单位收到的），交对方核验其操作日志"))
        self.export_button.setToolTip(self.tr("把符合当前筛选条件的全部日志导出为 .xlsx 文件"))

        first = QHBoxLayout()  # the log and who/what
        first.addWidget(self.tabs)
        first.addStretch(1)
        first.addWidget(QLabel(self.tr("用户"), self))
        first.addWidget(self.user_edit)
        first.addWidget(QLabel(self.tr("类型"), self))
        first.addWidget(self.type_combo)
        second = QHBoxLayout()  # when and which words
        second.addWidget(self.date_check)
        second.addWidget(self.since_edit)
        second.addWidget(QLabel("—", self))
        second.addWidget(self.until_edit)
        second.addWidget(self.text_edit, 1)
        second.addWidget(self.search_button)
        self.text_edit.setMinimumWidth(80)

        self.model = AuditTableModel(self._ctx, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        make_record_list(self.table, alternating=True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        metrics = self.fontMetrics()
        for column, sample in enumerate(("0000000", "2026-01-01 00:00:00", self._ctx.office_code + "0", "username01", "审核人破例受理承诺", "市场主体：盱眙县顺达交通运输有限公司")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        header.setStretchLastSection(True)

        self.count_label = ElidedLabel("", self)  # a long failure message is shortened (whole in the tooltip)
        self.count_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.verify_label = QLabel(self)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(metrics.height())
        self.busy.setVisible(False)
        bottom = button_row([self.count_label], [self.busy, self.verify_label, self.verify_button, self.anchor_button,
                                                 self.anchors_out_button, self.export_button])

        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._fill_types()
        self.tabs.currentChanged.connect(self._tab_changed)
        self.search_button.clicked.connect(self.apply_filters)
        self.user_edit.returnPressed.connect(self.apply_filters)
        self.text_edit.returnPressed.connect(self.apply_filters)
        self.type_combo.activated.connect(lambda _i: self.apply_filters())
        self.date_check.toggled.connect(self._dates_toggled)
        self.verify_button.clicked.connect(self.verify)
        self.anchor_button.clicked.connect(lambda: self.verify_against())
        self.anchors_out_button.clicked.connect(lambda: self.export_anchors())
        self.export_button.clicked.connect(lambda: self.export())
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._load_failed)

    def showEvent(self, event: Any) -> None:
        """Read the log only when the page is first opened (the window builds every page at start)."""
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.apply_filters()

    # --- filters ---
    @property
    def logins(self) -> bool:
        return self.tabs.currentIndex() == 1

    def _fill_types(self) -> None:
        self.type_combo.clear()
        for label, prefix in LOGIN_TYPES if self.logins else ACTION_TYPES:
            self.type_combo.addItem(self.tr(label), prefix)

    def _tab_changed(self, _index: int) -> None:
        self._fill_types()
        self.apply_filters()

    def _dates_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)
        self.apply_filters()

    def current_filters(self) -> dict[str, Any]:
        """What list_entries and export_audit are asked for: the tab, user, type, dates (whole local days), text."""
        filters: dict[str, Any] = {"logins": self.logins}
        if self.user_edit.text().strip():
            filters["username"] = self.user_edit.text().strip()
        if self.type_combo.currentData():
            filters["action_prefix"] = self.type_combo.currentData()
        if self.date_check.isChecked():
            since = pydate(self.since_edit.date())
            until = pydate(self.until_edit.date()) + dt.timedelta(days=1)
            filters["since"] = dt.datetime.combine(since, dt.time()).astimezone().astimezone(dt.UTC)
            filters["until"] = dt.datetime.combine(until, dt.time()).astimezone().astimezone(dt.UTC)
        if self.text_edit.text().strip():
            filters["text"] = self.text_edit.text().strip()
        return filters

    def apply_filters(self) -> None:
        self._started = True
        self.count_label.setText(self.tr("查询中…"))
        self.model.set_filters(**self.current_filters())

    def _loaded(self, rows: int) -> None:
        more = self.tr("，向下滚动加载更多") if self.model.canFetchMore() else ""
        self.count_label.setText(self.tr("已显示 {0} 条{1}").format(rows, more))

    def _load_failed(self, reason: str) -> None:
        self.count_label.setText(self.tr("读取日志失败：{0}").format(reason))

    # --- verify and export ---
    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.verify_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy)

    def verify(self) -> None:
        """校验: walk the whole chain in the background; 完整, or the first broken entry."""
        self._set_busy(True)
        self.verify_label.setStyleSheet("")
        self.verify_label.setText(self.tr("校验中…"))
        run_in_background(lambda: audit.verify_chain(self._ctx), self._verified, self._verify_failed, owner=self)

    def _verified(self, report: Any) -> None:
        self._set_busy(False)
        if report.ok:
            self.verify_label.setStyleSheet("color: #2e7d32;")
            self.verify_label.setText(self.tr("完整（共校验 {0} 条）").format(report.checked))
        else:
            self.verify_label.setStyleSheet("color: #c62828; font-weight: bold;")
            self.verify_label.setText(self.tr("不完整：{0}").format(report.reason_zh))
            QMessageBox.warning(
                self,
                self.tr("操作日志校验"),
                self.tr("操作日志校验未通过：{0}\n\n第 {1} 条日志起的记录可能被改动或删除，请报告管理员。").format(
                    report.reason_zh, report.first_broken_seq
                ),
            )
        self.verified.emit(report)

    def verify_against(self, files: list[Path] | None = None, passphrase: str | None = None) -> None:
        """对照锚点: the chain, then the signed heads in the chosen backups / packages / anchor files."""
        if files is None:
            chosen, _filter = QFileDialog.getOpenFileNames(
                self, self.tr("选择备份、同步包或锚点文件"), "",
                self.tr("备份、同步包、锚点文件 (*.db *.xbak *.xsync *.json);;所有文件 (*)"))
            if not chosen:
                return
            files = [Path(c) for c in chosen]
            if any(f.suffix.lower() == ".xbak" for f in files):
                text, ok = QInputDialog.getText(self, self.tr("加密备份"), self.tr("备份口令："), QLineEdit.EchoMode.Password)
                if not ok:
                    return
                passphrase = text
        self._set_busy(True)
        self.verify_label.setStyleSheet("")
        self.verify_label.setText(self.tr("校验中…"))

        def work() -> Any:
            report = audit.verify_chain(self._ctx)
            return report if not report.ok else verify_with_anchors(self._ctx, list(files or []), passphrase)

        run_in_background(work, self._anchored, self._verify_failed, owner=self)

    def _anchored(self, report: Any) -> None:
        if not hasattr(report, "first_problem_seq"):  # the chain itself is broken
            self._verified(report)
            return
        self._set_busy(False)
        if report.ok:
            self.verify_label.setStyleSheet("color: #2e7d32;")
            self.verify_label.setText(self.tr("与 {0} 个签名锚点一致").format(report.checked))
        else:
            self.verify_label.setStyleSheet("color: #c62828; font-weight: bold;")
            self.verify_label.setText(self.tr("与锚点不符：{0}").format(report.reason_zh))
            QMessageBox.warning(self, self.tr("操作日志校验"), self.tr("操作日志与锚点不符：{0}\n\n请报告管理员。").format(report.reason_zh))
        self.anchored.emit(report)

    def export_anchors(self, path: str | Path | None = None, office: str | None = None) -> None:
        """导出锚点: what `xuyi audit anchors --out` writes, for the other office to check its chain against."""
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("导出锚点"), f"锚点-{dt.date.today():%Y%m%d}.json",
                                                          self.tr("锚点文件 (*.json)"))
            if not chosen:
                return
            path = chosen
        try:
            rows = held_anchors(self._ctx, office)
            write_text_file(Path(path), json.dumps({"format": "xuyi-audit-anchors", "anchors": rows}, ensure_ascii=False, indent=1))
        except DomainError as exc:
            self._warn(self.tr("导出锚点"), clerk_message(exc), exc)
            return
        self.message.emit(self.tr("已导出 {0} 个锚点到 {1}").format(len(rows), path))

    def _verify_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.verify_label.setText("")
        self._warn(self.tr("操作日志校验"), clerk_message(exc), exc)

    def export(self, path: str | Path | None = None) -> None:
        """导出Excel: every row matching the filters (not only the rows loaded), in the background."""
        if path is None:
            suggested = f"操作日志-{dt.date.today():%Y%m%d}.xlsx"
            chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("导出操作日志"), suggested, self.tr("Excel 工作簿 (*.xlsx)"))
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(".xlsx") else chosen + ".xlsx"
        filters = self.current_filters()
        target = Path(path)
        self._set_busy(True)
        run_in_background(
            lambda: export_audit(self._ctx, target, **filters),
            lambda n: self._exported(target, n),
            self._export_failed,
            owner=self,
        )

    def _exported(self, target: Path, rows: int) -> None:
        self._set_busy(False)
        self.message.emit(self.tr("已导出 {0} 条日志到 {1}").format(rows, target))
        QMessageBox.information(self, self.tr("导出操作日志"), self.tr("已导出 {0} 条日志到：\n{1}").format(rows, target))
        self.exported.emit(rows)

    def _export_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._warn(self.tr("导出操作日志"), self.tr("导出失败，未生成文件：{0}").format(clerk_message(exc)), exc)

    def _warn(self, title: str, text: str, exc: BaseException | None = None) -> None:
        """A warning that wraps (never wider than the screen), the raw error behind 详情."""
        self.last_warning = show_message(self, title, text, exc, QMessageBox.Icon.Warning)
