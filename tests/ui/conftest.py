"""UI fixtures: a settings file per test, a shown main window, and one shared database of a few thousand rows."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import databases
import pytest
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
from ui_helpers import BULK_ROWS


@pytest.fixture(scope="session", autouse=True)
def _collector_on_the_gui_thread(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The application's own collector (ui/gui_gc.py), as `create_application` installs it: Python never collects
    garbage on a background save's worker thread, where freeing a closed dialog's wrapper would destroy a Qt object
    off the GUI thread and crash the process (seen once in CI: a segmentation fault during a commitment save)."""
    from xuyi_desktop.ui import gui_gc

    collector = gui_gc.install(qapp)
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _garbage_collected_here(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each Qt test's young garbage is collected at its end, on the GUI thread, so the next test starts clean."""
    yield
    import gc

    qapp.processEvents()
    gc.collect(1)  # the young generations: what the test just left (a full collection doubled the run)


def _alive_only(ref: Callable[[], QWidget | None]) -> Callable[[], QWidget | None]:
    """pytest-qt's weak reference, answering None once the widget's C++ object is gone as well as its wrapper."""

    def widget() -> QWidget | None:
        alive = ref()
        return alive if alive is not None and shiboken6.isValid(alive) else None

    return widget


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """pytest-qt closes each widget a test registered, through a weak reference to its Python wrapper. A dialog that
    deleted itself on close (WA_DeleteOnClose) keeps its wrapper while a reference cycle holds it, which the collector
    on the GUI thread frees only on its next pass, and closing that wrapper raises "Internal C++ object already
    deleted": such a widget counts as closed already."""
    widgets = getattr(item, "qt_widgets", None)
    if widgets:
        item.qt_widgets = [(_alive_only(ref), before) for ref, before in widgets]  # type: ignore[attr-defined]
    return (yield)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    """The real main window on a fresh database, shown and active."""
    from xuyi_desktop.ui.main_window import MainWindow

    win = MainWindow(ctx, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.close()


@pytest.fixture
def page(window):  # type: ignore[no-untyped-def]
    return window.registry


class Dialogs(list):  # type: ignore[type-arg]
    """(kind, text) of each message box shown; `answers` are given to questions in order (then Yes)."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[QMessageBox.StandardButton] = []

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, text in self if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Record every QMessageBox instead of showing it, so no modal box ever blocks a test (autouse: a forgotten
    box must fail an assertion, not hang the run)."""
    seen = Dialogs()

    def recorder(kind: str):  # type: ignore[no-untyped-def]
        def show(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append((kind, text))
            if kind == "question":
                return seen.answers.pop(0) if seen.answers else QMessageBox.StandardButton.Yes
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(recorder(kind)))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("", False)))
    return seen


@pytest.fixture(scope="session")
def _bulk_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A few thousand realistic entities (services.demo_data), built once per run and copied for each test:
    an SQLite file, or a database on the test server used as the template of each test's copy."""
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.demo_data import generate_demo_data

    factory = databases.DatabaseFactory(tmp_path_factory.mktemp("bulk"))
    db = factory.new("bulk")
    context = open_context(db)
    try:
        generate_demo_data(context, BULK_ROWS, seed=2026)
    finally:
        context.close()
    yield db
    factory.drop_all()


@pytest.fixture
def bulk_ctx(_bulk_template: str, tmp_path: Path, new_db) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.context import open_context

    if databases.on_postgresql():
        db = new_db("bulk", template=_bulk_template.rsplit("/", 1)[1])
    else:
        path, template = tmp_path / "bulk.db", Path(_bulk_template)
        for suffix in ("", "-wal", "-shm"):
            source = template.with_name(template.name + suffix)
            if source.exists():
                shutil.copy(source, path.with_name(path.name + suffix))
        db = str(path)
    context = open_context(db)
    yield context
    context.close()
