"""`xuyi vehicle …`, `xuyi vessel …`, `xuyi practitioner …`: vehicles and vessels of operators, drivers' 从业资格证."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 2025-03-15（收到：{text}）") from exc


def register(sub: Any) -> None:
    veh = sub.add_parser("vehicle", help="车辆：登记、列表、查看 (vehicles of road operators)")
    vsub = veh.add_subparsers(dest="vehicle_command", required=True, metavar="ACTION")
    add = vsub.add_parser("add", help="登记车辆（车牌号+号牌颜色不重复）")
    add.add_argument("--operator", required=True, help="经营业户的 UUID 或统一社会信用代码")
    add.add_argument("--plate", required=True, help="车牌号，如 苏H12345、苏H1234挂、苏HD12345（新能源）")
    add.add_argument("--colour", "--color", dest="colour", required=True, help="号牌颜色：黄色、蓝色、渐变绿色、黄绿色…")
    add.add_argument("--cert-no", default="", help="道路运输证号")
    add.add_argument("--type", dest="vehicle_type", default="", help="车辆类型，如 重型半挂牵引车")
    add.add_argument("--tonnage", type=float, help="核定载质量（吨）")
    add.add_argument("--seats", type=int, help="核定载客（座）")
    add.add_argument("--from", dest="valid_from", type=_date, help="道路运输证有效期起")
    add.add_argument("--to", dest="valid_to", type=_date, help="道路运输证有效期止")
    add.add_argument("--status", default="营运", help="营运 / 停运 / 注销")
    add.add_argument("--notes", default="")
    add.add_argument("--json", action="store_true")
    lst = vsub.add_parser("list", help="车辆列表")
    lst.add_argument("--operator", help="只列该经营业户的车辆")
    lst.add_argument("--plate", default="", help="车牌号开头，如 苏H1")
    lst.add_argument("--limit", type=int, default=500)
    lst.add_argument("--json", action="store_true")
    show = vsub.add_parser("show", help="查看一辆车（车牌号或 ID）及其经营业户")
    show.add_argument("key", metavar="PLATE_OR_ID")
    show.add_argument("--json", action="store_true")
    veh.set_defaults(func=_vehicle)

    ves = sub.add_parser("vessel", help="船舶：登记、列表、查看 (vessels of water operators)")
    ssub = ves.add_subparsers(dest="vessel_command", required=True, metavar="ACTION")
    sadd = ssub.add_parser("add", help="登记船舶（船舶识别号不重复）")
    sadd.add_argument("--operator", required=True, help="经营人的 UUID 或统一社会信用代码")
    sadd.add_argument("--name", required=True, help="船名")
    sadd.add_argument("--ship-id", required=True, help="船舶识别号：CN加11位数字")
    sadd.add_argument("--cert-no", default="", help="船舶营业运输证号")
    sadd.add_argument("--type", dest="vessel_type", default="", help="船舶类型")
    sadd.add_argument("--gross-tonnage", type=float, help="总吨")
    sadd.add_argument("--deadweight", type=float, help="载重吨")
    sadd.add_argument("--from", dest="valid_from", type=_date)
    sadd.add_argument("--to", dest="valid_to", type=_date)
    sadd.add_argument("--status", default="营运")
    sadd.add_argument("--notes", default="")
    sadd.add_argument("--json", action="store_true")
    slst = ssub.add_parser("list", help="船舶列表")
    slst.add_argument("--operator")
    slst.add_argument("--limit", type=int, default=500)
    slst.add_argument("--json", action="store_true")
    sshow = ssub.add_parser("show", help="查看一艘船（船舶识别号、船名或 ID）")
    sshow.add_argument("key", metavar="SHIP_ID_OR_NAME")
    sshow.add_argument("--json", action="store_true")
    ves.set_defaults(func=_vessel)

    pr = sub.add_parser("practitioner", help="从业人员的从业资格证（驾驶员诚信考核周期自初次领证日起算）")
    psub = pr.add_subparsers(dest="practitioner_command", required=True, metavar="ACTION")
    pset = psub.add_parser("set", help="登记或更新从业资格证")
    pset.add_argument("person", help="个人的 UUID 或身份证号码")
    pset.add_argument("--cert-no", required=True, help="从业资格证号")
    pset.add_argument("--class", dest="qualification_class", default="", help="从业资格类别，如 道路货物运输驾驶员")
    pset.add_argument("--first-issued", type=_date, help="初次领证日期")
    pset.add_argument("--valid-to", type=_date, help="有效期至")
    pset.add_argument("--json", action="store_true")
    pshow = psub.add_parser("show", help="查看从业资格及当前考核周期")
    pshow.add_argument("person")
    pshow.add_argument("--reveal", action="store_true", help="显示完整身份证号和从业资格证号（需权限，记入日志）")
    pshow.add_argument("--json", action="store_true")
    pr.set_defaults(func=_practitioner)


def _vehicle_line(v: Any) -> str:
    return "\t".join([v.plate, v.plate_colour, v.vehicle_type or "—", v.capacity or "—", v.transport_cert_no or "—",
                      v.status_label, v.operator_name, str(v.id)])


def _vehicle(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.fleet import VehicleDraft
    from xuyi_desktop.services import fleet

    ctx = context(args)
    if args.vehicle_command == "add":
        view = fleet.add_vehicle(ctx, VehicleDraft(
            args.operator, args.plate, args.colour, args.cert_no, args.vehicle_type, args.tonnage, args.seats,
            args.valid_from, args.valid_to, args.status, args.notes))
        if args.json:
            print_json(view.to_json())
        else:
            print(f"已登记车辆 (registered): {view.plate}（{view.plate_colour}）→ {view.operator_name}  {view.id}")
        return EXIT_OK
    if args.vehicle_command == "list":
        rows = fleet.list_vehicles(ctx, operator=args.operator, plate_prefix=args.plate, limit=args.limit)
        if args.json:
            print_json([v.to_json() for v in rows])
        else:
            for v in rows:
                print(_vehicle_line(v))
        return EXIT_OK
    view = fleet.get_vehicle(ctx, args.key)
    if args.json:
        print_json(view.to_json())
    else:
        for label, value in (("车牌号", f"{view.plate}（{view.plate_colour}）"), ("经营业户", f"{view.operator_name}（{view.operator_identifier}）"),
                             ("道路运输证号", view.transport_cert_no), ("车辆类型", view.vehicle_type), ("核定", view.capacity),
                             ("有效期", f"{view.cert_valid_from or '—'} 至 {view.cert_valid_to or '—'}"), ("状态", view.status_label),
                             ("备注", view.notes)):
            print(f"{label}：{value or '—'}")
    return EXIT_OK


def _vessel(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.fleet import VesselDraft
    from xuyi_desktop.services import fleet

    ctx = context(args)
    if args.vessel_command == "add":
        view = fleet.add_vessel(ctx, VesselDraft(
            args.operator, args.name, args.ship_id, args.cert_no, args.gross_tonnage, args.deadweight, args.vessel_type,
            args.valid_from, args.valid_to, args.status, args.notes))
        if args.json:
            print_json(view.to_json())
        else:
            print(f"已登记船舶 (registered): {view.name}（{view.ship_id}）→ {view.operator_name}  {view.id}")
        return EXIT_OK
    if args.vessel_command == "list":
        rows = fleet.list_vessels(ctx, operator=args.operator, limit=args.limit)
        if args.json:
            print_json([v.to_json() for v in rows])
        else:
            for v in rows:
                print("\t".join([v.name, v.ship_id, v.transport_cert_no or "—", f"{v.gross_tonnage or '—'}总吨", v.status_label, v.operator_name, str(v.id)]))
        return EXIT_OK
    view = fleet.get_vessel(ctx, args.key)
    if args.json:
        print_json(view.to_json())
    else:
        for label, value in (("船名", view.name), ("船舶识别号", view.ship_id), ("经营人", f"{view.operator_name}（{view.operator_identifier}）"),
                             ("营业运输证号", view.transport_cert_no), ("船舶类型", view.vessel_type),
                             ("总吨/载重吨", f"{view.gross_tonnage or '—'} / {view.deadweight or '—'}"), ("状态", view.status_label)):
            print(f"{label}：{value or '—'}")
    return EXIT_OK


def _practitioner(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.fleet import QualificationDraft
    from xuyi_desktop.services import fleet
    from xuyi_desktop.services.errors import NotFoundError

    ctx = context(args)
    if args.practitioner_command == "set":
        view = fleet.set_qualification(ctx, args.person, QualificationDraft(args.cert_no, args.qualification_class, args.first_issued, args.valid_to))
    else:
        found = fleet.get_qualification(ctx, args.person, reveal=args.reveal)
        if found is None:
            raise NotFoundError(f"{args.person} 的从业资格证")
        view = found
    if args.json:
        print_json(view.to_json())
        return EXIT_OK
    cycle = f"{view.cycle_start} 至 {view.cycle_end}" if view.cycle_start else "—（未填初次领证日期）"
    for label, value in (("姓名", view.name), ("身份证号码", view.identifier), ("从业资格证号", view.cert_no),
                         ("从业资格类别", view.qualification_class), ("初次领证日期", view.first_issued_on), ("有效期至", view.valid_to),
                         ("当前诚信考核周期", cycle), ("所属企业", "、".join(view.employers))):
        print(f"{label}：{value or '—'}")
    return EXIT_OK
