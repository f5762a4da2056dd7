"""`xuyi points add|correct|list|balance|rules|ledgers` and `xuyi print points ENTITY`: credit points (诚信港区 pilot)."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json
from xuyi_desktop.cli.fleet_commands import _date


def register(sub: Any) -> None:
    pts = sub.add_parser("points", help="信用积分（诚信港区）：加分、扣分、冲正、明细、余额和档次")
    psub = pts.add_subparsers(dest="points_command", required=True, metavar="ACTION")
    add = psub.add_parser("add", help="按规则加分或扣分（首次记录时开户并记入初始分）")
    add.add_argument("entity", help="驾驶员或企业的 UUID 或证件号码")
    add.add_argument("--rule", required=True, help="规则代码（见 xuyi points rules）")
    add.add_argument("--reason", required=True, help="事由")
    add.add_argument("--evidence", default="", help="证据：文书号、照片编号等（部分规则必填）")
    add.add_argument("--points", type=float, help="分值（规则允许范围内；省略则按规则）")
    add.add_argument("--date", type=_date, help="发生日期（默认今天）")
    add.add_argument("--json", action="store_true")
    cor = psub.add_parser("correct", help="冲正一条记录（新增一条相反的记录，原记录保留）")
    cor.add_argument("entry_id", type=uuid.UUID)
    cor.add_argument("--reason", required=True)
    cor.add_argument("--json", action="store_true")
    for name, text in (("list", "积分明细"), ("balance", "余额、档次和差异化服务")):
        p = psub.add_parser(name, help=text)
        p.add_argument("entity")
        p.add_argument("--date", type=_date, help="截至某日（默认今天）")
        p.add_argument("--json", action="store_true")
    rules = psub.add_parser("rules", help="积分规则和档次（resources/points/points.toml）")
    rules.add_argument("--json", action="store_true")
    led = psub.add_parser("ledgers", help="全部积分账户（余额由低到高）")
    led.add_argument("--json", action="store_true")
    pts.set_defaults(func=_points)

    printer = sub.choices.get("print")
    if printer is not None:
        prsub = next(a for a in printer._actions if isinstance(a, argparse._SubParsersAction))
        one = prsub.add_parser("points", help="打印信用积分明细（编号、签名二维码，可用 xuyi verify 核验）")
        one.add_argument("entity")
        one.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        one.add_argument("--date", type=_date, help="截至某日（默认今天）")
        one.set_defaults(func=_print)


def _points(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import points

    ctx = context(args)
    cmd = args.points_command
    if cmd == "rules":
        r = points.point_rules()
        if args.json:
            print_json({"name": r.name, "version": r.version, "initial": r.initial, "floor": r.floor, "ceiling": r.ceiling,
                        "rules": [vars(x) for x in r.rules], "tiers": [vars(t) | {"services": list(t.services)} for t in r.tiers]})
        else:
            print(f"{r.name}（{r.version}）：开户 {r.initial:g} 分，范围 {r.floor:g}–{r.ceiling:g}")
            for x in r.rules:
                print(f"  {x.code}\t{x.points:+g}\t{x.name}{'（须证据）' if x.evidence else ''}")
            for t in r.tiers:
                print(f"  {t.code}档 {t.name}（≥{t.min_points:g}）：{'；'.join(t.services)}")
        return EXIT_OK
    if cmd == "ledgers":
        rows = points.ledgers(ctx)
        if args.json:
            print_json([{"entity_id": str(lg.entity_id), "name": lg.entity_name, "balance": lg.standing.balance, "tier": lg.standing.tier.name}
                        for lg in rows])
        else:
            for lg in rows:
                print(f"{lg.entity_name}\t{lg.identifier}\t{lg.standing.balance:g}分\t{lg.standing.tier.name}\t{lg.entity_id}")
        return EXIT_OK
    if cmd in ("add", "correct"):
        if cmd == "add":
            e = points.add_entry(ctx, args.entity, args.rule, reason=args.reason, evidence=args.evidence, points=args.points, on=args.date)
        else:
            e = points.correct_entry(ctx, args.entry_id, reason=args.reason)
        if args.json:
            print_json(e.to_json())
        else:
            print(f"已记录 (recorded): {e.kind_label} {e.points:+g}分，余额 {e.balance_after:g}分  {e.id}")
        return EXIT_OK
    ledger = points.get_ledger(ctx, args.entity, as_of=args.date)
    if args.json:
        data = ledger.to_json()
        if cmd == "balance":
            data.pop("entries")
        print_json(data)
        return EXIT_OK
    t = ledger.standing.tier
    print(f"{ledger.entity_name}（{ledger.subject_label}）截至{ledger.as_of}：{ledger.standing.balance:g}分，{t.name}")
    print(f"差异化服务：{'；'.join(t.services) or '—'}")
    if cmd == "list":
        for en in ledger.entries:
            mark = "（已冲正）" if en.corrected_by else ""
            print(f"  {en.occurred_on}\t{en.kind_label}\t{en.points:+g}\t余额{en.balance_after:g}\t{en.rule_code} {en.rule_name}\t{en.reason}{mark}\t{en.id}")
    return EXIT_OK


def _print(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.points import print_statement

    path = print_statement(context(args), args.entity, args.out, as_of=args.date)
    print(f"已打印 (printed): {path}")
    return EXIT_OK
