"""The 信用修复 and 名单管理 pages driven through their widgets: a repair decided step by step (apply → accept →
review → approve), each button only for its role and the service's refusal shown when a clerk tries anyway; an
objection registered, overdue in red, reviewed and upheld; a list entry proposed off the GUI thread and confirmed,
a 治超 entry proposed by hand with its case, the list published as PDF; the 两书同达 notice from the 双公示 page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from rating_flow import step_day
from ui_helpers import USCC_A, USCC_B

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import credit_check, credit_lists, repair, sgs, users
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.ui.credit_check_page import CreditCheckPage
from xuyi_desktop.ui.lists_page import ListsPage
from xuyi_desktop.ui.repair_page import RepairPage
from xuyi_desktop.ui.sgs_page import SgsPage

TODAY = dt.date.today()
PW = "Xuyi-Counter-2026"
NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"
ALL = ("application_form", "repair_commitment", "licence_copy", "identity", "penalty_performed", "correction_proof")


def as_role(ctx, role: Role) -> None:  # type: ignore[no-untyped-def]
    if ctx.user is None and ctx.setup_mode:
        users.create_user(ctx, "admin", PW, Role.ADMIN, display_name="王主任")
        users.login(ctx, "admin", PW)
        users.create_user(ctx, "reviewer01", PW, Role.REVIEWER, display_name="陈审核")
        users.create_user(ctx, "clerk01", PW, Role.CLERK, display_name="李经办")
    users.login(ctx, {Role.REVIEWER: "reviewer01", Role.CLERK: "clerk01", Role.ADMIN: "admin"}[role], PW)


def port(ctx) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("port_operator",), legal_representative="王建国"))


def penalty(ctx, n: int, decided: dt.date, klass: str):  # type: ignore[no-untyped-def]
    raw = penalty_raw(n, decided)
    raw.update(xdr_mc=NAME, xdr_shxym=USCC_A, publicity_class=klass)
    return sgs.add_record(ctx, RecordKind.PENALTY, raw, today=TODAY)


def repair_page(qtbot, ctx, settings) -> RepairPage:  # type: ignore[no-untyped-def]
    page = RepairPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()


def test_a_repair_is_applied_accepted_reviewed_and_approved_each_by_its_role(qtbot, ctx, settings, dialogs) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    repairable = penalty(ctx, 1, TODAY - dt.timedelta(days=120), "一般")  # three months passed, still in publicity
    too_early = penalty(ctx, 2, TODAY - dt.timedelta(days=30), "严重")
    as_role(ctx, Role.CLERK)
    page = repair_page(qtbot, ctx, settings)
    tab = page.applications
    assert tab.new_button.isEnabled() and tab.table.rowCount() == 0

    dialog = tab.new_application(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.picker.find(USCC_A)
    rows = {r.text.split("　")[0]: r for r in dialog.picker.rows}
    assert set(rows) == {repairable.document_no, too_early.document_no}  # both in publicity
    assert rows[too_early.document_no].earliest > TODAY >= rows[repairable.document_no].earliest
    assert dialog.applicant_edit.text() == NAME  # the entity, until the clerk types another applicant
    # too early: the service's refusal, naming the day, is shown in the dialog; nothing registered
    assert dialog.picker.select_record(str(too_early.lineage_id))
    dialog.tick(ALL)
    assert dialog.save() is None and dialog.result() != dialog.DialogCode.Accepted
    assert "起方可申请信用修复" in dialog.error.text() and f"{rows[too_early.document_no].earliest:%Y年%m月%d日}" in dialog.error.text()
    assert repair.list_applications(ctx) == []
    # the repairable one, with three materials handed in
    assert dialog.picker.select_record(str(repairable.lineage_id))
    dialog.tick(ALL[:3])
    dialog.contact_edit.setText("王建国 13812345678")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None and dialog.result() == dialog.DialogCode.Accepted
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "已申请"
    app_id = dialog.saved.id
    assert tab.select(app_id) and tab.current().id == app_id

    # the clerk: 受理 yes (refused while materials are missing), 审核 and 准予 no
    assert tab.accept_button.isEnabled() and tab.save_materials_button.isEnabled()
    assert not tab.review_button.isEnabled() and not tab.approve_button.isEnabled() and not tab.reject_button.isEnabled()
    assert "审核人" in tab.approve_button.toolTip()
    assert tab.accept_selected() is None
    assert dialogs.texts("warning") and "材料不全" in dialogs.texts("warning")[-1]
    for code in ALL:
        tab.set_material(code, True)
    assert tab.save_materials() is not None and not tab.current().missing
    assert tab.accept_selected() is not None and tab.current().status.label == "已受理"
    assert not tab.accept_button.isEnabled() and not tab.review_button.isEnabled()
    # a clerk who tries to approve anyway (the button is disabled): the service refuses, in the dialog
    decide = tab.decide_selected(True, exec_dialog=False)
    qtbot.addWidget(decide)
    decide.note_edit.setPlainText("材料齐全")
    ok(decide)
    assert decide.result_value is None and "没有“审批信用修复”的权限" in decide.error.text()
    assert repair.get_application(ctx, app_id).status.value == "accepted"

    # the reviewer: 审核 with an opinion, then 准予修复 with the reason
    as_role(ctx, Role.REVIEWER)
    page = repair_page(qtbot, ctx, settings)
    tab = page.applications
    assert tab.select(app_id)
    assert tab.review_button.isEnabled() and not tab.approve_button.isEnabled()  # not reviewed yet
    review = tab.review_selected(exec_dialog=False)
    qtbot.addWidget(review)
    ok(review)  # no opinion: asked for, nothing done
    assert "请填写审核意见" in review.error.text() and review.result_value is None
    review.note_edit.setPlainText("已缴纳罚款并完成整改，材料齐全")
    ok(review)
    assert tab.current().status.label == "已审核" and tab.approve_button.isEnabled() and not tab.review_button.isEnabled()
    approve = tab.decide_selected(True, exec_dialog=False)
    qtbot.addWidget(approve)
    approve.note_edit.setPlainText("符合信用修复条件，准予修复")
    ok(approve)
    done = repair.get_application(ctx, app_id)
    assert done.status.value == "approved" and done.decided_by == "reviewer01" and done.decision_reason == "符合信用修复条件，准予修复"
    assert tab.filter_combo.currentData() == "" and tab.current().status.label == "准予修复"  # decided: shown under 全部
    assert not any(b.isEnabled() for b in (tab.accept_button, tab.review_button, tab.approve_button, tab.reject_button))
    # the effect: 已修复 in the profile, gone from the counter's penalties in publicity
    states = {p.document_no: p.state.label for p in get_profile(ctx, USCC_A).penalties}
    assert states[repairable.document_no] == "已修复"
    check = credit_check.run_check(ctx, USCC_A, "licensing")
    assert repairable.document_no not in {p["document_no"] for p in check.penalties}


def test_an_objection_is_registered_overdue_in_red_reviewed_and_upheld(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    wrong = penalty(ctx, 3, TODAY - dt.timedelta(days=60), "严重")
    as_role(ctx, Role.CLERK)
    page = repair_page(qtbot, ctx, settings)
    tab = page.objections
    page.tabs.setCurrentWidget(tab)
    dialog = tab.new_objection(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.picker.find(NAME)
    assert dialog.picker.select_record(str(wrong.lineage_id))
    dialog.content_edit.setPlainText("处罚对象错误，该车辆不属本单位")
    received = TODAY - dt.timedelta(days=45)  # received long ago: its deadline has passed
    dialog.received_edit.setDate(received)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None and dialog.saved.objector == NAME and dialog.saved.overdue
    assert tab.table.rowCount() == 1
    deadline = tab.table.item(0, tab.DEADLINE)
    assert deadline.text().endswith("（已超期）") and deadline.foreground().color().name() == "#c62828"
    assert "已超期未处理 1 件" in tab.overdue_label.text()
    assert not tab.review_button.isEnabled() and not tab.decide_button.isEnabled()  # a clerk does not decide

    as_role(ctx, Role.REVIEWER)
    page = repair_page(qtbot, ctx, settings)
    tab = page.objections
    assert tab.select(dialog.saved.id) and tab.review_button.isEnabled()
    assert tab.start_review_selected() is not None and tab.current().status.label == "审查中"
    decide = tab.decide_selected(exec_dialog=False)
    qtbot.addWidget(decide)
    assert decide.choice_combo is not None and decide.choice == "异议不成立"  # the harmless answer first
    decide.choice_combo.setCurrentText("异议成立")
    decide.note_edit.setPlainText("经核实，车辆登记在他人名下")
    ok(decide)
    assert decide.result_value is not None and decide.result_value.action == "withdraw"
    assert sgs.get_record(ctx, wrong.id).withdrawn_on == TODAY
    assert tab.filter_combo.currentData() == tab.ALL and tab.current().status.label == "异议成立"
    assert tab.overdue_label.text() == ""


def aa_unit(ctx, ident: str, name: str) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=("construction_unit",)))
    view = add_rating(ctx, RatingInput(ident, "highway_construction", TODAY.year - 1, score=97))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, view.id, status, today=step_day(status))


def lists_page(qtbot, ctx, settings) -> ListsPage:  # type: ignore[no-untyped-def]
    page = ListsPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def test_a_red_list_entry_is_proposed_off_the_gui_thread_and_confirmed_by_a_reviewer(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    aa_unit(ctx, USCC_B, "盱眙县诚信路桥工程有限公司")
    as_role(ctx, Role.CLERK)
    page = lists_page(qtbot, ctx, settings)
    assert page.definition.type == "red" and "AA级" in page.info_label.text()
    assert page.propose_button.isEnabled() and not page.confirm_button.isEnabled()
    page.propose()
    assert page.busy and not page.propose_button.isEnabled() and page.busy_bar.isVisible()  # busy while it runs
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert [v.entity_name for v in page.proposals] == ["盱眙县诚信路桥工程有限公司"]
    assert "提名 1 个候选对象" in page.busy_label.text()
    page.proposal_table.selectRow(0)
    assert not page.confirm_button.isEnabled() and "审核人" in page.confirm_button.toolTip()  # clerks propose, not list

    as_role(ctx, Role.REVIEWER)
    page = lists_page(qtbot, ctx, settings)
    entry_id = page.proposals[0].id
    assert page.select_proposal(entry_id) and page.confirm_button.isEnabled()
    confirm = page.confirm_selected(exec_dialog=False)
    qtbot.addWidget(confirm)
    assert confirm.day == TODAY
    confirm.note_edit.setPlainText("经局信用工作领导小组审定")
    ok(confirm)
    assert confirm.result_value is not None and confirm.result_value.status == "confirmed"
    assert page.proposals == [] and [v.id for v in page.members] == [entry_id]
    row = [page.member_table.item(0, c).text() for c in range(page.member_table.columnCount())]
    assert row[0] == "盱眙县诚信路桥工程有限公司" and row[3] == TODAY.isoformat()
    assert row[4] == (credit_lists.definition("red").expiry(TODAY)).isoformat() and row[5] == "已列入，未公布"
    # the counter sees it: the red list's fast track, with the list as its source
    result = credit_check.run_check(ctx, USCC_B, "licensing")
    assert any("红名单" in c.text and c.kind == "incentive" for c in result.consequences)
    check = CreditCheckPage(ctx, settings)  # and the 信用核查 page shows the membership beside the name
    qtbot.addWidget(check)
    check.show()
    check.set_business("licensing")
    qtbot.keyClicks(check.search_edit, USCC_B)
    qtbot.keyClick(check.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not check.busy and check.result is not None, timeout=5000)
    assert "【红名单】" in check.meta_label.text()

    # early exit with a reason
    assert page.select_member(entry_id) and page.remove_button.isEnabled()
    remove = page.remove_selected(exec_dialog=False)
    qtbot.addWidget(remove)
    remove.note_edit.setPlainText("发生安全生产责任事故")
    ok(remove)
    assert page.members == [] and credit_lists.entries(ctx, "red")[0].status == "exited"
    page.history_check.setChecked(True)
    assert page.members and page.member_table.item(0, 5).text().startswith("已移出")


def test_an_overload_entry_by_hand_needs_its_case_and_the_list_is_published_as_pdf(qtbot, ctx, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    as_role(ctx, Role.REVIEWER)
    page = lists_page(qtbot, ctx, settings)
    page.set_type("overload")
    assert page.definition.type == "overload" and not page.propose_button.isEnabled()  # no criteria: by hand
    dialog = page.add_by_hand(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.case_combo.count() == 10
    assert dialog.picker.find(USCC_A)
    dialog.set_case("3")
    dialog.reason_edit.setPlainText("一年内违法超限运输的货运车辆超过总数10%，被责令停业整顿")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None and dialog.saved.case_code == "3"
    assert [v.criteria for v in page.proposals] == ["情形3：道路运输企业一年内违法超限运输的货运车辆超过本单位货运车辆总数10%，被责令停业整顿"]
    assert page.select_proposal(dialog.saved.id)
    confirm = page.confirm_selected(exec_dialog=False)
    qtbot.addWidget(confirm)
    confirm.note_edit.setPlainText("依治超联合惩戒有关规定列入")
    ok(confirm)
    assert page.members and page.members[0].expires_on == credit_lists.definition("overload").expiry(TODAY)

    out = tmp_path / "治超名单.pdf"
    page.publish(out)
    qtbot.waitUntil(lambda: not page.busy, timeout=15000)
    assert out.is_file() and page.last_published == out and "编号" in page.busy_label.text()
    assert page.members[0].published_on == TODAY
    assert page.member_table.item(0, 5).text() == f"已列入，已于 {TODAY} 公布"


def test_the_notice_is_printed_and_served_from_the_sgs_page(qtbot, ctx, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    view = penalty(ctx, 9, TODAY, "严重")  # decided today: in the page's default period (this year so far)
    as_role(ctx, Role.CLERK)
    page = SgsPage(ctx, settings)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)
    assert not page.notice_button.isEnabled()
    page.table.selectRow(0)
    assert page.notice_button.isEnabled() and page.notice_button.text() == "打印信用修复告知书…"
    dialog = page.open_repair_notice(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.state_label.text() == "尚未打印" and not dialog.served_button.isEnabled()
    path = dialog.print_notice(tmp_path / "告知书.pdf")
    assert path is not None and path.is_file()
    serial = dialog.state.serial
    assert serial and "尚未登记送达" in dialog.state_label.text() and dialog.print_button.text() == "补打告知书…"
    assert dialog.served_button.isEnabled()
    dialog.served_edit.setDate(TODAY)
    assert dialog.record_served()
    assert f"已于 {TODAY} 随处罚决定书送达" in dialog.state_label.text()
    assert not dialog.served_button.isEnabled()
    assert view.document_no in dialog.penalty_label.text()


def test_a_viewer_sees_the_pages_and_can_do_nothing(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    as_role(ctx, Role.ADMIN)
    users.create_user(ctx, "viewer01", PW, Role.VIEWER, display_name="赵查询")
    users.login(ctx, "viewer01", PW)
    page = repair_page(qtbot, ctx, settings)
    assert not page.applications.new_button.isEnabled() and not page.objections.new_button.isEnabled()
    lists = lists_page(qtbot, ctx, settings)
    assert not lists.propose_button.isEnabled() and not lists.add_button.isEnabled() and not lists.publish_button.isEnabled()
