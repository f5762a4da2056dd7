"""The 信用核查 page driven through its widgets: search, Enter, business type, grades and consequences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rating_flow import step_day
from PySide6.QtCore import Qt
from ui_helpers import USCC_A, USCC_B, USCC_C

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.ui.credit_check_page import CreditCheckPage, GradeColumn


def rated(ctx, identifier: str, score: float) -> None:  # type: ignore[no-untyped-def]
    view = add_rating(ctx, RatingInput(identifier, "highway_construction", dt.date.today().year - 1, score=score))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, view.id, status, today=step_day(status))


@pytest.fixture
def check_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    page = CreditCheckPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 720)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


def run(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_edit.clear()
    before = page.result
    if text.isascii():
        qtbot.keyClicks(page.search_edit, text)
    else:
        page.search_edit.setText(text)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.result is not before, timeout=5000)


def test_check_by_identifier_for_tender_shows_aa_and_deposit_waiver(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    rated(ctx, USCC_A, 95)
    page = check_page
    assert page.search_edit.hasFocus()
    page.set_business("tender")
    run(qtbot, page, USCC_A)
    result = page.result
    assert "HC" in result.serial and result.serial in page.serial_label.text()
    assert page.name_label.text() == "盱眙县路桥工程有限公司"
    assert USCC_A in page.meta_label.text() and "公路水运工程建设从业单位" in page.meta_label.text()
    assert page.grades_table.rowCount() == 1
    assert page.grades_table.item(0, GradeColumn.DOMAIN).text() == "公路水运工程建设从业单位"
    assert page.grade_text(0) == "AA级"
    assert page.grades_table.item(0, GradeColumn.PROVISIONAL).text() == ""
    lines = page.consequence_lines()
    assert ("incentive", "✔ 激励　减免投标保证金、履约保证金、质量保证金") in lines
    assert all(kind == "incentive" for kind, _ in lines)
    assert page.consequences_list.item(0).foreground().color().name() == "#2e7d32"
    assert not page.pick_box.isVisible()


def test_pinyin_with_several_matches_checks_the_best_and_offers_the_rest(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    register_entity(ctx, EntityDraft(name="盱眙县路桥养护有限公司", identifier=USCC_B, categories=("construction_unit",)))
    page = check_page
    page.set_business("tender")
    run(qtbot, page, "xyxlq")
    assert page.pick_box.isVisible() and page.pick_list.count() == 2
    first = page.result.entity["name"]
    # no rating at all: 暂定A级, marked provisional
    assert page.grade_text(0) == "暂定A级"
    assert page.grades_table.item(0, GradeColumn.PROVISIONAL).text() == "暂定"
    assert "暂定A级" in page.summary_label.text()
    # ↓ to the list, pick the other one, Enter
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.pick_list.hasFocus()
    qtbot.keyClick(page.pick_list, Qt.Key.Key_Down)
    before = page.result
    qtbot.keyClick(page.pick_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.result is not before, timeout=5000)
    assert page.result.entity["name"] != first


def test_d_unit_shows_a_restriction_and_f6_rechecks_for_the_next_business(qtbot, ctx, check_page, settings):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县某某建设有限公司", identifier=USCC_C, categories=("construction_unit",)))
    rated(ctx, USCC_C, 50)
    page = check_page
    page.set_business("tender")
    run(qtbot, page, USCC_C)
    assert page.grade_text(0) == "D级"
    lines = page.consequence_lines()
    assert lines[0] == ("restriction", "✘ 约束　依法依规采取限制性措施（限制参与投标）")
    assert {kind for kind, _ in lines} == {"restriction"}  # and the D grade's 不适用告知承诺 line
    assert page.consequences_list.item(0).foreground().color().name() == "#c62828"
    serial = page.result.serial
    qtbot.keyClick(page.search_edit, Qt.Key.Key_F6)  # tender → fund_application, checked again
    qtbot.waitUntil(lambda: not page.busy and page.result.serial != serial, timeout=5000)
    assert page.result.business == "fund_application" == page.business()
    assert page.consequence_lines()[0] == ("restriction", "✘ 约束　限制申请财政性资金项目")
    assert settings.value("credit_check/business") == "fund_application"
    again = CreditCheckPage(ctx, settings)  # the last business type is remembered
    qtbot.addWidget(again)
    assert again.business() == "fund_application"


def test_no_match_says_so(qtbot, check_page):  # type: ignore[no-untyped-def]
    page = check_page
    with qtbot.waitSignal(page.checkFailed, timeout=5000) as blocker:
        qtbot.keyClicks(page.search_edit, "zzzz")
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert "未找到" in blocker.args[0] and page.status_label.text() == blocker.args[0]
    assert page.result is None


def test_ctrl_p_prints_the_result_sheet(qtbot, ctx, check_page, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QFileDialog

    if check_page.print_button is None:
        pytest.skip("services.printing.print_credit_check is not installed")
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    out = tmp_path / "sheet.pdf"
    opened: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    page = check_page
    run(qtbot, page, USCC_A)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(opened) or "失败" in page.status_label.text(), timeout=15000)
    assert opened == [str(out)], page.status_label.text()
    assert Path(out).read_bytes().startswith(b"%PDF")
