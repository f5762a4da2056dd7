"""`xuyi import overload FILE`, `xuyi overload list|show|resolve|interview|result|deductions|propose`: 源头治超 follow-up."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json
from xuyi_desktop.cli.exchange_commands import MAX_LINES, command_group
from xuyi_desktop.cli.fleet_commands import _date
from xuyi_desktop.cli.ledger_commands import parse_mapping


def register(sub: Any) -> None:
    imp = command_group(sub, "import", "导入 (import spreadsheets)")
    p = imp.add_parser("overload", help="导入上级治超抄报 .xlsx（按文书编号不重复；按车牌号匹配车辆和经营业户；写 template --out F 生成模板）")
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", help="与 template 一起使用：模板的保存位置")
    p.add_argument("--valid-only", action="store_true")
    p.add_argument("--errors", type=Path, metavar="OUT.xlsx")
    p.add_argument("--source", help="来源系统名称（用于记住表头对应关系）")
    p.add_argument("--map", action="append", default=[], metavar="表头=字段")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_import)

    ov = sub.add_parser("overload", help="源头治超：抄报、待匹配、约谈、逾期、扣分、治超名单")
    osub = ov.add_subparsers(dest="overload_command", required=True, metavar="ACTION")
    lst = osub.add_parser("list", help="抄报列表（最新在前）")
    lst.add_argument("--overdue", action="store_true", help="只列逾期未办结的")
    lst.add_argument("--state", choices=["unmatched", "open", "rectifying", "closed"], help="待匹配 / 待约谈 / 整改中 / 已办结")
    lst.add_argument("--operator", help="某个企业或驾驶员（UUID 或证件号码）")
    lst.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    lst.add_argument("--json", action="store_true")
    show = osub.add_parser("show", help="查看一份抄报（ID 或文书编号）")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    res = osub.add_parser("resolve", help="人工匹配待匹配的抄报")
    res.add_argument("id")
    res.add_argument("--operator", help="运输企业 UUID 或统一社会信用代码")
    res.add_argument("--vehicle", help="已登记的车牌号（其经营业户随之匹配）")
    res.add_argument("--driver", help="驾驶员 UUID 或身份证号码")
    res.add_argument("--json", action="store_true")
    iv = osub.add_parser("interview", help="记录约谈（日期、参加人员、内容、整改期限，可同时记整改结果）")
    iv.add_argument("id")
    iv.add_argument("--date", type=_date, required=True, help="约谈日期")
    iv.add_argument("--participants", required=True, help="参加人员")
    iv.add_argument("--content", required=True, help="约谈内容")
    iv.add_argument("--deadline", type=_date, help="整改期限（默认约谈后30天）")
    iv.add_argument("--result", default="", help="整改结果（填写即办结）")
    iv.add_argument("--result-date", type=_date, help="整改完成日期（默认今天）")
    iv.add_argument("--json", action="store_true")
    rs = osub.add_parser("result", help="记录整改结果（办结）")
    rs.add_argument("id")
    rs.add_argument("--result", required=True)
    rs.add_argument("--date", type=_date)
    rs.add_argument("--json", action="store_true")
    de = osub.add_parser("deductions", help="经营者某年度的治超扣分项（录入评价时用 rating add --overload-deductions）")
    de.add_argument("entity")
    de.add_argument("--period", type=int, required=True)
    de.add_argument("--json", action="store_true")
    pr = osub.add_parser("propose", help="按抄报次数提名治超名单（一年内超过3次：车辆的经营业户情形1、驾驶人情形2）")
    pr.add_argument("--json", action="store_true")
    ov.set_defaults(func=_overload)


def _import(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import overload

    if str(args.file) == "template":
        if args.out is None:
            raise argparse.ArgumentTypeError("生成模板需要 --out FILE.xlsx")
        print(f"已生成导入模板 (template written): {overload.write_overload_template(args.out)}")
        return EXIT_OK
    result = overload.import_overload(context(args), args.file, valid_only=args.valid_only, errors_path=args.errors,
                                      source=args.source, mapping=parse_mapping(args.map))
    o = result.outcomes
    if args.json:
        print_json(result.to_json() | {"matched": o.get("matched", 0), "unmatched": o.get("unmatched", 0),
                                       "skipped": o.get("unchanged", 0)})
        return EXIT_OK if result.ok else EXIT_REJECTED
    print(f"{result.file.name}：共 {result.rows} 行，新增 {o.get('created', 0)} 份（已匹配 {o.get('matched', 0)}，待匹配 "
          f"{o.get('unmatched', 0)}），已登记跳过 {o.get('unchanged', 0)} 份，有误 {result.failed_rows} 行")
    for e in result.errors[:MAX_LINES]:
        print(f"  第{e.row}行 {e.column}：{e.message_zh}")
    if result.ok:
        return EXIT_OK
    print(f"错误：{result.failed_rows} 行有误，{'已导入无误的行' if args.valid_only else '未写入任何数据'}；错误报告：{result.errors_path} "
          f"({result.failed_rows} rows rejected)", file=sys.stderr)
    return EXIT_REJECTED


def _line(v: Any) -> str:
    due = f"{'逾期 ' if v.overdue else ''}期限{v.due}"
    ratio = f"{v.overload_ratio:g}%" if v.overload_ratio is not None else "—"
    return "\t".join([v.document_no, str(v.occurred_on), v.plate, ratio, v.operator_name or "—", v.driver_name or "—",
                      v.state.label, due, str(v.id)])


def _print_notice(v: Any) -> None:
    for label, value in (
        ("文书编号", v.document_no), ("超限日期", v.occurred_on), ("检测地点", v.place), ("超限率", f"{v.overload_ratio:g}%" if v.overload_ratio is not None else ""),
        ("车牌号", v.plate), ("运输企业", f"{v.operator_name}（{v.operator_identifier}）" if v.operator_identifier else v.operator_name),
        ("驾驶员", v.driver_name), ("匹配", "已匹配" if v.matched else "待匹配"), ("匹配说明", v.match_note), ("抄报单位", v.source),
        ("抄报日期", v.received_on), ("状态", v.state.label + ("（已逾期）" if v.overdue else "")), ("办理期限", v.due),
        ("约谈日期", v.interviewed_on), ("参加人员", v.participants), ("约谈内容", v.interview_content), ("整改期限", v.rectify_by),
        ("整改结果", v.rectify_result), ("办结日期", v.rectified_on),
    ):
        print(f"{label}：{value or '—'}")


def _overload(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import overload

    ctx = context(args)
    cmd = args.overload_command
    if cmd == "list":
        rows = overload.list_notices(ctx, state=args.state, overdue=args.overdue, operator=args.operator, today=args.today)
        if args.json:
            print_json([v.to_json() for v in rows])
        else:
            for v in rows:
                print(_line(v))
        return EXIT_OK
    if cmd == "deductions":
        rows = overload.deductions_for(ctx, args.entity, args.period)
        rules = overload.overload_rules()
        if args.json:
            print_json({"deduction_code": rules.deduction_code, "count": len(rows), "notices": [v.to_json() for v in rows]})
        else:
            print(f"{args.period}年度治超抄报 {len(rows)} 份，扣分项 {rules.deduction_code} × {len(rows)}")
            for v in rows:
                print(_line(v))
        return EXIT_OK
    if cmd == "propose":
        made = overload.propose_list_entries(ctx)
        if args.json:
            print_json([m.to_json() for m in made])
        else:
            print(f"提名治超名单 {len(made)} 个（待审核人员确认：xuyi list confirm ID --reason …）")
            for m in made:
                print(f"{m.entity_name}\t{m.criteria}\t{m.reason}\t{m.id}")
        return EXIT_OK
    if cmd == "show":
        view = overload.get_notice(ctx, args.id)
    elif cmd == "resolve":
        view = overload.resolve(ctx, args.id, operator=args.operator, plate=args.vehicle, driver=args.driver)
    elif cmd == "interview":
        view = overload.interview(ctx, args.id, on=args.date, participants=args.participants, content=args.content,
                                  rectify_by=args.deadline, result=args.result, result_on=args.result_date)
    else:
        view = overload.record_result(ctx, args.id, result=args.result, on=args.date or dt.date.today())
    if args.json:
        print_json(view.to_json())
    else:
        _print_notice(view)
    return EXIT_OK
