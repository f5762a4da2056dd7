"""A year of the plan's work for demos, screenshots and tests (2025, looked at on 1 March 2026): 双公示 records,
commitments, campaigns, trainings, 信易+ scenarios, award candidates and monthly reports, for the bureau and one unit
(the 执法大队). tests/support/plan_fixture.py holds the hand counts of what `build` enters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import commitments as cm
from xuyi_desktop.services import indicators, plan_registers, sgs
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw

D = dt.date
YEAR = 2025
AS_OF = D(2026, 3, 1)
ZF = "盱眙县交通运输综合行政执法大队"
ORG_A, ORG_B = "91320830PYQLFT169T", "923208306JU6UCCY4U"


def build(ctx: Any) -> dict[str, Any]:
    """Enter the year; returns the ids the tests point at."""
    today = AS_OF
    ids: dict[str, Any] = {}
    p1 = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, D(2025, 3, 3)), today=today)
    p2 = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, D(2025, 3, 3)), today=today)
    p3 = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(3, D(2025, 3, 3)), today=today)
    bad = license_raw(1, D(2025, 3, 10))
    bad["jgdm"] = bad["jgdm"][:-1] + ("1" if bad["jgdm"][-1] != "1" else "2")
    l1 = sgs.add_record(ctx, RecordKind.LICENSE, bad, draft=True, today=today)
    l2raw = license_raw(2, D(2025, 3, 10))
    del l2raw["xkbh"], l2raw["xkzs"]
    l2 = sgs.add_record(ctx, RecordKind.LICENSE, l2raw, today=today)
    p4 = sgs.add_record(ctx, RecordKind.PENALTY, dict(penalty_raw(4, D(2025, 6, 2)), jg=ZF, lydw=ZF), today=today)
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(5, D(2024, 11, 4)), today=today)  # another year: never counted
    sgs.mark_reported(ctx, [p1.id], on=D(2025, 3, 12), batch_no="B1", today=today)
    sgs.mark_reported(ctx, [p2.id], on=D(2025, 3, 13), batch_no="B2", today=today)
    sgs.mark_reported(ctx, [l1.id, l2.id], on=D(2025, 3, 19), batch_no="B3", today=today)
    sgs.mark_reported(ctx, [p4.id], on=D(2025, 6, 4), batch_no="B4", today=today)
    ids.update(p1=p1.id, p2=p2.id, p3=p3.id, l1=l1.id, l2=l2.id, p4=p4.id)

    a = register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier=ORG_A, categories=("road_operator",)))
    b = register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=ORG_B, categories=("construction_unit",)))
    ids.update(a=a.summary.id, b=b.summary.id)
    c1 = cm.add_commitment(ctx, cm.CommitmentInput(a.summary.id, "approval_substitute", "licensing", "道路运输经营许可", 30,
                                                   signer="李明", signed_on=D(2025, 2, 1)), today=today)
    c2 = cm.add_commitment(ctx, cm.CommitmentInput(b.summary.id, "voluntary", "tender", "某路段养护工程投标", 60,
                                                   signed_on=D(2025, 5, 1)), today=today)
    cm.fulfil(ctx, c2.id, on=D(2025, 6, 1))
    c3 = cm.add_commitment(ctx, cm.CommitmentInput(b.summary.id, "voluntary", "awards", "评优申报", 30, signer="王五",
                                                   signed_on=D(2025, 7, 1)), today=today)
    cm.revoke(ctx, c3.id, reason="申请撤回", on=D(2025, 7, 5))  # revoked: not an area with a commitment
    cm.add_commitment(ctx, cm.CommitmentInput(a.summary.id, "voluntary", "fund_application", "2024年资金申请", 30, signer="李明",
                                              signed_on=D(2024, 10, 1)), today=today)  # another year
    ids.update(c1=c1.id, c2=c2.id, c3=c3.id)

    pr = plan_registers
    ids["camp1"] = pr.add_campaign(ctx, held_on=D(2025, 1, 20), kind="诚信春运", theme="诚信春运 温暖回家", place="盱眙汽车客运站",
                                   unit="信用工作领导小组办公室", reach=800, media_links="https://example.org/chunyun")
    ids["camp2"] = pr.add_campaign(ctx, held_on=D(2025, 3, 15), kind="3·15消费者权益日", theme="诚信经营 放心消费",
                                   place="县政务服务中心", unit="执法大队", reach=300)
    ids["camp3"] = pr.add_campaign(ctx, held_on=D(2025, 6, 10), kind="信用交通宣传月", theme="诚实守信 一路畅行",
                                   place="淮河镇港口", unit="县港航事业发展中心", reach=150, media_links="盱眙电视台6月11日报道")
    pr.add_campaign(ctx, held_on=D(2024, 6, 10), kind="信用交通宣传月", theme="2024年宣传月", unit="局办公室")  # another year
    ids["train1"] = pr.add_training(ctx, held_on=D(2025, 4, 8), kind="信用修复培训", topic="信用修复政策解读", trainer="王伟",
                                    place="局三楼会议室", unit="信用工作领导小组办公室", hours=3)
    ids["train2"] = pr.add_training(ctx, held_on=D(2025, 9, 16), kind="“两类人员”信用培训", topic="道路运输企业信用管理",
                                    trainer="杨照祥", place="执法大队", unit=ZF, hours=2)
    ids["att1"] = pr.add_attendee(ctx, ids["train1"], entity=ORG_A, person_name="张三", certificate_no="XF-2025-001")
    pr.add_attendee(ctx, ids["train2"], person_name="赵六", org_name="外地运输公司")
    ids["scen1"] = pr.add_scenario(ctx, name="信易批：AA级企业容缺受理", business_type="信易批", started_on=D(2024, 6, 1), unit=ZF,
                                   description="AA级企业申请道路运输经营许可时缺少非核心材料的先行受理", measures="容缺受理")
    pr.add_scenario(ctx, name="2024年试点（已结束）", business_type="信易惠", started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31),
                    unit="综合计划科")
    pr.add_benefit(ctx, ids["scen1"], granted_on=D(2025, 4, 1), measure="容缺受理", entity=ORG_A)
    pr.add_benefit(ctx, ids["scen1"], granted_on=D(2025, 8, 1), measure="减免投标保证金", entity=ORG_B, amount_wan=12.5)
    ids["model1"] = pr.add_model(ctx, kind="全省交通运输行业诚信单位（集体）候选", nominated_on=D(2025, 6, 1), entity=ORG_A,
                                 edition="第五届", reason="连续三年信用等级AA级", unit="信用工作领导小组办公室")
    pr.add_model(ctx, kind="信用管理示范企业", nominated_on=D(2025, 8, 1), entity=ORG_B, reason="建立信用管理制度",
                 unit="综合计划科")
    indicators.add_monthly_report(ctx, "2025-01", on=D(2025, 2, 8), today=today)
    indicators.add_monthly_report(ctx, "2025-02", on=D(2025, 3, 12), today=today)
    return ids
