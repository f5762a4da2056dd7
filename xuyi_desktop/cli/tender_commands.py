"""`xuyi tpr add|list|show|void`: the register of third-party credit reports (第三方信用报告) the tender check shows.
The batch and consortium checks are options of `xuyi check` (cli/rating_commands.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def register(sub: Any) -> None:
    tpr = sub.add_parser("tpr", help="第三方信用报告：登记、列表、查看、作废 (third-party credit reports)")
    tsub = tpr.add_subparsers(dest="tpr_command", required=True, metavar="ACTION")

    add = tsub.add_parser("add", help="登记第三方信用报告（招投标核查时显示）")
    add.add_argument("--entity", required=True, help="市场主体 UUID 或证件号码")
    add.add_argument("--agency", required=True, help="出具报告的信用服务机构名称")
    reg = add.add_mutually_exclusive_group(required=True)
    reg.add_argument("--registered", dest="registered", action="store_true",
                     help="出具机构已在江苏省信用服务机构管理系统备案（或在信用中国网站公示）")
    reg.add_argument("--not-registered", dest="registered", action="store_false", help="出具机构未备案（报告不予认可）")
    add.add_argument("--registration-no", default="", help="机构备案编号或公示网址（可不填）")
    add.add_argument("--report-no", required=True, help="报告编号")
    add.add_argument("--issued", required=True, type=dt.date.fromisoformat, help="出具日期 YYYY-MM-DD")
    add.add_argument("--valid-until", required=True, type=dt.date.fromisoformat, help="有效期至 YYYY-MM-DD")
    add.add_argument("--grade", default="", help="报告给出的信用等级或结论，如 AAA")
    add.add_argument("--remarks", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)

    lst = tsub.add_parser("list", help="第三方信用报告列表（有效的在前）")
    lst.add_argument("--entity", help="只列该主体（UUID 或证件号码）")
    lst.add_argument("--valid-only", action="store_true", help="只列今天有效的（机构已备案且在有效期内）")
    lst.add_argument("--text", default="", help="按机构、报告编号或主体名称筛选")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    show = tsub.add_parser("show", help="查看一份报告")
    show.add_argument("id", type=uuid.UUID)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)

    void = tsub.add_parser("void", help="作废误登记的报告（须审核权限，写明理由；记录保留在历史中）")
    void.add_argument("id", type=uuid.UUID)
    void.add_argument("--reason", required=True)
    void.set_defaults(func=_void)


def _line(v: Any) -> str:
    grade = f"  {v.grade}" if v.grade else ""
    return (f"{v.report_no}  {v.entity_name}（{v.entity_identifier}）  {v.agency_name}  {v.issued_on}至{v.valid_until}"
            f"{grade}  {v.state_label}")


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import ReportInput, add_report

    view = add_report(context(args), ReportInput(
        args.entity, args.agency, args.registered, args.report_no, args.issued, args.valid_until, grade=args.grade,
        agency_registration_no=args.registration_no, remarks=args.remarks,
    ))
    if args.json:
        print_json(view.to_json())
    else:
        print(f"已登记第三方信用报告 {view.id}")
        print(_line(view))
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import list_reports

    views = list_reports(context(args), entity=args.entity, valid_only=args.valid_only, text=args.text)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(f"{v.id}  {_line(v)}")
        if not views:
            print("没有符合条件的第三方信用报告")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import get_report

    v = get_report(context(args), args.id)
    if args.json:
        print_json(v.to_json())
        return EXIT_OK
    for label, value in (
        ("主体", f"{v.entity_name}（{v.entity_identifier}）"), ("出具机构", v.agency_name),
        ("机构备案", ("已备案 " + v.agency_registration_no).strip() if v.agency_registered else "未备案"),
        ("报告编号", v.report_no), ("出具日期", v.issued_on), ("有效期至", v.valid_until), ("等级/结论", v.grade or "—"),
        ("状态", v.state_label), ("备注", v.remarks or "—"),
    ):
        print(f"{label}：{value}")
    return EXIT_OK


def _void(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.tender import void_report

    void_report(context(args), args.id, reason=args.reason)
    print(f"已作废第三方信用报告 {args.id}")
    return EXIT_OK
