"""`xuyi repair …` (信用修复), `xuyi objection …` (信息异议) and `xuyi list …` (红/黑/重点关注/治超名单)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json

_date = dt.date.fromisoformat


def register(sub: Any) -> None:
    rep = sub.add_parser("repair", help="信用修复：申请、受理、审核、决定")
    rsub = rep.add_subparsers(dest="repair_command", required=True, metavar="ACTION")
    ap = rsub.add_parser("apply", help="对行政处罚或失信记录申请信用修复（最短公示期满后）")
    ap.add_argument("--record", required=True, help="行政处罚记录 ID（任一版本或其 lineage）或失信记录 ID")
    ap.add_argument("--applicant", required=True, help="申请人（单位名称或个人姓名）")
    ap.add_argument("--contact", default="", help="联系人及电话")
    ap.add_argument("--material", action="append", default=[], metavar="CODE", help="已提交的材料代码，可重复（见 repair materials-list）")
    ap.add_argument("--commitment", help="信用修复承诺书：“信用修复型”信用承诺的编号或 ID")
    ap.add_argument("--on", type=_date, help="申请日期（默认今天）")
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(func=_apply)
    ml = rsub.add_parser("materials-list", help="申请材料清单（代码与名称）")
    ml.add_argument("--json", action="store_true")
    ml.set_defaults(func=_materials_list)
    mat = rsub.add_parser("materials", help="登记已提交的材料（覆盖原勾选）")
    mat.add_argument("id", type=uuid.UUID)
    mat.add_argument("--material", action="append", default=[], metavar="CODE")
    mat.add_argument("--json", action="store_true")
    mat.set_defaults(func=_materials)
    acc = rsub.add_parser("accept", help="受理（必交材料齐全）")
    acc.add_argument("id", type=uuid.UUID)
    acc.add_argument("--json", action="store_true")
    acc.set_defaults(func=_accept)
    rev = rsub.add_parser("review", help="审核（须审核权限）")
    rev.add_argument("id", type=uuid.UUID)
    rev.add_argument("--note", required=True, help="审核意见")
    rev.add_argument("--json", action="store_true")
    rev.set_defaults(func=_review)
    dec = rsub.add_parser("decide", help="决定：准予修复或不予修复（须审批权限）")
    dec.add_argument("id", type=uuid.UUID)
    group = dec.add_mutually_exclusive_group(required=True)
    group.add_argument("--approve", action="store_true")
    group.add_argument("--reject", action="store_true")
    dec.add_argument("--reason", required=True)
    dec.add_argument("--json", action="store_true")
    dec.set_defaults(func=_decide)
    ls = rsub.add_parser("list", help="修复申请列表")
    ls.add_argument("--status", help="applied/accepted/reviewed/approved/rejected")
    ls.add_argument("--open", action="store_true", help="只列办理中的")
    ls.add_argument("--entity")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    show = rsub.add_parser("show", help="查看一份申请")
    show.add_argument("id", type=uuid.UUID)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
    served = rsub.add_parser("notice-served", help="登记信用修复告知书已随处罚决定书送达（两书同达）")
    served.add_argument("penalty_id", type=uuid.UUID)
    served.add_argument("--serial", required=True, help="告知书编号")
    served.add_argument("--on", type=_date)
    served.set_defaults(func=_served)

    obj = sub.add_parser("objection", help="信息异议：对信用记录提出异议并处理")
    osub = obj.add_subparsers(dest="objection_command", required=True, metavar="ACTION")
    oadd = osub.add_parser("add", help="登记异议")
    oadd.add_argument("--record", required=True, help="被异议的记录 ID（行政处罚、失信记录、信用评价、信用承诺、名单）")
    oadd.add_argument("--objector", required=True)
    oadd.add_argument("--content", required=True)
    oadd.add_argument("--received-on", type=_date)
    oadd.add_argument("--json", action="store_true")
    oadd.set_defaults(func=_objection_add)
    olist = osub.add_parser("list", help="异议列表（办理中的按期限排序）")
    olist.add_argument("--open", action="store_true")
    olist.add_argument("--overdue", action="store_true")
    olist.add_argument("--entity")
    olist.add_argument("--json", action="store_true")
    olist.set_defaults(func=_objection_list)
    orev = osub.add_parser("review", help="开始审查（须审核权限）")
    orev.add_argument("id", type=uuid.UUID)
    orev.set_defaults(func=_objection_review)
    odec = osub.add_parser("decide", help="处理决定（须审核权限）")
    odec.add_argument("id", type=uuid.UUID)
    g2 = odec.add_mutually_exclusive_group(required=True)
    g2.add_argument("--upheld", action="store_true", help="异议成立：处罚撤销、失信记录结束或移出名单")
    g2.add_argument("--rejected", action="store_true", help="异议不成立")
    odec.add_argument("--note", required=True)
    odec.add_argument("--json", action="store_true")
    odec.set_defaults(func=_objection_decide)

    lst = sub.add_parser("list", help="名单管理：红名单、黑名单、重点关注名单、治超名单")
    lsub = lst.add_subparsers(dest="list_command", required=True, metavar="ACTION")
    prop = lsub.add_parser("propose", help="按认定标准提名候选对象（待审核人员确认）")
    prop.add_argument("--type", required=True, dest="list_type", help="red / black / watch / overload")
    prop.add_argument("--period", default="", help="批次，如 2026 或 2026Q4")
    prop.add_argument("--json", action="store_true")
    prop.set_defaults(func=_propose)
    add = lsub.add_parser("add", help="人工提名（治超名单须注明情形 --case）")
    add.add_argument("entity")
    add.add_argument("--type", required=True, dest="list_type")
    add.add_argument("--reason", required=True)
    add.add_argument("--case", default="", help="治超名单的列入情形代码 1–10")
    add.add_argument("--source-record", help="依据的记录 ID（该记录信用修复后提前移出）")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)
    conf = lsub.add_parser("confirm", help="确认列入（须审核权限）")
    conf.add_argument("id", type=uuid.UUID)
    conf.add_argument("--reason", required=True)
    conf.add_argument("--from", dest="entered_on", type=_date, help="列入日期（默认今天）")
    conf.add_argument("--json", action="store_true")
    conf.set_defaults(func=_confirm)
    rm = lsub.add_parser("remove", help="不予列入或提前移出（须审核权限）")
    rm.add_argument("id", type=uuid.UUID)
    rm.add_argument("--reason", required=True)
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=_remove)
    mem = lsub.add_parser("members", help="名单中现有的对象（已到期、已移出的不列）")
    mem.add_argument("--type", required=True, dest="list_type")
    mem.add_argument("--date", type=_date, help="按某日（默认今天）")
    mem.add_argument("--json", action="store_true")
    mem.set_defaults(func=_members)
    ent = lsub.add_parser("entries", help="全部记录（含待确认、已移出）")
    ent.add_argument("--type", dest="list_type")
    ent.add_argument("--status", help="proposed/confirmed/removed/exited")
    ent.add_argument("--json", action="store_true")
    ent.set_defaults(func=_entries)
    pub = lsub.add_parser("publish", help="公布名单（.xlsx；文件名以 .pdf 结尾则打印带编号和核验码的 PDF；个人证件号码隐去中间部分）")
    pub.add_argument("--type", required=True, dest="list_type")
    pub.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx|FILE.pdf")
    pub.set_defaults(func=_publish)


def _out(view: Any, as_json: bool, line: str) -> int:
    if as_json:
        print_json(view.to_json())
    else:
        print(line)
    return EXIT_OK


def _repair_line(v: Any) -> str:
    missing = f"；缺：{'、'.join(v.missing)}" if v.missing and v.status.open else ""
    return f"{v.id}  {v.status.label}  {v.entity_name}  {v.record_summary}  申请 {v.applied_on}{missing}"


def _apply(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import apply_repair

    v = apply_repair(context(args), args.record, applicant=args.applicant, contact=args.contact,
                     materials=tuple(args.material), commitment=args.commitment, applied_on=args.on)
    return _out(v, args.json, "已登记信用修复申请：" + _repair_line(v))


def _materials_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import repair_rules

    items = [{"code": m.code, "name": m.name, "required": m.required} for m in repair_rules().materials]
    if args.json:
        print_json(items)
    else:
        for i in items:
            print(f"{i['code']}\t{i['name']}{'' if i['required'] else '（按需）'}")
    return EXIT_OK


def _materials(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import update_materials

    v = update_materials(context(args), args.id, ticked=tuple(args.material))
    return _out(v, args.json, _repair_line(v))


def _accept(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import accept

    v = accept(context(args), args.id)
    return _out(v, args.json, "已受理：" + _repair_line(v))


def _review(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import review

    v = review(context(args), args.id, note=args.note)
    return _out(v, args.json, "已审核：" + _repair_line(v))


def _decide(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import decide

    v = decide(context(args), args.id, approve=args.approve, reason=args.reason)
    return _out(v, args.json, _repair_line(v))


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import list_applications

    views = list_applications(context(args), status=args.status, entity=args.entity, open_only=args.open)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_repair_line(v))
        print(f"共 {len(views)} 份", file=sys.stderr)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import get_application

    v = get_application(context(args), args.id)
    if args.json:
        print_json(v.to_json())
        return EXIT_OK
    print(_repair_line(v))
    print(f"最早可申请日：{v.earliest_on}（{v.rules_source}）")
    for m in v.materials:
        print(f"  [{'✔' if m['ticked'] else ' '}] {m['name']}{'' if m['required'] else '（按需）'}")
    return EXIT_OK


def _served(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.repair import record_notice_served

    record_notice_served(context(args), args.penalty_id, serial=args.serial, on=args.on)
    print("已登记：信用修复告知书随处罚决定书送达")
    return EXIT_OK


def _objection_line(v: Any) -> str:
    late = "（已超期）" if v.overdue else ""
    return f"{v.id}  {v.status.label}{late}  {v.entity_name}  {v.record_summary}  异议人 {v.objector}  期限 {v.deadline}"


def _objection_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.objections import add_objection

    v = add_objection(context(args), args.record, objector=args.objector, content=args.content, received_on=args.received_on)
    return _out(v, args.json, "已登记信息异议：" + _objection_line(v))


def _objection_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.objections import list_objections

    views = list_objections(context(args), open_only=args.open, overdue=args.overdue, entity=args.entity)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_objection_line(v))
    return EXIT_OK


def _objection_review(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.objections import start_review

    print(_objection_line(start_review(context(args), args.id)))
    return EXIT_OK


def _objection_decide(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.objections import decide

    v = decide(context(args), args.id, upheld=args.upheld, note=args.note)
    return _out(v, args.json, _objection_line(v))


def _entry_line(v: Any) -> str:
    span = f"{v.entered_on}至{v.expires_on}" if v.entered_on else f"提名 {v.proposed_on}"
    return f"{v.id}  {v.list_name}  {v.to_json()['status_label']}  {v.entity_name}  {v.identifier}  {span}  {v.criteria}"


def _propose(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import propose

    views = propose(context(args), args.list_type, period=args.period)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_entry_line(v))
        print(f"提名 {len(views)} 个，待审核人员确认", file=sys.stderr)
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import add_entry

    v = add_entry(context(args), args.entity, args.list_type, reason=args.reason, case_code=args.case,
                  source_record=args.source_record)
    return _out(v, args.json, "已提名：" + _entry_line(v))


def _confirm(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import confirm

    v = confirm(context(args), args.id, reason=args.reason, entered_on=args.entered_on)
    return _out(v, args.json, "已列入：" + _entry_line(v))


def _remove(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import remove

    v = remove(context(args), args.id, reason=args.reason)
    return _out(v, args.json, _entry_line(v))


def _members(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import entries

    views = entries(context(args), args.list_type, members_only=True, today=args.date)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_entry_line(v))
    return EXIT_OK


def _entries(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import entries

    views = entries(context(args), args.list_type, status=args.status)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_entry_line(v))
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_lists import publish

    if args.out.suffix.lower() == ".pdf":
        from xuyi_desktop.cli.print_commands import warn_provisional
        from xuyi_desktop.services.credit_prints import print_list_publication

        printed = print_list_publication(warn_provisional(context(args)), args.list_type, args.out)
        print(f"已公布名单：{printed.path}（{printed.count} 个，编号 {printed.serial}）")
        return EXIT_OK
    path, count = publish(context(args), args.list_type, args.out)
    print(f"已公布名单：{path}（{count} 个）")
    return EXIT_OK
