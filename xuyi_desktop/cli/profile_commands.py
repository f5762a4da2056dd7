"""`xuyi profile ENTITY` (信用档案) and `xuyi dishonesty add|list|show|end` (失信记录)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def register(sub: Any) -> None:
    prof = sub.add_parser("profile", help="主体的信用档案：评价、行政处罚、失信记录、承诺、证照、名单、核查记录")
    prof.add_argument("entity", metavar="ENTITY", help="市场主体 UUID 或证件号码")
    prof.add_argument("--date", type=dt.date.fromisoformat, help="按某日的状态（默认今天）YYYY-MM-DD")
    prof.add_argument("--business", help="同时给出该业务类型的激励和约束（见 xuyi businesses）")
    prof.add_argument("--reveal", action="store_true", help="显示完整身份证号码（需权限，记入操作日志）")
    prof.add_argument("--json", action="store_true")
    prof.set_defaults(func=_profile)

    dis = sub.add_parser("dishonesty", help="失信记录：登记、列表、查看、结束")
    dsub = dis.add_subparsers(dest="dishonesty_command", required=True, metavar="ACTION")
    dadd = dsub.add_parser("add", help="登记失信记录")
    dadd.add_argument("--entity", required=True)
    dadd.add_argument("--date", required=True, type=dt.date.fromisoformat, help="失信行为日期 YYYY-MM-DD")
    dadd.add_argument("--category", required=True, help="失信类别，如 严重失信、法院失信被执行人")
    dadd.add_argument("--description", default="")
    dadd.add_argument("--doc-no", default="")
    dadd.add_argument("--source", default="", help="来源（认定机关、名单名称）")
    dadd.add_argument("--ends-on", type=dt.date.fromisoformat, help="结束日期（如有）")
    dadd.add_argument("--json", action="store_true")
    dadd.set_defaults(func=_add)
    dls = dsub.add_parser("list", help="失信记录列表（新的在前）")
    dls.add_argument("--entity", help="只列该主体（UUID 或证件号码）")
    dls.add_argument("--active", action="store_true", help="只列未结束的")
    dls.add_argument("--json", action="store_true")
    dls.set_defaults(func=_list)
    dshow = dsub.add_parser("show", help="查看一条失信记录")
    dshow.add_argument("id", type=uuid.UUID)
    dshow.add_argument("--json", action="store_true")
    dshow.set_defaults(func=_show)
    dend = dsub.add_parser("end", help="提前结束失信记录（须审核权限，写明理由）")
    dend.add_argument("id", type=uuid.UUID)
    dend.add_argument("--reason", required=True)
    dend.add_argument("--on", type=dt.date.fromisoformat, help="结束日期（默认今天）")
    dend.add_argument("--json", action="store_true")
    dend.set_defaults(func=_end)


def _profile(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.profile import decide_for, get_profile

    profile = get_profile(context(args), args.entity, as_of=args.date, reveal=args.reveal)
    decision = decide_for(profile, args.business) if args.business else None
    if args.json:
        data = profile.to_json()
        if decision is not None:
            data["decision"] = decision.to_json()
        print_json(data)
        return EXIT_OK
    e = profile.entity
    print(f"信用档案  {e.name}  {e.identifier}  {e.kind_label}  状态：{e.status_label}  （{profile.as_of}）")
    print(f"类别：{'、'.join(e.category_labels) or '—'}")
    print("信用评价：")
    for r in profile.ratings:
        grade = f"{'暂定' if r.provisional else ''}{r.grade}级" if r.grade else "无"
        valid = f"，有效期至 {r.valid_until}" if r.valid_until else ""
        print(f"  {r.domain_name}：{grade}{valid}  {r.reason}")
    print("行政处罚：" + ("" if profile.penalties else "无"))
    for p in profile.penalties:
        end = f"，公示至 {p.publicity_end}" if p.publicity_end else ""
        print(f"  {p.decided_on} {p.document_no} {'、'.join(p.categories)}（{p.publicity_class}）{p.state.label}{end}")
    print("失信记录：" + ("" if profile.dishonesty else "无"))
    for d in profile.dishonesty:
        print(f"  {d.occurred_on} {d.category} {'有效' if d.active else '已结束'} {d.description}")
    print("信用承诺：" + ("" if profile.commitments else "无"))
    for c in profile.commitments:
        print(f"  {c.serial} {c.type_name} {c.status_label}{'（逾期）' if c.overdue else ''} {c.business}")
    if profile.points is not None:
        pts = profile.points
        print(f"信用积分：{pts.balance:g}分（{pts.tier_name}，{pts.entries}条记录）：{'；'.join(pts.services)}")
    print("证照：" + ("" if profile.licences else "无"))
    for lic in profile.licences:
        print(f"  {lic.licence_type} {lic.number} {lic.state}" + (f"（至 {lic.valid_to}）" if lic.valid_to else ""))
    if decision is not None:
        print(f"“{args.business}”业务：{decision.verdict_label}")
        for line in decision.lines:
            print(f"  {_MARK[line.kind]}：{line.text}（依据：{line.source}）")
        for s in decision.suppressed:
            print(f"  — 不适用：{s.line.text}（因{s.by.source}）")
    return EXIT_OK


_MARK = {"incentive": "✔ 激励", "restriction": "✘ 约束", "info": "· 提示"}


def _print(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.to_json())
    else:
        end = f" 至 {view.ends_on}" if view.ends_on else ""
        print(f"{view.id}  {view.entity_name}  {view.occurred_on} {view.category}  {'有效' if view.active else '已结束'}{end}  {view.description}")


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dishonesty import add_dishonesty, get_dishonesty

    ctx = context(args)
    rid = add_dishonesty(ctx, args.entity, occurred_on=args.date, category=args.category, description=args.description,
                         document_no=args.doc_no, source=args.source, ends_on=args.ends_on)
    if args.json:
        _print(get_dishonesty(ctx, rid), True)
    else:
        print(f"已登记失信记录 (dishonesty recorded): {rid}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dishonesty import list_dishonesty

    views = list_dishonesty(context(args), entity=args.entity, active_only=args.active)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            _print(v, False)
        print(f"共 {len(views)} 条", file=sys.stderr)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dishonesty import get_dishonesty

    _print(get_dishonesty(context(args), args.id), args.json)
    return EXIT_OK


def _end(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dishonesty import end_dishonesty

    _print(end_dishonesty(context(args), args.id, on=args.on, reason=args.reason), args.json)
    return EXIT_OK
