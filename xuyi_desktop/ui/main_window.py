"""The main window: module list on the left, the module's page in the middle, database and office always in view."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QWidget,
)

import xuyi_desktop
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import users
from xuyi_desktop.services.context import AppContext, CurrentUser
from xuyi_desktop.services.entities import count_entities
from xuyi_desktop.ui.data_events import listen, watch_shared_database
from xuyi_desktop.ui.operations import run_in_background, wait_for_background
from xuyi_desktop.ui.pages import EXTRA_PAGES, PageSpec
from xuyi_desktop.ui.registry_page import RegistryPage
from xuyi_desktop.ui.session_lock import IdleWatcher, LockScreen, idle_ms_from
from xuyi_desktop.ui.settings import ui_settings
from xuyi_desktop.ui.widgets import ElidedLabel

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_SPLITTER_KEY = "main_window/splitter"
PRODUCT_ZH = "盱眙县信用交通桌面系统"
PRODUCT_EN = "Xuyi County Transport Credit Desktop System"


class Outcome:
    """Why the window closed, for the loop in app.main(): exit, log in again, or reopen a restored database."""

    QUIT = "quit"
    LOGOUT = "logout"
    RESTORED = "restored"


class _LazyPages(Mapping[str, QWidget]):
    """The window's modules by title; each page is built on first access and takes its placeholder's place."""

    def __init__(self, window: MainWindow, specs: list[PageSpec]) -> None:
        self._window = window
        self._specs = specs
        self._built: dict[str, QWidget] = {}
        for _ in specs:
            window.pages.addWidget(QWidget(window.pages))

    def build_at(self, index: int) -> QWidget:
        spec = self._specs[index]
        page = self._built.get(spec.title)
        if page is None:
            window = self._window
            page = spec.build(window._ctx, window._settings, window)
            placeholder = window.pages.widget(index + 1)
            assert placeholder is not None  # every page has its placeholder until built
            window.pages.insertWidget(index + 1, page)
            window.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            self._built[spec.title] = page
            window._page_built(page)
        return page

    def __getitem__(self, title: str) -> Any:  # the page class depends on the title (callers use its own attributes)
        for index, spec in enumerate(self._specs):
            if spec.title == title:
                return self.build_at(index)
        raise KeyError(title)

    def __contains__(self, title: object) -> bool:  # without building the page
        return any(spec.title == title for spec in self._specs)

    def __iter__(self) -> Iterator[str]:
        return (spec.title for spec in self._specs)

    def __len__(self) -> int:
        return len(self._specs)


class MainWindow(QMainWindow):
    """One window per database; it does not own the context (the caller opens and closes it)."""

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        idle_ms: int | None = None,
    ) -> None:
        """`idle_ms`: lock the screen after this long without input (default: security/idle_minutes, 15 minutes;
        0 = never). The lock only applies when a user is logged in."""
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings if settings is not None else ui_settings()
        self.outcome = Outcome.QUIT
        self._closing_for_restore = False
        self._locked_user: CurrentUser | None = None
        self._hidden_windows: list[QWidget] = []
        self._disabled_actions: list[QAction] = []
        self.setWindowTitle(self.tr("盱眙县信用交通"))
        self.setObjectName("MainWindow")

        self.registry = RegistryPage(ctx, self._settings, self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.registry)
        self.nav = QListWidget(self)
        self.nav.addItem(self.tr("市场主体"))  # only modules that work are listed
        # Pages are built the first time they are shown (or asked for): start-up pays only for the registry.
        self.extra_pages = _LazyPages(self, [spec for spec in EXTRA_PAGES if ctx.can(spec.permission)])
        for title in self.extra_pages:
            self.nav.addItem(QCoreApplication.translate("pages", title))
        self.nav.currentRowChanged.connect(self._show_page)
        self.nav.setCurrentRow(0)
        width = max(self.nav.sizeHintForColumn(0), self.fontMetrics().horizontalAdvance("市场主体")) + 56
        self.nav.setMinimumWidth(width)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([width, 1000])
        self.setCentralWidget(self.splitter)

        self._build_menus()
        self._build_status_bar()
        self._show_start_notices()
        self.registry.entitiesChanged.connect(self.refresh_count)
        listen(self.count_label, {"entity"}, self.refresh_count)  # a sync import, another page: recount
        self.change_watcher = watch_shared_database(ctx, self)  # a shared database: other counters' writes too
        self.registry.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._restore()
        self.refresh_count()
        self.show_sync_notices()
        self.registry.focus_search()  # a clerk can type the first query straight away

        self.lock_screen = LockScreen(self)
        self.lock_screen.unlockRequested.connect(self.unlock)
        self.lock_screen.switchRequested.connect(self.log_out)
        from xuyi_desktop.ui.todo_page import TodoNotice

        self.todo = TodoNotice(self, ctx, self._settings)  # 待办 N 项 in the status bar, and the list on start
        self.idle = IdleWatcher(idle_ms_from(self._settings) if idle_ms is None else idle_ms, self)
        self.idle.idle.connect(self.lock)
        if ctx.user is not None and (idle_ms_from(self._settings) if idle_ms is None else idle_ms) > 0:
            self.idle.start()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self.quit_action = QAction(self.tr("退出(&X)"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.office_action = QAction(self.tr("本单位设置(&S)…"), self)  # `xuyi office init` and `print settings`
        self.office_action.setVisible(self._ctx.can(Permission.SETTINGS))
        self.office_action.triggered.connect(self.open_office_setup)
        file_menu.addAction(self.office_action)
        from xuyi_desktop.ui.holidays_action import HolidaysAction  # `xuyi workdays install`

        self.holidays = HolidaysAction(self, file_menu, self._ctx)
        self.holidays.installed.connect(lambda _year: self._show_start_notices_again())
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self._build_go_menu()
        account_menu = self.menuBar().addMenu(self.tr("账户(&U)"))
        self.logout_action = QAction(self.tr("注销/切换用户(&O)"), self)
        self.logout_action.triggered.connect(self.log_out)
        self.lock_action = QAction(self.tr("锁定屏幕(&L)"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        for action in (self.logout_action, self.lock_action):
            action.setEnabled(self._ctx.user is not None)
            account_menu.addAction(action)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.about_action = QAction(self.tr("关于(&A)"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)
        from xuyi_desktop.ui.training_data import add_training_action  # issue 19: 生成培训数据 (administrators)

        self.training_data = add_training_action(self, help_menu, self._ctx)

    def open_office_setup(self, *, exec_dialog: bool = True) -> QDialog:
        """本单位设置: office code and name (they go into every serial), the organ and objection contact on prints."""
        from xuyi_desktop.ui.office_setup import OfficeSetupDialog

        dialog = OfficeSetupDialog(self._ctx, self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(self.tr("已保存本单位设置"), 5000))
        if exec_dialog:
            dialog.open()
        return dialog

    def _build_go_menu(self) -> None:
        """转到(&G): every module of the navigation, in its order; the first nine on Ctrl+1…Ctrl+9 (市场主体 →
        信用核查 → 信用评价 → 信用承诺 is the counter's most common path), so no page needs the mouse."""
        go_menu = self.menuBar().addMenu(self.tr("转到(&G)"))
        self.go_actions: list[QAction] = []
        for row in range(self.nav.count()):
            title = self.nav.item(row).text()
            action = QAction(f"&{row + 1} {title}" if row < 9 else title, self)
            if row < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, r=row: self.go_to(r))
            go_menu.addAction(action)
            self.go_actions.append(action)
        self.addActions(self.go_actions)  # the shortcuts work with the menu closed

    def go_to(self, row: int) -> QWidget:
        """Show the module at `row` of the navigation and put the keyboard in it."""
        self.nav.setCurrentRow(row)
        page = self.pages.currentWidget()
        assert page is not None  # every row of the navigation has its page
        page.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return page

    def _build_status_bar(self) -> None:
        ctx = self._ctx
        office = self.tr("办公室：{0}（{1}）").format(ctx.office_name, ctx.office_code)
        if ctx.office_provisional and "临时" not in ctx.office_name:  # the provisional name may say so already
            office += self.tr("［临时］")
        self.office_label = QLabel(office, self)
        if ctx.office_provisional:
            self.office_label.setToolTip(self.tr("本机的办公室身份尚未由管理员设置，目前使用临时代码"))
        self.count_label = QLabel(self.tr("主体总数：统计中…"), self)
        self.db_label = ElidedLabel(self.tr("数据库：{0}").format(ctx.location), self)
        self.db_label.setMinimumWidth(160)
        self.db_label.setMaximumWidth(520)
        user = ctx.user
        if user:
            who = self.tr("用户：{0}（{1}）").format(user.display_name, self.tr(user.role.label))
        elif ctx.setup_mode:  # no user exists yet: the program acts as the audited identity "system"
            who = self.tr("用户：system")
        else:
            who = self.tr("用户：未登录")
        self.user_label = QLabel(who, self)
        if ctx.setup_mode and not user:
            self.user_label.setToolTip(self.tr("尚未创建任何用户：以 system 身份操作，并记入操作日志"))
        for label in (self.user_label, self.count_label, self.office_label, self.db_label):
            label.setContentsMargins(10, 0, 10, 0)
        bar = self.statusBar()
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.office_label)
        bar.addPermanentWidget(self.db_label, 1)

    def _show_start_notices(self) -> None:
        """Administrators (not clerks) are told on start, from 1 November, that next year's holiday calendar is
        missing: a short warning in the status bar that stays, the full text as its tooltip and on click."""
        from xuyi_desktop.services.sgs_calendar import missing_calendar_notice

        self.calendar_notice: str | None = None
        self.calendar_button: QPushButton | None = None
        if not self._ctx.can(Permission.SETTINGS):
            return
        try:
            notice = missing_calendar_notice()
        except DomainError:  # a broken holiday file (CalendarError) must not keep the window from opening
            return
        if not notice:
            return
        self.calendar_notice = notice
        button = QPushButton(self.tr("⚠ 下一年度节假日安排未安装"), self)
        button.setFlat(True)
        button.setStyleSheet("QPushButton { color: #ef6c00; font-weight: bold; padding: 0 8px; }")
        button.setToolTip(notice)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda: self._calendar_clicked(notice))
        self.calendar_button = button
        self.statusBar().insertPermanentWidget(0, button)

    def _calendar_clicked(self, notice: str) -> None:
        """The warning, and the way to act on it: 安装节假日安排… straight from it."""
        answer = QMessageBox.question(self, self.tr("节假日安排"), notice + self.tr("\n\n现在安装节假日安排文件吗？"))
        if answer == QMessageBox.StandardButton.Yes:
            self.holidays.run()

    def _show_start_notices_again(self) -> None:
        """A holiday year went in: the status-bar warning goes when it no longer applies."""
        if self.calendar_button is not None:
            self.statusBar().removeWidget(self.calendar_button)
            self.calendar_button.deleteLater()
        self._show_start_notices()

    def refresh_count(self) -> None:
        """Count live entities off the GUI thread (a full count is not free on a million rows)."""
        run_in_background(
            lambda: count_entities(self._ctx),
            lambda n: self.count_label.setText(self.tr("主体总数：{0}").format(f"{n:,}")),
            lambda _exc: self.count_label.setText(self.tr("主体总数：无法统计")),
            owner=self.count_label,
        )

    def show_sync_notices(self) -> None:
        """At start: a PC clock shown to be wrong, peers silent too long (services.sync.startup_notices), in the
        status bar; a wrong clock also in a message, since it decides which of two edits is kept."""
        from xuyi_desktop.services.sync import startup_notices

        def shown(notices: list[str]) -> None:
            self.sync_notices[:] = notices
            if not notices:
                return
            self.sync_label.setText(self.tr("⚠ 同步提醒：{0}").format(notices[0] if len(notices) == 1 else
                                                                 self.tr("{0} 条，见“数据同步”页").format(len(notices))))
            self.sync_label.setToolTip("\n".join(notices))
            self.sync_label.setVisible(True)
            clock = [n for n in notices if n.startswith("本机时钟")]
            if clock:
                QMessageBox.warning(self, self.tr("请校正本机时钟"), "\n\n".join(clock))

        self.sync_notices: list[str] = []
        self.sync_label = QLabel(self)
        self.sync_label.setStyleSheet("QLabel { color: #a61b1b; }")
        self.sync_label.setContentsMargins(10, 0, 10, 0)
        self.sync_label.setVisible(False)
        self.statusBar().addWidget(self.sync_label)
        run_in_background(lambda: startup_notices(self._ctx), shown, lambda _exc: None, owner=self.sync_label)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("{0}\n{1}\n\n版本 {2}\n盱眙县交通运输局").format(PRODUCT_ZH, PRODUCT_EN, xuyi_desktop.__version__),
        )

    # --- session: lock, log out, restore -------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._locked_user is not None

    def lock(self) -> bool:
        """Ctrl+L or idle: end the session (audited screen.locked) and cover the window until the password."""
        user = self._ctx.user
        if self.locked or user is None:
            return False
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not self.registry.form and not getattr(modal, "lockable", False):
            # a message box waits for an answer: later (a view such as 信用档案 holds no answer and is hidden)
            self.idle.timer.start()
            return False
        self.idle.timer.stop()
        users.logout(self._ctx, "screen.locked")
        self._locked_user = user
        self._hidden_windows = [
            w for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)
        ]
        for window in self._hidden_windows:  # e.g. an open entity form: its contents stay, unseen
            window.hide()
        self._disabled_actions = [a for a in self.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled_actions:
            action.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.centralWidget().setEnabled(False)
        self.lock_screen.show_for(f"{user.display_name}（{user.username}）")
        return True

    def unlock(self, password: str) -> bool:
        """The locked user's password (checked and audited by users.login, lockout included) lifts the lock."""
        user = self._locked_user
        if user is None:
            return False
        try:
            users.login(self._ctx, user.username, password)
        except users.LoginFailed as failed:
            self.lock_screen.show_error(failed.message_zh)
            self.lock_screen.password_edit.setFocus()
            return False
        self._locked_user = None
        self.lock_screen.hide()
        self.menuBar().setEnabled(True)
        self.centralWidget().setEnabled(True)
        for action in self._disabled_actions:
            action.setEnabled(True)
        self._disabled_actions = []
        for window in self._hidden_windows:
            window.show()
            window.activateWindow()
        self._hidden_windows = []
        self.idle.timer.start()
        return True

    def log_out(self) -> bool:
        """注销/切换用户: close the window (unsaved edits are asked about first); app.main() shows the login."""
        self.outcome = Outcome.LOGOUT
        for window in self._hidden_windows:
            window.show()  # a form hidden by the lock asks about its edits like any other
        self._hidden_windows = []
        if not self.close():
            self.outcome = Outcome.QUIT
            return False
        users.logout(self._ctx)  # no-op if the screen was locked (already logged out then)
        return True

    def _database_restored(self, result: object) -> None:
        """The backup page replaced the database (and closed the context): close; app.main() reopens it."""
        copy = getattr(result, "pre_restore_copy", None)
        text = self.tr("数据库已从备份恢复。") + (
            self.tr("\n恢复前的数据库已另存为：{0}").format(copy) if copy else ""
        ) + self.tr("\n\n用户和密码恢复为备份时的状态，请重新登录。")
        QMessageBox.information(self, self.tr("恢复完成"), text)
        self.outcome = Outcome.RESTORED
        self._closing_for_restore = True
        self.close()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.lock_screen.isVisible():
            self.lock_screen.setGeometry(self.rect())

    # --- geometry -----------------------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry, state = self._settings.value(_GEOMETRY_KEY), self._settings.value(_STATE_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            from xuyi_desktop.ui.screen_fit import fitted  # issue 19: the first start fits a 1366×768 screen

            self.resize(fitted(self, QSize(1200, 760)))
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = self._settings.value(_SPLITTER_KEY)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def _show_page(self, row: int) -> None:
        if row > 0:
            self.extra_pages.build_at(row - 1)
        self.pages.setCurrentIndex(row)

    def show_page(self, title: str) -> QWidget | None:
        """Go to a module by its navigation title (a record opened from 待办 or 指标看板 points at its page)."""
        for row in range(self.nav.count()):
            if self.nav.item(row).text() == QCoreApplication.translate("pages", title):
                self.nav.setCurrentRow(row)
                return self.pages.currentWidget()
        return None

    def _page_built(self, page: QWidget) -> None:
        """Wire what a page offers to the window: a restore that replaced the database, status-bar messages,
        a request to show another page."""
        navigate = getattr(page, "navigate", None)
        if navigate is not None and hasattr(navigate, "connect"):
            navigate.connect(self.show_page)
        restored = getattr(page, "restored", None)  # the backup page
        if restored is not None:
            restored.connect(self._database_restored)
        message = getattr(page, "message", None)
        if message is not None and hasattr(message, "connect"):
            message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def save_settings(self) -> None:
        self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._settings.setValue(_STATE_KEY, self.saveState())
        self._settings.setValue(_SPLITTER_KEY, self.splitter.saveState())
        self.registry.save_state()
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window, and let background reads finish before the caller closes the database."""
        form = self.registry.form
        if form is not None and self._closing_for_restore:
            form.done(QDialog.DialogCode.Rejected)  # its database is gone: nothing left to save to
        elif form is not None and not form.close():
            event.ignore()  # the clerk chose to keep editing
            return
        self.idle.stop()
        self.save_settings()
        wait_for_background()
        super().closeEvent(event)
