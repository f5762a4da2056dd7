"""The 双公示 page's actions clicked as a clerk would, each compared with its CLI command on a twin database
holding the same records (issue 16: same file headers and rows, or the same rows changed), and 标记已报送 on a
selection that includes reported records (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw
from xuyi_desktop.ui.operations import pending_operations
from xuyi_desktop.ui.sgs_page import SgsPage

TODAY = dt.date(2025, 12, 1)
PLATFORM = Path(__file__).resolve().parents[1] / "support" / "platform"


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          check=False, timeout=300)


def seed(ctx: Any) -> list[sgs.RecordView]:
    """The same records in any database (ids differ, everything else is equal)."""
    made = [sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(i, dt.date(2025, 11, 2 + i), person=i == 3), today=TODAY)
            for i in (1, 2, 3)]
    made.append(sgs.add_record(ctx, RecordKind.LICENSE, license_raw(1, dt.date(2025, 11, 5)), today=TODAY))
    return made


@pytest.fixture
def twin(new_db):  # type: ignore[no-untyped-def]
    """A second database with the same records, for the CLI."""
    db = new_db("twin")
    context = open_context(db)
    try:
        seed(context)
    finally:
        context.close()
    return db


def cells(path: Path) -> list[list[list[Any]]]:
    wb = load_workbook(path, read_only=True)
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]


def state(ctx: Any) -> list[tuple[Any, ...]]:
    """What a list shows of every record, without ids."""
    return sorted((v.kind.value, v.document_no, v.revision, json.dumps(v.to_json()["values"], sort_keys=True, ensure_ascii=False),
                   v.status_text, v.batch_no, str(v.withdrawn_on), v.withdrawn_reason) for v in sgs.list_records(ctx, today=TODAY))


def twin_id(db: str, document_no: str) -> str:
    context = open_context(db)
    try:
        return str(next(v.id for v in sgs.list_records(context, today=TODAY) if v.document_no == document_no))
    finally:
        context.close()


def cli_state(db: str) -> list[tuple[Any, ...]]:
    context = open_context(db)
    try:
        return state(context)
    finally:
        context.close()


def shown_page(qtbot, ctx, settings) -> SgsPage:  # type: ignore[no-untyped-def]
    page = SgsPage(ctx, settings, today=TODAY)
    qtbot.addWidget(page)
    page.show()  # the page loads 2025-01-01 … TODAY by itself, once
    qtbot.waitUntil(lambda: page.figures is not None and page.table.rowCount() == len(page.records) > 0, timeout=10000)
    qtbot.waitUntil(lambda: pending_operations() == 0, timeout=10000)
    return page


def select(page: SgsPage, document_no: str) -> None:
    row = next(i for i in range(page.table.rowCount()) if page.table.item(i, 1).text() == document_no)
    page.table.clearSelection()
    page.table.selectRow(row)


@pytest.mark.parametrize("public", [False, True], ids=["报送批次", "公示版"])
def test_export_buttons_write_what_the_cli_writes(qtbot, ctx, settings, twin, tmp_path: Path, public: bool) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    (page.public_button if public else page.export_button).click()
    dialog = page.export_dialog
    assert dialog.isVisible() and dialog.windowTitle() == ("导出公示版" if public else "导出报送批次")
    titles = [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    assert "江苏省公共信用信息系统 · 行政处罚（双公示）" in titles  # the profiles shipped as data
    dialog.set_profile("jiangsu_sgs_cf")
    dialog.month_combo.setCurrentIndex(1)  # last month: 2025年11月
    assert dialog.month_combo.currentText() == "2025年11月"
    out = tmp_path / "gui.xlsx"
    dialog.path_edit.setText(str(out))
    dialog.batch_edit.setText("B-11")
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.start_button.click()
    cli_out = tmp_path / "cli.xlsx"
    args = ["export", "sgs", "--profile", "jiangsu_sgs_cf", "--month", "2025-11", "--out", str(cli_out), "--today", "2025-12-01"]
    done = xuyi(twin, *args, *(["--public"] if public else ["--batch", "B-11"]))
    assert done.returncode == 0, done.stderr
    gui, cli = cells(out), cells(cli_out)
    assert gui == cli and len(gui[0]) == 1 + 3  # the same header and rows
    assert gui[0][0] == [c for c in cells(PLATFORM / "jiangsu_sgs_cf_template.xlsx")[0][0]]
    if not public:
        qtbot.waitUntil(lambda: any(r.batch_no == "B-11" for r in page.records), timeout=10000)
        assert state(ctx) == cli_state(twin)  # the same rows marked reported
        assert "已导出报送批次 B-11" in dialog.status.text()


def test_export_of_an_empty_month_writes_the_zero_report(qtbot, ctx, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    page.export_button.click()
    dialog = page.export_dialog
    dialog.set_profile("jiangsu_sgs_xk")
    dialog.set_period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    out = tmp_path / "zero.xlsx"
    dialog.path_edit.setText(str(out))
    dialog.unit_edit.setText("盱眙县交通运输局")
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.start_button.click()
    assert dialog.result_value.zero_report and dialog.status.text().startswith("本期没有记录，已生成零报送说明")
    sheet = cells(out)[0]
    assert ["所属期", "2025年10月"] in sheet and ["报送单位", "盱眙县交通运输局"] in sheet


def test_correct_button_changes_what_the_cli_changes(qtbot, ctx, settings, twin) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    select(page, "盱交罚〔2025〕2号")
    assert page.correct_button.isEnabled()
    page.correct_button.click()
    dialog = page.record_dialog
    assert dialog.isVisible() and dialog.inputs["nr"].text() == "罚款人民币五千元"
    dialog.set_value("nr", "罚款人民币六千元")
    dialog.set_value("fk", "0.6")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible() and dialog.error.text() == "更正原因：必填，不能为空"  # refused in the dialog, which stays
    dialog.reason_edit.setText("金额笔误")
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible()

    done = xuyi(twin, "sgs", "correct", twin_id(twin, "盱交罚〔2025〕2号"), "--set", "处罚内容=罚款人民币六千元", "--set", "CF_NR_FK=0.6",
                "--reason", "金额笔误")
    assert done.returncode == 0, done.stderr
    assert state(ctx) == cli_state(twin)
    assert next(r for r in page.records if r.document_no == "盱交罚〔2025〕2号").revision == 2


def test_withdraw_button_changes_what_the_cli_changes(qtbot, ctx, settings, twin) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    select(page, "盱交许〔2025〕1号")
    page.withdraw_button.click()
    dialog = page.record_dialog
    dialog.date_edit.setDate(dialog.date_edit.date().fromString("2025-11-20", "yyyy-MM-dd"))
    dialog.reason_edit.setText("申请人撤回申请")
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    done = xuyi(twin, "sgs", "withdraw", twin_id(twin, "盱交许〔2025〕1号"), "--on", "2025-11-20", "--reason", "申请人撤回申请")
    assert done.returncode == 0, done.stderr
    assert state(ctx) == cli_state(twin)
    select(page, "盱交许〔2025〕1号")
    assert not page.withdraw_button.isEnabled()  # already withdrawn


def test_mark_reported_marks_only_the_unreported_after_naming_the_count(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    made = seed(ctx)
    sgs.mark_reported(ctx, [made[0].id], on=dt.date(2025, 11, 6), batch_no="OLD", today=TODAY)
    page = shown_page(qtbot, ctx, settings)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # Ctrl+A: every record
    assert len(page.selected_ids()) == 4
    assert page.report_button.text() == "标记已报送（3）…" and page.selection_label.text() == "已选 4 条，其中未报送 3 条"
    page.report_button.click()
    dialog = page.record_dialog
    assert dialog.message.text() == "将把 3 条未报送的记录标记为已报送。所选 4 条中另有 1 条已经报送，不作改动。"
    assert dialog.ok_button.text() == "标记 3 条"
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and "批次号" in dialog.error.text()  # the batch number is required
    dialog.batch_edit.setText("B-12")
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    by_no = {v.document_no: v for v in sgs.list_records(ctx, today=TODAY)}
    assert by_no["盱交罚〔2025〕1号"].batch_no == "OLD" and by_no["盱交罚〔2025〕1号"].reported_on == dt.date(2025, 11, 6)
    assert {by_no[n].batch_no for n in by_no if n != "盱交罚〔2025〕1号"} == {"B-12"}
    # A selection of reported records only: nothing to mark, said so, no dialog.
    page.table.selectAll()
    assert not page.report_button.isEnabled(), page.selection_label.text()


def test_feedback_search_and_resubmit_in_the_list(qtbot, ctx, settings, dialogs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    made = seed(ctx)
    sgs.mark_reported(ctx, [m.id for m in made], on=dt.date(2025, 11, 10), batch_no="B1", today=TODAY)
    page = shown_page(qtbot, ctx, settings)
    with qtbot.waitSignal(page.refreshed, timeout=20000):
        page.import_feedback(str(PLATFORM / "jiangsu_sgs_feedback.xlsx"))
    assert dialogs.texts("information")[-1].startswith("共 3 行：退回待重报 1 条，通过 1 条，未匹配 1 条。")
    page.search_edit.setText("盱交罚〔2025〕1")  # Chinese text set on the widget; the list follows as it is typed
    assert page.table.rowCount() == 1
    assert page.table.item(0, SgsPage.STATUS_COLUMN).text() == "待重报"
    assert page.table.item(0, len(SgsPage.COLUMNS) - 1).text() == "平台退回：CF_NR_FK 罚款金额与处罚内容不一致"
    page.search_edit.setText("待重报")  # a status, typed in the same box
    assert [page.table.item(i, 1).text() for i in range(page.table.rowCount())] == ["盱交罚〔2025〕1号"]
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "9132")  # the credit code, typed
    assert page.table.rowCount() == 3
    page.search_edit.clear()
    assert page.table.rowCount() == 4


def test_publish_button_writes_what_the_cli_writes(qtbot, ctx, settings, twin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    page.publish_button.click()
    dialog = page.export_dialog
    assert dialog.windowTitle() == "发布到上级平台"
    names = [dialog.profile_combo.itemData(i) for i in range(dialog.profile_combo.count())]
    assert "xyjt_jiangsu_commitments" in names and "jiangsu_sgs_cf" not in names
    dialog.set_profile("xyjt_jiangsu_lists")
    dialog.month_combo.setCurrentIndex(1)
    dialog.unit_edit.setText("盱眙县交通运输局")
    out = tmp_path / "gui.xlsx"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.start_button.click()
    cli_out = tmp_path / "cli.xlsx"
    done = xuyi(twin, "export", "publication", "--profile", "xyjt_jiangsu_lists", "--month", "2025-11", "--unit", "盱眙县交通运输局",
                "--out", str(cli_out), "--today", "2025-12-01")
    assert done.returncode == 0, done.stderr
    assert cells(out) == cells(cli_out) and ["所属期", "2025年11月"] in cells(out)[0]  # no list entries: the zero report


def test_enter_on_a_row_opens_its_correction_and_esc_closes_it(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = shown_page(qtbot, ctx, settings)
    select(page, "盱交罚〔2025〕1号")
    page.table.setCurrentCell(page.table.currentRow(), 1)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.record_dialog
    assert dialog is not None and dialog.isVisible() and dialog.inputs["wsh"].text() == "盱交罚〔2025〕1号"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_template_button_saves_the_clis_template(qtbot, ctx, settings, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """下载模板 on the 双公示 page writes the workbook `xuyi sgs template` writes (every sheet, every cell)."""
    from PySide6.QtWidgets import QFileDialog

    page = SgsPage(ctx, settings, today=TODAY)
    qtbot.addWidget(page)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "模板"), "")))
    page.template_button.click()
    gui = tmp_path / "模板.xlsx"  # no extension typed: .xlsx is added
    assert gui.exists()
    done = xuyi(ctx.location, "sgs", "template", "--out", str(tmp_path / "cli.xlsx"))
    assert done.returncode == 0, done.stderr
    assert cells(gui) == cells(tmp_path / "cli.xlsx")
    assert any("决定文书号" in str(cell) for sheet in cells(gui) for row in sheet for cell in row)
