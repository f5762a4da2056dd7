"""`xuyi rating …`, `xuyi dishonesty add`, `xuyi businesses`, and the credit-check half of `xuyi check`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_USAGE, context, print_json
from xuyi_desktop.domain.ratings import RatingStatus


def register(sub: Any) -> None:
    rating = sub.add_parser("rating", help="信用评价 (credit ratings)")
    rsub = rating.add_subparsers(dest="rating_command", required=True, metavar="ACTION")

    domains = rsub.add_parser("domains", help="评价领域及其等级")
    domains.add_argument("--json", action="store_true")
    domains.set_defaults(func=_domains)

    add = rsub.add_parser("add", help="录入评价（草稿）：给分数或扣分项，等级由规则得出")
    add.add_argument("--entity", required=True, help="市场主体 UUID 或证件号码")
    add.add_argument("--domain", required=True, help="评价领域代码（见 xuyi rating domains）")
    add.add_argument("--period", required=True, type=int, help="评价年度")
    add.add_argument("--score", type=float, help="总分")
    add.add_argument("--grade", help="等级（仅用于不按分数评定的领域；与分数同时给出时必须一致）")
    add.add_argument("--points", type=float, help="不良行为记分")
    add.add_argument("--deduction", action="append", default=[], metavar="CODE[:POINTS]", help="扣分项，可重复")
    add.add_argument("--overload-deductions", action="store_true",
                     help="把该经营者本年度的每份治超抄报作为一个扣分项（道路水路运输经营者，见 xuyi overload deductions）")
    add.add_argument("--organ", default="", help="评价机关")
    add.add_argument("--decision-date", type=dt.date.fromisoformat, help="评定日期 YYYY-MM-DD")
    add.add_argument("--doc-no", default="", help="文号")
    add.add_argument("--notes", default="", help="评定依据说明")
    add.add_argument("--corrects", type=uuid.UUID, metavar="RATING_ID", help="作为某条评价的更正版本")
    add.add_argument("--penalty-until", type=dt.date.fromisoformat, help="直接定级（如直接定为D级）所依据处罚的期限 YYYY-MM-DD")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)

    status = rsub.add_parser("set-status", help="流转：draft reviewed publicity effective revoked")
    status.add_argument("id", type=uuid.UUID)
    status.add_argument("status", choices=[s.value for s in RatingStatus if s is not RatingStatus.SUPERSEDED])
    status.add_argument("--note", default="")
    status.add_argument("--override-reason", default="", help="公示期未满即生效的理由（须审核权限，记入操作日志）")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_set_status)

    lst = rsub.add_parser("list", help="主体的评价时间线")
    lst.add_argument("entity")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    obj = rsub.add_parser("object", help="登记公示期异议")
    obj.add_argument("id", type=uuid.UUID)
    obj.add_argument("--objector", required=True)
    obj.add_argument("--content", required=True)
    obj.set_defaults(func=_object)

    decide = rsub.add_parser("decide-objection", help="处理异议")
    decide.add_argument("objection_id", type=uuid.UUID)
    decide.add_argument("--upheld", action="store_true", help="异议成立（评价退回草稿）；缺省为不成立")
    decide.add_argument("--note", required=True)
    decide.set_defaults(func=_decide)

    attach = rsub.add_parser("attach", help="为评价添加附件（内容存入数据库，随同步包送达各单位）")
    attach.add_argument("id", type=uuid.UUID)
    attach.add_argument("file")
    attach.set_defaults(func=_attach)
    atts = rsub.add_parser("attachments", help="列出评价的附件")
    atts.add_argument("id", type=uuid.UUID)
    atts.add_argument("--json", action="store_true")
    atts.set_defaults(func=_attachments)
    save = rsub.add_parser("attachment-save", help="把附件另存为文件")
    save.add_argument("attachment_id", type=uuid.UUID)
    save.add_argument("--out", required=True)
    save.set_defaults(func=_attachment_save)

    biz = sub.add_parser("businesses", help="信用核查的业务类型")
    biz.add_argument("--json", action="store_true")
    biz.set_defaults(func=_businesses)


def add_credit_check_arguments(parser: argparse.ArgumentParser) -> None:
    """`xuyi check QUERY --business CODE`, `--batch FILE.xlsx` and `--consortium A,B,C`: shared with the integrity
    check, which runs when none of them is given."""
    parser.add_argument("query", nargs="?", help="名称、证件号码或拼音首字母（省略则检查数据库完整性）")
    parser.add_argument("--business", help="业务类型代码（见 xuyi businesses）")
    parser.add_argument("--batch", type=Path, metavar="FILE.xlsx",
                        help="批量核查名单（投标人、中标候选人、资金申请单位等；统一社会信用代码或名称列），每家一份核查结果单")
    parser.add_argument("--out", type=Path, metavar="F.pdf", help="批量核查：汇总表和各主体核查结果单合为一个 PDF")
    parser.add_argument("--summary", type=Path, metavar="S.xlsx", help="批量核查：另存汇总表 .xlsx")
    parser.add_argument("--consortium", metavar="A,B,C", help="联合体核查：各成员的证件号码或名称，用逗号分隔")
    parser.add_argument("--name", default="", help="联合体核查：联合体名称（默认由成员名称组成）")


def is_credit_check(args: argparse.Namespace) -> bool:
    """`xuyi check` with a query, a list or a consortium is a credit check (so are its options alone: they get the usage
    error there); bare `xuyi check` checks the database."""
    return any(getattr(args, name, None) for name in ("query", "batch", "consortium", "out", "summary", "name"))


def _usage(text: str) -> int:
    print(f"用法错误：{text}", file=sys.stderr)
    return EXIT_USAGE


def run_credit_check(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_check import run_check

    batch, consortium = getattr(args, "batch", None), getattr(args, "consortium", None)
    if sum(bool(x) for x in (args.query, batch, consortium)) > 1:
        return _usage("QUERY、--batch 和 --consortium 只能选一种 (give one of QUERY, --batch, --consortium)")
    if not args.business:
        return _usage("信用核查需要 --business（见 xuyi businesses）(--business is required)")
    if not batch and (getattr(args, "out", None) or getattr(args, "summary", None)):
        return _usage("--out 和 --summary 只用于 --batch 批量核查 (--out/--summary go with --batch)")
    if batch and not args.out:
        return _usage("批量核查需要 --out F.pdf (--batch needs --out)")
    named = getattr(args, "name", "")
    if not consortium and named:
        return _usage("--name 只用于 --consortium 联合体核查 (--name goes with --consortium)")
    if batch:
        return _run_batch(args)
    if consortium:
        return _run_consortium(args)
    ctx = context(args)
    result = run_check(ctx, args.query, args.business)
    notice = calendar_notice(ctx)
    if notice:
        print(f"提示：{notice}", file=sys.stderr)
    if getattr(args, "json", False):
        print_json(result.to_json())
        return EXIT_OK
    e = result.entity
    print(f"信用核查 {result.serial}  业务：{result.business_name}  结论：{result.verdict_label}")
    print(f"{e['name']}  {e['identifier']}  {e['kind_label']}  {e.get('status_label', '')}  {'、'.join(e['category_labels'])}")
    for g in result.grades:
        grade = f"{g.grade}{'（暂定）' if g.provisional else ''}" if g.grade else "无"
        valid = f" 有效期至 {g.valid_until}" if g.valid_until else ""
        print(f"  {g.domain_name}: {grade}{valid} {g.note}")
    for p in result.penalties:
        end = f"，公示至 {p['publicity_end']}" if p["publicity_end"] else ""
        print(f"  行政处罚 {p['document_no']}（{p['publicity_class']}，{p['state_label']}{end}）")
    for d in result.dishonesty:
        print(f"  失信记录 {d['occurred_on']} {d['category']}")
    for c in result.consequences:
        mark = {"incentive": "✔ 激励", "restriction": "✘ 约束", "info": "· 提示"}[c.kind]
        print(f"  {mark}：{c.text}（依据：{c.source}）")
    for s in result.suppressed:
        print(f"  — 不适用：{s['text']}（{s['reason']}）")
    if result.points:
        pts = result.points
        print(f"  信用积分：{pts['balance']:g}分（{pts['tier_name']}）：{'；'.join(pts['services'])}")
    _print_reports(result.third_party_reports)
    return EXIT_OK


def _print_reports(reports: list[dict[str, Any]] | None) -> None:
    if reports is None:
        return
    if not reports:
        print("  第三方信用报告：未登记")
    for r in reports:
        grade = f"，{r['grade']}" if r["grade"] else ""
        print(f"  第三方信用报告 {r['agency_name']} {r['report_no']}（{r['issued_on']}至{r['valid_until']}{grade}）：{r['state_label']}")


def _run_batch(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import batch_check

    ctx = context(args)
    result = batch_check(ctx, args.batch, args.business, args.out, summary=args.summary)
    if getattr(args, "json", False):
        print_json(result.to_json())
        return EXIT_OK
    print(f"批量信用核查 {result.source.name}（{result.business_name}）：{len(result.rows)}行，已核查{len(result.checked)}家，"
          f"有问题的行{len(result.problems)}行")
    for row in result.rows:
        j = row.to_json()
        given = "  ".join(x for x in (row.name, j["identifier"]) if x)
        if row.result is not None:
            print(f"  第{row.row}行 {row.status_label} {given} → {j['grades']} {j['verdict_label']} 编号 {j['serial']}"
                  + (f"（{row.message}）" if row.message else ""))
        else:
            print(f"  第{row.row}行 {row.status_label} {given}：{row.message}")
    print(f"已生成 {result.out}（{result.pages}页）" + (f"；汇总表 {result.summary}" if result.summary else ""))
    return EXIT_OK


def _run_consortium(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import check_consortium, split_members

    ctx = context(args)
    result = check_consortium(ctx, split_members(args.consortium), args.business, name=args.name)
    if getattr(args, "json", False):
        print_json(result.to_json())
        return EXIT_OK
    print(f"联合体信用核查 {result.name}（{result.business_name}）  结论：{result.verdict_label}")
    for g in result.grades:
        grade = f"{'暂定' if g.provisional else ''}{g.grade}级" if g.grade else "无有效等级"
        print(f"  联合体等级 {g.domain_name}：{grade}（{g.note}）")
    for c in result.consequences:
        mark = {"incentive": "✔ 激励", "restriction": "✘ 约束", "info": "· 提示"}[c.kind]
        print(f"  {mark}：{c.text}（依据：{c.source}）")
    for s in result.suppressed:
        print(f"  — 不适用：{s['text']}（{s['reason']}）")
    for m in result.members:
        grades = "，".join(f"{g.domain_name}{(g.grade + '级' + ('（暂定）' if g.provisional else '')) if g.grade else '无'}"
                          for g in m.grades) or "无评价"
        print(f"  成员 {m.entity['name']}（{m.entity['identifier']}）：{grades}；{m.verdict_label}；编号 {m.serial}")
    return EXIT_OK


def calendar_notice(ctx: Any) -> str | None:
    """From 1 November, for administrators: next year's holiday calendar is missing (deadlines 待确认)."""
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services.sgs_calendar import missing_calendar_notice

    return missing_calendar_notice() if ctx.can(Permission.SETTINGS) else None


def _domains(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.schemes import registry

    reg = registry()
    data: list[dict[str, Any]] = [
        {
            "code": s.code, "name": s.name, "version": s.version, "effective_from": s.effective_from, "grades": list(s.grades),
            "score_basis": s.score_basis, "max_score": s.max_score, "uses_deductions": s.uses_deductions, "active": s.active,
            "applies_to": list(s.applies_to), "provisional_grade": s.provisional_grade,
            "deductions": [{"code": d.code, "name": d.name, "points": d.points, "direct_grade": d.direct_grade} for d in s.deductions],
        }
        for s in (reg.latest(code) for code in reg.codes())
    ]
    if args.json:
        print_json(data)
    else:
        for d in data:
            print(f"{d['code']}\t{d['name']}\t{'/'.join(d['grades'])}\t{'' if d['active'] else '（仅历史）'}")
    return EXIT_OK


def _parse_deduction(text: str) -> tuple[str, float | None]:
    code, _, points = text.partition(":")
    try:
        return code.strip(), float(points) if points else None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"扣分项格式应为 代码[:分值]，收到 {text}") from exc


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.ratings import RatingInput, add_rating, correct_rating

    ctx = context(args)
    data = RatingInput(
        entity=args.entity, domain=args.domain, period=args.period, score=args.score, points=args.points,
        deductions=tuple(_parse_deduction(d) for d in args.deduction), grade=args.grade, evaluating_organ=args.organ,
        decision_date=args.decision_date, document_no=args.doc_no, basis_notes=args.notes, penalty_until=args.penalty_until,
    )
    if args.overload_deductions:
        from xuyi_desktop.services.overload import with_overload_deductions

        data = with_overload_deductions(ctx, data)
    view = correct_rating(ctx, args.corrects, data) if args.corrects else add_rating(ctx, data)
    for w in view.warnings:
        print(f"提示：{w}", file=sys.stderr)
    if args.json:
        print_json(view.to_json())
    else:
        print(f"已录入 (recorded): {view.entity_name} {view.domain_name} {view.period} {view.grade} {view.status.label} {view.id}")
    return EXIT_OK


def _set_status(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.ratings import set_status

    view = set_status(context(args), args.id, RatingStatus(args.status), note=args.note, override_reason=args.override_reason)
    for w in view.warnings:
        print(f"提示：{w}", file=sys.stderr)
    if args.json:
        print_json(view.to_json())
    else:
        print(f"{view.entity_name} {view.period}年度 {view.grade}级：{view.status.label}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.ratings import list_ratings

    views = list_ratings(context(args), args.entity)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(f"{v.period}\t{v.domain_name}\t{v.grade}\t{v.status.label}\t{v.valid_until or ''}\t{v.id}")
    return EXIT_OK


def _object(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.ratings import add_objection

    oid = add_objection(context(args), args.id, objector=args.objector, content=args.content)
    print(f"已登记异议 (objection recorded): {oid}")
    return EXIT_OK


def _attach(args: argparse.Namespace) -> int:
    from pathlib import Path

    from xuyi_desktop.services.ratings import attach_file

    aid = attach_file(context(args), args.id, Path(args.file))
    print(f"已添加附件 (attached): {aid}")
    return EXIT_OK


def _attachments(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.attachments import list_attachments

    views = list_attachments(context(args), args.id)
    if args.json:
        print_json([{"id": str(v.id), "name": v.name, "size": v.size, "sha256": v.sha256, "in_database": v.in_database}
                    for v in views])
    else:
        for v in views:
            print(f"{v.id}\t{v.name}\t{v.size} 字节\t{'' if v.in_database else '（内容只在添加它的电脑上）'}")
    return EXIT_OK


def _attachment_save(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.attachments import save_attachment

    out = save_attachment(context(args), args.attachment_id, args.out)
    print(f"已保存 (saved): {out}")
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.ratings import decide_objection

    decide_objection(context(args), args.objection_id, upheld=args.upheld, note=args.note)
    print("异议已处理 (objection decided)")
    return EXIT_OK


def _businesses(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.schemes import registry

    data = [{"code": b.code, "name": b.name} for b in registry().businesses]
    if args.json:
        print_json(data)
    else:
        for b in data:
            print(f"{b['code']}\t{b['name']}")
    return EXIT_OK
