"""The 招投标核查 dialog driven through its widgets: a batch check with its progress and the summary naming the row
that matched no entity, a consortium picked member by member, the third-party report register, and the button on
the 信用核查 page that opens it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QDate, Qt
from rating_flow import step_day

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import penalty_raw, uscc
from xuyi_desktop.services.tender import ReportInput, add_report
from xuyi_desktop.ui.tender_dialog import TenderDialog

TODAY = dt.date.today()
LONG_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"


def unit(ctx, n: int, name: str, category: str = "construction_unit", score: float | None = None) -> str:  # type: ignore[no-untyped-def]
    ident = uscc(1000 + n)
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=(category,)), allow_similar=True)
    if score is not None:
        view = add_rating(ctx, RatingInput(ident, "highway_construction", TODAY.year - 1, score=score))
        for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
            set_status(ctx, view.id, status, today=step_day(status))
    return ident


@pytest.fixture
def dialog(qtbot, ctx):  # type: ignore[no-untyped-def]
    d = TenderDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_batch_shows_progress_and_the_unmatched_rows(qtbot, ctx, dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    aa = unit(ctx, 1, "盱眙县路桥工程有限公司", score=96)
    unit(ctx, 2, "盱眙县交通建设有限公司", score=65)
    port = unit(ctx, 3, LONG_NAME, category="port_operator")
    unit(ctx, 4, "盱眙县宏达工程有限公司")
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "投标人名称", "统一社会信用代码"])
    for i, (name, ident) in enumerate([("盱眙县路桥工程有限公司", aa), ("盱眙县交通建设有限公司", ""), (LONG_NAME, port),
                                       ("淮安市不存在建设有限公司", ""), ("工程有限公司", "")], start=1):
        ws.append([i, name, ident])
    wb.save(tmp_path / "名单.xlsx")

    tab = dialog.batch
    tab.set_file(str(tmp_path / "名单.xlsx"))
    assert tab.out_edit.text().endswith("名单_信用核查结果.pdf") and tab.summary_edit.text().endswith(".xlsx")
    values: list[int] = []
    tab.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(tab.finished_batch, timeout=60000) as blocker:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
        assert tab.cancel_button.isEnabled() and not tab.start_button.isEnabled()
    result = blocker.args[0]
    assert not isinstance(result, BaseException), result
    assert len(result.checked) == 3 and Path(tab.out_edit.text()).exists() and Path(tab.summary_edit.text()).exists()
    assert values and values[-1] == tab.progress.maximum() and len(set(values)) > 2  # it moved, then reached the end
    assert tab.table.rowCount() == 5
    assert tab.problem_rows() == [("未找到", "淮安市不存在建设有限公司"), ("名称不唯一", "工程有限公司")]
    assert tab.table.item(3, 3).foreground().color().name() == "#c62828"
    assert tab.table.item(2, 4).text() == LONG_NAME
    assert "有问题的行2行" in tab.status.text() and tab.open_button.isEnabled() and tab.start_button.isEnabled()


def test_batch_with_a_missing_file_says_so(qtbot, dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tab = dialog.batch
    tab.set_file(str(tmp_path / "没有这个文件.xlsx"))
    with qtbot.waitSignal(tab.finished_batch, timeout=10000) as blocker:
        tab.start()
    assert isinstance(blocker.args[0], BaseException)
    assert "找不到文件" in tab.status.text() and tab.start_button.isEnabled()


def test_consortium_picked_member_by_member_takes_the_lowest_grade(qtbot, ctx, dialog) -> None:  # type: ignore[no-untyped-def]
    members = [unit(ctx, 11, "盱眙县一号路桥有限公司", score=96), unit(ctx, 12, "盱眙县二号路桥有限公司", score=88),
               unit(ctx, 13, "盱眙县三号路桥有限公司", score=65)]
    decided = TODAY - dt.timedelta(days=60)
    sgs.add_record(ctx, RecordKind.PENALTY, {**penalty_raw(13, decided), "publicity_class": "一般"}, today=TODAY)
    dialog.tabs.setCurrentWidget(dialog.consortium)
    tab = dialog.consortium
    for ident in members:
        tab.search_edit.clear()
        qtbot.keyClicks(tab.search_edit, ident)
        qtbot.keyClick(tab.search_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda ident=ident: tab.hits_list.count() == 1 and ident in tab.hits_list.item(0).text(), timeout=5000)
        tab.add_selected()
    tab.add_selected()  # the same member twice is refused
    assert "已是联合体成员" in tab.status.text() and tab.members_list.count() == 3
    with qtbot.waitSignal(tab.checked, timeout=20000) as blocker:
        qtbot.mouseClick(tab.check_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert not isinstance(result, BaseException), result
    assert tab.consortium_grade() == "C级" and "盱眙县三号路桥有限公司" in tab.grades_table.item(0, 2).text()
    kinds = tab.consequence_kinds()
    assert "restriction" in kinds and "incentive" not in kinds
    assert tab.members_table.rowCount() == 3 and tab.members_table.item(0, 2).text() == "AA级"
    assert "联合体结论：存在约束" in tab.status.text()
    # one member only: refused with the reason, nothing checked
    tab.members_list.setCurrentRow(2)
    tab.remove_selected()
    tab.members_list.setCurrentRow(1)
    tab.remove_selected()
    with qtbot.waitSignal(tab.checked, timeout=10000) as refused:
        tab.check()
    assert isinstance(refused.args[0], BaseException) and "至少需要2个成员" in tab.status.text()


def test_register_a_report_and_see_the_unregistered_one_flagged(qtbot, ctx, dialog) -> None:  # type: ignore[no-untyped-def]
    ident = unit(ctx, 21, "盱眙县港航工程有限公司")
    add_report(ctx, ReportInput(ident, "某咨询工作室", False, "ZX-1", TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=300)))
    tab = dialog.reports
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        dialog.tabs.setCurrentWidget(tab)
    assert tab.table.rowCount() == 1 and "未备案" in tab.table.item(0, 8).text()
    assert tab.table.item(0, 8).foreground().color().name() == "#c62828"
    tab.new_report()
    form = tab.dialog
    assert form is not None and form.isVisible()
    form.entity_edit.setText(ident)
    form.agency_edit.setText("江苏信用评估有限公司")
    form.registered_check.setChecked(True)
    form.number_edit.setText("JSXY-2026-0042")
    form.issued_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(-30))
    form.until_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(335))
    form.grade_edit.setText("AAA")
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        form.save()
    assert form.saved is not None and form.saved.valid
    assert tab.table.rowCount() == 2 and tab.table.item(0, 4).text() == "JSXY-2026-0042" and tab.table.item(0, 8).text() == "有效"
    # a report dated after its validity: the form says why and stays open
    again = open_report_form(tab)
    again.entity_edit.setText(ident)
    again.agency_edit.setText("江苏信用评估有限公司")
    again.number_edit.setText("JSXY-2026-0043")
    again.issued_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    again.until_edit.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(-1))
    assert again.save() is None and "不能早于出具日期" in again.error.text() and again.isVisible()


def open_report_form(tab):  # type: ignore[no-untyped-def]
    tab.new_report()
    return tab.dialog


def test_the_check_page_opens_the_tender_dialog_and_it_fits_the_screen(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.credit_check_page import CreditCheckPage

    page = CreditCheckPage(ctx, settings)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.tender_button, Qt.MouseButton.LeftButton)
    d = page.tender_dialog
    qtbot.waitExposed(d)
    assert d.isVisible() and [d.tabs.tabText(i) for i in range(d.tabs.count())] == ["批量核查", "联合体核查", "第三方信用报告"]
    for i in range(d.tabs.count()):
        d.tabs.setCurrentIndex(i)
        hint = d.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768 - 60, (i, hint)
    assert d.width() <= 1366 and d.height() <= 768 - 60
    d.close()
