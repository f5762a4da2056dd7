"""Grab the plan's pages (指标看板 with its charts and a drill-down, 建设任务 with the report dialog, 工作台账, 待办 and the
list on start) to PNG files at 1366×768, to check by eye that everything fits and Chinese renders.

    xvfb-run -a python -m xuyi_desktop.ui.plan_screenshots --out /work/shots/plan

Works on a new temporary database filled by services.plan_demo (the 2025 year the tests count by hand), looked at on
1 March 2026; window settings go to a temporary INI file.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import plan_tasks, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.plan_demo import AS_OF, YEAR, build
from xuyi_desktop.ui.app import create_application
from xuyi_desktop.ui.screenshot_kit import grab, ini_settings, open_window, settle, window_args


def main(argv: list[str] | None = None) -> int:
    args, out = window_args("python -m xuyi_desktop.ui.plan_screenshots", argv, 1366, 768)
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["XUYI_DATA_DIR"] = str(Path(tmp) / "data")
        ctx = open_context(str(Path(tmp) / "plan.db"))
        build(ctx)
        for key, unit, text, pct, day in (
            ("3.4", "综合计划科", "已在招标文件范本中明确第三方信用报告的使用方式", 100, dt.date(2024, 9, 30)),
            ("1.2", "执法大队", "成立大队信用管理工作领导小组，明确专职人员", 100, dt.date(2023, 4, 10)),
            ("1.2", "公路中心", "已起草领导小组文件", 60, dt.date(2023, 6, 1)),
            ("2.2", "执法大队", "双公示信息按周报送，迟报率下降", 70, dt.date(2025, 11, 5)),
        ):
            plan_tasks.report_progress(ctx, key, unit=unit, text=text, percent=pct, on=day, today=AS_OF)
        users.create_user(ctx, "admin", "screenshot-1", Role.ADMIN, display_name="管理员")
        users.login(ctx, "admin", "screenshot-1")
        window = open_window(ctx, ini_settings(Path(tmp) / "ui.ini"), args.width, args.height)
        settle(app, 20, wait_ms=2000)
        if window.todo.popup is not None:
            print(grab(window, out / f"start_with_todo_{args.width}x{args.height}.png"))
            print(grab(window.todo.popup, out / "start_todo_popup.png"))
            window.todo.popup.close()
        size = f"{args.width}x{args.height}"
        dash = window.show_page("指标看板")
        dash._today = AS_OF
        dash.year_spin.setValue(YEAR)
        dash.refresh()
        settle(app, 20, wait_ms=2000)
        print(grab(window, out / f"dashboard_{size}.png"))
        dash.table.selectRow(0)  # 报送率: the record behind it
        settle(app, 20, wait_ms=2000)
        print(grab(window, out / f"dashboard_drill_{size}.png"))
        dialog = dash.open_drill_record(0)
        settle(app, 20, wait_ms=2000)
        if dialog is not None:
            print(grab(dialog, out / "dashboard_record_dialog.png"))
            dialog.close()
        tasks = window.show_page("建设任务")
        tasks._today = AS_OF
        tasks.refresh(select="1.2")
        settle(app, 20, wait_ms=2000)
        print(grab(window, out / f"tasks_{size}.png"))
        report = tasks.open_report(exec_dialog=False)
        if report is not None:
            report.show()
            settle(app, 20, wait_ms=2000)
            print(grab(report, out / "task_report_dialog.png"))
            report.close()
        registers = window.show_page("工作台账")
        registers.year.setValue(YEAR)
        registers.refresh()
        registers.tabs.setCurrentIndex(1)
        settle(app, 20, wait_ms=2000)
        print(grab(window, out / f"registers_{size}.png"))
        todo = window.show_page("待办")
        settle(app, 20, wait_ms=2000)
        print(grab(window, out / f"todo_{size}.png"))
        del todo
        window.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
