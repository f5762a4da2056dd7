"""Grab the 双公示 page (a year of records, some refused by the platform) and its dialogs to PNG files.

    QT_QPA_PLATFORM=offscreen python -m xuyi_desktop.ui.sgs_screenshots --out /tmp/shots --width 1366 --height 768

Works on a new temporary database (records imported from a synthetic ledger, a batch exported with the 江苏
profile, a platform refusal and a correction); window settings go to a temporary INI file.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QDialog

from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.sgs_demo import penalty_raw, refuse_from_batch, write_ledger
from xuyi_desktop.services.sgs_exchange import export_sgs, import_sgs
from xuyi_desktop.ui.app import create_application
from xuyi_desktop.ui.operations import pending_operations
from xuyi_desktop.ui.screenshot_kit import SHOWCASE_NAME, grab, ini_settings, open_window, settle, window_args
from xuyi_desktop.ui.sgs_page import SgsPage


def seed(ctx: AppContext, folder: Path, today: dt.date) -> None:
    ledger = write_ledger(folder / "台账.xlsx", licenses=300, penalties=400)
    import_sgs(ctx, ledger, valid_only=True, today=today)
    long = penalty_raw(901, dt.date(today.year, today.month, 1) - dt.timedelta(days=20))
    long["xdr_mc"] = SHOWCASE_NAME
    sgs.add_record(ctx, RecordKind.PENALTY, long, today=today)
    start = dt.date(today.year, 1, 1)
    export_sgs(ctx, date_from=start, date_to=start.replace(month=6, day=30), out=folder / "b.xlsx", profile="jiangsu_sgs_cf",
               batch_no="SGS-2025-06", today=today)
    refuse_from_batch(ctx, "SGS-2025-06", 3, reason="CF_NR_FK 罚款金额与处罚内容不一致", on=today, source="反馈.xlsx")


def main(argv: list[str] | None = None) -> int:
    args, out = window_args("python -m xuyi_desktop.ui.sgs_screenshots", argv, 1366, 768, "截图输出目录")
    app = create_application()
    folder = Path(tempfile.mkdtemp())
    ctx = open_context(str(folder / "shots.db"))
    today = dt.date(2025, 12, 1)
    try:
        seed(ctx, folder, today)
        window = open_window(ctx, ini_settings(folder / "ui.ini"), args.width, args.height)
        settle(app)
        page = window.show_page("双公示")
        assert isinstance(page, SgsPage)
        page._today = today
        page.from_edit.setDate(page.from_edit.date().fromString("2025-01-01", "yyyy-MM-dd"))
        page.to_edit.setDate(page.to_edit.date().fromString("2025-12-01", "yyyy-MM-dd"))
        page.refresh()
        while pending_operations():
            settle(app, 1)
        settle(app, 20)
        page.table.selectAll()
        settle(app)
        grab(window, out / "sgs_page.png")
        refused = next(r for r in page.records if r.rejected_reason)
        page.search_edit.setText(refused.document_no)  # the list follows the search box
        settle(app)
        grab(window, out / "sgs_page_refused.png")
        page.search_edit.clear()
        page.table.selectAll()
        settle(app)
        dialog = page.mark_selected_reported(exec_dialog=False)
        dialog.show()
        settle(app)
        grab(dialog, out / "sgs_mark_reported.png")
        dialog.done(QDialog.DialogCode.Rejected)
        page.table.clearSelection()
        page.table.selectRow(0)
        for name, maker in (("sgs_correct.png", page.correct_selected), ("sgs_withdraw.png", page.withdraw_selected)):
            d = maker(exec_dialog=False)
            d.show()
            settle(app)
            grab(d, out / name)
            d.done(QDialog.DialogCode.Rejected)
        for name, public in (("sgs_export.png", False), ("sgs_export_public.png", True)):
            d = page.open_export(public=public, exec_dialog=False)
            d.show()
            settle(app)
            grab(d, out / name)
            d.done(QDialog.DialogCode.Rejected)
        window.close()
    finally:
        ctx.close()
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
