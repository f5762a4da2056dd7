"""信用报告: an entity's credit report on the GB/T 9704 page, drawn from its credit profile (domain/profile.py).

Sections: basic data, licences, the standing per evaluation domain and the rating history, administrative
penalties with their publicity (公示中 / 已到期 / 已修复 / 待定), dishonesty records, commitments and their outcome,
list memberships, repairs, and the credit checks made. Every page carries the report's serial and "— N —"; the
closing block carries the signed QR code. This module draws what it is given; the service (services/reports.py)
numbers, signs and audits. The pieces both reports share (the report facts table, the section tables, the
statement of "none") are here and used by printing/special_report.py too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from xuyi_desktop.domain.profile import CreditProfile, PenaltyFact, PenaltyState
from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import binary_streams

TITLE = "信用报告"
CELL_SIZE = 10.5  # 五号 in the many-column tables, so a date or a document number stays on one line
PERSON_ID_LABEL = "公民身份号码"
ORG_ID_LABEL = "统一社会信用代码"


@dataclass(frozen=True)
class ReportStamp:
    """What makes a printed report a document: its number, who issued it, when, the data's cut-off, the code."""

    serial: str
    organ: str
    issued_on: dt.date
    generated_at: dt.datetime
    as_of: dt.date
    qr_payload: str | None
    prepared_by: str = ""


class Styles:
    """The text styles of both reports, made once per document."""

    def __init__(self, fonts: DocumentFonts) -> None:
        self.fonts = fonts
        self.cell = L.cell_style(fonts, 12)
        self.label = L.cell_style(fonts, 12, align="distribute")
        self.small = L.cell_style(fonts, CELL_SIZE)
        self.small_centre = L.cell_style(fonts, CELL_SIZE, align="center")
        self.head = L.cell_style(fonts, CELL_SIZE, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
        self.heading = L.heading_style(fonts, first_indent=0.0, leading=26)
        self.subheading = L.body_style(fonts, size=14.0, leading=24, first_indent=0.0, char_space=0.0,
                                       font=fonts.heading.name, bold=fonts.heading.fake_bold, align="left")
        self.body = L.body_style(fonts, size=14.0, leading=24, char_space=0.0)
        self.note = L.cell_style(fonts, CELL_SIZE, leading=16, color=L.GREY, align="justify")
        self.title = L.title_style(fonts, leading=L.TITLE_SIZE * 1.6)
        self.subtitle = L.cell_style(fonts, 14, leading=22, align="center")


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


KEEP_WITH_HEADING = 32 * mm  # a heading never ends a page: it moves on unless this much room is left under it


def heading(s: Styles, text: str) -> list[Flowable]:
    return [CondPageBreak(KEEP_WITH_HEADING), P(text, s.heading, space_before=3 * mm, space_after=1 * mm)]


def subheading(s: Styles, text: str) -> list[Flowable]:
    return [CondPageBreak(KEEP_WITH_HEADING - 6 * mm), P(text, s.subheading, space_before=1.5 * mm)]


def none_line(s: Styles, text: str) -> L.CnParagraph:
    return P(text, s.body)


def table(s: Styles, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
          centre: Sequence[int] = ()) -> Flowable:
    """A ruled table with a header row repeated on every page; the last column takes the width left over."""
    widths = [w * mm for w in widths_mm]
    widths.append(L.TEXT_WIDTH - sum(widths))
    cells = [[P(h, s.head) for h in header]]
    for row in rows:
        cells.append([P(str(v) if v not in (None, "") else "—", s.small_centre if i in centre else s.small)
                      for i, v in enumerate(row)])
    return grid_table(s.fonts, cells, widths, header_rows=1, repeat_header=True, padding=3.0)


def facts_table(s: Styles, rows: Sequence[tuple[str, str]], label_mm: float = 40) -> Flowable:
    lw = label_mm * mm
    cells = [[P(k, s.label), P(v or "—", s.cell)] for k, v in rows]
    return grid_table(s.fonts, cells, [lw, L.TEXT_WIDTH - lw], label_cols=(0,), padding=3.5)


def stamp_rows(stamp: ReportStamp) -> list[tuple[str, str]]:
    at = stamp.generated_at.astimezone() if stamp.generated_at.tzinfo else stamp.generated_at
    rows = [
        ("报告编号", stamp.serial),
        ("出具单位", stamp.organ),
        ("生成时间", f"{L.cn_date(at.date())} {at:%H:%M}"),
        ("信息截止日期", L.cn_date(stamp.as_of)),
    ]
    if stamp.prepared_by:
        rows.append(("经办人", stamp.prepared_by))
    return rows


def identifier_label(profile: CreditProfile) -> str:
    return PERSON_ID_LABEL if profile.entity.kind == "person" else ORG_ID_LABEL


def subject_rows(profile: CreditProfile) -> list[tuple[str, str]]:
    e = profile.entity
    rows = [("主体名称", e.name), (identifier_label(profile), e.identifier), ("主体类型", e.kind_label),
            ("登记状态", e.status_label), ("主体类别", "、".join(e.category_labels) or "—")]
    if e.kind != "person":
        rows.append(("法定代表人", e.legal_representative or "—"))
    rows.append(("住所（地址）", e.address or "—"))
    return rows


def penalty_state_text(p: PenaltyFact, repaired_on: dt.date | None = None) -> str:
    """The state a clerk reads: 公示中（至…）, 已到期（…）, 已修复（…）, 公示类别待定, 不公示."""
    if p.state is PenaltyState.REPAIRED or repaired_on is not None:
        return f"已修复（{iso(repaired_on or p.repaired_on)}）"
    if p.state is PenaltyState.IN_PUBLICITY:
        return f"公示中（至{iso(p.publicity_end)}）"
    if p.state is PenaltyState.EXPIRED:
        return f"已到期（{iso(p.publicity_end)}止）"
    if p.state is PenaltyState.PENDING_CLASS:
        return "公示类别待定（待审核）"
    return p.state.label


def penalty_text(p: PenaltyFact) -> str:
    """违法行为；处罚类别（处罚内容）, e.g. 超限运输；罚款（罚款人民币五千元）."""
    what = "、".join(p.categories)
    detail = p.content or (f"{p.fine}万元" if p.fine else "")
    punishment = f"{what}（{detail}）" if what and detail else (what or detail)
    text = "；".join(x for x in (p.facts, punishment) if x)
    return text + ("（简易程序）" if p.simple_procedure else "")


def closing(s: Styles, stamp: ReportStamp, last: Sequence[Flowable]) -> Flowable:
    """The issuing organ, date, seal area and code, kept on one page with the last section (GB/T 9704: the date
    never stands alone on a page)."""
    block = ClosingBlock(s.fonts, stamp.organ, stamp.issued_on, qr_payload=stamp.qr_payload, height=46 * mm)
    return KeepTogether([*last, Spacer(1, 4 * mm), block])


def build(story: list[Flowable], target: str | Path, fonts: DocumentFonts, *, serial: str, title: str, organ: str,
          subject: str) -> int:
    doc = OfficialDoc(target, fonts, serial=serial, serial_label="报告编号", title=title, author=organ, subject=subject)
    with binary_streams():
        doc.build(story)
    return doc.page


# --- the credit report -------------------------------------------------------------------------------------
def _rating_sections(s: Styles, profile: CreditProfile) -> list[Flowable]:
    # The heading and its first subheading move on together: neither ends a page alone.
    out: list[Flowable] = [CondPageBreak(KEEP_WITH_HEADING + 12 * mm), *heading(s, "三、信用评价")[1:],
                           *subheading(s, "（一）当前信用等级")[1:]]
    rows = []
    for r in profile.ratings:
        if r.status == "effective":
            grade = f"{r.grade}级"
        elif r.provisional:
            grade = f"{r.grade}级（暂定）"
        else:
            grade = "未评价"
        valid = f"{iso(r.valid_from)}至{iso(r.valid_until)}" if r.valid_from or r.valid_until else "—"
        notes = [f"{r.organ} {r.document_no}".strip()] if r.status == "effective" else []
        notes.append(r.reason)
        if r.publicity_grade:
            notes.append(f"{r.publicity_period}年度评价结果{r.publicity_grade}级公示中（至{iso(r.publicity_until)}）")
        rows.append([r.domain_name, grade, f"{r.period}年度" if r.period else "—", valid, "；".join(x for x in notes if x)])
    if rows:
        out.append(table(s, ("评价领域", "信用等级", "评价年度", "有效期", "说明"), rows, (36, 22, 20, 26), centre=(1, 2)))
    else:
        out.append(none_line(s, "该主体所属类别无适用的信用评价领域。"))
    out += subheading(s, "（二）信用评价记录")
    history = [
        [h.domain_name, f"{h.period}年度", f"{h.grade}级", h.status_label,
         f"{iso(h.valid_from)}至{iso(h.valid_until)}" if h.valid_from or h.valid_until else "—",
         "；".join(x for x in (h.organ, h.document_no, h.grade_notes) if x)]
        for h in profile.rating_history
    ]
    if history:
        out.append(table(s, ("评价领域", "年度", "等级", "状态", "有效期", "评价机关、文号及说明"), history,
                         (32, 18, 13, 22, 26), centre=(1, 2, 3)))
    else:
        out.append(none_line(s, "本系统未记载该主体已生效的信用评价。"))
    return out


def _notes(profile: CreditProfile, stamp: ReportStamp) -> str:
    masked = profile.entity.kind == "person" and "*" in profile.entity.identifier
    items = [
        f"本报告依据{stamp.organ}信用交通系统截至{L.cn_date(profile.as_of)}记载的信息生成，反映生成时的状态",
        "行政处罚的公示状态按作出决定之日施行的失信信息公示期限规定计算，已撤销的处罚决定不列入",
        *(["公民身份号码已作脱敏处理"] if masked else []),
        "扫描文末二维码或使用本系统“核验”功能可离线核验本报告真伪",
    ]
    return "报告说明：" + "；".join(f"{i}. {t}" for i, t in enumerate(items, 1)) + "。"


def credit_report_story(profile: CreditProfile, stamp: ReportStamp, fonts: DocumentFonts, *,
                        business_names: Mapping[str, str] | None = None) -> list[Flowable]:
    s = Styles(fonts)
    names = business_names or {}
    story: list[Flowable] = [
        P(TITLE, s.title),
        P(f"（信息截至{L.cn_date(profile.as_of)}）", s.subtitle, space_after=3 * mm),
        facts_table(s, stamp_rows(stamp)),
        P(_notes(profile, stamp), s.note, space_before=2 * mm),
        *heading(s, "一、基本信息"),
        facts_table(s, subject_rows(profile)),
        *heading(s, "二、证照信息"),
    ]
    if profile.licences:
        story.append(table(s, ("证照名称", "证照编号", "有效期自", "有效期至", "状态"),
                           [[x.licence_type, x.number, iso(x.valid_from), iso(x.valid_to), x.state] for x in profile.licences],
                           (44, 42, 23, 23), centre=(2, 3, 4)))
    else:
        story.append(none_line(s, "本系统未登记该主体的证照信息。"))

    story += _rating_sections(s, profile)

    story += heading(s, "四、行政处罚信息")
    listed = [p for p in profile.penalties if p.state not in (PenaltyState.WITHDRAWN, PenaltyState.NOT_YET)]
    if listed:
        story.append(table(s, ("决定日期", "决定书文号", "违法行为及处罚", "失信程度", "公示状态"),
                           [[iso(p.decided_on), p.document_no, penalty_text(p), p.publicity_class, penalty_state_text(p)]
                            for p in listed], (21, 36, 46, 18), centre=(0, 3)))
    else:
        story.append(none_line(s, "经查询，本系统未记载该主体的行政处罚信息。"))

    story += heading(s, "五、失信记录")
    if profile.dishonesty:
        rows = []
        for d in profile.dishonesty:
            if d.active:
                state = "有效" + (f"（至{iso(d.ends_on)}）" if d.ends_on else "")
            else:
                state = f"已结束（{iso(d.ends_on)}）" + (f"：{d.end_reason}" if d.end_reason else "")
            detail = "；".join(x for x in (d.description, d.document_no, f"来源：{d.source}" if d.source else "") if x)
            rows.append([iso(d.occurred_on), d.category, detail, state])
        story.append(table(s, ("发生日期", "失信类别", "说明", "状态"), rows, (21, 32, 67), centre=(0,)))
    else:
        story.append(none_line(s, "经查询，本系统未记载该主体的失信记录。"))

    story += heading(s, "六、信用承诺及履约情况")
    if profile.commitments:
        rows = []
        for c in profile.commitments:
            state = c.status_label + ("（已逾期）" if c.overdue else "")
            if c.outcome_on:
                state += f"（{iso(c.outcome_on)}）"
            if c.violation_facts:
                state += f"：{c.violation_facts}"
            rows.append([c.serial, f"{c.type_name}（{c.area_name}）", c.business, f"{iso(c.signed_on)}至{iso(c.term_until)}", state])
        story.append(table(s, ("承诺书编号", "承诺类型", "涉及业务", "履约期限", "履约情况"), rows, (34, 30, 30, 24)))
    else:
        story.append(none_line(s, "本系统未记载该主体的信用承诺。"))

    story += heading(s, "七、红黑名单信息")
    if profile.lists:
        story.append(table(s, ("名单", "列入日期", "有效期至", "列入理由"),
                           [[m.list_name, iso(m.entered_on), iso(m.expires_on), m.reason] for m in profile.lists],
                           (40, 22, 22), centre=(1, 2)))
    else:
        story.append(none_line(s, "本系统未记载该主体列入红名单、黑名单或重点关注名单的信息。"))

    story += heading(s, "八、信用修复信息")
    repaired = [p for p in profile.penalties if p.state is PenaltyState.REPAIRED]
    if profile.repairs or repaired:
        rows = [[iso(r.decided_on), r.record_kind, r.summary] for r in profile.repairs]
        known = {r.record_id for r in profile.repairs}
        rows += [[iso(p.repaired_on), "行政处罚", f"{p.document_no}：信用修复，停止公示"] for p in repaired if p.record_id not in known]
        story.append(table(s, ("修复日期", "修复的信息", "说明"), rows, (24, 30), centre=(0,)))
    else:
        story.append(none_line(s, "本系统未记载该主体的信用修复信息。"))

    last: list[Flowable] = [*heading(s, "九、信用核查记录")]
    if profile.checks:
        rows = []
        for check in profile.checks:
            at = check.at.astimezone() if check.at.tzinfo else check.at
            rows.append([check.serial, f"{at:%Y-%m-%d %H:%M}", names.get(check.business, check.business), check.username])
        last.append(table(s, ("核查编号", "核查时间", "办理业务", "核查人"), rows, (50, 32, 44), centre=(1,)))
    else:
        last.append(none_line(s, "该主体尚无信用核查记录。"))
    story.append(closing(s, stamp, last))
    return story


def render_credit_report(profile: CreditProfile, target: str | Path, stamp: ReportStamp, *,
                         business_names: Mapping[str, str] | None = None, fonts: DocumentFonts | None = None) -> int:
    """Write the report to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    story = credit_report_story(profile, stamp, fonts, business_names=business_names)
    return build(story, target, fonts, serial=stamp.serial, title=TITLE, organ=stamp.organ,
                 subject=f"信用报告 {profile.entity.name}")
