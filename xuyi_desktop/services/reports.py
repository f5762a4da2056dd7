"""Printing the two reports from the credit profile: the 信用报告 (XB) and the 专项信用报告 (ZX).

Each print is one transaction: the profile is read, a serial is taken from its own counter (office-XB-year-N,
office-ZX-year-N), the PDF is rendered to a temporary file and the audit entry written; the file is renamed into
place only after the transaction committed, so a number, an audit entry and a file exist together or not at all.
The QR code (signed with the office key, also on the page as invisible text for `xuyi verify FILE.pdf`) vouches
for the entity, the date or period, the counts and a digest of what is listed.

The reports read the profile (services/profile.build_profile) and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import CreditProfile, PenaltyFact, PenaltyState
from xuyi_desktop.domain.reports import (
    AreaFileError,
    SpecialReportRules,
    parse_rules,
    report_period,
    special_report_content,
)
from xuyi_desktop.paths import resource_path
from xuyi_desktop.printing import qr
from xuyi_desktop.printing.credit_report import ReportStamp, render_credit_report
from xuyi_desktop.printing.fonts import register_fonts
from xuyi_desktop.printing.output import atomic_output
from xuyi_desktop.printing.special_report import render_special_report
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.office_keys import print_key
from xuyi_desktop.services.printing import issuing_organ
from xuyi_desktop.services.profile import build_profile
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.serials import next_serial

CREDIT_REPORT, SPECIAL_REPORT = "XB", "ZX"


class ReportRulesError(DomainError):
    """resources/reports/special_report.toml is broken: no report is printed on a guess."""

    def __init__(self, error: AreaFileError) -> None:
        self.message_zh = f"专项信用报告规则文件有误：{error}"
        self.message_en = "resources/reports/special_report.toml is invalid"
        super().__init__(self.message_zh)


@lru_cache(maxsize=1)
def special_report_rules() -> SpecialReportRules:
    """The areas and limits of the 专项信用报告 (checked once per process)."""
    path = resource_path("reports", "special_report.toml")
    try:
        return parse_rules(path.read_text(encoding="utf-8"), where=f"reports/{path.name}", known_categories=CATEGORIES)
    except AreaFileError as exc:
        raise ReportRulesError(exc) from exc


def report_areas() -> list[tuple[str, str]]:
    """(code, name) of the areas a clerk may choose, in order: for the CLI's help and the window's check boxes."""
    return [(a.code, a.name) for a in special_report_rules().areas]


def _public_identifier(profile: CreditProfile, raw_identifier: str) -> str:
    """What the code carries: a person's number masked even when revealed on paper (anyone may scan it)."""
    if profile.entity.kind == EntityKind.PERSON.value:
        return mask_id_number(raw_identifier) or ""
    return raw_identifier


def _grades(profile: CreditProfile) -> str:
    return "+".join(f"{r.domain}:{r.grade or '-'}{'*' if r.provisional else ''}" for r in profile.ratings)


def _credit_digest(profile: CreditProfile) -> str:
    h = hashlib.sha256()
    for p in profile.penalties:
        h.update(f"P\t{p.document_no}\t{p.decided_on}\t{p.state.value}\n".encode())
    for r in profile.rating_history:
        h.update(f"R\t{r.domain}\t{r.period}\t{r.grade}\t{r.status}\n".encode())
    for d in profile.dishonesty:
        h.update(f"D\t{d.category}\t{d.occurred_on}\t{d.active}\n".encode())
    for c in profile.commitments:
        h.update(f"C\t{c.serial}\t{c.status}\n".encode())
    return h.hexdigest()[:16]


def _report_date(as_of: dt.date | None, today: dt.date) -> dt.date:
    """A report states what the records say up to a date that has passed: never a date still to come."""
    if as_of is None:
        return today
    if as_of > today:
        raise ValidationError(FieldProblem(
            "as_of", f"信息截止日期（{as_of.isoformat()}）不能晚于今天（{today.isoformat()}）", "the report date is in the future",
        ))
    return as_of


def _prepared_by(ctx: AppContext) -> str:
    if ctx.user is not None:
        return ctx.user.display_name or ctx.user.username
    return "系统（初始设置）"


def _business_names() -> dict[str, str]:
    return {b.code: b.name for b in registry().businesses}


def _listed_penalties(profile: CreditProfile) -> list[PenaltyFact]:
    return [p for p in profile.penalties if p.state not in (PenaltyState.WITHDRAWN, PenaltyState.NOT_YET)]


def print_credit_report(
    ctx: AppContext, entity: str | uuid.UUID, out: str | Path, *, as_of: dt.date | None = None, reveal: bool = False,
) -> Path:
    """The entity's 信用报告 as of `as_of` (default today) to `out` (PDF). `reveal` prints a person's full ID number
    (needs the right to see it, audited; the QR code keeps it masked)."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.PRINT)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    out = Path(out)
    today = dt.date.today()
    as_of = _report_date(as_of, today)
    fonts = register_fonts()
    key = print_key(ctx)  # outside any transaction
    names = _business_names()
    with atomic_output(out) as tmp, ctx.transaction() as session:
        e = resolve_entity(session, entity)
        profile = build_profile(session, e, as_of, reveal=reveal)
        serial = next_serial(session, ctx, CREDIT_REPORT, today.year)
        listed = _listed_penalties(profile)
        facts = {
            "u": _public_identifier(profile, e.identifier), "asof": as_of.isoformat(), "g": _grades(profile),
            "cf": len(listed), "gs": len(profile.penalties_in_publicity), "x": len(profile.dishonesty),
            "h": _credit_digest(profile), "n": e.name,
        }
        payload = qr.build_payload(CREDIT_REPORT, serial, ctx.office_code, today, facts, key.sign)
        stamp = ReportStamp(serial, issuing_organ(ctx), today, dt.datetime.now().astimezone(), as_of, payload, _prepared_by(ctx))
        pages = render_credit_report(profile, tmp, stamp, business_names=names, fonts=fonts)
        person = e.kind == EntityKind.PERSON.value
        audit.write(
            session, ctx, "print.credit_report",
            f"打印信用报告 {serial}：{e.name}（信息截至{as_of.isoformat()}{'，完整证件号码' if reveal and person else ''}）",
            record_table="entity", record_id=e.id,
            details={"serial": serial, "as_of": as_of.isoformat(), "pages": pages, "penalties": len(listed),
                     "revealed": bool(reveal and person), "file": out.name},
        )
    return out


def print_special_report(
    ctx: AppContext, entity: str | uuid.UUID, out: str | Path, *, years: int, domains: Sequence[str] = (),
    as_of: dt.date | None = None,
) -> Path:
    """The 专项信用报告 for the `years` (1–5) up to `as_of` (default today) in the chosen areas (codes or names; all
    when none) to `out` (PDF). A person's ID number is always masked."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.PRINT)
    rules = special_report_rules()
    if isinstance(domains, str):
        domains = (domains,)  # one area given as a plain string, not its characters
    today = dt.date.today()
    as_of = _report_date(as_of, today)
    report_period(as_of, years, max_years=rules.max_years)  # a bad period is refused before anything is touched
    chosen = rules.resolve(domains)
    out = Path(out)
    fonts = register_fonts()
    key = print_key(ctx)
    with atomic_output(out) as tmp, ctx.transaction() as session:
        e = resolve_entity(session, entity)
        profile = build_profile(session, e, as_of, reveal=False)
        content = special_report_content(profile, rules, years=years, areas=[a.code for a in chosen])
        serial = next_serial(session, ctx, SPECIAL_REPORT, today.year)
        facts = {
            "u": _public_identifier(profile, e.identifier), "s": content.start.isoformat(), "e": content.end.isoformat(),
            "y": years, "dm": "all" if content.all_areas else "+".join(a.code for a in content.areas),
            "cf": len(content.penalties), "qz": "na", "md": len(content.lists), "x": len(content.dishonesty),
            "xf": content.repaired_count, "h": content.digest(), "n": e.name,
        }
        payload = qr.build_payload(SPECIAL_REPORT, serial, ctx.office_code, today, facts, key.sign)
        stamp = ReportStamp(serial, issuing_organ(ctx), today, dt.datetime.now().astimezone(), as_of, payload, _prepared_by(ctx))
        pages = render_special_report(profile, content, rules, tmp, stamp, fonts=fonts)
        audit.write(
            session, ctx, "print.special_report",
            f"打印专项信用报告 {serial}：{e.name}（{content.start.isoformat()}至{content.end.isoformat()}，"
            f"{'全部领域' if content.all_areas else content.area_names}；行政处罚{len(content.penalties)}条）",
            record_table="entity", record_id=e.id,
            details={"serial": serial, "start": content.start.isoformat(), "end": content.end.isoformat(), "years": years,
                     "areas": [a.code for a in content.areas], "penalties": len(content.penalties),
                     "lists": len(content.lists), "dishonesty": len(content.dishonesty),
                     "repaired": content.repaired_count, "pages": pages, "file": out.name},
        )
    return out


def describe_report_facts(doc_type: str, facts: dict[str, str]) -> list[tuple[str, str]]:
    """What a verified report code vouches for, beyond name and number (services.printing.describe_facts)."""
    out: list[tuple[str, str]] = []
    if doc_type == CREDIT_REPORT:
        if facts.get("asof"):
            out.append(("信息截止日期", facts["asof"]))
        reg = registry()
        for part in filter(None, facts.get("g", "").split("+")):
            code, _, grade = part.partition(":")
            provisional = grade.endswith("*")
            grade = grade.rstrip("*")
            try:
                name = reg.latest(code).name
            except (KeyError, LookupError, ValueError, DomainError):
                name = code
            out.append((name, "无有效等级" if grade in ("", "-") else f"{grade}级{'（暂定）' if provisional else ''}"))
        if "cf" in facts:
            out.append(("行政处罚", f"{facts['cf']}条（公示中{facts.get('gs', '0')}条）"))
        if "x" in facts:
            out.append(("失信记录", f"{facts['x']}条"))
    elif doc_type == SPECIAL_REPORT:
        if facts.get("s") or facts.get("e"):
            out.append(("报告期", f"{facts.get('s', '')} 至 {facts.get('e', '')}（近{facts.get('y', '?')}年）"))
        dm = facts.get("dm", "")
        if dm:
            names = dict(report_areas()) if dm != "all" else {}
            out.append(("查询领域", "全部领域" if dm == "all" else "、".join(names.get(c, c) for c in dm.split("+"))))
        if "cf" in facts:
            out.append(("行政处罚", f"{facts['cf']}条"))
        out.append(("行政强制", "本系统未记载"))
        if "md" in facts:
            out.append(("严重失信主体名单", f"{facts['md']}条"))
        if "x" in facts:
            out.append(("失信记录", f"{facts['x']}条"))
        if "xf" in facts:
            out.append(("其中已修复", f"{facts['xf']}条"))
    if facts.get("h"):
        out.append(("内容摘要", facts["h"]))
    return out
