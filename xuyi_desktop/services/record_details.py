"""Opening a record from the to-do list or from a figure of the dashboard: any record kind the plan's pages point at,
as a title and (label, value) lines for the clerk, plus the page of the window that works on it. Read-only; a
person's ID number stays masked."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError

# kind → (table, what it is, the window's page that works on it)
KINDS: dict[str, tuple[str, str, str]] = {
    "entity": ("entity", "市场主体", "市场主体"),
    "licence": ("licence", "证照", "市场主体"),
    "rating": ("rating", "信用评价", "信用评价"),
    "sgs": ("sgs_record", "双公示记录", "双公示"),
    "commitment": ("commitment", "信用承诺", "信用承诺"),
    "dishonesty": ("dishonesty_record", "失信记录", "信用核查"),
    "list_entry": ("list_entry", "名单", "信用核查"),
    "repair": ("repair_application", "信用修复申请", "信用核查"),
    "objection": ("credit_objection", "信息异议", "信用核查"),
    "campaign": ("publicity_campaign", "宣传活动", "工作台账"),
    "training": ("credit_training", "信用培训", "工作台账"),
    "scenario": ("credit_scenario", "“信易+”场景", "工作台账"),
    "model": ("integrity_model", "诚信典型", "工作台账"),
    "website": ("website_item", "信用网站信息", "工作台账"),
    "monthly_report": ("sgs_monthly_report", "双公示月报", "指标看板"),
    "task_report": ("plan_task_report", "任务进展", "建设任务"),
}

LABELS = {
    "name": "名称", "identifier": "证件号码", "kind": "类型", "status": "状态", "address": "住所", "legal_representative": "法定代表人",
    "region_code": "行政区划", "licence_type": "证照名称", "number": "证照编号", "valid_from": "有效期自", "valid_to": "有效期至",
    "domain": "评价领域", "period": "评价年度", "grade": "信用等级", "score": "得分", "evaluating_organ": "评价机关",
    "decision_date": "决定日期", "document_no": "文书号", "valid_until": "有效期至", "publicity_start": "公示开始",
    "publicity_end": "公示结束", "wsh": "决定文书号", "xdr_mc": "行政相对人", "jdrq": "决定日期", "deadline": "截止日期",
    "reported_on": "报送日期", "jg": "决定机关", "xdr_shxym": "统一社会信用代码", "cflb": "处罚类别", "publicity_class": "失信程度", "nr": "内容",
    "serial": "编号", "business": "涉及业务", "signed_on": "签署日期", "term_until": "履约期限", "organ": "受理机关",
    "outcome_on": "办结日期", "category": "类别", "occurred_on": "发生日期", "description": "说明", "list_type": "名单",
    "reason": "理由", "entered_on": "列入日期", "expires_on": "有效期至", "applicant": "申请人", "applied_on": "申请日期",
    "objector": "异议人", "content": "内容", "received_on": "收到日期", "held_on": "日期", "theme": "主题", "place": "地点",
    "unit": "单位", "reach": "覆盖人数", "media_links": "媒体报道", "topic": "主题", "trainer": "授课人", "hours": "学时",
    "business_type": "业务类型", "started_on": "开始日期", "ended_on": "结束日期", "measures": "激励措施",
    "nominated_on": "推荐日期", "edition": "届次", "outcome": "结果", "title": "标题", "producer": "报送人",
    "submitted_on": "报送日期", "reviewer": "审核人", "reviewed_on": "审核日期", "published_on": "发布日期", "url": "网址",
    "month": "月份", "note": "备注", "task_id": "任务", "text": "进展情况", "percent": "完成比例", "milestone": "节点",
    "record_summary": "所涉记录", "decision_note": "处理意见", "decision_reason": "决定理由", "notes": "备注",
}
# Stored codes shown in the clerk's words, per kind (the labels the other pages use).
_VALUES: dict[str, dict[str, dict[str, str]]] = {
    "sgs": {"kind": {"XK": "行政许可", "CF": "行政处罚"}},
    "entity": {"kind": {"org": "单位", "person": "个人"}, "status": {"active": "存续", "cancelled": "注销", "revoked": "吊销"}},
    "rating": {"status": {"draft": "草稿", "reviewed": "已审核", "publicity": "公示中", "effective": "生效", "superseded": "已更正",
                          "revoked": "撤销"}},
    "commitment": {"status": {"active": "履约中", "fulfilled": "已践诺", "violated": "违诺", "revoked": "撤销"}},
    "list_entry": {"status": {"proposed": "待确认", "confirmed": "已列入", "removed": "未列入", "exited": "已移出"},
                   "list_type": {"red": "红名单", "black": "黑名单", "watch": "重点关注名单", "overload": "治超名单"}},
    "repair": {"status": {"applied": "已申请", "accepted": "已受理", "reviewed": "已审核", "approved": "准予修复", "rejected": "不予修复"}},
    "objection": {"status": {"received": "已收到", "reviewing": "审查中", "upheld": "异议成立", "rejected": "异议不成立"}},
    "model": {"outcome": {"pending": "待定", "recommended": "已推荐上报", "selected": "入选", "not_selected": "未入选"}},
    "website": {"status": {"submitted": "待审核", "approved": "已审核", "returned": "退回修改", "published": "已发布"}},
}
_SKIP = {"id", "created_at", "updated_at", "created_office", "updated_office", "version", "deleted_at", "search_key",
         "name_pinyin", "name_initials", "name_key", "lineage_id", "entity_id", "training_id", "scenario_id", "supersedes_id"}


@dataclass(frozen=True)
class RecordDetail:
    kind: str
    kind_label: str
    id: str
    title: str
    rows: tuple[tuple[str, str], ...]
    page: str  # the navigation title of the page that works on it ("" when none)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "id": self.id, "title": self.title,
                "rows": [list(r) for r in self.rows], "page": self.page}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def describe_record(ctx: AppContext, kind: str, record_id: str, *, today: dt.date | None = None) -> RecordDetail:
    """What the record says. Plan tasks, months without a report and a missing holiday year are described from
    their data; everything else from its row."""
    audit.require(ctx, Permission.VIEW)
    if kind == "task":
        return _task(ctx, record_id, today)
    if kind == "calendar":
        from xuyi_desktop.services.sgs_calendar import missing_calendar_notice

        notice = missing_calendar_notice(today) or f"{record_id}年的节假日安排已安装"
        return RecordDetail(kind, "节假日安排", record_id, f"{record_id}年法定节假日安排", (("说明", notice),), "双公示")
    if kind == "monthly_report" and len(record_id) == 7:
        from xuyi_desktop.domain.plan import monthly_report_deadline
        from xuyi_desktop.services.indicators import indicator_config

        deadline = monthly_report_deadline(record_id, indicator_config()[1])
        return RecordDetail(kind, "双公示月报", record_id, f"{record_id} 双公示月报",
                            (("应报送日期", f"{deadline.isoformat()}前（含）"), ("状态", "尚未登记报送")), "指标看板")
    if kind not in KINDS:
        raise NotFoundError(f"记录类型 {kind}")
    from xuyi_desktop.storage.all_models import Base

    table, label, page = KINDS[kind]
    model = next(m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == table)
    try:
        rid = uuid.UUID(record_id)
    except ValueError:
        raise NotFoundError(f"{label} {record_id}") from None
    with ctx.transaction() as session:
        row = session.get(model, rid)
        if row is None:
            raise NotFoundError(f"{label} {record_id}")
        rows: list[tuple[str, str]] = []
        person = getattr(row, "kind", None) == "person"
        for col in model.__table__.columns.keys():
            if col in _SKIP or col.endswith("_json"):
                continue
            value = getattr(row, col)
            if value in (None, "") or col not in LABELS:
                continue
            if col in ("xdr_zjhm", "fr_zjhm") or (person and col == "identifier"):
                value = mask_id_number(str(value)) or "（已隐去）"
            value = _VALUES.get(kind, {}).get(col, {}).get(value, value) if isinstance(value, str) else value
            rows.append((LABELS[col], _text(value)))
        entity_id = getattr(row, "entity_id", None)
        if entity_id is not None:
            from xuyi_desktop.storage.models import Entity

            e = session.get(Entity, entity_id)
            if e is not None:
                rows.insert(0, ("市场主体", e.name))
        title = next((v for k, v in rows if k in ("名称", "标题", "主题", "决定文书号", "编号")), label)
        rows += _children(session, kind, rid)
        return RecordDetail(kind, label, record_id, title, tuple(rows), page)


def _task(ctx: AppContext, key: str, today: dt.date | None) -> RecordDetail:
    from xuyi_desktop.services.plan_tasks import get_task

    view = get_task(ctx, key, today=today)
    t = view.task
    rows = [("任务", f"{t.label} {t.item_name}"), ("具体任务及要求", t.content), ("完成时间", t.deadline),
            ("截止日期", t.due.isoformat()), ("责任部门", t.responsible), ("状态", view.status.label)]
    rows += [(s.unit, f"{s.status.label}（{s.reason}）") for s in view.standings if s.expected or s.reports]
    return RecordDetail("task", "建设任务", t.id, f"任务{t.label} {t.item_name}", tuple(rows), "建设任务")


def _children(session: Any, kind: str, rid: uuid.UUID) -> list[tuple[str, str]]:
    """A training's attendees and certificates, a scenario's beneficiaries, a record's files."""
    from xuyi_desktop.storage.queries import plan as plan_queries

    rows: list[tuple[str, str]] = []
    if kind == "training":
        for a in plan_queries.live_attendees(session, rid):
            who = "，".join(x for x in (a.person_name, a.org_name) if x)
            rows.append(("参训人员", who + (f"（培训证明 {a.certificate_no}）" if a.certificate_no else "")))
    if kind == "scenario":
        for b in plan_queries.live_benefits(session, rid):
            amount = f"，{b.amount_wan:g}万元" if b.amount_wan is not None else ""
            rows.append(("受益主体", f"{b.beneficiary}：{b.measure}{amount}（{b.granted_on.isoformat()}）"))
    table = KINDS.get(kind, ("",))[0]
    for f in plan_queries.live_attachments(session, table, rid):
        rows.append(("附件", f.original_name))
    return rows
