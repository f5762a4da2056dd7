"""The 信用档案 view and the reviewers' actions placed in the window: opened from the registry (Ctrl+D), its
sections and date field; 结束 on a dishonesty record; 确定公示类别 on the 双公示 page; the commitment dialog's
refusal by the credit check and a reviewer's 例外受理."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from rating_flow import step_day
from ui_helpers import ID_PERSON, USCC_A, USCC_B, USCC_C

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import commitments as commitment_svc
from xuyi_desktop.services import sgs, users
from xuyi_desktop.services.dishonesty import add_dishonesty, list_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.ui.commitment_dialog import CommitmentDialog
from xuyi_desktop.ui.profile_view import ProfileDialog
from xuyi_desktop.ui.sgs_page import SgsPage

TODAY = dt.date.today()
LAST_YEAR = TODAY.year - 1
PW = "Xuyi-Counter-2026"
NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"


def as_role(ctx, role: Role) -> None:  # type: ignore[no-untyped-def]
    """Log in as a user of `role` (the first user is the administrator who creates the others)."""
    if ctx.user is None and ctx.setup_mode:
        users.create_user(ctx, "admin", PW, Role.ADMIN, display_name="王主任")
        users.login(ctx, "admin", PW)
        users.create_user(ctx, "reviewer01", PW, Role.REVIEWER, display_name="陈审核")
        users.create_user(ctx, "clerk01", PW, Role.CLERK, display_name="李经办")
    users.login(ctx, {Role.REVIEWER: "reviewer01", Role.CLERK: "clerk01", Role.ADMIN: "admin"}[role], PW)


def penalty(ctx, identifier: str, name: str, number: int, decided: dt.date, klass: str):  # type: ignore[no-untyped-def]
    raw = penalty_raw(number, decided)
    raw.update(xdr_mc=name, xdr_shxym=identifier, publicity_class=klass)
    return sgs.add_record(ctx, RecordKind.PENALTY, raw)


def open_profile(qtbot, dialog: ProfileDialog) -> ProfileDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.profile is not None and not dialog.loading, timeout=5000)
    return dialog


def test_the_profile_opens_from_the_registry_with_every_section(qtbot, ctx, window) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(
        name=NAME, identifier=USCC_A, categories=("construction_unit",), legal_representative="王建国",
        licences=(LicenceDraft("港口经营许可证", "（苏淮）港经证（0123）号", dt.date(2021, 3, 1), dt.date(2024, 2, 28)),
                  LicenceDraft("施工总承包资质证书", "D232083012", dt.date(2023, 5, 1), TODAY + dt.timedelta(days=900))),
    ))
    serious = penalty(ctx, USCC_A, NAME, 7, dt.date(LAST_YEAR, 9, 10), "严重")
    pending = penalty(ctx, USCC_A, NAME, 8, TODAY - dt.timedelta(days=10), "待定")
    add_dishonesty(ctx, USCC_A, occurred_on=dt.date(LAST_YEAR, 3, 2), category="拖欠农民工工资", description="人社部门查实")
    page = window.registry
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert not page.profile_button.isEnabled()
    page.select_row(0)
    assert page.profile_button.isEnabled() and page.profile_button.text() == "信用档案 (Ctrl+D)"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = page.profile_dialog
    assert isinstance(dialog, ProfileDialog)
    qtbot.waitUntil(lambda: dialog.profile is not None, timeout=5000)

    assert dialog.name_label.text() == NAME and NAME in dialog.windowTitle()
    assert dialog.section_titles() == [
        "基本信息", "证照（已过期的以红色标出）", "信用评价", "行政处罚（公示中／已到期／已修复／待定）", "失信记录", "信用承诺",
        "名单", "信用核查记录（最近50次）",
    ]
    assert dialog.basic["identifier"].text() == USCC_A and dialog.basic["legal_rep"].text() == "王建国"
    # licences: the expired one in red, the valid one not
    licences = dialog.licences_table.row_texts()
    assert [row[-1] for row in licences] == ["已过期", "有效"]
    assert dialog.licences_table.item(0, 4).foreground().color().name() == "#c62828"
    assert dialog.licences_table.item(1, 4).foreground().color().name() != "#c62828"
    # penalties: every one, with its state; 待定 flagged
    penalties = {row[1]: row for row in dialog.penalties_table.row_texts()}
    assert penalties[serious.document_no][6] == "公示中" and penalties[serious.document_no][5] == str(serious.publicity_end)
    assert penalties[pending.document_no][4] == "待定" and penalties[pending.document_no][6] == "公示类别待定"
    # the ratings say why there is no 暂定A级; dishonesty, commitments, lists, checks
    assert dialog.ratings_table.row_texts()[0][1] == "无" and "暂定" in dialog.ratings_table.row_texts()[0][-1]
    assert dialog.dishonesty_table.row_texts()[0][1] == "拖欠农民工工资"
    assert dialog.commitments_table.row_texts() == [] and dialog.lists_table.row_texts() == []
    assert dialog.checks_table.row_texts() == []
    # the two prints
    assert dialog.report_button.isEnabled() and dialog.special_report_button.isEnabled()  # wired to services.reports
    # 结束 (this set-up context may review) only for a selected active record
    assert not dialog.end_button.isEnabled()

    # 按某日查看: before the serious penalty was decided, it has no publicity yet and the pending one is not there
    dialog.date_edit.setDate(QDate(LAST_YEAR, 9, 1))
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.profile is not None and dialog.profile.as_of == dt.date(LAST_YEAR, 9, 1), timeout=5000)
    assert dialog.isVisible()  # Enter showed the day, it did not close the dialog
    states = {row[1]: row[6] for row in dialog.penalties_table.row_texts()}
    assert states[serious.document_no] == "未到决定日期"

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.profile_dialog is None, timeout=5000)


def test_a_reviewer_ends_a_dishonesty_record_from_the_profile(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    entity = register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    record = add_dishonesty(ctx, USCC_A, occurred_on=dt.date(LAST_YEAR, 5, 6), category="法院失信被执行人",
                            description="未履行生效判决", source="盱眙县人民法院")

    as_role(ctx, Role.CLERK)  # a clerk sees the record, and no 结束
    clerk_view = open_profile(qtbot, ProfileDialog(ctx, entity.summary.id, None, settings))
    assert clerk_view.dishonesty_table.row_texts()[0][-1] == "有效"
    assert clerk_view.end_button.isHidden()
    clerk_view.reject()

    as_role(ctx, Role.REVIEWER)
    view = open_profile(qtbot, ProfileDialog(ctx, entity.summary.id, None, settings))
    assert not view.end_button.isHidden() and not view.end_button.isEnabled()
    view.select_dishonesty(0)
    assert view.end_button.isEnabled()
    dialog = view.end_selected_dishonesty(exec_dialog=False)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()  # no reason: asked for, nothing ended
    assert not dialog.error.isHidden() and dialog.result() == 0
    assert list_dishonesty(ctx, entity=USCC_A)[0].active
    dialog.reason_edit.setPlainText("法院已裁定终结执行，申请人已履行")
    with qtbot.waitSignal(view.loaded, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    ended = list_dishonesty(ctx, entity=USCC_A)[0]
    assert ended.id == record and ended.ends_on == TODAY and ended.end_reason == "法院已裁定终结执行，申请人已履行"
    row = view.dishonesty_table.row_texts()[0]
    assert row[4] == TODAY.isoformat() and row[-1] == "有效"  # ends today: still counted today, gone tomorrow
    # tomorrow's view: ended, and 结束 no longer offered
    view.date_edit.setDate(QDate.fromString((TODAY + dt.timedelta(days=1)).isoformat(), "yyyy-MM-dd"))
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.show_button.click()
    assert view.dishonesty_table.row_texts()[0][-1] == "已结束"


def test_a_persons_id_number_is_masked_until_revealed_and_the_reveal_is_audited(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import audit

    person = register_entity(ctx, EntityDraft(name="张建华", identifier=ID_PERSON, categories=("key_personnel",)))
    as_role(ctx, Role.REVIEWER)  # may reveal personal data, and read the audit log
    view = open_profile(qtbot, ProfileDialog(ctx, person.summary.id, None, settings))
    shown = view.basic["identifier"].text()
    assert shown != ID_PERSON and "*" in shown and shown[:6] == ID_PERSON[:6]
    assert audit.list_entries(ctx, action_prefix="personal.reveal") == []  # opening reveals nothing
    assert view.reveal_button.isVisible()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.reveal_button.click()
    assert view.basic["identifier"].text() == ID_PERSON and not view.reveal_button.isVisible()
    assert [row.summary for row in audit.list_entries(ctx, action_prefix="personal.reveal")] == ["查看完整证件号码（信用档案）：张建华"]


def test_the_clerk_dialog_for_ending_shows_the_services_refusal(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    entity = register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    add_dishonesty(ctx, USCC_A, occurred_on=dt.date(LAST_YEAR, 5, 6), category="法院失信被执行人")
    as_role(ctx, Role.CLERK)
    view = open_profile(qtbot, ProfileDialog(ctx, entity.summary.id, None, settings))
    view.select_dishonesty(0)
    dialog = view.end_selected_dishonesty(exec_dialog=False)
    qtbot.addWidget(dialog)
    dialog.reason_edit.setPlainText("试图结束")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert "审核" in dialog.error.text() and dialog.result() == 0
    assert list_dishonesty(ctx, entity=USCC_A)[0].active


SGS_TODAY = dt.date(2025, 12, 1)


def test_a_reviewer_classifies_a_pending_penalty_on_the_sgs_page(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    pending = sgs.add_record(ctx, RecordKind.PENALTY, {**penalty_raw(1, dt.date(2025, 11, 3)), "publicity_class": "待定"}, today=SGS_TODAY)
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, dt.date(2025, 11, 4)), today=SGS_TODAY)  # 一般, as entered
    as_role(ctx, Role.REVIEWER)
    page = SgsPage(ctx, settings, today=SGS_TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10000)
    rows = {page.table.item(r, 1).text(): r for r in range(page.table.rowCount())}
    assert page.table.item(rows[pending.document_no], SgsPage.CLASS_COLUMN).text() == "待定"
    assert page.table.item(rows["盱交罚〔2025〕2号"], SgsPage.CLASS_COLUMN).text() == "一般"
    assert page.classify_button.isVisible() and not page.classify_button.isEnabled()
    page.table.selectRow(rows[pending.document_no])
    assert page.classify_button.isEnabled()
    dialog = page.classify_selected(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.choice_combo is not None and [dialog.choice_combo.itemText(i) for i in range(3)] == ["轻微", "一般", "严重"]
    dialog.choice_combo.setCurrentText("严重")
    dialog.reason_edit.setPlainText("吊销许可证件，按目录属严重失信")
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    stored = sgs.get_record(ctx, pending.id, today=SGS_TODAY)
    assert stored.values["publicity_class"] == "严重" and stored.class_source == "review" and stored.publicity_end is not None
    rows = {page.table.item(r, 1).text(): r for r in range(page.table.rowCount())}
    assert page.table.item(rows[pending.document_no], SgsPage.CLASS_COLUMN).text() == "严重"

    as_role(ctx, Role.CLERK)  # clerks do not see the action
    clerk_page = SgsPage(ctx, settings, today=SGS_TODAY)
    qtbot.addWidget(clerk_page)
    qtbot.waitUntil(lambda: clerk_page.figures is not None, timeout=10000)  # its list loaded (nothing left running)
    assert clerk_page.classify_button.isHidden() and clerk_page.table.rowCount() == 2


def d_unit(ctx) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县某某建设有限公司", identifier=USCC_C, categories=("construction_unit",),
                                     legal_representative="赵强"))
    view = add_rating(ctx, RatingInput(USCC_C, "highway_construction", LAST_YEAR, score=50))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, view.id, status, today=step_day(status))


def fill_missing_materials(qtbot, ctx) -> CommitmentDialog:  # type: ignore[no-untyped-def]
    dialog = CommitmentDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.entity_edit, USCC_C)
    dialog.set_type("missing_materials")  # 容缺受理
    dialog.set_area("licensing")
    dialog.business_edit.setText("道路运输经营许可申请 XK-2026-0099")
    return dialog


@pytest.mark.parametrize("override", [False, True], ids=["clerk", "reviewer"])
def test_the_commitment_dialog_refuses_a_d_unit_and_a_reviewer_may_accept_it(qtbot, ctx, override: bool) -> None:  # type: ignore[no-untyped-def]
    d_unit(ctx)
    as_role(ctx, Role.CLERK)
    dialog = fill_missing_materials(qtbot, ctx)
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is None and dialog.isVisible()
    assert not dialog.refusal_box.isHidden() and dialog.refused is not None
    assert "D" in dialog.refusal_label.text() and "承诺未登记" in dialog.refusal_label.text()
    assert dialog.override_button.isHidden() and not dialog.override_hint.isHidden()  # a clerk cannot override
    assert commitment_svc.list_commitments(ctx) == []
    dialog.set_area("fund_application")  # a change asks the check again: the old refusal goes
    assert dialog.refusal_box.isHidden()
    dialog.reject()
    if not override:
        return

    as_role(ctx, Role.REVIEWER)
    dialog = fill_missing_materials(qtbot, ctx)
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is None and not dialog.override_button.isHidden() and dialog.override_hint.isHidden()
    dialog.override_button.click()  # no reason: nothing recorded
    assert dialog.saved is None and "理由" in dialog.error.text() and commitment_svc.list_commitments(ctx) == []
    dialog.override_edit.setPlainText("经分管领导批准，申请人已书面说明并补交主要材料")
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.override_button.click()
    saved = dialog.saved
    assert saved is not None and not dialog.isVisible()
    assert saved.check_override_reason == "经分管领导批准，申请人已书面说明并补交主要材料"
    assert saved.check_override_by == "reviewer01" and saved.check_serial
    assert [c.id for c in commitment_svc.list_commitments(ctx)] == [saved.id]


def test_an_ambiguous_entity_in_the_commitment_dialog_is_named_not_reported_missing(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    register_entity(ctx, EntityDraft(name="盱眙县路桥养护有限公司", identifier=USCC_B, categories=("construction_unit",)))
    dialog = CommitmentDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.entity_edit, "xyxlq")
    dialog.business_edit.setText("许可申请")
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is None and "未找到" not in dialog.error.text()
    assert "匹配到2个主体" in dialog.error.text() and "盱眙县路桥养护有限公司" in dialog.error.text()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CLERK])
def test_administrators_are_told_on_start_that_next_years_holidays_are_missing(qtbot, ctx, settings, monkeypatch, role) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import sgs_calendar
    from xuyi_desktop.ui.main_window import MainWindow

    real = sgs_calendar.missing_calendar_notice
    monkeypatch.setattr(sgs_calendar, "missing_calendar_notice", lambda today=None: real(dt.date(2026, 11, 2)))  # the real rule, on a fixed day
    assert real(dt.date(2026, 11, 2)) and real(dt.date(2026, 10, 31)) is None
    as_role(ctx, role)
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    window.show()
    if role is Role.CLERK:
        assert window.calendar_button is None and window.calendar_notice is None
        return
    assert window.calendar_button is not None and window.calendar_button.isVisible()
    assert "节假日安排未安装" in window.calendar_button.text() and window.calendar_notice == real(dt.date(2026, 11, 2))
    assert window.calendar_button.toolTip() == window.calendar_notice and "2027年" in window.calendar_notice


def test_holiday_file_installs_from_the_file_menu_as_the_cli_does(qtbot, ctx, settings, dialogs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """文件 → 安装节假日安排… is `xuyi workdays install`: the year goes in (audited), the 待确认 deadline it settles is
    counted anew; installing the same year again asks first; a clerk has no such menu entry."""
    from xuyi_desktop.services import sgs_calendar
    from xuyi_desktop.ui.main_window import MainWindow

    if 2027 in sgs_calendar.calendar().years:
        pytest.skip("the 2027 holiday notice is installed in this build")
    as_role(ctx, Role.ADMIN)
    view = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(41, dt.date(2026, 12, 28)), today=dt.date(2026, 12, 28))
    assert view.deadline == dt.date(2027, 1, 6) and view.deadline_tentative
    year = tmp_path / "2027.toml"
    year.write_text(
        'year = 2027\nnotice = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"\npublished = 2026-11-20\n\n'
        '[[holiday]]\nname = "元旦"\nfrom = 2027-01-01\nto = 2027-01-03\nworkdays = []\n', encoding="utf-8")
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    try:
        assert window.holidays.action.isVisible()
        assert window.holidays.run(str(year)) == 2027
        assert any("1条待确认的报送截止日" in t for t in dialogs.texts("information"))
        again = sgs.get_record(ctx, view.id)
        assert again.deadline == dt.date(2027, 1, 7) and not again.deadline_tentative
        dialogs.answers = [QMessageBox.StandardButton.No]
        assert window.holidays.run(str(year)) is None  # the same year again: asked, and No changes nothing
        assert any("已有2027年的节假日安排" in t for t in dialogs.texts("question"))
        bad = tmp_path / "2028.toml"
        bad.write_text("year = 2027\n", encoding="utf-8")
        assert window.holidays.run(str(bad)) is None and dialogs.texts("warning")  # a wrong file: refused, said why
        as_role(ctx, Role.CLERK)
        clerk = MainWindow(ctx, settings)
        qtbot.addWidget(clerk)
        assert not clerk.holidays.action.isVisible() and clerk.holidays.run(str(year)) is None
    finally:
        (sgs_calendar.user_holiday_dir() / "2027.toml").unlink(missing_ok=True)
        sgs_calendar.reload()  # the process-wide calendar must not keep this test's 2027


def test_both_reports_print_from_the_profile(qtbot, ctx, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The two buttons call the report services off the GUI thread; the PDFs verify."""
    from xuyi_desktop.services.printing import verify_pdf

    entity = register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",), legal_representative="王建国"))
    penalty(ctx, USCC_A, NAME, 91, dt.date.today() - dt.timedelta(days=30), "一般")
    dialog = open_profile(qtbot, ProfileDialog(ctx, entity.summary.id, None, settings))
    dialog.open_after_print = False
    assert dialog.report_button.isEnabled() and dialog.special_report_button.isEnabled()
    dialog.print_report(tmp_path / "report.pdf")
    qtbot.waitUntil(lambda: dialog.last_pdf == tmp_path / "report.pdf", timeout=20000)
    dialog.print_special_report(tmp_path / "special.pdf", years=3, domains=())
    qtbot.waitUntil(lambda: dialog.last_pdf == tmp_path / "special.pdf", timeout=20000)
    for name in ("report.pdf", "special.pdf"):
        found = verify_pdf(ctx, tmp_path / name)
        assert found and all(result.valid for _, result in found)
