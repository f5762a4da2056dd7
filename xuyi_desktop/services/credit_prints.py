"""Printing for credit repair and the lists: the 信用修复告知书 served with a penalty decision ("两书同达",
国办发〔2025〕22号) and the publication of a list as PDF.

The notice. Its first print takes a serial from its own counter (office-XF-year-N) and keeps it on the penalty
(`repair_notice_serial`, a recorded change that syncs); a reprint (补打) carries the same serial. Printing is not
serving: the notice is served with the decision, often later or by post, so "served" is the clerk's separate
confirmation, with the date on the receipt (services.repair.record_notice_served, `xuyi repair notice-served`,
or `xuyi print repair-notice … --served`, or 登记已送达 in the window). The periods and the earliest repair day
are those of the rules in force on the decision date (services.profile.penalty_fact, services.sgs.publicity_rules);
the materials are the checklist of resources/repair/repair.toml; the wording an office may change is
resources/repair/notice.toml.

The list publication. The members in force on the day (persons' ID numbers masked), numbered office-MD-year-N,
marked published like the .xlsx publication (services.credit_lists.publish) and audited.

Both: the PDF is rendered to a temporary file inside the transaction that takes the serial and writes the audit
entry, and renamed into place only after it committed (a number, an audit entry and a file exist together or
not at all); the QR code is signed with the office key and also on the page as text for `xuyi verify FILE.pdf`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import PenaltyState
from xuyi_desktop.domain.sgs import RELATIVE_PERSON
from xuyi_desktop.domain.working_days import add_months
from xuyi_desktop.paths import resource_path
from xuyi_desktop.printing import qr
from xuyi_desktop.printing.fonts import register_fonts
from xuyi_desktop.printing.list_publication import DOC_TYPE as LIST_DOC
from xuyi_desktop.printing.list_publication import ListPublicationData, PublishedMember, render_list_publication
from xuyi_desktop.printing.output import atomic_output
from xuyi_desktop.printing.repair_notice import DOC_TYPE as NOTICE_DOC
from xuyi_desktop.printing.repair_notice import RepairNoticeData, render_repair_notice
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.office_keys import print_key
from xuyi_desktop.services.print_settings import before_numbered_print
from xuyi_desktop.services.printing import NothingToPrintError, issuing_organ
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_credit import ListEntry
from xuyi_desktop.storage.models_sgs import SgsRecord

__all__ = [
    "NoticeState", "PrintedList", "PrintedNotice", "describe_print_facts", "notice_state", "print_list_publication",
    "print_repair_notice",
]


class PrintTextError(DomainError):
    """A wording file under resources/ is broken: nothing is printed on a guess."""

    def __init__(self, where: str, why: str) -> None:
        self.message_zh = f"{where} 有误：{why}"
        self.message_en = f"{where} is invalid"
        super().__init__(self.message_zh)


def _load_toml(*parts: str) -> dict:
    path = resource_path(*parts)
    where = "/".join(parts)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PrintTextError(where, str(exc)) from exc


@dataclass(frozen=True)
class NoticeTexts:
    basis: str
    online: str
    counter: str
    phone: str
    effect: str


@lru_cache(maxsize=1)
def notice_texts() -> NoticeTexts:
    data = _load_toml("repair", "notice.toml")
    missing = [k for k in ("basis", "online", "effect") if not str(data.get(k, "")).strip()]
    if missing:
        raise PrintTextError("repair/notice.toml", f"缺少 {'、'.join(missing)}")
    texts = NoticeTexts(*(str(data.get(k, "")).strip() for k in ("basis", "online", "counter", "phone", "effect")))
    try:  # a misspelt placeholder is refused here, not on a clerk's print
        texts.basis.format(rules="")
        texts.counter.format(organ="")
    except (KeyError, IndexError, ValueError) as exc:
        raise PrintTextError("repair/notice.toml", f"占位符只能是 {{rules}}、{{organ}}（{exc}）") from exc
    return texts


@lru_cache(maxsize=1)
def publication_texts() -> dict[str, str]:
    data = _load_toml("lists", "publication.toml")
    out = {str(k): str(v.get("basis", "")).strip() for k, v in data.items() if isinstance(v, dict)}
    if not out.get("default"):
        raise PrintTextError("lists/publication.toml", "缺少 [default] basis")
    for kind, text in out.items():
        try:
            text.format(name="", count=0)
        except (KeyError, IndexError, ValueError) as exc:
            raise PrintTextError("lists/publication.toml", f"[{kind}] 占位符只能是 {{name}}、{{count}}（{exc}）") from exc
    return out


# --- the 信用修复告知书 -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeState:
    """What the 双公示 page shows before printing: the notice's serial if one was printed, whether it was served,
    and why it cannot be printed (empty when it can)."""

    penalty_id: uuid.UUID  # the current version
    document_no: str
    party: str
    serial: str
    served_on: dt.date | None
    refusal: str

    @property
    def printable(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class PrintedNotice:
    path: Path
    serial: str
    reprint: bool


def _refusal(row: SgsRecord, today: dt.date) -> str:
    """Why this decision gets no notice (empty: it gets one). The state is the profile's (rules by decision date)."""
    from xuyi_desktop.services.profile import penalty_fact

    if row.kind != "CF":
        return "信用修复告知书只随行政处罚决定书送达"
    state = penalty_fact(row, today).state
    return {
        PenaltyState.WITHDRAWN: "该处罚决定已撤销，不再送达信用修复告知书",
        PenaltyState.PENDING_CLASS: "该处罚的失信程度（公示类别）待定，请先由审核人员确定类别，告知书须写明公示期限",
        PenaltyState.NOT_YET: "处罚决定日期晚于今天，请核对决定日期",
    }.get(state, "")


def _current(session: Session, penalty_id: uuid.UUID) -> SgsRecord:
    from xuyi_desktop.services.sgs import current_version

    return current_version(session, penalty_id)


def notice_state(ctx: AppContext, penalty_id: uuid.UUID, *, today: dt.date | None = None) -> NoticeState:
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        row = _current(session, penalty_id)
        return NoticeState(row.id, row.wsh, row.xdr_mc, row.repair_notice_serial, row.repair_notice_served_on,
                           _refusal(row, today))


def _months_text(months: int) -> str:
    return f"{months // 12}年" if months and months % 12 == 0 else f"{months}个月"


def _months_between(start: dt.date, end: dt.date) -> int:
    """The whole months from `start` to `end` as add_months counts them (so add_months(start, n) == end)."""
    n = (end.year - start.year) * 12 + end.month - start.month
    return n if add_months(start, n) <= end else n - 1


def cite(source: str) -> str:
    """A regulation as cited in a document: 《title》（number）, e.g. 《信用修复管理办法》（国家发展改革委令第36号）."""
    source = source.strip()
    cut = source.rfind("（")
    if source.endswith("）") and cut > 0 and "号" in source[cut:]:
        return f"《{source[:cut]}》{source[cut:]}"
    return f"《{source}》" if source and not source.startswith("《") else source


def _party(session: Session, row: SgsRecord) -> tuple[bool, str, str]:
    """(is a person, identifier label, identifier as printed: a person's ID number masked)."""
    entity = session.get(Entity, row.entity_id) if row.entity_id else None
    person = entity.kind == "person" if entity is not None else row.xdr_lb == RELATIVE_PERSON
    if person:
        return True, "公民身份号码", mask_id_number(row.xdr_zjhm or (entity.identifier if entity else "")) or "—"
    return False, "统一社会信用代码", row.xdr_shxym or (entity.identifier if entity else "") or "—"


def _notice_data(session: Session, ctx: AppContext, row: SgsRecord, serial: str, today: dt.date,
                 sign: object) -> RepairNoticeData:
    from xuyi_desktop.services.profile import penalty_fact
    from xuyi_desktop.services.repair import repair_rules
    from xuyi_desktop.services.sgs import publicity_rules

    assert row.jdrq is not None
    fact = penalty_fact(row, today)
    rules = publicity_rules(row.jdrq)
    klass = fact.publicity_class
    published = rules.rules[klass].published_by_default
    min_months = _months_between(row.jdrq, fact.repair_from) if fact.repair_from else 0
    person, id_label, ident = _party(session, row)
    organ = row.jg.strip() or issuing_organ(ctx)
    texts = notice_texts()
    source = cite(rules.source or rules.label)
    # 处罚内容 usually names the category already (罚款人民币二十万元); the categories lead only where it does not
    what = "、".join(c for c in fact.categories if c not in fact.content)
    detail = fact.content or (f"{fact.fine}万元" if fact.fine else "")
    punishment = f"{what}：{detail}" if what and detail else (what or detail or "见行政处罚决定书")
    channels = [texts.online]
    if texts.counter:
        channels.append(texts.counter.format(organ=organ))
    if texts.phone:
        channels.append(f"咨询电话：{texts.phone}。")
    facts = {
        "u": ident, "w": row.wsh, "jd": row.jdrq.isoformat(), "c": klass,
        "ge": fact.publicity_end.isoformat() if published and fact.publicity_end else "",
        "rf": fact.repair_from.isoformat() if published and fact.repair_from else "", "n": row.xdr_mc,
    }
    payload = qr.build_payload(NOTICE_DOC, serial, ctx.office_code, today, facts, sign)  # type: ignore[arg-type]
    return RepairNoticeData(
        serial=serial, party=row.xdr_mc, person=person, identifier_label=id_label, identifier=ident,
        document_no=row.wsh, decided_on=row.jdrq, organ=organ, facts=(row.wfxw or row.sy or "").strip().rstrip("。"),
        punishment=punishment, publicity_class=klass, published=published, min_text=_months_text(min_months),
        max_text=_months_text(rules.rules[klass].maximum), publicity_end=fact.publicity_end if published else None,
        repair_from=fact.repair_from if published else None, rules_source=source,
        basis=texts.basis.format(rules=source),
        materials=tuple((m.name, m.required) for m in repair_rules().materials), channels=tuple(channels),
        effect=texts.effect, issued_on=today, qr_payload=payload,
    )


def print_repair_notice(ctx: AppContext, penalty_id: uuid.UUID, out: str | Path, *, today: dt.date | None = None) -> PrintedNotice:
    """The 信用修复告知书 of a penalty decision (any version's id or its lineage) to `out` (PDF). The first print
    numbers it and keeps the serial on the penalty; a reprint carries the same serial. Withdrawn decisions and
    decisions whose class is 待定 get none (the notice must state the period)."""
    audit.require(ctx, Permission.PRINT)
    before_numbered_print(ctx)  # under a provisional office code the window asks first
    today = today or dt.date.today()
    out = Path(out)
    notice_texts()  # a broken wording file is refused before anything is numbered
    fonts = register_fonts()
    key = print_key(ctx)
    with atomic_output(out) as tmp, ctx.transaction() as session:
        from xuyi_desktop.services.serials import next_serial
        from xuyi_desktop.services.sgs import set_in

        row = _current(session, penalty_id)
        refusal = _refusal(row, today)
        if refusal:
            raise ValidationError(FieldProblem("record", refusal, "no repair notice for this decision"))
        reprint = bool(row.repair_notice_serial)
        serial = row.repair_notice_serial or next_serial(session, ctx, NOTICE_DOC, today.year)
        if not reprint:
            row = set_in(session, ctx, row, action="notice_print", repair_notice_serial=serial,
                         summary=f"打印信用修复告知书 {serial}：行政处罚 {row.wsh}（{row.xdr_mc}）")
        data = _notice_data(session, ctx, row, serial, today, key.sign)
        pages = render_repair_notice(data, tmp, fonts=fonts)
        audit.write(
            session, ctx, "print.repair_notice",
            f"{'补打' if reprint else '打印'}信用修复告知书 {serial}：{row.xdr_mc}，行政处罚 {row.wsh}（{data.publicity_class}）",
            record_table=SgsRecord.__tablename__, record_id=row.id,
            details={"serial": serial, "reprint": reprint, "pages": pages, "file": out.name},
        )
    return PrintedNotice(out, serial, reprint)


# --- the list publication --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrintedList:
    path: Path
    serial: str
    count: int


def _members_digest(members: list[PublishedMember]) -> str:
    h = hashlib.sha256()
    for m in members:
        h.update(f"{m.name}\t{m.identifier}\t{m.entered_on}\t{m.expires_on}\n".encode())
    return h.hexdigest()[:16]


def print_list_publication(ctx: AppContext, list_type: str, out: str | Path, *, today: dt.date | None = None) -> PrintedList:
    """The members in force of the list on `today` as a PDF for publication (persons' ID numbers masked), marked
    published like the .xlsx publication. A list without members is refused: there is nothing to publish."""
    from xuyi_desktop.services.credit_lists import definition, entries
    from xuyi_desktop.services.serials import next_serial

    audit.require(ctx, Permission.EXPORT)
    audit.require(ctx, Permission.PRINT)
    before_numbered_print(ctx)  # under a provisional office code the window asks first
    today = today or dt.date.today()
    out = Path(out)
    d = definition(list_type)
    texts = publication_texts()
    views = entries(ctx, list_type, members_only=True, today=today)
    if not views:
        raise NothingToPrintError(f"{d.name}目前没有名单成员")
    members = [PublishedMember(v.entity_name, v.identifier,
                               v.criteria if v.criteria and v.criteria != "人工提名" else v.reason, v.entered_on, v.expires_on)
               for v in views]
    organ = issuing_organ(ctx)
    intro = texts.get(list_type, texts["default"]).format(name=d.name, count=len(members))
    footer = "说明：列入期间届满自动移出；信用修复或经认定单位决定的，提前移出。"
    if any("*" in m.identifier for m in members):
        footer += "个人身份证号码已隐去中间部分。"
    footer += f"对名单有异议的，可向{organ}书面提出。"
    fonts = register_fonts()
    key = print_key(ctx)
    with atomic_output(out) as tmp, ctx.transaction() as session:
        serial = next_serial(session, ctx, LIST_DOC, today.year)
        facts = {"t": list_type, "c": len(members), "h": _members_digest(members)}
        payload = qr.build_payload(LIST_DOC, serial, ctx.office_code, today, facts, key.sign)
        data = ListPublicationData(serial, d.name, intro, tuple(members), footer, organ, today, payload)
        pages = render_list_publication(data, tmp, fonts=fonts)
        for v in views:
            m = session.get(ListEntry, v.id)
            if m is not None:
                audit.update_recorded(session, ctx, m, verb="publish", published_on=today, summary=f"公布{d.name}：{v.entity_name}")
        audit.write(session, ctx, "print.list_publication", f"打印名单公布 {serial}：{d.name}（{len(members)} 个主体）",
                    details={"serial": serial, "type": list_type, "count": len(members), "pages": pages, "file": out.name})
    return PrintedList(out, serial, len(members))


# --- verification -----------------------------------------------------------------------------------------------

def describe_print_facts(doc_type: str, facts: dict[str, str]) -> list[tuple[str, str]]:
    """What a verified code of these documents vouches for, beyond name and number (services.printing.describe_facts)."""
    out: list[tuple[str, str]] = []
    if doc_type == NOTICE_DOC:
        for key, label in (("w", "行政处罚决定书文号"), ("jd", "处罚决定日期"), ("c", "失信程度"),
                           ("rf", "最早可申请信用修复之日"), ("ge", "最迟停止公示之日")):
            if facts.get(key):
                out.append((label, facts[key]))
    elif doc_type == LIST_DOC:
        from xuyi_desktop.services.credit_lists import list_definitions

        kind = facts.get("t", "")
        out.append(("名单", list_definitions()[kind].name if kind in list_definitions() else kind))
        if facts.get("c"):
            out.append(("公布对象数", f"{facts['c']}个"))
        if facts.get("h"):
            out.append(("内容摘要", facts["h"]))
    return out
