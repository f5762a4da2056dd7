"""The 信用核查 page driven through its widgets: search, Enter, candidates, business type, the verdict and the
profile sections (grades, penalties, consequences with their source, overridden incentives)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from rating_flow import step_day
from sqlalchemy import func, select
from ui_helpers import USCC_A, USCC_B, USCC_C

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.storage.models import CreditCheck
from xuyi_desktop.ui.credit_check_page import CreditCheckPage, GradeColumn, PenaltyColumn

LAST_YEAR = dt.date.today().year - 1
LONG_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"


def rated(ctx, identifier: str, score: float) -> None:  # type: ignore[no-untyped-def]
    view = add_rating(ctx, RatingInput(identifier, "highway_construction", LAST_YEAR, score=score, evaluating_organ="盱眙县交通运输局"))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, view.id, status, today=step_day(status))


def serious_penalty(ctx, identifier: str, name: str, number: int = 7):  # type: ignore[no-untyped-def]
    """A 严重 penalty decided last year, entered at the 双公示 counter (services.sgs.add_record)."""
    raw = penalty_raw(number, dt.date(LAST_YEAR, 9, 10))
    raw.update(xdr_mc=name, xdr_shxym=identifier, publicity_class="严重", wfxw="转包、违法分包工程",
               sy="将承包的工程转包", nr="罚款人民币十万元")
    return sgs.add_record(ctx, RecordKind.PENALTY, raw)


def checks_made(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.transaction() as session:
        return session.execute(select(func.count()).select_from(CreditCheck)).scalar_one()


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
    row = page.grades_table.row_texts()[0]
    assert row[GradeColumn.DOMAIN] == "公路水运工程建设从业单位"
    assert page.grade_text(0) == "AA级"
    assert row[GradeColumn.PERIOD] == f"{LAST_YEAR}年度" and row[GradeColumn.ORGAN] == "盱眙县交通运输局"
    assert "暂定" not in row[GradeColumn.NOTE]
    lines = page.consequence_lines()
    assert ("incentive", "✔ 激励　减免投标保证金、履约保证金、质量保证金") in lines
    assert all(kind == "incentive" for kind, _ in lines)
    assert page.consequences_table.item(0, 1).foreground().color().name() == "#2e7d32"
    # the verdict at a glance: green 可享受激励, naming the grade it comes from
    assert page.banner.isVisible() and page.banner.verdict == "incentive"
    assert "可享受激励" in page.banner.title_label.text() and "AA级" in page.banner.reason_label.text()
    assert not page.candidate_box.isVisible()
    assert checks_made(ctx) == 1


def test_serious_penalty_shows_with_the_restriction_and_no_incentive_or_provisional_grade(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    # An unrated construction unit (which would get 暂定A级) with a 严重 penalty decided last year, still in publicity.
    register_entity(ctx, EntityDraft(name=LONG_NAME, identifier=USCC_A, categories=("construction_unit",)))
    record = serious_penalty(ctx, USCC_A, LONG_NAME)
    page = check_page
    page.set_business("licensing")
    run(qtbot, page, USCC_A)
    assert page.name_label.text() == LONG_NAME
    # the penalty, with its publicity end
    penalties = page.penalties_table.row_texts()
    assert len(penalties) == 1
    p = penalties[0]
    assert p[PenaltyColumn.DOCUMENT] == record.document_no and p[PenaltyColumn.CLASS] == "严重"
    assert p[PenaltyColumn.STATE] == "公示中" and p[PenaltyColumn.END] == str(record.publicity_end)
    assert p[PenaltyColumn.END] > dt.date.today().isoformat()
    # the restriction, with the penalty as its source; no incentive line at all
    lines = page.consequence_lines()
    assert lines and lines[0][0] == "restriction" and "严重失信行政处罚" in lines[0][1]
    assert {kind for kind, _ in lines} <= {"restriction", "info"}
    assert record.document_no in page.consequences_table.row_texts()[0][2]
    # no provisional grade: none, and why
    assert page.grade_text(0) == "无" and "暂定" not in page.summary_label.text()
    assert "不适用暂定A级" in page.grades_table.row_texts()[0][GradeColumn.NOTE]
    # a red banner naming the penalty
    assert page.banner.verdict == "restriction" and "存在约束" in page.banner.title_label.text()
    assert record.document_no in page.banner.reason_label.text()


def test_an_incentive_a_restriction_overrides_is_shown_greyed_with_the_reason(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    rated(ctx, USCC_A, 95)  # AA: 减免保证金 at a tender …
    record = serious_penalty(ctx, USCC_A, "盱眙县路桥工程有限公司")  # … but a 严重 penalty in publicity overrides it
    page = check_page
    page.set_business("tender")
    run(qtbot, page, USCC_A)
    lines = page.consequence_lines()
    assert "incentive" not in {kind for kind, _ in lines}
    suppressed = [text for kind, text in lines if kind == "suppressed"]
    assert suppressed and all(text.startswith("不适用：") and f"（因行政处罚{record.document_no}" in text for text in suppressed)
    assert any("减免投标保证金" in text for text in suppressed)
    row = next(r for r in range(page.consequences_table.rowCount()) if page.consequences_table.key(r) == "suppressed")
    assert page.consequences_table.item(row, 1).foreground().color().name() == "#9e9e9e"  # greyed
    assert page.banner.verdict == "restriction" and "激励措施因此不适用" in page.banner.reason_label.text()


def test_an_ambiguous_query_lists_candidates_and_checks_nothing_until_one_is_picked(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    register_entity(ctx, EntityDraft(name="盱眙县路桥养护有限公司", identifier=USCC_B, categories=("construction_unit",)))
    page = check_page
    page.set_business("tender")
    page.search_edit.clear()
    with qtbot.waitSignal(page.candidatesShown, timeout=5000) as shown:
        qtbot.keyClicks(page.search_edit, "xyxlq")
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert shown.args == [2] and not page.busy
    assert page.candidate_box.isVisible() and sorted(page.candidate_names()) == ["盱眙县路桥养护有限公司", "盱眙县路桥工程有限公司"]
    assert page.result is None and not page.banner.isVisible() and not page.scroll.isVisible()
    assert checks_made(ctx) == 0  # nothing checked, no serial used
    # Enter again on the same fragment: still nothing checked
    with qtbot.waitSignal(page.candidatesShown, timeout=5000):
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert checks_made(ctx) == 0
    # ↓ to the list, the second one, Enter: that one is checked, once
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.candidate_table.hasFocus()
    qtbot.keyClick(page.candidate_table, Qt.Key.Key_Down)
    picked = page.candidate_names()[1]
    qtbot.keyClick(page.candidate_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.result is not None, timeout=5000)
    assert page.result.entity["name"] == picked and page.name_label.text() == picked
    assert not page.candidate_box.isVisible()
    assert checks_made(ctx) == 1
    # an exact name is one entity: checked at once
    run(qtbot, page, "盱眙县路桥工程有限公司")
    assert page.result.entity["name"] == "盱眙县路桥工程有限公司" and checks_made(ctx) == 2
    # no rating at all: 暂定A级, marked provisional with the reason
    assert page.grade_text(0) == "暂定A级" and page.grades_table.row_texts()[0][GradeColumn.NOTE].startswith("暂定")


def test_d_unit_shows_a_restriction_and_f6_waits_for_enter_to_check_again(qtbot, ctx, check_page, settings):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县某某建设有限公司", identifier=USCC_C, categories=("construction_unit",)))
    rated(ctx, USCC_C, 50)
    page = check_page
    page.set_business("tender")
    run(qtbot, page, USCC_C)
    assert page.grade_text(0) == "D级"
    lines = page.consequence_lines()
    assert lines[0] == ("restriction", "✘ 约束　依法依规采取限制性措施（限制参与投标）")
    assert {kind for kind, _ in lines} == {"restriction"}  # and the D grade's 不适用告知承诺 line
    assert page.consequences_table.item(0, 1).foreground().color().name() == "#c62828"
    serial = page.result.serial
    qtbot.keyClick(page.search_edit, Qt.Key.Key_F6)  # tender → fund_application: nothing checked yet
    assert page.business() == "fund_application" and page.result.serial == serial and checks_made(ctx) == 1
    assert page.stale and "按回车" in page.status_label.text()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_F6)  # and on: still one check
    qtbot.keyClick(page.search_edit, Qt.Key.Key_F6, Qt.KeyboardModifier.NoModifier)
    assert checks_made(ctx) == 1
    page.set_business("fund_application")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)  # the clerk asks: one new check for the new business
    qtbot.waitUntil(lambda: not page.busy and page.result.serial != serial, timeout=5000)
    assert page.result.business == "fund_application" == page.business() and checks_made(ctx) == 2
    assert not page.stale and not page.status_label.isVisible()
    assert page.consequence_lines()[0] == ("restriction", "✘ 约束　限制申请财政性资金项目")
    assert settings.value("credit_check/business") == "fund_application"
    again = CreditCheckPage(ctx, settings)  # the last business type is remembered
    qtbot.addWidget(again)
    assert again.business() == "fund_application"


def test_the_result_opens_the_entity_profile(qtbot, ctx, check_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    page = check_page
    assert not page.profile_button.isEnabled()
    run(qtbot, page, USCC_A)
    assert page.profile_button.isEnabled()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = page.profile_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.profile is not None, timeout=5000)
    assert dialog.name_label.text() == "盱眙县路桥工程有限公司"
    assert [c[0] for c in dialog.checks_table.row_texts()] == [page.result.serial]  # the check just made
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.profile_dialog is None, timeout=5000)


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
