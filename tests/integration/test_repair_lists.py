"""Credit repair, objections and the lists reach the profile, the counter and the public exports (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rating_flow import step_day

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import credit_check, credit_lists, objections, ratings, repair, sgs
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.sgs_demo import penalty_raw, uscc

TODAY = dt.date.today()
ALL_MATERIALS = ("application_form", "repair_commitment", "licence_copy", "identity", "penalty_performed", "correction_proof")


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, check=False)


def unit(ctx: Any, n: int, name: str, category: str = "construction_unit") -> str:
    ident = uscc(1000 + n)
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=(category,), legal_representative="赵红"),
                    allow_similar=True)
    return ident


def penalty(ctx: Any, n: int, decided: dt.date, klass: str = "一般", **extra: str) -> Any:
    return sgs.add_record(ctx, RecordKind.PENALTY, {**penalty_raw(n, decided), "publicity_class": klass, **extra},
                          today=max(decided, TODAY))


def effective(ctx: Any, ident: str, score: float, period: int = TODAY.year - 1) -> None:
    view = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", period, score=score))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))


def repaired(ctx: Any, record: Any, *, applied_on: dt.date | None = None) -> repair.RepairView:
    app = repair.apply_repair(ctx, record, applicant="盱眙县整改路桥有限公司", contact="赵红 13812345678",
                              materials=ALL_MATERIALS, applied_on=applied_on)
    repair.accept(ctx, app.id)
    repair.review(ctx, app.id, note="已履行处罚决定并完成整改，材料齐全")
    return repair.decide(ctx, app.id, approve=True, reason="符合信用修复条件")


# --- repair ---------------------------------------------------------------------------------------------------

def test_too_early_is_refused_with_the_date_then_approval_repairs_everywhere(tmp_path: Path, database: str, ctx: Any) -> None:
    ident = unit(ctx, 1, "盱眙县整改路桥有限公司")
    decided = TODAY - dt.timedelta(days=200)
    view = penalty(ctx, 1, decided, "严重", cflb="罚款；吊销许可证件", zkdx="施工资质证书 D2320830")
    earliest = view.values["jdrq"].replace(year=view.values["jdrq"].year + 1)  # 严重: one year, by either rule set
    with pytest.raises(ValidationError) as early:
        repair.apply_repair(ctx, view.id, applicant="盱眙县整改路桥有限公司", materials=ALL_MATERIALS)
    assert f"{earliest:%Y年%m月%d日}起方可申请" in early.value.message_zh
    before = credit_check.run_check(ctx, ident, "licensing")
    assert before.verdict == "restriction" and before.penalties
    # a year on the clerk applies (the application date is the day it is received)
    later = earliest
    app = repair.apply_repair(ctx, view.lineage_id, applicant="盱眙县整改路桥有限公司", materials=ALL_MATERIALS[:3], applied_on=later,
                              today=later)
    assert app.missing and app.status.value == "applied"
    with pytest.raises(ValidationError, match="材料不全"):
        repair.accept(ctx, app.id)
    repair.update_materials(ctx, app.id, ticked=ALL_MATERIALS)
    repair.accept(ctx, app.id)
    with pytest.raises(ValidationError, match="须先受理、审核"):
        repair.decide(ctx, app.id, approve=True, reason="x")
    repair.review(ctx, app.id, note="整改到位")
    done = repair.decide(ctx, app.id, approve=True, reason="符合信用修复条件")
    assert done.status.value == "approved" and done.decided_on == TODAY
    after = credit_check.run_check(ctx, ident, "licensing")
    assert not after.penalties and not any("严重失信" in c.text for c in after.consequences)
    ctx.close()
    prof = json.loads(xuyi(database, "profile", ident, "--json").stdout)
    (p,) = prof["penalties"]
    assert p["state_label"] == "已修复" and p["repaired_on"] == TODAY.isoformat()
    assert prof["repairs"] and prof["repairs"][0]["decided_on"] == TODAY.isoformat()
    out = tmp_path / "public.xlsx"
    exported = xuyi(database, "export", "sgs", "--from", decided.isoformat(), "--to", TODAY.isoformat(), "--out", str(out),
                    "--public", "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["penalties"] == 0
    cells = {c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row}
    assert view.document_no not in cells


def test_each_decision_date_gets_the_periods_of_its_rules(ctx: Any) -> None:
    unit(ctx, 2, "盱眙县安全路桥有限公司")
    unit(ctx, 3, "盱眙县新规路桥有限公司")
    old = penalty(ctx, 2, dt.date(2025, 6, 2), "一般", wfxw="违反安全生产管理规定")
    new = penalty(ctx, 3, dt.date(2026, 5, 6), "一般", wfxw="违反安全生产管理规定")
    with pytest.raises(ValidationError, match="2026年06月02日起方可申请"):  # trial measures: one year for 安全生产
        repair.apply_repair(ctx, old.id, applicant="甲", applied_on=dt.date(2026, 1, 10), today=dt.date(2026, 1, 10))
    assert repair.apply_repair(ctx, new.id, applicant="乙", applied_on=dt.date(2026, 8, 6), today=dt.date(2026, 8, 6)).earliest_on == dt.date(2026, 8, 6)


def test_a_dishonesty_record_can_be_repaired_and_lists_end_with_it(ctx: Any) -> None:
    ident = unit(ctx, 4, "盱眙县违诺路桥有限公司")
    rid = add_dishonesty(ctx, ident, occurred_on=TODAY - dt.timedelta(days=300), category="违反信用承诺", description="未按期补交材料")
    entry = credit_lists.add_entry(ctx, ident, "watch", reason="三年内违诺", source_record=str(rid))
    credit_lists.confirm(ctx, entry.id, reason="经审核列入重点关注名单")
    assert any(m.list_type == "watch" for m in get_profile(ctx, ident).active_lists())
    repaired(ctx, rid)
    prof = get_profile(ctx, ident)
    assert not prof.active_dishonesty and prof.dishonesty[0].repaired_on == TODAY
    assert not prof.active_lists()  # the entry rested on the repaired record: it ended with it
    (view,) = credit_lists.entries(ctx, "watch")
    assert view.status == "exited" and "信用修复" in view.exit_reason


def test_expired_withdrawn_and_pending_penalties_need_no_repair(ctx: Any) -> None:
    unit(ctx, 5, "盱眙县过期路桥有限公司")
    expired = penalty(ctx, 5, TODAY - dt.timedelta(days=500), "一般")
    with pytest.raises(ValidationError, match="公示期满、自动停止公示"):
        repair.apply_repair(ctx, expired.id, applicant="丙")


# --- objections -----------------------------------------------------------------------------------------------

def test_an_upheld_objection_withdraws_the_penalty_and_a_rejected_one_changes_nothing(ctx: Any) -> None:
    ident = unit(ctx, 6, "盱眙县异议路桥有限公司")
    unit(ctx, 7, "盱眙县另一路桥有限公司")
    wrong = penalty(ctx, 6, TODAY - dt.timedelta(days=20), "严重")
    other = penalty(ctx, 7, TODAY - dt.timedelta(days=20), "一般")
    o = objections.add_objection(ctx, wrong.id, objector="盱眙县异议路桥有限公司", content="处罚对象错误，该车辆不属本单位")
    assert o.deadline > TODAY and o.status.value == "received" and o.record_kind == "penalty"
    objections.start_review(ctx, o.id)
    decided = objections.decide(ctx, o.id, upheld=True, note="经核实，车辆登记在他人名下")
    assert decided.action == "withdraw" and decided.status.label == "异议成立"
    assert sgs.get_record(ctx, wrong.id).withdrawn_on == TODAY
    assert not [p for p in credit_check.run_check(ctx, ident, "licensing").penalties if p["document_no"] == wrong.document_no]
    o2 = objections.add_objection(ctx, other.id, objector="李四", content="罚款过高")
    objections.decide(ctx, o2.id, upheld=False, note="处罚依据充分")
    assert sgs.get_record(ctx, other.id).withdrawn_on is None
    late = objections.list_objections(ctx, overdue=True, today=TODAY + dt.timedelta(days=60))
    assert late == []  # both decided
    o3 = objections.add_objection(ctx, other.id, objector="李四", content="再次异议", received_on=TODAY - dt.timedelta(days=40))
    assert [v.id for v in objections.list_objections(ctx, overdue=True)] == [o3.id]


# --- lists -----------------------------------------------------------------------------------------------------

def test_red_proposals_are_exactly_what_the_criteria_select(database: str, ctx: Any) -> None:
    aa = unit(ctx, 11, "盱眙县优秀路桥有限公司")
    effective(ctx, aa, 97)
    aa_penalised = unit(ctx, 12, "盱眙县优秀但受罚路桥有限公司")
    effective(ctx, aa_penalised, 98)
    penalty(ctx, 12, TODAY - dt.timedelta(days=30), "一般")
    aa_dishonest = unit(ctx, 13, "盱眙县优秀但失信路桥有限公司")
    effective(ctx, aa_dishonest, 96)
    add_dishonesty(ctx, aa_dishonest, occurred_on=TODAY - dt.timedelta(days=400), category="法院失信被执行人")
    a_only = unit(ctx, 14, "盱眙县一般路桥有限公司")
    effective(ctx, a_only, 90)
    unit(ctx, 15, "盱眙县未评价路桥有限公司")  # 暂定A: provisional grades are never red
    ctx.close()
    out = xuyi(database, "list", "propose", "--type", "red", "--period", "2026", "--json")
    assert out.returncode == 0, out.stderr
    proposed = json.loads(out.stdout)
    assert [p["identifier"] for p in proposed] == [aa] and proposed[0]["status"] == "proposed"
    assert "AA级" in proposed[0]["criteria"]
    again = json.loads(xuyi(database, "list", "propose", "--type", "red", "--json").stdout)
    assert again == []  # already proposed: not twice


def test_a_confirmed_red_member_gets_the_fast_track_with_its_source(ctx: Any) -> None:
    aa = unit(ctx, 21, "盱眙县红榜路桥有限公司")
    effective(ctx, aa, 97)
    (p,) = credit_lists.propose(ctx, "red")
    credit_lists.confirm(ctx, p.id, reason="经局信用工作领导小组审定")
    result = credit_check.run_check(ctx, aa, "licensing")
    (red,) = [c for c in result.consequences if "红名单" in c.text]
    assert red.kind == "incentive" and "守信联合激励对象名单" in red.source
    assert result.lists and result.lists[0]["type"] == "red"
    loan = credit_check.run_check(ctx, aa, "credit_loan")
    assert any("信易贷推荐名单" in c.text for c in loan.consequences)


def test_a_black_list_member_loses_every_incentive(ctx: Any) -> None:
    aa = unit(ctx, 22, "盱眙县黑榜路桥有限公司")
    effective(ctx, aa, 97)
    assert any(c.kind == "incentive" for c in credit_check.run_check(ctx, aa, "tender").consequences)
    entry = credit_lists.add_entry(ctx, aa, "black", reason="法院判决认定串通投标")
    credit_lists.confirm(ctx, entry.id, reason="依法列入")
    after = credit_check.run_check(ctx, aa, "tender")
    assert not [c for c in after.consequences if c.kind == "incentive"]
    assert len(after.suppressed) >= 2 and all("失信联合惩戒对象名单" in s["reason"] for s in after.suppressed)


def test_an_overload_entry_needs_a_case_and_expires_after_two_years(ctx: Any) -> None:
    ident = unit(ctx, 23, "盱眙县超载运输有限公司", category="road_operator")
    with pytest.raises(ValidationError, match="列入情形"):
        credit_lists.add_entry(ctx, ident, "overload", reason="多次超载")
    entry = credit_lists.add_entry(ctx, ident, "overload", reason="一年内超限运输4次", case_code="1")
    start = dt.date(2026, 3, 1)
    confirmed = credit_lists.confirm(ctx, entry.id, reason="依治超联合惩戒备忘录列入", entered_on=start, today=start)
    assert confirmed.expires_on == dt.date(2028, 2, 29)
    assert [v.id for v in credit_lists.entries(ctx, "overload", members_only=True, today=dt.date(2028, 2, 29))] == [entry.id]
    assert credit_lists.entries(ctx, "overload", members_only=True, today=dt.date(2028, 3, 1)) == []
    eid = credit_check.resolve_query(ctx, ident)
    inside = credit_check.check_entity(ctx, eid, "licensing", today=dt.date(2027, 6, 1))
    assert any("治超" in c.text for c in inside.consequences if c.kind == "restriction")
    outside = credit_check.check_entity(ctx, eid, "licensing", today=dt.date(2028, 3, 1))
    assert not any("治超" in c.text for c in outside.consequences)


def test_publication_masks_persons(tmp_path: Path, ctx: Any) -> None:
    from xuyi_desktop.services.sgs_demo import id_card

    person = id_card(77)
    register_entity(ctx, EntityDraft(name="张某某", identifier=person, categories=("road_practitioner",)))
    entry = credit_lists.add_entry(ctx, person, "overload", reason="一年内超限运输4次", case_code="2")
    credit_lists.confirm(ctx, entry.id, reason="依法列入")
    path, count = credit_lists.publish(ctx, "overload", tmp_path / "治超名单.xlsx")
    cells = [c.value for row in load_workbook(path).active.iter_rows() for c in row if c.value]
    assert count == 1 and person not in cells and any(str(c).startswith(person[:6]) and "*" in str(c) for c in cells)


def test_repairs_and_memberships_made_at_a_field_office_reach_the_bureau(tmp_path: Path) -> None:
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    bureau, field = make_offices(tmp_path, ["320830", "320830-GL"])
    try:
        with field.active():
            ident = unit(field.ctx, 31, "盱眙县同步修复路桥有限公司")
            view = penalty(field.ctx, 31, TODAY - dt.timedelta(days=400), "一般")
            first = sync.export_package(field.ctx, bureau.code, tmp_path / "1.xsync")
        with bureau.active():
            sync.import_package(bureau.ctx, first.path)
            assert credit_check.run_check(bureau.ctx, ident, "licensing").penalties == []  # 一般: expired after a year
            dishonest = add_dishonesty(bureau.ctx, ident, occurred_on=TODAY - dt.timedelta(days=100), category="其他失信行为")
            back = sync.export_package(bureau.ctx, field.code, tmp_path / "back.xsync")
        with field.active():
            sync.import_package(field.ctx, back.path)
            entry = credit_lists.add_entry(field.ctx, ident, "watch", reason="失信记录", source_record=str(dishonest))
            credit_lists.confirm(field.ctx, entry.id, reason="列入重点关注")
            second = sync.export_package(field.ctx, bureau.code, tmp_path / "2.xsync")
        with bureau.active():
            sync.import_package(bureau.ctx, second.path)
            watched = credit_check.run_check(bureau.ctx, ident, "licensing")
            assert watched.lists and watched.lists[0]["type"] == "watch" and watched.verdict == "restriction"
        with field.active():
            repaired(field.ctx, dishonest, applied_on=TODAY)
            third = sync.export_package(field.ctx, bureau.code, tmp_path / "3.xsync")
        with bureau.active():
            sync.import_package(bureau.ctx, third.path)
            after = credit_check.run_check(bureau.ctx, ident, "licensing")
            assert not after.lists and not after.dishonesty and after.verdict != "restriction"
            assert repair.list_applications(bureau.ctx)[0].status.value == "approved"
        assert view.document_no
    finally:
        bureau.close()
        field.close()
