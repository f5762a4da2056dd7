"""The main window: module list on the left, the module's page in the middle, database and office always in view."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QMessageBox, QSplitter, QStackedWidget, QWidget

import xuyi_desktop
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import count_entities
from xuyi_desktop.ui.operations import run_in_background, wait_for_background
from xuyi_desktop.ui.pages import EXTRA_PAGES
from xuyi_desktop.ui.registry_page import RegistryPage
from xuyi_desktop.ui.settings import ui_settings
from xuyi_desktop.ui.widgets import ElidedLabel

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_SPLITTER_KEY = "main_window/splitter"
PRODUCT_ZH = "盱眙县信用交通桌面系统"
PRODUCT_EN = "Xuyi County Transport Credit Desktop System"


class MainWindow(QMainWindow):
    """One window per database; it does not own the context (the caller opens and closes it)."""

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings if settings is not None else ui_settings()
        self.setWindowTitle(self.tr("盱眙县信用交通 — 市场主体登记"))
        self.setObjectName("MainWindow")

        self.registry = RegistryPage(ctx, self._settings, self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.registry)
        self.nav = QListWidget(self)
        self.nav.addItem(self.tr("市场主体"))  # only modules that work are listed
        self.extra_pages: dict[str, QWidget] = {}
        for spec in EXTRA_PAGES:
            if ctx.can(spec.permission):
                page = spec.build(ctx, self._settings, self)
                self.extra_pages[spec.title] = page
                self.pages.addWidget(page)
                self.nav.addItem(QCoreApplication.translate("pages", spec.title))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
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
        self.registry.entitiesChanged.connect(self.refresh_count)
        self.registry.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._restore()
        self.refresh_count()
        self.registry.focus_search()  # a clerk can type the first query straight away

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self.quit_action = QAction(self.tr("退出(&X)"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.about_action = QAction(self.tr("关于(&A)"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

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
        for label in (self.count_label, self.office_label, self.db_label):
            label.setContentsMargins(10, 0, 10, 0)
        bar = self.statusBar()
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.office_label)
        bar.addPermanentWidget(self.db_label, 1)

    def refresh_count(self) -> None:
        """Count live entities off the GUI thread (a full count is not free on a million rows)."""
        run_in_background(
            lambda: count_entities(self._ctx),
            lambda n: self.count_label.setText(self.tr("主体总数：{0}").format(f"{n:,}")),
            lambda _exc: self.count_label.setText(self.tr("主体总数：无法统计")),
            owner=self.count_label,
        )

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("{0}\n{1}\n\n版本 {2}\n盱眙县交通运输局").format(PRODUCT_ZH, PRODUCT_EN, xuyi_desktop.__version__),
        )

    # --- geometry -----------------------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry, state = self._settings.value(_GEOMETRY_KEY), self._settings.value(_STATE_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = self._settings.value(_SPLITTER_KEY)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._settings.setValue(_STATE_KEY, self.saveState())
        self._settings.setValue(_SPLITTER_KEY, self.splitter.saveState())
        self.registry.save_state()
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window, and let background reads finish before the caller closes the database."""
        form = self.registry.form
        if form is not None and not form.close():
            event.ignore()  # the clerk chose to keep editing
            return
        self.save_settings()
        wait_for_background()
        super().closeEvent(event)
