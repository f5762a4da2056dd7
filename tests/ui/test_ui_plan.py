"""The plan's pages driven through their widgets: the dashboard (a figure's records, one click from the table or the
chart, each opening its record), the task report dialog, the registers, the to-do page and the notice on start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QSize

from xuyi_desktop.domain.plan import TaskStatus
from xuyi_desktop.services import plan_registers, plan_tasks
from xuyi_desktop.services.plan_demo import AS_OF, YEAR, build
from xuyi_desktop.ui.operations import pending_operations
from xuyi_desktop.ui.plan_common import RecordDialog, row_data
from xuyi_desktop.ui.plan_dashboard_page import PlanDashboardPage
from xuyi_desktop.ui.plan_registers_page import PlanRegistersPage
from xuyi_desktop.ui.plan_tasks_page import PlanTasksPage
from xuyi_desktop.ui.todo_page import TodoPage

SCREEN = QSize(1366, 768)


def _dashboard(qtbot, ctx) -> PlanDashboardPage:  # type: ignore[no-untyped-def]
    page = PlanDashboardPage(ctx, today=AS_OF)
    qtbot.addWidget(page)
    page.resize(SCREEN.width() - 140, SCREEN.height() - 80)
    page.show()
    qtbot.waitUntil(lambda: page.report is not None and pending_operations() == 0, timeout=15_000)
    with qtbot.waitSignal(page.refreshed, timeout=15_000):
        page.year_spin.setValue(YEAR)
        page.refresh()
    assert page.report is not None and page.report.year == YEAR
    return page


def _row_of(page: PlanDashboardPage, code: str) -> int:
    return next(r for r in range(page.table.rowCount()) if row_data(page.table, r) == code)


def test_a_figure_opens_the_records_behind_it(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    ids = build(ctx)
    page = _dashboard(qtbot, ctx)
    assert page.table.rowCount() == 14
    row = _row_of(page, "sgs_report_rate")
    assert page.table.item(row, 3).text() == "83.3%（5/6）" and page.table.item(row, 4).text() == "未达标"
    page.table.selectRow(row)
    assert page.records.rowCount() == 1 and row_data(page.records, 0) == ("sgs", str(ids["p3"]))
    assert "盱交罚〔2025〕3号" in page.records.item(0, 1).text()
    dialog = page.open_drill_record(0)  # parented to the page, deleted when closed
    assert isinstance(dialog, RecordDialog) and dialog.isVisible()
    assert dialog.detail.title == "盱交罚〔2025〕3号" and ("决定日期", "2025-03-03") in dialog.detail.rows
    with qtbot.waitSignal(page.navigate, timeout=2000) as went:
        assert dialog.go_button is not None
        dialog.go_button.click()
    assert went.args == ["双公示"]

    # the campaigns figure lists the three campaigns; its bar in the chart selects it too
    index = page._bar_codes.index("campaigns")
    page.select_figure_at(index)
    assert row_data(page.table) == "campaigns" and page.records.rowCount() == 3
    assert {row_data(page.records, r)[0] for r in range(3)} == {"campaign"}  # type: ignore[index]
    campaign = page.open_drill_record(0)
    assert campaign is not None and campaign.detail.kind == "campaign"
    # the charts are QtCharts with the figures and the four monthly series
    assert len(page.findChildren(QChartView)) == 2
    assert len(page.bar_chart.series()) == 2 and set(page.trend_series) == {
        "sgs_report_rate", "sgs_compliance_rate", "city_timeliness", "record_completeness"}
    assert page.trend_series["sgs_report_rate"].count() >= 2


def test_the_dashboard_by_unit_and_the_monthly_report(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    build(ctx)
    page = _dashboard(qtbot, ctx)
    before = page.report.figure("city_monthly_report").numerator  # type: ignore[union-attr]
    dialog = page.record_monthly(exec_dialog=False)
    qtbot.addWidget(dialog)
    dialog.month_edit.setText("2025-03")
    dialog.on_edit.setDate(dialog.on_edit.date().fromString("2025-04-09", "yyyy-MM-dd"))
    assert dialog.save()
    with qtbot.waitSignal(page.refreshed, timeout=15_000):
        page.refresh()
    assert page.report.figure("city_monthly_report").numerator == before + 1  # type: ignore[union-attr]
    bad = page.record_monthly(exec_dialog=False)
    qtbot.addWidget(bad)
    bad.month_edit.setText("2025-13")
    assert not bad.save() and "YYYY-MM" in bad.error.text()
    with qtbot.waitSignal(page.refreshed, timeout=15_000):
        page.unit.setCurrentIndex(page.unit.findData("盱眙县交通运输综合行政执法大队"))
        page.refresh()
    assert page.report.unit == "盱眙县交通运输综合行政执法大队"  # type: ignore[union-attr]
    assert page.table.item(_row_of(page, "campaigns"), 3).text() == "1"


def test_the_task_report_dialog(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2023, 6, 1)
    page = PlanTasksPage(ctx, today=day)
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == 30
    page.refresh(select="1.2")
    assert page.current().task.id == "1.2"  # type: ignore[union-attr]
    dialog = page.open_report(exec_dialog=False)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.unit.setCurrentIndex(dialog.unit.findData("盱眙县公路事业发展中心"))
    dialog.text.setPlainText("已印发中心信用管理工作领导小组文件")  # Chinese: set, never keyClicks
    dialog.use_percent.setChecked(True)
    dialog.percent.setValue(100)
    evidence = tmp_path / "文件.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    dialog.add_files([str(evidence)])
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        assert dialog.save()
    view = plan_tasks.get_task(ctx, "1.2", today=day)
    road = next(s for s in view.standings if s.unit == "盱眙县公路事业发展中心")
    assert road.status is TaskStatus.DONE and view.reports[0].files[0].name == "文件.pdf"
    assert page.current().task.id == "1.2" and page.reports.rowCount() == 1  # type: ignore[union-attr]
    assert page.reports.item(0, 4).text() == "文件.pdf"
    # a refusal is shown in the dialog, nothing saved
    again = page.open_report(exec_dialog=False)
    qtbot.addWidget(again)
    again.text.setPlainText("   ")
    assert not again.save() and "进展情况" in again.error.text()
    assert len(plan_tasks.get_task(ctx, "1.2", today=day).reports) == 1


def test_registers_page_adds_and_refuses(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    page = PlanRegistersPage(ctx, today=dt.date(2025, 6, 1))
    qtbot.addWidget(page)
    page.show()
    page.year.setValue(2025)
    form = page.add("campaign", exec_dialog=False)
    qtbot.addWidget(form)
    form.set_text("kind", "诚信春运")
    form.set_text("theme", "诚信春运 温暖回家")
    form.widgets["reach"].setValue(600)  # type: ignore[attr-defined]
    assert form.save()
    page.refresh()
    assert page.tab["campaign"].table.rowCount() == 1 and page.tab["campaign"].table.item(0, 2).text() == "诚信春运 温暖回家"
    empty = page.add("campaign", exec_dialog=False)
    qtbot.addWidget(empty)
    assert not empty.save() and "活动主题" in empty.error.text()
    # 谁生产、谁审核: in set-up mode the producer is "system", and so is the would-be reviewer
    item = plan_registers.submit_website_item(ctx, kind="工作动态", title="动态", content="内容", on=dt.date(2025, 6, 1))
    page.refresh()
    page.tabs.setCurrentWidget(page.tab["website"])
    page.tab["website"].table.selectRow(0)
    assert row_data(page.tab["website"].table) == str(item)
    assert page.review(True) is False


def test_the_todo_page_opens_each_record(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    build(ctx)
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: bool(page.items) and pending_operations() == 0, timeout=15_000)
    kinds = {i.kind for i in page.items}
    assert {"task_due", "sgs_overdue", "commitment_term"} <= kinds
    for row in range(page.table.rowCount())[:8]:
        dialog = page.open_item(row)
        assert isinstance(dialog, RecordDialog) and dialog.detail.rows
        dialog.close()


def test_the_window_lists_the_pages_and_counts_the_todo(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert {"待办", "建设任务", "指标看板", "工作台账"} <= set(titles)
    qtbot.waitUntil(lambda: window.todo.button.text().startswith("待办 "), timeout=15_000)
    window.resize(SCREEN)
    for title in ("待办", "建设任务", "指标看板", "工作台账"):
        page = window.show_page(title)
        assert page is not None and window.pages.currentWidget() is page
        hint = page.minimumSizeHint()
        assert hint.width() <= SCREEN.width() - window.nav.width() and hint.height() <= SCREEN.height() - 60, (title, hint)
    qtbot.waitUntil(lambda: pending_operations() == 0, timeout=15_000)
    window.todo.button.click()
    assert window.pages.currentWidget() is window.show_page("待办")
