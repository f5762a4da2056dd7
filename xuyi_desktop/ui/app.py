"""Entry point `xuyi-desktop`: open the database, set up Qt for Chinese, show the main window."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import xuyi_desktop
from xuyi_desktop.paths import APP_AUTHOR, APP_NAME, resource_path
from xuyi_desktop.ui import STARTED_AT, STARTED_PERF, gui_gc

DISPLAY_NAME = "盱眙县信用交通"
ORGANISATION_DOMAIN = "xuyi.gov.cn"
# First installed family wins; Windows offices have YaHei/SimSun, Linux test boxes WenQuanYi or Noto.
CJK_FONTS = (
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "SimSun",
)
_translators: list[QTranslator] = []  # Qt does not own installed translators: keep them alive


def _tr(text: str) -> str:
    return QCoreApplication.translate("app", text)


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options; anything else (e.g. -platform, -style) is left for Qt."""
    parser = argparse.ArgumentParser(prog="xuyi-desktop", description="盱眙县信用交通桌面系统")
    parser.add_argument("--db", metavar="PATH|URL", help="数据库文件或URL（默认：环境变量 XUYI_DB，否则用户数据目录）")
    parser.add_argument("--quit-after-shown", action="store_true", help="显示主窗口后立即退出（启动计时用）")
    parser.add_argument(
        "--self-test", action="store_true",
        help="自检：在临时数据目录中打开主窗口（不显示）、登记、核查、打印PDF，每步一行，全部通过返回0",
    )
    return parser.parse_known_args(list(argv))


def _bundled_families() -> list[str]:
    """The fonts shipped in resources/fonts (for printing), loaded only when the system has no Chinese font."""
    families: list[str] = []
    for path in sorted(resource_path("fonts").glob("*.tt[cf]")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return sorted(families, key=lambda family: not family.endswith(" CN"))  # simplified Chinese first


def pick_cjk_font(app: QApplication) -> str | None:
    """Use a font that has Chinese glyphs, keeping the platform's size; None if there is none at all."""
    installed = set(QFontDatabase.families())
    family = next((f for f in CJK_FONTS if f in installed), None) or next(iter(_bundled_families()), None)
    if family is not None:
        font = QFont(app.font())
        font.setFamilies([family])
        app.setFont(font)
    return family


def install_translators(app: QApplication, language: str | None = None) -> list[str]:
    """Qt's own dialog buttons (是/否, 取消) in Chinese, then our catalogue: resources/i18n/xuyi_desktop_<lang>.qm.

    Our source strings are Chinese; a catalogue exists only to translate away from Chinese (XUYI_UI_LANG=en).
    """
    loaded: list[str] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    language = language or os.environ.get("XUYI_UI_LANG") or "zh_CN"
    candidates = [("qtbase_" + language, qt_dir), ("xuyi_desktop_" + language, str(resource_path("i18n")))]
    for name, folder in candidates:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _translators.append(translator)
            loaded.append(name)
    return loaded


def create_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication with names (QSettings), display name, a CJK font and translators; reuses an existing one."""
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setOrganizationDomain(ORGANISATION_DOMAIN)
    QCoreApplication.setApplicationName(APP_NAME)
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "xuyi-desktop", *argv])
    )
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(xuyi_desktop.__version__)
    icon = resource_path("icons", "xuyi_desktop.png")  # drawn by installer/make_icon.py
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    pick_cjk_font(app)
    install_translators(app)
    gui_gc.install(app)  # background saves must never run the garbage collector (and destroy widgets) off this thread
    return app


def _reason(exc: BaseException) -> str:
    return getattr(exc, "message_zh", None) or f"{type(exc).__name__}: {exc}"


def backup_on_exit(ctx: object, parent: QWidget | None = None) -> None:
    """The automatic backup on every exit; a failure is shown, and the exit goes on regardless."""
    from xuyi_desktop.services.backup import auto_backup_if_due

    try:
        auto_backup_if_due(ctx, on_exit=True)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - the clerk is told, the program still exits
        QMessageBox.warning(parent, DISPLAY_NAME, _tr("退出时的自动备份失败：{0}\n\n程序仍将退出，请联系管理员检查备份文件夹。").format(_reason(exc)))


def main(argv: list[str] | None = None) -> int:
    """Run the desktop UI; returns the process exit code (1 if the database cannot be opened).

    Log in (or create the administrator on a new database), show the window; 注销 comes back to the login,
    a restore reopens the database first; on exit the automatic backup runs and the session is logged out.
    """
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:  # before any QApplication: it picks the offscreen platform and a temporary data folder
        from xuyi_desktop.ui.self_test import run as run_self_test

        return run_self_test(qt_args)
    app = create_application(qt_args)

    from xuyi_desktop.services import users
    from xuyi_desktop.services.context import AppContext, open_context
    from xuyi_desktop.ui.login_dialog import authenticate
    from xuyi_desktop.ui.main_window import MainWindow, Outcome

    def open_or_explain() -> AppContext | None:
        try:
            return open_context(args.db)
        except Exception as exc:  # noqa: BLE001 - any failure to open is shown to the clerk, not as a traceback
            target = args.db or os.environ.get("XUYI_DB") or _tr("默认数据库")
            QMessageBox.critical(None, DISPLAY_NAME, _tr("无法打开数据库：{0}\n\n原因：{1}").format(target, _reason(exc)))
            return None

    ctx = open_or_explain()
    if ctx is None:
        return 1
    from xuyi_desktop.ui import print_preview

    print_preview.install_pdf_handler()  # every printed PDF opens in the print preview (打印… / 另存为 PDF…)
    print_preview.install_provisional_guard()  # a numbered print under the provisional office code asks first
    try:
        while True:
            # --quit-after-shown times the start-up to the first window: no one is there to log in.
            if not args.quit_after_shown and not authenticate(ctx):
                return 0  # 退出 on the login screen
            window = MainWindow(ctx)
            window.show()
            if args.quit_after_shown:

                def report(window: MainWindow = window) -> None:
                    elapsed = time.perf_counter() - STARTED_PERF
                    print(f"window-shown {elapsed:.3f} started-at {STARTED_AT:.6f}", flush=True)
                    window.close()

                QTimer.singleShot(0, report)
            code = app.exec()
            outcome = window.outcome
            window.deleteLater()
            if outcome == Outcome.LOGOUT:
                continue
            if outcome == Outcome.RESTORED:  # restore_database closed the old context
                ctx.close()
                ctx = open_or_explain()
                if ctx is None:
                    return 1
                continue
            if not args.quit_after_shown:
                backup_on_exit(ctx)
                users.logout(ctx)
            return code
    finally:
        print_preview.uninstall_provisional_guard()
        print_preview.uninstall_pdf_handler()
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
