"""专项信用报告 (the report that replaces the 有无违法违规记录证明, 发改财金〔2025〕565号) on the GB/T 9704 page.

For the period and areas chosen it states, section by section, the administrative penalties (simple-procedure ones
included), the coercive measures (this system keeps none: the report says so plainly), the serious-dishonesty list
entries and the dishonesty records, with repaired records marked 已修复 and the date, or that there are none; then
one conclusion sentence. What is listed was selected in domain/reports.py; this module only draws it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from xuyi_desktop.domain.profile import CreditProfile
from xuyi_desktop.domain.reports import SpecialReportContent, SpecialReportRules, area_label
from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.credit_report import (
    ReportStamp,
    Styles,
    build,
    closing,
    facts_table,
    heading,
    iso,
    none_line,
    penalty_state_text,
    penalty_text,
    stamp_rows,
    subject_rows,
    table,
)
from xuyi_desktop.printing.flow import P
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts

TITLE = "专项信用报告"
SUBTITLE = "（替代有无违法违规记录证明）"
NO_COERCIVE = "本系统未记载行政强制措施信息（行政强制信息不在本系统的记录范围内，本报告对此不作证明）。"
NO_CRIMINAL = "刑事裁判（犯罪记录）信息由司法、公安机关记载，不在本系统的记录范围内，本报告对此不作证明。"


def _period_text(c: SpecialReportContent) -> str:
    return f"{L.cn_date(c.start)}至{L.cn_date(c.end)}"


def _scope_text(c: SpecialReportContent) -> str:
    return "本系统记载的全部交通运输领域" if c.all_areas else f"{c.area_names}领域"


def conclusion(c: SpecialReportContent, name: str) -> str:
    """The sentence the report exists for: what was found in the period, or that nothing was."""
    scope = _scope_text(c)
    if c.empty:
        return (f"经查询，{name}在{_period_text(c)}期间（近{c.years}年），在{scope}无行政处罚（含简易程序作出的行政处罚）、"
                "严重失信主体名单及失信记录。")
    parts = []
    if c.penalties:
        simple = f"（其中简易程序{c.simple_count}条）" if c.simple_count else ""
        parts.append(f"行政处罚{len(c.penalties)}条{simple}")
    if c.lists:
        parts.append(f"严重失信主体名单{len(c.lists)}条")
    if c.dishonesty:
        parts.append(f"失信记录{len(c.dishonesty)}条")
    repaired = f"，其中{c.repaired_count}条已修复" if c.repaired_count else ""
    missing = []
    if not c.penalties:
        missing.append("行政处罚")
    if not c.lists:
        missing.append("严重失信主体名单")
    if not c.dishonesty:
        missing.append("失信记录")
    none_part = f"；无{'、'.join(missing)}" if missing else ""
    return f"经查询，{name}在{_period_text(c)}期间（近{c.years}年），在{scope}有{'、'.join(parts)}{repaired}{none_part}，详见上表。"


def special_report_story(profile: CreditProfile, content: SpecialReportContent, rules: SpecialReportRules,
                         stamp: ReportStamp, fonts: DocumentFonts) -> list[Flowable]:
    s = Styles(fonts)
    c = content
    name = profile.entity.name
    scope_rows = [
        ("报告期", f"{_period_text(c)}（近{c.years}年）"),
        ("查询领域", "全部领域（" + c.area_names + "）" if c.all_areas else c.area_names),
    ]
    notes = (
        f"报告说明：1. 本报告依据{stamp.organ}信用交通系统截至{L.cn_date(c.end)}记载的信息生成，仅证明报告期内本系统"
        "记载的下列信息，反映生成时的状态；2. 已撤销的处罚决定不列入，已完成信用修复的信息标注“已修复”及修复日期；"
        "3. 按领域出具时，未能确定所属领域的记录照样列出并注明“领域未能确定”；"
        "4. 扫描文末二维码或使用本系统“核验”功能可离线核验本报告真伪。"
    )
    story: list[Flowable] = [
        P(TITLE, s.title),
        P(SUBTITLE, s.subtitle, space_after=3 * mm),
        facts_table(s, stamp_rows(stamp) + scope_rows),
        P(notes, s.note, space_before=2 * mm),
        *heading(s, "一、主体信息"),
        facts_table(s, subject_rows(profile)),
    ]
    mark_area = not c.all_areas  # in a report limited to some areas, say why each record is there

    story += heading(s, "二、行政处罚信息（含简易程序作出的行政处罚）")
    if c.penalties:
        rows = []
        for lp in c.penalties:
            p = lp.fact
            what = penalty_text(p)
            if mark_area or lp.undetermined:
                what += f"【{area_label(lp.areas, rules)}】"
            rows.append([iso(p.decided_on), p.document_no, what, p.deciding_organ, penalty_state_text(p, lp.repaired_on)])
        story.append(table(s, ("决定日期", "决定书文号", "违法行为及处罚", "处罚机关", "状态"), rows, (21, 36, 43, 26), centre=(0,)))
    else:
        story.append(none_line(s, f"经查询，报告期内该主体在{_scope_text(c)}无行政处罚信息（含简易程序作出的行政处罚）。"))

    story += heading(s, "三、行政强制信息")
    story.append(none_line(s, NO_COERCIVE))

    story += heading(s, "四、严重失信主体名单信息")
    if c.lists:
        rows = []
        for lm in c.lists:
            m = lm.fact
            state = f"已修复（{iso(lm.repaired_on)}）" if lm.repaired_on else (f"有效期至{iso(m.expires_on)}" if m.expires_on else "—")
            reason = m.reason + (f"【{area_label(lm.areas, rules)}】" if mark_area or lm.undetermined else "")
            rows.append([m.list_name, iso(m.entered_on), reason, state])
        story.append(table(s, ("名单", "列入日期", "列入理由", "状态"), rows, (38, 21, 60), centre=(1,)))
    else:
        story.append(none_line(s, "经查询，报告期内该主体未被列入严重失信主体名单。"))

    story += heading(s, "五、失信记录")
    if c.dishonesty:
        rows = []
        for ld in c.dishonesty:
            d = ld.fact
            detail = "；".join(x for x in (d.description, d.document_no, f"来源：{d.source}" if d.source else "") if x)
            if mark_area or ld.undetermined:
                detail += f"【{area_label(ld.areas, rules)}】"
            if ld.repaired_on:
                state = f"已修复（{iso(ld.repaired_on)}）"
            elif d.active:
                state = "有效"
            else:
                state = f"已结束（{iso(d.ends_on)}）"
            rows.append([iso(d.occurred_on), d.category, detail, state])
        story.append(table(s, ("发生日期", "失信类别", "说明", "状态"), rows, (21, 32, 67), centre=(0,)))
    else:
        story.append(none_line(s, "经查询，报告期内该主体无失信记录。"))

    story.append(closing(s, stamp, [*heading(s, "六、查询结论"), P(conclusion(c, name), s.body), P(NO_CRIMINAL, s.body)]))
    return story


def render_special_report(profile: CreditProfile, content: SpecialReportContent, rules: SpecialReportRules,
                          target: str | Path, stamp: ReportStamp, *, fonts: DocumentFonts | None = None) -> int:
    """Write the report to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    story = special_report_story(profile, content, rules, stamp, fonts)
    return build(story, target, fonts, serial=stamp.serial, title=TITLE, organ=stamp.organ,
                 subject=f"专项信用报告 {profile.entity.name}")
