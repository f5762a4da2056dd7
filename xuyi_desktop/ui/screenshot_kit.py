"""What every screenshot script (ui/*screenshot*.py) does the same way: make the output folder, open the main
window at a size on throw-away settings, let the event loop settle, and grab a widget to a PNG file.

One place for it, so that the scripts only say what they show; none of this is used by the application itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.ratings import set_status
from xuyi_desktop.ui.app import create_application
from xuyi_desktop.ui.main_window import MainWindow
from xuyi_desktop.ui.operations import wait_for_background

SHOWCASE_ID = "91320830PYQLFT169T"  # the demo entity the scripts open (a valid USCC)
SHOWCASE_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"  # a long real-looking name: does it fit?


def make_effective(ctx: AppContext, rating_id: uuid.UUID) -> None:
    """Take a new rating through review and publicity begun 40 days ago, so it comes into effect lawfully today."""
    today = dt.date.today()
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, rating_id, status, today=None if status is RatingStatus.EFFECTIVE else today - dt.timedelta(days=40))


def output_folder(text: str) -> Path:
    """The --out folder, created if absent (the scripts print the files they write there)."""
    out = Path(text)
    out.mkdir(parents=True, exist_ok=True)
    return out


@contextmanager
def shooting(db: str) -> Iterator[tuple[QApplication, AppContext, list[Path]]]:
    """The application, a context on the database `db` and the list of files written, printed one a line when
    every grab went well; the database is closed either way."""
    app = create_application()
    ctx = open_context(db)
    shots: list[Path] = []
    try:
        yield app, ctx, shots
        for shot in shots:
            print(shot)
    finally:
        ctx.close()


def window_args(prog: str, argv: list[str] | None, width: int, height: int,
                out_help: str | None = None) -> tuple[argparse.Namespace, Path]:
    """The scripts' common command line (--out, --width, --height with their defaults) and the --out folder."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--out", required=True, help=out_help)
    parser.add_argument("--width", type=int, default=width)
    parser.add_argument("--height", type=int, default=height)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return args, output_folder(args.out)


def sizes_args(prog: str, argv: list[str] | None) -> tuple[Path, list[tuple[int, ...]]]:
    """The command line of the scripts that grab at several counter screen sizes: the --out folder and the
    --size list (1366x768 when none is given)."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--out", required=True, help="截图输出目录")
    parser.add_argument("--size", action="append", default=[], help="窗口尺寸，如 1366x768（可重复）")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return output_folder(args.out), [tuple(int(v) for v in s.lower().split("x")) for s in (args.size or ["1366x768"])]


def ini_settings(path: Path) -> QSettings:
    """Window settings in a throw-away INI file: the clerk's saved layout is neither used nor changed."""
    return QSettings(str(path), QSettings.Format.IniFormat)


def open_window(ctx: AppContext, settings: QSettings, width: int, height: int, **options: Any) -> MainWindow:
    """The main window shown at the screen size being checked (the caller settles before grabbing)."""
    window = MainWindow(ctx, settings, **options)
    window.resize(width, height)
    window.show()
    return window


def windows_at(app: QApplication, ctx: AppContext, folder: Path, sizes: Sequence[tuple[int, ...]]
               ) -> Iterator[tuple[MainWindow, int, int]]:
    """The main window at each screen size in turn (settings in `folder`/ui-<width>.ini), settled; closed again
    once the caller's loop body for that size is done."""
    for width, height in sizes:
        window = open_window(ctx, ini_settings(folder / f"ui-{width}.ini"), width, height)
        settle(app)
        yield window, width, height
        window.close()
        settle(app)


def go_to(window: MainWindow, title: str) -> Any:
    """Select the page `title` in the navigation list and return that page."""
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    window.nav.setCurrentRow(titles.index(title))
    return window.extra_pages[title]


def settle(app: QApplication, rounds: int = 10, *, wait_ms: int = 0) -> None:
    """Let queued events run (and, with wait_ms, background jobs end first): a grab taken before shows a
    half-drawn page."""
    for _ in range(rounds):
        if wait_ms:
            wait_for_background(wait_ms)
        app.processEvents()


def settle_for(app: QApplication, seconds: float = 0.5) -> None:
    """Let events run for a while, for pages whose background work posts its result later."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_until(app: QApplication, done: Callable[..., object], limit: int = 2000) -> None:
    """Run events until `done()` (a page has its result), at most `limit` rounds of 5 ms, then settle."""
    for _ in range(limit):
        if done():
            break
        app.processEvents()
        QApplication.instance().thread().msleep(5)
    settle(app, 20)


def grab_and_reject(app: QApplication, dialog: Any, path: Path) -> Path:
    """Let a shown dialog draw, grab it, and close it as 取消 would (nothing saved)."""
    settle(app, 20)
    grab(dialog, path)
    dialog.reject()
    return path


def grab(widget: QWidget, path: Path) -> Path:
    """The widget as drawn now, saved to `path` (returned, for the list of files the script prints)."""
    widget.grab().save(str(path))
    return path
