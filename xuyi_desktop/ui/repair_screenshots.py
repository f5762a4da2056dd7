"""Grab the 信用修复 page (applications, objections), the 名单管理 page and their dialogs at the counter's screen sizes,
with the long real name, to check by eye that nothing is cut off; and print the two documents (信用修复告知书, 名单公布)
beside them for `pdftoppm`.

    xvfb-run -a python -m xuyi_desktop.ui.repair_screenshots --out /work/shots/repair --size 1366x768

Works on a new temporary database (entities, ratings, penalties, dishonesty records, applications in each state,
objections, list entries, entered through the services as a reviewer); window settings go to a temporary INI file.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import credit_lists, objections, repair, sgs, users
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating
from xuyi_desktop.services.sgs_demo import id_card, penalty_raw, uscc
from xuyi_desktop.ui.screenshot_kit import (
    SHOWCASE_ID,
    SHOWCASE_NAME,
    go_to,
    grab,
    grab_and_reject,
    make_effective,
    settle,
    shooting,
    sizes_args,
    wait_until,
    windows_at,
)

ALL_MATERIALS = ("application_form", "repair_commitment", "licence_copy", "identity", "penalty_performed", "correction_proof")
PASSWORD = "Shots-Passw0rd-2026"


def _penalty(ctx: AppContext, n: int, name: str, ident: str, decided: dt.date, klass: str, **extra: str):
    raw = penalty_raw(n, decided)
    raw.update(xdr_mc=name, xdr_shxym=ident, publicity_class=klass, **extra)
    return sgs.add_record(ctx, RecordKind.PENALTY, raw, today=max(decided, dt.date.today()))


def _unit(ctx: AppContext, n: int, name: str, category: str = "construction_unit") -> str:
    ident = uscc(2000 + n)
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=(category,), legal_representative="赵红"),
                    allow_similar=True)
    return ident


def _effective(ctx: AppContext, ident: str, score: float) -> None:
    today = dt.date.today()
    view = add_rating(ctx, RatingInput(ident, "highway_construction", today.year - 1, score=score))
    make_effective(ctx, view.id)


def seed(ctx: AppContext) -> dict[str, object]:
    """Records in every state the pages show; returns the ids the screenshots open."""
    today = dt.date.today()
    users.create_user(ctx, "admin", PASSWORD, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", PASSWORD)
    users.create_user(ctx, "reviewer01", PASSWORD, Role.REVIEWER, display_name="陈审核")
    users.login(ctx, "reviewer01", PASSWORD)
    register_entity(ctx, EntityDraft(name=SHOWCASE_NAME, identifier=SHOWCASE_ID, categories=("port_operator", "construction_unit"),
                                     legal_representative="王建国"))
    serious = _penalty(ctx, 31, SHOWCASE_NAME, SHOWCASE_ID, today - dt.timedelta(days=400), "严重",
                       wfxw="未按规定进行安全生产检查，发生装卸作业事故", sy="港口装卸作业安全生产违法", cflb="罚款",
                       nr="罚款人民币二十万元", fk="20")
    fresh = _penalty(ctx, 32, SHOWCASE_NAME, SHOWCASE_ID, today - dt.timedelta(days=20), "一般",
                     wfxw="港口作业场所未设置安全警示标志", cflb="罚款", nr="罚款人民币八千元", fk="0.8")
    violated = add_dishonesty(ctx, SHOWCASE_ID, occurred_on=today - dt.timedelta(days=200), category="违反信用承诺",
                              description="未按承诺期限补交港口经营许可材料")
    first = repair.apply_repair(ctx, serious.id, applicant=SHOWCASE_NAME, contact="王建国 13812345678", materials=ALL_MATERIALS[:3])

    names = ("盱眙县整改路桥有限公司", "盱眙县恒通公路养护工程有限公司", "盱眙县顺达道路运输有限公司", "盱眙县淮河航运有限公司")
    states = []
    for i, name in enumerate(names):
        ident = _unit(ctx, i, name)
        p = _penalty(ctx, 40 + i, name, ident, today - dt.timedelta(days=120 + 30 * i), "一般", wfxw="未按规定设置施工安全标志")
        app = repair.apply_repair(ctx, p.id, applicant=name, contact="赵红 13912345678", materials=ALL_MATERIALS)
        if i >= 1:
            repair.accept(ctx, app.id)
        if i >= 2:
            repair.review(ctx, app.id, note="已缴纳罚款并完成整改，材料齐全")
        if i == 3:
            repair.decide(ctx, app.id, approve=True, reason="符合信用修复条件，准予修复")
        states.append(app.id)

    late = objections.add_objection(ctx, fresh.id, objector=SHOWCASE_NAME, content="处罚对象错误：警示标志由承包方负责设置",
                                    received_on=today - dt.timedelta(days=40))
    reviewing = objections.add_objection(ctx, violated, objector=SHOWCASE_NAME, content="已于承诺期限内补交材料，有窗口收件回执")
    objections.start_review(ctx, reviewing.id)

    # lists: AA units proposed for the red list, one confirmed; the showcase on the 治超 list; a person on it too
    for i, name in enumerate(("盱眙县优秀路桥有限公司", "盱眙县诚信公路工程有限公司")):
        _effective(ctx, _unit(ctx, 10 + i, name), 97 - i)
    red = credit_lists.propose(ctx, "red")
    credit_lists.confirm(ctx, red[0].id, reason="经局信用工作领导小组审定")
    over = credit_lists.add_entry(ctx, SHOWCASE_ID, "overload", reason="一年内违法超限运输的货运车辆超过总数10%", case_code="3",
                                  source_record=str(serious.lineage_id))
    credit_lists.confirm(ctx, over.id, reason="依治超联合惩戒有关规定列入")
    person = id_card(91)
    register_entity(ctx, EntityDraft(name="张某某", identifier=person, categories=("road_practitioner",)))
    driver = credit_lists.add_entry(ctx, person, "overload", reason="一年内驾驶货车违法超限运输4次", case_code="2")
    credit_lists.confirm(ctx, driver.id, reason="依法列入")
    credit_lists.add_entry(ctx, uscc(2002), "overload", reason="一年内超限运输4次", case_code="1")
    return {"serious": serious, "fresh": fresh, "first": first.id, "late": late.id, "states": states}


def main(argv: list[str] | None = None) -> int:
    out, sizes = sizes_args("python -m xuyi_desktop.ui.repair_screenshots", argv)

    workdir = Path(tempfile.mkdtemp())
    with shooting(str(workdir / "shots.db")) as (app, ctx, shots):
        ids = seed(ctx)
        from xuyi_desktop.services.credit_prints import print_list_publication, print_repair_notice

        print_repair_notice(ctx, ids["serious"].id, out / "repair_notice.pdf")  # type: ignore[attr-defined]
        print_list_publication(ctx, "overload", out / "list_overload.pdf")
        shots += [out / "repair_notice.pdf", out / "list_overload.pdf"]
        for window, width, height in windows_at(app, ctx, workdir, sizes):
            suffix = f"{width}x{height}"

            page = go_to(window, "信用修复")
            settle(app, 20)
            page.applications.select(ids["first"])
            settle(app)
            shots.append(grab(window, out / f"repair_applications_{suffix}.png"))
            page.applications.filter_combo.setCurrentIndex(1)  # all, the approved one too
            page.applications.select(ids["states"][2])  # type: ignore[index]
            settle(app)
            shots.append(grab(window, out / f"repair_applications_all_{suffix}.png"))

            dialog = page.applications.new_application(exec_dialog=False)
            dialog.show()
            dialog.picker.find(SHOWCASE_ID)
            dialog.picker.select_record(str(ids["serious"].lineage_id))  # type: ignore[attr-defined]
            dialog.tick(ALL_MATERIALS[:4])
            settle(app, 20)
            shots.append(grab(dialog, out / f"repair_new_application_{suffix}.png"))
            dialog.picker.select_record(str(ids["fresh"].lineage_id))  # type: ignore[attr-defined]
            dialog.save()  # too early: the service names the earliest day
            shots.append(grab_and_reject(app, dialog, out / f"repair_new_application_refused_{suffix}.png"))

            page.applications.select(ids["states"][2])  # type: ignore[index]
            decide = page.applications.decide_selected(True, exec_dialog=False)
            assert decide is not None
            decide.show()
            decide.note_edit.setPlainText("已履行处罚决定并完成整改，符合信用修复条件")
            shots.append(grab_and_reject(app, decide, out / f"repair_decide_{suffix}.png"))

            page.tabs.setCurrentIndex(1)
            page.objections.select(ids["late"])
            settle(app, 20)
            shots.append(grab(window, out / f"repair_objections_{suffix}.png"))
            objection = page.objections.new_objection(exec_dialog=False)
            objection.show()
            objection.picker.find(SHOWCASE_ID)
            shots.append(grab_and_reject(app, objection, out / f"repair_objection_dialog_{suffix}.png"))
            decide_objection = page.objections.decide_selected(exec_dialog=False)
            assert decide_objection is not None
            decide_objection.show()
            shots.append(grab_and_reject(app, decide_objection, out / f"repair_objection_decide_{suffix}.png"))

            lists = go_to(window, "名单管理")
            settle(app, 20)
            shots.append(grab(window, out / f"lists_red_{suffix}.png"))
            lists.set_type("overload")
            settle(app, 20)
            if lists.proposals:
                lists.proposal_table.selectRow(0)
            shots.append(grab(window, out / f"lists_overload_{suffix}.png"))
            proposal = lists.add_by_hand(exec_dialog=False)
            proposal.show()
            proposal.picker.find(SHOWCASE_ID)
            shots.append(grab_and_reject(app, proposal, out / f"lists_manual_proposal_{suffix}.png"))
            confirm = lists.confirm_selected(exec_dialog=False)
            if confirm is not None:
                confirm.show()
                shots.append(grab_and_reject(app, confirm, out / f"lists_confirm_{suffix}.png"))

            sgs_page = go_to(window, "双公示")
            wait_until(app, lambda sgs_page=sgs_page: sgs_page.figures is not None, limit=3000)
            sgs_page.from_edit.setDate(sgs_page.from_edit.date().addYears(-2))
            sgs_page.figures = None
            sgs_page.refresh()
            wait_until(app, lambda sgs_page=sgs_page: sgs_page.figures is not None, limit=3000)
            wanted = ids["serious"].document_no  # type: ignore[attr-defined]
            row = next(r for r in range(sgs_page.table.rowCount()) if sgs_page.table.item(r, 1).text() == wanted)
            sgs_page.table.selectRow(row)
            settle(app)
            shots.append(grab(window, out / f"sgs_notice_button_{suffix}.png"))
            notice = sgs_page.open_repair_notice(exec_dialog=False)
            notice.show()
            shots.append(grab_and_reject(app, notice, out / f"sgs_notice_dialog_{suffix}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
