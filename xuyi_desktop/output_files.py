"""Where the program may write a file the user named: only a regular file (or a new name), never a device,
a pipe, a folder or a link; an existing file only when the user said so (CLI `--force`, the GUI's save dialog).

`print … --out /dev/full` run as an administrator replaced the device node with a PDF, and `--out` on a FIFO
hung: every writer checks its target here first (printing.output, exchange.workbooks, the CLI for all commands).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from xuyi_desktop.domain.errors import DomainError


class OutputRefused(DomainError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


def check_target(path: Path | str, *, overwrite: bool = True, folder_ok: bool = False) -> Path:
    """Refuse a target that is not a regular file (or, with overwrite=False, one that exists at all)."""
    path = Path(path).expanduser()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OutputRefused(f"无法检查输出文件：{path}（{exc.strerror or exc}）", f"cannot check the output path {path}") from None
    if stat.S_ISDIR(st.st_mode):
        if folder_ok:
            return path
        raise OutputRefused(f"输出位置是一个文件夹，请写出文件名：{path}", f"output path is a folder: {path}")
    if not stat.S_ISREG(st.st_mode):
        what = "链接" if stat.S_ISLNK(st.st_mode) else "设备或管道等特殊文件"
        raise OutputRefused(f"输出位置不是普通文件（{what}），拒绝写入：{path}", f"output path is not a regular file: {path}")
    if not overwrite:
        raise OutputRefused(f"文件已存在，未覆盖：{path}（确需覆盖请加 --force）", f"file exists, not overwritten (use --force): {path}")
    return path


def write_text_file(path: Path | str, text: str, *, overwrite: bool = True) -> Path:
    """UTF-8 text written beside the target and renamed over it (a regular file only)."""
    path = check_target(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputRefused(f"无法写入文件：{path}（{exc.strerror or exc}）", f"cannot write {path}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
