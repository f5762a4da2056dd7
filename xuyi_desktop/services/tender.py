"""Tender day (信用+招投标, the plan's annex 2 三(4)(7)): the register of third-party credit reports the tender
check shows, the batch check of a list of bidders, award nominees or fund applicants (one logged check with its
serial per entity, one result sheet each and a summary), and the consortium (联合体) check.

Every check goes through services.credit_check.check_in, so each is logged and numbered like a counter check.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.consequences import Decision, Line
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.identifiers import normalise_identifier
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.tender import (
    ConsortiumGrade,
    TenderRuleError,
    TenderRules,
    combine,
    consortium_profile,
    grades_text,
    lowest_grades,
    masked,
    parse_tender_rules,
    report_standing,
    report_summary,
)
from xuyi_desktop.paths import resource_path
from xuyi_desktop.printing.output import Cancelled, Progress, atomic_output, check_writable
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import CreditCheckResult, _line, check_in, resolve_query
from xuyi_desktop.services.entity_views import summary_of
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.profile import decide_for
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.unit_of_work import unit_of_work
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_tender import ThirdPartyReport
from xuyi_desktop.storage.queries import tender as tender_queries

TABLE = "third_party_report"


class TenderRulesFileError(DomainError):
    """resources/tender/tender.toml is broken: the application refuses to guess."""

    def __init__(self, error: TenderRuleError) -> None:
        self.message_zh = f"招投标核查规则文件有误：{error}"
        self.message_en = "resources/tender/tender.toml is invalid"
        super().__init__(self.message_zh)


@lru_cache(maxsize=1)
def tender_rules() -> TenderRules:
    path = resource_path("tender", "tender.toml")
    try:
        return parse_tender_rules(path.read_text(encoding="utf-8"), where=path.name,
                                  business_codes=[b.code for b in registry().businesses])
    except TenderRuleError as exc:
        raise TenderRulesFileError(exc) from exc


# --- third-party credit reports (第三方信用报告) ----------------------------------------------------------

@dataclass(frozen=True)
class ReportInput:
    entity: str | uuid.UUID  # UUID or identifier
    agency_name: str
    agency_registered: bool
    report_no: str
    issued_on: dt.date
    valid_until: dt.date
    grade: str = ""
    agency_registration_no: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class ReportView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    entity_identifier: str
    agency_name: str
    agency_registered: bool
    agency_registration_no: str
    report_no: str
    issued_on: dt.date
    valid_until: dt.date
    grade: str
    remarks: str
    valid: bool
    state: str
    state_label: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "entity_id": str(self.entity_id), "entity_name": self.entity_name,
            "entity_identifier": self.entity_identifier, "agency_name": self.agency_name,
            "agency_registered": self.agency_registered, "agency_registration_no": self.agency_registration_no,
            "report_no": self.report_no, "issued_on": self.issued_on.isoformat(), "valid_until": self.valid_until.isoformat(),
            "grade": self.grade, "remarks": self.remarks, "valid": self.valid, "state": self.state,
            "state_label": self.state_label, "version": self.version,
        }


def _report_view(r: ThirdPartyReport, e: Entity, today: dt.date) -> ReportView:
    from xuyi_desktop.domain.entities import EntityKind
    from xuyi_desktop.domain.masking import mask_id_number

    standing = report_standing(registered=r.agency_registered, issued_on=r.issued_on, valid_until=r.valid_until,
                               today=today, expiring_days=tender_rules().reports.expiring_days)
    ident = e.identifier if e.kind != EntityKind.PERSON.value else (mask_id_number(e.identifier) or "")
    return ReportView(
        r.id, r.entity_id, e.name, ident, r.agency_name, r.agency_registered, r.agency_registration_no, r.report_no,
        r.issued_on, r.valid_until, r.grade, r.remarks, standing.valid, standing.state, standing.label, r.version,
    )


def _order(views: list[ReportView]) -> list[ReportView]:
    """Valid reports first, then the newest."""
    return sorted(views, key=lambda v: (not v.valid, -v.issued_on.toordinal(), v.report_no))


def add_report(ctx: AppContext, data: ReportInput, *, today: dt.date | None = None) -> ReportView:
    """Register a report; the tender check shows it at once. The same agency's report number twice is refused."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    agency, number = " ".join(data.agency_name.split()), " ".join(data.report_no.split())
    problems = []
    if not agency:
        problems.append(FieldProblem("agency_name", "请填写出具报告的信用服务机构名称", "agency required"))
    elif len(agency) > 200:
        problems.append(FieldProblem("agency_name", "机构名称不能超过200个字符", "agency name too long"))
    if not number:
        problems.append(FieldProblem("report_no", "请填写报告编号", "report number required"))
    elif len(number) > 100:
        problems.append(FieldProblem("report_no", "报告编号不能超过100个字符", "report number too long"))
    if data.issued_on > today:
        problems.append(FieldProblem("issued_on", "出具日期不能晚于今天", "issued in the future"))
    if data.valid_until < data.issued_on:
        problems.append(FieldProblem("valid_until", "有效期至不能早于出具日期", "valid until before issue"))
    if len(data.grade.strip()) > 100:
        problems.append(FieldProblem("grade", "信用等级（结论）不能超过100个字符", "grade too long"))
    if problems:
        raise ValidationError(problems)
    with unit_of_work(ctx) as uow:
        session = uow.session
        e = resolve_entity(session, data.entity)
        same = tender_queries.live_report(session, agency, number)
        if same is not None:
            owner = session.get(Entity, same.entity_id)
            raise ValidationError(FieldProblem(
                "report_no", f"“{agency}”的报告 {number} 已登记（{owner.name if owner else same.entity_id}，{same.issued_on}）",
                "this report is already registered",
            ))
        rec = ThirdPartyReport(
            entity_id=e.id, agency_name=agency, agency_registered=bool(data.agency_registered),
            agency_registration_no=data.agency_registration_no.strip()[:100], report_no=number, issued_on=data.issued_on,
            valid_until=data.valid_until, grade=data.grade.strip(), remarks=data.remarks.strip(), void_reason="",
        )
        uow.add(
            rec,
            summary=f"登记第三方信用报告 {e.name}：{agency} {number}（{data.issued_on}至{data.valid_until}，"
                    f"{'机构已备案' if rec.agency_registered else '机构未备案'}）",
        )
        return _report_view(rec, e, today)


def list_reports(ctx: AppContext, *, entity: str | uuid.UUID | None = None, valid_only: bool = False,
                 text: str = "", today: dt.date | None = None, limit: int = 500) -> list[ReportView]:
    """Valid reports first, then by issue date (newest first); `text` filters agency, number and entity name."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        entity_id = resolve_entity(session, entity).id if entity is not None else None
        rows = tender_queries.reports(session, text=text.strip(), entity_id=entity_id, limit=limit)
        views = [_report_view(r, e, today) for r, e in rows]
    return _order([v for v in views if v.valid or not valid_only])


def get_report(ctx: AppContext, report_id: uuid.UUID, *, today: dt.date | None = None) -> ReportView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        r = session.get(ThirdPartyReport, report_id)
        if r is None or r.deleted_at is not None:
            raise NotFoundError(f"第三方信用报告 {report_id}")
        e = session.get(Entity, r.entity_id)
        assert e is not None
        return _report_view(r, e, today or dt.date.today())


def void_report(ctx: AppContext, report_id: uuid.UUID, *, reason: str) -> None:
    """Withdraw a report registered in error (a tombstone that syncs; the reason is kept and audited). Reviewers."""
    from xuyi_desktop.storage.models import utcnow

    audit.require(ctx, Permission.CREDIT_REVIEW)
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写作废理由", "reason required"))
    with unit_of_work(ctx) as uow:
        r = uow.session.get(ThirdPartyReport, report_id)
        if r is None or r.deleted_at is not None:
            raise NotFoundError(f"第三方信用报告 {report_id}")
        e = uow.session.get(Entity, r.entity_id)
        uow.change(r, verb="delete", void_reason=reason.strip(), deleted_at=utcnow(),
                   summary=f"作废第三方信用报告 {e.name if e else ''}：{r.agency_name} {r.report_no}（{reason.strip()}）")


def reports_for_check(session: Session, entity_id: uuid.UUID, business: str, today: dt.date) -> list[dict[str, Any]] | None:
    """What a check for `business` shows of the entity's third-party reports: None where the business does not
    look at them (tender.toml), else every report (valid first), each with its standing on `today`."""
    rules = tender_rules().reports
    if business not in rules.businesses:
        return None
    rows = tender_queries.reports(session, entity_id=entity_id)
    views = _order([_report_view(r, e, today) for r, e in rows])[: rules.shown]
    keep = ("id", "agency_name", "agency_registered", "agency_registration_no", "report_no", "issued_on", "valid_until",
            "grade", "remarks", "valid", "state", "state_label")
    return [{k: v.to_json()[k] for k in keep} for v in views]


# --- consortium (联合体) --------------------------------------------------------------------------------

@dataclass
class ConsortiumResult:
    name: str
    business: str
    business_name: str
    checked_at: str
    members: list[CreditCheckResult]
    grades: list[ConsortiumGrade]
    consequences: list[Any]  # ConsequenceLine
    suppressed: list[dict[str, Any]]
    verdict: str
    verdict_label: str

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "name": self.name, "business": self.business, "business_name": self.business_name, "checked_at": self.checked_at,
            "grades": [g.to_json() for g in self.grades], "consequences": [asdict(c) for c in self.consequences],
            "suppressed": self.suppressed, "verdict": self.verdict, "verdict_label": self.verdict_label,
            "members": [m.to_json() for m in self.members],
        }


def decision_of(result: CreditCheckResult) -> Decision:
    """A member's decision as its check gave it (lines and the incentives its own restrictions overrode)."""
    from xuyi_desktop.domain.consequences import Suppressed

    def line(c: Any) -> Line:
        return Line(c.kind, c.text, tuple(c.measures), c.source, c.rule)

    suppressed = tuple(
        Suppressed(Line(s["kind"], s["text"], tuple(s["measures"]), s["source"], s["rule"]),
                   Line("restriction", s["overridden_by"], (), s["overridden_by_source"], ""))
        for s in result.suppressed
    )
    return Decision(result.business, tuple(line(c) for c in result.consequences), suppressed)


def split_members(text: str) -> list[str]:
    """`A,B,C` (also ，、；; and line breaks) → the member queries, blanks dropped."""
    return [p.strip() for p in re.split(r"[,，、;；\n]+", text) if p.strip()]


def check_consortium(ctx: AppContext, queries: Sequence[str], business: str, *, name: str = "",
                     today: dt.date | None = None) -> ConsortiumResult:
    """Check each member (one logged check and serial each), then grade the consortium by its lowest member per
    domain and decide for it: the lowest grade's lines, plus each member's restrictions (tender.toml says what
    carries over), precedence applied. A query that matches several entities is refused before any check."""
    audit.require(ctx, Permission.VIEW)
    rules = tender_rules().consortium
    reg = registry()
    biz = reg.business(business)
    today = today or dt.date.today()
    queries = [q.strip() for q in queries if q.strip()]
    if len(queries) < rules.min_members:
        raise ValidationError(FieldProblem("members", f"联合体至少需要{rules.min_members}个成员（收到{len(queries)}个）",
                                           f"a consortium needs at least {rules.min_members} members"))
    ids = [resolve_query(ctx, q) for q in queries]
    seen: dict[uuid.UUID, str] = {}
    for q, i in zip(queries, ids, strict=True):
        if i in seen:
            raise ValidationError(FieldProblem("members", f"联合体成员重复：“{seen[i]}”与“{q}”是同一主体", "the same member twice"))
        seen[i] = q
    with ctx.transaction() as session:
        members: list[CreditCheckResult] = []
        for q, i in zip(queries, ids, strict=True):
            entity = entity_queries.by_id(session, i)
            if entity is None or entity.deleted_at is not None:
                raise NotFoundError(f"市场主体 {q}")
            members.append(check_in(session, ctx, entity, biz.code, query=f"联合体成员 {q}"[:200], today=today))
        names = [str(m.entity.get("name", "")) for m in members]
        title = name.strip() or f"{'、'.join(names)}联合体"
        order = {code: list(reg.latest(code).grades) for code in {g.domain for m in members for g in m.grades}}
        grades = lowest_grades([(n, m.grades) for n, m in zip(names, members, strict=True)], order, rules)
        own = decide_for(consortium_profile(title, today, grades), biz.code)
        decision = combine(biz.code, own, [(n, decision_of(m)) for n, m in zip(names, members, strict=True)], rules)
        grade_text = "，".join(f"{g.domain_name}{(('暂定' if g.provisional else '') + g.grade + '级') if g.grade else '无有效等级'}"
                              for g in grades) or "无评价"
        audit.write(session, ctx, "credit.consortium", f"联合体信用核查 {title}（{biz.name}）：{grade_text}；{decision.verdict_label}",
                    details={"serials": [m.serial for m in members], "verdict": decision.verdict})
    return ConsortiumResult(
        title, biz.code, biz.name, dt.datetime.now(dt.UTC).isoformat(), members, grades,
        [_line(x) for x in decision.lines], [s.to_json() for s in decision.suppressed], decision.verdict, decision.verdict_label,
    )


# --- batch check ----------------------------------------------------------------------------------------

MAX_BATCH_ROWS = 1000
STATUS_LABELS = {"checked": "已核查", "not_found": "未找到", "ambiguous": "名称不唯一", "duplicate": "重复", "invalid": "有误"}
_NOTE = re.compile(r"^(注|说明|备注|填表|制表|审核|联系人|联系电话|附[:：])")


@dataclass(frozen=True)
class ListRow:
    """One line of the list as read: sheet row, the name and identifier given, lot and remarks."""

    row: int
    name: str = ""
    identifier: str = ""
    lot: str = ""
    remark: str = ""
    problem: str = ""  # a cell that could not be read


@dataclass
class BatchRow:
    row: int
    name: str
    identifier: str
    lot: str
    remark: str
    status: str
    message: str = ""
    entity_id: uuid.UUID | None = None
    result: CreditCheckResult | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def problem(self) -> bool:
        return self.status != "checked"

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "row": self.row, "name": self.name, "identifier": masked(self.identifier), "lot": self.lot, "remark": self.remark,
            "status": self.status, "status_label": self.status_label, "message": self.message,
            "entity_id": str(self.entity_id) if self.entity_id else None,
            "serial": r.serial if r else None, "entity_name": r.entity.get("name") if r else None,
            "entity_identifier": r.entity.get("identifier") if r else None,
            "grades": grades_text(r) if r else "", "verdict": r.verdict if r else None,
            "verdict_label": r.verdict_label if r else None,
            "restrictions": [c.text for c in r.consequences if c.kind == "restriction"] if r else [],
            "incentives": [c.text for c in r.consequences if c.kind == "incentive"] if r else [],
            "third_party_reports": report_summary(r.third_party_reports) if r else "",
        }


@dataclass
class BatchResult:
    source: Path
    business: str
    business_name: str
    rows: list[BatchRow]
    out: Path
    summary: Path | None
    pages: int
    checked_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    @property
    def checked(self) -> list[BatchRow]:
        return [r for r in self.rows if r.status == "checked"]

    @property
    def problems(self) -> list[BatchRow]:
        return [r for r in self.rows if r.problem]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source), "business": self.business, "business_name": self.business_name,
            "out": str(self.out), "summary": str(self.summary) if self.summary else None, "pages": self.pages,
            "checked": len(self.checked), "problems": len(self.problems), "rows": [r.to_json() for r in self.rows],
        }


class BatchCancelled(DomainError):
    """The clerk cancelled: no file was written; checks already made stay logged with their serials."""

    def __init__(self, done: list[str]) -> None:
        self.done = done
        if done:
            span = done[0] if len(done) == 1 else f"{done[0]} 至 {done[-1]}"
            self.message_zh = f"已取消批量核查，未生成文件；取消前已完成的{len(done)}项核查已记录（编号 {span}）"
        else:
            self.message_zh = "已取消批量核查，未做任何核查，未生成文件"
        self.message_en = "batch check cancelled, no file written"
        super().__init__(self.message_zh)


def _list_layout():
    from xuyi_desktop.exchange import columns as c

    return c.Layout("核查名单", (
        c.Column("identifier", "统一社会信用代码", aliases=(
            "社会信用代码", "信用代码", "统一代码", "统一社会信用代码/身份证号码", "统一社会信用代码或身份证号码", "证件号码",
            "身份证号码", "身份证号", "证件号", "证照号码", "组织机构代码", "投标人统一社会信用代码"), parse=c.identifier),
        c.Column("name", "名称", aliases=(
            "单位名称", "企业名称", "主体名称", "名称/姓名", "姓名", "投标人", "投标人名称", "投标单位", "投标单位名称",
            "中标候选人", "中标候选人名称", "申请单位", "申请人", "申报单位", "申请单位名称", "供应商", "供应商名称",
            "企业名称/姓名", "单位名称/姓名", "候选人名称", "成员名称"), parse=c.text(200)),
        c.Column("lot", "标段", aliases=("标段名称", "标段（包）", "标包", "包件", "项目名称", "项目", "招标项目", "申报项目"),
                 parse=c.text(200)),
        c.Column("remark", "备注", aliases=("说明", "排名", "名次", "中标候选人排名"), parse=c.text(200)),
    ))


def read_list(path: str | Path) -> list[ListRow]:
    """The rows of a list (.xlsx): the first sheet whose header, within its first rows, names a 统一社会信用代码 or a
    名称 column under any of the usual spellings. Blank lines and footnotes are left out; nothing else is."""
    from itertools import islice

    from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem, open_xlsx

    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"找不到文件：{path}", f"file not found: {path}")
    if path.suffix.lower() in (".xls", ".et"):
        raise FileProblem("不能直接读取旧版 .xls/.et 文件：请在 Excel 或 WPS 中“另存为” .xlsx 后再核查", "save the file as .xlsx first")
    layout = _list_layout()
    wb = open_xlsx(path)  # bounded: size, ratio, no DTD
    out: list[ListRow] = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            head = list(islice(rows, HEADER_SCAN_ROWS))
            header = None
            for offset, cells in enumerate(head):
                candidate = layout.match_headers(cells, offset + 1)
                keys = {"identifier", "name"} & set(candidate.by_field)
                if keys and (header is None or len(candidate.by_field) > len(header.by_field)):
                    header = candidate
            if header is None:
                continue
            from itertools import chain

            for row_no, cells in enumerate(chain(head[header.row:], rows), start=header.row + 1):
                parsed = layout.read_row(cells, header, row_no)
                if parsed is None or not ({"identifier", "name"} & (set(parsed.values) | {p.field for p in parsed.problems})):
                    continue
                name = str(parsed.values.get("name", ""))
                if not parsed.values.get("identifier") and _NOTE.match(name) and not parsed.problems:
                    continue  # 注：以上名单… under the table
                out.append(ListRow(
                    row_no, name, str(parsed.values.get("identifier", "")), str(parsed.values.get("lot", "")),
                    str(parsed.values.get("remark", "")), "；".join(p.message_zh for p in parsed.problems),
                ))
                if len(out) > MAX_BATCH_ROWS:
                    raise FileProblem(f"“{path.name}”超过{MAX_BATCH_ROWS}行：请分成几个文件核查", "too many rows")
            break
        else:
            raise FileProblem(
                f"“{path.name}”的前{HEADER_SCAN_ROWS}行中没有找到表头：需要“统一社会信用代码”或“名称”（投标人、申请单位等）列",
                "no header with an identifier or a name column found",
            )
    finally:
        wb.close()
    if not out:
        raise FileProblem(f"“{path.name}”中没有可核查的行", "the list is empty")
    return out


def _resolve(ctx: AppContext, session: Session, item: ListRow) -> tuple[str, str, uuid.UUID | None]:
    """(status, message, entity id) for one row: the identifier decides when given; a name must match one entity."""
    if item.problem:
        return "invalid", item.problem, None
    if item.identifier:
        e = entity_queries.live_by_identifier(session, normalise_identifier(item.identifier))
        if e is None or e.deleted_at is not None:
            return "not_found", f"证件号码 {item.identifier} 未登记", None
        note = f"名称与登记不一致（登记名称：{e.name}）" if item.name and item.name != e.name else ""
        return "checked", note, e.id
    hits = entity_queries.ranked_search(session, ctx.search_index, item.name, 20)
    exact = [h for h in hits if h.name == item.name]
    if len(exact) == 1:
        return "checked", "", exact[0].id
    if not hits:
        return "not_found", f"未找到名称为“{item.name}”的市场主体", None
    if len(hits) == 1:
        return "checked", f"按名称片段匹配到：{hits[0].name}（{summary_of(hits[0]).identifier}）", hits[0].id
    several = exact or hits
    names = "；".join(f"{h.name}（{summary_of(h).identifier}）" for h in several[:3])
    more = "等" if len(several) > 3 else ""
    count = f"{len(several)}个以上" if len(several) >= 20 else f"{len(several)}个"
    return "ambiguous", f"“{item.name}”匹配到{count}主体：{names}{more}，请在名单中填写统一社会信用代码", None


def batch_check(
    ctx: AppContext, source: str | Path, business: str, out: str | Path, *, summary: str | Path | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None, today: dt.date | None = None,
) -> BatchResult:
    """Check every entity of a list: one logged check with its own serial each (each in a short transaction of its
    own, so other counters never wait for the whole list), then one PDF: the summary first, then the result sheet
    of each entity; and the summary as .xlsx when asked. Rows that match no entity or several are listed in the
    summary (未找到 / 名称不唯一), never dropped. Cancelling writes no file; checks made before it stay logged."""
    from xuyi_desktop.services.printing import render_credit_check

    audit.require(ctx, Permission.VIEW)
    audit.require(ctx, Permission.PRINT)
    if summary is not None:
        audit.require(ctx, Permission.EXPORT)
    biz = registry().business(business)
    source, out = Path(source), Path(out)
    summary = Path(summary) if summary is not None else None
    if out.suffix.lower() != ".pdf":
        raise ValidationError(FieldProblem("out", "核查结果应保存为 .pdf 文件", "the output must be a .pdf file"))
    if summary is not None and summary.suffix.lower() != ".xlsx":
        raise ValidationError(FieldProblem("summary", "汇总表应保存为 .xlsx 文件", "the summary must be a .xlsx file"))
    check_writable(out)
    if summary is not None:
        check_writable(summary)
    today = today or dt.date.today()
    items = read_list(source)
    stop = cancelled or (lambda: False)

    rows: list[BatchRow] = []
    first_row: dict[uuid.UUID, int] = {}
    with ctx.transaction() as session:
        for item in items:
            status, message, entity_id = _resolve(ctx, session, item)
            if entity_id is not None and entity_id in first_row:
                status, message = "duplicate", f"与第{first_row[entity_id]}行是同一主体，已在该行核查"
            elif entity_id is not None:
                first_row[entity_id] = item.row
            rows.append(BatchRow(item.row, item.name, item.identifier, item.lot, item.remark, status, message, entity_id))
    todo = [r for r in rows if r.status == "checked"]
    total = 2 * len(todo) + 2
    done: list[str] = []
    for n, row in enumerate(todo, start=1):
        if stop():
            raise BatchCancelled(done)
        with ctx.transaction() as session:
            entity = entity_queries.by_id(session, row.entity_id)  # type: ignore[arg-type]
            if entity is None or entity.deleted_at is not None:  # removed since the list was read
                row.status, row.message = "not_found", "该主体刚被删除"
                continue
            row.result = check_in(session, ctx, entity, biz.code, query=f"批量核查 {source.name} 第{row.row}行"[:200], today=today)
        done.append(row.result.serial)
        if progress:
            progress(n, total)
    checked = [r for r in rows if r.result is not None]

    from pypdf import PdfWriter

    from xuyi_desktop.printing.fonts import register_fonts
    from xuyi_desktop.printing.tender_summary import render_batch_summary
    from xuyi_desktop.services.office_keys import print_key
    from xuyi_desktop.services.printing import issuing_organ

    fonts = register_fonts()
    key = print_key(ctx)
    step = len(todo)
    pages = 0
    with tempfile.TemporaryDirectory(prefix="xuyi-batch-") as work, atomic_output(out) as tmp:
        parts = [Path(work) / "summary.pdf"]
        render_batch_summary(
            rows, parts[0], fonts=fonts, business_name=biz.name, source_name=source.name, organ=issuing_organ(ctx),
            checked_by=_actor(ctx), issued_on=today,
        )
        step += 1
        if progress:
            progress(step, total)
        for row in checked:
            if stop():
                raise BatchCancelled(done)
            part = Path(work) / f"{len(parts):04d}.pdf"
            render_credit_check(ctx, row.result, part, key=key, fonts=fonts)  # type: ignore[arg-type]
            parts.append(part)
            step += 1
            if progress:
                progress(step, total)
        if stop():
            raise BatchCancelled(done)
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        writer.add_metadata({"/Title": f"信用核查结果（{biz.name}，{source.name}）", "/Creator": "xuyi_desktop"})
        pages = len(writer.pages)
        with open(tmp, "wb") as fh:
            writer.write(fh)
        writer.close()
        if summary is not None:
            write_batch_summary(rows, summary, business_name=biz.name, source_name=source.name)
        if progress:
            progress(total, total)
    with ctx.transaction() as session:
        for row in checked:
            r = row.result
            assert r is not None
            audit.write(session, ctx, "print.credit_check",
                        f"打印信用核查结果单 {r.serial} {r.entity.get('name', '')}（{r.business_name}，批量，共{len(checked)}份）",
                        record_table="entity", record_id=r.entity.get("id", ""),
                        details={"serial": r.serial, "batch": len(checked), "file": out.name})
        problems = [r for r in rows if r.problem]
        audit.write(session, ctx, "credit.batch",
                    f"批量信用核查 {source.name}（{biz.name}）：{len(rows)}行，已核查{len(checked)}家，"
                    f"未找到{sum(r.status == 'not_found' for r in rows)}行，名称不唯一{sum(r.status == 'ambiguous' for r in rows)}行",
                    details={"serials": done, "problem_rows": [r.row for r in problems], "file": out.name,
                             "summary": summary.name if summary else None})
    return BatchResult(source, biz.code, biz.name, rows, out, summary, pages)


def _actor(ctx: AppContext) -> str:
    if ctx.user is not None:
        return ctx.user.display_name or ctx.user.username
    return "系统（初始设置）"


SUMMARY_COLUMNS = (
    ("序号", 6), ("名单行号", 9), ("名单中的名称", 34), ("名单中的代码", 22), ("标段", 16), ("核查情况", 11),
    ("主体名称", 34), ("统一社会信用代码/证件号码", 24), ("信用等级", 26), ("核查结论", 12), ("约束措施", 50),
    ("激励措施", 50), ("第三方信用报告", 40), ("核查编号", 26), ("说明", 50),
)


def write_batch_summary(rows: Sequence[BatchRow], path: Path, *, business_name: str, source_name: str) -> None:
    """The summary as a workbook: one line per list row in list order, problem rows filled red."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from xuyi_desktop.exchange.workbooks import ERROR_FILL, ERROR_FONT, HEADER_FILL, save_workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "核查汇总"
    ws.append([f"信用核查汇总（{business_name}）  名单：{source_name}  已核查{sum(not r.problem for r in rows)}家，"
               f"有问题的行{sum(r.problem for r in rows)}行"])
    ws.append([t for t, _ in SUMMARY_COLUMNS])
    for i, (_, width) in enumerate(SUMMARY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=2, column=i)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A3"
    for n, r in enumerate(rows, start=1):
        j = r.to_json()
        ws.append([
            n, r.row, r.name, masked(r.identifier), r.lot, r.status_label, j["entity_name"] or "", j["entity_identifier"] or "",
            j["grades"], j["verdict_label"] or "", "\n".join(j["restrictions"]), "\n".join(j["incentives"]),
            j["third_party_reports"], j["serial"] or "", "；".join(x for x in (r.message, r.remark) if x),
        ])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if r.problem:
                cell.fill, cell.font = ERROR_FILL, ERROR_FONT
        for col in (4, 8, 14):  # identifiers and serials stay text
            ws.cell(row=ws.max_row, column=col).number_format = "@"
    save_workbook(wb, path)
