"""`xuyi-desktop --self-test`: prove an installation works, end to end, without touching the real data.

Run from source or from the frozen (PyInstaller) build. It sets QT_QPA_PLATFORM=offscreen (unless already set),
points XUYI_DATA_DIR at a new temporary folder, and then, one line per step:

  resources   the shipped resources are found through paths.resource_path() (schemes, business types,
              holiday calendar, commitment texts, the bundled font)
  database    a new SQLite database in the temporary folder, brought to head by the Alembic migrations
  window      the main window opens (offscreen) and is shown
  register    an entity is registered through services.entities
  check       a credit check runs through services.credit_check
  print       the credit-check sheet is printed through services.printing
  pdf         the file starts with %PDF and embeds a font

Exit code 0 when every step passed; 1 with "FAILED at <step>" otherwise; 2 if a step hangs (watchdog).
No dialog can block it: message boxes are answered and logged, any other modal window is closed and fails
the run. The lines also go to <temp>/xuyi_desktop-self-test.log, because a windowed Windows executable
has no console of its own (it attaches to the console it was started from when there is one).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

LOG_NAME = "xuyi_desktop-self-test.log"
DEFAULT_TIMEOUT_S = 180.0
# A valid 统一社会信用代码 (check character correct) for the test entity.
TEST_IDENTIFIER = "91320830PYQLFT169T"
TEST_NAME = "盱眙县自检测试运输有限公司"
TEST_BUSINESS = "licensing"
TEST_CATEGORY = "construction_unit"


class SelfTestFailed(Exception):
    pass


class _Report:
    """Prints each line to stdout (if any) and to the log file in the system temp folder."""

    def __init__(self) -> None:
        self.log_path = Path(tempfile.gettempdir()) / LOG_NAME
        try:
            self._log: TextIO | None = self.log_path.open("w", encoding="utf-8")
        except OSError:
            self._log = None
        self.step = "start"

    def line(self, text: str) -> None:
        text = f"self-test: {text}"
        out = sys.stdout
        if out is not None:
            try:
                print(text, file=out, flush=True)
            except (OSError, ValueError, UnicodeEncodeError):
                try:
                    out.buffer.write((text + "\n").encode("utf-8", "replace"))
                    out.flush()
                except Exception:  # noqa: BLE001, S110 - the log file still has it
                    pass
        if self._log is not None:
            self._log.write(text + "\n")
            self._log.flush()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _attach_windows_console() -> None:
    """A windowed (console=False) Windows executable has no stdout: use the console it was started from."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
            sys.stderr = sys.stdout
    except Exception:  # noqa: BLE001, S110 - no console: the log file is enough
        pass


def _watchdog(report: _Report, timeout_s: float) -> threading.Event:
    """If the run has not finished in time, say which step hung and end the process (exit code 2)."""
    done = threading.Event()

    def watch() -> None:
        if not done.wait(timeout_s):
            report.line(f"FAILED at {report.step}: no progress for {timeout_s:.0f} s (hung)")
            report.close()
            os._exit(2)

    threading.Thread(target=watch, name="self-test-watchdog", daemon=True).start()
    return done


def _guard_dialogs(report: _Report, blocked: list[str]) -> Callable[[], None]:
    """Answer QMessageBox's static helpers without showing anything; close any other modal window.
    Returns a function that undoes the patches."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    originals = {name: getattr(QMessageBox, name) for name in ("information", "warning", "critical", "question", "about")}

    def answer(kind: str):
        def show(_parent: Any, _title: Any, text: Any = "", *args: Any, **kwargs: Any) -> Any:
            report.line(f"  dialog ({kind}) answered: {str(text).splitlines()[0] if text else ''}")
            if kind == "critical":
                blocked.append(f"critical message: {text}")
            if kind == "question":
                return QMessageBox.StandardButton.No
            return QMessageBox.StandardButton.Ok

        return staticmethod(show)

    for name in originals:
        setattr(QMessageBox, name, answer(name))

    timer = QTimer()
    timer.setInterval(200)

    def close_modal() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None:
            blocked.append(f"modal window {type(widget).__name__} '{widget.windowTitle()}'")
            report.line(f"  closing unexpected modal window {type(widget).__name__} '{widget.windowTitle()}'")
            widget.close()

    timer.timeout.connect(close_modal)
    timer.start()

    def undo() -> None:
        timer.stop()
        for name, fn in originals.items():
            setattr(QMessageBox, name, fn)

    return undo


def _pdf_fonts(data: bytes) -> tuple[list[str], bool]:
    """The font names a PDF uses and whether at least one font program is embedded in it."""
    names = sorted({m.decode("latin-1") for m in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", data)})
    embedded = any(key in data for key in (b"/FontFile2", b"/FontFile3", b"/FontFile "))
    return names, embedded


def run(argv: Sequence[str] = (), *, timeout_s: float | None = None) -> int:
    """Run every step; return the process exit code. `argv` is handed to Qt (e.g. -platform)."""
    _attach_windows_console()
    report = _Report()
    started = time.perf_counter()
    if timeout_s is None:
        timeout_s = float(os.environ.get("XUYI_SELF_TEST_TIMEOUT", DEFAULT_TIMEOUT_S))
    done = _watchdog(report, timeout_s)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="xuyi-self-test-"))
    data = work / "data"
    data.mkdir()
    os.environ["XUYI_DATA_DIR"] = str(data)
    os.environ.pop("XUYI_DB", None)
    ctx = None
    undo_guard: Callable[[], None] | None = None
    blocked: list[str] = []
    frozen = "frozen (PyInstaller)" if getattr(sys, "frozen", False) else "from source"
    import xuyi_desktop

    report.line(
        f"xuyi_desktop {xuyi_desktop.__version__}, {frozen}, Python {sys.version.split()[0]}, {sys.platform}, "
        f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    report.line(f"temporary data folder {data}")

    def ok(detail: str) -> None:
        report.line(f"[ok] {report.step}: {detail}")

    try:
        # 1. resources -----------------------------------------------------------------------------------
        report.step = "resources"
        from xuyi_desktop.paths import resource_path
        from xuyi_desktop.printing.fonts import bundled_font_path
        from xuyi_desktop.services.commitments import resources_dir
        from xuyi_desktop.services.schemes import registry
        from xuyi_desktop.services.sgs_calendar import calendar

        root = resource_path()
        reg = registry()
        years = sorted(calendar().years)
        if not years:
            raise SelfTestFailed(f"no holiday calendar under {resource_path('holidays')}")
        font = bundled_font_path()
        if not font.is_file():
            raise SelfTestFailed(f"bundled font missing: {font}")
        if not (resources_dir() / "templates").is_dir():
            raise SelfTestFailed(f"commitment templates missing under {resources_dir()}")
        schemes = len(list(resource_path("rating_schemes").glob("*.toml")))
        ok(
            f"{root} ({schemes} rating schemes, {len(reg.businesses)} business types, "
            f"holidays {years[0]}-{years[-1]}, font {font.name} {font.stat().st_size // 1024} KiB)"
        )

        # 2. database ------------------------------------------------------------------------------------
        report.step = "database"
        from xuyi_desktop.services.context import open_context, schema_revisions

        db_file = data / "self-test.db"
        ctx = open_context(str(db_file))
        revision, head = schema_revisions(ctx)
        if revision != head:
            raise SelfTestFailed(f"database at {revision}, expected {head}")
        ok(f"{db_file.name} created and migrated to {revision} (office {ctx.office_code})")

        # 3. main window ---------------------------------------------------------------------------------
        report.step = "window"
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from xuyi_desktop.ui.app import create_application
        from xuyi_desktop.ui.main_window import MainWindow

        app = create_application(list(argv))
        undo_guard = _guard_dialogs(report, blocked)
        settings = QSettings(str(data / "self-test-ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(ctx, settings)
        window.show()
        deadline = time.monotonic() + 10
        while not window.isVisible() and time.monotonic() < deadline:
            app.processEvents()
        for _ in range(20):
            app.processEvents()
        if not window.isVisible():
            raise SelfTestFailed("main window did not become visible")
        size = window.size()
        title = window.windowTitle() or app.applicationDisplayName()
        ok(f"'{title}' shown {size.width()}x{size.height()} on platform '{QApplication.platformName()}', font '{app.font().family()}'")

        # 4. register an entity --------------------------------------------------------------------------
        report.step = "register"
        from xuyi_desktop.domain.entities import EntityDraft
        from xuyi_desktop.services.entities import register_entity

        entity = register_entity(ctx, EntityDraft(name=TEST_NAME, identifier=TEST_IDENTIFIER, categories=(TEST_CATEGORY,))).summary
        ok(f"{entity.name} {TEST_IDENTIFIER} (id {str(entity.id)[:8]}…)")

        # 5. credit check --------------------------------------------------------------------------------
        report.step = "check"
        from xuyi_desktop.services.credit_check import check_entity

        result = check_entity(ctx, entity.id, TEST_BUSINESS, query=TEST_IDENTIFIER, today=dt.date.today())
        grades = "，".join(f"{g.domain_name} {g.grade or '无'}{'(暂定)' if g.provisional else ''}" for g in result.grades)
        ok(f"serial {result.serial} for {result.business_name}: {grades or '无评价'}")

        # 6. print ---------------------------------------------------------------------------------------
        report.step = "print"
        from xuyi_desktop.printing.fonts import register_fonts
        from xuyi_desktop.services.printing import print_credit_check

        pdf = print_credit_check(ctx, result, work / "credit-check.pdf")
        ok(f"{pdf.name} {pdf.stat().st_size // 1024} KiB ({register_fonts().summary})")

        # 7. the PDF -------------------------------------------------------------------------------------
        report.step = "pdf"
        raw = pdf.read_bytes()
        if not raw.startswith(b"%PDF"):
            raise SelfTestFailed(f"{pdf.name} does not start with %PDF: {raw[:8]!r}")
        names, embedded = _pdf_fonts(raw)
        if not embedded:
            raise SelfTestFailed(f"no embedded font program in {pdf.name} (fonts {names})")
        ok(f"{raw[:8].decode('latin-1').strip()}, embedded font(s) {', '.join(names)}")

        window.close()
        app.processEvents()
        if blocked:
            report.step = "dialogs"
            raise SelfTestFailed("; ".join(blocked))
    except BaseException as exc:  # noqa: BLE001 - any failure is reported with its step, never a silent exit
        detail = str(exc) if isinstance(exc, SelfTestFailed) else f"{type(exc).__name__}: {getattr(exc, 'message_zh', None) or exc}"
        report.line(f"FAILED at {report.step}: {detail}")
        if not isinstance(exc, SelfTestFailed):
            for text in traceback.format_exception(exc):
                for line in text.rstrip().splitlines():
                    report.line("  " + line)
        code = 1
    else:
        report.line(f"PASSED in {time.perf_counter() - started:.1f} s")
        code = 0
    finally:
        if undo_guard is not None:
            undo_guard()
        if ctx is not None:
            ctx.close()
        shutil.rmtree(work, ignore_errors=True)
        done.set()
    report.close()
    return code

