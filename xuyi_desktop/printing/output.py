"""Writing a PDF: atomically (a reader never sees half a file), with the document fonts set before anything
is drawn (so no non-embedded Helvetica is ever listed), and the document's metadata."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from xuyi_desktop import __version__
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.printing.fonts import DocumentFonts
from xuyi_desktop.printing.layout import PAGE_HEIGHT, PAGE_WIDTH

CREATOR = f"盱眙县信用交通桌面系统 xuyi_desktop {__version__}"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class OutputBusyError(DomainError):
    """The target file cannot be written (open in a PDF viewer, read-only folder)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.message_zh = f"无法写入文件 {path}：{reason}（如已在 PDF 阅读器中打开，请先关闭）"
        self.message_en = f"cannot write {path}"
        super().__init__(self.message_zh)


class PrintCancelled(DomainError):
    """The user cancelled a batch: no file was written and nothing was recorded as printed."""

    message_zh = "已取消打印，未生成文件"
    message_en = "printing cancelled, no file written"


def check_writable(out: Path) -> None:
    """Fail before any work (and before a serial is assigned) if the file cannot be replaced."""
    from xuyi_desktop.output_files import check_target

    out = check_target(out)  # a regular file only: never a device, a pipe or a folder (issue 21)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            with open(out, "ab"):
                pass
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=".xuyi-probe-"):
            pass
    except OSError as exc:
        raise OutputBusyError(out, exc.strerror or str(exc)) from exc


@contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`; when the block ends normally it replaces `out` in one step,
    on any exception it is removed and `out` is untouched."""
    out = Path(out)
    check_writable(out)
    fd, name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".pdf.part", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, out)
        except OSError as exc:
            raise OutputBusyError(out, exc.strerror or str(exc)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, not ASCII85 (ReportLab's default): 20 % smaller files and a
    few milliseconds less per page. ReportLab reads the switch when it writes the file."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def new_canvas(target: str | Path | BinaryIO, fonts: DocumentFonts, *, title: str, author: str = "", subject: str = "") -> Canvas:
    """A canvas writing to a path, or to an open binary stream (benchmarks, previews): never str() a stream."""
    canvas = Canvas(
        target if hasattr(target, "write") else str(target), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=fonts.body.name, initialFontSize=16,
        pageCompression=1, lang="zh-CN",
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(CREATOR)
    canvas.setProducer(CREATOR)
    return canvas
