"""The window's side of issue 14: the registry finds a vehicle by plate and opens its operator; the ledger import
dialog shows progress; the 车辆船舶 page opens an operator; 源头治超 and 信用积分 driven through their dialogs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QApplication

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.fleet import VehicleDraft
from xuyi_desktop.services import entities, fleet, ledger_demo, overload, points
from xuyi_desktop.services import ledger_exchange as lx
from xuyi_desktop.services.sgs_demo import uscc
from xuyi_desktop.ui.fleet_page import FleetPage
from xuyi_desktop.ui.overload_page import OverloadPage
from xuyi_desktop.ui.points_page import PointsPage


def test_registry_finds_a_vehicle_by_plate_and_opens_its_operator(qtbot, ctx, window) -> None:  # type: ignore[no-untyped-def]
    operator = entities.register_entity(ctx, EntityDraft(name="盱眙顺风物流有限公司", identifier=uscc(11), categories=("road_operator",)))
    entities.register_entity(ctx, EntityDraft(name="盱眙别家运输有限公司", identifier=uscc(12), categories=("road_operator",)))
    fleet.add_vehicle(ctx, VehicleDraft(uscc(11), "苏HD12345", "渐变绿色"))
    page = window.registry
    page.search_edit.setText("苏HD12345")  # Chinese text is set, never typed with keyClicks
    with qtbot.waitSignal(page.model.searchFinished, timeout=5000):
        page.search()
    assert page.model.rowCount() == 1
    shown = page.model.data(page.model.index(0, 0))
    assert shown.startswith("盱眙顺风物流有限公司") and "车辆 苏HD12345（渐变绿色）" in shown
    form = page.edit_selected()
    assert form is not None and form._entity_id == operator.summary.id
    assert form.name_edit.text() == "盱眙顺风物流有限公司"
    form.reject()


def test_ledger_import_dialog_reports_progress_and_the_page_opens_the_operator(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = ledger_demo.write_ledger_workbook(tmp_path / "台账.xlsx", entities=400, practitioners=300, vehicles=300)
    page = FleetPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    dialog = page.import_ledger()
    dialog.path_edit.setText(str(ledger))
    seen: list[tuple[int, int]] = []
    dialog._signals.changed.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(dialog.finished_import, timeout=180000):
        dialog.start_button.click()
    result = dialog.result_value
    assert getattr(result, "outcomes", None) == {"entities.created": 400, "practitioners.created": 300, "vehicles.created": 300}, result
    assert seen and seen[0][0] == 500 and seen[-1][0] == seen[-1][1]  # progress arrived on the GUI thread
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.status.text().startswith("导入完成：主体：新增 400")
    dialog.close()
    qtbot.waitUntil(lambda: page.vehicles.rowCount() == 300, timeout=5000)
    page.search_edit.setText(ledger_demo.plate(42))
    page.refresh()
    assert page.vehicles.rowCount() == 1
    form = page.open_owner()
    assert form is not None and form.name_edit.text() == entities.get_entity(ctx, ledger_demo.operator_uscc(42)).summary.name
    form.reject()
    assert page.width() <= 1366 and page.minimumSizeHint().height() <= 768


def test_overload_page_interview_closes_a_notice(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lx.import_ledger(ctx, ledger_demo.write_ledger_workbook(tmp_path / "l.xlsx", entities=5, vehicles=5))
    day = dt.date.today() - dt.timedelta(days=60)
    rows = [{"抄报文书编号": f"淮治超抄〔2026〕{i}号", "车牌号": ledger_demo.plate(i), "超限日期": day, "抄报日期": day} for i in range(3)]
    rows.append({"抄报文书编号": "淮治超抄〔2026〕9号", "车牌号": "苏H99999", "超限日期": day})
    overload.import_overload(ctx, ledger_demo.write_overload_workbook(tmp_path / "o.xlsx", rows))
    page = OverloadPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == 4 and "待匹配 1" in page.counts.text() and "逾期 3" in page.counts.text()  # the unmatched one arrived today (no 抄报日期): not yet due
    page.select_filter("待约谈")
    assert page.table.rowCount() == 3
    dialog = page.interview()
    assert dialog is not None
    dialog.set_value("participants", "企业负责人、执法大队")
    dialog.set_value("content", "约谈并责令整改")
    dialog.set_value("result", "已卸载整改")
    dialog.submit()
    assert not dialog.isVisible() and dialog.result_value.state.value == "closed"
    assert page.table.rowCount() == 2 and "已办结 1" in page.counts.text()
    page.select_filter("待匹配")
    refused = page.interview()
    assert refused is not None
    refused.set_value("participants", "张三")
    refused.set_value("content", "约谈")
    refused.submit()
    assert refused.isVisible() and "待匹配" in refused.error.text()  # the service's reason, in red; nothing written
    refused.reject()


def test_points_page_adds_an_entry_and_shows_the_tier(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    entities.register_entity(ctx, EntityDraft(name="盱眙港区物流有限公司", identifier=uscc(21), categories=("road_operator",)))
    page = PointsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.entity_edit.setText(uscc(21))
    page.open_entered()
    assert "尚无积分记录" in page.header.text()
    dialog = page.add_entry()
    assert dialog is not None
    dialog.set_value("rule", next(t for t in [dialog.widgets["rule"].itemText(i) for i in range(dialog.widgets["rule"].count())] if t.startswith("JF-01")))
    dialog.set_value("reason", "年度内无违法违规记录")
    dialog.submit()
    assert not dialog.isVisible()
    assert "105分" in page.header.text() and "诚信良好" in page.header.text() and "港区通行绿色通道" in page.services.text()
    assert page.accounts.rowCount() == 1 and page.entries.rowCount() == 2
    page.entries.selectRow(0)  # newest first: the +5
    page.correct(reason="录入错误")
    assert "100分" in page.header.text() and points.get_ledger(ctx, uscc(21)).standing.balance == 100
    QApplication.processEvents()


def test_the_rating_form_adds_one_deduction_per_overload_notice(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.rating_form import RatingForm

    lx.import_ledger(ctx, ledger_demo.write_ledger_workbook(tmp_path / "l.xlsx", entities=5, vehicles=5))
    year = dt.date.today().year
    rows = [{"抄报文书编号": f"抄〔{year}〕{i}号", "车牌号": ledger_demo.plate(2), "超限日期": dt.date(year, 1, 2 + i)} for i in range(3)]
    overload.import_overload(ctx, ledger_demo.write_overload_workbook(tmp_path / "o.xlsx", rows))
    operator = entities.get_entity(ctx, ledger_demo.operator_uscc(2)).summary
    form = RatingForm(ctx, operator)
    qtbot.addWidget(form)
    form.show()
    form.domain_combo.setCurrentIndex(form.domain_combo.findData("road_water_operator"))
    form.period_spin.setValue(year)
    assert form.overload_button.isVisible()
    assert form.add_overload_deductions() == 3
    assert form.deductions() == (("ZC-01", 2.0),) * 3
    form.domain_combo.setCurrentIndex(form.domain_combo.findData("road_driver"))
    assert not form.overload_button.isVisible()
    form.reject()
