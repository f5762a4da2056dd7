"""The `xuyi-desktop` entry point."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from xuyi_desktop.ui import app


def test_quit_after_shown_prints_the_time_and_exits_0(tmp_path: Path, new_db):  # type: ignore[no-untyped-def]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XUYI_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "xuyi_desktop.ui.app", "--db", new_db("x"), "--quit-after-shown"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"window-shown \d+\.\d{3} started-at \d+\.\d+\n", done.stdout)
    assert (tmp_path / "data" / "desktop-ui.ini").exists()  # geometry saved on the way out


def test_unopenable_database_shows_the_reason_and_returns_1(tmp_path: Path, dialogs):  # type: ignore[no-untyped-def]
    folder = tmp_path / "a-folder-not-a-file"
    folder.mkdir()
    assert app.main(["--db", str(folder)]) == 1
    ((kind, text),) = dialogs
    assert kind == "critical" and text.startswith(f"无法打开数据库：{folder}")


def test_cjk_font_is_chosen_when_installed(qapp):  # type: ignore[no-untyped-def]
    family = app.pick_cjk_font(qapp)
    assert family in app.CJK_FONTS  # fonts-wqy-zenhei is installed on the build machines
    assert qapp.font().family() == family


def test_bundled_font_is_used_when_no_chinese_font_is_installed(qapp, monkeypatch):  # type: ignore[no-untyped-def]
    original = qapp.font()
    monkeypatch.setattr(app, "CJK_FONTS", ("No Such Font",))
    try:
        assert app.pick_cjk_font(qapp) == "AR PL UMing CN"  # resources/fonts/uming.ttc
    finally:
        qapp.setFont(original)
