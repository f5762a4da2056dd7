"""The 双公示 page, the record form and the import dialog, driven through their widgets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.sgs_demo import penalty_raw, write_ledger
from xuyi_desktop.ui.sgs_form import SgsRecordForm
from xuyi_desktop.ui.sgs_import import SgsImportDialog
from xuyi_desktop.ui.sgs_page import SgsPage

TODAY = dt.date(2025, 12, 1)


def test_penalty_form_shows_the_rule_beside_the_field_then_saves(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    form = SgsRecordForm(ctx, RecordKind.PENALTY, today=TODAY)
    qtbot.addWidget(form)
    form.show()
    raw = penalty_raw(3, dt.date(2025, 11, 20))
    for name, value in raw.items():
        form.set_value(name, str(value))  # Chinese text: setText, never keyClicks
    form.inputs["jdrq"].setText("")
    qtbot.keyClicks(form.inputs["jdrq"], "2026-01-05")  # ASCII is typed
    form.inputs["wsh"].setText("12号")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    assert form.isVisible()
    assert form.error_text("jdrq") == "处罚决定日期：不能晚于今天（2025-12-01）"
    assert form.error_text("wsh").startswith("行政处罚决定书文号：格式应为")
    assert form.error_text("xdr_mc") == ""
    assert sgs.list_records(ctx) == []

    form.inputs["jdrq"].setText("2025-11-20")
    form.inputs["wsh"].setText(raw["wsh"])
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.buttons.button(form.buttons.StandardButton.Save).click()
    assert not form.isVisible()
    saved = sgs.list_records(ctx, today=TODAY)
    assert [r.document_no for r in saved] == [raw["wsh"]] and str(saved[0].deadline) == "2025-12-01"


def test_import_dialog_reports_progress_and_imports(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = write_ledger(tmp_path / "台账.xlsx", licenses=600, penalties=600)
    dialog = SgsImportDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path_edit.setText(str(ledger))
    seen: list[tuple[int, int]] = []
    dialog._signals.changed.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(dialog.finished_import, timeout=120000):
        dialog.start_button.click()
    result = dialog.result_value
    assert getattr(result, "imported", None) == 1200, result
    assert seen and seen[0][0] == 500 and seen[-1][0] == seen[-1][1]  # progress arrived on the GUI thread
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.status.text() == "导入完成：1200 条"


def test_import_dialog_cancel_writes_nothing(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = write_ledger(tmp_path / "台账.xlsx", penalties=800)
    dialog = SgsImportDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path_edit.setText(str(ledger))
    dialog._signals.changed.connect(lambda d, t: dialog.cancel_button.click())  # cancel at the first progress figure
    with qtbot.waitSignal(dialog.finished_import, timeout=120000):
        dialog.start_button.click()
    assert dialog.status.text() == "导入已取消，未写入任何数据"
    assert sgs.list_records(ctx) == []


def test_dashboard_figures_lead_to_the_records(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    on_time = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 3, 3)), today=TODAY)
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, dt.date(2025, 4, 1)), today=TODAY)
    sgs.mark_reported(ctx, [on_time.id], on=dt.date(2025, 3, 5), batch_no="B1", today=TODAY)
    page = SgsPage(ctx, settings, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.figures is not None, timeout=10000)
    assert page.figure_buttons["report_rate"].text() == "报送率  50.0%\n目标 ≥100%  未达标"  # judged against the plan's target
    assert page.figure_buttons["report_rate"].property("met") is False
    assert page.table.rowCount() == 2
    page.figure_buttons["report_rate"].click()
    assert [r.document_no for r in page.visible_records()] == ["盱交罚〔2025〕2号"]
    assert page.table.rowCount() == 1 and page.table.item(0, 5).text() == "逾期未报"
    page.show_all_button.click()
    assert page.table.rowCount() == 2
    assert [m.month for m in page.chart.months] == ["2025-03", "2025-04"]
    page.chart.grab()  # the QPainter chart draws without error
